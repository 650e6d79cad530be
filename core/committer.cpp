#include "committer.h"

#include "payload.h"
#include "redisconnection.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>

static void initCoreResources()
{
    Q_INIT_RESOURCE(core);
}

namespace Eventscope {

std::optional<ExpectedVersion> ExpectedVersion::parse(const QString &text)
{
    if (text == QLatin1String("any"))
        return ExpectedVersion{Kind::Any, 0};
    if (text == QLatin1String("none"))
        return ExpectedVersion{Kind::None, 0};
    bool ok = false;
    const qint64 version = text.toLongLong(&ok);
    if (!ok || version < 0)
        return std::nullopt;
    return ExpectedVersion{Kind::Exact, version};
}

QByteArray ExpectedVersion::toArgument() const
{
    switch (kind) {
    case Kind::Any:
        return "any";
    case Kind::None:
        return "none";
    case Kind::Exact:
        break;
    }
    return QByteArray::number(version);
}

QByteArray Committer::script()
{
    static const QByteArray text = [] {
        initCoreResources();
        QFile file(QStringLiteral(":/eventscope/commit.lua"));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("the commit script resource is missing");
        return file.readAll();
    }();
    return text;
}

QByteArray Committer::scriptSha1()
{
    static const QByteArray sha = QCryptographicHash::hash(script(), QCryptographicHash::Sha1).toHex();
    return sha;
}

Committer::Committer(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

void Committer::append(const QByteArray &stream, ExpectedVersion expected, const QList<QByteArray> &payloads,
                       Callback callback, qint64 timestampMs)
{
    if (timestampMs < 0)
        timestampMs = QDateTime::currentMSecsSinceEpoch();
    const bool zilverline = m_layout.kind == StoreLayout::Kind::Zilverline;
    QList<QByteArray> command;
    command.reserve(payloads.size() + 11);
    command << "EVALSHA" << scriptSha1() << "2" << m_layout.eventsKey << m_layout.streamKey(stream)
            << (zilverline ? QByteArray("zilverline") : QByteArray("seed")) << expected.toArgument()
            << m_layout.idPrefix << m_layout.channel << stream << QByteArray::number(timestampMs);
    for (const QByteArray &payload : payloads) {
        if (zilverline && classifyPayload(payload) != PayloadEncoding::Json) {
            QByteArray asString;
            if (isValidUtf8(payload))
                appendJsonString(asString, payload);
            else
                asString = '"' + payload.toBase64() + '"';
            command.append(asString);
        } else if (zilverline) {
            QByteArray compact;
            appendPayloadJson(compact, payload, PayloadEncoding::Json);
            command.append(compact);
        } else {
            command.append(payload);
        }
    }
    evaluate(command, std::move(callback), true);
}

void Committer::evaluate(const QList<QByteArray> &command, Callback callback, bool mayReload)
{
    if (!m_connection) {
        AppendResult result;
        result.error = QStringLiteral("no connection");
        result.connectionError = true;
        callback(result);
        return;
    }
    m_connection->send(command, this, [this, command, callback, mayReload](const RedisReply &reply) {
        if (mayReload && reply.errorCode() == "NOSCRIPT") {
            m_connection->send({"SCRIPT", "LOAD", script()}, this, [](const RedisReply &) {});
            evaluate(command, callback, false); // pipelined behind the load
            return;
        }
        callback(toResult(reply));
    });
}

AppendResult Committer::toResult(const RedisReply &reply)
{
    AppendResult result;
    if (reply.isBad()) {
        result.error = QString::fromUtf8(reply.text);
        result.connectionError = reply.isFailure();
        result.wrongType = reply.text.contains("WRONGTYPE");
        return result;
    }
    const QList<RedisReply> &parts = reply.elements;
    if (!reply.isArray() || parts.size() < 2 || !parts.at(1).isInteger()) {
        result.error
            = QStringLiteral("unexpected reply from the commit script: %1").arg(QString::fromUtf8(reply.describe()));
        return result;
    }
    result.version = parts.at(1).integer;
    if (parts.at(0).text == "conflict") {
        result.status = AppendResult::Status::Conflict;
        return result;
    }
    result.status = AppendResult::Status::Ok;
    for (qsizetype i = 2; i < parts.size(); ++i)
        result.ids.append(parts.at(i).text);
    return result;
}

} // namespace Eventscope
