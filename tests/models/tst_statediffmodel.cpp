// The diff table over diffJson's result and the tint it lays on a state tree, each under QAbstractItemModelTester.
#include "jsontreemodel.h"
#include "statediffmodel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QTest>

using namespace Eventscope;

class TestStateDiffModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void tableOfChanges();
    void paths_data();
    void paths();
    void emptyAndReset();
    void highlightsTheTree();
};

namespace {

const QByteArray Before = R"({"a":{"b":1,"c":1},"n":[1],"z":true,"x-1":{"q":"old"}})";
const QByteArray After = R"({"a":{"b":2,"c":1},"n":[1,"two"],"k":"x","x-1":{"q":"new"}})";

QModelIndex find(const QAbstractItemModel &model, const QString &key, const QModelIndex &parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString() == key)
            return index;
    }
    return {};
}

} // namespace

void TestStateDiffModel::tableOfChanges()
{
    StateDiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setChanges(diffJsonText(Before, After));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.columnCount(), int(StateDiffModel::ColumnCount));
    QCOMPARE(model.count(JsonChange::Kind::Changed), 2);
    QCOMPARE(model.count(JsonChange::Kind::Added), 2);
    QCOMPARE(model.count(JsonChange::Kind::Removed), 1);
    QCOMPARE(model.summary(), QStringLiteral("2 changed, 2 added, 1 removed"));

    QHash<QString, int> rowOf;
    for (int row = 0; row < model.rowCount(); ++row)
        rowOf.insert(model.index(row, StateDiffModel::PathColumn).data().toString(), row);
    QVERIFY2(rowOf.contains(QStringLiteral("a.b")), qPrintable(QStringList(rowOf.keys()).join(u',')));
    const int ab = rowOf.value(QStringLiteral("a.b"));
    QCOMPARE(model.index(ab, StateDiffModel::KindColumn).data().toString(), QStringLiteral("changed"));
    QCOMPARE(model.index(ab, StateDiffModel::BeforeColumn).data().toString(), QStringLiteral("1"));
    QCOMPARE(model.index(ab, StateDiffModel::AfterColumn).data().toString(), QStringLiteral("2"));
    const int n1 = rowOf.value(QStringLiteral("n[1]"), -1);
    QVERIFY(n1 >= 0);
    QCOMPARE(model.index(n1, StateDiffModel::KindColumn).data().toString(), QStringLiteral("added"));
    QCOMPARE(model.index(n1, StateDiffModel::BeforeColumn).data().toString(), QString());
    QCOMPARE(model.index(n1, StateDiffModel::AfterColumn).data().toString(), QStringLiteral("\"two\""));
    const int z = rowOf.value(QStringLiteral("z"), -1);
    QVERIFY(z >= 0);
    QCOMPARE(model.index(z, 0).data(StateDiffModel::KindRole).toInt(), int(JsonChange::Kind::Removed));
    QCOMPARE(model.index(z, StateDiffModel::BeforeColumn).data().toString(), QStringLiteral("true"));
    QVERIFY(rowOf.contains(QStringLiteral("[\"x-1\"].q")));

    // Each kind its own tint.
    const QColor changed = model.index(ab, 1).data(Qt::BackgroundRole).value<QBrush>().color();
    const QColor added = model.index(n1, 1).data(Qt::BackgroundRole).value<QBrush>().color();
    const QColor removed = model.index(z, 1).data(Qt::BackgroundRole).value<QBrush>().color();
    QVERIFY(changed != added && added != removed && changed != removed);
    QVERIFY(added.green() > added.red());
    QVERIFY(removed.red() > removed.green());

    // Long values are cut for the cell.
    model.setChanges(
        {{JsonChange::Kind::Added, QStringLiteral("big"), QJsonValue::Undefined, QJsonValue(QString(1000, u'x'))}});
    QCOMPARE(model.index(0, StateDiffModel::AfterColumn).data().toString().size(), StateDiffModel::DisplayChars + 1);
}

void TestStateDiffModel::paths_data()
{
    QTest::addColumn<QString>("diff");
    QTest::addColumn<QString>("json");
    QTest::newRow("root") << QString() << QStringLiteral("$");
    QTest::newRow("key") << QStringLiteral("a.b") << QStringLiteral("$.a.b");
    QTest::newRow("quoted") << QStringLiteral("[\"x-1\"].q") << QStringLiteral("$[\"x-1\"].q");
    QTest::newRow("index") << QStringLiteral("[3]") << QStringLiteral("$[3]");
}

void TestStateDiffModel::paths()
{
    QFETCH(QString, diff);
    QFETCH(QString, json);
    QCOMPARE(StateDiffModel::jsonPath(diff), json);
}

void TestStateDiffModel::emptyAndReset()
{
    StateDiffModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.summary(), QStringLiteral("no change"));
    model.setChanges(diffJsonText("{}", R"({"a":1})"));
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.headerData(StateDiffModel::PathColumn, Qt::Horizontal).toString(), QStringLiteral("Path"));
}

void TestStateDiffModel::highlightsTheTree()
{
    JsonTreeModel tree;
    DiffHighlightProxy proxy(JsonTreeModel::PathRole);
    proxy.setSourceModel(&tree);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    tree.setJson(After);
    proxy.setChanges(diffJsonText(Before, After));

    auto tint = [&](const QModelIndex &index) {
        return index.data(Qt::BackgroundRole).value<QBrush>().color();
    };
    const QModelIndex a = find(proxy, QStringLiteral("a"));
    const QModelIndex b = find(proxy, QStringLiteral("b"), a);
    const QModelIndex c = find(proxy, QStringLiteral("c"), a);
    const QModelIndex k = find(proxy, QStringLiteral("k"));
    const QModelIndex n = find(proxy, QStringLiteral("n"));
    const QModelIndex x = find(proxy, QStringLiteral("x-1"));
    QVERIFY(a.isValid() && b.isValid() && c.isValid() && k.isValid() && n.isValid() && x.isValid());
    QCOMPARE(tint(b), StateDiffModel::tint(JsonChange::Kind::Changed));
    QCOMPARE(tint(k), StateDiffModel::tint(JsonChange::Kind::Added));
    QCOMPARE(tint(proxy.index(1, 0, n)), StateDiffModel::tint(JsonChange::Kind::Added));
    QVERIFY(!proxy.index(0, 0, n).data(Qt::BackgroundRole).isValid()); // n[0] did not change
    QVERIFY(!c.data(Qt::BackgroundRole).isValid());
    // Ancestors of a change: a light tint. A quoted key's path matches between the tree and the diff.
    QVERIFY(a.data(Qt::BackgroundRole).isValid());
    QVERIFY(tint(a).alpha() < tint(b).alpha());
    QVERIFY(x.data(Qt::BackgroundRole).isValid());
    QCOMPARE(tint(find(proxy, QStringLiteral("q"), x)), StateDiffModel::tint(JsonChange::Kind::Changed));

    proxy.setChanges({});
    QVERIFY(!b.data(Qt::BackgroundRole).isValid());
}

QTEST_MAIN(TestStateDiffModel)
#include "tst_statediffmodel.moc"
