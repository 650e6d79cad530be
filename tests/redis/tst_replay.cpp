// Replays into the sandbox against a real redis-server: both projection forms on known data, filterBy/transformBy,
// would-emit, determinism, seeking equals a fresh replay, compare finds a planted divergence, and hostile scripts
// stopped with the right message while this process keeps ticking. The CLI's replay command too (exit 6).
#include "projectioncomparer.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "replayrunner.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

constexpr qint64 Commits = 3000; // e1..e3000; "acct" holds ids n%3 != 0, "other" ids n%3 == 0; e1501 is missing
// Iterations of a loop that takes ~35-75 ms in the sandbox on an idle 2-core machine, ~250 ms under load; the test
// that needs it slow doubles it where it runs faster.
constexpr qint64 SlowLoop = 6000000;
const char *const Types[] = {"Opened", "Deposited", "Withdrawn"};

QByteArray payloadOf(qint64 n)
{
    return "{\"type\":\"" + QByteArray(Types[n % 3]) + "\",\"amount\":" + QByteArray::number(n) + ",\"timestamp\":"
           + QByteArray::number(1700000000000 + n * 1000) + ",\"meta\":{\"k\":" + QByteArray::number(n % 5) + "}}";
}

// The longest the calling thread may go without running its 10 ms timer while a hostile script runs. The scripts
// run for seconds (time limits of 2.5 s, memory bombs, a sandbox that is killed after its grace), so a caller that
// waited on the sandbox would show a gap of seconds; one second leaves room for a loaded CI machine.
constexpr qint64 ResponsiveGapMs = 1000;

struct Outcome
{
    ReplayResult result;
    ProjectionError error;
    qint64 maxTickGapMs = 0; // the longest this thread went without running a 10 ms timer
};

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void reducerForm();
    void kurrentForm();
    void zilverlineCommitsFeedEachEvent();
    void eventFields();
    void slowEventsUnderTheLimit();
    void mergedStreamsAndAll();
    void deterministic();
    void seekEqualsFreshReplay();
    void compareFindsDivergence();
    void compareAgreeingProjections();
    void hostile_data();
    void hostile();
    void nonAsciiPayloads();
    void allocationBomb();
    void recursionWithinTheLimit();
    void unresponsiveSandboxIsKilled();
    void cli();

private:
    ReplayOptions options(const QByteArray &script, ReplaySource source = ReplaySource::stream("acct")) const;
    Outcome run(const ReplayOptions &options, int db = 0, ReplayRunner **keep = nullptr);
    QJsonObject state(const Outcome &outcome) const
    {
        return QJsonDocument::fromJson(outcome.result.state.state).object();
    }

    RedisServer m_server;
    RedisConnection *m_connection = nullptr;
    RedisConnection *m_zilverline = nullptr;
    RedisConnection *m_intl = nullptr; // db 2
    QList<qint64> m_acct;              // ids (numbers) in "acct", in order
};

void TestReplay::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    QList<QByteArray> hset{"HSET", "EventStore"};
    QList<QByteArray> acct{"RPUSH", "acct"};
    QList<QByteArray> other{"RPUSH", "other"};
    for (qint64 n = 1; n <= Commits; ++n) {
        const QByteArray id = "e" + QByteArray::number(n);
        if (n != 1501)
            hset << id << payloadOf(n);
        if (n % 3 != 0) {
            acct << id;
            m_acct << n;
        } else {
            other << id;
        }
    }
    QVERIFY(!m_server.admin(hset).isBad());
    QVERIFY(!m_server.admin(acct).isBad());
    QVERIFY(!m_server.admin(other).isBad());
    QVERIFY(!m_server.admin({"SET", "notalist", "x"}).isBad());
    // db 1: a zilverline store, two commits of two and one events.
    QVERIFY(!m_server
                 .admin({"HSET", "blog:commits", "1",
                         R"({"storeRevision":1,"timestamp":1354000000000,"streamId":"post-1","streamRevision":1,)"
                         R"("events":[{"type":"PostAdded","title":"Hello"},{"type":"PostEdited","title":"Hi"}],)"
                         R"("headers":{"user":"ann"}})",
                         "2",
                         R"({"storeRevision":2,"timestamp":1354000001000,"streamId":"post-1","streamRevision":2,)"
                         R"("events":[{"type":"PostDeleted"}],"headers":{}})"},
                        1)
                 .isBad());
    QVERIFY(!m_server.admin({"RPUSH", "blog:stream:post-1", "1", "2"}, 1).isBad());

    ConnectionOptions options = ConnectionOptions::fromUrl(m_server.url(0)).value();
    m_connection = new RedisConnection(options, this);
    QSignalSpy ready(m_connection, &RedisConnection::ready);
    m_connection->open();
    QVERIFY(ready.wait(5000));
    m_zilverline = new RedisConnection(ConnectionOptions::fromUrl(m_server.url(1)).value(), this);
    QSignalSpy ready1(m_zilverline, &RedisConnection::ready);
    m_zilverline->open();
    QVERIFY(ready1.wait(5000));
    // db 2: payloads beyond ASCII (they reach the sandbox as UTF-16, the others as Latin-1 bytes).
    QVERIFY(!m_server
                 .admin({"HSET", "EventStore", "e1", R"({"type":"Named","name":"Zoë"})", "e2",
                         "{\"type\":\"Named\",\"name\":\"\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80\"}", "e3",
                         "caf\xc3\xa9 plain text", "e4", "\xff\xfe binary", "e5", R"({"type":"Named","name":"plain"})"},
                        2)
                 .isBad());
    QVERIFY(!m_server.admin({"RPUSH", "intl", "e1", "e2", "e3", "e4", "e5"}, 2).isBad());
    m_intl = new RedisConnection(ConnectionOptions::fromUrl(m_server.url(2)).value(), this);
    QSignalSpy ready2(m_intl, &RedisConnection::ready);
    m_intl->open();
    QVERIFY(ready2.wait(5000));
}

ReplayOptions TestReplay::options(const QByteArray &script, ReplaySource source) const
{
    ReplayOptions options;
    options.source = std::move(source);
    options.script = script;
    options.sandboxProgram = QStringLiteral(EVENTSCOPE_SANDBOX_PATH);
    options.pageSize = 100;
    return options;
}

Outcome TestReplay::run(const ReplayOptions &options, int db, ReplayRunner **keep)
{
    StoreLayout layout = db == 1 ? StoreLayout::zilverline("blog") : StoreLayout();
    auto *runner = new ReplayRunner(db == 1 ? m_zilverline : (db == 2 ? m_intl : m_connection), layout, this);
    Outcome outcome;
    bool done = false;
    connect(runner, &ReplayRunner::finished, this, [&](const ReplayResult &result) {
        outcome.result = result;
        done = true;
    });
    connect(runner, &ReplayRunner::failed, this, [&](const ProjectionError &error) {
        outcome.error = error;
        done = true;
    });
    // The application stays responsive: a 10 ms timer keeps firing while the sandbox works (or is stuck).
    QElapsedTimer sinceTick;
    sinceTick.start();
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this,
            [&] { outcome.maxTickGapMs = qMax(outcome.maxTickGapMs, sinceTick.restart()); });
    ticker.start();
    runner->start(options);
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(done, 60000);
    }();
    ticker.stop();
    if (keep)
        *keep = runner;
    else
        runner->deleteLater();
    return outcome;
}

void TestReplay::reducerForm()
{
    const Outcome outcome = run(options(R"(
        function init() { return { count: 0, sum: 0, byType: {}, nested: { last: { id: null, k: {} } } }; }
        function reduce(state, event) {
            state.count += 1;
            state.sum += event.data.amount;
            state.byType[event.type] = (state.byType[event.type] || 0) + 1;
            state.nested.last.id = event.id;
            state.nested.last.k[event.data.meta.k] = event.version;
            return state;
        })"));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    qint64 count = 0, sum = 0;
    QMap<QString, int> byType;
    for (qint64 n : m_acct) {
        if (n == 1501)
            continue; // missing from the hash: nothing to feed
        ++count;
        sum += n;
        ++byType[QString::fromLatin1(Types[n % 3])];
    }
    const QJsonObject state = this->state(outcome);
    QCOMPARE(state.value(QStringLiteral("count")).toInteger(), count);
    QCOMPARE(state.value(QStringLiteral("sum")).toInteger(), sum);
    for (auto it = byType.cbegin(); it != byType.cend(); ++it)
        QCOMPARE(state.value(QStringLiteral("byType")).toObject().value(it.key()).toInt(), it.value());
    QCOMPARE(state.value(QStringLiteral("nested"))
                 .toObject()
                 .value(QStringLiteral("last"))
                 .toObject()
                 .value(QStringLiteral("id")),
             QJsonValue(QStringLiteral("e2999")));
    QCOMPARE(outcome.result.commits, qint64(m_acct.size()));
    QCOMPARE(outcome.result.missing, 1);
    QCOMPARE(outcome.result.lastVersion, qint64(m_acct.size()));
    QCOMPARE(outcome.result.info.form, QStringLiteral("reducer"));
    QVERIFY(outcome.result.checkpoints >= 2);
}

void TestReplay::kurrentForm()
{
    // Handlers mutate in place and return nothing, or return a new state; KurrentDB's names work; the output is
    // transformed and filtered; writes are recorded only.
    const Outcome outcome = run(options(R"(
        options({ reorderEvents: false });
        fromStream('acct')
          .when({
            $init: function () { return { deposits: 0, withdrawn: 0, other: 0, names: {} }; },
            Deposited: function (s, e) {
                s.deposits += e.body.amount;
                if (e.sequenceNumber < 10) emit('audit', 'Deposit', { id: e.id }, { by: 'test' });
                if (e.version === 1) { linkTo('links', e); copyTo('copies', e); linkStreamTo('ls', 'acct'); }
            },
            Withdrawn: (s, e) => ({ deposits: s.deposits, withdrawn: s.withdrawn + e.data.amount, other: s.other, names: s.names }),
            $any: function (s, e) { s.other++; s.names[e.eventType] = e.streamId; }
          })
          .transformBy(function (s) { return { net: s.deposits - s.withdrawn, other: s.other }; })
          .filterBy(function (s) { return s.net !== 0; })
          .outputState();
    )"));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    qint64 deposits = 0, withdrawn = 0, other = 0;
    for (qint64 n : m_acct) {
        if (n == 1501)
            continue;
        if (n % 3 == 1)
            deposits += n;
        else if (n % 3 == 2)
            withdrawn += n;
        else
            ++other;
    }
    const QJsonObject state = this->state(outcome);
    QCOMPARE(state.value(QStringLiteral("deposits")).toInteger(), deposits);
    QCOMPARE(state.value(QStringLiteral("withdrawn")).toInteger(), withdrawn);
    QCOMPARE(state.value(QStringLiteral("other")).toInteger(), other); // $any only where no handler matched
    const QJsonObject result = QJsonDocument::fromJson(outcome.result.state.result).object();
    QCOMPARE(result.value(QStringLiteral("net")).toInteger(), deposits - withdrawn);
    QCOMPARE(outcome.result.state.output(), outcome.result.state.result);
    QCOMPARE(outcome.result.info.form, QStringLiteral("kurrent"));
    QCOMPARE(outcome.result.info.sources.value(QStringLiteral("kind")).toString(), QStringLiteral("stream"));
    // Would emit: recorded with the event that asked, written nowhere.
    int deposited = 0;
    for (int i = 0; i < 10; ++i)
        deposited += m_acct.at(i) % 3 == 1 ? 1 : 0;
    QCOMPARE(outcome.result.emitCount, deposited + 3);
    QCOMPARE(outcome.result.emits.size(), deposited + 3);
    QStringList kinds;
    for (const QJsonValue &value : outcome.result.emits)
        kinds << value.toObject().value(QStringLiteral("kind")).toString();
    QCOMPARE(kinds.mid(0, 4), (QStringList{QStringLiteral("emit"), QStringLiteral("linkTo"), QStringLiteral("copyTo"),
                                           QStringLiteral("linkStreamTo")}));
    const QJsonObject first = outcome.result.emits.first().toObject();
    QCOMPARE(first.value(QStringLiteral("stream")).toString(), QStringLiteral("audit"));
    QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("Deposit"));
    QCOMPARE(first.value(QStringLiteral("id")).toString(), QStringLiteral("e1"));
    QCOMPARE(first.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(m_server.admin({"EXISTS", "audit", "links", "copies", "ls"}).integer, 0);

    // filterBy rejecting the state gives a null output.
    const Outcome filtered = run(options(
        R"(fromAll().when({ $init: () => ({ n: 0 }), $any: (s) => { s.n++; } }).filterBy(s => s.n < 0).outputState();)"));
    QVERIFY2(!filtered.error.isError(), qPrintable(filtered.error.text()));
    QCOMPARE(filtered.result.state.result, QByteArray("null"));
    QCOMPARE(QJsonDocument::fromJson(filtered.result.state.state).object().value(QStringLiteral("n")).toInt(),
             m_acct.size() - 1);
}

void TestReplay::zilverlineCommitsFeedEachEvent()
{
    const Outcome outcome = run(options(R"(
        function init() { return { seen: [] }; }
        function reduce(s, e) {
            s.seen.push([e.type, e.id, e.index, e.stream, e.commit.streamRevision, e.headers && e.headers.user || null,
                         new Date().toISOString()]);
        })",
                                        ReplaySource::stream("post-1")),
                                1);
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    const QByteArray expected = R"({"seen":[["PostAdded","1",0,"post-1",1,"ann","2012-11-27T07:06:40.000Z"],)"
                                R"(["PostEdited","1",1,"post-1",1,"ann","2012-11-27T07:06:40.000Z"],)"
                                R"(["PostDeleted","2",0,"post-1",2,null,"2012-11-27T07:06:41.000Z"]]})";
    QCOMPARE(outcome.result.state.state, expected);
}

void TestReplay::eventFields()
{
    // Most fields are computed when read (from the batch the event came in): they read as plain fields would,
    // JSON.stringify shows them all, and assigning to one works.
    const Outcome outcome = run(options(R"(
        function init() { return { seen: [] }; }
        function reduce(s, e) {
            if (e.version > 3 && e.version !== 750) return s;
            const before = JSON.stringify(e);
            e.type = 'Changed';
            e.data.amount = -1;
            s.seen.push([JSON.parse(before), e.raw === e.bodyRaw, JSON.parse(e.raw).amount, e.type, e.eventType,
                         e.metadataRaw, e.isJson, e.sequenceNumber, e.streamId, Object.keys(e).join(','),
                         e.timestamp]);
        })"));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    const QJsonArray seen = this->state(outcome).value(QStringLiteral("seen")).toArray();
    QCOMPARE(seen.size(), 4);
    const int versions[] = {1, 2, 3, 750};
    for (int i = 0; i < 4; ++i) {
        const QJsonArray row = seen.at(i).toArray();
        const qint64 n = m_acct.at(versions[i] - 1);
        const QJsonObject payload = QJsonDocument::fromJson(payloadOf(n)).object();
        const QJsonObject event = row.at(0).toObject();
        QCOMPARE(event.value(QStringLiteral("id")).toString(), QStringLiteral("e%1").arg(n));
        QCOMPARE(event.value(QStringLiteral("stream")).toString(), QStringLiteral("acct"));
        QCOMPARE(event.value(QStringLiteral("version")).toInt(), versions[i]);
        QCOMPARE(event.value(QStringLiteral("type")).toString(), payload.value(QStringLiteral("type")).toString());
        QCOMPARE(event.value(QStringLiteral("data")).toObject(), payload);
        QCOMPARE(event.value(QStringLiteral("raw")).toString(), QString::fromUtf8(payloadOf(n)));
        QCOMPARE(event.value(QStringLiteral("metadata")), QJsonValue(QJsonValue::Null));
        QCOMPARE(event.value(QStringLiteral("timestamp")).toInteger(), 1700000000000 + n * 1000);
        QCOMPARE(event.value(QStringLiteral("commit")), QJsonValue(QJsonValue::Null));
        QCOMPARE(event.value(QStringLiteral("index")).toInt(), 0);
        QCOMPARE(row.at(1).toBool(), true);
        QCOMPARE(row.at(2).toInteger(), n); // raw is the payload as stored, whatever the handler did to data
        QCOMPARE(row.at(3).toString(), QStringLiteral("Changed"));
        QCOMPARE(row.at(4).toString(), QStringLiteral("Changed"));
        QCOMPARE(row.at(5), QJsonValue(QJsonValue::Null));
        QCOMPARE(row.at(6).toBool(), true);
        QCOMPARE(row.at(7).toInt(), versions[i] - 1);
        QCOMPARE(row.at(8).toString(), QStringLiteral("acct"));
        QCOMPARE(row.at(9).toString(), QStringLiteral("version,data,type"));
        QCOMPARE(row.at(10).toInteger(), 1700000000000 + n * 1000);
    }
}

void TestReplay::slowEventsUnderTheLimit()
{
    // Quick events first (the sandbox then reads the clock only every 32 or 64 events), then, within such a stretch
    // (a batch is 100 commits here), 30 events of some tens of milliseconds each: more than the budget and the
    // limit together, but each well under the limit. None of them may be named as breaking it. Then one that does
    // break it is named exactly.
    ReplayOptions slow = options(R"(
        function init() { return { n: 0, x: 0 }; }
        function reduce(s, e) {
            s.n++;
            if (e.version > 540 && e.version <= 570) {
                let x = s.x;
                for (let i = 0; i < %1; ++i) x = (x + i) % 1000003;
                s.x = x;
            }
        })");
    slow.limits.eventMs = 1000;
    // How fast the loop runs depends on the machine and what else it runs, so the loop grows until the stretch
    // really takes longer than the limit (each event then takes some tens of milliseconds, far under it).
    qint64 loop = SlowLoop;
    qint64 elapsed = 0;
    for (int attempt = 0; attempt < 4 && elapsed <= 1000 + 50; ++attempt, loop *= 2) {
        ReplayOptions attemptOptions = slow;
        attemptOptions.script.replace("%1", QByteArray::number(loop));
        QElapsedTimer clock;
        clock.start();
        const Outcome outcome = run(attemptOptions);
        elapsed = clock.elapsed();
        QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
        QCOMPARE(this->state(outcome).value(QStringLiteral("n")).toInt(), m_acct.size() - 1);
    }
    QVERIFY2(elapsed > 1000 + 50, qPrintable(QString::number(elapsed))); // it was slow enough

    ReplayOptions stuck = options("function reduce(s, e) { if (e.version === 900) while (true) {} }");
    stuck.limits.eventMs = 1000;
    const Outcome broken = run(stuck);
    QCOMPARE(broken.error.kind, ProjectionError::Kind::Time);
    QCOMPARE(broken.error.version, 900);
    QCOMPARE(broken.error.id, QByteArray("e") + QByteArray::number(m_acct.at(899)));
}

void TestReplay::mergedStreamsAndAll()
{
    const QByteArray script = R"(
        function init() { return { ids: [], streams: {} }; }
        function reduce(s, e) { s.ids.push(e.id); s.streams[e.stream] = (s.streams[e.stream] || 0) + 1; })";
    const Outcome merged = run(options(script, ReplaySource::merged({"other", "acct"})));
    QVERIFY2(!merged.error.isError(), qPrintable(merged.error.text()));
    const QJsonObject state = this->state(merged);
    const QJsonArray ids = state.value(QStringLiteral("ids")).toArray();
    QCOMPARE(ids.size(), Commits - 1); // e1501 is missing
    for (qsizetype i = 1; i < ids.size(); ++i)
        QVERIFY(ids.at(i - 1).toString().mid(1).toInt() < ids.at(i).toString().mid(1).toInt());
    QCOMPARE(state.value(QStringLiteral("streams")).toObject().value(QStringLiteral("other")).toInt(), Commits / 3);
    QCOMPARE(merged.result.lastVersion, Commits);

    const Outcome all = run(options(script, ReplaySource::all()));
    QVERIFY2(!all.error.isError(), qPrintable(all.error.text()));
    // $all reads e1..e<HLEN>: HLEN is 2999 with e1501 absent, so e3000 is beyond it and e1501 reads as missing.
    QCOMPARE(all.result.lastVersion, Commits - 1);
    QCOMPARE(all.result.missing, 1);
    QCOMPARE(this->state(all).value(QStringLiteral("ids")).toArray().size(), Commits - 2);

    const Outcome none = run(options(script, ReplaySource::stream("nosuch")));
    QCOMPARE(none.error.kind, ProjectionError::Kind::Read);
    QVERIFY2(none.error.message.contains(QLatin1String("no stream")), qPrintable(none.error.message));
    const Outcome wrong = run(options(script, ReplaySource::stream("notalist")));
    QCOMPARE(wrong.error.kind, ProjectionError::Kind::Read);
}

void TestReplay::deterministic()
{
    const QByteArray script = R"(
        function init() { return { r: [], t: [], d: [], s: 0 }; }
        function reduce(s, e) {
            if (e.version % 500 === 0) { s.r.push(Math.random()); s.t.push(Date.now()); s.d.push(new Date().getTime()); }
            s.s = (s.s + Math.floor(Math.random() * 1000)) % 1000003;
            return s;
        })";
    const Outcome first = run(options(script));
    const Outcome second = run(options(script));
    QVERIFY2(!first.error.isError(), qPrintable(first.error.text()));
    QCOMPARE(first.result.state.state, second.result.state.state);
    const QJsonObject state = this->state(first);
    // Date.now() and new Date() give the event's timestamp.
    const qint64 n = m_acct.at(499);
    QCOMPARE(state.value(QStringLiteral("t")).toArray().first().toInteger(), 1700000000000 + n * 1000);
    QCOMPARE(state.value(QStringLiteral("d")).toArray().first().toInteger(), 1700000000000 + n * 1000);
    // Seeded: another seed gives other numbers.
    ReplayOptions other = options(script);
    other.seed = 7;
    QVERIFY(run(other).result.state.state != first.result.state.state);
}

void TestReplay::seekEqualsFreshReplay()
{
    const QByteArray script = R"(
        function init() { return { count: 0, sum: 0, last: null, r: 0 }; }
        function reduce(s, e) { s.count++; s.sum += e.data.amount; s.last = e.id; s.r = Math.random(); })";
    ReplayOptions runOptions = options(script);
    runOptions.checkpointEvery = 300;
    ReplayRunner *runner = nullptr;
    const Outcome outcome = run(runOptions, 0, &runner);
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    QVERIFY(runner->checkpointCount() >= 6);
    QSignalSpy ready(runner, &ReplayRunner::stepReady);
    QSignalSpy failed(runner, &ReplayRunner::stepFailed);
    QList<qint64> versions{0, 1, 299, 300, 301, qint64(m_acct.size())};
    for (int i = 0; i < 6; ++i)
        versions << QRandomGenerator::global()->bounded(1, int(m_acct.size()));
    for (qint64 version : versions) {
        ready.clear();
        runner->seek(version);
        QVERIFY(ready.wait(10000));
        QCOMPARE(failed.count(), 0);
        const ReplayStep step = ready.first().first().value<ReplayStep>();
        QCOMPARE(step.version, version);
        ReplayOptions fresh = options(script);
        fresh.until = version;
        const Outcome expected = run(fresh);
        QCOMPARE(step.after.state, expected.result.state.state);
        if (version > 0) {
            QCOMPARE(step.record.version, version);
            QCOMPARE(step.record.id, QByteArray("e") + QByteArray::number(m_acct.at(version - 1)));
            fresh.until = version - 1;
            QCOMPARE(step.before.state, run(fresh).result.state.state);
        }
    }
    // Seeks queue: asked three at once, the last one is answered last.
    ready.clear();
    runner->seek(10);
    runner->seek(20);
    runner->seek(30);
    QTRY_VERIFY(!ready.isEmpty() && ready.last().first().value<ReplayStep>().version == 30);
    runner->seek(qint64(m_acct.size()) + 1);
    QTRY_COMPARE(failed.count(), 1);
    runner->deleteLater();
}

void TestReplay::compareFindsDivergence()
{
    const QByteArray a
        = R"(function init() { return { n: 0, sum: 0 }; } function reduce(s, e) { s.n++; s.sum += e.data.amount; })";
    const QByteArray b = R"(function init() { return { sum: 0, n: 0 }; }
        function reduce(s, e) { s.n++; s.sum += e.data.amount; if (e.version === 1234) s.sum += 1; })";
    ProjectionComparer comparer(m_connection, StoreLayout());
    QSignalSpy finished(&comparer, &ProjectionComparer::finished);
    QSignalSpy failed(&comparer, &ProjectionComparer::failed);
    ReplayOptions base = options({});
    comparer.start(base, a, b);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 60000);
    QCOMPARE(failed.count(), 0);
    const CompareResult result = finished.first().first().value<CompareResult>();
    QVERIFY(result.diverged);
    QCOMPARE(result.version, 1234);
    QCOMPARE(result.record.id, QByteArray("e") + QByteArray::number(m_acct.at(1233)));
    QCOMPARE(result.diff.size(), 1);
    QCOMPARE(result.diff.first().path, QStringLiteral("sum"));
    QCOMPARE(result.diff.first().after.toInteger() - result.diff.first().before.toInteger(), 1);
}

void TestReplay::compareAgreeingProjections()
{
    ProjectionComparer comparer(m_connection, StoreLayout());
    QSignalSpy finished(&comparer, &ProjectionComparer::finished);
    comparer.start(options({}), "function reduce(s, e) { s.n = (s.n || 0) + 1; }",
                   "fromAll().when({ $init: () => ({}), $any: (s) => { s.n = (s.n || 0) + 1; } })");
    QVERIFY(finished.wait(60000));
    QVERIFY(!finished.first().first().value<CompareResult>().diverged);
}

void TestReplay::hostile_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qint64>("version");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("eventMs");

    using K = ProjectionError::Kind;
    const QByteArray at5 = "function reduce(s, e) {\n  if (e.version < 5) return s;\n";
    // The loops get 2.5 s: a caller that waited on the sandbox would miss its timer for that long, far beyond
    // ResponsiveGapMs, while a loaded machine's scheduling hiccups stay below it.
    QTest::newRow("while(true)") << at5 + "  while (true) {}\n}" << int(K::Time)
                                 << QStringLiteral("time limit: the event took longer than 2500 ms") << 5ll << -1
                                 << 2500;
    QTest::newRow("catching the interruption") << at5 + "  for (;;) { try { while (true) {} } catch (x) {} }\n}"
                                               << int(K::Time) << QStringLiteral("time limit") << 5ll << -1 << 2500;
    QTest::newRow("unbounded recursion") << "function f(n) { return f(n + 1) + 1; }\n" + at5 + "  return f(0);\n}"
                                         << int(K::Stack) << QStringLiteral("stack depth limit") << 5ll << 1 << 250;
    QTest::newRow("100 MiB state") << at5 + "  s.big = 'x'.repeat(100 * 1024 * 1024);\n  return s;\n}"
                                   << int(K::StateSize) << QStringLiteral("state size limit: the state is 100.0 MiB")
                                   << 5ll << -1 << 20000;
    // Growing by 1 MiB an event from version 5: the 16th MiB plus JSON quotes crosses 16 MiB at version 20, found
    // exactly although the size is checked once per stretch of events.
    QTest::newRow("growing state") << at5 + "  (s.big = s.big || []).push('x'.repeat(1024 * 1024));\n  return s;\n}"
                                   << int(K::StateSize) << QStringLiteral("over the limit of 16.0 MiB") << 20ll << -1
                                   << 20000;
    QTest::newRow("syntax error") << QByteArray("function reduce(s, e) {\n  return s +;\n}") << int(K::Compile)
                                  << QStringLiteral("") << -1ll << 2 << 250;
    QTest::newRow("throw") << at5 + "  throw new Error('no such account');\n}" << int(K::Exception)
                           << QStringLiteral("no such account") << 5ll << 3 << 250;
    QTest::newRow("TypeError") << at5 + "  return e.data.nothing.deeper;\n}" << int(K::Exception)
                               << QStringLiteral("e.data.nothing is undefined") << 5ll << 3 << 250;
    QTest::newRow("throw a string") << at5 + "  throw 'plain';\n}" << int(K::Exception) << QStringLiteral("plain")
                                    << 5ll << -1 << 250;
    QTest::newRow("require") << at5 + "  require('fs').readFileSync('/etc/passwd');\n}" << int(K::Exception)
                             << QStringLiteral("require") << 5ll << 3 << 250;
    QTest::newRow("XMLHttpRequest") << at5 + "  new XMLHttpRequest();\n}" << int(K::Exception)
                                    << QStringLiteral("XMLHttpRequest") << 5ll << 3 << 250;
    QTest::newRow("Qt") << at5 + "  Qt.quit();\n}" << int(K::Exception) << QStringLiteral("Qt") << 5ll << 3 << 250;
    QTest::newRow("process") << at5 + "  process.exit(1);\n}" << int(K::Exception) << QStringLiteral("process") << 5ll
                             << 3 << 250;
    QTest::newRow("print, gc") << at5 + "  print('x'); gc();\n}" << int(K::Exception) << QStringLiteral("print") << 5ll
                               << 3 << 250;
    QTest::newRow("timers") << at5 + "  setTimeout(function () {}, 1);\n}" << int(K::Exception)
                            << QStringLiteral("setTimeout") << 5ll << 3 << 250;
    // Not a syntax error in this engine: the call is refused when made, and ends the script there (a rejected
    // promise would let the projection go on as if nothing had been asked).
    QTest::newRow("file system via import()")
        << at5
               + "  import('/etc/passwd').then(function (m) { s.m = m; });\n  "
                 "return s;\n}"
        << int(K::Exception) << QStringLiteral("import() is not available") << 5ll << 3 << 250;
    QTest::newRow("top-level loop") << QByteArray("while (true) {}\nfunction reduce(s) { return s; }") << int(K::Time)
                                    << QStringLiteral("compile time limit") << -1ll << -1 << 250;
    QTest::newRow("no projection") << QByteArray("var x = 1;") << int(K::Compile)
                                   << QStringLiteral("no projection found") << -1ll << -1 << 250;
    QTest::newRow("partitioned") << QByteArray("fromAll().foreachStream().when({})") << int(K::Compile)
                                 << QStringLiteral("foreachStream() is not supported") << -1ll << 1 << 250;
    QTest::newRow("$deleted") << QByteArray("fromAll().when({ $deleted: function () {} })") << int(K::Compile)
                              << QStringLiteral("$deleted is not supported") << -1ll << -1 << 250;
    QTest::newRow("fromCategory") << QByteArray("fromCategory('acct').when({})") << int(K::Compile)
                                  << QStringLiteral("fromCategory() is not supported") << -1ll << -1 << 250;
}

void TestReplay::hostile()
{
    QFETCH(QByteArray, script);
    QFETCH(int, kind);
    QFETCH(QString, message);
    QFETCH(qint64, version);
    QFETCH(int, line);
    QFETCH(int, eventMs);
    QElapsedTimer clock;
    clock.start();
    ReplayOptions hostileOptions = options(script);
    hostileOptions.limits.eventMs = eventMs;
    const Outcome outcome = run(hostileOptions);
    QCOMPARE(int(outcome.error.kind), kind);
    QVERIFY2(outcome.error.text().contains(message), qPrintable(outcome.error.text()));
    QCOMPARE(outcome.error.version, version);
    if (version > 0)
        QCOMPARE(outcome.error.id, QByteArray("e") + QByteArray::number(m_acct.at(version - 1)));
    if (line > 0)
        QCOMPARE(outcome.error.line, line);
    // The column, 1-based, where the engine places the error: the statement or expression that raised it.
    static const QHash<QString, int> columns{{QStringLiteral("unbounded recursion"), 17},
                                             {QStringLiteral("syntax error"), 13},
                                             {QStringLiteral("throw"), 9},
                                             {QStringLiteral("TypeError"), 3},
                                             {QStringLiteral("throw a string"), 3},
                                             {QStringLiteral("require"), 3},
                                             {QStringLiteral("file system via import()"), 3},
                                             {QStringLiteral("partitioned"), 11},
                                             {QStringLiteral("$deleted"), 11}};
    const QString tag = QString::fromUtf8(QTest::currentDataTag());
    if (columns.contains(tag))
        QCOMPARE(outcome.error.column, columns.value(tag));
    if (line > 0 && kind != int(ProjectionError::Kind::Compile))
        QVERIFY2(outcome.error.text().contains(QStringLiteral("line %1:%2").arg(line).arg(outcome.error.column)),
                 qPrintable(outcome.error.text()));
    QVERIFY2(outcome.maxTickGapMs < ResponsiveGapMs, qPrintable(QString::number(outcome.maxTickGapMs)));
    QVERIFY(clock.elapsed() < 20000);
}

void TestReplay::nonAsciiPayloads()
{
    const Outcome outcome = run(options(R"(
        function init() { return { rows: [] }; }
        function reduce(s, e) { s.rows.push([e.id, e.data === null ? null : e.data.name, e.raw, e.type]); })",
                                        ReplaySource::stream("intl")),
                                2);
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    const QJsonArray rows = this->state(outcome).value(QStringLiteral("rows")).toArray();
    QCOMPARE(rows.size(), 5);
    const QByteArray raws[] = {R"({"type":"Named","name":"Zoë"})",
                               "{\"type\":\"Named\",\"name\":\"\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80\"}",
                               "caf\xc3\xa9 plain text", "\xff\xfe binary", R"({"type":"Named","name":"plain"})"};
    const QJsonValue names[] = {QStringLiteral("Zoë"), QString::fromUtf8("\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80"),
                                QJsonValue::Null, QJsonValue::Null, QStringLiteral("plain")};
    for (int i = 0; i < 5; ++i) {
        const QJsonArray row = rows.at(i).toArray();
        QCOMPARE(row.at(0).toString(), QStringLiteral("e%1").arg(i + 1)); // offsets right after multi-byte text
        QCOMPARE(row.at(1), names[i]);
        QCOMPARE(row.at(2).toString(), QString::fromUtf8(raws[i])); // invalid bytes: U+FFFD each
    }
    QCOMPARE(rows.at(1).toArray().at(3).toString(), QStringLiteral("Named"));
}

void TestReplay::allocationBomb()
{
    // The address-space ceiling stops it (a small one here, to be quick); the time limit is out of the way.
    ReplayOptions bomb = options("function reduce(s, e) {\n  if (e.version < 5) return s;\n  var a = [];\n"
                                 "  while (true) a.push(new Array(1 << 20).fill(e.version));\n}");
    bomb.limits.memoryMiB = 256;
    bomb.limits.eventMs = 60000;
    const Outcome outcome = run(bomb);
    QCOMPARE(outcome.error.kind, ProjectionError::Kind::Memory);
    QVERIFY2(outcome.error.text().contains(QLatin1String("memory limit")), qPrintable(outcome.error.text()));
    QVERIFY2(outcome.error.text().contains(QLatin1String("256 MiB")), qPrintable(outcome.error.text()));
    QVERIFY(outcome.error.version >= 1 && outcome.error.version <= 5);
    QVERIFY2(outcome.maxTickGapMs < ResponsiveGapMs, qPrintable(QString::number(outcome.maxTickGapMs)));

    // A string doubling itself fails in Qt's allocator instead (std::bad_alloc): the same limit, not a crash.
    ReplayOptions strings = options("function reduce(s, e) {\n  var a = 'x';\n  while (true) a = a + a;\n}");
    strings.limits.memoryMiB = 256;
    strings.limits.eventMs = 60000;
    const Outcome second = run(strings);
    QCOMPARE(second.error.kind, ProjectionError::Kind::Memory);
    // An ArrayBuffer too large to allocate is a RangeError from the engine, reported as the memory limit, exactly.
    ReplayOptions buffers = options("function reduce(s, e) {\n  var a = [];\n  while (true) a.push(new "
                                    "ArrayBuffer(16 * 1024 * 1024));\n}");
    buffers.limits.memoryMiB = 256;
    buffers.limits.eventMs = 60000;
    const Outcome third = run(buffers);
    QCOMPARE(third.error.kind, ProjectionError::Kind::Memory);
    QCOMPARE(third.error.version, 1);
    QCOMPARE(third.error.line, 3);
}

void TestReplay::recursionWithinTheLimit()
{
    // The stack limit promises at least stackDepth nested calls, however the engine runs the code (its interpreter
    // takes several times the stack per call that its compiled code does).
    ReplayOptions deep = options("function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }\n"
                                 "function reduce(s, e) { if (e.version === 1) s.d = depth(950); return s; }");
    deep.limits.stackDepth = 1000;
    const Outcome outcome = run(deep);
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.text()));
    QCOMPARE(this->state(outcome).value(QStringLiteral("d")).toInt(), 950);
}

void TestReplay::unresponsiveSandboxIsKilled()
{
    // A sandbox that never answers (here: a program that only sleeps) is killed after the limits and a grace.
    QTemporaryDir dir;
    const QString program = dir.filePath(QStringLiteral("silent"));
    QFile file(program);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("#!/bin/sh\nexec sleep 60\n");
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::ExeOwner);
    ReplayOptions silent = options("function reduce(s) { return s; }");
    silent.sandboxProgram = program;
    silent.limits.compileMs = 50;
    silent.limits.eventMs = 50;
    silent.limits.answerGraceMs = 100;
    QElapsedTimer clock;
    clock.start();
    const Outcome outcome = run(silent);
    QCOMPARE(outcome.error.kind, ProjectionError::Kind::Unresponsive);
    QVERIFY2(outcome.error.message.contains(QLatin1String("stopped answering")), qPrintable(outcome.error.message));
    QVERIFY(clock.elapsed() < 10000);
    QVERIFY2(outcome.maxTickGapMs < ResponsiveGapMs, qPrintable(QString::number(outcome.maxTickGapMs)));
}

void TestReplay::cli()
{
    QTemporaryDir dir;
    auto write = [&](const char *name, const QByteArray &text) {
        QFile file(dir.filePath(QString::fromLatin1(name)));
        file.open(QIODevice::WriteOnly);
        file.write(text);
        return file.fileName();
    };
    const QString good
        = write("good.js", "function reduce(s, e) { s.n = (s.n || 0) + 1; s.sum = (s.sum || 0) + e.data.amount; }");
    const QString bad = write("bad.js", "function reduce(s, e) {\n  if (e.version === 7)\n    return null.x;\n}");
    auto cli = [&](const QStringList &args, QByteArray *out, QByteArray *err) {
        QProcess process;
        process.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
                      QStringList{QStringLiteral("--url"), m_server.url(0)} + args);
        process.waitForFinished(60000);
        *out = process.readAllStandardOutput();
        *err = process.readAllStandardError();
        return process.exitCode();
    };
    QByteArray out, err;
    QCOMPARE(cli({QStringLiteral("replay"), QStringLiteral("acct"), QStringLiteral("--projection"), good,
                  QStringLiteral("--until"), QStringLiteral("10")},
                 &out, &err),
             0);
    qint64 sum = 0;
    for (int i = 0; i < 10; ++i)
        sum += m_acct.at(i);
    QCOMPARE(out, "{\"n\":10,\"sum\":" + QByteArray::number(sum) + "}\n");
    QVERIFY2(err.contains("replayed 10 commits"), err.constData());

    QCOMPARE(cli({QStringLiteral("replay"), QStringLiteral("acct"), QStringLiteral("--projection"), bad}, &out, &err),
             6);
    QVERIFY(out.isEmpty());
    const QByteArray expected = "TypeError at version 7 (e" + QByteArray::number(m_acct.at(6)) + "), line 3:5: ";
    QVERIFY2(err.contains(expected), err.constData());

    QCOMPARE(cli({QStringLiteral("replay"), QStringLiteral("--all"), QStringLiteral("--projection"), good}, &out, &err),
             0);
    QVERIFY(out.startsWith(QByteArray("{\"n\":" + QByteArray::number(Commits - 2) + ",")));
    QCOMPARE(
        cli({QStringLiteral("replay"), QStringLiteral("nosuch"), QStringLiteral("--projection"), good}, &out, &err), 5);
    QCOMPARE(cli({QStringLiteral("replay"), QStringLiteral("acct")}, &out, &err), 2);
    QCOMPARE(cli({QStringLiteral("replay"), QStringLiteral("acct"), QStringLiteral("--projection"), good,
                  QStringLiteral("--event-ms"), QStringLiteral("x")},
                 &out, &err),
             2);
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
