#include "storelayout.h"

namespace Eventscope {

StoreLayout StoreLayout::seed()
{
    return StoreLayout{};
}

StoreLayout StoreLayout::zilverline(const QByteArray &name)
{
    StoreLayout layout;
    layout.kind = Kind::Zilverline;
    layout.idPrefix.clear();
    layout.setEventsKey(name + ":commits");
    return layout;
}

std::optional<StoreLayout::Kind> StoreLayout::kindFromName(const QString &name)
{
    if (name == QLatin1String("seed"))
        return Kind::Seed;
    if (name == QLatin1String("zilverline"))
        return Kind::Zilverline;
    return std::nullopt;
}

QString StoreLayout::kindName() const
{
    return kind == Kind::Seed ? QStringLiteral("seed") : QStringLiteral("zilverline");
}

void StoreLayout::setEventsKey(const QByteArray &key)
{
    eventsKey = key;
    if (kind != Kind::Zilverline)
        return;
    const QByteArray name = key.endsWith(":commits") ? key.chopped(8) : key;
    setStreamPrefix(name + ":stream:");
    channel = key;
}

void StoreLayout::setStreamPrefix(const QByteArray &prefix)
{
    streamPrefix = prefix;
    // Escape glob characters so a prefix is matched literally.
    QByteArray pattern;
    for (char c : prefix) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    streamPattern = pattern + '*';
}

std::optional<qint64> StoreLayout::idNumber(const QByteArray &id) const
{
    if (!id.startsWith(idPrefix))
        return std::nullopt;
    const qsizetype digits = id.size() - idPrefix.size();
    if (digits <= 0 || digits > 18 || id.at(idPrefix.size()) == '0')
        return std::nullopt;
    qint64 value = 0;
    for (qsizetype i = idPrefix.size(); i < id.size(); ++i) {
        const char c = id.at(i);
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

QByteArray StoreLayout::streamName(const QByteArray &key) const
{
    return key.startsWith(streamPrefix) ? key.mid(streamPrefix.size()) : key;
}

} // namespace Eventscope
