// RedisConnection against real redis-servers: plain, unix socket, TLS, mutual TLS, passwords and ACL users.
#include "redisconnection.h"
#include "redisserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

const QString InspectorAcl = QStringLiteral(
    "user inspector reset on >inspector-pw ~* resetchannels &EventStore -@all +@read +@connection -@dangerous "
    "+subscribe +unsubscribe +ping");

ConnectionOptions optionsFor(const QString &url)
{
    QString error;
    auto options = ConnectionOptions::fromUrl(url, &error);
    if (!options)
        qFatal("bad test URL: %s", qPrintable(error));
    options->connectTimeoutMs = 5000;
    options->commandTimeoutMs = 5000;
    options->reconnectBaseDelayMs = 20;
    options->reconnectMaxDelayMs = 200;
    return *options;
}

std::optional<RedisReply> call(RedisConnection &connection, const RedisCommand &command, int timeoutMs = 10000)
{
    return waitFor<RedisReply>(
        [&](auto done) { connection.send(command, &connection, [done](const RedisReply &reply) { done(reply); }); },
        timeoutMs);
}

// Opens and waits for ready or failure; true when ready.
bool openAndWait(RedisConnection &connection)
{
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy failed(&connection, &RedisConnection::errorOccurred);
    connection.open();
    return QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 15000) && !ready.isEmpty();
}

} // namespace

class TestRedisConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pingAndServerInfo();
    void pipeliningKeepsOrder();
    void commandsQueuedBeforeReady();
    void unixSocketWithDb();
    void tlsVerifiesWithCaFile();
    void tlsRejectsWrongCa();
    void tlsRejectsWrongServerName();
    void tlsInsecureSkipsVerification();
    void mutualTls();
    void wrongPasswordIsAuthErrorWithoutSecret();
    void missingPasswordIsAuthError();
    void inspectorAclUserCanRead();
    void readOnlyGuardRefusesBeforeSending();
    void repliesForDeadOwnerAreDropped();
    void serverGoneFailsEveryRequest();
    void reconnectsAfterKill();
    void commandTimeout();
    void replyOverLimitFailsCleanly();
    void subscribeModeDeliversPushes();
    void subscribeModeEndsWithTheConnection();

private:
    RedisServer m_plain{RedisServer::Options{false, false, true, {}, {InspectorAcl}}};
    RedisServer m_tls{RedisServer::Options{true, false, false, {}, {}}};
    RedisServer m_mutualTls{RedisServer::Options{true, true, false, {}, {}}};
    RedisServer m_protected{RedisServer::Options{false, false, false, QStringLiteral("right-pw"), {}}};
};

void TestRedisConnection::initTestCase()
{
    QString error;
    QVERIFY2(m_plain.start(&error), qPrintable(error));
    QVERIFY2(m_tls.start(&error), qPrintable(error));
    QVERIFY2(m_mutualTls.start(&error), qPrintable(error));
    QVERIFY2(m_protected.start(&error), qPrintable(error));
}

void TestRedisConnection::pingAndServerInfo()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    QSignalSpy states(&connection, &RedisConnection::stateChanged);
    QVERIFY(openAndWait(connection));
    QCOMPARE(connection.state(), RedisConnection::State::Connected);
    QCOMPARE(states.first().first().value<RedisConnection::State>(), RedisConnection::State::Connecting);
    const auto reply = call(connection, {"PING"});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::Status);
    QCOMPARE(reply->text, QByteArray("PONG"));
    QVERIFY(connection.serverInfo().version.startsWith(QLatin1Char('7')) || !connection.serverInfo().version.isEmpty());
    QCOMPARE(connection.serverInfo().role, QStringLiteral("master"));
    // The client announced itself.
    const RedisReply clients = m_plain.admin({"CLIENT", "LIST"});
    QVERIFY(clients.text.contains("name=eventscope"));
}

void TestRedisConnection::pipeliningKeepsOrder()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    QVERIFY(openAndWait(connection));
    constexpr int Count = 10000;
    QList<QByteArray> received;
    for (int i = 0; i < Count; ++i) {
        connection.send({"ECHO", QByteArray::number(i)}, &connection,
                        [&received](const RedisReply &reply) { received.append(reply.text); });
    }
    QVERIFY(connection.inFlight() > 1); // all sent before any reply was read
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), Count, 15000);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(received.at(i), QByteArray::number(i));
}

void TestRedisConnection::commandsQueuedBeforeReady()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    connection.open();
    QCOMPARE(connection.state(), RedisConnection::State::Connecting);
    const auto reply = call(connection, {"ECHO", "early"});
    QVERIFY(reply);
    QCOMPARE(reply->text, QByteArray("early"));
}

void TestRedisConnection::unixSocketWithDb()
{
    m_plain.admin({"SET", "where", "db3"}, 3);
    RedisConnection connection(optionsFor(m_plain.unixUrl(3)));
    QVERIFY(openAndWait(connection));
    const auto reply = call(connection, {"GET", "where"});
    QVERIFY(reply);
    QCOMPARE(reply->text, QByteArray("db3"));
    const RedisReply clients = m_plain.admin({"CLIENT", "LIST"});
    QVERIFY2(clients.text.contains("addr=/") || clients.text.contains("flags=U"), clients.text.constData());
}

void TestRedisConnection::tlsVerifiesWithCaFile()
{
    ConnectionOptions options = optionsFor(m_tls.tlsUrl());
    options.tls.caFile = m_tls.caFile();
    RedisConnection connection(options);
    QVERIFY2(openAndWait(connection), qPrintable(connection.lastErrorString()));
    const auto reply = call(connection, {"PING"});
    QVERIFY(reply);
    QCOMPARE(reply->text, QByteArray("PONG"));
}

void TestRedisConnection::tlsRejectsWrongCa()
{
    ConnectionOptions options = optionsFor(m_tls.tlsUrl());
    options.tls.caFile = m_tls.otherCaFile();
    RedisConnection connection(options);
    QVERIFY(!openAndWait(connection));
    QCOMPARE(connection.lastError(), RedisConnection::Error::Tls);
    QCOMPARE(connection.state(), RedisConnection::State::Failed);
    QVERIFY2(connection.lastErrorString().contains(QLatin1String("TLS")), qPrintable(connection.lastErrorString()));

    // The system trust store does not know our test CA either.
    RedisConnection system(optionsFor(m_tls.tlsUrl()));
    QVERIFY(!openAndWait(system));
    QCOMPARE(system.lastError(), RedisConnection::Error::Tls);
}

void TestRedisConnection::tlsRejectsWrongServerName()
{
    ConnectionOptions options = optionsFor(m_tls.tlsUrl());
    options.tls.caFile = m_tls.caFile();
    options.tls.serverName = QStringLiteral("redis.somewhere-else.example");
    RedisConnection connection(options);
    QVERIFY(!openAndWait(connection));
    QCOMPARE(connection.lastError(), RedisConnection::Error::Tls);
}

void TestRedisConnection::tlsInsecureSkipsVerification()
{
    ConnectionOptions options = optionsFor(m_tls.tlsUrl());
    options.tls.caFile = m_tls.otherCaFile();
    options.tls.insecure = true;
    RedisConnection connection(options);
    QVERIFY2(openAndWait(connection), qPrintable(connection.lastErrorString()));
    QVERIFY(call(connection, {"PING"}).has_value());
}

void TestRedisConnection::mutualTls()
{
    ConnectionOptions options = optionsFor(m_mutualTls.tlsUrl());
    options.tls.caFile = m_mutualTls.caFile();
    {
        RedisConnection withoutCertificate(options);
        QVERIFY(!openAndWait(withoutCertificate));
        QVERIFY2(withoutCertificate.lastError() == RedisConnection::Error::Tls
                     || withoutCertificate.lastError() == RedisConnection::Error::Connect,
                 qPrintable(withoutCertificate.lastErrorString()));
    }
    options.tls.certFile = m_mutualTls.clientCertFile();
    options.tls.keyFile = m_mutualTls.clientKeyFile();
    RedisConnection connection(options);
    QVERIFY2(openAndWait(connection), qPrintable(connection.lastErrorString()));
    const auto reply = call(connection, {"PING"});
    QVERIFY(reply);
    QCOMPARE(reply->text, QByteArray("PONG"));

    ConnectionOptions badKey = options;
    badKey.tls.keyFile = m_mutualTls.caFile(); // a certificate is not a key
    RedisConnection broken(badKey);
    QVERIFY(!openAndWait(broken));
    QCOMPARE(broken.lastError(), RedisConnection::Error::Tls);
    QVERIFY(broken.lastErrorString().contains(QLatin1String("private key")));
}

void TestRedisConnection::wrongPasswordIsAuthErrorWithoutSecret()
{
    ConnectionOptions options = optionsFor(m_protected.url());
    options.password = QStringLiteral("Wr0ng-Secret-77");
    RedisConnection connection(options);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    QVERIFY(!openAndWait(connection));
    QCOMPARE(connection.lastError(), RedisConnection::Error::Auth);
    QCOMPARE(connection.state(), RedisConnection::State::Failed);
    QVERIFY(!connection.lastErrorString().contains(options.password));
    QVERIFY(!errors.first().at(1).toString().contains(options.password));
    // A failed authentication is not retried: it would only lock the account out.
    QVERIFY(!QTest::qWaitFor([&] { return connection.state() != RedisConnection::State::Failed; }, 300));

    options.password = QStringLiteral("right-pw");
    RedisConnection good(options);
    QVERIFY(openAndWait(good));
}

void TestRedisConnection::missingPasswordIsAuthError()
{
    RedisConnection connection(optionsFor(m_protected.url()));
    QVERIFY(!openAndWait(connection));
    QCOMPARE(connection.lastError(), RedisConnection::Error::Auth);
    QVERIFY(connection.lastErrorString().contains(QLatin1String("password")));
}

void TestRedisConnection::inspectorAclUserCanRead()
{
    m_plain.admin({"HSET", "EventStore", "e1", "{}"});
    m_plain.admin({"RPUSH", "customer-1", "e1"});
    ConnectionOptions options = optionsFor(m_plain.url());
    options.user = QStringLiteral("inspector");
    options.password = QStringLiteral("inspector-pw");
    RedisConnection connection(options);
    QVERIFY2(openAndWait(connection), qPrintable(connection.lastErrorString()));
    for (const RedisCommand &command : QList<RedisCommand>{{"PING"},
                                                           {"SCAN", "0", "MATCH", "*", "COUNT", "100", "TYPE", "list"},
                                                           {"TYPE", "customer-1"},
                                                           {"LLEN", "customer-1"},
                                                           {"LRANGE", "customer-1", "0", "9"},
                                                           {"HLEN", "EventStore"},
                                                           {"HMGET", "EventStore", "e1"}}) {
        const auto reply = call(connection, command);
        QVERIFY(reply);
        QVERIFY2(!reply->isBad(), qPrintable(QString::fromUtf8(command.first() + ": " + reply->describe())));
    }
    // What an operator denies the inspector stays denied, and the connection copes.
    const auto info = call(connection, {"INFO"});
    QVERIFY(info && info->isError());
    QCOMPARE(info->errorCode(), QByteArray("NOPERM"));
    // KEYS never leaves Eventscope (not in the read allowlist: it blocks the server); the ACL denies it too.
    const auto keys = call(connection, {"KEYS", "*"});
    QVERIFY(keys && keys->isFailure());
    connection.setReadOnly(false);
    const auto keysSent = call(connection, {"KEYS", "*"});
    QVERIFY(keysSent && keysSent->isError());
    QCOMPARE(keysSent->errorCode(), QByteArray("NOPERM"));
    QCOMPARE(connection.state(), RedisConnection::State::Connected);
}

void TestRedisConnection::readOnlyGuardRefusesBeforeSending()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    QVERIFY(connection.isReadOnly()); // the default
    QVERIFY(openAndWait(connection));
    const quint64 sentBefore = connection.commandsSent();
    const auto refused = call(connection, {"HSET", "guarded", "f", "v"});
    QVERIFY(refused);
    QVERIFY(refused->isFailure());
    QVERIFY2(refused->text.contains("read-only"), refused->text.constData());
    QVERIFY(refused->text.contains("HSET"));
    QCOMPARE(connection.commandsSent(), sentBefore);
    QCOMPARE(m_plain.admin({"EXISTS", "guarded"}).integer, 0);

    connection.setReadOnly(false);
    const auto written = call(connection, {"HSET", "guarded", "f", "v"});
    QVERIFY(written && written->isInteger());
    QCOMPARE(m_plain.admin({"EXISTS", "guarded"}).integer, 1);
}

void TestRedisConnection::repliesForDeadOwnerAreDropped()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    QVERIFY(openAndWait(connection));
    bool deadCalled = false;
    auto *owner = new QObject;
    connection.send({"ECHO", "for the dead"}, owner, [&deadCalled](const RedisReply &) { deadCalled = true; });
    delete owner;
    const auto after = call(connection, {"ECHO", "alive"});
    QVERIFY(after);
    QCOMPARE(after->text, QByteArray("alive")); // order intact: the dropped reply was consumed, not misdelivered
    QVERIFY(!deadCalled);
}

void TestRedisConnection::serverGoneFailsEveryRequest()
{
    RedisServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    ConnectionOptions options = optionsFor(server.url());
    options.reconnect = false;
    RedisConnection connection(options);
    QVERIFY(openAndWait(connection));
    int failures = 0;
    int answered = 0;
    for (int i = 0; i < 2000; ++i) {
        connection.send({"ECHO", QByteArray(1000, 'x')}, &connection, [&](const RedisReply &reply) {
            ++answered;
            failures += reply.isFailure() ? 1 : 0;
        });
    }
    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(answered, 2000, 10000);
    QVERIFY(failures > 0);
    QCOMPARE(connection.state(), RedisConnection::State::Failed);
    QVERIFY(connection.lastError() == RedisConnection::Error::Lost);
    // Later requests fail at once instead of hanging.
    const auto late = call(connection, {"PING"}, 2000);
    QVERIFY(late && late->isFailure());
}

void TestRedisConnection::reconnectsAfterKill()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    QVERIFY(openAndWait(connection));
    QSignalSpy scheduled(&connection, &RedisConnection::reconnectScheduled);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QCOMPARE(connection.reconnectRemainingMs(), -1); // connected: nothing scheduled
    int remainingWhenScheduled = -2;
    connect(&connection, &RedisConnection::reconnectScheduled, this,
            [&](int) { remainingWhenScheduled = connection.reconnectRemainingMs(); });
    const RedisReply killed = m_plain.admin({"CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"});
    QVERIFY(killed.integer >= 1);
    QVERIFY(ready.wait(10000));
    // Read as the attempt was scheduled: the delay still ahead.
    QVERIFY2(remainingWhenScheduled >= 0 && remainingWhenScheduled <= 200,
             qPrintable(QString::number(remainingWhenScheduled)));
    QCOMPARE(connection.reconnectRemainingMs(), -1);
    QCOMPARE(scheduled.size(), 1);
    QVERIFY(scheduled.first().at(0).toInt() <= 200);
    QCOMPARE(connection.state(), RedisConnection::State::Connected);
    const auto reply = call(connection, {"PING"});
    QVERIFY(reply && !reply->isBad());
}

void TestRedisConnection::commandTimeout()
{
    ConnectionOptions options = optionsFor(m_plain.url());
    options.commandTimeoutMs = 200;
    RedisConnection connection(options);
    QVERIFY(openAndWait(connection));
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    m_plain.admin({"CLIENT", "PAUSE", "1500", "ALL"});
    const auto reply = call(connection, {"PING"}, 5000);
    QVERIFY(reply);
    QVERIFY(reply->isFailure());
    QVERIFY2(reply->text.contains("200 ms"), reply->text.constData());
    QCOMPARE(errors.first().first().value<RedisConnection::Error>(), RedisConnection::Error::Timeout);
    // It reconnects once the server answers again.
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), RedisConnection::State::Connected, 10000);
}

void TestRedisConnection::replyOverLimitFailsCleanly()
{
    m_plain.admin({"SET", "big", QByteArray(64 * 1024, 'b')});
    ConnectionOptions options = optionsFor(m_plain.url());
    options.limits.maxBulkBytes = 4096;
    RedisConnection connection(options);
    QVERIFY(openAndWait(connection));
    const auto reply = call(connection, {"GET", "big"});
    QVERIFY(reply);
    QVERIFY(reply->isFailure());
    QVERIFY2(reply->text.contains("limit"), reply->text.constData());
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), RedisConnection::State::Connected, 10000);
    const auto small = call(connection, {"STRLEN", "big"});
    QVERIFY(small && small->isInteger());
    QCOMPARE(small->integer, 64 * 1024);
}

void TestRedisConnection::subscribeModeDeliversPushes()
{
    // The inspector ACL user (read-only guard on): SUBSCRIBE is a read.
    ConnectionOptions options = optionsFor(m_plain.url());
    options.user = QStringLiteral("inspector");
    options.password = QStringLiteral("inspector-pw");
    RedisConnection connection(options);
    QVERIFY(connection.isReadOnly());
    QList<QPair<QByteArray, QByteArray>> pushes;
    connection.setPushHandler([&](const QByteArray &channel, const QByteArray &message) {
        pushes.append({channel, message});
    });
    QVERIFY(openAndWait(connection));
    QVERIFY(!connection.isSubscribed());
    const auto confirmed = call(connection, {"SUBSCRIBE", "EventStore"});
    QVERIFY(confirmed && confirmed->isArray());
    QCOMPARE(confirmed->elements.at(0).text, QByteArray("subscribe"));
    QVERIFY(connection.isSubscribed());

    // A message array answering nothing goes to the handler; pipelined PINGs still get their own replies.
    const auto pong = call(connection, {"PING"});
    QVERIFY(pong && !pong->isBad());
    QCOMPARE(m_plain.admin({"PUBLISH", "EventStore", "e1 e2"}).integer, 1);
    QCOMPARE(m_plain.admin({"PUBLISH", "EventStore", QByteArray("\x00\xff binary", 9)}).integer, 1);
    QTRY_COMPARE(pushes.size(), 2);
    QCOMPARE(pushes.at(0).first, QByteArray("EventStore"));
    QCOMPARE(pushes.at(0).second, QByteArray("e1 e2"));
    QCOMPARE(pushes.at(1).second, QByteArray("\x00\xff binary", 9));
    QCOMPARE(connection.pushesReceived(), quint64(2));

    // Only Pub/Sub commands on a subscribed connection; refused before sending, not a protocol error.
    const quint64 sent = connection.commandsSent();
    const auto refused = call(connection, {"GET", "x"});
    QVERIFY(refused && refused->isFailure());
    QVERIFY2(refused->text.contains("subscribed connection"), refused->text.constData());
    QCOMPARE(connection.commandsSent(), sent);

    // The ACL allows only &EventStore: a refused multi-channel subscribe is one error reply, and later replies
    // stay in step.
    const auto denied = call(connection, {"SUBSCRIBE", "a", "b"});
    QVERIFY(denied && denied->isError());
    QCOMPARE(denied->errorCode(), QByteArray("NOPERM"));
    const auto pong2 = call(connection, {"PING"});
    QVERIFY(pong2 && pong2->isArray());
    QCOMPARE(pong2->elements.at(0).text, QByteArray("pong"));
    QCOMPARE(connection.state(), RedisConnection::State::Connected);
    const auto bare = call(connection, {"UNSUBSCRIBE"});
    QVERIFY(bare && bare->isFailure());
}

void TestRedisConnection::subscribeModeEndsWithTheConnection()
{
    RedisConnection connection(optionsFor(m_plain.url()));
    QList<QByteArray> pushes;
    connection.setPushHandler([&](const QByteArray &, const QByteArray &message) { pushes.append(message); });
    QVERIFY(openAndWait(connection));
    QVERIFY(call(connection, {"SUBSCRIBE", "live-test"}));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QVERIFY(m_plain.admin({"CLIENT", "KILL", "TYPE", "pubsub"}).integer >= 1);
    QVERIFY(ready.wait(10000));
    QVERIFY(!connection.isSubscribed());
    const auto get = call(connection, {"GET", "missing"});
    QVERIFY(get && get->isNil());
    QCOMPARE(m_plain.admin({"PUBLISH", "live-test", "lost"}).integer, 0);
    // A multi-channel subscribe answers once; the other confirmation keeps later replies in step.
    const auto two = call(connection, {"SUBSCRIBE", "live-test", "other"});
    QVERIFY(two && two->isArray());
    QCOMPARE(two->elements.at(1).text, QByteArray("live-test"));
    const auto pong = call(connection, {"PING"});
    QVERIFY(pong && pong->isArray());
    QCOMPARE(pong->elements.at(0).text, QByteArray("pong"));
    QCOMPARE(m_plain.admin({"PUBLISH", "live-test", "seen"}).integer, 1);
    QCOMPARE(m_plain.admin({"PUBLISH", "other", "too"}).integer, 1);
    QTRY_COMPARE(pushes, (QList<QByteArray>{"seen", "too"}));
}

QTEST_GUILESS_MAIN(TestRedisConnection)
#include "tst_redisconnection.moc"
