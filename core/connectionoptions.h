#pragma once

#include "respparser.h"

#include <QString>

#include <optional>

namespace Eventscope {

struct TlsOptions
{
    bool enabled = false;
    QString caFile; // empty: the system trust store
    QString certFile;
    QString keyFile;
    QString serverName;    // empty: the host name
    bool insecure = false; // skip verification; only when the user asks

    bool operator==(const TlsOptions &) const = default;
};

// Where and how to connect. Built from a URL plus command-line or profile overrides.
struct ConnectionOptions
{
    enum class Transport { Tcp, Unix };

    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString socketPath;
    int db = 0;
    QString user;
    QString password;
    TlsOptions tls;

    QString clientName = QStringLiteral("eventscope");
    int connectTimeoutMs = 5000;
    int commandTimeoutMs = 30000;
    bool readOnly = true;
    bool reconnect = true;
    int reconnectBaseDelayMs = 200;
    int reconnectMaxDelayMs = 30000;
    RespParser::Limits limits;

    // redis://[[user][:password]@]host[:port][/db], rediss://..., unix:///path/redis.sock[?db=N].
    // The error never contains the password.
    static std::optional<ConnectionOptions> fromUrl(const QString &url, QString *error = nullptr);

    // The URL without its password: safe for logs, titles and messages.
    QString displayUrl() const;
    // host:port or the socket path.
    QString endpoint() const;
};

} // namespace Eventscope
