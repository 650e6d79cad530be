#pragma once

#include "storelayout.h"

#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

namespace Eventscope {

class RedisConnection;

struct LoadedEvent
{
    qint64 version = 0;
    QByteArray id;
    qint64 size = 0;            // the payload's full size
    bool missing = false;       // the stream lists the id, the hash has no such field
    bool payloadLoaded = false; // false for payloads above the page limit: fetch them one at a time
    QByteArray payload;
};

// Loads one range of a stream (or $all) for a paged view: LRANGE for the ids, pipelined HSTRLEN for the sizes,
// then HMGET only for the payloads under a size limit, so a page of 48 MiB payloads costs a few bytes each.
class EventPageLoader final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const QList<LoadedEvent> &events, const QString &error)>;

    EventPageLoader(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    const StoreLayout &layout() const { return m_layout; }
    RedisConnection *connection() const;
    void setPayloadLimit(qint64 bytes) { m_payloadLimit = bytes; }
    qint64 payloadLimit() const { return m_payloadLimit; }

    // Versions first..last (1-based, inclusive) of a stream's display name or "$all". The callback runs unless
    // owner is destroyed first.
    void load(const QByteArray &stream, qint64 first, qint64 last, const QObject *owner, Callback callback);
    // One payload in full, whatever its size.
    void loadPayload(const QByteArray &id, const QObject *owner,
                     std::function<void(const QByteArray &payload, bool missing, const QString &error)> callback);

private:
    void loadIds(const QList<QByteArray> &ids, qint64 first, const QObject *owner, Callback callback);

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    qint64 m_payloadLimit = 256 * 1024;
};

} // namespace Eventscope
