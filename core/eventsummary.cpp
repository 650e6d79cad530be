#include "eventsummary.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QVariant>

namespace Eventscope {

namespace {

QString typeOf(const QJsonObject &object)
{
    for (const char *key : {"type", "eventType", "$type", "event"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isString())
            return value.toString();
    }
    return {};
}

qint64 timestampOf(const QJsonObject &object)
{
    for (const char *key : {"timestamp", "time", "occurredAt", "createdAt", "created", "at"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (!value.isUndefined()) {
            const qint64 ms = parseTimestamp(value.toVariant());
            if (ms >= 0)
                return ms;
        }
    }
    for (const char *key : {"metadata", "meta", "headers"}) {
        const QJsonValue nested = object.value(QLatin1String(key));
        if (nested.isObject()) {
            const qint64 ms = timestampOf(nested.toObject());
            if (ms >= 0)
                return ms;
        }
    }
    return -1;
}

QString oneLine(const QString &text)
{
    return text.left(PreviewLength * 4).simplified().left(PreviewLength);
}

} // namespace

qint64 parseTimestamp(const QVariant &value)
{
    if (value.typeId() == QMetaType::Double || value.typeId() == QMetaType::LongLong
        || value.typeId() == QMetaType::Int) {
        const double number = value.toDouble();
        if (number <= 0)
            return -1;
        // Seconds until the year 5138; larger numbers are milliseconds.
        return number < 1e11 ? qint64(number * 1000) : qint64(number);
    }
    if (value.typeId() == QMetaType::QString) {
        QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        if (!time.isValid())
            time = QDateTime::fromString(value.toString(), Qt::ISODate);
        return time.isValid() ? time.toMSecsSinceEpoch() : -1;
    }
    return -1;
}

EventSummary summarizePayload(const StoreLayout &layout, const QByteArray &payload)
{
    EventSummary summary;
    summary.encoding = classifyPayload(payload);
    switch (summary.encoding) {
    case PayloadEncoding::Binary:
        summary.preview = QStringLiteral("binary: ") + QString::fromLatin1(payload.left(24).toHex(' '));
        return summary;
    case PayloadEncoding::Text:
        summary.preview = oneLine(QString::fromUtf8(payload.left(PreviewLength * 4)));
        return summary;
    case PayloadEncoding::Json:
        break;
    }
    QByteArray compact;
    appendPayloadJson(compact, payload.left(PreviewLength * 4), PayloadEncoding::Json);
    summary.preview = oneLine(QString::fromUtf8(compact));
    const QJsonDocument document = QJsonDocument::fromJson(payload);
    if (!document.isObject())
        return summary;
    const QJsonObject object = document.object();
    const QJsonValue events = object.value(QLatin1String("events"));
    if (layout.kind == StoreLayout::Kind::Zilverline && events.isArray()) {
        const QJsonArray array = events.toArray();
        summary.eventCount = int(array.size());
        QStringList types;
        for (const QJsonValue &event : array) {
            const QString type = event.isObject() ? typeOf(event.toObject()) : QString();
            if (!type.isEmpty() && !types.contains(type))
                types.append(type);
        }
        summary.type = types.join(QStringLiteral(", "));
        summary.timestampMs = timestampOf(object);
        return summary;
    }
    summary.type = typeOf(object);
    summary.timestampMs = timestampOf(object);
    return summary;
}

} // namespace Eventscope
