#include "streamreader.h"

#include "redisconnection.h"

#include <memory>

namespace Eventscope {

namespace {

QString quoted(const QByteArray &name)
{
    return QLatin1Char('"') + QString::fromUtf8(name) + QLatin1Char('"');
}

} // namespace

StreamReader::StreamReader(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

void StreamReader::start(const Request &request)
{
    ++m_generation;
    m_request = request;
    m_request.pageSize = qMax(1, m_request.pageSize);
    m_request.window = qMax(1, m_request.window);
    m_request.from = qMax<qint64>(1, m_request.from);
    m_running = true;
    m_delivered = 0;
    m_inFlight = 0;
    m_key = isAll() ? m_layout.eventsKey : m_layout.streamKey(request.stream);
    if (!m_connection) {
        stopWith(Error::Connection, QStringLiteral("no connection"));
        return;
    }

    // TYPE of the stream and of the hash, and the length, in one round trip.
    auto replies = std::make_shared<QList<RedisReply>>();
    const quint64 generation = m_generation;
    auto collect = [this, replies, generation](const RedisReply &reply) {
        replies->append(reply);
        if (replies->size() == 3)
            onLength(replies->at(0), replies->at(1), replies->at(2), generation);
    };
    m_connection->send({"TYPE", m_key}, this, collect);
    m_connection->send({"TYPE", m_layout.eventsKey}, this, collect);
    m_connection->send({isAll() ? QByteArray("HLEN") : QByteArray("LLEN"), m_key}, this, collect);
}

void StreamReader::cancel()
{
    ++m_generation;
    m_running = false;
}

void StreamReader::stopWith(Error error, const QString &message)
{
    ++m_generation;
    m_running = false;
    Q_EMIT failed(error, message);
}

void StreamReader::onLength(const RedisReply &typeReply, const RedisReply &eventsType, const RedisReply &length,
                            quint64 generation)
{
    if (generation != m_generation)
        return;
    for (const RedisReply *reply : {&typeReply, &eventsType, &length}) {
        if (reply->isFailure())
            return stopWith(Error::Connection, QString::fromUtf8(reply->text));
    }
    if (eventsType.text != "hash" && eventsType.text != "none")
        return stopWith(Error::WrongType, QStringLiteral("the events key %1 is a %2, not a hash")
                                              .arg(quoted(m_layout.eventsKey), QString::fromUtf8(eventsType.text)));
    if (!isAll()) {
        if (typeReply.text == "none")
            return stopWith(Error::NoSuchStream,
                            QStringLiteral("no stream %1 (no key %2)").arg(quoted(m_request.stream), quoted(m_key)));
        if (typeReply.text != "list")
            return stopWith(Error::WrongType, QStringLiteral("the key %1 is a %2, not a stream (a list)")
                                                  .arg(quoted(m_key), QString::fromUtf8(typeReply.text)));
    }
    if (length.isBad())
        return stopWith(Error::Other, QString::fromUtf8(length.text));
    m_length = length.integer;
    m_next = m_request.from;
    m_last = m_request.count < 0 ? m_length : qMin(m_length, m_request.from + m_request.count - 1);
    pump();
}

void StreamReader::pump()
{
    while (m_running && m_inFlight < m_request.window && m_next <= m_last) {
        const qint64 first = m_next;
        const qint64 last = qMin(m_last, first + m_request.pageSize - 1);
        m_next = last + 1;
        requestPage(first, last);
    }
    if (m_running && m_inFlight == 0 && m_next > m_last) {
        m_running = false;
        Q_EMIT finished(m_delivered);
    }
}

StreamReader::Error StreamReader::errorOf(const RedisReply &reply)
{
    if (reply.isFailure())
        return Error::Connection;
    return reply.errorCode() == "WRONGTYPE" ? Error::WrongType : Error::Other;
}

void StreamReader::requestPayloads(qint64 first, const QList<QByteArray> &ids, quint64 generation)
{
    RedisCommand hmget;
    hmget.reserve(ids.size() + 2);
    hmget << "HMGET" << m_layout.eventsKey;
    hmget.append(ids);
    m_connection->send(hmget, this, [this, first, ids, generation](const RedisReply &reply) {
        onPayloads(first, ids, reply, generation);
    });
}

void StreamReader::requestPage(qint64 first, qint64 last)
{
    ++m_inFlight;
    const quint64 generation = m_generation;
    if (isAll()) {
        QList<QByteArray> ids;
        ids.reserve(last - first + 1);
        for (qint64 n = first; n <= last; ++n)
            ids.append(m_layout.idFor(n));
        requestPayloads(first, ids, generation);
        return;
    }
    m_connection->send(
        {"LRANGE", m_key, QByteArray::number(first - 1), QByteArray::number(last - 1)}, this,
        [this, first, generation](const RedisReply &range) {
            if (generation != m_generation)
                return;
            if (range.isBad() || !range.isArray())
                return stopWith(
                    errorOf(range),
                    QStringLiteral("cannot read %1: %2").arg(quoted(m_request.stream), QString::fromUtf8(range.text)));
            QList<QByteArray> ids;
            ids.reserve(range.elements.size());
            for (const RedisReply &id : range.elements)
                ids.append(id.text);
            if (ids.isEmpty()) // trimmed meanwhile
                return onPayloads(first, ids, RedisReply{RedisReply::Type::Array, 0, {}, {}}, generation);
            requestPayloads(first, ids, generation);
        });
}

void StreamReader::onPayloads(qint64 first, const QList<QByteArray> &ids, const RedisReply &reply, quint64 generation)
{
    if (generation != m_generation)
        return;
    if (reply.isBad() || !reply.isArray() || reply.elements.size() != ids.size())
        return stopWith(errorOf(reply), QStringLiteral("cannot read the payloads of %1: %2")
                                            .arg(quoted(m_request.stream), QString::fromUtf8(reply.describe())));
    --m_inFlight;
    QList<EventRecord> records;
    records.reserve(ids.size());
    const QByteArray stream = isAll() ? QByteArray(AllStreamName) : m_request.stream;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const RedisReply &payload = reply.elements.at(i);
        records.append(EventRecord{stream, first + i, ids.at(i), payload.text, payload.isNil()});
    }
    m_delivered += records.size();
    const quint64 before = m_generation;
    Q_EMIT page(records);
    if (before == m_generation)
        pump();
}

} // namespace Eventscope
