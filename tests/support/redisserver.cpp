#include "redisserver.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>

#include <hiredis/hiredis.h>

namespace Eventscope::Test {

namespace {

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

RedisReply convert(const redisReply *reply)
{
    RedisReply out;
    switch (reply->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        for (size_t i = 0; i < reply->elements; ++i)
            out.elements.append(convert(reply->element[i]));
        break;
    default:
        break;
    }
    return out;
}

bool run(const QString &program, const QStringList &arguments, const QString &dir, QString *error)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        if (error)
            *error = program + QLatin1Char(' ') + arguments.join(QLatin1Char(' ')) + QLatin1String(" failed: ")
                     + QString::fromLocal8Bit(process.readAll());
        return false;
    }
    return true;
}

} // namespace

RedisServer::RedisServer()
    : RedisServer(Options{})
{}

RedisServer::RedisServer(Options options)
    : m_options(std::move(options))
{}

RedisServer::~RedisServer()
{
    stop();
}

QString RedisServer::socketPath() const
{
    return m_dir.filePath(QStringLiteral("redis.sock"));
}

QString RedisServer::caFile() const
{
    return m_dir.filePath(QStringLiteral("ca.crt"));
}

QString RedisServer::otherCaFile() const
{
    return m_dir.filePath(QStringLiteral("other-ca.crt"));
}

QString RedisServer::clientCertFile() const
{
    return m_dir.filePath(QStringLiteral("client.crt"));
}

QString RedisServer::clientKeyFile() const
{
    return m_dir.filePath(QStringLiteral("client.key"));
}

QString RedisServer::url(int db) const
{
    return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(db);
}

QString RedisServer::tlsUrl(int db) const
{
    return QStringLiteral("rediss://localhost:%1/%2").arg(m_tlsPort).arg(db);
}

QString RedisServer::unixUrl(int db) const
{
    return QStringLiteral("unix://%1?db=%2").arg(socketPath()).arg(db);
}

bool RedisServer::makeCertificates(QString *error)
{
    const QString dir = m_dir.path();
    const QString openssl = QStringLiteral("openssl");
    auto req = [&](const QString &name, const QString &subject) {
        return run(openssl,
                   {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"),
                    QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                    name + QLatin1String(".key"), QStringLiteral("-out"), name + QLatin1String(".csr"),
                    QStringLiteral("-subj"), subject},
                   dir, error);
    };
    auto sign = [&](const QString &name, const QString &ca, const QString &extensions) {
        QFile ext(m_dir.filePath(name + QLatin1String(".ext")));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write(extensions.toUtf8());
        ext.close();
        return run(openssl,
                   {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), name + QLatin1String(".csr"),
                    QStringLiteral("-CA"), ca + QLatin1String(".crt"), QStringLiteral("-CAkey"),
                    ca + QLatin1String(".key"), QStringLiteral("-CAcreateserial"), QStringLiteral("-days"),
                    QStringLiteral("2"), QStringLiteral("-extfile"), name + QLatin1String(".ext"),
                    QStringLiteral("-out"), name + QLatin1String(".crt")},
                   dir, error);
    };
    auto makeCa = [&](const QString &name, const QString &subject) {
        return run(openssl,
                   {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                    QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                    name + QLatin1String(".key"), QStringLiteral("-out"), name + QLatin1String(".crt"),
                    QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), subject},
                   dir, error);
    };
    return makeCa(QStringLiteral("ca"), QStringLiteral("/CN=Eventscope Test CA"))
           && makeCa(QStringLiteral("other-ca"), QStringLiteral("/CN=Somebody Else's CA"))
           && req(QStringLiteral("server"), QStringLiteral("/CN=localhost"))
           && sign(QStringLiteral("server"), QStringLiteral("ca"),
                   QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"))
           && req(QStringLiteral("client"), QStringLiteral("/CN=eventscope-test-client"))
           && sign(QStringLiteral("client"), QStringLiteral("ca"), QStringLiteral("extendedKeyUsage=clientAuth\n"));
}

bool RedisServer::start(QString *error)
{
    if (!m_dir.isValid()) {
        if (error)
            *error = QStringLiteral("cannot make a temporary directory");
        return false;
    }
    if (m_options.tls && !QFile::exists(caFile()) && !makeCertificates(error))
        return false;
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        m_tlsPort = m_options.tls ? freePort() : 0;
        if (launch(error))
            return true;
    }
    return false;
}

bool RedisServer::launch(QString *error)
{
    const QString server = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (server.isEmpty()) {
        if (error)
            *error = QStringLiteral("redis-server is not installed");
        return false;
    }
    QStringList config = {
        QStringLiteral("port %1").arg(m_port),
        QStringLiteral("bind 127.0.0.1"),
        QStringLiteral("dir %1").arg(m_dir.path()),
        QStringLiteral("save \"\""),
        QStringLiteral("appendonly no"),
        QStringLiteral("daemonize no"),
        QStringLiteral("logfile \"\""),
        QStringLiteral("databases 16"),
    };
    if (m_options.unixSocket) {
        config << QStringLiteral("unixsocket %1").arg(socketPath()) << QStringLiteral("unixsocketperm 700");
    }
    if (m_options.tls) {
        config << QStringLiteral("tls-port %1").arg(m_tlsPort)
               << QStringLiteral("tls-cert-file %1").arg(m_dir.filePath(QStringLiteral("server.crt")))
               << QStringLiteral("tls-key-file %1").arg(m_dir.filePath(QStringLiteral("server.key")))
               << QStringLiteral("tls-ca-cert-file %1").arg(caFile())
               << QStringLiteral("tls-auth-clients %1")
                      .arg(m_options.requireClientCertificate ? QStringLiteral("yes") : QStringLiteral("no"));
    }
    if (!m_options.adminPassword.isEmpty())
        config << QStringLiteral("requirepass %1").arg(m_options.adminPassword);
    config << m_options.configLines;
    const QString configPath = m_dir.filePath(QStringLiteral("redis.conf"));
    QFile file(configPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(configPath);
        return false;
    }
    file.write(config.join(QLatin1Char('\n')).toUtf8() + '\n');
    file.close();

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->start(server, {configPath});
    QByteArray log;
    const QDeadlineTimer deadline(15000);
    // The server says when it listens; wait for that line, not for a fixed time.
    while (!deadline.hasExpired()) {
        if (!m_process->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        log += m_process->readAll();
        if (log.contains("Ready to accept connections"))
            return true;
    }
    log += m_process->readAll();
    if (error)
        *error = QStringLiteral("redis-server did not start: %1").arg(QString::fromLocal8Bit(log.right(2000)));
    m_process->kill();
    m_process->waitForFinished();
    m_process.reset();
    return false;
}

void RedisServer::stop()
{
    if (m_admin) {
        redisFree(m_admin);
        m_admin = nullptr;
        m_adminDb = -1;
    }
    if (m_process) {
        m_process->kill();
        m_process->waitForFinished();
        m_process.reset();
    }
}

bool RedisServer::restart(QString *error)
{
    stop();
    return launch(error);
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

redisContext *RedisServer::adminContext(int db)
{
    if (m_admin && (m_admin->err || m_adminDb != db)) {
        redisFree(m_admin);
        m_admin = nullptr;
    }
    if (!m_admin) {
        m_admin = redisConnect("127.0.0.1", m_port);
        if (!m_admin || m_admin->err)
            return m_admin;
        if (!m_options.adminPassword.isEmpty()) {
            const QByteArray password = m_options.adminPassword.toUtf8();
            freeReplyObject(redisCommand(m_admin, "AUTH %b", password.constData(), size_t(password.size())));
        }
        freeReplyObject(redisCommand(m_admin, "SELECT %d", db));
        m_adminDb = db;
    }
    return m_admin;
}

RedisReply RedisServer::admin(const QList<QByteArray> &command, int db)
{
    redisContext *context = adminContext(db);
    if (!context || context->err)
        return RedisReply::failure(context ? QByteArray(context->errstr) : QByteArray("cannot connect"));
    QList<const char *> argv;
    QList<size_t> lengths;
    for (const QByteArray &arg : command) {
        argv.append(arg.constData());
        lengths.append(size_t(arg.size()));
    }
    auto *reply = static_cast<redisReply *>(redisCommandArgv(context, int(argv.size()), argv.data(), lengths.data()));
    if (!reply)
        return RedisReply::failure(QByteArray(context->errstr));
    RedisReply out = convert(reply);
    freeReplyObject(reply);
    return out;
}

void RedisServer::flushAll()
{
    admin({"FLUSHALL"});
    admin({"SCRIPT", "FLUSH"});
}

RawSubscriber::RawSubscriber(quint16 port, const QByteArray &channel, const QString &password)
    : m_context(redisConnect("127.0.0.1", port))
{
    if (!m_context || m_context->err)
        return;
    if (!password.isEmpty()) {
        const QByteArray pw = password.toUtf8();
        freeReplyObject(redisCommand(m_context, "AUTH %b", pw.constData(), size_t(pw.size())));
    }
    auto *reply = static_cast<redisReply *>(
        redisCommand(m_context, "SUBSCRIBE %b", channel.constData(), size_t(channel.size())));
    m_subscribed = reply && reply->type == REDIS_REPLY_ARRAY;
    freeReplyObject(reply);
}

RawSubscriber::~RawSubscriber()
{
    if (m_context)
        redisFree(m_context);
}

QByteArray RawSubscriber::next(int timeoutMs)
{
    if (!m_subscribed)
        return {};
    const struct timeval timeout = {timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    redisSetTimeout(m_context, timeout);
    void *raw = nullptr;
    if (redisGetReply(m_context, &raw) != REDIS_OK || !raw) {
        m_subscribed = false; // a timed-out hiredis context is unusable
        return {};
    }
    auto *reply = static_cast<redisReply *>(raw);
    QByteArray message;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3)
        message = QByteArray(reply->element[2]->str, qsizetype(reply->element[2]->len));
    freeReplyObject(reply);
    return message;
}

} // namespace Eventscope::Test
