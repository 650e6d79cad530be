// EventPageModel against a real redis-server: pages load on demand, in both orders, with missing ids, large
// payloads left for later, a memory budget, and a stream that grows.
#include "eventpagemodel.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "testconnection.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

class TestEventPageModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsPagesOnDemand();
    void newestFirst();
    void missingAndLargePayloads();
    void memoryBudgetEvictsPages();
    void growingStream();
    void allStream();
    void wrongTypeIsReported();

private:
    void fillStream(const QByteArray &stream, int count, int firstId = 1);
    QVariant waitForData(EventPageModel &model, int row, int column, int role = Qt::DisplayRole);

    RedisServer m_server;
    std::unique_ptr<RedisConnection> m_connection;
    std::unique_ptr<EventPageLoader> m_loader;
};

void TestEventPageModel::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    fillStream("customer-1", 1000);
    m_connection = openConnection(m_server.url());
    QVERIFY2(m_connection->state() == RedisConnection::State::Connected, qPrintable(m_connection->lastErrorString()));
    m_loader = std::make_unique<EventPageLoader>(m_connection.get(), StoreLayout::seed());
}

void TestEventPageModel::fillStream(const QByteArray &stream, int count, int firstId)
{
    QList<QByteArray> hset = {"HSET", "EventStore"};
    QList<QByteArray> push = {"RPUSH", stream};
    for (int i = 0; i < count; ++i) {
        const QByteArray id = "e" + QByteArray::number(firstId + i);
        hset << id
             << R"({"type":"Deposited","amount":)" + QByteArray::number(i + 1)
                    + R"(,"timestamp":"2026-11-26T10:00:00Z"})";
        push << id;
    }
    m_server.admin(hset);
    m_server.admin(push);
}

QVariant TestEventPageModel::waitForData(EventPageModel &model, int row, int column, int role)
{
    const QModelIndex index = model.index(row, column);
    model.data(index, role); // asks for the page
    if (!QTest::qWaitFor([&] { return model.data(index, EventPageModel::LoadedRole).toBool(); }, 10000))
        return {};
    return model.data(index, role);
}

void TestEventPageModel::loadsPagesOnDemand()
{
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStream("customer-1", 1000);
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(model.columnCount(), int(EventPageModel::ColumnCount));
    // Before loading, only the version is known.
    QCOMPARE(model.data(model.index(500, EventPageModel::VersionColumn)).toLongLong(), 501);
    QCOMPARE(model.data(model.index(500, 0), EventPageModel::LoadedRole).toBool(), false);
    QCOMPARE(waitForData(model, 500, EventPageModel::IdColumn).toString(), QStringLiteral("e501"));
    QCOMPARE(model.data(model.index(500, EventPageModel::TypeColumn)).toString(), QStringLiteral("Deposited"));
    QCOMPARE(model.data(model.index(500, EventPageModel::TimestampColumn)).toString(),
             QStringLiteral("2026-11-26T10:00:00.000Z"));
    QVERIFY(model.data(model.index(500, EventPageModel::PreviewColumn)).toString().contains(QLatin1String("501")));
    // Only the pages asked for (the model tester reads row 0 too), not all five.
    QVERIFY(model.cachedPages() <= 2);
    QCOMPARE(waitForData(model, 999, EventPageModel::IdColumn).toString(), QStringLiteral("e1000"));
    QVERIFY(model.cachedPages() <= 3);
    QCOMPARE(model.rowForVersion(1000), 999);
}

void TestEventPageModel::newestFirst()
{
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStream("customer-1", 1000);
    model.setNewestFirst(true);
    QCOMPARE(model.versionAt(0), 1000);
    QCOMPARE(model.rowForVersion(1), 999);
    QCOMPARE(waitForData(model, 0, EventPageModel::IdColumn).toString(), QStringLiteral("e1000"));
    QCOMPARE(waitForData(model, 999, EventPageModel::IdColumn).toString(), QStringLiteral("e1"));
}

void TestEventPageModel::missingAndLargePayloads()
{
    m_server.admin({"HSET", "EventStore", "e5001", QByteArray(300 * 1024, 'x'), "e5002", "{\"type\":\"Small\"}"});
    m_server.admin({"RPUSH", "odd", "e5001", "e99404", "e5002"});
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStream("odd", 3);
    QVERIFY(waitForData(model, 0, EventPageModel::IdColumn).isValid());
    // Large: size known, payload left for when the row is selected.
    QCOMPARE(model.data(model.index(0, 0), EventPageModel::PayloadLoadedRole).toBool(), false);
    QCOMPARE(model.data(model.index(0, 0), EventPageModel::SizeRole).toLongLong(), 300 * 1024);
    QVERIFY(model.data(model.index(0, 0), EventPageModel::PayloadRole).toByteArray().isEmpty());
    QCOMPARE(model.data(model.index(0, EventPageModel::SizeColumn)).toString(), QStringLiteral("300.0 KiB"));
    // Missing: a distinct row.
    QCOMPARE(model.data(model.index(1, 0), EventPageModel::IdRole).toByteArray(), QByteArray("e99404"));
    QCOMPARE(model.data(model.index(1, 0), EventPageModel::MissingRole).toBool(), true);
    QCOMPARE(model.data(model.index(1, EventPageModel::TypeColumn)).toString(), QStringLiteral("missing"));
    QCOMPARE(model.data(model.index(2, EventPageModel::TypeColumn)).toString(), QStringLiteral("Small"));
    QCOMPARE(model.data(model.index(2, 0), EventPageModel::PayloadRole).toByteArray(),
             QByteArray("{\"type\":\"Small\"}"));
}

void TestEventPageModel::memoryBudgetEvictsPages()
{
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setPageSize(50);
    model.setMemoryBudget(50 * 1024);
    model.setStream("customer-1", 1000);
    for (int row = 0; row < 1000; row += 50)
        QVERIFY(waitForData(model, row, EventPageModel::IdColumn).isValid());
    QVERIFY2(model.cachedBytes() <= 50 * 1024 || model.cachedPages() <= 2,
             qPrintable(QString::number(model.cachedBytes())));
    QVERIFY(model.cachedPages() < 20);
    // An evicted page loads again when asked for.
    QCOMPARE(waitForData(model, 0, EventPageModel::IdColumn).toString(), QStringLiteral("e1"));
}

void TestEventPageModel::growingStream()
{
    fillStream("growing", 10, 20001);
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStream("growing", 10);
    QCOMPARE(waitForData(model, 9, EventPageModel::IdColumn).toString(), QStringLiteral("e20010"));
    fillStream("growing", 5, 20011);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.setLength(15);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 15);
    QCOMPARE(waitForData(model, 14, EventPageModel::IdColumn).toString(), QStringLiteral("e20015"));
}

void TestEventPageModel::allStream()
{
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStream(AllStreamName, 1000);
    QCOMPARE(waitForData(model, 41, EventPageModel::IdColumn).toString(), QStringLiteral("e42"));
}

void TestEventPageModel::wrongTypeIsReported()
{
    m_server.admin({"SET", "plain-string", "x"});
    EventPageModel model(m_loader.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy failed(&model, &EventPageModel::loadFailed);
    model.setStream("plain-string", 1);
    model.data(model.index(0, 1));
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.first().first().toString().contains(QLatin1String("wrong key type")));
}

QTEST_GUILESS_MAIN(TestEventPageModel)
#include "tst_eventpagemodel.moc"
