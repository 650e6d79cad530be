// eventscope-cli tail and rate against a real redis-server: the line shapes, starting points, limits and errors.
#include "clirun.h"
#include "committer.h"
#include "redisserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

QStringList url(const QString &url)
{
    return {QStringLiteral("--url"), url};
}

const QStringList Json = {QStringLiteral("--format"), QStringLiteral("json")};

QStringList args(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *arg : list)
        out.append(QString::fromUtf8(arg));
    return out;
}

using Run = Test::CliRun;

Run finish(QProcess &process)
{
    return Test::finishProcess(process);
}

Run cli(const QStringList &arguments)
{
    return Test::runProgram(QStringLiteral(EVENTSCOPE_CLI_PATH), arguments);
}

QList<QJsonObject> lines(const QByteArray &out)
{
    return Run{0, out, {}}.lines();
}

} // namespace

class TestCliLive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void tailFromIdPrintsWhatGetPrints();
    void tailFromNowNamesStreamAndVersion();
    void tailZilverline();
    void tailText();
    void rateCountsEachSecond();
    void usageErrors_data();
    void usageErrors();
    void cannotConnect();

private:
    // Waits until n clients are subscribed to the channel (the CLI's subscriber is up).
    bool waitForSubscriber(const QByteArray &channel, QProcess &process);
    Run append(const QString &stream, const QStringList &payloads, const QStringList &extra = {});

    RedisServer m_server;
};

void TestCliLive::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestCliLive::init()
{
    m_server.flushAll();
}

bool TestCliLive::waitForSubscriber(const QByteArray &channel, QProcess &process)
{
    return QTest::qWaitFor(
               [&] {
                   const RedisReply reply = m_server.admin({"PUBSUB", "NUMSUB", channel});
                   return (reply.elements.size() == 2 && reply.elements.at(1).integer >= 1)
                          || process.state() == QProcess::NotRunning;
               },
               10000)
           && process.state() == QProcess::Running;
}

Run TestCliLive::append(const QString &stream, const QStringList &payloads, const QStringList &extra)
{
    return cli(url(m_server.url()) + extra
               + QStringList{QStringLiteral("append"), stream, QStringLiteral("--expect"), QStringLiteral("any")}
               + payloads);
}

void TestCliLive::tailFromIdPrintsWhatGetPrints()
{
    m_server.admin({"HSET", "EventStore", "e1", R"({"a":1})", "e2", "two", "e3", QByteArray("\x00\x01", 2), "e4",
                    "{\n  \"spread\": true\n}"});
    const Run run = cli(url(m_server.url()) + Json + args({"tail", "--from", "e1", "--count", "3"}));
    QCOMPARE(run.exitCode, 0);
    const Run get = cli(url(m_server.url()) + Json + args({"get", "e2", "e3", "e4"}));
    QCOMPARE(get.exitCode, 0);
    // Back-filled from the hash, no message named a stream: the very lines `get` prints.
    QCOMPARE(run.out, get.out);
    QCOMPARE(lines(run.out).size(), 3);

    // --from 0 (a revision) is before the first commit.
    const Run all = cli(url(m_server.url()) + Json + args({"tail", "--from", "0", "--count", "1"}));
    QCOMPARE(all.exitCode, 0);
    QCOMPARE(lines(all.out).value(0).value(QLatin1String("id")).toString(), QStringLiteral("e1"));
}

void TestCliLive::tailFromNowNamesStreamAndVersion()
{
    QCOMPARE(append(QStringLiteral("before"), {QStringLiteral("{}")}).exitCode, 0);
    QProcess tail;
    tail.start(QStringLiteral(EVENTSCOPE_CLI_PATH), url(m_server.url()) + Json + args({"tail", "--count", "3"}));
    QVERIFY(waitForSubscriber("EventStore", tail));
    QCOMPARE(append(QStringLiteral("customer-42"),
                    {QStringLiteral(R"({"type":"Opened"})"), QStringLiteral(R"({"type":"Deposited"})")})
                 .exitCode,
             0);
    QCOMPARE(append(QStringLiteral("customer-7"), {QStringLiteral("plain text")}).exitCode, 0);
    const Run run = finish(tail);
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> objects = lines(run.out);
    QCOMPARE(objects.size(), 3);
    QCOMPARE(objects.at(0), (QJsonObject{{QStringLiteral("stream"), QStringLiteral("customer-42")},
                                         {QStringLiteral("version"), 1},
                                         {QStringLiteral("id"), QStringLiteral("e2")},
                                         {QStringLiteral("size"), 17},
                                         {QStringLiteral("encoding"), QStringLiteral("json")},
                                         {QStringLiteral("payload"),
                                          QJsonObject{{QStringLiteral("type"), QStringLiteral("Opened")}}}}));
    QCOMPARE(objects.at(1).value(QLatin1String("version")).toInt(), 2);
    QCOMPARE(objects.at(1).value(QLatin1String("id")).toString(), QStringLiteral("e3"));
    QCOMPARE(objects.at(2).value(QLatin1String("stream")).toString(), QStringLiteral("customer-7"));
    QCOMPARE(objects.at(2).value(QLatin1String("payload")).toString(), QStringLiteral("plain text"));
    QCOMPARE(objects.at(2).value(QLatin1String("encoding")).toString(), QStringLiteral("text"));
}

void TestCliLive::tailZilverline()
{
    const QStringList layout = args({"--layout", "zilverline", "--events-key", "blog:commits"});
    QCOMPARE(append(QStringLiteral("post-1"), {QStringLiteral(R"({"type":"Posted"})")}, layout).exitCode, 0);
    QProcess tail;
    tail.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
               url(m_server.url()) + layout + Json + args({"tail", "--from", "0", "--count", "2"}));
    QVERIFY(waitForSubscriber("blog:commits", tail));
    m_server.admin({"PUBLISH", "blog:control", "close"}); // not ours
    QCOMPARE(append(QStringLiteral("post-1"), {QStringLiteral(R"({"type":"Edited"})"), QStringLiteral("{}")}, layout)
                 .exitCode,
             0);
    const Run run = finish(tail);
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> objects = lines(run.out);
    QCOMPARE(objects.size(), 2);
    QCOMPARE(objects.at(0).value(QLatin1String("id")).toString(), QStringLiteral("1"));
    QCOMPARE(objects.at(0).value(QLatin1String("stream")).toString(), QStringLiteral("post-1"));
    QCOMPARE(objects.at(0).value(QLatin1String("version")).toInt(), 1);
    QCOMPARE(objects.at(1).value(QLatin1String("version")).toInt(), 2);
    const QJsonObject record = objects.at(1).value(QLatin1String("payload")).toObject();
    QCOMPARE(record.value(QLatin1String("storeRevision")).toInt(), 2);
    QCOMPARE(record.value(QLatin1String("events")).toArray().size(), 2);
}

void TestCliLive::tailText()
{
    m_server.admin({"HSET", "EventStore", "e1", R"({"type":"Opened",  "n": 1})"});
    const Run run = cli(url(m_server.url()) + args({"tail", "--from", "e0", "--count", "1"}));
    QVERIFY2(run.exitCode == 2, run.err.constData()); // e0 is not an id of this layout
    const Run text = cli(url(m_server.url()) + args({"tail", "--from", "0", "--count", "1"}));
    QCOMPARE(text.exitCode, 0);
    QCOMPARE(text.out, QByteArray("e1\t-\t-\tjson\t26\t{\"type\":\"Opened\", \"n\": 1}\n"));
}

void TestCliLive::rateCountsEachSecond()
{
    QVERIFY(!m_server.admin({"CONFIG", "RESETSTAT"}).isBad());
    QProcess rate;
    rate.start(QStringLiteral(EVENTSCOPE_CLI_PATH), url(m_server.url()) + Json + args({"rate", "--seconds", "2"}));
    QVERIFY(waitForSubscriber("EventStore", rate));
    // The feed starts from the store revision it reads (HLEN) once subscribed: commits made before that read are
    // not counted, so the test commits only after the server has answered it (a slow sanitizer build once let the
    // first commits in between).
    QVERIFY(QTest::qWaitFor(
        [&] {
            return m_server.admin({"INFO", "commandstats"}).text.contains("cmdstat_hlen:calls=");
        },
        20000));
    // Through the commit script from here: a CLI process each would take longer than the two seconds measured
    // on a slow (sanitizer) build.
    const QList<QList<QByteArray>> evals = {
        {"EVAL", Committer::script(), "2", "EventStore", "s", "seed", "any", "e", "EventStore", "s", "1700000000000",
         "1", "2", "3"},
        {"EVAL", Committer::script(), "2", "EventStore", "t", "seed", "any", "e", "EventStore", "t", "1700000000000",
         "4", "5"},
    };
    for (const QList<QByteArray> &eval : evals)
        QVERIFY(m_server.admin(eval).isArray());
    const Run run = finish(rate);
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> objects = lines(run.out);
    QCOMPARE(objects.size(), 2);
    int commits = 0;
    int events = 0;
    for (const QJsonObject &line : objects) {
        QVERIFY(line.contains(QLatin1String("time")));
        commits += line.value(QLatin1String("commits_per_s")).toInt();
        events += line.value(QLatin1String("events_per_s")).toInt();
    }
    QCOMPARE(commits, 5);
    QCOMPARE(events, 5);
    QCOMPARE(objects.last().value(QLatin1String("revision")).toInt(), 5);

    // Text: "<time>  N commits/s  M events/s".
    QProcess textRate;
    textRate.start(QStringLiteral(EVENTSCOPE_CLI_PATH), url(m_server.url()) + args({"rate", "--seconds", "1"}));
    const Run text = finish(textRate);
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.endsWith("  0 commits/s  0 events/s\n"), text.out.constData());
}

void TestCliLive::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("tail bad from") << args({"tail", "--from", "x1"});
    QTest::newRow("tail zero count") << args({"tail", "--count", "0"});
    QTest::newRow("tail argument") << args({"tail", "extra"});
    QTest::newRow("rate zero seconds") << args({"rate", "--seconds", "0"});
    QTest::newRow("rate argument") << args({"rate", "x"});
}

void TestCliLive::usageErrors()
{
    QFETCH(QStringList, arguments);
    const Run run = cli(url(m_server.url()) + arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.out.isEmpty());
    QVERIFY(!run.err.isEmpty());
}

void TestCliLive::cannotConnect()
{
    const Run run = cli(url(QStringLiteral("redis://:secret-pw@127.0.0.1:1/0"))
                        + args({"--timeout", "2000", "tail", "--count", "1"}));
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains("127.0.0.1:1"));
    QVERIFY(!run.err.contains("secret-pw"));
}

QTEST_GUILESS_MAIN(TestCliLive)
#include "tst_clilive.moc"
