#pragma once

#include "storelayout.h"
#include "streamreader.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace Eventscope {

class RedisConnection;
struct RedisReply;

// What the integrity audit looks for (see LAYOUTS.md, "Things found in real stores").
enum class AuditCheck : quint8 {
    DanglingRef,      // a list entry whose id is not in the hash
    DuplicateRef,     // an id in more than one stream, or twice in one
    Orphan,           // a hash entry no stream refers to
    IdGap,            // ids not dense from 1 to HLEN (a field deleted; the next commit overwrites one)
    ForeignId,        // a hash field not of the layout's id form
    CountMismatch,    // the streams hold more or fewer ids than HLEN
    Order,            // ids within a stream not increasing
    RevisionMismatch, // zilverline: storeRevision, streamRevision or streamId disagree with where the commit is
    TimeRegression,   // zilverline: a commit's timestamp earlier than the one before it (writer clock skew)
    NotAStream,       // a list matched by the stream pattern that holds no commit ids (a work queue)
    BadPayload,       // not JSON (or not a commit record) where the layout promises one
};
inline constexpr int AuditCheckCount = 11;

// "dangling-ref", "duplicate-ref", ...: the names the CLI prints and scripts match on.
const char *auditCheckName(AuditCheck check);
std::optional<AuditCheck> auditCheckFromName(QByteArrayView name);

struct AuditFinding
{
    AuditCheck check = AuditCheck::DanglingRef;
    QByteArray stream;  // display name; empty for findings about the store or the hash alone
    qint64 version = 0; // 1-based position in the stream; 0 when the finding is not at a position
    QByteArray id;      // the commit id (hash field); empty when the finding is not about one
    QString detail;     // one line
};

struct AuditSummary
{
    std::array<qint64, AuditCheckCount> counts{};
    qint64 commits = 0;    // HLEN when the audit started
    qint64 streams = 0;    // lists audited as streams (not counting not-a-stream lists)
    qint64 references = 0; // ids in those lists
    qint64 count(AuditCheck check) const { return counts[size_t(check)]; }
    qint64 total() const;
};

struct AuditOptions
{
    QByteArray stream; // a stream's display name; empty: the whole store
    // Whether every payload must be JSON; default: what the layout promises (zilverline: a JSON commit record).
    std::optional<bool> jsonPayloads;
    // Deliver at most this many findings of each check (0: all); the summary counts them all regardless.
    int maxFindingsPerCheck = 0;
    int listChunk = 1000; // LRANGE page
    int hashChunk = 1000; // HMGET page
    int window = 64;      // lists being read at once (one LRANGE each in flight)
    int commitWindow = 4; // HMGET pages in flight
};

// The top-level fields of a zilverline commit record, read without building a JSON tree.
struct CommitRecordFields
{
    bool isObject = false; // valid JSON and an object
    std::optional<qint64> storeRevision;
    std::optional<qint64> timestamp;
    std::optional<qint64> streamRevision;
    std::optional<QByteArray> streamId; // as UTF-8
};
CommitRecordFields readCommitRecord(QByteArrayView payload);

// The integrity audit over a whole store or one stream, with read commands only, asynchronously on a
// RedisConnection (the thread it runs on never waits for the server), in bounded memory:
//  1. streams: SCAN MATCH <pattern> TYPE list, then LRANGE in pages with a bounded window. For every id n in 1..HLEN
//     it keeps where it was first referenced (stream index and version: 8 bytes per commit), which finds duplicate
//     references; stream names go to one byte arena. Ids outside 1..HLEN (or not of the layout's form) are rare and
//     checked with HEXISTS as they come.
//  2. commits: HMGET of ids 1..HLEN in pages, in id order: gaps, dangling references, orphans, payload checks.
//  3. leftovers (only when fewer than HLEN ids lie in 1..HLEN): HSCAN for the fields beyond HLEN or of a foreign
//     form.
// Whole-store memory is about 8 bytes per commit (12 for zilverline) plus the stream names: some 10 MB for 1M commits
// in 100k streams. A one-stream audit skips the store-wide checks (orphan, id-gap, foreign-id, count-mismatch,
// duplicates in other streams) and reads only the payloads the stream refers to.
class Auditor final : public QObject
{
    Q_OBJECT
public:
    enum class Phase { Idle, Streams, Commits, Leftovers };
    Q_ENUM(Phase)

    Auditor(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    void start(const AuditOptions &options = {});
    // Stops at once: no further signal but cancelled().
    void cancel();
    bool isRunning() const { return m_running; }
    // The kind of the last failure (Error::None before any).
    StreamReader::Error failure() const { return m_failure; }
    Phase phase() const { return m_phase; }
    // Counts so far; complete once finished.
    const AuditSummary &summary() const { return m_summary; }

Q_SIGNALS:
    void phaseChanged(Eventscope::Auditor::Phase phase);
    // done of total work items (list entries read + commits read); at most every 50 ms, and once at the end.
    void progress(qint64 done, qint64 total);
    // Findings in batches, in the order they were found.
    void findings(const QList<Eventscope::AuditFinding> &batch);
    void finished(const Eventscope::AuditSummary &summary);
    // failure() says what kind: a missing stream, a wrong key type, the connection, or anything else.
    void failed(const QString &message);
    void cancelled();

private:
    struct ListJob
    {
        QByteArray key;
        QByteArray name;
        quint32 index = 0; // in the stream arena, 1-based; 0 until it is known to be a stream
        quint32 nameHash = 0;
        qint64 offset = 0; // entries read so far
        qint64 lastNumber = 0;
        QByteArray lastId;
    };
    struct Ref
    {
        quint32 stream = 0;
        quint32 version = 0;
    };

    bool alive(quint64 generation) const { return generation == m_generation && m_running; }
    void onStart(const QList<RedisReply> &replies, quint64 generation);
    void pumpLists();
    void scanNext();
    void onScan(const RedisReply &reply, quint64 generation);
    void requestChunk(const std::shared_ptr<ListJob> &job);
    void onChunk(const std::shared_ptr<ListJob> &job, const RedisReply &reply, quint64 generation);
    void checkOutsideRef(const std::shared_ptr<ListJob> &job, const QByteArray &id, qint64 version);
    void maybeListsDone();
    void startCommits();
    void pumpCommits();
    void onCommits(const QList<qint64> &numbers, const RedisReply &reply, quint64 generation);
    void checkPayload(const QByteArray &id, qint64 number, const QByteArray &payload, const Ref &ref, bool inIdOrder);
    void startLeftovers();
    void onLeftovers(const RedisReply &reply, quint64 generation);
    void finish();
    void fail(const QString &message, StreamReader::Error kind = StreamReader::Error::Other);
    void setPhase(Phase phase);
    void add(AuditCheck check, const QByteArray &stream, qint64 version, const QByteArray &id, const QString &detail);
    void flush();
    void reportProgress(bool force = false);
    QByteArray streamName(quint32 index) const;
    QByteArrayView streamView(quint32 index) const;
    quint32 addStream(const QByteArray &name);
    bool wholeStore() const { return m_options.stream.isEmpty(); }

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    AuditOptions m_options;
    bool m_json = false;
    bool m_zilverline = false;
    quint64 m_generation = 0;
    bool m_running = false;
    StreamReader::Error m_failure = StreamReader::Error::None;
    Phase m_phase = Phase::Idle;
    AuditSummary m_summary;
    std::array<qint64, AuditCheckCount> m_delivered{};
    QList<AuditFinding> m_batch;
    QElapsedTimer m_progressClock;
    qint64 m_progressDone = 0;

    qint64 m_hlen = 0;
    std::vector<Ref> m_refs; // per id number 1..HLEN: where it was first listed
    // zilverline: per id number, a 32-bit hash of the name of the stream that lists it, for the streamId check
    // in id order (the names themselves lie at random places in the arena: a cache miss per commit).
    std::vector<quint32> m_refNameHashes;
    QHash<QByteArray, Ref> m_outsideRefs;  // ids listed that are not in 1..HLEN (rare)
    QByteArray m_names;                    // stream names, back to back
    std::vector<quint32> m_nameEnds;       // m_nameEnds[i]: end of name i in m_names; [0] = 0
    std::unordered_set<size_t> m_seenKeys; // 64-bit hashes of list keys: SCAN may return a key twice

    // Streams phase
    QByteArray m_cursor;
    bool m_scanDone = false;
    bool m_scanInFlight = false;
    bool m_typeFilter = true;
    std::deque<QByteArray> m_pendingKeys;
    int m_listsInFlight = 0;
    int m_miscInFlight = 0; // HEXISTS / LLEN

    // Commits phase
    qint64 m_nextNumber = 1;
    int m_commitsInFlight = 0;
    qint64 m_commitsRead = 0;
    qint64 m_present = 0; // ids of 1..HLEN found in the hash
    std::optional<qint64> m_prevTimestamp;
    QByteArray m_prevId;

    // Leftovers phase
    QByteArray m_hscanCursor;
    QSet<QByteArray> m_leftoversSeen;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::AuditFinding)
Q_DECLARE_METATYPE(Eventscope::AuditSummary)
