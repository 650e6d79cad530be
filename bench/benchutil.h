#pragma once
// What every benchmark prints and measures the same way: progress lines, CPU time, peak RSS, best/median/percentile,
// its numeric options, and a child run to the null device with its own rusage.

#include <QByteArray>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QString>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <type_traits>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace Eventscope::Bench {

// Defined by each benchmark: says what went wrong, under its name, and exits with status 1.
[[noreturn]] void die(const QString &message);

// printf to stdout, flushed at once so a long run shows where it is.
inline void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
inline void say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::fflush(stdout);
}

// User + system CPU seconds in a rusage (e.g. a child's, from wait4).
inline double cpuSeconds(const rusage &usage)
{
    return double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) / 1e6 + double(usage.ru_stime.tv_sec)
           + double(usage.ru_stime.tv_usec) / 1e6;
}

// User + system CPU seconds of this process (RUSAGE_SELF), its waited-for children or this thread.
inline double cpuSeconds(int who = RUSAGE_SELF)
{
    rusage usage{};
    getrusage(who, &usage);
    return cpuSeconds(usage);
}

// Wall time and this process's CPU time (all its threads) from start() on: what one measured run took.
class Stopwatch
{
public:
    void start()
    {
        m_cpuBefore = cpuSeconds();
        m_clock.start();
    }
    double seconds() const { return double(m_clock.nsecsElapsed()) / 1e9; }
    double cpuSeconds() const { return Bench::cpuSeconds() - m_cpuBefore; }

private:
    QElapsedTimer m_clock;
    double m_cpuBefore = 0;
};

// CPU time of the calling thread in ns (for the GUI thread's own share of a stall).
inline qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// A byte figure of /proc/<pid>/status ("VmRSS", "VmHWM"); -1 when it cannot be read.
inline qint64 procStatusBytes(const char *field, const QString &pid = QStringLiteral("self"))
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

// Peak RSS (VmHWM) of a process ("self" or a pid); now (VmRSS).
inline qint64 peakRssBytes(const QString &pid = QStringLiteral("self"))
{
    return procStatusBytes("VmHWM", pid);
}

inline qint64 rssBytes(const QString &pid = QStringLiteral("self"))
{
    return procStatusBytes("VmRSS", pid);
}

// Resets this process's VmHWM (Linux: "5" to clear_refs), so a phase's own peak can be read afterwards.
inline bool resetPeakRss()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

// Of several rounds: the lowest (times) and the highest (rates).
inline double lowest(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

inline double highest(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

inline double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// The nearest-rank percentile, fraction in (0, 1]: 0.99 is p99.
inline double percentile(std::vector<double> values, double fraction)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::ceil(fraction * double(values.size())));
    return values[std::min(values.size() - 1, rank > 0 ? rank - 1 : 0)];
}

inline const char *verdict(bool pass)
{
    return pass ? "PASS" : "MISS";
}

inline double mb(qint64 bytes)
{
    return double(bytes) / 1e6;
}

// A whole-number option of at least least, or die() saying "--name takes a number from least".
template<typename Number>
Number numberOption(const QCommandLineParser &parser, const QCommandLineOption &option, Number least)
{
    static_assert(std::is_integral_v<Number>);
    bool ok = false;
    const qlonglong wide = parser.value(option).toLongLong(&ok);
    const Number value = Number(wide);
    if (!ok || qlonglong(value) != wide || value < least)
        die(QStringLiteral("--%1 takes a number from %2").arg(option.names().constFirst()).arg(least));
    return value;
}

// How a child run to the null device went: its wait status, wall time, and its own rusage from wait4() (its own
// peak RSS; getrusage(RUSAGE_CHILDREN) only keeps the maximum over every child ever reaped).
struct ChildRun
{
    int status = 0;
    double seconds = 0;
    rusage usage{};
    bool exitedZero() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
    double cpuSeconds() const { return Bench::cpuSeconds(usage); }
    qint64 peakRssBytes() const { return qint64(usage.ru_maxrss) * 1024; }
};

// Runs program with arguments (argv[0] included), its standard output to the null device, and waits for it.
// Spawned and reaped here, not by QProcess, for wait4()'s rusage of this child alone.
inline ChildRun runToNullDevice(std::vector<QByteArray> arguments)
{
    std::vector<char *> argv;
    for (QByteArray &argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    const QByteArray nullDevice = QFile::encodeName(QProcess::nullDevice());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, nullDevice.constData(), O_WRONLY, 0);
    QElapsedTimer clock;
    clock.start();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv.front(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        die(QStringLiteral("cannot run %1: %2")
                .arg(QFile::decodeName(arguments.front()), QString::fromLocal8Bit(std::strerror(spawned))));
    ChildRun run;
    while (wait4(pid, &run.status, 0, &run.usage) < 0) {
        if (errno != EINTR)
            die(QStringLiteral("wait4: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    run.seconds = double(clock.nsecsElapsed()) / 1e9;
    return run;
}

} // namespace Eventscope::Bench
