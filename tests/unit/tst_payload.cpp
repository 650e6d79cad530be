// Payload classification (json / text / binary), the UTF-8 check behind it, and the one-line JSON forms that
// exports and the CLI write.
#include "payload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QTest>

using namespace Eventscope;

Q_DECLARE_METATYPE(Eventscope::PayloadEncoding)

namespace {

// Parses one JSON value by wrapping it in an array, so that scalars (strings) parse too.
std::optional<QJsonValue> parseValue(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson('[' + json + ']', &error);
    if (error.error != QJsonParseError::NoError || !document.isArray() || document.array().size() != 1)
        return std::nullopt;
    return document.array().first();
}

} // namespace

class TestPayload final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void classify_data();
    void classify();
    void encodingNames();
    void validUtf8_data();
    void validUtf8();
    void jsonStringEscapes_data();
    void jsonStringEscapes();
    void jsonStringRoundTrips_data();
    void jsonStringRoundTrips();
    void jsonStringAppends();
    void payloadJson_data();
    void payloadJson();
    void multiLineJsonIsCompactedByteForByte_data();
    void multiLineJsonIsCompactedByteForByte();
    void singleLineJsonIsKeptAsIs_data();
    void singleLineJsonIsKeptAsIs();
};

void TestPayload::classify_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadEncoding>("encoding");

    QTest::newRow("object") << QByteArray(R"({"type":"Deposited","amount":42})") << PayloadEncoding::Json;
    QTest::newRow("empty object") << QByteArray("{}") << PayloadEncoding::Json;
    QTest::newRow("array") << QByteArray(R"([1,"two",{"three":3},null])") << PayloadEncoding::Json;
    QTest::newRow("empty array") << QByteArray("[]") << PayloadEncoding::Json;
    QTest::newRow("leading whitespace") << QByteArray(" \t\r\n {\"a\":1}") << PayloadEncoding::Json;
    QTest::newRow("trailing whitespace") << QByteArray("{\"a\":1}\n\n") << PayloadEncoding::Json;
    QTest::newRow("pretty-printed") << QByteArray(
        "{\n    \"a\": 1,\n    \"b\": [\n        true,\n        false\n    ]\n}\n")
                                    << PayloadEncoding::Json;
    QTest::newRow("unicode in json") << QByteArray("{\"name\":\"Zoë \xf0\x9f\x98\x80\"}") << PayloadEncoding::Json;
    QTest::newRow("number scalar") << QByteArray("42") << PayloadEncoding::Text;
    QTest::newRow("string scalar") << QByteArray("\"x\"") << PayloadEncoding::Text;
    QTest::newRow("true scalar") << QByteArray("true") << PayloadEncoding::Text;
    QTest::newRow("null scalar") << QByteArray("null") << PayloadEncoding::Text;
    QTest::newRow("malformed object") << QByteArray(R"({"a":})") << PayloadEncoding::Text;
    QTest::newRow("unclosed array") << QByteArray("[1,2") << PayloadEncoding::Text;
    QTest::newRow("trailing garbage") << QByteArray("{\"a\":1} x") << PayloadEncoding::Text;
    QTest::newRow("two objects") << QByteArray("{}{}") << PayloadEncoding::Text;
    QTest::newRow("single quotes") << QByteArray("{'a':1}") << PayloadEncoding::Text;
    QTest::newRow("brace then binary") << QByteArray("{\xff\xfe") << PayloadEncoding::Binary;
    QTest::newRow("json with invalid utf-8") << QByteArray("{\"a\":\"\xc0\xaf\"}") << PayloadEncoding::Binary;
    // JSON forbids raw control characters in strings; Qt's parser lets them through.
    QTest::newRow("raw tab in string") << QByteArray("[\"a\tb\"]") << PayloadEncoding::Text;
    QTest::newRow("raw U+0001 in string") << QByteArray("{\"a\":\"x\x01\"}") << PayloadEncoding::Text;
    QTest::newRow("escaped tab in string") << QByteArray("[\"a\\tb\"]") << PayloadEncoding::Json;
    QTest::newRow("newline between tokens") << QByteArray("[1,\n2]") << PayloadEncoding::Json;
    // RFC 8259 exactly: what Qt's parser lets through is not JSON, what it refuses may be.
    QTest::newRow("number with bare dot") << QByteArray("[1.]") << PayloadEncoding::Text;
    QTest::newRow("number starting with dot") << QByteArray("[.5]") << PayloadEncoding::Text;
    QTest::newRow("unknown escape") << QByteArray("[\"\\x41\"]") << PayloadEncoding::Text;
    QTest::newRow("short unicode escape") << QByteArray("[\"\\u12\"]") << PayloadEncoding::Text;
    QTest::newRow("leading zero") << QByteArray("[01]") << PayloadEncoding::Text;
    QTest::newRow("exponent beyond double") << QByteArray("[1e999]") << PayloadEncoding::Json;
    QTest::newRow("integer beyond 64 bits") << QByteArray("[123456789012345678901234567890]") << PayloadEncoding::Json;
    QTest::newRow("nesting at the limit") << QByteArray(1024, '[') + QByteArray(1024, ']') << PayloadEncoding::Json;
    QTest::newRow("nesting past the limit") << QByteArray(1025, '[') + QByteArray(1025, ']') << PayloadEncoding::Text;
    QTest::newRow("literals") << QByteArray("[true,false,null]") << PayloadEncoding::Json;
    QTest::newRow("misspelt literal") << QByteArray("[nul]") << PayloadEncoding::Text;
    QTest::newRow("trailing comma") << QByteArray("[1,]") << PayloadEncoding::Text;
    QTest::newRow("object key not a string") << QByteArray("{1:2}") << PayloadEncoding::Text;
    QTest::newRow("plain text") << QByteArray("hello world") << PayloadEncoding::Text;
    QTest::newRow("utf-8 text") << QByteArray("Gr\xc3\xbc\xc3\x9f"
                                              "e \xe2\x82\xac \xf0\x9f\x98\x80")
                                << PayloadEncoding::Text;
    QTest::newRow("text with NUL") << QByteArray("a\0b", 3) << PayloadEncoding::Text;
    QTest::newRow("empty") << QByteArray() << PayloadEncoding::Text;
    QTest::newRow("whitespace only") << QByteArray(" \n") << PayloadEncoding::Text;
    QTest::newRow("lone continuation byte") << QByteArray("ab\x80"
                                                          "cd")
                                            << PayloadEncoding::Binary;
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << PayloadEncoding::Binary;
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << PayloadEncoding::Binary;
    QTest::newRow("truncated sequence") << QByteArray("abc\xe2\x82") << PayloadEncoding::Binary;
    QTest::newRow("past U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << PayloadEncoding::Binary;
    QTest::newRow("UTF-16LE with BOM") << QByteArray("\xff\xfe{\0}\0", 6) << PayloadEncoding::Binary;
    QTest::newRow("UTF-16BE with BOM") << QByteArray("\xfe\xff\0h\0i", 6) << PayloadEncoding::Binary;
    QTest::newRow("gzip header") << QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) << PayloadEncoding::Binary;
}

void TestPayload::classify()
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadEncoding, encoding);
    QCOMPARE(classifyPayload(payload), encoding);
}

void TestPayload::encodingNames()
{
    QCOMPARE(QByteArray(encodingName(PayloadEncoding::Json)), QByteArray("json"));
    QCOMPARE(QByteArray(encodingName(PayloadEncoding::Text)), QByteArray("text"));
    QCOMPARE(QByteArray(encodingName(PayloadEncoding::Binary)), QByteArray("binary"));
}

void TestPayload::validUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("ascii") << QByteArray("The quick brown fox jumps over the lazy dog") << true;
    QTest::newRow("NUL") << QByteArray("\0\0\0", 3) << true;
    QTest::newRow("U+007F") << QByteArray("\x7f") << true;
    QTest::newRow("U+0080") << QByteArray("\xc2\x80") << true;
    QTest::newRow("U+07FF") << QByteArray("\xdf\xbf") << true;
    QTest::newRow("U+0800") << QByteArray("\xe0\xa0\x80") << true;
    QTest::newRow("U+D7FF") << QByteArray("\xed\x9f\xbf") << true;
    QTest::newRow("U+E000") << QByteArray("\xee\x80\x80") << true;
    QTest::newRow("U+FFFF") << QByteArray("\xef\xbf\xbf") << true;
    QTest::newRow("U+10000") << QByteArray("\xf0\x90\x80\x80") << true;
    QTest::newRow("emoji") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::newRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf") << true;
    QTest::newRow("mixed after ascii run") << QByteArray("abcdefghijklmnop\xc3\xa9qrstuvwx\xe2\x82\xac") << true;
    QTest::newRow("lone continuation") << QByteArray("\x80") << false;
    QTest::newRow("continuation after ascii run") << QByteArray("abcdefghij\xbf") << false;
    QTest::newRow("overlong 2-byte C0") << QByteArray("\xc0\xaf") << false;
    QTest::newRow("overlong 2-byte C1") << QByteArray("\xc1\xbf") << false;
    QTest::newRow("overlong 3-byte NUL") << QByteArray("\xe0\x80\x80") << false;
    QTest::newRow("overlong 3-byte U+07FF") << QByteArray("\xe0\x9f\xbf") << false;
    QTest::newRow("overlong 4-byte") << QByteArray("\xf0\x8f\xbf\xbf") << false;
    QTest::newRow("surrogate D800") << QByteArray("\xed\xa0\x80") << false;
    QTest::newRow("surrogate DFFF") << QByteArray("\xed\xbf\xbf") << false;
    QTest::newRow("past U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::newRow("F5 lead") << QByteArray("\xf5\x80\x80\x80") << false;
    QTest::newRow("FE") << QByteArray("\xfe") << false;
    QTest::newRow("FF") << QByteArray("\xff") << false;
    QTest::newRow("truncated 2-byte") << QByteArray("\xc3") << false;
    QTest::newRow("truncated 3-byte") << QByteArray("\xe2\x82") << false;
    QTest::newRow("truncated 4-byte after ascii run") << QByteArray("abcdefgh\xf0\x9f\x98") << false;
    QTest::newRow("ascii instead of continuation") << QByteArray("\xe2\x28\xa1") << false;
    QTest::newRow("two leads") << QByteArray("\xc3\xc3") << false;
}

void TestPayload::validUtf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(isValidUtf8(bytes), valid);
    // Agrees with the payload classification of the same bytes when they cannot be JSON.
    if (!bytes.startsWith('{') && !bytes.startsWith('['))
        QCOMPARE(classifyPayload(bytes) == PayloadEncoding::Text, valid);
}

void TestPayload::jsonStringEscapes_data()
{
    QTest::addColumn<QByteArray>("utf8");
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("empty") << QByteArray() << QByteArray(R"("")");
    QTest::newRow("plain") << QByteArray("abc") << QByteArray(R"("abc")");
    QTest::newRow("quote") << QByteArray("say \"hi\"") << QByteArray(R"("say \"hi\"")");
    QTest::newRow("backslash") << QByteArray("C:\\path\\") << QByteArray(R"("C:\\path\\")");
    QTest::newRow("newline, return, tab") << QByteArray("a\nb\rc\td") << QByteArray(R"("a\nb\rc\td")");
    QTest::newRow("NUL") << QByteArray("a\0b", 3) << QByteArray(R"("a\u0000b")");
    QTest::newRow("control 01") << QByteArray("\x01") << QByteArray(R"("\u0001")");
    QTest::newRow("backspace and form feed") << QByteArray("\b\f") << QByteArray(R"("\u0008\u000c")");
    QTest::newRow("escape 1B") << QByteArray("\x1b[0m") << QByteArray(R"("\u001b[0m")");
    QTest::newRow("unit separator 1F") << QByteArray("\x1f") << QByteArray(R"("\u001f")");
    QTest::newRow("space and DEL stay") << QByteArray(" \x7f") << QByteArray("\" \x7f\"");
    QTest::newRow("slash stays") << QByteArray("a/b") << QByteArray(R"("a/b")");
    QTest::newRow("utf-8 stays") << QByteArray("\xc3\xa9\xf0\x9f\x98\x80")
                                 << QByteArray("\"\xc3\xa9\xf0\x9f\x98\x80\"");
}

void TestPayload::jsonStringEscapes()
{
    QFETCH(QByteArray, utf8);
    QFETCH(QByteArray, json);

    QByteArray out;
    appendJsonString(out, utf8);
    QCOMPARE(out, json);
}

void TestPayload::jsonStringRoundTrips_data()
{
    QTest::addColumn<QByteArray>("utf8");

    QByteArray controls;
    for (int c = 0; c < 0x20; ++c)
        controls += char(c);
    QTest::newRow("every control character") << controls;
    QTest::newRow("quotes and backslashes") << QByteArray(R"(\"\\"")");
    QTest::newRow("json in a string") << QByteArray("{\"a\":[1,\"b\\n\"]}");
    QTest::newRow("unicode") << QByteArray("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf");
    QTest::newRow("long mixed") << QByteArray("line\n\"quoted\"\t\\ \x01\x7f").repeated(1000);
}

void TestPayload::jsonStringRoundTrips()
{
    QFETCH(QByteArray, utf8);

    QByteArray out;
    appendJsonString(out, utf8);
    QVERIFY(!out.contains('\n'));
    const std::optional<QJsonValue> value = parseValue(out);
    QVERIFY2(value.has_value(), out.left(200).constData());
    QVERIFY(value->isString());
    QCOMPARE(value->toString(), QString::fromUtf8(utf8));
}

void TestPayload::jsonStringAppends()
{
    QByteArray out = "{\"k\":";
    appendJsonString(out, "v\n");
    out += '}';
    QCOMPARE(out, QByteArray(R"({"k":"v\n"})"));
}

void TestPayload::multiLineJsonIsCompactedByteForByte_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");
    // Only the white space between tokens goes: key order, duplicate keys and big numbers stay as written.
    QTest::newRow("key order") << QByteArray("{\"b\":1,\"a\":2}\n") << QByteArray("{\"b\":1,\"a\":2}");
    QTest::newRow("duplicate keys") << QByteArray("{\"a\":1,\r\n\"a\":2}") << QByteArray("{\"a\":1,\"a\":2}");
    QTest::newRow("big number") << QByteArray("[\n12345678901234567890\n]") << QByteArray("[12345678901234567890]");
    QTest::newRow("spaces inside strings")
        << QByteArray("{\n  \"a b\": \"c \\\" d\"\n}") << QByteArray("{\"a b\":\"c \\\" d\"}");
}

void TestPayload::multiLineJsonIsCompactedByteForByte()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);
    QCOMPARE(classifyPayload(payload), PayloadEncoding::Json);
    QByteArray out;
    appendPayloadJson(out, payload, PayloadEncoding::Json);
    QCOMPARE(out, expected);
}

void TestPayload::payloadJson_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadEncoding>("encoding");

    QTest::newRow("object") << QByteArray(R"({"type":"Deposited","amount":42})") << PayloadEncoding::Json;
    QTest::newRow("pretty-printed object")
        << QByteArray("{\n    \"a\": 1,\n    \"b\": [\n        true,\n        \"x\\ny\"\n    ]\n}\n")
        << PayloadEncoding::Json;
    QTest::newRow("CRLF array") << QByteArray("[\r\n  1,\r\n  2\r\n]\r\n") << PayloadEncoding::Json;
    QTest::newRow("surrounding whitespace") << QByteArray("  \t{\"a\":1}  ") << PayloadEncoding::Json;
    QTest::newRow("text") << QByteArray("hello \"world\"") << PayloadEncoding::Text;
    QTest::newRow("multi-line text") << QByteArray("line 1\nline 2\r\n\ttabbed") << PayloadEncoding::Text;
    QTest::newRow("json scalar is text") << QByteArray("42") << PayloadEncoding::Text;
    QTest::newRow("malformed json is text") << QByteArray("{\"a\":\n}") << PayloadEncoding::Text;
    QTest::newRow("empty text") << QByteArray() << PayloadEncoding::Text;
    QTest::newRow("binary") << QByteArray("\xff\xfe\x00\n\x01\x80", 6) << PayloadEncoding::Binary;
    QTest::newRow("gzip") << QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) << PayloadEncoding::Binary;
}

void TestPayload::payloadJson()
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadEncoding, encoding);

    QCOMPARE(classifyPayload(payload), encoding);
    QByteArray out = "prefix ";
    appendPayloadJson(out, payload, encoding);
    QVERIFY(out.startsWith("prefix "));
    const QByteArray json = out.mid(7);
    QVERIFY2(!json.contains('\n') && !json.contains('\r'), json.constData());
    const std::optional<QJsonValue> value = parseValue(json);
    QVERIFY2(value.has_value(), json.constData());

    switch (encoding) {
    case PayloadEncoding::Json:
        QVERIFY(value->isObject() || value->isArray());
        QCOMPARE(QJsonDocument::fromJson(json), QJsonDocument::fromJson(payload));
        break;
    case PayloadEncoding::Text:
        QVERIFY(value->isString());
        QCOMPARE(value->toString(), QString::fromUtf8(payload));
        break;
    case PayloadEncoding::Binary:
        QVERIFY(value->isString());
        QCOMPARE(QByteArray::fromBase64(value->toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors),
                 payload);
        QCOMPARE(json, '"' + payload.toBase64() + '"');
        break;
    }
}

void TestPayload::singleLineJsonIsKeptAsIs_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("json");

    // Byte for byte: key order, duplicates, number spelling and escapes as the writer stored them.
    QTest::newRow("key order") << QByteArray(R"({"b":1,"a":2})") << QByteArray(R"({"b":1,"a":2})");
    QTest::newRow("spacing") << QByteArray(R"({ "a" : [ 1 , 2 ] })") << QByteArray(R"({ "a" : [ 1 , 2 ] })");
    QTest::newRow("big number") << QByteArray(R"([123456789012345678901234567890])")
                                << QByteArray(R"([123456789012345678901234567890])");
    QTest::newRow("escapes") << QByteArray(R"(["\u00e9\/"])") << QByteArray(R"(["\u00e9\/"])");
    QTest::newRow("surrounding spaces trimmed") << QByteArray("  {\"a\":1}\t") << QByteArray(R"({"a":1})");
}

void TestPayload::singleLineJsonIsKeptAsIs()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, json);

    QCOMPARE(classifyPayload(payload), PayloadEncoding::Json);
    QByteArray out;
    appendPayloadJson(out, payload, PayloadEncoding::Json);
    QCOMPARE(out, json);
}

QTEST_GUILESS_MAIN(TestPayload)
#include "tst_payload.moc"
