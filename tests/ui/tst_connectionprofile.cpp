// Connection profiles: from pasted URLs, to connection options and layouts (the same layout the command line gives for
// the same overrides), stored in QSettings without a password; and the keychain wrapper on a machine without a
// keychain, where it must say so and keep passwords off the disk.
#include "connectionargs.h"
#include "connectionprofile.h"
#include "privatehome.h"
#include "secretstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Eventscope;
using Eventscope::Test::filesContaining;

namespace {

constexpr char Password[] = "S3cr3t-pw-4711";

QString password()
{
    return QString::fromLatin1(Password);
}

// Every file under dir whose bytes contain needle (as UTF-8 or UTF-16), so a password written anywhere is found.

// Starts a SecretStore request and waits for its answer, which must not come synchronously: the caller may still
// be setting up when it is called. nullopt when it came synchronously or not at all.
std::optional<SecretStore::Result> answer(const std::function<void(SecretStore::Callback)> &start)
{
    std::optional<SecretStore::Result> result;
    start([&result](const SecretStore::Result &r) { result = r; });
    if (result)
        return std::nullopt;
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
        return std::nullopt;
    return result;
}

// The layout eventscope-cli builds from these arguments.
StoreLayout cliLayout(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(connectionOptions());
    if (!parser.parse(QStringList{QStringLiteral("eventscope-cli")} + arguments))
        qFatal("bad test arguments");
    StoreLayout layout;
    QString error;
    if (!layoutFromArguments(parser, &layout, &error))
        qFatal("bad test layout");
    return layout;
}

} // namespace

class TestConnectionProfile final : public QObject
{
    Q_OBJECT
public:
    explicit TestConnectionProfile(QString home)
        : m_home(std::move(home))
    {}

private Q_SLOTS:
    void fromUrl_data();
    void fromUrl();
    void fromUrlRejects_data();
    void fromUrlRejects();
    void setUrlKeepsTheRest();
    void urlRoundTrip_data();
    void urlRoundTrip();
    void defaults();
    void toOptions();
    void toLayout_data();
    void toLayout();
    void validation_data();
    void validation();

    void storeSaveLoad();
    void storeRemoveRename();
    void storeLastProfile();
    void storeRefusesBadNames();
    void storeNeverWritesThePassword();

    void secretStoreWithoutKeychain();

private:
    QString m_home;
};

void TestConnectionProfile::fromUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("unixSocket");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("socketPath");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("user");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("urlPassword");

    QTest::newRow("redis host") << QStringLiteral("redis://redis.example") << false << QStringLiteral("redis.example")
                                << 6379 << QString() << 0 << QString() << false << QString();
    QTest::newRow("redis all") << QStringLiteral("redis://alice:S3cr3t-pw-4711@db.example:6380/3") << false
                               << QStringLiteral("db.example") << 6380 << QString() << 3 << QStringLiteral("alice")
                               << false << password();
    QTest::newRow("redis password only") << QStringLiteral("redis://:S3cr3t-pw-4711@h:7000/15") << false
                                         << QStringLiteral("h") << 7000 << QString() << 15 << QString() << false
                                         << password();
    QTest::newRow("redis encoded password")
        << QStringLiteral("redis://bob:p%40ss%3Aw@h") << false << QStringLiteral("h") << 6379 << QString() << 0
        << QStringLiteral("bob") << false << QStringLiteral("p@ss:w");
    QTest::newRow("rediss") << QStringLiteral("rediss://inspector:S3cr3t-pw-4711@redis.example:6380/1") << false
                            << QStringLiteral("redis.example") << 6380 << QString() << 1 << QStringLiteral("inspector")
                            << true << password();
    QTest::newRow("rediss ipv6") << QStringLiteral("rediss://[::1]:7000") << false << QStringLiteral("::1") << 7000
                                 << QString() << 0 << QString() << true << QString();
    QTest::newRow("unix") << QStringLiteral("unix:///run/redis/redis.sock") << true << QStringLiteral("127.0.0.1")
                          << 6379 << QStringLiteral("/run/redis/redis.sock") << 0 << QString() << false << QString();
    QTest::newRow("unix db") << QStringLiteral("unix:///tmp/r.sock?db=4") << true << QStringLiteral("127.0.0.1") << 6379
                             << QStringLiteral("/tmp/r.sock") << 4 << QString() << false << QString();
    QTest::newRow("unix user") << QStringLiteral("unix://carol:S3cr3t-pw-4711@/tmp/r.sock?db=2") << true
                               << QStringLiteral("127.0.0.1") << 6379 << QStringLiteral("/tmp/r.sock") << 2
                               << QStringLiteral("carol") << false << password();
}

void TestConnectionProfile::fromUrl()
{
    QFETCH(QString, url);
    QFETCH(bool, unixSocket);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, socketPath);
    QFETCH(int, db);
    QFETCH(QString, user);
    QFETCH(bool, tls);
    QFETCH(QString, urlPassword);

    QString gotPassword = QStringLiteral("untouched");
    QString error;
    const std::optional<ConnectionProfile> profile = ConnectionProfile::fromUrl(url, &gotPassword, &error);
    QVERIFY2(profile, qPrintable(error));
    QCOMPARE(profile->transport == ConnectionOptions::Transport::Unix, unixSocket);
    QCOMPARE(profile->host, host);
    QCOMPARE(profile->port, port);
    QCOMPARE(profile->socketPath, socketPath);
    QCOMPARE(profile->db, db);
    QCOMPARE(profile->user, user);
    QCOMPARE(profile->tls.enabled, tls);
    QCOMPARE(gotPassword, urlPassword);
    QVERIFY(profile->name.isEmpty());
    QVERIFY(profile->readOnly);
    QVERIFY(!profile->production);
    // The profile has no field a password could hide in; its URL form must not carry it either.
    if (!urlPassword.isEmpty())
        QVERIFY(!profile->url().contains(urlPassword));
    // No password pointer is fine too.
    QVERIFY(ConnectionProfile::fromUrl(url));
}

void TestConnectionProfile::fromUrlRejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("http") << QStringLiteral("http://S3cr3t-pw-4711@h");
    QTest::newRow("bad port") << QStringLiteral("redis://u:S3cr3t-pw-4711@h:99999");
    QTest::newRow("bad db") << QStringLiteral("redis://u:S3cr3t-pw-4711@h/notanumber");
    QTest::newRow("relative unix") << QStringLiteral("unix://relative/redis.sock");
    QTest::newRow("empty") << QString();
}

void TestConnectionProfile::fromUrlRejects()
{
    QFETCH(QString, url);
    QString gotPassword;
    QString error;
    QVERIFY(!ConnectionProfile::fromUrl(url, &gotPassword, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(!error.contains(password()), qPrintable(error));
    QVERIFY(gotPassword.isEmpty());
}

void TestConnectionProfile::setUrlKeepsTheRest()
{
    ConnectionProfile profile;
    profile.name = QStringLiteral("prod");
    profile.tls.caFile = QStringLiteral("/etc/ssl/ca.pem");
    profile.tls.serverName = QStringLiteral("redis.internal");
    profile.layoutKind = StoreLayout::Kind::Zilverline;
    profile.eventsKey = QStringLiteral("blog:commits");
    profile.readOnly = false;
    profile.production = true;
    QVERIFY(profile.setUrl(QStringLiteral("rediss://ops@redis.example:6390/2")));
    QCOMPARE(profile.name, QStringLiteral("prod"));
    QCOMPARE(profile.host, QStringLiteral("redis.example"));
    QCOMPARE(profile.port, 6390);
    QCOMPARE(profile.user, QStringLiteral("ops"));
    QVERIFY(profile.tls.enabled);
    QCOMPARE(profile.tls.caFile, QStringLiteral("/etc/ssl/ca.pem"));
    QCOMPARE(profile.tls.serverName, QStringLiteral("redis.internal"));
    QCOMPARE(profile.layoutKind, StoreLayout::Kind::Zilverline);
    QCOMPARE(profile.eventsKey, QStringLiteral("blog:commits"));
    QVERIFY(!profile.readOnly);
    QVERIFY(profile.production);

    // A URL that does not parse changes nothing.
    const ConnectionProfile before = profile;
    QVERIFY(!profile.setUrl(QStringLiteral("redis://h:0")));
    QCOMPARE(profile, before);

    // Pasting a URL without a user clears the user: the URL describes the whole connection.
    QVERIFY(profile.setUrl(QStringLiteral("redis://other.example")));
    QVERIFY(profile.user.isEmpty());
    QVERIFY(!profile.tls.enabled);
}

void TestConnectionProfile::urlRoundTrip_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("redis") << QStringLiteral("redis://alice@db.example:6380/3");
    QTest::newRow("rediss") << QStringLiteral("rediss://redis.example:6379/0");
    QTest::newRow("unix") << QStringLiteral("unix:///tmp/r.sock?db=4");
    QTest::newRow("unix user") << QStringLiteral("unix://carol@/tmp/r.sock");
}

void TestConnectionProfile::urlRoundTrip()
{
    QFETCH(QString, url);
    const std::optional<ConnectionProfile> profile = ConnectionProfile::fromUrl(url);
    QVERIFY(profile);
    QCOMPARE(profile->url(), url);
    // The dialog shows url() in its URL field and parses it back: that must be the same connection.
    const std::optional<ConnectionProfile> again = ConnectionProfile::fromUrl(profile->url());
    QVERIFY(again);
    QCOMPARE(*again, *profile);
}

void TestConnectionProfile::defaults()
{
    const ConnectionProfile profile;
    QVERIFY(profile.readOnly);
    QVERIFY(!profile.production);
    QCOMPARE(profile.layoutKind, StoreLayout::Kind::Seed);
    QCOMPARE(profile.toLayout(), StoreLayout::seed());
    const ConnectionOptions options = profile.toOptions({});
    QVERIFY(options.readOnly);
    QCOMPARE(options.endpoint(), QStringLiteral("127.0.0.1:6379"));
}

void TestConnectionProfile::toOptions()
{
    ConnectionProfile tcp = *ConnectionProfile::fromUrl(QStringLiteral("rediss://ops@redis.example:6390/2"));
    tcp.tls.caFile = QStringLiteral("/ca.pem");
    tcp.tls.certFile = QStringLiteral("/cert.pem");
    tcp.tls.keyFile = QStringLiteral("/key.pem");
    tcp.tls.serverName = QStringLiteral("redis.internal");
    tcp.tls.insecure = true;
    tcp.readOnly = false;
    ConnectionOptions options = tcp.toOptions(password());
    QCOMPARE(options.transport, ConnectionOptions::Transport::Tcp);
    QCOMPARE(options.host, QStringLiteral("redis.example"));
    QCOMPARE(options.port, quint16(6390));
    QCOMPARE(options.db, 2);
    QCOMPARE(options.user, QStringLiteral("ops"));
    QCOMPARE(options.password, password());
    QCOMPARE(options.tls, tcp.tls);
    QVERIFY(!options.readOnly);
    QVERIFY(!options.displayUrl().contains(password()));
    QCOMPARE(options.displayUrl(), QStringLiteral("rediss://ops@redis.example:6390/2"));

    // TLS files of a profile switched back to redis:// stay in the profile but are not used.
    tcp.tls.enabled = false;
    options = tcp.toOptions({});
    QCOMPARE(options.tls, TlsOptions{});
    QVERIFY(options.password.isEmpty());

    // The same options as the URL itself gives, apart from what only profiles have.
    const QString url = QStringLiteral("redis://alice:S3cr3t-pw-4711@db.example:6380/3");
    QString urlPassword;
    const ConnectionProfile fromUrl = *ConnectionProfile::fromUrl(url, &urlPassword);
    const ConnectionOptions direct = *ConnectionOptions::fromUrl(url);
    const ConnectionOptions viaProfile = fromUrl.toOptions(urlPassword);
    QCOMPARE(viaProfile.host, direct.host);
    QCOMPARE(viaProfile.port, direct.port);
    QCOMPARE(viaProfile.db, direct.db);
    QCOMPARE(viaProfile.user, direct.user);
    QCOMPARE(viaProfile.password, direct.password);
    QCOMPARE(viaProfile.tls, direct.tls);

    const ConnectionProfile unixProfile = *ConnectionProfile::fromUrl(QStringLiteral("unix:///tmp/r.sock?db=5"));
    options = unixProfile.toOptions({});
    QCOMPARE(options.transport, ConnectionOptions::Transport::Unix);
    QCOMPARE(options.socketPath, QStringLiteral("/tmp/r.sock"));
    QCOMPARE(options.db, 5);
    QVERIFY(options.readOnly);
}

void TestConnectionProfile::toLayout_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QStringList>("overrides"); // eventsKey, idPrefix, streamPrefix, streamsGlob, channel
    QTest::addColumn<QStringList>("cliArguments");
    QTest::addColumn<QByteArray>("eventsKey");
    QTest::addColumn<QByteArray>("streamPattern");
    QTest::addColumn<QByteArray>("channel");

    const int seed = int(StoreLayout::Kind::Seed);
    const int zilverline = int(StoreLayout::Kind::Zilverline);
    QTest::newRow("seed") << seed << QStringList(5) << QStringList() << QByteArray("EventStore") << QByteArray("*")
                          << QByteArray("EventStore");
    QTest::newRow("seed overrides") << seed
                                    << QStringList{QStringLiteral("Store"), QStringLiteral("ev"),
                                                   QStringLiteral("stream-"), QStringLiteral("customer-*"),
                                                   QStringLiteral("Commits")}
                                    << QStringList{QStringLiteral("--events-key"),    QStringLiteral("Store"),
                                                   QStringLiteral("--id-prefix"),     QStringLiteral("ev"),
                                                   QStringLiteral("--stream-prefix"), QStringLiteral("stream-"),
                                                   QStringLiteral("--streams"),       QStringLiteral("customer-*"),
                                                   QStringLiteral("--channel"),       QStringLiteral("Commits")}
                                    << QByteArray("Store") << QByteArray("stream-customer-*") << QByteArray("Commits");
    QTest::newRow("zilverline") << zilverline << QStringList(5)
                                << QStringList{QStringLiteral("--layout"), QStringLiteral("zilverline")}
                                << QByteArray("EventStore:commits") << QByteArray("EventStore:stream:*")
                                << QByteArray("EventStore:commits");
    QTest::newRow("zilverline events key")
        << zilverline << QStringList{QStringLiteral("blog:commits"), {}, {}, {}, {}}
        << QStringList{QStringLiteral("--layout"), QStringLiteral("zilverline"), QStringLiteral("--events-key"),
                       QStringLiteral("blog:commits")}
        << QByteArray("blog:commits") << QByteArray("blog:stream:*") << QByteArray("blog:commits");
    QTest::newRow("zilverline all overrides")
        << zilverline
        << QStringList{QStringLiteral("blog:commits"), QStringLiteral("c"), QStringLiteral("blog:s:"),
                       QStringLiteral("post-*"), QStringLiteral("blog:announce")}
        << QStringList{QStringLiteral("--layout"),        QStringLiteral("zilverline"),
                       QStringLiteral("--events-key"),    QStringLiteral("blog:commits"),
                       QStringLiteral("--id-prefix"),     QStringLiteral("c"),
                       QStringLiteral("--stream-prefix"), QStringLiteral("blog:s:"),
                       QStringLiteral("--streams"),       QStringLiteral("post-*"),
                       QStringLiteral("--channel"),       QStringLiteral("blog:announce")}
        << QByteArray("blog:commits") << QByteArray("blog:s:post-*") << QByteArray("blog:announce");
}

void TestConnectionProfile::toLayout()
{
    QFETCH(int, kind);
    QFETCH(QStringList, overrides);
    QFETCH(QStringList, cliArguments);
    QFETCH(QByteArray, eventsKey);
    QFETCH(QByteArray, streamPattern);
    QFETCH(QByteArray, channel);

    ConnectionProfile profile;
    profile.layoutKind = StoreLayout::Kind(kind);
    profile.eventsKey = overrides.at(0);
    profile.idPrefix = overrides.at(1);
    profile.streamPrefix = overrides.at(2);
    profile.streamsGlob = overrides.at(3);
    profile.channel = overrides.at(4);
    const StoreLayout layout = profile.toLayout();
    QCOMPARE(layout.kind, StoreLayout::Kind(kind));
    QCOMPARE(layout.eventsKey, eventsKey);
    QCOMPARE(layout.streamPattern, streamPattern);
    QCOMPARE(layout.channel, channel);
    // A profile and the command line with the same overrides read the same keys.
    QCOMPARE(layout, cliLayout(cliArguments));

    // Stored and loaded, the profile gives the same layout.
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    ProfileStore store(&settings);
    profile.name = QStringLiteral("layout");
    QVERIFY(store.save(profile));
    QCOMPARE(store.load(profile.name)->toLayout(), layout);
}

void TestConnectionProfile::validation_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QString>("expected"); // a part of the message; empty: valid

    const QString tcp = QStringLiteral("redis://h");
    QTest::newRow("valid") << tcp << QStringLiteral("local") << 6379 << QString() << QString() << QString();
    QTest::newRow("no name") << tcp << QString() << 6379 << QString() << QString() << QStringLiteral("name");
    QTest::newRow("slash") << tcp << QStringLiteral("a/b") << 6379 << QString() << QString() << QStringLiteral("\"/\"");
    QTest::newRow("port 0") << tcp << QStringLiteral("p") << 0 << QString() << QString() << QStringLiteral("port");
    QTest::newRow("port 70000") << tcp << QStringLiteral("p") << 70000 << QString() << QString()
                                << QStringLiteral("port");
    QTest::newRow("cert without key") << QStringLiteral("rediss://h") << QStringLiteral("p") << 6379
                                      << QStringLiteral("/c.pem") << QString() << QStringLiteral("private key");
    QTest::newRow("key without cert") << QStringLiteral("rediss://h") << QStringLiteral("p") << 6379 << QString()
                                      << QStringLiteral("/k.pem") << QStringLiteral("certificate");
    QTest::newRow("unix ignores port") << QStringLiteral("unix:///tmp/r.sock") << QStringLiteral("p") << 0 << QString()
                                       << QString() << QString();
}

void TestConnectionProfile::validation()
{
    QFETCH(QString, url);
    QFETCH(QString, name);
    QFETCH(int, port);
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    QFETCH(QString, expected);
    ConnectionProfile profile = *ConnectionProfile::fromUrl(url);
    profile.name = name;
    profile.port = port;
    profile.tls.certFile = certFile;
    profile.tls.keyFile = keyFile;
    const QString error = profile.validationError();
    if (expected.isEmpty())
        QVERIFY2(error.isEmpty(), qPrintable(error));
    else
        QVERIFY2(error.contains(expected), qPrintable(error));
}

void TestConnectionProfile::storeSaveLoad()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    ProfileStore store(&settings);
    QVERIFY(store.names().isEmpty());
    QVERIFY(!store.load(QStringLiteral("none")));

    ConnectionProfile full = *ConnectionProfile::fromUrl(QStringLiteral("rediss://ops@redis.example:6390/2"));
    full.name = QStringLiteral("Production EU");
    full.tls = {true,
                QStringLiteral("/ca.pem"),
                QStringLiteral("/cert.pem"),
                QStringLiteral("/key.pem"),
                QStringLiteral("redis.internal"),
                true};
    full.layoutKind = StoreLayout::Kind::Zilverline;
    full.eventsKey = QStringLiteral("blog:commits");
    full.idPrefix = QStringLiteral("c");
    full.streamPrefix = QStringLiteral("blog:s:");
    full.streamsGlob = QStringLiteral("post-*");
    full.channel = QStringLiteral("blog:announce");
    full.readOnly = false;
    full.production = true;
    QVERIFY(store.save(full));

    ConnectionProfile local = *ConnectionProfile::fromUrl(QStringLiteral("unix:///tmp/r.sock?db=1"));
    local.name = QStringLiteral("local");
    QVERIFY(store.save(local));

    // Another store on the same file sees both, in name order regardless of case.
    QSettings reread(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    ProfileStore other(&reread);
    QCOMPARE(other.names(), (QStringList{QStringLiteral("local"), QStringLiteral("Production EU")}));
    QCOMPARE(*other.load(QStringLiteral("Production EU")), full);
    QCOMPARE(*other.load(QStringLiteral("local")), local);
    QCOMPARE(other.profiles(), (QList<ConnectionProfile>{local, full}));

    // Saving again replaces, it does not merge.
    full.eventsKey.clear();
    QVERIFY(store.save(full));
    QCOMPARE(store.load(full.name)->eventsKey, QString());

    // A profile written without the flags (by hand, or an older version) is read-only.
    settings.remove(QStringLiteral("profiles/local/readOnly"));
    QVERIFY(store.load(QStringLiteral("local"))->readOnly);
}

void TestConnectionProfile::storeRemoveRename()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    ProfileStore store(&settings);
    ConnectionProfile a = *ConnectionProfile::fromUrl(QStringLiteral("redis://a.example"));
    a.name = QStringLiteral("a");
    ConnectionProfile b = *ConnectionProfile::fromUrl(QStringLiteral("redis://b.example"));
    b.name = QStringLiteral("b");
    QVERIFY(store.save(a));
    QVERIFY(store.save(b));

    QVERIFY(!store.rename(QStringLiteral("a"), QStringLiteral("b"))); // taken
    QVERIFY(!store.rename(QStringLiteral("missing"), QStringLiteral("c")));
    QVERIFY(!store.rename(QStringLiteral("a"), QStringLiteral("x/y")));
    QVERIFY(store.rename(QStringLiteral("a"), QStringLiteral("renamed a")));
    QCOMPARE(store.names(), (QStringList{QStringLiteral("b"), QStringLiteral("renamed a")}));
    ConnectionProfile renamed = a;
    renamed.name = QStringLiteral("renamed a");
    QCOMPARE(*store.load(QStringLiteral("renamed a")), renamed);
    QVERIFY(!store.contains(QStringLiteral("a")));

    QVERIFY(store.remove(QStringLiteral("b")));
    QVERIFY(!store.remove(QStringLiteral("b")));
    QCOMPARE(store.names(), QStringList{QStringLiteral("renamed a")});
}

void TestConnectionProfile::storeLastProfile()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    ProfileStore store(&settings);
    QVERIFY(store.lastProfile().isEmpty());
    ConnectionProfile a = *ConnectionProfile::fromUrl(QStringLiteral("redis://a.example"));
    a.name = QStringLiteral("a");
    QVERIFY(store.save(a));
    store.setLastProfile(QStringLiteral("a"));
    QCOMPARE(store.lastProfile(), QStringLiteral("a"));
    {
        QSettings reread(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
        QCOMPARE(ProfileStore(&reread).lastProfile(), QStringLiteral("a"));
    }
    // The last profile follows a rename, and is forgotten with the profile.
    QVERIFY(store.rename(QStringLiteral("a"), QStringLiteral("b")));
    QCOMPARE(store.lastProfile(), QStringLiteral("b"));
    QVERIFY(store.remove(QStringLiteral("b")));
    QVERIFY(store.lastProfile().isEmpty());
    // A name with no profile behind it is not offered.
    store.setLastProfile(QStringLiteral("ghost"));
    QVERIFY(store.lastProfile().isEmpty());
}

void TestConnectionProfile::storeRefusesBadNames()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    ProfileStore store(&settings);
    ConnectionProfile profile;
    for (const QString &name :
         {QString(), QStringLiteral(" "), QStringLiteral("a/b"), QStringLiteral("a\\b"), QStringLiteral(" padded ")}) {
        profile.name = name;
        QVERIFY2(!store.save(profile), qPrintable(name));
    }
    QVERIFY(store.names().isEmpty());
    // Spaces, dots, brackets, '=' and non-ASCII are fine: QSettings escapes them in the ini file.
    profile.name = QStringLiteral("Prod [EU] = köln.1");
    QVERIFY(store.save(profile));
    QSettings reread(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    QCOMPARE(ProfileStore(&reread).names(), QStringList{profile.name});
}

void TestConnectionProfile::storeNeverWritesThePassword()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.ini"));
    QSettings settings(path, QSettings::IniFormat);
    ProfileStore store(&settings);

    QString urlPassword;
    ConnectionProfile profile
        = *ConnectionProfile::fromUrl(QStringLiteral("rediss://alice:S3cr3t-pw-4711@db.example:6380/3"), &urlPassword);
    QCOMPARE(urlPassword, password());
    profile.name = QStringLiteral("with password");
    QVERIFY(store.save(profile));
    store.setLastProfile(profile.name);
    QVERIFY(store.rename(profile.name, QStringLiteral("renamed")));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    // The file has the profile (so the search below searched something) and not the password.
    QVERIFY(bytes.contains("db.example"));
    QVERIFY(bytes.contains("alice"));
    QVERIFY2(!bytes.contains(Password), bytes.constData());
    QVERIFY(!bytes.toLower().contains("password"));
    QVERIFY(filesContaining(dir.path(), password()).isEmpty());

    // The search finds a password that is there, in either encoding.
    QFile control(dir.filePath(QStringLiteral("sub/control")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("sub")));
    QVERIFY(control.open(QIODevice::WriteOnly));
    control.write("x");
    control.write(reinterpret_cast<const char *>(password().utf16()), password().size() * 2);
    control.close();
    QCOMPARE(filesContaining(dir.path(), password()), QStringList{control.fileName()});
}

void TestConnectionProfile::secretStoreWithoutKeychain()
{
    using Status = SecretStore::Result::Status;
    QObject context;
    const QString name = QStringLiteral("prod");

    // A write before the keychain was probed goes to QtKeychain itself, which must fail without a plaintext
    // fallback; the password is then kept in memory.
    {
        SecretStore early;
        QCOMPARE(early.availability(), SecretStore::Availability::Unknown);
        const std::optional<SecretStore::Result> result
            = answer([&](auto callback) { early.writePassword(name, password(), &context, callback); });
        QVERIFY(result);
        QCOMPARE(result->status, Status::InMemory);
        QCOMPARE(early.availability(), SecretStore::Availability::Unavailable);
    }

    SecretStore secrets;
    QCOMPARE(secrets.availability(), SecretStore::Availability::Unknown);
    QSignalSpy availability(&secrets, &SecretStore::availabilityChanged);
    // This machine has no D-Bus session and so no secret service; main() made sure of it for the test.
    QVERIFY(availability.wait(10000));
    QCOMPARE(availability.first().first().toBool(), false);
    QVERIFY(!secrets.available());
    QCOMPARE(secrets.availability(), SecretStore::Availability::Unavailable);
    QVERIFY(!secrets.unavailableReason().isEmpty());

    std::optional<SecretStore::Result> result
        = answer([&](auto callback) { secrets.readPassword(name, &context, callback); });
    QVERIFY(result);
    QCOMPARE(result->status, Status::Unavailable);
    QVERIFY(result->password.isEmpty());
    QVERIFY(!result->error.isEmpty());

    result = answer([&](auto callback) { secrets.writePassword(name, password(), &context, callback); });
    QVERIFY(result);
    QCOMPARE(result->status, Status::InMemory);

    result = answer([&](auto callback) { secrets.readPassword(name, &context, callback); });
    QVERIFY(result);
    QCOMPARE(result->status, Status::InMemory);
    QCOMPARE(result->password, password());

    // Another store (another run of Eventscope) has nothing: it was never written down.
    SecretStore later;
    QTRY_COMPARE(later.availability(), SecretStore::Availability::Unavailable);
    result = answer([&](auto callback) { later.readPassword(name, &context, callback); });
    QVERIFY(result);
    QCOMPARE(result->status, Status::Unavailable);

    result = answer([&](auto callback) { secrets.deletePassword(name, &context, callback); });
    QVERIFY(result);
    QCOMPARE(result->status, Status::InMemory);
    result = answer([&](auto callback) { secrets.readPassword(name, &context, callback); });
    QVERIFY(result);
    QCOMPARE(result->status, Status::Unavailable);

    // A request whose context is gone is dropped, not delivered.
    {
        bool called = false;
        auto *gone = new QObject;
        secrets.readPassword(name, gone, [&called](const SecretStore::Result &) { called = true; });
        delete gone;
        bool other = false;
        secrets.readPassword(name, &context, [&other](const SecretStore::Result &) { other = true; });
        QTRY_VERIFY(other);
        QVERIFY(!called);
    }

    // Nothing under the test's HOME and XDG directories holds the password: no plaintext fallback anywhere.
    QCOMPARE(filesContaining(m_home, password()), QStringList());
}

int main(int argc, char **argv)
{
    // Before anything can read them: a private HOME and XDG tree to search for the password afterwards, and no way
    // to reach a D-Bus session (GLib also looks for $XDG_RUNTIME_DIR/bus), so no real keychain is ever touched.
    QTemporaryDir home;
    if (!home.isValid())
        return 1;
    Eventscope::Test::usePrivateHome(home.path());
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Eventscope"));
    QCoreApplication::setApplicationName(QStringLiteral("Eventscope"));
    TestConnectionProfile test(home.path());
    return QTest::qExec(&test, argc, argv);
}

#include "tst_connectionprofile.moc"
