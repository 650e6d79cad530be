#pragma once

#include "replayrunner.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <functional>

namespace Eventscope {

class RedisConnection;

// eventscope-cli replay STREAM...|--all --projection FILE [--until VERSION] [limits]
struct ReplayCommand
{
    ReplayOptions options;
};

QList<QCommandLineOption> replayCommandOptions();
// Reads the projection file too. Returns false with a usage message.
bool parseReplayCommand(const QCommandLineParser &parser, const QStringList &args, ReplayCommand *command,
                        QString *error);
// Runs the replay: the final state (or output) as JSON on stdout via write, stats on stderr, then done(exit code,
// error message).
void runReplayCommand(RedisConnection *connection, const StoreLayout &layout, const ReplayCommand &command,
                      QObject *owner, std::function<void(const QByteArray &)> write,
                      std::function<void(int, const QString &)> done);

} // namespace Eventscope
