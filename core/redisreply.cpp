#include "redisreply.h"

namespace Eventscope {

bool operator==(const RedisReply &a, const RedisReply &b)
{
    if (a.type != b.type || a.integer != b.integer || a.text != b.text || a.elements.size() != b.elements.size())
        return false;
    for (qsizetype i = 0; i < a.elements.size(); ++i) {
        if (!(a.elements.at(i) == b.elements.at(i)))
            return false;
    }
    return true;
}

QByteArray RedisReply::errorCode() const
{
    if (type != Type::Error)
        return {};
    const qsizetype space = text.indexOf(' ');
    return space < 0 ? text : text.left(space);
}

QByteArray RedisReply::describe() const
{
    switch (type) {
    case Type::Nil:
        return QByteArrayLiteral("(nil)");
    case Type::Status:
        return QByteArrayLiteral("+") + text;
    case Type::Error:
        return QByteArrayLiteral("-") + text;
    case Type::Integer:
        return QByteArrayLiteral("(integer) ") + QByteArray::number(integer);
    case Type::String:
        return QByteArrayLiteral("\"") + text.left(64) + (text.size() > 64 ? "...\"" : "\"");
    case Type::Array: {
        QByteArray out = "[";
        for (qsizetype i = 0; i < elements.size(); ++i) {
            if (i)
                out += ", ";
            if (i == 8) {
                out += "... " + QByteArray::number(elements.size()) + " elements";
                break;
            }
            out += elements.at(i).describe();
        }
        return out + ']';
    }
    case Type::Failure:
        return QByteArrayLiteral("failure: ") + text;
    }
    return {};
}

} // namespace Eventscope
