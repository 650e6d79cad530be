// parseCommitMessage on what arrives on a store's Pub/Sub channel, for both layouts: the forms writers announce,
// and anything else, which must come out as Unknown with a reason.
#include "commitmessage.h"

#include <QTest>

using namespace Eventscope;

Q_DECLARE_METATYPE(Eventscope::CommitMessage::Kind)

namespace {

StoreLayout layoutNamed(const QByteArray &name)
{
    return name == "seed" ? StoreLayout::seed() : StoreLayout::zilverline("blog");
}

} // namespace

class TestCommitMessage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void announced_data();
    void announced();
    void unknown_data();
    void unknown();
    void hugeListOfIds();
};

void TestCommitMessage::announced_data()
{
    QTest::addColumn<QByteArray>("layout");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<CommitMessage::Kind>("kind");
    QTest::addColumn<QList<QByteArray>>("ids");
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qint64>("version");
    QTest::addColumn<qint64>("timestampMs");
    QTest::addColumn<qint64>("eventCount");

    using Ids = QList<QByteArray>;
    const auto ids = CommitMessage::Kind::Ids;
    const auto notice = CommitMessage::Kind::Notice;
    const auto record = CommitMessage::Kind::Record;

    QTest::newRow("seed one id") << QByteArray("seed") << QByteArray("e7") << ids << Ids{"e7"} << QByteArray()
                                 << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("seed two ids") << QByteArray("seed") << QByteArray("e7 e8") << ids << Ids{"e7", "e8"} << QByteArray()
                                  << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("seed extra spaces") << QByteArray("seed") << QByteArray("  e7   e8 \t e9\r\n") << ids
                                       << Ids{"e7", "e8", "e9"} << QByteArray() << qint64(-1) << qint64(-1)
                                       << qint64(-1);
    QTest::newRow("seed order kept") << QByteArray("seed") << QByteArray("e10 e2 e10") << ids << Ids{"e10", "e2", "e10"}
                                     << QByteArray() << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("seed 18 digits") << QByteArray("seed") << QByteArray("e999999999999999999") << ids
                                    << Ids{"e999999999999999999"} << QByteArray() << qint64(-1) << qint64(-1)
                                    << qint64(-1);
    QTest::newRow("zilverline bare ids") << QByteArray("zilverline") << QByteArray("7 8") << ids << Ids{"7", "8"}
                                         << QByteArray() << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("seed notice") << QByteArray("seed")
                                 << QByteArray(R"({"stream":"customer-42","version":5,"ids":["e7","e8"]})") << notice
                                 << Ids{"e7", "e8"} << QByteArray("customer-42") << qint64(5) << qint64(-1)
                                 << qint64(-1);
    QTest::newRow("notice with spaces around")
        << QByteArray("seed") << QByteArray("\n { \"ids\" : [ \"e1\" ] , \"stream\" : \"s\" }  ") << notice << Ids{"e1"}
        << QByteArray("s") << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("notice with unicode stream")
        << QByteArray("seed") << QByteArray("{\"stream\":\"kl\xc3\xa4ger\",\"version\":1,\"ids\":[\"e3\"]}") << notice
        << Ids{"e3"} << QByteArray("kl\xc3\xa4ger") << qint64(1) << qint64(-1) << qint64(-1);
    QTest::newRow("notice with bad version")
        << QByteArray("seed") << QByteArray(R"({"stream":"s","version":"5","ids":["e3"]})") << notice << Ids{"e3"}
        << QByteArray("s") << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("zilverline notice") << QByteArray("zilverline")
                                       << QByteArray(R"({"stream":"post-1","version":2,"ids":["12"]})") << notice
                                       << Ids{"12"} << QByteArray("post-1") << qint64(2) << qint64(-1) << qint64(-1);
    QTest::newRow("zilverline record")
        << QByteArray("zilverline")
        << QByteArray(R"({"storeRevision":7,"timestamp":1354000000000,"streamId":"post-1","streamRevision":3,)"
                      R"("events":[{},{}],"headers":{}})")
        << record << Ids{"7"} << QByteArray("post-1") << qint64(3) << qint64(1354000000000) << qint64(2);
    QTest::newRow("record without optional fields")
        << QByteArray("zilverline") << QByteArray(R"({"storeRevision":1})") << record << Ids{"1"} << QByteArray()
        << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("record with events not an array")
        << QByteArray("zilverline") << QByteArray(R"({"storeRevision":5,"events":{},"streamRevision":-2})") << record
        << Ids{"5"} << QByteArray() << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("record at 2^53") << QByteArray("zilverline") << QByteArray(R"({"storeRevision":9007199254740992})")
                                    << record << Ids{"9007199254740992"} << QByteArray() << qint64(-1) << qint64(-1)
                                    << qint64(-1);
}

void TestCommitMessage::announced()
{
    QFETCH(QByteArray, layout);
    QFETCH(QByteArray, message);
    QFETCH(CommitMessage::Kind, kind);
    QFETCH(QList<QByteArray>, ids);
    QFETCH(QByteArray, stream);
    QFETCH(qint64, version);
    QFETCH(qint64, timestampMs);
    QFETCH(qint64, eventCount);

    const CommitMessage parsed = parseCommitMessage(layoutNamed(layout), message);
    QVERIFY2(parsed.kind == kind, parsed.reason.constData());
    QCOMPARE(parsed.ids, ids);
    QCOMPARE(parsed.stream, stream);
    QCOMPARE(parsed.version, version);
    QCOMPARE(parsed.timestampMs, timestampMs);
    QCOMPARE(parsed.eventCount, eventCount);
    QVERIFY(parsed.reason.isEmpty());
}

void TestCommitMessage::unknown_data()
{
    QTest::addColumn<QByteArray>("layout");
    QTest::addColumn<QByteArray>("message");

    for (const char *layout : {"seed", "zilverline"}) {
        const auto row = [&](const char *name, const QByteArray &message) {
            QTest::addRow("%s: %s", layout, name) << QByteArray(layout) << message;
        };
        row("empty", QByteArray());
        row("whitespace", QByteArray(" \r\n\t "));
        row("garbage", QByteArray("hello world"));
        row("binary", QByteArray("\x00\xff\x80\x01", 4));
        row("id then NUL", QByteArray("e7\0", 3));
        row("zero", qstrcmp(layout, "seed") == 0 ? QByteArray("e0") : QByteArray("0"));
        row("negative", qstrcmp(layout, "seed") == 0 ? QByteArray("e-1") : QByteArray("-1"));
        row("leading zero", qstrcmp(layout, "seed") == 0 ? QByteArray("e07") : QByteArray("07"));
        row("19 digits",
            qstrcmp(layout, "seed") == 0 ? QByteArray("e1000000000000000000") : QByteArray("1000000000000000000"));
        row("one good one bad", qstrcmp(layout, "seed") == 0 ? QByteArray("e7 x8") : QByteArray("7 x8"));
        row("comma separated", qstrcmp(layout, "seed") == 0 ? QByteArray("e7,e8") : QByteArray("7,8"));
        row("ids of the other layout", qstrcmp(layout, "seed") == 0 ? QByteArray("7 8") : QByteArray("e7 e8"));
        row("notice with ids of the other layout",
            qstrcmp(layout, "seed") == 0 ? QByteArray(R"({"ids":["7"]})") : QByteArray(R"({"ids":["e7"]})"));
        row("malformed json", QByteArray(R"({"ids":["e7",]})"));
        row("unclosed json", QByteArray(R"({"ids":["e7")"));
        row("json array", QByteArray(R"(["e7"])"));
        row("json without ids", QByteArray(R"({"stream":"s","version":1})"));
        row("json with empty ids", QByteArray(R"({"ids":[]})"));
        row("ids not an array", QByteArray(R"({"ids":"e7"})"));
        row("notice ids not strings", QByteArray(R"({"ids":[7,8]})"));
        row("notice ids objects", QByteArray(R"({"ids":[{"id":"e7"}]})"));
        row("notice one id null", QByteArray(R"({"ids":["e7",null]})"));
        row("storeRevision 0", QByteArray(R"({"storeRevision":0,"streamId":"p"})"));
        row("storeRevision negative", QByteArray(R"({"storeRevision":-3})"));
        row("storeRevision fractional", QByteArray(R"({"storeRevision":7.5})"));
        row("storeRevision string", QByteArray(R"({"storeRevision":"7"})"));
        row("storeRevision null", QByteArray(R"({"storeRevision":null})"));
        row("storeRevision huge", QByteArray(R"({"storeRevision":1e300})"));
        row("deep nesting", QByteArray("{\"a\":").repeated(5000) + QByteArray("}").repeated(5000));
        row("huge garbage", QByteArray(4 << 20, 'x'));
        row("huge json string", "{\"ids\":[\"" + QByteArray(4 << 20, 'e') + "\"]}");
    }
}

void TestCommitMessage::unknown()
{
    QFETCH(QByteArray, layout);
    QFETCH(QByteArray, message);

    const CommitMessage parsed = parseCommitMessage(layoutNamed(layout), message);
    QCOMPARE(parsed.kind, CommitMessage::Kind::Unknown);
    QVERIFY(!parsed.reason.isEmpty());
    QVERIFY(parsed.ids.isEmpty());
}

void TestCommitMessage::hugeListOfIds()
{
    constexpr int Count = 100000;
    QByteArray message;
    for (int i = 1; i <= Count; ++i)
        message += 'e' + QByteArray::number(i) + ' ';
    const CommitMessage parsed = parseCommitMessage(StoreLayout::seed(), message);
    QCOMPARE(parsed.kind, CommitMessage::Kind::Ids);
    QCOMPARE(parsed.ids.size(), Count);
    QCOMPARE(parsed.ids.first(), QByteArray("e1"));
    QCOMPARE(parsed.ids.last(), "e" + QByteArray::number(Count));
}

QTEST_GUILESS_MAIN(TestCommitMessage)
#include "tst_commitmessage.moc"
