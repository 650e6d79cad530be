#pragma once

#include "connectionoptions.h"
#include "livefeed.h"
#include "storelayout.h"
#include "trafficmeter.h"

#include <QElapsedTimer>
#include <QWidget>

#include <deque>

class QLabel;
class QPlainTextEdit;
class QTimer;

namespace Eventscope {

class LiveChartWidget;
class LiveRateModel;
class LiveTailModel;
class LiveTailWidget;

// The Live pane: the chart and the tail over one live feed, and the feed's diagnostics. The feed subscribes only
// while the pane runs (start/stop). Its batches go to the models in slices of at most SliceCommits, as many per pass
// of the event loop as fit in SliceBudgetMs, so that a big batch never holds the GUI thread for long; of a backlog,
// the tail builds rows only for the commits it can keep. The status line changes at most every StatusIntervalMs.
class LivePanel final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int SliceCommits = 256;
    static constexpr int SliceBudgetMs = 4;
    static constexpr int StatusIntervalMs = 250;

    LivePanel(ConnectionOptions options, StoreLayout layout, QWidget *parent = nullptr);
    ~LivePanel() override;

    void start();
    void stop();
    bool isRunning() const;
    // Queues a batch for the models (the feed's batches come here; tests may inject their own).
    void addBatch(const Eventscope::LiveBatch &batch);
    qsizetype queuedCount() const { return m_queued; }

    // The feed's connections over every start, for the window's traffic meter.
    TrafficTotals traffic() const;
    QString diagnosticsText() const;
    QString unknownMessagesText() const;

    LiveFeed *feed() const { return m_feed; }
    LiveRateModel *rateModel() const { return m_rate; }
    LiveTailModel *tailModel() const { return m_tail; }
    LiveChartWidget *chart() const { return m_chart; }
    LiveTailWidget *tail() const { return m_tailWidget; }
    qint64 longestSliceMs() const { return m_longestSliceMs; }

Q_SIGNALS:
    // Each slice once it is in the models, in id order: the window grows stream versions with them.
    void commitsApplied(const QList<Eventscope::LiveCommit> &commits);
    void commitActivated(const QByteArray &stream, qint64 version, qint64 number);

private:
    void applySlice();
    void applyOneSlice();
    void updateDiagnostics();
    void scheduleDiagnostics();

    ConnectionOptions m_options;
    StoreLayout m_layout;
    LiveFeed *m_feed = nullptr;
    LiveRateModel *m_rate = nullptr;
    LiveTailModel *m_tail = nullptr;
    LiveChartWidget *m_chart = nullptr;
    LiveTailWidget *m_tailWidget = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_unknown = nullptr;
    QTimer *m_sliceTimer = nullptr;
    QTimer *m_clockTimer = nullptr;
    QTimer *m_statusTimer = nullptr;
    // The feed's batches as they came (taking one costs nothing); the first is used up to m_queueOffset.
    std::deque<QList<LiveCommit>> m_queue;
    qsizetype m_queueOffset = 0;
    qsizetype m_queued = 0;
    QList<LiveMarker> m_markers;
    LiveStats m_stats;
    qint64 m_batchTimeMs = 0;
    quint64 m_unknownShown = 0;
    TrafficTotals m_retired; // earlier runs of the feed
    qint64 m_longestSliceMs = 0;
};

} // namespace Eventscope
