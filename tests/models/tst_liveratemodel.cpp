// The live chart's model under QAbstractItemModelTester: rates per point, windows, streams, markers, and bounds
// over a long run with injected time.
#include "liveratemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;

namespace {

constexpr qint64 T0 = 1700000000000; // a whole second

LiveCommit commit(qint64 receivedMs, const QByteArray &stream = {}, int events = 1, qint64 timestampMs = -1)
{
    LiveCommit c;
    c.receivedMs = receivedMs;
    c.stream = stream;
    c.eventCount = events;
    c.timestampMs = timestampMs;
    return c;
}

double value(const LiveRateModel &model, int row, int column)
{
    return model.data(model.index(row, column), LiveRateModel::ValueRole).toDouble();
}

} // namespace

class TestLiveRateModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ratesPerSecond();
    void windowsAggregate();
    void busiestStreamsAndMarkers();
    void boundedOverALongRun();
};

void TestLiveRateModel::ratesPerSecond()
{
    LiveRateModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 0);
    LiveBatch batch;
    batch.timeMs = T0 + 900;
    for (int i = 0; i < 10; ++i)
        batch.commits.append(commit(T0 + i * 50, "a", 3, T0 + i * 50 - 200)); // 200 ms latency each
    model.addBatch(batch);
    QCOMPARE(model.rowCount(), 60);
    QCOMPARE(model.columnCount(), LiveRateModel::FirstStreamColumn + 3);
    const int last = model.rowCount() - 1;
    QCOMPARE(model.data(model.index(last, LiveRateModel::TimeColumn), LiveRateModel::ValueRole).toLongLong(), T0);
    QCOMPARE(value(model, last, LiveRateModel::CommitsColumn), 10.0);
    QCOMPARE(value(model, last, LiveRateModel::EventsColumn), 30.0);
    QCOMPARE(value(model, last, LiveRateModel::LatencyColumn), 200.0);
    QCOMPARE(model.data(model.index(last, LiveRateModel::CommitsColumn)).toString(), QStringLiteral("10.0"));
    QVERIFY(!model.data(model.index(last - 1, LiveRateModel::LatencyColumn)).isValid()); // no timestamps there
    QCOMPARE(value(model, last - 1, LiveRateModel::CommitsColumn), 0.0);

    // Two seconds on: the rows shift by two, the old second moves up.
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    LiveBatch later;
    later.timeMs = T0 + 2500;
    later.commits = {commit(T0 + 2100), commit(T0 + 2200)};
    model.addBatch(later);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().at(2).toInt(), 1); // rows 0..1
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 60);
    QCOMPARE(value(model, last - 2, LiveRateModel::CommitsColumn), 10.0);
    QCOMPARE(value(model, last, LiveRateModel::CommitsColumn), 2.0);
    // Time going backwards (a late batch) moves nothing.
    LiveBatch late;
    late.timeMs = T0 + 100;
    model.addBatch(late);
    QCOMPARE(model.nowMs(), T0 + 2500);
}

void TestLiveRateModel::windowsAggregate()
{
    LiveRateModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    // 10 commits a second for 20 seconds, then 40 seconds of quiet.
    for (int s = 0; s < 60; ++s) {
        LiveBatch batch;
        batch.timeMs = T0 + s * 1000 + 999;
        if (s < 20) {
            for (int i = 0; i < 10; ++i)
                batch.commits.append(commit(T0 + s * 1000 + i * 100));
        }
        model.addBatch(batch);
    }
    QCOMPARE(model.rowCount(), 60);
    QCOMPARE(value(model, 0, LiveRateModel::CommitsColumn), 10.0);
    QCOMPARE(value(model, 59, LiveRateModel::CommitsColumn), 0.0);

    model.setWindow(LiveRateModel::Window::TenMinutes);
    QCOMPARE(model.bucketSeconds(), 5);
    QCOMPARE(model.rowCount(), LiveRateModel::MaxPoints);
    double total = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        total += value(model, row, LiveRateModel::CommitsColumn) * 5;
    QCOMPARE(total, 200.0); // every commit, in 5 s points
    model.setWindow(LiveRateModel::Window::OneHour);
    QCOMPARE(model.bucketSeconds(), 30);
    QCOMPARE(model.rowCount(), LiveRateModel::MaxPoints);
    double perPoint = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        perPoint = qMax(perPoint, value(model, row, LiveRateModel::CommitsColumn));
    QVERIFY(perPoint > 0 && perPoint <= 10.0);
}

void TestLiveRateModel::busiestStreamsAndMarkers()
{
    LiveRateModel model(2);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy headers(&model, &QAbstractItemModel::headerDataChanged);
    LiveBatch batch;
    batch.timeMs = T0 + 500;
    for (int i = 0; i < 5; ++i)
        batch.commits.append(commit(T0 + i, "hot"));
    for (int i = 0; i < 3; ++i)
        batch.commits.append(commit(T0 + i, "warm"));
    batch.commits.append(commit(T0, "cold"));
    batch.commits.append(commit(T0)); // bare ids: no stream
    LiveCommit filled = commit(T0 + 1);
    filled.backfilled = true;
    batch.commits.append(filled);
    batch.markers = {LiveMarker{LiveMarker::Kind::Disconnect, T0 + 10, 0, QStringLiteral("killed")},
                     LiveMarker{LiveMarker::Kind::Backfill, T0 + 20, 1, {}}};
    model.addBatch(batch);
    QCOMPARE(model.streams(), (QList<QByteArray>{"hot", "warm"}));
    QVERIFY(!headers.isEmpty());
    QCOMPARE(model.headerData(LiveRateModel::FirstStreamColumn, Qt::Horizontal).toString(), QStringLiteral("hot"));
    const int last = model.rowCount() - 1;
    QCOMPARE(value(model, last, LiveRateModel::FirstStreamColumn), 5.0);
    QCOMPARE(value(model, last, LiveRateModel::FirstStreamColumn + 1), 3.0);
    QCOMPARE(value(model, last, LiveRateModel::CommitsColumn), 11.0);
    QCOMPARE(value(model, last, LiveRateModel::BackfillColumn), 1.0);
    QCOMPARE(value(model, last, LiveRateModel::DisconnectColumn), 1.0);
    QCOMPARE(model.markers().size(), 2);

    // "cold" overtakes "warm".
    LiveBatch more;
    more.timeMs = T0 + 800;
    for (int i = 0; i < 3; ++i)
        more.commits.append(commit(T0 + 600, "cold"));
    model.addBatch(more);
    QCOMPARE(model.streams(), (QList<QByteArray>{"hot", "cold"}));
}

void TestLiveRateModel::boundedOverALongRun()
{
    // Two simulated hours, a batch a second, 200 commits a second over 500 streams, a disconnect a minute: the rows,
    // the per-second history and the markers stay bounded; no real time passes.
    LiveRateModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setWindow(LiveRateModel::Window::OneHour);
    qint64 now = T0;
    quint64 n = 0;
    for (int tick = 0; tick < 2 * 3600; ++tick) {
        now += 1000;
        LiveBatch batch;
        batch.timeMs = now;
        for (int i = 0; i < 200; ++i, ++n)
            batch.commits.append(commit(now - 500, "stream-" + QByteArray::number(n % 500), 2, now - 530));
        if (tick % 60 == 0)
            batch.markers.append(LiveMarker{LiveMarker::Kind::Disconnect, now, 0, {}});
        model.addBatch(batch);
        QVERIFY(model.rowCount() <= LiveRateModel::MaxPoints);
    }
    QCOMPARE(model.rowCount(), LiveRateModel::MaxPoints);
    QVERIFY(model.historySeconds() <= LiveRateModel::HistorySeconds);
    QVERIFY(model.markers().size() <= 61);
    QCOMPARE(model.streams().size(), 5);
    const int last = model.rowCount() - 2; // a whole point
    QCOMPARE(value(model, last, LiveRateModel::CommitsColumn), 200.0);
    QCOMPARE(value(model, last, LiveRateModel::EventsColumn), 400.0);
    QCOMPARE(value(model, last, LiveRateModel::LatencyColumn), 30.0);
    model.setWindow(LiveRateModel::Window::OneMinute);
    QCOMPARE(model.rowCount(), 60);
    QCOMPARE(value(model, 30, LiveRateModel::CommitsColumn), 200.0);
}

QTEST_GUILESS_MAIN(TestLiveRateModel)
#include "tst_liveratemodel.moc"
