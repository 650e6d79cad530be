#include "livetailmodel.h"

#include "eventsummary.h"
#include "payload.h"

#include <QDateTime>

#include <fnmatch.h>

namespace Eventscope {

namespace {

QString previewOf(const LiveCommit &commit)
{
    if (commit.missing)
        return QObject::tr("(missing from the hash)");
    if (commit.payloadDropped)
        return QObject::tr("(payload not kept: %1 bytes)").arg(commit.size);
    if (!commit.preview.isEmpty() || commit.payload.isEmpty())
        return commit.preview;
    // The feed made no summary: a cheap one line.
    if (commit.encoding == PayloadEncoding::Binary)
        return QStringLiteral("binary: ") + QString::fromLatin1(commit.payload.left(24).toHex(' '));
    return QString::fromUtf8(commit.payload.left(PreviewLength * 4)).simplified().left(PreviewLength);
}

} // namespace

LiveTailModel::LiveTailModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(qMax<qsizetype>(1, capacity))
{}

int LiveTailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int LiveTailModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool LiveTailModel::matches(const Row &row) const
{
    // POSIX fnmatch without FNM_PATHNAME: the glob of SCAN MATCH (*, ?, [...], \ escapes), '*' crossing '/', on
    // the name's bytes.
    return m_filterText.isEmpty() || fnmatch(m_glob.constData(), row.stream.constData(), 0) == 0;
}

void LiveTailModel::setCapacity(qsizetype capacity)
{
    m_capacity = qMax<qsizetype>(1, capacity);
    trim();
}

void LiveTailModel::setStreamFilter(const QString &glob)
{
    if (glob == m_filterText)
        return;
    beginResetModel();
    m_filterText = glob;
    m_glob = glob.toUtf8();
    m_visible.clear();
    for (const Row &row : m_kept) {
        if (matches(row))
            m_visible.push_back(&row);
    }
    endResetModel();
}

void LiveTailModel::clear()
{
    beginResetModel();
    m_visible.clear();
    m_kept.clear();
    endResetModel();
}

void LiveTailModel::addBatch(const LiveBatch &batch)
{
    if (batch.commits.isEmpty())
        return;
    // Only the last capacity() commits of a batch can stay.
    const qsizetype skip = qMax<qsizetype>(0, batch.commits.size() - m_capacity);
    QList<const Row *> shown;
    for (qsizetype i = skip; i < batch.commits.size(); ++i) {
        const LiveCommit &commit = batch.commits.at(i);
        Row row;
        row.sequence = ++m_sequence;
        row.number = commit.number;
        row.receivedMs = commit.receivedMs;
        row.version = commit.version;
        row.size = commit.size;
        row.id = commit.id;
        row.stream = commit.stream;
        row.type = commit.type;
        row.preview = previewOf(commit);
        row.backfilled = commit.backfilled;
        row.missing = commit.missing;
        m_kept.push_back(std::move(row));
        if (matches(m_kept.back()))
            shown.append(&m_kept.back());
    }
    // Older rows leave before the new ones arrive, so the row count never exceeds the capacity.
    trim();
    if (!shown.isEmpty()) {
        const int first = int(m_visible.size());
        beginInsertRows({}, first, first + int(shown.size()) - 1);
        m_visible.insert(m_visible.end(), shown.begin(), shown.end());
        endInsertRows();
    }
}

void LiveTailModel::trim()
{
    if (qsizetype(m_kept.size()) <= m_capacity)
        return;
    const qsizetype excess = qsizetype(m_kept.size()) - m_capacity;
    const quint64 firstKept = m_kept[size_t(excess)].sequence;
    qsizetype hidden = 0;
    while (hidden < qsizetype(m_visible.size()) && m_visible[size_t(hidden)]->sequence < firstKept)
        ++hidden;
    if (hidden > 0) {
        beginRemoveRows({}, 0, int(hidden) - 1);
        m_visible.erase(m_visible.begin(), m_visible.begin() + hidden);
        endRemoveRows();
    }
    m_kept.erase(m_kept.begin(), m_kept.begin() + excess);
}

QVariant LiveTailModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = *m_visible[size_t(index.row())];
    switch (role) {
    case IdRole:
        return row.id;
    case NumberRole:
        return row.number;
    case StreamRole:
        return row.stream;
    case VersionRole:
        return row.version;
    case BackfilledRole:
        return row.backfilled;
    case ReceivedRole:
        return row.receivedMs;
    case Qt::ToolTipRole:
        if (row.backfilled)
            return tr("Back-filled: no message announced this commit; it was read from the hash");
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == VersionColumn || index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(row.receivedMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case IdColumn:
        return QString::fromUtf8(row.id);
    case StreamColumn:
        return QString::fromUtf8(row.stream);
    case VersionColumn:
        return row.version >= 0 ? QVariant(row.version) : QVariant();
    case TypeColumn:
        return row.type;
    case SizeColumn:
        return row.size;
    case PreviewColumn:
        return row.preview;
    default:
        return {};
    }
}

QVariant LiveTailModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Received");
    case IdColumn:
        return tr("Id");
    case StreamColumn:
        return tr("Stream");
    case VersionColumn:
        return tr("Version");
    case TypeColumn:
        return tr("Type");
    case SizeColumn:
        return tr("Size");
    case PreviewColumn:
        return tr("Preview");
    default:
        return QAbstractTableModel::headerData(section, orientation, role);
    }
}

} // namespace Eventscope
