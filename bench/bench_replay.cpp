// The replay benchmark of the replay issue: on one stream of N commits of ~100-byte payloads, a reducer that counts
// commits and sums a field is replayed end to end (read + decode + run in the sandbox) through ReplayRunner and
// compared with a plain blocking hiredis LRANGE+HMGET loop measured in the same run; then 100 seeks to random
// versions; peak RSS of this process and of the sandbox process. Prints figures, ratios and PASS/MISS per target;
// exits 0 whatever they are, and 1 only when something could not be run or the replayed state is wrong.

#include "benchredis.h"
#include "benchutil.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "replayrunner.h"
#include "storelayout.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <hiredis/hiredis.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

namespace {

using namespace Eventscope;

const QByteArray StreamName = "customer-1"; // the seeder names its streams customer-1 .. customer-N

constexpr double ThroughputTarget = 0.50; // of the hiredis loop
constexpr double SeekP99TargetMs = 100;

// Counts commits and sums the seeder's "amount" field.
const QByteArray Reducer = "function init() { return { count: 0, sum: 0 }; }\n"
                           "function reduce(state, event) {\n"
                           "    state.count += 1;\n"
                           "    state.sum += event.data.amount;\n"
                           "    return state;\n"
                           "}\n";

using namespace Eventscope::Bench;

// CPU seconds (user + system) a live process has used so far, from /proc/<pid>/stat; 0 when it cannot be read.
double processCpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are the
    // 12th and 13th of them.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

struct BaselineResult
{
    qint64 records = 0;
    qint64 payloadBytes = 0;
    double seconds = 0;
    double cpu = 0;
    double rate() const { return seconds > 0 ? double(records) / seconds : 0; }
};

// The baseline: one blocking round trip for the ids of a page, one for their payloads, page after page. With sum,
// also the sum of the "amount" fields (untimed use only: it adds work to the loop).
BaselineResult readWithHiredis(const ConnectionOptions &options, const StoreLayout &layout, int pageSize,
                               qint64 *sum = nullptr)
{
    Hiredis redis(options);
    const QByteArray key = layout.streamKey(StreamName);
    BaselineResult result;
    Stopwatch stopwatch;
    stopwatch.start();
    readStreamPages(redis, layout, key, pageSize, [&](const redisReply *payloads) {
        for (size_t i = 0; i < payloads->elements; ++i) {
            const redisReply *payload = payloads->element[i];
            if (payload->type == REDIS_REPLY_NIL)
                die(QStringLiteral("a commit is missing from the hash"));
            result.payloadBytes += qint64(payload->len);
            if (sum) {
                const QByteArrayView text(payload->str, qsizetype(payload->len));
                const qsizetype at = text.indexOf(QByteArrayView("\"amount\":"));
                if (at < 0)
                    die(QStringLiteral("a payload without \"amount\""));
                qsizetype p = at + 9;
                qint64 value = 0;
                while (p < text.size() && text.at(p) >= '0' && text.at(p) <= '9')
                    value = value * 10 + (text.at(p++) - '0');
                *sum += value;
            }
        }
        result.records += qint64(payloads->elements);
    });
    result.seconds = stopwatch.seconds();
    result.cpu = stopwatch.cpuSeconds();
    return result;
}

QJsonObject stateOf(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

struct ReplayFigures
{
    ReplayResult result;
    double seconds = 0;    // start() to finished(), as the caller sees it
    double cpu = 0;        // of this process
    double sandboxCpu = 0; // of the sandbox process, compile to the final state
    double rate() const { return seconds > 0 ? double(result.commits) / seconds : 0; }
};

} // namespace

[[noreturn]] void Eventscope::Bench::die(const QString &message)
{
    dieAs("bench_replay", message);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Replays one stream of N commits through a counting/summing reducer in the sandbox, compares "
                       "the rate with a plain hiredis read loop, then seeks to random versions."));
    parser.addHelpOption();
    const OneStreamOptions stream;
    const QCommandLineOption roundsOption(QStringLiteral("rounds"),
                                          QStringLiteral("rounds of the baseline and of the replay (best counts)"),
                                          QStringLiteral("R"), QStringLiteral("2"));
    const QCommandLineOption seeksOption(QStringLiteral("seeks"), QStringLiteral("random seeks after the run"),
                                         QStringLiteral("S"), QStringLiteral("100"));
    const QCommandLineOption pageOption(QStringLiteral("page-size"),
                                        QStringLiteral("ReplayOptions::pageSize (0: the default)"), QStringLiteral("P"),
                                        QStringLiteral("0"));
    const QCommandLineOption everyOption(QStringLiteral("checkpoint-every"),
                                         QStringLiteral("ReplayOptions::checkpointEvery (0: chosen by the runner)"),
                                         QStringLiteral("K"), QStringLiteral("0"));
    const QCommandLineOption cliOption(QStringLiteral("cli"), QStringLiteral("the eventscope-cli to seed with"),
                                       QStringLiteral("PATH"), QStringLiteral(EVENTSCOPE_CLI_PATH));
    const QCommandLineOption sandboxOption(QStringLiteral("sandbox"), QStringLiteral("the eventscope-sandbox to run"),
                                           QStringLiteral("PATH"), QStringLiteral(EVENTSCOPE_SANDBOX_PATH));
    parser.addOptions({stream.url, stream.commits, stream.payloadSize, roundsOption, seeksOption, pageOption,
                       everyOption, cliOption, sandboxOption});
    parser.process(app);

    const qint64 commits = numberOption<qint64>(parser, stream.commits, 1);
    const int payloadSize = numberOption(parser, stream.payloadSize, 1);
    const int rounds = numberOption(parser, roundsOption, 1);
    const int seeks = numberOption(parser, seeksOption, 1);
    const int pageSize = numberOption(parser, pageOption, 0);
    const qint64 every = numberOption<qint64>(parser, everyOption, 0);
    const QString cli = parser.value(cliOption);
    const QString sandbox = parser.value(sandboxOption);
    if (!QFileInfo(sandbox).isExecutable())
        die(QStringLiteral("no eventscope-sandbox at %1 (give --sandbox PATH)").arg(sandbox));

    const BenchServer server(parser.value(stream.url), QStringLiteral("bench_replay"));
    const ConnectionOptions &options = server.options;
    const StoreLayout layout = StoreLayout::seed();
    const QByteArray streamKey = layout.streamKey(StreamName);

    Hiredis admin(options);
    say("bench_replay: one stream of %lld commits of ~%d-byte payloads; redis %s at %s%s; %d rounds, %d seeks\n",
        static_cast<long long>(commits), payloadSize, admin.serverVersion().constData(),
        options.displayUrl().toUtf8().constData(), server.origin(), rounds, seeks);
    say("eventscope-sandbox: %s\n", QFile::encodeName(sandbox).constData());

    seedOneStream(admin, cli, server.url, layout, streamKey, commits, payloadSize);

    // What the reducer must arrive at, from an untimed pass of the hiredis loop.
    qint64 expectedSum = 0;
    const BaselineResult checked = readWithHiredis(options, layout, 1000, &expectedSum);
    if (checked.records != commits)
        die(QStringLiteral("the hiredis loop read %1 commits, expected %2").arg(checked.records).arg(commits));
    say("expected state: count %lld, sum %lld (untimed hiredis pass)\n", static_cast<long long>(commits),
        static_cast<long long>(expectedSum));

    RedisConnection connection(options);
    {
        QEventLoop loop;
        QObject::connect(&connection, &RedisConnection::ready, &loop, &QEventLoop::quit);
        QObject::connect(&connection, &RedisConnection::errorOccurred, &loop,
                         [](RedisConnection::Error, const QString &message) { die(message); });
        connection.open();
        loop.exec();
    }

    ReplayOptions replay;
    replay.source = ReplaySource::stream(StreamName);
    replay.script = Reducer;
    replay.scriptName = QStringLiteral("bench.js");
    replay.sandboxProgram = sandbox;
    replay.checkpointEvery = every;
    if (pageSize > 0)
        replay.pageSize = pageSize;

    std::unique_ptr<ReplayRunner> runner;
    auto runReplay = [&] {
        runner = std::make_unique<ReplayRunner>(&connection, layout);
        ReplayFigures figures;
        QEventLoop loop;
        QObject::connect(runner.get(), &ReplayRunner::finished, &loop, [&](const ReplayResult &result) {
            figures.result = result;
            loop.quit();
        });
        QObject::connect(runner.get(), &ReplayRunner::failed, &loop,
                         [](const ProjectionError &failure) { die(QStringLiteral("replay: ") + failure.text()); });
        Stopwatch stopwatch;
        stopwatch.start();
        runner->start(replay);
        loop.exec();
        figures.seconds = stopwatch.seconds();
        figures.cpu = stopwatch.cpuSeconds();
        figures.sandboxCpu = processCpuSeconds(runner->sandboxProcessId());
        const QJsonObject state = stateOf(figures.result.state.state);
        if (figures.result.commits != commits || state.value(QStringLiteral("count")).toInteger() != commits
            || state.value(QStringLiteral("sum")).toInteger() != expectedSum)
            die(QStringLiteral("the replay ended with %1 commits and the state %2; expected count %3, sum %4")
                    .arg(figures.result.commits)
                    .arg(QString::fromUtf8(figures.result.state.state))
                    .arg(commits)
                    .arg(expectedSum));
        return figures;
    };

    std::vector<double> baselineRates, replayRates;
    ReplayFigures last;
    const double childCpuBefore = cpuSeconds(RUSAGE_CHILDREN); // the seeding CLI
    resetPeakRss();
    for (int round = 1; round <= rounds; ++round) {
        const BaselineResult baseline = readWithHiredis(options, layout, 1000);
        if (baseline.records != commits || baseline.payloadBytes != checked.payloadBytes)
            die(QStringLiteral("the hiredis loop read %1 commits this time").arg(baseline.records));
        baselineRates.push_back(baseline.rate());
        last = runReplay();
        replayRates.push_back(last.rate());
        say("round %d\n  base   %6.3f s %9.0f commits/s  cpu %5.3f s\n", round, baseline.seconds, baseline.rate(),
            baseline.cpu);
        say("  replay %6.3f s %9.0f commits/s  cpu %5.3f s here (%.2f us/commit), sandbox %5.3f s (%.2f us/commit)  "
            "ratio %.3f\n",
            last.seconds, last.rate(), last.cpu, last.cpu / double(commits) * 1e6, last.sandboxCpu,
            last.sandboxCpu / double(commits) * 1e6, last.rate() / baseline.rate());
    }

    // Seeks after the run, on the last runner: random versions, each timed from seek() to stepReady.
    std::mt19937_64 random(20261126);
    std::uniform_int_distribution<qint64> pick(1, commits);
    std::vector<double> seekMs;
    {
        QEventLoop loop;
        qint64 wanted = 0;
        QElapsedTimer clock;
        QObject::connect(runner.get(), &ReplayRunner::stepReady, &loop, [&](const ReplayStep &step) {
            const double ms = double(clock.nsecsElapsed()) / 1e6;
            if (step.version != wanted)
                die(QStringLiteral("asked for version %1, got %2").arg(wanted).arg(step.version));
            const qint64 before = stateOf(step.before.state).value(QStringLiteral("count")).toInteger(-1);
            const qint64 after = stateOf(step.after.state).value(QStringLiteral("count")).toInteger(-1);
            if (before != wanted - 1 || after != wanted)
                die(QStringLiteral("seek to %1: counts %2 before and %3 after").arg(wanted).arg(before).arg(after));
            seekMs.push_back(ms);
            loop.quit();
        });
        QObject::connect(runner.get(), &ReplayRunner::stepFailed, &loop,
                         [](qint64 version, const ProjectionError &failure) {
                             die(QStringLiteral("seek to %1: %2").arg(version).arg(failure.text()));
                         });
        for (int i = 0; i < seeks; ++i) {
            wanted = pick(random);
            clock.start();
            runner->seek(wanted);
            loop.exec();
        }
    }
    const qint64 sandboxPid = runner->sandboxProcessId();
    const qint64 sandboxPeak = qMax<qint64>(0, peakRssBytes(QString::number(sandboxPid)));
    const qint64 appPeak = qMax<qint64>(0, peakRssBytes());
    runner.reset();
    QCoreApplication::processEvents(); // the last sandbox is reaped
    const double sandboxCpu = cpuSeconds(RUSAGE_CHILDREN) - childCpuBefore;

    const double baseBest = *std::max_element(baselineRates.begin(), baselineRates.end());
    const double replayBest = *std::max_element(replayRates.begin(), replayRates.end());
    const double ratio = replayBest / baseBest;
    const double p50 = percentile(seekMs, 0.50);
    const double p99 = percentile(seekMs, 0.99);
    const double worst = *std::max_element(seekMs.begin(), seekMs.end());
    say("\ncheckpoints: %d, %.1f KiB, every %lld versions (budget %.0f MiB)\n", last.result.checkpoints,
        double(last.result.checkpointBytes) / 1024.0, static_cast<long long>(last.result.checkpointInterval),
        double(replay.checkpointBudget) / (1024.0 * 1024.0));
    say("seeks: %zu, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", seekMs.size(), p50, p99, worst);
    say("peak RSS: this process %.1f MB (VmHWM since the first round), sandbox %.1f MB (VmHWM of pid %lld)\n",
        double(appPeak) / 1e6, double(sandboxPeak) / 1e6, static_cast<long long>(sandboxPid));
    say("cpu of sandboxes over all rounds and seeks: %.2f s\n", sandboxCpu);

    say("\nsummary\n");
    say("  %-44s %14s  %s\n", "target", "measured", "result");
    say("  %-44s %14.3f  %s   (replay %.0f vs hiredis %.0f commits/s, best of %d)\n", "replay / hiredis loop >= 0.50",
        ratio, verdict(ratio >= ThroughputTarget), replayBest, baseBest, rounds);
    say("  %-44s %11.1f ms  %s\n", "seek p99 < 100 ms", p99, verdict(p99 < SeekP99TargetMs));
    say("  %-44s %11.1f MB  %s\n", "peak RSS, application", double(appPeak) / 1e6, "(reported)");
    say("  %-44s %11.1f MB  %s\n", "peak RSS, sandbox", double(sandboxPeak) / 1e6, "(reported)");
    return 0;
}
