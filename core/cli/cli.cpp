#include "cli.h"

#include "auditcommands.h"
#include "clilive.h"

#include "committer.h"
#include "connectionargs.h"
#include "payload.h"
#include "recordjson.h"
#include "redisconnection.h"
#include "replaycommand.h"
#include "seeder.h"
#include "storelayout.h"
#include "streamreader.h"
#include "streamscanner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

namespace Eventscope {

namespace {

const char *const Usage = R"(Usage: eventscope-cli [global options] COMMAND [options]

Inspect and write an event store kept in Redis.

Commands:
  ping                         server version, role and round trip
  streams                      every stream with its version (--streams GLOB filters)
  events STREAM [--from V] [--count N]
                               commits of a stream from version V (1-based); STREAM "$all" is the whole store
  get ID...                    commits by id
  append STREAM --expect V|any|none PAYLOAD...
                               commit payloads atomically ("-" reads one payload per stdin line)
  seed [--stream-count N] [--commits N] [--payload-size B] [--mixed] [--rate R] [--duration S]
                               demo and benchmark data, then optionally a live writer at R commits/s for S s
  tail [--from ID] [--count N]
                               every commit as it is made, in id order, none lost (gaps back-filled): from the
                               next commit made, or after commit ID; until interrupted or N commits
  rate [--seconds N]           commits/s and events/s, one line a second; until interrupted or N lines
  replay STREAM...|--all --projection FILE [--until V] [--seed N] [--compile-ms MS] [--event-ms MS]
         [--state-mib M] [--memory-mib M] [--stack-depth N]
                               run a JavaScript projection (reduce(state, event), or KurrentDB's fromAll().when())
                               in a sandbox over a stream, several merged in commit order, or $all; the final state
                               as JSON on stdout, stats on stderr (limits default 500 ms, 250 ms, 16, 1024, 1000)
%AUDIT%
Global options:
  --url URL                    redis://[[user][:password]@]host[:port][/db], rediss://..., unix:///path.sock[?db=N]
                               (default $EVENTSCOPE_URL or redis://127.0.0.1:6379/0; a password may instead come
                               from $REDISCLI_AUTH)
%CONNECTION%
  --format text|json           output; json prints one JSON object per line
  --timeout MS                 connect and command timeout (default 10000)
  --version                    print the version
  --help                       this help; COMMAND --help for a command

Exit codes: 0 ok, 1 error, 2 usage, 3 conflict, 4 cannot connect/authenticate/TLS, 5 no such key or wrong type,
6 projection error (replay), 8 findings (audit found something, verify found a record that does not match, diff
found changes).

Examples:
  eventscope-cli --url redis://127.0.0.1:6379/0 streams
  REDISCLI_AUTH=... eventscope-cli --url rediss://inspector@redis.example:6380 --tls-ca ca.pem events customer-42
  eventscope-cli --format json events '$all' --from 1000 --count 10
  eventscope-cli append customer-42 --expect 3 '{"type":"Deposited","amount":42}'
  eventscope-cli --format json tail --from e1000 --count 10
)";

class Output
{
public:
    Output() { std::setvbuf(stdout, nullptr, _IOFBF, 1 << 20); }
    void write(const QByteArray &bytes) { std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout); }
    void flush() { std::fflush(stdout); }
};

class Cli : public QObject
{
public:
    explicit Cli(QStringList arguments)
        : m_arguments(std::move(arguments))
    {}

    int run();

private:
    int parse();
    void connectThen(bool writes, std::function<void()> action);
    CliContext auditContext(std::function<int(const QString &)> usage);
    void finish(int code, const QString &error = {});

    void cmdPing();
    void cmdStreams();
    void cmdEvents(const QByteArray &stream);
    void cmdGet(const QList<QByteArray> &ids);
    void cmdAppend(const QByteArray &stream, ExpectedVersion expected, const QList<QByteArray> &payloads);
    void cmdSeed();

    void writeRecord(QByteArray &out, const EventRecord &record, bool withStream);
    bool json() const { return m_format == QLatin1String("json"); }

    QStringList m_arguments;
    QCommandLineParser m_parser;
    ConnectionOptions m_options;
    StoreLayout m_layout;
    QString m_format = QStringLiteral("text");
    RedisConnection *m_connection = nullptr;
    Output m_out;
    int m_exitCode = ExitOk;
    bool m_finished = false;
    qint64 m_readFrom = 1;
    qint64 m_readCount = -1;
    SeedOptions m_seed;
    double m_rate = 0;
    double m_duration = 0;
    bool m_liveStarted = false;
};

int Cli::run()
{
    const int code = parse();
    if (code >= 0)
        return code;
    if (m_finished)
        return m_exitCode;
    QCoreApplication::exec();
    m_out.flush();
    return m_exitCode;
}

void Cli::finish(int code, const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_exitCode = code;
    m_out.flush();
    if (!error.isEmpty())
        std::fprintf(stderr, "eventscope-cli: %s\n", error.toLocal8Bit().constData());
    QCoreApplication::exit(code);
}

int Cli::parse()
{
    QList<QCommandLineOption> options = connectionOptions();
    options += {
        option(QStringLiteral("format"), QStringLiteral("FORMAT")),
        option(QStringLiteral("version")),
        option(QStringLiteral("help")),
        // command options
        option(QStringLiteral("from"), QStringLiteral("V")),
        option(QStringLiteral("count"), QStringLiteral("N")),
        option(QStringLiteral("expect"), QStringLiteral("V")),
        option(QStringLiteral("stream-count"), QStringLiteral("N")),
        option(QStringLiteral("commits"), QStringLiteral("N")),
        option(QStringLiteral("payload-size"), QStringLiteral("B")),
        option(QStringLiteral("mixed")),
        option(QStringLiteral("rate"), QStringLiteral("R")),
        option(QStringLiteral("duration"), QStringLiteral("S")),
        option(QStringLiteral("seconds"), QStringLiteral("N")),
    };
    options += replayCommandOptions();
    options += auditCommandOptions();
    m_parser.addOptions(options);
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);

    auto usage = [](const QString &message) {
        std::fprintf(stderr, "eventscope-cli: %s\nTry 'eventscope-cli --help'.\n", message.toLocal8Bit().constData());
        return int(ExitUsage);
    };
    if (!m_parser.parse(m_arguments))
        return usage(m_parser.errorText());
    if (m_parser.isSet(QStringLiteral("help"))) {
        std::fputs(withConnectionOptionsHelp(Usage)
                       .replace(QByteArrayView("%AUDIT%"), QByteArray(AuditCommandsUsage))
                       .constData(),
                   stdout);
        return ExitOk;
    }
    if (m_parser.isSet(QStringLiteral("version"))) {
        std::printf("eventscope-cli %s\n", EVENTSCOPE_VERSION);
        return ExitOk;
    }
    m_format = m_parser.value(QStringLiteral("format"));
    if (m_format.isEmpty())
        m_format = QStringLiteral("text");
    if (m_format != QLatin1String("text") && m_format != QLatin1String("json"))
        return usage(QStringLiteral("--format takes text or json"));

    QString error;
    if (!layoutFromArguments(m_parser, &m_layout, &error)
        || !connectionFromArguments(m_parser, QString(), &m_options, &error))
        return usage(error);
    m_options.clientName = QStringLiteral("eventscope-cli");
    m_options.reconnect = false; // a command either completes or reports the failure

    const QStringList positional = m_parser.positionalArguments();
    if (positional.isEmpty())
        return usage(QStringLiteral("no command given"));
    const QString command = positional.first();
    const QStringList args = positional.mid(1);

    auto number = [this](const QString &name, qint64 fallback, qint64 minimum, bool *ok) {
        *ok = true;
        if (!m_parser.isSet(name))
            return fallback;
        const qint64 value = m_parser.value(name).toLongLong(ok);
        *ok = *ok && value >= minimum;
        return value;
    };

    if (command == QLatin1String("ping")) {
        if (!args.isEmpty())
            return usage(QStringLiteral("ping takes no arguments"));
        connectThen(false, [this] { cmdPing(); });
    } else if (command == QLatin1String("streams")) {
        if (!args.isEmpty())
            return usage(QStringLiteral("streams takes no arguments; filter with --streams GLOB"));
        connectThen(false, [this] { cmdStreams(); });
    } else if (command == QLatin1String("events")) {
        if (args.size() != 1)
            return usage(QStringLiteral("events takes one STREAM (or $all)"));
        bool ok = false;
        m_readFrom = number(QStringLiteral("from"), 1, 1, &ok);
        if (!ok)
            return usage(QStringLiteral("--from takes a version from 1"));
        m_readCount = number(QStringLiteral("count"), -1, 0, &ok);
        if (!ok)
            return usage(QStringLiteral("--count takes a number"));
        const QByteArray stream = args.first().toUtf8();
        connectThen(false, [this, stream] { cmdEvents(stream); });
    } else if (command == QLatin1String("get")) {
        if (args.isEmpty())
            return usage(QStringLiteral("get takes one or more ids"));
        QList<QByteArray> ids;
        for (const QString &id : args)
            ids.append(id.toUtf8());
        connectThen(false, [this, ids] { cmdGet(ids); });
    } else if (command == QLatin1String("append")) {
        if (args.size() < 2)
            return usage(QStringLiteral("append takes STREAM and one or more payloads (or - for stdin)"));
        if (!m_parser.isSet(QStringLiteral("expect")))
            return usage(QStringLiteral("append needs --expect VERSION|any|none"));
        const auto expected = ExpectedVersion::parse(m_parser.value(QStringLiteral("expect")));
        if (!expected)
            return usage(QStringLiteral("--expect takes a version, any or none"));
        QList<QByteArray> payloads;
        for (const QString &arg : args.mid(1)) {
            if (arg == QLatin1String("-")) {
                QFile in;
                if (!in.open(stdin, QIODevice::ReadOnly))
                    return usage(QStringLiteral("cannot read stdin"));
                while (!in.atEnd()) {
                    QByteArray line = in.readLine();
                    if (line.endsWith('\n'))
                        line.chop(1);
                    if (line.endsWith('\r'))
                        line.chop(1);
                    if (!line.isEmpty())
                        payloads.append(line);
                }
            } else {
                payloads.append(arg.toUtf8());
            }
        }
        if (payloads.isEmpty())
            return usage(QStringLiteral("nothing to append"));
        const QByteArray stream = args.first().toUtf8();
        if (stream == AllStreamName)
            return usage(QStringLiteral("$all is read-only; append to a stream"));
        connectThen(true, [this, stream, expected, payloads] { cmdAppend(stream, *expected, payloads); });
    } else if (command == QLatin1String("seed")) {
        if (!args.isEmpty())
            return usage(QStringLiteral("seed takes options only"));
        bool ok = false;
        m_seed.streams = int(number(QStringLiteral("stream-count"), 20, 1, &ok));
        if (!ok)
            return usage(QStringLiteral("--stream-count takes a number from 1"));
        m_seed.payloadSize = int(number(QStringLiteral("payload-size"), 100, 1, &ok));
        if (!ok)
            return usage(QStringLiteral("--payload-size takes a number from 1"));
        m_seed.mixed = m_parser.isSet(QStringLiteral("mixed"));
        const bool live = m_parser.isSet(QStringLiteral("rate"));
        m_rate = live ? m_parser.value(QStringLiteral("rate")).toDouble(&ok) : 0;
        if (live && (!ok || m_rate <= 0))
            return usage(QStringLiteral("--rate takes commits per second"));
        ok = true;
        m_duration
            = m_parser.isSet(QStringLiteral("duration")) ? m_parser.value(QStringLiteral("duration")).toDouble(&ok) : 0;
        if (!ok || m_duration < 0)
            return usage(QStringLiteral("--duration takes seconds (0: until interrupted)"));
        m_seed.commits = number(QStringLiteral("commits"), live ? 0 : 1000, 0, &ok);
        if (!ok)
            return usage(QStringLiteral("--commits takes a number"));
        connectThen(true, [this] { cmdSeed(); });
    } else if (command == QLatin1String("replay")) {
        ReplayCommand replay;
        QString error;
        if (!parseReplayCommand(m_parser, args, &replay, &error))
            return usage(error);
        connectThen(false, [this, replay] {
            runReplayCommand(
                m_connection, m_layout, replay, this, [this](const QByteArray &bytes) { m_out.write(bytes); },
                [this](int code, const QString &error) { finish(code, error); });
        });
    } else if (const std::optional<int> code = runAuditCommand(command, args, m_parser, auditContext(usage))) {
        return *code;
    } else if (command == QLatin1String("tail") || command == QLatin1String("rate")) {
        QString error;
        if (!startLiveCommand(
                command, args, m_parser, m_options, m_layout, json(), this,
                [this](int code, const QString &message) { finish(code, message); }, &error))
            return usage(error);
    } else {
        return usage(QStringLiteral("unknown command \"%1\"").arg(command));
    }
    return -1;
}

void Cli::connectThen(bool writes, std::function<void()> action)
{
    m_options.readOnly = !writes;
    m_connection = new RedisConnection(m_options, this);
    connect(
        m_connection, &RedisConnection::ready, this, [action = std::move(action)] { action(); },
        Qt::SingleShotConnection);
    connect(m_connection, &RedisConnection::errorOccurred, this,
            [this](RedisConnection::Error, const QString &message) { finish(ExitConnection, message); });
    m_connection->open();
}

CliContext Cli::auditContext(std::function<int(const QString &)> usage)
{
    CliContext context;
    context.owner = this;
    context.layout = m_layout;
    context.json = json();
    context.connectThen = [this](std::function<void()> action) {
        connectThen(false, std::move(action));
    };
    context.connection = [this] {
        return m_connection;
    };
    context.write = [this](const QByteArray &bytes) {
        m_out.write(bytes);
    };
    context.finish = [this](int code, const QString &error) {
        finish(code, error);
    };
    context.usage = std::move(usage);
    return context;
}

void Cli::cmdPing()
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    m_connection->send({"PING"}, this, [this, timer](const RedisReply &reply) {
        const double rttMs = timer->nsecsElapsed() / 1e6;
        if (reply.isBad())
            return finish(reply.isFailure() ? ExitConnection : ExitError, QString::fromUtf8(reply.text));
        const ServerInfo info = m_connection->serverInfo();
        QByteArray out;
        if (json()) {
            out = "{\"url\":";
            appendJsonString(out, m_options.displayUrl().toUtf8());
            auto field = [&out](const char *name, const QString &value) {
                out += ",\"" + QByteArray(name) + "\":";
                if (value.isEmpty())
                    out += "null";
                else
                    appendJsonString(out, value.toUtf8());
            };
            field("version", info.version);
            field("role", info.role);
            field("mode", info.mode);
            out += ",\"rtt_ms\":" + QByteArray::number(rttMs, 'f', 3) + "}\n";
        } else {
            out = "PONG from " + m_options.displayUrl().toUtf8() + ": Redis "
                  + (info.version.isEmpty() ? QByteArray("(version not disclosed)") : info.version.toUtf8())
                  + (info.role.isEmpty() ? QByteArray() : ", role " + info.role.toUtf8()) + ", round trip "
                  + QByteArray::number(rttMs, 'f', 3) + " ms\n";
        }
        m_out.write(out);
        finish(ExitOk);
    });
}

void Cli::cmdStreams()
{
    auto *scanner = new StreamScanner(m_connection, m_layout, this);
    auto seen = std::make_shared<QSet<QByteArray>>();
    connect(scanner, &StreamScanner::batch, this, [this, seen](const QList<StreamInfo> &streams) {
        QByteArray out;
        for (const StreamInfo &info : streams) {
            if (seen->contains(info.key))
                continue; // SCAN may return a key twice
            seen->insert(info.key);
            if (json()) {
                out += "{\"stream\":";
                appendJsonString(out, info.name);
                out += ",\"key\":";
                appendJsonString(out, info.key);
                out += ",\"version\":" + QByteArray::number(info.version) + "}\n";
            } else {
                out += info.name + '\t' + QByteArray::number(info.version) + '\n';
            }
        }
        m_out.write(out);
    });
    connect(scanner, &StreamScanner::finished, this, [this] { finish(ExitOk); });
    connect(scanner, &StreamScanner::failed, this, [this](const QString &message) {
        finish(m_connection->state() == RedisConnection::State::Connected ? ExitError : ExitConnection, message);
    });
    scanner->start();
}

void Cli::writeRecord(QByteArray &out, const EventRecord &record, bool withStream)
{
    if (json()) {
        appendEventJson(out, record, withStream);
        return;
    }
    if (withStream)
        out += QByteArray::number(record.version) + '\t';
    out += record.id + '\t';
    if (record.missing) {
        out += "missing\n";
        return;
    }
    const PayloadEncoding encoding = classifyPayload(record.payload);
    out += QByteArray(encodingName(encoding)) + '\t' + QByteArray::number(record.payload.size()) + '\t';
    if (encoding == PayloadEncoding::Binary) {
        out += "base64:" + record.payload.left(96).toBase64();
    } else {
        // One line for a terminal: whitespace runs fold into single spaces.
        out += QString::fromUtf8(record.payload.left(1024)).simplified().left(200).toUtf8();
    }
    out += '\n';
}

void Cli::cmdEvents(const QByteArray &stream)
{
    auto *reader = new StreamReader(m_connection, m_layout, this);
    connect(reader, &StreamReader::page, this, [this](const QList<EventRecord> &records) {
        QByteArray out;
        out.reserve(records.size() * 256);
        for (const EventRecord &record : records)
            writeRecord(out, record, true);
        m_out.write(out);
    });
    connect(reader, &StreamReader::finished, this, [this](qint64) { finish(ExitOk); });
    connect(reader, &StreamReader::failed, this, [this](StreamReader::Error error, const QString &message) {
        switch (error) {
        case StreamReader::Error::NoSuchStream:
        case StreamReader::Error::WrongType:
            return finish(ExitNoSuchKey, message);
        case StreamReader::Error::Connection:
            return finish(ExitConnection, message);
        default:
            return finish(ExitError, message);
        }
    });
    StreamReader::Request request;
    request.stream = stream;
    request.from = m_readFrom;
    request.count = m_readCount;
    reader->start(request);
}

void Cli::cmdGet(const QList<QByteArray> &ids)
{
    RedisCommand hmget = {"HMGET", m_layout.eventsKey};
    hmget.append(ids);
    m_connection->send({"TYPE", m_layout.eventsKey}, this, [this](const RedisReply &type) {
        if (!type.isBad() && type.text != "hash" && type.text != "none")
            finish(ExitNoSuchKey, QStringLiteral("the events key \"%1\" is a %2, not a hash")
                                      .arg(QString::fromUtf8(m_layout.eventsKey), QString::fromUtf8(type.text)));
    });
    m_connection->send(hmget, this, [this, ids](const RedisReply &reply) {
        if (m_finished)
            return;
        if (reply.isBad() || reply.elements.size() != ids.size())
            return finish(reply.isFailure()                  ? ExitConnection
                          : reply.errorCode() == "WRONGTYPE" ? ExitNoSuchKey
                                                             : ExitError,
                          QString::fromUtf8(reply.text));
        QByteArray out;
        bool anyMissing = false;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const RedisReply &payload = reply.elements.at(i);
            anyMissing |= payload.isNil();
            writeRecord(out, EventRecord{{}, 0, ids.at(i), payload.text, payload.isNil()}, false);
        }
        m_out.write(out);
        finish(anyMissing ? ExitNoSuchKey : ExitOk);
    });
}

void Cli::cmdAppend(const QByteArray &stream, ExpectedVersion expected, const QList<QByteArray> &payloads)
{
    auto *committer = new Committer(m_connection, m_layout, this);
    committer->append(stream, expected, payloads, [this, stream, expected](const AppendResult &result) {
        QByteArray out;
        switch (result.status) {
        case AppendResult::Status::Ok:
            if (json()) {
                out = "{\"stream\":";
                appendJsonString(out, stream);
                out += ",\"version\":" + QByteArray::number(result.version) + ",\"ids\":[";
                for (qsizetype i = 0; i < result.ids.size(); ++i) {
                    if (i)
                        out += ',';
                    appendJsonString(out, result.ids.at(i));
                }
                out += "]}\n";
            } else {
                out = stream + " is now at version " + QByteArray::number(result.version) + ": " + result.ids.join(' ')
                      + '\n';
            }
            m_out.write(out);
            return finish(ExitOk);
        case AppendResult::Status::Conflict: {
            const QByteArray expectedText = expected.kind == ExpectedVersion::Kind::Exact
                                                ? QByteArray::number(expected.version)
                                                : '"' + expected.toArgument() + '"';
            if (json())
                m_out.write("{\"conflict\":true,\"expected\":" + expectedText
                            + ",\"actual\":" + QByteArray::number(result.version) + "}\n");
            return finish(ExitConflict, QStringLiteral("conflict: %1 expected at version %2, but it is at %3")
                                            .arg(QString::fromUtf8(stream), QString::fromUtf8(expected.toArgument()))
                                            .arg(result.version));
        }
        case AppendResult::Status::Error:
            return finish(result.connectionError ? ExitConnection
                          : result.wrongType     ? ExitNoSuchKey
                                                 : ExitError,
                          QStringLiteral("append failed: %1").arg(result.error));
        }
    });
}

void Cli::cmdSeed()
{
    auto *seeder = new Seeder(m_connection, m_layout, this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    auto report = [this, clock](const char *what, qint64 commits) {
        const double seconds = clock->elapsed() / 1000.0;
        if (json())
            m_out.write(QByteArray("{\"") + what + "\":" + QByteArray::number(commits)
                        + ",\"seconds\":" + QByteArray::number(seconds, 'f', 3) + "}\n");
        else
            m_out.write(QByteArray(what) + ": " + QByteArray::number(commits) + " commits in "
                        + QByteArray::number(seconds, 'f', 2) + " s\n");
        m_out.flush();
    };
    connect(seeder, &Seeder::failed, this, [this](const QString &message) { finish(ExitError, message); });
    connect(seeder, &Seeder::finished, this, [this, seeder, report, clock](qint64 commits) {
        if (!m_liveStarted) {
            report("seeded", commits);
            if (m_rate <= 0)
                return finish(ExitOk);
            m_liveStarted = true;
            clock->restart();
            SeedOptions live = m_seed;
            live.randomSeed = m_seed.randomSeed + 1;
            seeder->live(live, m_rate, m_duration);
            return;
        }
        report("live", commits);
        finish(ExitOk);
    });
    seeder->seed(m_seed);
}

} // namespace

int runCli(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("eventscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EVENTSCOPE_VERSION));
    const QStringList arguments = QCoreApplication::arguments();
    maskUrlPasswords(argc, argv);
    Cli cli(arguments);
    return cli.run();
}

} // namespace Eventscope
