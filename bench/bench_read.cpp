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
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>

#include <hiredis/hiredis.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <spawn.h>
#include <unistd.h>
#include <vector>

extern char **environ;

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
    std::vector<const char *> argv;
    std::vector<size_t> argvlen;
    ReadResult result;
    const double cpuBefore = cpuSeconds();
    QElapsedTimer clock;
    clock.start();
    const qint64 length = redis.integer({"LLEN", key});
    for (qint64 first = 0; first < length; first += pageSize) {
        const QByteArray from = QByteArray::number(first);
        const QByteArray to = QByteArray::number(qMin(length, first + pageSize) - 1);
        const char *rangeArgv[] = {"LRANGE", key.constData(), from.constData(), to.constData()};
        const size_t rangeLen[] = {6, size_t(key.size()), size_t(from.size()), size_t(to.size())};
        const Hiredis::Reply ids = redis.call(4, rangeArgv, rangeLen);
        if (ids->type != REDIS_REPLY_ARRAY)
            die(QStringLiteral("LRANGE did not answer an array"));
        if (ids->elements == 0)
            break;
        argv.assign({"HMGET", layout.eventsKey.constData()});
        argvlen.assign({5, size_t(layout.eventsKey.size())});
        for (size_t i = 0; i < ids->elements; ++i) {
            argv.push_back(ids->element[i]->str);
            argvlen.push_back(ids->element[i]->len);
        }
        const Hiredis::Reply payloads = redis.call(int(argv.size()), argv.data(), argvlen.data());
        if (payloads->type != REDIS_REPLY_ARRAY || payloads->elements != ids->elements)
            die(QStringLiteral("HMGET did not answer one element per id"));
        for (size_t i = 0; i < payloads->elements; ++i) {
            const redisReply *payload = payloads->element[i];
            if (payload->type == REDIS_REPLY_NIL)
                ++result.missing;
            else
                result.payloadBytes += qint64(payload->len);
        }
        result.records += qint64(payloads->elements);
    }
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    result.clientCpuSeconds = cpuSeconds() - cpuBefore;
    return result;
}

// Core: StreamReader with its default request (page 1000, window 4) over a RedisConnection, timed from start()
// to finished().
ReadResult readWithCore(const ConnectionOptions &options, const StoreLayout &layout)
{
    RedisConnection connection(options);
    StreamReader reader(&connection, layout);
    QEventLoop loop;
    QElapsedTimer clock;
    double cpuBefore = 0;
    ReadResult result;
    QString error;

    QObject::connect(&connection, &RedisConnection::ready, &loop, [&] {
        StreamReader::Request request;
        request.stream = StreamName;
        cpuBefore = cpuSeconds();
        clock.start();
        reader.start(request);
    });
    QObject::connect(&connection, &RedisConnection::errorOccurred, &loop,
                     [&](RedisConnection::Error, const QString &message) {
                         error = message;
                         loop.quit();
                     });
    QObject::connect(&reader, &StreamReader::page, &loop, [&](const QList<EventRecord> &records) {
        for (const EventRecord &record : records) {
            if (record.missing)
                ++result.missing;
            else
                result.payloadBytes += record.payload.size();
        }
    });
    QObject::connect(&reader, &StreamReader::finished, &loop, [&](qint64 records) {
        result.seconds = double(clock.nsecsElapsed()) / 1e9;
        result.clientCpuSeconds = cpuSeconds() - cpuBefore;
        result.records = records;
        loop.quit();
    });
    QObject::connect(&reader, &StreamReader::failed, &loop, [&](StreamReader::Error, const QString &message) {
        error = message;
        loop.quit();
    });
    connection.open();
    loop.exec();
    if (!error.isEmpty())
        die(QStringLiteral("core read failed: %1").arg(error));
    return result;
}

QStringList cliEventsArguments(const QString &url)
{
    return {QStringLiteral("--url"),    url,
            QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("events"),   QString::fromUtf8(StreamName)};
}

// The CLI as a child writing to the null device. Spawned and reaped here, not by QProcess, because wait4() gives
// this child's own peak RSS; getrusage(RUSAGE_CHILDREN) only keeps the maximum over every child ever reaped.
ReadResult readWithCli(const QString &cli, const QString &url, qint64 expectedRecords)
{
    std::vector<QByteArray> storage = {QFile::encodeName(cli)};
    for (const QString &argument : cliEventsArguments(url))
        storage.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &argument : storage)
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
        die(QStringLiteral("cannot run %1: %2").arg(cli, QString::fromLocal8Bit(std::strerror(spawned))));
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR)
            die(QStringLiteral("wait4: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    ReadResult result;
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die(QStringLiteral("%1 %2 failed (status %3)")
                .arg(cli, cliEventsArguments(url).join(QLatin1Char(' ')))
                .arg(status));
    result.records = expectedRecords; // checked by verifyCli(); /dev/null cannot be counted
    result.clientCpuSeconds = cpuSeconds(usage);
    result.peakRssBytes = qint64(usage.ru_maxrss) * 1024;
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

void seed(const QString &cli, const QString &url, qint64 commits, int payloadSize)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    const QStringList arguments = {QStringLiteral("--url"),     url,
                                   QStringLiteral("seed"),      QStringLiteral("--stream-count"),
                                   QStringLiteral("1"),         QStringLiteral("--commits"),
                                   QString::number(commits),    QStringLiteral("--payload-size"),
                                   QString::number(payloadSize)};
    QElapsedTimer clock;
    clock.start();
    process.start(cli, arguments);
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        die(QStringLiteral("seeding failed: %1 %2: %3")
                .arg(cli, arguments.join(QLatin1Char(' ')), QString::fromLocal8Bit(process.readAll())));
    say("seeded %lld commits in %.2f s (eventscope-cli seed)\n", static_cast<long long>(commits),
        double(clock.elapsed()) / 1000.0);
}

} // namespace

[[noreturn]] void Eventscope::Bench::die(const QString &message)
{
    std::fprintf(stderr, "bench_read: %s\n", message.toLocal8Bit().constData());
    std::exit(1);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Reads one stream of N commits through a plain hiredis loop, core and eventscope-cli, and "
                       "prints commits/s and the ratios to the hiredis loop."));
    parser.addHelpOption();
    const QCommandLineOption urlOption(QStringLiteral("url"),
                                       QStringLiteral("use this server (an empty database, or one this bench "
                                                      "seeded with the same N) instead of starting redis-server"),
                                       QStringLiteral("URL"));
    const QCommandLineOption commitsOption(QStringLiteral("commits"), QStringLiteral("commits in the stream"),
                                           QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption payloadOption(QStringLiteral("payload-size"), QStringLiteral("bytes per payload"),
                                           QStringLiteral("B"), QStringLiteral("100"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"), QStringLiteral("rounds of each read path"),
                                          QStringLiteral("R"), QStringLiteral("3"));
    const QCommandLineOption cliOption(QStringLiteral("cli"),
                                       QStringLiteral("the eventscope-cli to seed with and time"),
                                       QStringLiteral("PATH"), QStringLiteral(EVENTSCOPE_CLI_PATH));
    parser.addOptions({urlOption, commitsOption, payloadOption, roundsOption, cliOption});
    parser.process(app);

    bool ok = false;
    const qint64 commits = parser.value(commitsOption).toLongLong(&ok);
    if (!ok || commits < 1)
        die(QStringLiteral("--commits takes a number from 1"));
    const int payloadSize = parser.value(payloadOption).toInt(&ok);
    if (!ok || payloadSize < 1)
        die(QStringLiteral("--payload-size takes a number from 1"));
    const int rounds = parser.value(roundsOption).toInt(&ok);
    if (!ok || rounds < 1)
        die(QStringLiteral("--rounds takes a number from 1"));
    const QString cli = parser.value(cliOption);
    if (!QFileInfo(cli).isExecutable())
        die(QStringLiteral("no eventscope-cli at %1 (give --cli PATH)").arg(cli));

    std::optional<LocalRedis> local;
    QString url = parser.value(urlOption);
    if (url.isEmpty()) {
        local.emplace();
        QString error;
        if (!local->start(&error))
            die(error);
        url = local->url();
    }
    QString error;
    auto parsed = ConnectionOptions::fromUrl(url, &error);
    if (!parsed)
        die(error);
    ConnectionOptions options = *parsed;
    options.clientName = QStringLiteral("bench_read");
    options.reconnect = false;
    options.readOnly = true;
    const StoreLayout layout = StoreLayout::seed();
    const QByteArray streamKey = layout.streamKey(StreamName);

    Hiredis admin(options);
    say("bench_read: one stream of %lld commits of ~%d-byte payloads; redis %s at %s%s; %d rounds\n",
        static_cast<long long>(commits), payloadSize, admin.serverVersion().constData(),
        options.displayUrl().toUtf8().constData(), local ? " (started by the bench)" : "", rounds);
    say("eventscope-cli: %s\n", QFile::encodeName(cli).constData());

    const qint64 storeLength = admin.integer({"HLEN", layout.eventsKey});
    const qint64 streamLength = admin.integer({"LLEN", streamKey});
    if (storeLength == commits && streamLength == commits) {
        say("reusing the %lld commits already in %s\n", static_cast<long long>(commits), streamKey.constData());
    } else if (admin.integer({"DBSIZE"}) == 0) {
        seed(cli, url, commits, payloadSize);
        if (admin.integer({"HLEN", layout.eventsKey}) != commits || admin.integer({"LLEN", streamKey}) != commits)
            die(QStringLiteral("after seeding, HLEN or LLEN is not %1").arg(commits));
    } else {
        die(QStringLiteral("the database is not empty and does not hold %1 commits in %2; give an empty one")
                .arg(commits)
                .arg(QString::fromUtf8(streamKey)));
    }

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
