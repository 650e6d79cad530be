// The search predicate language: tables of good expressions with what they match, and of bad ones with the
// position and message of their error.
#include "predicate.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Eventscope;

namespace {

const QByteArray Payload = R"({
  "type": "Deposited",
  "amount": 150.5,
  "count": 0,
  "flag": true,
  "off": false,
  "nothing": null,
  "empty": "",
  "name": "Ada Lovelace",
  "tags": ["vip", "eu", 3],
  "data": {"amount": 120, "currency": "EUR", "items": [{"sku": "a-1"}, {"sku": "b-2"}]},
  "odd key": "spaced",
  "contains": "a member called contains"
})";

QJsonValue payload()
{
    return QJsonDocument::fromJson(Payload).object();
}

} // namespace

class TestPredicate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void good_data();
    void good();
    void bad_data();
    void bad();
    void notJsonPayload();
    void longChainsAndDepth();
};

void TestPredicate::good_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("expected");
    auto row = [](const char *expression, bool expected) {
        QTest::newRow(expression) << QString::fromUtf8(expression) << expected;
    };
    row(R"(type == "Deposited")", true);
    row(R"(type == 'Deposited')", true);
    row(R"(type != "Deposited")", false);
    row(R"(data.amount > 100 && type == "Deposited")", true);
    row(R"(data.amount > 200 || type == "Withdrawn")", false);
    row(R"(data.amount >= 120 && data.amount <= 120)", true);
    row("data.amount < 120", false);
    row("amount == 150.5", true);
    row("amount > 1.5e2", true);
    row("amount > -1", true);
    row("-1 < count", true);
    row(R"(data.currency == "EUR")", true);
    row(R"(data.items[1].sku == "b-2")", true);
    row("data.items[2].sku == null", true); // beyond the array: missing
    row("missing == null", true);
    row("nothing == null", true);
    row("nothing != null", false);
    row("missing.deeper.still == null", true);
    row("missing", false);
    row("!missing", true);
    row("flag", true);
    row("off", false);
    row("!off && flag", true);
    row("count", false);
    row("empty", false);
    row("name", true);
    row("tags", true);
    row("flag == true", true);
    row("off == false", true);
    row("flag == 1", false); // no coercion between types
    row(R"(amount == "150.5")", false);
    row(R"(name > "Ae")", false);
    row(R"(name > "Aa")", true);
    row(R"(name < 5)", false); // unordered types compare false
    row(R"(name contains "Love")", true);
    row(R"(name contains "love")", false);
    row(R"(tags contains "eu")", true);
    row("tags contains 3", true);
    row(R"(tags contains "us")", false);
    row(R"(data contains "EUR")", false);
    row(R"(name matches "^Ada\\s+L")", true);
    row(R"(name matches "(?i)lovelace$")", true);
    row(R"(name matches "^Love")", false);
    row(R"(amount matches "150")", false); // only strings match
    row(R"(["odd key"] == "spaced")", true);
    row(R"(["contains"] contains "member")", true);
    row(R"(data["items"][0]["sku"] == "a-1")", true);
    row(R"(tags[0] == "vip" && tags[2] == 3)", true);
    row(R"(!(type == "Withdrawn") && (amount > 100 || off))", true);
    row(R"(((((type == "Deposited")))))", true);
    row(R"(type == "Deposited" && !flag || name contains "Ada")", true); // && binds tighter
    row(R"(type == "Deposited" && (!flag || name contains "Bob"))", false);
    row(R"($id == "e42" && $version == 7 && $stream == "customer-1")", true);
    row(R"($stream matches "^customer-\\d+$")", true);
    row(R"("\u0041da Lovelace" == name)", true);
    row(R"(name == "Ada \"Lovelace\"")", false);
    row("  flag  ", true);
    row("true", true);
    row("null", false);
    row("1 == 1.0", true);
}

void TestPredicate::good()
{
    QFETCH(QString, expression);
    QFETCH(bool, expected);
    Predicate::Error error;
    const std::optional<Predicate> predicate = Predicate::parse(expression, &error);
    QVERIFY2(predicate, qPrintable(error.toString()));
    QCOMPARE(predicate->matches(payload(), "customer-1", 7, "e42"), expected);
}

void TestPredicate::bad_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("position"); // 0-based
    QTest::addColumn<QString>("message");
    auto row = [](const char *expression, int position, const char *message) {
        QTest::newRow(expression) << QString::fromUtf8(expression) << position << QString::fromUtf8(message);
    };
    row("", 0, "empty expression");
    row("   ", 0, "empty expression");
    row("type = \"x\"", 5, "'=' is not an operator: compare with ==");
    row("a & b", 2, "write && for and");
    row("a | b", 2, "write || for or");
    row("a &&", 4, "expected a value, a path or '(' but found the end");
    row("&& a", 0, "expected a value");
    row("(a == 1", 7, "expected ')' to close the '(' at 1, found the end");
    row("a == 1)", 6, "unexpected ')' after a complete expression");
    row("a b", 2, "unexpected 'b' after a complete expression");
    row("a == 1 == 2", 7, "comparisons do not chain");
    row("a == 1 contains 2", 7, "comparisons do not chain");
    row("\"open", 0, "unterminated string");
    row("a == 'x\\q'", 7, "unknown escape '\\q'");
    row("a == \"\\u12\"", 6, "\\u needs four hex digits");
    row("a > 1e", 4, "an exponent needs digits");
    row("a > 12abc", 4, "malformed number");
    row("a > -x", 4, "'-' must start a number");
    row("a.", 2, "expected a member name after '.'");
    row("a.1", 1, "unexpected a number after a complete expression");
    row("a[", 2, "expected an index (0, 1, ...) or a \"name\" inside [ ]");
    row("a[1.5]", 2, "expected an index");
    row("a[-1]", 2, "expected an index");
    row("a[0", 3, "expected ']' to close the '[' at 2");
    row("a matches b", 10, "matches takes a string literal");
    row("a matches \"(unclosed\"", 20, "invalid regular expression");
    row("contains == 1", 0, "expected a value before 'contains'");
    row("$id.x == 1", 0, "$id has no members");
    row("a == #", 5, "unexpected character '#'");
    row("!", 1, "expected a value");
    row("()", 1, "expected a value");
}

void TestPredicate::bad()
{
    QFETCH(QString, expression);
    QFETCH(int, position);
    QFETCH(QString, message);
    Predicate::Error error;
    QVERIFY(!Predicate::parse(expression, &error));
    QVERIFY2(error.message.contains(message), qPrintable(error.message));
    QCOMPARE(error.position, position);
    QVERIFY(error.toString().startsWith(QStringLiteral("at %1: ").arg(position + 1)));
}

void TestPredicate::notJsonPayload()
{
    Predicate::Error error;
    const auto predicate = Predicate::parse(QStringLiteral("type == null && !amount && $id == \"x\""), &error);
    QVERIFY(predicate);
    QVERIFY(predicate->matches(QJsonValue(QJsonValue::Undefined), "s", 1, "x"));
    QVERIFY(!predicate->matches(QJsonValue(QJsonValue::Undefined), "s", 1, "y"));
}

void TestPredicate::longChainsAndDepth()
{
    // A chain of ten thousand terms parses and evaluates without deep recursion.
    QStringList terms;
    for (int i = 0; i < 10000; ++i)
        terms.append(QStringLiteral("count == %1").arg(i + 1));
    Predicate::Error error;
    auto chain = Predicate::parse(terms.join(QStringLiteral(" || ")), &error);
    QVERIFY2(chain, qPrintable(error.toString()));
    QVERIFY(!chain->matches(payload()));
    chain = Predicate::parse(terms.join(QStringLiteral(" || ")) + QStringLiteral(" || count == 0"), &error);
    QVERIFY(chain && chain->matches(payload()));

    const QString deep = QString(Predicate::MaxDepth, QLatin1Char('(')) + QStringLiteral("flag")
                         + QString(Predicate::MaxDepth, QLatin1Char(')'));
    QVERIFY(!Predicate::parse(deep, &error));
    QVERIFY2(error.message.contains(QLatin1String("nested too deeply")), qPrintable(error.message));
    QVERIFY(!Predicate::parse(QString(1000, QLatin1Char('!')) + QStringLiteral("flag"), &error));
    QVERIFY(error.message.contains(QLatin1String("nested too deeply")));
    const QString shallow = QString(10, QLatin1Char('(')) + QStringLiteral("flag") + QString(10, QLatin1Char(')'));
    QVERIFY(Predicate::parse(shallow, &error));
}

QTEST_GUILESS_MAIN(TestPredicate)
#include "tst_predicate.moc"
