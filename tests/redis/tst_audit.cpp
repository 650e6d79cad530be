// The integrity audit against a real redis-server: every defect planted is found where it was planted, in both
// layouts, and a clean store (seeded by the Seeder) yields nothing; one-stream audits, cancel, capped delivery, and
// `eventscope-cli audit` output and exit codes.
#include "auditor.h"
#include "clirun.h"
#include "connectionoptions.h"
#include "plantedstore.h"
#include "rediscommand.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "seeder.h"
#include "testconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <set>
#include <tuple>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

// check, stream, version, id: what a finding must name exactly.
using Key = std::tuple<QByteArray, QByteArray, qint64, QByteArray>;

Key keyOf(const AuditFinding &finding)
{
    return {auditCheckName(finding.check), finding.stream, finding.version, finding.id};
}

QByteArray describe(const std::multiset<Key> &keys)
{
    QByteArray out;
    for (const Key &key : keys)
        out += std::get<0>(key) + ' ' + std::get<1>(key) + ' ' + QByteArray::number(std::get<2>(key)) + ' '
               + std::get<3>(key) + '\n';
    return out;
}

struct Outcome
{
    bool finished = false;
    QString error;
    QList<AuditFinding> findings;
    AuditSummary summary;
    int batches = 0;
    std::multiset<Key> keys() const
    {
        std::multiset<Key> keys;
        for (const AuditFinding &finding : findings)
            keys.insert(keyOf(finding));
        return keys;
    }
};

} // namespace

class TestAudit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void commitRecordFields();
    void cleanStoreFindsNothing_data();
    void cleanStoreFindsNothing();
    void plantedSeedStore();
    void plantedSeedStoreJsonPayloads();
    void plantedZilverlineStore();
    void nextIdOverwriteHazard();
    void oneStream();
    void noSuchStreamAndWrongType();
    void cappedDeliveryCountsEverything();
    void cancelStopsAtOnce();
    void readOnlyGuardStaysOn();
    void cliAuditJsonAndExitCodes();
    void cliAuditText();

private:
    std::unique_ptr<RedisConnection> open(bool writes, int db = 0);
    Outcome audit(const StoreLayout &layout, const AuditOptions &options = {}, int db = 0);
    void plantSeedStore();
    void seed(const StoreLayout &layout, const SeedOptions &options);

    RedisServer m_server;
};

void TestAudit::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestAudit::init()
{
    m_server.flushAll();
}

std::unique_ptr<RedisConnection> TestAudit::open(bool writes, int db)
{
    return openConnection(m_server.url(db), writes);
}

Outcome TestAudit::audit(const StoreLayout &layout, const AuditOptions &options, int db)
{
    auto connection = open(false, db);
    Auditor auditor(connection.get(), layout);
    Outcome outcome;
    connect(&auditor, &Auditor::findings, this, [&](const QList<AuditFinding> &batch) {
        outcome.findings += batch;
        ++outcome.batches;
    });
    connect(&auditor, &Auditor::finished, this, [&](const AuditSummary &summary) {
        outcome.summary = summary;
        outcome.finished = true;
    });
    connect(&auditor, &Auditor::failed, this, [&](const QString &message) { outcome.error = message; });
    auditor.start(options);
    if (!QTest::qWaitFor([&] { return outcome.finished || !outcome.error.isEmpty(); }, 60000))
        outcome.error = QStringLiteral("timed out");
    return outcome;
}

void TestAudit::seed(const StoreLayout &layout, const SeedOptions &options)
{
    auto connection = open(true);
    Seeder seeder(connection.get(), layout);
    QSignalSpy finished(&seeder, &Seeder::finished);
    seeder.seed(options);
    QVERIFY(finished.wait(60000));
}

void TestAudit::commitRecordFields()
{
    const CommitRecordFields full = readCommitRecord(
        R"( {"events":[{"a":"}]"}],"storeRevision":7,"timestamp":1.354e12,"streamId":"post\"1","streamRevision":3} )");
    QVERIFY(full.isObject);
    QCOMPARE(full.storeRevision, 7);
    QCOMPARE(full.timestamp, qint64(1354000000000));
    QCOMPARE(full.streamRevision, 3);
    QCOMPARE(full.streamId, QByteArray("post\"1"));
    const CommitRecordFields partial = readCommitRecord(R"({"storeRevision":"7","nested":{"streamId":"x"}})");
    QVERIFY(partial.isObject);
    QVERIFY(!partial.storeRevision); // a string is not a revision
    QVERIFY(!partial.streamId);      // only top-level fields count
    QVERIFY(!readCommitRecord("[1,2]").isObject);
    QVERIFY(!readCommitRecord("{\"storeRevision\":1").isObject); // not JSON
    QVERIFY(!readCommitRecord("").isObject);
}

void TestAudit::cleanStoreFindsNothing_data()
{
    QTest::addColumn<StoreLayout>("layout");
    QTest::addColumn<bool>("mixed");
    QTest::newRow("seed, mixed payloads") << StoreLayout::seed() << true;
    QTest::newRow("seed, JSON payloads") << StoreLayout::seed() << false;
    QTest::newRow("zilverline") << StoreLayout::zilverline("bank") << false;
}

void TestAudit::cleanStoreFindsNothing()
{
    QFETCH(StoreLayout, layout);
    QFETCH(bool, mixed);
    seed(layout, SeedOptions{40, 3000, 120, mixed, "customer-", 1000, 8, 11});
    const qint64 commits = m_server.admin({"HLEN", layout.eventsKey}).integer;
    QVERIFY(commits > 0);
    AuditOptions options;
    options.listChunk = 7; // pages end mid-stream
    options.hashChunk = 101;
    // JSON is promised by zilverline; with plain JSON seed payloads, demanding it finds nothing either.
    if (!mixed)
        options.jsonPayloads = true;
    const Outcome outcome = audit(layout, options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QVERIFY2(outcome.findings.isEmpty(), describe(outcome.keys()).constData());
    QCOMPARE(outcome.summary.total(), 0);
    QCOMPARE(outcome.summary.commits, commits);
    QCOMPARE(outcome.summary.references, commits);
    QVERIFY(outcome.summary.streams >= 2 && outcome.summary.streams <= 40);
}

// The seed-layout store with every defect that layout can have (tests/support/plantedstore.h says what it plants).
void TestAudit::plantSeedStore()
{
    QString error;
    QVERIFY2(plantSeedStoreDefects(m_server, &error), qPrintable(error));
}

void TestAudit::plantedSeedStore()
{
    plantSeedStore();
    const Outcome outcome = audit(StoreLayout::seed());
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    std::multiset<Key> keys = outcome.keys();
    // Which of the two streams holding e3 counts as the duplicate depends on SCAN order.
    const Key dupA{"duplicate-ref", "s-a", 3, "e3"};
    const Key dupE{"duplicate-ref", "s-e", 1, "e3"};
    QVERIFY2(keys.count(dupA) + keys.count(dupE) == 1, describe(keys).constData());
    keys.erase(keys.count(dupA) ? dupA : dupE);
    const std::multiset<Key> expected = {
        {"order", "s-b", 3, "e6"},         {"dangling-ref", "s-c", 1, "e4"},  {"id-gap", "", 0, "e4"},
        {"duplicate-ref", "s-d", 2, "e9"}, {"orphan", "", 0, "e10"},          {"id-gap", "", 0, "e12"},
        {"id-gap", "s-f", 2, "e13"},       {"dangling-ref", "s-g", 1, "e14"}, {"foreign-id", "", 0, "junk"},
        {"orphan", "", 0, "junk"},         {"not-a-stream", "jobs", 0, ""},   {"count-mismatch", "", 0, ""},
    };
    QVERIFY2(keys == expected, QByteArray("got:\n" + describe(keys) + "expected:\n" + describe(expected)).constData());
    QCOMPARE(outcome.summary.commits, 12);
    QCOMPARE(outcome.summary.streams, 7);
    QCOMPARE(outcome.summary.references, 14);
    QCOMPARE(outcome.summary.count(AuditCheck::IdGap), 3);
    QCOMPARE(outcome.summary.total(), 13);
    QCOMPARE(outcome.summary.count(AuditCheck::BadPayload), 0); // the seed layout promises no JSON
    // Every finding explains itself on one line.
    for (const AuditFinding &finding : outcome.findings) {
        QVERIFY(!finding.detail.isEmpty());
        QVERIFY(!finding.detail.contains(QLatin1Char('\n')));
    }
    const auto detailOf = [&](const char *check, const char *id) {
        for (const AuditFinding &finding : outcome.findings) {
            if (qstrcmp(auditCheckName(finding.check), check) == 0 && finding.id == id)
                return finding.detail;
        }
        return QString();
    };
    QVERIFY2(detailOf("duplicate-ref", "e9").contains(QLatin1String("twice")),
             qPrintable(detailOf("duplicate-ref", "e9")));
    QVERIFY(detailOf("duplicate-ref", "e3").contains(QLatin1String("also listed in stream")));
    QVERIFY(detailOf("order", "e6").contains(QLatin1String("e7")));
    QVERIFY(detailOf("id-gap", "e13").contains(QLatin1String("next commit")));
    QVERIFY(outcome.summary.count(AuditCheck::CountMismatch) == 1);
}

void TestAudit::plantedSeedStoreJsonPayloads()
{
    plantSeedStore();
    AuditOptions options;
    options.jsonPayloads = true;
    const Outcome outcome = audit(StoreLayout::seed(), options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    std::multiset<Key> bad;
    for (const AuditFinding &finding : outcome.findings) {
        if (finding.check == AuditCheck::BadPayload)
            bad.insert(keyOf(finding));
    }
    // e7 says "not json"; "junk" says "x" and is not a commit id, so it is reported as foreign, not checked.
    const std::multiset<Key> expected = {{"bad-payload", "s-b", 2, "e7"}};
    QVERIFY2(bad == expected, describe(bad).constData());
}

void TestAudit::plantedZilverlineStore()
{
    const StoreLayout layout = StoreLayout::zilverline("bank");
    auto record = [](int revision, qint64 timestamp, const char *stream, int streamRevision) -> QByteArray {
        return R"({"storeRevision":)" + QByteArray::number(revision) + R"(,"timestamp":)"
               + QByteArray::number(timestamp) + R"(,"streamId":")" + stream + R"(","streamRevision":)"
               + QByteArray::number(streamRevision) + R"(,"events":[{"type":"Posted"}],"headers":{}})";
    };
    auto admin = [this](const QList<QByteArray> &command) {
        QVERIFY(!m_server.admin(command).isBad());
    };
    admin({"HSET", "bank:commits", "1", record(1, 1000, "p1", 1)});
    admin({"HSET", "bank:commits", "2", record(5, 2000, "p1", 2)}); // storeRevision is not the id
    admin({"HSET", "bank:commits", "3", record(3, 3000, "p2", 7)}); // streamRevision is not the position
    admin({"HSET", "bank:commits", "4", record(4, 4000, "p9", 2)}); // streamId is not the list
    admin({"HSET", "bank:commits", "5", record(5, 500, "p3", 1)});  // earlier than commit 4
    admin({"HSET", "bank:commits", "6", "\xff\xfe not json"});      // bad-payload
    admin({"HSET", "bank:commits", "7", record(7, 7000, "p4", 1)});
    admin({"RPUSH", "bank:stream:p1", "1", "2"});
    admin({"RPUSH", "bank:stream:p2", "3", "4"});
    admin({"RPUSH", "bank:stream:p3", "5", "6"});
    admin({"RPUSH", "bank:stream:p4", "7", "9"});            // 9: dangling-ref
    admin({"RPUSH", "bank:stream:queue", "job-a", "job-b"}); // not-a-stream
    admin({"RPUSH", "other-queue", "job-c"});                // outside the pattern: ignored
    const Outcome outcome = audit(layout);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    const std::multiset<Key> expected = {
        {"revision-mismatch", "p1", 2, "2"}, {"revision-mismatch", "p2", 1, "3"}, {"revision-mismatch", "p2", 2, "4"},
        {"time-regression", "p3", 1, "5"},   {"bad-payload", "p3", 2, "6"},       {"dangling-ref", "p4", 2, "9"},
        {"not-a-stream", "queue", 0, ""},    {"count-mismatch", "", 0, ""},
    };
    QVERIFY2(outcome.keys() == expected,
             QByteArray("got:\n" + describe(outcome.keys()) + "expected:\n" + describe(expected)).constData());
    for (const AuditFinding &finding : outcome.findings) {
        if (finding.id == "2")
            QVERIFY2(finding.detail.contains(QLatin1String("storeRevision 5")), qPrintable(finding.detail));
        if (finding.id == "3")
            QVERIFY2(finding.detail.contains(QLatin1String("streamRevision 7")), qPrintable(finding.detail));
        if (finding.id == "4")
            QVERIFY2(finding.detail.contains(QLatin1String("\"p9\"")), qPrintable(finding.detail));
    }
    QCOMPARE(outcome.summary.streams, 4);
    QCOMPARE(outcome.summary.commits, 7);
}

// The HDEL hazard as it happens: a field deleted, so HLEN + 1 names a commit that exists.
void TestAudit::nextIdOverwriteHazard()
{
    seed(StoreLayout::seed(), SeedOptions{3, 30, 50, false, "customer-", 1000, 8, 5});
    QCOMPARE(m_server.admin({"HDEL", "EventStore", "e7"}).integer, 1);
    const Outcome outcome = audit(StoreLayout::seed());
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    std::multiset<Key> gaps;
    QString hazard;
    for (const AuditFinding &finding : outcome.findings) {
        if (finding.check == AuditCheck::IdGap) {
            gaps.insert({"id-gap", {}, 0, finding.id});
            if (finding.id == "e30")
                hazard = finding.detail;
        }
    }
    // HLEN is 29: e7 is a gap, and e30 (listed in a stream) is the id the next commit would overwrite.
    const std::multiset<Key> expected = {{"id-gap", "", 0, "e7"}, {"id-gap", "", 0, "e30"}};
    QVERIFY2(gaps == expected, describe(gaps).constData());
    QVERIFY2(hazard.contains(QLatin1String("overwrite")), qPrintable(hazard));
    QCOMPARE(outcome.summary.count(AuditCheck::DanglingRef), 1);   // whoever listed e7
    QCOMPARE(outcome.summary.count(AuditCheck::CountMismatch), 1); // 30 listed, HLEN 29
    QCOMPARE(outcome.summary.count(AuditCheck::Orphan), 0);
}

void TestAudit::oneStream()
{
    plantSeedStore();
    AuditOptions options;
    options.stream = "s-d";
    Outcome outcome = audit(StoreLayout::seed(), options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(outcome.keys(), (std::multiset<Key>{{"duplicate-ref", "s-d", 2, "e9"}}));
    QCOMPARE(outcome.summary.streams, 1);
    QCOMPARE(outcome.summary.references, 2);

    // Store-wide checks (gaps, orphans, counts) are not a single stream's business.
    options.stream = "s-c";
    outcome = audit(StoreLayout::seed(), options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(outcome.keys(), (std::multiset<Key>{{"dangling-ref", "s-c", 1, "e4"}}));

    options.stream = "s-a";
    outcome = audit(StoreLayout::seed(), options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QVERIFY(outcome.findings.isEmpty());

    options.stream = "jobs";
    outcome = audit(StoreLayout::seed(), options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(outcome.keys(), (std::multiset<Key>{{"not-a-stream", "jobs", 0, ""}}));
}

void TestAudit::noSuchStreamAndWrongType()
{
    plantSeedStore();
    AuditOptions options;
    options.stream = "nope";
    Outcome outcome = audit(StoreLayout::seed(), options);
    QVERIFY(!outcome.finished);
    QVERIFY2(outcome.error.contains(QLatin1String("no stream \"nope\"")), qPrintable(outcome.error));
    options.stream = "config";
    outcome = audit(StoreLayout::seed(), options);
    QVERIFY(!outcome.finished);
    QVERIFY2(outcome.error.contains(QLatin1String("not a stream")), qPrintable(outcome.error));

    StoreLayout layout = StoreLayout::seed();
    layout.setEventsKey("config");
    outcome = audit(layout);
    QVERIFY(!outcome.finished);
    QVERIFY2(outcome.error.contains(QLatin1String("not a hash")), qPrintable(outcome.error));
}

void TestAudit::cappedDeliveryCountsEverything()
{
    for (int n = 1; n <= 50; ++n)
        m_server.admin({"HSET", "EventStore", "e" + QByteArray::number(n), "{}"});
    m_server.admin({"RPUSH", "only", "e1"});
    AuditOptions options;
    options.maxFindingsPerCheck = 10;
    options.hashChunk = 7;
    const Outcome outcome = audit(StoreLayout::seed(), options);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(outcome.summary.count(AuditCheck::Orphan), 49);
    qsizetype orphans = 0;
    for (const AuditFinding &finding : outcome.findings)
        orphans += finding.check == AuditCheck::Orphan;
    QCOMPARE(orphans, 10);
    QVERIFY(outcome.batches >= 2); // delivered as pages were read, not at the end
}

void TestAudit::cancelStopsAtOnce()
{
    seed(StoreLayout::seed(), SeedOptions{20, 20000, 50, false, "customer-", 1000, 8, 9});
    auto connection = open(false);
    Auditor auditor(connection.get(), StoreLayout::seed());
    QSignalSpy progress(&auditor, &Auditor::progress);
    QSignalSpy finished(&auditor, &Auditor::finished);
    QSignalSpy cancelled(&auditor, &Auditor::cancelled);
    QSignalSpy phases(&auditor, &Auditor::phaseChanged);
    const QMetaObject::Connection cancelling
        = connect(&auditor, &Auditor::phaseChanged, this, [&](Auditor::Phase phase) {
              if (phase == Auditor::Phase::Commits)
                  auditor.cancel();
          });
    AuditOptions options;
    options.hashChunk = 100;
    auditor.start(options);
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.size(), 1, 30000);
    QVERIFY(!auditor.isRunning());
    QCOMPARE(auditor.phase(), Auditor::Phase::Idle);
    // Nothing after the cancel: let every reply in flight arrive.
    bool answered = false;
    connection->send({"PING"}, this, [&](const RedisReply &) { answered = true; });
    QTRY_VERIFY(answered);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(cancelled.size(), 1);

    // And it runs again to the end afterwards, with progress reaching the total.
    disconnect(cancelling);
    progress.clear();
    auditor.start(options);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    QVERIFY(!progress.isEmpty());
    const QList<QVariant> last = progress.last();
    QCOMPARE(last.at(0).toLongLong(), last.at(1).toLongLong());
    QCOMPARE(last.at(1).toLongLong(), 2 * 20000);
}

void TestAudit::readOnlyGuardStaysOn()
{
    plantSeedStore();
    QVERIFY(!m_server.admin({"CONFIG", "RESETSTAT"}).isBad());
    const Outcome outcome = audit(StoreLayout::seed());
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    const QByteArray stats = m_server.admin({"INFO", "commandstats"}).text;
    // Only reads reached the server (besides this very INFO and the handshake).
    for (const QByteArray &line : stats.split('\n')) {
        if (!line.startsWith("cmdstat_"))
            continue;
        const QByteArray name = line.mid(8, line.indexOf(':') - 8).toUpper().replace('|', ' ');
        const QList<QByteArray> words = name.split(' ');
        QVERIFY2(isReadOnlyCommand(words) || name == "CONFIG RESETSTAT", name.constData());
    }
}

namespace {

using Test::CliRun;

CliRun cli(const QStringList &arguments)
{
    return Test::runProgram(QStringLiteral(EVENTSCOPE_CLI_PATH), arguments);
}

} // namespace

void TestAudit::cliAuditJsonAndExitCodes()
{
    seed(StoreLayout::seed(), SeedOptions{5, 200, 60, false, "customer-", 1000, 8, 3});
    const QStringList base = {QStringLiteral("--url"), m_server.url(), QStringLiteral("--format"),
                              QStringLiteral("json"), QStringLiteral("audit")};
    CliRun clean = cli(base);
    QCOMPARE(clean.exitCode, 0);
    QList<QByteArray> lines = clean.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QJsonObject summary = QJsonDocument::fromJson(lines.first()).object();
    QCOMPARE(summary.value(QLatin1String("commits")).toInt(), 200);
    QCOMPARE(summary.value(QLatin1String("streams")).toInt(), 5);
    const QJsonObject counts = summary.value(QLatin1String("summary")).toObject();
    QCOMPARE(counts.size(), AuditCheckCount);
    for (auto it = counts.begin(); it != counts.end(); ++it)
        QCOMPARE(it.value().toInt(-1), 0);

    m_server.admin({"RPUSH", "customer-1", "e999"});
    m_server.admin({"HDEL", "EventStore", "e100"});
    const CliRun found = cli(base);
    QCOMPARE(found.exitCode, 8);
    lines = found.out.trimmed().split('\n');
    QVERIFY(lines.size() >= 3);
    bool sawDangling = false;
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QJsonObject finding = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(finding.keys(), (QStringList{QStringLiteral("check"), QStringLiteral("detail"), QStringLiteral("id"),
                                              QStringLiteral("stream"), QStringLiteral("version")}));
        QVERIFY(auditCheckFromName(finding.value(QLatin1String("check")).toString().toUtf8()));
        if (finding.value(QLatin1String("check")) == QLatin1String("dangling-ref")
            && finding.value(QLatin1String("id")) == QLatin1String("e999")) {
            sawDangling = true;
            QCOMPARE(finding.value(QLatin1String("stream")).toString(), QStringLiteral("customer-1"));
            QVERIFY(finding.value(QLatin1String("version")).toInt() > 1);
        }
    }
    QVERIFY(sawDangling);
    summary = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(summary.value(QLatin1String("summary")).toObject().value(QLatin1String("dangling-ref")).toInt(), 2);
    // e100 is a gap, and e200 now lies beyond HLEN.
    QCOMPARE(summary.value(QLatin1String("summary")).toObject().value(QLatin1String("id-gap")).toInt(), 2);
    QCOMPARE(summary.value(QLatin1String("commits")).toInt(), 199);

    // One stream; a stream that is not there; too many arguments.
    const CliRun one = cli({QStringLiteral("--url"), m_server.url(), QStringLiteral("--format"), QStringLiteral("json"),
                            QStringLiteral("audit"), QStringLiteral("customer-2")});
    QVERIFY(one.exitCode == 0 || one.exitCode == 8); // customer-2 may have listed e100
    const CliRun none = cli({QStringLiteral("--url"), m_server.url(), QStringLiteral("audit"), QStringLiteral("nope")});
    QCOMPARE(none.exitCode, 5);
    QVERIFY(none.err.contains("no stream"));
    QCOMPARE(cli({QStringLiteral("--url"), m_server.url(), QStringLiteral("audit"), QStringLiteral("a"),
                  QStringLiteral("b")})
                 .exitCode,
             2);
    QCOMPARE(cli({QStringLiteral("--url"), QStringLiteral("redis://127.0.0.1:1/0"), QStringLiteral("audit")}).exitCode,
             4);
}

void TestAudit::cliAuditText()
{
    plantSeedStore();
    const CliRun run = cli({QStringLiteral("--url"), m_server.url(), QStringLiteral("audit")});
    QCOMPARE(run.exitCode, 8);
    QVERIFY2(run.out.contains("dangling-ref\ts-c\t1\te4\t"), run.out.constData());
    QVERIFY(run.out.contains("not-a-stream\tjobs\t-\t-\t"));
    QVERIFY2(run.out.trimmed().split('\n').last().startsWith("audit: 12 commits, 7 streams: 13 findings ("),
             run.out.right(300).constData());
    const CliRun help = cli({QStringLiteral("--help")});
    QVERIFY(help.out.contains("audit [STREAM]"));
    QVERIFY(help.out.contains("8 findings"));
}

QTEST_GUILESS_MAIN(TestAudit)
#include "tst_audit.moc"
