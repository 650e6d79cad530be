// ConnectionOptions::fromUrl on the URL forms Eventscope accepts, and the rule that no message, title or log line
// built from the options ever shows the password.
#include "connectionoptions.h"

#include <QTest>

using namespace Eventscope;

namespace {

constexpr char Password[] = "S3cr3t-pw";

} // namespace

class TestConnectionOptions final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void validUrls_data();
    void validUrls();
    void invalidUrls_data();
    void invalidUrls();
    void nullErrorPointerIsAllowed();
    void displayUrlHidesThePassword_data();
    void displayUrlHidesThePassword();
    void endpoint_data();
    void endpoint();
    void defaults();
};

void TestConnectionOptions::validUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("unixSocket");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("socketPath");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("tls");

    QTest::newRow("host") << QStringLiteral("redis://redis.example.com") << false << QStringLiteral("redis.example.com")
                          << 6379 << QString() << 0 << QString() << QString() << false;
    QTest::newRow("host:port/db") << QStringLiteral("redis://localhost:6380/3") << false << QStringLiteral("localhost")
                                  << 6380 << QString() << 3 << QString() << QString() << false;
    QTest::newRow("trailing slash") << QStringLiteral("redis://localhost/") << false << QStringLiteral("localhost")
                                    << 6379 << QString() << 0 << QString() << QString() << false;
    QTest::newRow("port 1") << QStringLiteral("redis://h:1") << false << QStringLiteral("h") << 1 << QString() << 0
                            << QString() << QString() << false;
    QTest::newRow("port 65535") << QStringLiteral("redis://h:65535") << false << QStringLiteral("h") << 65535
                                << QString() << 0 << QString() << QString() << false;
    QTest::newRow("user:pass") << QStringLiteral("redis://alice:S3cr3t-pw@h") << false << QStringLiteral("h") << 6379
                               << QString() << 0 << QStringLiteral("alice") << QStringLiteral("S3cr3t-pw") << false;
    QTest::newRow("password only") << QStringLiteral("redis://:S3cr3t-pw@h:7000/15") << false << QStringLiteral("h")
                                   << 7000 << QString() << 15 << QString() << QStringLiteral("S3cr3t-pw") << false;
    QTest::newRow("user only") << QStringLiteral("redis://alice@h") << false << QStringLiteral("h") << 6379 << QString()
                               << 0 << QStringLiteral("alice") << QString() << false;
    QTest::newRow("percent-encoded password")
        << QStringLiteral("redis://bob:p%40ss%3Aw%2Fo%25rd@h") << false << QStringLiteral("h") << 6379 << QString() << 0
        << QStringLiteral("bob") << QStringLiteral("p@ss:w/o%rd") << false;
    QTest::newRow("IPv6") << QStringLiteral("redis://[::1]:6380/2") << false << QStringLiteral("::1") << 6380
                          << QString() << 2 << QString() << QString() << false;
    QTest::newRow("IPv4") << QStringLiteral("redis://10.0.0.7:6379") << false << QStringLiteral("10.0.0.7") << 6379
                          << QString() << 0 << QString() << QString() << false;
    QTest::newRow("rediss") << QStringLiteral("rediss://alice:S3cr3t-pw@secure.example.com:6390/1") << false
                            << QStringLiteral("secure.example.com") << 6390 << QString() << 1 << QStringLiteral("alice")
                            << QStringLiteral("S3cr3t-pw") << true;
    QTest::newRow("upper-case scheme") << QStringLiteral("REDIS://h") << false << QStringLiteral("h") << 6379
                                       << QString() << 0 << QString() << QString() << false;
    QTest::newRow("surrounding spaces") << QStringLiteral("  redis://h:6000  ") << false << QStringLiteral("h") << 6000
                                        << QString() << 0 << QString() << QString() << false;
    QTest::newRow("unix") << QStringLiteral("unix:///var/run/redis/redis.sock") << true << QStringLiteral("127.0.0.1")
                          << 6379 << QStringLiteral("/var/run/redis/redis.sock") << 0 << QString() << QString()
                          << false;
    QTest::newRow("unix with db") << QStringLiteral("unix:///tmp/redis.sock?db=3") << true
                                  << QStringLiteral("127.0.0.1") << 6379 << QStringLiteral("/tmp/redis.sock") << 3
                                  << QString() << QString() << false;
    QTest::newRow("unix with password") << QStringLiteral("unix://:S3cr3t-pw@/tmp/redis.sock") << true
                                        << QStringLiteral("127.0.0.1") << 6379 << QStringLiteral("/tmp/redis.sock") << 0
                                        << QString() << QStringLiteral("S3cr3t-pw") << false;
}

void TestConnectionOptions::validUrls()
{
    QFETCH(QString, url);
    QFETCH(bool, unixSocket);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, socketPath);
    QFETCH(int, db);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(bool, tls);

    QString error = QStringLiteral("untouched");
    const std::optional<ConnectionOptions> options = ConnectionOptions::fromUrl(url, &error);
    QVERIFY2(options.has_value(), qPrintable(error));
    QCOMPARE(options->transport, unixSocket ? ConnectionOptions::Transport::Unix : ConnectionOptions::Transport::Tcp);
    QCOMPARE(options->host, host);
    QCOMPARE(int(options->port), port);
    QCOMPARE(options->socketPath, socketPath);
    QCOMPARE(options->db, db);
    QCOMPARE(options->user, user);
    QCOMPARE(options->password, password);
    QCOMPARE(options->tls.enabled, tls);
}

void TestConnectionOptions::invalidUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("why");

    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("http scheme") << QStringLiteral("http://u:S3cr3t-pw@h") << QStringLiteral("scheme");
    QTest::newRow("no scheme") << QStringLiteral("h:6379") << QStringLiteral("scheme");
    QTest::newRow("tcp scheme") << QStringLiteral("tcp://:S3cr3t-pw@h") << QStringLiteral("scheme");
    QTest::newRow("port 0") << QStringLiteral("redis://:S3cr3t-pw@h:0") << QStringLiteral("port");
    QTest::newRow("port 70000") << QStringLiteral("redis://u:S3cr3t-pw@h:70000") << QString();
    QTest::newRow("port not a number") << QStringLiteral("redis://:S3cr3t-pw@h:abc") << QString();
    QTest::newRow("db x") << QStringLiteral("redis://:S3cr3t-pw@h/x") << QStringLiteral("database");
    QTest::newRow("negative db") << QStringLiteral("redis://u:S3cr3t-pw@h:6379/-1") << QStringLiteral("database");
    QTest::newRow("db past int") << QStringLiteral("redis://:S3cr3t-pw@h/99999999999") << QStringLiteral("database");
    QTest::newRow("path past db") << QStringLiteral("redis://:S3cr3t-pw@h/0/extra") << QStringLiteral("database");
    QTest::newRow("no host") << QStringLiteral("redis://:S3cr3t-pw@/0") << QStringLiteral("host");
    QTest::newRow("query on redis") << QStringLiteral("redis://:S3cr3t-pw@h/0?db=2") << QStringLiteral("query");
    QTest::newRow("fragment on redis") << QStringLiteral("redis://:S3cr3t-pw@h#top") << QStringLiteral("fragment");
    QTest::newRow("@ after the password") << QStringLiteral("redis://u:S3cr3t-pw@h/0?x=@") << QString();
    // A password where no password belongs must not be echoed either.
    QTest::newRow("password as unix parameter")
        << QStringLiteral("unix:///tmp/r.sock?password=S3cr3t-pw") << QStringLiteral("parameter");
    QTest::newRow("password as redis parameter")
        << QStringLiteral("redis://h/0?password=S3cr3t-pw") << QStringLiteral("query");
    QTest::newRow("one slash") << QStringLiteral("redis:/:S3cr3t-pw@host") << QString();
    QTest::newRow("no scheme") << QStringLiteral("u:S3cr3t-pw@h:6379") << QString();
    QTest::newRow("space in host") << QStringLiteral("rediss://:S3cr3t-pw@h h") << QString();
    QTest::newRow("unix relative path") << QStringLiteral("unix:redis.sock") << QStringLiteral("absolute");
    QTest::newRow("unix with host") << QStringLiteral("unix://:S3cr3t-pw@h/tmp/redis.sock") << QStringLiteral("host");
    QTest::newRow("unix without path") << QStringLiteral("unix://") << QStringLiteral("absolute");
    QTest::newRow("unix db x") << QStringLiteral("unix://:S3cr3t-pw@/tmp/r.sock?db=x") << QStringLiteral("db");
    QTest::newRow("unix negative db") << QStringLiteral("unix:///tmp/r.sock?db=-3") << QStringLiteral("db");
    QTest::newRow("unix empty db") << QStringLiteral("unix:///tmp/r.sock?db=") << QStringLiteral("db");
    QTest::newRow("unix unknown parameter")
        << QStringLiteral("unix://:S3cr3t-pw@/tmp/r.sock?timeout=5") << QStringLiteral("parameter");
}

void TestConnectionOptions::invalidUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, why);

    QString error;
    QVERIFY(!ConnectionOptions::fromUrl(url, &error).has_value());
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(why), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String(Password)), qPrintable(error));
}

void TestConnectionOptions::nullErrorPointerIsAllowed()
{
    QVERIFY(!ConnectionOptions::fromUrl(QStringLiteral("redis://h:0")).has_value());
    QVERIFY(ConnectionOptions::fromUrl(QStringLiteral("redis://h:1")).has_value());
}

void TestConnectionOptions::displayUrlHidesThePassword_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("display");

    QTest::newRow("no credentials") << QStringLiteral("redis://h") << QStringLiteral("redis://h:6379/0");
    QTest::newRow("user and password") << QStringLiteral("redis://alice:S3cr3t-pw@h:6380/2")
                                       << QStringLiteral("redis://alice@h:6380/2");
    QTest::newRow("password only") << QStringLiteral("redis://:S3cr3t-pw@h") << QStringLiteral("redis://h:6379/0");
    QTest::newRow("encoded password") << QStringLiteral("redis://:S3cr3t%2Dpw@h") << QStringLiteral("redis://h:6379/0");
    QTest::newRow("tls") << QStringLiteral("rediss://alice:S3cr3t-pw@h") << QStringLiteral("rediss://alice@h:6379/0");
    QTest::newRow("IPv6") << QStringLiteral("redis://:S3cr3t-pw@[::1]:6380/2")
                          << QStringLiteral("redis://[::1]:6380/2");
    QTest::newRow("unix") << QStringLiteral("unix://:S3cr3t-pw@/tmp/redis.sock")
                          << QStringLiteral("unix:///tmp/redis.sock");
    QTest::newRow("unix with db") << QStringLiteral("unix:///tmp/redis.sock?db=4")
                                  << QStringLiteral("unix:///tmp/redis.sock?db=4");
}

void TestConnectionOptions::displayUrlHidesThePassword()
{
    QFETCH(QString, url);
    QFETCH(QString, display);

    const std::optional<ConnectionOptions> options = ConnectionOptions::fromUrl(url);
    QVERIFY(options.has_value());
    QCOMPARE(options->displayUrl(), display);
    QVERIFY(!options->displayUrl().contains(QLatin1String(Password)));
    QVERIFY(!options->endpoint().contains(QLatin1String(Password)));

    // The password set by a profile or the command line, rather than the URL, stays hidden too.
    ConnectionOptions overridden = *options;
    overridden.password = QLatin1String(Password);
    QCOMPARE(overridden.displayUrl(), display);
}

void TestConnectionOptions::endpoint_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("endpoint");

    QTest::newRow("default port") << QStringLiteral("redis://h") << QStringLiteral("h:6379");
    QTest::newRow("port") << QStringLiteral("rediss://u:S3cr3t-pw@h:6390/1") << QStringLiteral("h:6390");
    QTest::newRow("IPv6 in brackets") << QStringLiteral("redis://[::1]:6380/2") << QStringLiteral("[::1]:6380");
    QTest::newRow("IPv6 full") << QStringLiteral("redis://[2001:db8::7]") << QStringLiteral("[2001:db8::7]:6379");
    QTest::newRow("unix socket") << QStringLiteral("unix:///tmp/redis.sock?db=3") << QStringLiteral("/tmp/redis.sock");
}

void TestConnectionOptions::endpoint()
{
    QFETCH(QString, url);
    QFETCH(QString, endpoint);

    const std::optional<ConnectionOptions> options = ConnectionOptions::fromUrl(url);
    QVERIFY(options.has_value());
    QCOMPARE(options->endpoint(), endpoint);
}

void TestConnectionOptions::defaults()
{
    const std::optional<ConnectionOptions> options = ConnectionOptions::fromUrl(QStringLiteral("redis://h"));
    QVERIFY(options.has_value());
    // A URL does not switch off the read-only guard or TLS verification.
    QVERIFY(options->readOnly);
    QVERIFY(!options->tls.enabled);
    QVERIFY(!options->tls.insecure);
    QCOMPARE(options->clientName, QStringLiteral("eventscope"));
}

QTEST_GUILESS_MAIN(TestConnectionOptions)
#include "tst_connectionoptions.moc"
