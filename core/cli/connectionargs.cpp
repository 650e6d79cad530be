#include "connectionargs.h"

#include <QCommandLineParser>

#include <cstring>

namespace Eventscope {

QCommandLineOption option(const QString &name, const QString &valueName)
{
    return QCommandLineOption(name, QString(), valueName);
}

const char *const ConnectionOptionsHelp
    = R"(  --tls-ca FILE                CA certificates (PEM) to verify the server; default: the system trust store
  --tls-cert FILE              client certificate (PEM) for mutual TLS
  --tls-key FILE               client private key (PEM, unencrypted)
  --tls-server-name NAME       name to verify the server certificate against (and SNI)
  --tls-insecure               do not verify the server certificate (only when you must)
  --layout seed|zilverline     store layout preset (default seed)
  --events-key KEY             the hash of commits (seed: EventStore; zilverline: EventStore:commits)
  --id-prefix P                commit id prefix (seed: e; zilverline: none)
  --streams GLOB               which streams (a SCAN MATCH glob over stream names)
  --stream-prefix P            prefix of stream keys, hidden from stream names (zilverline: <name>:stream:)
  --channel NAME               the Pub/Sub channel of commit announcements
)";

QByteArray withConnectionOptionsHelp(const char *usage)
{
    return QByteArray(usage).replace(QByteArrayView("%CONNECTION%\n"), QByteArrayView(ConnectionOptionsHelp));
}

QList<QCommandLineOption> connectionOptions()
{
    return {
        option(QStringLiteral("url"), QStringLiteral("URL")),
        option(QStringLiteral("tls-ca"), QStringLiteral("FILE")),
        option(QStringLiteral("tls-cert"), QStringLiteral("FILE")),
        option(QStringLiteral("tls-key"), QStringLiteral("FILE")),
        option(QStringLiteral("tls-server-name"), QStringLiteral("NAME")),
        option(QStringLiteral("tls-insecure")),
        option(QStringLiteral("layout"), QStringLiteral("NAME")),
        option(QStringLiteral("events-key"), QStringLiteral("KEY")),
        option(QStringLiteral("id-prefix"), QStringLiteral("P")),
        option(QStringLiteral("streams"), QStringLiteral("GLOB")),
        option(QStringLiteral("stream-prefix"), QStringLiteral("P")),
        option(QStringLiteral("channel"), QStringLiteral("NAME")),
        option(QStringLiteral("timeout"), QStringLiteral("MS")),
    };
}

bool layoutFromArguments(const QCommandLineParser &parser, StoreLayout *layout, QString *error)
{
    const QString layoutName = parser.value(QStringLiteral("layout"));
    const auto kind = StoreLayout::kindFromName(layoutName.isEmpty() ? QStringLiteral("seed") : layoutName);
    if (!kind) {
        *error = QStringLiteral("unknown layout \"%1\" (seed or zilverline)").arg(layoutName);
        return false;
    }
    *layout = *kind == StoreLayout::Kind::Zilverline ? StoreLayout::zilverline() : StoreLayout::seed();
    if (parser.isSet(QStringLiteral("events-key")))
        layout->setEventsKey(parser.value(QStringLiteral("events-key")).toUtf8());
    if (parser.isSet(QStringLiteral("id-prefix")))
        layout->idPrefix = parser.value(QStringLiteral("id-prefix")).toUtf8();
    if (parser.isSet(QStringLiteral("stream-prefix")))
        layout->setStreamPrefix(parser.value(QStringLiteral("stream-prefix")).toUtf8());
    if (parser.isSet(QStringLiteral("streams")))
        layout->streamPattern = layout->streamPrefix + parser.value(QStringLiteral("streams")).toUtf8();
    if (parser.isSet(QStringLiteral("channel")))
        layout->channel = parser.value(QStringLiteral("channel")).toUtf8();
    return true;
}

bool connectionFromArguments(const QCommandLineParser &parser, const QString &positionalUrl, ConnectionOptions *options,
                             QString *error)
{
    QString url = positionalUrl.isEmpty() ? parser.value(QStringLiteral("url")) : positionalUrl;
    if (url.isEmpty())
        url = qEnvironmentVariable("EVENTSCOPE_URL");
    if (url.isEmpty())
        url = QStringLiteral("redis://127.0.0.1:6379/0");
    const auto parsed = ConnectionOptions::fromUrl(url, error);
    if (!parsed)
        return false;
    *options = *parsed;
    if (options->password.isEmpty())
        options->password = qEnvironmentVariable("REDISCLI_AUTH");
    if (parser.isSet(QStringLiteral("tls-ca")) || parser.isSet(QStringLiteral("tls-cert"))
        || parser.isSet(QStringLiteral("tls-insecure")) || parser.isSet(QStringLiteral("tls-server-name"))) {
        if (!options->tls.enabled) {
            *error = QStringLiteral("TLS options need a rediss:// URL");
            return false;
        }
    }
    options->tls.caFile = parser.value(QStringLiteral("tls-ca"));
    options->tls.certFile = parser.value(QStringLiteral("tls-cert"));
    options->tls.keyFile = parser.value(QStringLiteral("tls-key"));
    options->tls.serverName = parser.value(QStringLiteral("tls-server-name"));
    options->tls.insecure = parser.isSet(QStringLiteral("tls-insecure"));
    if (parser.isSet(QStringLiteral("timeout"))) {
        bool ok = false;
        const int timeout = parser.value(QStringLiteral("timeout")).toInt(&ok);
        if (!ok || timeout <= 0) {
            *error = QStringLiteral("--timeout takes milliseconds");
            return false;
        }
        options->connectTimeoutMs = options->commandTimeoutMs = timeout;
    } else {
        options->connectTimeoutMs = options->commandTimeoutMs = 10000;
    }
    return true;
}

// Replaces the password of a URL argument in argv with asterisks, so it is not in the process title.
void maskUrlPasswords(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        char *arg = argv[i];
        char *scheme = std::strstr(arg, "://");
        if (!scheme)
            continue;
        char *userInfo = scheme + 3;
        char *at = std::strchr(userInfo, '@');
        char *slash = std::strchr(userInfo, '/');
        if (!at || (slash && slash < at))
            continue;
        char *colon = static_cast<char *>(std::memchr(userInfo, ':', size_t(at - userInfo)));
        if (!colon)
            continue;
        for (char *p = colon + 1; p < at; ++p)
            *p = '*';
    }
}

} // namespace Eventscope
