#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace QKeychain {
class Job;
}

namespace Eventscope {

// Profile passwords in the system keychain through QtKeychain (service "Eventscope", key: the profile's name), always
// asynchronously. Where no keychain answers (no D-Bus session, no secret service), passwords are kept in this
// object's memory for the session only, so the user types them once per run and they never reach the disk: QtKeychain's
// plaintext fallback is switched off on every job.
class SecretStore final : public QObject
{
    Q_OBJECT
public:
    enum class Availability { Unknown, Available, Unavailable };

    struct Result
    {
        enum class Status {
            Ok,          // done in the system keychain
            InMemory,    // no keychain: done in this process's memory only (read: found there)
            NotFound,    // read: the keychain has nothing under that name
            Unavailable, // read: no keychain, and nothing in memory either
            Failed,      // the keychain answered with an error (locked, access denied, ...)
        };
        Status status = Status::Failed;
        QString password; // read: the password, for Ok and InMemory
        QString error;    // why, for InMemory, Unavailable and Failed
    };
    // Called on this object's thread, never synchronously from the call that started the request.
    using Callback = std::function<void(const Result &)>;

    // Starts asking the keychain whether it answers; availabilityChanged() tells the answer.
    explicit SecretStore(QObject *parent = nullptr);
    ~SecretStore() override;

    Availability availability() const { return m_availability; }
    bool available() const { return m_availability == Availability::Available; }
    // What the keychain said when it was found missing, for the user; empty otherwise.
    QString unavailableReason() const { return m_unavailableReason; }

    // callback runs only while context lives: a reply for a closed dialog is dropped.
    void readPassword(const QString &profileName, const QObject *context, Callback callback);
    void writePassword(const QString &profileName, const QString &password, const QObject *context,
                       Callback callback = {});
    void deletePassword(const QString &profileName, const QObject *context, Callback callback = {});

    static QString serviceName();

Q_SIGNALS:
    void availabilityChanged(bool available);

private:
    enum class Operation { Read, Write, Delete };

    void probe();
    void start(QKeychain::Job *job, Operation operation, const QString &profileName, const QString &password,
               const QObject *context, Callback callback);
    Result finish(QKeychain::Job *job, Operation operation, const QString &profileName, const QString &password);
    // The same request answered from memory alone, for when the keychain is known to be missing.
    Result fromMemory(Operation operation, const QString &profileName, const QString &password);
    void deliverLater(const QObject *context, Callback callback, Result result);
    void setAvailability(Availability availability, const QString &reason);

    Availability m_availability = Availability::Unknown;
    QString m_unavailableReason;
    QHash<QString, QString> m_memory;
};

} // namespace Eventscope
