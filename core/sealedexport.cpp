#include "sealedexport.h"

#include "eventrecord.h"
#include "recordjson.h"
#include "redisconnection.h"
#include "streamreader.h"

#include <QDateTime>
#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <vector>

namespace Eventscope {

namespace SealedExport {

QByteArray initialChain()
{
    return QByteArray(32, '\0');
}

QByteArray nextChain(const QByteArray &previous, QByteArrayView line)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(previous);
    hash.addData(line);
    return hash.result();
}

} // namespace SealedExport

namespace {

QString fileIn(const QString &directory, const char *name)
{
    return QDir(directory).filePath(QString::fromLatin1(name));
}

QString partOf(const QString &path)
{
    return path + QStringLiteral(".part");
}

QString nameString(const QByteArray &name)
{
    return QString::fromUtf8(name);
}

QByteArray chopNewline(QByteArray line)
{
    if (line.endsWith('\n'))
        line.chop(1);
    return line;
}

// The (stream, version, id) of a record line, or nothing when it does not parse.
struct RecordKey
{
    bool ok = false;
    QByteArray stream;
    qint64 version = 0;
    QByteArray id;
};

RecordKey keyOf(const QByteArray &line)
{
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    if (object.isEmpty() || !object.value(QLatin1String("id")).isString())
        return {};
    return RecordKey{true, object.value(QLatin1String("stream")).toString().toUtf8(),
                     object.value(QLatin1String("version")).toInteger(),
                     object.value(QLatin1String("id")).toString().toUtf8()};
}

bool readManifest(const QString &directory, QJsonObject *manifest, QString *error)
{
    QFile file(fileIn(directory, SealedExport::ManifestFile));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(file.fileName(), parseError.errorString());
        return false;
    }
    *manifest = document.object();
    if (manifest->value(QLatin1String("format")).toString() != QLatin1String(SealedExport::Format)) {
        *error = QStringLiteral("%1 is not the manifest of an eventscope sealed export").arg(file.fileName());
        return false;
    }
    if (manifest->value(QLatin1String("formatVersion")).toInt() != SealedExport::FormatVersion) {
        *error = QStringLiteral("%1: unsupported format version %2")
                     .arg(file.fileName())
                     .arg(manifest->value(QLatin1String("formatVersion")).toInt());
        return false;
    }
    return true;
}

} // namespace

SealedExporter::SealedExporter(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

SealedExporter::~SealedExporter()
{
    if (m_running)
        discardFiles();
}

void SealedExporter::start(const QList<QByteArray> &streams, const QString &directory, const QString &toolVersion)
{
    ++m_generation;
    m_running = true;
    m_streams = streams;
    m_streamRecords = QList<qint64>(streams.size(), 0);
    m_streamIndex = -1;
    m_directory = directory;
    m_toolVersion = toolVersion;
    m_chain = SealedExport::initialChain();
    m_written = m_missing = m_total = m_hlen = 0;
    m_firstId.clear();
    m_lastId.clear();
    if (streams.isEmpty())
        return stop(QStringLiteral("nothing to export: name streams or $all"), false);
    if (!m_connection)
        return stop(QStringLiteral("no connection"), false, StreamReader::Error::Connection);
    if (!QDir().mkpath(directory))
        return stop(QStringLiteral("cannot create the directory %1").arg(directory), false);
    for (const char *name : {SealedExport::RecordsFile, SealedExport::ChainFile, SealedExport::ManifestFile}) {
        if (QFile::exists(fileIn(directory, name)))
            return stop(QStringLiteral("%1 already holds an export (%2); choose another directory")
                            .arg(directory, QString::fromLatin1(name)),
                        false);
    }
    m_records.setFileName(partOf(fileIn(directory, SealedExport::RecordsFile)));
    m_chainFile.setFileName(partOf(fileIn(directory, SealedExport::ChainFile)));
    if (!m_records.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || !m_chainFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return stop(QStringLiteral("cannot write in %1: %2")
                        .arg(directory, m_records.isOpen() ? m_chainFile.errorString() : m_records.errorString()),
                    false);

    // Where and when: the server's run id and clock, and the lengths for progress, in one round trip.
    auto replies = std::make_shared<QList<RedisReply>>();
    const qsizetype expected = 3 + streams.size();
    const quint64 generation = m_generation;
    auto collect = [this, replies, expected, generation](const RedisReply &reply) {
        replies->append(reply);
        if (replies->size() == expected)
            onPrelude(*replies, generation);
    };
    m_connection->send({"INFO", "server"}, this, collect);
    m_connection->send({"TIME"}, this, collect);
    m_connection->send({"HLEN", m_layout.eventsKey}, this, collect);
    for (const QByteArray &stream : streams) {
        if (stream == AllStreamName)
            m_connection->send({"HLEN", m_layout.eventsKey}, this, collect);
        else
            m_connection->send({"LLEN", m_layout.streamKey(stream)}, this, collect);
    }
}

void SealedExporter::onPrelude(const QList<RedisReply> &replies, quint64 generation)
{
    if (generation != m_generation || !m_running)
        return;
    for (const RedisReply &reply : replies) {
        if (reply.isFailure())
            return stop(QStringLiteral("cannot export: %1").arg(QString::fromUtf8(reply.text)), false);
    }
    // INFO may be denied by an ACL; the run id is then unknown, not a reason to refuse.
    for (const QByteArray &line : replies.at(0).text.split('\n')) {
        if (line.startsWith("run_id:"))
            m_runId = line.mid(7).trimmed();
        else if (line.startsWith("redis_version:"))
            m_serverVersion = line.mid(14).trimmed();
    }
    const RedisReply &time = replies.at(1);
    if (time.isArray() && time.elements.size() == 2) {
        m_serverSeconds = time.elements.at(0).text.toLongLong();
        m_serverMicros = time.elements.at(1).text.toLongLong();
    }
    m_hlen = replies.at(2).integer;
    for (qsizetype i = 3; i < replies.size(); ++i)
        m_total += replies.at(i).isInteger() ? replies.at(i).integer : 0;
    Q_EMIT progress(0, m_total);
    readNext();
}

void SealedExporter::readNext()
{
    ++m_streamIndex;
    if (m_streamIndex >= m_streams.size())
        return complete();
    if (m_reader)
        m_reader->deleteLater();
    m_reader = new StreamReader(m_connection, m_layout, this);
    connect(m_reader, &StreamReader::page, this, &SealedExporter::onPage);
    connect(m_reader, &StreamReader::finished, this, [this](qint64) {
        if (m_running)
            readNext();
    });
    connect(m_reader, &StreamReader::failed, this,
            [this](StreamReader::Error kind, const QString &message) { stop(message, false, kind); });
    StreamReader::Request request;
    request.stream = m_streams.at(m_streamIndex);
    m_reader->start(request);
}

bool SealedExporter::writeOut(QFile &file, const QByteArray &bytes)
{
    if (file.write(bytes) == bytes.size())
        return true;
    stop(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()), false);
    return false;
}

void SealedExporter::onPage(const QList<EventRecord> &records)
{
    if (!m_running)
        return;
    QByteArray out;
    QByteArray chains;
    out.reserve(records.size() * 256);
    chains.reserve(records.size() * 65);
    for (const EventRecord &record : records) {
        const qsizetype from = out.size();
        appendEventJson(out, record, true);
        m_chain = SealedExport::nextChain(m_chain, QByteArrayView(out).sliced(from, out.size() - from - 1));
        chains += m_chain.toHex() + '\n';
        if (m_firstId.isNull())
            m_firstId = record.id;
        m_lastId = record.id;
        m_missing += record.missing;
    }
    m_written += records.size();
    m_streamRecords[m_streamIndex] += records.size();
    if (!writeOut(m_records, out) || !writeOut(m_chainFile, chains))
        return;
    Q_EMIT progress(m_written, qMax(m_total, m_written));
}

void SealedExporter::complete()
{
    if (!m_records.flush() || !m_chainFile.flush())
        return stop(QStringLiteral("cannot write in %1: %2").arg(m_directory, m_records.errorString()), false);
    m_records.close();
    m_chainFile.close();

    QJsonArray streams;
    for (qsizetype i = 0; i < m_streams.size(); ++i)
        streams.append(QJsonObject{{QStringLiteral("stream"), nameString(m_streams.at(i))},
                                   {QStringLiteral("records"), m_streamRecords.at(i)}});
    const QDateTime serverTime
        = QDateTime::fromMSecsSinceEpoch(m_serverSeconds * 1000 + m_serverMicros / 1000, Qt::UTC);
    const QByteArray finalChain = m_chain.toHex();
    QJsonObject manifest{
        {QStringLiteral("format"), QLatin1String(SealedExport::Format)},
        {QStringLiteral("formatVersion"), SealedExport::FormatVersion},
        {QStringLiteral("tool"), m_toolVersion},
        {QStringLiteral("server"),
         QJsonObject{{QStringLiteral("runId"), m_runId.isEmpty() ? QJsonValue() : QJsonValue(nameString(m_runId))},
                     {QStringLiteral("version"),
                      m_serverVersion.isEmpty() ? QJsonValue() : QJsonValue(nameString(m_serverVersion))},
                     {QStringLiteral("time"), serverTime.toString(Qt::ISODateWithMs)},
                     {QStringLiteral("timeSeconds"), m_serverSeconds},
                     {QStringLiteral("timeMicroseconds"), m_serverMicros}}},
        {QStringLiteral("store"), QJsonObject{{QStringLiteral("layout"), m_layout.kindName()},
                                              {QStringLiteral("eventsKey"), nameString(m_layout.eventsKey)},
                                              {QStringLiteral("commits"), m_hlen}}},
        {QStringLiteral("streams"), streams},
        {QStringLiteral("records"), m_written},
        {QStringLiteral("missing"), m_missing},
        {QStringLiteral("firstId"), m_firstId.isNull() ? QJsonValue() : QJsonValue(nameString(m_firstId))},
        {QStringLiteral("lastId"), m_lastId.isNull() ? QJsonValue() : QJsonValue(nameString(m_lastId))},
        {QStringLiteral("files"), QJsonObject{{QStringLiteral("records"), QLatin1String(SealedExport::RecordsFile)},
                                              {QStringLiteral("chain"), QLatin1String(SealedExport::ChainFile)}}},
        {QStringLiteral("chain"),
         QJsonObject{{QStringLiteral("algorithm"), QStringLiteral("SHA-256")},
                     {QStringLiteral("rule"),
                      QStringLiteral("c_0 = 32 zero bytes; c_i = SHA-256(c_{i-1} || line_i), line_i = line i of "
                                     "records.jsonl without its newline; chain.sha256 line i = hex(c_i)")},
                     {QStringLiteral("final"), QLatin1String(finalChain)}}},
    };
    QFile manifestFile(partOf(fileIn(m_directory, SealedExport::ManifestFile)));
    const QByteArray manifestBytes = QJsonDocument(manifest).toJson(QJsonDocument::Indented);
    if (!manifestFile.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || manifestFile.write(manifestBytes) != manifestBytes.size() || !manifestFile.flush())
        return stop(QStringLiteral("cannot write %1: %2").arg(manifestFile.fileName(), manifestFile.errorString()),
                    false);
    manifestFile.close();
    // The manifest last: an export without one is incomplete.
    for (const char *name : {SealedExport::RecordsFile, SealedExport::ChainFile, SealedExport::ManifestFile}) {
        const QString path = fileIn(m_directory, name);
        if (!QFile::rename(partOf(path), path))
            return stop(QStringLiteral("cannot rename %1").arg(partOf(path)), false);
    }
    m_running = false;
    Q_EMIT progress(m_written, m_written);
    Q_EMIT finished(m_written, finalChain);
}

void SealedExporter::cancel()
{
    if (m_running)
        stop({}, true);
}

void SealedExporter::discardFiles()
{
    m_records.close();
    m_chainFile.close();
    for (const char *name : {SealedExport::RecordsFile, SealedExport::ChainFile, SealedExport::ManifestFile})
        QFile::remove(partOf(fileIn(m_directory, name)));
}

void SealedExporter::stop(const QString &message, bool wasCancel, StreamReader::Error kind)
{
    if (!wasCancel)
        m_failure = kind;
    ++m_generation;
    const bool wasRunning = m_running;
    m_running = false;
    if (m_reader)
        m_reader->cancel();
    if (wasRunning)
        discardFiles();
    if (wasCancel)
        Q_EMIT cancelled();
    else
        Q_EMIT failed(message);
}

VerifyResult verifyExport(const QString &directory)
{
    VerifyResult result;
    QJsonObject manifest;
    if (!readManifest(directory, &manifest, &result.message))
        return result;
    QFile records(fileIn(directory, SealedExport::RecordsFile));
    QFile chains(fileIn(directory, SealedExport::ChainFile));
    if (!records.open(QIODevice::ReadOnly)) {
        result.message = QStringLiteral("cannot read %1: %2").arg(records.fileName(), records.errorString());
        return result;
    }
    if (!chains.open(QIODevice::ReadOnly)) {
        result.message = QStringLiteral("cannot read %1: %2").arg(chains.fileName(), chains.errorString());
        return result;
    }
    QByteArray chain = SealedExport::initialChain();
    QByteArray firstId;
    QByteArray lastId;
    bool haveFirst = false;
    qint64 line = 0;
    while (!records.atEnd()) {
        const QByteArray record = chopNewline(records.readLine());
        ++line;
        chain = SealedExport::nextChain(chain, record);
        const QByteArray expected = chopNewline(chains.readLine()).trimmed();
        const RecordKey key = keyOf(record);
        if (chain.toHex() != expected) {
            result.mismatch = true;
            result.badLine = line;
            result.badId = key.id;
            result.message
                = expected.isEmpty()
                      ? QStringLiteral("record %1 (line %1%2) is not in chain.sha256: records were added")
                            .arg(line)
                            .arg(key.ok ? QStringLiteral(", id ") + QString::fromUtf8(key.id) : QString())
                      : QStringLiteral("record %1 (line %1%2) does not match its chain value: it, or a record before "
                                       "it, was changed, added, dropped or reordered here")
                            .arg(line)
                            .arg(key.ok ? QStringLiteral(", id ") + QString::fromUtf8(key.id)
                                        : QStringLiteral(", not a record any more"));
            return result;
        }
        if (!key.ok) {
            // The chain matches, yet the line is not a record: the export was written that way. Say so.
            result.mismatch = true;
            result.badLine = line;
            result.message = QStringLiteral("line %1 matches the chain but is not a record").arg(line);
            return result;
        }
        if (!haveFirst) {
            firstId = key.id;
            haveFirst = true;
        }
        lastId = key.id;
        result.records = line;
    }
    result.finalChain = chain.toHex();
    if (!chains.atEnd() && !chopNewline(chains.readLine()).trimmed().isEmpty()) {
        result.mismatch = true;
        result.badLine = line + 1;
        result.message = QStringLiteral("records.jsonl ends after %1 records, but chain.sha256 goes on: records were "
                                        "dropped from the end")
                             .arg(line);
        return result;
    }
    const qint64 manifestRecords = manifest.value(QLatin1String("records")).toInteger(-1);
    if (manifestRecords != line) {
        result.mismatch = true;
        result.badLine = line < manifestRecords ? 0 : manifestRecords + 1;
        result.message
            = QStringLiteral("records.jsonl holds %1 records, the manifest says %2").arg(line).arg(manifestRecords);
        return result;
    }
    const QByteArray manifestFinal
        = manifest.value(QLatin1String("chain")).toObject().value(QLatin1String("final")).toString().toLatin1();
    if (manifestFinal != result.finalChain) {
        result.mismatch = true;
        result.message = QStringLiteral("the chain ends at %1, but the manifest says %2: records.jsonl and "
                                        "chain.sha256 were rewritten together, or the manifest was changed")
                             .arg(QString::fromLatin1(result.finalChain), QString::fromLatin1(manifestFinal));
        return result;
    }
    auto idOf = [&manifest](const char *field) {
        const QJsonValue value = manifest.value(QLatin1String(field));
        return value.isNull() ? QByteArray() : value.toString().toUtf8();
    };
    if (idOf("firstId") != firstId || idOf("lastId") != lastId) {
        result.mismatch = true;
        result.message = QStringLiteral("the first and last ids (%1, %2) are not the manifest's (%3, %4)")
                             .arg(QString::fromUtf8(firstId), QString::fromUtf8(lastId),
                                  QString::fromUtf8(idOf("firstId")), QString::fromUtf8(idOf("lastId")));
        return result;
    }
    result.ok = true;
    result.message = QStringLiteral("%1 records match the chain; final SHA-256 chain value %2")
                         .arg(line)
                         .arg(QString::fromLatin1(result.finalChain));
    return result;
}

const char *diffKindName(DiffEntry::Kind kind)
{
    switch (kind) {
    case DiffEntry::Kind::Added:
        return "added";
    case DiffEntry::Kind::Removed:
        return "removed";
    case DiffEntry::Kind::Changed:
        return "changed";
    }
    return "changed";
}

DiffResult diffExports(const QString &before, const QString &after, const std::function<void(const DiffEntry &)> &sink)
{
    DiffResult result;
    QJsonObject manifest;
    for (const QString &directory : {before, after}) {
        if (!readManifest(directory, &manifest, &result.message))
            return result;
    }
    struct Seen
    {
        QByteArray digest;
        qint64 version = 0;
        qint64 line = 0;
    };
    auto digestOf = [](const QByteArray &line) {
        return QCryptographicHash::hash(line, QCryptographicHash::Sha256).left(16);
    };
    auto keyBytes = [](const RecordKey &key) -> QByteArray {
        return key.stream + '\0' + key.id;
    };

    QHash<QByteArray, Seen> first;
    QFile beforeRecords(fileIn(before, SealedExport::RecordsFile));
    if (!beforeRecords.open(QIODevice::ReadOnly)) {
        result.message
            = QStringLiteral("cannot read %1: %2").arg(beforeRecords.fileName(), beforeRecords.errorString());
        return result;
    }
    qint64 line = 0;
    while (!beforeRecords.atEnd()) {
        const QByteArray record = chopNewline(beforeRecords.readLine());
        ++line;
        const RecordKey key = keyOf(record);
        if (!key.ok) {
            result.message = QStringLiteral("%1 line %2 is not a record").arg(beforeRecords.fileName()).arg(line);
            return result;
        }
        first.insert(keyBytes(key), Seen{digestOf(record), key.version, line});
    }

    QFile afterRecords(fileIn(after, SealedExport::RecordsFile));
    if (!afterRecords.open(QIODevice::ReadOnly)) {
        result.message = QStringLiteral("cannot read %1: %2").arg(afterRecords.fileName(), afterRecords.errorString());
        return result;
    }
    line = 0;
    while (!afterRecords.atEnd()) {
        const QByteArray record = chopNewline(afterRecords.readLine());
        ++line;
        const RecordKey key = keyOf(record);
        if (!key.ok) {
            result.message = QStringLiteral("%1 line %2 is not a record").arg(afterRecords.fileName()).arg(line);
            return result;
        }
        const auto it = first.find(keyBytes(key));
        if (it == first.end()) {
            ++result.added;
            sink(DiffEntry{DiffEntry::Kind::Added, key.stream, key.version, key.id});
            continue;
        }
        if (it->digest != digestOf(record)) {
            ++result.changed;
            sink(DiffEntry{DiffEntry::Kind::Changed, key.stream, key.version, key.id});
        } else {
            ++result.unchanged;
        }
        first.erase(it);
    }
    std::vector<std::pair<qint64, QByteArray>> removed;
    removed.reserve(size_t(first.size()));
    for (auto it = first.cbegin(); it != first.cend(); ++it)
        removed.emplace_back(it->line, it.key());
    std::sort(removed.begin(), removed.end());
    for (const auto &[removedLine, key] : removed) {
        const qsizetype zero = key.indexOf('\0');
        ++result.removed;
        sink(DiffEntry{DiffEntry::Kind::Removed, key.left(zero), first.value(key).version, key.mid(zero + 1)});
    }
    result.ok = true;
    result.message = QStringLiteral("%1 added, %2 removed, %3 changed, %4 unchanged")
                         .arg(result.added)
                         .arg(result.removed)
                         .arg(result.changed)
                         .arg(result.unchanged);
    return result;
}

} // namespace Eventscope
