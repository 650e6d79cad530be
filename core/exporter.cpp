#include "exporter.h"

#include "eventsummary.h"
#include "payload.h"
#include "recordjson.h"
#include "redisconnection.h"
#include "streamreader.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <unistd.h>
#endif

namespace Eventscope {

namespace {

// The first chunk is one small page: it measures the payloads before pages are sized for them.
constexpr int ProbeRecords = 16;
// Payload bytes a page aims at: a page of 1 KiB commits holds MaxPageSize of them, one of 1 MiB commits one.
constexpr qint64 PageBytes = 1024 * 1024;
// Pages read per StreamReader run. Between runs the exporter waits for the writer to catch up, which is what bounds
// memory when the disk is slower than Redis; longer runs keep the pipeline full for longer.
constexpr int ChunkPages = 16;

QString quoted(const QString &path)
{
    return QLatin1Char('"') + QDir::toNativeSeparators(path) + QLatin1Char('"');
}

QByteArray validUtf8(const QByteArray &bytes)
{
    return isValidUtf8(bytes) ? bytes : QString::fromUtf8(bytes).toUtf8();
}

bool needsCsvQuotes(QByteArrayView field)
{
    for (const char c : field) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

void appendCsvField(QByteArray &out, QByteArrayView field)
{
    if (!needsCsvQuotes(field)) {
        out += field;
        return;
    }
    out += '"';
    qsizetype from = 0;
    for (qsizetype i = 0; i < field.size(); ++i) {
        if (field.at(i) == '"') {
            out.append(field.data() + from, i + 1 - from);
            out += '"';
            from = i + 1;
        }
    }
    out.append(field.data() + from, field.size() - from);
    out += '"';
}

std::filesystem::path fileSystemPath(const QString &path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

} // namespace

QByteArray csvHeader()
{
    return "stream,version,id,missing,size,encoding,type,timestamp,payload\r\n";
}

void appendEventCsv(QByteArray &out, const EventRecord &record, const StoreLayout &layout)
{
    appendCsvField(out, validUtf8(record.stream));
    out += ',' + QByteArray::number(record.version) + ',';
    appendCsvField(out, validUtf8(record.id));
    if (record.missing) {
        out += ",true,,,,,\r\n";
        return;
    }
    const EventSummary summary = summarizePayload(layout, record.payload);
    out += ",false," + QByteArray::number(record.payload.size()) + ',' + encodingName(summary.encoding) + ',';
    appendCsvField(out, summary.type.toUtf8());
    out += ',';
    if (summary.timestampMs >= 0)
        out += QDateTime::fromMSecsSinceEpoch(summary.timestampMs, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
    out += ',';
    if (summary.encoding == PayloadEncoding::Binary)
        out += record.payload.toBase64();
    else
        appendCsvField(out, record.payload);
    out += "\r\n";
}

// Formats and writes pages on its own thread, into path + ".part", renamed to path once complete. After a failure
// it has already removed its .part and ignores whatever is still queued for it.
class ExportWriter final : public QObject
{
    Q_OBJECT
public:
    ExportWriter(QString path, Exporter::Format format, StoreLayout layout)
        : m_path(std::move(path))
        , m_format(format)
        , m_layout(std::move(layout))
    {}

    void open();
    void write(const QList<EventRecord> &records);
    void commit();
    void discard();

Q_SIGNALS:
    void written(qint64 records, qint64 bytes, qint64 payloadBytes);
    void committed(qint64 records, qint64 bytes);
    void discarded();
    void failed(const QString &message);

private:
    bool writeAll(const QByteArray &bytes);
    void fail(const QString &message);

    QString m_path;
    Exporter::Format m_format;
    StoreLayout m_layout;
    std::unique_ptr<QFile> m_file; // created on the writer thread; null once committed, discarded or failed
    qint64 m_records = 0;
    qint64 m_bytes = 0;
};

void ExportWriter::open()
{
    m_file = std::make_unique<QFile>(Exporter::partPath(m_path));
    // Unbuffered: each page is one write() of an already assembled buffer, so Qt's buffer would only add a copy.
    if (!m_file->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        const QFileInfo target(m_path);
        const QString reason = !target.absoluteDir().exists()
                                   ? QStringLiteral("the folder %1 does not exist").arg(quoted(target.absolutePath()))
                                   : m_file->errorString();
        m_file.reset(); // nothing was created, nothing to remove
        return fail(QStringLiteral("cannot create %1: %2").arg(quoted(m_path), reason));
    }
    if (m_format == Exporter::Format::Csv) {
        const QByteArray header = csvHeader();
        if (writeAll(header))
            Q_EMIT written(0, header.size(), 0);
    }
}

void ExportWriter::write(const QList<EventRecord> &records)
{
    if (!m_file)
        return;
    qint64 payloadBytes = 0;
    for (const EventRecord &record : records)
        payloadBytes += record.payload.size();
    QByteArray out;
    out.reserve(payloadBytes + payloadBytes / 4 + records.size() * 128);
    for (const EventRecord &record : records) {
        if (m_format == Exporter::Format::Csv)
            appendEventCsv(out, record, m_layout);
        else
            appendEventJson(out, record, true);
    }
    if (!writeAll(out))
        return;
    m_records += records.size();
    Q_EMIT written(records.size(), out.size(), payloadBytes);
}

bool ExportWriter::writeAll(const QByteArray &bytes)
{
    if (m_file->write(bytes) == bytes.size()) {
        m_bytes += bytes.size();
        return true;
    }
    fail(QStringLiteral("cannot write %1: %2").arg(quoted(m_path), m_file->errorString()));
    return false;
}

void ExportWriter::commit()
{
    if (!m_file)
        return;
#ifdef Q_OS_UNIX
    // On disk before it takes the final name: a crash right after the rename must not leave a truncated file there.
    if (::fsync(m_file->handle()) != 0)
        return fail(QStringLiteral("cannot write %1: %2").arg(quoted(m_path), qt_error_string(errno)));
#endif
    m_file->close();
    // Unlike QFile::rename, replaces an existing file (the user chose to) in one step.
    std::error_code error;
    std::filesystem::rename(fileSystemPath(m_file->fileName()), fileSystemPath(m_path), error);
    if (error)
        return fail(QStringLiteral("cannot rename %1 to %2: %3")
                        .arg(quoted(m_file->fileName()), quoted(m_path), QString::fromStdString(error.message())));
    m_file.reset();
    Q_EMIT committed(m_records, m_bytes);
}

void ExportWriter::discard()
{
    if (m_file) {
        m_file->remove();
        m_file.reset();
    }
    Q_EMIT discarded();
}

void ExportWriter::fail(const QString &message)
{
    if (m_file) {
        m_file->remove();
        m_file.reset();
    }
    Q_EMIT failed(message);
}

Exporter::Exporter(RedisConnection *connection, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_progressTimer(new QTimer(this))
{
    // A connection that goes away drops the replies the reader waits for: without this the export would hang.
    if (connection)
        connect(connection, &QObject::destroyed, this,
                [this] { stop(QStringLiteral("the connection to Redis was closed")); });
    m_progressTimer->setInterval(ProgressIntervalMs);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        // Not after a cancel: "cancelling" should not be overwritten by a count that no longer matters.
        if (m_state == State::Running)
            emitProgress();
    });
}

Exporter::~Exporter()
{
    if (!m_thread)
        return;
    m_writer->disconnect(this);
    m_thread->quit();
    // Waits for the page being written at most; then the .part goes, so no half file outlives the export.
    m_thread->wait();
    m_writer->discard();
    delete m_writer;
    delete m_thread;
}

void Exporter::start(const QByteArray &stream, qint64 fromVersion, qint64 toVersion, Format format, const QString &path,
                     const StoreLayout &layout)
{
    if (isRunning()) {
        qWarning("Exporter::start: an export is already running");
        return;
    }
    const quint64 generation = ++m_generation;
    m_stream = stream;
    m_from = qMax<qint64>(1, fromVersion);
    m_to = toVersion < 0 ? -1 : toVersion;
    m_last = -1;
    m_next = m_from;
    m_chunkSize = 0;
    m_pageSize = ProbeRecords;
    m_reading = false;
    m_readAll = false;
    m_stopMessage.clear();
    m_total = -1;
    m_received = 0;
    m_receivedPayloadBytes = 0;
    m_lastPageAverage = 0;
    m_written = 0;
    m_bytes = 0;
    m_backlogRecords = 0;
    m_backlogBytes = 0;
    m_reportedWritten = -1;
    m_reportedTotal = -1;

    delete m_reader;
    m_reader = new StreamReader(m_connection, layout, this);
    connect(m_reader, &StreamReader::page, this, &Exporter::onPage);
    connect(m_reader, &StreamReader::finished, this, &Exporter::onChunkFinished);
    connect(m_reader, &StreamReader::failed, this,
            [this](StreamReader::Error, const QString &message) { stop(message); });

    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("eventscope-export"));
    m_writer = new ExportWriter(path, format, layout);
    m_writer->moveToThread(m_thread);
    // Reports of an export that has ended may still be queued; the generation drops them.
    connect(m_writer, &ExportWriter::written, this,
            [this, generation](qint64 records, qint64 bytes, qint64 payloadBytes) {
                if (generation == m_generation)
                    onWritten(records, bytes, payloadBytes);
            });
    connect(m_writer, &ExportWriter::committed, this, [this, generation](qint64 records, qint64 bytes) {
        if (generation != m_generation)
            return;
        ++m_generation;
        releaseWriter();
        m_state = State::Idle;
        m_written = records;
        m_bytes = bytes;
        m_total = records; // fewer than planned if the stream was trimmed meanwhile
        emitProgress();
        Q_EMIT finished(records, bytes);
    });
    auto ended = [this, generation](const QString &writerError) {
        if (generation != m_generation)
            return;
        ++m_generation;
        if (m_reader)
            m_reader->cancel();
        // A failure of the writer while a cancel or a read error was being handled is not news.
        const QString message = m_state == State::Stopping ? m_stopMessage : writerError;
        releaseWriter();
        m_state = State::Idle;
        if (message.isEmpty())
            Q_EMIT cancelled();
        else
            Q_EMIT failed(message);
    };
    connect(m_writer, &ExportWriter::discarded, this, [ended] { ended(QString()); });
    connect(m_writer, &ExportWriter::failed, this, ended);
    m_thread->start();
    QMetaObject::invokeMethod(m_writer, &ExportWriter::open, Qt::QueuedConnection);

    m_state = State::Running;
    m_progressTimer->start();
    readChunk();
}

void Exporter::cancel()
{
    stop(QString());
}

void Exporter::stop(const QString &message)
{
    if (m_state != State::Running)
        return;
    m_state = State::Stopping;
    m_stopMessage = message;
    m_reader->cancel();
    m_reading = false;
    QMetaObject::invokeMethod(m_writer, &ExportWriter::discard, Qt::QueuedConnection);
}

void Exporter::readChunk()
{
    if (m_received > 0) {
        // The latest page counts as much as all before it: payloads that grow must shrink pages at once.
        const qint64 averagePayload = std::max<qint64>({1, m_receivedPayloadBytes / m_received, m_lastPageAverage});
        m_pageSize = int(qBound(qint64(1), PageBytes / averagePayload, qint64(MaxPageSize)));
    }
    qint64 count = m_received > 0 ? qint64(m_pageSize) * ChunkPages : ProbeRecords;
    const qint64 last = m_last >= 0 ? m_last : m_to;
    if (last >= 0)
        count = qMin(count, qMax<qint64>(0, last - m_next + 1));
    m_chunkSize = count;
    m_reading = true;
    StreamReader::Request request;
    request.stream = m_stream;
    request.from = m_next;
    request.count = count;
    request.pageSize = m_pageSize;
    request.window = Window;
    m_reader->start(request);
}

void Exporter::noteLength()
{
    if (m_last >= 0)
        return;
    // The end is fixed when the export starts: commits appended while it runs are not chased.
    const qint64 length = m_reader->length();
    m_last = m_to < 0 ? length : qMin(m_to, length);
    m_total = qMax<qint64>(0, m_last - m_from + 1);
}

void Exporter::onPage(const QList<EventRecord> &records)
{
    if (m_state != State::Running)
        return;
    noteLength();
    if (records.isEmpty())
        return;
    qint64 payloadBytes = 0;
    for (const EventRecord &record : records)
        payloadBytes += record.payload.size();
    m_received += records.size();
    m_receivedPayloadBytes += payloadBytes;
    m_lastPageAverage = payloadBytes / records.size();
    m_backlogRecords += records.size();
    m_backlogBytes += payloadBytes;
    QMetaObject::invokeMethod(
        m_writer, [writer = m_writer, records] { writer->write(records); }, Qt::QueuedConnection);
}

void Exporter::onChunkFinished(qint64 records)
{
    if (m_state != State::Running)
        return;
    noteLength();
    m_reading = false;
    // Fewer records than asked for: the stream ended early (it was trimmed while we read).
    const bool exhausted = records < m_chunkSize;
    m_next += m_chunkSize;
    if (exhausted || m_next > m_last) {
        m_readAll = true;
        QMetaObject::invokeMethod(m_writer, &ExportWriter::commit, Qt::QueuedConnection);
        return;
    }
    if (writerHasCaughtUp())
        readChunk();
}

void Exporter::onWritten(qint64 records, qint64 bytes, qint64 payloadBytes)
{
    m_written += records;
    m_bytes += bytes;
    m_backlogRecords -= records;
    m_backlogBytes -= payloadBytes;
    if (m_state == State::Running && !m_reading && !m_readAll && writerHasCaughtUp())
        readChunk();
}

bool Exporter::writerHasCaughtUp() const
{
    return m_backlogRecords <= qint64(m_pageSize) * Window && m_backlogBytes <= PageBytes * Window;
}

void Exporter::emitProgress()
{
    if (m_written == m_reportedWritten && m_total == m_reportedTotal)
        return;
    m_reportedWritten = m_written;
    m_reportedTotal = m_total;
    Q_EMIT progress(m_written, m_total);
}

void Exporter::releaseWriter()
{
    m_progressTimer->stop();
    if (!m_thread)
        return;
    m_writer->disconnect(this);
    m_thread->quit();
    // The writer has sent its last report: this waits only for that slot to return.
    m_thread->wait();
    delete m_writer;
    m_writer = nullptr;
    delete m_thread;
    m_thread = nullptr;
}

} // namespace Eventscope

#include "exporter.moc"
