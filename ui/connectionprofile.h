#pragma once

#include "connectionoptions.h"
#include "storelayout.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class QSettings;

namespace Eventscope {

// A saved connection: where the server is, who to be, which layout to read and how careful to be. It never holds a
// password: that lives in the system keychain (SecretStore) or is typed at connect time.
struct ConnectionProfile
{
    QString name;

    ConnectionOptions::Transport transport = ConnectionOptions::Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379; // an int, not quint16, so a typed 70000 can be held and refused by validationError()
    int db = 0;
    QString socketPath;
    TlsOptions tls; // only used when tls.enabled (a rediss:// URL)
    QString user;

    // The layout preset and its overrides; an empty override means "the preset's value".
    StoreLayout::Kind layoutKind = StoreLayout::Kind::Seed;
    QString eventsKey;
    QString idPrefix;
    QString streamPrefix;
    QString streamsGlob; // the stream list filter, after the stream prefix (as --streams)
    QString channel;

    bool readOnly = true;
    bool production = false;

    // A profile with the transport and user of url; the URL's password, if any, goes to *password and nowhere
    // else. nullopt and *error (never containing the password) for a URL ConnectionOptions cannot parse.
    static std::optional<ConnectionProfile> fromUrl(const QString &url, QString *password = nullptr,
                                                    QString *error = nullptr);
    // Replaces the transport and user with those of url, keeping the name, layout, TLS files and flags.
    bool setUrl(const QString &url, QString *password = nullptr, QString *error = nullptr);
    // The profile's URL without a password, as shown in titles (redis://user@host:6379/0).
    QString url() const;

    ConnectionOptions toOptions(const QString &password) const;
    StoreLayout toLayout() const;

    // The first reason this profile cannot be saved or used, for the user to read; empty when it is fine.
    QString validationError() const;
    // Why name cannot name a profile (empty, or a '/' or '\' that QSettings would read as a group separator).
    static QString nameError(const QString &name);

    bool operator==(const ConnectionProfile &) const = default;
};

// Saved profiles in QSettings, one group "profiles/<name>" each, plus the name of the last one used. Writes exactly
// the fields of ConnectionProfile, which has no password field, so no password can reach the settings file.
class ProfileStore
{
public:
    // The application's settings (QSettings()).
    ProfileStore();
    // settings is not owned; tests hand in an ini file in a temporary directory.
    explicit ProfileStore(QSettings *settings);
    ~ProfileStore();
    ProfileStore(const ProfileStore &) = delete;
    ProfileStore &operator=(const ProfileStore &) = delete;

    QStringList names() const; // sorted, case-insensitively
    QList<ConnectionProfile> profiles() const;
    bool contains(const QString &name) const;
    std::optional<ConnectionProfile> load(const QString &name) const;

    // Replaces any profile of the same name. False (and nothing written) when the name is not a valid one.
    bool save(const ConnectionProfile &profile);
    bool remove(const QString &name);
    // False when from does not exist, to is taken or invalid. Follows the last profile along.
    bool rename(const QString &from, const QString &to);

    QString lastProfile() const; // empty when none, or when it was removed since
    void setLastProfile(const QString &name);

    QSettings *settings() const { return m_settings; }

private:
    std::unique_ptr<QSettings> m_owned;
    QSettings *m_settings = nullptr;
};

} // namespace Eventscope
