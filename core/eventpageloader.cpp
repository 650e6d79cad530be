#include "eventpageloader.h"

#include "redisconnection.h"

#include <memory>

namespace Eventscope {

namespace {

QString describeFailure(const RedisReply &reply)
{
    if (reply.errorCode() == "WRONGTYPE")
        return QStringLiteral("wrong key type: %1").arg(QString::fromUtf8(reply.text));
    return QString::fromUtf8(reply.text);
}

} // namespace

EventPageLoader::EventPageLoader(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

RedisConnection *EventPageLoader::connection() const
{
    return m_connection;
}

void EventPageLoader::load(const QByteArray &stream, qint64 first, qint64 last, const QObject *owner, Callback callback)
{
    if (!m_connection || last < first) {
        callback({}, m_connection ? QString() : QStringLiteral("no connection"));
        return;
    }
    if (stream == AllStreamName) {
        QList<QByteArray> ids;
        ids.reserve(last - first + 1);
        for (qint64 n = first; n <= last; ++n)
            ids.append(m_layout.idFor(n));
        loadIds(ids, first, owner, std::move(callback));
        return;
    }
    QPointer<const QObject> guard(owner);
    m_connection->send(
        {"LRANGE", m_layout.streamKey(stream), QByteArray::number(first - 1), QByteArray::number(last - 1)}, owner,
        [this, first, guard, callback](const RedisReply &range) {
            if (!guard)
                return;
            if (range.isBad() || !range.isArray())
                return callback({}, describeFailure(range));
            QList<QByteArray> ids;
            ids.reserve(range.elements.size());
            for (const RedisReply &id : range.elements)
                ids.append(id.text);
            loadIds(ids, first, guard.data(), callback);
        });
}

void EventPageLoader::loadIds(const QList<QByteArray> &ids, qint64 first, const QObject *owner, Callback callback)
{
    auto events = std::make_shared<QList<LoadedEvent>>(ids.size());
    if (ids.isEmpty())
        return callback({}, {});
    auto left = std::make_shared<qsizetype>(ids.size());
    auto failure = std::make_shared<QString>();
    QPointer<const QObject> guard(owner);
    const qint64 limit = m_payloadLimit;
    auto fetchSmall = [this, events, failure, guard, callback] {
        if (!guard)
            return;
        if (!failure->isEmpty())
            return callback({}, *failure);
        RedisCommand hmget = {"HMGET", m_layout.eventsKey};
        QList<qsizetype> wanted;
        for (qsizetype i = 0; i < events->size(); ++i) {
            if (events->at(i).payloadLoaded) {
                hmget.append(events->at(i).id);
                wanted.append(i);
            }
        }
        if (wanted.isEmpty())
            return callback(*events, {});
        m_connection->send(hmget, guard.data(), [events, wanted, callback](const RedisReply &reply) {
            if (reply.isBad() || reply.elements.size() != wanted.size())
                return callback({}, describeFailure(reply));
            for (qsizetype i = 0; i < wanted.size(); ++i) {
                LoadedEvent &event = (*events)[wanted.at(i)];
                const RedisReply &payload = reply.elements.at(i);
                event.missing = payload.isNil();
                event.payloadLoaded = !event.missing;
                event.payload = payload.text;
                event.size = payload.text.size();
            }
            callback(*events, {});
        });
    };
    for (qsizetype i = 0; i < ids.size(); ++i) {
        (*events)[i].version = first + i;
        (*events)[i].id = ids.at(i);
        m_connection->send({"HSTRLEN", m_layout.eventsKey, ids.at(i)}, owner,
                           [events, left, failure, i, limit, fetchSmall](const RedisReply &length) {
                               if (length.isBad() && failure->isEmpty())
                                   *failure = describeFailure(length);
                               LoadedEvent &event = (*events)[i];
                               event.size = length.integer;
                               // 0 is a missing field or an empty payload: HMGET tells which.
                               event.payloadLoaded = length.integer <= limit;
                               if (--*left == 0)
                                   fetchSmall();
                           });
    }
}

void EventPageLoader::loadPayload(const QByteArray &id, const QObject *owner,
                                  std::function<void(const QByteArray &, bool, const QString &)> callback)
{
    if (!m_connection)
        return callback({}, false, QStringLiteral("no connection"));
    m_connection->send({"HGET", m_layout.eventsKey, id}, owner, [callback](const RedisReply &reply) {
        if (reply.isBad())
            return callback({}, false, describeFailure(reply));
        callback(reply.text, reply.isNil(), {});
    });
}

} // namespace Eventscope
