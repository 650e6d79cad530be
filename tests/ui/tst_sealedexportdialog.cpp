// File ▸ Export sealed… and Verify export… offscreen against a real redis-server (the commits of searchdata.h):
// export $all or a list, the manifest summary, verify passes; one flipped byte in records.jsonl and verify names
// that record; an existing export is refused; Cancel leaves no files.
#include "eventpagemodel.h"
#include "mainwindow.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "sealedexport.h"
#include "sealedexportdialog.h"
#include "searchdata.h"
#include "streamscopeedit.h"
#include "trafficmeter.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

class TestSealedExportDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void exportThenVerify_data();
    void exportThenVerify();
    void refusesAnExistingExport();
    void cancelLeavesNoFiles();
    void menuOpensTheDialogs();

private:
    ConnectionOptions options() const { return *ConnectionOptions::fromUrl(m_server.url()); }
    // Exports through the dialog; the directory, or empty when it did not finish.
    bool exportWith(SealedExportDialog &dialog, const QString &directory);
    VerifyResult verifyWith(VerifyExportDialog &dialog, const QString &directory);

    RedisServer m_server;
};

void TestSealedExportDialog::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestSealedExportDialog::init()
{
    m_server.flushAll();
    plantSearchCommits(m_server);
}

bool TestSealedExportDialog::exportWith(SealedExportDialog &dialog, const QString &directory)
{
    QSignalSpy finished(&dialog, &SealedExportDialog::exportFinished);
    QSignalSpy failed(&dialog, &SealedExportDialog::exportFailed);
    dialog.directoryEdit()->setText(directory);
    if (!dialog.startExport())
        return false;
    if (!dialog.isRunning() || !dialog.cancelButton()->isEnabled())
        return false;
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 20000))
        return false;
    return !finished.isEmpty() && finished.first().at(1).toString() == directory && !dialog.isRunning();
}

VerifyResult TestSealedExportDialog::verifyWith(VerifyExportDialog &dialog, const QString &directory)
{
    QSignalSpy verified(&dialog, &VerifyExportDialog::verified);
    dialog.setDirectory(directory);
    dialog.verifyButton()->click(); // the button, as the user does
    if (!verified.wait(20000))
        return {};
    return verified.first().first().value<VerifyResult>();
}

void TestSealedExportDialog::exportThenVerify_data()
{
    QTest::addColumn<int>("scope");
    QTest::addColumn<QString>("streams");
    QTest::addColumn<int>("records");
    QTest::addColumn<QString>("firstId");
    QTest::addColumn<QString>("lastId");
    QTest::addColumn<int>("tamperLine");
    QTest::addColumn<QString>("tamperId");
    QTest::newRow("$all") << int(StreamScopeEdit::Scope::All) << QString() << 20 << QStringLiteral("e1")
                          << QStringLiteral("e20") << 7 << QStringLiteral("e7");
    QTest::newRow("a list") << int(StreamScopeEdit::Scope::List) << QStringLiteral("acc-2, acc-1") << 18
                            << QStringLiteral("e11") << QStringLiteral("e10") << 3 << QStringLiteral("e13");
    QTest::newRow("the selected stream") << int(StreamScopeEdit::Scope::Selected) << QString() << 8
                                         << QStringLiteral("e11") << QStringLiteral("e18") << 8
                                         << QStringLiteral("e18");
}

void TestSealedExportDialog::exportThenVerify()
{
    QFETCH(int, scope);
    QFETCH(QString, streams);
    QFETCH(int, records);
    QFETCH(QString, firstId);
    QFETCH(QString, lastId);
    QFETCH(int, tamperLine);
    QFETCH(QString, tamperId);
    QTemporaryDir temporary;
    const QString directory = QDir(temporary.path()).filePath(QStringLiteral("export"));

    SealedExportDialog dialog(options(), StoreLayout::seed(), "acc-2");
    dialog.show();
    dialog.scopeEdit()->setScope(StreamScopeEdit::Scope(scope));
    if (!streams.isEmpty())
        dialog.scopeEdit()->setList(streams);
    QVERIFY(exportWith(dialog, directory));
    QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
    QVERIFY2(dialog.statusText().startsWith(QStringLiteral("Exported %1 records").arg(records)),
             qPrintable(dialog.statusText()));
    for (const char *name : {SealedExport::RecordsFile, SealedExport::ChainFile, SealedExport::ManifestFile})
        QVERIFY2(QFile::exists(QDir(directory).filePath(QLatin1String(name))), name);

    // The summary is the manifest's: count, first and last id, the chain head, which the core's verify computes too.
    const VerifyResult core = verifyExport(directory);
    QVERIFY2(core.ok, qPrintable(core.message));
    const QString summary = dialog.summaryText();
    QVERIFY2(summary.contains(QStringLiteral("Manifest: %1 records").arg(records)), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("First id: ") + firstId + QLatin1Char('\n')), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("Last id: ") + lastId + QLatin1Char('\n')), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("Chain head (SHA-256): ") + QString::fromLatin1(core.finalChain)),
             qPrintable(summary));
    QCOMPARE(core.finalChain.size(), qsizetype(64));

    VerifyExportDialog verify;
    verify.show();
    VerifyResult result = verifyWith(verify, directory);
    QVERIFY(result.ok);
    QVERIFY(verify.lastOk());
    QCOMPARE(verify.resultText(), QStringLiteral("Verified: %1 records. Final chain value %2.")
                                      .arg(records)
                                      .arg(QString::fromLatin1(core.finalChain)));

    // One byte changed in one record: verify names that record, by line and id.
    QFile file(QDir(directory).filePath(QLatin1String(SealedExport::RecordsFile)));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = file.readAll().split('\n');
    file.close();
    QByteArray &line = lines[tamperLine - 1];
    const qsizetype at = line.indexOf("amount");
    QVERIFY2(at > 0, line.constData());
    line[at] = 'A';
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(lines.join('\n'));
    file.close();
    result = verifyWith(verify, directory);
    QVERIFY(!result.ok);
    QVERIFY(!verify.lastOk());
    QCOMPARE(result.badLine, qint64(tamperLine));
    QVERIFY2(verify.resultText().startsWith(
                 QStringLiteral("Record %1 (id %2) does not match: ").arg(tamperLine).arg(tamperId)),
             qPrintable(verify.resultText()));
}

void TestSealedExportDialog::refusesAnExistingExport()
{
    QTemporaryDir temporary;
    SealedExportDialog dialog(options(), StoreLayout::seed(), "acc-1");
    dialog.show();
    QVERIFY(exportWith(dialog, temporary.path()));
    QSignalSpy failed(&dialog, &SealedExportDialog::exportFailed);
    QVERIFY(dialog.startExport());
    QVERIFY(failed.wait(10000));
    QVERIFY2(dialog.errorText().contains(QStringLiteral("already holds an export")), qPrintable(dialog.errorText()));
    QVERIFY(dialog.summaryText().isEmpty());
    QVERIFY(!dialog.isRunning());
    QVERIFY(dialog.exportButton()->isEnabled());
    // The first export is untouched.
    QVERIFY(verifyExport(temporary.path()).ok);

    // A stream that is not there: said so, nothing left behind.
    QTemporaryDir other;
    dialog.scopeEdit()->setList(QStringLiteral("acc-1 nope"));
    failed.clear();
    dialog.directoryEdit()->setText(other.path());
    QVERIFY(dialog.startExport());
    QVERIFY(failed.wait(10000));
    QVERIFY2(dialog.errorText().contains(QStringLiteral("nope")), qPrintable(dialog.errorText()));
    QCOMPARE(QDir(other.path()).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList());

    // Nothing selected and no list: refused before anything runs.
    SealedExportDialog empty(options(), StoreLayout::seed(), {});
    QCOMPARE(empty.scopeEdit()->scope(), StreamScopeEdit::Scope::All); // no stream open: $all is offered
    empty.scopeEdit()->setScope(StreamScopeEdit::Scope::Selected);
    QVERIFY(!empty.startExport());
    QVERIFY2(empty.errorText().contains(QStringLiteral("No stream is selected")), qPrintable(empty.errorText()));
}

void TestSealedExportDialog::cancelLeavesNoFiles()
{
    // Enough commits that the export still runs when Cancel is clicked, made by the server itself.
    m_server.admin({"EVAL",
                    "for i = 1, 200000 do redis.call('HSET', 'EventStore', 'b' .. i, '{\"type\":\"Big\",\"n\":' .. i "
                    ".. '}'); redis.call('RPUSH', 'big', 'b' .. i) end return 1",
                    "0"});
    QTemporaryDir temporary;
    SealedExportDialog dialog(options(), StoreLayout::seed(), "big");
    dialog.show();
    QSignalSpy cancelled(&dialog, &SealedExportDialog::exportCancelled);
    QSignalSpy finished(&dialog, &SealedExportDialog::exportFinished);
    dialog.directoryEdit()->setText(temporary.path());
    QVERIFY(dialog.startExport());
    // Once records are being written.
    static const QRegularExpression writing(QStringLiteral("^[1-9][0-9,]* of 200.?000 records$"));
    QTRY_VERIFY_WITH_TIMEOUT(writing.match(dialog.statusText()).hasMatch(), 10000);
    dialog.cancelButton()->click();
    QVERIFY(cancelled.wait(10000));
    QCOMPARE(finished.size(), 0);
    QCOMPARE(dialog.statusText(), QStringLiteral("Export cancelled; no files were written."));
    QVERIFY(!dialog.isRunning());
    QCOMPARE(QDir(temporary.path()).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList());
}

void TestSealedExportDialog::menuOpensTheDialogs()
{
    MainWindow::Options windowOptions{options(), StoreLayout::seed(), false};
    MainWindow window(windowOptions);
    window.show();
    window.connectToServer();
    window.selectStream("acc-1");
    QTRY_COMPARE_WITH_TIMEOUT(window.eventModel()->stream(), QByteArray("acc-1"), 10000);
    auto *exportAction = window.findChild<QAction *>(QStringLiteral("sealedExportAction"));
    auto *verifyAction = window.findChild<QAction *>(QStringLiteral("verifyExportAction"));
    QVERIFY(exportAction && verifyAction);
    exportAction->trigger();
    auto *dialog = window.findChild<SealedExportDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->scopeEdit()->selectedStream(), QByteArray("acc-1"));
    QCOMPARE(dialog->scopeEdit()->scope(), StreamScopeEdit::Scope::Selected);
    // The export's reads show in the window's traffic meter, and stay in its totals after the dialog is gone.
    TrafficMeter *meter = window.trafficMeter();
    meter->sample(0);
    const quint64 before = meter->totals().commands;
    QTemporaryDir temporary;
    QVERIFY(exportWith(*dialog, QDir(temporary.path()).filePath(QStringLiteral("export"))));
    const quint64 exportCommands = dialog->workerConnection()->commandsSent();
    QVERIFY(exportCommands > 0);
    meter->sample(1000);
    QVERIFY2(meter->totals().commands >= before + exportCommands,
             qPrintable(QStringLiteral("%1 + %2 > %3").arg(before).arg(exportCommands).arg(meter->totals().commands)));
    const quint64 withExport = meter->totals().commands;
    dialog->reject();
    QTRY_VERIFY(!window.findChild<SealedExportDialog *>()); // deleted on close
    meter->sample(2000);
    QVERIFY(meter->totals().commands >= withExport);
    verifyAction->trigger();
    auto *verify = window.findChild<VerifyExportDialog *>();
    QVERIFY(verify);
    QVERIFY(verify->isVisible());
    verify->reject();
}

QTEST_MAIN(TestSealedExportDialog)
#include "tst_sealedexportdialog.moc"
