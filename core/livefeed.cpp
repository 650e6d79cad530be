#include "livefeed.h"

#include "livefeedworker.h"
#include "redisreply.h"

#include <QDateTime>
#include <QThread>
#include <QTimer>

namespace Eventscope {

LiveFeed::LiveFeed(ConnectionOptions options, StoreLayout layout, LiveFeedOptions feedOptions, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_layout(std::move(layout))
    , m_feedOptions(feedOptions)
    , m_timer(new QTimer(this))
{
    qRegisterMetaType<Eventscope::LiveBatch>();
    // At most 10 Hz: a consumer repaints per batch.
    m_feedOptions.intervalMs = qMax(100, m_feedOptions.intervalMs);
    connect(m_timer, &QTimer::timeout, this, &LiveFeed::takeBatch);
}

LiveFeed::~LiveFeed()
{
    // No batch is emitted from the destructor: the receivers may be half destroyed.
    m_timer->stop();
    if (m_worker) {
        LiveFeedWorker *worker = std::exchange(m_worker, nullptr);
        QMetaObject::invokeMethod(
            worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    }
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
    }
}

void LiveFeed::start()
{
    if (m_worker)
        return;
    m_shared = std::make_shared<LiveFeedShared>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("eventscope-live"));
    m_worker = new LiveFeedWorker(m_options, m_layout, m_feedOptions, m_shared);
    m_worker->moveToThread(m_thread);
    connect(m_worker, &LiveFeedWorker::stateChanged, this, [this](int state) { setState(State(state)); });
    connect(m_worker, &LiveFeedWorker::failed, this, [this](const QString &message) {
        takeBatch();
        Q_EMIT failed(message);
    });
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, &LiveFeedWorker::start, Qt::QueuedConnection);
    m_timer->start(m_feedOptions.intervalMs);
}

void LiveFeed::stop()
{
    if (!m_worker)
        return;
    m_timer->stop();
    LiveFeedWorker *worker = std::exchange(m_worker, nullptr);
    QMetaObject::invokeMethod(
        worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete std::exchange(m_thread, nullptr);
    takeBatch(); // what was delivered before the stop
    setState(State::Stopped);
}

void LiveFeed::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void LiveFeed::takeBatch()
{
    if (!m_shared)
        return;
    LiveBatch batch;
    {
        QMutexLocker lock(&m_shared->mutex);
        batch.commits = std::exchange(m_shared->commits, {});
        batch.markers = std::exchange(m_shared->markers, {});
        batch.stats = m_shared->stats;
        m_shared->bufferedCommits.store(0);
        m_shared->bufferedBytes.store(0);
    }
    if (m_shared->paused.exchange(false) && m_worker)
        QMetaObject::invokeMethod(m_worker, &LiveFeedWorker::resume, Qt::QueuedConnection);
    batch.timeMs = QDateTime::currentMSecsSinceEpoch();
    Q_EMIT batchReady(batch);
}

LiveStats LiveFeed::stats() const
{
    if (!m_shared)
        return {};
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->stats;
}

QList<UnknownMessage> LiveFeed::unknownMessages() const
{
    if (!m_shared)
        return {};
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->unknown;
}

quint64 LiveFeed::commandsSent() const
{
    return m_shared ? m_shared->commandsSent.load() : 0;
}

quint64 LiveFeed::bytesSent() const
{
    return m_shared ? m_shared->bytesSent.load() : 0;
}

quint64 LiveFeed::bytesReceived() const
{
    return m_shared ? m_shared->bytesReceived.load() : 0;
}

} // namespace Eventscope
