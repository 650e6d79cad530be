#include "secretstore.h"

#include <QPointer>

#include <qt6keychain/keychain.h>

namespace Eventscope {

namespace {

// No profile name contains a '/' (QSettings would read it as a group), so the probe never meets a real password.
constexpr QLatin1String ProbeKey("/probe");

// These errors mean nobody answered: no D-Bus session (OtherError "Cannot autolaunch D-Bus ..."), no secret service
// or wallet daemon, or a platform without a backend. Anything else came from a keychain that is there.
bool keychainMissing(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
           || error == QKeychain::OtherError;
}

} // namespace

SecretStore::SecretStore(QObject *parent)
    : QObject(parent)
{
    probe();
}

SecretStore::~SecretStore() = default;

QString SecretStore::serviceName()
{
    return QStringLiteral("Eventscope");
}

void SecretStore::probe()
{
    // A read of a key that cannot exist: a keychain that is there answers "not found" (or "locked"), a missing one
    // fails. Reading asks nothing of the user that opening a profile would not ask anyway.
    start(new QKeychain::ReadPasswordJob(serviceName()), Operation::Read, ProbeKey, {}, this, {});
}

void SecretStore::readPassword(const QString &profileName, const QObject *context, Callback callback)
{
    if (m_availability == Availability::Unavailable) {
        deliverLater(context, std::move(callback), fromMemory(Operation::Read, profileName, {}));
        return;
    }
    start(new QKeychain::ReadPasswordJob(serviceName()), Operation::Read, profileName, {}, context,
          std::move(callback));
}

void SecretStore::writePassword(const QString &profileName, const QString &password, const QObject *context,
                                Callback callback)
{
    if (m_availability == Availability::Unavailable) {
        deliverLater(context, std::move(callback), fromMemory(Operation::Write, profileName, password));
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setTextData(password);
    start(job, Operation::Write, profileName, password, context, std::move(callback));
}

void SecretStore::deletePassword(const QString &profileName, const QObject *context, Callback callback)
{
    if (m_availability == Availability::Unavailable) {
        deliverLater(context, std::move(callback), fromMemory(Operation::Delete, profileName, {}));
        return;
    }
    start(new QKeychain::DeletePasswordJob(serviceName()), Operation::Delete, profileName, {}, context,
          std::move(callback));
}

void SecretStore::start(QKeychain::Job *job, Operation operation, const QString &profileName, const QString &password,
                        const QObject *context, Callback callback)
{
    job->setKey(profileName);
    // Some QtKeychain builds store the password in a plaintext QSettings file when no keychain answers; never.
    job->setInsecureFallback(false);
    // Parentless and self-deleting: libsecret holds the job until it answers, so it must outlive this object.
    job->setAutoDelete(true);
    const QPointer<const QObject> guard(context ? context : this);
    connect(job, &QKeychain::Job::finished, this,
            [this, job, operation, profileName, password, guard, callback = std::move(callback)] {
                const Result result = finish(job, operation, profileName, password);
                if (callback && guard)
                    callback(result);
            });
    job->start();
}

SecretStore::Result SecretStore::finish(QKeychain::Job *job, Operation operation, const QString &profileName,
                                        const QString &password)
{
    const QKeychain::Error error = job->error();
    if (keychainMissing(error)) {
        setAvailability(Availability::Unavailable, job->errorString());
        return fromMemory(operation, profileName, password);
    }
    setAvailability(Availability::Available, {});
    Result result;
    switch (operation) {
    case Operation::Read:
        if (error == QKeychain::NoError) {
            result.status = Result::Status::Ok;
            result.password = static_cast<QKeychain::ReadPasswordJob *>(job)->textData();
        } else if (error == QKeychain::EntryNotFound) {
            result.status = Result::Status::NotFound;
        } else {
            result.error = job->errorString();
        }
        break;
    case Operation::Write:
        if (error == QKeychain::NoError) {
            m_memory.remove(profileName);
            result.status = Result::Status::Ok;
        } else {
            result.error = job->errorString();
        }
        break;
    case Operation::Delete:
        m_memory.remove(profileName);
        if (error == QKeychain::NoError || error == QKeychain::EntryNotFound)
            result.status = Result::Status::Ok;
        else
            result.error = job->errorString();
        break;
    }
    return result;
}

SecretStore::Result SecretStore::fromMemory(Operation operation, const QString &profileName, const QString &password)
{
    Result result;
    result.error = m_unavailableReason;
    result.status = Result::Status::InMemory;
    switch (operation) {
    case Operation::Read:
        if (const auto it = m_memory.constFind(profileName); it != m_memory.constEnd())
            result.password = *it;
        else
            result.status = Result::Status::Unavailable;
        break;
    case Operation::Write:
        m_memory.insert(profileName, password);
        break;
    case Operation::Delete:
        m_memory.remove(profileName);
        break;
    }
    return result;
}

void SecretStore::deliverLater(const QObject *context, Callback callback, Result result)
{
    if (!callback)
        return;
    const QPointer<const QObject> guard(context ? context : this);
    QMetaObject::invokeMethod(
        this,
        [guard, callback = std::move(callback), result = std::move(result)] {
            if (guard)
                callback(result);
        },
        Qt::QueuedConnection);
}

void SecretStore::setAvailability(Availability availability, const QString &reason)
{
    m_unavailableReason = availability == Availability::Unavailable ? reason : QString();
    if (availability == m_availability)
        return;
    m_availability = availability;
    Q_EMIT availabilityChanged(availability == Availability::Available);
}

} // namespace Eventscope
