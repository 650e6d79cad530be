// The live tail's model under QAbstractItemModelTester: bounded rows, the stream glob, previews.
#include "livetailmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Eventscope;

namespace {

LiveBatch batchOf(qint64 first, qint64 count, const QByteArray &stream = "customer-1")
{
    LiveBatch batch;
    for (qint64 n = first; n < first + count; ++n) {
        LiveCommit c;
        c.number = n;
        c.id = "e" + QByteArray::number(n);
        c.stream = stream;
        c.version = n;
        c.receivedMs = 1700000000000 + n;
        c.payload = R"({"type":"Deposited","n":)" + QByteArray::number(n) + "}";
        c.size = c.payload.size();
        c.encoding = PayloadEncoding::Json;
        c.type = QStringLiteral("Deposited");
        batch.commits.append(c);
    }
    return batch;
}

} // namespace

class TestLiveTailModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsAndColumns();
    void boundedToCapacity();
    void streamGlob();
    void previews();
};

void TestLiveTailModel::rowsAndColumns()
{
    LiveTailModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.capacity(), 10000);
    model.addBatch(batchOf(1, 3));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.data(model.index(2, LiveTailModel::IdColumn)).toString(), QStringLiteral("e3"));
    QCOMPARE(model.data(model.index(2, LiveTailModel::StreamColumn)).toString(), QStringLiteral("customer-1"));
    QCOMPARE(model.data(model.index(2, LiveTailModel::VersionColumn)).toLongLong(), 3);
    QCOMPARE(model.data(model.index(2, LiveTailModel::TypeColumn)).toString(), QStringLiteral("Deposited"));
    QCOMPARE(model.data(model.index(2, LiveTailModel::SizeColumn)).toLongLong(), 26);
    QCOMPARE(model.data(model.index(2, LiveTailModel::IdColumn), LiveTailModel::IdRole).toByteArray(),
             QByteArray("e3"));
    QCOMPARE(model.data(model.index(2, 0), LiveTailModel::NumberRole).toLongLong(), 3);
    QCOMPARE(model.headerData(LiveTailModel::PreviewColumn, Qt::Horizontal).toString(), QStringLiteral("Preview"));
}

void TestLiveTailModel::boundedToCapacity()
{
    LiveTailModel model(1000);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    qint64 next = 1;
    for (int i = 0; i < 300; ++i) {
        model.addBatch(batchOf(next, 37));
        next += 37;
        QVERIFY(model.rowCount() <= 1000);
    }
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(model.keptCount(), 1000);
    QCOMPARE(model.data(model.index(999, 0), LiveTailModel::NumberRole).toLongLong(), next - 1);
    QCOMPARE(model.data(model.index(0, 0), LiveTailModel::NumberRole).toLongLong(), next - 1000);
    // A batch larger than the capacity keeps its last commits.
    model.addBatch(batchOf(next, 2500));
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(model.data(model.index(0, 0), LiveTailModel::NumberRole).toLongLong(), next + 1500);
    model.setCapacity(10);
    QCOMPARE(model.rowCount(), 10);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestLiveTailModel::streamGlob()
{
    LiveTailModel model(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addBatch(batchOf(1, 10, "customer-1"));
    model.addBatch(batchOf(11, 10, "order-1"));
    LiveBatch bare = batchOf(21, 5, {});
    model.addBatch(bare);
    QCOMPARE(model.rowCount(), 25);
    model.setStreamFilter(QStringLiteral("customer-*"));
    QCOMPARE(model.rowCount(), 10);
    model.addBatch(batchOf(26, 3, "customer-2"));
    model.addBatch(batchOf(29, 3, "order-2"));
    QCOMPARE(model.rowCount(), 13);
    QCOMPARE(model.data(model.index(12, LiveTailModel::IdColumn)).toString(), QStringLiteral("e28"));
    // Hidden rows leave too: 100 more order commits push every customer commit out.
    model.addBatch(batchOf(32, 100, "order-3"));
    QCOMPARE(model.rowCount(), 0);
    model.setStreamFilter(QStringLiteral("order-?"));
    QCOMPARE(model.rowCount(), 100);
    model.setStreamFilter({});
    QCOMPARE(model.rowCount(), 100);
}

void TestLiveTailModel::previews()
{
    LiveTailModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    LiveBatch batch = batchOf(1, 4);
    batch.commits[0].preview = QStringLiteral("from the feed");
    batch.commits[1].payload = "multi\nline   text";
    batch.commits[1].encoding = PayloadEncoding::Text;
    batch.commits[2].payload.clear();
    batch.commits[2].payloadDropped = true;
    batch.commits[2].size = 5000;
    batch.commits[3].missing = true;
    batch.commits[3].payload.clear();
    batch.commits[3].backfilled = true;
    model.addBatch(batch);
    auto preview = [&](int row) {
        return model.data(model.index(row, LiveTailModel::PreviewColumn)).toString();
    };
    QCOMPARE(preview(0), QStringLiteral("from the feed"));
    QCOMPARE(preview(1), QStringLiteral("multi line text"));
    QVERIFY(preview(2).contains(QLatin1String("5000")));
    QVERIFY(preview(3).contains(QLatin1String("missing")));
    QVERIFY(model.data(model.index(3, 0), LiveTailModel::BackfilledRole).toBool());
    QVERIFY(!model.data(model.index(3, 0), Qt::ToolTipRole).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestLiveTailModel)
#include "tst_livetailmodel.moc"
