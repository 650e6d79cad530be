// eventscope-cli as scripts use it: outputs, exit codes, secrets kept out of sight, concurrent writers.
#include "clirun.h"
#include "redisserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

using Run = Test::CliRun;

Run cli(const QStringList &arguments, const QByteArray &input = {}, const QProcessEnvironment &env = {})
{
    return Test::runProgram(QStringLiteral(EVENTSCOPE_CLI_PATH), arguments, input, env);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void helpAndVersion();
    void usageErrors_data();
    void usageErrors();
    void pingJson();
    void streamsJson();
    void eventsJsonForEveryEncoding();
    void eventsFromAndCount();
    void eventsOfAll();
    void missingIdsAndWrongTypes();
    void getById();
    void appendAndConflict();
    void appendFromStdin();
    void zilverlineAppendMakesOneCommit();
    void twoProcessesAppendingAtOnce();
    void cannotConnect();
    void wrongPasswordExitsFourWithoutEcho();
    void passwordFromEnvironment();
    void tlsWithCaAndWrongCa();
    void passwordMaskedInProcessTitle();
    void liveWriterCommitsAtRate();

private:
    QStringList url(const QString &url) const { return {QStringLiteral("--url"), url}; }
    QStringList json() const { return {QStringLiteral("--format"), QStringLiteral("json")}; }

    RedisServer m_server;
    RedisServer m_protected{RedisServer::Options{true, false, false, QStringLiteral("Pr0tected-Pw"), {}}};
};

void TestCli::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    QVERIFY2(m_protected.start(&error), qPrintable(error));
}

void TestCli::init()
{
    m_server.flushAll();
}

void TestCli::helpAndVersion()
{
    const Run help = cli({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    for (const char *word :
         {"ping", "streams", "events", "get", "append", "seed", "--tls-insecure", "--layout", "--events-key",
          "--id-prefix", "--stream-prefix", "--channel", "--format", "REDISCLI_AUTH"})
        QVERIFY2(help.out.contains(word), word);
    // No example puts a password on the command line.
    QVERIFY(!QRegularExpression(QStringLiteral("rediss?://[\\w.-]*:[^/\\s@\\[\\]]+@"))
                 .match(QString::fromUtf8(help.out))
                 .hasMatch());
    const Run version = cli({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("eventscope-cli "));
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("bad url") << QStringList{QStringLiteral("--url"), QStringLiteral("http://x"),
                                            QStringLiteral("ping")};
    QTest::newRow("bad layout") << QStringList{QStringLiteral("--layout"), QStringLiteral("nope"),
                                               QStringLiteral("ping")};
    QTest::newRow("bad format") << QStringList{QStringLiteral("--format"), QStringLiteral("xml"),
                                               QStringLiteral("ping")};
    QTest::newRow("events without stream") << QStringList{QStringLiteral("events")};
    QTest::newRow("bad --from") << QStringList{QStringLiteral("events"), QStringLiteral("s"), QStringLiteral("--from"),
                                               QStringLiteral("0")};
    QTest::newRow("append without --expect")
        << QStringList{QStringLiteral("append"), QStringLiteral("s"), QStringLiteral("{}")};
    QTest::newRow("append bad --expect") << QStringList{QStringLiteral("append"), QStringLiteral("s"),
                                                        QStringLiteral("--expect"), QStringLiteral("soon"),
                                                        QStringLiteral("{}")};
    QTest::newRow("append to $all") << QStringList{QStringLiteral("append"), QStringLiteral("$all"),
                                                   QStringLiteral("--expect"), QStringLiteral("any"),
                                                   QStringLiteral("{}")};
    QTest::newRow("tls option without rediss") << QStringList{QStringLiteral("--tls-insecure"), QStringLiteral("ping")};
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frob"), QStringLiteral("ping")};
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    const Run run = cli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(!run.err.isEmpty());
    QVERIFY(run.out.isEmpty());
}

void TestCli::pingJson()
{
    const Run run = cli(url(m_server.url()) + json() + QStringList{QStringLiteral("ping")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject reply = run.lines().value(0);
    QVERIFY(reply.value(QLatin1String("version")).toString().startsWith(QLatin1Char('7'))
            || !reply.value(QLatin1String("version")).toString().isEmpty());
    QCOMPARE(reply.value(QLatin1String("role")).toString(), QStringLiteral("master"));
    QVERIFY(reply.value(QLatin1String("rtt_ms")).toDouble() > 0);
}

void TestCli::streamsJson()
{
    m_server.admin({"RPUSH", "customer-1", "e1", "e2"});
    m_server.admin({"RPUSH", "customer-2", "e3"});
    m_server.admin({"RPUSH", "order-1", "e4"});
    m_server.admin({"SET", "not-a-stream", "x"});
    Run run = cli(url(m_server.url()) + json() + QStringList{QStringLiteral("streams")});
    QCOMPARE(run.exitCode, 0);
    QMap<QString, int> versions;
    for (const QJsonObject &line : run.lines()) {
        QCOMPARE(line.value(QLatin1String("key")).toString(), line.value(QLatin1String("stream")).toString());
        versions.insert(line.value(QLatin1String("stream")).toString(), line.value(QLatin1String("version")).toInt());
    }
    QCOMPARE(versions, (QMap<QString, int>{{QStringLiteral("customer-1"), 2},
                                           {QStringLiteral("customer-2"), 1},
                                           {QStringLiteral("order-1"), 1}}));
    run = cli(url(m_server.url()) + json()
              + QStringList{QStringLiteral("--streams"), QStringLiteral("customer-*"), QStringLiteral("streams")});
    QCOMPARE(run.lines().size(), 2);
}

void TestCli::eventsJsonForEveryEncoding()
{
    const QByteArray binary("\xff\xfe\x00\x01", 4);
    m_server.admin({"HSET", "EventStore", "e1", R"({"type":"Deposited","amount":42})", "e2", "plain \"text\"\nline two",
                    "e3", binary, "e4", "{\n  \"pretty\": true\n}"});
    m_server.admin({"RPUSH", "customer-1", "e1", "e2", "e3", "e4"});
    const Run run
        = cli(url(m_server.url()) + json() + QStringList{QStringLiteral("events"), QStringLiteral("customer-1")});
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> lines = run.lines();
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(0).value(QLatin1String("stream")).toString(), QStringLiteral("customer-1"));
    QCOMPARE(lines.at(0).value(QLatin1String("version")).toInt(), 1);
    QCOMPARE(lines.at(0).value(QLatin1String("id")).toString(), QStringLiteral("e1"));
    QCOMPARE(lines.at(0).value(QLatin1String("encoding")).toString(), QStringLiteral("json"));
    QCOMPARE(lines.at(0).value(QLatin1String("size")).toInt(), 32);
    QCOMPARE(lines.at(0).value(QLatin1String("payload")).toObject().value(QLatin1String("amount")).toInt(), 42);
    QCOMPARE(lines.at(1).value(QLatin1String("encoding")).toString(), QStringLiteral("text"));
    QCOMPARE(lines.at(1).value(QLatin1String("payload")).toString(), QStringLiteral("plain \"text\"\nline two"));
    QCOMPARE(lines.at(2).value(QLatin1String("encoding")).toString(), QStringLiteral("binary"));
    QCOMPARE(QByteArray::fromBase64(lines.at(2).value(QLatin1String("payload")).toString().toLatin1()), binary);
    QCOMPARE(lines.at(3).value(QLatin1String("payload")).toObject().value(QLatin1String("pretty")).toBool(), true);
    QCOMPARE(run.out.count('\n'), 4); // one object per line, even for multi-line payloads
}

void TestCli::eventsFromAndCount()
{
    QList<QByteArray> hset = {"HSET", "EventStore"};
    QList<QByteArray> push = {"RPUSH", "s"};
    for (int i = 1; i <= 2500; ++i) {
        hset << "e" + QByteArray::number(i) << QByteArray::number(i);
        push << "e" + QByteArray::number(i);
    }
    m_server.admin(hset);
    m_server.admin(push);
    const Run run = cli(url(m_server.url()) + json()
                        + QStringList{QStringLiteral("events"), QStringLiteral("s"), QStringLiteral("--from"),
                                      QStringLiteral("998"), QStringLiteral("--count"), QStringLiteral("1500")});
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> lines = run.lines();
    QCOMPARE(lines.size(), 1500);
    for (int i = 0; i < lines.size(); ++i)
        QCOMPARE(lines.at(i).value(QLatin1String("version")).toInt(), 998 + i);
    const Run text = cli(
        url(m_server.url())
        + QStringList{QStringLiteral("events"), QStringLiteral("s"), QStringLiteral("--count"), QStringLiteral("2")});
    QCOMPARE(text.exitCode, 0);
    QCOMPARE(text.out, QByteArray("1\te1\tjson\t1\t1\n2\te2\tjson\t1\t2\n").replace("json", "text"));
}

void TestCli::eventsOfAll()
{
    m_server.admin({"HSET", "EventStore", "e1", "{}", "e2", "{}", "e3", "{}"});
    const Run run = cli(
        url(m_server.url()) + json()
        + QStringList{QStringLiteral("events"), QStringLiteral("$all"), QStringLiteral("--from"), QStringLiteral("2")});
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> lines = run.lines();
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0).value(QLatin1String("stream")).toString(), QStringLiteral("$all"));
    QCOMPARE(lines.at(0).value(QLatin1String("id")).toString(), QStringLiteral("e2"));
    QCOMPARE(lines.at(1).value(QLatin1String("version")).toInt(), 3);
}

void TestCli::missingIdsAndWrongTypes()
{
    m_server.admin({"HSET", "EventStore", "e1", "{}"});
    m_server.admin({"RPUSH", "s", "e1", "e404"});
    m_server.admin({"SET", "str", "x"});
    Run run = cli(url(m_server.url()) + json() + QStringList{QStringLiteral("events"), QStringLiteral("s")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject missing = run.lines().value(1);
    QCOMPARE(missing, (QJsonObject{{QStringLiteral("stream"), QStringLiteral("s")},
                                   {QStringLiteral("version"), 2},
                                   {QStringLiteral("id"), QStringLiteral("e404")},
                                   {QStringLiteral("missing"), true}}));
    run = cli(url(m_server.url()) + QStringList{QStringLiteral("events"), QStringLiteral("str")});
    QCOMPARE(run.exitCode, 5);
    QVERIFY(run.err.contains("not a stream"));
    QCOMPARE(run.err.count('\n'), 1); // one clear line
    run = cli(url(m_server.url()) + QStringList{QStringLiteral("events"), QStringLiteral("nothing-here")});
    QCOMPARE(run.exitCode, 5);
    run = cli(url(m_server.url())
              + QStringList{QStringLiteral("--events-key"), QStringLiteral("str"), QStringLiteral("events"),
                            QStringLiteral("s")});
    QCOMPARE(run.exitCode, 5);
}

void TestCli::getById()
{
    m_server.admin({"HSET", "EventStore", "e1", R"({"a":1})", "e2", "two"});
    Run run = cli(url(m_server.url()) + json()
                  + QStringList{QStringLiteral("get"), QStringLiteral("e2"), QStringLiteral("e1")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.lines().value(0), (QJsonObject{{QStringLiteral("id"), QStringLiteral("e2")},
                                                {QStringLiteral("size"), 3},
                                                {QStringLiteral("encoding"), QStringLiteral("text")},
                                                {QStringLiteral("payload"), QStringLiteral("two")}}));
    QVERIFY(!run.lines().value(1).contains(QLatin1String("stream")));
    run = cli(url(m_server.url()) + json()
              + QStringList{QStringLiteral("get"), QStringLiteral("e1"), QStringLiteral("e9")});
    QCOMPARE(run.exitCode, 5);
    QCOMPARE(run.lines().value(1).value(QLatin1String("missing")).toBool(), true);
}

void TestCli::appendAndConflict()
{
    Run run = cli(url(m_server.url()) + json()
                  + QStringList{QStringLiteral("append"), QStringLiteral("customer-42"), QStringLiteral("--expect"),
                                QStringLiteral("none"), QStringLiteral("{\"type\":\"Opened\"}"),
                                QStringLiteral("{\"type\":\"Deposited\"}")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.lines().value(0),
             (QJsonObject{{QStringLiteral("stream"), QStringLiteral("customer-42")},
                          {QStringLiteral("version"), 2},
                          {QStringLiteral("ids"), QJsonArray{QStringLiteral("e1"), QStringLiteral("e2")}}}));
    run = cli(url(m_server.url()) + json()
              + QStringList{QStringLiteral("append"), QStringLiteral("customer-42"), QStringLiteral("--expect"),
                            QStringLiteral("1"), QStringLiteral("{}")});
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(run.lines().value(0),
             (QJsonObject{
                 {QStringLiteral("conflict"), true}, {QStringLiteral("expected"), 1}, {QStringLiteral("actual"), 2}}));
    QCOMPARE(m_server.admin({"HLEN", "EventStore"}).integer, 2);
    run = cli(url(m_server.url()) + json()
              + QStringList{QStringLiteral("append"), QStringLiteral("customer-42"), QStringLiteral("--expect"),
                            QStringLiteral("none"), QStringLiteral("{}")});
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(run.lines().value(0).value(QLatin1String("expected")).toString(), QStringLiteral("none"));
    run = cli(url(m_server.url()) + json()
              + QStringList{QStringLiteral("append"), QStringLiteral("customer-42"), QStringLiteral("--expect"),
                            QStringLiteral("2"), QStringLiteral("{}")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.lines().value(0).value(QLatin1String("version")).toInt(), 3);
}

void TestCli::appendFromStdin()
{
    const Run run = cli(url(m_server.url()) + json()
                            + QStringList{QStringLiteral("append"), QStringLiteral("s"), QStringLiteral("--expect"),
                                          QStringLiteral("any"), QStringLiteral("-")},
                        "{\"n\":1}\n{\"n\":2}\r\n\n{\"n\":3}");
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.lines().value(0).value(QLatin1String("ids")).toArray().size(), 3);
    QCOMPARE(m_server.admin({"HGET", "EventStore", "e2"}).text, QByteArray("{\"n\":2}"));
}

void TestCli::zilverlineAppendMakesOneCommit()
{
    const QStringList zilverline = {QStringLiteral("--layout"), QStringLiteral("zilverline"),
                                    QStringLiteral("--events-key"), QStringLiteral("blog:commits")};
    Run run = cli(url(m_server.url()) + json() + zilverline
                  + QStringList{QStringLiteral("append"), QStringLiteral("post-1"), QStringLiteral("--expect"),
                                QStringLiteral("none"), QStringLiteral("{\"type\":\"Posted\"}"),
                                QStringLiteral("{\"type\":\"Edited\"}")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.lines().value(0), (QJsonObject{{QStringLiteral("stream"), QStringLiteral("post-1")},
                                                {QStringLiteral("version"), 1},
                                                {QStringLiteral("ids"), QJsonArray{QStringLiteral("1")}}}));
    QCOMPARE(m_server.admin({"LRANGE", "blog:stream:post-1", "0", "-1"}).elements.size(), 1);
    run = cli(url(m_server.url()) + json() + zilverline + QStringList{QStringLiteral("streams")});
    QCOMPARE(run.lines().value(0).value(QLatin1String("stream")).toString(), QStringLiteral("post-1"));
    QCOMPARE(run.lines().value(0).value(QLatin1String("key")).toString(), QStringLiteral("blog:stream:post-1"));
    run = cli(url(m_server.url()) + json() + zilverline
              + QStringList{QStringLiteral("events"), QStringLiteral("post-1")});
    const QJsonObject record = run.lines().value(0).value(QLatin1String("payload")).toObject();
    QCOMPARE(record.value(QLatin1String("events")).toArray().size(), 2);
    QCOMPARE(record.value(QLatin1String("streamRevision")).toInt(), 1);
}

void TestCli::twoProcessesAppendingAtOnce()
{
    // Two writers, each a chain of 25 processes appending 4 payloads with --expect any, running at the same time.
    constexpr int Chain = 25;
    constexpr int PerAppend = 4;
    struct Writer
    {
        QProcess process;
        int done = 0;
        int failures = 0;
    };
    Writer writers[2];
    auto startNext = [this](Writer &writer, int which) {
        QStringList args = url(m_server.url()) + json();
        args << QStringLiteral("append") << QStringLiteral("shared") << QStringLiteral("--expect")
             << QStringLiteral("any");
        for (int i = 0; i < PerAppend; ++i)
            args << QStringLiteral("{\"writer\":%1,\"n\":%2}").arg(which).arg(writer.done * PerAppend + i);
        writer.process.start(QStringLiteral(EVENTSCOPE_CLI_PATH), args);
    };
    for (int w = 0; w < 2; ++w) {
        connect(&writers[w].process, &QProcess::finished, this, [&, w](int code) {
            writers[w].failures += code != 0;
            if (++writers[w].done < Chain)
                startNext(writers[w], w);
        });
        startNext(writers[w], w);
    }
    QTRY_VERIFY_WITH_TIMEOUT(writers[0].done == Chain && writers[1].done == Chain, 120000);
    QCOMPARE(writers[0].failures + writers[1].failures, 0);

    constexpr int Total = 2 * Chain * PerAppend;
    QCOMPARE(m_server.admin({"HLEN", "EventStore"}).integer, Total);
    const RedisReply ids = m_server.admin({"LRANGE", "shared", "0", "-1"});
    QCOMPARE(ids.elements.size(), Total);
    // Dense versions: position i holds e(i+1); no id lost or doubled; each append's ids are contiguous.
    for (int i = 0; i < Total; ++i)
        QCOMPARE(ids.elements.at(i).text, "e" + QByteArray::number(i + 1));
    QList<int> perWriter[2];
    for (int i = 0; i < Total; ++i) {
        const QJsonObject payload
            = QJsonDocument::fromJson(m_server.admin({"HGET", "EventStore", "e" + QByteArray::number(i + 1)}).text)
                  .object();
        perWriter[payload.value(QLatin1String("writer")).toInt()].append(payload.value(QLatin1String("n")).toInt());
    }
    for (const QList<int> &ns : perWriter) {
        QCOMPARE(ns.size(), Chain * PerAppend);
        for (int i = 0; i < ns.size(); ++i)
            QCOMPARE(ns.at(i), i); // each writer's payloads in its own order
    }
}

void TestCli::cannotConnect()
{
    RedisServer gone;
    QVERIFY(gone.start());
    const QString deadUrl = gone.url();
    gone.stop();
    const Run run = cli(url(deadUrl) + QStringList{QStringLiteral("ping")});
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains("cannot connect"));
}

void TestCli::wrongPasswordExitsFourWithoutEcho()
{
    const QString secret = QStringLiteral("Wr0ng-Secret-77");
    QString wrongUrl = m_protected.url();
    wrongUrl.replace(QLatin1String("redis://"), QLatin1String("redis://:") + secret + QLatin1Char('@'));
    Run run = cli(url(wrongUrl) + QStringList{QStringLiteral("ping")});
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains("authentication failed"));
    QVERIFY(!run.err.contains(secret.toUtf8()));
    QVERIFY(!run.out.contains(secret.toUtf8()));
    // Nor in a usage error about the URL itself.
    run = cli(url(QStringLiteral("redis://:%1@127.0.0.1:notaport/0").arg(secret))
              + QStringList{QStringLiteral("ping")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(!run.err.contains(secret.toUtf8()));
}

void TestCli::passwordFromEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDISCLI_AUTH"), QStringLiteral("Pr0tected-Pw"));
    env.insert(QStringLiteral("EVENTSCOPE_URL"), m_protected.url());
    Run run = cli({QStringLiteral("ping")}, {}, env);
    QCOMPARE(run.exitCode, 0);
    env.insert(QStringLiteral("REDISCLI_AUTH"), QStringLiteral("nope"));
    run = cli({QStringLiteral("ping")}, {}, env);
    QCOMPARE(run.exitCode, 4);
}

void TestCli::tlsWithCaAndWrongCa()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDISCLI_AUTH"), QStringLiteral("Pr0tected-Pw"));
    Run run = cli(url(m_protected.tlsUrl())
                      + QStringList{QStringLiteral("--tls-ca"), m_protected.caFile(), QStringLiteral("ping")},
                  {}, env);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("rediss://"));
    run = cli(url(m_protected.tlsUrl())
                  + QStringList{QStringLiteral("--tls-ca"), m_protected.otherCaFile(), QStringLiteral("ping")},
              {}, env);
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains("TLS"));
    run = cli(url(m_protected.tlsUrl()) + QStringList{QStringLiteral("--tls-insecure"), QStringLiteral("ping")}, {},
              env);
    QCOMPARE(run.exitCode, 0);
}

void TestCli::passwordMaskedInProcessTitle()
{
    QString secretUrl = m_protected.url();
    secretUrl.replace(QLatin1String("redis://"), QLatin1String("redis://:Pr0tected-Pw@"));
    QProcess process;
    process.start(QStringLiteral(EVENTSCOPE_CLI_PATH),
                  url(secretUrl)
                      + QStringList{QStringLiteral("seed"), QStringLiteral("--commits"), QStringLiteral("10"),
                                    QStringLiteral("--rate"), QStringLiteral("50"), QStringLiteral("--duration"),
                                    QStringLiteral("3")});
    QVERIFY(process.waitForReadyRead(20000)); // "seeded: ..." — running and connected
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(process.processId()));
    QVERIFY(cmdline.open(QIODevice::ReadOnly));
    const QByteArray title = cmdline.readAll();
    QVERIFY2(!title.contains("Pr0tected-Pw"), title.constData());
    QVERIFY(title.contains("redis://:"));
    process.kill();
    process.waitForFinished();
}

void TestCli::liveWriterCommitsAtRate()
{
    RawSubscriber subscriber(m_server.port(), "EventStore");
    const Run run = cli(url(m_server.url()) + json()
                        + QStringList{QStringLiteral("seed"), QStringLiteral("--stream-count"), QStringLiteral("3"),
                                      QStringLiteral("--rate"), QStringLiteral("40"), QStringLiteral("--duration"),
                                      QStringLiteral("1")});
    QCOMPARE(run.exitCode, 0);
    const QList<QJsonObject> lines = run.lines();
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0).value(QLatin1String("seeded")).toInt(), 0);
    QCOMPARE(lines.at(1).value(QLatin1String("live")).toInt(), 40);
    QCOMPARE(m_server.admin({"HLEN", "EventStore"}).integer, 40);
    QVERIFY(!subscriber.next().isEmpty()); // each commit is announced
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
