// The names of the two store layouts, the names derived from an overridden one, and the commit id form.
#include "storelayout.h"

#include <QTest>

using namespace Eventscope;

class TestStoreLayout final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void seedPreset();
    void zilverlinePreset();
    void zilverlineDefaultName();
    void setEventsKey_data();
    void setEventsKey();
    void setEventsKeyOnSeedChangesOnlyTheHash();
    void setStreamPrefix_data();
    void setStreamPrefix();
    void kindNames();
    void idNumber_data();
    void idNumber();
    void idForRoundTrips();
    void streamNames_data();
    void streamNames();
};

void TestStoreLayout::seedPreset()
{
    const StoreLayout layout = StoreLayout::seed();
    QCOMPARE(layout.kind, StoreLayout::Kind::Seed);
    QCOMPARE(layout.eventsKey, QByteArray("EventStore"));
    QCOMPARE(layout.idPrefix, QByteArray("e"));
    QCOMPARE(layout.streamPattern, QByteArray("*"));
    QCOMPARE(layout.streamPrefix, QByteArray());
    QCOMPARE(layout.channel, QByteArray("EventStore"));
    QVERIFY(layout == StoreLayout{});
}

void TestStoreLayout::zilverlinePreset()
{
    const StoreLayout layout = StoreLayout::zilverline("blog");
    QCOMPARE(layout.kind, StoreLayout::Kind::Zilverline);
    QCOMPARE(layout.eventsKey, QByteArray("blog:commits"));
    QCOMPARE(layout.idPrefix, QByteArray());
    QCOMPARE(layout.streamPattern, QByteArray("blog:stream:*"));
    QCOMPARE(layout.streamPrefix, QByteArray("blog:stream:"));
    QCOMPARE(layout.channel, QByteArray("blog:commits"));
    QVERIFY(!(layout == StoreLayout::seed()));
}

void TestStoreLayout::zilverlineDefaultName()
{
    const StoreLayout layout = StoreLayout::zilverline();
    QCOMPARE(layout.eventsKey, QByteArray("EventStore:commits"));
    QCOMPARE(layout.streamPrefix, QByteArray("EventStore:stream:"));
    QCOMPARE(layout.channel, QByteArray("EventStore:commits"));
}

void TestStoreLayout::setEventsKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("streamPrefix");
    QTest::addColumn<QByteArray>("streamPattern");
    QTest::addColumn<QByteArray>("channel");

    QTest::newRow("another store") << QByteArray("shop:commits") << QByteArray("shop:stream:")
                                   << QByteArray("shop:stream:*") << QByteArray("shop:commits");
    QTest::newRow("without :commits") << QByteArray("orders") << QByteArray("orders:stream:")
                                      << QByteArray("orders:stream:*") << QByteArray("orders");
    QTest::newRow("glob characters in the name")
        << QByteArray("a*b?[c]:commits") << QByteArray("a*b?[c]:stream:") << QByteArray("a\\*b\\?\\[c\\]:stream:*")
        << QByteArray("a*b?[c]:commits");
    QTest::newRow("just :commits") << QByteArray(":commits") << QByteArray(":stream:") << QByteArray(":stream:*")
                                   << QByteArray(":commits");
}

void TestStoreLayout::setEventsKey()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, streamPrefix);
    QFETCH(QByteArray, streamPattern);
    QFETCH(QByteArray, channel);

    StoreLayout layout = StoreLayout::zilverline("blog");
    layout.setEventsKey(key);
    QCOMPARE(layout.eventsKey, key);
    QCOMPARE(layout.streamPrefix, streamPrefix);
    QCOMPARE(layout.streamPattern, streamPattern);
    QCOMPARE(layout.channel, channel);
    QCOMPARE(layout.idPrefix, QByteArray());
}

void TestStoreLayout::setEventsKeyOnSeedChangesOnlyTheHash()
{
    StoreLayout layout = StoreLayout::seed();
    layout.setEventsKey("Bank:events");
    QCOMPARE(layout.eventsKey, QByteArray("Bank:events"));
    QCOMPARE(layout.channel, QByteArray("EventStore"));
    QCOMPARE(layout.streamPattern, QByteArray("*"));
    QCOMPARE(layout.streamPrefix, QByteArray());
    QCOMPARE(layout.idPrefix, QByteArray("e"));
}

void TestStoreLayout::setStreamPrefix_data()
{
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<QByteArray>("pattern");

    QTest::newRow("plain") << QByteArray("stream:") << QByteArray("stream:*");
    QTest::newRow("empty") << QByteArray() << QByteArray("*");
    QTest::newRow("star") << QByteArray("a*") << QByteArray("a\\**");
    QTest::newRow("question mark") << QByteArray("a?") << QByteArray("a\\?*");
    QTest::newRow("brackets") << QByteArray("[x]") << QByteArray("\\[x\\]*");
    QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("a\\\\b*");
    QTest::newRow("every glob character") << QByteArray("*?[]\\") << QByteArray("\\*\\?\\[\\]\\\\*");
    QTest::newRow("caret and dash stay") << QByteArray("^a-b") << QByteArray("^a-b*");
}

void TestStoreLayout::setStreamPrefix()
{
    QFETCH(QByteArray, prefix);
    QFETCH(QByteArray, pattern);

    StoreLayout layout = StoreLayout::seed();
    layout.setStreamPrefix(prefix);
    QCOMPARE(layout.streamPrefix, prefix);
    QCOMPARE(layout.streamPattern, pattern);
}

void TestStoreLayout::kindNames()
{
    QCOMPARE(StoreLayout::seed().kindName(), QStringLiteral("seed"));
    QCOMPARE(StoreLayout::zilverline().kindName(), QStringLiteral("zilverline"));
    QCOMPARE(StoreLayout::kindFromName(QStringLiteral("seed")), std::optional(StoreLayout::Kind::Seed));
    QCOMPARE(StoreLayout::kindFromName(QStringLiteral("zilverline")), std::optional(StoreLayout::Kind::Zilverline));
    QVERIFY(!StoreLayout::kindFromName(QStringLiteral("Seed")).has_value());
    QVERIFY(!StoreLayout::kindFromName(QString()).has_value());
}

void TestStoreLayout::idNumber_data()
{
    QTest::addColumn<bool>("zilverline");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<qint64>("number"); // -1: not an id of the layout

    QTest::newRow("e1") << false << QByteArray("e1") << qint64(1);
    QTest::newRow("e42") << false << QByteArray("e42") << qint64(42);
    QTest::newRow("e10") << false << QByteArray("e10") << qint64(10);
    QTest::newRow("18 digits") << false << QByteArray("e999999999999999999") << qint64(999999999999999999);
    QTest::newRow("19 digits") << false << QByteArray("e1000000000000000000") << qint64(-1);
    QTest::newRow("19 nines") << false << QByteArray("e9999999999999999999") << qint64(-1);
    QTest::newRow("e0") << false << QByteArray("e0") << qint64(-1);
    QTest::newRow("e01") << false << QByteArray("e01") << qint64(-1);
    QTest::newRow("e") << false << QByteArray("e") << qint64(-1);
    QTest::newRow("ex") << false << QByteArray("ex") << qint64(-1);
    QTest::newRow("e-1") << false << QByteArray("e-1") << qint64(-1);
    QTest::newRow("e+1") << false << QByteArray("e+1") << qint64(-1);
    QTest::newRow("E1") << false << QByteArray("E1") << qint64(-1);
    QTest::newRow("e1x") << false << QByteArray("e1x") << qint64(-1);
    QTest::newRow("e 1") << false << QByteArray("e 1") << qint64(-1);
    QTest::newRow("e1 trailing space") << false << QByteArray("e1 ") << qint64(-1);
    QTest::newRow("no prefix in seed") << false << QByteArray("1") << qint64(-1);
    QTest::newRow("empty") << false << QByteArray() << qint64(-1);
    QTest::newRow("zilverline 1") << true << QByteArray("1") << qint64(1);
    QTest::newRow("zilverline 123") << true << QByteArray("123") << qint64(123);
    QTest::newRow("zilverline 0") << true << QByteArray("0") << qint64(-1);
    QTest::newRow("zilverline 01") << true << QByteArray("01") << qint64(-1);
    QTest::newRow("zilverline e1") << true << QByteArray("e1") << qint64(-1);
    QTest::newRow("zilverline -1") << true << QByteArray("-1") << qint64(-1);
    QTest::newRow("zilverline empty") << true << QByteArray() << qint64(-1);
    QTest::newRow("zilverline 19 digits") << true << QByteArray("1234567890123456789") << qint64(-1);
}

void TestStoreLayout::idNumber()
{
    QFETCH(bool, zilverline);
    QFETCH(QByteArray, id);
    QFETCH(qint64, number);

    const StoreLayout layout = zilverline ? StoreLayout::zilverline("blog") : StoreLayout::seed();
    const std::optional<qint64> parsed = layout.idNumber(id);
    if (number < 0) {
        QVERIFY2(!parsed.has_value(), QByteArray::number(parsed.value_or(0)).constData());
    } else {
        QVERIFY(parsed.has_value());
        QCOMPARE(*parsed, number);
    }
}

void TestStoreLayout::idForRoundTrips()
{
    for (const StoreLayout &layout : {StoreLayout::seed(), StoreLayout::zilverline("blog")}) {
        for (const qint64 number : {qint64(1), qint64(9), qint64(10), qint64(123456), qint64(999999999999999999)}) {
            const QByteArray id = layout.idFor(number);
            QCOMPARE(id, layout.idPrefix + QByteArray::number(number));
            QCOMPARE(layout.idNumber(id), std::optional(number));
        }
    }
    StoreLayout custom = StoreLayout::seed();
    custom.idPrefix = "evt-";
    QCOMPARE(custom.idFor(7), QByteArray("evt-7"));
    QCOMPARE(custom.idNumber("evt-7"), std::optional(qint64(7)));
    QVERIFY(!custom.idNumber("e7").has_value());
}

void TestStoreLayout::streamNames_data()
{
    QTest::addColumn<bool>("zilverline");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("name");

    QTest::newRow("seed key is the name") << false << QByteArray("customer-42") << QByteArray("customer-42");
    QTest::newRow("seed key with colons") << false << QByteArray("blog:stream:x") << QByteArray("blog:stream:x");
    QTest::newRow("zilverline") << true << QByteArray("blog:stream:post-1") << QByteArray("post-1");
    QTest::newRow("zilverline empty name") << true << QByteArray("blog:stream:") << QByteArray();
    QTest::newRow("zilverline name with the prefix in it")
        << true << QByteArray("blog:stream:blog:stream:x") << QByteArray("blog:stream:x");
}

void TestStoreLayout::streamNames()
{
    QFETCH(bool, zilverline);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, name);

    const StoreLayout layout = zilverline ? StoreLayout::zilverline("blog") : StoreLayout::seed();
    QCOMPARE(layout.streamName(key), name);
    QCOMPARE(layout.streamKey(name), key);
}

QTEST_GUILESS_MAIN(TestStoreLayout)
#include "tst_storelayout.moc"
