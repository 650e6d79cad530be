#include "rediscommand.h"

#include <hiredis/hiredis.h>

#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <string_view>

namespace Eventscope {

QByteArray formatCommand(const RedisCommand &args)
{
    QVarLengthArray<const char *, 16> argv;
    QVarLengthArray<size_t, 16> argvlen;
    for (const QByteArray &arg : args) {
        argv.append(arg.constData());
        argvlen.append(size_t(arg.size()));
    }
    char *target = nullptr;
    const int len = redisFormatCommandArgv(&target, int(args.size()), argv.data(), argvlen.data());
    if (len < 0 || !target)
        qFatal("redisFormatCommandArgv: out of memory");
    QByteArray out(target, len);
    redisFreeCommand(target);
    return out;
}

namespace {

// Sorted, upper case. Chosen from the @read and @connection categories plus Pub/Sub reading; nothing here writes.
constexpr std::array<std::string_view, 52> ReadOnlyCommands = {
    "AUTH",    "BITCOUNT",    "BITPOS",    "DBSIZE",   "DUMP",         "ECHO",   "EXISTS",    "GET",        "GETRANGE",
    "HELLO",   "HEXISTS",     "HGET",      "HGETALL",  "HKEYS",        "HLEN",   "HMGET",     "HRANDFIELD", "HSCAN",
    "HSTRLEN", "HVALS",       "INFO",      "LASTSAVE", "LINDEX",       "LLEN",   "LPOS",      "LRANGE",     "MGET",
    "PING",    "PSUBSCRIBE",  "PTTL",      "PUBSUB",   "PUNSUBSCRIBE", "QUIT",   "RESET",     "ROLE",       "SCAN",
    "SCARD",   "SELECT",      "SISMEMBER", "SMEMBERS", "SSCAN",        "STRLEN", "SUBSCRIBE", "TIME",       "TTL",
    "TYPE",    "UNSUBSCRIBE", "XLEN",      "XRANGE",   "ZCARD",        "ZRANGE", "ZSCAN"};

constexpr std::array<std::string_view, 6> ReadOnlyClientSubcommands
    = {"GETNAME", "ID", "INFO", "LIST", "SETNAME", "TRACKINGINFO"};
constexpr std::array<std::string_view, 4> ReadOnlyOtherSubcommands = {"ENCODING", "EXISTS", "FREQ", "USAGE"};

template<std::size_t N>
bool contains(const std::array<std::string_view, N> &sorted, const QByteArray &upper)
{
    return std::binary_search(sorted.begin(), sorted.end(), std::string_view(upper.constData(), upper.size()));
}

} // namespace

QByteArray commandName(const RedisCommand &args)
{
    if (args.isEmpty())
        return {};
    QByteArray name = args.first().toUpper();
    static const QList<QByteArray> withSubcommand = {"CLIENT",  "CONFIG",   "SCRIPT", "OBJECT",  "MEMORY", "ACL",
                                                     "CLUSTER", "FUNCTION", "XINFO",  "COMMAND", "DEBUG",  "MODULE"};
    if (args.size() > 1 && withSubcommand.contains(name))
        name += ' ' + args.at(1).toUpper();
    return name;
}

bool isReadOnlyCommand(const RedisCommand &args)
{
    if (args.isEmpty())
        return false;
    const QByteArray name = args.first().toUpper();
    if (contains(ReadOnlyCommands, name))
        return true;
    if (args.size() < 2)
        return false;
    const QByteArray sub = args.at(1).toUpper();
    if (name == "CLIENT")
        return contains(ReadOnlyClientSubcommands, sub);
    if (name == "OBJECT" || name == "MEMORY")
        return contains(ReadOnlyOtherSubcommands, sub);
    if (name == "SCRIPT")
        return sub == "EXISTS";
    return false;
}

} // namespace Eventscope
