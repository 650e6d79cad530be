// The live benchmark of issue 4, in one run against a private redis-server:
//   1. reference: a plain blocking-hiredis subscriber under `redis-benchmark -P 64 -c 4 -n N PUBLISH ch e1`;
//   2. a store publisher (HSET e<i> + PUBLISH e<i> pipelined 512 deep on one connection, ids in order, so every
//   announced commit exists):
//      the plain hiredis subscriber, then Eventscope's LiveFeed counting (payloads off, as `rate` runs it), then the
//      LiveFeed as the window runs it (payloads, summaries, the rate and tail models fed on the consumer thread);
//   3. the real commit script at full speed (4 writers, EVALSHA pipelined 64 deep): the LiveFeed receives every
//      commit; its rate against the writers' in the same round.
// Ratios are against the plain subscriber under the same publisher. Every LiveFeed round must deliver every id
// once, in order, with no reconnect. Prints figures; exits 1 only when something could not run or was lost.

#include "committer.h"
#include "livefeed.h"
#include "liveratemodel.h"
#include "livetailmodel.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

using namespace Eventscope;
using Clock = std::chrono::steady_clock;

constexpr double FeedTarget = 0.50;

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "bench_live: %s\n", message.toLocal8Bit().constData());
    std::exit(1);
}

void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
void say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::fflush(stdout);
}

double secondsSince(Clock::time_point start, Clock::time_point end)
{
    return std::chrono::duration<double>(end - start).count();
}

// A private redis-server with default limits (client-output-buffer-limit pubsub 32mb 8mb 60 included).
class LocalRedis
{
public:
    ~LocalRedis()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    void start()
    {
        const QString server = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
        if (server.isEmpty() || !m_dir.isValid())
            die(QStringLiteral("redis-server is not installed"));
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                die(QStringLiteral("no free port"));
            m_port = probe.serverPort();
        }
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(server,
                        {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                         QStringLiteral("127.0.0.1"), QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--save"),
                         QString(), QStringLiteral("--appendonly"), QStringLiteral("no")});
        QByteArray log;
        const QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && m_process.waitForReadyRead(1000)) {
            log += m_process.readAll();
            if (log.contains("Ready to accept connections"))
                return;
        }
        die(QStringLiteral("redis-server did not start: %1").arg(QString::fromLocal8Bit(log.right(2000))));
    }

    quint16 port() const { return m_port; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

redisContext *connectTo(quint16 port)
{
    redisContext *context = redisConnect("127.0.0.1", port);
    if (!context || context->err)
        die(QStringLiteral("hiredis cannot connect"));
    return context;
}

void command(redisContext *context, const QList<QByteArray> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    auto *reply = static_cast<redisReply *>(redisCommandArgv(context, int(argv.size()), argv.data(), lengths.data()));
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        die(QStringLiteral("%1 failed").arg(QString::fromUtf8(args.first())));
    freeReplyObject(reply);
}

void append(redisContext *context, const QList<QByteArray> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    redisAppendCommandArgv(context, int(argv.size()), argv.data(), lengths.data());
}

void readReplies(redisContext *context, int count)
{
    for (int i = 0; i < count; ++i) {
        void *reply = nullptr;
        if (redisGetReply(context, &reply) != REDIS_OK || !reply)
            die(QStringLiteral("publisher lost its connection"));
        if (static_cast<redisReply *>(reply)->type == REDIS_REPLY_ERROR)
            die(QStringLiteral("publisher: %1").arg(QString::fromUtf8(static_cast<redisReply *>(reply)->str)));
        freeReplyObject(reply);
    }
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
        redisContext *context = connectTo(port);
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
            redisAppendFormattedCommand(context, buffer.data(), used);
            readReplies(context, int(last - first + 1) * 2);
        }
        redisFree(context);
        return secondsSince(*start, Clock::now());
    }
    // The commit script, 4 writers, 64 in flight each.
    const QByteArray sha = Committer::scriptSha1();
    {
        redisContext *context = connectTo(port);
        command(context, {"SCRIPT", "LOAD", Committer::script()});
        redisFree(context);
    }
    *start = Clock::now();
    std::atomic<qint64> next{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&, w] {
            redisContext *context = connectTo(port);
            const QByteArray timestamp = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
            for (;;) {
                const qint64 first = next.fetch_add(64);
                if (first >= n)
                    break;
                const qint64 last = qMin(n, first + 64);
                for (qint64 i = first; i < last; ++i) {
                    const QByteArray stream = "customer-" + QByteArray::number((i * 7 + w) % 100);
                    append(context, {"EVALSHA", sha, "2", "EventStore", stream, "seed", "any", "e", "EventStore",
                                     stream, timestamp, payloadFor(i)});
                }
                readReplies(context, int(last - first));
            }
            redisFree(context);
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
    redisContext *context = connectTo(port);
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
    redisFree(context);
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
    redisContext *context = connectTo(port);
    command(context, {"FLUSHALL"});
    redisFree(context);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("messages"), QStringLiteral("messages per publisher round"), QStringLiteral("N"),
                      QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("commits"), QStringLiteral("commits through the commit script"),
                      QStringLiteral("N"), QStringLiteral("200000")});
    parser.addOption(
        {QStringLiteral("rounds"), QStringLiteral("rounds of each"), QStringLiteral("R"), QStringLiteral("3")});
    parser.process(app);
    const qint64 n = parser.value(QStringLiteral("messages")).toLongLong();
    const qint64 commits = parser.value(QStringLiteral("commits")).toLongLong();
    const int rounds = qMax(1, parser.value(QStringLiteral("rounds")).toInt());
    if (QStandardPaths::findExecutable(QStringLiteral("redis-benchmark")).isEmpty())
        die(QStringLiteral("redis-benchmark is not installed (package redis-tools)"));

    LocalRedis redis;
    redis.start();
    const quint16 port = redis.port();
    say("bench_live: redis-server on port %u, %lld messages a round, %lld commits through the script, %d rounds\n",
        port, n, commits, rounds);
    bool allOk = true;

    auto report = [&](const char *what, const std::vector<double> &rates, double baseline, const QString &extra) {
        const double best = *std::max_element(rates.begin(), rates.end());
        say("  %-58s best %10.0f/s  median %10.0f/s", what, best, median(rates));
        if (baseline > 0)
            say("  ratio %.3f (median %.3f)", best / baseline, median(rates) / baseline);
        say("%s\n", extra.toLocal8Bit().constData());
    };

    say("\n1. reference: redis-benchmark -P 64 -c 4 PUBLISH EventStore e1\n");
    {
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

    say("\n3. the commit script at full speed: 4 writers, EVALSHA 64 deep, 100 streams\n");
    {
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
    say("\n%s\n", allOk ? "every round: every message received, every commit delivered once and in order"
                        : "SOMETHING WAS LOST OR FAILED (see above)");
    return allOk ? 0 : 1;
}
