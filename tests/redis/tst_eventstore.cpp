// The event store in both layouts against a real redis-server: committing, reading, listing, and surviving the
// things found in real stores (missing ids, wrong key types, deleted fields, a server restart mid-read).
#include "commitmessage.h"
#include "committer.h"
#include "eventsummary.h"
#include "payload.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "seeder.h"
#include "streamreader.h"
#include "streamscanner.h"
#include "testconnection.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

Q_DECLARE_METATYPE(Eventscope::StoreLayout)

namespace {

struct ReadOutcome
{
    QList<EventRecord> records;
    int pages = 0;
    bool finished = false;
    StreamReader::Error error = StreamReader::Error::None;
    QString message;
};

} // namespace

class TestEventStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void appendReadAndAnnounce_data();
    void appendReadAndAnnounce();
    void conflictsChangeNothing_data();
    void conflictsChangeNothing();
    void reloadsScriptAfterFlush();
    void refusesToOverwriteAfterDelete();
    void missingIdsAreReported();
    void wrongKeyTypes();
    void pagedReadsInOrder_data();
    void pagedReadsInOrder();
    void readAll();
    void scannerListsStreamsWithVersions();
    void scannerPatternAndPrefix();
    void inspectorUserReadsEverything();
    void serverRestartMidRead();
    void seederFillsBothLayouts_data();
    void seederFillsBothLayouts();
    void liveWriterStampsNow_data();
    void liveWriterStampsNow();

private:
    ConnectionOptions options(bool writes, const QString &user = {}, const QString &password = {}) const;
    std::unique_ptr<RedisConnection> open(bool writes, const QString &user = {}, const QString &password = {});
    AppendResult append(RedisConnection &connection, const StoreLayout &layout, const QByteArray &stream,
                        ExpectedVersion expected, const QList<QByteArray> &payloads);
    ReadOutcome read(RedisConnection &connection, const StoreLayout &layout, StreamReader::Request request);
    QList<StreamInfo> scan(RedisConnection &connection, const StoreLayout &layout, const QByteArray &pattern = {});

    RedisServer m_server{RedisServer::Options{
        false,
        false,
        false,
        {},
        {QStringLiteral("user inspector reset on >inspector-pw ~* resetchannels &EventStore -@all +@read "
                        "+@connection -@dangerous +subscribe +unsubscribe +ping")}}};
};

void TestEventStore::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestEventStore::init()
{
    if (!m_server.isRunning()) {
        QString error;
        QVERIFY2(m_server.restart(&error), qPrintable(error));
    }
    m_server.flushAll();
}

ConnectionOptions TestEventStore::options(bool writes, const QString &user, const QString &password) const
{
    auto options = *ConnectionOptions::fromUrl(m_server.url());
    options.readOnly = !writes;
    options.user = user;
    options.password = password;
    options.reconnect = false;
    return options;
}

std::unique_ptr<RedisConnection> TestEventStore::open(bool writes, const QString &user, const QString &password)
{
    return openConnection(options(writes, user, password));
}

AppendResult TestEventStore::append(RedisConnection &connection, const StoreLayout &layout, const QByteArray &stream,
                                    ExpectedVersion expected, const QList<QByteArray> &payloads)
{
    Committer committer(&connection, layout);
    const auto result = waitFor<AppendResult>(
        [&](auto done) { committer.append(stream, expected, payloads, [done](const AppendResult &r) { done(r); }); });
    return result.value_or(AppendResult{AppendResult::Status::Error, 0, {}, QStringLiteral("timed out"), true, false});
}

ReadOutcome TestEventStore::read(RedisConnection &connection, const StoreLayout &layout, StreamReader::Request request)
{
    ReadOutcome outcome;
    StreamReader reader(&connection, layout);
    connect(&reader, &StreamReader::page, this, [&outcome](const QList<EventRecord> &records) {
        outcome.records.append(records);
        ++outcome.pages;
    });
    connect(&reader, &StreamReader::finished, this, [&outcome](qint64) { outcome.finished = true; });
    connect(&reader, &StreamReader::failed, this, [&outcome](StreamReader::Error error, const QString &message) {
        outcome.error = error;
        outcome.message = message;
    });
    reader.start(request);
    if (!QTest::qWaitFor([&] { return outcome.finished || outcome.error != StreamReader::Error::None; }, 30000))
        outcome.message = QStringLiteral("timed out");
    return outcome;
}

QList<StreamInfo> TestEventStore::scan(RedisConnection &connection, const StoreLayout &layout,
                                       const QByteArray &pattern)
{
    QList<StreamInfo> found;
    StreamScanner scanner(&connection, layout);
    scanner.setCount(100);
    bool done = false;
    connect(&scanner, &StreamScanner::batch, this, [&found](const QList<StreamInfo> &batch) { found.append(batch); });
    connect(&scanner, &StreamScanner::finished, this, [&done] { done = true; });
    connect(&scanner, &StreamScanner::failed, this, [&done](const QString &message) {
        qWarning("scan failed: %s", qPrintable(message));
        done = true;
    });
    scanner.start(pattern);
    if (!QTest::qWaitFor([&] { return done; }, 30000))
        qWarning("scan timed out");
    return found;
}

void TestEventStore::appendReadAndAnnounce_data()
{
    QTest::addColumn<StoreLayout>("layout");
    QTest::newRow("seed") << StoreLayout::seed();
    QTest::newRow("zilverline") << StoreLayout::zilverline("blog");
}

void TestEventStore::appendReadAndAnnounce()
{
    QFETCH(StoreLayout, layout);
    const bool zilverline = layout.kind == StoreLayout::Kind::Zilverline;
    auto connection = open(true);
    RawSubscriber subscriber(m_server.port(), layout.channel);
    QVERIFY(subscriber.isSubscribed());

    const QList<QByteArray> payloads
        = {R"({"type":"Deposited","amount":42})", R"({"type":"Withdrawn","amount":7})", "plain words"};
    AppendResult result
        = append(*connection, layout, "customer-42", ExpectedVersion{ExpectedVersion::Kind::None, 0}, payloads);
    QCOMPARE(result.status, AppendResult::Status::Ok);
    const QByteArray announced = subscriber.next();
    const CommitMessage message = parseCommitMessage(layout, announced);
    if (zilverline) {
        // One commit carrying three events.
        QCOMPARE(result.version, 1);
        QCOMPARE(result.ids, QList<QByteArray>{"1"});
        QCOMPARE(message.kind, CommitMessage::Kind::Record);
        QCOMPARE(message.ids, QList<QByteArray>{"1"});
        QCOMPARE(message.stream, QByteArray("customer-42"));
        QCOMPARE(message.version, 1);
        QCOMPARE(message.eventCount, 3);
        QVERIFY(message.timestampMs > 0);
        const RedisReply stored = m_server.admin({"HGET", "blog:commits", "1"});
        QCOMPARE(stored.text, announced); // the record published is the record stored
        const QJsonObject record = QJsonDocument::fromJson(stored.text).object();
        QCOMPARE(record.value(QLatin1String("storeRevision")).toInt(), 1);
        QCOMPARE(record.value(QLatin1String("streamRevision")).toInt(), 1);
        QCOMPARE(record.value(QLatin1String("streamId")).toString(), QStringLiteral("customer-42"));
        const QJsonArray events = record.value(QLatin1String("events")).toArray();
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).toObject().value(QLatin1String("amount")).toInt(), 42);
        QCOMPARE(events.at(2).toString(), QStringLiteral("plain words")); // not JSON: carried as a string
        QCOMPARE(m_server.admin({"LRANGE", "blog:stream:customer-42", "0", "-1"}).elements.size(), 1);
    } else {
        QCOMPARE(result.version, 3);
        QCOMPARE(result.ids, (QList<QByteArray>{"e1", "e2", "e3"}));
        QCOMPARE(message.kind, CommitMessage::Kind::Notice);
        QCOMPARE(message.ids, result.ids);
        QCOMPARE(message.stream, QByteArray("customer-42"));
        QCOMPARE(message.version, 3);
        QCOMPARE(m_server.admin({"HGET", "EventStore", "e2"}).text, payloads.at(1));
    }

    // A second append continues the numbering and the stream's version.
    result = append(*connection, layout, "customer-42", ExpectedVersion{ExpectedVersion::Kind::Exact, result.version},
                    {R"({"type":"Closed"})"});
    QCOMPARE(result.status, AppendResult::Status::Ok);
    QCOMPARE(result.version, zilverline ? 2 : 4);
    QCOMPARE(result.ids.first(), zilverline ? QByteArray("2") : QByteArray("e4"));

    const ReadOutcome outcome = read(*connection, layout, {"customer-42"});
    QVERIFY2(outcome.finished, qPrintable(outcome.message));
    QCOMPARE(outcome.records.size(), zilverline ? 2 : 4);
    for (qsizetype i = 0; i < outcome.records.size(); ++i) {
        QCOMPARE(outcome.records.at(i).version, i + 1);
        QCOMPARE(outcome.records.at(i).stream, QByteArray("customer-42"));
        QVERIFY(!outcome.records.at(i).missing);
    }
    if (!zilverline) {
        QCOMPARE(outcome.records.at(0).payload, payloads.at(0));
        QCOMPARE(classifyPayload(outcome.records.at(2).payload), PayloadEncoding::Text);
    }
}

void TestEventStore::conflictsChangeNothing_data()
{
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("conflict");
    QTest::newRow("exact match") << QStringLiteral("2") << false;
    QTest::newRow("behind") << QStringLiteral("1") << true;
    QTest::newRow("ahead") << QStringLiteral("5") << true;
    QTest::newRow("none on existing") << QStringLiteral("none") << true;
    QTest::newRow("any") << QStringLiteral("any") << false;
}

void TestEventStore::conflictsChangeNothing()
{
    QFETCH(QString, expected);
    QFETCH(bool, conflict);
    const StoreLayout layout = StoreLayout::seed();
    auto connection = open(true);
    QCOMPARE(
        append(*connection, layout, "order-1", *ExpectedVersion::parse(QStringLiteral("none")), {"{}", "{}"}).status,
        AppendResult::Status::Ok);
    RawSubscriber subscriber(m_server.port(), layout.channel);
    const AppendResult result
        = append(*connection, layout, "order-1", *ExpectedVersion::parse(expected), {"{\"n\":3}"});
    if (conflict) {
        QCOMPARE(result.status, AppendResult::Status::Conflict);
        QCOMPARE(result.version, 2); // the actual version
        QCOMPARE(m_server.admin({"HLEN", "EventStore"}).integer, 2);
        QCOMPARE(m_server.admin({"LLEN", "order-1"}).integer, 2);
        QVERIFY(subscriber.next(200).isNull()); // nothing announced
    } else {
        QCOMPARE(result.status, AppendResult::Status::Ok);
        QCOMPARE(result.version, 3);
        QCOMPARE(m_server.admin({"HGET", "EventStore", "e3"}).text, QByteArray("{\"n\":3}"));
    }
}

void TestEventStore::reloadsScriptAfterFlush()
{
    auto connection = open(true);
    const StoreLayout layout = StoreLayout::seed();
    QCOMPARE(append(*connection, layout, "s", ExpectedVersion{}, {"{}"}).status, AppendResult::Status::Ok);
    m_server.admin({"SCRIPT", "FLUSH"});
    QCOMPARE(m_server.admin({"SCRIPT", "EXISTS", Committer::scriptSha1()}).elements.first().integer, 0);
    const AppendResult result = append(*connection, layout, "s", ExpectedVersion{}, {"{}"});
    QCOMPARE(result.status, AppendResult::Status::Ok);
    QCOMPARE(result.version, 2);
    QCOMPARE(m_server.admin({"SCRIPT", "EXISTS", Committer::scriptSha1()}).elements.first().integer, 1);
}

void TestEventStore::refusesToOverwriteAfterDelete()
{
    auto connection = open(true);
    const StoreLayout layout = StoreLayout::seed();
    QCOMPARE(append(*connection, layout, "s", ExpectedVersion{}, {"one", "two", "three"}).status,
             AppendResult::Status::Ok);
    m_server.admin({"HDEL", "EventStore", "e1"}); // now HLEN + 1 = 3 names an existing commit
    const AppendResult result = append(*connection, layout, "s", ExpectedVersion{}, {"four"});
    QCOMPARE(result.status, AppendResult::Status::Error);
    QVERIFY2(result.error.contains(QLatin1String("e3 already exists")), qPrintable(result.error));
    QCOMPARE(m_server.admin({"HGET", "EventStore", "e3"}).text, QByteArray("three"));
    QCOMPARE(m_server.admin({"LLEN", "s"}).integer, 3);
}

void TestEventStore::missingIdsAreReported()
{
    m_server.admin({"HSET", "EventStore", "e1", "{}", "e2", "{}"});
    m_server.admin({"RPUSH", "broken", "e1", "e999", "e2"});
    auto connection = open(false);
    const ReadOutcome outcome = read(*connection, StoreLayout::seed(), {"broken"});
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.records.size(), 3);
    QVERIFY(!outcome.records.at(0).missing);
    QVERIFY(outcome.records.at(1).missing);
    QCOMPARE(outcome.records.at(1).id, QByteArray("e999"));
    QCOMPARE(outcome.records.at(1).version, 2);
    QVERIFY(!outcome.records.at(2).missing);
}

void TestEventStore::wrongKeyTypes()
{
    m_server.admin({"SET", "a-string", "x"});
    m_server.admin({"HSET", "a-hash", "f", "v"});
    m_server.admin({"RPUSH", "customer-1", "e1"});
    auto connection = open(true);
    const StoreLayout seed = StoreLayout::seed();

    ReadOutcome outcome = read(*connection, seed, {"a-string"});
    QCOMPARE(outcome.error, StreamReader::Error::WrongType);
    QVERIFY2(outcome.message.contains(QLatin1String("string")), qPrintable(outcome.message));
    outcome = read(*connection, seed, {"a-hash"});
    QCOMPARE(outcome.error, StreamReader::Error::WrongType);
    outcome = read(*connection, seed, {"no-such-stream"});
    QCOMPARE(outcome.error, StreamReader::Error::NoSuchStream);

    // The events key itself of the wrong type.
    StoreLayout wrongHash = seed;
    wrongHash.eventsKey = "a-string";
    outcome = read(*connection, wrongHash, {"customer-1"});
    QCOMPARE(outcome.error, StreamReader::Error::WrongType);
    outcome = read(*connection, wrongHash, {AllStreamName});
    QCOMPARE(outcome.error, StreamReader::Error::WrongType);

    // Appending to a key that is not a list changes nothing.
    const AppendResult result = append(*connection, seed, "a-string", ExpectedVersion{}, {"{}"});
    QCOMPARE(result.status, AppendResult::Status::Error);
    QVERIFY(result.wrongType);
    QCOMPARE(m_server.admin({"EXISTS", "EventStore"}).integer, 0);
}

void TestEventStore::pagedReadsInOrder_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("count");
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("window");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("whole, default paging") << qint64(1) << qint64(-1) << 1000 << 4 << qint64(5000);
    QTest::newRow("odd page size, window 1") << qint64(1) << qint64(-1) << 333 << 1 << qint64(5000);
    QTest::newRow("range") << qint64(4990) << qint64(5) << 2 << 8 << qint64(5);
    QTest::newRow("past the end") << qint64(4999) << qint64(100) << 1000 << 4 << qint64(2);
    QTest::newRow("beyond") << qint64(6000) << qint64(-1) << 1000 << 4 << qint64(0);
}

void TestEventStore::pagedReadsInOrder()
{
    QFETCH(qint64, from);
    QFETCH(qint64, count);
    QFETCH(int, pageSize);
    QFETCH(int, window);
    QFETCH(qint64, expected);
    auto writer = open(true);
    QList<QByteArray> payloads;
    for (int i = 1; i <= 5000; ++i)
        payloads.append("{\"n\":" + QByteArray::number(i) + '}');
    QCOMPARE(append(*writer, StoreLayout::seed(), "big", ExpectedVersion{}, payloads).status, AppendResult::Status::Ok);

    auto connection = open(false);
    const ReadOutcome outcome = read(*connection, StoreLayout::seed(), {"big", from, count, pageSize, window});
    QVERIFY2(outcome.finished, qPrintable(outcome.message));
    QCOMPARE(outcome.records.size(), expected);
    for (qsizetype i = 0; i < outcome.records.size(); ++i) {
        const EventRecord &record = outcome.records.at(i);
        QCOMPARE(record.version, from + i);
        QCOMPARE(record.id, "e" + QByteArray::number(from + i));
        QCOMPARE(record.payload, "{\"n\":" + QByteArray::number(from + i) + '}');
    }
}

void TestEventStore::readAll()
{
    auto connection = open(true);
    const StoreLayout layout = StoreLayout::seed();
    for (int i = 0; i < 30; ++i)
        QCOMPARE(
            append(*connection, layout, "s" + QByteArray::number(i % 3), ExpectedVersion{}, {QByteArray::number(i)})
                .status,
            AppendResult::Status::Ok);
    const ReadOutcome outcome = read(*connection, layout, {AllStreamName, 11, 10, 3, 2});
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.records.size(), 10);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(outcome.records.at(i).id, "e" + QByteArray::number(11 + i));
        QCOMPARE(outcome.records.at(i).payload, QByteArray::number(10 + i));
        QCOMPARE(outcome.records.at(i).stream, QByteArray(AllStreamName));
    }
}

void TestEventStore::scannerListsStreamsWithVersions()
{
    // 2,500 lists of ids, plus keys that are not streams.
    for (int batch = 0; batch < 25; ++batch) {
        for (int i = 0; i < 100; ++i) {
            const int n = batch * 100 + i;
            QList<QByteArray> push = {"RPUSH", "stream-" + QByteArray::number(n)};
            for (int v = 0; v <= n % 5; ++v)
                push.append("e" + QByteArray::number(v + 1));
            m_server.admin(push);
        }
    }
    m_server.admin({"SET", "a-string", "x"});
    m_server.admin({"HSET", "EventStore", "e1", "{}"});
    auto connection = open(false);
    const QList<StreamInfo> found = scan(*connection, StoreLayout::seed());
    QSet<QByteArray> names;
    for (const StreamInfo &info : found) {
        names.insert(info.name);
        const int n = info.name.mid(7).toInt();
        QCOMPARE(info.version, n % 5 + 1);
    }
    QCOMPARE(names.size(), 2500);
    QVERIFY(!names.contains("a-string"));
    QVERIFY(!names.contains("EventStore"));
}

void TestEventStore::scannerPatternAndPrefix()
{
    m_server.admin({"RPUSH", "blog:stream:post-1", "1"});
    m_server.admin({"RPUSH", "blog:stream:post-2", "2", "3"});
    m_server.admin({"RPUSH", "blog:stream:draft-1", "4"});
    m_server.admin({"RPUSH", "other:stream:post-9", "5"});
    auto connection = open(false);
    const StoreLayout layout = StoreLayout::zilverline("blog");
    QList<StreamInfo> found = scan(*connection, layout);
    QCOMPARE(found.size(), 3);
    found = scan(*connection, layout, "post-*");
    std::sort(found.begin(), found.end(), [](const StreamInfo &a, const StreamInfo &b) { return a.name < b.name; });
    QCOMPARE(found.size(), 2);
    QCOMPARE(found.at(0).name, QByteArray("post-1"));
    QCOMPARE(found.at(0).key, QByteArray("blog:stream:post-1"));
    QCOMPARE(found.at(1).version, 2);
}

void TestEventStore::inspectorUserReadsEverything()
{
    auto writer = open(true);
    QCOMPARE(append(*writer, StoreLayout::seed(), "customer-1", ExpectedVersion{}, {"{}", "{}"}).status,
             AppendResult::Status::Ok);
    auto connection = open(false, QStringLiteral("inspector"), QStringLiteral("inspector-pw"));
    QCOMPARE(connection->state(), RedisConnection::State::Connected);
    QCOMPARE(scan(*connection, StoreLayout::seed()).size(), 1);
    QCOMPARE(read(*connection, StoreLayout::seed(), {"customer-1"}).records.size(), 2);
    QCOMPARE(read(*connection, StoreLayout::seed(), {AllStreamName}).records.size(), 2);
    // Writing stays impossible for this user even with the guard off.
    connection->setReadOnly(true);
    const AppendResult refused = append(*connection, StoreLayout::seed(), "customer-1", ExpectedVersion{}, {"{}"});
    QCOMPARE(refused.status, AppendResult::Status::Error);
    QVERIFY(refused.error.contains(QLatin1String("read-only")));
    connection->setReadOnly(false);
    const AppendResult denied = append(*connection, StoreLayout::seed(), "customer-1", ExpectedVersion{}, {"{}"});
    QCOMPARE(denied.status, AppendResult::Status::Error);
    QCOMPARE(m_server.admin({"HLEN", "EventStore"}).integer, 2);
}

void TestEventStore::serverRestartMidRead()
{
    auto writer = open(true);
    Seeder seeder(writer.get(), StoreLayout::seed());
    QSignalSpy seeded(&seeder, &Seeder::finished);
    seeder.seed(SeedOptions{1, 50000, 100, false, "customer-", 1000, 32, 7});
    QVERIFY(seeded.wait(60000));

    auto connection = open(false);
    StreamReader reader(connection.get(), StoreLayout::seed());
    int pages = 0;
    bool finished = false;
    StreamReader::Error error = StreamReader::Error::None;
    connect(&reader, &StreamReader::page, this, [&](const QList<EventRecord> &) {
        if (++pages == 1)
            m_server.stop(); // the server goes away while pages are in flight
    });
    connect(&reader, &StreamReader::finished, this, [&](qint64) { finished = true; });
    connect(&reader, &StreamReader::failed, this, [&](StreamReader::Error e, const QString &) { error = e; });
    reader.start({"customer-1", 1, -1, 100, 1});
    QTRY_VERIFY_WITH_TIMEOUT(finished || error != StreamReader::Error::None, 15000);
    QVERIFY(!finished);
    QCOMPARE(error, StreamReader::Error::Connection);
    QVERIFY(pages < 500);
}

void TestEventStore::seederFillsBothLayouts_data()
{
    QTest::addColumn<StoreLayout>("layout");
    QTest::newRow("seed") << StoreLayout::seed();
    QTest::newRow("zilverline") << StoreLayout::zilverline("bank");
}

void TestEventStore::seederFillsBothLayouts()
{
    QFETCH(StoreLayout, layout);
    auto connection = open(true);
    Seeder seeder(connection.get(), layout);
    QSignalSpy finished(&seeder, &Seeder::finished);
    seeder.seed(SeedOptions{7, 700, 120, true, "customer-", 1000, 8, 3});
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().toLongLong(), 700);
    QCOMPARE(m_server.admin({"HLEN", layout.eventsKey}).integer, 700);
    const QList<StreamInfo> streams = scan(*connection, layout);
    qint64 total = 0;
    for (const StreamInfo &info : streams)
        total += info.version;
    QCOMPARE(total, 700); // every commit is in exactly one stream
    QVERIFY(streams.size() <= 7 && streams.size() >= 2);
    const ReadOutcome all = read(*connection, layout, {AllStreamName});
    QCOMPARE(all.records.size(), 700);
    for (const EventRecord &record : all.records) {
        if (layout.kind == StoreLayout::Kind::Zilverline)
            QCOMPARE(classifyPayload(record.payload), PayloadEncoding::Json);
    }
}

void TestEventStore::liveWriterStampsNow_data()
{
    seederFillsBothLayouts_data();
}

void TestEventStore::liveWriterStampsNow()
{
    // The live latency chart on demo data: receive time minus the commit's timestamp, which must be the writer's
    // clock now, not the bulk seed's fixed 2025 dates.
    QFETCH(StoreLayout, layout);
    auto connection = open(true);
    Seeder seeder(connection.get(), layout);
    QSignalSpy finished(&seeder, &Seeder::finished);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    seeder.live(SeedOptions{3, 0, 120, false, "customer-", 1000, 8, 5}, 20, 0.5);
    QVERIFY(finished.wait(20000));
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    const qint64 committed = finished.first().first().toLongLong();
    QVERIFY(committed >= 5);
    const ReadOutcome all = read(*connection, layout, {AllStreamName});
    QCOMPARE(all.records.size(), committed);
    const auto isNow = [&](qint64 ms) {
        return ms >= before - 2000 && ms <= after + 2000;
    };
    for (const EventRecord &record : all.records) {
        const qint64 stamped = summarizePayload(layout, record.payload).timestampMs;
        QVERIFY2(isNow(stamped), qPrintable(QStringLiteral("%1: %2 is not within 2 s of %3..%4")
                                                .arg(QString::fromUtf8(record.id))
                                                .arg(stamped)
                                                .arg(before)
                                                .arg(after)));
        // The events themselves: the seed layout's payload is the event; a zilverline record carries them.
        const QJsonObject object = QJsonDocument::fromJson(record.payload).object();
        const QJsonArray events = layout.kind == StoreLayout::Kind::Zilverline
                                      ? object.value(QLatin1String("events")).toArray()
                                      : QJsonArray{object};
        QVERIFY(!events.isEmpty());
        for (const QJsonValue &event : events)
            QVERIFY2(isNow(parseTimestamp(event.toObject().value(QLatin1String("timestamp")).toVariant())),
                     record.payload.constData());
    }
    // The bulk seed keeps its fixed dates: the same data every run.
    QVERIFY(Seeder::makePayload(0, "customer-1", 100, false).contains("\"timestamp\":\"2025-11-26T00:00:00Z\""));
}

QTEST_GUILESS_MAIN(TestEventStore)
#include "tst_eventstore.moc"
