#include "connectionprofile.h"

#include <QDir>
#include <QSettings>

#include <algorithm>

namespace Eventscope {

namespace {

constexpr QLatin1String ProfilesGroup("profiles");
constexpr QLatin1String LastProfileKey("connections/lastProfile");

QString groupOf(const QString &name)
{
    return ProfilesGroup + QLatin1Char('/') + name;
}

} // namespace

std::optional<ConnectionProfile> ConnectionProfile::fromUrl(const QString &url, QString *password, QString *error)
{
    ConnectionProfile profile;
    if (!profile.setUrl(url, password, error))
        return std::nullopt;
    return profile;
}

bool ConnectionProfile::setUrl(const QString &url, QString *password, QString *error)
{
    const std::optional<ConnectionOptions> options = ConnectionOptions::fromUrl(url, error);
    if (!options)
        return false;
    transport = options->transport;
    if (transport == ConnectionOptions::Transport::Unix) {
        socketPath = options->socketPath;
    } else {
        host = options->host;
        port = options->port;
    }
    db = options->db;
    user = options->user;
    tls.enabled = options->tls.enabled;
    if (password)
        *password = options->password;
    return true;
}

QString ConnectionProfile::url() const
{
    return toOptions({}).displayUrl();
}

ConnectionOptions ConnectionProfile::toOptions(const QString &password) const
{
    ConnectionOptions options;
    options.transport = transport;
    if (transport == ConnectionOptions::Transport::Unix) {
        options.socketPath = socketPath;
    } else {
        options.host = host;
        options.port = quint16(std::clamp(port, 0, 65535));
        if (tls.enabled)
            options.tls = tls;
    }
    options.db = db;
    options.user = user;
    options.password = password;
    options.readOnly = readOnly;
    return options;
}

StoreLayout ConnectionProfile::toLayout() const
{
    // The same order as the command line's --events-key, --id-prefix, --stream-prefix, --streams, --channel, so a
    // profile and the equivalent eventscope-cli call read the same keys.
    StoreLayout layout = layoutKind == StoreLayout::Kind::Zilverline ? StoreLayout::zilverline() : StoreLayout::seed();
    if (!eventsKey.isEmpty())
        layout.setEventsKey(eventsKey.toUtf8());
    if (!idPrefix.isEmpty())
        layout.idPrefix = idPrefix.toUtf8();
    if (!streamPrefix.isEmpty())
        layout.setStreamPrefix(streamPrefix.toUtf8());
    if (!streamsGlob.isEmpty())
        layout.streamPattern = layout.streamPrefix + streamsGlob.toUtf8();
    if (!channel.isEmpty())
        layout.channel = channel.toUtf8();
    return layout;
}

QString ConnectionProfile::nameError(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("The profile needs a name.");
    if (name != name.trimmed())
        return QStringLiteral("The profile name cannot start or end with spaces.");
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')))
        return QStringLiteral("The profile name cannot contain \"/\" or \"\\\".");
    return {};
}

QString ConnectionProfile::validationError() const
{
    if (const QString error = nameError(name); !error.isEmpty())
        return error;
    if (transport == ConnectionOptions::Transport::Unix) {
        if (socketPath.isEmpty())
            return QStringLiteral("A unix socket connection needs the socket's path.");
        if (!QDir::isAbsolutePath(socketPath))
            return QStringLiteral("The socket path must be absolute (like /run/redis/redis.sock).");
    } else {
        if (host.trimmed().isEmpty())
            return QStringLiteral("The host is empty.");
        if (host.contains(QLatin1Char('/')) || host.contains(QLatin1Char('@')) || host.contains(QLatin1Char(' ')))
            return QStringLiteral("The host \"%1\" is not a host name or address.").arg(host);
        if (port < 1 || port > 65535)
            return QStringLiteral("The port must be from 1 to 65535.");
        if (tls.enabled && tls.certFile.isEmpty() != tls.keyFile.isEmpty())
            return tls.certFile.isEmpty() ? QStringLiteral("A client key needs its client certificate.")
                                          : QStringLiteral("A client certificate needs its private key.");
    }
    if (db < 0)
        return QStringLiteral("The database number cannot be negative.");
    return {};
}

ProfileStore::ProfileStore()
    : m_owned(std::make_unique<QSettings>())
    , m_settings(m_owned.get())
{}

ProfileStore::ProfileStore(QSettings *settings)
    : m_settings(settings)
{}

ProfileStore::~ProfileStore() = default;

QStringList ProfileStore::names() const
{
    m_settings->beginGroup(ProfilesGroup);
    QStringList names = m_settings->childGroups();
    m_settings->endGroup();
    std::sort(names.begin(), names.end(),
              [](const QString &a, const QString &b) { return a.compare(b, Qt::CaseInsensitive) < 0; });
    return names;
}

QList<ConnectionProfile> ProfileStore::profiles() const
{
    QList<ConnectionProfile> profiles;
    const QStringList all = names();
    for (const QString &name : all) {
        if (std::optional<ConnectionProfile> profile = load(name))
            profiles.append(*profile);
    }
    return profiles;
}

bool ProfileStore::contains(const QString &name) const
{
    return ConnectionProfile::nameError(name).isEmpty() && names().contains(name);
}

std::optional<ConnectionProfile> ProfileStore::load(const QString &name) const
{
    if (!contains(name))
        return std::nullopt;
    ConnectionProfile p;
    m_settings->beginGroup(groupOf(name));
    p.name = name;
    p.transport = m_settings->value(QStringLiteral("transport")).toString() == QLatin1String("unix")
                      ? ConnectionOptions::Transport::Unix
                      : ConnectionOptions::Transport::Tcp;
    p.host = m_settings->value(QStringLiteral("host"), p.host).toString();
    p.port = m_settings->value(QStringLiteral("port"), p.port).toInt();
    p.db = m_settings->value(QStringLiteral("db"), p.db).toInt();
    p.socketPath = m_settings->value(QStringLiteral("socketPath")).toString();
    p.user = m_settings->value(QStringLiteral("user")).toString();
    p.tls.enabled = m_settings->value(QStringLiteral("tls"), false).toBool();
    p.tls.caFile = m_settings->value(QStringLiteral("tlsCaFile")).toString();
    p.tls.certFile = m_settings->value(QStringLiteral("tlsCertFile")).toString();
    p.tls.keyFile = m_settings->value(QStringLiteral("tlsKeyFile")).toString();
    p.tls.serverName = m_settings->value(QStringLiteral("tlsServerName")).toString();
    p.tls.insecure = m_settings->value(QStringLiteral("tlsInsecure"), false).toBool();
    p.layoutKind = StoreLayout::kindFromName(m_settings->value(QStringLiteral("layout")).toString())
                       .value_or(StoreLayout::Kind::Seed);
    p.eventsKey = m_settings->value(QStringLiteral("eventsKey")).toString();
    p.idPrefix = m_settings->value(QStringLiteral("idPrefix")).toString();
    p.streamPrefix = m_settings->value(QStringLiteral("streamPrefix")).toString();
    p.streamsGlob = m_settings->value(QStringLiteral("streamsGlob")).toString();
    p.channel = m_settings->value(QStringLiteral("channel")).toString();
    // A profile missing the flag (hand-edited, or from an older version) stays on the safe side.
    p.readOnly = m_settings->value(QStringLiteral("readOnly"), true).toBool();
    p.production = m_settings->value(QStringLiteral("production"), false).toBool();
    m_settings->endGroup();
    return p;
}

bool ProfileStore::save(const ConnectionProfile &p)
{
    if (!ConnectionProfile::nameError(p.name).isEmpty())
        return false;
    const QString group = groupOf(p.name);
    m_settings->remove(group);
    m_settings->beginGroup(group);
    m_settings->setValue(QStringLiteral("transport"), p.transport == ConnectionOptions::Transport::Unix
                                                          ? QStringLiteral("unix")
                                                          : QStringLiteral("tcp"));
    m_settings->setValue(QStringLiteral("host"), p.host);
    m_settings->setValue(QStringLiteral("port"), p.port);
    m_settings->setValue(QStringLiteral("db"), p.db);
    m_settings->setValue(QStringLiteral("socketPath"), p.socketPath);
    m_settings->setValue(QStringLiteral("user"), p.user);
    m_settings->setValue(QStringLiteral("tls"), p.tls.enabled);
    m_settings->setValue(QStringLiteral("tlsCaFile"), p.tls.caFile);
    m_settings->setValue(QStringLiteral("tlsCertFile"), p.tls.certFile);
    m_settings->setValue(QStringLiteral("tlsKeyFile"), p.tls.keyFile);
    m_settings->setValue(QStringLiteral("tlsServerName"), p.tls.serverName);
    m_settings->setValue(QStringLiteral("tlsInsecure"), p.tls.insecure);
    m_settings->setValue(QStringLiteral("layout"), p.layoutKind == StoreLayout::Kind::Zilverline
                                                       ? QStringLiteral("zilverline")
                                                       : QStringLiteral("seed"));
    m_settings->setValue(QStringLiteral("eventsKey"), p.eventsKey);
    m_settings->setValue(QStringLiteral("idPrefix"), p.idPrefix);
    m_settings->setValue(QStringLiteral("streamPrefix"), p.streamPrefix);
    m_settings->setValue(QStringLiteral("streamsGlob"), p.streamsGlob);
    m_settings->setValue(QStringLiteral("channel"), p.channel);
    m_settings->setValue(QStringLiteral("readOnly"), p.readOnly);
    m_settings->setValue(QStringLiteral("production"), p.production);
    m_settings->endGroup();
    // Written now rather than at exit: another Eventscope window may open the dialog next.
    m_settings->sync();
    return m_settings->status() == QSettings::NoError;
}

bool ProfileStore::remove(const QString &name)
{
    if (!contains(name))
        return false;
    m_settings->remove(groupOf(name));
    if (lastProfile() == name)
        m_settings->remove(LastProfileKey);
    m_settings->sync();
    return true;
}

bool ProfileStore::rename(const QString &from, const QString &to)
{
    if (from == to)
        return contains(from);
    std::optional<ConnectionProfile> profile = load(from);
    if (!profile || !ConnectionProfile::nameError(to).isEmpty() || contains(to))
        return false;
    const bool wasLast = lastProfile() == from;
    profile->name = to;
    if (!save(*profile))
        return false;
    m_settings->remove(groupOf(from));
    if (wasLast)
        m_settings->setValue(LastProfileKey, to);
    m_settings->sync();
    return true;
}

QString ProfileStore::lastProfile() const
{
    const QString name = m_settings->value(LastProfileKey).toString();
    return contains(name) ? name : QString();
}

void ProfileStore::setLastProfile(const QString &name)
{
    m_settings->setValue(LastProfileKey, name);
    m_settings->sync();
}

} // namespace Eventscope
