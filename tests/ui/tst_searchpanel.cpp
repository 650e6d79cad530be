// The search dock offscreen in the main window against a real redis-server (the commits of searchdata.h): each
// query kind finds the right commits in the selected stream, a list and $all; a bad regular expression or predicate
// is shown and nothing runs; the scan cap stops the scan and Continue finds the rest; activating a result opens it.
#include "eventpagemodel.h"
#include "mainwindow.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "searchdata.h"
#include "searchpanel.h"
#include "streamscopeedit.h"
#include "threadbarrier.h"
#include "uniformtableview.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QHash>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

QStringList idList(std::initializer_list<int> numbers)
{
    QStringList out;
    for (int n : numbers)
        out.append(QStringLiteral("e%1").arg(n));
    return out;
}

} // namespace

class TestSearchPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void queryKinds_data();
    void queryKinds();
    void badQueriesRunNothing_data();
    void badQueriesRunNothing();
    void capStopsAndContinueFindsTheRest();
    void activatingAResultOpensTheEvent();
    void cancelStops();
    void unreachableServerIsSaid();
    void shortcutsAreUnique();

private:
    // reconnectBaseDelayMs > 0: the connections wait that long (and up to twice that) before their next attempt.
    std::unique_ptr<MainWindow> openWindow(int reconnectBaseDelayMs = 0);
    SearchPanel *openSearch(MainWindow &window);
    // Runs the panel's search and waits for it to finish; the ids shown, in order.
    QStringList search(SearchPanel *panel, bool *capped = nullptr);

    RedisServer m_server;
};

void TestSearchPanel::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestSearchPanel::init()
{
    m_server.flushAll();
    plantSearchCommits(m_server);
}

std::unique_ptr<MainWindow> TestSearchPanel::openWindow(int reconnectBaseDelayMs)
{
    MainWindow::Options options{*ConnectionOptions::fromUrl(m_server.url()), StoreLayout::seed(), false};
    if (reconnectBaseDelayMs > 0) {
        options.connection.reconnectBaseDelayMs = reconnectBaseDelayMs;
        options.connection.reconnectMaxDelayMs = reconnectBaseDelayMs * 2;
    }
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1200, 900);
    window->show();
    window->connectToServer();
    return window;
}

SearchPanel *TestSearchPanel::openSearch(MainWindow &window)
{
    auto *action = window.findChild<QAction *>(QStringLiteral("searchAction"));
    if (!action)
        return nullptr;
    if (action->shortcut() != QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F))
        return nullptr;
    action->trigger();
    auto *panel = window.findChild<SearchPanel *>();
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("searchDock"));
    if (!panel || !dock || !dock->isVisible())
        return nullptr;
    action->trigger(); // again: the same panel, not a second one
    if (window.findChildren<SearchPanel *>().size() != 1)
        return nullptr;
    return panel;
}

QStringList TestSearchPanel::search(SearchPanel *panel, bool *capped)
{
    QSignalSpy finished(panel, &SearchPanel::searchFinished);
    QSignalSpy failed(panel, &SearchPanel::searchFailed);
    if (!panel->startSearch()) {
        qWarning("search refused: %s", qPrintable(panel->errorText()));
        return {QStringLiteral("refused")};
    }
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 20000))
        return {QStringLiteral("timed out")};
    if (!failed.isEmpty())
        return {QStringLiteral("failed: ") + failed.first().first().toString()};
    if (capped)
        *capped = finished.first().at(2).toBool();
    QStringList ids;
    SearchResultsModel *model = panel->resultsModel();
    for (int row = 0; row < model->rowCount(); ++row)
        ids.append(QString::fromUtf8(model->resultAt(row).id));
    return ids;
}

void TestSearchPanel::queryKinds_data()
{
    QTest::addColumn<int>("scope");
    QTest::addColumn<QString>("streams");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("ids");
    QTest::newRow("type, selected stream")
        << int(StreamScopeEdit::Scope::Selected) << QString() << int(SearchPanel::Kind::Type)
        << QStringLiteral("Withdrawn") << idList({2, 4, 6, 8, 10});
    QTest::newRow("text, a list") << int(StreamScopeEdit::Scope::List) << QStringLiteral("acc-2, other")
                                  << int(SearchPanel::Kind::Text) << QStringLiteral("Deposited")
                                  << idList({11, 13, 15, 17, 19, 20});
    QTest::newRow("regex, $all") << int(StreamScopeEdit::Scope::All) << QString() << int(SearchPanel::Kind::Regex)
                                 << QStringLiteral("\"note\":\"n1[0-9]\"")
                                 << idList({10, 11, 12, 13, 14, 15, 16, 17, 18});
    QTest::newRow("predicate, $all") << int(StreamScopeEdit::Scope::All) << QString()
                                     << int(SearchPanel::Kind::Predicate)
                                     << QStringLiteral("data.amount > 100 && type == \"Deposited\"")
                                     << idList({11, 13, 15, 17});
    QTest::newRow("predicate, list with spaces")
        << int(StreamScopeEdit::Scope::List) << QStringLiteral("acc-1 acc-2") << int(SearchPanel::Kind::Predicate)
        << QStringLiteral("data.tags contains \"t0\"") << idList({3, 6, 9, 12, 15, 18});
}

void TestSearchPanel::queryKinds()
{
    QFETCH(int, scope);
    QFETCH(QString, streams);
    QFETCH(int, kind);
    QFETCH(QString, query);
    QFETCH(QStringList, ids);
    auto window = openWindow();
    SearchPanel *panel = openSearch(*window);
    QVERIFY(panel);
    // The selected stream is the one open in the window.
    window->selectStream("acc-1");
    QTRY_COMPARE_WITH_TIMEOUT(panel->scopeEdit()->selectedStream(), QByteArray("acc-1"), 10000);

    panel->scopeEdit()->setScope(StreamScopeEdit::Scope(scope));
    if (!streams.isEmpty())
        panel->scopeEdit()->setList(streams);
    panel->setQuery(SearchPanel::Kind(kind), query);
    QCOMPARE(search(panel), ids);
    QVERIFY(panel->errorText().isEmpty());
    QVERIFY2(panel->statusText().startsWith(QStringLiteral("Done: %1 matches").arg(ids.size())),
             qPrintable(panel->statusText()));
    QVERIFY(!panel->continueButton()->isVisible());
    // Every row says what it is: its stream and type; a text search shows the text it found.
    SearchResultsModel *model = panel->resultsModel();
    for (int row = 0; row < model->rowCount(); ++row) {
        QVERIFY(!model->resultAt(row).stream.isEmpty());
        QVERIFY(model->resultAt(row).version > 0);
        if (kind == int(SearchPanel::Kind::Text))
            QVERIFY2(model->resultAt(row).match.contains(query), qPrintable(model->resultAt(row).match));
    }
}

void TestSearchPanel::badQueriesRunNothing_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("error");
    QTest::newRow("regex") << int(SearchPanel::Kind::Regex) << QStringLiteral("amount(\\d+")
                           << QStringLiteral("Bad regular expression at character");
    QTest::newRow("predicate") << int(SearchPanel::Kind::Predicate) << QStringLiteral("data.amount > && x")
                               << QStringLiteral("Bad predicate at character");
    QTest::newRow("predicate, unknown operator")
        << int(SearchPanel::Kind::Predicate) << QStringLiteral("data.amount === 3")
        << QStringLiteral("Bad predicate at character");
    QTest::newRow("empty type") << int(SearchPanel::Kind::Type) << QStringLiteral("  ")
                                << QStringLiteral("Enter an event type");
}

void TestSearchPanel::badQueriesRunNothing()
{
    QFETCH(int, kind);
    QFETCH(QString, query);
    QFETCH(QString, error);
    auto window = openWindow();
    SearchPanel *panel = openSearch(*window);
    QVERIFY(panel);
    panel->scopeEdit()->setScope(StreamScopeEdit::Scope::All);
    panel->setQuery(SearchPanel::Kind(kind), query);
    QSignalSpy finished(panel, &SearchPanel::searchFinished);
    QSignalSpy failed(panel, &SearchPanel::searchFailed);
    QVERIFY(!panel->startSearch());
    QVERIFY2(panel->errorText().startsWith(error), qPrintable(panel->errorText()));
    QVERIFY(!panel->isRunning());
    QVERIFY(!panel->cancelButton()->isEnabled());
    // Nothing ran: the search's own connection never sent a command, and no result or signal comes later.
    QVERIFY(threadBarrier(panel->connection()));
    QCOMPARE(panel->connection()->commandsSent(), quint64(0));
    QCOMPARE(finished.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(panel->resultsModel()->rowCount(), 0);
    // Editing the query clears the error.
    QTest::keyClick(panel->queryEdit(), Qt::Key_End);
    QTest::keyClicks(panel->queryEdit(), QStringLiteral(" "));
    QVERIFY(panel->errorText().isEmpty());

    // No stream selected and none named: said so, nothing runs.
    panel->scopeEdit()->setScope(StreamScopeEdit::Scope::List);
    panel->scopeEdit()->listEdit()->setText(QStringLiteral(" , "));
    panel->setQuery(SearchPanel::Kind::Type, QStringLiteral("Deposited"));
    QVERIFY(!panel->startSearch());
    QVERIFY2(panel->errorText().contains(QStringLiteral("at least one stream")), qPrintable(panel->errorText()));
    QCOMPARE(panel->connection()->commandsSent(), quint64(0));
}

void TestSearchPanel::capStopsAndContinueFindsTheRest()
{
    auto window = openWindow();
    SearchPanel *panel = openSearch(*window);
    QVERIFY(panel);
    panel->scopeEdit()->setList(QStringLiteral("acc-1"));
    panel->setQuery(SearchPanel::Kind::Type, QStringLiteral("Deposited"));
    panel->capSpinBox()->setValue(5);
    bool capped = false;
    QCOMPARE(search(panel, &capped), idList({1, 3, 5}));
    QVERIFY(capped);
    QVERIFY2(panel->statusText().contains(QStringLiteral("scan cap after 5 commits")), qPrintable(panel->statusText()));
    QVERIFY(panel->continueButton()->isVisible());
    QVERIFY2(panel->continueButton()->text().contains(QStringLiteral("10")),
             qPrintable(panel->continueButton()->text()));

    QSignalSpy finished(panel, &SearchPanel::searchFinished);
    QSignalSpy inserted(panel->resultsModel(), &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(panel->resultsModel(), &QAbstractItemModel::modelReset);
    panel->continueButton()->click();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().at(2).toBool(), false); // the whole stream was looked at
    QCOMPARE(finished.first().at(0).toLongLong(), 10LL);
    QCOMPARE(panel->capSpinBox()->value(), 10);
    QCOMPARE(reset.size(), 0); // what was found stays; only the rest is added
    QStringList ids;
    for (int row = 0; row < panel->resultsModel()->rowCount(); ++row)
        ids.append(QString::fromUtf8(panel->resultsModel()->resultAt(row).id));
    QCOMPARE(ids, idList({1, 3, 5, 7, 9}));
    QVERIFY(!panel->continueButton()->isVisible());

    // Across streams: the cap counts commits over all of them.
    panel->scopeEdit()->setList(QStringLiteral("acc-1, acc-2"));
    panel->setQuery(SearchPanel::Kind::Type, QStringLiteral("Withdrawn"));
    panel->capSpinBox()->setValue(12);
    QCOMPARE(search(panel, &capped), idList({2, 4, 6, 8, 10, 12}));
    QVERIFY(capped);
    finished.clear();
    panel->continueSearch();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().at(2).toBool(), false);
    QCOMPARE(panel->resultsModel()->rowCount(), 9);
    QCOMPARE(panel->resultsModel()->resultAt(8).id, QByteArray("e18"));
}

void TestSearchPanel::activatingAResultOpensTheEvent()
{
    auto window = openWindow();
    SearchPanel *panel = openSearch(*window);
    QVERIFY(panel);
    window->selectStream("acc-1");
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray("acc-1"), 10000);

    panel->scopeEdit()->setList(QStringLiteral("acc-2"));
    panel->setQuery(SearchPanel::Kind::Predicate, QStringLiteral("data.amount >= 150 && type == \"Withdrawn\""));
    QCOMPARE(search(panel), idList({16, 18}));
    const QModelIndex first = panel->resultsModel()->index(0, SearchResultsModel::MatchColumn);
    QCOMPARE(first.data(SearchResultsModel::StreamRole).toByteArray(), QByteArray("acc-2"));
    QCOMPARE(first.data(SearchResultsModel::VersionRole).toLongLong(), 6LL);
    QCOMPARE(panel->resultsModel()->index(0, SearchResultsModel::TypeColumn).data().toString(),
             QStringLiteral("Withdrawn"));

    // Enter on a result opens its stream at its version, with the event selected.
    panel->resultsView()->setFocus();
    panel->resultsView()->setCurrentIndex(first);
    QTest::keyClick(panel->resultsView(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray("acc-2"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window->eventView()->currentIndex().isValid(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventView()->currentIndex().data(EventPageModel::IdRole).toByteArray(),
                              QByteArray("e16"), 10000);
    QCOMPARE(window->eventModel()->versionAt(window->eventView()->currentIndex().row()), 6LL);

    // A $all result opens $all at the commit's number.
    panel->scopeEdit()->setScope(StreamScopeEdit::Scope::All);
    panel->setQuery(SearchPanel::Kind::Text, QStringLiteral("plain text note"));
    QCOMPARE(search(panel), idList({19}));
    const QModelIndex all = panel->resultsModel()->index(0, 0);
    Q_EMIT panel->resultsView()->activated(all);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray(AllStreamName), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventView()->currentIndex().data(EventPageModel::IdRole).toByteArray(),
                              QByteArray("e19"), 10000);
}

void TestSearchPanel::cancelStops()
{
    // Enough commits that the search is still running when Cancel is clicked: 200,000 in one stream, made by the
    // server itself.
    m_server.admin({"EVAL",
                    "for i = 1, 200000 do redis.call('HSET', 'EventStore', 'b' .. i, '{\"type\":\"Big\",\"n\":' .. i "
                    ".. '}'); redis.call('RPUSH', 'big', 'b' .. i) end return 1",
                    "0"});
    auto window = openWindow();
    SearchPanel *panel = openSearch(*window);
    QVERIFY(panel);
    panel->scopeEdit()->setList(QStringLiteral("big"));
    panel->setQuery(SearchPanel::Kind::Predicate, QStringLiteral("n == 199999"));
    panel->capSpinBox()->setValue(0); // no cap
    QSignalSpy finished(panel, &SearchPanel::searchFinished);
    QVERIFY(panel->startSearch());
    QVERIFY(panel->isRunning());
    QVERIFY(panel->cancelButton()->isEnabled());
    // Cancelled once pages have come back, while it reads on.
    QTRY_VERIFY_WITH_TIMEOUT(panel->statusText().contains(QStringLiteral("commits looked at"))
                                 && !panel->statusText().contains(QStringLiteral(": 0 commits")),
                             10000);
    panel->cancelButton()->click();
    QVERIFY(!panel->isRunning());
    QVERIFY2(panel->statusText().startsWith(QStringLiteral("Cancelled after")), qPrintable(panel->statusText()));
    // Whatever the worker still had under way is dropped.
    QVERIFY(threadBarrier(panel->connection()));
    QCOMPARE(finished.size(), 0);
    QVERIFY2(panel->statusText().startsWith(QStringLiteral("Cancelled after")), qPrintable(panel->statusText()));
}

void TestSearchPanel::unreachableServerIsSaid()
{
    // No server at all: the search fails at once and says why.
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close(); // nothing listens there now
        MainWindow::Options options{*ConnectionOptions::fromUrl(QStringLiteral("redis://127.0.0.1:%1/0").arg(port)),
                                    StoreLayout::seed(), false};
        MainWindow window(options);
        window.show();
        window.connectToServer();
        SearchPanel *panel = openSearch(window);
        QVERIFY(panel);
        panel->scopeEdit()->setScope(StreamScopeEdit::Scope::All);
        panel->setQuery(SearchPanel::Kind::Text, QStringLiteral("Deposited"));
        QSignalSpy failed(panel, &SearchPanel::searchFailed);
        QVERIFY2(panel->startSearch(), qPrintable(panel->errorText()));
        QVERIFY(failed.wait(15000));
        QVERIFY2(panel->errorText().contains(QLatin1String("cannot connect")), qPrintable(panel->errorText()));
        QVERIFY(!panel->cancelButton()->isEnabled());
    }

    // The server goes away after the search's connection was made: the search waits for it to come back (it
    // reconnects by itself) and says why, instead of "Searching" with nothing moving; Cancel still stops it.
    auto window = openWindow(60000); // after the first attempt, the next ones are 30 s and more apart
    SearchPanel *panel = openSearch(*window);
    QVERIFY(panel);
    panel->scopeEdit()->setScope(StreamScopeEdit::Scope::All);
    panel->setQuery(SearchPanel::Kind::Text, QStringLiteral("Deposited"));
    QVERIFY(!search(panel).isEmpty());
    // The search's connection has noticed the server is gone (and scheduled its next attempt, 30 s or more away)
    // before the next search begins: the panel says so at once, not at that attempt (CI once waited 15 s for it
    // under ASan and load, behind a backed-off attempt).
    bool down = false;
    connect(
        panel->connection(), &RedisConnection::reconnectScheduled, this, [&down] { down = true; },
        Qt::QueuedConnection);
    m_server.stop();
    QTRY_VERIFY_WITH_TIMEOUT(down, 15000);
    QVERIFY2(panel->startSearch(), qPrintable(panel->errorText()));
    QTRY_VERIFY_WITH_TIMEOUT(panel->statusText().contains(QLatin1String("cannot reach Redis")), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->statusText().contains(QLatin1String("retrying in")), 15000);
    QVERIFY2(panel->statusText().startsWith(QLatin1String("Searching")), qPrintable(panel->statusText()));
    panel->cancel();
    QVERIFY2(panel->statusText().startsWith(QLatin1String("Cancelled")), qPrintable(panel->statusText()));
    QString error;
    QVERIFY2(m_server.restart(&error), qPrintable(error)); // for the tests after this one
}

void TestSearchPanel::shortcutsAreUnique()
{
    // No two actions of the window share a key, menus or not (the JSON tree's copy actions included): a key bound
    // twice where both are active fires neither.
    auto window = openWindow();
    QVERIFY(openSearch(*window));
    QHash<QKeySequence, QString> seen;
    const QList<QAction *> actions = window->findChildren<QAction *>();
    for (QAction *action : actions) {
        for (const QKeySequence &key : action->shortcuts()) {
            QVERIFY2(!seen.contains(key),
                     qPrintable(
                         QStringLiteral("%1 is both %2 and %3").arg(key.toString(), seen.value(key), action->text())));
            seen.insert(key, action->text());
        }
    }
    QVERIFY(seen.contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F)));
    QVERIFY(seen.contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C))); // Copy payload
    QVERIFY(seen.contains(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C)));   // the tree's Copy path
}

QTEST_MAIN(TestSearchPanel)
#include "tst_searchpanel.moc"
