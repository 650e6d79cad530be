#pragma once

#include <QByteArray>
#include <QList>
#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QTimer;
class QToolButton;
class QValueAxis;

namespace Eventscope {

class LiveRateModel;

// The live chart: commits/s, events/s and the busiest streams over the model's window, markers where commits were
// back-filled or the subscriber dropped, and the commit latency below. All QtCharts use is confined to this class.
// It reads the model on a timer (at most RedrawIntervalMs apart) and only when the model changed, so a feed at any
// rate costs a few redraws a second.
class LiveChartWidget final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RedrawIntervalMs = 250;

    explicit LiveChartWidget(LiveRateModel *model, QWidget *parent = nullptr);
    ~LiveChartWidget() override;

    LiveRateModel *model() const { return m_model; }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    // Redraws now from the model (the timer calls it when something changed).
    void redraw();
    int redrawCount() const { return m_redraws; }
    // The model changed since the last redraw (while paused, or before the timer's next tick).
    bool hasUndrawnChanges() const { return m_dirty; }

    bool exportPng(const QString &path, QString *error = nullptr);
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    // The model as CSV: a header naming the columns, one line per point; time in ms since the epoch.
    static QByteArray toCsv(const LiveRateModel *model);

    // The exact values of the point at (or nearest before) timeMs, as hover shows them.
    QString describeTime(qint64 timeMs) const;
    QString hoverText() const;

    // For tests and screenshots.
    QLineSeries *commitsSeries() const { return m_commits; }
    QLineSeries *eventsSeries() const { return m_events; }
    QLineSeries *latencySeries() const { return m_latency; }
    QScatterSeries *backfillMarkers() const { return m_backfills; }
    QScatterSeries *disconnectMarkers() const { return m_disconnects; }
    // The busiest streams' series shown now (visible ones only).
    QList<QLineSeries *> streamSeries() const;
    QComboBox *windowSelector() const { return m_window; }
    QToolButton *pauseButton() const { return m_pause; }

Q_SIGNALS:
    void hovered(const QString &text);

private:
    void onHovered(const QPointF &point, bool state);
    void exportInteractively(bool png);
    QLineSeries *addLine(QChart *chart, const QString &name, QDateTimeAxis *x, QValueAxis *y);

    LiveRateModel *m_model;
    QComboBox *m_window = nullptr;
    QToolButton *m_pause = nullptr;
    QLabel *m_hover = nullptr;
    QChartView *m_rateView = nullptr;
    QChartView *m_latencyView = nullptr;
    QChart *m_rateChart = nullptr;
    QChart *m_latencyChart = nullptr;
    QDateTimeAxis *m_rateX = nullptr;
    QValueAxis *m_rateY = nullptr;
    QDateTimeAxis *m_latencyX = nullptr;
    QValueAxis *m_latencyY = nullptr;
    QLineSeries *m_commits = nullptr;
    QLineSeries *m_events = nullptr;
    QLineSeries *m_latency = nullptr;
    QScatterSeries *m_backfills = nullptr;
    QScatterSeries *m_disconnects = nullptr;
    QList<QLineSeries *> m_streams;
    QTimer *m_timer = nullptr;
    bool m_dirty = true;
    bool m_paused = false;
    int m_redraws = 0;
};

} // namespace Eventscope
