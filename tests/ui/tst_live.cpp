// The Live pane offscreen against a real redis-server, with a writer committing through the commit script while
// it is open: tail rows, chart series, stream versions growing in the streams and events panes, auto-scroll,
// filter, double-click, pause, export, and a GUI thread that keeps ticking under a fast writer.
#include "committer.h"
#include "eventpagemodel.h"
#include "livechartwidget.h"
#include "livepanel.h"
#include "liveratemodel.h"
#include "livetailmodel.h"
#include "livetailwidget.h"
#include "mainwindow.h"
#include "redisserver.h"
#include "streamlistmodel.h"
#include "testconnection.h"
#include "trafficmeter.h"
#include "uniformtableview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QtCharts/QLineSeries>

using namespace Eventscope;
using namespace Eventscope::Test;

class TestLive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void growsWhileAWriterCommits();
    void tailFollowsFiltersPausesAndOpens();
    void exportsPngAndCsv();
    void guiThreadKeepsTicking();
    void backlogBuildsOnlyTheRowsKept();

private:
    std::unique_ptr<MainWindow> openWindow();
    std::unique_ptr<RedisConnection> writer();
    // Commits one payload per commit to the streams in turn, all sent at once (pipelined); waits for the replies.
    bool commit(RedisConnection &connection, const QList<QByteArray> &streams, int count);
    LivePanel *openLive(MainWindow &window);

    RedisServer m_server;
    int m_committed = 0;
};

void TestLive::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestLive::init()
{
    m_server.flushAll();
    m_committed = 0;
}

std::unique_ptr<MainWindow> TestLive::openWindow()
{
    MainWindow::Options options{*ConnectionOptions::fromUrl(m_server.url()), StoreLayout::seed(), false};
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1400, 1000);
    window->show();
    window->connectToServer();
    return window;
}

std::unique_ptr<RedisConnection> TestLive::writer()
{
    return openConnection(m_server.url(), true);
}

bool TestLive::commit(RedisConnection &connection, const QList<QByteArray> &streams, int count)
{
    Committer committer(&connection, StoreLayout::seed());
    int done = 0;
    int ok = 0;
    // At most 500 in flight: queueing thousands at once makes the last wait behind all of them (past the command
    // timeout on a loaded machine) and formats them all in one go on the GUI thread the test measures.
    constexpr int Window = 500;
    for (int i = 0; i < count; ++i) {
        if (i - done >= Window && !QTest::qWaitFor([&] { return i - done < Window; }, 60000))
            break;
        const QByteArray stream = streams.at(i % streams.size());
        // A timestamp in the payload gives the latency series its figures.
        const QByteArray payload = R"({"type":"Ticked","n":)" + QByteArray::number(m_committed + i + 1)
                                   + R"(,"timestamp":)" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '}';
        committer.append(stream, ExpectedVersion{}, {payload}, [&](const AppendResult &result) {
            ++done;
            ok += result.status == AppendResult::Status::Ok;
        });
    }
    const bool finished = QTest::qWaitFor([&] { return done == count; }, 60000);
    m_committed += ok;
    return finished && ok == count;
}

LivePanel *TestLive::openLive(MainWindow &window)
{
    window.liveAction()->trigger();
    LivePanel *panel = window.livePanel();
    if (!panel || !QTest::qWaitFor([panel] { return panel->feed()->state() == LiveFeed::State::Live; }, 10000))
        return nullptr;
    return panel;
}

void TestLive::growsWhileAWriterCommits()
{
    auto connection = writer();
    QVERIFY(commit(*connection, {"orders-1", "orders-2"}, 20)); // 10 each, before the window
    auto window = openWindow();
    StreamListModel *streams = window->streamModel();
    QTRY_COMPARE_WITH_TIMEOUT(streams->streamCount(), 2, 10000);
    window->selectStream("orders-1");
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->length(), qint64(10), 10000);
    QVERIFY(window->livePanel() == nullptr); // nothing subscribes before the user opens Live
    QCOMPARE(m_server.admin({"PUBSUB", "NUMSUB", "EventStore"}).elements.value(1).integer, qint64(0));

    LivePanel *panel = openLive(*window);
    QVERIFY(panel);
    QAbstractItemModelTester rateTester(panel->rateModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester tailTester(panel->tailModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester eventsTester(window->eventModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);

    QVERIFY(commit(*connection, {"orders-1", "orders-2", "orders-3"}, 300));
    QTRY_COMPARE_WITH_TIMEOUT(panel->tailModel()->rowCount(), 300, 10000);
    const QModelIndex last = panel->tailModel()->index(299, LiveTailModel::StreamColumn);
    QCOMPARE(last.data(LiveTailModel::StreamRole).toByteArray(), QByteArray("orders-3"));
    QCOMPARE(last.data(LiveTailModel::VersionRole).toLongLong(), qint64(100));
    QCOMPARE(last.data(LiveTailModel::NumberRole).toLongLong(), qint64(320));

    // Versions grew without a rescan: the streams pane (a new stream included) and the open events pane.
    QTRY_COMPARE(streams->index(streams->rowOf("orders-1"), StreamListModel::VersionColumn)
                     .data(StreamListModel::VersionRole)
                     .toLongLong(),
                 qint64(110));
    QCOMPARE(streams->index(streams->rowOf("orders-2"), StreamListModel::VersionColumn)
                 .data(StreamListModel::VersionRole)
                 .toLongLong(),
             qint64(110));
    QVERIFY(streams->rowOf("orders-3") > 0);
    QCOMPARE(streams->storeRevision(), qint64(320));
    QCOMPARE(window->eventModel()->length(), qint64(110));
    QVERIFY(window->goToVersion(110));
    const QModelIndex newest = window->eventModel()->index(window->eventModel()->rowForVersion(110), 1);
    newest.data(); // asks for its page
    QTRY_VERIFY(newest.data(EventPageModel::LoadedRole).toBool());
    QCOMPARE(newest.data(EventPageModel::IdRole).toByteArray(), QByteArray("e318"));

    // The chart: points in commits and events, one series per busy stream, redrawn from the model.
    LiveChartWidget *chart = panel->chart();
    // The chart redraws on a timer: wait until it has drawn all 300 commits, so the series and the model agree.
    const auto drawnCommits = [chart] {
        double sum = 0;
        for (const QPointF &point : chart->commitsSeries()->points())
            sum += point.y();
        return sum;
    };
    QTRY_COMPARE_WITH_TIMEOUT(drawnCommits(), 300.0, 10000);
    const double commits = drawnCommits();
    QTRY_COMPARE(chart->streamSeries().size(), 3);
    QStringList names;
    for (QLineSeries *series : chart->streamSeries())
        names << series->name();
    names.sort();
    QCOMPARE(names, QStringList({QStringLiteral("orders-1"), QStringLiteral("orders-2"), QStringLiteral("orders-3")}));
    QVERIFY(commits > 0);
    QVERIFY(chart->latencySeries()->count() > 0);
    for (const QPointF &point : chart->latencySeries()->points())
        QVERIFY2(point.y() >= 0 && point.y() < 60000, qPrintable(QString::number(point.y())));
    // Hover's text gives the exact figures of the point under the mouse.
    QPointF busy;
    for (const QPointF &point : chart->commitsSeries()->points())
        if (point.y() > busy.y())
            busy = point;
    const QString hover = chart->describeTime(qint64(busy.x()));
    QVERIFY2(hover.contains(QStringLiteral("Commits/s %1").arg(busy.y(), 0, 'f', 1)), qPrintable(hover));

    // Diagnostics and the feed's footprint in the status bar's meter.
    QTRY_VERIFY(panel->diagnosticsText().contains(QLatin1String("commits 300")));
    QVERIFY(panel->diagnosticsText().startsWith(QLatin1String("live")));
    QVERIFY(panel->traffic().commands > 0);
    window->trafficMeter()->sample(1000000);
    QVERIFY(window->trafficMeter()->totals().bytesReceived >= panel->traffic().bytesReceived);

    // Closing Live unsubscribes.
    window->liveAction()->trigger();
    QVERIFY(!panel->isRunning());
    QTRY_COMPARE(m_server.admin({"PUBSUB", "NUMSUB", "EventStore"}).elements.value(1).integer, qint64(0));
}

void TestLive::tailFollowsFiltersPausesAndOpens()
{
    auto connection = writer();
    auto window = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window->connectionStatusText().contains(QLatin1String("connected")), 10000);
    LivePanel *panel = openLive(*window);
    QVERIFY(panel);
    LiveTailWidget *tail = panel->tail();
    QTableView *view = tail->view();
    QScrollBar *bar = view->verticalScrollBar();
    QVERIFY(commit(*connection, {"a-1", "b-1"}, 400));
    QTRY_COMPARE_WITH_TIMEOUT(panel->tailModel()->rowCount(), 400, 10000);
    QVERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(tail->isFollowing());

    // Scrolled up: stays where the user is while rows arrive.
    bar->setValue(10);
    QVERIFY(!tail->isFollowing());
    QVERIFY(commit(*connection, {"a-1", "b-1"}, 100));
    QTRY_COMPARE_WITH_TIMEOUT(panel->tailModel()->rowCount(), 500, 10000);
    QCOMPARE(bar->value(), 10);
    // Back at the bottom: follows again.
    bar->setValue(bar->maximum());
    QVERIFY(tail->isFollowing());
    QVERIFY(commit(*connection, {"a-1", "b-1"}, 100));
    QTRY_COMPARE_WITH_TIMEOUT(panel->tailModel()->rowCount(), 600, 10000);
    QTRY_COMPARE(bar->value(), bar->maximum());

    // Filter by stream glob.
    tail->filterEdit()->setText(QStringLiteral("b-*"));
    QCOMPARE(panel->tailModel()->rowCount(), 300);
    for (int row = 0; row < panel->tailModel()->rowCount(); row += 37)
        QCOMPARE(panel->tailModel()->index(row, 0).data(LiveTailModel::StreamRole).toByteArray(), QByteArray("b-1"));

    // Double-click opens that commit in the events pane.
    const int row = 4; // b-1 version 5
    QCOMPARE(panel->tailModel()->index(row, 0).data(LiveTailModel::VersionRole).toLongLong(), qint64(5));
    const qint64 number = panel->tailModel()->index(row, 0).data(LiveTailModel::NumberRole).toLongLong();
    view->scrollTo(panel->tailModel()->index(row, 0));
    const QRect rect = view->visualRect(panel->tailModel()->index(row, LiveTailModel::StreamColumn));
    QVERIFY(rect.isValid());
    QCOMPARE(view->indexAt(rect.center()).row(), row); // on screen, where the user double-clicks
    QSignalSpy activated(tail, &LiveTailWidget::commitActivated);
    // The press a real double-click starts with, then the double-click (QTest's widget double-click sends no press).
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().at(0).toByteArray(), QByteArray("b-1"));
    EventPageModel *events = window->eventModel();
    QTRY_COMPARE_WITH_TIMEOUT(events->stream(), QByteArray("b-1"), 10000);
    QTRY_COMPARE(window->eventView()->currentIndex().row(), events->rowForVersion(5));
    QTRY_COMPARE(window->eventView()->currentIndex().data(EventPageModel::IdRole).toByteArray(),
                 "e" + QByteArray::number(number));

    // A commit with no stream named opens in $all at its number.
    window->openCommit({}, -1, 7);
    QTRY_COMPARE_WITH_TIMEOUT(events->stream(), QByteArray(AllStreamName), 10000);
    QTRY_COMPARE(window->eventView()->currentIndex().data(EventPageModel::IdRole).toByteArray(), QByteArray("e7"));

    // Pause holds what arrives; resume shows it.
    tail->filterEdit()->clear();
    tail->pauseBox()->setChecked(true);
    QVERIFY(tail->isPaused());
    QVERIFY(commit(*connection, {"a-1"}, 50));
    // The diagnostics count at the feed; the tail gets its batch on the next delivery tick, so wait for the hold.
    QTRY_VERIFY_WITH_TIMEOUT(panel->diagnosticsText().contains(QLatin1String("commits 650")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(tail->heldCount(), qsizetype(50), 10000);
    QCOMPARE(panel->tailModel()->rowCount(), 600);
    tail->pauseBox()->setChecked(false);
    QCOMPARE(panel->tailModel()->rowCount(), 650);
    QCOMPARE(tail->heldCount(), qsizetype(0));

    // The chart pauses too: no redraw while paused, one on resume.
    LiveChartWidget *chart = panel->chart();
    chart->pauseButton()->setChecked(true);
    const int redraws = chart->redrawCount();
    QVERIFY(commit(*connection, {"a-1"}, 20));
    QTRY_VERIFY_WITH_TIMEOUT(panel->diagnosticsText().contains(QLatin1String("commits 670")), 10000);
    // Delivery is a timer tick after the feed counts them: wait until the model changed under the paused chart.
    QTRY_VERIFY_WITH_TIMEOUT(chart->hasUndrawnChanges(), 10000);
    QTest::qWait(2 * LiveChartWidget::RedrawIntervalMs); // the redraw timer had its chance
    QCOMPARE(chart->redrawCount(), redraws);
    chart->pauseButton()->setChecked(false);
    QCOMPARE(chart->redrawCount(), redraws + 1);
}

void TestLive::exportsPngAndCsv()
{
    auto connection = writer();
    auto window = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window->connectionStatusText().contains(QLatin1String("connected")), 10000);
    LivePanel *panel = openLive(*window);
    QVERIFY(panel);
    QVERIFY(commit(*connection, {"x-1", "x-2"}, 120));
    QTRY_VERIFY_WITH_TIMEOUT(panel->diagnosticsText().contains(QLatin1String("commits 120")), 10000);
    QTRY_COMPARE(panel->tailModel()->rowCount(), 120);

    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("chart.png"));
    QVERIFY(panel->chart()->exportPng(png));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), panel->chart()->size() * panel->chart()->devicePixelRatioF());

    const QString csv = dir.filePath(QStringLiteral("chart.csv"));
    QVERIFY(panel->chart()->exportCsv(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(lines.first().startsWith("time_ms,"));
    QVERIFY(lines.first().contains("x-1"));
    QVERIFY(lines.first().contains("x-2"));
    QCOMPARE(panel->rateModel()->bucketSeconds(), 1);
    // One-second points: the commits column sums to the commits made, and so does each stream's.
    const QList<QByteArray> header = lines.first().split(',');
    const int x1 = int(header.indexOf("x-1"));
    QVERIFY(x1 > LiveRateModel::DisconnectColumn);
    double commits = 0, x1Commits = 0;
    int rows = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines.at(i).isEmpty())
            continue;
        const QList<QByteArray> fields = lines.at(i).split(',');
        QCOMPARE(fields.size(), header.size());
        QVERIFY(fields.at(0).toLongLong() > 1700000000000);
        commits += fields.at(LiveRateModel::CommitsColumn).toDouble();
        x1Commits += fields.at(x1).toDouble();
        ++rows;
    }
    QCOMPARE(rows, panel->rateModel()->rowCount());
    QCOMPARE(commits, 120.0);
    QCOMPARE(x1Commits, 60.0);

    QVERIFY(!panel->chart()->exportCsv(dir.filePath(QStringLiteral("no/such/dir/chart.csv"))));
}

void TestLive::guiThreadKeepsTicking()
{
    auto connection = writer();
    auto window = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window->connectionStatusText().contains(QLatin1String("connected")), 10000);
    LivePanel *panel = openLive(*window);
    QVERIFY(panel);
    window->selectStream("fast-1");

    QElapsedTimer clock;
    clock.start();
    qint64 lastTick = 0;
    qint64 longestGap = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        longestGap = qMax(longestGap, now - lastTick);
        lastTick = now;
    });
    ticker.start();
    const int count = 20000;
    QVERIFY(commit(*connection, {"fast-1", "fast-2", "fast-3", "fast-4"}, count));
    QTRY_VERIFY_WITH_TIMEOUT(panel->diagnosticsText().contains(QLatin1String("commits 20000")), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(panel->queuedCount(), qsizetype(0), 10000);
    ticker.stop();
    qInfo("%d commits in %lld ms; longest GUI-thread gap %lld ms; longest slice through both models %lld ms", count,
          clock.elapsed(), longestGap, panel->longestSliceMs());
    QCOMPARE(panel->tailModel()->rowCount(), 10000); // bounded
    // The run takes seconds: a window that took the feed in at once would miss its timer for that long. The bound
    // leaves room for a loaded machine and sanitizer builds; the 50 ms target is measured in bench/, and the figure
    // is printed above.
    QVERIFY2(longestGap < 1000, qPrintable(QStringLiteral("longest gap %1 ms").arg(longestGap)));
    QTRY_COMPARE(window->eventModel()->length(), qint64(count / 4));
}

void TestLive::backlogBuildsOnlyTheRowsKept()
{
    // A backlog of 30,000 commits (a window that fell behind a flood): every commit reaches the chart's model and
    // the window once and in order, but the tail builds rows only for the last 10,000, the ones it keeps.
    LivePanel panel(*ConnectionOptions::fromUrl(m_server.url()), StoreLayout::seed());
    LiveTailModel *tail = panel.tailModel();
    QCOMPARE(tail->capacity(), qsizetype(10000));
    qint64 inserted = 0;
    int removals = 0;
    connect(tail, &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex &, int first, int last) { inserted += last - first + 1; });
    connect(tail, &QAbstractItemModel::rowsRemoved, this, [&] { ++removals; });
    qint64 expected = 1;
    bool inOrder = true;
    connect(&panel, &LivePanel::commitsApplied, this, [&](const QList<LiveCommit> &commits) {
        for (const LiveCommit &commit : commits) {
            inOrder = inOrder && commit.number == expected;
            expected = commit.number + 1;
        }
    });
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int b = 0; b < 3; ++b) {
        LiveBatch batch;
        for (int i = 1; i <= 10000; ++i) {
            LiveCommit commit;
            commit.number = b * 10000 + i;
            commit.id = "e" + QByteArray::number(commit.number);
            commit.stream = "s-" + QByteArray::number(commit.number % 3 + 1);
            commit.version = (commit.number + 2) / 3;
            commit.payload = R"({"type":"Ticked"})";
            commit.size = commit.payload.size();
            commit.encoding = PayloadEncoding::Json;
            commit.receivedMs = now;
            batch.commits.append(commit);
        }
        batch.stats.commits = quint64((b + 1) * 10000);
        batch.stats.lastNumber = (b + 1) * 10000;
        batch.timeMs = now;
        panel.addBatch(batch);
    }
    QCOMPARE(panel.queuedCount(), qsizetype(30000));
    QTRY_COMPARE_WITH_TIMEOUT(panel.queuedCount(), qsizetype(0), 20000);
    QVERIFY(inOrder);
    QCOMPARE(expected, qint64(30001));
    QCOMPARE(tail->rowCount(), 10000);
    QCOMPARE(tail->index(0, 0).data(LiveTailModel::NumberRole).toLongLong(), qint64(20001));
    QCOMPARE(tail->index(9999, 0).data(LiveTailModel::NumberRole).toLongLong(), qint64(30000));
    QCOMPARE(inserted, qint64(10000)); // no row built for the 20,000 older commits
    QCOMPARE(removals, 0);
    double commits = 0;
    for (int row = 0; row < panel.rateModel()->rowCount(); ++row)
        commits
            += panel.rateModel()->index(row, LiveRateModel::CommitsColumn).data(LiveRateModel::ValueRole).toDouble();
    QCOMPARE(commits, 30000.0);
    QVERIFY(panel.diagnosticsText().contains(QLatin1String("commits 30000")));
}

QTEST_MAIN(TestLive)
#include "tst_live.moc"
