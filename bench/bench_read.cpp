// The read benchmark of the foundation issue: on one stream of N commits of ~100-byte payloads, reading through
// core (StreamReader over RedisConnection) and through `eventscope-cli --format json events` is compared with a
// plain blocking hiredis LRANGE+HMGET loop measured in the same run. Prints figures and ratios; exits 0 whatever
// they are, and 1 only when something could not be run or the read paths disagree.

#include "benchredis.h"
#include "benchutil.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "storelayout.h"
#include "streamreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

#include <hiredis/hiredis.h>

#include <cstdio>
#include <vector>

namespace {

using namespace Eventscope;

const QByteArray StreamName = "customer-1"; // the seeder names its streams customer-1 .. customer-N

constexpr double CoreTarget = 0.90;
constexpr double CliTarget = 0.50;
constexpr double CliRssTargetBytes = 100e6;

using namespace Eventscope::Bench;

// What one read of the whole stream saw.
struct ReadResult
{
    qint64 records = 0;
    qint64 payloadBytes = 0;
    qint64 missing = 0;
    double seconds = 0;
    double clientCpuSeconds = 0; // user + system time of the reading process
    double serverCpuSeconds = 0; // of redis-server meanwhile
    qint64 peakRssBytes = 0;     // child processes only
    double commitsPerSecond() const { return seconds > 0 ? double(records) / seconds : 0; }
};

// The baseline: one blocking round trip for the ids of a page, one for their payloads, page after page.
ReadResult readWithHiredis(const ConnectionOptions &options, const StoreLayout &layout, int pageSize)
{
    Hiredis redis(options);
    const QByteArray key = layout.streamKey(StreamName);
    ReadResult result;
    Stopwatch stopwatch;
    stopwatch.start();
    readStreamPages(redis, layout, key, pageSize, [&](const redisReply *payloads) {
        for (size_t i = 0; i < payloads->elements; ++i) {
            const redisReply *payload = payloads->element[i];
            if (payload->type == REDIS_REPLY_NIL)
                ++result.missing;
            else
                result.payloadBytes += qint64(payload->len);
        }
        result.records += qint64(payloads->elements);
    });
    result.seconds = stopwatch.seconds();
    result.clientCpuSeconds = stopwatch.cpuSeconds();
    return result;
}

// Core: StreamReader with its default request (page 1000, window 4) over a RedisConnection, timed from start()
// to finished().
ReadResult readWithCore(const ConnectionOptions &options, const StoreLayout &layout)
{
    CoreRun run(options);
    StreamReader reader(run.connection(), layout);
    ReadResult result;
    QObject::connect(&reader, &StreamReader::page, &reader, [&](const QList<EventRecord> &records) {
        for (const EventRecord &record : records) {
            if (record.missing)
                ++result.missing;
            else
                result.payloadBytes += record.payload.size();
        }
    });
    QObject::connect(&reader, &StreamReader::finished, &reader, [&](qint64 records) {
        result.seconds = run.stopwatch().seconds();
        result.clientCpuSeconds = run.stopwatch().cpuSeconds();
        result.records = records;
        run.done();
    });
    QObject::connect(&reader, &StreamReader::failed, &reader,
                     [&](StreamReader::Error, const QString &message) { run.fail(message); });
    run.exec("core read", [&] {
        StreamReader::Request request;
        request.stream = StreamName;
        reader.start(request);
    });
    return result;
}

QStringList cliEventsArguments(const QString &url)
{
    return {QStringLiteral("--url"),    url,
            QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("events"),   QString::fromUtf8(StreamName)};
}

// The CLI as a child writing to the null device, with its own peak RSS.
ReadResult readWithCli(const QString &cli, const QString &url, qint64 expectedRecords)
{
    std::vector<QByteArray> arguments = {QFile::encodeName(cli)};
    for (const QString &argument : cliEventsArguments(url))
        arguments.push_back(argument.toLocal8Bit());
    const ChildRun run = runToNullDevice(std::move(arguments));
    if (!run.exitedZero())
        die(QStringLiteral("%1 %2 failed (status %3)")
                .arg(cli, cliEventsArguments(url).join(QLatin1Char(' ')))
                .arg(run.status));
    ReadResult result;
    result.seconds = run.seconds;
    result.records = expectedRecords; // checked by verifyCli(); /dev/null cannot be counted
    result.clientCpuSeconds = run.cpuSeconds();
    result.peakRssBytes = run.peakRssBytes();
    return result;
}

// One untimed CLI read through a pipe, to check that it prints every commit in order and the same payload bytes.
ReadResult verifyCli(const QString &cli, const QString &url)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(cli, cliEventsArguments(url));
    if (!process.waitForStarted())
        die(QStringLiteral("cannot run %1: %2").arg(cli, process.errorString()));
    ReadResult result;
    QByteArray pending;
    auto consume = [&](bool atEnd) {
        qsizetype from = 0;
        for (;;) {
            const qsizetype end = pending.indexOf('\n', from);
            if (end < 0)
                break;
            const QByteArrayView line(pending.constData() + from, end - from);
            from = end + 1;
            ++result.records;
            const QByteArray version = "\"version\":" + QByteArray::number(result.records) + ',';
            if (!line.contains(QByteArrayView(version)))
                die(QStringLiteral("eventscope-cli: line %1 is not version %1: %2")
                        .arg(result.records)
                        .arg(QString::fromUtf8(line.toByteArray())));
            if (line.contains(QByteArrayView(",\"missing\":true"))) {
                ++result.missing;
                continue;
            }
            const qsizetype size = line.indexOf(QByteArrayView(",\"size\":"));
            if (size < 0)
                die(QStringLiteral("eventscope-cli: no size on line %1").arg(result.records));
            qsizetype p = size + 8;
            qint64 bytes = 0;
            while (p < line.size() && line.at(p) >= '0' && line.at(p) <= '9')
                bytes = bytes * 10 + (line.at(p++) - '0');
            result.payloadBytes += bytes;
        }
        pending.remove(0, from);
        if (atEnd && !pending.isEmpty())
            die(QStringLiteral("eventscope-cli: output ends inside a line"));
    };
    while (process.waitForReadyRead(-1)) {
        pending += process.readAllStandardOutput();
        consume(false);
    }
    process.waitForFinished(-1);
    pending += process.readAllStandardOutput();
    consume(true);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        die(QStringLiteral("eventscope-cli events failed (exit code %1)").arg(process.exitCode()));
    return result;
}

} // namespace

[[noreturn]] void Eventscope::Bench::die(const QString &message)
{
    dieAs("bench_read", message);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Reads one stream of N commits through a plain hiredis loop, core and eventscope-cli, and "
                       "prints commits/s and the ratios to the hiredis loop."));
    parser.addHelpOption();
    const OneStreamOptions stream;
    const QCommandLineOption roundsOption(QStringLiteral("rounds"), QStringLiteral("rounds of each read path"),
                                          QStringLiteral("R"), QStringLiteral("3"));
    const QCommandLineOption cliOption(QStringLiteral("cli"),
                                       QStringLiteral("the eventscope-cli to seed with and time"),
                                       QStringLiteral("PATH"), QStringLiteral(EVENTSCOPE_CLI_PATH));
    parser.addOptions({stream.url, stream.commits, stream.payloadSize, roundsOption, cliOption});
    parser.process(app);

    const qint64 commits = numberOption<qint64>(parser, stream.commits, 1);
    const int payloadSize = numberOption(parser, stream.payloadSize, 1);
    const int rounds = numberOption(parser, roundsOption, 1);
    const QString cli = parser.value(cliOption);
    if (!QFileInfo(cli).isExecutable())
        die(QStringLiteral("no eventscope-cli at %1 (give --cli PATH)").arg(cli));

    const BenchServer server(parser.value(stream.url), QStringLiteral("bench_read"));
    const QString &url = server.url;
    const ConnectionOptions &options = server.options;
    const StoreLayout layout = StoreLayout::seed();
    const QByteArray streamKey = layout.streamKey(StreamName);

    Hiredis admin(options);
    say("bench_read: one stream of %lld commits of ~%d-byte payloads; redis %s at %s%s; %d rounds\n",
        static_cast<long long>(commits), payloadSize, admin.serverVersion().constData(),
        options.displayUrl().toUtf8().constData(), server.origin(), rounds);
    say("eventscope-cli: %s\n", QFile::encodeName(cli).constData());

    seedOneStream(admin, cli, url, layout, streamKey, commits, payloadSize);

    const ReadResult checked = verifyCli(cli, url);
    say("eventscope-cli --format json events %s (untimed check): %lld records, %lld payload bytes\n",
        StreamName.constData(), static_cast<long long>(checked.records), static_cast<long long>(checked.payloadBytes));
    if (checked.records != commits || checked.missing != 0)
        die(QStringLiteral("eventscope-cli printed %1 records (%2 missing), expected %3")
                .arg(checked.records)
                .arg(checked.missing)
                .arg(commits));

    // Each path's figures over the rounds. CPU times per commit do not depend on what else the machine runs,
    // which wall-clock rates on a shared two-core box do.
    struct Series
    {
        const char *name;
        std::vector<double> rates, clientCpuUs, serverCpuUs;
        void add(const ReadResult &result, qint64 commits)
        {
            rates.push_back(result.commitsPerSecond());
            clientCpuUs.push_back(result.clientCpuSeconds * 1e6 / double(commits));
            serverCpuUs.push_back(result.serverCpuSeconds * 1e6 / double(commits));
        }
    };
    Series baselineSeries{"baseline: blocking hiredis LRANGE+HMGET", {}, {}, {}};
    Series coreSeries{"core: StreamReader (page 1000, window 4)", {}, {}, {}};
    Series cliSeries{"cli: eventscope-cli --format json events", {}, {}, {}};
    qint64 cliPeakRss = 0;
    auto agree = [&](const char *path, const ReadResult &result) {
        if (result.records != commits || result.missing != 0 || result.payloadBytes != checked.payloadBytes)
            die(QStringLiteral("%1 read %2 records, %3 missing, %4 payload bytes; expected %5 records and %6 bytes")
                    .arg(QString::fromUtf8(path))
                    .arg(result.records)
                    .arg(result.missing)
                    .arg(result.payloadBytes)
                    .arg(commits)
                    .arg(checked.payloadBytes));
    };
    auto measured = [&](auto read) {
        const double serverBefore = admin.serverCpuSeconds();
        ReadResult result = read();
        result.serverCpuSeconds = admin.serverCpuSeconds() - serverBefore;
        return result;
    };
    auto line = [](const char *name, const ReadResult &result) {
        say("  %-5s %6.3f s %9.0f commits/s  cpu: client %5.3f s, redis %5.3f s", name, result.seconds,
            result.commitsPerSecond(), result.clientCpuSeconds, result.serverCpuSeconds);
    };
    for (int round = 1; round <= rounds; ++round) {
        const ReadResult baseline = measured([&] { return readWithHiredis(options, layout, 1000); });
        agree("hiredis baseline", baseline);
        const ReadResult core = measured([&] { return readWithCore(options, layout); });
        agree("core", core);
        const ReadResult viaCli = measured([&] { return readWithCli(cli, url, commits); });
        baselineSeries.add(baseline, commits);
        coreSeries.add(core, commits);
        cliSeries.add(viaCli, commits);
        cliPeakRss = qMax(cliPeakRss, viaCli.peakRssBytes);
        say("round %d\n", round);
        line("base", baseline);
        say("\n");
        line("core", core);
        say("\n");
        line("cli", viaCli);
        say(", peak RSS %.1f MB\n", double(viaCli.peakRssBytes) / 1e6);
    }

    say("payload bytes: %lld, the same through hiredis, core and eventscope-cli\n",
        static_cast<long long>(checked.payloadBytes));
    say("\n%-42s %10s %10s %16s %16s\n", "", "commits/s", "commits/s", "client cpu", "redis cpu");
    say("%-42s %10s %10s %16s %16s\n", "", "best", "median", "us/commit (med)", "us/commit (med)");
    for (const Series *series : {&baselineSeries, &coreSeries, &cliSeries})
        say("%-42s %10.0f %10.0f %16.3f %16.3f\n", series->name, highest(series->rates), median(series->rates),
            median(series->clientCpuUs), median(series->serverCpuUs));

    const double coreRatio = highest(coreSeries.rates) / highest(baselineSeries.rates);
    const double cliRatio = highest(cliSeries.rates) / highest(baselineSeries.rates);
    say("\ncore / baseline  %.3f (medians: %.3f)  target >= %.2f  %s\n", coreRatio,
        median(coreSeries.rates) / median(baselineSeries.rates), CoreTarget, verdict(coreRatio >= CoreTarget));
    say("cli / baseline   %.3f (medians: %.3f)  target >= %.2f  %s\n", cliRatio,
        median(cliSeries.rates) / median(baselineSeries.rates), CliTarget, verdict(cliRatio >= CliTarget));
    say("cli peak RSS     %.1f MB (%.1f MiB)  target < %.0f MB  %s\n", double(cliPeakRss) / 1e6,
        double(cliPeakRss) / (1024.0 * 1024.0), CliRssTargetBytes / 1e6,
        verdict(double(cliPeakRss) < CliRssTargetBytes));
    return 0;
}
