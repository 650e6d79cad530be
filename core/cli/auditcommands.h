#pragma once

#include "storelayout.h"

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QCommandLineParser;
class QObject;

namespace Eventscope {

class RedisConnection;

// What the audit, search, export, verify and diff commands need from the CLI that runs them.
struct CliContext
{
    QObject *owner = nullptr; // parent of the objects a command makes
    StoreLayout layout;
    bool json = false;
    // Connects with the read-only guard on, then runs the action; connection failures end the program (exit 4).
    std::function<void(std::function<void()>)> connectThen;
    std::function<RedisConnection *()> connection;
    std::function<void(const QByteArray &)> write; // to stdout, buffered
    std::function<void(int, const QString &)> finish;
    std::function<int(const QString &)> usage;
};

// The options these commands add to the CLI's parser.
QList<QCommandLineOption> auditCommandOptions();
// Their lines for the CLI's usage text.
extern const char *const AuditCommandsUsage;

// Runs audit, search, export, verify or diff. Returns nullopt when `command` is none of them, an exit code when it is
// done (usage errors), or -1 when it goes on in the event loop and ends through context.finish.
std::optional<int> runAuditCommand(const QString &command, const QStringList &args, const QCommandLineParser &parser,
                                   const CliContext &context);

} // namespace Eventscope
