#pragma once

#include <QByteArray>
#include <QList>

namespace Eventscope {

using RedisCommand = QList<QByteArray>;

// RESP encoding of one command, by hiredis's redisFormatCommandArgv.
QByteArray formatCommand(const RedisCommand &args);

// The read allowlist of the read-only guard: commands that cannot change data, server state or configuration.
// Subcommand-bearing commands (CLIENT, SCRIPT, ...) are judged on their subcommand.
bool isReadOnlyCommand(const RedisCommand &args);

// "HSET", "CLIENT KILL": the command's name for messages (never its arguments, which may hold secrets).
QByteArray commandName(const RedisCommand &args);

} // namespace Eventscope
