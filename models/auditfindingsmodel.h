#pragma once

#include "auditor.h"

#include <QAbstractItemModel>

#include <array>
#include <vector>

namespace Eventscope {

// The audit's findings grouped by check: a row per check that found anything (in the checks' order), with the
// count, and its findings as children (stream, version, id, detail) in the order they were found. Fed in batches
// as the audit reports them. Memory is bounded: at most maxPerCheck() findings of each check are kept; the rest
// are only counted (the group row says "N found, M shown", and dropped() sums them).
class AuditFindingsModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    static constexpr int DefaultMaxPerCheck = 10000;

    enum Column {
        WhereColumn, // group rows: the check; findings: the stream
        VersionColumn,
        IdColumn,
        DetailColumn,
        ColumnCount
    };
    enum Role {
        CheckRole = Qt::UserRole, // int (AuditCheck), on every row
        IsGroupRole,              // bool
        StreamRole,               // QByteArray, empty when the finding names none
        VersionRole,              // qint64, 0 when the finding is not at a position
        IdRole,                   // QByteArray, empty when the finding names none
        DetailRole,               // QString
        FoundRole,                // qint64: group rows, how many the audit found
        KeptRole,                 // qint64: group rows, how many are kept (children)
    };

    explicit AuditFindingsModel(int maxPerCheck = DefaultMaxPerCheck, QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void addFindings(const QList<Eventscope::AuditFinding> &batch);
    // The audit's own counts, once it is done: a check it counted beyond what it delivered (an Auditor run with
    // maxFindingsPerCheck) shows its full count.
    void setSummary(const Eventscope::AuditSummary &summary);
    void clear();

    int maxPerCheck() const { return m_maxPerCheck; }
    qint64 found(AuditCheck check) const { return m_found[size_t(check)]; }
    qint64 kept(AuditCheck check) const { return qint64(m_kept[size_t(check)].size()); }
    qint64 totalFound() const;
    qint64 dropped() const; // found but not kept
    // The group row of a check, or an invalid index when it found nothing.
    QModelIndex groupIndex(AuditCheck check) const;
    // The finding at a child row; nullptr for group rows and invalid indexes.
    const AuditFinding *finding(const QModelIndex &index) const;

    // One line for a check's group row ("a list entry whose id is not in the hash").
    static QString describe(AuditCheck check);

private:
    int groupRow(AuditCheck check) const;
    void ensureGroup(AuditCheck check);

    int m_maxPerCheck;
    QList<AuditCheck> m_groups; // checks with findings, in the checks' order
    std::array<std::vector<AuditFinding>, AuditCheckCount> m_kept;
    std::array<qint64, AuditCheckCount> m_found{};
};

} // namespace Eventscope
