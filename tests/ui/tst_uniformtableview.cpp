// The events table's view: ten million rows behave like ten, and only visible rows are ever asked for.
#include "uniformtableview.h"

#include <QAbstractTableModel>
#include <QHeaderView>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;

namespace {

// Computed rows, remembering which rows were asked for their text.
class CountingModel final : public QAbstractTableModel
{
public:
    explicit CountingModel(int rows)
        : m_rows(rows)
    {}
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : m_rows; }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : 3; }
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role != Qt::DisplayRole)
            return {};
        asked.insert(index.row());
        return QStringLiteral("r%1c%2").arg(index.row()).arg(index.column());
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (role != Qt::DisplayRole)
            return {};
        if (orientation == Qt::Vertical)
            ++verticalHeaderAsks;
        return QStringLiteral("column %1").arg(section);
    }
    void sort(int column, Qt::SortOrder order) override { sorts.append({column, order}); }
    void setRows(int rows)
    {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }
    mutable QSet<int> asked;
    mutable int verticalHeaderAsks = 0;
    QList<std::pair<int, Qt::SortOrder>> sorts;

private:
    int m_rows;
};

} // namespace

class TestUniformTableView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tenMillionRows();
    void keyboardAndMouse();
    void followsResets();
    void sortsAndSizesColumnsFromVisibleRows();
};

void TestUniformTableView::tenMillionRows()
{
    CountingModel model(10'000'000);
    UniformTableView view;
    view.resize(600, 400);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(!model.asked.isEmpty());
    const int visible = view.visibleRowCount();
    QVERIFY(visible > 5);
    QVERIFY(model.asked.size() <= visible + 1);
    QCOMPARE(view.verticalScrollBar()->maximum(), 10'000'000 - visible);
    QCOMPARE(model.verticalHeaderAsks, 0);

    // The last row, at once: only the rows around it are painted.
    model.asked.clear();
    const QModelIndex last = model.index(9'999'999, 1);
    view.scrollTo(last, QAbstractItemView::PositionAtBottom);
    view.setCurrentIndex(last);
    QTRY_VERIFY(model.asked.contains(9'999'999));
    QVERIFY(model.asked.size() <= visible + 1);
    for (int row : std::as_const(model.asked))
        QVERIFY(row >= 9'999'999 - visible);
    const QRect rect = view.visualRect(last);
    QVERIFY(view.viewport()->rect().contains(rect));
    QCOMPARE(view.indexAt(rect.center()), last);

    // A row far out of sight has a rectangle out of sight, not an overflowed one.
    QVERIFY(!view.viewport()->rect().intersects(view.visualRect(model.index(0, 0))));
    view.scrollTo(model.index(5'000'000, 0), QAbstractItemView::PositionAtCenter);
    QVERIFY(view.viewport()->rect().contains(view.visualRect(model.index(5'000'000, 0))));
}

void TestUniformTableView::keyboardAndMouse()
{
    CountingModel model(1000);
    UniformTableView view;
    view.resize(600, 300);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setFocus();
    view.setCurrentIndex(model.index(0, 0));

    QTest::keyClick(view.viewport(), Qt::Key_Down);
    QCOMPARE(view.currentIndex().row(), 1);
    QTest::keyClick(view.viewport(), Qt::Key_End);
    QCOMPARE(view.currentIndex().row(), 999);
    QVERIFY(view.viewport()->rect().contains(view.visualRect(view.currentIndex())));
    QTest::keyClick(view.viewport(), Qt::Key_PageUp);
    QCOMPARE(view.currentIndex().row(), 999 - view.visibleRowCount());
    QTest::keyClick(view.viewport(), Qt::Key_Home);
    QCOMPARE(view.currentIndex().row(), 0);
    QCOMPARE(view.firstVisibleRow(), 0);

    // A click selects the whole row under the pointer.
    const QRect third = view.visualRect(model.index(2, 2));
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, third.center());
    QCOMPARE(view.currentIndex().row(), 2);
    QVERIFY(view.selectionModel()->isRowSelected(2, {}));
    QVERIFY(!view.selectionModel()->isRowSelected(0, {}));

    // Columns come from the horizontal header, resizable.
    QCOMPARE(view.horizontalHeader()->count(), 3);
    view.horizontalHeader()->resizeSection(0, 150);
    QCOMPARE(view.visualRect(model.index(0, 1)).left(), 150);
}

void TestUniformTableView::followsResets()
{
    CountingModel model(10'000'000);
    UniformTableView view;
    view.resize(600, 300);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.scrollTo(model.index(9'999'999, 0));
    QVERIFY(view.firstVisibleRow() > 9'000'000);
    model.setRows(3);
    QTRY_COMPARE(view.verticalScrollBar()->maximum(), 0);
    QCOMPARE(view.firstVisibleRow(), 0);
    QVERIFY(!view.indexAt(view.visualRect(model.index(2, 0)).center() + QPoint(0, 2 * view.rowHeight())).isValid());
    QCOMPARE(view.indexAt(view.visualRect(model.index(2, 0)).center()), model.index(2, 0));
}

void TestUniformTableView::sortsAndSizesColumnsFromVisibleRows()
{
    CountingModel model(1'000'000);
    UniformTableView view;
    view.resize(600, 300);
    view.setModel(&model);
    view.setSortingEnabled(true);
    view.sortByColumn(0, Qt::AscendingOrder);
    QCOMPARE(model.sorts.size(), 1);
    QCOMPARE(model.sorts.last(), std::make_pair(0, Qt::AscendingOrder));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    // A click on a header section sorts by it; a second click turns the order around.
    QHeaderView *header = view.horizontalHeader();
    const QPoint second(header->sectionViewportPosition(1) + header->sectionSize(1) / 2, header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, second);
    QCOMPARE(model.sorts.last().first, 1);
    const Qt::SortOrder first = model.sorts.last().second;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, second);
    QCOMPARE(model.sorts.last().first, 1);
    QVERIFY(model.sorts.last().second != first);

    // A column sized to its contents measures what is visible, not a million rows.
    model.asked.clear();
    header->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    QVERIFY(view.sizeHintForColumn(2) > 0);
    QVERIFY(!model.asked.isEmpty());
    QVERIFY(model.asked.size() <= view.visibleRowCount() + 1);
}

QTEST_MAIN(TestUniformTableView)
#include "tst_uniformtableview.moc"
