#pragma once
// What the GUI-thread benchmarks (bench_inspector, bench_live, bench_streamlist) measure the same way: the gaps
// between the ticks of a heartbeat timer (the longest is the stall), the GUI thread's top-level event dispatches
// timed one by one, and a real window drawn offscreen.

#include "benchutil.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "storelayout.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QLatin1String>
#include <QString>
#include <QThread>
#include <QTimer>
#include <QtGlobal>

#include <algorithm>
#include <memory>
#include <utility>

namespace Eventscope::Bench {

// The gaps a heartbeat saw: the longest (the stall) and how many were long.
struct Stall
{
    double longestMs = 0;
    double longestGapCpuMs = 0; // the GUI thread's CPU time within the longest gap
    // The most CPU time the thread spent within one gap: the stall its own work made, apart from the time a busy
    // machine kept it off a core.
    double busiestCpuMs = 0;
    int over16Ms = 0;
    int over50Ms = 0;
    int ticks = 0;

    // Counts one gap; true when it is the longest so far.
    bool add(double gapMs, double cpuMs)
    {
        const bool longest = gapMs > longestMs;
        if (longest) {
            longestMs = gapMs;
            longestGapCpuMs = cpuMs;
        }
        busiestCpuMs = std::max(busiestCpuMs, cpuMs);
        over16Ms += gapMs > 16;
        over50Ms += gapMs > 50;
        ++ticks;
        return longest;
    }

    void merge(const Stall &other)
    {
        if (other.longestMs > longestMs) {
            longestMs = other.longestMs;
            longestGapCpuMs = other.longestGapCpuMs;
        }
        busiestCpuMs = std::max(busiestCpuMs, other.busiestCpuMs);
        over16Ms += other.over16Ms;
        over50Ms += other.over50Ms;
        ticks += other.ticks;
    }
};

// The gaps between a heartbeat timer's ticks on the calling thread, and the thread's CPU time in each: start() it
// with the heartbeat, beat() on every tick. Its clock also times the phase.
class GapMeter
{
public:
    struct Gap
    {
        double ms = 0;
        double cpuMs = 0;
    };

    void start()
    {
        m_clock.start();
        m_lastBeatNs = 0;
        m_lastCpuNs = threadCpuNs();
    }

    Gap beat()
    {
        const qint64 now = m_clock.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        const Gap gap{double(now - m_lastBeatNs) / 1e6, double(cpu - m_lastCpuNs) / 1e6};
        m_lastBeatNs = now;
        m_lastCpuNs = cpu;
        return gap;
    }

    // beat(), counted into stall; true when the gap is its longest so far.
    bool beat(Stall &stall)
    {
        const Gap gap = beat();
        return stall.add(gap.ms, gap.cpuMs);
    }

    qint64 nsecsElapsed() const { return m_clock.nsecsElapsed(); }
    double elapsedMs() const { return double(m_clock.nsecsElapsed()) / 1e6; }

private:
    QElapsedTimer m_clock;
    qint64 m_lastBeatNs = 0;
    qint64 m_lastCpuNs = 0;
};

// An application (QApplication) that times every top-level event dispatch of the GUI thread while timing is on, in
// wall time and, when asked, in the thread's CPU time; the subclass says what each dispatch was (dispatchStarting(),
// before it runs: its receiver may be gone after) and keeps the figures (dispatchDone()). Dispatches nested in one,
// and other threads' events, pass untimed.
template<typename Application>
class DispatchTimer : public Application
{
public:
    DispatchTimer(int &argc, char **argv, bool threadCpu)
        : Application(argc, argv)
        , m_threadCpu(threadCpu)
    {}

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (QThread::currentThread() != this->thread())
            return Application::notify(receiver, event);
        if (!m_timing || m_depth > 0) {
            ++m_depth;
            const bool result = Application::notify(receiver, event);
            --m_depth;
            return result;
        }
        dispatchStarting(receiver, event);
        QElapsedTimer clock;
        clock.start();
        const qint64 cpuBefore = m_threadCpu ? threadCpuNs() : 0;
        ++m_depth;
        const bool result = Application::notify(receiver, event);
        --m_depth;
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        const double cpuMs = m_threadCpu ? double(threadCpuNs() - cpuBefore) / 1e6 : 0;
        dispatchDone(ms, cpuMs);
        return result;
    }

protected:
    void setTiming(bool on) { m_timing = on; }
    // On the GUI thread, inside a timed dispatch (e.g. in a slot that says what the dispatch was for).
    bool inDispatch() const { return m_depth > 0 && QThread::currentThread() == this->thread(); }

    virtual void dispatchStarting(QObject *receiver, QEvent *event) = 0;
    virtual void dispatchDone(double ms, double cpuMs) = 0;

private:
    const bool m_threadCpu;
    bool m_timing = true;
    int m_depth = 0;
};

// Lets the event loop run for a while, unmeasured: windows get exposed, connections settle.
inline void pump(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// The window a GUI bench measures (a MainWindow; a template so that this header needs no widgets), on the seed
// layout: 1280x800 and shown. Should its connection fail, the bench dies.
template<typename Window>
std::unique_ptr<Window> showWindow(ConnectionOptions connection, const QString &clientName)
{
    typename Window::Options options;
    options.connection = std::move(connection);
    options.connection.clientName = clientName;
    options.layout = StoreLayout::seed();
    auto window = std::make_unique<Window>(options);
    QObject::connect(window->connection(), &RedisConnection::errorOccurred, window.get(),
                     [](RedisConnection::Error, const QString &message) {
                         die(QStringLiteral("the window's connection failed: %1").arg(message));
                     });
    window->resize(1280, 800);
    window->show();
    return window;
}

// A real window drawn into memory, so the bench needs no display (unless QT_QPA_PLATFORM says otherwise), without
// the warning the offscreen platform gives whenever a window would pass size hints on: noise among the figures.
// Call before the application is made.
inline void useOffscreenPlatform()
{
    static QtMessageHandler previous = nullptr;
    previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
        if (!message.contains(QLatin1String("propagateSizeHints")))
            previous(type, context, message);
    });
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
}

} // namespace Eventscope::Bench
