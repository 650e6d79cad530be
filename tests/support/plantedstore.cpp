#include "plantedstore.h"

#include "redisserver.h"

namespace Eventscope::Test {

bool plantSeedStoreDefects(RedisServer &server, QString *error, int db)
{
    QList<QList<QByteArray>> commands;
    // Hash fields e1..e13 without e4 and e12, plus "junk": HLEN 12, so e4 and e12 are gaps and e13 lies beyond.
    for (int n : {1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 13})
        commands.append(
            {"HSET", "EventStore", "e" + QByteArray::number(n), R"({"type":"T","n":)" + QByteArray::number(n) + "}"});
    commands += {
        {"HSET", "EventStore", "e7", "not json"},
        {"HSET", "EventStore", "junk", "x"},                     // foreign-id, orphan
        {"RPUSH", "s-a", "e1", "e2", "e3"},                      // clean
        {"RPUSH", "s-b", "e5", "e7", "e6"},                      // order at version 3
        {"RPUSH", "s-c", "e4", "e8"},                            // dangling-ref at version 1
        {"RPUSH", "s-d", "e9", "e9"},                            // duplicate-ref (twice in one) at version 2
        {"RPUSH", "s-e", "e3"},                                  // duplicate-ref: e3 is in s-a too
        {"RPUSH", "s-f", "e11", "e13"},                          // e13 beyond HLEN: id-gap, at s-f version 2
        {"RPUSH", "s-g", "e14"},                                 // dangling-ref beyond HLEN
        {"RPUSH", "jobs", R"({"job":1})", R"({"job":2})", "e1"}, // not-a-stream, once
        {"SET", "config", "not a list"},                         // ignored
    };
    // e10 is listed nowhere: orphan. References: 14, HLEN 12: count-mismatch.
    for (const QList<QByteArray> &command : commands) {
        const RedisReply reply = server.admin(command, db);
        if (reply.isBad()) {
            if (error)
                *error = QString::fromUtf8(command.join(' ') + ": " + reply.text);
            return false;
        }
    }
    return true;
}

} // namespace Eventscope::Test
