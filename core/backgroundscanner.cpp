#include "backgroundscanner.h"

#include "redisconnection.h"

namespace Eventscope {

BackgroundScanner::BackgroundScanner(ConnectionOptions options, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_worker(std::move(options), QStringLiteral("scan"),
               [this, &layout](RedisConnection *connection, QObject *context) {
                   m_scanner = new StreamScanner(connection, std::move(layout), context);
               })
{}

BackgroundScanner::~BackgroundScanner()
{
    m_worker.stop(); // before the members its queued work uses go
}

void BackgroundScanner::start(const QByteArray &pattern)
{
    const quint64 generation = ++m_generation;
    m_running = true;
    m_found = 0;
    // The scanner's signals are connected anew for each scan, carrying its generation, so that whatever an earlier
    // scan left in this thread's event queue is recognised and dropped.
    m_worker.run([this, pattern, generation](RedisConnection *, QObject *) {
        m_scanner->disconnect(this);
        connect(m_scanner, &StreamScanner::batch, this, [this, generation](const QList<StreamInfo> &streams) {
            if (generation != m_generation)
                return;
            m_found += streams.size();
            Q_EMIT batch(streams);
        });
        connect(m_scanner, &StreamScanner::finished, this, [this, generation] {
            if (generation != m_generation)
                return;
            m_running = false;
            Q_EMIT finished();
        });
        connect(m_scanner, &StreamScanner::failed, this, [this, generation](const QString &message) {
            if (generation != m_generation)
                return;
            m_running = false;
            Q_EMIT failed(message);
        });
        m_scanner->start(pattern);
    });
}

void BackgroundScanner::stop()
{
    ++m_generation;
    m_running = false;
    QMetaObject::invokeMethod(m_worker.context(), [this] { m_scanner->stop(); });
}

} // namespace Eventscope
