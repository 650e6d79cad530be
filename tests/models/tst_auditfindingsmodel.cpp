// The audit findings model under a Fatal QAbstractItemModelTester, fed raw findings: groups in the checks' order
// with their counts, children in arrival order, the per-check cap (counted, not kept), the audit's own counts,
// clearing.
#include "auditfindingsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;

namespace {

AuditFinding make(AuditCheck check, const QByteArray &stream, qint64 version, const QByteArray &id,
                  const QString &detail = QStringLiteral("one line"))
{
    return AuditFinding{check, stream, version, id, detail};
}

} // namespace

class TestAuditFindingsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void groupsInCheckOrderWithCounts();
    void capKeepsAtMostMaxPerCheckAndCountsTheRest();
    void summaryCountsBeyondDelivered();
    void clearEmpties();
};

void TestAuditFindingsModel::groupsInCheckOrderWithCounts()
{
    AuditFindingsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 0);
    // Out of the checks' order, across two batches.
    model.addFindings({make(AuditCheck::Orphan, {}, 0, "e10"), make(AuditCheck::DanglingRef, "s-c", 1, "e4"),
                       make(AuditCheck::Orphan, {}, 0, "junk")});
    model.addFindings({make(AuditCheck::NotAStream, "jobs", 0, {}), make(AuditCheck::DanglingRef, "s-g", 1, "e14"),
                       make(AuditCheck::DuplicateRef, "s-d", 2, "e9", QStringLiteral("e9 is listed twice"))});
    QCOMPARE(model.rowCount(), 4);
    const QList<AuditCheck> order
        = {AuditCheck::DanglingRef, AuditCheck::DuplicateRef, AuditCheck::Orphan, AuditCheck::NotAStream};
    for (int row = 0; row < order.size(); ++row) {
        const QModelIndex group = model.index(row, 0);
        QCOMPARE(group.data(AuditFindingsModel::CheckRole).toInt(), int(order.at(row)));
        QVERIFY(group.data(AuditFindingsModel::IsGroupRole).toBool());
        QCOMPARE(model.groupIndex(order.at(row)), group);
        QVERIFY(!model.finding(group));
    }
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("dangling-ref (2)"));
    QCOMPARE(model.index(2, 0).data().toString(), QStringLiteral("orphan (2)"));
    QCOMPARE(model.index(3, 0).data().toString(), QStringLiteral("not-a-stream (1)"));
    QVERIFY(!model.index(0, AuditFindingsModel::DetailColumn).data().toString().isEmpty());
    QVERIFY(!model.groupIndex(AuditCheck::IdGap).isValid());

    // Children: stream, version, id, detail, in arrival order; "—" where a finding names none.
    const QModelIndex dangling = model.groupIndex(AuditCheck::DanglingRef);
    QCOMPARE(model.rowCount(dangling), 2);
    QCOMPARE(model.index(0, AuditFindingsModel::WhereColumn, dangling).data().toString(), QStringLiteral("s-c"));
    QCOMPARE(model.index(1, AuditFindingsModel::WhereColumn, dangling).data().toString(), QStringLiteral("s-g"));
    QCOMPARE(model.index(1, AuditFindingsModel::IdColumn, dangling).data().toString(), QStringLiteral("e14"));
    QCOMPARE(model.index(1, AuditFindingsModel::VersionColumn, dangling).data().toLongLong(), qint64(1));
    const QModelIndex duplicate
        = model.index(0, AuditFindingsModel::DetailColumn, model.groupIndex(AuditCheck::DuplicateRef));
    QCOMPARE(duplicate.data().toString(), QStringLiteral("e9 is listed twice"));
    QCOMPARE(duplicate.data(AuditFindingsModel::StreamRole).toByteArray(), QByteArray("s-d"));
    QCOMPARE(duplicate.data(AuditFindingsModel::VersionRole).toLongLong(), qint64(2));
    QCOMPARE(duplicate.data(AuditFindingsModel::IdRole).toByteArray(), QByteArray("e9"));
    QCOMPARE(duplicate.parent(), model.groupIndex(AuditCheck::DuplicateRef));
    QVERIFY(model.finding(duplicate));
    QCOMPARE(model.finding(duplicate)->id, QByteArray("e9"));
    const QModelIndex orphan = model.index(0, 0, model.groupIndex(AuditCheck::Orphan));
    QCOMPARE(orphan.data().toString(), QStringLiteral("—"));
    QCOMPARE(orphan.siblingAtColumn(AuditFindingsModel::VersionColumn).data().toString(), QStringLiteral("—"));
    QCOMPARE(orphan.siblingAtColumn(AuditFindingsModel::IdColumn).data().toString(), QStringLiteral("e10"));
    QCOMPARE(model.index(0, AuditFindingsModel::IdColumn, model.groupIndex(AuditCheck::NotAStream)).data().toString(),
             QStringLiteral("—"));
    // Findings have no children; only column 0 of a group has.
    QCOMPARE(model.rowCount(orphan), 0);
    QCOMPARE(model.rowCount(model.index(0, AuditFindingsModel::DetailColumn)), 0);
    QCOMPARE(model.totalFound(), 6);
    QCOMPARE(model.dropped(), 0);

    // A new group between existing ones.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addFindings({make(AuditCheck::IdGap, {}, 0, "e12")});
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.groupIndex(AuditCheck::IdGap).row(), 3);
    QCOMPARE(model.groupIndex(AuditCheck::NotAStream).row(), 4);
    QCOMPARE(inserted.size(), 2); // the group row, then its finding
    QCOMPARE(inserted.at(0).at(0).value<QModelIndex>(), QModelIndex());
    QCOMPARE(inserted.at(1).at(0).value<QModelIndex>(), model.groupIndex(AuditCheck::IdGap));
}

void TestAuditFindingsModel::capKeepsAtMostMaxPerCheckAndCountsTheRest()
{
    AuditFindingsModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    for (int batch = 0; batch < 5; ++batch) {
        QList<AuditFinding> findings;
        for (int i = 0; i < 7; ++i) {
            const int n = batch * 7 + i + 1;
            findings.append(make(AuditCheck::Orphan, {}, 0, "e" + QByteArray::number(n)));
        }
        findings.append(make(AuditCheck::Order, "s", batch + 2, "x" + QByteArray::number(batch)));
        model.addFindings(findings);
    }
    const QModelIndex orphans = model.groupIndex(AuditCheck::Orphan);
    QCOMPARE(model.rowCount(orphans), 10);
    QCOMPARE(model.found(AuditCheck::Orphan), 35);
    QCOMPARE(model.kept(AuditCheck::Orphan), 10);
    QCOMPARE(orphans.data(AuditFindingsModel::FoundRole).toLongLong(), qint64(35));
    QCOMPARE(orphans.data(AuditFindingsModel::KeptRole).toLongLong(), qint64(10));
    QCOMPARE(orphans.data().toString(), QStringLiteral("orphan (35, 10 shown)"));
    QVERIFY(orphans.data(Qt::ToolTipRole).toString().contains(QLatin1String("all 35")));
    // The first ones are kept, in order.
    QCOMPARE(model.index(9, AuditFindingsModel::IdColumn, orphans).data().toString(), QStringLiteral("e10"));
    // Another check is not crowded out by the first.
    QCOMPARE(model.rowCount(model.groupIndex(AuditCheck::Order)), 5);
    QCOMPARE(model.totalFound(), 40);
    QCOMPARE(model.dropped(), 25);
}

void TestAuditFindingsModel::summaryCountsBeyondDelivered()
{
    AuditFindingsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addFindings({make(AuditCheck::Orphan, {}, 0, "e1")});
    AuditSummary summary;
    summary.counts[size_t(AuditCheck::Orphan)] = 49; // an auditor that delivered 1 of 49
    summary.counts[size_t(AuditCheck::CountMismatch)] = 1;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setSummary(summary);
    QCOMPARE(model.found(AuditCheck::Orphan), 49);
    QCOMPARE(model.rowCount(model.groupIndex(AuditCheck::Orphan)), 1);
    QCOMPARE(model.groupIndex(AuditCheck::Orphan).data().toString(), QStringLiteral("orphan (49, 1 shown)"));
    QVERIFY(model.groupIndex(AuditCheck::CountMismatch).isValid());
    QCOMPARE(model.rowCount(model.groupIndex(AuditCheck::CountMismatch)), 0);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(model.dropped(), 49);
}

void TestAuditFindingsModel::clearEmpties()
{
    AuditFindingsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addFindings({make(AuditCheck::BadPayload, "p3", 2, "6"), make(AuditCheck::TimeRegression, "p3", 1, "5")});
    QCOMPARE(model.rowCount(), 2);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.totalFound(), 0);
    model.addFindings({make(AuditCheck::BadPayload, "p3", 2, "6")});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowCount(model.index(0, 0)), 1);
}

QTEST_MAIN(TestAuditFindingsModel)
#include "tst_auditfindingsmodel.moc"
