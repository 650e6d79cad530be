#include "backgroundscanner.h"

#include "redisconnection.h"

namespace Eventscope {

BackgroundScanner::BackgroundScanner(ConnectionOptions options, StoreLayout layout, QObject *parent)
    : QObject(parent)
{
    options.clientName += QStringLiteral("-scan");
    m_worker = new QObject;
    m_connection = new RedisConnection(std::move(options), m_worker);
    m_scanner = new StreamScanner(m_connection, std::move(layout), m_worker);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("eventscope-scan"));
    m_thread.start();
}

BackgroundScanner::~BackgroundScanner()
{
    m_thread.quit();
    m_thread.wait();
}

void BackgroundScanner::start(const QByteArray &pattern)
{
    const quint64 generation = ++m_generation;
    m_running = true;
    m_found = 0;
    // The scanner's signals are connected anew for each scan, carrying its generation, so that whatever an earlier
    // scan left in this thread's event queue is recognised and dropped.
    QMetaObject::invokeMethod(m_worker, [this, pattern, generation] {
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
        if (m_connection->state() == RedisConnection::State::Disconnected
            || m_connection->state() == RedisConnection::State::Failed)
            m_connection->open();
        m_scanner->start(pattern);
    });
}

void BackgroundScanner::stop()
{
    ++m_generation;
    m_running = false;
    QMetaObject::invokeMethod(m_worker, [this] { m_scanner->stop(); });
}

} // namespace Eventscope
