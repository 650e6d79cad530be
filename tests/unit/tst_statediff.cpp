// diffJson: a pure function, table-tested on JSON texts.
#include "statediff.h"

#include <QJsonDocument>
#include <QTest>

using namespace Eventscope;

class TestStateDiff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void table_data();
    void table();
    void valuesAreReported();
};

void TestStateDiff::table_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<QStringList>("expected"); // "kind path"

    QTest::newRow("equal") << QByteArray(R"({"a":1,"b":[1,2]})") << QByteArray(R"({"b":[1,2],"a":1})") << QStringList{};
    QTest::newRow("scalar root") << QByteArray("1") << QByteArray("2") << QStringList{QStringLiteral("changed ")};
    QTest::newRow("added key") << QByteArray(R"({"a":1})") << QByteArray(R"({"a":1,"b":2})")
                               << QStringList{QStringLiteral("added b")};
    QTest::newRow("removed key") << QByteArray(R"({"a":1,"b":2})") << QByteArray(R"({"b":2})")
                                 << QStringList{QStringLiteral("removed a")};
    QTest::newRow("nested change") << QByteArray(R"({"x":{"y":{"z":1}}})") << QByteArray(R"({"x":{"y":{"z":2}}})")
                                   << QStringList{QStringLiteral("changed x.y.z")};
    QTest::newRow("type change is one entry")
        << QByteArray(R"({"x":{"y":1}})") << QByteArray(R"({"x":[1]})") << QStringList{QStringLiteral("changed x")};
    QTest::newRow("array grows and shrinks")
        << QByteArray(R"({"l":[1,2,3],"m":[1]})") << QByteArray(R"({"l":[1,9],"m":[1,2]})")
        << QStringList{QStringLiteral("changed l[1]"), QStringLiteral("removed l[2]"), QStringLiteral("added m[1]")};
    QTest::newRow("keys that are not identifiers")
        << QByteArray(R"({"a-1":{"b c":1},"0x":2})") << QByteArray(R"({"a-1":{"b c":3}})")
        << QStringList{QStringLiteral("removed [\"0x\"]"), QStringLiteral("changed [\"a-1\"][\"b c\"]")};
    QTest::newRow("null vs missing") << QByteArray(R"({"a":null})") << QByteArray(R"({})")
                                     << QStringList{QStringLiteral("removed a")};
    QTest::newRow("null to value") << QByteArray(R"({"a":null})") << QByteArray(R"({"a":0})")
                                   << QStringList{QStringLiteral("changed a")};
    QTest::newRow("not JSON counts as a string")
        << QByteArray("not json") << QByteArray(R"("not json")") << QStringList{};
    QTest::newRow("1 and 1.0 are equal") << QByteArray(R"({"n":1})") << QByteArray(R"({"n":1.0})") << QStringList{};
}

void TestStateDiff::table()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    QFETCH(QStringList, expected);
    QStringList actual;
    for (const JsonChange &change : diffJsonText(before, after))
        actual.append(QString::fromLatin1(changeKindName(change.kind)) + QLatin1Char(' ') + change.path);
    QCOMPARE(actual, expected);
}

void TestStateDiff::valuesAreReported()
{
    const QList<JsonChange> changes = diffJsonText(R"({"a":{"n":1},"b":true})", R"({"a":{"n":2},"c":"x"})");
    QCOMPARE(changes.size(), 3);
    QCOMPARE(changes.at(0).path, QStringLiteral("a.n"));
    QCOMPARE(changes.at(0).before.toInt(), 1);
    QCOMPARE(changes.at(0).after.toInt(), 2);
    QCOMPARE(changes.at(1).kind, JsonChange::Kind::Removed);
    QCOMPARE(changes.at(1).before.toBool(), true);
    QVERIFY(changes.at(1).after.isUndefined());
    QCOMPARE(changes.at(2).kind, JsonChange::Kind::Added);
    QCOMPARE(changes.at(2).after.toString(), QStringLiteral("x"));
}

QTEST_GUILESS_MAIN(TestStateDiff)
#include "tst_statediff.moc"
