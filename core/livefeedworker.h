#pragma once

#include "livefeed.h"

#include <QMutex>
#include <QObject>

#include <atomic>
#include <deque>
#include <map>

class QTimer;

namespace Eventscope {

class RedisConnection;
struct RedisReply;

// What the feed's thread hands to the consumer's thread: the worker appends under the mutex (once per read, not
// per commit), the consumer swaps it out on its timer. Neither waits on the other for longer than a swap.
struct LiveFeedShared
{
    QMutex mutex;
    QList<LiveCommit> commits;
    QList<LiveMarker> markers;
    LiveStats stats;
    QList<UnknownMessage> unknown;
    std::atomic<qsizetype> bufferedCommits{0};
    std::atomic<qint64> bufferedBytes{0};
    std::atomic<bool> paused{false}; // the worker stopped fetching at the commit cap; the consumer resumes it
    std::atomic<quint64> commandsSent{0};
    std::atomic<quint64> bytesSent{0};
    std::atomic<quint64> bytesReceived{0};
};

// The feed's state machine on its own thread, with two connections: the subscriber (SUBSCRIBE, PING) and the
// reader (HLEN, HMGET). Internal to LiveFeed.
//
// Ids are numbers n >= 1. Delivery takes them strictly in order from m_next. An id is fetched (or, when the message
// carries the whole record, taken) once it is trusted to exist: it is the next after the highest trusted id, or an
// HLEN said so. An announcement further ahead is a gap: an HLEN is asked for, and everything up to it is fetched
// with HMGET in chunks; announced ids beyond what that HLEN says are not commits (counted unknown). Each HMGET goes
// with an HLEN pipelined before it, so a nil reply can be told apart: at or below that HLEN the field was deleted
// (delivered as missing), above it the id was announced before it was committed (not trusted after all).
class LiveFeedWorker final : public QObject
{
    Q_OBJECT
public:
    LiveFeedWorker(ConnectionOptions options, StoreLayout layout, LiveFeedOptions feedOptions,
                   std::shared_ptr<LiveFeedShared> shared);
    ~LiveFeedWorker() override;

    void start();
    void resume();

Q_SIGNALS:
    void stateChanged(int state); // LiveFeed::State
    void failed(const QString &message);

private:
    struct Announcement
    {
        QByteArray stream;
        qint64 version = -1;
        qint64 timestampMs = -1;
        int eventCount = -1;
        QByteArray record; // zilverline: the message is the commit record
        bool hasRecord = false;
        qint64 receivedMs = 0;
        quint64 sequence = 0; // m_messageSequence when it arrived
    };
    enum class SlotState : quint8 { Waiting, InFlight, Ready };
    struct Slot
    {
        qint64 number = 0;
        SlotState state = SlotState::Waiting;
        bool announced = false;
        bool missing = false;
        Announcement announcement;
        QByteArray payload;
        qint64 fetchedMs = 0;
    };

    void onPush(const QByteArray &channel, const QByteArray &message);
    void announce(qint64 number, Announcement &&announcement);
    void subscribe();
    void requestHlen();
    void onHlen(qint64 revision, quint64 sequenceAtSend);
    void pump();
    void schedulePump();
    void setSlotState(Slot &slot, SlotState state);
    bool needsFetch(const Slot &slot) const;
    void sendFetch(const QList<qint64> &numbers);
    void onFetched(const QList<qint64> &numbers, qint64 revision, const RedisReply &reply);
    Slot *slotFor(qint64 number);
    void drain();
    void deliver(Slot &slot);
    bool consumerFull();
    void scheduleFlush();
    void flush();
    void addUnknown(qint64 timeMs, const QByteArray &message, const QByteArray &reason);
    void addMarker(LiveMarker::Kind kind, qint64 count, const QString &detail);
    void setState(LiveFeed::State state);
    void fatal(const QString &message);

    ConnectionOptions m_options;
    StoreLayout m_layout;
    LiveFeedOptions m_feed;
    std::shared_ptr<LiveFeedShared> m_shared;
    QByteArray m_controlChannel;

    RedisConnection *m_subscriber = nullptr;
    RedisConnection *m_reader = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_pingTimer = nullptr;

    qint64 m_next = -1;        // next id to deliver; -1 until the first HLEN (start from now)
    qint64 m_fetchCursor = -1; // the window covers [m_next, m_fetchCursor)
    qint64 m_trusted = 0;      // the highest id trusted to exist
    std::deque<Slot> m_window;
    std::map<qint64, Announcement> m_announced; // ids at or after m_fetchCursor
    qint64 m_announcedBytes = 0;
    quint64 m_messageSequence = 0;
    int m_fetchesInFlight = 0;
    bool m_hlenInFlight = false;
    bool m_hlenAgain = false;
    bool m_subscribed = false;
    bool m_everSubscribed = false;
    bool m_failed = false;
    LiveFeed::State m_state = LiveFeed::State::Stopped;

    // Not yet handed over.
    QList<LiveCommit> m_out;
    QList<LiveMarker> m_markers;
    qint64 m_outBytes = 0;
    qint64 m_backfillRun = 0;
    bool m_flushScheduled = false;
    bool m_pumpScheduled = false;
    qsizetype m_waiting = 0; // slots in the window waiting to be fetched again
    bool m_unknownChanged = false;
    LiveStats m_stats;
    std::deque<UnknownMessage> m_unknown;
};

} // namespace Eventscope
