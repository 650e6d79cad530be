#include "backgroundreplay.h"

#include "redisconnection.h"

#include <QThread>

namespace Eventscope {

namespace {

// A replay only reads: the guard stays on whatever the window's profile allows.
ConnectionOptions readOnly(ConnectionOptions options)
{
    options.readOnly = true;
    return options;
}

} // namespace

BackgroundReplay::BackgroundReplay(ConnectionOptions options, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_layout(std::move(layout))
    , m_worker(readOnly(std::move(options)), QStringLiteral("replay"))
{}

BackgroundReplay::~BackgroundReplay()
{
    m_worker.stop(); // before the members its queued work uses go; the runner and its sandbox go with the thread
}

QThread *BackgroundReplay::workerThread() const
{
    return m_worker.context()->thread();
}

void BackgroundReplay::start(const ReplayOptions &options)
{
    const quint64 generation = beginWork(true);
    m_runnerThread = nullptr;
    m_worker.run([this, options, generation](RedisConnection *connection, QObject *context) {
        dropWork();
        m_runner = new ReplayRunner(connection, m_layout, context);
        connectRunner(generation);
        m_runner->start(options);
    });
}

void BackgroundReplay::compare(const ReplayOptions &options, const QByteArray &a, const QByteArray &b)
{
    const quint64 generation = beginWork(true);
    m_runnerThread = nullptr;
    m_worker.run([this, options, a, b, generation](RedisConnection *connection, QObject *context) {
        dropWork();
        m_comparer = new ProjectionComparer(connection, m_layout, context);
        connect(m_comparer, &ProjectionComparer::progress, context, [this, generation](const ReplayProgress &value) {
            post(generation, figures(), [this, value] { Q_EMIT progress(value); });
        });
        connect(m_comparer, &ProjectionComparer::finished, context, [this, generation](const CompareResult &result) {
            post(generation, figures(), [this, result] {
                m_running = false;
                Q_EMIT compareFinished(result);
            });
        });
        connect(m_comparer, &ProjectionComparer::failed, context,
                [this, generation](int side, const ProjectionError &error) {
                    post(generation, figures(), [this, side, error] {
                        m_running = false;
                        Q_EMIT compareFailed(side, error);
                    });
                });
        m_comparer->start(options, a, b);
    });
}

void BackgroundReplay::cancel()
{
    if (!m_running)
        return;
    clear();
    Q_EMIT cancelled();
}

void BackgroundReplay::clear()
{
    beginWork(false);
    QMetaObject::invokeMethod(m_worker.context(), [this] { dropWork(); });
}

void BackgroundReplay::seek(qint64 version)
{
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(m_worker.context(), [this, version, generation] {
        if (m_runner)
            return m_runner->seek(version); // seeks queue in the runner; only the newest pending one runs
        const ProjectionError error = ProjectionError::read(QStringLiteral("no replay to seek in"));
        post(generation, figures(), [this, version, error] { Q_EMIT stepFailed(version, error); });
    });
}

void BackgroundReplay::walk(qint64 first, qint64 last, ReplayRunner::WalkCallback callback)
{
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(m_worker.context(), [this, first, last, generation, callback] {
        auto answer = [this, generation, callback](const QList<EventRecord> &records,
                                                   const QList<StateSnapshot> &states, const ProjectionError &error) {
            QMetaObject::invokeMethod(this, [this, generation, callback, records, states, error] {
                if (generation != m_generation)
                    return callback({}, {}, ProjectionError::read(QStringLiteral("the replay was restarted")));
                callback(records, states, error);
            });
        };
        if (!m_runner)
            return answer({}, {}, ProjectionError::read(QStringLiteral("no replay to walk")));
        m_runner->walk(first, last, answer);
    });
}

quint64 BackgroundReplay::beginWork(bool running)
{
    // Whatever earlier work still sends carries an older generation and is dropped; the figures start again.
    m_running = running;
    m_length = 0;
    m_checkpointCount = 0;
    m_checkpointBytes = 0;
    return ++m_generation;
}

void BackgroundReplay::dropWork()
{
    // Disconnected first: cancelling emits, and nothing of this work may reach the caller any more. Deleting the
    // runner stops its sandbox process.
    if (m_runner) {
        m_runner->disconnect();
        m_runner->cancel();
        m_runner->deleteLater();
        m_runner = nullptr;
    }
    if (m_comparer) {
        m_comparer->disconnect();
        m_comparer->cancel();
        m_comparer->deleteLater();
        m_comparer = nullptr;
    }
}

BackgroundReplay::Figures BackgroundReplay::figures() const
{
    Figures figures;
    figures.thread = QThread::currentThread();
    if (m_runner) {
        figures.length = m_runner->length();
        figures.checkpointCount = m_runner->checkpointCount();
        figures.checkpointBytes = m_runner->checkpointBytes();
    }
    return figures;
}

void BackgroundReplay::post(quint64 generation, const Figures &figures, std::function<void()> then)
{
    QMetaObject::invokeMethod(this, [this, generation, figures, then = std::move(then)] {
        if (generation != m_generation)
            return;
        m_length = figures.length;
        m_checkpointCount = figures.checkpointCount;
        m_checkpointBytes = figures.checkpointBytes;
        m_runnerThread = figures.thread;
        then();
    });
}

void BackgroundReplay::connectRunner(quint64 generation)
{
    // Connected on the replay thread, where the runner emits: the figures are taken there, beside the signal, and
    // handed over with it.
    QObject *context = m_worker.context();
    connect(m_runner, &ReplayRunner::compiled, context, [this, generation](const CompileInfo &info) {
        post(generation, figures(), [this, info] { Q_EMIT compiled(info); });
    });
    connect(m_runner, &ReplayRunner::progress, context, [this, generation](const ReplayProgress &value) {
        post(generation, figures(), [this, value] { Q_EMIT progress(value); });
    });
    connect(m_runner, &ReplayRunner::finished, context, [this, generation](const ReplayResult &result) {
        post(generation, figures(), [this, result] {
            m_running = false;
            Q_EMIT finished(result);
        });
    });
    connect(m_runner, &ReplayRunner::failed, context, [this, generation](const ProjectionError &error) {
        post(generation, figures(), [this, error] {
            m_running = false;
            Q_EMIT failed(error);
        });
    });
    connect(m_runner, &ReplayRunner::stepReady, context, [this, generation](const ReplayStep &step) {
        post(generation, figures(), [this, step] { Q_EMIT stepReady(step); });
    });
    connect(m_runner, &ReplayRunner::stepFailed, context,
            [this, generation](qint64 version, const ProjectionError &error) {
                post(generation, figures(), [this, version, error] { Q_EMIT stepFailed(version, error); });
            });
}

} // namespace Eventscope
