#pragma once
// A private redis-server and a blocking hiredis client for every benchmark, what a bench's die() does, and the plain
// hiredis reads and `eventscope-cli seed` runs that several benchmarks share.

#include "benchutil.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "storelayout.h"

#include <QByteArray>
#include <QCommandLineOption>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QList>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <hiredis/hiredis.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

namespace Eventscope::Bench {

// A private redis-server on a free port in a temporary directory. It is stopped with the object, by die() (exit()
// runs no destructors of locals) and, should the bench crash or be killed, by the kernel (PR_SET_PDEATHSIG).
// Default limits (client-output-buffer-limit pubsub 32mb 8mb 60 included).
class LocalRedis
{
public:
    LocalRedis()
    {
        const pid_t bench = getpid();
        m_process.setChildProcessModifier([bench] {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            // The bench may have gone before the line above: then nothing would stop this server.
            if (getppid() != bench)
                _exit(1);
        });
        running().push_back(this);
    }
    ~LocalRedis()
    {
        std::erase(running(), this);
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    LocalRedis(const LocalRedis &) = delete;
    LocalRedis &operator=(const LocalRedis &) = delete;

    static bool installed() { return !QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty(); }

    // SIGKILL to every server still running, without waiting: die() may be called on any thread.
    static void killAll()
    {
        for (LocalRedis *redis : running()) {
            const qint64 pid = redis->m_process.processId();
            if (pid > 0)
                ::kill(pid_t(pid), SIGKILL);
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
            *error = QStringLiteral("redis-server is not installed");
            return false;
        }
        // The port can be taken between asking and binding; try a few.
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (launch(server, error))
                return true;
        }
        return false;
    }

    // start(), or die() saying why not.
    void startOrDie()
    {
        QString error;
        if (!start(&error))
            die(error);
    }

    quint16 port() const { return m_port; }
    QString url(int db = 0) const { return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(db); }

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

    static std::vector<LocalRedis *> &running()
    {
        static std::vector<LocalRedis *> servers;
        return servers;
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

// What each benchmark's die() does: says the message under the bench's name, stops its servers, exits 1.
[[noreturn]] inline void dieAs(const char *bench, const QString &message)
{
    std::fprintf(stderr, "%s: %s\n", bench, message.toLocal8Bit().constData());
    LocalRedis::killAll();
    std::exit(1);
}

// A blocking hiredis client: the baseline, and the bench's own checks independent of core.
class Hiredis
{
public:
    // To a server on this machine, e.g. a LocalRedis.
    explicit Hiredis(quint16 port, int db = 0)
        : Hiredis(localOptions(port, db))
    {}

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

    // Commands in RESP already, appended as they are (a publisher that formats its own).
    void appendFormatted(const char *data, size_t size)
    {
        if (redisAppendFormattedCommand(m_context, data, size) != REDIS_OK)
            die(QStringLiteral("hiredis: cannot queue a command"));
    }

    void appendArgv(int argc, const char **argv, const size_t *argvlen)
    {
        if (redisAppendCommandArgv(m_context, argc, argv, argvlen) != REDIS_OK)
            die(QStringLiteral("hiredis: %1").arg(QString::fromLocal8Bit(m_context->errstr)));
    }

    // Takes count replies (of appended commands) and drops them; an error reply dies.
    void skipReplies(qint64 count)
    {
        for (qint64 i = 0; i < count; ++i)
            next();
    }

    // For what this class does not wrap (a subscriber's reads with a timeout).
    redisContext *context() const { return m_context; }

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
        appendArgv(int(argv.size()), argv.data(), argvlen.data());
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
        for (const QByteArray &line : info("server").split('\n')) {
            if (line.startsWith("redis_version:"))
                return line.mid(14).trimmed();
        }
        return "unknown";
    }

    // The server's own CPU time so far (INFO cpu): what a read costs it, whatever else the machine is doing.
    double serverCpuSeconds()
    {
        double total = 0;
        for (const QByteArray &line : info("cpu").split('\n')) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:"))
                total += line.mid(line.indexOf(':') + 1).trimmed().toDouble();
        }
        return total;
    }

    // How often the server ran a command so far (INFO commandstats), e.g. HGET: what a window asked for.
    qint64 commandCalls(const QByteArray &name)
    {
        const QByteArray prefix = "cmdstat_" + name.toLower() + ":calls=";
        for (const QByteArray &line : info("commandstats").split('\n')) {
            if (line.startsWith(prefix))
                return line.mid(prefix.size(), line.indexOf(',') - prefix.size()).toLongLong();
        }
        return 0;
    }

private:
    static ConnectionOptions localOptions(quint16 port, int db)
    {
        ConnectionOptions options;
        options.host = QStringLiteral("127.0.0.1");
        options.port = port;
        options.db = db;
        return options;
    }

    static void expectOk(const Reply &reply, const char *what)
    {
        if (reply->type != REDIS_REPLY_STATUS)
            die(QStringLiteral("%1 did not answer OK").arg(QString::fromUtf8(what)));
    }

    redisContext *m_context = nullptr;
};

// One timed run of a core component on a connection of its own, core's side of a bench's comparison: once the
// connection is ready, the stopwatch starts and start() runs; then the event loop, until the component's handlers call
// done() or fail(). A connection error or a failure dies, naming what ran.
class CoreRun
{
public:
    explicit CoreRun(const ConnectionOptions &options)
        : m_connection(options)
    {}

    RedisConnection *connection() { return &m_connection; }
    const Stopwatch &stopwatch() const { return m_stopwatch; }
    void done() { m_loop.quit(); }
    void fail(const QString &message)
    {
        m_error = message;
        m_loop.quit();
    }

    void exec(const char *what, const std::function<void()> &start)
    {
        QObject::connect(&m_connection, &RedisConnection::ready, &m_loop, [&] {
            m_stopwatch.start();
            start();
        });
        QObject::connect(&m_connection, &RedisConnection::errorOccurred, &m_loop,
                         [this](RedisConnection::Error, const QString &message) { fail(message); });
        m_connection.open();
        m_loop.exec();
        if (!m_error.isEmpty())
            die(QStringLiteral("%1 failed: %2").arg(QLatin1String(what), m_error));
    }

private:
    RedisConnection m_connection;
    QEventLoop m_loop;
    Stopwatch m_stopwatch;
    QString m_error;
};

// The options of the benchmarks that read one seeded stream (bench_read, bench_replay).
struct OneStreamOptions
{
    QCommandLineOption url{QStringLiteral("url"),
                           QStringLiteral("use this server (an empty database, or one this bench seeded with the same "
                                          "N) instead of starting redis-server"),
                           QStringLiteral("URL")};
    QCommandLineOption commits{QStringLiteral("commits"), QStringLiteral("commits in the stream"), QStringLiteral("N"),
                               QStringLiteral("1000000")};
    QCommandLineOption payloadSize{QStringLiteral("payload-size"), QStringLiteral("bytes per payload"),
                                   QStringLiteral("B"), QStringLiteral("100")};
};

// The server a bench reads: the one --url names, or else a private one it starts; its connection options (read-only,
// no reconnecting, the bench's client name).
struct BenchServer
{
    BenchServer(const QString &givenUrl, const QString &clientName)
        : url(givenUrl)
    {
        if (url.isEmpty()) {
            if (!LocalRedis::installed())
                die(QStringLiteral("redis-server is not installed (or give --url)"));
            local.emplace();
            local->startOrDie();
            url = local->url();
        }
        QString error;
        const auto parsed = ConnectionOptions::fromUrl(url, &error);
        if (!parsed)
            die(error);
        options = *parsed;
        options.clientName = clientName;
        options.reconnect = false;
        options.readOnly = true;
    }

    // For the bench's first line.
    const char *origin() const { return local ? " (started by the bench)" : ""; }

    std::optional<LocalRedis> local;
    QString url;
    ConnectionOptions options;
};

// Runs `eventscope-cli seed` of one stream (customer-1) of commits, with --payload-size when payloadSize > 0; returns
// the seconds it took.
inline double seedWithCli(const QString &cli, const QString &url, qint64 commits, int payloadSize = 0)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    QStringList arguments = {QStringLiteral("--url"), url,
                             QStringLiteral("seed"),  QStringLiteral("--stream-count"),
                             QStringLiteral("1"),     QStringLiteral("--commits"),
                             QString::number(commits)};
    if (payloadSize > 0)
        arguments += {QStringLiteral("--payload-size"), QString::number(payloadSize)};
    QElapsedTimer clock;
    clock.start();
    process.start(cli, arguments);
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        die(QStringLiteral("seeding failed: %1 %2: %3")
                .arg(cli, arguments.join(QLatin1Char(' ')), QString::fromLocal8Bit(process.readAll())));
    return double(clock.elapsed()) / 1000.0;
}

// Whether the store already holds the bench's commits (and says so), or is empty (false: the bench seeds it); dies
// when it is neither. With a stream key, that stream must hold all of them too.
inline bool storeHolds(Hiredis &admin, const StoreLayout &layout, qint64 commits, const QByteArray &streamKey = {})
{
    if (admin.integer({"HLEN", layout.eventsKey}) == commits
        && (streamKey.isEmpty() || admin.integer({"LLEN", streamKey}) == commits)) {
        if (streamKey.isEmpty())
            say("reusing the %lld commits already there\n", static_cast<long long>(commits));
        else
            say("reusing the %lld commits already in %s\n", static_cast<long long>(commits), streamKey.constData());
        return true;
    }
    if (admin.integer({"DBSIZE"}) == 0)
        return false;
    if (streamKey.isEmpty())
        die(QStringLiteral("the database is not empty and not a store of %1 commits; give an empty one").arg(commits));
    die(QStringLiteral("the database is not empty and does not hold %1 commits in %2; give an empty one")
            .arg(commits)
            .arg(QString::fromUtf8(streamKey)));
}

// One stream of commits of ~payloadSize bytes: reused when the store holds it, else seeded by eventscope-cli.
inline void seedOneStream(Hiredis &admin, const QString &cli, const QString &url, const StoreLayout &layout,
                          const QByteArray &streamKey, qint64 commits, int payloadSize)
{
    if (storeHolds(admin, layout, commits, streamKey))
        return;
    if (!QFileInfo(cli).isExecutable())
        die(QStringLiteral("no eventscope-cli at %1 (give --cli PATH)").arg(cli));
    const double seconds = seedWithCli(cli, url, commits, payloadSize);
    say("seeded %lld commits in %.2f s (eventscope-cli seed)\n", static_cast<long long>(commits), seconds);
    if (admin.integer({"HLEN", layout.eventsKey}) != commits || admin.integer({"LLEN", streamKey}) != commits)
        die(QStringLiteral("after seeding, HLEN or LLEN is not %1").arg(commits));
}

// The plain read of one stream, the benchmarks' baseline: one blocking round trip for the ids of a page (LRANGE),
// one for their payloads (HMGET), page after page. onPayloads gets each HMGET's array, one element per id.
template<typename OnPayloads>
void readStreamPages(Hiredis &redis, const StoreLayout &layout, const QByteArray &streamKey, int pageSize,
                     OnPayloads onPayloads)
{
    std::vector<const char *> argv;
    std::vector<size_t> argvlen;
    const qint64 length = redis.integer({"LLEN", streamKey});
    for (qint64 first = 0; first < length; first += pageSize) {
        const QByteArray from = QByteArray::number(first);
        const QByteArray to = QByteArray::number(qMin(length, first + pageSize) - 1);
        const char *rangeArgv[] = {"LRANGE", streamKey.constData(), from.constData(), to.constData()};
        const size_t rangeLen[] = {6, size_t(streamKey.size()), size_t(from.size()), size_t(to.size())};
        const Hiredis::Reply ids = redis.call(4, rangeArgv, rangeLen);
        if (ids->type != REDIS_REPLY_ARRAY)
            die(QStringLiteral("LRANGE did not answer an array"));
        if (ids->elements == 0)
            break;
        argv.assign({"HMGET", layout.eventsKey.constData()});
        argvlen.assign({5, size_t(layout.eventsKey.size())});
        for (size_t i = 0; i < ids->elements; ++i) {
            argv.push_back(ids->element[i]->str);
            argvlen.push_back(ids->element[i]->len);
        }
        const Hiredis::Reply payloads = redis.call(int(argv.size()), argv.data(), argvlen.data());
        if (payloads->type != REDIS_REPLY_ARRAY || payloads->elements != ids->elements)
            die(QStringLiteral("HMGET did not answer one element per id"));
        onPayloads(static_cast<const redisReply *>(payloads.get()));
    }
}

} // namespace Eventscope::Bench
