#include "auditor.h"

#include "payload.h"
#include "redisconnection.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>
#include <cmath>
#include <cstring>

namespace Eventscope {

namespace {

constexpr const char *CheckNames[AuditCheckCount]
    = {"dangling-ref", "duplicate-ref",     "orphan",          "id-gap",       "foreign-id", "count-mismatch",
       "order",        "revision-mismatch", "time-regression", "not-a-stream", "bad-payload"};

constexpr int ProgressIntervalMs = 50;

QString quoted(const QByteArray &name)
{
    return QLatin1Char('"') + QString::fromUtf8(name) + QLatin1Char('"');
}

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Over JSON already checked by classifyPayload: only finds where each value ends.
const char *skipString(const char *p, const char *end)
{
    for (++p; p < end; ++p) {
        if (*p == '\\')
            ++p;
        else if (*p == '"')
            return p + 1;
    }
    return end;
}

const char *skipValue(const char *p, const char *end)
{
    if (p >= end)
        return end;
    if (*p == '"')
        return skipString(p, end);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < end) {
            const char c = *p;
            if (c == '"') {
                p = skipString(p, end);
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return p + 1;
            ++p;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && !isJsonSpace(*p))
        ++p;
    return p;
}

// Size first: most keys differ in length, and this runs for every member of every commit record.
template<qsizetype N>
bool isKey(QByteArrayView key, const char (&name)[N])
{
    return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

std::optional<qint64> integerOf(QByteArrayView token)
{
    if (token.isEmpty() || !(token.front() == '-' || (token.front() >= '0' && token.front() <= '9')))
        return std::nullopt;
    const char *first = token.data();
    const char *last = first + token.size();
    long long value = 0;
    auto [end, error] = std::from_chars(first, last, value);
    if (error == std::errc() && end == last)
        return value;
    double real = 0;
    auto [realEnd, realError] = std::from_chars(first, last, real);
    if (realError == std::errc() && realEnd == last && std::isfinite(real) && std::fabs(real) < 9.2e18)
        return qint64(real);
    return std::nullopt;
}

quint32 nameHash(QByteArrayView name)
{
    return quint32(qHash(name, size_t(0xa0d17)));
}

} // namespace

const char *auditCheckName(AuditCheck check)
{
    return CheckNames[size_t(check)];
}

std::optional<AuditCheck> auditCheckFromName(QByteArrayView name)
{
    for (int i = 0; i < AuditCheckCount; ++i) {
        if (name == CheckNames[i])
            return AuditCheck(i);
    }
    return std::nullopt;
}

qint64 AuditSummary::total() const
{
    qint64 sum = 0;
    for (qint64 count : counts)
        sum += count;
    return sum;
}

CommitRecordFields readCommitRecord(QByteArrayView payload)
{
    CommitRecordFields fields;
    if (classifyPayload(payload) != PayloadEncoding::Json)
        return fields;
    const char *p = payload.data();
    const char *end = p + payload.size();
    auto space = [&] {
        while (p < end && isJsonSpace(*p))
            ++p;
    };
    space();
    if (p >= end || *p != '{')
        return fields;
    fields.isObject = true;
    ++p;
    while (true) {
        space();
        if (p >= end || *p != '"')
            break;
        const char *keyEnd = skipString(p, end);
        const QByteArrayView key(p + 1, qMax<qsizetype>(0, keyEnd - p - 2));
        p = keyEnd;
        space();
        if (p >= end || *p != ':')
            break;
        ++p;
        space();
        const char *valueStart = p;
        p = skipValue(p, end);
        const QByteArrayView value(valueStart, p - valueStart);
        if (isKey(key, "storeRevision"))
            fields.storeRevision = integerOf(value);
        else if (isKey(key, "timestamp"))
            fields.timestamp = integerOf(value);
        else if (isKey(key, "streamRevision"))
            fields.streamRevision = integerOf(value);
        else if (isKey(key, "streamId") && value.size() >= 2 && value.front() == '"') {
            const QByteArrayView raw = value.sliced(1, value.size() - 2);
            if (!raw.contains('\\')) {
                fields.streamId = raw.toByteArray();
            } else {
                // Rare: let Qt decode the escapes.
                const QJsonDocument document = QJsonDocument::fromJson('[' + value.toByteArray() + ']');
                fields.streamId = document.array().at(0).toString().toUtf8();
            }
        }
        space();
        if (p < end && *p == ',') {
            ++p;
            continue;
        }
        break;
    }
    return fields;
}

Auditor::Auditor(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

void Auditor::start(const AuditOptions &options)
{
    ++m_generation;
    m_options = options;
    m_options.listChunk = qMax(1, m_options.listChunk);
    m_options.hashChunk = qMax(1, m_options.hashChunk);
    m_options.window = qMax(1, m_options.window);
    m_options.commitWindow = qMax(1, m_options.commitWindow);
    m_zilverline = m_layout.kind == StoreLayout::Kind::Zilverline;
    m_json = options.jsonPayloads.value_or(m_zilverline);
    m_running = true;
    m_summary = {};
    m_delivered = {};
    m_batch.clear();
    m_progressDone = 0;
    m_progressClock.start();
    m_hlen = 0;
    m_refs.clear();
    m_refNameHashes.clear();
    m_outsideRefs.clear();
    m_leftoversSeen.clear();
    m_names.clear();
    m_nameEnds.assign(1, 0);
    m_seenKeys.clear();
    m_cursor = "0";
    m_scanDone = false;
    m_scanInFlight = false;
    m_typeFilter = true;
    m_pendingKeys.clear();
    m_listsInFlight = 0;
    m_miscInFlight = 0;
    m_nextNumber = 1;
    m_commitsInFlight = 0;
    m_commitsRead = 0;
    m_present = 0;
    m_prevTimestamp.reset();
    m_prevId.clear();
    m_hscanCursor = "0";
    setPhase(Phase::Streams);
    if (!m_connection)
        return fail(QStringLiteral("no connection"), StreamReader::Error::Connection);

    auto replies = std::make_shared<QList<RedisReply>>();
    const int expected = wholeStore() ? 2 : 3;
    const quint64 generation = m_generation;
    auto collect = [this, replies, expected, generation](const RedisReply &reply) {
        replies->append(reply);
        if (replies->size() == expected)
            onStart(*replies, generation);
    };
    m_connection->send({"TYPE", m_layout.eventsKey}, this, collect);
    m_connection->send({"HLEN", m_layout.eventsKey}, this, collect);
    if (!wholeStore())
        m_connection->send({"TYPE", m_layout.streamKey(m_options.stream)}, this, collect);
}

void Auditor::cancel()
{
    if (!m_running)
        return;
    ++m_generation;
    m_running = false;
    setPhase(Phase::Idle);
    Q_EMIT cancelled();
}

void Auditor::fail(const QString &message, StreamReader::Error kind)
{
    m_failure = kind;
    ++m_generation;
    m_running = false;
    m_batch.clear();
    setPhase(Phase::Idle);
    Q_EMIT failed(message);
}

void Auditor::setPhase(Phase phase)
{
    if (m_phase == phase)
        return;
    m_phase = phase;
    Q_EMIT phaseChanged(phase);
}

void Auditor::add(AuditCheck check, const QByteArray &stream, qint64 version, const QByteArray &id,
                  const QString &detail)
{
    ++m_summary.counts[size_t(check)];
    qint64 &delivered = m_delivered[size_t(check)];
    if (m_options.maxFindingsPerCheck > 0 && delivered >= m_options.maxFindingsPerCheck)
        return;
    ++delivered;
    m_batch.append(AuditFinding{check, stream, version, id, detail});
}

void Auditor::flush()
{
    if (m_batch.isEmpty())
        return;
    const QList<AuditFinding> batch = std::exchange(m_batch, {});
    Q_EMIT findings(batch);
}

void Auditor::reportProgress(bool force)
{
    if (!force && m_progressClock.elapsed() < ProgressIntervalMs)
        return;
    m_progressClock.restart();
    // Work: every list entry (about HLEN of them) and every commit.
    const qint64 total = wholeStore() ? 2 * m_hlen : m_summary.references * 2;
    const qint64 done = qMin(m_summary.references, wholeStore() ? m_hlen : m_summary.references) + m_commitsRead;
    Q_EMIT progress(qMin(done, total), total);
}

QByteArrayView Auditor::streamView(quint32 index) const
{
    if (index == 0 || index >= m_nameEnds.size())
        return {};
    const quint32 from = m_nameEnds[index - 1];
    return QByteArrayView(m_names).sliced(from, m_nameEnds[index] - from);
}

QByteArray Auditor::streamName(quint32 index) const
{
    return streamView(index).toByteArray();
}

quint32 Auditor::addStream(const QByteArray &name)
{
    m_names += name;
    m_nameEnds.push_back(quint32(m_names.size()));
    return quint32(m_nameEnds.size() - 1);
}

void Auditor::onStart(const QList<RedisReply> &replies, quint64 generation)
{
    if (!alive(generation))
        return;
    const QByteArray hashType = replies.at(0).text;
    if (!replies.at(0).isBad() && hashType != "hash" && hashType != "none")
        return fail(QStringLiteral("the events key %1 is a %2, not a hash")
                        .arg(quoted(m_layout.eventsKey), QString::fromUtf8(hashType)),
                    StreamReader::Error::WrongType);
    for (const RedisReply &reply : replies) {
        if (reply.isBad())
            return fail(QStringLiteral("cannot start the audit: %1").arg(QString::fromUtf8(reply.text)));
    }
    m_hlen = replies.at(1).integer;
    m_summary.commits = m_hlen;
    m_refs.assign(size_t(m_hlen + 1), Ref{});
    if (m_zilverline && m_json)
        m_refNameHashes.assign(size_t(m_hlen + 1), 0);
    if (wholeStore()) {
        scanNext();
        return;
    }
    const QByteArray streamType = replies.at(2).text;
    const QByteArray key = m_layout.streamKey(m_options.stream);
    if (streamType == "none")
        return fail(QStringLiteral("no stream %1 (no key %2)").arg(quoted(m_options.stream), quoted(key)),
                    StreamReader::Error::NoSuchStream);
    if (streamType != "list")
        return fail(
            QStringLiteral("the key %1 is a %2, not a stream (a list)").arg(quoted(key), QString::fromUtf8(streamType)),
            StreamReader::Error::WrongType);
    m_scanDone = true;
    m_pendingKeys.push_back(key);
    pumpLists();
}

void Auditor::scanNext()
{
    m_scanInFlight = true;
    RedisCommand scan = {"SCAN", m_cursor, "MATCH", m_layout.streamPattern, "COUNT", "1000"};
    if (m_typeFilter)
        scan << "TYPE"
             << "list";
    const quint64 generation = m_generation;
    m_connection->send(scan, this, [this, generation](const RedisReply &reply) { onScan(reply, generation); });
}

void Auditor::onScan(const RedisReply &reply, quint64 generation)
{
    if (!alive(generation))
        return;
    m_scanInFlight = false;
    if (reply.isError() && m_typeFilter && reply.text.contains("syntax")) {
        // Redis before 6.0: no SCAN ... TYPE; LRANGE then answers WRONGTYPE for keys that are not lists.
        m_typeFilter = false;
        scanNext();
        return;
    }
    if (reply.isBad() || !reply.isArray() || reply.elements.size() != 2 || !reply.elements.at(1).isArray())
        return fail(QStringLiteral("cannot list streams: %1").arg(QString::fromUtf8(reply.describe())));
    m_cursor = reply.elements.at(0).text;
    m_scanDone = m_cursor == "0";
    for (const RedisReply &key : reply.elements.at(1).elements) {
        if (key.text == m_layout.eventsKey)
            continue;
        // 64-bit hashes rather than the keys: a collision (odds ~1e-9 at 100k streams) would skip one list.
        if (!m_seenKeys.insert(qHash(key.text, size_t(0x5eed))).second)
            continue;
        m_pendingKeys.push_back(key.text);
    }
    pumpLists();
}

void Auditor::pumpLists()
{
    while (m_running && m_listsInFlight < m_options.window && !m_pendingKeys.empty()) {
        auto job = std::make_shared<ListJob>();
        job->key = std::move(m_pendingKeys.front());
        job->name = m_layout.streamName(job->key);
        m_pendingKeys.pop_front();
        ++m_listsInFlight;
        requestChunk(job);
    }
    // Keep a SCAN page ahead of the readers, no more.
    if (m_running && !m_scanDone && !m_scanInFlight && m_pendingKeys.size() < 1000)
        scanNext();
    maybeListsDone();
}

void Auditor::requestChunk(const std::shared_ptr<ListJob> &job)
{
    const quint64 generation = m_generation;
    m_connection->send({"LRANGE", job->key, QByteArray::number(job->offset),
                        QByteArray::number(job->offset + m_options.listChunk - 1)},
                       this, [this, job, generation](const RedisReply &reply) { onChunk(job, reply, generation); });
}

void Auditor::onChunk(const std::shared_ptr<ListJob> &job, const RedisReply &reply, quint64 generation)
{
    if (!alive(generation))
        return;
    if (reply.isFailure())
        return fail(QStringLiteral("cannot read %1: %2").arg(quoted(job->name), QString::fromUtf8(reply.text)));
    if (reply.isError() || !reply.isArray()) {
        // The key changed type or vanished meanwhile (or SCAN had no TYPE filter): not a stream to audit.
        --m_listsInFlight;
        return pumpLists();
    }
    const QList<RedisReply> &entries = reply.elements;
    if (job->offset == 0) {
        if (entries.isEmpty()) {
            --m_listsInFlight;
            return pumpLists();
        }
        // A list whose first page is mostly not ids is a work queue or the like: report it once, not per entry.
        qsizetype foreign = 0;
        for (const RedisReply &entry : entries) {
            if (!m_layout.idNumber(entry.text))
                ++foreign;
        }
        if (foreign * 2 > entries.size()) {
            const QByteArray first = entries.first().text.left(60);
            auto report = [this, job, first](qint64 length) {
                add(AuditCheck::NotAStream, job->name, 0, {},
                    QStringLiteral("a list of %1 entries that are not commit ids of this layout (the first: %2); a "
                                   "work queue beside the streams? Not audited as a stream")
                        .arg(length)
                        .arg(quoted(first)));
            };
            if (entries.size() < m_options.listChunk) {
                report(entries.size());
            } else {
                ++m_miscInFlight;
                m_connection->send({"LLEN", job->key}, this, [this, report, generation](const RedisReply &length) {
                    if (!alive(generation))
                        return;
                    --m_miscInFlight;
                    report(length.integer);
                    flush();
                    maybeListsDone();
                });
            }
            --m_listsInFlight;
            flush();
            return pumpLists();
        }
        job->index = addStream(job->name);
        job->nameHash = nameHash(job->name);
        ++m_summary.streams;
    }

    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QByteArray &id = entries.at(i).text;
        const qint64 version = job->offset + i + 1;
        ++m_summary.references;
        const std::optional<qint64> number = m_layout.idNumber(id);
        if (number) {
            if (*number < job->lastNumber) // equal: a duplicate-ref, reported below
                add(AuditCheck::Order, job->name, version, id,
                    QStringLiteral("%1 follows %2 (version %3): ids in a stream must increase")
                        .arg(QString::fromUtf8(id), QString::fromUtf8(job->lastId))
                        .arg(version - 1));
            job->lastNumber = *number;
            job->lastId = id;
        }
        if (!number || *number > m_hlen) {
            checkOutsideRef(job, id, version);
            continue;
        }
        Ref &ref = m_refs[size_t(*number)];
        if (ref.stream == 0) {
            ref = Ref{job->index, quint32(qMin<qint64>(version, std::numeric_limits<quint32>::max()))};
            if (!m_refNameHashes.empty())
                m_refNameHashes[size_t(*number)] = job->nameHash;
        } else if (ref.stream == job->index) {
            add(AuditCheck::DuplicateRef, job->name, version, id,
                QStringLiteral("%1 is listed twice in this stream: also at version %2")
                    .arg(QString::fromUtf8(id))
                    .arg(ref.version));
        } else {
            add(AuditCheck::DuplicateRef, job->name, version, id,
                QStringLiteral("%1 is also listed in stream %2 at version %3")
                    .arg(QString::fromUtf8(id), quoted(streamName(ref.stream)))
                    .arg(ref.version));
        }
    }
    job->offset += entries.size();
    flush();
    reportProgress();
    if (entries.size() >= m_options.listChunk) {
        requestChunk(job);
        return;
    }
    --m_listsInFlight;
    pumpLists();
}

void Auditor::checkOutsideRef(const std::shared_ptr<ListJob> &job, const QByteArray &id, qint64 version)
{
    const auto it = m_outsideRefs.constFind(id);
    if (it != m_outsideRefs.cend()) {
        if (it->stream == job->index)
            add(AuditCheck::DuplicateRef, job->name, version, id,
                QStringLiteral("%1 is listed twice in this stream: also at version %2")
                    .arg(QString::fromUtf8(id))
                    .arg(it->version));
        else
            add(AuditCheck::DuplicateRef, job->name, version, id,
                QStringLiteral("%1 is also listed in stream %2 at version %3")
                    .arg(QString::fromUtf8(id), quoted(streamName(it->stream)))
                    .arg(it->version));
        return;
    }
    m_outsideRefs.insert(id, Ref{job->index, quint32(qMin<qint64>(version, std::numeric_limits<quint32>::max()))});
    ++m_miscInFlight;
    const quint64 generation = m_generation;
    const QByteArray name = job->name;
    m_connection->send(
        {"HEXISTS", m_layout.eventsKey, id}, this, [this, name, id, version, generation](const RedisReply &reply) {
            if (!alive(generation))
                return;
            --m_miscInFlight;
            if (reply.isFailure())
                return fail(QStringLiteral("cannot check %1: %2").arg(quoted(id), QString::fromUtf8(reply.text)));
            if (reply.isInteger() && reply.integer == 0)
                add(AuditCheck::DanglingRef, name, version, id,
                    QStringLiteral("%1 is listed but not in the hash %2").arg(quoted(id), quoted(m_layout.eventsKey)));
            flush();
            maybeListsDone();
        });
}

void Auditor::maybeListsDone()
{
    if (!m_running || m_phase != Phase::Streams)
        return;
    if (!m_scanDone || m_scanInFlight || !m_pendingKeys.empty() || m_listsInFlight > 0 || m_miscInFlight > 0)
        return;
    startCommits();
}

void Auditor::startCommits()
{
    setPhase(Phase::Commits);
    m_nextNumber = 1;
    pumpCommits();
}

void Auditor::pumpCommits()
{
    while (m_running && m_commitsInFlight < m_options.commitWindow && m_nextNumber <= m_hlen) {
        QList<qint64> numbers;
        numbers.reserve(m_options.hashChunk);
        RedisCommand hmget;
        hmget.reserve(m_options.hashChunk + 2);
        hmget << "HMGET" << m_layout.eventsKey;
        // A one-stream audit reads only the commits that stream lists.
        while (m_nextNumber <= m_hlen && numbers.size() < m_options.hashChunk) {
            if (wholeStore() || m_refs[size_t(m_nextNumber)].stream != 0) {
                numbers.append(m_nextNumber);
                hmget.append(m_layout.idFor(m_nextNumber));
            }
            ++m_nextNumber;
        }
        if (numbers.isEmpty())
            break;
        ++m_commitsInFlight;
        const quint64 generation = m_generation;
        m_connection->send(hmget, this, [this, numbers, generation](const RedisReply &reply) {
            onCommits(numbers, reply, generation);
        });
    }
    if (m_running && m_commitsInFlight == 0 && m_nextNumber > m_hlen) {
        if (wholeStore() && m_present < m_hlen)
            startLeftovers();
        else
            finish();
    }
}

void Auditor::onCommits(const QList<qint64> &numbers, const RedisReply &reply, quint64 generation)
{
    if (!alive(generation))
        return;
    if (reply.isBad() || !reply.isArray() || reply.elements.size() != numbers.size())
        return fail(QStringLiteral("cannot read the commits: %1").arg(QString::fromUtf8(reply.describe())));
    --m_commitsInFlight;
    for (qsizetype i = 0; i < numbers.size(); ++i) {
        const qint64 number = numbers.at(i);
        const QByteArray id = m_layout.idFor(number);
        const RedisReply &payload = reply.elements.at(i);
        const Ref ref = m_refs[size_t(number)];
        ++m_commitsRead;
        if (payload.isNil()) {
            if (wholeStore())
                add(AuditCheck::IdGap, {}, 0, id,
                    QStringLiteral("%1 is missing from the hash although HLEN is %2: ids are not dense from 1 to HLEN "
                                   "(a field was deleted?)")
                        .arg(quoted(id))
                        .arg(m_hlen));
            if (ref.stream != 0)
                add(AuditCheck::DanglingRef, streamName(ref.stream), ref.version, id,
                    QStringLiteral("%1 is listed but not in the hash %2").arg(quoted(id), quoted(m_layout.eventsKey)));
            continue;
        }
        ++m_present;
        if (wholeStore() && ref.stream == 0)
            add(AuditCheck::Orphan, {}, 0, id,
                QStringLiteral("%1 (%2 bytes) is in the hash but no stream lists it")
                    .arg(quoted(id))
                    .arg(payload.text.size()));
        checkPayload(id, number, payload.text, ref, true);
    }
    flush();
    reportProgress();
    if (alive(generation))
        pumpCommits();
}

void Auditor::checkPayload(const QByteArray &id, qint64 number, const QByteArray &payload, const Ref &ref,
                           bool inIdOrder)
{
    if (!m_json)
        return;
    // Names are made only for findings: this runs once per commit.
    const auto stream = [this, &ref] {
        return streamName(ref.stream);
    };
    const qint64 version = ref.stream ? ref.version : 0;
    if (!m_zilverline) {
        if (classifyPayload(payload) != PayloadEncoding::Json)
            add(AuditCheck::BadPayload, stream(), version, id,
                QStringLiteral("the payload (%1 bytes) is not JSON").arg(payload.size()));
        return;
    }
    const CommitRecordFields record = readCommitRecord(payload);
    if (!record.isObject) {
        add(AuditCheck::BadPayload, stream(), version, id,
            QStringLiteral("the payload (%1 bytes) is not a JSON object: a zilverline commit record is one")
                .arg(payload.size()));
        return;
    }
    if (!record.storeRevision || !record.streamRevision || !record.streamId) {
        add(AuditCheck::BadPayload, stream(), version, id,
            QStringLiteral("JSON, but not a commit record: no numeric storeRevision, streamRevision or no streamId"));
        return;
    }
    QStringList differences;
    if (number > 0 && *record.storeRevision != number)
        differences.append(QStringLiteral("storeRevision %1 is not the id %2").arg(*record.storeRevision).arg(number));
    if (ref.stream != 0) {
        if (*record.streamRevision != ref.version)
            differences.append(QStringLiteral("streamRevision %1 is not its version %2 in the stream")
                                   .arg(*record.streamRevision)
                                   .arg(ref.version));
        // In id order the hash kept with the reference is read sequentially; the name itself lies at a random
        // place in the arena (a cache miss per commit), so it is read only when the hashes differ.
        bool differs;
        if (number >= 1 && number <= m_hlen && size_t(number) < m_refNameHashes.size()) {
            differs = nameHash(*record.streamId) != m_refNameHashes[size_t(number)];
        } else {
            const QByteArrayView listed = streamView(ref.stream);
            differs = record.streamId->size() != listed.size()
                      || std::memcmp(record.streamId->constData(), listed.data(), size_t(listed.size())) != 0;
        }
        if (differs)
            differences.append(QStringLiteral("streamId %1 is not the stream %2 that lists it")
                                   .arg(quoted(*record.streamId), quoted(stream())));
    }
    if (!differences.isEmpty())
        add(AuditCheck::RevisionMismatch, stream(), version, id, differences.join(QStringLiteral("; ")));
    if (record.timestamp && inIdOrder) {
        if (m_prevTimestamp && *record.timestamp < *m_prevTimestamp)
            add(AuditCheck::TimeRegression, stream(), version, id,
                QStringLiteral("timestamp %1 is %2 ms earlier than %3 of the commit before it (%4): a writer's clock "
                               "is behind?")
                    .arg(*record.timestamp)
                    .arg(*m_prevTimestamp - *record.timestamp)
                    .arg(*m_prevTimestamp)
                    .arg(quoted(m_prevId)));
        m_prevTimestamp = record.timestamp;
        m_prevId = id;
    }
}

void Auditor::startLeftovers()
{
    setPhase(Phase::Leftovers);
    m_hscanCursor = "0";
    const quint64 generation = m_generation;
    m_connection->send({"HSCAN", m_layout.eventsKey, m_hscanCursor, "COUNT", "1000"}, this,
                       [this, generation](const RedisReply &reply) { onLeftovers(reply, generation); });
}

void Auditor::onLeftovers(const RedisReply &reply, quint64 generation)
{
    if (!alive(generation))
        return;
    if (reply.isBad() || !reply.isArray() || reply.elements.size() != 2 || !reply.elements.at(1).isArray())
        return fail(QStringLiteral("cannot scan the hash: %1").arg(QString::fromUtf8(reply.describe())));
    m_hscanCursor = reply.elements.at(0).text;
    const QList<RedisReply> &pairs = reply.elements.at(1).elements;
    for (qsizetype i = 0; i + 1 < pairs.size(); i += 2) {
        const QByteArray &field = pairs.at(i).text;
        const std::optional<qint64> number = m_layout.idNumber(field);
        if (number && *number <= m_hlen)
            continue; // seen in the commits phase
        // HSCAN may return a field twice; fields outside 1..HLEN are few (HLEN minus the ids found), so remember them.
        if (m_leftoversSeen.contains(field))
            continue;
        m_leftoversSeen.insert(field);
        const Ref ref = m_outsideRefs.value(field);
        const QByteArray stream = streamName(ref.stream);
        if (number) {
            add(AuditCheck::IdGap, stream, ref.stream ? ref.version : 0, field,
                *number == m_hlen + 1
                    ? QStringLiteral("%1 lies beyond HLEN %2 and is the id the next commit takes: a writer using "
                                     "HLEN + 1 will overwrite it")
                          .arg(quoted(field))
                          .arg(m_hlen)
                    : QStringLiteral("%1 lies beyond HLEN %2: ids are not dense (a field was deleted?)")
                          .arg(quoted(field))
                          .arg(m_hlen));
        } else {
            add(AuditCheck::ForeignId, stream, ref.stream ? ref.version : 0, field,
                QStringLiteral("the hash field %1 is not a commit id of this layout (%2<number>)")
                    .arg(quoted(field.left(80)), QString::fromUtf8(m_layout.idPrefix)));
        }
        if (ref.stream == 0)
            add(AuditCheck::Orphan, {}, 0, field,
                QStringLiteral("%1 (%2 bytes) is in the hash but no stream lists it")
                    .arg(quoted(field.left(80)))
                    .arg(pairs.at(i + 1).text.size()));
        if (number) // a foreign field is not a commit: its payload promises nothing
            checkPayload(field, *number, pairs.at(i + 1).text, ref, false);
    }
    flush();
    if (!alive(generation))
        return;
    if (m_hscanCursor == "0")
        return finish();
    m_connection->send({"HSCAN", m_layout.eventsKey, m_hscanCursor, "COUNT", "1000"}, this,
                       [this, generation](const RedisReply &next) { onLeftovers(next, generation); });
}

void Auditor::finish()
{
    if (wholeStore() && m_summary.references != m_hlen)
        add(AuditCheck::CountMismatch, {}, 0, {},
            QStringLiteral("the streams list %1 ids in all, but the hash holds %2 commits (HLEN)")
                .arg(m_summary.references)
                .arg(m_hlen));
    flush();
    if (!m_running)
        return;
    reportProgress(true);
    m_running = false;
    m_refs = {};
    m_refNameHashes = {};
    m_outsideRefs = {};
    m_leftoversSeen = {};
    m_seenKeys = {};
    setPhase(Phase::Idle);
    Q_EMIT finished(m_summary);
}

} // namespace Eventscope
