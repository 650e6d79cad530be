#pragma once

#include "livefeed.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QHash>
#include <QList>

#include <deque>

namespace Eventscope {

// The live chart's data: commits/s, events/s, commit latency and the busiest streams over a window of 1 minute,
// 10 minutes or 1 hour. One row per point, oldest first; a window has at most 120 points, so longer windows
// aggregate (1 min: 1 s points, 10 min: 5 s, 1 h: 30 s). Fed with the live feed's batches; time comes from the
// batches (commits' receive times, the batch time), never from a clock of its own, so tests inject it. Memory is
// bounded: one record per second for the longest window, with at most TrackedStreamsPerSecond streams each.
class LiveRateModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Window { OneMinute, TenMinutes, OneHour };
    Q_ENUM(Window)
    enum Column {
        TimeColumn,       // the point's start, ms since the epoch
        CommitsColumn,    // commits per second
        EventsColumn,     // events per second
        LatencyColumn,    // mean receive time minus commit timestamp, ms; empty where no commit had a timestamp
        BackfillColumn,   // commits back-filled in the point
        DisconnectColumn, // subscriber disconnects in the point
        FirstStreamColumn // then one column per busiest stream: its commits per second; the header names it
    };
    enum Role {
        ValueRole = Qt::UserRole, // double (time: qint64), for charts; DisplayRole is formatted
    };

    static constexpr int MaxPoints = 120;
    static constexpr int HistorySeconds = 3600;
    static constexpr int TrackedStreamsPerSecond = 32;

    explicit LiveRateModel(int streamSeries = 5, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setWindow(Window window);
    Window window() const { return m_window; }
    int bucketSeconds() const;
    int pointCount() const;

    // Counts the batch's commits into their seconds and moves the window to the batch's time.
    void addBatch(const Eventscope::LiveBatch &batch);
    // Moves the window to nowMs without new commits (a paused feed still shows time passing).
    void advanceTo(qint64 nowMs);

    // The streams with series now, busiest first (over the window).
    QList<QByteArray> streams() const { return m_topStreams; }
    // Back-fills, disconnects and reconnects within the history, oldest first.
    QList<Eventscope::LiveMarker> markers() const;
    qsizetype historySeconds() const { return qsizetype(m_seconds.size()); }
    qint64 nowMs() const { return m_nowMs; }

private:
    struct Second
    {
        quint32 commits = 0;
        quint32 events = 0;
        double latencySumMs = 0;
        quint32 latencyCount = 0;
        quint32 backfilled = 0;
        quint32 disconnects = 0;
        QHash<QByteArray, quint32> streams; // at most TrackedStreamsPerSecond
    };
    struct Point
    {
        double commits = 0;
        double events = 0;
        double latencySumMs = 0;
        quint32 latencyCount = 0;
        quint32 backfilled = 0;
        quint32 disconnects = 0;
    };

    Second *secondAt(qint64 second, bool create);
    void moveTo(qint64 nowMs);
    Point point(int row) const;
    double streamRate(int row, const QByteArray &stream) const;
    qint64 firstPointSecond() const;
    void rankStreams();
    void recountWindow();

    Window m_window = Window::OneMinute;
    int m_streamSeries = 5;
    qint64 m_nowMs = 0;
    qint64 m_firstSecond = 0; // of m_seconds.front()
    std::deque<Second> m_seconds;
    std::deque<LiveMarker> m_markers;
    QList<QByteArray> m_topStreams;
    QHash<QByteArray, quint64> m_windowTotals; // tracked commits per stream within the window, kept as it moves
    int m_rows = 0;
};

} // namespace Eventscope
