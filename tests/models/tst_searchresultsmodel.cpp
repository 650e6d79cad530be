// The search results model under a Fatal QAbstractItemModelTester: batches appended, rows already present not added
// again, the limit, clear; and what SearchResultMaker says matched (text and regex in context, the type, one line).
#include "searchresultsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;

class TestSearchResultsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsInBatchesWithoutDuplicates();
    void staysWithinItsLimit();
    void clearEmpties();
    void makerShowsWhatMatched();
    void makerKeepsOneLine();
};

namespace {

SearchResult result(const QByteArray &stream, qint64 version)
{
    return SearchResult{stream, version, "e" + QByteArray::number(version), QStringLiteral("Deposited"),
                        QStringLiteral("preview %1").arg(version)};
}

EventRecord record(const QByteArray &payload)
{
    return EventRecord{"acc-1", 3, "e3", payload, false};
}

} // namespace

void TestSearchResultsModel::appendsInBatchesWithoutDuplicates()
{
    SearchResultsModel model(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QCOMPARE(model.append({result("a", 1), result("a", 2), result("b", 1)}), 3);
    QCOMPARE(inserted.size(), 1); // one batch, one insertion
    QCOMPARE(model.rowCount(), 3);
    // A second run over the same commits (a raised cap) adds only the new one.
    QCOMPARE(model.append({result("a", 1), result("a", 2), result("b", 1), result("b", 2)}), 1);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.append({result("a", 1)}), 0);
    QCOMPARE(inserted.size(), 2); // nothing new: no signal at all
    QVERIFY(model.contains("b", 2));
    QVERIFY(!model.contains("b", 3));

    const QModelIndex last = model.index(3, 0);
    QCOMPARE(last.data().toString(), QStringLiteral("b"));
    QCOMPARE(model.index(3, SearchResultsModel::VersionColumn).data().toLongLong(), 2LL);
    QCOMPARE(model.index(3, SearchResultsModel::IdColumn).data().toString(), QStringLiteral("e2"));
    QCOMPARE(model.index(3, SearchResultsModel::TypeColumn).data().toString(), QStringLiteral("Deposited"));
    QCOMPARE(model.index(3, SearchResultsModel::MatchColumn).data().toString(), QStringLiteral("preview 2"));
    QCOMPARE(last.data(SearchResultsModel::StreamRole).toByteArray(), QByteArray("b"));
    QCOMPARE(last.data(SearchResultsModel::VersionRole).toLongLong(), 2LL);
    QCOMPARE(last.data(SearchResultsModel::IdRole).toByteArray(), QByteArray("e2"));
    QCOMPARE(model.headerData(SearchResultsModel::MatchColumn, Qt::Horizontal).toString(), QStringLiteral("Match"));
    QCOMPARE(model.columnCount(), int(SearchResultsModel::ColumnCount));
}

void TestSearchResultsModel::staysWithinItsLimit()
{
    SearchResultsModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QList<SearchResult> batch;
    for (int version = 1; version <= 4; ++version)
        batch.append(result("a", version));
    QCOMPARE(model.append(batch), 4);
    QVERIFY(!model.isFull());
    batch.clear();
    for (int version = 5; version <= 9; ++version)
        batch.append(result("a", version));
    QCOMPARE(model.append(batch), 1);
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(model.isFull());
    QCOMPARE(model.resultAt(4).version, 5LL);
    QCOMPARE(model.append({result("z", 1)}), 0);
    QCOMPARE(model.rowCount(), 5);
}

void TestSearchResultsModel::clearEmpties()
{
    SearchResultsModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.append({result("a", 1), result("a", 2)});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.clear();
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.contains("a", 1));
    // After a clear the same commits are new again.
    QCOMPARE(model.append({result("a", 1)}), 1);
}

void TestSearchResultsModel::makerShowsWhatMatched()
{
    const QByteArray payload = R"({"type":"Deposited","data":{"amount":120},"note":")" + QByteArray(100, 'x')
                               + R"( needle )" + QByteArray(100, 'y') + R"("})";
    SearchQuery text;
    text.text = "needle";
    const SearchResult byText = SearchResultMaker(StoreLayout::seed(), text).make(record(payload));
    QCOMPARE(byText.stream, QByteArray("acc-1"));
    QCOMPARE(byText.version, 3LL);
    QCOMPARE(byText.id, QByteArray("e3"));
    QCOMPARE(byText.type, QStringLiteral("Deposited"));
    // The match with its context, cut with ellipses on both sides.
    const QString around = QString(QChar(0x2026)) + QString(SearchResultMaker::Context - 1, QLatin1Char('x'))
                           + QStringLiteral(" needle ") + QString(SearchResultMaker::Context - 1, QLatin1Char('y'))
                           + QChar(0x2026);
    QCOMPARE(byText.match, around);

    SearchQuery regex;
    regex.regex = QStringLiteral("amount\":\\d+");
    const SearchResult byRegex = SearchResultMaker(StoreLayout::seed(), regex).make(record(payload));
    QVERIFY2(byRegex.match.contains(QStringLiteral("amount\":120")), qPrintable(byRegex.match));
    QVERIFY(byRegex.match.startsWith(QStringLiteral("{\"type\""))); // near the start: nothing cut there
    QVERIFY(byRegex.match.endsWith(QChar(0x2026)));

    // A predicate or a type: the payload's preview.
    SearchQuery where;
    where.where = QStringLiteral("data.amount > 100");
    const SearchResult byPredicate = SearchResultMaker(StoreLayout::seed(), where).make(record(payload));
    QCOMPARE(byPredicate.type, QStringLiteral("Deposited"));
    QVERIFY2(!byPredicate.match.isEmpty(), "a preview of the payload");
    QVERIFY(byPredicate.match.contains(QStringLiteral("Deposited")));
}

void TestSearchResultsModel::makerKeepsOneLine()
{
    SearchQuery text;
    text.text = "Deposited";
    const SearchResult binary
        = SearchResultMaker(StoreLayout::seed(), text).make(record(QByteArray("\x00\xff Deposited\x01\nmore", 18)));
    QVERIFY2(binary.match.contains(QStringLiteral("Deposited")), qPrintable(binary.match));
    for (const QChar c : binary.match)
        QVERIFY2(c.category() != QChar::Other_Control, qPrintable(binary.match));
}

QTEST_GUILESS_MAIN(TestSearchResultsModel)
#include "tst_searchresultsmodel.moc"
