// RespParser on raw RESP bytes: every reply type, incremental feeding at every boundary, and hostile input that
// must end in an error (or a bounded wait), never a crash or an unbounded allocation.
#include "respparser.h"

#include <QTest>

using namespace Eventscope;

Q_DECLARE_METATYPE(Eventscope::RespParser::Limits)

namespace Eventscope {
// Lets QCOMPARE print replies when they differ.
char *toString(const RedisReply &reply)
{
    return qstrdup(reply.describe().constData());
}
} // namespace Eventscope

namespace {

RedisReply status(const QByteArray &text)
{
    return RedisReply{RedisReply::Type::Status, 0, text, {}};
}

RedisReply error(const QByteArray &text)
{
    return RedisReply::error(text);
}

RedisReply integer(qint64 value)
{
    return RedisReply{RedisReply::Type::Integer, value, {}, {}};
}

RedisReply bulk(const QByteArray &text)
{
    return RedisReply{RedisReply::Type::String, 0, text, {}};
}

RedisReply nil()
{
    return RedisReply{};
}

RedisReply array(const QList<RedisReply> &elements)
{
    return RedisReply{RedisReply::Type::Array, 0, {}, elements};
}

RedisReply nested(int depth, const RedisReply &leaf)
{
    RedisReply reply = leaf;
    for (int i = 0; i < depth; ++i)
        reply = array({reply});
    return reply;
}

QByteArray everyByte()
{
    QByteArray bytes(256, Qt::Uninitialized);
    for (int i = 0; i < 256; ++i)
        bytes[i] = char(i);
    return bytes;
}

QByteArray nestedBytes(int depth)
{
    return QByteArray("*1\r\n").repeated(depth) + ":1\r\n";
}

QList<RedisReply> feedInPieces(RespParser &parser, const QByteArray &data, qsizetype piece)
{
    QList<RedisReply> out;
    for (qsizetype offset = 0; offset < data.size(); offset += piece) {
        const qsizetype size = qMin(piece, data.size() - offset);
        if (parser.feed(data.constData() + offset, size, out) != RespParser::Status::Ok)
            break;
    }
    return out;
}

RespParser::Limits limits(qint64 maxBulkBytes, qint64 maxArrayElements, qint64 maxReplyBytes)
{
    RespParser::Limits result;
    result.maxBulkBytes = maxBulkBytes;
    result.maxArrayElements = maxArrayElements;
    result.maxReplyBytes = maxReplyBytes;
    return result;
}

RespParser::Limits directFrom(qint64 directBulkBytes)
{
    RespParser::Limits result;
    result.directBulkBytes = directBulkBytes;
    return result;
}

// Bulk strings read through hiredis (the default threshold, above these tests' small bulks) and read past it (a
// threshold every bulk string reaches).
const qint64 DirectThresholds[] = {RespParser::Limits{}.directBulkBytes, 0, 5};

// A value whose bytes differ with their position, so that a piece copied to the wrong place shows.
QByteArray patterned(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 131 + i / 251) & 0xff);
    return bytes;
}

QByteArray bulkBytes(const QByteArray &value)
{
    return "$" + QByteArray::number(value.size()) + "\r\n" + value + "\r\n";
}

} // namespace

class TestRespParser final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void validReplies_data();
    void validReplies();
    void everySplitGivesTheSameReplies_data();
    void everySplitGivesTheSameReplies();
    void bigReplyInOneGoEqualsSmallPieces();
    void truncatedInputWaits_data();
    void truncatedInputWaits();
    void pendingBytesCountsAnUnfinishedLineOrBulk_data();
    void pendingBytesCountsAnUnfinishedLineOrBulk();
    void hostileInputFails_data();
    void hostileInputFails();
    void hugeDeclaredBulkIsRefusedAtOnce();
    void directBulksEverySplit_data();
    void directBulksEverySplit();
    void sixteenMiBBulkAtManySplits();
    void truncatedDirectBulkWaits_data();
    void truncatedDirectBulkWaits();
    void directBulkOverReplyLimitIsRefusedAtOnce();
    void bulkUnderTheThresholdStaysWithHiredis();
    void bulkOfExactlyTheLimitIsAccepted();
    void replyBytesLimitCountsAllStringsOfOneReply();
    void errorIsSticky();
    void parseAllReportsTheError();
    void errorCode_data();
    void errorCode();
    void describe_data();
    void describe();
};

void TestRespParser::validReplies_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QList<RedisReply>>("expected");

    QTest::newRow("status") << QByteArray("+OK\r\n") << QList<RedisReply>{status("OK")};
    QTest::newRow("empty status") << QByteArray("+\r\n") << QList<RedisReply>{status("")};
    QTest::newRow("error") << QByteArray("-WRONGTYPE Operation against a key\r\n")
                           << QList<RedisReply>{error("WRONGTYPE Operation against a key")};
    QTest::newRow("integer") << QByteArray(":42\r\n") << QList<RedisReply>{integer(42)};
    QTest::newRow("negative integer") << QByteArray(":-7\r\n") << QList<RedisReply>{integer(-7)};
    QTest::newRow("integer max") << QByteArray(":9223372036854775807\r\n")
                                 << QList<RedisReply>{integer(std::numeric_limits<qint64>::max())};
    QTest::newRow("integer min") << QByteArray(":-9223372036854775808\r\n")
                                 << QList<RedisReply>{integer(std::numeric_limits<qint64>::min())};
    QTest::newRow("bulk") << QByteArray("$5\r\nhello\r\n") << QList<RedisReply>{bulk("hello")};
    QTest::newRow("empty bulk") << QByteArray("$0\r\n\r\n") << QList<RedisReply>{bulk("")};
    QTest::newRow("nil bulk") << QByteArray("$-1\r\n") << QList<RedisReply>{nil()};
    QTest::newRow("nil array") << QByteArray("*-1\r\n") << QList<RedisReply>{nil()};
    QTest::newRow("empty array") << QByteArray("*0\r\n") << QList<RedisReply>{array({})};
    QTest::newRow("binary-safe bulk") << QByteArray("$8\r\na\r\nb\0c\r\n\r\n", 14)
                                      << QList<RedisReply>{bulk(QByteArray("a\r\nb\0c\r\n", 8))};
    QTest::newRow("every byte value") << QByteArray("$256\r\n" + everyByte() + "\r\n")
                                      << QList<RedisReply>{bulk(everyByte())};
    QTest::newRow("flat array") << QByteArray("*3\r\n$4\r\nLLEN\r\n:3\r\n+QUEUED\r\n")
                                << QList<RedisReply>{array({bulk("LLEN"), integer(3), status("QUEUED")})};
    QTest::newRow("array with nils") << QByteArray("*3\r\n$-1\r\n$2\r\ne1\r\n*-1\r\n")
                                     << QList<RedisReply>{array({nil(), bulk("e1"), nil()})};
    QTest::newRow("nested arrays") << QByteArray("*2\r\n*2\r\n:1\r\n:2\r\n*3\r\n$1\r\na\r\n*0\r\n-ERR x\r\n")
                                   << QList<RedisReply>{array({array({integer(1), integer(2)}),
                                                               array({bulk("a"), array({}), error("ERR x")})})};
    QTest::newRow("scan reply") << QByteArray("*2\r\n$2\r\n17\r\n*2\r\n$5\r\nkey:1\r\n$5\r\nkey:2\r\n")
                                << QList<RedisReply>{array({bulk("17"), array({bulk("key:1"), bulk("key:2")})})};
    QTest::newRow("several replies") << QByteArray("+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n$-1\r\n-ERR no\r\n")
                                     << QList<RedisReply>{status("OK"), integer(1), bulk("x"), array({nil()}),
                                                          error("ERR no")};
    // hiredis 0.14 keeps at most 9 levels of task: the root and 7 nested arrays below it, plus their leaves.
    QTest::newRow("nesting depth 8") << nestedBytes(8) << QList<RedisReply>{nested(8, integer(1))};
    QTest::newRow("nothing") << QByteArray() << QList<RedisReply>{};
}

void TestRespParser::validReplies()
{
    QFETCH(QByteArray, data);
    QFETCH(QList<RedisReply>, expected);

    RespParser parser;
    QList<RedisReply> out;
    QCOMPARE(parser.feed(data, out), RespParser::Status::Ok);
    QCOMPARE(out, expected);
    QCOMPARE(parser.pendingBytes(), qsizetype(0));
    QVERIFY(!parser.hasError());
    QVERIFY(parser.errorString().isEmpty());
}

void TestRespParser::everySplitGivesTheSameReplies_data()
{
    validReplies_data();
}

void TestRespParser::everySplitGivesTheSameReplies()
{
    QFETCH(QByteArray, data);
    QFETCH(QList<RedisReply>, expected);

    for (const qint64 direct : DirectThresholds) {
        const QByteArray context = "directBulkBytes " + QByteArray::number(direct);
        {
            RespParser parser(directFrom(direct));
            QCOMPARE(feedInPieces(parser, data, 1), expected);
            QVERIFY2(!parser.hasError(), context.constData());
            QCOMPARE(parser.pendingBytes(), qsizetype(0));
        }
        for (qsizetype split = 1; split < data.size(); ++split) {
            const QByteArray where = context + ", split at " + QByteArray::number(split);
            RespParser parser(directFrom(direct));
            QList<RedisReply> out;
            QCOMPARE(parser.feed(data.constData(), split, out), RespParser::Status::Ok);
            // A reply is delivered only once complete, so the first piece yields a prefix of the expected replies.
            QVERIFY2(out.size() <= expected.size(), where.constData());
            QCOMPARE(out, expected.first(out.size()));
            QVERIFY2(parser.feed(data.constData() + split, data.size() - split, out) == RespParser::Status::Ok,
                     where.constData());
            QVERIFY2(out == expected, where.constData());
            QCOMPARE(parser.pendingBytes(), qsizetype(0));
        }
    }
}

void TestRespParser::bigReplyInOneGoEqualsSmallPieces()
{
    constexpr int Count = 10000;
    QByteArray data = "*" + QByteArray::number(Count) + "\r\n";
    QList<RedisReply> elements;
    for (int i = 0; i < Count; ++i) {
        // Varied sizes and contents so that pieces end at every position inside an element.
        const QByteArray value = QByteArray::number(i).repeated(1 + i % 13) + (i % 5 == 0 ? "\r\n" : "");
        data += "$" + QByteArray::number(value.size()) + "\r\n" + value + "\r\n";
        elements.append(bulk(value));
    }
    const QList<RedisReply> expected{array(elements), status("OK")};
    data += "+OK\r\n";
    QVERIFY(data.size() > 16 * 1024 * 4); // more than a few of the parser's internal slices

    RespParser whole;
    QList<RedisReply> wholeOut;
    QCOMPARE(whole.feed(data, wholeOut), RespParser::Status::Ok);
    QCOMPARE(wholeOut.size(), 2);
    QCOMPARE(wholeOut.first().elements.size(), Count);
    QCOMPARE(wholeOut, expected);

    RespParser pieces;
    const QList<RedisReply> piecesOut = feedInPieces(pieces, data, 7);
    QVERIFY(!pieces.hasError());
    QCOMPARE(piecesOut, wholeOut);
    QCOMPARE(pieces.pendingBytes(), qsizetype(0));
}

void TestRespParser::truncatedInputWaits_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("rest");
    QTest::addColumn<QList<RedisReply>>("expected");

    QTest::newRow("type byte only") << QByteArray("+") << QByteArray("OK\r\n") << QList<RedisReply>{status("OK")};
    QTest::newRow("status without CRLF") << QByteArray("+OK") << QByteArray("\r\n") << QList<RedisReply>{status("OK")};
    QTest::newRow("status without LF") << QByteArray("+OK\r") << QByteArray("\n") << QList<RedisReply>{status("OK")};
    QTest::newRow("integer without CRLF")
        << QByteArray(":12") << QByteArray("3\r\n") << QList<RedisReply>{integer(123)};
    QTest::newRow("bulk header only") << QByteArray("$5\r\n") << QByteArray("hello\r\n")
                                      << QList<RedisReply>{bulk("hello")};
    QTest::newRow("bulk short of data") << QByteArray("$5\r\nhel") << QByteArray("lo\r\n")
                                        << QList<RedisReply>{bulk("hello")};
    QTest::newRow("bulk short of CRLF") << QByteArray("$5\r\nhello") << QByteArray("\r\n")
                                        << QList<RedisReply>{bulk("hello")};
    QTest::newRow("array short of elements") << QByteArray("*3\r\n:1\r\n:2\r\n") << QByteArray(":3\r\n")
                                             << QList<RedisReply>{array({integer(1), integer(2), integer(3)})};
    QTest::newRow("nested short") << QByteArray("*2\r\n*2\r\n:1\r\n") << QByteArray(":2\r\n$-1\r\n")
                                  << QList<RedisReply>{array({array({integer(1), integer(2)}), nil()})};
    QTest::newRow("big declared bulk with some data")
        << QByteArray("$100000\r\n" + QByteArray(1000, 'x')) << QByteArray(99000, 'x') + "\r\n"
        << QList<RedisReply>{bulk(QByteArray(100000, 'x'))};
}

void TestRespParser::truncatedInputWaits()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, rest);
    QFETCH(QList<RedisReply>, expected);

    RespParser parser;
    QList<RedisReply> out;
    QCOMPARE(parser.feed(data, out), RespParser::Status::Ok);
    QVERIFY(!parser.hasError());
    QVERIFY(out.isEmpty());
    QCOMPARE(parser.feed(rest, out), RespParser::Status::Ok);
    QCOMPARE(out, expected);
}

// pendingBytes() counts the bytes of the element being read; finished elements of an unfinished array are values
// already and not counted (see respparser.h).
void TestRespParser::pendingBytesCountsAnUnfinishedLineOrBulk_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("replies");

    QTest::newRow("status without CRLF") << QByteArray("+OK") << 0;
    QTest::newRow("integer without LF") << QByteArray(":12\r") << 0;
    QTest::newRow("bulk header only") << QByteArray("$5\r\n") << 0;
    QTest::newRow("bulk short of data") << QByteArray("$5\r\nhel") << 0;
    QTest::newRow("bulk short of CRLF") << QByteArray("$5\r\nhello") << 0;
    QTest::newRow("array header without CRLF") << QByteArray("*3") << 0;
    QTest::newRow("element of an array short of data") << QByteArray("*2\r\n$3\r\nab") << 0;
    QTest::newRow("big declared bulk with some data") << QByteArray("$100000\r\n" + QByteArray(1000, 'x')) << 0;
    QTest::newRow("complete reply then partial") << QByteArray("+OK\r\n$3\r\nab") << 1;
}

void TestRespParser::pendingBytesCountsAnUnfinishedLineOrBulk()
{
    QFETCH(QByteArray, data);
    QFETCH(int, replies);

    RespParser parser;
    QList<RedisReply> out;
    QCOMPARE(parser.feed(data, out), RespParser::Status::Ok);
    QVERIFY(!parser.hasError());
    QCOMPARE(out.size(), replies);
    QVERIFY(parser.pendingBytes() > 0);
    QVERIFY(parser.pendingBytes() < data.size());
}

void TestRespParser::hostileInputFails_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<RespParser::Limits>("limits");
    QTest::addColumn<QByteArray>("errorMentions");
    QTest::addColumn<int>("repliesBefore");

    const RespParser::Limits defaults;
    QTest::newRow("unknown type byte") << QByteArray("?x\r\n") << defaults << QByteArray("?") << 0;
    QTest::newRow("bare CRLF") << QByteArray("\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("RESP3 map") << QByteArray("%1\r\n:1\r\n:2\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("unknown type after a reply")
        << QByteArray(":1\r\n!oops\r\n") << defaults << QByteArray("protocol error") << 1;
    QTest::newRow("unknown type inside an array")
        << QByteArray("*2\r\n:1\r\n~x\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("bulk length not a number")
        << QByteArray("$abc\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("negative bulk length") << QByteArray("$-2\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("negative array count") << QByteArray("*-2\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("array count past int")
        << QByteArray("*4294967297\r\n:1\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("integer not a number") << QByteArray(":12x\r\n") << defaults << QByteArray("protocol error") << 0;
    QTest::newRow("integer overflow") << QByteArray(":99999999999999999999\r\n") << defaults
                                      << QByteArray("protocol error") << 0;
    QTest::newRow("nesting depth 9") << nestedBytes(9) << defaults << QByteArray("nested") << 0;
    QTest::newRow("nesting depth 50") << nestedBytes(50) << defaults << QByteArray("nested") << 0;
    QTest::newRow("huge declared array count")
        << QByteArray("*2000000000\r\n") << defaults << QByteArray::number(defaults.maxArrayElements) << 0;
    QTest::newRow("array count over a small limit")
        << QByteArray("*11\r\n") << limits(1024, 10, 1 << 20) << QByteArray("limit of 10") << 0;
    QTest::newRow("nested array count over the limit")
        << QByteArray("*1\r\n*11\r\n") << limits(1024, 10, 1 << 20) << QByteArray("limit of 10") << 0;
    QTest::newRow("bulk over maxBulkBytes")
        << QByteArray("$20\r\n" + QByteArray(20, 'x') + "\r\n") << limits(10, 100, 1 << 20)
        << QByteArray("bulk string of 20 bytes exceeds the limit of 10 bytes") << 0;
    QTest::newRow("strings over maxReplyBytes") << QByteArray("*3\r\n$5\r\nhello\r\n$5\r\nworld\r\n$5\r\nagain\r\n")
                                                << limits(100, 100, 12) << QByteArray("limit of 12") << 0;
    QTest::newRow("status over maxReplyBytes")
        << QByteArray("+" + QByteArray(13, 's') + "\r\n") << limits(100, 100, 12) << QByteArray("limit of 12") << 0;
    QTest::newRow("huge bulk buffered past maxBulkBytes")
        << QByteArray("$99999999999\r\n" + QByteArray(1100, 'x')) << limits(1024, 100, 1 << 20)
        << QByteArray("limit of 1024") << 0;
}

void TestRespParser::hostileInputFails()
{
    QFETCH(QByteArray, data);
    QFETCH(RespParser::Limits, limits);
    QFETCH(QByteArray, errorMentions);
    QFETCH(int, repliesBefore);

    for (const qsizetype piece : {data.size(), qsizetype(1), qsizetype(3)}) {
        RespParser parser(limits);
        QList<RedisReply> out;
        RespParser::Status status = RespParser::Status::Ok;
        for (qsizetype offset = 0; offset < data.size() && status == RespParser::Status::Ok; offset += piece)
            status = parser.feed(data.constData() + offset, qMin(piece, data.size() - offset), out);
        QCOMPARE(status, RespParser::Status::Error);
        QVERIFY(parser.hasError());
        QVERIFY2(parser.errorString().contains(errorMentions), parser.errorString().constData());
        QCOMPARE(out.size(), repliesBefore);
    }
}

void TestRespParser::hugeDeclaredBulkIsRefusedAtOnce()
{
    // Declared over the limit: refused as soon as its length is read, before any of it is buffered.
    for (const auto &[declared, limit] : {std::pair<qint64, qint64>{99999999999, RespParser::Limits{}.maxBulkBytes},
                                          std::pair<qint64, qint64>{1025, 1024}}) {
        RespParser::Limits tight = limits(limit, 100, qint64(1) << 40);
        RespParser parser(tight);
        QList<RedisReply> out;
        QCOMPARE(parser.feed("+OK\r\n*2\r\n$" + QByteArray::number(declared), out), RespParser::Status::Ok);
        QCOMPARE(out, QList<RedisReply>{status("OK")});
        QCOMPARE(parser.feed("\r\n", out), RespParser::Status::Error);
        QCOMPARE(parser.errorString(), "bulk string of " + QByteArray::number(declared) + " bytes exceeds the limit of "
                                           + QByteArray::number(limit) + " bytes");
        QCOMPARE(out.size(), 1);
    }
}

void TestRespParser::directBulksEverySplit_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QList<RedisReply>>("expected");

    // Above the default threshold, among replies and elements hiredis reads.
    const QByteArray big = patterned(70000);
    const QByteArray other = patterned(65536).right(65536 - 3) + "\r\n\r\n$1\r\n";
    QTest::newRow("big bulk alone") << bulkBytes(big) << QList<RedisReply>{bulk(big)};
    QTest::newRow("big bulk at the threshold")
        << bulkBytes(big.first(65536)) << QList<RedisReply>{bulk(big.first(65536))};
    QTest::newRow("big bulk in an array")
        << QByteArray("*4\r\n$5\r\nhello\r\n" + bulkBytes(big) + ":1\r\n" + bulkBytes(other) + "+OK\r\n")
        << QList<RedisReply>{array({bulk("hello"), bulk(big), integer(1), bulk(other)}), status("OK")};
    QTest::newRow("big bulks in nested arrays")
        << QByteArray("*2\r\n*1\r\n" + bulkBytes(other) + "*2\r\n$-1\r\n" + bulkBytes(big) + ":7\r\n")
        << QList<RedisReply>{array({array({bulk(other)}), array({nil(), bulk(big)})}), integer(7)};
    QTest::newRow("big bulks back to back")
        << QByteArray(bulkBytes(big) + bulkBytes(other)) << QList<RedisReply>{bulk(big), bulk(other)};
}

// Splits near the places where the reading changes hands (headers, body ends) and pieces of assorted sizes; every
// split of 70 KB of data would take minutes under ASan.
void TestRespParser::directBulksEverySplit()
{
    QFETCH(QByteArray, data);
    QFETCH(QList<RedisReply>, expected);

    QList<qsizetype> splits;
    for (qsizetype i = 1; i < data.size(); ++i) {
        const bool nearBoundary = i < 40 || data.size() - i < 40 || data.at(i - 1) == '$' || data.at(i - 1) == '\n'
                                  || i % 16384 < 3 || i % 16384 > 16381;
        if (nearBoundary || i % 997 == 0)
            splits.append(i);
    }
    for (const qint64 direct : DirectThresholds) {
        for (const qsizetype split : std::as_const(splits)) {
            const QByteArray where
                = "directBulkBytes " + QByteArray::number(direct) + ", split at " + QByteArray::number(split);
            RespParser parser(directFrom(direct));
            QList<RedisReply> out;
            QCOMPARE(parser.feed(data.constData(), split, out), RespParser::Status::Ok);
            QVERIFY2(out.size() <= expected.size(), where.constData());
            QCOMPARE(out, expected.first(out.size()));
            QVERIFY2(parser.feed(data.constData() + split, data.size() - split, out) == RespParser::Status::Ok,
                     where.constData());
            QVERIFY2(out == expected, where.constData());
            QCOMPARE(parser.pendingBytes(), qsizetype(0));
        }
        for (const qsizetype piece : {1, 2, 7, 4096, 16383, 16385, 65536, 100000}) {
            RespParser parser(directFrom(direct));
            const QList<RedisReply> out = feedInPieces(parser, data, piece);
            QVERIFY2(!parser.hasError(), parser.errorString().constData());
            QVERIFY2(out == expected, QByteArray("pieces of " + QByteArray::number(piece)).constData());
            QCOMPARE(parser.pendingBytes(), qsizetype(0));
        }
    }
}

void TestRespParser::sixteenMiBBulkAtManySplits()
{
    // The inspector's big payload: one HGET reply of 16 MiB, between other replies on the same connection.
    const QByteArray value = patterned(16 << 20);
    const QByteArray data = ":1\r\n" + bulkBytes(value) + "$2\r\nok\r\n";
    const QList<RedisReply> expected{integer(1), bulk(value), bulk("ok")};
    const qsizetype bodyStart = data.indexOf("\r\n", 4) + 2;
    const qsizetype bodyEnd = bodyStart + value.size();
    for (const qsizetype split : {qsizetype(1), qsizetype(4), qsizetype(5), qsizetype(6), bodyStart - 1, bodyStart,
                                  bodyStart + 1, qsizetype(16384), bodyStart + value.size() / 2, bodyEnd - 1, bodyEnd,
                                  bodyEnd + 1, bodyEnd + 2, data.size() - 1}) {
        RespParser parser;
        QList<RedisReply> out;
        QCOMPARE(parser.feed(data.constData(), split, out), RespParser::Status::Ok);
        QCOMPARE(parser.feed(data.constData() + split, data.size() - split, out), RespParser::Status::Ok);
        QVERIFY2(out == expected, QByteArray("split at " + QByteArray::number(split)).constData());
    }
    // As a socket delivers it: 64 KiB reads, and a read ending one byte into the body.
    for (const qsizetype piece : {qsizetype(65536), bodyStart + 1}) {
        RespParser parser;
        QVERIFY(feedInPieces(parser, data, piece) == expected);
        QVERIFY(!parser.hasError());
    }
    // The value is the string's own buffer of its declared size, not one grown past it.
    RespParser parser;
    QList<RedisReply> out;
    QCOMPARE(parser.feed(data, out), RespParser::Status::Ok);
    QCOMPARE(out.size(), 3);
    QCOMPARE(out.at(1).text.size(), value.size());
    QVERIFY(out.at(1).text.capacity() <= value.size() + 16);
}

void TestRespParser::truncatedDirectBulkWaits_data()
{
    QTest::addColumn<qsizetype>("cut"); // bytes before the end of "$<n>\r\n<body>\r\n:5\r\n" held back

    QTest::newRow("without the reply after it") << qsizetype(4);
    QTest::newRow("short of LF") << qsizetype(5);
    QTest::newRow("short of CRLF") << qsizetype(6);
    QTest::newRow("short of the last byte") << qsizetype(7);
    QTest::newRow("short of half the body") << qsizetype(35006);
    QTest::newRow("header only") << qsizetype(70006);
    QTest::newRow("length line without LF") << qsizetype(70007);
}

void TestRespParser::truncatedDirectBulkWaits()
{
    QFETCH(qsizetype, cut);
    const QByteArray value = patterned(70000);
    const QByteArray data = bulkBytes(value) + ":5\r\n";
    const qsizetype first = data.size() - cut;
    RespParser parser;
    QList<RedisReply> out;
    QCOMPARE(parser.feed(data.constData(), first, out), RespParser::Status::Ok);
    QVERIFY(!parser.hasError());
    if (cut > 4) {
        QVERIFY(out.isEmpty());
        // The bytes of the unfinished bulk are counted, whoever holds them.
        QCOMPARE(parser.pendingBytes(), first - (cut <= 70006 ? 8 : 1));
    } else {
        QCOMPARE(out, QList<RedisReply>{bulk(value)});
    }
    QCOMPARE(parser.feed(data.constData() + first, cut, out), RespParser::Status::Ok);
    QCOMPARE(out, (QList<RedisReply>{bulk(value), integer(5)}));
    QCOMPARE(parser.pendingBytes(), qsizetype(0));
}

void TestRespParser::directBulkOverReplyLimitIsRefusedAtOnce()
{
    // Two 70 KB strings in one reply over a 100 KB reply limit: refused at the second one's length line.
    RespParser::Limits tight;
    tight.maxReplyBytes = 100000;
    const QByteArray value = patterned(70000);
    const QByteArray data = "*2\r\n" + bulkBytes(value) + "$70000\r\n";
    RespParser parser(tight);
    QList<RedisReply> out;
    QCOMPARE(parser.feed(data, out), RespParser::Status::Error);
    QVERIFY(out.isEmpty());
    QCOMPARE(parser.errorString(), QByteArray("reply larger than the limit of 100000 bytes"));
    // Each reply on its own fits.
    RespParser separate(tight);
    QCOMPARE(separate.feed(bulkBytes(value).repeated(2), out), RespParser::Status::Ok);
    QCOMPARE(out, (QList<RedisReply>{bulk(value), bulk(value)}));
}

void TestRespParser::bulkUnderTheThresholdStaysWithHiredis()
{
    // Under the threshold hiredis buffers the string (its pending bytes include the length line); from it on, the
    // parser holds the body only.
    RespParser::Limits limits;
    limits.directBulkBytes = 1000;
    for (const qsizetype size : {999, 1000}) {
        RespParser parser(limits);
        QList<RedisReply> out;
        const QByteArray data = bulkBytes(patterned(size));
        QCOMPARE(parser.feed(data.first(data.size() - 10), out), RespParser::Status::Ok);
        const qsizetype header = QByteArray::number(size).size() + 2;
        QCOMPARE(parser.pendingBytes(), data.size() - 10 - 1 - (size < 1000 ? 0 : header));
        QCOMPARE(parser.feed(data.last(10), out), RespParser::Status::Ok);
        QCOMPARE(out, QList<RedisReply>{bulk(patterned(size))});
    }
}

void TestRespParser::bulkOfExactlyTheLimitIsAccepted()
{
    const QByteArray value(1024, 'v');
    const QByteArray data = "$1024\r\n" + value + "\r\n";
    for (const qsizetype piece : {data.size(), qsizetype(1)}) {
        RespParser parser(limits(1024, 100, 1024));
        const QList<RedisReply> out = feedInPieces(parser, data, piece);
        QVERIFY2(!parser.hasError(), parser.errorString().constData());
        QCOMPARE(out, QList<RedisReply>{bulk(value)});
    }
}

void TestRespParser::replyBytesLimitCountsAllStringsOfOneReply()
{
    // Each reply stays within 12 bytes of strings, so a limit per reply accepts them all.
    RespParser parser(limits(100, 100, 12));
    QList<RedisReply> out;
    const QByteArray reply = "*2\r\n$6\r\nabcdef\r\n$6\r\nghijkl\r\n";
    QCOMPARE(parser.feed(reply.repeated(3), out), RespParser::Status::Ok);
    QCOMPARE(out.size(), 3);
    QCOMPARE(parser.feed("*2\r\n$6\r\nabcdef\r\n$7\r\nghijklm\r\n", out), RespParser::Status::Error);
    QCOMPARE(out.size(), 3);
}

void TestRespParser::errorIsSticky()
{
    RespParser parser;
    QList<RedisReply> out;
    QCOMPARE(parser.feed(":1\r\n?\r\n", out), RespParser::Status::Error);
    QCOMPARE(out.size(), 1);
    const QByteArray error = parser.errorString();
    QVERIFY(!error.isEmpty());
    // Well-formed input after an error is refused: the stream is out of sync.
    QCOMPARE(parser.feed("+OK\r\n", out), RespParser::Status::Error);
    QCOMPARE(parser.feed(QByteArray(), out), RespParser::Status::Error);
    QCOMPARE(out.size(), 1);
    QCOMPARE(parser.errorString(), error);
    QVERIFY(parser.hasError());
}

void TestRespParser::parseAllReportsTheError()
{
    QList<RedisReply> out;
    QByteArray error;
    QCOMPARE(RespParser::parseAll(":1\r\n:2\r\n", out, &error), RespParser::Status::Ok);
    QCOMPARE(out, (QList<RedisReply>{integer(1), integer(2)}));
    QVERIFY(error.isEmpty());

    out.clear();
    QCOMPARE(RespParser::parseAll("+OK\r\n*11\r\n", out, &error, limits(10, 10, 10)), RespParser::Status::Error);
    QCOMPARE(out, QList<RedisReply>{status("OK")});
    QVERIFY(error.contains("10"));
}

void TestRespParser::errorCode_data()
{
    QTest::addColumn<RedisReply>("reply");
    QTest::addColumn<QByteArray>("code");

    QTest::newRow("wrongtype") << error("WRONGTYPE Operation against a key holding the wrong kind of value")
                               << QByteArray("WRONGTYPE");
    QTest::newRow("noscript") << error("NOSCRIPT No matching script.") << QByteArray("NOSCRIPT");
    QTest::newRow("code only") << error("ERR") << QByteArray("ERR");
    QTest::newRow("empty error") << error("") << QByteArray();
    QTest::newRow("status is no error") << status("ERR not really") << QByteArray();
    QTest::newRow("string is no error") << bulk("NOPERM x") << QByteArray();
    QTest::newRow("failure is no server error") << RedisReply::failure("connection lost") << QByteArray();
}

void TestRespParser::errorCode()
{
    QFETCH(RedisReply, reply);
    QFETCH(QByteArray, code);
    QCOMPARE(reply.errorCode(), code);
}

void TestRespParser::describe_data()
{
    QTest::addColumn<RedisReply>("reply");
    QTest::addColumn<QByteArray>("description");

    QTest::newRow("nil") << nil() << QByteArray("(nil)");
    QTest::newRow("status") << status("OK") << QByteArray("+OK");
    QTest::newRow("error") << error("ERR bad") << QByteArray("-ERR bad");
    QTest::newRow("integer") << integer(-3) << QByteArray("(integer) -3");
    QTest::newRow("string") << bulk("e1") << QByteArray("\"e1\"");
    QTest::newRow("long string is cut") << bulk(QByteArray(65, 'a'))
                                        << QByteArray("\"" + QByteArray(64, 'a') + "...\"");
    QTest::newRow("64 bytes are not cut") << bulk(QByteArray(64, 'a')) << QByteArray("\"" + QByteArray(64, 'a') + "\"");
    QTest::newRow("empty array") << array({}) << QByteArray("[]");
    QTest::newRow("array") << array({integer(1), nil(), array({bulk("x")})})
                           << QByteArray("[(integer) 1, (nil), [\"x\"]]");
    QList<RedisReply> ten;
    for (int i = 0; i < 10; ++i)
        ten.append(integer(i));
    QTest::newRow("long array is cut")
        << array(ten)
        << QByteArray("[(integer) 0, (integer) 1, (integer) 2, (integer) 3, (integer) 4, (integer) 5, (integer) 6, "
                      "(integer) 7, ... 10 elements]");
    QTest::newRow("failure") << RedisReply::failure("timeout") << QByteArray("failure: timeout");
}

void TestRespParser::describe()
{
    QFETCH(RedisReply, reply);
    QFETCH(QByteArray, description);
    QCOMPARE(reply.describe(), description);
}

QTEST_GUILESS_MAIN(TestRespParser)
#include "tst_respparser.moc"
