// The live benchmark of issue 4, in one run against a private redis-server:
//   1. reference: a plain blocking-hiredis subscriber under `redis-benchmark -P 64 -c 4 -n N PUBLISH ch e1`;
//   2. a store publisher (HSET e<i> + PUBLISH e<i> pipelined 512 deep on one connection, ids in order, so every
//   announced commit exists):
//      the plain hiredis subscriber, then Eventscope's LiveFeed counting (payloads off, as `rate` runs it), then the
//      LiveFeed as the window runs it (payloads, summaries, the rate and tail models fed on the consumer thread);
//   3. the real commit script at full speed (4 writers, EVALSHA pipelined 64 deep): the LiveFeed receives every
//      commit; its rate against the writers' in the same round;
//   4. the window: a real MainWindow (offscreen, 1280x800) with the Live dock open (chart and tail, as View > Live
//      commits opens it) under the store publisher and under the commit script: the longest GUI-thread gap (a 5 ms
//      heartbeat timer), the GUI thread's own CPU time in its busiest gap, a profile of the GUI thread's top-level
//      dispatches, and the rate at which the window takes commits in against the plain subscriber.
// Ratios are against the plain subscriber under the same publisher. Every LiveFeed round must deliver every id
// once, in order, with no reconnect. Prints figures; exits 1 only when something could not run or was lost.

#include "benchredis.h"
#include "benchutil.h"
#include "committer.h"
#include "eventpagemodel.h"
#include "guiprofile.h"
#include "livechartwidget.h"
#include "livefeed.h"
#include "livepanel.h"
#include "liveratemodel.h"
#include "livetailmodel.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <vector>

namespace {

using namespace Eventscope;
using namespace Eventscope::Bench;
using Clock = std::chrono::steady_clock;

constexpr double FeedTarget = 0.50;
constexpr double StallTargetMs = 50;
constexpr int HeartbeatMs = 5;

double secondsSince(Clock::time_point start, Clock::time_point end)
{
    return std::chrono::duration<double>(end - start).count();
}

QByteArray payloadFor(qint64 n)
{
    return R"({"type":"Deposited","amount":)" + QByteArray::number(n % 1000) + R"(,"n":)" + QByteArray::number(n) + "}";
}

// Publishers. Each returns its own duration in seconds; start is when it began.
struct Publisher
{
    enum class Kind { RedisBenchmark, Store, CommitScript };
    Kind kind;
    const char *name;
};

double publish(Publisher::Kind kind, quint16 port, qint64 n, Clock::time_point *start)
{
    *start = Clock::now();
    if (kind == Publisher::Kind::RedisBenchmark) {
        QProcess process;
        process.start(QStringLiteral("redis-benchmark"),
                      {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port),
                       QStringLiteral("-P"), QStringLiteral("64"), QStringLiteral("-c"), QStringLiteral("4"),
                       QStringLiteral("-n"), QString::number(n), QStringLiteral("-q"), QStringLiteral("PUBLISH"),
                       QStringLiteral("EventStore"), QStringLiteral("e1")});
        if (!process.waitForFinished(600000) || process.exitCode() != 0)
            die(QStringLiteral("redis-benchmark failed: %1").arg(QString::fromLocal8Bit(process.readAll())));
        return secondsSince(*start, Clock::now());
    }
    if (kind == Publisher::Kind::Store) {
        // Ids in order on one connection, the field before its announcement: what a writer of the seed design does,
        // without the script.
        // 512 commits (1024 commands) a round trip: about the 4 x 64 x 2 redis-benchmark keeps in flight, and deep
        // enough that a busy scheduler does not set the pace. The RESP is written with snprintf into one buffer, so
        // the publisher costs about what redis-benchmark's pre-formatted commands do.
        Hiredis redis(port);
        constexpr int Depth = 512;
        std::vector<char> buffer(size_t(Depth) * 256);
        for (qint64 first = 1; first <= n; first += Depth) {
            const qint64 last = qMin(n, first + Depth - 1);
            size_t used = 0;
            for (qint64 i = first; i <= last; ++i) {
                char id[24];
                const int idLength = std::snprintf(id, sizeof id, "e%lld", static_cast<long long>(i));
                const QByteArray payload = payloadFor(i);
                used += size_t(std::snprintf(buffer.data() + used, buffer.size() - used,
                                             "*4\r\n$4\r\nHSET\r\n$10\r\nEventStore\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                                             "*3\r\n$7\r\nPUBLISH\r\n$10\r\nEventStore\r\n$%d\r\n%s\r\n",
                                             idLength, id, int(payload.size()), payload.constData(), idLength, id));
            }
            redis.appendFormatted(buffer.data(), used);
            redis.skipReplies((last - first + 1) * 2);
        }
        return secondsSince(*start, Clock::now());
    }
    // The commit script, 4 writers, 64 in flight each.
    const QByteArray sha = Committer::scriptSha1();
    Hiredis(port).command({"SCRIPT", "LOAD", Committer::script()});
    *start = Clock::now();
    std::atomic<qint64> next{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&, w] {
            Hiredis redis(port);
            const QByteArray timestamp = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
            for (;;) {
                const qint64 first = next.fetch_add(64);
                if (first >= n)
                    break;
                const qint64 last = qMin(n, first + 64);
                for (qint64 i = first; i < last; ++i) {
                    const QByteArray stream = "customer-" + QByteArray::number((i * 7 + w) % 100);
                    redis.append({"EVALSHA", sha, "2", "EventStore", stream, "seed", "any", "e", "EventStore", stream,
                                  timestamp, payloadFor(i)});
                }
                redis.skipReplies(last - first);
            }
        });
    }
    for (std::thread &writer : writers)
        writer.join();
    return secondsSince(*start, Clock::now());
}

struct Outcome
{
    double seconds = 0;          // publisher start to the last message (or commit) received
    double publisherSeconds = 0; // the publisher's own time
    qint64 received = 0;
    bool ok = true;
    QString note;
    double rate() const { return seconds > 0 ? double(received) / seconds : 0; }
};

// The baseline: a blocking hiredis subscriber on its own thread.
Outcome plainRound(Publisher::Kind kind, quint16 port, qint64 n)
{
    Hiredis subscriber(port);
    redisContext *context = subscriber.context();
    auto *reply = static_cast<redisReply *>(redisCommand(context, "SUBSCRIBE EventStore"));
    freeReplyObject(reply);
    std::atomic<qint64> received{0};
    Clock::time_point last;
    bool lost = false;
    std::thread reader([&] {
        const timeval timeout{10, 0};
        redisSetTimeout(context, timeout);
        while (received.load() < n) {
            void *message = nullptr;
            if (redisGetReply(context, &message) != REDIS_OK || !message) {
                lost = true;
                break;
            }
            freeReplyObject(message);
            received.fetch_add(1);
        }
        last = Clock::now();
    });
    Clock::time_point start;
    Outcome outcome;
    outcome.publisherSeconds = publish(kind, port, n, &start);
    reader.join();
    outcome.received = received.load();
    outcome.seconds = secondsSince(start, last);
    outcome.ok = !lost && outcome.received == n;
    if (lost)
        outcome.note = QStringLiteral("disconnected or timed out after %1 messages").arg(outcome.received);
    return outcome;
}

struct FeedOutcome : Outcome
{
    LiveStats stats;
    double maxConsumerMs = 0; // the longest batch handling on the consumer (models included)
    qint64 batches = 0;
};

FeedOutcome feedRound(Publisher::Kind kind, quint16 port, qint64 n, bool full)
{
    ConnectionOptions options;
    options.port = port;
    LiveFeedOptions feedOptions;
    feedOptions.start = LiveFeedOptions::Start::After; // the store is empty: from its first commit
    feedOptions.payloads = full;
    feedOptions.summaries = full;
    LiveFeed feed(options, StoreLayout::seed(), feedOptions);
    LiveRateModel rate;
    LiveTailModel tail;
    FeedOutcome outcome;
    qint64 expected = 1;
    Clock::time_point last;
    QEventLoop loop;
    QObject::connect(&feed, &LiveFeed::batchReady, &loop, [&](const LiveBatch &batch) {
        QElapsedTimer timer;
        timer.start();
        ++outcome.batches;
        for (const LiveCommit &commit : batch.commits) {
            if (commit.number != expected) {
                outcome.ok = false;
                outcome.note = QStringLiteral("expected commit %1, got %2").arg(expected).arg(commit.number);
            }
            expected = commit.number + 1;
        }
        if (full) {
            rate.addBatch(batch);
            tail.addBatch(batch);
        }
        outcome.maxConsumerMs = qMax(outcome.maxConsumerMs, timer.nsecsElapsed() / 1e6);
        if (expected > n) {
            last = Clock::now();
            loop.quit();
        }
    });
    QObject::connect(&feed, &LiveFeed::failed, &loop, [&](const QString &message) {
        outcome.ok = false;
        outcome.note = message;
        loop.quit();
    });
    feed.start();
    {
        QEventLoop wait;
        QObject::connect(&feed, &LiveFeed::stateChanged, &wait, [&](LiveFeed::State state) {
            if (state == LiveFeed::State::Live)
                wait.quit();
        });
        QTimer::singleShot(10000, &wait, &QEventLoop::quit);
        wait.exec();
    }
    Clock::time_point start;
    std::thread publisher([&] { outcome.publisherSeconds = publish(kind, port, n, &start); });
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    loop.exec();
    publisher.join();
    outcome.stats = feed.stats();
    outcome.received = expected - 1;
    outcome.seconds = secondsSince(start, last);
    if (outcome.received != n)
        outcome.ok = false;
    if (outcome.stats.reconnects != 0) {
        outcome.ok = false;
        outcome.note += QStringLiteral(" reconnected %1 times").arg(outcome.stats.reconnects);
    }
    return outcome;
}

void flush(quint16 port)
{
    Hiredis(port).command({"FLUSHALL"});
}

// The upper of the two middle values of an even count: this bench's median of rounds.
double upperMedian(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

// ---- 4. the window ----

// What a top-level dispatch on the GUI thread was: the kind of event and whose it was (for a QTimer's tick, the
// object that owns the timer, which names the work: the feed's batch, the panel's slice, the chart's redraw).
using DispatchKey = std::pair<const char *, const char *>;

struct WorkTotals
{
    int count = 0;
    double ms = 0;
    double cpuMs = 0; // the GUI thread's own CPU time: the wall time less what a busy machine kept it waiting
    double longestMs = 0;
    double longestCpuMs = 0;
};

using Profile = std::map<DispatchKey, WorkTotals>;

// Times every event the GUI thread dispatches from its event loop while profiling.
class BenchApplication final : public DispatchTimer<QApplication>
{
public:
    BenchApplication(int &argc, char **argv)
        : DispatchTimer(argc, argv, true)
    {
        setTiming(false);
    }

    void startProfile(const QObject *heartbeat)
    {
        m_profile.clear();
        m_heartbeat = heartbeat;
        setTiming(true);
        takeSinceBeat();
    }
    Profile stopProfile()
    {
        setTiming(false);
        return std::exchange(m_profile, {});
    }
    // The longest dispatch since the last call, and what it was.
    std::pair<double, DispatchKey> takeSinceBeat()
    {
        return {std::exchange(m_sinceBeatLongestMs, 0.0), std::exchange(m_sinceBeatLongest, {"", ""})};
    }

private:
    void dispatchStarting(QObject *receiver, QEvent *event) override
    {
        // The receiver may be gone after the dispatch (a deferred delete): its names are read before.
        m_key = keyOf(receiver, event);
    }

    void dispatchDone(double ms, double cpuMs) override
    {
        WorkTotals &totals = m_profile[m_key];
        ++totals.count;
        totals.ms += ms;
        totals.cpuMs += cpuMs;
        totals.longestMs = std::max(totals.longestMs, ms);
        totals.longestCpuMs = std::max(totals.longestCpuMs, cpuMs);
        if (ms > m_sinceBeatLongestMs) {
            m_sinceBeatLongestMs = ms;
            m_sinceBeatLongest = m_key;
        }
    }

private:
    DispatchKey keyOf(QObject *receiver, QEvent *event) const
    {
        const char *owner = receiver->metaObject()->className();
        switch (event->type()) {
        case QEvent::Timer:
            if (receiver == m_heartbeat)
                return {"timer", "(this bench's 5 ms heartbeat)"};
            if (qobject_cast<QTimer *>(receiver) && receiver->parent())
                owner = receiver->parent()->metaObject()->className();
            return {"timer of", owner};
        case QEvent::SockAct:
        case QEvent::SockClose:
            return {"socket of", owner};
        case QEvent::MetaCall:
            return {"queued call to", owner};
        case QEvent::UpdateRequest:
        case QEvent::Paint:
        case QEvent::LayoutRequest:
        case QEvent::Expose:
        case QEvent::Resize:
            return {"paint/layout of", owner};
        default:
            return {"other event to", owner};
        }
    }

    const QObject *m_heartbeat = nullptr;
    DispatchKey m_key{"", ""};
    Profile m_profile;
    double m_sinceBeatLongestMs = 0;
    DispatchKey m_sinceBeatLongest{"", ""};
};

BenchApplication *benchApp()
{
    return static_cast<BenchApplication *>(QCoreApplication::instance());
}

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        pump(10);
    }
    return true;
}

// The longest the GUI thread went without serving the 5 ms heartbeat, and the longest dispatch in that gap.
struct WindowStall : Stall
{
    double longestGapDispatchMs = 0;
    DispatchKey longestGapDispatch{"", ""};
};

struct WindowOutcome : Outcome
{
    WindowStall stall;
    Profile profile;
    double phaseMs = 0;
    double guiCpuMs = 0;
    double processCpuSeconds = 0;
    LiveStats stats;
    qint64 tailNewest = 0;
    int tailRows = 0;
    qsizetype maxQueued = 0;
    qint64 longestSliceMs = 0;
    int redraws = 0;
    qint64 versionsSeen = 0; // the events pane's length of $all at the end
};

// One round: a fresh window with Live open, the publisher on its own thread, the GUI thread's event loop timed
// until the panel has applied commit n and its queue is empty, then half a second more for what that sets off.
WindowOutcome windowRound(Publisher::Kind kind, quint16 port, qint64 n)
{
    WindowOutcome outcome;
    ConnectionOptions connection;
    connection.port = port;
    auto window = showWindow<MainWindow>(connection, QStringLiteral("bench_live"));
    window->connectToServer();
    if (!waitUntil([&] { return window->connection()->state() == RedisConnection::State::Connected; }, 10000))
        die(QStringLiteral("the window did not connect"));
    // The events pane on $all, so that its length grows with the store as the commits arrive.
    window->selectStream(AllStreamName);
    window->showLive(true);
    LivePanel *panel = window->livePanel();
    if (!panel || !waitUntil([&] { return panel->feed()->state() == LiveFeed::State::Live; }, 10000))
        die(QStringLiteral("the Live panel did not go live"));
    pump(300); // the dock laid out and painted

    qint64 expected = 1;
    Clock::time_point last;
    QEventLoop loop;
    QObject::connect(panel, &LivePanel::commitsApplied, &loop, [&](const QList<LiveCommit> &commits) {
        for (const LiveCommit &commit : commits) {
            if (commit.number != expected && outcome.ok) {
                outcome.ok = false;
                outcome.note = QStringLiteral("expected commit %1, got %2").arg(expected).arg(commit.number);
            }
            expected = commit.number + 1;
        }
        if (expected > n && last == Clock::time_point())
            last = Clock::now();
    });
    QObject::connect(panel->feed(), &LiveFeed::failed, &loop, [&](const QString &message) {
        outcome.ok = false;
        outcome.note = message;
        loop.quit();
    });

    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(HeartbeatMs);
    GapMeter gaps;
    const qint64 cpuStart = threadCpuNs();
    const double processStart = cpuSeconds();
    bool settling = false;
    QObject::connect(&heartbeat, &QTimer::timeout, &loop, [&] {
        const auto [dispatchMs, dispatch] = benchApp()->takeSinceBeat();
        if (gaps.beat(outcome.stall)) {
            outcome.stall.longestGapDispatchMs = dispatchMs;
            outcome.stall.longestGapDispatch = dispatch;
        }
        outcome.maxQueued = std::max(outcome.maxQueued, panel->queuedCount());
        if (!settling && expected > n && panel->queuedCount() == 0) {
            settling = true;
            QTimer::singleShot(500, &loop, &QEventLoop::quit);
        }
    });
    QTimer::singleShot(600000, &loop, [&] {
        outcome.ok = false;
        outcome.note = QStringLiteral("not done within 600 s: %1 of %2 applied").arg(expected - 1).arg(n);
        loop.quit();
    });

    benchApp()->startProfile(&heartbeat);
    gaps.start();
    heartbeat.start();
    Clock::time_point start;
    std::thread publisher([&] { outcome.publisherSeconds = publish(kind, port, n, &start); });
    loop.exec();
    heartbeat.stop();
    outcome.profile = benchApp()->stopProfile();
    outcome.phaseMs = gaps.elapsedMs();
    outcome.guiCpuMs = double(threadCpuNs() - cpuStart) / 1e6;
    outcome.processCpuSeconds = cpuSeconds() - processStart;
    publisher.join();

    outcome.received = expected - 1;
    outcome.seconds = last == Clock::time_point() ? 0 : secondsSince(start, last);
    outcome.stats = panel->feed()->stats();
    outcome.tailRows = panel->tailModel()->rowCount();
    if (outcome.tailRows > 0)
        outcome.tailNewest
            = panel->tailModel()->index(outcome.tailRows - 1, 0).data(LiveTailModel::NumberRole).toLongLong();
    outcome.longestSliceMs = panel->longestSliceMs();
    outcome.redraws = panel->chart()->redrawCount();
    outcome.versionsSeen = window->eventModel()->length();
    const qint64 tailExpected = qMin<qint64>(n, panel->tailModel()->capacity());
    if (outcome.received != n || outcome.tailNewest != n || outcome.tailRows != tailExpected
        || outcome.stats.commits != quint64(n) || outcome.stats.lastNumber != n) {
        outcome.ok = false;
        outcome.note += QStringLiteral(" applied %1, tail newest %2 (%3 rows), feed delivered %4 (last %5) of %6")
                            .arg(outcome.received)
                            .arg(outcome.tailNewest)
                            .arg(outcome.tailRows)
                            .arg(outcome.stats.commits)
                            .arg(outcome.stats.lastNumber)
                            .arg(n);
    }
    if (outcome.stats.reconnects != 0) {
        outcome.ok = false;
        outcome.note += QStringLiteral(" reconnected %1 times").arg(outcome.stats.reconnects);
    }
    window.reset();
    pump(50); // deferred deletes
    return outcome;
}

void printProfile(const Profile &profile, double phaseMs)
{
    std::vector<std::pair<DispatchKey, WorkTotals>> rows(profile.begin(), profile.end());
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.second.ms > b.second.ms; });
    say("      GUI thread by top-level dispatch (%.0f ms of wall time; wall ms, and the thread's CPU ms in "
        "brackets):\n",
        phaseMs);
    double busy = 0, busyCpu = 0;
    for (const auto &[key, work] : rows) {
        busy += work.ms;
        busyCpu += work.cpuMs;
        if (work.ms < 1 && work.longestMs < 1)
            continue;
        const QByteArray what = QByteArray(key.first) + ' ' + key.second;
        say("        %-50s %7d x %8.1f (%8.1f) ms  longest %6.1f (%6.1f) ms\n", what.constData(), work.count, work.ms,
            work.cpuMs, work.longestMs, work.longestCpuMs);
    }
    say("        %-50s           %8.1f (%8.1f) ms  (%.0f%% of the phase)\n", "busy in all", busy, busyCpu,
        phaseMs > 0 ? 100 * busy / phaseMs : 0);
}

} // namespace

[[noreturn]] void Eventscope::Bench::die(const QString &message)
{
    dieAs("bench_live", message);
}

int main(int argc, char **argv)
{
    useOffscreenPlatform(); // a real window for phase 4
    BenchApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Eventscope"));
    QApplication::setApplicationName(QStringLiteral("bench_live"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("messages"), QStringLiteral("messages per publisher round"), QStringLiteral("N"),
                      QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("commits"), QStringLiteral("commits through the commit script"),
                      QStringLiteral("N"), QStringLiteral("200000")});
    parser.addOption(
        {QStringLiteral("rounds"), QStringLiteral("rounds of each"), QStringLiteral("R"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("window-only"),
                      QStringLiteral("only the plain subscribers and the window (phase 4), not phases 1 to 3")});
    parser.addOption({QStringLiteral("no-window"), QStringLiteral("phases 1 to 3 only")});
    parser.process(app);
    const bool windowOnly = parser.isSet(QStringLiteral("window-only"));
    const bool noWindow = parser.isSet(QStringLiteral("no-window"));
    const qint64 n = parser.value(QStringLiteral("messages")).toLongLong();
    const qint64 commits = parser.value(QStringLiteral("commits")).toLongLong();
    const int rounds = qMax(1, parser.value(QStringLiteral("rounds")).toInt());
    if (QStandardPaths::findExecutable(QStringLiteral("redis-benchmark")).isEmpty())
        die(QStringLiteral("redis-benchmark is not installed (package redis-tools)"));

    LocalRedis redis;
    redis.startOrDie();
    const quint16 port = redis.port();
    say("bench_live: redis-server on port %u, %lld messages a round, %lld commits through the script, %d rounds\n",
        port, n, commits, rounds);
    bool allOk = true;

    auto report = [&](const char *what, const std::vector<double> &rates, double baseline, const QString &extra) {
        const double best = *std::max_element(rates.begin(), rates.end());
        say("  %-58s best %10.0f/s  median %10.0f/s", what, best, upperMedian(rates));
        if (baseline > 0)
            say("  ratio %.3f (median %.3f)", best / baseline, upperMedian(rates) / baseline);
        say("%s\n", extra.toLocal8Bit().constData());
    };

    if (!windowOnly) {
        say("\n1. reference: redis-benchmark -P 64 -c 4 PUBLISH EventStore e1\n");
        std::vector<double> rates, publisherRates;
        for (int r = 0; r < rounds; ++r) {
            const Outcome o = plainRound(Publisher::Kind::RedisBenchmark, port, n);
            allOk &= o.ok;
            rates.push_back(o.rate());
            publisherRates.push_back(double(n) / o.publisherSeconds);
            if (!o.ok)
                say("  round %d: %s\n", r + 1, o.note.toLocal8Bit().constData());
        }
        report("plain hiredis subscriber", rates, 0, {});
        report("(redis-benchmark's own publish rate)", publisherRates, 0, {});
    }

    say("\n2. store publisher: pipelined HSET e<i> + PUBLISH e<i>, one connection, 512 deep\n");
    double plainBest = 0;
    {
        std::vector<double> rates, publisherRates;
        for (int r = 0; r < rounds; ++r) {
            flush(port);
            const Outcome o = plainRound(Publisher::Kind::Store, port, n);
            allOk &= o.ok;
            rates.push_back(o.rate());
            publisherRates.push_back(double(n) / o.publisherSeconds);
        }
        plainBest = *std::max_element(rates.begin(), rates.end());
        report("plain hiredis subscriber", rates, 0, {});
        report("(the publisher's own rate)", publisherRates, 0, {});
    }
    for (bool full : {false, true}) {
        if (windowOnly)
            break;
        std::vector<double> rates;
        QString extra;
        double maxConsumer = 0;
        for (int r = 0; r < rounds; ++r) {
            flush(port);
            const FeedOutcome o = feedRound(Publisher::Kind::Store, port, n, full);
            allOk &= o.ok;
            rates.push_back(o.rate());
            maxConsumer = qMax(maxConsumer, o.maxConsumerMs);
            if (!o.ok)
                say("  round %d LOST OR FAILED: %s\n", r + 1, o.note.toLocal8Bit().constData());
            extra = QStringLiteral("\n      last round: %1 delivered in order, %2 back-filled, %3 old, %4 unknown, "
                                   "%5 reconnects, %6 batches")
                        .arg(o.received)
                        .arg(o.stats.backfilled)
                        .arg(o.stats.oldMessages)
                        .arg(o.stats.unknownMessages)
                        .arg(o.stats.reconnects)
                        .arg(o.batches);
        }
        if (full)
            extra += QStringLiteral("\n      longest batch on the consumer thread (rate + tail models): %1 ms")
                         .arg(maxConsumer, 0, 'f', 1);
        const double ratio = *std::max_element(rates.begin(), rates.end()) / plainBest;
        extra += QStringLiteral("\n      target >= %1 of plain: %2")
                     .arg(FeedTarget)
                     .arg(ratio >= FeedTarget ? QStringLiteral("PASS") : QStringLiteral("MISS"));
        report(full ? "LiveFeed, payloads + summaries + models (the window)" : "LiveFeed, counting (as `rate`)", rates,
               plainBest, extra);
    }

    if (!windowOnly) {
        say("\n3. the commit script at full speed: 4 writers, EVALSHA 64 deep, 100 streams\n");
        // The feed against the writers of the same round: does it keep up, and is anything lost?
        std::vector<double> feedRates, writerRates, keptUp;
        QString extra;
        for (int r = 0; r < rounds; ++r) {
            flush(port);
            const FeedOutcome o = feedRound(Publisher::Kind::CommitScript, port, commits, true);
            allOk &= o.ok;
            feedRates.push_back(o.rate());
            writerRates.push_back(double(commits) / o.publisherSeconds);
            keptUp.push_back(o.rate() / writerRates.back());
            if (!o.ok)
                say("  round %d LOST OR FAILED: %s\n", r + 1, o.note.toLocal8Bit().constData());
            extra = QStringLiteral("\n      last round: %1 of %2 commits received in order, %3 back-filled, %4 "
                                   "reconnects; feed/writers per round (1 = kept up):")
                        .arg(o.received)
                        .arg(commits)
                        .arg(o.stats.backfilled)
                        .arg(o.stats.reconnects);
        }
        for (double ratio : keptUp)
            extra += QStringLiteral(" %1").arg(ratio, 0, 'f', 3);
        report("the writers' commit rate", writerRates, 0, {});
        report("LiveFeed, payloads + summaries + models", feedRates, 0, extra);
    }
    if (!noWindow) {
        say("\n4. the window: MainWindow 1280x800 (offscreen), Live open (chart + tail), events pane on $all\n");
        struct Case
        {
            Publisher::Kind kind;
            const char *name;
            qint64 count;
        };
        for (const Case &c : {Case{Publisher::Kind::Store, "store publisher", n},
                              Case{Publisher::Kind::CommitScript, "commit script (4 writers)", commits}}) {
            double baseline = plainBest;
            if (c.kind == Publisher::Kind::CommitScript) {
                std::vector<double> rates;
                for (int r = 0; r < rounds; ++r) {
                    flush(port);
                    const Outcome o = plainRound(c.kind, port, c.count);
                    allOk &= o.ok;
                    rates.push_back(o.rate());
                }
                baseline = *std::max_element(rates.begin(), rates.end());
                report("plain hiredis subscriber under the commit script", rates, 0, {});
            }
            say("  %s, %lld commits a round, ratios against the plain subscriber's best (%.0f/s):\n", c.name,
                static_cast<long long>(c.count), baseline);
            std::vector<double> rates, gaps;
            WindowOutcome worst;
            for (int r = 0; r < rounds; ++r) {
                flush(port);
                WindowOutcome o = windowRound(c.kind, port, c.count);
                allOk &= o.ok;
                rates.push_back(o.rate());
                gaps.push_back(o.stall.longestMs);
                say("    round %d: %lld applied once and in order%s; tail newest %lld (%d rows); feed delivered %llu "
                    "(%llu back-filled, %llu reconnects); %.0f/s = %.3f of plain (publisher %.0f/s)\n",
                    r + 1, static_cast<long long>(o.received), o.ok ? "" : " -- LOST OR FAILED",
                    static_cast<long long>(o.tailNewest), o.tailRows, static_cast<unsigned long long>(o.stats.commits),
                    static_cast<unsigned long long>(o.stats.backfilled),
                    static_cast<unsigned long long>(o.stats.reconnects), o.rate(), o.rate() / baseline,
                    double(c.count) / o.publisherSeconds);
                if (!o.ok)
                    say("      %s\n", o.note.toLocal8Bit().constData());
                say("      GUI-thread stall: longest gap %.1f ms (GUI CPU in it %.1f ms; its longest dispatch %.1f ms, "
                    "%s %s); busiest gap %.1f ms of CPU; %d gaps > 16 ms, %d > 50 ms, %d ticks\n",
                    o.stall.longestMs, o.stall.longestGapCpuMs, o.stall.longestGapDispatchMs,
                    o.stall.longestGapDispatch.first, o.stall.longestGapDispatch.second, o.stall.busiestCpuMs,
                    o.stall.over16Ms, o.stall.over50Ms, o.stall.ticks);
                say("      GUI thread CPU %.0f of %.0f ms; process CPU %.1f s; panel queue at most %lld commits; "
                    "longest slice %lld ms; %d chart redraws; events pane $all length %lld\n",
                    o.guiCpuMs, o.phaseMs, o.processCpuSeconds, static_cast<long long>(o.maxQueued),
                    static_cast<long long>(o.longestSliceMs), o.redraws, static_cast<long long>(o.versionsSeen));
                if (r == 0 || o.stall.longestMs > worst.stall.longestMs)
                    worst = std::move(o);
            }
            say("    the round with the longest gap:\n");
            printProfile(worst.profile, worst.phaseMs);
            const double longest = *std::max_element(gaps.begin(), gaps.end());
            report("the window's intake (publisher start to the last commit applied)", rates, baseline,
                   QStringLiteral("\n      longest GUI-thread gap %1 ms (median of rounds %2 ms): target < %3 ms %4")
                       .arg(longest, 0, 'f', 1)
                       .arg(upperMedian(gaps), 0, 'f', 1)
                       .arg(StallTargetMs)
                       .arg(longest < StallTargetMs ? QStringLiteral("PASS") : QStringLiteral("MISS")));
        }
    }
    say("\n%s\n", allOk ? "every round: every message received, every commit delivered once and in order"
                        : "SOMETHING WAS LOST OR FAILED (see above)");
    return allOk ? 0 : 1;
}
