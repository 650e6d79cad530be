#pragma once

#include "storelayout.h"

#include <QList>
#include <QObject>
#include <QPointer>

namespace Eventscope {

class RedisConnection;
struct RedisReply;

struct StreamInfo
{
    QByteArray key;
    QByteArray name;
    qint64 version = 0;
};

// Lists the streams of a store by incremental SCAN (MATCH, TYPE list, bounded COUNT) and reads their versions
// with pipelined LLEN. Batches arrive in SCAN order while the scan goes on; SCAN may repeat a key, so consumers
// that need uniqueness de-duplicate by key.
class StreamScanner final : public QObject
{
    Q_OBJECT
public:
    StreamScanner(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    // pattern: a MATCH glob over stream names (the layout's prefix is put in front); empty means all streams.
    void start(const QByteArray &pattern = {});
    void stop();
    bool isRunning() const { return m_running; }
    void setCount(int count) { m_count = count; }
    qint64 found() const { return m_found; }

Q_SIGNALS:
    void batch(const QList<Eventscope::StreamInfo> &streams);
    void finished();
    void failed(const QString &message);

private:
    void scanNext();
    void onScanReply(const RedisReply &reply, quint64 generation);

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    QByteArray m_match;
    QByteArray m_cursor = "0";
    int m_count = 1000;
    bool m_running = false;
    bool m_typeFilter = true;
    quint64 m_generation = 0;
    qint64 m_found = 0;
    int m_batchesInFlight = 0;
    bool m_scanDone = false;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::StreamInfo)
