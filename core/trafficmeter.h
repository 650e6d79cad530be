#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>
#include <vector>

namespace Eventscope {

class RedisConnection;

// What Eventscope itself has sent to and received from one Redis, as running totals.
struct TrafficTotals
{
    quint64 commands = 0;
    quint64 bytesSent = 0;
    quint64 bytesReceived = 0;

    TrafficTotals &operator+=(const TrafficTotals &other)
    {
        commands += other.commands;
        bytesSent += other.bytesSent;
        bytesReceived += other.bytesReceived;
        return *this;
    }
};

// Per-second rates of that traffic.
struct TrafficRates
{
    double commandsPerSecond = 0;
    double bytesSentPerSecond = 0;
    double bytesReceivedPerSecond = 0;
};

// The inspector's own load on a Redis, so that a user on production can see its footprint: sums the totals of
// every connection a window uses (the window's, the scan's, the live feed's) once a second and reports the rates
// over the last few seconds. Sources are functions so that connections on other threads are read through their
// atomic counters only.
class TrafficMeter final : public QObject
{
    Q_OBJECT
public:
    using Source = std::function<TrafficTotals()>;

    explicit TrafficMeter(QObject *parent = nullptr);

    // A connection's counters; the connection must outlive the meter or be removed with the owner of both.
    static Source sourceOf(const RedisConnection *connection);
    void addSource(Source source);

    // Takes a sample now, at milliseconds since the meter started (tests pass their own clock).
    void sample(qint64 nowMs);
    TrafficRates rates() const { return m_rates; }
    TrafficTotals totals() const { return m_last; }

    void setIntervalMs(int ms) { m_timer.setInterval(ms); }
    void setWindowMs(qint64 ms) { m_windowMs = ms; }

Q_SIGNALS:
    void updated(const Eventscope::TrafficRates &rates, const Eventscope::TrafficTotals &totals);

private:
    TrafficTotals current() const;

    std::vector<Source> m_sources;
    std::deque<std::pair<qint64, TrafficTotals>> m_samples;
    TrafficTotals m_last;
    TrafficRates m_rates;
    qint64 m_windowMs = 3000;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

} // namespace Eventscope
