#pragma once

#include "eventrecord.h"
#include "projectionsandbox.h"
#include "storelayout.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <functional>
#include <map>

namespace Eventscope {

class RedisConnection;

struct ReplaySource
{
    enum class Kind { Stream, Streams, All };
    Kind kind = Kind::Stream;
    QList<QByteArray> streams; // display names; Streams: merged in commit-id order

    static ReplaySource stream(const QByteArray &name) { return {Kind::Stream, {name}}; }
    static ReplaySource merged(const QList<QByteArray> &names) { return {Kind::Streams, names}; }
    static ReplaySource all() { return {Kind::All, {}}; }
};

struct ReplayOptions
{
    ReplaySource source;
    QByteArray script;
    QString scriptName = QStringLiteral("projection.js");
    SandboxLimits limits;
    quint32 seed = 1;           // Math.random's seed
    qint64 until = -1;          // the last version to replay; -1: to the end
    qint64 checkpointEvery = 0; // versions between state checkpoints; 0: from the run's speed (a seek replays
                                // at most ~40 ms of events) and the budget
    qint64 checkpointBudget = 256 * 1024 * 1024; // bytes of checkpoints kept; over it, every other one goes
    int pageSize = 1000;                         // commits per read page and per sandbox batch
    QString sandboxProgram;                      // empty: ProjectionSandbox::defaultProgram()
};

struct ReplayProgress
{
    qint64 done = 0;  // commits fed
    qint64 total = 0; // commits to feed
    double commitsPerSecond = 0;
};

struct ReplayResult
{
    CompileInfo info;
    qint64 commits = 0;     // commits fed (missing ones included)
    qint64 missing = 0;     // ids the hash lacks
    qint64 lastVersion = 0; // the state is the state at this version
    double seconds = 0;
    double commitsPerSecond = 0;
    StateSnapshot state;
    QJsonArray emits; // "would emit", the first ones (emitCount counts all)
    qint64 emitCount = 0;
    QJsonArray logs; // console lines, the first ones
    int checkpoints = 0;
    qint64 checkpointBytes = 0;
    qint64 checkpointInterval = 0; // versions between checkpoints at the end of the run
};

// The state before and after the event at one version (version 0: the initial state, no event).
struct ReplayStep
{
    qint64 version = 0;
    EventRecord record;
    StateSnapshot before;
    StateSnapshot after;
    QJsonArray emits; // what this event would emit
    QJsonArray logs;
    double milliseconds = 0; // how long the seek took
};

// Replays a stream, several streams merged in commit-id order, or $all through a projection in a sandbox process.
// The read (paged LRANGE+HMGET) runs ahead of the sandbox by a bounded number of commits. Checkpoints of the state
// kept along the way make seek(V) cheap after the run: the nearest checkpoint, then the gap replayed.
// Everything is asynchronous; signals arrive on the owner's thread.
class ReplayRunner final : public QObject
{
    Q_OBJECT
public:
    ReplayRunner(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);
    ~ReplayRunner() override;

    void start(const ReplayOptions &options);
    void cancel();
    bool isRunning() const { return m_running; }
    // After a run (finished or failed): the state before and after version V, answered by stepReady or stepFailed.
    // Seeks queue; only the latest pending one runs (a scrubber may ask faster than answers come).
    void seek(qint64 version);
    qint64 length() const { return m_last; } // versions replayable (the run's last version)
    int checkpointCount() const { return int(m_checkpoints.size()); }
    qint64 checkpointBytes() const { return m_checkpointBytes; }
    qint64 sandboxProcessId() const;
    const std::map<qint64, QByteArray> &checkpoints() const { return m_checkpoints; }

    // After a run: the records of versions first..last and the state after each, from the nearest checkpoint.
    // Not while a seek runs (the two would share the sandbox's state).
    using WalkCallback
        = std::function<void(const QList<EventRecord> &, const QList<StateSnapshot> &, const ProjectionError &)>;
    void walk(qint64 first, qint64 last, WalkCallback callback);

Q_SIGNALS:
    void compiled(const Eventscope::CompileInfo &info);
    void progress(const Eventscope::ReplayProgress &progress);
    void finished(const Eventscope::ReplayResult &result);
    void failed(const Eventscope::ProjectionError &error);
    void cancelled();
    void stepReady(const Eventscope::ReplayStep &step);
    void stepFailed(qint64 version, const Eventscope::ProjectionError &error);

private:
    using PageFn = std::function<void(const QList<EventRecord> &)>;
    using DoneFn = std::function<void()>;
    using FailFn = std::function<void(const QString &)>;

    void prepare(std::function<void()> then);
    void readRange(qint64 first, qint64 last, PageFn onPage, DoneFn onDone, FailFn onFail);
    void pumpRead();
    void onRunPage(const QList<EventRecord> &records);
    void maybeFinish();
    void fail(const ProjectionError &error);
    void readFailed(const QString &message);
    void addCheckpoint(qint64 version, const QByteArray &state);
    void tuneInterval(qint64 version, qint64 stateBytes);
    void runSeek();
    void emitProgress(bool force);

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    ReplayOptions m_options;
    ProjectionSandbox *m_sandbox = nullptr;
    quint64 m_generation = 0;
    bool m_running = false;
    bool m_readDone = false;
    bool m_reading = false;
    qint64 m_last = 0;     // last version of the run
    qint64 m_nextRead = 1; // next version to read
    qint64 m_fed = 0;      // commits whose batch the sandbox answered
    qint64 m_sent = 0;     // commits sent to the sandbox
    qint64 m_missing = 0;
    qint64 m_every = 0;                         // checkpoint interval
    qint64 m_minEvery = 0;                      // raised when the budget thinned the checkpoints
    std::map<qint64, QByteArray> m_checkpoints; // version -> state JSON
    qint64 m_checkpointBytes = 0;
    ReplayResult m_result;
    QElapsedTimer m_clock;
    qint64 m_lastProgressMs = -1;
    // Streams merged: the ids in commit-id order and the stream each came from.
    QList<QByteArray> m_mergedIds;
    QList<qint32> m_mergedStream;
    // Seeking
    qint64 m_seekWanted = -1;
    bool m_seeking = false;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::ReplayProgress)
Q_DECLARE_METATYPE(Eventscope::ReplayResult)
Q_DECLARE_METATYPE(Eventscope::ReplayStep)
Q_DECLARE_METATYPE(Eventscope::CompileInfo)
