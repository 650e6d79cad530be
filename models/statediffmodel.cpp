#include "statediffmodel.h"

#include <QBrush>
#include <QColor>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Eventscope {

namespace {

QString cut(QString text)
{
    if (text.size() > StateDiffModel::DisplayChars)
        text = text.left(StateDiffModel::DisplayChars) + QStringLiteral("…");
    return text;
}

QString kindText(JsonChange::Kind kind)
{
    switch (kind) {
    case JsonChange::Kind::Added:
        return StateDiffModel::tr("added");
    case JsonChange::Kind::Removed:
        return StateDiffModel::tr("removed");
    case JsonChange::Kind::Changed:
        return StateDiffModel::tr("changed");
    }
    return {};
}

} // namespace

StateDiffModel::StateDiffModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void StateDiffModel::setChanges(QList<JsonChange> changes)
{
    beginResetModel();
    m_changes = std::move(changes);
    endResetModel();
}

int StateDiffModel::count(JsonChange::Kind kind) const
{
    return int(std::count_if(m_changes.cbegin(), m_changes.cend(),
                             [kind](const JsonChange &change) { return change.kind == kind; }));
}

QString StateDiffModel::summary() const
{
    if (m_changes.isEmpty())
        return tr("no change");
    return tr("%1 changed, %2 added, %3 removed")
        .arg(count(JsonChange::Kind::Changed))
        .arg(count(JsonChange::Kind::Added))
        .arg(count(JsonChange::Kind::Removed));
}

int StateDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_changes.size());
}

int StateDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString StateDiffModel::valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    default: {
        // A scalar: serialize it inside an array and strip the brackets, so strings keep their quotes and escapes.
        const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(json.mid(1, json.size() - 2));
    }
    }
}

QString StateDiffModel::jsonPath(const QString &diffPath)
{
    if (diffPath.isEmpty())
        return QStringLiteral("$");
    if (diffPath.startsWith(QLatin1Char('[')))
        return QLatin1Char('$') + diffPath;
    return QStringLiteral("$.") + diffPath;
}

QColor StateDiffModel::tint(JsonChange::Kind kind)
{
    // Translucent: mixed with whatever base the palette has, light or dark.
    switch (kind) {
    case JsonChange::Kind::Added:
        return QColor(40, 180, 60, 70);
    case JsonChange::Kind::Removed:
        return QColor(220, 50, 50, 70);
    case JsonChange::Kind::Changed:
        return QColor(230, 170, 20, 80);
    }
    return {};
}

QVariant StateDiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const JsonChange &change = m_changes.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KindColumn:
            return kindText(change.kind);
        case PathColumn:
            return change.path.isEmpty() ? QStringLiteral("(root)") : change.path;
        case BeforeColumn:
            return cut(valueText(change.before));
        case AfterColumn:
            return cut(valueText(change.after));
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == BeforeColumn)
            return cut(valueText(change.before));
        if (index.column() == AfterColumn)
            return cut(valueText(change.after));
        return jsonPath(change.path);
    case Qt::BackgroundRole:
        return QBrush(tint(change.kind));
    case KindRole:
        return int(change.kind);
    case PathRole:
        return change.path;
    case JsonPathRole:
        return jsonPath(change.path);
    }
    return {};
}

QVariant StateDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KindColumn:
        return tr("Change");
    case PathColumn:
        return tr("Path");
    case BeforeColumn:
        return tr("Before");
    case AfterColumn:
        return tr("After");
    }
    return {};
}

DiffHighlightProxy::DiffHighlightProxy(int pathRole, QObject *parent)
    : QIdentityProxyModel(parent)
    , m_pathRole(pathRole)
{}

void DiffHighlightProxy::setChanges(const QList<JsonChange> &changes)
{
    m_touched.clear();
    m_ancestors.clear();
    for (const JsonChange &change : changes) {
        if (change.kind == JsonChange::Kind::Removed && change.path.isEmpty())
            continue;
        const QString path = StateDiffModel::jsonPath(change.path);
        if (change.kind != JsonChange::Kind::Removed)
            m_touched.insert(path, change.kind);
        // Every prefix that ends before a . or [ is an ancestor (a quoted key may contain either; a stray extra
        // ancestor only tints a row lightly).
        for (qsizetype i = 1; i < path.size(); ++i) {
            if (path.at(i) == QLatin1Char('.') || path.at(i) == QLatin1Char('['))
                m_ancestors.insert(path.left(i));
        }
    }
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::BackgroundRole});
    // Children of expanded rows repaint with the view; a reset would collapse the tree.
}

QVariant DiffHighlightProxy::data(const QModelIndex &index, int role) const
{
    if (role != Qt::BackgroundRole || (m_touched.isEmpty() && m_ancestors.isEmpty()))
        return QIdentityProxyModel::data(index, role);
    const QString path = QIdentityProxyModel::data(index, m_pathRole).toString();
    const auto it = m_touched.constFind(path);
    if (it != m_touched.cend())
        return QBrush(StateDiffModel::tint(*it));
    if (m_ancestors.contains(path)) {
        QColor light = StateDiffModel::tint(JsonChange::Kind::Changed);
        light.setAlpha(30);
        return QBrush(light);
    }
    return QIdentityProxyModel::data(index, role);
}

} // namespace Eventscope
