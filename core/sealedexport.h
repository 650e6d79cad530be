#pragma once

#include "storelayout.h"
#include "streamreader.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

namespace Eventscope {

class RedisConnection;
class StreamReader;
struct EventRecord;
struct RedisReply;

// A tamper-evident export: a directory holding
//   records.jsonl  one commit per line, the record `eventscope-cli --format json events` prints (recordjson.h),
//                  stream after stream in the order given, each in version order;
//   chain.sha256   line i: the hex SHA-256 chain value after record i;
//   manifest.json  counts, first and last id, the streams, the server's run_id (INFO server) and time (TIME), the
//                  tool version and the final chain value.
// The chain: c_0 = 32 zero bytes, c_i = SHA-256(c_{i-1} || line_i), line_i being the bytes of the i-th line of
// records.jsonl without its newline. Changing, inserting, dropping or reordering a record changes every later
// value and the final one; the per-record values let verify name the first record that no longer matches. Whoever
// must trust an export keeps the final value (or the manifest) apart from it: someone able to rewrite all three
// files can forge a consistent export.
namespace SealedExport {
inline constexpr char RecordsFile[] = "records.jsonl";
inline constexpr char ChainFile[] = "chain.sha256";
inline constexpr char ManifestFile[] = "manifest.json";
inline constexpr char Format[] = "eventscope-sealed-export";
inline constexpr int FormatVersion = 1;

// c_i from c_{i-1} and the line (without newline).
QByteArray nextChain(const QByteArray &previous, QByteArrayView line);
QByteArray initialChain();
} // namespace SealedExport

// Writes a sealed export of streams (display names) or "$all" from a RedisConnection, with read commands only.
// Reads through StreamReader on the connection's thread and writes there too (buffered files, a SHA-256 per
// record); files are written as .part and renamed only when complete, so a failed or cancelled export leaves none.
class SealedExporter final : public QObject
{
    Q_OBJECT
public:
    SealedExporter(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);
    ~SealedExporter() override;

    // The directory is created if needed; it must not already hold an export.
    void start(const QList<QByteArray> &streams, const QString &directory, const QString &toolVersion);
    void cancel();
    bool isRunning() const { return m_running; }
    // The kind of the last failure (Error::None before any; Other for files).
    StreamReader::Error failure() const { return m_failure; }

Q_SIGNALS:
    void progress(qint64 records, qint64 total);
    // The final chain value in hex.
    void finished(qint64 records, const QByteArray &finalChain);
    void failed(const QString &message);
    void cancelled();

private:
    void onPrelude(const QList<RedisReply> &replies, quint64 generation);
    void readNext();
    void onPage(const QList<EventRecord> &records);
    void complete();
    void stop(const QString &message, bool wasCancel, StreamReader::Error kind = StreamReader::Error::Other);
    void discardFiles();
    bool writeOut(QFile &file, const QByteArray &bytes);

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    StreamReader *m_reader = nullptr;
    bool m_running = false;
    StreamReader::Error m_failure = StreamReader::Error::None;
    quint64 m_generation = 0;
    QList<QByteArray> m_streams;
    QList<qint64> m_streamRecords;
    int m_streamIndex = -1;
    QString m_directory;
    QString m_toolVersion;
    QFile m_records;
    QFile m_chainFile;
    QByteArray m_chain;
    qint64 m_written = 0;
    qint64 m_missing = 0;
    qint64 m_total = 0;
    qint64 m_hlen = 0;
    QByteArray m_firstId;
    QByteArray m_lastId;
    QByteArray m_runId;
    QByteArray m_serverVersion;
    qint64 m_serverSeconds = 0;
    qint64 m_serverMicros = 0;
};

struct VerifyResult
{
    bool ok = false;
    qint64 records = 0;    // records checked (that matched, when !ok)
    qint64 badLine = 0;    // 1-based line of records.jsonl of the first record that does not match; 0: none named
    QByteArray badId;      // its id, when the line still parses
    QString message;       // one line: what is wrong, or a summary when ok
    bool mismatch = false; // !ok because the records, chain and manifest disagree (tampering), not unreadable
    QByteArray finalChain; // hex, as computed
};

// Recomputes the chain over records.jsonl and checks it against chain.sha256 and the manifest (records, first and
// last id, final value). Reads line by line: memory does not grow with the export.
VerifyResult verifyExport(const QString &directory);

struct DiffEntry
{
    enum class Kind { Added, Removed, Changed };
    Kind kind = Kind::Added;
    QByteArray stream;
    qint64 version = 0; // in the second export (Removed: in the first)
    QByteArray id;
};
const char *diffKindName(DiffEntry::Kind kind);

struct DiffResult
{
    bool ok = false; // both exports could be read; says nothing about differences
    QString message;
    qint64 added = 0;
    qint64 removed = 0;
    qint64 changed = 0;
    qint64 unchanged = 0;
    bool identical() const { return ok && added == 0 && removed == 0 && changed == 0; }
};

// Commits added, removed or changed from the export in `before` to the one in `after`, keyed by (stream, id) and
// compared by their record's bytes. Keeps a 16-byte digest per commit of `before` in memory; entries go to `sink`
// as found: added and changed in the order of `after`, then removed in the order of `before`.
DiffResult diffExports(const QString &before, const QString &after, const std::function<void(const DiffEntry &)> &sink);

} // namespace Eventscope
