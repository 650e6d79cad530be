#pragma once
// What every benchmark prints and measures the same way: progress lines, CPU time, peak RSS, best/median/percentile.

#include <QByteArray>
#include <QFile>
#include <QString>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>
#include <vector>

namespace Eventscope::Bench {

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

} // namespace Eventscope::Bench
