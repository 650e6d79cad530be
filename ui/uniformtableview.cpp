#include "uniformtableview.h"

#include <QHeaderView>
#include <QPainter>
#include <QScrollBar>

#include <QPaintEvent>

#include <algorithm>
#include <limits>

namespace Eventscope {

UniformTableView::UniformTableView(QWidget *parent)
    : QAbstractItemView(parent)
    , m_header(new QHeaderView(Qt::Horizontal, this))
    , m_rowHeight(fontMetrics().height() + 6)
{
    m_header->setSectionsClickable(false);
    m_header->setHighlightSections(false);
    setSelectionBehavior(SelectRows);
    setSelectionMode(SingleSelection);
    setVerticalScrollMode(ScrollPerItem);
    setHorizontalScrollMode(ScrollPerPixel);
    setAlternatingRowColors(true);
    connect(m_header, &QHeaderView::sectionResized, this, [this] {
        updateGeometries();
        viewport()->update();
    });
    connect(m_header, &QHeaderView::sectionMoved, viewport(), qOverload<>(&QWidget::update));
    connect(m_header, &QHeaderView::geometriesChanged, this, &UniformTableView::updateGeometries);
}

UniformTableView::~UniformTableView()
{
    // The header outlives this class's part of the object while QWidget deletes its children.
    m_header->disconnect(this);
}

void UniformTableView::setModel(QAbstractItemModel *model)
{
    QAbstractItemView::setModel(model);
    m_header->setModel(model);
    updateGeometries();
}

void UniformTableView::setRowHeight(int height)
{
    m_rowHeight = std::max(1, height);
    updateGeometries();
    viewport()->update();
}

void UniformTableView::setSortingEnabled(bool enabled)
{
    m_header->setSectionsClickable(enabled);
    m_header->setSortIndicatorShown(enabled);
    disconnect(m_header, &QHeaderView::sortIndicatorChanged, this, nullptr);
    if (enabled) {
        connect(m_header, &QHeaderView::sortIndicatorChanged, this, [this](int column, Qt::SortOrder order) {
            if (model())
                model()->sort(column, order);
        });
    }
}

void UniformTableView::sortByColumn(int column, Qt::SortOrder order)
{
    // Setting the same indicator again emits nothing, but the caller asks for a sort.
    if (m_header->sortIndicatorSection() == column && m_header->sortIndicatorOrder() == order) {
        if (model())
            model()->sort(column, order);
        return;
    }
    m_header->setSortIndicator(column, order);
}

int UniformTableView::sizeHintForColumn(int column) const
{
    if (!model() || column < 0 || column >= model()->columnCount(rootIndex()))
        return -1;
    ensurePolished();
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    const int first = firstVisibleRow();
    const int last = std::min(rowCount() - 1, first + visibleRowCount());
    int width = 0;
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = model()->index(row, column, rootIndex());
        width = std::max(width, itemDelegateForIndex(index)->sizeHint(option, index).width());
    }
    return width;
}

int UniformTableView::rowCount() const
{
    return model() ? model()->rowCount(rootIndex()) : 0;
}

int UniformTableView::firstVisibleRow() const
{
    return verticalScrollBar()->value();
}

int UniformTableView::visibleRowCount() const
{
    return std::max(1, viewport()->height() / m_rowHeight);
}

int UniformTableView::rowAt(int y) const
{
    if (y < 0)
        return -1;
    const qint64 row = qint64(firstVisibleRow()) + y / m_rowHeight;
    return row < rowCount() ? int(row) : -1;
}

int UniformTableView::rowTop(int row) const
{
    // Rows far out of sight get a position out of sight, without overflowing.
    const qint64 top = (qint64(row) - firstVisibleRow()) * m_rowHeight;
    return int(std::clamp<qint64>(top, -(1 << 24), 1 << 24));
}

QRect UniformTableView::visualRect(const QModelIndex &index) const
{
    if (!index.isValid() || index.parent() != rootIndex())
        return {};
    return QRect(m_header->sectionViewportPosition(index.column()), rowTop(index.row()),
                 m_header->sectionSize(index.column()), m_rowHeight);
}

void UniformTableView::scrollTo(const QModelIndex &index, ScrollHint hint)
{
    if (!index.isValid())
        return;
    const int row = index.row();
    const int first = firstVisibleRow();
    const int visible = visibleRowCount();
    int top = first;
    switch (hint) {
    case PositionAtTop:
        top = row;
        break;
    case PositionAtBottom:
        top = row - visible + 1;
        break;
    case PositionAtCenter:
        top = row - visible / 2;
        break;
    case EnsureVisible:
        if (row < first)
            top = row;
        else if (row >= first + visible)
            top = row - visible + 1;
        break;
    }
    verticalScrollBar()->setValue(top);
    // Horizontally, bring the cell's column into view.
    const int left = m_header->sectionPosition(index.column());
    const int right = left + m_header->sectionSize(index.column());
    QScrollBar *bar = horizontalScrollBar();
    if (left < bar->value())
        bar->setValue(left);
    else if (right > bar->value() + viewport()->width())
        bar->setValue(std::min(left, right - viewport()->width()));
}

QModelIndex UniformTableView::indexAt(const QPoint &point) const
{
    const int row = rowAt(point.y());
    const int column = m_header->logicalIndexAt(point.x());
    if (row < 0 || column < 0 || !model())
        return {};
    return model()->index(row, column, rootIndex());
}

QModelIndex UniformTableView::moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers)
{
    const int rows = rowCount();
    if (!model() || rows == 0)
        return {};
    const QModelIndex current = currentIndex();
    const int row = current.isValid() ? current.row() : -1;
    const int column = current.isValid() ? current.column() : m_header->logicalIndex(0);
    int target = row;
    switch (cursorAction) {
    case MoveUp:
    case MovePrevious:
        target = row - 1;
        break;
    case MoveDown:
    case MoveNext:
        target = row + 1;
        break;
    case MovePageUp:
        target = row - visibleRowCount();
        break;
    case MovePageDown:
        target = row + visibleRowCount();
        break;
    case MoveHome:
        target = 0;
        break;
    case MoveEnd:
        target = rows - 1;
        break;
    case MoveLeft:
    case MoveRight: {
        const int visual = m_header->visualIndex(column) + (cursorAction == MoveLeft ? -1 : 1);
        if (visual < 0 || visual >= m_header->count())
            return current;
        return model()->index(std::max(row, 0), m_header->logicalIndex(visual), rootIndex());
    }
    }
    return model()->index(std::clamp(target, 0, rows - 1), std::max(column, 0), rootIndex());
}

int UniformTableView::horizontalOffset() const
{
    return horizontalScrollBar()->value();
}

int UniformTableView::verticalOffset() const
{
    return int(std::min<qint64>(qint64(firstVisibleRow()) * m_rowHeight, std::numeric_limits<int>::max()));
}

bool UniformTableView::isIndexHidden(const QModelIndex &) const
{
    return false;
}

void UniformTableView::setSelection(const QRect &rect, QItemSelectionModel::SelectionFlags command)
{
    if (!model() || !selectionModel())
        return;
    const QRect normalized = rect.normalized();
    const int rows = rowCount();
    const int columns = model()->columnCount(rootIndex());
    if (rows == 0 || columns == 0)
        return;
    const int top = std::clamp(rowAt(std::max(0, normalized.top())), 0, rows - 1);
    int bottom = rowAt(normalized.bottom());
    if (bottom < 0)
        bottom = rows - 1;
    const QItemSelection selection(model()->index(top, 0, rootIndex()),
                                   model()->index(std::max(top, bottom), columns - 1, rootIndex()));
    selectionModel()->select(selection, command);
}

QRegion UniformTableView::visualRegionForSelection(const QItemSelection &selection) const
{
    QRegion region;
    const int first = firstVisibleRow();
    const int last = first + visibleRowCount();
    for (const QItemSelectionRange &range : selection) {
        if (range.parent() != rootIndex() || range.bottom() < first || range.top() > last)
            continue;
        const int top = std::max(range.top(), first);
        const int bottom = std::min(range.bottom(), last);
        region += QRect(0, rowTop(top), viewport()->width(), (bottom - top + 1) * m_rowHeight);
    }
    return region;
}

void UniformTableView::updateGeometries()
{
    const int headerHeight = m_header->isHidden() ? 0 : m_header->sizeHint().height();
    setViewportMargins(0, headerHeight, 0, 0);
    const QRect area = viewport()->geometry();
    m_header->setGeometry(area.left(), area.top() - headerHeight, area.width(), headerHeight);
    m_header->setOffset(horizontalScrollBar()->value());

    const int visible = visibleRowCount();
    QScrollBar *vertical = verticalScrollBar();
    vertical->setSingleStep(1);
    vertical->setPageStep(visible);
    vertical->setRange(0, std::max(0, rowCount() - visible));

    QScrollBar *horizontal = horizontalScrollBar();
    horizontal->setSingleStep(std::max(1, m_rowHeight));
    horizontal->setPageStep(viewport()->width());
    horizontal->setRange(0, std::max(0, m_header->length() - viewport()->width()));
    QAbstractItemView::updateGeometries();
}

void UniformTableView::scrollContentsBy(int dx, int)
{
    if (dx != 0)
        m_header->setOffset(horizontalScrollBar()->value());
    viewport()->update();
}

void UniformTableView::rowsInserted(const QModelIndex &parent, int start, int end)
{
    QAbstractItemView::rowsInserted(parent, start, end);
    updateGeometries();
}

void UniformTableView::resizeEvent(QResizeEvent *event)
{
    QAbstractItemView::resizeEvent(event);
    updateGeometries();
}

QSize UniformTableView::viewportSizeHint() const
{
    return QSize(m_header->length(), m_rowHeight * std::min(rowCount(), 20));
}

void UniformTableView::paintEvent(QPaintEvent *event)
{
    QPainter painter(viewport());
    if (!model())
        return;
    const int rows = rowCount();
    const int first = firstVisibleRow();
    const int last = std::min(rows - 1, first + visibleRowCount());
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    const QModelIndex current = currentIndex();
    const bool focus = hasFocus();
    const QRect exposed = event->rect();
    for (int row = first; row <= last; ++row) {
        const int top = rowTop(row);
        if (top > exposed.bottom() || top + m_rowHeight < exposed.top())
            continue;
        const QModelIndex rowIndex = model()->index(row, 0, rootIndex());
        const bool rowSelected = selectionModel() && selectionModel()->isRowSelected(row, rootIndex());
        for (int visual = 0; visual < m_header->count(); ++visual) {
            const int column = m_header->logicalIndex(visual);
            if (m_header->isSectionHidden(column))
                continue;
            const QModelIndex index = column == 0 ? rowIndex : model()->index(row, column, rootIndex());
            option.rect = visualRect(index);
            if (!option.rect.intersects(exposed))
                continue;
            option.state = QStyle::State_None;
            if (isEnabled())
                option.state |= QStyle::State_Enabled;
            if (window()->isActiveWindow())
                option.state |= QStyle::State_Active;
            if (rowSelected || (selectionModel() && selectionModel()->isSelected(index)))
                option.state |= QStyle::State_Selected;
            if (focus && current.row() == row)
                option.state |= QStyle::State_HasFocus;
            option.features
                = alternatingRowColors() && (row & 1) ? QStyleOptionViewItem::Alternate : QStyleOptionViewItem::None;
            option.index = index;
            style()->drawPrimitive(QStyle::PE_PanelItemViewRow, &option, &painter, this);
            itemDelegateForIndex(index)->paint(&painter, option, index);
        }
    }
}

} // namespace Eventscope
