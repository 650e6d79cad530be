#include "testconnection.h"

#include <QSignalSpy>

namespace Eventscope::Test {

std::unique_ptr<RedisConnection> openConnection(const ConnectionOptions &options)
{
    auto connection = std::make_unique<RedisConnection>(options);
    QSignalSpy ready(connection.get(), &RedisConnection::ready);
    connection->open();
    if (!ready.wait(10000))
        qWarning("cannot connect: %s", qPrintable(connection->lastErrorString()));
    return connection;
}

std::unique_ptr<RedisConnection> openConnection(const QString &url, bool writes)
{
    QString error;
    std::optional<ConnectionOptions> options = ConnectionOptions::fromUrl(url, &error);
    if (!options) {
        qWarning("bad test URL: %s", qPrintable(error));
        options = ConnectionOptions();
    }
    options->readOnly = !writes;
    options->reconnect = false;
    return openConnection(*options);
}

} // namespace Eventscope::Test
