#include "storelayout.h"
#include "streamlistmodel.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

#include <algorithm>
#include <numeric>
#include <random>

using namespace Eventscope;

namespace {

StreamInfo stream(const QByteArray &name, qint64 version)
{
    return StreamInfo{"blog:stream:" + name, name, version};
}

// The names of rows 1.., in row order.
QByteArrayList shownNames(const StreamListModel &model)
{
    QByteArrayList names;
    for (int row = 1; row < model.rowCount(); ++row)
        names.append(model.index(row, StreamListModel::NameColumn).data(StreamListModel::StreamNameRole).toByteArray());
    return names;
}

qint64 versionAt(const StreamListModel &model, int row)
{
    return model.index(row, StreamListModel::VersionColumn).data(StreamListModel::VersionRole).toLongLong();
}

// Streams named prefix-N, so that the expected order is computed plainly: natural order is by prefix (bytes), then
// N by value.
struct Named
{
    QByteArray prefix;
    int number = 0;
    qint64 version = 0;
    QByteArray name() const { return prefix + '-' + QByteArray::number(number); }
};

// Above the model's limit for sorting at once, so it sorts on a worker.
constexpr int ManyStreams = 50'000;

// count streams numbered from firstNumber, prefixes in turn (so order-777 and customer-4002 exist), shuffled.
std::vector<Named> manyStreams(int count, int firstNumber, std::mt19937 &random)
{
    static const QByteArrayList prefixes = {"order", "customer", "Invoice", "order-line"};
    std::vector<Named> streams;
    std::uniform_int_distribution<int> version(0, 40);
    for (int i = 0; i < count; ++i)
        streams.push_back(Named{prefixes.at(i % prefixes.size()), firstNumber + i, version(random)});
    std::shuffle(streams.begin(), streams.end(), random);
    return streams;
}

void addAll(StreamListModel &model, const std::vector<Named> &streams)
{
    QList<StreamInfo> batch;
    for (const Named &named : streams) {
        batch.append(StreamInfo{named.name(), named.name(), named.version});
        if (batch.size() == 1000) {
            model.addStreams(batch);
            batch.clear();
        }
    }
    model.addStreams(batch);
}

// What the model should show: filtered by a case-insensitive substring, sorted plainly.
QByteArrayList expectedNames(std::vector<Named> streams, int column, Qt::SortOrder order, const QByteArray &filter = {})
{
    std::erase_if(streams, [&](const Named &s) { return !s.name().toLower().contains(filter.toLower()); });
    const auto byName = [](const Named &a, const Named &b) {
        return a.prefix != b.prefix ? a.prefix < b.prefix : a.number < b.number;
    };
    if (column == StreamListModel::NameColumn) {
        std::sort(streams.begin(), streams.end(), byName);
        if (order == Qt::DescendingOrder)
            std::reverse(streams.begin(), streams.end());
    } else if (column == StreamListModel::VersionColumn) {
        std::sort(streams.begin(), streams.end(), [&](const Named &a, const Named &b) {
            if (a.version != b.version)
                return order == Qt::AscendingOrder ? a.version < b.version : a.version > b.version;
            return byName(a, b);
        });
    }
    QByteArrayList names;
    for (const Named &named : streams)
        names.append(named.name());
    return names;
}

// The selected stream, as a view keeps it: the current index, on the one selected row.
QByteArray selectedName(const QItemSelectionModel &selection)
{
    const QModelIndex current = selection.currentIndex();
    if (!current.isValid() || !selection.isRowSelected(current.row(), {}) || selection.selectedRows().size() != 1)
        return {};
    return current.data(StreamListModel::StreamNameRole).toByteArray();
}

} // namespace

class TestStreamListModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void allRowFromTheStart();
    void batchesApplyOnTheTimer();
    void deduplicates();
    void sortsByNameNaturally_data();
    void sortsByNameNaturally();
    void staysSortedByNameWhileBatchesArrive();
    void sortsByVersion_data();
    void sortsByVersion();
    void filtersWhileBatchesArrive();
    void filtersNonAsciiNames();
    void updatesVersions();
    void movesRowsWhenSortedByVersion();
    void clears();
    void roles();
    void roundTripsHundredThousandStreams();
    void sortsAndFiltersManyOnAWorker();
    void takesInWhatArrivesDuringASort_data();
    void takesInWhatArrivesDuringASort();
    void newerRequestSupersedesOlder();
};

void TestStreamListModel::allRowFromTheStart()
{
    StreamListModel model(StoreLayout::zilverline("blog"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.columnCount(), int(StreamListModel::ColumnCount));
    QCOMPARE(model.streamCount(), 0);
    const QModelIndex name = model.index(0, StreamListModel::NameColumn);
    const QModelIndex version = model.index(0, StreamListModel::VersionColumn);
    QCOMPARE(name.data().toString(), QStringLiteral("$all"));
    QCOMPARE(name.data(StreamListModel::IsAllRole).toBool(), true);
    QCOMPARE(version.data().toString(), QStringLiteral("0"));
    QCOMPARE(model.nameAt(0), QByteArray("$all"));
    QCOMPARE(model.rowOf("$all"), 0);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setStoreRevision(1234567);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), version);
    QCOMPARE(version.data().toString(), QStringLiteral("1234567"));
    QCOMPARE(version.data(StreamListModel::VersionRole).toLongLong(), 1234567);
    QCOMPARE(model.storeRevision(), 1234567);
    model.setStoreRevision(1234567);
    QCOMPARE(changed.size(), 1);
}

void TestStreamListModel::batchesApplyOnTheTimer()
{
    StreamListModel model(QByteArray("blog:stream:"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy counted(&model, &StreamListModel::streamCountChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.addStreams({stream("post-3", 3), stream("post-1", 1), stream("post-2", 2)});
    // Queued only: nothing shows before the apply tick.
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.streamCount(), 0);
    model.addStreams({stream("post-4", 4)});

    QTRY_COMPARE(model.rowCount(), 5);
    QCOMPARE(model.streamCount(), 4);
    QCOMPARE(inserted.size(), 1); // both batches in one tick, appended at the end
    QCOMPARE(inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.at(0).at(2).toInt(), 4);
    QCOMPARE(counted.size(), 1);
    QCOMPARE(counted.at(0).at(0).toInt(), 4);
    // Unsorted rows keep scan order.
    QCOMPARE(shownNames(model), QByteArrayList({"post-3", "post-1", "post-2", "post-4"}));
    QCOMPARE(versionAt(model, 1), 3);

    model.addStreams({stream("post-5", 5)});
    QTRY_COMPARE(model.rowCount(), 6);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 5);
}

void TestStreamListModel::deduplicates()
{
    StreamListModel model(QByteArray("blog:stream:"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    // SCAN may return a key twice, within a batch or across batches; the higher version wins.
    model.addStreams({stream("a", 1), stream("b", 2), stream("a", 4), stream("a", 3)});
    QTRY_COMPARE(model.streamCount(), 2);
    QCOMPARE(shownNames(model), QByteArrayList({"a", "b"}));
    QCOMPARE(versionAt(model, model.rowOf("a")), 4);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy counted(&model, &StreamListModel::streamCountChanged);
    model.addStreams({stream("b", 1), stream("c", 1), stream("b", 7)});
    QTRY_COMPARE(model.streamCount(), 3);
    QCOMPARE(shownNames(model), QByteArrayList({"a", "b", "c"}));
    QCOMPARE(versionAt(model, model.rowOf("b")), 7);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(model.rowOf("b"), StreamListModel::VersionColumn));

    // A lower version for a known stream changes nothing.
    model.addStreams({stream("b", 2), stream("d", 1)});
    QTRY_COMPARE(model.streamCount(), 4);
    QCOMPARE(versionAt(model, model.rowOf("b")), 7);
    QCOMPARE(changed.size(), 1);
}

void TestStreamListModel::sortsByNameNaturally_data()
{
    QTest::addColumn<QByteArrayList>("names");
    QTest::addColumn<QByteArrayList>("ascending");

    QTest::newRow("numbers by value") << QByteArrayList{"customer-10", "customer-2", "customer-1", "customer-100"}
                                      << QByteArrayList{"customer-1", "customer-2", "customer-10", "customer-100"};
    // Equal by value, the bytes decide; a missing number sorts first.
    QTest::newRow("leading zeros") << QByteArrayList{"customer-2", "customer-02", "customer-", "customer-1"}
                                   << QByteArrayList{"customer-", "customer-1", "customer-02", "customer-2"};
    QTest::newRow("long runs") << QByteArrayList{"x100000000000", "x99999999", "x123456789", "x9"}
                               << QByteArrayList{"x9", "x99999999", "x123456789", "x100000000000"};
    QTest::newRow("several runs") << QByteArrayList{"a1b10", "a1b2", "a01", "a2b1"}
                                  << QByteArrayList{"a01", "a1b2", "a1b10", "a2b1"};
    // Bytes otherwise, case-sensitive as Redis orders keys; a digit sorts against a byte as the digit itself.
    QTest::newRow("bytes") << QByteArrayList{"order", "Order", "order-1", "order1", "order_1"}
                           << QByteArrayList{"Order", "order", "order-1", "order1", "order_1"};
    QTest::newRow("beyond the inline key")
        << QByteArrayList{"tenant-acme-corporation:customer-10", "tenant-acme-corporation:customer-9",
                          "tenant-acme-corporation:customer-100", "tenant-acme-corporation:a"}
        << QByteArrayList{"tenant-acme-corporation:a", "tenant-acme-corporation:customer-9",
                          "tenant-acme-corporation:customer-10", "tenant-acme-corporation:customer-100"};
}

void TestStreamListModel::sortsByNameNaturally()
{
    QFETCH(QByteArrayList, names);
    QFETCH(QByteArrayList, ascending);
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QList<StreamInfo> batch;
    for (const QByteArray &name : names)
        batch.append(StreamInfo{name, name, 1});
    model.addStreams(batch);
    QTRY_COMPARE(model.streamCount(), int(names.size()));
    QCOMPARE(shownNames(model), names);

    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    QCOMPARE(model.sortColumn(), int(StreamListModel::NameColumn));
    QCOMPARE(shownNames(model), ascending);
    QCOMPARE(model.nameAt(0), QByteArray("$all"));
    for (int row = 1; row < model.rowCount(); ++row)
        QCOMPARE(model.rowOf(model.nameAt(row)), row);

    model.sort(StreamListModel::NameColumn, Qt::DescendingOrder);
    QByteArrayList descending = ascending;
    std::reverse(descending.begin(), descending.end());
    QCOMPARE(shownNames(model), descending);

    // No column: back to scan order.
    model.sort(-1);
    QCOMPARE(shownNames(model), names);
}

void TestStreamListModel::staysSortedByNameWhileBatchesArrive()
{
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addStreams({stream("customer-5", 5), stream("customer-50", 50), stream("customer-1", 1)});
    QTRY_COMPARE(model.streamCount(), 3);
    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    QCOMPARE(shownNames(model), QByteArrayList({"customer-1", "customer-5", "customer-50"}));

    const QPersistentModelIndex five = model.index(model.rowOf("customer-5"), StreamListModel::VersionColumn);
    const QPersistentModelIndex all = model.index(0, StreamListModel::NameColumn);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    model.addStreams({stream("customer-40", 40), stream("customer-2", 2), stream("customer-100", 100)});
    model.addStreams({stream("customer-3", 3), stream("customer-0", 0)});
    QTRY_COMPARE(model.rowCount(), 9);
    QCOMPARE(layout.size(), 1); // all of a tick's rows merge in at once
    QCOMPARE(shownNames(model), QByteArrayList({"customer-0", "customer-1", "customer-2", "customer-3", "customer-5",
                                                "customer-40", "customer-50", "customer-100"}));
    QVERIFY(five.isValid());
    QCOMPARE(five.row(), 5);
    QCOMPARE(five.column(), int(StreamListModel::VersionColumn));
    QCOMPARE(five.data(StreamListModel::StreamNameRole).toByteArray(), QByteArray("customer-5"));
    QCOMPARE(all.row(), 0);

    // Rows that all sort after the last are appended without a layout change.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addStreams({stream("customer-200", 1), stream("customer-300", 1)});
    QTRY_COMPARE(model.rowCount(), 11);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(layout.size(), 1);
    QCOMPARE(model.nameAt(10), QByteArray("customer-300"));

    model.sort(StreamListModel::NameColumn, Qt::DescendingOrder);
    QCOMPARE(five.data(StreamListModel::StreamNameRole).toByteArray(), QByteArray("customer-5"));
    model.addStreams({stream("customer-4", 4), stream("customer-1000", 1000), stream("customer-00", 0)});
    QTRY_COMPARE(model.rowCount(), 14);
    const QByteArrayList names = shownNames(model);
    QCOMPARE(names.first(), QByteArray("customer-1000"));
    QCOMPARE(names.last(), QByteArray("customer-0"));
    QCOMPARE(names.at(names.indexOf("customer-4") + 1), QByteArray("customer-3"));
    QCOMPARE(names.at(names.indexOf("customer-5") + 1), QByteArray("customer-4"));
    QCOMPARE(five.row(), model.rowOf("customer-5"));
    QCOMPARE(five.data(StreamListModel::StreamNameRole).toByteArray(), QByteArray("customer-5"));
}

void TestStreamListModel::sortsByVersion_data()
{
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QByteArrayList>("before");
    QTest::addColumn<QByteArrayList>("after");

    // Ties go by name ascending in both orders.
    QTest::newRow("ascending") << Qt::AscendingOrder << QByteArrayList{"d", "b", "a", "c"}
                               << QByteArrayList{"d", "e", "b", "a", "c", "f"};
    QTest::newRow("descending") << Qt::DescendingOrder << QByteArrayList{"a", "c", "b", "d"}
                                << QByteArrayList{"f", "a", "c", "b", "e", "d"};
}

void TestStreamListModel::sortsByVersion()
{
    QFETCH(Qt::SortOrder, order);
    QFETCH(QByteArrayList, before);
    QFETCH(QByteArrayList, after);
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.sort(StreamListModel::VersionColumn, order);
    model.addStreams({stream("c", 5), stream("a", 5), stream("b", 3), stream("d", 1)});
    QTRY_COMPARE(model.rowCount(), 5);
    QCOMPARE(shownNames(model), before);

    const QPersistentModelIndex b = model.index(model.rowOf("b"), StreamListModel::NameColumn);
    model.addStreams({stream("e", 2), stream("f", 9)});
    QTRY_COMPARE(model.rowCount(), 7);
    QCOMPARE(shownNames(model), after);
    QCOMPARE(b.row(), model.rowOf("b"));
    QCOMPARE(b.data(StreamListModel::StreamNameRole).toByteArray(), QByteArray("b"));
}

void TestStreamListModel::filtersWhileBatchesArrive()
{
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addStreams({stream("Order-1", 1), stream("customer-1", 1), stream("order-2", 2), stream("CUSTOMER-2", 2)});
    QTRY_COMPARE(model.streamCount(), 4);
    const QPersistentModelIndex customer = model.index(model.rowOf("customer-1"), StreamListModel::NameColumn);
    const QPersistentModelIndex order = model.index(model.rowOf("order-2"), StreamListModel::NameColumn);
    const QPersistentModelIndex first = model.index(model.rowOf("Order-1"), StreamListModel::NameColumn);

    model.setTextFilter(QStringLiteral("ORDER"));
    QCOMPARE(model.textFilter(), QStringLiteral("ORDER"));
    QCOMPARE(shownNames(model), QByteArrayList({"Order-1", "order-2"}));
    QCOMPARE(model.streamCount(), 4); // loaded, not shown
    QVERIFY(!customer.isValid());
    QCOMPARE(order.row(), 2);
    QCOMPARE(model.rowOf("customer-1"), -1);

    // New rows respect the filter, unsorted and sorted.
    model.addStreams({stream("invoice-1", 1), stream("reorder-3", 3)});
    QTRY_COMPARE(model.streamCount(), 6);
    QCOMPARE(shownNames(model), QByteArrayList({"Order-1", "order-2", "reorder-3"}));
    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    model.addStreams({stream("order-10", 10), stream("customer-3", 3), stream("ORDER-0", 0)});
    QTRY_COMPARE(shownNames(model), QByteArrayList({"ORDER-0", "Order-1", "order-2", "order-10", "reorder-3"}));
    QCOMPARE(model.streamCount(), 9);

    // Narrowing keeps the order; widening brings the rest back, sorted.
    model.setTextFilter(QStringLiteral("order-1"));
    QCOMPARE(shownNames(model), QByteArrayList({"Order-1", "order-10"}));
    QVERIFY(!order.isValid());
    model.setTextFilter(QString());
    QCOMPARE(shownNames(model), QByteArrayList({"CUSTOMER-2", "ORDER-0", "Order-1", "customer-1", "customer-3",
                                                "invoice-1", "order-2", "order-10", "reorder-3"}));
    QCOMPARE(first.row(), model.rowOf("Order-1"));
    QCOMPARE(first.data().toString(), QStringLiteral("Order-1"));
}

void TestStreamListModel::filtersNonAsciiNames()
{
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addStreams({stream("\xc3\x84rger-1", 1), stream("arger-2", 2), stream("caf\xc3\xa9-3", 3)});
    QTRY_COMPARE(model.streamCount(), 3);
    model.setTextFilter(QStringLiteral("\u00e4r"));
    QCOMPARE(shownNames(model), QByteArrayList({"\xc3\x84rger-1"}));
    model.setTextFilter(QStringLiteral("CAF\u00c9"));
    QCOMPARE(shownNames(model), QByteArrayList({"caf\xc3\xa9-3"}));
    model.setTextFilter(QStringLiteral("R"));
    QCOMPARE(shownNames(model), QByteArrayList({"\xc3\x84rger-1", "arger-2"}));
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("\u00c4rger-1"));
}

void TestStreamListModel::updatesVersions()
{
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addStreams({stream("a", 1), stream("b", 2)});
    QTRY_COMPARE(model.streamCount(), 2);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy counted(&model, &StreamListModel::streamCountChanged);
    model.updateVersion("a", 5);
    QCOMPARE(changed.size(), 1);
    const QModelIndex a = model.index(model.rowOf("a"), StreamListModel::VersionColumn);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), a);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), a);
    QCOMPARE(a.data().toString(), QStringLiteral("5"));

    // Versions only grow: an older figure is ignored.
    model.updateVersion("a", 3);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(a.data(StreamListModel::VersionRole).toLongLong(), 5);

    // An unknown stream is added at once.
    model.updateVersion("z", 7);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.streamCount(), 3);
    QCOMPARE(counted.size(), 1);
    QCOMPARE(model.rowOf("z"), 3);
    QCOMPARE(versionAt(model, 3), 7);

    // One that is filtered out is loaded but not shown.
    model.setTextFilter(QStringLiteral("a"));
    model.updateVersion("q", 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.streamCount(), 4);
    QCOMPARE(model.rowOf("q"), -1);
    model.updateVersion("b", 9);
    QCOMPARE(changed.size(), 1);
    model.setTextFilter(QString());
    QCOMPARE(versionAt(model, model.rowOf("b")), 9);

    // A scan batch that comes later with an older version does not undo it.
    model.addStreams({stream("z", 6), stream("y", 1)});
    QTRY_COMPARE(model.streamCount(), 5);
    QCOMPARE(versionAt(model, model.rowOf("z")), 7);
}

void TestStreamListModel::movesRowsWhenSortedByVersion()
{
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addStreams({stream("a", 5), stream("b", 2), stream("z", 7)});
    QTRY_COMPARE(model.streamCount(), 3);
    model.sort(StreamListModel::VersionColumn, Qt::AscendingOrder);
    QCOMPARE(shownNames(model), QByteArrayList({"b", "a", "z"}));

    const QPersistentModelIndex b = model.index(1, StreamListModel::NameColumn);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.updateVersion("b", 10);
    QCOMPARE(moved.size(), 1);
    QCOMPARE(shownNames(model), QByteArrayList({"a", "z", "b"}));
    QCOMPARE(b.row(), 3);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(3, StreamListModel::VersionColumn));

    // Still between its neighbours: no move.
    model.updateVersion("a", 6);
    QCOMPARE(moved.size(), 1);
    QCOMPARE(shownNames(model), QByteArrayList({"a", "z", "b"}));
    QCOMPARE(versionAt(model, 1), 6);

    // Upwards in descending order, and a tie that sorts by name.
    model.sort(StreamListModel::VersionColumn, Qt::DescendingOrder);
    QCOMPARE(shownNames(model), QByteArrayList({"b", "z", "a"}));
    model.updateVersion("a", 10);
    QCOMPARE(moved.size(), 2);
    QCOMPARE(shownNames(model), QByteArrayList({"a", "b", "z"}));
    QCOMPARE(b.row(), 2);

    model.updateVersion("c", 8);
    QCOMPARE(shownNames(model), QByteArrayList({"a", "b", "c", "z"}));
    model.addStreams({stream("z", 11)});
    QTRY_COMPARE(shownNames(model), QByteArrayList({"z", "a", "b", "c"}));
    QCOMPARE(b.row(), model.rowOf("b"));
}

void TestStreamListModel::clears()
{
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStoreRevision(99);
    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    model.setTextFilter(QStringLiteral("keep"));
    model.addStreams({stream("keep-1", 1), stream("drop-1", 1)});
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.streamCount(), 2);
    const QPersistentModelIndex all = model.index(0, StreamListModel::VersionColumn);
    const QPersistentModelIndex keep = model.index(1, StreamListModel::NameColumn);

    QSignalSpy counted(&model, &StreamListModel::streamCountChanged);
    model.addStreams({stream("queued-1", 1)});
    model.clear();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.streamCount(), 0);
    QCOMPARE(counted.size(), 1);
    QCOMPARE(counted.at(0).at(0).toInt(), 0);
    QCOMPARE(all.row(), 0);
    QVERIFY(!keep.isValid());
    QCOMPARE(model.storeRevision(), 99);
    QCOMPARE(model.rowOf("keep-1"), -1);

    // What was queued before clear() never shows up: the next batch comes in alone, filtered and sorted.
    model.addStreams({stream("keep-3", 1), stream("keep-2", 1), stream("drop-2", 1)});
    QTRY_COMPARE(shownNames(model), QByteArrayList({"keep-2", "keep-3"}));
    QCOMPARE(model.streamCount(), 3);
    model.setTextFilter(QString());
    QCOMPARE(shownNames(model), QByteArrayList({"drop-2", "keep-2", "keep-3"}));
}

void TestStreamListModel::roles()
{
    StreamListModel model(StoreLayout::zilverline("blog"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    // A batch entry without a name is named from its key.
    model.addStreams({stream("post-1", 12), StreamInfo{"blog:stream:post-2", {}, 3}});
    QTRY_COMPARE(model.streamCount(), 2);

    const QModelIndex name = model.index(1, StreamListModel::NameColumn);
    const QModelIndex version = model.index(1, StreamListModel::VersionColumn);
    QCOMPARE(name.data().toString(), QStringLiteral("post-1"));
    QCOMPARE(version.data().toString(), QStringLiteral("12"));
    QCOMPARE(name.data(StreamListModel::StreamNameRole).toByteArray(), QByteArray("post-1"));
    QCOMPARE(version.data(StreamListModel::StreamKeyRole).toByteArray(), QByteArray("blog:stream:post-1"));
    QCOMPARE(name.data(StreamListModel::VersionRole).toLongLong(), 12);
    QCOMPARE(name.data(StreamListModel::IsAllRole).toBool(), false);
    QCOMPARE(name.data(Qt::ToolTipRole).toString(), QStringLiteral("blog:stream:post-1"));
    QCOMPARE(version.data(Qt::TextAlignmentRole).toInt(), int(Qt::AlignRight | Qt::AlignVCenter));
    QVERIFY(!name.data(Qt::TextAlignmentRole).isValid());
    QVERIFY(name.flags().testFlag(Qt::ItemNeverHasChildren));
    QCOMPARE(model.nameAt(2), QByteArray("post-2"));
    QCOMPARE(model.index(2, 0).data(StreamListModel::StreamKeyRole).toByteArray(), QByteArray("blog:stream:post-2"));
    QCOMPARE(model.nameAt(3), QByteArray());
    QCOMPARE(model.rowOf("post-3"), -1);

    const QModelIndex all = model.index(0, StreamListModel::NameColumn);
    QCOMPARE(all.data(StreamListModel::StreamNameRole).toByteArray(), QByteArray("$all"));
    QCOMPARE(all.data(StreamListModel::StreamKeyRole).toByteArray(), QByteArray());
    QVERIFY(!all.data(Qt::ToolTipRole).toString().isEmpty());

    QCOMPARE(model.headerData(StreamListModel::NameColumn, Qt::Horizontal).toString(), QStringLiteral("Name"));
    QCOMPARE(model.headerData(StreamListModel::VersionColumn, Qt::Horizontal).toString(), QStringLiteral("Version"));
}

void TestStreamListModel::roundTripsHundredThousandStreams()
{
    constexpr int Count = 100'000;
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QList<int> numbers(Count);
    std::iota(numbers.begin(), numbers.end(), 1);
    std::shuffle(numbers.begin(), numbers.end(), std::mt19937(42));

    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    for (int first = 0; first < Count; first += 1000) {
        QList<StreamInfo> batch;
        for (int i = first; i < first + 1000; ++i) {
            const QByteArray name = "customer-" + QByteArray::number(numbers.at(i));
            batch.append(StreamInfo{name, name, numbers.at(i) % 97});
        }
        model.addStreams(batch);
        if (first % 10'000 == 0)
            model.addStreams(batch.mid(0, 100)); // the odd repeat, as SCAN may send
    }
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), Count + 1, 120'000);
    QCOMPARE(model.streamCount(), Count);
    for (int number = 1; number <= Count; ++number) {
        const QByteArray name = "customer-" + QByteArray::number(number);
        QCOMPARE(model.nameAt(number), name);
        QCOMPARE(model.rowOf(name), number);
    }

    model.sort(StreamListModel::VersionColumn, Qt::DescendingOrder);
    QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering(), 60'000);
    for (int row = 2; row < model.rowCount(); ++row) {
        const qint64 previous = versionAt(model, row - 1);
        const qint64 current = versionAt(model, row);
        QVERIFY(previous > current
                || (previous == current && model.nameAt(row - 1).mid(9).toInt() < model.nameAt(row).mid(9).toInt()));
    }

    // Back to scan order.
    model.sort(-1);
    QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering(), 60'000);
    QCOMPARE(model.nameAt(1), QByteArray("customer-" + QByteArray::number(numbers.first())));
    QCOMPARE(model.nameAt(Count), QByteArray("customer-" + QByteArray::number(numbers.last())));
}

void TestStreamListModel::sortsAndFiltersManyOnAWorker()
{
    std::mt19937 random(7);
    const std::vector<Named> streams = manyStreams(ManyStreams, 1, random);
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    addAll(model, streams);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), ManyStreams + 1, 60'000);
    QCOMPARE(shownNames(model), expectedNames(streams, -1, Qt::AscendingOrder));
    QItemSelectionModel selection(&model);
    const QByteArray selected = "order-777";
    selection.setCurrentIndex(model.index(model.rowOf(selected), 0),
                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(selectedName(selection), selected);
    QSignalSpy reordering(&model, &StreamListModel::reorderingChanged);

    struct Step
    {
        int column;
        Qt::SortOrder order;
        QByteArray filter;
    };
    // Each step changes the order or the filter.
    const Step steps[] = {
        {StreamListModel::VersionColumn, Qt::AscendingOrder, {}},
        {StreamListModel::VersionColumn, Qt::DescendingOrder, {}},
        {StreamListModel::NameColumn, Qt::AscendingOrder, {}},
        {StreamListModel::NameColumn, Qt::DescendingOrder, {}},
        {StreamListModel::NameColumn, Qt::DescendingOrder, "ORDER-7"},
        {StreamListModel::NameColumn, Qt::AscendingOrder, "ORDER-7"},
        {StreamListModel::NameColumn, Qt::AscendingOrder, "order"},
        {StreamListModel::NameColumn, Qt::AscendingOrder, {}},
        {-1, Qt::AscendingOrder, {}},
    };
    for (const Step &step : steps) {
        const QByteArrayList before = shownNames(model);
        const qsizetype changes = reordering.size();
        if (step.column != model.sortColumn() || step.order != model.sortOrder())
            model.sort(step.column, step.order);
        else
            model.setTextFilter(QString::fromLatin1(step.filter));
        // Computed on a worker: the rows keep their order until it is done.
        QVERIFY(model.isReordering());
        QCOMPARE(reordering.size(), changes + 1);
        QCOMPARE(reordering.last().at(0).toBool(), true);
        QCOMPARE(model.sortColumn(), step.column);
        QCOMPARE(model.textFilter(), QString::fromLatin1(step.filter));
        QCOMPARE(model.nameAt(1), before.first());
        QCOMPARE(model.nameAt(model.rowCount() - 1), before.last());
        QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering(), 60'000);
        QCOMPARE(reordering.size(), changes + 2);
        QCOMPARE(reordering.last().at(0).toBool(), false);
        QCOMPARE(shownNames(model), expectedNames(streams, step.column, step.order, step.filter));
        QCOMPARE(selectedName(selection), selected);
        QCOMPARE(model.rowOf(selected), selection.currentIndex().row());
        QCOMPARE(model.streamCount(), ManyStreams);
    }
}

void TestStreamListModel::takesInWhatArrivesDuringASort_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::newRow("by version") << int(StreamListModel::VersionColumn) << Qt::AscendingOrder;
    QTest::newRow("by version, descending") << int(StreamListModel::VersionColumn) << Qt::DescendingOrder;
    QTest::newRow("by name, descending") << int(StreamListModel::NameColumn) << Qt::DescendingOrder;
}

void TestStreamListModel::takesInWhatArrivesDuringASort()
{
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    std::mt19937 random(11);
    std::vector<Named> streams = manyStreams(ManyStreams, 1, random);
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    addAll(model, streams);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), ManyStreams + 1, 60'000);
    QItemSelectionModel selection(&model);
    const QByteArray selected = "customer-4002";
    selection.setCurrentIndex(model.index(model.rowOf(selected), 0),
                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(selectedName(selection), selected);
    const auto find = [&](const QByteArray &name) -> Named & {
        return *std::find_if(streams.begin(), streams.end(), [&](const Named &s) { return s.name() == name; });
    };

    model.sort(column, order);
    QVERIFY(model.isReordering());
    // The worker's result is applied only when the event loop runs: everything until then comes during the sort.
    // Live updates first: new streams (placed at once, in the order shown) and higher versions of listed ones,
    // among them the selected stream's.
    for (int i = 0; i < 20; ++i) {
        const Named added{"live", i * 7, 50 + i};
        model.updateVersion(added.name(), added.version);
        streams.push_back(added);
        Named &raised = streams[size_t(i) * 997];
        raised.version += 10 + i;
        model.updateVersion(raised.name(), raised.version);
    }
    find(selected).version += 100;
    model.updateVersion(selected, find(selected).version);
    QVERIFY(model.isReordering());
    QCOMPARE(model.sortColumn(), column);
    // Then scan batches, taken in on the event loop while the worker may still run: new streams, and repeats with
    // higher versions.
    std::vector<Named> more = manyStreams(3000, ManyStreams + 1, random);
    for (size_t i = 0; i < 500; ++i) {
        Named &repeated = streams[i * 61];
        repeated.version += 5;
        more.push_back(repeated);
    }
    addAll(model, more);
    streams.insert(streams.end(), more.begin(), more.end() - 500);
    const int total = ManyStreams + 20 + 3000;

    QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering() && model.rowCount() == total + 1, 60'000);
    QCOMPARE(model.streamCount(), total);
    QCOMPARE(shownNames(model), expectedNames(streams, column, order));
    QCOMPARE(selectedName(selection), selected);
    QCOMPARE(versionAt(model, selection.currentIndex().row()), find(selected).version);
    for (int row = 1; row < model.rowCount(); row += 499)
        QCOMPARE(model.rowOf(model.nameAt(row)), row);
}

void TestStreamListModel::newerRequestSupersedesOlder()
{
    std::mt19937 random(3);
    const std::vector<Named> streams = manyStreams(ManyStreams, 1, random);
    StreamListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    addAll(model, streams);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), ManyStreams + 1, 60'000);
    const QByteArrayList byName = shownNames(model);
    QCOMPARE(byName, expectedNames(streams, StreamListModel::NameColumn, Qt::AscendingOrder));
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy reordering(&model, &StreamListModel::reorderingChanged);

    // Asked for and taken back before the worker is done: nothing changes.
    model.sort(StreamListModel::VersionColumn, Qt::AscendingOrder);
    QVERIFY(model.isReordering());
    model.sort(StreamListModel::NameColumn, Qt::AscendingOrder);
    QVERIFY(!model.isReordering());
    QCOMPARE(reordering.size(), 2);
    // The next request waits for that worker, whose result is dropped, and then shows in one layout change.
    model.setTextFilter(QStringLiteral("invoice-1"));
    QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering(), 60'000);
    QCOMPARE(layout.size(), 1);
    QCOMPARE(shownNames(model), expectedNames(streams, StreamListModel::NameColumn, Qt::AscendingOrder, "invoice-1"));
    model.setTextFilter(QString());
    QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering(), 60'000);
    QCOMPARE(layout.size(), 2);
    QCOMPARE(shownNames(model), byName);

    // Three requests in a row: only the last shows.
    model.sort(StreamListModel::VersionColumn, Qt::DescendingOrder);
    model.setTextFilter(QStringLiteral("customer"));
    model.sort(StreamListModel::VersionColumn, Qt::AscendingOrder);
    QTRY_VERIFY_WITH_TIMEOUT(!model.isReordering(), 60'000);
    QCOMPARE(layout.size(), 3);
    QCOMPARE(shownNames(model), expectedNames(streams, StreamListModel::VersionColumn, Qt::AscendingOrder, "customer"));

    // Cleared while the worker runs: its result never shows, and what was asked for holds for the streams to come.
    model.sort(StreamListModel::NameColumn, Qt::DescendingOrder);
    QVERIFY(model.isReordering());
    model.clear();
    QVERIFY(!model.isReordering());
    model.addStreams(
        {stream("customer-2", 1), stream("customer-10", 1), stream("order-1", 1), stream("customer-1", 1)});
    QTRY_COMPARE(model.rowCount(), 4);
    QCOMPARE(shownNames(model), QByteArrayList({"customer-10", "customer-2", "customer-1"}));
    // Let the dropped worker end and its result come through the event loop.
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
    QCOMPARE(layout.size(), 3); // the new rows came by insertion, and nothing else changed them
    QCOMPARE(shownNames(model), QByteArrayList({"customer-10", "customer-2", "customer-1"}));
}

QTEST_GUILESS_MAIN(TestStreamListModel)
#include "tst_streamlistmodel.moc"
