#include "connectionoptions.h"

#include <QUrl>
#include <QUrlQuery>

namespace Eventscope {

namespace {

bool parseDb(const QString &text, int *db)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < 0)
        return false;
    *db = value;
    return true;
}

// Only the parts of a URL that cannot hold a secret (scheme, host, port), for messages about the URL itself;
// whatever else was typed may be a password in the wrong place.
QString safeToShow(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::TolerantMode);
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty())
        return QStringLiteral("the URL");
    return QStringLiteral("the URL %1://%2%3")
        .arg(url.scheme(), url.host(), url.port() > 0 ? QLatin1Char(':') + QString::number(url.port()) : QString());
}

} // namespace

std::optional<ConnectionOptions> ConnectionOptions::fromUrl(const QString &text, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<ConnectionOptions> {
        if (error)
            *error = QStringLiteral("invalid URL (%1): %2").arg(safeToShow(text), why);
        return std::nullopt;
    };

    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid())
        return fail(QStringLiteral("expected redis://[[user][:password]@]host[:port][/db], rediss://... "
                                   "or unix:///path/redis.sock[?db=N]"));
    ConnectionOptions options;
    const QString scheme = url.scheme().toLower();
    options.user = url.userName(QUrl::FullyDecoded);
    options.password = url.password(QUrl::FullyDecoded);

    if (scheme == QLatin1String("unix")) {
        options.transport = Transport::Unix;
        options.socketPath = url.path(QUrl::FullyDecoded);
        if (options.socketPath.isEmpty() || !options.socketPath.startsWith(QLatin1Char('/')))
            return fail(QStringLiteral("a unix URL needs an absolute socket path (unix:///path/redis.sock)"));
        if (!url.host().isEmpty())
            return fail(QStringLiteral("a unix URL has no host; write unix:///path/redis.sock"));
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (key == QLatin1String("db")) {
                if (!parseDb(value, &options.db))
                    return fail(QStringLiteral("db must be a non-negative number"));
            } else {
                return fail(QStringLiteral("unknown parameter \"%1\"").arg(key));
            }
        }
        return options;
    }

    if (scheme != QLatin1String("redis") && scheme != QLatin1String("rediss"))
        return fail(QStringLiteral("the scheme must be redis, rediss or unix"));
    options.tls.enabled = scheme == QLatin1String("rediss");
    options.host = url.host(QUrl::FullyDecoded);
    if (options.host.isEmpty())
        return fail(QStringLiteral("no host"));
    const int port = url.port(6379);
    if (port <= 0 || port > 65535)
        return fail(QStringLiteral("the port must be from 1 to 65535"));
    options.port = quint16(port);
    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (!path.isEmpty() && !parseDb(path, &options.db))
        return fail(QStringLiteral("the path must be a database number"));
    if (url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("unexpected query or fragment"));
    return options;
}

QString ConnectionOptions::endpoint() const
{
    if (transport == Transport::Unix)
        return socketPath;
    const QString shownHost = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return shownHost + QLatin1Char(':') + QString::number(port);
}

QString ConnectionOptions::displayUrl() const
{
    const QString who = user.isEmpty() ? QString() : user + QLatin1Char('@');
    if (transport == Transport::Unix)
        return QLatin1String("unix://") + who + socketPath
               + (db ? QLatin1String("?db=") + QString::number(db) : QString());
    return (tls.enabled ? QLatin1String("rediss://") : QLatin1String("redis://")) + who + endpoint() + QLatin1Char('/')
           + QString::number(db);
}

} // namespace Eventscope
