#pragma once

#include "connectionoptions.h"
#include "redisconnection.h"

#include <memory>

namespace Eventscope::Test {

// A RedisConnection opened and waited for (10 s at most). When it did not become ready a warning names the reason
// and the connection is returned anyway, so the test's next step fails where it can say why.
std::unique_ptr<RedisConnection> openConnection(const ConnectionOptions &options);
// The same for a URL: read-only unless writes, and no reconnecting (a test wants to see a drop, not hide it).
std::unique_ptr<RedisConnection> openConnection(const QString &url, bool writes = false);

} // namespace Eventscope::Test
