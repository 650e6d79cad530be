// The replay runner and comparer on a read-only connection and thread of their own, against a real redis-server and
// the real eventscope-sandbox: a run, its figures and seeks answered from the replay thread; a failed run scrubbable
// up to its failure; a restarted or cancelled run's leftovers dropped; a comparison; walk() answered on the caller's
// thread.
#include "backgroundreplay.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "threadbarrier.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

constexpr int Commits = 300; // e1..e300 in "acct", {"type":"Deposited","amount":n}

const QByteArray Counter = R"(function init() { return { count: 0, sum: 0, last: null }; }
function reduce(s, e) {
    s.count += 1;
    s.sum += e.data.amount;
    s.last = e.id;
    return s;
})";

// Slow enough per event that a run of the stream lasts past what a test does while it runs.
const QByteArray Slow
    = "function reduce(s, e) { s.n = (s.n || 0) + 1; for (var i = 0; i < 200000; i++) s.x = ((s.x || 0) + i) % 7; }";

int countOf(const QByteArray &state)
{
    return QJsonDocument::fromJson(state).object().value(QStringLiteral("count")).toInt(-1);
}

} // namespace

class TestBackgroundReplay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void runsAndSeeksOnItsOwnThread();
    void failedRunSeeksUpToItsFailure();
    void restartDropsTheEarlierRun();
    void cancelStopsAtOnce();
    void comparesTwoProjections();
    void walkAnswersOnTheCallersThread();

private:
    ReplayOptions options(const QByteArray &script) const;
    ConnectionOptions m_options;
    RedisServer m_server;
};

void TestBackgroundReplay::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    QList<QByteArray> hset{"HSET", "EventStore"};
    QList<QByteArray> acct{"RPUSH", "acct"};
    for (int n = 1; n <= Commits; ++n) {
        const QByteArray id = "e" + QByteArray::number(n);
        hset << id << R"({"type":"Deposited","amount":)" + QByteArray::number(n) + "}";
        acct << id;
    }
    QVERIFY(!m_server.admin(hset).isBad());
    QVERIFY(!m_server.admin(acct).isBad());
    m_options = *ConnectionOptions::fromUrl(m_server.url(0));
    m_options.readOnly = false; // as a profile that allows writes: the replay's connection is read-only regardless
    m_options.clientName = QStringLiteral("eventscope-test");
}

ReplayOptions TestBackgroundReplay::options(const QByteArray &script) const
{
    ReplayOptions options;
    options.source = ReplaySource::stream("acct");
    options.script = script;
    options.sandboxProgram = QStringLiteral(EVENTSCOPE_SANDBOX_PATH);
    options.pageSize = 50;
    return options;
}

void TestBackgroundReplay::runsAndSeeksOnItsOwnThread()
{
    BackgroundReplay replay(m_options, StoreLayout::seed());
    QVERIFY(replay.connection()->isReadOnly());
    QCOMPARE(replay.connection()->options().clientName, QStringLiteral("eventscope-test-replay"));
    QVERIFY(replay.workerThread() != QThread::currentThread());
    QSignalSpy compiled(&replay, &BackgroundReplay::compiled);
    QSignalSpy finished(&replay, &BackgroundReplay::finished);
    QSignalSpy failed(&replay, &BackgroundReplay::failed);
    replay.start(options(Counter));
    QVERIFY(replay.isRunning());
    QVERIFY(finished.wait(30000));
    QVERIFY(failed.isEmpty());
    QCOMPARE(compiled.count(), 1);
    QVERIFY(!replay.isRunning());
    const ReplayResult result = finished.first().first().value<ReplayResult>();
    QCOMPARE(result.commits, Commits);
    QCOMPARE(countOf(result.state.state), Commits);
    // The figures came with the signal, from the replay thread.
    QCOMPARE(replay.length(), Commits);
    QCOMPARE(replay.checkpointCount(), result.checkpoints);
    QCOMPARE(replay.checkpointBytes(), result.checkpointBytes);
    QVERIFY(replay.checkpointCount() >= 2);
    QCOMPARE(replay.runnerThread(), replay.workerThread());
    QVERIFY(replay.connection()->commandsSent() > 0);

    QSignalSpy steps(&replay, &BackgroundReplay::stepReady);
    replay.seek(10);
    QVERIFY(steps.wait(10000));
    ReplayStep step = steps.first().first().value<ReplayStep>();
    QCOMPARE(step.version, 10);
    QCOMPARE(step.record.id, QByteArray("e10"));
    QCOMPARE(countOf(step.before.state), 9);
    QCOMPARE(countOf(step.after.state), 10);
    // A burst of seeks: they queue, only the newest pending one runs, and the last answer is the last asked for.
    steps.clear();
    for (int v = 100; v <= 200; ++v)
        replay.seek(v);
    QTRY_VERIFY_WITH_TIMEOUT(!steps.isEmpty() && steps.last().first().value<ReplayStep>().version == 200, 10000);
    QVERIFY2(steps.count() < 101, qPrintable(QString::number(steps.count())));
    QCOMPARE(countOf(steps.last().first().value<ReplayStep>().after.state), 200);
    QSignalSpy stepFailed(&replay, &BackgroundReplay::stepFailed);
    replay.seek(Commits + 1);
    QVERIFY(stepFailed.wait(10000));
    QCOMPARE(stepFailed.first().first().toLongLong(), Commits + 1);
}

void TestBackgroundReplay::failedRunSeeksUpToItsFailure()
{
    BackgroundReplay replay(m_options, StoreLayout::seed());
    QSignalSpy failed(&replay, &BackgroundReplay::failed);
    replay.start(options("function init() { return { count: 0 }; }\n"
                         "function reduce(s, e) {\n  if (e.version === 77) throw new Error('no');\n"
                         "  s.count += 1; return s;\n}"));
    QVERIFY(failed.wait(30000));
    const ProjectionError error = failed.first().first().value<ProjectionError>();
    QCOMPARE(error.version, 77);
    QCOMPARE(error.id, QByteArray("e77"));
    QCOMPARE(error.line, 3);
    QVERIFY(!replay.isRunning());
    QCOMPARE(replay.length(), 76); // the state the failing event met
    QSignalSpy steps(&replay, &BackgroundReplay::stepReady);
    replay.seek(76);
    QVERIFY(steps.wait(10000));
    QCOMPARE(countOf(steps.first().first().value<ReplayStep>().after.state), 76);
}

void TestBackgroundReplay::restartDropsTheEarlierRun()
{
    BackgroundReplay replay(m_options, StoreLayout::seed());
    QSignalSpy finished(&replay, &BackgroundReplay::finished);
    QSignalSpy failed(&replay, &BackgroundReplay::failed);
    QSignalSpy cancelled(&replay, &BackgroundReplay::cancelled);
    replay.start(options(Slow));
    replay.start(options(Counter));
    QVERIFY(finished.wait(30000));
    QCOMPARE(countOf(finished.first().first().value<ReplayResult>().state.state), Commits);
    // Started anew, not cancelled: no signal of the first run, now or later.
    QVERIFY(threadBarrier(replay.connection()));
    QCOMPARE(finished.count(), 1);
    QVERIFY(failed.isEmpty());
    QVERIFY(cancelled.isEmpty());
    QCOMPARE(replay.length(), Commits);
}

void TestBackgroundReplay::cancelStopsAtOnce()
{
    BackgroundReplay replay(m_options, StoreLayout::seed());
    QSignalSpy progress(&replay, &BackgroundReplay::progress);
    QSignalSpy finished(&replay, &BackgroundReplay::finished);
    QSignalSpy cancelled(&replay, &BackgroundReplay::cancelled);
    replay.start(options(Slow));
    QVERIFY(progress.wait(30000));
    replay.cancel();
    QCOMPARE(cancelled.count(), 1); // at once, without waiting for the replay thread
    QVERIFY(!replay.isRunning());
    const qsizetype seen = progress.count();
    QVERIFY(threadBarrier(replay.connection()));
    QCOMPARE(progress.count(), seen);
    QVERIFY(finished.isEmpty());
    replay.cancel(); // nothing runs: no second signal
    QCOMPARE(cancelled.count(), 1);
    // The cancelled run's sandbox is gone: nothing to seek in.
    QSignalSpy stepFailed(&replay, &BackgroundReplay::stepFailed);
    replay.seek(1);
    QVERIFY(stepFailed.wait(10000));
}

void TestBackgroundReplay::comparesTwoProjections()
{
    BackgroundReplay replay(m_options, StoreLayout::seed());
    QSignalSpy finished(&replay, &BackgroundReplay::compareFinished);
    QSignalSpy failed(&replay, &BackgroundReplay::compareFailed);
    QByteArray planted = Counter;
    planted.replace("s.last = e.id;", "s.last = e.id;\n    if (e.version === 123) s.sum += 1;");
    replay.compare(options({}), Counter, planted);
    QVERIFY(replay.isRunning());
    QVERIFY(finished.wait(60000));
    QVERIFY(failed.isEmpty());
    QVERIFY(!replay.isRunning());
    const CompareResult result = finished.first().first().value<CompareResult>();
    QVERIFY(result.diverged);
    QCOMPARE(result.version, 123);
    QCOMPARE(result.record.id, QByteArray("e123"));
    QCOMPARE(result.diff.size(), 1);

    // A projection that does not compile: the side is named.
    finished.clear();
    replay.compare(options({}), Counter, "function reduce(s, e) {");
    QVERIFY(failed.wait(30000));
    QCOMPARE(failed.first().at(0).toInt(), 1);
    QVERIFY(failed.first().at(1).value<ProjectionError>().kind == ProjectionError::Kind::Compile);
    QVERIFY(!replay.isRunning());
}

void TestBackgroundReplay::walkAnswersOnTheCallersThread()
{
    BackgroundReplay replay(m_options, StoreLayout::seed());
    QSignalSpy finished(&replay, &BackgroundReplay::finished);
    replay.start(options(Counter));
    QVERIFY(finished.wait(30000));
    struct Answer
    {
        bool done = false;
        QThread *thread = nullptr;
        QList<qint64> versions;
        QList<int> counts;
        ProjectionError error;
    };
    auto answer = std::make_shared<Answer>();
    replay.walk(
        120, 124,
        [answer](const QList<EventRecord> &records, const QList<StateSnapshot> &states, const ProjectionError &error) {
            answer->thread = QThread::currentThread();
            for (const EventRecord &record : records)
                answer->versions << record.version;
            for (const StateSnapshot &state : states)
                answer->counts << countOf(state.state);
            answer->error = error;
            answer->done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(answer->done, 10000);
    QCOMPARE(answer->thread, QThread::currentThread());
    QVERIFY2(!answer->error.isError(), qPrintable(answer->error.text()));
    QCOMPARE(answer->versions, (QList<qint64>{120, 121, 122, 123, 124}));
    QCOMPARE(answer->counts, (QList<int>{120, 121, 122, 123, 124}));

    // Cleared before the answer: an error, not the old run's states (or no answer once the runner is gone).
    auto late = std::make_shared<Answer>();
    replay.walk(1, 2,
                [late](const QList<EventRecord> &records, const QList<StateSnapshot> &, const ProjectionError &error) {
                    late->versions << qint64(records.size());
                    late->error = error;
                    late->done = true;
                });
    replay.clear();
    QVERIFY(threadBarrier(replay.connection())); // the walk before it has its answer by then
    if (late->done) {
        QVERIFY(late->error.isError());
        QCOMPARE(late->versions, QList<qint64>{0});
    }
    QCOMPARE(replay.length(), 0);
}

QTEST_GUILESS_MAIN(TestBackgroundReplay)
#include "tst_backgroundreplay.moc"
