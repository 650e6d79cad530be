#include "auditfindingsmodel.h"

#include <QFont>

#include <algorithm>

namespace Eventscope {

namespace {

// Group rows have internal id 0; a finding's is its check + 1, which names its parent.
constexpr quintptr GroupId = 0;

QString orDash(const QByteArray &text)
{
    return text.isEmpty() ? QStringLiteral("—") : QString::fromUtf8(text);
}

} // namespace

AuditFindingsModel::AuditFindingsModel(int maxPerCheck, QObject *parent)
    : QAbstractItemModel(parent)
    , m_maxPerCheck(qMax(0, maxPerCheck))
{}

QString AuditFindingsModel::describe(AuditCheck check)
{
    switch (check) {
    case AuditCheck::DanglingRef:
        return tr("stream entries whose id is not in the events hash");
    case AuditCheck::DuplicateRef:
        return tr("ids listed in more than one stream, or twice in one");
    case AuditCheck::Orphan:
        return tr("commits in the hash that no stream lists");
    case AuditCheck::IdGap:
        return tr("ids not dense from 1 to HLEN: the next commit may overwrite one");
    case AuditCheck::ForeignId:
        return tr("hash fields not of the layout's id form");
    case AuditCheck::CountMismatch:
        return tr("the streams list more or fewer ids than the hash holds");
    case AuditCheck::Order:
        return tr("ids within a stream not increasing");
    case AuditCheck::RevisionMismatch:
        return tr("storeRevision, streamRevision or streamId disagree with where the commit is");
    case AuditCheck::TimeRegression:
        return tr("a commit's timestamp earlier than the one before it");
    case AuditCheck::NotAStream:
        return tr("lists matched by the stream pattern that hold no commit ids");
    case AuditCheck::BadPayload:
        return tr("payloads that are not JSON (or not a commit record) where the layout promises one");
    }
    return {};
}

int AuditFindingsModel::groupRow(AuditCheck check) const
{
    const auto it = std::lower_bound(m_groups.cbegin(), m_groups.cend(), check);
    return it != m_groups.cend() && *it == check ? int(it - m_groups.cbegin()) : -1;
}

QModelIndex AuditFindingsModel::groupIndex(AuditCheck check) const
{
    const int row = groupRow(check);
    return row < 0 ? QModelIndex() : createIndex(row, 0, GroupId);
}

QModelIndex AuditFindingsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_groups.size() ? createIndex(row, column, GroupId) : QModelIndex();
    if (parent.internalId() != GroupId || parent.column() != 0 || parent.row() >= m_groups.size())
        return {};
    const AuditCheck check = m_groups.at(parent.row());
    if (row >= qsizetype(m_kept[size_t(check)].size()))
        return {};
    return createIndex(row, column, quintptr(check) + 1);
}

QModelIndex AuditFindingsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == GroupId)
        return {};
    return groupIndex(AuditCheck(child.internalId() - 1));
}

int AuditFindingsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.internalId() != GroupId || parent.column() != 0)
        return 0;
    return int(m_kept[size_t(m_groups.at(parent.row()))].size());
}

int AuditFindingsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

const AuditFinding *AuditFindingsModel::finding(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == GroupId)
        return nullptr;
    const std::vector<AuditFinding> &kept = m_kept[size_t(index.internalId() - 1)];
    return size_t(index.row()) < kept.size() ? &kept[size_t(index.row())] : nullptr;
}

QVariant AuditFindingsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == GroupId) {
        const AuditCheck check = m_groups.at(index.row());
        const qint64 found = m_found[size_t(check)];
        const qint64 kept = qint64(m_kept[size_t(check)].size());
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == WhereColumn)
                return found == kept
                           ? tr("%1 (%2)").arg(QLatin1String(auditCheckName(check))).arg(found)
                           : tr("%1 (%2, %3 shown)").arg(QLatin1String(auditCheckName(check))).arg(found).arg(kept);
            if (index.column() == DetailColumn)
                return describe(check);
            return {};
        case Qt::ToolTipRole:
            return found == kept ? describe(check)
                                 : tr("%1\nOnly the first %2 are kept here; the exported report has all %3.")
                                       .arg(describe(check))
                                       .arg(kept)
                                       .arg(found);
        case Qt::FontRole: {
            // The check in bold; its description in italics, not to be read as a finding's detail.
            QFont font;
            if (index.column() == WhereColumn)
                font.setBold(true);
            else if (index.column() == DetailColumn)
                font.setItalic(true);
            else
                return {};
            return font;
        }
        case CheckRole:
            return int(check);
        case IsGroupRole:
            return true;
        case FoundRole:
            return found;
        case KeptRole:
            return kept;
        default:
            return {};
        }
    }
    const AuditFinding *item = finding(index);
    if (!item)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case WhereColumn:
            return orDash(item->stream);
        case VersionColumn:
            return item->version > 0 ? QVariant(item->version) : QVariant(QStringLiteral("—"));
        case IdColumn:
            return orDash(item->id);
        case DetailColumn:
            return item->detail;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return item->detail;
    case Qt::TextAlignmentRole:
        return index.column() == VersionColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case CheckRole:
        return int(item->check);
    case IsGroupRole:
        return false;
    case StreamRole:
        return item->stream;
    case VersionRole:
        return item->version;
    case IdRole:
        return item->id;
    case DetailRole:
        return item->detail;
    default:
        return {};
    }
}

QVariant AuditFindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case WhereColumn:
        return tr("Check / stream");
    case VersionColumn:
        return tr("Version");
    case IdColumn:
        return tr("Id");
    case DetailColumn:
        return tr("Detail");
    default:
        return {};
    }
}

void AuditFindingsModel::ensureGroup(AuditCheck check)
{
    if (groupRow(check) >= 0)
        return;
    const int row = int(std::lower_bound(m_groups.cbegin(), m_groups.cend(), check) - m_groups.cbegin());
    beginInsertRows({}, row, row);
    m_groups.insert(row, check);
    endInsertRows();
}

void AuditFindingsModel::addFindings(const QList<AuditFinding> &batch)
{
    // Per check, in one insertion each: a batch usually holds a few checks' findings.
    std::array<qsizetype, AuditCheckCount> counts{};
    for (const AuditFinding &finding : batch)
        ++counts[size_t(finding.check)];
    for (int i = 0; i < AuditCheckCount; ++i) {
        if (!counts[size_t(i)])
            continue;
        const auto check = AuditCheck(i);
        ensureGroup(check);
        std::vector<AuditFinding> &kept = m_kept[size_t(i)];
        const qsizetype room = qMax<qsizetype>(0, m_maxPerCheck - qsizetype(kept.size()));
        const qsizetype take = qMin(room, counts[size_t(i)]);
        if (take > 0) {
            const QModelIndex group = groupIndex(check);
            const int first = int(kept.size());
            beginInsertRows(group, first, first + int(take) - 1);
            for (const AuditFinding &finding : batch) {
                if (finding.check == check && qsizetype(kept.size()) < first + take)
                    kept.push_back(finding);
            }
            endInsertRows();
        }
        m_found[size_t(i)] += counts[size_t(i)];
        const QModelIndex group = groupIndex(check);
        Q_EMIT dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
    }
}

void AuditFindingsModel::setSummary(const AuditSummary &summary)
{
    for (int i = 0; i < AuditCheckCount; ++i) {
        const auto check = AuditCheck(i);
        if (summary.counts[size_t(i)] <= m_found[size_t(i)])
            continue;
        ensureGroup(check);
        m_found[size_t(i)] = summary.counts[size_t(i)];
        const QModelIndex group = groupIndex(check);
        Q_EMIT dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
    }
}

void AuditFindingsModel::clear()
{
    beginResetModel();
    m_groups.clear();
    for (std::vector<AuditFinding> &kept : m_kept) {
        kept.clear();
        kept.shrink_to_fit();
    }
    m_found = {};
    endResetModel();
}

qint64 AuditFindingsModel::totalFound() const
{
    qint64 sum = 0;
    for (qint64 found : m_found)
        sum += found;
    return sum;
}

qint64 AuditFindingsModel::dropped() const
{
    qint64 sum = 0;
    for (int i = 0; i < AuditCheckCount; ++i)
        sum += m_found[size_t(i)] - qint64(m_kept[size_t(i)].size());
    return sum;
}

} // namespace Eventscope
