#include "livepanel.h"

#include "livechartwidget.h"
#include "liveratemodel.h"
#include "livetailmodel.h"
#include "livetailwidget.h"

#include <QDateTime>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <utility>

namespace Eventscope {

LivePanel::LivePanel(ConnectionOptions options, StoreLayout layout, QWidget *parent)
    : QWidget(parent)
    , m_options(std::move(options))
    , m_layout(std::move(layout))
{
    m_rate = new LiveRateModel(5, this);
    m_tail = new LiveTailModel(10000, this);
    m_chart = new LiveChartWidget(m_rate);
    m_tailWidget = new LiveTailWidget(m_tail);
    connect(m_tailWidget, &LiveTailWidget::commitActivated, this, &LivePanel::commitActivated);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("liveStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_unknown = new QPlainTextEdit;
    m_unknown->setObjectName(QStringLiteral("liveUnknown"));
    m_unknown->setReadOnly(true);
    m_unknown->setPlaceholderText(tr("Messages on the channel that announced no commit of this layout show here."));

    auto *tabs = new QTabWidget;
    tabs->addTab(m_tailWidget, tr("Tail"));
    tabs->addTab(m_unknown, tr("Unknown messages"));
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_chart);
    splitter->addWidget(tabs);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto *layoutBox = new QVBoxLayout(this);
    layoutBox->setContentsMargins(2, 2, 2, 2);
    layoutBox->addWidget(m_status);
    layoutBox->addWidget(splitter, 1);

    m_sliceTimer = new QTimer(this);
    m_sliceTimer->setSingleShot(true);
    m_sliceTimer->setInterval(0);
    connect(m_sliceTimer, &QTimer::timeout, this, &LivePanel::applySlice);
    // Time passes on the chart when nothing is committed.
    m_clockTimer = new QTimer(this);
    m_clockTimer->setInterval(1000);
    connect(m_clockTimer, &QTimer::timeout, this, [this] {
        if (m_queued == 0)
            m_rate->advanceTo(QDateTime::currentMSecsSinceEpoch());
    });
    // A label whose text changes asks the window for a new layout: a few times a second is enough to read it.
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(StatusIntervalMs);
    connect(m_statusTimer, &QTimer::timeout, this, &LivePanel::updateDiagnostics);
    updateDiagnostics();
}

LivePanel::~LivePanel()
{
    stop();
}

void LivePanel::start()
{
    if (!m_feed) {
        LiveFeedOptions feedOptions;
        m_feed = new LiveFeed(m_options, m_layout, feedOptions, this);
        connect(m_feed, &LiveFeed::batchReady, this, &LivePanel::addBatch);
        connect(m_feed, &LiveFeed::stateChanged, this, &LivePanel::updateDiagnostics);
        connect(m_feed, &LiveFeed::failed, this,
                [this](const QString &message) { m_status->setText(tr("Live feed failed: %1").arg(message)); });
    } else if (m_feed->state() == LiveFeed::State::Stopped) {
        // A new run counts from zero: keep what the previous one sent and received.
        m_retired += TrafficTotals{m_feed->commandsSent(), m_feed->bytesSent(), m_feed->bytesReceived()};
    }
    m_feed->start();
    m_clockTimer->start();
    m_rate->advanceTo(QDateTime::currentMSecsSinceEpoch()); // the chart's time starts when Live opens
    updateDiagnostics();
}

void LivePanel::stop()
{
    if (m_feed)
        m_feed->stop();
    m_clockTimer->stop();
    updateDiagnostics();
}

bool LivePanel::isRunning() const
{
    return m_feed && m_feed->state() != LiveFeed::State::Stopped && m_feed->state() != LiveFeed::State::Failed;
}

TrafficTotals LivePanel::traffic() const
{
    TrafficTotals totals = m_retired;
    if (m_feed)
        totals += TrafficTotals{m_feed->commandsSent(), m_feed->bytesSent(), m_feed->bytesReceived()};
    return totals;
}

void LivePanel::addBatch(const LiveBatch &batch)
{
    if (!batch.commits.isEmpty()) {
        m_queue.push_back(batch.commits);
        m_queued += batch.commits.size();
    }
    m_markers += batch.markers;
    m_stats = batch.stats;
    m_batchTimeMs = qMax(m_batchTimeMs, batch.timeMs);
    if (!m_sliceTimer->isActive())
        m_sliceTimer->start();
}

void LivePanel::applySlice()
{
    QElapsedTimer clock;
    clock.start();
    // Slices until the budget is spent: a pass of the event loop then costs about SliceBudgetMs at most, and a
    // backlog is worked off in few passes rather than one repaint per slice.
    do {
        applyOneSlice();
    } while (m_queued > 0 && clock.elapsed() < SliceBudgetMs);
    if (m_queued > 0)
        m_sliceTimer->start();
    scheduleDiagnostics();
    m_longestSliceMs = qMax(m_longestSliceMs, clock.elapsed());
}

void LivePanel::applyOneSlice()
{
    LiveBatch slice;
    const qsizetype count = qMin<qsizetype>(SliceCommits, m_queued);
    // Only the last capacity() commits queued can stay in the tail: rows for older ones would be built and at once
    // trimmed again (the paused tail holds no more either).
    const qsizetype tailFrom = qMax<qsizetype>(0, m_queued - m_tail->capacity());
    slice.commits.reserve(count);
    while (slice.commits.size() < count) {
        // The feed no longer shares the batch by now: moving out of it copies nothing.
        QList<LiveCommit> &front = m_queue.front();
        const qsizetype take = qMin(count - slice.commits.size(), front.size() - m_queueOffset);
        for (qsizetype i = 0; i < take; ++i)
            slice.commits.append(std::move(front[m_queueOffset + i]));
        m_queueOffset += take;
        if (m_queueOffset == front.size()) {
            m_queue.pop_front();
            m_queueOffset = 0;
        }
    }
    m_queued -= count;
    slice.markers = std::exchange(m_markers, {});
    slice.stats = m_stats;
    // The window moves to the batch's time with its last slice; before, only as far as the slice's commits.
    slice.timeMs = m_queued == 0 || slice.commits.isEmpty() ? m_batchTimeMs : slice.commits.last().receivedMs;
    // The rate model's history starts at the first time it is given: not after the first slice's earliest commit.
    if (m_rate->nowMs() == 0 && !slice.commits.isEmpty())
        m_rate->advanceTo(slice.commits.first().receivedMs);
    m_rate->addBatch(slice);
    if (tailFrom < count) {
        LiveBatch kept;
        kept.commits = tailFrom == 0 ? slice.commits : slice.commits.mid(tailFrom);
        kept.stats = slice.stats;
        kept.timeMs = slice.timeMs;
        m_tailWidget->addBatch(kept);
    }
    if (!slice.commits.isEmpty())
        Q_EMIT commitsApplied(slice.commits);
}

QString LivePanel::diagnosticsText() const
{
    const QString state = !m_feed                                            ? tr("not started")
                          : m_feed->state() == LiveFeed::State::Live         ? tr("live")
                          : m_feed->state() == LiveFeed::State::Connecting   ? tr("connecting")
                          : m_feed->state() == LiveFeed::State::Reconnecting ? tr("reconnecting")
                          : m_feed->state() == LiveFeed::State::Failed       ? tr("failed")
                                                                             : tr("stopped");
    return tr("%1 · commits %2 · events %3 · back-filled %4 · reconnects %5 · unknown messages %6 · "
              "payloads dropped %7 · last commit %8")
        .arg(state)
        .arg(m_stats.commits)
        .arg(m_stats.events)
        .arg(m_stats.backfilled)
        .arg(m_stats.reconnects)
        .arg(m_stats.unknownMessages)
        .arg(m_stats.payloadsDropped)
        .arg(m_stats.lastNumber);
}

QString LivePanel::unknownMessagesText() const
{
    return m_unknown->toPlainText();
}

void LivePanel::scheduleDiagnostics()
{
    if (!m_statusTimer->isActive())
        m_statusTimer->start();
}

void LivePanel::updateDiagnostics()
{
    m_status->setText(diagnosticsText());
    if (!m_feed || m_stats.unknownMessages == m_unknownShown)
        return;
    m_unknownShown = m_stats.unknownMessages;
    QStringList lines;
    for (const UnknownMessage &message : m_feed->unknownMessages())
        lines << tr("%1  %2 (%3 bytes): %4")
                     .arg(QDateTime::fromMSecsSinceEpoch(message.receivedMs).toString(QStringLiteral("HH:mm:ss.zzz")),
                          QString::fromUtf8(message.reason))
                     .arg(message.size)
                     .arg(QString::fromUtf8(message.excerpt.toPercentEncoding(" {}[]\":,./-_")));
    m_unknown->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace Eventscope
