#pragma once

#include "redisreply.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <QEventLoop>
#include <QTimer>

#include <memory>
#include <optional>

struct redisContext;

namespace Eventscope::Test {

// A raw hiredis subscriber for checking what was published, independent of the code under test.
class RawSubscriber
{
public:
    RawSubscriber(quint16 port, const QByteArray &channel, const QString &password = {});
    ~RawSubscriber();
    bool isSubscribed() const { return m_subscribed; }
    // The next message on the channel, or a null QByteArray after timeoutMs.
    QByteArray next(int timeoutMs = 5000);

private:
    redisContext *m_context = nullptr;
    bool m_subscribed = false;
};

// Runs the event loop until callback-style work delivers a value, or timeoutMs passes (then returns nullopt).
template<typename T, typename Start>
std::optional<T> waitFor(Start start, int timeoutMs = 10000);

// A private redis-server for one test executable: started on a free port in a temporary directory, stopped with
// the object. Test setup and verification go through admin(), a blocking hiredis client on the plain port that is
// independent of the code under test.
class RedisServer
{
public:
    struct Options
    {
        bool tls = false;                      // also listen with TLS on tlsPort()
        bool requireClientCertificate = false; // mutual TLS
        bool unixSocket = false;
        QString adminPassword;   // the default user's password; empty: none
        QStringList configLines; // extra redis.conf lines, e.g. "user inspector on >pw ~* +@read"
    };

    RedisServer();
    explicit RedisServer(Options options);
    ~RedisServer();

    // Starts and waits until the server accepts connections. On failure returns false and says why.
    bool start(QString *error = nullptr);
    void stop();
    // Stops and starts again on the same ports, with the same data directory (data is not kept).
    bool restart(QString *error = nullptr);
    bool isRunning() const;

    quint16 port() const { return m_port; }
    quint16 tlsPort() const { return m_tlsPort; }
    QString socketPath() const;
    QString dir() const { return m_dir.path(); }

    // redis://127.0.0.1:port/db, rediss://localhost:tlsPort/db, unix://...?db=
    QString url(int db = 0) const;
    QString tlsUrl(int db = 0) const;
    QString unixUrl(int db = 0) const;

    // Certificates made with openssl at start: a CA, a server certificate for localhost and 127.0.0.1, a client
    // certificate, and a second CA that signed nothing of ours.
    QString caFile() const;
    QString otherCaFile() const;
    QString clientCertFile() const;
    QString clientKeyFile() const;

    // A blocking command on the plain port as the admin (default) user. Failure replies carry the reason.
    RedisReply admin(const QList<QByteArray> &command, int db = 0);
    void flushAll();

private:
    bool makeCertificates(QString *error);
    bool launch(QString *error);
    redisContext *adminContext(int db);

    Options m_options;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
    redisContext *m_admin = nullptr;
    int m_adminDb = -1;
};

template<typename T, typename Start>
std::optional<T> waitFor(Start start, int timeoutMs)
{
    std::optional<T> result;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(timeoutMs);
    start([&](const T &value) {
        if (!result) {
            result = value;
            loop.quit();
        }
    });
    if (!result)
        loop.exec();
    return result;
}

} // namespace Eventscope::Test
