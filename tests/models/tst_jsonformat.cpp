// The JSON text forms of the payload pane: pretty printing token by token, compacting, string decoding and
// previews, all byte for byte, on valid, odd and cut input.
#include "jsonformat.h"

#include <QTest>

using namespace Eventscope;

class TestJsonFormat final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pretty_data();
    void pretty();
    void prettyIndent();
    void prettyIsIdempotent_data();
    void prettyIsIdempotent();
    void prettySurvivesCutInput();
    void prettySurvivesHostileInput_data();
    void prettySurvivesHostileInput();
    void compact_data();
    void compact();
    void decodeString_data();
    void decodeString();
    void preview();
};

void TestJsonFormat::pretty_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("flat object") << QByteArray("{\"type\":\"Deposited\",\"amount\":42}")
                                 << QByteArray("{\n  \"type\": \"Deposited\",\n  \"amount\": 42\n}");
    QTest::newRow("key order kept") << QByteArray("{\"z\":1,\"a\":2,\"m\":3}")
                                    << QByteArray("{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}");
    QTest::newRow("duplicate keys kept") << QByteArray("{\"a\":1,\"a\":2}")
                                         << QByteArray("{\n  \"a\": 1,\n  \"a\": 2\n}");
    QTest::newRow("big numbers byte for byte")
        << QByteArray("[12345678901234567890123,1.000000000000000000001,-0.0,1E+400,9007199254740993]")
        << QByteArray("[\n  12345678901234567890123,\n  1.000000000000000000001,\n  -0.0,\n  1E+400,\n"
                      "  9007199254740993\n]");
    QTest::newRow("escapes in strings kept")
        << QByteArray("{\"q\\\"uote\":\"a\\\"b,c:{d}[e]\\\\\",\"u\":\"\\u00e9\\ud83d\\ude00\\n\\t\\/\"}")
        << QByteArray("{\n  \"q\\\"uote\": \"a\\\"b,c:{d}[e]\\\\\",\n  \"u\": \"\\u00e9\\ud83d\\ude00\\n\\t\\/\"\n}");
    QTest::newRow("white space inside strings kept")
        << QByteArray("[\"  a  b  \"]") << QByteArray("[\n  \"  a  b  \"\n]");
    QTest::newRow("empty object") << QByteArray("{}") << QByteArray("{}");
    QTest::newRow("empty array") << QByteArray("[]") << QByteArray("[]");
    QTest::newRow("empty containers with space")
        << QByteArray("{ \"a\" : { } , \"b\" : [\n] }") << QByteArray("{\n  \"a\": {},\n  \"b\": []\n}");
    QTest::newRow("nested") << QByteArray("{\"a\":{\"b\":[1,{\"c\":null}],\"d\":true},\"e\":false}")
                            << QByteArray("{\n  \"a\": {\n    \"b\": [\n      1,\n      {\n        \"c\": null\n"
                                          "      }\n    ],\n    \"d\": true\n  },\n  \"e\": false\n}");
    QTest::newRow("already pretty, other indent")
        << QByteArray("{\n\t\"a\" :\t[ 1 ,\r\n 2 ]\n}\n") << QByteArray("{\n  \"a\": [\n    1,\n    2\n  ]\n}");
    QTest::newRow("utf-8 kept") << QByteArray("{\"name\":\"Zo\xc3\xab \xf0\x9f\x98\x80\"}")
                                << QByteArray("{\n  \"name\": \"Zo\xc3\xab \xf0\x9f\x98\x80\"\n}");
    QTest::newRow("empty input") << QByteArray() << QByteArray();
}

void TestJsonFormat::pretty()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    QCOMPARE(prettyJson(json), expected);
}

void TestJsonFormat::prettyIndent()
{
    QCOMPARE(prettyJson("{\"a\":[1]}", 4), QByteArray("{\n    \"a\": [\n        1\n    ]\n}"));
    QCOMPARE(prettyJson("{\"a\":[1]}", 0), QByteArray("{\n\"a\": [\n1\n]\n}"));
}

void TestJsonFormat::prettyIsIdempotent_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("nested") << QByteArray("{\"a\":{\"b\":[1,{\"c\":\"x,y\"}],\"d\":[]},\"e\":{}}");
    QTest::newRow("strings with punctuation") << QByteArray("[\"{[,:]}\",\"\\\"{\"]");
}

void TestJsonFormat::prettyIsIdempotent()
{
    QFETCH(QByteArray, json);
    const QByteArray once = prettyJson(json);
    QCOMPARE(prettyJson(once), once);
    QCOMPARE(compactJson(once), json);
}

void TestJsonFormat::prettySurvivesCutInput()
{
    // Every prefix of a document, as when only the first MiB of a bigger payload is shown: output is the pretty
    // form of what is there, which the full document's pretty form starts with, up to the cut token.
    const QByteArray json
        = "{\"events\":[{\"type\":\"A\",\"n\":-1.5e3,\"s\":\"x\\\"y\\\\\"},{\"ok\":true,\"no\":null}],\"e\":{}}";
    const QByteArray full = prettyJson(json);
    for (qsizetype cut = 0; cut <= json.size(); ++cut) {
        const QByteArray part = prettyJson(json.first(cut));
        // Up to its last line (where the cut token may be), the output is the full output's beginning.
        const qsizetype lastLine = part.lastIndexOf('\n');
        if (lastLine >= 0)
            QVERIFY2(full.startsWith(part.first(lastLine)), json.first(cut).constData());
    }
    QCOMPARE(prettyJson("{\"a\":[1,2"), QByteArray("{\n  \"a\": [\n    1,\n    2"));
    QCOMPARE(prettyJson("{\"a\":\"unterminated, {["), QByteArray("{\n  \"a\": \"unterminated, {["));
    QCOMPARE(prettyJson("[\"ends in escape\\"), QByteArray("[\n  \"ends in escape\\"));
}

void TestJsonFormat::prettySurvivesHostileInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("unmatched closers") << QByteArray("]]}") << QByteArray("\n]\n]\n}");
    QTest::newRow("not json") << QByteArray("hello world") << QByteArray("helloworld");
    QTest::newRow("binary") << QByteArray("\x00\xff{\x01", 4) << QByteArray("\x00\xff{\n  \x01", 7);
    QTest::newRow("lone quote") << QByteArray("\"") << QByteArray("\"");
    QTest::newRow("lone backslash in string") << QByteArray("\"\\") << QByteArray("\"\\");
}

void TestJsonFormat::prettySurvivesHostileInput()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(prettyJson(input), expected);
}

void TestJsonFormat::compact_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("spaces between tokens")
        << QByteArray("{ \"a\" : [ 1 , 2 ] ,\n\t\"b\" : \"x y\" }") << QByteArray("{\"a\":[1,2],\"b\":\"x y\"}");
    QTest::newRow("escaped quote") << QByteArray("[ \"a\\\" b\" , 1 ]") << QByteArray("[\"a\\\" b\",1]");
    QTest::newRow("scalar string") << QByteArray(" \"x\" ") << QByteArray("\"x\"");
}

void TestJsonFormat::compact()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    QCOMPARE(compactJson(json), expected);
}

void TestJsonFormat::decodeString_data()
{
    QTest::addColumn<QByteArray>("literal");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QByteArray("\"amount\"") << QStringLiteral("amount");
    QTest::newRow("no quotes") << QByteArray("amount") << QStringLiteral("amount");
    QTest::newRow("simple escapes") << QByteArray("\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\"")
                                    << QStringLiteral("a\"b\\c/d\n\t\r\b\f");
    QTest::newRow("ends in escaped backslash") << QByteArray("\"a\\\\\"") << QStringLiteral("a\\");
    QTest::newRow("unicode escape") << QByteArray("\"\\u00e9t\\u00C9\"") << QStringLiteral("été").replace(2, 1, u'É');
    QTest::newRow("surrogate pair") << QByteArray("\"\\ud83d\\ude00\"") << QString::fromUtf8("\xf0\x9f\x98\x80");
    QTest::newRow("lone surrogate") << QByteArray("\"\\ud83dx\"") << QStringLiteral("\uFFFDx");
    QTest::newRow("utf-8") << QByteArray("\"Zo\xc3\xab\"") << QStringLiteral("Zoë");
    QTest::newRow("cut escape") << QByteArray("\"ab\\") << QStringLiteral("ab");
    QTest::newRow("cut unicode escape") << QByteArray("\"ab\\u00") << QStringLiteral("ab\uFFFD00");
    QTest::newRow("unterminated") << QByteArray("\"abc") << QStringLiteral("abc");
}

void TestJsonFormat::decodeString()
{
    QFETCH(QByteArray, literal);
    QFETCH(QString, expected);
    QCOMPARE(decodeJsonString(literal), expected);
}

void TestJsonFormat::preview()
{
    QCOMPARE(jsonPreview("{ \"a\" : 1 }", 20), QStringLiteral("{\"a\":1}"));
    QCOMPARE(jsonPreview("{\"a\":\"0123456789\"}", 10), QStringLiteral("{\"a\":\"0123…"));
    // A huge value is previewed from its beginning without reading all of it.
    const QByteArray huge = '[' + QByteArray(8 << 20, '1') + ']';
    QCOMPARE(jsonPreview(huge, 5), QStringLiteral("[1111…"));
}

QTEST_GUILESS_MAIN(TestJsonFormat)
#include "tst_jsonformat.moc"
