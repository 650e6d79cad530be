// Renders the inspector window against a demo Redis to PNG files (docs/screenshots). Run by scripts/screenshots,
// which starts and seeds the Redis; this program adds the special cases (big JSON, binary, missing id) itself.
#include "committer.h"
#include "eventpagemodel.h"
#include "livechartwidget.h"
#include "livepanel.h"
#include "livetailmodel.h"
#include "mainwindow.h"
#include "payloadview.h"
#include "projectioneditor.h"
#include "redisconnection.h"
#include "replayview.h"
#include "searchpanel.h"
#include "seeder.h"
#include "streamlistmodel.h"
#include "streamscopeedit.h"
#include "uniformtableview.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPalette>
#include <QTableView>
#include <QTimer>

#include <cstdio>
#include <functional>

using namespace Eventscope;

namespace {

bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 20000)
{
    QElapsedTimer clock;
    clock.start();
    while (!condition()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

bool writeSpecialCases(const ConnectionOptions &base)
{
    ConnectionOptions options = base;
    options.readOnly = false; // this tool prepares demo data
    RedisConnection connection(options);
    connection.open();
    if (!waitUntil([&] { return connection.state() == RedisConnection::State::Connected; }))
        return false;
    Committer committer(&connection, StoreLayout::seed());
    int done = 0;
    auto count = [&done](const AppendResult &result) {
        if (result.status != AppendResult::Status::Ok)
            std::fprintf(stderr, "append failed: %s\n", qPrintable(result.error));
        ++done;
    };
    // A 3 MiB JSON document: an order with many lines.
    QByteArray big
        = R"({"type":"OrderPlaced","orderId":"o-7781","customer":"customer-7","timestamp":"2026-11-26T09:30:00Z","lines":[)";
    for (int i = 0; big.size() < 3 * 1024 * 1024; ++i) {
        if (i)
            big += ',';
        big += R"({"sku":"SKU-)" + QByteArray::number(100000 + i) + R"(","quantity":)" + QByteArray::number(i % 7 + 1)
               + R"(,"price":{"amount":)" + QByteArray::number(1999 + i % 500) + R"(,"currency":"EUR"},"gift":)"
               + (i % 5 ? "false" : "true") + '}';
    }
    big += "]}";
    committer.append("order-7781", ExpectedVersion{},
                     {R"({"type":"CartOpened","timestamp":"2026-11-26T09:00:00Z"})", big}, count);
    QByteArray binary;
    for (int i = 0; i < 700; ++i)
        binary += char((i * 37 + 11) % 256);
    committer.append("legacy-import", ExpectedVersion{}, {"plain text note, not JSON", binary}, count);
    if (!waitUntil([&] { return done == 2; }))
        return false;
    // A stream that lists a commit the hash does not have.
    bool pushed = false;
    connection.send({"RPUSH", "legacy-import", "e999999"}, &connection, [&](const RedisReply &) { pushed = true; });
    return waitUntil([&] { return pushed; });
}

bool shoot(MainWindow &window, const QString &path)
{
    // Let the selected payload arrive and be formatted before the picture.
    const QModelIndex current = window.eventView()->currentIndex();
    const QByteArray id = current.data(EventPageModel::IdRole).toByteArray();
    if (!waitUntil([&] { return window.payloadView()->id() == id && !window.payloadView()->isFormatting(); }, 30000))
        std::fprintf(stderr, "screenshots: still formatting after 30 s\n");
    QEventLoop loop;
    QTimer::singleShot(200, &loop, &QEventLoop::quit);
    loop.exec();
    const bool ok = window.grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

bool selectEvent(MainWindow &window, const QByteArray &stream, qint64 version)
{
    window.selectStream(stream);
    if (!waitUntil(
            [&] { return window.eventModel()->stream() == stream && window.eventModel()->rowCount() >= version; }))
        return false;
    EventPageModel *model = window.eventModel();
    const int row = model->rowForVersion(version);
    model->data(model->index(row, 1));
    if (!waitUntil([&] { return model->data(model->index(row, 0), EventPageModel::LoadedRole).toBool(); }))
        return false;
    return window.goToVersion(version);
}

const char BalanceScript[] = R"(// The balance and activity of one account, as a read model would keep them.
function init() {
    return { balance: 0, deposits: 0, withdrawals: 0, fees: 0, byType: {}, last: null };
}

function reduce(state, event) {
    const d = event.data;
    state.byType[event.type || 'unreadable'] = (state.byType[event.type || 'unreadable'] || 0) + 1;
    if (!d) return state; // a text note, not JSON
    switch (d.type) {
    case 'Deposited': state.balance += d.amount; state.deposits++; break;
    case 'Withdrawn': state.balance -= d.amount; state.withdrawals++; break;
    case 'FeeCharged': state.balance -= d.amount; state.fees += d.amount; break;
    }
    state.last = { id: event.id, type: d.type, at: d.timestamp };
    return state;
}
)";

// The same projection, before someone remembered that not every payload is JSON.
const char FailingScript[] = R"(// Totals by event type over every commit ($all).
function init() {
    return { total: 0, byType: {} };
}

function reduce(state, event) {
    const amount = event.data.amount;
    state.total += amount;
    state.byType[event.data.type] = (state.byType[event.data.type] || 0) + amount;
    return state;
}
)";

bool shootReplay(const ConnectionOptions &options, const QDir &out)
{
    RedisConnection connection(options);
    connection.open();
    if (!waitUntil([&] { return connection.state() == RedisConnection::State::Connected; }))
        return false;
    ReplayView view(&connection, StoreLayout::seed());
    view.setWindowTitle(QStringLiteral("Replay — Eventscope"));
    view.resize(1440, 860);
    view.show();
    bool done = false;
    QObject::connect(&view, &ReplayView::runFinished, &view, [&done] { done = true; });
    QObject::connect(&view, &ReplayView::runFailed, &view, [&done] { done = true; });
    auto save = [&view](const QString &path) {
        QEventLoop loop;
        QTimer::singleShot(300, &loop, &QEventLoop::quit);
        loop.exec();
        const bool ok = view.grab().save(path);
        std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
        return ok;
    };

    view.setSelectedStream("customer-1");
    view.editorA()->setPlainText(QString::fromUtf8(BalanceScript));
    view.run();
    if (!waitUntil([&] { return done; }, 60000) || !view.errorText().isEmpty()) {
        std::fprintf(stderr, "screenshots: the replay did not finish: %s\n", qPrintable(view.errorText()));
        return false;
    }
    const qint64 version = qMin<qint64>(37, view.length());
    if (!waitUntil([&] { return view.shownVersion() == view.length(); }))
        return false;
    view.goToVersion(version);
    if (!waitUntil([&] { return view.shownVersion() == version && !view.eventView()->isFormatting(); }))
        return false;
    bool ok = save(out.filePath(QStringLiteral("replay-state.png")));

    done = false;
    view.setSource(ReplayView::SourceKind::All);
    view.editorA()->setPlainText(QString::fromUtf8(FailingScript));
    view.run();
    if (!waitUntil([&] { return done; }, 60000) || view.errorText().isEmpty()) {
        std::fprintf(stderr, "screenshots: the failing projection did not fail\n");
        return false;
    }
    waitUntil([&] { return view.shownVersion() == view.length() && !view.eventView()->isFormatting(); });
    ok &= save(out.filePath(QStringLiteral("replay-error.png")));
    return ok;
}

// The Live dock while writers commit at changing rates, with one dropped subscriber on the way.
bool shootLive(const ConnectionOptions &base, const QDir &out)
{
    MainWindow::Options windowOptions{base, StoreLayout::seed(), false};
    MainWindow window(windowOptions);
    window.resize(1440, 1000);
    window.show();
    window.connectToServer();
    if (!waitUntil([&] { return window.streamModel()->streamCount() > 10; }))
        return false;
    window.selectStream("hot-1");
    window.showLive(true);
    LivePanel *panel = window.livePanel();
    if (!waitUntil([&] { return panel->feed()->state() == LiveFeed::State::Live; }))
        return false;
    if (auto *dock = window.findChild<QDockWidget *>(QStringLiteral("liveDock")))
        window.resizeDocks({dock}, {620}, Qt::Vertical);

    ConnectionOptions options = base;
    options.readOnly = false; // this tool prepares demo data
    RedisConnection connection(options);
    connection.open();
    if (!waitUntil([&] { return connection.state() == RedisConnection::State::Connected; }))
        return false;
    SeedOptions hot;
    hot.streams = 3;
    hot.streamNamePrefix = "hot-";
    SeedOptions rest;
    rest.streams = 40;
    Seeder hotWriter(&connection, StoreLayout::seed());
    Seeder restWriter(&connection, StoreLayout::seed());
    const auto phase = [&](double hotRate, double restRate, int ms) {
        hotWriter.live(hot, hotRate, 0);
        restWriter.live(rest, restRate, 0);
        QEventLoop loop;
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        loop.exec();
        hotWriter.stop();
        restWriter.stop();
    };
    phase(40, 30, 6000);
    phase(120, 30, 5000);
    bool killed = false;
    connection.send({"CLIENT", "KILL", "TYPE", "pubsub"}, &connection, [&](const RedisReply &) { killed = true; });
    waitUntil([&] { return killed; });
    phase(70, 60, 6000);
    phase(20, 90, 5000);
    if (!waitUntil([&] { return panel->queuedCount() == 0 && panel->feed()->state() == LiveFeed::State::Live; }))
        return false;
    QEventLoop settle;
    QTimer::singleShot(2 * LiveChartWidget::RedrawIntervalMs, &settle, &QEventLoop::quit);
    settle.exec();
    // The open stream grew while the writers ran: show its newest commit.
    EventPageModel *events = window.eventModel();
    const qint64 newest = events->length();
    if (newest > 0 && window.goToVersion(newest)) {
        const QModelIndex index = events->index(events->rowForVersion(newest), 1);
        waitUntil([&] { return index.data(EventPageModel::LoadedRole).toBool(); });
        waitUntil([&] { return !window.payloadView()->isFormatting(); });
    }
    // The chart on its own at a size where its labels breathe, over the same model.
    LiveChartWidget chart(panel->rateModel());
    chart.resize(1200, 720);
    chart.show();
    chart.redraw();
    QEventLoop shown;
    QTimer::singleShot(300, &shown, &QEventLoop::quit);
    shown.exec();
    bool ok = chart.exportPng(out.filePath(QStringLiteral("live-chart.png")));
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(out.filePath(QStringLiteral("live-chart.png"))));
    const QString tailPath = out.filePath(QStringLiteral("live-tail.png"));
    const bool tailOk = window.grab().save(tailPath);
    std::printf("%s %s\n", tailOk ? "wrote" : "FAILED", qPrintable(tailPath));
    return ok && tailOk;
}

// The search dock with a predicate search's results over five streams, the first result opened in the window.
bool shootSearch(const ConnectionOptions &options, const QDir &out)
{
    MainWindow::Options windowOptions{options, StoreLayout::seed(), false};
    MainWindow window(windowOptions);
    window.resize(1440, 1000);
    window.show();
    window.connectToServer();
    if (!waitUntil([&] { return window.streamModel()->streamCount() > 10; }))
        return false;
    window.selectStream("customer-1");
    auto *action = window.findChild<QAction *>(QStringLiteral("searchAction"));
    if (!action)
        return false;
    action->trigger();
    auto *panel = window.findChild<SearchPanel *>();
    if (auto *dock = window.findChild<QDockWidget *>(QStringLiteral("searchDock")))
        window.resizeDocks({dock}, {430}, Qt::Vertical);
    bool done = false;
    QObject::connect(panel, &SearchPanel::searchFinished, panel, [&done] { done = true; });
    QObject::connect(panel, &SearchPanel::searchFailed, panel, [&done] { done = true; });
    panel->scopeEdit()->setList(QStringLiteral("customer-1, customer-2, customer-3, customer-4, customer-5"));
    panel->setQuery(SearchPanel::Kind::Predicate, QStringLiteral("amount > 5000 && type == \"Deposited\""));
    if (!panel->startSearch() || !waitUntil([&] { return done; }, 60000) || panel->resultsModel()->rowCount() == 0) {
        std::fprintf(stderr, "screenshots: the search found nothing: %s\n", qPrintable(panel->errorText()));
        return false;
    }
    const SearchResult &first = panel->resultsModel()->resultAt(0);
    const QByteArray id = first.id;
    panel->resultsView()->setCurrentIndex(panel->resultsModel()->index(0, 0));
    window.openEvent(first.stream, first.version);
    if (!waitUntil([&] {
            const QModelIndex current = window.eventView()->currentIndex();
            return current.isValid() && current.data(EventPageModel::IdRole).toByteArray() == id
                   && !window.payloadView()->isFormatting();
        }))
        return false;
    QEventLoop settle;
    QTimer::singleShot(300, &settle, &QEventLoop::quit);
    settle.exec();
    const QString path = out.filePath(QStringLiteral("search-panel.png"));
    const bool ok = window.grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Eventscope-screenshots"));
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("url"), QStringLiteral("demo Redis"), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("output directory"), QStringLiteral("DIR")});
    parser.process(app);
    const auto connection = ConnectionOptions::fromUrl(parser.value(QStringLiteral("url")));
    if (!connection) {
        std::fprintf(stderr, "screenshots: --url URL of the demo Redis\n");
        return 2;
    }
    const QDir out(parser.value(QStringLiteral("out")).isEmpty() ? QStringLiteral("docs/screenshots")
                                                                 : parser.value(QStringLiteral("out")));
    QDir().mkpath(out.path());
    if (!writeSpecialCases(*connection)) {
        std::fprintf(stderr, "screenshots: cannot prepare the demo data\n");
        return 1;
    }

    bool ok = true;
    for (const bool production : {false, true}) {
        MainWindow::Options options{*connection, StoreLayout::seed(), production};
        MainWindow window(options);
        window.resize(1440, 860);
        window.show();
        window.connectToServer();
        if (!waitUntil([&] { return window.streamModel()->streamCount() > 10; })) {
            std::fprintf(stderr, "screenshots: no streams listed\n");
            return 1;
        }
        if (production) {
            ok &= selectEvent(window, "customer-7", 4) && shoot(window, out.filePath(QStringLiteral("production.png")));
            continue;
        }
        // A dark desktop palette: everything must follow it.
        const QPalette light = QApplication::palette();
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(45, 45, 48));
        dark.setColor(QPalette::WindowText, QColor(220, 220, 220));
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::AlternateBase, QColor(40, 40, 43));
        dark.setColor(QPalette::Text, QColor(220, 220, 220));
        dark.setColor(QPalette::Button, QColor(55, 55, 58));
        dark.setColor(QPalette::ButtonText, QColor(220, 220, 220));
        dark.setColor(QPalette::Highlight, QColor(38, 79, 120));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        dark.setColor(QPalette::ToolTipBase, QColor(55, 55, 58));
        dark.setColor(QPalette::ToolTipText, QColor(220, 220, 220));
        dark.setColor(QPalette::PlaceholderText, QColor(140, 140, 140));
        QApplication::setPalette(dark);
        ok &= selectEvent(window, "customer-3", 2) && shoot(window, out.filePath(QStringLiteral("dark.png")));
        QApplication::setPalette(light);
        ok &= selectEvent(window, "customer-1", 3) && shoot(window, out.filePath(QStringLiteral("normal.png")));
        ok &= selectEvent(window, "order-7781", 2) && shoot(window, out.filePath(QStringLiteral("big-json.png")));
        ok &= selectEvent(window, "legacy-import", 2) && shoot(window, out.filePath(QStringLiteral("binary.png")));
        ok &= selectEvent(window, "legacy-import", 3) && shoot(window, out.filePath(QStringLiteral("missing-id.png")));
    }
    ok &= shootReplay(*connection, out);
    ok &= shootLive(*connection, out);
    ok &= shootSearch(*connection, out);
    return ok ? 0 : 1;
}
