// The streams pane under a million-stream scan: StreamListModel is fed 1,000,000 streams named like customer-123456
// in batches of 1,000, in random order as SCAN returns them, unsorted and sorted by name. Prints the longest
// GUI-thread stall (the longest the event loop was away from a zero-interval heartbeat, so applies and the
// model's signals included), how long until every stream was shown, and the RSS growth; then times the one-off
// operations a user can trigger on the loaded million (sorting, filtering, a live version update). Each scenario
// runs in a child process of its own so that the RSS figures do not share a heap. Prints figures; exits 1 only
// when a run could not be completed.

#include "benchutil.h"
#include "guiprofile.h"
#include "streamlistmodel.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

namespace {

using namespace Eventscope;
using namespace Eventscope::Bench;

constexpr double StallTargetMs = 50;
constexpr double RssTargetBytes = 300e6;

struct Options
{
    int streams = 1'000'000;
    int batch = 1000;
    int rate = 250'000; // streams per second; 0: one batch per event-loop pass
};

struct FeedFigures
{
    double seconds = 0;
    Stall stall;   // of a zero-interval heartbeat; its busiest gap's CPU is the stall the GUI thread's own work made
    int ticks = 0; // the model's, not the heartbeat's
};

// Feeds every stream and runs the event loop until the model shows them all.
FeedFigures feed(StreamListModel &model, const std::vector<int> &numbers, const Options &options)
{
    FeedFigures figures;
    GapMeter gaps;
    gaps.start();
    QTimer heartbeat;
    heartbeat.setInterval(0);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] { gaps.beat(figures.stall); });

    size_t next = 0;
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    feeder.setInterval(options.rate > 0 ? std::max(1, options.batch * 1000 / options.rate) : 0);
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        // Whatever a late timer missed is fed now, so that the rate holds on average.
        const size_t due = options.rate > 0 ? size_t(double(gaps.nsecsElapsed()) * options.rate / 1e9) : next + 1;
        do {
            QList<StreamInfo> batch;
            batch.reserve(options.batch);
            for (int i = 0; i < options.batch && next < numbers.size(); ++i, ++next) {
                const QByteArray name = "customer-" + QByteArray::number(numbers[next]);
                batch.append(StreamInfo{name, name, numbers[next] % 1000 + 1});
            }
            model.addStreams(batch);
        } while (next < due && next < numbers.size());
        if (next == numbers.size())
            feeder.stop();
    });

    const QModelIndex root;
    const int expected = model.streamCount() + int(numbers.size());
    QEventLoop loop;
    const auto quitWhenShown = [&] {
        if (model.rowCount(root) == expected + 1)
            loop.quit();
    };
    QObject::connect(&model, &StreamListModel::streamCountChanged, &loop, [&] { ++figures.ticks; });
    QObject::connect(&model, &QAbstractItemModel::rowsInserted, &loop, quitWhenShown);
    QObject::connect(&model, &QAbstractItemModel::layoutChanged, &loop, quitWhenShown);
    heartbeat.start();
    feeder.start();
    loop.exec();
    figures.seconds = double(gaps.nsecsElapsed()) / 1e9;
    if (model.rowCount(root) != expected + 1) {
        std::fprintf(stderr, "bench_streamlist: %d rows shown for %d streams\n", model.rowCount(root) - 1, expected);
        std::exit(1);
    }
    return figures;
}

double timeMs(const std::function<void()> &operation)
{
    QElapsedTimer clock;
    clock.start();
    operation();
    return double(clock.nsecsElapsed()) / 1e6;
}

int runScenario(const QString &scenario, const Options &options)
{
    std::vector<int> numbers(size_t(options.streams));
    std::iota(numbers.begin(), numbers.end(), 1);
    std::shuffle(numbers.begin(), numbers.end(), std::mt19937(2026));

    const qint64 rssBefore = rssBytes();
    StreamListModel model(QByteArray("store:"));
    if (scenario == QLatin1String("name"))
        model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    // A selection or current index, as a view would hold, so that merges carry persistent indexes along.
    model.addStreams({StreamInfo{"customer-0", "customer-0", 1}});
    const QModelIndex root;
    QEventLoop settle;
    QObject::connect(&model, &QAbstractItemModel::rowsInserted, &settle, &QEventLoop::quit);
    settle.exec();
    const QPersistentModelIndex current = model.index(1, StreamListModel::NameColumn, root);

    const FeedFigures figures = feed(model, numbers, options);
    const qint64 rssAfter = rssBytes();
    if (current.data(StreamListModel::StreamNameRole).toByteArray() != "customer-0") {
        std::fprintf(stderr, "bench_streamlist: the persistent index lost its stream\n");
        return 1;
    }

    say("%-8s %8.2f s %9.0f/s %6d %10.1f ms %9.1f ms %6d %6d %9.1f MB %7.1f B/stream\n",
        scenario.toLatin1().constData(), figures.seconds, double(options.streams) / figures.seconds, figures.ticks,
        figures.stall.longestMs, figures.stall.busiestCpuMs, figures.stall.over16Ms, figures.stall.over50Ms,
        double(rssAfter - rssBefore) / 1e6, double(rssAfter - rssBefore) / options.streams);
    std::fflush(stdout);

    if (scenario != QLatin1String("name"))
        return 0;
    // One-off operations on the loaded million, each a single GUI-thread stall.
    const QByteArray someone = "customer-" + QByteArray::number(numbers[numbers.size() / 2]);
    say("  one-off operations on %d streams (GUI-thread time each):\n", options.streams + 1);
    say("    rowOf                              %8.3f ms\n", timeMs([&] { model.rowOf(someone); }));
    say("    sort by version, descending        %8.1f ms\n",
        timeMs([&] { model.sort(StreamListModel::VersionColumn, Qt::DescendingOrder); }));
    say("    updateVersion, row moves           %8.3f ms\n", timeMs([&] { model.updateVersion(someone, 5000); }));
    say("    updateVersion, unknown stream      %8.3f ms\n", timeMs([&] { model.updateVersion("customer-x", 5001); }));
    say("    sort back to scan order            %8.1f ms\n", timeMs([&] { model.sort(-1); }));
    say("    sort by name                       %8.1f ms\n",
        timeMs([&] { model.sort(StreamListModel::NameColumn, Qt::AscendingOrder); }));
    const auto filter = [&](const char *label, const QString &text) {
        const double ms = timeMs([&] { model.setTextFilter(text); });
        say("    %-34s %8.1f ms  %d rows\n", label, ms, model.rowCount(root) - 1);
    };
    filter("filter \"customer-12\" (from none)", QStringLiteral("customer-12"));
    filter("filter \"customer-123\" (narrowing)", QStringLiteral("customer-123"));
    filter("filter cleared (widening)", QString());
    say("    clear                              %8.1f ms\n", timeMs([&] { model.clear(); }));
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Feeds StreamListModel a million streams and prints the stalls."));
    parser.addHelpOption();
    const QCommandLineOption streamsOption(QStringLiteral("streams"), QStringLiteral("Streams to feed."),
                                           QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption batchOption(QStringLiteral("batch"), QStringLiteral("Streams per batch."),
                                         QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
                                        QStringLiteral("Streams per second fed; 0 for a batch per event-loop pass."),
                                        QStringLiteral("N"), QStringLiteral("250000"));
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"),
                                            QStringLiteral("Run one scenario in this process: unsorted or name."),
                                            QStringLiteral("name"));
    parser.addOptions({streamsOption, batchOption, rateOption, scenarioOption});
    parser.process(app);

    Options options;
    options.streams = std::max(1, parser.value(streamsOption).toInt());
    options.batch = std::max(1, parser.value(batchOption).toInt());
    options.rate = std::max(0, parser.value(rateOption).toInt());
    if (parser.isSet(scenarioOption))
        return runScenario(parser.value(scenarioOption), options);

    say("bench_streamlist: %d streams in batches of %d, fed at %s; targets: stall < %.0f ms, RSS growth < %.0f MB\n",
        options.streams, options.batch,
        options.rate > 0 ? qPrintable(QStringLiteral("%1 streams/s").arg(options.rate))
                         : "one batch per event-loop pass",
        StallTargetMs, RssTargetBytes / 1e6);
    say("%-8s %10s %11s %6s %13s %12s %6s %6s %12s\n", "order", "all shown", "rate", "ticks", "longest stall",
        "busiest CPU", ">16ms", ">50ms", "RSS growth");
    for (const QString &scenario : {QStringLiteral("unsorted"), QStringLiteral("name")}) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--scenario"), scenario, QStringLiteral("--streams"),
                     QString::number(options.streams), QStringLiteral("--batch"), QString::number(options.batch),
                     QStringLiteral("--rate"), QString::number(options.rate)});
        if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
            std::fprintf(stderr, "bench_streamlist: the %s scenario failed\n", scenario.toLatin1().constData());
            return 1;
        }
    }
    return 0;
}
