#pragma once

#include <QAbstractItemView>

class QHeaderView;

namespace Eventscope {

// A table of uniform rows whose cost does not grow with the row count. QTableView keeps a vertical QHeaderView
// that allocates and walks a section per row on every reset (80 MB and 300 ms for 10,000,000 rows), even hidden;
// here rows have one height, the vertical scroll bar counts rows, and only the visible ones are ever touched.
// Columns come from a horizontal QHeaderView as in QTableView. Selection is by rows.
class UniformTableView final : public QAbstractItemView
{
    Q_OBJECT
public:
    explicit UniformTableView(QWidget *parent = nullptr);
    ~UniformTableView() override;

    void setModel(QAbstractItemModel *model) override;
    QHeaderView *horizontalHeader() const { return m_header; }
    int rowHeight() const { return m_rowHeight; }
    void setRowHeight(int height);
    // Header clicks sort the model (QAbstractItemModel::sort), as in QTableView.
    void setSortingEnabled(bool enabled);
    void sortByColumn(int column, Qt::SortOrder order);
    // The first row shown, and how many fit.
    int firstVisibleRow() const;
    int visibleRowCount() const;

    QRect visualRect(const QModelIndex &index) const override;
    void scrollTo(const QModelIndex &index, ScrollHint hint = EnsureVisible) override;
    QModelIndex indexAt(const QPoint &point) const override;
    // Measured over the visible rows only: QAbstractItemView's would ask every row (for ResizeToContents columns).
    int sizeHintForColumn(int column) const override;

protected:
    QModelIndex moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers) override;
    int horizontalOffset() const override;
    int verticalOffset() const override;
    bool isIndexHidden(const QModelIndex &index) const override;
    void setSelection(const QRect &rect, QItemSelectionModel::SelectionFlags command) override;
    QRegion visualRegionForSelection(const QItemSelection &selection) const override;
    void updateGeometries() override;
    void paintEvent(QPaintEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void resizeEvent(QResizeEvent *event) override;
    // Rows appended (a stream growing live) move the scroll range at once, so scrollTo reaches them.
    void rowsInserted(const QModelIndex &parent, int start, int end) override;
    QSize viewportSizeHint() const override;

private:
    int rowCount() const;
    int rowAt(int y) const;
    int rowTop(int row) const;

    QHeaderView *m_header = nullptr;
    int m_rowHeight = 0;
};

} // namespace Eventscope
