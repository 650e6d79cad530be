#pragma once

#include "connectionoptions.h"
#include "projectioncomparer.h"
#include "replayrunner.h"
#include "storelayout.h"
#include "workerconnection.h"

#include <QObject>

class QThread;

namespace Eventscope {

class RedisConnection;

// A ReplayRunner, or for a comparison a ProjectionComparer, on a read-only connection and a thread of its own, for
// the GUI: the paged LRANGE+HMGET replies, the records' decoding, every batch encoded for the sandbox, checkpoints,
// seeks and the sandbox's stop all run there, never on the caller's thread. The interface is the runner's (the
// comparer's signals are compareFinished/compareFailed); signals of a run that was cancelled, cleared or restarted
// are dropped before they reach the caller. The figures the caller reads (length, checkpoints) are copies that
// arrive with the signals, never read across threads.
class BackgroundReplay final : public QObject
{
    Q_OBJECT
public:
    BackgroundReplay(ConnectionOptions options, StoreLayout layout, QObject *parent = nullptr);
    ~BackgroundReplay() override;

    // Starts a run; whatever ran before (a run, its seeks, a comparison) is dropped first, without a signal.
    void start(const ReplayOptions &options);
    // Starts a comparison of projections a and b (ProjectionComparer::start); drops whatever ran before.
    void compare(const ReplayOptions &options, const QByteArray &a, const QByteArray &b);
    // Stops a run or comparison in progress at once and emits cancelled(); nothing of it arrives afterwards.
    void cancel();
    // Drops the run or comparison and its sandboxes, without a signal: no seeks afterwards.
    void clear();
    bool isRunning() const { return m_running; }

    // After a run (finished or failed), as ReplayRunner::seek: answered by stepReady or stepFailed; only the newest
    // pending seek runs.
    void seek(qint64 version);
    // After a run, as ReplayRunner::walk; the callback runs on this object's thread. If the run is started anew or
    // cleared before the answer, the answer is an error, or does not come once the runner is gone.
    void walk(qint64 first, qint64 last, ReplayRunner::WalkCallback callback);

    // As of the last signal of the current run.
    qint64 length() const { return m_length; }
    int checkpointCount() const { return m_checkpointCount; }
    qint64 checkpointBytes() const { return m_checkpointBytes; }
    // The thread the current run's signals were emitted on (nullptr before the first one): the worker's.
    QThread *runnerThread() const { return m_runnerThread; }
    QThread *workerThread() const;
    // For traffic figures only: its counters are atomic; everything else belongs to the replay thread.
    const RedisConnection *connection() const { return m_worker.connection(); }

Q_SIGNALS:
    void compiled(const Eventscope::CompileInfo &info);
    void progress(const Eventscope::ReplayProgress &progress);
    void finished(const Eventscope::ReplayResult &result);
    void failed(const Eventscope::ProjectionError &error);
    void cancelled();
    void stepReady(const Eventscope::ReplayStep &step);
    void stepFailed(qint64 version, const Eventscope::ProjectionError &error);
    void compareFinished(const Eventscope::CompareResult &result);
    // side: 0 for a, 1 for b.
    void compareFailed(int side, const Eventscope::ProjectionError &error);

private:
    // What the caller may read of the runner, taken on the replay thread with each signal.
    struct Figures
    {
        qint64 length = 0;
        int checkpointCount = 0;
        qint64 checkpointBytes = 0;
        QThread *thread = nullptr;
    };

    // On the replay thread.
    // On the caller's thread, for a run, a comparison or nothing (clear): the generation of the new work.
    quint64 beginWork(bool running);
    void dropWork();
    void connectRunner(quint64 generation);
    Figures figures() const;
    // Runs then() on this object's thread if the run of that generation is still current.
    void post(quint64 generation, const Figures &figures, std::function<void()> then);

    const StoreLayout m_layout;
    ReplayRunner *m_runner = nullptr;         // lives on m_worker's thread; touched there only
    ProjectionComparer *m_comparer = nullptr; // likewise
    WorkerConnection m_worker;
    quint64 m_generation = 0;
    bool m_running = false;
    qint64 m_length = 0;
    int m_checkpointCount = 0;
    qint64 m_checkpointBytes = 0;
    QThread *m_runnerThread = nullptr;
};

} // namespace Eventscope
