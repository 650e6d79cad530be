// The tamper-evident export against a real redis-server: export → verify ok → tamper one byte → verify names that
// record; forged chains, dropped records and a changed manifest are caught; diff of two exports; the CLI's exits.
#include "clirun.h"
#include "recordjson.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "sealedexport.h"
#include "seeder.h"
#include "testconnection.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

QList<QByteArray> lines(const QByteArray &bytes)
{
    QList<QByteArray> out = bytes.split('\n');
    if (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    return out;
}

using Test::CliRun;

CliRun cli(const QStringList &arguments)
{
    return Test::runProgram(QStringLiteral(EVENTSCOPE_CLI_PATH), arguments);
}

} // namespace

class TestSealedExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void exportVerifyTamper_data();
    void exportVerifyTamper();
    void chainRule();
    void forgeriesAndTruncation();
    void refusesExistingExportAndMissingStream();
    void diffOfTwoExports();
    void cliExportVerifyDiff();

private:
    std::unique_ptr<RedisConnection> open(bool writes);
    void seed(const StoreLayout &layout, qint64 commits);
    // Exports and returns the final chain value, or a null array on failure (with the message in *error).
    QByteArray exportTo(const StoreLayout &layout, const QList<QByteArray> &streams, const QString &directory,
                        QString *error = nullptr);

    RedisServer m_server;
    QTemporaryDir m_dir;
};

void TestSealedExport::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    QVERIFY(m_dir.isValid());
}

void TestSealedExport::init()
{
    m_server.flushAll();
}

std::unique_ptr<RedisConnection> TestSealedExport::open(bool writes)
{
    return openConnection(m_server.url(), writes);
}

void TestSealedExport::seed(const StoreLayout &layout, qint64 commits)
{
    auto connection = open(true);
    Seeder seeder(connection.get(), layout);
    QSignalSpy finished(&seeder, &Seeder::finished);
    seeder.seed(SeedOptions{5, commits, 80, true, "customer-", 1000, 8, 21});
    QVERIFY(finished.wait(60000));
}

QByteArray TestSealedExport::exportTo(const StoreLayout &layout, const QList<QByteArray> &streams,
                                      const QString &directory, QString *error)
{
    auto connection = open(false);
    SealedExporter exporter(connection.get(), layout);
    QByteArray chain;
    QString message;
    bool done = false;
    connect(&exporter, &SealedExporter::finished, this, [&](qint64, const QByteArray &finalChain) {
        chain = finalChain;
        done = true;
    });
    connect(&exporter, &SealedExporter::failed, this, [&](const QString &text) {
        message = text;
        done = true;
    });
    exporter.start(streams, directory, QStringLiteral("tst_sealedexport"));
    if (!QTest::qWaitFor([&] { return done; }, 60000))
        message = QStringLiteral("timed out");
    if (error)
        *error = message;
    return chain;
}

void TestSealedExport::exportVerifyTamper_data()
{
    QTest::addColumn<StoreLayout>("layout");
    QTest::addColumn<QList<QByteArray>>("streams");
    QTest::newRow("seed, $all") << StoreLayout::seed() << QList<QByteArray>{AllStreamName};
    QTest::newRow("seed, two streams") << StoreLayout::seed() << QList<QByteArray>{"customer-2", "customer-4"};
    QTest::newRow("zilverline, $all") << StoreLayout::zilverline("bank") << QList<QByteArray>{AllStreamName};
}

void TestSealedExport::exportVerifyTamper()
{
    QFETCH(StoreLayout, layout);
    QFETCH(QList<QByteArray>, streams);
    seed(layout, 600);
    const QString directory = m_dir.filePath(QString::fromUtf8(QTest::currentDataTag())
                                                 .replace(QLatin1Char(' '), QLatin1Char('_'))
                                                 .remove(QLatin1Char('$'))
                                                 .remove(QLatin1Char(',')));
    QString error;
    const QByteArray chain = exportTo(layout, streams, directory, &error);
    QVERIFY2(!chain.isEmpty(), qPrintable(error));
    QCOMPARE(chain.size(), 64);
    // No .part file stays behind.
    QCOMPARE(QDir(directory).entryList(QDir::Files).size(), 3);

    const QString recordsPath = QDir(directory).filePath(QStringLiteral("records.jsonl"));
    const QByteArray records = readAll(recordsPath);
    const QList<QByteArray> recordLines = lines(records);
    QVERIFY(recordLines.size() > 50);
    // The records are `events` records, and the manifest tells where they come from.
    const QJsonObject manifest
        = QJsonDocument::fromJson(readAll(QDir(directory).filePath(QStringLiteral("manifest.json")))).object();
    QCOMPARE(manifest.value(QLatin1String("records")).toInteger(), recordLines.size());
    QCOMPARE(manifest.value(QLatin1String("chain")).toObject().value(QLatin1String("final")).toString().toLatin1(),
             chain);
    const QByteArray serverRunId = m_server.admin({"INFO", "server"}).text;
    const QString runId = manifest.value(QLatin1String("server")).toObject().value(QLatin1String("runId")).toString();
    QCOMPARE(runId.size(), 40);
    QVERIFY(serverRunId.contains(QByteArray("run_id:" + runId.toLatin1())));
    QVERIFY(manifest.value(QLatin1String("server")).toObject().value(QLatin1String("timeSeconds")).toInteger()
            > 1700000000);
    const QJsonObject first = QJsonDocument::fromJson(recordLines.first()).object();
    QCOMPARE(manifest.value(QLatin1String("firstId")).toString(), first.value(QLatin1String("id")).toString());
    QCOMPARE(manifest.value(QLatin1String("lastId")).toString(),
             QJsonDocument::fromJson(recordLines.last()).object().value(QLatin1String("id")).toString());
    QCOMPARE(manifest.value(QLatin1String("streams")).toArray().size(), streams.size());
    if (streams.first() == AllStreamName) {
        QCOMPARE(first.value(QLatin1String("stream")).toString(), QStringLiteral("$all"));
        QCOMPARE(manifest.value(QLatin1String("store")).toObject().value(QLatin1String("commits")).toInteger(),
                 recordLines.size());
    }

    VerifyResult verified = verifyExport(directory);
    QVERIFY2(verified.ok, qPrintable(verified.message));
    QCOMPARE(verified.records, recordLines.size());
    QCOMPARE(verified.finalChain, chain);

    // Tamper one byte inside record 37's payload.
    const qsizetype line = 37;
    qsizetype offset = 0;
    for (qsizetype i = 0; i < line - 1; ++i)
        offset += recordLines.at(i).size() + 1;
    const qsizetype inPayload = offset + recordLines.at(line - 1).indexOf("\"payload\":") + 14;
    QByteArray tampered = records;
    tampered[inPayload] = char(tampered.at(inPayload) ^ 0x01);
    writeAll(recordsPath, tampered);
    verified = verifyExport(directory);
    QVERIFY(!verified.ok);
    QVERIFY(verified.mismatch);
    QCOMPARE(verified.badLine, line);
    const QByteArray id
        = QJsonDocument::fromJson(recordLines.at(line - 1)).object().value(QLatin1String("id")).toString().toUtf8();
    QCOMPARE(verified.badId, id);
    QVERIFY2(verified.message.contains(QLatin1String("line 37")), qPrintable(verified.message));
    QCOMPARE(verified.records, line - 1);
}

void TestSealedExport::chainRule()
{
    // The rule the manifest states, computed independently of the exporter.
    const QByteArray zero(32, '\0');
    QCOMPARE(SealedExport::initialChain(), zero);
    const QByteArray line = R"({"stream":"s","version":1,"id":"e1","size":2,"encoding":"json","payload":{}})";
    QCOMPARE(SealedExport::nextChain(zero, line),
             QCryptographicHash::hash(QByteArray(zero + line), QCryptographicHash::Sha256));
}

void TestSealedExport::forgeriesAndTruncation()
{
    seed(StoreLayout::seed(), 200);
    const QString directory = m_dir.filePath(QStringLiteral("forgeries"));
    QVERIFY(!exportTo(StoreLayout::seed(), {AllStreamName}, directory).isEmpty());
    const QString recordsPath = QDir(directory).filePath(QStringLiteral("records.jsonl"));
    const QString chainPath = QDir(directory).filePath(QStringLiteral("chain.sha256"));
    const QString manifestPath = QDir(directory).filePath(QStringLiteral("manifest.json"));
    const QByteArray records = readAll(recordsPath);
    const QByteArray chain = readAll(chainPath);
    const QByteArray manifest = readAll(manifestPath);
    const QList<QByteArray> recordLines = lines(records);

    // A forger who rewrites the records and recomputes chain.sha256 still disagrees with the manifest.
    QList<QByteArray> forged = recordLines;
    forged[10].replace("\"e11\"", "\"e99\"");
    QByteArray value = SealedExport::initialChain();
    QByteArray forgedChain;
    for (const QByteArray &line : forged) {
        value = SealedExport::nextChain(value, line);
        forgedChain += value.toHex() + '\n';
    }
    writeAll(recordsPath, forged.join('\n') + '\n');
    writeAll(chainPath, forgedChain);
    VerifyResult verified = verifyExport(directory);
    QVERIFY(!verified.ok);
    QVERIFY2(verified.message.contains(QLatin1String("manifest")), qPrintable(verified.message));
    QVERIFY(verified.mismatch);

    // The last record dropped.
    writeAll(recordsPath, (recordLines.mid(0, recordLines.size() - 1)).join('\n') + '\n');
    writeAll(chainPath, chain);
    verified = verifyExport(directory);
    QVERIFY(!verified.ok);
    QVERIFY2(verified.message.contains(QLatin1String("dropped")), qPrintable(verified.message));
    QVERIFY(verified.mismatch);

    // Two records swapped: the first of them is named.
    QList<QByteArray> swapped = recordLines;
    swapped.swapItemsAt(20, 21);
    writeAll(recordsPath, swapped.join('\n') + '\n');
    verified = verifyExport(directory);
    QVERIFY(!verified.ok);
    QCOMPARE(verified.badLine, 21);
    QCOMPARE(verified.badId, QByteArray("e22"));

    // The manifest's count changed.
    writeAll(recordsPath, records);
    writeAll(manifestPath, QByteArray(manifest).replace("\"records\": 200", "\"records\": 201"));
    verified = verifyExport(directory);
    QVERIFY(!verified.ok);
    QVERIFY2(verified.message.contains(QLatin1String("manifest says 201")), qPrintable(verified.message));
    QVERIFY(verified.mismatch);

    // Restored, it verifies again; without a manifest it cannot be read.
    writeAll(manifestPath, manifest);
    QVERIFY(verifyExport(directory).ok);
    QVERIFY(QFile::remove(manifestPath));
    verified = verifyExport(directory);
    QVERIFY(!verified.ok);
    QCOMPARE(verified.badLine, 0);
    QVERIFY(verified.message.contains(QLatin1String("cannot read")));
    QVERIFY(!verified.mismatch); // unreadable, not tampered: exit 1, not 8
}

void TestSealedExport::refusesExistingExportAndMissingStream()
{
    seed(StoreLayout::seed(), 50);
    const QString directory = m_dir.filePath(QStringLiteral("twice"));
    QVERIFY(!exportTo(StoreLayout::seed(), {"customer-1"}, directory).isEmpty());
    const QByteArray before = readAll(QDir(directory).filePath(QStringLiteral("records.jsonl")));
    QString error;
    QVERIFY(exportTo(StoreLayout::seed(), {"customer-2"}, directory, &error).isEmpty());
    QVERIFY2(error.contains(QLatin1String("already holds an export")), qPrintable(error));
    QCOMPARE(readAll(QDir(directory).filePath(QStringLiteral("records.jsonl"))), before); // nothing lost

    const QString other = m_dir.filePath(QStringLiteral("missing"));
    QVERIFY(exportTo(StoreLayout::seed(), {"customer-1", "nope"}, other, &error).isEmpty());
    QVERIFY2(error.contains(QLatin1String("no stream")), qPrintable(error));
    QCOMPARE(QDir(other).entryList(QDir::Files), QStringList()); // no partial files
}

void TestSealedExport::diffOfTwoExports()
{
    const QByteArray stream = "customer-1";
    for (int n = 1; n <= 10; ++n) {
        m_server.admin({"HSET", "EventStore", "e" + QByteArray::number(n), R"({"n":)" + QByteArray::number(n) + "}"});
        m_server.admin({"RPUSH", stream, "e" + QByteArray::number(n)});
    }
    const QString before = m_dir.filePath(QStringLiteral("diff-before"));
    QVERIFY(!exportTo(StoreLayout::seed(), {stream}, before).isEmpty());
    m_server.admin({"HSET", "EventStore", "e4", R"({"n":4,"fixed":true})"}); // changed
    m_server.admin({"LREM", stream, "1", "e7"});                             // removed (e8.. move up a version)
    m_server.admin({"HSET", "EventStore", "e11", R"({"n":11})"});            // added
    m_server.admin({"RPUSH", stream, "e11"});
    const QString after = m_dir.filePath(QStringLiteral("diff-after"));
    QVERIFY(!exportTo(StoreLayout::seed(), {stream}, after).isEmpty());

    QList<DiffEntry> entries;
    const DiffResult result = diffExports(before, after, [&](const DiffEntry &entry) { entries.append(entry); });
    QVERIFY2(result.ok, qPrintable(result.message));
    QCOMPARE(result.added, 1);
    QCOMPARE(result.removed, 1);
    // e8, e9, e10 now sit one version lower: their records differ in "version", so they count as changed too.
    QCOMPARE(result.changed, 4);
    QCOMPARE(result.unchanged, 5);
    QVERIFY(!result.identical());
    QCOMPARE(entries.size(), 6);
    QCOMPARE(entries.first().kind, DiffEntry::Kind::Changed);
    QCOMPARE(entries.first().id, QByteArray("e4"));
    QCOMPARE(entries.at(4).kind, DiffEntry::Kind::Added);
    QCOMPARE(entries.at(4).id, QByteArray("e11"));
    QCOMPARE(entries.at(4).version, 10);
    QCOMPARE(entries.last().kind, DiffEntry::Kind::Removed);
    QCOMPARE(entries.last().id, QByteArray("e7"));
    QCOMPARE(entries.last().version, 7);
    QCOMPARE(entries.last().stream, stream);

    QList<DiffEntry> none;
    const DiffResult same = diffExports(before, before, [&](const DiffEntry &entry) { none.append(entry); });
    QVERIFY(same.identical());
    QVERIFY(none.isEmpty());
    QCOMPARE(same.unchanged, 10);
    QVERIFY(!diffExports(before, m_dir.filePath(QStringLiteral("nowhere")), [](const DiffEntry &) {}).ok);
}

void TestSealedExport::cliExportVerifyDiff()
{
    seed(StoreLayout::seed(), 300);
    const QString one = m_dir.filePath(QStringLiteral("cli-one"));
    const QString two = m_dir.filePath(QStringLiteral("cli-two"));
    const QStringList url = {QStringLiteral("--url"), m_server.url()};
    CliRun run = cli(url + QStringList{QStringLiteral("export"), QStringLiteral("$all"), QStringLiteral("--out"), one});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith("exported 300 records to "), run.out.constData());
    QCOMPARE(cli({QStringLiteral("verify"), one}).exitCode, 0);
    run = cli({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("verify"), one});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QLatin1String("ok")).toBool(), true);

    m_server.admin({"HSET", "EventStore", "e5", "changed"});
    QCOMPARE(
        cli(url + QStringList{QStringLiteral("export"), QStringLiteral("$all"), QStringLiteral("--out"), two}).exitCode,
        0);
    run = cli({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("diff"), one, two});
    QCOMPARE(run.exitCode, 8);
    const QList<QByteArray> diffLines = lines(run.out);
    QCOMPARE(diffLines.size(), 2);
    const QJsonObject changed = QJsonDocument::fromJson(diffLines.first()).object();
    QCOMPARE(changed.value(QLatin1String("change")).toString(), QStringLiteral("changed"));
    QCOMPARE(changed.value(QLatin1String("id")).toString(), QStringLiteral("e5"));
    QCOMPARE(changed.value(QLatin1String("version")).toInt(), 5);
    QCOMPARE(QJsonDocument::fromJson(diffLines.last())
                 .object()
                 .value(QLatin1String("summary"))
                 .toObject()
                 .value(QLatin1String("changed"))
                 .toInt(),
             1);
    QCOMPARE(cli({QStringLiteral("diff"), one, one}).exitCode, 0);

    // One byte changed: exit 8, the record named.
    const QString recordsPath = QDir(two).filePath(QStringLiteral("records.jsonl"));
    QByteArray records = readAll(recordsPath);
    const qsizetype at = records.indexOf("\"id\":\"e9\"") + 7;
    records[at] = '8';
    writeAll(recordsPath, records);
    run = cli({QStringLiteral("verify"), two});
    QCOMPARE(run.exitCode, 8);
    QVERIFY2(run.out.contains("line 9"), run.out.constData());
    run = cli({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("verify"), two});
    QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QLatin1String("line")).toInt(), 9);
    QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QLatin1String("id")).toString(), QStringLiteral("e8"));

    QCOMPARE(cli({QStringLiteral("verify"), m_dir.filePath(QStringLiteral("nowhere"))}).exitCode, 1);
    QCOMPARE(cli(url + QStringList{QStringLiteral("export"), QStringLiteral("$all")}).exitCode, 2);
    QCOMPARE(cli({QStringLiteral("verify")}).exitCode, 2);
    QCOMPARE(cli({QStringLiteral("diff"), one}).exitCode, 2);
    // A stream that does not exist, or a key of another type: exit 5, as for `events`.
    m_server.admin({"SET", "not-a-list", "x"});
    QCOMPARE(cli(url
                 + QStringList{QStringLiteral("export"), QStringLiteral("no-such-stream"), QStringLiteral("--out"),
                               m_dir.filePath(QStringLiteral("missing"))})
                 .exitCode,
             5);
    QCOMPARE(cli(url
                 + QStringList{QStringLiteral("export"), QStringLiteral("not-a-list"), QStringLiteral("--out"),
                               m_dir.filePath(QStringLiteral("wrongtype"))})
                 .exitCode,
             5);
    // No server there: exit 4.
    QCOMPARE(cli({QStringLiteral("--url"), QStringLiteral("redis://127.0.0.1:1/0"), QStringLiteral("export"),
                  QStringLiteral("$all"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("noserver"))})
                 .exitCode,
             4);
}

QTEST_GUILESS_MAIN(TestSealedExport)
#include "tst_sealedexport.moc"
