// The JSON tree and its model: document order, duplicate keys, exact numbers, paths, value text, cut input, and
// building on a worker thread for the model to adopt.
#include "jsontreemodel.h"

#include <QAbstractItemModelTester>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace Eventscope;

namespace {

const QByteArray Commit
    = "{\"storeRevision\":7,\"streamId\":\"post-1\",\"events\":[{\"type\":\"Added\",\"amount\":1},"
      "{\"type\":\"Changed\",\"amount\":12345678901234567890},{\"type\":\"Removed\",\"amount\":-2.5e3}],"
      "\"headers\":{},\"a key\":[true,false,null],\"k\":\"v\",\"k\":\"w\"}";

// Index of the child with this Key text (first match) under parent.
QModelIndex childByKey(const QAbstractItemModel &model, const QModelIndex &parent, const QString &key)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, JsonTreeModel::KeyColumn, parent);
        if (index.data().toString() == key)
            return index;
    }
    return {};
}

QString cell(const QModelIndex &index, int column, int role = Qt::DisplayRole)
{
    return index.siblingAtColumn(column).data(role).toString();
}

} // namespace

class TestJsonTreeModel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void topLevelInDocumentOrder();
    void duplicateKeysKept();
    void nestedRowsAndTypes();
    void valueTextIsCompactJson();
    void paths_data();
    void paths();
    void scalarRoot();
    void emptyAndInvalid();
    void cutDocument();
    void displayValuesAreCut();
    void parsedOnWorkerThread();
    void largeDocument();
};

void TestJsonTreeModel::topLevelInDocumentOrder()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson(Commit);
    QVERIFY(model.tree()->isComplete());
    QCOMPARE(model.columnCount(), int(JsonTreeModel::ColumnCount));
    QCOMPARE(model.headerData(JsonTreeModel::KeyColumn, Qt::Horizontal).toString(), QStringLiteral("Key"));
    QCOMPARE(model.headerData(JsonTreeModel::ValueColumn, Qt::Horizontal).toString(), QStringLiteral("Value"));
    QCOMPARE(model.headerData(JsonTreeModel::TypeColumn, Qt::Horizontal).toString(), QStringLiteral("Type"));
    QStringList keys;
    for (int row = 0; row < model.rowCount(); ++row)
        keys += model.index(row, JsonTreeModel::KeyColumn).data().toString();
    QCOMPARE(keys, (QStringList{QStringLiteral("storeRevision"), QStringLiteral("streamId"), QStringLiteral("events"),
                                QStringLiteral("headers"), QStringLiteral("a key"), QStringLiteral("k"),
                                QStringLiteral("k")}));
}

void TestJsonTreeModel::duplicateKeysKept()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson(Commit);
    QCOMPARE(cell(model.index(5, 0), JsonTreeModel::ValueColumn), QStringLiteral("v"));
    QCOMPARE(cell(model.index(6, 0), JsonTreeModel::ValueColumn), QStringLiteral("w"));
    // JsonTree::member finds the first of duplicate keys.
    const JsonTree &tree = *model.tree();
    QCOMPARE(tree.valueBytes(tree.member(tree.root(), "k")), QByteArrayView("\"v\""));
}

void TestJsonTreeModel::nestedRowsAndTypes()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson(Commit);
    const QModelIndex events = childByKey(model, {}, QStringLiteral("events"));
    QVERIFY(events.isValid());
    QCOMPARE(cell(events, JsonTreeModel::TypeColumn), QStringLiteral("array (3)"));
    QCOMPARE(model.rowCount(events), 3);
    QVERIFY(model.hasChildren(events));
    QCOMPARE(model.rowCount(events.siblingAtColumn(JsonTreeModel::ValueColumn)), 0);
    const QModelIndex second = model.index(1, 0, events);
    QCOMPARE(second.data().toString(), QStringLiteral("1"));
    QCOMPARE(second.parent(), events);
    QCOMPARE(cell(second, JsonTreeModel::TypeColumn), QStringLiteral("object (2)"));
    QCOMPARE(cell(second, JsonTreeModel::ValueColumn),
             QStringLiteral("{\"type\":\"Changed\",\"amount\":12345678901234567890}"));
    const QModelIndex amount = model.index(1, 0, second);
    QCOMPARE(amount.data().toString(), QStringLiteral("amount"));
    QCOMPARE(cell(amount, JsonTreeModel::ValueColumn), QStringLiteral("12345678901234567890"));
    QCOMPARE(cell(amount, JsonTreeModel::TypeColumn), QStringLiteral("number"));
    QCOMPARE(amount.data(JsonTreeModel::TypeRole).toInt(), int(JsonTree::Type::Number));
    QVERIFY(!model.hasChildren(amount));
    QCOMPARE(model.parent(amount), second);

    const QModelIndex flags = childByKey(model, {}, QStringLiteral("a key"));
    QCOMPARE(cell(model.index(0, 0, flags), JsonTreeModel::TypeColumn), QStringLiteral("boolean"));
    QCOMPARE(cell(model.index(1, 0, flags), JsonTreeModel::ValueColumn), QStringLiteral("false"));
    QCOMPARE(cell(model.index(2, 0, flags), JsonTreeModel::TypeColumn), QStringLiteral("null"));
    QCOMPARE(cell(childByKey(model, {}, QStringLiteral("streamId")), JsonTreeModel::TypeColumn),
             QStringLiteral("string"));
    const QModelIndex headers = childByKey(model, {}, QStringLiteral("headers"));
    QCOMPARE(cell(headers, JsonTreeModel::TypeColumn), QStringLiteral("object (0)"));
    QVERIFY(!model.hasChildren(headers));
}

void TestJsonTreeModel::valueTextIsCompactJson()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson("{ \"e\" : [ { \"type\" : \"A\" , \"n\" : 1.50 } ],\n \"s\" : \"a \\\"b\\\"\" }");
    const QModelIndex e = model.index(0, JsonTreeModel::ValueColumn);
    QCOMPARE(e.data(JsonTreeModel::ValueTextRole).toString(), QStringLiteral("[{\"type\":\"A\",\"n\":1.50}]"));
    QCOMPARE(model.index(0, 0, e.siblingAtColumn(0)).data(JsonTreeModel::ValueTextRole).toString(),
             QStringLiteral("{\"type\":\"A\",\"n\":1.50}"));
    // A string's value text is its JSON literal, escapes and all; its display text is decoded.
    QCOMPARE(model.index(1, 0).data(JsonTreeModel::ValueTextRole).toString(), QStringLiteral("\"a \\\"b\\\"\""));
    QCOMPARE(model.index(1, JsonTreeModel::ValueColumn).data().toString(), QStringLiteral("a \"b\""));
}

void TestJsonTreeModel::paths_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QList<int>>("rows");
    QTest::addColumn<QString>("path");
    QTest::newRow("member") << Commit << QList<int>{1} << QStringLiteral("$.streamId");
    QTest::newRow("array element member") << Commit << QList<int>{2, 2, 1} << QStringLiteral("$.events[2].amount");
    QTest::newRow("key with space") << Commit << QList<int>{4, 0} << QStringLiteral("$[\"a key\"][0]");
    QTest::newRow("key starting with digit")
        << QByteArray("{\"1x\":1}") << QList<int>{0} << QStringLiteral("$[\"1x\"]");
    QTest::newRow("key with quote kept escaped")
        << QByteArray("{\"a\\\"b\":{\"c_1\":2}}") << QList<int>{0, 0} << QStringLiteral("$[\"a\\\"b\"].c_1");
    QTest::newRow("non-ascii key") << QByteArray("{\"Zo\xc3\xab\":1}") << QList<int>{0} << QStringLiteral("$[\"Zoë\"]");
    QTest::newRow("empty key") << QByteArray("{\"\":1}") << QList<int>{0} << QStringLiteral("$[\"\"]");
    QTest::newRow("root array") << QByteArray("[[1,[2]]]") << QList<int>{0, 1, 0} << QStringLiteral("$[0][1][0]");
}

void TestJsonTreeModel::paths()
{
    QFETCH(QByteArray, json);
    QFETCH(QList<int>, rows);
    QFETCH(QString, path);
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson(json);
    QModelIndex index;
    for (int row : rows)
        index = model.index(row, 0, index);
    QVERIFY(index.isValid());
    QCOMPARE(index.data(JsonTreeModel::PathRole).toString(), path);
    QCOMPARE(index.siblingAtColumn(JsonTreeModel::TypeColumn).data(JsonTreeModel::PathRole).toString(), path);
}

void TestJsonTreeModel::scalarRoot()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson(" \"just text\" ");
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex root = model.index(0, 0);
    QCOMPARE(root.data().toString(), QStringLiteral("$"));
    QCOMPARE(root.data(JsonTreeModel::PathRole).toString(), QStringLiteral("$"));
    QCOMPARE(cell(root, JsonTreeModel::ValueColumn), QStringLiteral("just text"));
    QVERIFY(!root.parent().isValid());
    QVERIFY(model.tree()->isComplete());
}

void TestJsonTreeModel::emptyAndInvalid()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 0);
    model.setJson({});
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.tree()->isComplete());
    model.setJson("\xff\xfe binary");
    QCOMPARE(model.rowCount(), 0);
    model.setJson("{}");
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.tree()->isComplete());
    model.setJson("{} trailing");
    QVERIFY(!model.tree()->isComplete());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestJsonTreeModel::cutDocument()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    // Every prefix parses without a crash, and the tree never claims more than the prefix holds.
    for (qsizetype cut = 0; cut < Commit.size(); ++cut) {
        model.setJson(Commit.first(cut));
        QVERIFY(!model.tree()->isComplete());
        for (int node = 0; node < model.tree()->nodeCount(); ++node) {
            const QByteArrayView value = model.tree()->valueBytes(node);
            QVERIFY(value.data() + value.size() <= model.tree()->bytes().constData() + cut);
        }
    }
    model.setJson("{\"events\":[{\"type\":\"A\"},{\"type\":\"B\",\"amount\":12");
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex events = model.index(0, 0);
    QCOMPARE(model.rowCount(events), 2);
    const QModelIndex second = model.index(1, 0, events);
    QCOMPARE(model.rowCount(second), 2);
    QCOMPARE(cell(model.index(1, 0, second), JsonTreeModel::ValueColumn), QStringLiteral("12"));
    // A string cut in the middle is kept as far as it goes.
    model.setJson("[\"complete\",\"cut off");
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model.index(1, 0), JsonTreeModel::ValueColumn), QStringLiteral("cut off"));
}

void TestJsonTreeModel::displayValuesAreCut()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QByteArray longString(100000, 'x');
    model.setJson("[\"" + longString + "\",[\"" + longString + "\"],\"a\\nb\"]");
    const QString display = cell(model.index(0, 0), JsonTreeModel::ValueColumn);
    QCOMPARE(display, QString(JsonTreeModel::DisplayChars, u'x') + u'…');
    QCOMPARE(cell(model.index(1, 0), JsonTreeModel::ValueColumn).size(), JsonTreeModel::DisplayChars + 1);
    QCOMPARE(cell(model.index(2, 0), JsonTreeModel::ValueColumn), QStringLiteral("a↵b"));
    // Copying gets the whole value.
    QCOMPARE(model.index(0, 0).data(JsonTreeModel::ValueTextRole).toString().size(), longString.size() + 2);
}

void TestJsonTreeModel::parsedOnWorkerThread()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QThread *worker = nullptr;
    const JsonTreePtr tree = QtConcurrent::run([&worker] {
                                 worker = QThread::currentThread();
                                 return JsonTree::parse(Commit);
                             }).result();
    QVERIFY(worker && worker != QThread::currentThread());
    model.setTree(tree);
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(model.tree(), tree);
}

void TestJsonTreeModel::largeDocument()
{
    // 600k values: an events array of 100k objects of four members, one of them an array.
    QByteArray json = "{\"events\":[";
    for (int i = 0; i < 100000; ++i) {
        if (i)
            json += ',';
        json += "{\"type\":\"Deposited\",\"amount\":" + QByteArray::number(i) + ",\"tags\":[\"a\"],\"n\":null}";
    }
    json += "]}";
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setJson(json);
    QCOMPARE(model.tree()->nodeCount(), 2 + 100000 * 6);
    const QModelIndex events = model.index(0, 0);
    QCOMPARE(model.rowCount(events), 100000);
    const QModelIndex last = model.index(99999, 0, events);
    QCOMPARE(cell(model.index(1, 0, last), JsonTreeModel::ValueColumn), QStringLiteral("99999"));
    QCOMPARE(model.index(1, 0, last).data(JsonTreeModel::PathRole).toString(),
             QStringLiteral("$.events[99999].amount"));
    // Compact: a few dozen bytes a value beside the document.
    QVERIFY2(model.tree()->memoryUsage() < 50 * model.tree()->nodeCount(),
             QByteArray::number(model.tree()->memoryUsage()).constData());
}

QTEST_MAIN(TestJsonTreeModel)
#include "tst_jsontreemodel.moc"
