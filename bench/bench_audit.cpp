// The audit benchmark of the audit issue: a store of N commits (1,000,000) in S streams (100,000), seeded with
// pipelined hiredis, audited by core's Auditor (in this process) and by `eventscope-cli audit` (a child), against a
// plain blocking hiredis read of the same data measured in the same run: SCAN TYPE list with every page's LRANGEs
// pipelined, then HMGET of every id in pages of 1000. Prints figures and ratios (target: audit <= 2x the read, peak
// RSS < 300 MB); exits 0 whatever they are, and 1 only when something could not be run or the paths disagree.

#include "auditor.h"
#include "benchredis.h"
#include "benchutil.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "storelayout.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>

#include <hiredis/hiredis.h>

#include <cstdio>
#include <vector>

namespace {

using namespace Eventscope;
using namespace Eventscope::Bench;

constexpr double TimeTarget = 2.0;
constexpr double RssTargetBytes = 300e6;

QByteArray streamName(qint64 index)
{
    return "account-" + QByteArray::number(index);
}

// Commit n goes to stream ((n - 1) % streams) + 1 at version (n - 1) / streams + 1, so every stream's ids increase.
QByteArray payloadFor(const StoreLayout &layout, qint64 n, qint64 streams, int size)
{
    const qint64 stream = (n - 1) % streams + 1;
    const qint64 version = (n - 1) / streams + 1;
    QByteArray event = R"({"type":"Deposited","amount":)" + QByteArray::number((n * 7919) % 10000) + R"(,"note":")";
    QByteArray payload;
    if (layout.kind == StoreLayout::Kind::Zilverline) {
        payload = R"({"storeRevision":)" + QByteArray::number(n) + R"(,"timestamp":)"
                  + QByteArray::number(1764115200000 + n) + R"(,"streamId":")" + streamName(stream)
                  + R"(","streamRevision":)" + QByteArray::number(version) + R"(,"events":[)" + event;
        payload += QByteArray(qMax<qsizetype>(0, size - payload.size() - 20), 'x') + R"("}],"headers":{}})";
    } else {
        payload = event + QByteArray(qMax<qsizetype>(0, size - event.size() - 2), 'x') + "\"}";
    }
    return payload;
}

void seed(Hiredis &redis, const StoreLayout &layout, qint64 commits, qint64 streams, int payloadSize)
{
    QElapsedTimer clock;
    clock.start();
    constexpr qint64 FieldsPerHset = 1000;
    qint64 pending = 0;
    auto drain = [&](qint64 keep) {
        while (pending > keep) {
            redis.next();
            --pending;
        }
    };
    for (qint64 first = 1; first <= commits; first += FieldsPerHset) {
        std::vector<QByteArray> hset = {"HSET", layout.eventsKey};
        for (qint64 n = first; n < qMin(commits + 1, first + FieldsPerHset); ++n) {
            hset.push_back(layout.idFor(n));
            hset.push_back(payloadFor(layout, n, streams, payloadSize));
        }
        redis.append(hset);
        ++pending;
        drain(16);
    }
    drain(0);
    for (qint64 stream = 1; stream <= streams; ++stream) {
        std::vector<QByteArray> rpush = {"RPUSH", layout.streamKey(streamName(stream))};
        for (qint64 n = stream; n <= commits; n += streams)
            rpush.push_back(layout.idFor(n));
        if (rpush.size() == 2)
            continue;
        redis.append(rpush);
        ++pending;
        drain(1000);
    }
    drain(0);
    say("seeded %lld commits in %lld streams in %.1f s\n", static_cast<long long>(commits),
        static_cast<long long>(streams), double(clock.elapsed()) / 1000.0);
}

struct Result
{
    double seconds = 0;
    double clientCpu = 0;
    double serverCpu = 0;
    qint64 peakRss = 0;
    qint64 references = 0;
    qint64 commits = 0;
    qint64 findings = 0;
    qint64 streams = 0;
};

// The baseline: every list and every commit read once, blocking, with no checking at all.
Result readWithHiredis(const ConnectionOptions &options, const StoreLayout &layout)
{
    Hiredis redis(options);
    Result result;
    Stopwatch stopwatch;
    stopwatch.start();
    QByteArray cursor = "0";
    do {
        const Hiredis::Reply scan
            = redis.command({"SCAN", cursor, "MATCH", layout.streamPattern, "COUNT", "1000", "TYPE", "list"});
        cursor = QByteArray(scan->element[0]->str, qsizetype(scan->element[0]->len));
        const redisReply *keys = scan->element[1];
        for (size_t i = 0; i < keys->elements; ++i)
            redis.append({"LRANGE", QByteArray(keys->element[i]->str, qsizetype(keys->element[i]->len)), "0", "-1"});
        for (size_t i = 0; i < keys->elements; ++i) {
            const Hiredis::Reply ids = redis.next();
            result.references += qint64(ids->elements);
            ++result.streams;
        }
    } while (cursor != "0");
    const qint64 length = redis.integer({"HLEN", layout.eventsKey});
    QList<QByteArray> hmget;
    for (qint64 first = 1; first <= length; first += 1000) {
        hmget = {"HMGET", layout.eventsKey};
        for (qint64 n = first; n < qMin(length + 1, first + 1000); ++n)
            hmget.push_back(layout.idFor(n));
        const Hiredis::Reply payloads = redis.command(hmget);
        for (size_t i = 0; i < payloads->elements; ++i)
            result.commits += payloads->element[i]->type == REDIS_REPLY_STRING;
    }
    result.seconds = stopwatch.seconds();
    result.clientCpu = stopwatch.cpuSeconds();
    return result;
}

Result auditWithCore(const ConnectionOptions &options, const StoreLayout &layout)
{
    CoreRun run(options);
    Auditor auditor(run.connection(), layout);
    Result result;
    QObject::connect(&auditor, &Auditor::finished, &auditor, [&](const AuditSummary &summary) {
        result.seconds = run.stopwatch().seconds();
        result.clientCpu = run.stopwatch().cpuSeconds();
        result.references = summary.references;
        result.commits = summary.commits;
        result.streams = summary.streams;
        result.findings = summary.total();
        run.done();
    });
    QObject::connect(&auditor, &Auditor::failed, &auditor, [&](const QString &message) { run.fail(message); });
    run.exec("core audit", [&] { auditor.start(); });
    return result;
}

// `eventscope-cli --format json audit` as a child writing to the null device; its own peak RSS from wait4().
Result auditWithCli(const QString &cli, const QString &url, const StoreLayout &layout)
{
    std::vector<QByteArray> arguments = {QFile::encodeName(cli), "--url", url.toUtf8()};
    if (layout.kind == StoreLayout::Kind::Zilverline)
        arguments.insert(arguments.end(), {"--layout", "zilverline", "--events-key", layout.eventsKey});
    arguments.insert(arguments.end(), {"--format", "json", "audit"});
    const ChildRun run = runToNullDevice(std::move(arguments));
    if (!run.exitedZero())
        die(QStringLiteral("eventscope-cli audit did not exit 0 on the clean store (status %1)").arg(run.status));
    Result result;
    result.seconds = run.seconds;
    result.clientCpu = run.cpuSeconds();
    result.peakRss = run.peakRssBytes();
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Audit benchmark"));
    parser.addHelpOption();
    const QCommandLineOption urlOption(QStringLiteral("url"), QStringLiteral("an empty database to use"),
                                       QStringLiteral("URL"));
    const QCommandLineOption commitsOption(QStringLiteral("commits"), QStringLiteral("commits"), QStringLiteral("N"),
                                           QStringLiteral("1000000"));
    const QCommandLineOption streamsOption(QStringLiteral("stream-count"), QStringLiteral("streams"),
                                           QStringLiteral("S"), QStringLiteral("100000"));
    const QCommandLineOption payloadOption(QStringLiteral("payload-size"), QStringLiteral("bytes per payload"),
                                           QStringLiteral("B"), QStringLiteral("100"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"), QStringLiteral("rounds of each path"),
                                          QStringLiteral("R"), QStringLiteral("3"));
    const QCommandLineOption layoutOption(QStringLiteral("layout"), QStringLiteral("seed or zilverline"),
                                          QStringLiteral("L"), QStringLiteral("seed"));
    const QCommandLineOption cliOption(QStringLiteral("cli"), QStringLiteral("the eventscope-cli to time"),
                                       QStringLiteral("PATH"), QStringLiteral(EVENTSCOPE_CLI_PATH));
    parser.addOptions({urlOption, commitsOption, streamsOption, payloadOption, roundsOption, layoutOption, cliOption});
    parser.process(app);

    const qint64 commits = parser.value(commitsOption).toLongLong();
    const qint64 streams = parser.value(streamsOption).toLongLong();
    const int payloadSize = parser.value(payloadOption).toInt();
    const int rounds = parser.value(roundsOption).toInt();
    if (commits < 1 || streams < 1 || streams > commits || payloadSize < 1 || rounds < 1)
        die(QStringLiteral("--commits, --stream-count (<= commits), --payload-size and --rounds take numbers from 1"));
    const StoreLayout layout = parser.value(layoutOption) == QLatin1String("zilverline")
                                   ? StoreLayout::zilverline("bench")
                                   : StoreLayout::seed();
    const QString cli = parser.value(cliOption);
    if (!QFileInfo(cli).isExecutable())
        die(QStringLiteral("no eventscope-cli at %1 (give --cli PATH)").arg(cli));

    const BenchServer server(parser.value(urlOption), QStringLiteral("bench_audit"));
    const QString &url = server.url;
    const ConnectionOptions &options = server.options;

    Hiredis admin(options);
    const QByteArray version = admin.serverVersion();
    say("bench_audit: %lld commits in %lld streams, ~%d-byte payloads, %s layout; redis %s at %s%s; %d rounds\n",
        static_cast<long long>(commits), static_cast<long long>(streams), payloadSize, qPrintable(layout.kindName()),
        version.constData(), qPrintable(options.displayUrl()), server.origin(), rounds);
    if (!storeHolds(admin, layout, commits))
        seed(admin, layout, commits, streams, payloadSize);

    std::vector<double> baseTimes, coreTimes, cliTimes, baseCpu, coreCpu, cliCpu, baseServer, coreServer, cliServer;
    qint64 corePeak = 0;
    qint64 cliPeak = 0;
    const bool canResetPeak = resetPeakRss();
    for (int round = 1; round <= rounds; ++round) {
        double before = admin.serverCpuSeconds();
        const Result base = readWithHiredis(options, layout);
        const double baseServerCpu = admin.serverCpuSeconds() - before;
        if (base.references != commits || base.commits != commits)
            die(QStringLiteral("the baseline read %1 references and %2 commits, expected %3")
                    .arg(base.references)
                    .arg(base.commits)
                    .arg(commits));

        resetPeakRss();
        const qint64 rssBefore = peakRssBytes();
        before = admin.serverCpuSeconds();
        const Result core = auditWithCore(options, layout);
        const double coreServerCpu = admin.serverCpuSeconds() - before;
        const qint64 rssAfter = peakRssBytes();
        corePeak = qMax(corePeak, rssAfter);
        if (core.references != commits || core.commits != commits || core.findings != 0 || core.streams != base.streams)
            die(QStringLiteral("core audited %1 references, %2 commits, %3 streams with %4 findings; expected %5, %5, "
                               "%6 and none")
                    .arg(core.references)
                    .arg(core.commits)
                    .arg(core.streams)
                    .arg(core.findings)
                    .arg(commits)
                    .arg(base.streams));

        before = admin.serverCpuSeconds();
        const Result viaCli = auditWithCli(cli, url, layout);
        const double cliServerCpu = admin.serverCpuSeconds() - before;
        cliPeak = qMax(cliPeak, viaCli.peakRss);

        baseTimes.push_back(base.seconds);
        coreTimes.push_back(core.seconds);
        cliTimes.push_back(viaCli.seconds);
        baseCpu.push_back(base.clientCpu);
        coreCpu.push_back(core.clientCpu);
        cliCpu.push_back(viaCli.clientCpu);
        baseServer.push_back(baseServerCpu);
        coreServer.push_back(coreServerCpu);
        cliServer.push_back(cliServerCpu);
        say("round %d: baseline %.3f s (cpu %.2f s, redis %.2f s); core audit %.3f s (cpu %.2f s, redis %.2f s, "
            "VmHWM %.1f MB, %.1f MB before); cli audit %.3f s (cpu %.2f s, redis %.2f s, peak RSS %.1f MB)\n",
            round, base.seconds, base.clientCpu, baseServerCpu, core.seconds, core.clientCpu, coreServerCpu,
            double(rssAfter) / 1e6, double(rssBefore) / 1e6, viaCli.seconds, viaCli.clientCpu, cliServerCpu,
            double(viaCli.peakRss) / 1e6);
    }

    say("\n%-52s %9s %9s %12s %12s\n", "", "best s", "median s", "client cpu s", "redis cpu s");
    say("%-52s %9.3f %9.3f %12.2f %12.2f\n", "baseline: blocking hiredis SCAN+LRANGE, HMGET 1000", lowest(baseTimes),
        median(baseTimes), median(baseCpu), median(baseServer));
    say("%-52s %9.3f %9.3f %12.2f %12.2f\n", "core: Auditor on RedisConnection", lowest(coreTimes), median(coreTimes),
        median(coreCpu), median(coreServer));
    say("%-52s %9.3f %9.3f %12.2f %12.2f\n", "cli: eventscope-cli --format json audit", lowest(cliTimes),
        median(cliTimes), median(cliCpu), median(cliServer));
    const double coreRatio = lowest(coreTimes) / lowest(baseTimes);
    const double cliRatio = lowest(cliTimes) / lowest(baseTimes);
    say("\ncore audit / baseline  %.3f (medians %.3f)  target <= %.1f  %s\n", coreRatio,
        median(coreTimes) / median(baseTimes), TimeTarget, verdict(coreRatio <= TimeTarget));
    say("cli audit / baseline   %.3f (medians %.3f)  target <= %.1f  %s\n", cliRatio,
        median(cliTimes) / median(baseTimes), TimeTarget, verdict(cliRatio <= TimeTarget));
    say("cli peak RSS           %.1f MB  target < %.0f MB  %s\n", double(cliPeak) / 1e6, RssTargetBytes / 1e6,
        verdict(double(cliPeak) < RssTargetBytes));
    if (canResetPeak)
        say("core process VmHWM     %.1f MB during the audit (includes the bench's own baseline buffers)\n",
            double(corePeak) / 1e6);
    return 0;
}

[[noreturn]] void Eventscope::Bench::die(const QString &message)
{
    dieAs("bench_audit", message);
}
