#pragma once

#include "storelayout.h"

#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace Eventscope {

class RedisConnection;
struct RedisReply;

// The version a commit expects its stream to be at: exact, any, or none (the stream must not exist).
struct ExpectedVersion
{
    enum class Kind { Exact, Any, None };
    Kind kind = Kind::Any;
    qint64 version = 0;

    static std::optional<ExpectedVersion> parse(const QString &text);
    QByteArray toArgument() const;
};

struct AppendResult
{
    enum class Status { Ok, Conflict, Error };
    Status status = Status::Error;
    qint64 version = 0; // Ok: the stream's new version; Conflict: its actual version
    QList<QByteArray> ids;
    QString error;
    bool connectionError = false; // no reply: it may or may not have been committed
    bool wrongType = false;
};

// Commits through the server-side commit script (SCRIPT LOAD once, then EVALSHA; reloaded on NOSCRIPT).
// The connection must allow writes.
class Committer final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const AppendResult &)>;

    Committer(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    // Seed layout: one commit (one id) per payload. Zilverline: one commit carrying the payloads as its events
    // (payloads that are not JSON become JSON strings). timestampMs < 0 takes the local clock.
    void append(const QByteArray &stream, ExpectedVersion expected, const QList<QByteArray> &payloads,
                Callback callback, qint64 timestampMs = -1);

    static QByteArray script();
    static QByteArray scriptSha1();

private:
    void evaluate(const QList<QByteArray> &command, Callback callback, bool mayReload);
    static AppendResult toResult(const RedisReply &reply);

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
};

} // namespace Eventscope
