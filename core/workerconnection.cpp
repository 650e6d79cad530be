#include "workerconnection.h"

#include "redisconnection.h"

namespace Eventscope {

WorkerConnection::WorkerConnection(ConnectionOptions options, const QString &name, const Work &setUp)
{
    options.clientName += QLatin1Char('-') + name;
    m_context = new QObject;
    m_connection = new RedisConnection(std::move(options), m_context);
    if (setUp)
        setUp(m_connection, m_context);
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("eventscope-") + name);
    m_thread.start();
}

WorkerConnection::~WorkerConnection()
{
    stop();
}

void WorkerConnection::stop()
{
    m_thread.quit();
    m_thread.wait();
}

void WorkerConnection::run(Work work)
{
    QMetaObject::invokeMethod(m_context, [this, work = std::move(work)] {
        if (m_connection->state() == RedisConnection::State::Disconnected
            || m_connection->state() == RedisConnection::State::Failed)
            m_connection->open();
        work(m_connection, m_context);
    });
}

} // namespace Eventscope
