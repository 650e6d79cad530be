#pragma once

#include "eventrecord.h"
#include "storelayout.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QThread;
class QTimer;

namespace Eventscope {

class ExportWriter;
class RedisConnection;
class StreamReader;

// The CSV form of commits (RFC 4180, UTF-8, CRLF line ends): a header, then one row per commit with its type and
// timestamp from summarizePayload. JSON and text payloads are written as they are, binary ones as base64.
QByteArray csvHeader();
void appendEventCsv(QByteArray &out, const EventRecord &record, const StoreLayout &layout);

// Exports a stream (or "$all"), or a range of its versions, to a JSON Lines or CSV file without holding it in
// memory: commits are read in chunks through StreamReader on the connection's thread, and formatted and written on
// a writer thread, so the GUI thread never waits on the disk. The next chunk is read only once the writer has caught
// up, and pages are sized to about a MiB of payloads, so memory stays bounded in bytes whatever the disk's speed
// (some 20 pages' worth: a chunk of 16 and the writer's backlog).
// The file is written as path + ".part" and renamed to path only when complete: a cancelled or failed export never
// leaves a partial file under the final name, and removes its .part before it reports.
class Exporter final : public QObject
{
    Q_OBJECT
public:
    enum class Format { JsonLines, Csv };
    Q_ENUM(Format)

    explicit Exporter(RedisConnection *connection, QObject *parent = nullptr);
    // Discards a running export, waiting for the writer thread to remove its .part file.
    ~Exporter() override;

    // Exports versions fromVersion..toVersion (1-based; toVersion -1: up to the stream's length when the export
    // starts). One export at a time: call it again only after finished, failed or cancelled.
    void start(const QByteArray &stream, qint64 fromVersion, qint64 toVersion, Format format, const QString &path,
               const StoreLayout &layout);
    // Stops reading and discards the .part file; cancelled() follows once it is gone. If the file was already
    // complete and being renamed, finished() follows instead.
    void cancel();

    bool isRunning() const { return m_state != State::Idle; }
    qint64 recordsWritten() const { return m_written; }
    qint64 bytesWritten() const { return m_bytes; }
    // The records the export will write, or -1 until the stream's length is known.
    qint64 total() const { return m_total; }

    static QString partPath(const QString &path) { return path + QStringLiteral(".part"); }

    // The largest number of commits read in one page, and how many pages are in flight.
    static constexpr int MaxPageSize = 1000;
    static constexpr int Window = 4;

Q_SIGNALS:
    // Records written so far and the total (-1 while unknown); at most ProgressIntervalMs apart, and once more with
    // the final count just before finished.
    void progress(qint64 records, qint64 total);
    void finished(qint64 records, qint64 bytes);
    void failed(const QString &message);
    void cancelled();

private:
    enum class State { Idle, Running, Stopping };
    static constexpr int ProgressIntervalMs = 100;

    void readChunk();
    void onPage(const QList<EventRecord> &records);
    void onChunkFinished(qint64 records);
    void onWritten(qint64 records, qint64 bytes, qint64 payloadBytes);
    void noteLength();
    bool writerHasCaughtUp() const;
    // Stops reading and has the writer discard its file; `message` empty: a cancel.
    void stop(const QString &message);
    void emitProgress();
    void releaseWriter();

    QPointer<RedisConnection> m_connection;
    StreamReader *m_reader = nullptr;
    QTimer *m_progressTimer = nullptr;
    QThread *m_thread = nullptr;
    ExportWriter *m_writer = nullptr;

    State m_state = State::Idle;
    quint64 m_generation = 0; // drops the writer's reports of an export that has ended
    QString m_stopMessage;    // why a Stopping export stops; empty: cancelled
    QByteArray m_stream;
    qint64 m_from = 1;
    qint64 m_to = -1;
    qint64 m_last = -1;     // the last version to export, once the length is known
    qint64 m_next = 1;      // the first version of the next chunk
    qint64 m_chunkSize = 0; // versions asked for in the running chunk
    int m_pageSize = 0;
    bool m_reading = false;
    bool m_readAll = false; // every record has gone to the writer

    qint64 m_total = -1;
    qint64 m_received = 0;
    qint64 m_receivedPayloadBytes = 0;
    qint64 m_lastPageAverage = 0; // payload bytes per record in the latest page
    qint64 m_written = 0;
    qint64 m_bytes = 0;
    qint64 m_backlogRecords = 0; // handed to the writer, not yet written
    qint64 m_backlogBytes = 0;
    qint64 m_reportedWritten = -1;
    qint64 m_reportedTotal = -1;
};

} // namespace Eventscope
