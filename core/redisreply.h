#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>

namespace Eventscope {

// One RESP2 reply as a value. Failure is not a server reply: it stands for a request that got no answer
// (connection lost, timeout, refused by the read-only guard, protocol error), with the reason in text.
struct RedisReply
{
    enum class Type : quint8 { Nil, Status, Error, Integer, String, Array, Failure };

    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray text;
    QList<RedisReply> elements;

    static RedisReply failure(const QByteArray &reason) { return RedisReply{Type::Failure, 0, reason, {}}; }
    static RedisReply error(const QByteArray &message) { return RedisReply{Type::Error, 0, message, {}}; }

    bool isNil() const { return type == Type::Nil; }
    bool isError() const { return type == Type::Error; }
    bool isFailure() const { return type == Type::Failure; }
    // An error from the server or no reply at all.
    bool isBad() const { return type == Type::Error || type == Type::Failure; }
    bool isString() const { return type == Type::String; }
    bool isArray() const { return type == Type::Array; }
    bool isInteger() const { return type == Type::Integer; }

    // The first word of an error reply (WRONGTYPE, NOSCRIPT, NOPERM, ...).
    QByteArray errorCode() const;
    // A one-line description for messages and tests.
    QByteArray describe() const;

    friend bool operator==(const RedisReply &a, const RedisReply &b);
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::RedisReply)
