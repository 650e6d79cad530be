// Search against a real redis-server: each kind of query (type, text, regex, predicate, combined) over one stream,
// several, a glob and $all, in both layouts; the scan cap; cancel; `eventscope-cli search`.
#include "redisconnection.h"
#include "redisserver.h"
#include "searchdata.h"
#include "searcher.h"
#include "testconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

struct Found
{
    bool finished = false;
    bool capped = false;
    qint64 scanned = 0;
    QString error;
    QList<EventRecord> records;
    QStringList ids() const
    {
        QStringList out;
        for (const EventRecord &record : records)
            out.append(QString::fromUtf8(record.id));
        return out;
    }
};

} // namespace

class TestSearch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void queries_data();
    void queries();
    void resultsOpenTheEvent();
    void scanCap();
    void zilverlineEventTypes();
    void badQueries();
    void cancel();
    void cli();

private:
    std::unique_ptr<RedisConnection> open();
    Found search(const StoreLayout &layout, const SearchRequest &request, const SearchQuery &query);
    void plant();

    RedisServer m_server;
};

void TestSearch::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestSearch::init()
{
    m_server.flushAll();
}

// The commits in searchdata.h (tests/support).
void TestSearch::plant()
{
    plantSearchCommits(m_server);
}

std::unique_ptr<RedisConnection> TestSearch::open()
{
    return openConnection(m_server.url());
}

Found TestSearch::search(const StoreLayout &layout, const SearchRequest &request, const SearchQuery &query)
{
    auto connection = open();
    Searcher searcher(connection.get(), layout);
    Found found;
    connect(&searcher, &Searcher::matches, this, [&](const QList<EventRecord> &records) { found.records += records; });
    connect(&searcher, &Searcher::finished, this, [&](qint64 scanned, qint64 matched, bool capped) {
        found.finished = true;
        found.capped = capped;
        found.scanned = scanned;
        if (matched != found.records.size())
            found.error = QStringLiteral("matched %1, delivered %2").arg(matched).arg(found.records.size());
    });
    connect(&searcher, &Searcher::failed, this, [&](const QString &message) { found.error = message; });
    QString error;
    if (!searcher.start(request, query, &error)) {
        found.error = error;
        return found;
    }
    if (!QTest::qWaitFor([&] { return found.finished || !found.error.isEmpty(); }, 30000))
        found.error = QStringLiteral("timed out");
    return found;
}

void TestSearch::queries_data()
{
    QTest::addColumn<QList<QByteArray>>("streams");
    QTest::addColumn<QByteArray>("glob");
    QTest::addColumn<SearchQuery>("query");
    QTest::addColumn<QStringList>("ids");
    const QList<QByteArray> all = {AllStreamName};
    auto ids = [](std::initializer_list<int> numbers) {
        QStringList out;
        for (int n : numbers)
            out.append(QStringLiteral("e%1").arg(n));
        return out;
    };
    QTest::newRow("type, one stream") << QList<QByteArray>{"acc-1"} << QByteArray()
                                      << SearchQuery{QStringLiteral("Withdrawn"), {}, {}, {}} << ids({2, 4, 6, 8, 10});
    QTest::newRow("type, $all: text and binary never match a type")
        << all << QByteArray() << SearchQuery{QStringLiteral("Deposited"), {}, {}, {}}
        << ids({1, 3, 5, 7, 9, 11, 13, 15, 17});
    QTest::newRow("text in any payload, $all")
        << all << QByteArray() << SearchQuery{{}, "Deposited by", {}, {}} << ids({19});
    QTest::newRow("text in binary payload")
        << all << QByteArray() << SearchQuery{{}, QByteArray("\xff Dep", 5), {}, {}} << ids({20});
    QTest::newRow("regex, two streams") << QList<QByteArray>{"acc-2", "other"} << QByteArray()
                                        << SearchQuery{{}, {}, QStringLiteral("\"note\":\"n1[1-3]\"|by hand"), {}}
                                        << ids({11, 12, 13, 19});
    QTest::newRow("predicate, $all")
        << all << QByteArray() << SearchQuery{{}, {}, {}, QStringLiteral(R"(data.amount > 100 && type == "Deposited")")}
        << ids({11, 13, 15, 17});
    QTest::newRow("predicate over arrays and metadata, glob")
        << QList<QByteArray>{} << QByteArray("acc-*")
        << SearchQuery{{}, {}, {}, QStringLiteral(R"(data.tags contains "t0" && $stream == "acc-2" && $version <= 5)")}
        << ids({12, 15});
    QTest::newRow("everything at once") << all << QByteArray()
                                        << SearchQuery{QStringLiteral("Withdrawn"), "note",
                                                       QStringLiteral("n(4|6|8)\""),
                                                       QStringLiteral("data.amount >= 60")}
                                        << ids({6, 8});
    QTest::newRow("no match") << all << QByteArray() << SearchQuery{{}, {}, {}, QStringLiteral("data.amount > 1000")}
                              << QStringList();
}

void TestSearch::queries()
{
    QFETCH(QList<QByteArray>, streams);
    QFETCH(QByteArray, glob);
    QFETCH(SearchQuery, query);
    QFETCH(QStringList, ids);
    plant();
    SearchRequest request;
    request.streams = streams;
    request.streamGlob = glob;
    request.pageSize = 3; // several pages
    const Found found = search(StoreLayout::seed(), request, query);
    QVERIFY2(found.finished, qPrintable(found.error));
    QVERIFY(!found.capped);
    QStringList got = found.ids();
    if (!glob.isEmpty()) // streams from a glob come in SCAN order
        std::sort(got.begin(), got.end(),
                  [](const QString &a, const QString &b) { return a.mid(1).toInt() < b.mid(1).toInt(); });
    QCOMPARE(got, ids);
}

void TestSearch::resultsOpenTheEvent()
{
    plant();
    SearchRequest request;
    request.streams = {"acc-2"};
    const Found found = search(StoreLayout::seed(), request, {{}, {}, {}, QStringLiteral("data.amount == 150")});
    QVERIFY2(found.finished, qPrintable(found.error));
    QCOMPARE(found.records.size(), 1);
    const EventRecord &record = found.records.first();
    QCOMPARE(record.stream, QByteArray("acc-2"));
    QCOMPARE(record.version, 5);
    QCOMPARE(record.id, QByteArray("e15"));
    QCOMPARE(record.payload, m_server.admin({"HGET", "EventStore", "e15"}).text);
    QCOMPARE(found.scanned, 8);
}

void TestSearch::scanCap()
{
    plant();
    SearchRequest request;
    request.streams = {AllStreamName};
    request.maxScan = 7;
    request.pageSize = 3;
    Found found = search(StoreLayout::seed(), request, {QStringLiteral("Deposited"), {}, {}, {}});
    QVERIFY2(found.finished, qPrintable(found.error));
    QVERIFY(found.capped);
    QCOMPARE(found.scanned, 7);
    QCOMPARE(found.ids(),
             (QStringList{QStringLiteral("e1"), QStringLiteral("e3"), QStringLiteral("e5"), QStringLiteral("e7")}));
    // Raised: to the end, and no longer capped; exactly the size is not capped either.
    request.maxScan = 20;
    found = search(StoreLayout::seed(), request, {QStringLiteral("Deposited"), {}, {}, {}});
    QVERIFY(found.finished);
    QVERIFY(!found.capped);
    QCOMPARE(found.scanned, 20);
    QCOMPARE(found.records.size(), 9);
    // Over several streams, the cap spans them.
    request.streams = {"acc-1", "acc-2"};
    request.maxScan = 12;
    found = search(StoreLayout::seed(), request, {QStringLiteral("Withdrawn"), {}, {}, {}});
    QVERIFY(found.capped);
    QCOMPARE(found.scanned, 12);
    QCOMPARE(found.ids().last(), QStringLiteral("e12"));
}

void TestSearch::zilverlineEventTypes()
{
    const StoreLayout layout = StoreLayout::zilverline("blog");
    auto record = [](int n, const char *stream, int version, const char *types) -> QByteArray {
        return R"({"storeRevision":)" + QByteArray::number(n) + R"(,"timestamp":1,"streamId":")" + stream
               + R"(","streamRevision":)" + QByteArray::number(version) + R"(,"events":[)" + types
               + R"(],"headers":{}})";
    };
    m_server.admin({"HSET", "blog:commits", "1", record(1, "post-1", 1, R"({"type":"Created"},{"type":"Titled"})")});
    m_server.admin({"HSET", "blog:commits", "2", record(2, "post-1", 2, R"({"type":"Published","at":5})")});
    m_server.admin({"HSET", "blog:commits", "3", record(3, "post-2", 1, R"({"type":"Created"})")});
    m_server.admin({"RPUSH", "blog:stream:post-1", "1", "2"});
    m_server.admin({"RPUSH", "blog:stream:post-2", "3"});
    SearchRequest request;
    request.streams = {AllStreamName};
    Found found = search(layout, request, {QStringLiteral("Titled"), {}, {}, {}});
    QVERIFY2(found.finished, qPrintable(found.error));
    QCOMPARE(found.ids(), QStringList{QStringLiteral("1")});
    found = search(layout, request, {QStringLiteral("Created"), {}, {}, {}});
    QCOMPARE(found.ids(), (QStringList{QStringLiteral("1"), QStringLiteral("3")}));
    request.streams = {"post-1"};
    found = search(layout, request,
                   {{}, {}, {}, QStringLiteral(R"(events[0].type == "Published" && streamRevision == 2)")});
    QCOMPARE(found.ids(), QStringList{QStringLiteral("2")});
    QCOMPARE(found.records.first().stream, QByteArray("post-1"));
    QCOMPARE(found.records.first().version, 2);
}

void TestSearch::badQueries()
{
    plant();
    SearchRequest request;
    request.streams = {AllStreamName};
    Found found = search(StoreLayout::seed(), request, {{}, {}, {}, QStringLiteral("data.amount >")});
    QVERIFY(!found.finished);
    QVERIFY2(found.error.startsWith(QLatin1String("--where at 14:")), qPrintable(found.error));
    found = search(StoreLayout::seed(), request, {{}, {}, QStringLiteral("a(b"), {}});
    QVERIFY(!found.finished);
    QVERIFY2(found.error.startsWith(QLatin1String("--regex at")), qPrintable(found.error));
    request.streams = {"nope"};
    found = search(StoreLayout::seed(), request, {QStringLiteral("x"), {}, {}, {}});
    QVERIFY(!found.finished);
    QVERIFY2(found.error.contains(QLatin1String("no stream")), qPrintable(found.error));
}

void TestSearch::cancel()
{
    plant();
    auto connection = open();
    Searcher searcher(connection.get(), StoreLayout::seed());
    QSignalSpy finished(&searcher, &Searcher::finished);
    QSignalSpy cancelled(&searcher, &Searcher::cancelled);
    QSignalSpy matches(&searcher, &Searcher::matches);
    connect(&searcher, &Searcher::matches, this, [&] { searcher.cancel(); });
    SearchRequest request;
    request.streams = {"acc-1", "acc-2", "other"};
    request.pageSize = 2;
    QString error;
    QVERIFY(searcher.start(request, {QStringLiteral("Deposited"), {}, {}, {}}, &error));
    QTRY_COMPARE(cancelled.size(), 1);
    bool answered = false;
    connection->send({"PING"}, this, [&](const RedisReply &) { answered = true; });
    QTRY_VERIFY(answered);
    QCOMPARE(matches.size(), 1);
    QCOMPARE(finished.size(), 0);
    QVERIFY(!searcher.isRunning());
}

void TestSearch::cli()
{
    plant();
    QProcess process;
    process.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
                  {QStringLiteral("--url"), m_server.url(), QStringLiteral("search"), QStringLiteral("acc-1"),
                   QStringLiteral("acc-2"), QStringLiteral("--where"), QStringLiteral("data.amount > 150")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    const QJsonObject first = QJsonDocument::fromJson(lines.first()).object();
    QCOMPARE(first.keys(), (QStringList{QStringLiteral("encoding"), QStringLiteral("id"), QStringLiteral("payload"),
                                        QStringLiteral("size"), QStringLiteral("stream"), QStringLiteral("version")}));
    QCOMPARE(first.value(QLatin1String("id")).toString(), QStringLiteral("e16"));
    QCOMPARE(first.value(QLatin1String("stream")).toString(), QStringLiteral("acc-2"));
    QCOMPARE(first.value(QLatin1String("version")).toInt(), 6);
    QVERIFY(process.readAllStandardError().contains("search: 3 matches in 18 commits looked at"));

    process.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
                  {QStringLiteral("--url"), m_server.url(), QStringLiteral("search"), QStringLiteral("--type"),
                   QStringLiteral("Deposited"), QStringLiteral("--max-scan"), QStringLiteral("4")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(process.readAllStandardOutput().trimmed().split('\n').size(), 2);
    QVERIFY(process.readAllStandardError().contains("raise it"));

    process.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
                  {QStringLiteral("--url"), m_server.url(), QStringLiteral("search"), QStringLiteral("--where"),
                   QStringLiteral("a = 1")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("--where at 3: '=' is not an operator"));
    process.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
                  {QStringLiteral("--url"), m_server.url(), QStringLiteral("search")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 2);
}

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
