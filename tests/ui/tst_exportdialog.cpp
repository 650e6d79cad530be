// The export dialog offscreen against a real redis-server: export a stream and a range, refuse what makes no
// sense in words, report a failure, and cancel (by the button and by closing) without leaving a file.
#include "exportdialog.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "testconnection.h"

#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

constexpr qint64 SmallCommits = 3000;
constexpr qint64 BigCommits = 100000;

QList<QByteArray> readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray text = file.readAll();
    if (text.endsWith('\n'))
        text.chop(1);
    return text.split('\n');
}

} // namespace

class TestExportDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void exportsTheWholeStream();
    void exportsARangeAsCsv();
    void refusesAReversedRange();
    void showsAFailureInWords();
    void cancelRightAway();
    void cancelMidExport();
    void closingCancels();

private:
    std::unique_ptr<ExportDialog> openDialog(const QByteArray &stream, qint64 length,
                                             std::optional<ExportDialog::Range> range = std::nullopt);
    static bool noFileAt(const QString &path);

    RedisServer m_server;
    std::unique_ptr<RedisConnection> m_connection;
    QTemporaryDir m_dir;
};

void TestExportDialog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    m_connection = openConnection(m_server.url());
    QVERIFY2(m_connection->state() == RedisConnection::State::Connected, qPrintable(m_connection->lastErrorString()));

    QList<QByteArray> hset = {"HSET", "EventStore"};
    QList<QByteArray> push = {"RPUSH", "customer-1"};
    for (qint64 n = 1; n <= SmallCommits; ++n) {
        const QByteArray id = "e" + QByteArray::number(n);
        hset << id << R"({"type":"Ticked","n":)" + QByteArray::number(n) + '}';
        push << id;
    }
    QVERIFY(!m_server.admin(hset).isBad());
    QVERIFY(!m_server.admin(push).isBad());
    // Large enough that an export is still running when the test looks at it.
    for (qint64 first = 1; first <= BigCommits; first += 10000) {
        QList<QByteArray> bigHset = {"HSET", "EventStore"};
        QList<QByteArray> bigPush = {"RPUSH", "big"};
        for (qint64 n = first; n < first + 10000; ++n) {
            const QByteArray id = "b" + QByteArray::number(n);
            bigHset << id << R"({"type":"Big","pad":")" + QByteArray(1000, 'x') + "\"}";
            bigPush << id;
        }
        QVERIFY(!m_server.admin(bigHset).isBad());
        QVERIFY(!m_server.admin(bigPush).isBad());
    }
}

void TestExportDialog::init()
{
    const QDir dir(m_dir.path());
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden))
        QVERIFY(QFile::remove(dir.filePath(name)));
}

std::unique_ptr<ExportDialog> TestExportDialog::openDialog(const QByteArray &stream, qint64 length,
                                                           std::optional<ExportDialog::Range> range)
{
    auto dialog = std::make_unique<ExportDialog>(m_connection.get(), StoreLayout::seed(), stream, length, range);
    dialog->show();
    return dialog;
}

bool TestExportDialog::noFileAt(const QString &path)
{
    return !QFile::exists(path) && !QFile::exists(Exporter::partPath(path));
}

void TestExportDialog::exportsTheWholeStream()
{
    auto dialog = openDialog("customer-1", SmallCommits);
    QVERIFY(dialog->allVersionsButton()->isChecked());
    QVERIFY(dialog->pathEdit()->text().endsWith(QStringLiteral("customer-1.jsonl")));
    const QString path = m_dir.filePath(QStringLiteral("customer-1.jsonl"));
    dialog->pathEdit()->setText(path);

    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(!dialog->exportButton()->isEnabled());
    QVERIFY(!dialog->pathEdit()->isEnabled());
    QVERIFY(dialog->progressBar()->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->exporter()->isRunning(), 30000);
    QVERIFY2(dialog->statusText().startsWith(QStringLiteral("Exported")), qPrintable(dialog->statusText()));
    QVERIFY(dialog->errorText().isEmpty());
    QCOMPARE(dialog->progressBar()->value(), dialog->progressBar()->maximum());
    QVERIFY(dialog->exportButton()->isEnabled());
    QVERIFY(dialog->isVisible()); // stays open to show what happened

    const QList<QByteArray> lines = readLines(path);
    QCOMPARE(qint64(lines.size()), SmallCommits);
    QVERIFY(lines.first().startsWith(R"({"stream":"customer-1","version":1,"id":"e1",)"));
    QVERIFY(lines.last().startsWith(R"({"stream":"customer-1","version":3000,"id":"e3000",)"));
}

void TestExportDialog::exportsARangeAsCsv()
{
    auto dialog = openDialog("customer-1", SmallCommits, ExportDialog::Range{10, 19});
    QVERIFY(dialog->rangeButton()->isChecked());
    QCOMPARE(dialog->fromEdit()->text(), QStringLiteral("10"));
    QCOMPARE(dialog->toEdit()->text(), QStringLiteral("19"));
    dialog->pathEdit()->setText(m_dir.filePath(QStringLiteral("range.jsonl")));
    dialog->formatBox()->setCurrentIndex(dialog->formatBox()->findData(int(Exporter::Format::Csv)));
    const QString path = m_dir.filePath(QStringLiteral("range.csv"));
    QCOMPARE(dialog->pathEdit()->text(), path); // the extension follows the format

    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->exporter()->isRunning(), 30000);
    const QList<QByteArray> lines = readLines(path);
    QCOMPARE(lines.size(), qsizetype(11));
    QCOMPARE(lines.first(), QByteArray("stream,version,id,missing,size,encoding,type,timestamp,payload\r"));
    QVERIFY(lines.at(1).startsWith("customer-1,10,e10,false,"));
    QVERIFY(lines.last().startsWith("customer-1,19,e19,false,"));
}

void TestExportDialog::refusesAReversedRange()
{
    auto dialog = openDialog("customer-1", SmallCommits);
    const QString path = m_dir.filePath(QStringLiteral("reversed.jsonl"));
    dialog->pathEdit()->setText(path);
    dialog->fromEdit()->clear();
    QTest::keyClicks(dialog->fromEdit(), QStringLiteral("20"));
    QVERIFY(dialog->rangeButton()->isChecked()); // typing a version picks the range
    dialog->toEdit()->setText(QStringLiteral("10"));
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(!dialog->exporter()->isRunning());
    QVERIFY2(dialog->errorText().contains(QStringLiteral("no smaller than the first")),
             qPrintable(dialog->errorText()));
    QVERIFY(noFileAt(path));

    // Fixing it clears the error.
    dialog->toEdit()->setText(QStringLiteral("25"));
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(dialog->errorText().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->exporter()->isRunning(), 30000);
    QCOMPARE(readLines(path).size(), qsizetype(6));
}

void TestExportDialog::showsAFailureInWords()
{
    auto dialog = openDialog("customer-1", SmallCommits);
    dialog->pathEdit()->setText(m_dir.filePath(QStringLiteral("missing-folder/out.jsonl")));
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->exporter()->isRunning(), 30000);
    QVERIFY2(dialog->errorText().contains(QStringLiteral("missing-folder\" does not exist")),
             qPrintable(dialog->errorText()));
    QVERIFY(!dialog->progressBar()->isVisible());
    QVERIFY(dialog->exportButton()->isEnabled());
    QVERIFY(dialog->pathEdit()->isEnabled());
}

void TestExportDialog::cancelRightAway()
{
    auto dialog = openDialog("customer-1", SmallCommits);
    const QString path = m_dir.filePath(QStringLiteral("cancelled.jsonl"));
    dialog->pathEdit()->setText(path);
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(dialog->cancelButton()->isEnabled());
    QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->exporter()->isRunning(), 30000);
    QVERIFY2(dialog->statusText().contains(QStringLiteral("cancelled")), qPrintable(dialog->statusText()));
    QVERIFY(noFileAt(path));
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->exportButton()->isEnabled());
}

void TestExportDialog::cancelMidExport()
{
    auto dialog = openDialog("big", BigCommits);
    dialog->resize(dialog->sizeHint());
    const QString path = m_dir.filePath(QStringLiteral("big.csv"));
    dialog->formatBox()->setCurrentIndex(dialog->formatBox()->findData(int(Exporter::Format::Csv)));
    dialog->pathEdit()->setText(path);
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->progressBar()->value() > 0, 30000);
    QVERIFY(dialog->exporter()->isRunning());
    QVERIFY2(dialog->statusText().contains(QStringLiteral("records/s")), qPrintable(dialog->statusText()));
    QVERIFY(dialog->grab().save(QStringLiteral("/tmp/export.png")));

    QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->exporter()->isRunning(), 30000);
    QVERIFY2(dialog->statusText().contains(QStringLiteral("cancelled")), qPrintable(dialog->statusText()));
    QVERIFY(noFileAt(path));
}

void TestExportDialog::closingCancels()
{
    auto dialog = openDialog("big", BigCommits);
    const QString path = m_dir.filePath(QStringLiteral("closed.jsonl"));
    dialog->pathEdit()->setText(path);
    QSignalSpy rejected(dialog.get(), &QDialog::rejected);
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(dialog->exporter()->isRunning());
    dialog->reject();              // Escape, the window's close button or Close
    QVERIFY(dialog->isVisible());  // until the export has stopped...
    QVERIFY(rejected.wait(30000)); // ...then it closes
    QVERIFY(!dialog->isVisible());
    QVERIFY(!dialog->exporter()->isRunning());
    QVERIFY(noFileAt(path));
}

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
