#include "streamscanner.h"

#include "redisconnection.h"

#include <memory>

namespace Eventscope {

StreamScanner::StreamScanner(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

void StreamScanner::start(const QByteArray &pattern)
{
    ++m_generation;
    m_match = pattern.isEmpty() ? m_layout.streamPattern : m_layout.streamPrefix + pattern;
    m_cursor = "0";
    m_running = true;
    m_scanDone = false;
    m_found = 0;
    m_batchesInFlight = 0;
    scanNext();
}

void StreamScanner::stop()
{
    ++m_generation;
    m_running = false;
}

void StreamScanner::scanNext()
{
    if (!m_connection)
        return;
    RedisCommand scan = {"SCAN", m_cursor, "MATCH", m_match, "COUNT", QByteArray::number(m_count)};
    if (m_typeFilter)
        scan << "TYPE"
             << "list";
    const quint64 generation = m_generation;
    m_connection->send(scan, this, [this, generation](const RedisReply &reply) { onScanReply(reply, generation); });
}

void StreamScanner::onScanReply(const RedisReply &reply, quint64 generation)
{
    if (generation != m_generation)
        return;
    if (reply.isError() && m_typeFilter && reply.text.contains("syntax")) {
        // Redis before 6.0 has no SCAN ... TYPE; LLEN below rejects keys that are not lists.
        m_typeFilter = false;
        scanNext();
        return;
    }
    if (reply.isBad() || !reply.isArray() || reply.elements.size() != 2 || !reply.elements.at(1).isArray()) {
        m_running = false;
        Q_EMIT failed(QStringLiteral("cannot list streams: %1").arg(QString::fromUtf8(reply.describe())));
        return;
    }
    m_cursor = reply.elements.at(0).text;
    m_scanDone = m_cursor == "0";
    const QList<RedisReply> &keys = reply.elements.at(1).elements;

    // Versions for this batch, pipelined; the next SCAN goes out right behind them.
    auto streams = std::make_shared<QList<StreamInfo>>();
    auto left = std::make_shared<qsizetype>(keys.size());
    streams->resize(keys.size());
    ++m_batchesInFlight;
    auto finishBatch = [this, streams, generation] {
        if (generation != m_generation)
            return;
        --m_batchesInFlight;
        QList<StreamInfo> found;
        found.reserve(streams->size());
        for (StreamInfo &info : *streams) {
            if (info.version > 0) // 0: the list vanished between SCAN and LLEN
                found.append(std::move(info));
        }
        m_found += found.size();
        if (!found.isEmpty())
            Q_EMIT batch(found);
        if (generation == m_generation && m_scanDone && m_batchesInFlight == 0) {
            m_running = false;
            Q_EMIT finished();
        }
    };
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QByteArray key = keys.at(i).text;
        (*streams)[i] = StreamInfo{key, m_layout.streamName(key), -1};
        m_connection->send({"LLEN", key}, this,
                           [streams, left, i, finishBatch, this, generation](const RedisReply &len) {
                               if (generation != m_generation)
                                   return;
                               if (len.isInteger())
                                   (*streams)[i].version = len.integer;
                               if (--*left == 0)
                                   finishBatch();
                           });
    }
    if (keys.isEmpty())
        finishBatch();
    if (!m_scanDone)
        scanNext();
}

} // namespace Eventscope
