#include "trafficmeter.h"

#include "redisconnection.h"

namespace Eventscope {

TrafficMeter::TrafficMeter(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
    m_samples.emplace_back(0, TrafficTotals{}); // traffic is counted from the meter's start
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, [this] { sample(m_clock.elapsed()); });
    m_timer.start();
}

TrafficMeter::Source TrafficMeter::sourceOf(const RedisConnection *connection)
{
    return [connection] {
        return TrafficTotals{connection->commandsSent(), connection->bytesSent(), connection->bytesReceived()};
    };
}

void TrafficMeter::addSource(Source source)
{
    // What a source had done before it joined is not a burst of traffic now: it counts as already seen.
    const TrafficTotals before = source();
    for (auto &sample : m_samples)
        sample.second += before;
    m_last += before;
    m_sources.push_back(std::move(source));
}

TrafficTotals TrafficMeter::current() const
{
    TrafficTotals sum;
    for (const Source &source : m_sources)
        sum += source();
    return sum;
}

void TrafficMeter::sample(qint64 nowMs)
{
    m_last = current();
    m_samples.emplace_back(nowMs, m_last);
    while (m_samples.size() > 2 && nowMs - m_samples[1].first >= m_windowMs)
        m_samples.pop_front();
    const auto &[thenMs, then] = m_samples.front();
    const double seconds = double(nowMs - thenMs) / 1000.0;
    // Counters only grow; a difference that does not is a source that was replaced, and reads as no traffic.
    auto rate = [seconds](quint64 now, quint64 before) {
        return now >= before ? double(now - before) / seconds : 0.0;
    };
    if (seconds > 0)
        m_rates = {rate(m_last.commands, then.commands), rate(m_last.bytesSent, then.bytesSent),
                   rate(m_last.bytesReceived, then.bytesReceived)};
    else
        m_rates = {};
    Q_EMIT updated(m_rates, m_last);
}

} // namespace Eventscope
