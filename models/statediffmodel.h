#pragma once

#include "statediff.h"

#include <QAbstractTableModel>
#include <QIdentityProxyModel>
#include <QSet>

namespace Eventscope {

// The changes between two states (diffJson's result) as a table: what changed, where, before and after. Rows are
// tinted by kind (added green, removed red, changed amber), in tones that read on light and dark bases.
class StateDiffModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { KindColumn, PathColumn, BeforeColumn, AfterColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole, // JsonChange::Kind as int
        PathRole,                // the change's path as diffJson wrote it
        JsonPathRole,            // the same path as JSONPath ($.a.b), the form the state tree's PathRole uses
    };
    // Values are cut to this many characters in a cell.
    static constexpr int DisplayChars = 200;

    explicit StateDiffModel(QObject *parent = nullptr);

    void setChanges(QList<JsonChange> changes);
    void clear() { setChanges({}); }
    const QList<JsonChange> &changes() const { return m_changes; }
    int count(JsonChange::Kind kind) const;
    // "3 changed, 1 added, 0 removed" / "no change".
    QString summary() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Compact JSON of a value; "" for an absent one.
    static QString valueText(const QJsonValue &value);
    static QString jsonPath(const QString &diffPath);
    // Background tint of a change kind.
    static QColor tint(JsonChange::Kind kind);

private:
    QList<JsonChange> m_changes;
};

// Tints the rows of a JsonTreeModel (any model with a JSONPath under pathRole) whose path a diff touched: the
// changed or added value itself in its kind's tint, and its ancestors lightly, so a change deep in a collapsed tree
// still shows where to look.
class DiffHighlightProxy final : public QIdentityProxyModel
{
    Q_OBJECT
public:
    explicit DiffHighlightProxy(int pathRole, QObject *parent = nullptr);

    void setChanges(const QList<JsonChange> &changes);
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    int m_pathRole;
    QHash<QString, JsonChange::Kind> m_touched; // JSONPath -> kind
    QSet<QString> m_ancestors;
};

} // namespace Eventscope
