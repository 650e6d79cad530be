// The inspector window offscreen against a real redis-server: connect, list, filter, select, page to the end,
// show every kind of payload, and recover when the server restarts.
#include "backgroundscanner.h"
#include "eventpagemodel.h"
#include "mainwindow.h"
#include "payloadview.h"
#include "redisserver.h"
#include "streamlistmodel.h"
#include "trafficmeter.h"
#include "uniformtableview.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void listsStreamsAndAll();
    void filtersLocallyAndOnTheServer();
    void showsItsOwnLoad();
    void pagesToTheEndOfALongStream();
    void showsEveryKindOfPayload();
    void wrongKeyTypeIsShownInWords();
    void recoversWhenTheServerRestarts();
    void wrongPasswordIsShown();

private:
    std::unique_ptr<MainWindow> openWindow(const QString &url);
    bool selectVersion(MainWindow &window, const QByteArray &stream, qint64 version);
    void seed();

    RedisServer m_server;
};

void TestMainWindow::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestMainWindow::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.restart());
    m_server.flushAll();
    seed();
}

void TestMainWindow::seed()
{
    QList<QByteArray> hset = {"HSET", "EventStore"};
    QList<QByteArray> push = {"RPUSH", "long-stream"};
    for (int i = 1; i <= 25000; ++i) {
        const QByteArray id = "e" + QByteArray::number(i);
        hset << id << R"({"type":"Ticked","n":)" + QByteArray::number(i) + '}';
        push << id;
    }
    m_server.admin(hset);
    m_server.admin(push);
    for (int s = 1; s <= 30; ++s)
        m_server.admin({"RPUSH", "customer-" + QByteArray::number(s), "e" + QByteArray::number(s)});
    m_server.admin({"HSET", "EventStore", "e25001", "plain words", "e25002", QByteArray("\x00\xff\x10", 3), "e25003",
                    QByteArray(2 * 1024 * 1024 - 20, ' ') + R"({"type":"Big"})"});
    m_server.admin({"RPUSH", "mixed", "e25001", "e25002", "e424242", "e25003", "e1"});
    m_server.admin({"SET", "a-string", "x"});
}

std::unique_ptr<MainWindow> TestMainWindow::openWindow(const QString &url)
{
    MainWindow::Options options{*ConnectionOptions::fromUrl(url), StoreLayout::seed(), false};
    options.connection.reconnectBaseDelayMs = 50;
    options.connection.reconnectMaxDelayMs = 300;
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1200, 800);
    window->show();
    window->connectToServer();
    return window;
}

bool TestMainWindow::selectVersion(MainWindow &window, const QByteArray &stream, qint64 version)
{
    window.selectStream(stream);
    EventPageModel *model = window.eventModel();
    if (!QTest::qWaitFor([&] { return model->stream() == stream && model->length() >= version; }, 10000))
        return false;
    if (!window.goToVersion(version))
        return false;
    const int row = model->rowForVersion(version);
    return QTest::qWaitFor([&] { return model->data(model->index(row, 0), EventPageModel::LoadedRole).toBool(); },
                           10000);
}

void TestMainWindow::listsStreamsAndAll()
{
    auto window = openWindow(m_server.url());
    QAbstractItemModelTester tester(window->streamModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    StreamListModel *streams = window->streamModel();
    QTRY_COMPARE_WITH_TIMEOUT(streams->streamCount(), 32, 10000); // 30 customers, long-stream, mixed
    QTRY_VERIFY(window->scanStatusText().startsWith(QLatin1String("32 streams")));
    QVERIFY(!window->scanStatusText().contains(QLatin1String("scanning")));
    const QModelIndex all = streams->index(0, 0);
    QVERIFY(all.data(StreamListModel::IsAllRole).toBool());
    QTRY_COMPARE(streams->index(0, StreamListModel::VersionColumn).data(StreamListModel::VersionRole).toLongLong(),
                 25003);
    QVERIFY(window->connectionStatusText().contains(QLatin1String("connected")));
    QVERIFY(window->windowTitle().contains(m_server.url().section(QLatin1Char('/'), 2, 2)));
}

void TestMainWindow::filtersLocallyAndOnTheServer()
{
    auto window = openWindow(m_server.url());
    StreamListModel *streams = window->streamModel();
    QTRY_COMPARE_WITH_TIMEOUT(streams->streamCount(), 32, 10000);
    window->filterEdit()->setText(QStringLiteral("CUSTOMER-1"));
    // customer-1, customer-10..19 (and $all stays on top)
    QTRY_COMPARE(streams->rowCount(), 1 + 11);
    window->filterEdit()->setText(QStringLiteral("customer-2?"));
    // The scan runs on a connection of its own.
    const RedisConnection *scanConnection = window->findChild<BackgroundScanner *>()->connection();
    const quint64 before = scanConnection->commandsSent();
    QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 1 + 10, 10000); // customer-20..29, by SCAN MATCH
    QVERIFY(scanConnection->commandsSent() > before);
    window->filterEdit()->clear();
    QTRY_COMPARE_WITH_TIMEOUT(streams->streamCount(), 32, 10000);
}

void TestMainWindow::showsItsOwnLoad()
{
    auto window = openWindow(m_server.url());
    QTRY_COMPARE_WITH_TIMEOUT(window->streamModel()->streamCount(), 32, 10000);
    QVERIFY(window->trafficText().startsWith(QLatin1String("load: 0")));
    // The meter counts every connection of the window: the scan's own (SCAN + LLEN per stream) and the window's.
    const RedisConnection *scan = window->findChild<BackgroundScanner *>()->connection();
    QVERIFY(scan->commandsSent() >= 33);
    QTRY_VERIFY_WITH_TIMEOUT(
        window->trafficMeter()->totals().commands >= scan->commandsSent() + window->connection()->commandsSent(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!window->trafficText().startsWith(QLatin1String("load: 0.0 cmd/s")), 5000);
    QVERIFY(window->trafficText().contains(QLatin1String("/s")));
    QVERIFY(window->trafficMeter()->totals().bytesReceived > 0);
}

void TestMainWindow::pagesToTheEndOfALongStream()
{
    auto window = openWindow(m_server.url());
    QAbstractItemModelTester tester(window->eventModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QVERIFY(selectVersion(*window, "long-stream", 25000));
    EventPageModel *events = window->eventModel();
    QCOMPARE(events->rowCount(), 25000);
    const QModelIndex last = events->index(events->rowForVersion(25000), EventPageModel::IdColumn);
    QCOMPARE(last.data().toString(), QStringLiteral("e25000"));
    QCOMPARE(window->eventView()->currentIndex().row(), last.row());
    QVERIFY(events->cachedPages() < 10); // it did not read its way there
    QTRY_COMPARE(window->payloadView()->id(), QByteArray("e25000"));
    QVERIFY(!window->goToVersion(25001));
}

void TestMainWindow::showsEveryKindOfPayload()
{
    auto window = openWindow(m_server.url());
    PayloadView *payload = window->payloadView();
    QVERIFY(selectVersion(*window, "mixed", 1));
    QTRY_COMPARE(payload->id(), QByteArray("e25001"));
    QCOMPARE(payload->mode(), PayloadView::Mode::Raw);
    QVERIFY(selectVersion(*window, "mixed", 2));
    QTRY_COMPARE(payload->id(), QByteArray("e25002"));
    QCOMPARE(payload->mode(), PayloadView::Mode::Hex);
    QVERIFY(!payload->isModeEnabled(PayloadView::Mode::Tree));
    QVERIFY(selectVersion(*window, "mixed", 3));
    QTRY_COMPARE(payload->id(), QByteArray("e424242"));
    QCOMPARE(window->eventModel()->index(2, EventPageModel::TypeColumn).data().toString(), QStringLiteral("missing"));
    // Large: not in the page, fetched on selection (once), shown in part.
    m_server.admin({"CONFIG", "RESETSTAT"});
    QVERIFY(selectVersion(*window, "mixed", 4));
    QCOMPARE(window->eventModel()->index(3, 0).data(EventPageModel::PayloadLoadedRole).toBool(), false);
    QTRY_COMPARE_WITH_TIMEOUT(payload->id(), QByteArray("e25003"), 10000);
    // Once fetched, its row tells its type too.
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->index(3, EventPageModel::TypeColumn).data().toString(),
                              QStringLiteral("Big"), 10000);
    QCOMPARE(payload->id(), QByteArray("e25003"));
    QVERIFY(m_server.admin({"INFO", "commandstats"}).text.contains("cmdstat_hget:calls=1,"));
    // "Load all" shows all of it, formatted on a worker, from the copy fetched once: no second HGET.
    auto *banner = payload->findChild<QWidget *>(QStringLiteral("banner"));
    QVERIFY(banner->isVisibleTo(payload));
    payload->findChild<QAbstractButton *>(QStringLiteral("loadAllButton"))->click();
    auto *pretty = payload->findChild<QPlainTextEdit *>(QStringLiteral("prettyText"));
    QTRY_VERIFY_WITH_TIMEOUT(
        !payload->isFormatting() && pretty->toPlainText() == QStringLiteral("{\n  \"type\": \"Big\"\n}"), 10000);
    QVERIFY(!banner->isVisibleTo(payload));
    QCOMPARE(payload->id(), QByteArray("e25003"));
    QVERIFY(m_server.admin({"INFO", "commandstats"}).text.contains("cmdstat_hget:calls=1,"));
    QSignalSpy loadAll(payload, &PayloadView::loadAllRequested);
    QVERIFY(selectVersion(*window, "mixed", 5));
    QTRY_COMPARE(payload->id(), QByteArray("e1"));
    QCOMPARE(payload->mode(), PayloadView::Mode::Pretty);
}

void TestMainWindow::wrongKeyTypeIsShownInWords()
{
    auto window = openWindow(m_server.url());
    QTRY_COMPARE_WITH_TIMEOUT(window->streamModel()->streamCount(), 32, 10000);
    window->selectStream("a-string");
    QTRY_VERIFY(window->eventsStatusText().contains(QLatin1String("is a string, not a stream")));
    QCOMPARE(window->eventModel()->rowCount(), 0);
    // The window stays usable.
    QVERIFY(selectVersion(*window, "long-stream", 2));
}

void TestMainWindow::recoversWhenTheServerRestarts()
{
    auto window = openWindow(m_server.url());
    QTRY_COMPARE_WITH_TIMEOUT(window->streamModel()->streamCount(), 32, 10000);
    QVERIFY(selectVersion(*window, "long-stream", 10));
    QSignalSpy ready(window->connection(), &RedisConnection::ready);
    m_server.stop();
    QTRY_VERIFY_WITH_TIMEOUT(window->connectionStatusText().contains(QLatin1String("reconnecting in")), 10000);
    QVERIFY(m_server.restart());
    seed();
    m_server.admin({"RPUSH", "customer-99", "e1"});
    QVERIFY(ready.wait(15000));
    // It lists again by itself, new stream included, and the open stream is read again.
    QTRY_COMPARE_WITH_TIMEOUT(window->streamModel()->streamCount(), 33, 10000);
    QTRY_VERIFY(window->connectionStatusText().startsWith(QLatin1String("connected")));
    QCOMPARE(window->eventModel()->stream(), QByteArray("long-stream"));
    QVERIFY(selectVersion(*window, "long-stream", 20000));
}

void TestMainWindow::wrongPasswordIsShown()
{
    RedisServer locked(RedisServer::Options{false, false, false, QStringLiteral("right-pw"), {}});
    QVERIFY(locked.start());
    QString url = locked.url();
    url.replace(QLatin1String("redis://"), QLatin1String("redis://:Wr0ng-Secret@"));
    auto window = openWindow(url);
    QTRY_VERIFY_WITH_TIMEOUT(window->connectionStatusText().startsWith(QLatin1String("failed: authentication failed")),
                             10000);
    QVERIFY(!window->connectionStatusText().contains(QLatin1String("Wr0ng-Secret")));
    QVERIFY(!window->windowTitle().contains(QLatin1String("Wr0ng-Secret")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
