// The Audit dock offscreen against a real redis-server with planted defects: findings grouped with the right counts,
// a finding activated (Enter, double-click) opening its event in the events pane, the exported report (parsed back,
// and the same lines `eventscope-cli --format json audit` prints), Cancel, a clean store, one stream, a read-only
// ACL user, and a picture of it all (EVENTSCOPE_SCREENSHOT_DIR: where to save audit-panel.png).
#include "auditfindingsmodel.h"
#include "auditpanel.h"
#include "backgroundauditor.h"
#include "eventpagemodel.h"
#include "mainwindow.h"
#include "plantedstore.h"
#include "rediscommand.h"
#include "redisserver.h"
#include "seeder.h"
#include "streamlistmodel.h"
#include "uniformtableview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <tuple>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

// check, stream, version, id
using Key = std::tuple<QByteArray, QByteArray, qint64, QByteArray>;

QByteArray describe(const std::multiset<Key> &keys)
{
    QByteArray out;
    for (const Key &key : keys)
        out += std::get<0>(key) + ' ' + std::get<1>(key) + ' ' + QByteArray::number(std::get<2>(key)) + ' '
               + std::get<3>(key) + '\n';
    return out;
}

// What the panel's tree holds: every child row's key, and each group's count.
std::multiset<Key> treeKeys(const AuditFindingsModel &model)
{
    std::multiset<Key> keys;
    for (int group = 0; group < model.rowCount(); ++group) {
        const QModelIndex parent = model.index(group, 0);
        for (int row = 0; row < model.rowCount(parent); ++row) {
            const QModelIndex index = model.index(row, 0, parent);
            keys.insert({auditCheckName(AuditCheck(index.data(AuditFindingsModel::CheckRole).toInt())),
                         index.data(AuditFindingsModel::StreamRole).toByteArray(),
                         index.data(AuditFindingsModel::VersionRole).toLongLong(),
                         index.data(AuditFindingsModel::IdRole).toByteArray()});
        }
    }
    return keys;
}

std::map<QByteArray, qint64> groupCounts(const AuditFindingsModel &model)
{
    std::map<QByteArray, qint64> counts;
    for (int group = 0; group < model.rowCount(); ++group) {
        const QModelIndex index = model.index(group, 0);
        counts[auditCheckName(AuditCheck(index.data(AuditFindingsModel::CheckRole).toInt()))]
            = index.data(AuditFindingsModel::FoundRole).toLongLong();
    }
    return counts;
}

// The whole-store findings in the planted store with JSON payloads required (plantedstore.h), but for the e3
// duplicate, whose stream depends on SCAN order.
const std::multiset<Key> Planted = {
    {"order", "s-b", 3, "e6"},         {"dangling-ref", "s-c", 1, "e4"},  {"id-gap", "", 0, "e4"},
    {"duplicate-ref", "s-d", 2, "e9"}, {"orphan", "", 0, "e10"},          {"id-gap", "", 0, "e12"},
    {"id-gap", "s-f", 2, "e13"},       {"dangling-ref", "s-g", 1, "e14"}, {"foreign-id", "", 0, "junk"},
    {"orphan", "", 0, "junk"},         {"not-a-stream", "jobs", 0, ""},   {"count-mismatch", "", 0, ""},
    {"bad-payload", "s-b", 2, "e7"},
};

// Takes the e3 duplicate out (checking there is exactly one) so the rest compares with Planted.
bool dropDuplicateE3(std::multiset<Key> &keys)
{
    const Key a{"duplicate-ref", "s-a", 3, "e3"};
    const Key e{"duplicate-ref", "s-e", 1, "e3"};
    if (keys.count(a) + keys.count(e) != 1)
        return false;
    keys.erase(keys.count(a) ? a : e);
    return true;
}

} // namespace

class TestAuditPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void groupsPlantedDefects();
    void activatingAFindingOpensItsEvent();
    void exportWritesTheCliReport();
    void cancelStopsARunAndACleanStoreIsClean();
    void selectedStreamScope();
    void readOnlyUser();
    void screenshot();

private:
    std::unique_ptr<MainWindow> openWindow(const QString &url = {});
    AuditPanel *openAudit(MainWindow &window);
    // Runs the panel's audit to the end; false when it failed or timed out.
    bool runToEnd(AuditPanel &panel);
    void seed(const SeedOptions &options);

    RedisServer m_server{RedisServer::Options{
        false,
        false,
        false,
        {},
        {QStringLiteral("user inspector reset on >inspector-pw ~* resetchannels &EventStore -@all +@read "
                        "+@connection -@dangerous +ping")}}};
};

void TestAuditPanel::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestAuditPanel::init()
{
    m_server.flushAll();
}

std::unique_ptr<MainWindow> TestAuditPanel::openWindow(const QString &url)
{
    MainWindow::Options options{*ConnectionOptions::fromUrl(url.isEmpty() ? m_server.url() : url), StoreLayout::seed(),
                                false};
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1400, 1000);
    window->show();
    window->connectToServer();
    return window;
}

AuditPanel *TestAuditPanel::openAudit(MainWindow &window)
{
    if (window.auditAction()->shortcut() != QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A))
        return nullptr;
    window.auditAction()->trigger();
    return window.auditPanel();
}

bool TestAuditPanel::runToEnd(AuditPanel &panel)
{
    QSignalSpy finished(&panel, &AuditPanel::finished);
    panel.runButton()->click();
    return QTest::qWaitFor([&] { return !finished.isEmpty(); }, 60000);
}

void TestAuditPanel::seed(const SeedOptions &options)
{
    auto connectionOptions = *ConnectionOptions::fromUrl(m_server.url());
    connectionOptions.readOnly = false;
    RedisConnection connection(connectionOptions);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    connection.open();
    QVERIFY(ready.wait(10000));
    Seeder seeder(&connection, StoreLayout::seed());
    QSignalSpy finished(&seeder, &Seeder::finished);
    seeder.seed(options);
    QVERIFY(finished.wait(60000));
}

void TestAuditPanel::groupsPlantedDefects()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
    auto window = openWindow();
    QVERIFY(window->auditPanel() == nullptr); // nothing runs before the user asks
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    QVERIFY(window->findChild<QDockWidget *>(QStringLiteral("auditDock"))->isVisible());
    QAbstractItemModelTester tester(panel->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(panel->scope(), AuditPanel::Scope::Store);
    QVERIFY(!panel->exportButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
    panel->jsonPayloadsBox()->setChecked(true);
    QVERIFY(runToEnd(*panel));

    // Groups in the checks' order, each with its count.
    const std::map<QByteArray, qint64> expectedCounts = {
        {"dangling-ref", 2},   {"duplicate-ref", 2}, {"orphan", 2},       {"id-gap", 3},      {"foreign-id", 1},
        {"count-mismatch", 1}, {"order", 1},         {"not-a-stream", 1}, {"bad-payload", 1},
    };
    QCOMPARE(groupCounts(*panel->model()), expectedCounts);
    for (int group = 1; group < panel->model()->rowCount(); ++group)
        QVERIFY(panel->model()->index(group - 1, 0).data(AuditFindingsModel::CheckRole).toInt()
                < panel->model()->index(group, 0).data(AuditFindingsModel::CheckRole).toInt());
    QCOMPARE(panel->model()->groupIndex(AuditCheck::IdGap).data().toString(), QStringLiteral("id-gap (3)"));
    std::multiset<Key> keys = treeKeys(*panel->model());
    QVERIFY2(dropDuplicateE3(keys), describe(keys).constData());
    QVERIFY2(keys == Planted, QByteArray("got:\n" + describe(keys) + "expected:\n" + describe(Planted)).constData());
    // Groups are expanded for the user to see.
    QVERIFY(panel->view()->isExpanded(panel->model()->groupIndex(AuditCheck::DanglingRef)));

    const QString summary = panel->summaryText();
    QVERIFY2(summary.startsWith(QLatin1String("14 findings in the whole store (12 commits, 7 streams, 14 references)")),
             qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("dangling-ref 2, duplicate-ref 2, orphan 2, id-gap 3")),
             qPrintable(summary));
    QVERIFY(!summary.contains(QLatin1String("clean")));
    QVERIFY(panel->exportButton()->isEnabled());
    QVERIFY(panel->runButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
}

void TestAuditPanel::activatingAFindingOpensItsEvent()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
    auto window = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window->streamModel()->streamCount() >= 7, 10000);
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    QVERIFY(runToEnd(*panel));
    AuditFindingsModel *model = panel->model();
    QTreeView *view = panel->view();
    const auto findingAt = [model](AuditCheck check, const QByteArray &id) {
        const QModelIndex group = model->groupIndex(check);
        for (int row = 0; row < model->rowCount(group); ++row) {
            const QModelIndex index = model->index(row, 0, group);
            if (index.data(AuditFindingsModel::IdRole).toByteArray() == id)
                return index;
        }
        return QModelIndex();
    };
    const auto selectedVersion = [&window] {
        const QModelIndex current = window->eventView()->currentIndex();
        return current.isValid() ? window->eventModel()->versionAt(current.row()) : qint64(-1);
    };

    // Enter on the dangling reference: s-c at version 1 (a missing id there).
    const QModelIndex dangling = findingAt(AuditCheck::DanglingRef, "e4");
    QVERIFY(dangling.isValid());
    view->setFocus();
    view->setCurrentIndex(dangling);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray("s-c"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(selectedVersion(), qint64(1), 10000);

    // Double-click on the order finding: s-b at version 3.
    const QModelIndex order = findingAt(AuditCheck::Order, "e6");
    QVERIFY(order.isValid());
    view->scrollTo(order);
    const QRect rect = view->visualRect(order.siblingAtColumn(AuditFindingsModel::IdColumn));
    QVERIFY(!rect.isEmpty());
    QCOMPARE(view->indexAt(rect.center()), order.siblingAtColumn(AuditFindingsModel::IdColumn)); // on screen
    // The press a real double-click starts with, then the double-click (QTest's widget double-click sends no press).
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray("s-b"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(selectedVersion(), qint64(3), 10000);
    const QModelIndex current = window->eventView()->currentIndex();
    QTRY_VERIFY(current.data(EventPageModel::LoadedRole).toBool());
    QCOMPARE(current.data(EventPageModel::IdRole).toByteArray(), QByteArray("e6"));

    // An orphan names no stream: $all at its number.
    const QModelIndex orphan = findingAt(AuditCheck::Orphan, "e10");
    QVERIFY(orphan.isValid());
    view->setCurrentIndex(orphan);
    QTest::keyClick(view, Qt::Key_Enter);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray(AllStreamName), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(selectedVersion(), qint64(10), 10000);

    // A foreign field has no number: nothing opens, and the panel says why.
    const QModelIndex foreign = findingAt(AuditCheck::ForeignId, "junk");
    view->setCurrentIndex(foreign);
    QTest::keyClick(view, Qt::Key_Return);
    QVERIFY2(panel->progressText().contains(QLatin1String("not of this layout's id form")),
             qPrintable(panel->progressText()));
    QCOMPARE(window->eventModel()->stream(), QByteArray(AllStreamName));
}

void TestAuditPanel::exportWritesTheCliReport()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
    auto window = openWindow();
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    QVERIFY(!panel->exportReport(QDir::temp().filePath(QStringLiteral("never.jsonl")), true)); // nothing run yet
    panel->jsonPayloadsBox()->setChecked(true);
    QVERIFY(runToEnd(*panel));

    QTemporaryDir dir;
    const QString jsonPath = dir.filePath(QStringLiteral("audit.jsonl"));
    QSignalSpy exported(panel, &AuditPanel::reportExported);
    QVERIFY(panel->exportReport(jsonPath, true));
    QTRY_COMPARE_WITH_TIMEOUT(exported.size(), 1, 10000);
    QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
    QFile file(jsonPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray report = file.readAll();
    QList<QByteArray> lines = report.trimmed().split('\n');
    QCOMPARE(lines.size(), 15); // 14 findings and the summary

    // Every finding line parses back to what the tree shows.
    std::multiset<Key> fromFile;
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        QJsonParseError parseError;
        const QJsonObject finding = QJsonDocument::fromJson(lines.at(i), &parseError).object();
        QVERIFY2(parseError.error == QJsonParseError::NoError, lines.at(i).constData());
        QCOMPARE(finding.keys(), (QStringList{QStringLiteral("check"), QStringLiteral("detail"), QStringLiteral("id"),
                                              QStringLiteral("stream"), QStringLiteral("version")}));
        QVERIFY(!finding.value(QLatin1String("detail")).toString().isEmpty());
        fromFile.insert({finding.value(QLatin1String("check")).toString().toUtf8(),
                         finding.value(QLatin1String("stream")).toString().toUtf8(),
                         qint64(finding.value(QLatin1String("version")).toInteger(0)),
                         finding.value(QLatin1String("id")).toString().toUtf8()});
    }
    QCOMPARE(fromFile, treeKeys(*panel->model()));
    const QJsonObject summary = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(summary.value(QLatin1String("commits")).toInt(), 12);
    QCOMPARE(summary.value(QLatin1String("streams")).toInt(), 7);
    const QJsonObject counts = summary.value(QLatin1String("summary")).toObject();
    QCOMPARE(counts.size(), AuditCheckCount);
    for (int i = 0; i < AuditCheckCount; ++i)
        QCOMPARE(counts.value(QLatin1String(auditCheckName(AuditCheck(i)))).toInteger(-1),
                 panel->model()->found(AuditCheck(i)));

    // The same lines the CLI prints (in the order each run found them).
    const QString cliPath = qEnvironmentVariable("EVENTSCOPE_CLI");
    QVERIFY2(QFile::exists(cliPath), qPrintable(cliPath));
    QProcess cli;
    cli.start(cliPath, {QStringLiteral("--url"), m_server.url(), QStringLiteral("--format"), QStringLiteral("json"),
                        QStringLiteral("audit"), QStringLiteral("--json-payloads")});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 8);
    QList<QByteArray> cliLines = cli.readAllStandardOutput().trimmed().split('\n');
    std::sort(cliLines.begin(), cliLines.end());
    std::sort(lines.begin(), lines.end());
    QCOMPARE(lines, cliLines);

    // The text form, as `eventscope-cli audit` prints it.
    const QString textPath = dir.filePath(QStringLiteral("audit.txt"));
    QVERIFY(panel->exportReport(textPath, false));
    QTRY_COMPARE_WITH_TIMEOUT(exported.size(), 2, 10000);
    QVERIFY(exported.at(1).at(0).toBool());
    QFile text(textPath);
    QVERIFY(text.open(QIODevice::ReadOnly));
    const QList<QByteArray> textLines = text.readAll().trimmed().split('\n');
    QCOMPARE(textLines.size(), 15);
    QVERIFY(std::any_of(textLines.cbegin(), textLines.cend(),
                        [](const QByteArray &line) { return line.startsWith("dangling-ref\ts-c\t1\te4\t"); }));
    QVERIFY2(textLines.last().startsWith("audit: 12 commits, 7 streams: 14 findings ("), textLines.last().constData());
    // A path that cannot be written: a clear error, nothing claimed.
    QVERIFY(panel->exportReport(dir.filePath(QStringLiteral("no/such/dir/audit.jsonl")), true));
    QTRY_COMPARE_WITH_TIMEOUT(exported.size(), 3, 10000);
    QVERIFY(!exported.at(2).at(0).toBool());
    QVERIFY2(exported.at(2).at(1).toString().contains(QLatin1String("cannot write")),
             qPrintable(exported.at(2).at(1).toString()));
}

void TestAuditPanel::cancelStopsARunAndACleanStoreIsClean()
{
    seed(SeedOptions{20, 20000, 50, false, "customer-", 1000, 8, 9});
    auto window = openWindow();
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    QSignalSpy finished(panel, &AuditPanel::finished);
    // Cancel as soon as the auditor says it is reading (its first phase after Idle): the run is under way. (Its
    // first progress report can come with the work all done: a small store is audited within one report interval.)
    bool cancelledWhileReading = false;
    const QMetaObject::Connection cancelling
        = connect(panel->auditor(), &BackgroundAuditor::phaseChanged, panel, [&](Auditor::Phase phase) {
              if (cancelledWhileReading || phase == Auditor::Phase::Idle)
                  return;
              cancelledWhileReading = true;
              panel->cancelButton()->click();
          });
    panel->runButton()->click();
    QVERIFY(panel->isRunning());
    QVERIFY(panel->cancelButton()->isEnabled());
    QVERIFY(!panel->runButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(cancelledWhileReading, 30000);
    disconnect(cancelling);
    QVERIFY(!panel->isRunning());
    QVERIFY(panel->runButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
    QVERIFY(!panel->exportButton()->isEnabled()); // no report of a run that did not finish
    QVERIFY2(panel->summaryText().startsWith(QLatin1String("Cancelled")), qPrintable(panel->summaryText()));
    QCOMPARE(panel->progressText(), QStringLiteral("Cancelled"));

    // Run again to the end: one finished (the cancelled run's never arrives), and the seeded store is clean.
    QVERIFY(runToEnd(*panel));
    QCOMPARE(finished.size(), 1);
    QVERIFY2(panel->summaryText().startsWith(QLatin1String("clean: nothing found in the whole store (")),
             qPrintable(panel->summaryText()));
    QVERIFY2(panel->summaryText().contains(QLocale().toString(20000) + QLatin1String(" commits, ")),
             qPrintable(panel->summaryText()));
    QCOMPARE(panel->model()->rowCount(), 0);
    QVERIFY(panel->exportButton()->isEnabled());
    QCOMPARE(panel->progressText(), QStringLiteral("Done"));
}

void TestAuditPanel::selectedStreamScope()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
    auto window = openWindow();
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    // No stream open: the scope stays the whole store.
    panel->setScope(AuditPanel::Scope::SelectedStream);
    QCOMPARE(panel->scope(), AuditPanel::Scope::Store);
    QSignalSpy opened(window.get(), &MainWindow::streamOpened);
    window->selectStream("s-d");
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty() && opened.last().at(0).toByteArray() == "s-d", 10000);
    panel->setScope(AuditPanel::Scope::SelectedStream);
    QCOMPARE(panel->scope(), AuditPanel::Scope::SelectedStream);
    QVERIFY(runToEnd(*panel));
    QCOMPARE(treeKeys(*panel->model()), (std::multiset<Key>{{"duplicate-ref", "s-d", 2, "e9"}}));
    QVERIFY2(panel->summaryText().startsWith(QLatin1String("1 finding in stream s-d")),
             qPrintable(panel->summaryText()));
}

void TestAuditPanel::readOnlyUser()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
    QVERIFY(!m_server.admin({"CONFIG", "RESETSTAT"}).isBad());
    QString url = m_server.url();
    url.replace(QLatin1String("redis://"), QLatin1String("redis://inspector:inspector-pw@"));
    auto window = openWindow(url);
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    QVERIFY(runToEnd(*panel));
    QVERIFY2(panel->summaryText().startsWith(QLatin1String("13 findings in the whole store")),
             qPrintable(panel->summaryText()));
    // Only reads reached the server (besides this INFO and the reset).
    const QByteArray stats = m_server.admin({"INFO", "commandstats"}).text;
    for (const QByteArray &line : stats.split('\n')) {
        if (!line.startsWith("cmdstat_"))
            continue;
        const QByteArray name = line.mid(8, line.indexOf(':') - 8).toUpper().replace('|', ' ');
        QVERIFY2(isReadOnlyCommand(name.split(' ')) || name == "CONFIG RESETSTAT" || name == "INFO", name.constData());
    }
}

void TestAuditPanel::screenshot()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
    auto window = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(window->streamModel()->streamCount() >= 7, 10000);
    AuditPanel *panel = openAudit(*window);
    QVERIFY(panel);
    panel->jsonPayloadsBox()->setChecked(true);
    QVERIFY(runToEnd(*panel));
    // A few groups open, the rest closed; the first dangling reference opened in the events pane.
    for (int group = 0; group < panel->model()->rowCount(); ++group) {
        const QModelIndex index = panel->model()->index(group, 0);
        const auto check = AuditCheck(index.data(AuditFindingsModel::CheckRole).toInt());
        panel->view()->setExpanded(index, check == AuditCheck::DanglingRef || check == AuditCheck::DuplicateRef
                                              || check == AuditCheck::IdGap || check == AuditCheck::Orphan);
    }
    const QModelIndex danglingGroup = panel->model()->groupIndex(AuditCheck::DanglingRef);
    for (int row = 0; row < panel->model()->rowCount(danglingGroup); ++row) {
        const QModelIndex index = panel->model()->index(row, 0, danglingGroup);
        if (index.data(AuditFindingsModel::IdRole).toByteArray() == "e4")
            panel->view()->setCurrentIndex(index);
    }
    QCOMPARE(panel->view()->currentIndex().data(AuditFindingsModel::StreamRole).toByteArray(), QByteArray("s-c"));
    QTest::keyClick(panel->view(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(window->eventModel()->stream(), QByteArray("s-c"), 10000);
    QTRY_VERIFY(window->eventView()->currentIndex().isValid());
    QTRY_VERIFY(window->eventView()->currentIndex().data(EventPageModel::LoadedRole).toBool());
    const QImage image = window->grab().toImage();
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), window->size() * window->devicePixelRatio());
    const QString directory = qEnvironmentVariable("EVENTSCOPE_SCREENSHOT_DIR");
    QTemporaryDir temporary;
    const QString path
        = QDir(directory.isEmpty() ? temporary.path() : directory).filePath(QStringLiteral("audit-panel.png"));
    QVERIFY2(image.save(path), qPrintable(path));
}

QTEST_MAIN(TestAuditPanel)
#include "tst_auditpanel.moc"
