#include "searchdata.h"

#include "redisserver.h"

namespace Eventscope::Test {

void plantSearchCommits(RedisServer &server)
{
    for (int n = 1; n <= 18; ++n) {
        const QByteArray type = n % 2 ? "Deposited" : "Withdrawn";
        server.admin({"HSET", "EventStore", "e" + QByteArray::number(n),
                      R"({"type":")" + type + R"(","data":{"amount":)" + QByteArray::number(n * 10) + R"(,"tags":["t)"
                          + QByteArray::number(n % 3) + R"("]},"note":"n)" + QByteArray::number(n) + R"("})"});
        server.admin({"RPUSH", n <= 10 ? "acc-1" : "acc-2", "e" + QByteArray::number(n)});
    }
    server.admin({"HSET", "EventStore", "e19", "plain text note: Deposited by hand"});
    server.admin({"HSET", "EventStore", "e20", QByteArray("\x00\xff Deposited\x01", 13)});
    server.admin({"RPUSH", "other", "e19", "e20"});
}

} // namespace Eventscope::Test
