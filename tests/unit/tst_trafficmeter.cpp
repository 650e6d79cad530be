// The inspector's own load: rates over a window from running totals, summed over connections.
#include "trafficmeter.h"

#include <QTest>

using namespace Eventscope;

class TestTrafficMeter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ratesOverTheWindow();
    void sumsSources();
    void shrinkingCountersReadAsNothing();
    void lateSourceIsNoBurst();
};

void TestTrafficMeter::ratesOverTheWindow()
{
    TrafficTotals totals;
    TrafficMeter meter;
    meter.setWindowMs(3000);
    meter.addSource([&totals] { return totals; });
    meter.sample(0);
    QCOMPARE(meter.rates().commandsPerSecond, 0.0);
    totals = {100, 10'000, 50'000};
    meter.sample(1000);
    QCOMPARE(meter.rates().commandsPerSecond, 100.0);
    QCOMPARE(meter.rates().bytesSentPerSecond, 10'000.0);
    QCOMPARE(meter.rates().bytesReceivedPerSecond, 50'000.0);
    totals = {300, 30'000, 50'000};
    meter.sample(2000);
    QCOMPARE(meter.rates().commandsPerSecond, 150.0); // 300 over 2 s
    meter.sample(3000);
    meter.sample(4000);
    // The window slides: 4000 - 1000 = 3 s, 200 commands since then.
    QCOMPARE(meter.rates().commandsPerSecond, 200.0 / 3.0);
    meter.sample(5000);
    meter.sample(6000);
    QCOMPARE(meter.rates().commandsPerSecond, 0.0); // idle for the whole window
    QCOMPARE(meter.totals().commands, quint64(300));
}

void TestTrafficMeter::sumsSources()
{
    TrafficTotals a;
    TrafficTotals b;
    TrafficMeter meter;
    meter.addSource([&a] { return a; });
    meter.addSource([&b] { return b; });
    meter.sample(0);
    a.commands = 10;
    b.commands = 30;
    b.bytesReceived = 4096;
    meter.sample(2000);
    QCOMPARE(meter.rates().commandsPerSecond, 20.0);
    QCOMPARE(meter.rates().bytesReceivedPerSecond, 2048.0);
    QCOMPARE(meter.totals().commands, quint64(40));
}

void TestTrafficMeter::shrinkingCountersReadAsNothing()
{
    TrafficTotals totals{500, 500, 500};
    TrafficMeter meter;
    meter.addSource([&totals] { return totals; });
    meter.sample(0);
    totals = {100, 100, 100};
    meter.sample(1000);
    QCOMPARE(meter.rates().commandsPerSecond, 0.0);
    QCOMPARE(meter.rates().bytesSentPerSecond, 0.0);
}

void TestTrafficMeter::lateSourceIsNoBurst()
{
    TrafficTotals first{10, 10, 10};
    TrafficTotals late{1'000'000, 1'000'000, 1'000'000};
    TrafficMeter meter;
    meter.addSource([&first] { return first; });
    meter.sample(1000);
    meter.addSource([&late] { return late; });
    late.commands += 20;
    meter.sample(2000);
    // Only the late source's 20 new commands, over the 2 s since the meter started; what either source had done
    // before it joined is not counted.
    QCOMPARE(meter.rates().commandsPerSecond, 10.0);
    QCOMPARE(meter.totals().commands, quint64(1'000'030));
}

QTEST_GUILESS_MAIN(TestTrafficMeter)
#include "tst_trafficmeter.moc"
