// The inspector window against the sizes of the big-store issue, measured through a real MainWindow (offscreen,
// shown, 1280x800) on a private redis-server:
// - listing 1,000,000 streams: time to the first 1,000 shown, time to all of them with their versions (compared
//   with a plain blocking hiredis SCAN TYPE list + pipelined LLEN loop in the same run), peak RSS;
// - the longest GUI-thread stall (gap between the ticks of a 5 ms timer) during that scan and while a 16 MiB JSON
//   payload is shown (its first MiB, then all of it through "Load all");
// - paging a stream of 2,000,000 commits (10,000,000 with --ten-million): the first page, a jump to the last
//   version, random jumps (p50/p99/max), and the memory the pages hold.
// Besides the stalls, every top-level event the GUI thread dispatches is timed and attributed (model ingest tick,
// row placement, socket replies, worker results, painting), which says where a phase's time went.
// Prints figures and PASS/MISS per target; exits 1 only when something could not be run.

#include "backgroundscanner.h"
#include "benchredis.h"
#include "benchutil.h"
#include "connectionoptions.h"
#include "eventpagemodel.h"
#include "guiprofile.h"
#include "mainwindow.h"
#include "payload.h"
#include "payloadview.h"
#include "storelayout.h"
#include "streamlistmodel.h"
#include "streamscanner.h"
#include "uniformtableview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QFrame>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <hiredis/hiredis.h>

#include <malloc.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <vector>

namespace {

using namespace Eventscope;
using namespace Eventscope::Bench;

constexpr double FirstStreamsTargetMs = 200;
constexpr double ListAllTargetRatio = 1.5;
constexpr double ListRssTargetBytes = 300e6;
constexpr double JumpP99TargetMs = 100;
constexpr double StallTargetMs = 50;
constexpr int FirstStreams = 1000;
constexpr int HeartbeatMs = 5;
constexpr int StreamDb = 0;
constexpr int PagingDb = 1;
const QByteArray LongStream = "customer-1"; // eventscope-cli seed names its streams customer-1 .. customer-N
const QByteArray BigStream = "big-payload";

QString verdictWord(bool yes)
{
    return yes ? QStringLiteral("yes") : QStringLiteral("no");
}

// CPU seconds a stretch cost this process (all its threads) and the redis-server. On a machine that other work keeps
// busy, these say more than wall-clock times do.
struct Cpu
{
    double client = 0;
    double server = 0;
};

// What a top-level event dispatch on the GUI thread was for. The event type gives the kind; the model's signals,
// raised inside the dispatch, say which timer tick was the model's.
enum class Work { Ingest, Place, Network, WorkerResult, Paint, OtherTimer, Other, Count };

const char *workName(Work work)
{
    switch (work) {
    case Work::Ingest:
        return "streams model: ingest tick (100 ms timer, 8 ms budget)";
    case Work::Place:
        return "streams model: rows placed (+ views, status)";
    case Work::Network:
        return "socket: read, parse, reply callbacks";
    case Work::WorkerResult:
        return "worker results adopted (QFutureWatcher)";
    case Work::Paint:
        return "paint, layout, expose";
    case Work::OtherTimer:
        return "other timers (incl. this bench's heartbeat)";
    case Work::Other:
    case Work::Count:
        break;
    }
    return "other events";
}

struct WorkTotals
{
    int count = 0;
    double ms = 0;
    double longestMs = 0;
    // The longest dispatch's event and receiver, which name what a stall was.
    QEvent::Type longestEvent = QEvent::None;
    const char *longestReceiver = "";
};

using Profile = std::array<WorkTotals, size_t(Work::Count)>;

void mergeProfile(Profile &into, const Profile &from)
{
    for (size_t i = 0; i < into.size(); ++i) {
        into[i].count += from[i].count;
        into[i].ms += from[i].ms;
        if (from[i].longestMs > into[i].longestMs) {
            into[i].longestMs = from[i].longestMs;
            into[i].longestEvent = from[i].longestEvent;
            into[i].longestReceiver = from[i].longestReceiver;
        }
    }
}

void printProfile(const Profile &profile, double phaseMs)
{
    say("    GUI thread by top-level dispatch (%.0f ms of wall time):\n", phaseMs);
    double busy = 0;
    for (size_t i = 0; i < profile.size(); ++i) {
        const WorkTotals &work = profile[i];
        busy += work.ms;
        if (work.count == 0)
            continue;
        say("      %-52s %7d x %9.1f ms  longest %7.1f ms (event %d to a %s)\n", workName(Work(i)), work.count, work.ms,
            work.longestMs, int(work.longestEvent), work.longestReceiver);
    }
    say("      %-52s            %9.1f ms  (%.0f%% of the phase)\n", "busy in all", busy,
        phaseMs > 0 ? 100 * busy / phaseMs : 0);
}

// Times every event the GUI thread dispatches from its event loop, by kind.
class BenchApplication final : public DispatchTimer<QApplication>
{
public:
    BenchApplication(int &argc, char **argv)
        : DispatchTimer(argc, argv, false)
    {}

    // Called from a slot: the dispatch that is running was this work.
    void tag(Work work)
    {
        if (inDispatch())
            m_work = work;
    }
    void resetProfile() { m_profile = {}; }
    const Profile &profile() const { return m_profile; }

private:
    void dispatchStarting(QObject *receiver, QEvent *event) override
    {
        m_type = event->type();
        // The receiver may be gone after the dispatch (a deferred delete): its class is read before.
        m_receiverClass = receiver->metaObject()->className();
        m_work = kindOf(m_type);
    }

    void dispatchDone(double ms, double) override
    {
        WorkTotals &totals = m_profile[size_t(m_work)];
        ++totals.count;
        totals.ms += ms;
        if (ms > totals.longestMs) {
            totals.longestMs = ms;
            totals.longestEvent = m_type;
            totals.longestReceiver = m_receiverClass;
        }
    }

    static Work kindOf(QEvent::Type type)
    {
        switch (type) {
        case QEvent::SockAct:
        case QEvent::SockClose:
            return Work::Network;
        case QEvent::FutureCallOut:
            return Work::WorkerResult;
        case QEvent::UpdateRequest:
        case QEvent::Paint:
        case QEvent::LayoutRequest:
        case QEvent::Expose:
        case QEvent::Resize:
            return Work::Paint;
        case QEvent::Timer:
            return Work::OtherTimer;
        default:
            return Work::Other;
        }
    }

    QEvent::Type m_type = QEvent::None;
    const char *m_receiverClass = "";
    Work m_work = Work::Other;
    Profile m_profile{};
};

BenchApplication *benchApp()
{
    return static_cast<BenchApplication *>(QCoreApplication::instance());
}

void printStall(const char *what, const Stall &stall)
{
    say("    GUI-thread stall (%s): longest gap %.1f ms (busiest gap: %.1f ms of CPU), %d gaps > 16 ms, %d > 50 ms, "
        "%d ticks\n",
        what, stall.longestMs, stall.busiestCpuMs, stall.over16Ms, stall.over50Ms, stall.ticks);
}

// One measured stretch of the event loop: runs it until a condition holds, checked on every heartbeat and whenever
// a watched signal fires, and records the gaps between heartbeats and the GUI thread's dispatches meanwhile. Its
// clock starts at construction, so the synchronous part of what the caller does next counts too.
class Phase
{
public:
    enum class OnTimeout { Die, Return };

    Phase(const char *name, int timeoutMs, OnTimeout onTimeout = OnTimeout::Die)
        : m_name(name)
    {
        benchApp()->resetProfile();
        m_heartbeat.setTimerType(Qt::PreciseTimer);
        m_heartbeat.setInterval(HeartbeatMs);
        QObject::connect(&m_heartbeat, &QTimer::timeout, &m_loop, [this] {
            m_gaps.beat(m_stall);
            check();
        });
        QObject::connect(&m_timeout, &QTimer::timeout, &m_loop, [this, onTimeout] {
            const QString message = QStringLiteral("%1: not done within %2 s")
                                        .arg(QString::fromUtf8(m_name))
                                        .arg(m_timeout.interval() / 1000);
            if (onTimeout == OnTimeout::Die)
                die(message);
            say("    %s\n", message.toUtf8().constData());
            m_loop.quit();
        });
        m_timeout.setSingleShot(true);
        m_timeout.setInterval(timeoutMs);
        m_gaps.start();
        m_heartbeat.start();
        m_timeout.start();
    }

    double elapsedMs() const { return m_gaps.elapsedMs(); }

    template<typename Sender, typename Signal>
    void recheckOn(const Sender *sender, Signal signal)
    {
        QObject::connect(sender, signal, &m_loop, [this] { check(); });
    }

    // Returns when done() held (in ms since construction), or -1 when it timed out; the event loop runs settleMs
    // longer, stalls counted, for what the change still sets off (painting, queued work).
    double run(std::function<bool()> done, int settleMs = 0)
    {
        m_done = std::move(done);
        m_settleMs = settleMs;
        check();
        if (m_doneAtMs < 0 || settleMs > 0)
            m_loop.exec();
        m_heartbeat.stop();
        m_timeout.stop();
        m_profile = benchApp()->profile();
        m_totalMs = elapsedMs();
        return m_doneAtMs;
    }

    const Stall &stall() const { return m_stall; }
    const Profile &profile() const { return m_profile; }
    double totalMs() const { return m_totalMs; }

private:
    void check()
    {
        if (m_doneAtMs >= 0 || !m_done || !m_done())
            return;
        m_doneAtMs = elapsedMs();
        if (m_settleMs > 0)
            QTimer::singleShot(m_settleMs, &m_loop, &QEventLoop::quit);
        else
            m_loop.quit();
    }

    const char *m_name;
    QEventLoop m_loop;
    QTimer m_heartbeat;
    QTimer m_timeout;
    GapMeter m_gaps;
    std::function<bool()> m_done;
    int m_settleMs = 0;
    double m_doneAtMs = -1;
    double m_totalMs = 0;
    Stall m_stall;
    Profile m_profile{};
};

// A connection whose slot captures locals: it ends with them.
class ScopedConnection
{
public:
    ScopedConnection(QMetaObject::Connection connection)
        : m_connection(std::move(connection))
    {}
    ~ScopedConnection() { QObject::disconnect(m_connection); }
    ScopedConnection(const ScopedConnection &) = delete;
    ScopedConnection &operator=(const ScopedConnection &) = delete;

private:
    QMetaObject::Connection m_connection;
};

// One stream per key, customer-1 .. customer-N, of 1 to 3 commit ids each, by pipelined RPUSH. Setup, not measured.
qint64 seedStreams(Hiredis &redis, int streams)
{
    constexpr int Batch = 10000;
    qint64 nextId = 1;
    qint64 versions = 0;
    for (int first = 1; first <= streams; first += Batch) {
        const int last = std::min(streams, first + Batch - 1);
        for (int i = first; i <= last; ++i) {
            std::vector<QByteArray> args = {"RPUSH", QByteArray("customer-" + QByteArray::number(i))};
            for (int v = 0; v <= i % 3; ++v)
                args.push_back(QByteArray('e' + QByteArray::number(nextId++)));
            versions += i % 3 + 1;
            redis.append(args);
        }
        for (int i = first; i <= last; ++i) {
            const Hiredis::Reply answer = redis.next();
            if (answer->type != REDIS_REPLY_INTEGER || answer->integer != i % 3 + 1)
                die(QStringLiteral("RPUSH customer-%1 did not make a list of %2").arg(i).arg(i % 3 + 1));
        }
    }
    return versions;
}

// A JSON commit of about size bytes: an import of many small items, so that pretty-printing makes many lines.
QByteArray makeBigJson(qsizetype size)
{
    QByteArray json;
    json.reserve(size + 256);
    json += R"({"type":"InventoryImported","timestamp":"2026-11-26T12:00:00.000Z","items":[)";
    for (int n = 0; json.size() < size - 160; ++n) {
        if (n > 0)
            json += ',';
        json += R"({"n":)" + QByteArray::number(n) + R"(,"sku":"SKU-)" + QByteArray::number(n).rightJustified(8, '0')
                + R"(","qty":)" + QByteArray::number(n % 17 + 1) + R"(,"price":)"
                + QByteArray::number(double(n % 1000) / 4.0 + 0.25, 'f', 2) + R"(,"tags":["warehouse-)"
                + QByteArray::number(n % 12) + R"(","bulk"]})";
    }
    json += "]}";
    return json;
}

struct ScanResult
{
    qint64 streams = 0;
    qint64 versions = 0;
    double seconds = 0;
    Cpu cpu;
};

// The baseline: SCAN cursor MATCH * COUNT 1000 TYPE list, then one pipelined LLEN per key found, until cursor 0.
ScanResult scanWithHiredis(Hiredis &admin, quint16 port, int db)
{
    Hiredis redis(port, db);
    ScanResult result;
    const double serverBefore = admin.serverCpuSeconds();
    Stopwatch stopwatch;
    stopwatch.start();
    QByteArray cursor = "0";
    do {
        const Hiredis::Reply page = redis.command({"SCAN", cursor, "MATCH", "*", "COUNT", "1000", "TYPE", "list"});
        if (page->type != REDIS_REPLY_ARRAY || page->elements != 2 || page->element[1]->type != REDIS_REPLY_ARRAY)
            die(QStringLiteral("SCAN did not answer [cursor, keys]"));
        cursor = QByteArray(page->element[0]->str, qsizetype(page->element[0]->len));
        const redisReply *keys = page->element[1];
        for (size_t i = 0; i < keys->elements; ++i) {
            const char *llen[] = {"LLEN", keys->element[i]->str};
            const size_t llenLength[] = {4, keys->element[i]->len};
            redis.appendArgv(2, llen, llenLength);
        }
        for (size_t i = 0; i < keys->elements; ++i) {
            const Hiredis::Reply length = redis.next();
            if (length->type != REDIS_REPLY_INTEGER)
                die(QStringLiteral("LLEN did not answer an integer"));
            result.versions += length->integer;
        }
        result.streams += qint64(keys->elements);
    } while (cursor != "0");
    result.seconds = stopwatch.seconds();
    result.cpu.client = stopwatch.cpuSeconds();
    result.cpu.server = admin.serverCpuSeconds() - serverBefore;
    return result;
}

// core's StreamScanner on a RedisConnection of its own, batches only counted: the scan the window runs, without the
// model, the views or anything else on the thread.
ScanResult scanWithCore(Hiredis &admin, const QString &url)
{
    QString error;
    auto options = ConnectionOptions::fromUrl(url, &error);
    if (!options)
        die(error);
    options->clientName = QStringLiteral("bench_inspector");
    RedisConnection connection(*options);
    StreamScanner scanner(&connection, StoreLayout::seed());
    ScanResult result;
    bool finished = false;
    QObject::connect(&connection, &RedisConnection::ready, &scanner, [&] { scanner.start(); });
    QObject::connect(&connection, &RedisConnection::errorOccurred, &scanner,
                     [](RedisConnection::Error, const QString &message) {
                         die(QStringLiteral("the scanner's connection failed: %1").arg(message));
                     });
    QObject::connect(&scanner, &StreamScanner::failed, &scanner, [](const QString &message) { die(message); });
    QObject::connect(&scanner, &StreamScanner::batch, &scanner, [&](const QList<StreamInfo> &batch) {
        result.streams += batch.size();
        for (const StreamInfo &info : batch)
            result.versions += info.version;
    });
    QObject::connect(&scanner, &StreamScanner::finished, &scanner, [&] { finished = true; });
    const double serverBefore = admin.serverCpuSeconds();
    const double clientBefore = cpuSeconds();
    Phase phase("scanning with StreamScanner alone", 300'000);
    phase.recheckOn(&scanner, &StreamScanner::finished);
    connection.open();
    result.seconds = phase.run([&] { return finished; }) / 1000;
    result.cpu.client = cpuSeconds() - clientBefore;
    result.cpu.server = admin.serverCpuSeconds() - serverBefore;
    return result;
}

std::unique_ptr<MainWindow> openWindow(const QString &url)
{
    QString error;
    const auto connection = ConnectionOptions::fromUrl(url, &error);
    if (!connection)
        die(error);
    auto window = showWindow<MainWindow>(*connection, QStringLiteral("bench_inspector"));
    pump(200);
    return window;
}

BackgroundScanner *scannerOf(MainWindow &window)
{
    auto *scanner = window.findChild<BackgroundScanner *>();
    if (!scanner)
        die(QStringLiteral("the main window has no BackgroundScanner child"));
    return scanner;
}

// One re-ordering of the listed streams: a sort (header click) or a filter typed into the pane's filter box.
struct ReorderStep
{
    const char *name = "";
    double shownMs = -1; // from the request to the new order shown
    bool ok = false;     // the order or filter shown was checked row by row, and the selection kept
    Stall stall;
    Profile profile{};
    double phaseMs = 0;
    double guiCpuMs = 0;
};

struct ListingFigures
{
    double readyMs = -1;
    double firstBatchMs = -1;
    double firstShownMs = -1;
    double scanDoneMs = -1;
    double allIngestedMs = -1;
    double allShownMs = -1;
    int ingestTicks = 0;
    int largestTick = 0;
    qint64 versions = 0;
    qint64 rssBeforeBytes = 0;
    qint64 peakRssBytes = 0;
    bool peakReset = false;
    Cpu cpu;
    double guiCpuSeconds = 0;
    Stall stall;
    Profile profile{};
    double phaseMs = 0;
    std::vector<ReorderStep> reorder;
};

// The number N of a seeded stream name customer-N.
qint64 customerNumber(const QModelIndex &index)
{
    return index.data(StreamListModel::StreamNameRole).toByteArray().mid(9).toLongLong();
}

// Checks every row shown against the order asked for: names customer-N in natural order are by N; versions tie by
// name ascending.
bool rowsInOrder(const StreamListModel &model, int column, Qt::SortOrder order)
{
    qint64 previousNumber = -1;
    qint64 previousVersion = 0;
    for (int row = 1; row < model.rowCount(); ++row) {
        const qint64 number = customerNumber(model.index(row, 0));
        const qint64 version
            = model.index(row, StreamListModel::VersionColumn).data(StreamListModel::VersionRole).toLongLong();
        if (row > 1) {
            bool inOrder = false;
            if (column == StreamListModel::NameColumn)
                inOrder = order == Qt::AscendingOrder ? previousNumber < number : previousNumber > number;
            else
                inOrder = version == previousVersion ? previousNumber < number
                                                     : (order == Qt::AscendingOrder) == (previousVersion < version);
            if (!inOrder)
                return false;
        }
        previousNumber = number;
        previousVersion = version;
    }
    return true;
}

// After all streams are shown: sorts by version, reverses, sorts by name, filters and clears the filter, each as a
// user would (header, filter box), with the stream customer-12 selected; each step until its result is shown.
std::vector<ReorderStep> reorderStreams(MainWindow &window, int streams)
{
    StreamListModel *model = window.streamModel();
    UniformTableView *view = window.streamView();
    const QByteArray selected = "customer-12";
    window.selectStream(selected);
    pump(500);
    const auto selectionKept = [&] {
        const QModelIndex current = view->currentIndex();
        return current.isValid() && current.data(StreamListModel::StreamNameRole).toByteArray() == selected
               && view->selectionModel()->isRowSelected(current.row(), {});
    };
    const QString filterText = QStringLiteral("customer-12");
    qint64 filtered = 0;
    for (int i = 1; i <= streams; ++i)
        filtered += QByteArray::number(i).startsWith("12");

    std::vector<ReorderStep> steps;
    const auto step = [&](const char *name, const std::function<void()> &request, const std::function<bool()> &shown,
                          const std::function<bool()> &check) {
        ReorderStep figures;
        figures.name = name;
        const qint64 cpuBefore = threadCpuNs();
        {
            Phase phase(name, 120'000);
            phase.recheckOn(model, &QAbstractItemModel::layoutChanged);
            request();
            figures.shownMs = phase.run(shown, 300);
            figures.stall = phase.stall();
            figures.profile = phase.profile();
            figures.phaseMs = phase.totalMs();
        }
        figures.guiCpuMs = double(threadCpuNs() - cpuBefore) / 1e6;
        figures.ok = check() && selectionKept();
        steps.push_back(figures);
    };
    const auto sortBy = [&](const char *name, int column, Qt::SortOrder order) {
        step(
            name, [&] { view->sortByColumn(column, order); },
            [&] { return model->sortColumn() == column && model->sortOrder() == order && !model->isReordering(); },
            [&] { return model->rowCount() == streams + 1 && rowsInOrder(*model, column, order); });
    };
    sortBy("sort by version", StreamListModel::VersionColumn, Qt::AscendingOrder);
    sortBy("reverse (version, descending)", StreamListModel::VersionColumn, Qt::DescendingOrder);
    sortBy("sort by name", StreamListModel::NameColumn, Qt::AscendingOrder);
    step(
        "filter \"customer-12\" (250 ms debounce incl.)", [&] { window.filterEdit()->setText(filterText); },
        [&] { return model->textFilter() == filterText && !model->isReordering(); },
        [&] {
            if (model->rowCount() != filtered + 1
                || !rowsInOrder(*model, StreamListModel::NameColumn, Qt::AscendingOrder))
                return false;
            for (int row = 1; row < model->rowCount(); ++row) {
                if (!model->nameAt(row).startsWith("customer-12"))
                    return false;
            }
            return true;
        });
    step(
        "clear the filter (250 ms debounce incl.)", [&] { window.filterEdit()->clear(); },
        [&] { return model->textFilter().isEmpty() && !model->isReordering(); },
        [&] {
            return model->rowCount() == streams + 1
                   && rowsInOrder(*model, StreamListModel::NameColumn, Qt::AscendingOrder);
        });
    return steps;
}

ListingFigures listStreams(Hiredis &admin, const QString &url, int streams)
{
    ListingFigures figures;
    figures.peakReset = resetPeakRss();
    figures.rssBeforeBytes = rssBytes();
    std::unique_ptr<MainWindow> window = openWindow(url);
    StreamListModel *model = window->streamModel();
    BackgroundScanner *scanner = scannerOf(*window);
    BenchApplication *app = benchApp();

    Phase phase("listing streams", 900'000);
    QObject::connect(window->connection(), &RedisConnection::ready, model,
                     [&] { figures.readyMs = phase.elapsedMs(); });
    QObject::connect(scanner, &BackgroundScanner::batch, model, [&] {
        if (figures.firstBatchMs < 0)
            figures.firstBatchMs = phase.elapsedMs();
    });
    QObject::connect(scanner, &BackgroundScanner::finished, model, [&] { figures.scanDoneMs = phase.elapsedMs(); });
    int previousCount = 0;
    QObject::connect(model, &StreamListModel::streamCountChanged, model, [&](int count) {
        app->tag(Work::Ingest);
        ++figures.ingestTicks;
        figures.largestTick = std::max(figures.largestTick, count - previousCount);
        previousCount = count;
        if (count == streams && figures.allIngestedMs < 0)
            figures.allIngestedMs = phase.elapsedMs();
    });
    // Row 0 is $all.
    const auto shown = [&] {
        app->tag(Work::Place);
        const int rows = model->rowCount() - 1;
        if (rows >= FirstStreams && figures.firstShownMs < 0)
            figures.firstShownMs = phase.elapsedMs();
        if (rows == streams && figures.allShownMs < 0)
            figures.allShownMs = phase.elapsedMs();
    };
    QObject::connect(model, &QAbstractItemModel::rowsInserted, model, shown);
    QObject::connect(model, &QAbstractItemModel::layoutChanged, model, shown);
    phase.recheckOn(model, &StreamListModel::streamCountChanged);
    phase.recheckOn(model, &QAbstractItemModel::rowsInserted);
    phase.recheckOn(model, &QAbstractItemModel::layoutChanged);
    phase.recheckOn(scanner, &BackgroundScanner::finished);

    const double serverBefore = admin.serverCpuSeconds();
    const double clientBefore = cpuSeconds();
    const qint64 guiBeforeNs = threadCpuNs();
    window->connectToServer();
    phase.run([&] { return figures.allShownMs >= 0 && figures.allIngestedMs >= 0 && !scanner->isRunning(); });
    figures.cpu.client = cpuSeconds() - clientBefore;
    figures.cpu.server = admin.serverCpuSeconds() - serverBefore;
    figures.guiCpuSeconds = double(threadCpuNs() - guiBeforeNs) / 1e9;
    figures.stall = phase.stall();
    figures.profile = phase.profile();
    figures.phaseMs = phase.totalMs();
    figures.peakRssBytes = peakRssBytes();
    for (int row = 1; row < model->rowCount(); ++row)
        figures.versions
            += model->index(row, StreamListModel::VersionColumn).data(StreamListModel::VersionRole).toLongLong();
    figures.reorder = reorderStreams(*window, streams);
    window.reset();
    // What the listing freed goes back to the system, so that the paging phase's RSS is its own.
    malloc_trim(0);
    return figures;
}

struct PayloadFigures
{
    qint64 shownRssBytes = 0;
    qint64 allRssBytes = 0;
    double shownMs = 0;
    double allShownMs = 0;
    Stall shownStall;
    Stall allStall;
    Profile shownProfile{};
    Profile allProfile{};
    double shownPhaseMs = 0;
    double allPhaseMs = 0;
    bool shownOk = false;
    bool allOk = false;
};

PayloadFigures showBigPayload(MainWindow &window, const QByteArray &id)
{
    PayloadFigures figures;
    PayloadView *view = window.payloadView();
    auto *views = view->findChild<QStackedWidget *>(QStringLiteral("views"));
    auto *loadAll = view->findChild<QPushButton *>(QStringLiteral("loadAllButton"));
    auto *banner = view->findChild<QFrame *>(QStringLiteral("banner"));
    if (!views || !loadAll || !banner)
        die(QStringLiteral("the payload pane has no views stack, \"Load all\" button or banner by those names"));
    // The pane shows this payload's text (not a message, not "Formatting…"), cut or whole as asked.
    const auto shows = [&](bool whole) {
        const QString page = views->currentWidget() ? views->currentWidget()->objectName() : QString();
        return view->id() == id && !view->isFormatting() && page != QLatin1String("messagePage")
               && page != QLatin1String("formattingPage") && banner->isVisible() != whole;
    };
    {
        Phase phase("showing the big payload", 60'000, Phase::OnTimeout::Return);
        bool opened = false;
        const ScopedConnection selectVersion
            = QObject::connect(&window, &MainWindow::streamOpened, view, [&](const QByteArray &name) {
                  if (name == BigStream && !opened) {
                      opened = true;
                      window.goToVersion(1);
                  }
              });
        window.selectStream(BigStream);
        figures.shownMs = phase.run([&] { return opened && shows(false); }, 500);
        // Still shown after the settling time: nothing took it away again.
        figures.shownOk = figures.shownMs >= 0 && shows(false);
        figures.shownStall = phase.stall();
        figures.shownProfile = phase.profile();
        figures.shownPhaseMs = phase.totalMs();
        figures.shownRssBytes = rssBytes();
    }
    if (!figures.shownOk || !loadAll->isEnabled())
        return figures;
    {
        // The button, not the bare signal: only the button makes the pane keep the whole payload it is given.
        Phase phase("loading all of the big payload", 120'000, Phase::OnTimeout::Return);
        loadAll->click();
        figures.allShownMs = phase.run([&] { return shows(true); }, 500);
        figures.allOk = figures.allShownMs >= 0 && shows(true);
        figures.allStall = phase.stall();
        figures.allProfile = phase.profile();
        figures.allPhaseMs = phase.totalMs();
        figures.allRssBytes = rssBytes();
    }
    return figures;
}

struct PagingFigures
{
    double firstPageMs = 0;
    double lastPageMs = 0;
    std::vector<double> jumpsMs;
    int cachedJumps = 0;
    Stall openStall;
    Profile openProfile{};
    double openPhaseMs = 0;
    Stall lastStall;
    Stall jumpStall;
    Profile jumpProfile{};
    double jumpPhaseMs = 0;
    qint64 cachedBytes = 0;
    int cachedPages = 0;
    qint64 budgetBytes = 64 << 20;
    qint64 rssBeforeBytes = 0;
    qint64 rssOpenBytes = 0;
    qint64 rssAfterBytes = 0;
};

PagingFigures page(MainWindow &window, qint64 commits, int jumps, quint32 seed)
{
    PagingFigures figures;
    EventPageModel *events = window.eventModel();
    figures.rssBeforeBytes = rssBytes();
    // Whether a version's row is loaded, as pages land; the model is asked only once a jump is made.
    qint64 wanted = 0;
    bool landed = false;
    const ScopedConnection watchPages
        = QObject::connect(events, &EventPageModel::pageLoaded, &window, [&](qint64 first, qint64 last) {
              if (events->stream() == LongStream && wanted >= first && wanted <= last)
                  landed = true;
          });
    const auto loaded = [&] {
        const int row = events->rowForVersion(wanted);
        return row >= 0 && events->index(row, 0).data(EventPageModel::LoadedRole).toBool();
    };
    {
        Phase phase("opening the long stream", 60'000);
        wanted = 1;
        landed = false;
        window.selectStream(LongStream);
        figures.firstPageMs = phase.run([&] { return landed && events->length() == commits; });
        figures.openStall = phase.stall();
        figures.openProfile = phase.profile();
        figures.openPhaseMs = phase.totalMs();
        figures.rssOpenBytes = rssBytes();
        if (!loaded())
            die(QStringLiteral("version 1 of %1 was announced but is not loaded").arg(QString::fromUtf8(LongStream)));
    }
    const auto jump = [&](qint64 version, const char *name, Stall &stall, Profile &profile, double &phaseMs) {
        Phase phase(name, 60'000);
        wanted = version;
        landed = false;
        if (!window.goToVersion(version))
            die(QStringLiteral("goToVersion(%1) failed").arg(version));
        const bool cached = loaded();
        const double ms = phase.run([&] { return cached || landed; });
        stall.merge(phase.stall());
        mergeProfile(profile, phase.profile());
        phaseMs += phase.totalMs();
        if (!loaded())
            die(QStringLiteral("version %1 was announced but is not loaded").arg(version));
        return std::pair(ms, cached);
    };
    {
        Profile profile{};
        double phaseMs = 0;
        figures.lastPageMs = jump(commits, "jumping to the last version", figures.lastStall, profile, phaseMs).first;
    }
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<qint64> anyVersion(1, commits);
    for (int i = 0; i < jumps; ++i) {
        const auto [ms, cached]
            = jump(anyVersion(random), "a random jump", figures.jumpStall, figures.jumpProfile, figures.jumpPhaseMs);
        figures.jumpsMs.push_back(ms);
        figures.cachedJumps += cached;
    }
    pump(300);
    figures.cachedBytes = events->cachedBytes();
    figures.cachedPages = events->cachedPages();
    figures.rssAfterBytes = rssBytes();
    return figures;
}

} // namespace

[[noreturn]] void Eventscope::Bench::die(const QString &message)
{
    dieAs("bench_inspector", message);
}

int main(int argc, char **argv)
{
    useOffscreenPlatform();
    BenchApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Eventscope"));
    QApplication::setApplicationName(QStringLiteral("bench_inspector"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Lists a million streams, shows a 16 MiB payload and pages a long stream through the inspector "
                       "window on a private redis-server; prints times, GUI-thread stalls and memory."));
    parser.addHelpOption();
    const QCommandLineOption streamsOption(QStringLiteral("streams"), QStringLiteral("streams to list"),
                                           QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption commitsOption(QStringLiteral("commits"), QStringLiteral("commits in the long stream"),
                                           QStringLiteral("N"), QStringLiteral("2000000"));
    const QCommandLineOption tenMillionOption(QStringLiteral("ten-million"),
                                              QStringLiteral("a long stream of 10,000,000 commits"));
    const QCommandLineOption payloadOption(QStringLiteral("payload-mib"), QStringLiteral("size of the big payload"),
                                           QStringLiteral("MiB"), QStringLiteral("16"));
    const QCommandLineOption jumpsOption(QStringLiteral("jumps"), QStringLiteral("random jumps in the long stream"),
                                         QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption roundsOption(QStringLiteral("baseline-rounds"),
                                          QStringLiteral("rounds of the hiredis listing baseline (best counts)"),
                                          QStringLiteral("R"), QStringLiteral("3"));
    const QCommandLineOption seedOption(QStringLiteral("seed"), QStringLiteral("random seed of the jumps"),
                                        QStringLiteral("S"), QStringLiteral("2026"));
    const QCommandLineOption phasesOption(QStringLiteral("phases"),
                                          QStringLiteral("what to run, of listing, paging and payload (for profiling "
                                                         "one of them)"),
                                          QStringLiteral("LIST"), QStringLiteral("listing,paging,payload"));
    const QCommandLineOption cliOption(QStringLiteral("cli"), QStringLiteral("the eventscope-cli to seed with"),
                                       QStringLiteral("PATH"), QStringLiteral(EVENTSCOPE_CLI_PATH));
    parser.addOptions({streamsOption, commitsOption, tenMillionOption, payloadOption, jumpsOption, roundsOption,
                       seedOption, phasesOption, cliOption});
    parser.process(app);

    const int streams = numberOption(parser, streamsOption, FirstStreams);
    qint64 commits = numberOption<qint64>(parser, commitsOption, 1);
    if (parser.isSet(tenMillionOption))
        commits = 10'000'000;
    const int payloadMiB = numberOption(parser, payloadOption, 2);
    const int jumps = numberOption(parser, jumpsOption, 1);
    const int rounds = numberOption(parser, roundsOption, 1);
    bool ok = false;
    const auto seed = parser.value(seedOption).toUInt(&ok);
    if (!ok)
        die(QStringLiteral("--seed takes a number"));
    const QStringList phases = parser.value(phasesOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const bool runListing = phases.contains(QLatin1String("listing"));
    const bool runPaging = phases.contains(QLatin1String("paging"));
    const bool runPayload = phases.contains(QLatin1String("payload"));
    if (!runListing && !runPaging && !runPayload)
        die(QStringLiteral("--phases takes listing, paging and/or payload"));
    const QString cli = parser.value(cliOption);
    if (!QFileInfo(cli).isExecutable())
        die(QStringLiteral("no eventscope-cli at %1 (give --cli PATH)").arg(cli));

    // The windows save their geometry: into a directory of the bench's own, not the user's settings.
    QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());

    LocalRedis redis;
    redis.startOrDie();
    Hiredis streamDb(redis.port(), StreamDb);
    Hiredis pagingDb(redis.port(), PagingDb);
    say("bench_inspector: redis %s on port %u (started by the bench), Qt %s, platform %s\n",
        streamDb.serverVersion().constData(), redis.port(), qVersion(),
        QGuiApplication::platformName().toUtf8().constData());
    say("sizes: %d streams in db %d; a stream of %lld commits and a %d MiB payload in db %d; %d random jumps\n",
        streams, StreamDb, static_cast<long long>(commits), payloadMiB, PagingDb, jumps);

    QElapsedTimer setup;
    setup.start();
    qint64 seededVersions = 0;
    if (runListing) {
        seededVersions = seedStreams(streamDb, streams);
        say("seeded %d streams (%lld commit ids) in %.2f s (pipelined RPUSH)\n", streams,
            static_cast<long long>(seededVersions), double(setup.restart()) / 1000);
    }
    if (runPaging) {
        seedWithCli(cli, redis.url(PagingDb), commits);
        if (pagingDb.integer({"LLEN", LongStream}) != commits)
            die(QStringLiteral("after seeding, %1 does not hold %2 commits")
                    .arg(QString::fromUtf8(LongStream))
                    .arg(commits));
        say("seeded %s with %lld commits in %.2f s (eventscope-cli seed)\n", LongStream.constData(),
            static_cast<long long>(commits), double(setup.restart()) / 1000);
    }
    const QByteArray bigId = StoreLayout::seed().idFor(pagingDb.integer({"HLEN", StoreLayout::seed().eventsKey}) + 1);
    qint64 bigBytes = 0;
    double classifyMs = 0;
    if (runPayload) {
        const QByteArray big = makeBigJson(qsizetype(payloadMiB) << 20);
        bigBytes = big.size();
        QElapsedTimer clock;
        clock.start();
        if (classifyPayload(big) != PayloadEncoding::Json)
            die(QStringLiteral("the big payload does not classify as JSON"));
        classifyMs = double(clock.nsecsElapsed()) / 1e6;
        pagingDb.command({"HSET", StoreLayout::seed().eventsKey, bigId, big});
        pagingDb.command({"RPUSH", BigStream, bigId});
        say("stored a %lld-byte JSON commit %s in stream %s\n", static_cast<long long>(bigBytes), bigId.constData(),
            BigStream.constData());
    }

    std::optional<ListingFigures> listing;
    double baselineMs = 0;
    double coreScanMs = 0;
    if (runListing) {
        std::vector<double> baselineSeconds;
        for (int round = 1; round <= rounds; ++round) {
            const ScanResult baseline = scanWithHiredis(streamDb, redis.port(), StreamDb);
            if (baseline.streams != streams || baseline.versions != seededVersions)
                die(QStringLiteral("the hiredis scan found %1 streams and %2 versions; seeded %3 and %4")
                        .arg(baseline.streams)
                        .arg(baseline.versions)
                        .arg(streams)
                        .arg(seededVersions));
            baselineSeconds.push_back(baseline.seconds);
            say("baseline round %d: hiredis SCAN TYPE list + pipelined LLEN: %lld streams in %.3f s (%.0f "
                "streams/s); cpu: client %.2f s, redis %.2f s\n",
                round, static_cast<long long>(baseline.streams), baseline.seconds, double(streams) / baseline.seconds,
                baseline.cpu.client, baseline.cpu.server);
        }
        baselineMs = *std::min_element(baselineSeconds.begin(), baselineSeconds.end()) * 1000;
        const ScanResult core = scanWithCore(streamDb, redis.url(StreamDb));
        if (core.streams != streams || core.versions != seededVersions)
            die(QStringLiteral("StreamScanner found %1 streams and %2 versions; seeded %3 and %4")
                    .arg(core.streams)
                    .arg(core.versions)
                    .arg(streams)
                    .arg(seededVersions));
        coreScanMs = core.seconds * 1000;
        say("core StreamScanner alone (one RedisConnection, no model, no window): %.3f s (%.2fx the best baseline); "
            "cpu: client %.2f s, redis %.2f s\n",
            core.seconds, coreScanMs / baselineMs, core.cpu.client, core.cpu.server);

        say("\n[1] MainWindow on db %d listing %d streams (view sorted by name, as it opens)\n", StreamDb, streams);
        listing = listStreams(streamDb, redis.url(StreamDb), streams);
        if (listing->versions != seededVersions)
            die(QStringLiteral("the streams pane shows %1 versions in all; seeded %2")
                    .arg(listing->versions)
                    .arg(seededVersions));
        say("    connected (ready)              %9.1f ms\n", listing->readyMs);
        say("    first batch from the scanner   %9.1f ms\n", listing->firstBatchMs);
        say("    first %d streams shown      %9.1f ms\n", FirstStreams, listing->firstShownMs);
        say("    scanner finished (all LLENs)   %9.1f ms  (%.2fx the baseline's %.1f ms)\n", listing->scanDoneMs,
            listing->scanDoneMs / baselineMs, baselineMs);
        say("    all streams ingested           %9.1f ms\n", listing->allIngestedMs);
        say("    all streams shown              %9.1f ms  (%.0f streams/s)\n", listing->allShownMs,
            double(streams) * 1000 / listing->allShownMs);
        say("    cpu meanwhile: GUI thread %.2f s, whole process %.2f s, redis %.2f s\n", listing->guiCpuSeconds,
            listing->cpu.client, listing->cpu.server);
        say("    model ingest ticks: %d, at most %d streams a tick, %.0f streams a tick on average\n",
            listing->ingestTicks, listing->largestTick, double(streams) / std::max(1, listing->ingestTicks));
        const WorkTotals &ingest = listing->profile[size_t(Work::Ingest)];
        if (ingest.ms > 0)
            say("    ingest rate while ingesting: %.0f streams per ms of GUI-thread time\n",
                double(streams) / ingest.ms);
        say("    RSS before the window %.1f MB; peak (VmHWM%s) after listing %.1f MB\n", mb(listing->rssBeforeBytes),
            listing->peakReset ? ", reset before the window" : ", since process start", mb(listing->peakRssBytes));
        printStall("scan", listing->stall);
        printProfile(listing->profile, listing->phaseMs);
        say("\n[1b] the same window, all %d streams shown, customer-12 selected: sorting and filtering\n", streams);
        for (const ReorderStep &step : listing->reorder) {
            say("    %-44s shown %9.1f ms, order/filter and selection %s; GUI-thread CPU %.1f ms\n", step.name,
                step.shownMs, step.ok ? "right" : "WRONG", step.guiCpuMs);
            printStall(step.name, step.stall);
            printProfile(step.profile, step.phaseMs);
        }
    }

    std::unique_ptr<MainWindow> window;
    if (runPaging || runPayload) {
        window = openWindow(redis.url(PagingDb));
        Phase phase("listing the paging database", 60'000);
        BackgroundScanner *scanner = scannerOf(*window);
        const int rows = 1 + int(runPaging) + int(runPayload);
        window->connectToServer();
        phase.run([&] { return window->streamModel()->rowCount() == rows && !scanner->isRunning(); });
    }
    std::optional<PagingFigures> paging;
    std::vector<double> sortedJumps;
    if (runPaging) {
        say("\n[2] MainWindow on db %d: paging the %lld-commit stream %s\n", PagingDb, static_cast<long long>(commits),
            LongStream.constData());
        paging = page(*window, commits, jumps, seed);
        sortedJumps = paging->jumpsMs;
        std::sort(sortedJumps.begin(), sortedJumps.end());
        say("    first page                     %9.1f ms (from selectStream() to version 1 loaded)\n",
            paging->firstPageMs);
        printStall("opening", paging->openStall);
        printProfile(paging->openProfile, paging->openPhaseMs);
        say("    RSS %.1f MB before opening, %.1f MB with the first page\n", mb(paging->rssBeforeBytes),
            mb(paging->rssOpenBytes));
        say("    jump to the last version       %9.1f ms (goToVersion(%lld) to its row loaded)\n", paging->lastPageMs,
            static_cast<long long>(commits));
        printStall("jump to the last", paging->lastStall);
        say("    %d random jumps: p50 %.1f ms, p99 %.1f ms, max %.1f ms, min %.1f ms (%d landed on a cached page)\n",
            jumps, percentile(sortedJumps, 0.50), percentile(sortedJumps, 0.99), sortedJumps.back(),
            sortedJumps.front(), paging->cachedJumps);
        printStall("jumps", paging->jumpStall);
        printProfile(paging->jumpProfile, paging->jumpPhaseMs);
        say("    pages cached: %d, %.1f MB (budget %.1f MB); RSS %.1f MB after the jumps (+%.1f MB since before "
            "opening)\n",
            paging->cachedPages, mb(paging->cachedBytes), mb(paging->budgetBytes), mb(paging->rssAfterBytes),
            mb(paging->rssAfterBytes - paging->rssBeforeBytes));
    }
    std::optional<PayloadFigures> payload;
    qint64 hgets = 0;
    if (runPayload) {
        say("\n[3] MainWindow on db %d: the %lld-byte JSON payload of stream %s\n", PagingDb,
            static_cast<long long>(bigBytes), BigStream.constData());
        say("    classifyPayload() of the whole payload, run by the bench (MainWindow::showPayload runs it on the GUI "
            "thread): %.1f ms\n",
            classifyMs);
        const qint64 rssBefore = rssBytes();
        const qint64 hgetsBefore = pagingDb.commandCalls("HGET");
        payload = showBigPayload(*window, bigId);
        hgets = pagingDb.commandCalls("HGET") - hgetsBefore;
        if (payload->shownOk)
            say("    first MiB shown                %9.1f ms (selectStream(), version 1, HGET, formatted)\n",
                payload->shownMs);
        else
            say("    the first MiB was not shown, or not for long (see the HGETs below)\n");
        printStall("first MiB", payload->shownStall);
        printProfile(payload->shownProfile, payload->shownPhaseMs);
        if (payload->allPhaseMs > 0) {
            if (payload->allOk)
                say("    \"Load all\" shown               %9.1f ms (click to formatted in full)\n",
                    payload->allShownMs);
            else
                say("    all of the payload was not shown, or not for long (see the HGETs below)\n");
            printStall("load all", payload->allStall);
            printProfile(payload->allProfile, payload->allPhaseMs);
            say("    RSS %.1f MB before, %.1f MB with the first MiB shown, %.1f MB with all of it\n", mb(rssBefore),
                mb(payload->shownRssBytes), mb(payload->allRssBytes));
        } else {
            say("    \"Load all\" not run: the pane did not keep showing the first MiB with the button enabled\n");
            say("    RSS %.1f MB before, %.1f MB with the first MiB shown\n", mb(rssBefore),
                mb(payload->shownRssBytes));
        }
        say("    the window fetched the payload with %lld HGET%s (1 expected)\n", static_cast<long long>(hgets),
            hgets == 1 ? "" : "s");
    }
    window.reset();

    say("\nsummary\n");
    say("  %-50s %12s %16s  %s\n", "figure", "measured", "target", "");
    const auto row = [](const char *what, const QString &measured, const QString &target, bool pass) {
        say("  %-50s %12s %16s  %s\n", what, measured.toUtf8().constData(), target.toUtf8().constData(), verdict(pass));
    };
    const auto msText = [](double ms) -> QString {
        return QString::number(ms, 'f', 1) + QStringLiteral(" ms");
    };
    const auto mbText = [](qint64 bytes) -> QString {
        return QString::number(mb(bytes), 'f', 1) + QStringLiteral(" MB");
    };
    if (listing) {
        const double ratio = listing->allShownMs / baselineMs;
        row("first 1,000 streams shown", msText(listing->firstShownMs), QStringLiteral("< 200 ms"),
            listing->firstShownMs < FirstStreamsTargetMs);
        row("all streams with versions / hiredis baseline", QString::number(ratio, 'f', 2) + QStringLiteral("x"),
            QStringLiteral("<= 1.5x"), ratio <= ListAllTargetRatio);
        row("peak RSS after listing", mbText(listing->peakRssBytes), QStringLiteral("< 300 MB"),
            double(listing->peakRssBytes) < ListRssTargetBytes);
        row("GUI stall during the scan", msText(listing->stall.longestMs), QStringLiteral("< 50 ms"),
            listing->stall.longestMs < StallTargetMs);
        Stall reorderStall;
        bool reorderOk = !listing->reorder.empty();
        for (const ReorderStep &step : listing->reorder) {
            reorderStall.merge(step.stall);
            reorderOk = reorderOk && step.ok;
        }
        row("GUI stall sorting/filtering 1M loaded streams", msText(reorderStall.longestMs), QStringLiteral("< 50 ms"),
            reorderStall.longestMs < StallTargetMs);
        row("  (its busiest gap's GUI-thread CPU)", msText(reorderStall.busiestCpuMs), QString(), true);
        row("sorted/filtered rows and selection right", verdictWord(reorderOk), QStringLiteral("yes"), reorderOk);
    }
    if (payload) {
        row("payload shown, then all of it, with one HGET",
            QStringLiteral("%1, %2, %3").arg(verdictWord(payload->shownOk), verdictWord(payload->allOk)).arg(hgets),
            QStringLiteral("yes, yes, 1"), payload->shownOk && payload->allOk && hgets == 1);
        row("GUI stall showing the payload's first MiB", msText(payload->shownStall.longestMs),
            QStringLiteral("< 50 ms"), payload->shownStall.longestMs < StallTargetMs);
        const bool loadedAll = payload->allPhaseMs > 0; // "Load all" was offered and clicked
        row("GUI stall on \"Load all\" of the payload",
            loadedAll ? msText(payload->allStall.longestMs) : QStringLiteral("not run"), QStringLiteral("< 50 ms"),
            loadedAll && payload->allStall.longestMs < StallTargetMs);
    }
    if (paging) {
        const double p99 = percentile(sortedJumps, 0.99);
        const qint64 rssGrowth = paging->rssAfterBytes - paging->rssBeforeBytes;
        row("random jumps p99", msText(p99), QStringLiteral("< 100 ms"), p99 < JumpP99TargetMs);
        row("pages cached after the jumps", mbText(paging->cachedBytes), QStringLiteral("<= 67.1 MB"),
            paging->cachedBytes <= paging->budgetBytes);
        row("RSS growth while paging", mbText(rssGrowth), QStringLiteral("<= 67.1 MB"),
            rssGrowth <= paging->budgetBytes);
    }
    say("  not targets:");
    if (listing) {
        say(" hiredis baseline %.1f ms, StreamScanner alone %.1f ms, window's scan %.1f ms, all shown %.1f ms;",
            baselineMs, coreScanMs, listing->scanDoneMs, listing->allShownMs);
        say(" re-ordering shown after");
        for (size_t i = 0; i < listing->reorder.size(); ++i)
            say("%s %.1f ms (%s)", i > 0 ? "," : "", listing->reorder[i].shownMs, listing->reorder[i].name);
        say(";");
    }
    if (paging)
        say(" first page %.1f ms, last page %.1f ms, jumps p50 %.1f ms, max %.1f ms, longest stall paging %.1f ms;",
            paging->firstPageMs, paging->lastPageMs, percentile(sortedJumps, 0.50), sortedJumps.back(),
            std::max({paging->openStall.longestMs, paging->lastStall.longestMs, paging->jumpStall.longestMs}));
    if (payload && payload->allOk)
        say(" first MiB shown %.1f ms, all shown %.1f ms, RSS with all shown %.1f MB;", payload->shownMs,
            payload->allShownMs, mb(payload->allRssBytes));
    say("\n");
    return 0;
}
