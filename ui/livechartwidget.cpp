#include "livechartwidget.h"

#include "liveratemodel.h"

#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QSaveFile>
#include <QStringList>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>

namespace Eventscope {

namespace {

QByteArray csvField(const QString &text)
{
    QByteArray field = text.toUtf8();
    if (field.contains(',') || field.contains('"') || field.contains('\n')) {
        field.replace('"', "\"\"");
        field = '"' + field + '"';
    }
    return field;
}

QChartView *makeView(QChart *chart)
{
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setAnimationOptions(QChart::NoAnimation); // redraws come several times a second
    auto *view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    return view;
}

} // namespace

LiveChartWidget::LiveChartWidget(LiveRateModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    m_window = new QComboBox;
    m_window->setObjectName(QStringLiteral("liveWindow"));
    m_window->addItem(tr("1 minute"), int(LiveRateModel::Window::OneMinute));
    m_window->addItem(tr("10 minutes"), int(LiveRateModel::Window::TenMinutes));
    m_window->addItem(tr("1 hour"), int(LiveRateModel::Window::OneHour));
    m_window->setCurrentIndex(m_window->findData(int(m_model->window())));
    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setWindow(LiveRateModel::Window(m_window->currentData().toInt()));
        redraw(); // the user asked: show it now, paused or not
    });
    m_pause = new QToolButton;
    m_pause->setText(tr("Pause"));
    m_pause->setCheckable(true);
    connect(m_pause, &QToolButton::toggled, this, &LiveChartWidget::setPaused);
    auto *png = new QToolButton;
    png->setText(tr("Export PNG…"));
    connect(png, &QToolButton::clicked, this, [this] { exportInteractively(true); });
    auto *csv = new QToolButton;
    csv->setText(tr("Export CSV…"));
    connect(csv, &QToolButton::clicked, this, [this] { exportInteractively(false); });
    m_hover = new QLabel;
    m_hover->setObjectName(QStringLiteral("liveHover"));
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Window:")));
    bar->addWidget(m_window);
    bar->addWidget(m_pause);
    bar->addWidget(png);
    bar->addWidget(csv);
    bar->addWidget(m_hover, 1);

    m_rateChart = new QChart;
    m_rateChart->setTitle(tr("Commits and events per second"));
    m_rateX = new QDateTimeAxis;
    m_rateX->setFormat(QStringLiteral("HH:mm:ss"));
    m_rateY = new QValueAxis;
    m_rateY->setLabelFormat(QStringLiteral("%.0f"));
    m_rateChart->addAxis(m_rateX, Qt::AlignBottom);
    m_rateChart->addAxis(m_rateY, Qt::AlignLeft);
    m_commits = addLine(m_rateChart, tr("commits/s"), m_rateX, m_rateY);
    m_events = addLine(m_rateChart, tr("events/s"), m_rateX, m_rateY);
    QPen pen = m_commits->pen();
    pen.setWidthF(2.5);
    m_commits->setPen(pen);
    m_backfills = new QScatterSeries;
    m_backfills->setName(tr("back-filled"));
    m_backfills->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_backfills->setMarkerSize(9);
    m_backfills->setColor(QColor(0xe6, 0x91, 0x00));
    m_disconnects = new QScatterSeries;
    m_disconnects->setName(tr("dropped"));
    m_disconnects->setMarkerSize(11);
    m_disconnects->setColor(QColor(0xd3, 0x2f, 0x2f));
    for (QScatterSeries *markers : {m_backfills, m_disconnects}) {
        m_rateChart->addSeries(markers);
        markers->attachAxis(m_rateX);
        markers->attachAxis(m_rateY);
        connect(markers, &QScatterSeries::hovered, this, &LiveChartWidget::onHovered);
    }

    m_latencyChart = new QChart;
    m_latencyChart->setTitle(tr("Commit latency (receive time − commit timestamp)"));
    m_latencyX = new QDateTimeAxis;
    m_latencyX->setFormat(QStringLiteral("HH:mm:ss"));
    m_latencyY = new QValueAxis;
    m_latencyY->setLabelFormat(QStringLiteral("%.0f ms"));
    m_latencyChart->addAxis(m_latencyX, Qt::AlignBottom);
    m_latencyChart->addAxis(m_latencyY, Qt::AlignLeft);
    m_latency = addLine(m_latencyChart, tr("mean latency"), m_latencyX, m_latencyY);
    m_latencyChart->legend()->hide();

    m_rateView = makeView(m_rateChart);
    m_latencyView = makeView(m_latencyChart);
    m_rateView->setMinimumHeight(160);
    m_latencyView->setMinimumHeight(110);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_rateView, 3);
    layout->addWidget(m_latencyView, 1);

    const auto dirty = [this] {
        m_dirty = true;
    };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, dirty);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, dirty);
    connect(m_model, &QAbstractItemModel::dataChanged, this, dirty);
    connect(m_model, &QAbstractItemModel::modelReset, this, dirty);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, dirty);
    connect(m_model, &QAbstractItemModel::headerDataChanged, this, dirty);
    connect(m_model, &QAbstractItemModel::columnsInserted, this, dirty);
    connect(m_model, &QAbstractItemModel::columnsRemoved, this, dirty);
    m_timer = new QTimer(this);
    m_timer->setInterval(RedrawIntervalMs);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_dirty && !m_paused)
            redraw();
    });
    m_timer->start();
    redraw();
}

LiveChartWidget::~LiveChartWidget() = default;

QLineSeries *LiveChartWidget::addLine(QChart *chart, const QString &name, QDateTimeAxis *x, QValueAxis *y)
{
    auto *series = new QLineSeries;
    series->setName(name);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    connect(series, &QLineSeries::hovered, this, &LiveChartWidget::onHovered);
    return series;
}

void LiveChartWidget::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused && m_dirty)
        redraw();
}

void LiveChartWidget::redraw()
{
    m_dirty = false;
    ++m_redraws;
    const int rows = m_model->rowCount();
    // Stream columns without a stream (fewer busy streams than series) stay hidden.
    const int streamColumns
        = int(qMin<qsizetype>(m_model->columnCount() - LiveRateModel::FirstStreamColumn, m_model->streams().size()));
    QList<QPointF> commits, events, latency;
    QList<QList<QPointF>> streams(qMax(0, streamColumns));
    commits.reserve(rows);
    events.reserve(rows);
    double top = 1;
    double latencyMin = 0, latencyMax = 1;
    const auto value = [this](int row, int column) {
        return m_model->index(row, column).data(LiveRateModel::ValueRole);
    };
    for (int row = 0; row < rows; ++row) {
        const double x = double(value(row, LiveRateModel::TimeColumn).toLongLong());
        const double c = value(row, LiveRateModel::CommitsColumn).toDouble();
        const double e = value(row, LiveRateModel::EventsColumn).toDouble();
        commits.append({x, c});
        events.append({x, e});
        top = std::max({top, c, e});
        const QVariant l = value(row, LiveRateModel::LatencyColumn);
        if (l.isValid()) {
            latency.append({x, l.toDouble()});
            latencyMin = std::min(latencyMin, l.toDouble());
            latencyMax = std::max(latencyMax, l.toDouble());
        }
        for (int s = 0; s < streamColumns; ++s)
            streams[s].append({x, value(row, LiveRateModel::FirstStreamColumn + s).toDouble()});
    }
    m_commits->replace(commits);
    m_events->replace(events);
    m_latency->replace(latency);

    while (m_streams.size() < streamColumns) {
        QLineSeries *series = addLine(m_rateChart, QString(), m_rateX, m_rateY);
        QPen pen = series->pen();
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.2);
        series->setPen(pen);
        m_streams.append(series);
    }
    for (int s = 0; s < m_streams.size(); ++s) {
        QLineSeries *series = m_streams.at(s);
        const bool shown = s < streamColumns;
        if (shown) {
            series->setName(m_model->headerData(LiveRateModel::FirstStreamColumn + s, Qt::Horizontal).toString());
            series->replace(streams.at(s));
        } else {
            series->clear();
        }
        series->setVisible(shown);
        for (QLegendMarker *marker : m_rateChart->legend()->markers(series))
            marker->setVisible(shown);
    }

    const qint64 first = rows > 0
                             ? value(0, LiveRateModel::TimeColumn).toLongLong()
                             : m_model->nowMs() - qint64(m_model->bucketSeconds()) * LiveRateModel::MaxPoints * 1000;
    const qint64 last = qMax(first + 1000, m_model->nowMs());
    QList<QPointF> backfills, disconnects;
    // Above the lines; a drop and its back-fill often share a second, so they sit at different heights.
    const double backfillY = top * 1.02;
    const double dropY = top * 1.1;
    // One mark per point of the chart and kind, at the point's time, however many the point saw: a flood back-fills
    // several times a second, and QtCharts draws every mark as an item of its own.
    const qint64 bucketMs = qint64(m_model->bucketSeconds()) * 1000;
    qint64 lastBackfill = first - 1, lastDrop = first - 1;
    for (const LiveMarker &marker : m_model->markers()) {
        if (marker.timeMs < first || marker.timeMs > last)
            continue;
        const qint64 at = first + (marker.timeMs - first) / bucketMs * bucketMs;
        if (marker.kind == LiveMarker::Kind::Backfill && at != lastBackfill) {
            backfills.append({double(at), backfillY});
            lastBackfill = at;
        } else if (marker.kind == LiveMarker::Kind::Disconnect && at != lastDrop) {
            disconnects.append({double(at), dropY});
            lastDrop = at;
        }
    }
    m_backfills->replace(backfills);
    m_disconnects->replace(disconnects);

    const QDateTime from = QDateTime::fromMSecsSinceEpoch(first);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(last);
    m_rateX->setRange(from, to);
    m_latencyX->setRange(from, to);
    m_rateY->setRange(0, top * 1.2);
    m_rateY->applyNiceNumbers();
    // Skewed writers' clocks can put latency at hours or days: a unit that keeps the labels short.
    const double extent = qMax(qAbs(latencyMin), qAbs(latencyMax));
    double scale = 1;
    QString unit = QStringLiteral("ms");
    if (extent >= 3.0 * 86400000) {
        scale = 86400000;
        unit = QStringLiteral("d");
    } else if (extent >= 3.0 * 3600000) {
        scale = 3600000;
        unit = QStringLiteral("h");
    } else if (extent >= 3.0 * 60000) {
        scale = 60000;
        unit = QStringLiteral("min");
    } else if (extent >= 10000) {
        scale = 1000;
        unit = QStringLiteral("s");
    }
    if (scale != 1) {
        for (QPointF &point : latency)
            point.setY(point.y() / scale);
        m_latency->replace(latency);
    }
    m_latencyY->setLabelFormat(QStringLiteral("%.0f ") + unit);
    m_latencyY->setRange(latencyMin / scale, latencyMax / scale * 1.15);
    m_latencyY->applyNiceNumbers();
}

QString LiveChartWidget::describeTime(qint64 timeMs) const
{
    const int rows = m_model->rowCount();
    int found = -1;
    for (int row = 0; row < rows; ++row) {
        if (m_model->index(row, LiveRateModel::TimeColumn).data(LiveRateModel::ValueRole).toLongLong() > timeMs)
            break;
        found = row;
    }
    if (found < 0)
        return {};
    const auto display = [this, found](int column) {
        return m_model->index(found, column).data(Qt::DisplayRole).toString();
    };
    QStringList parts;
    parts << display(LiveRateModel::TimeColumn);
    for (int column = LiveRateModel::CommitsColumn; column < m_model->columnCount(); ++column) {
        const QString text = display(column);
        if (!text.isEmpty())
            parts << QStringLiteral("%1 %2").arg(m_model->headerData(column, Qt::Horizontal).toString(), text);
    }
    return parts.join(QStringLiteral(" · "));
}

QString LiveChartWidget::hoverText() const
{
    return m_hover->text();
}

void LiveChartWidget::onHovered(const QPointF &point, bool state)
{
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const QString text = describeTime(qint64(point.x()));
    m_hover->setText(text);
    QToolTip::showText(QCursor::pos(), text, this);
    Q_EMIT hovered(text);
}

QList<QLineSeries *> LiveChartWidget::streamSeries() const
{
    QList<QLineSeries *> shown;
    for (QLineSeries *series : m_streams)
        if (series->isVisible())
            shown.append(series);
    return shown;
}

bool LiveChartWidget::exportPng(const QString &path, QString *error)
{
    if (m_dirty && !m_paused)
        redraw();
    if (grab().save(path, "PNG"))
        return true;
    if (error)
        *error = tr("Cannot write %1").arg(path);
    return false;
}

QByteArray LiveChartWidget::toCsv(const LiveRateModel *model)
{
    QByteArray out;
    const int columns
        = int(qMin<qsizetype>(model->columnCount(), LiveRateModel::FirstStreamColumn + model->streams().size()));
    for (int column = 0; column < columns; ++column) {
        if (column > 0)
            out += ',';
        out += column == LiveRateModel::TimeColumn ? QByteArrayLiteral("time_ms")
                                                   : csvField(model->headerData(column, Qt::Horizontal).toString());
    }
    out += '\n';
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < columns; ++column) {
            if (column > 0)
                out += ',';
            const QVariant value = model->index(row, column).data(LiveRateModel::ValueRole);
            if (!value.isValid())
                continue;
            out += column == LiveRateModel::TimeColumn ? QByteArray::number(value.toLongLong())
                                                       : QByteArray::number(value.toDouble(), 'g', 10);
        }
        out += '\n';
    }
    return out;
}

bool LiveChartWidget::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(toCsv(m_model)) >= 0 && file.commit())
        return true;
    if (error)
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
}

void LiveChartWidget::exportInteractively(bool png)
{
    const QString path
        = QFileDialog::getSaveFileName(this, png ? tr("Export chart as PNG") : tr("Export chart as CSV"),
                                       png ? QStringLiteral("live-chart.png") : QStringLiteral("live-chart.csv"),
                                       png ? tr("PNG images (*.png)") : tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!(png ? exportPng(path, &error) : exportCsv(path, &error)))
        QMessageBox::warning(this, tr("Export"), error);
}

} // namespace Eventscope
