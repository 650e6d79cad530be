#pragma once

#include "connectionoptions.h"
#include "payload.h"
#include "storelayout.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <memory>

class QThread;
class QTimer;

namespace Eventscope {

// One commit delivered by the live feed.
struct LiveCommit
{
    qint64 number = 0;   // the id's sequence number (the store revision of this commit)
    QByteArray id;       // as stored in the hash
    QByteArray stream;   // display name, where the message or the record names it
    qint64 version = -1; // the stream's version after this commit, where named
    QByteArray payload;  // empty when dropped (see payloadDropped) or missing
    qint64 size = 0;     // the payload's size in bytes, also when the payload was dropped
    PayloadEncoding encoding = PayloadEncoding::Binary;
    qint64 receivedMs = 0;       // wall clock when the announcement (or, back-filled, the fetched record) arrived
    qint64 timestampMs = -1;     // the commit's own timestamp, where the layout or payload has one
    int eventCount = 1;          // zilverline: the events the commit carries
    QString type;                // summaries only: event type(s), see eventsummary.h
    QString preview;             // summaries only: one line
    bool missing = false;        // the hash lacks this id (a deleted field)
    bool backfilled = false;     // no message announced it: fetched to fill a gap
    bool payloadDropped = false; // the consumer's buffer was over its byte budget
};

// Something worth a mark on a time axis.
struct LiveMarker
{
    enum class Kind { Backfill, Disconnect, Reconnect };
    Kind kind = Kind::Backfill;
    qint64 timeMs = 0;
    qint64 count = 0; // Backfill: commits back-filled; Reconnect: the attempt
    QString detail;
};

// A message on the channel that announced no commit of this layout.
struct UnknownMessage
{
    qint64 receivedMs = 0;
    QByteArray excerpt; // at most 200 bytes
    qint64 size = 0;
    QByteArray reason;
};

struct LiveStats
{
    quint64 messages = 0;        // pushes read on the channel
    quint64 commits = 0;         // delivered (into the consumer buffer)
    quint64 events = 0;          // delivered commits' events (zilverline: several per commit)
    quint64 backfilled = 0;      // delivered commits that no message announced
    quint64 reconnects = 0;      // times the subscriber lost its connection
    quint64 unknownMessages = 0; // messages announcing nothing of this layout, or ids beyond the store
    quint64 oldMessages = 0;     // announcements of ids already taken (duplicates, late or replayed messages)
    quint64 payloadsDropped = 0; // commits delivered without their payload (consumer over its byte budget)
    qint64 lastNumber = 0;       // the last commit delivered
    qint64 storeRevision = 0;    // the highest commit known to exist
    bool live = false;           // subscribed now
};

// What the consumer gets per timer tick: the commits since the last tick, in id order, and what happened.
struct LiveBatch
{
    QList<LiveCommit> commits;
    QList<LiveMarker> markers;
    LiveStats stats; // totals at the time of the batch
    qint64 timeMs = 0;
};

struct LiveFeedOptions
{
    enum class Start { Now, After };
    Start start = Start::Now; // Now: from the next commit made after subscribing
    qint64 after = 0;         // After: deliver from commit after + 1 (0: every commit in the store)
    bool payloads = true;     // fetch payloads; off: seed commits carry ids (and names) only
    bool summaries = true;    // type, preview and timestamp from each payload (costs a JSON parse per commit)
    int intervalMs = 100;     // delivery to the consumer, at most 10 Hz
    // Consumer buffer: over the byte budget payloads are dropped (ids, sizes and counters kept); at the commit cap
    // fetching pauses until the consumer takes the buffer. The subscriber itself never waits.
    qint64 maxBufferedPayloadBytes = qint64(64) << 20;
    qsizetype maxBufferedCommits = 200000;
    int fetchChunk = 512;            // ids per HMGET
    int maxFetchesInFlight = 4;      // HMGETs in flight
    qsizetype maxAnnounced = 200000; // announcements held ahead of fetching; beyond, their names are not kept
    qint64 maxAnnouncedBytes = qint64(64) << 20; // zilverline records held ahead of fetching
    int pollIntervalMs = 1000;                   // HLEN while idle: finds commits whose messages were all lost
    int pingIntervalMs = 10000;                  // PING on the subscriber: a dead peer times out
};

class LiveFeedWorker;
struct LiveFeedShared;

// The gap-free commit feed of a store (LAYOUTS.md "Catching up"): subscribes to the layout's channel on its own
// connections on its own thread, back-fills what Pub/Sub lost with HMGET, and delivers every commit exactly once,
// in id order, to the thread that created it, batched on a timer. Read-only: SUBSCRIBE, PING, HLEN and HMGET.
class LiveFeed final : public QObject
{
    Q_OBJECT
public:
    enum class State { Stopped, Connecting, Live, Reconnecting, Failed };
    Q_ENUM(State)

    LiveFeed(ConnectionOptions options, StoreLayout layout, LiveFeedOptions feedOptions = {},
             QObject *parent = nullptr);
    ~LiveFeed() override;

    void start();
    void stop();
    State state() const { return m_state; }
    const StoreLayout &layout() const { return m_layout; }
    // Thread-safe snapshots.
    LiveStats stats() const;
    QList<UnknownMessage> unknownMessages() const; // the last 50
    // Commands and bytes of both feed connections (the inspector's own footprint).
    quint64 commandsSent() const;
    quint64 bytesSent() const;
    quint64 bytesReceived() const;

    static constexpr int UnknownKept = 50;

Q_SIGNALS:
    void batchReady(const Eventscope::LiveBatch &batch);
    void stateChanged(Eventscope::LiveFeed::State state);
    // Cannot connect or authenticate at all (reconnects after a drop are not failures).
    void failed(const QString &message);

private:
    void takeBatch();
    void setState(State state);

    ConnectionOptions m_options;
    StoreLayout m_layout;
    LiveFeedOptions m_feedOptions;
    State m_state = State::Stopped;
    std::shared_ptr<LiveFeedShared> m_shared;
    QThread *m_thread = nullptr;
    LiveFeedWorker *m_worker = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::LiveBatch)
