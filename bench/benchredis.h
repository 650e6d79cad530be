#pragma once
// A private redis-server and a blocking hiredis client for the benchmarks that compare against plain hiredis
// (bench_read, bench_replay, bench_audit).

#include "connectionoptions.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QList>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <hiredis/hiredis.h>

#include <memory>
#include <vector>

namespace Eventscope::Bench {

// Defined by each benchmark: says what went wrong, under its name, and exits with status 1.
[[noreturn]] void die(const QString &message);

// A private redis-server on a free port in a temporary directory, stopped with the object.
class LocalRedis
{
public:
    ~LocalRedis()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    bool start(QString *error)
    {
        if (!m_dir.isValid()) {
            *error = QStringLiteral("cannot make a temporary directory");
            return false;
        }
        const QString server = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
        if (server.isEmpty()) {
            *error = QStringLiteral("redis-server is not installed (or give --url)");
            return false;
        }
        // The port can be taken between asking and binding; try a few.
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (launch(server, error))
                return true;
        }
        return false;
    }

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port); }

private:
    bool launch(const QString &server, QString *error)
    {
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                *error = QStringLiteral("no free port");
                return false;
            }
            m_port = probe.serverPort();
        }
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.setWorkingDirectory(m_dir.path());
        m_process.start(server, {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                                 QStringLiteral("127.0.0.1"), QStringLiteral("--dir"), m_dir.path(),
                                 QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                                 QStringLiteral("no"), QStringLiteral("--daemonize"), QStringLiteral("no")});
        QByteArray log;
        const QDeadlineTimer deadline(15000);
        // The server says when it listens: wait for that line, not for a fixed time.
        while (!deadline.hasExpired()) {
            if (!m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
                break;
            log += m_process.readAll();
            if (log.contains("Ready to accept connections"))
                return true;
        }
        log += m_process.readAll();
        *error = QStringLiteral("redis-server did not start: %1").arg(QString::fromLocal8Bit(log.right(2000)));
        m_process.kill();
        m_process.waitForFinished();
        return false;
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

// A blocking hiredis client: the baseline, and the bench's own checks independent of core.
class Hiredis
{
public:
    explicit Hiredis(const ConnectionOptions &options)
    {
        if (options.tls.enabled)
            die(QStringLiteral("the hiredis baseline cannot use TLS; give a redis:// or unix:// URL"));
        m_context = options.transport == ConnectionOptions::Transport::Unix
                        ? redisConnectUnix(options.socketPath.toLocal8Bit().constData())
                        : redisConnect(options.host.toLocal8Bit().constData(), options.port);
        if (!m_context || m_context->err)
            die(QStringLiteral("hiredis cannot connect to %1: %2")
                    .arg(options.endpoint(), QString::fromLocal8Bit(m_context ? m_context->errstr : "out of memory")));
        if (!options.password.isEmpty()) {
            QList<QByteArray> auth = {"AUTH"};
            if (!options.user.isEmpty())
                auth.append(options.user.toUtf8());
            auth.append(options.password.toUtf8());
            expectOk(command(auth), "AUTH");
        }
        if (options.db != 0)
            expectOk(command({"SELECT", QByteArray::number(options.db)}), "SELECT");
    }
    ~Hiredis() { redisFree(m_context); }
    Hiredis(const Hiredis &) = delete;
    Hiredis &operator=(const Hiredis &) = delete;

    using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

    Reply command(const QList<QByteArray> &args)
    {
        std::vector<const char *> argv;
        std::vector<size_t> argvlen;
        for (const QByteArray &arg : args) {
            argv.push_back(arg.constData());
            argvlen.push_back(size_t(arg.size()));
        }
        return call(int(argv.size()), argv.data(), argvlen.data());
    }

    Reply call(int argc, const char **argv, const size_t *argvlen)
    {
        auto *reply = static_cast<redisReply *>(redisCommandArgv(m_context, argc, argv, argvlen));
        if (!reply)
            die(QStringLiteral("hiredis: %1").arg(QString::fromLocal8Bit(m_context->errstr)));
        if (reply->type == REDIS_REPLY_ERROR)
            die(QStringLiteral("%1 failed: %2").arg(QString::fromUtf8(argv[0]), QString::fromUtf8(reply->str)));
        return Reply(reply, &freeReplyObject);
    }

    // Pipelining: queue commands with append(), then take their replies in order with next().
    void append(const std::vector<QByteArray> &args)
    {
        std::vector<const char *> argv;
        std::vector<size_t> argvlen;
        argv.reserve(args.size());
        argvlen.reserve(args.size());
        for (const QByteArray &arg : args) {
            argv.push_back(arg.constData());
            argvlen.push_back(size_t(arg.size()));
        }
        if (redisAppendCommandArgv(m_context, int(argv.size()), argv.data(), argvlen.data()) != REDIS_OK)
            die(QStringLiteral("hiredis: cannot queue a command"));
    }

    Reply next()
    {
        void *raw = nullptr;
        if (redisGetReply(m_context, &raw) != REDIS_OK || !raw)
            die(QStringLiteral("hiredis: %1").arg(QString::fromLocal8Bit(m_context->errstr)));
        auto *reply = static_cast<redisReply *>(raw);
        if (reply->type == REDIS_REPLY_ERROR)
            die(QStringLiteral("redis error: %1").arg(QString::fromUtf8(reply->str)));
        return Reply(reply, &freeReplyObject);
    }

    // One INFO section's text.
    QByteArray info(const QByteArray &section)
    {
        const Reply reply = command({"INFO", section});
        return reply->type == REDIS_REPLY_STRING ? QByteArray(reply->str, qsizetype(reply->len)) : QByteArray();
    }

    qint64 integer(const QList<QByteArray> &args)
    {
        const Reply reply = command(args);
        if (reply->type != REDIS_REPLY_INTEGER)
            die(QStringLiteral("%1 did not answer an integer").arg(QString::fromUtf8(args.first())));
        return reply->integer;
    }

    QByteArray serverVersion()
    {
        const Reply reply = command({"INFO", "server"});
        const QByteArray info
            = reply->type == REDIS_REPLY_STRING ? QByteArray(reply->str, qsizetype(reply->len)) : QByteArray();
        for (const QByteArray &line : info.split('\n')) {
            if (line.startsWith("redis_version:"))
                return line.mid(14).trimmed();
        }
        return "unknown";
    }

    // The server's own CPU time so far (INFO cpu): what a read costs it, whatever else the machine is doing.
    double serverCpuSeconds()
    {
        const Reply reply = command({"INFO", "cpu"});
        const QByteArray info
            = reply->type == REDIS_REPLY_STRING ? QByteArray(reply->str, qsizetype(reply->len)) : QByteArray();
        double total = 0;
        for (const QByteArray &line : info.split('\n')) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:"))
                total += line.mid(line.indexOf(':') + 1).trimmed().toDouble();
        }
        return total;
    }

private:
    static void expectOk(const Reply &reply, const char *what)
    {
        if (reply->type != REDIS_REPLY_STATUS)
            die(QStringLiteral("%1 did not answer OK").arg(QString::fromUtf8(what)));
    }

    redisContext *m_context = nullptr;
};

} // namespace Eventscope::Bench
