#include "commitmessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace Eventscope {

namespace {

CommitMessage unknown(const QByteArray &reason)
{
    CommitMessage message;
    message.reason = reason;
    return message;
}

std::optional<qint64> wholeNumber(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (number < 0 || number > 9007199254740992.0 || std::floor(number) != number)
        return std::nullopt;
    return qint64(number);
}

CommitMessage parseJson(const StoreLayout &layout, const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return unknown("starts like JSON but is not a JSON object");
    const QJsonObject object = document.object();

    if (object.contains(QLatin1String("storeRevision"))) {
        const auto revision = wholeNumber(object.value(QLatin1String("storeRevision")));
        if (!revision || *revision == 0)
            return unknown("a commit record whose storeRevision is not a positive whole number");
        CommitMessage message;
        message.kind = CommitMessage::Kind::Record;
        message.ids = {layout.idFor(*revision)};
        message.stream = object.value(QLatin1String("streamId")).toString().toUtf8();
        message.version = wholeNumber(object.value(QLatin1String("streamRevision"))).value_or(-1);
        message.timestampMs = wholeNumber(object.value(QLatin1String("timestamp"))).value_or(-1);
        const QJsonValue events = object.value(QLatin1String("events"));
        message.eventCount = events.isArray() ? events.toArray().size() : -1;
        return message;
    }

    const QJsonValue ids = object.value(QLatin1String("ids"));
    if (!ids.isArray() || ids.toArray().isEmpty())
        return unknown("a JSON object with neither \"ids\" nor \"storeRevision\"");
    CommitMessage message;
    message.kind = CommitMessage::Kind::Notice;
    for (const QJsonValue &id : ids.toArray()) {
        const QByteArray bytes = id.toString().toUtf8();
        if (!id.isString() || !layout.idNumber(bytes))
            return unknown("a notice whose \"ids\" holds something that is not a commit id of this layout");
        message.ids.append(bytes);
    }
    message.stream = object.value(QLatin1String("stream")).toString().toUtf8();
    message.version = wholeNumber(object.value(QLatin1String("version"))).value_or(-1);
    return message;
}

} // namespace

CommitMessage parseCommitMessage(const StoreLayout &layout, const QByteArray &raw)
{
    const QByteArray text = raw.trimmed();
    if (text.isEmpty())
        return unknown("empty message");
    if (text.startsWith('{'))
        return parseJson(layout, text);

    CommitMessage message;
    message.kind = CommitMessage::Kind::Ids;
    for (const QByteArray &token : text.simplified().split(' ')) {
        if (!layout.idNumber(token))
            return unknown("not a list of commit ids of this layout");
        message.ids.append(token);
    }
    return message;
}

} // namespace Eventscope
