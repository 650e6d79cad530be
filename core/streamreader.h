#pragma once

#include "eventrecord.h"
#include "storelayout.h"

#include <QObject>
#include <QPointer>

namespace Eventscope {

class RedisConnection;
struct RedisReply;

// Reads a stream, or $all, in pages: LRANGE for the ids and HMGET for the payloads, several pages pipelined, so
// memory stays bounded by the page size times the window. Pages arrive in order.
class StreamReader final : public QObject
{
    Q_OBJECT
public:
    enum class Error { None, NoSuchStream, WrongType, Connection, Other };
    Q_ENUM(Error)

    struct Request
    {
        QByteArray stream; // display name, or "$all"
        qint64 from = 1;   // first version, 1-based
        qint64 count = -1; // -1: to the end
        int pageSize = 1000;
        int window = 4; // pages in flight
    };

    StreamReader(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    void start(const Request &request);
    void cancel();
    bool isRunning() const { return m_running; }
    // The stream's length (or HLEN for $all) when the read started.
    qint64 length() const { return m_length; }

Q_SIGNALS:
    void page(const QList<Eventscope::EventRecord> &records);
    void finished(qint64 records);
    void failed(Eventscope::StreamReader::Error error, const QString &message);

private:
    void onLength(const RedisReply &typeReply, const RedisReply &eventsType, const RedisReply &length,
                  quint64 generation);
    void pump();
    void requestPage(qint64 first, qint64 last);
    void requestPayloads(qint64 first, const QList<QByteArray> &ids, quint64 generation);
    static Error errorOf(const RedisReply &reply);
    void onPayloads(qint64 first, const QList<QByteArray> &ids, const RedisReply &reply, quint64 generation);
    void stopWith(Error error, const QString &message);
    bool isAll() const { return m_request.stream == AllStreamName; }

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    Request m_request;
    QByteArray m_key;
    quint64 m_generation = 0;
    bool m_running = false;
    qint64 m_length = 0;
    qint64 m_next = 0; // next version to request
    qint64 m_last = 0; // last version to read
    qint64 m_delivered = 0;
    int m_inFlight = 0;
};

} // namespace Eventscope
