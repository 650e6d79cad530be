#include "replaycommand.h"

#include "cli.h"

#include <QFile>

#include <cstdio>

namespace Eventscope {

namespace {

QCommandLineOption valueOption(const char *name, const char *value)
{
    return QCommandLineOption(QString::fromLatin1(name), QString(), QString::fromLatin1(value));
}

} // namespace

QList<QCommandLineOption> replayCommandOptions()
{
    return {
        QCommandLineOption(QStringLiteral("all")), valueOption("projection", "FILE"),
        valueOption("until", "VERSION"),           valueOption("seed", "N"),
        valueOption("compile-ms", "MS"),           valueOption("event-ms", "MS"),
        valueOption("state-mib", "MIB"),           valueOption("memory-mib", "MIB"),
        valueOption("stack-depth", "N"),
    };
}

bool parseReplayCommand(const QCommandLineParser &parser, const QStringList &args, ReplayCommand *command,
                        QString *error)
{
    ReplayOptions &options = command->options;
    const bool all = parser.isSet(QStringLiteral("all"));
    if (all == !args.isEmpty()) {
        *error = QStringLiteral("replay takes STREAM (several: merged in commit order) or --all");
        return false;
    }
    if (all) {
        options.source = ReplaySource::all();
    } else {
        QList<QByteArray> streams;
        for (const QString &arg : args)
            streams.append(arg.toUtf8());
        options.source = streams.size() == 1 && streams.first() != AllStreamName ? ReplaySource::stream(streams.first())
                         : streams.size() == 1                                   ? ReplaySource::all()
                                                                                 : ReplaySource::merged(streams);
    }
    const QString file = parser.value(QStringLiteral("projection"));
    if (file.isEmpty()) {
        *error = QStringLiteral("replay needs --projection FILE");
        return false;
    }
    QFile script(file);
    if (!script.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(file, script.errorString());
        return false;
    }
    options.script = script.readAll();
    options.scriptName = file.section(QLatin1Char('/'), -1);

    auto number = [&](const char *name, qint64 minimum, qint64 *value) {
        const QString key = QString::fromLatin1(name);
        if (!parser.isSet(key))
            return true;
        bool ok = false;
        const qint64 parsed = parser.value(key).toLongLong(&ok);
        if (!ok || parsed < minimum) {
            *error = QStringLiteral("--%1 takes a number from %2").arg(key).arg(minimum);
            return false;
        }
        *value = parsed;
        return true;
    };
    qint64 seed = options.seed, compileMs = options.limits.compileMs, eventMs = options.limits.eventMs;
    qint64 stateMiB = options.limits.stateBytes / (1024 * 1024), stackDepth = options.limits.stackDepth;
    if (!number("until", 0, &options.until) || !number("seed", 0, &seed) || !number("compile-ms", 1, &compileMs)
        || !number("event-ms", 1, &eventMs) || !number("state-mib", 1, &stateMiB)
        || !number("memory-mib", 0, &options.limits.memoryMiB) || !number("stack-depth", 16, &stackDepth))
        return false;
    options.seed = quint32(seed);
    options.limits.compileMs = int(qMin<qint64>(compileMs, 3600000));
    options.limits.eventMs = int(qMin<qint64>(eventMs, 3600000));
    options.limits.stateBytes = stateMiB * 1024 * 1024;
    options.limits.stackDepth = int(qMin<qint64>(stackDepth, 1000000));
    return true;
}

void runReplayCommand(RedisConnection *connection, const StoreLayout &layout, const ReplayCommand &command,
                      QObject *owner, std::function<void(const QByteArray &)> write,
                      std::function<void(int, const QString &)> done)
{
    auto *runner = new ReplayRunner(connection, layout, owner);
    QObject::connect(runner, &ReplayRunner::finished, owner, [write, done](const ReplayResult &result) {
        write(result.state.output() + '\n');
        std::fprintf(stderr,
                     "replayed %lld commits (%lld missing) to version %lld in %.3f s, %.0f commits/s; form %s; "
                     "state %lld bytes; would emit %lld; %d checkpoints (%lld bytes)\n",
                     qlonglong(result.commits), qlonglong(result.missing), qlonglong(result.lastVersion),
                     result.seconds, result.commitsPerSecond, result.info.form.toUtf8().constData(),
                     qlonglong(result.state.state.size()), qlonglong(result.emitCount), result.checkpoints,
                     qlonglong(result.checkpointBytes));
        for (const QJsonValue &log : result.logs) {
            const QJsonObject line = log.toObject();
            std::fprintf(stderr, "console.%s at version %lld: %s\n",
                         line.value(QStringLiteral("level")).toString().toUtf8().constData(),
                         qlonglong(line.value(QStringLiteral("version")).toDouble()),
                         line.value(QStringLiteral("text")).toString().toUtf8().constData());
        }
        done(ExitOk, {});
    });
    QObject::connect(runner, &ReplayRunner::failed, owner, [done](const ProjectionError &error) {
        switch (error.kind) {
        case ProjectionError::Kind::Read:
            return done(error.message.startsWith(QLatin1String("no stream"))     ? ExitNoSuchKey
                        : error.message.contains(QLatin1String("not a"))         ? ExitNoSuchKey
                        : error.message.contains(QLatin1String("no connection")) ? ExitConnection
                                                                                 : ExitError,
                        error.message);
        case ProjectionError::Kind::Crashed:
            if (error.name == QLatin1String("SandboxError") && error.message.startsWith(QLatin1String("cannot start")))
                return done(ExitError, error.message);
            [[fallthrough]];
        default:
            return done(ExitProjection, error.text());
        }
    });
    runner->start(command.options);
}

} // namespace Eventscope
