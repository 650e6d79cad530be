#include "statediff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Eventscope {

namespace {

bool isIdentifier(const QString &key)
{
    if (key.isEmpty() || key.at(0).isDigit())
        return false;
    for (const QChar c : key) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('$')))
            return false;
    }
    return true;
}

void walk(const QString &path, const QJsonValue &before, const QJsonValue &after, QList<JsonChange> &out)
{
    if (before.type() != after.type()) {
        out.append({JsonChange::Kind::Changed, path, before, after});
        return;
    }
    if (before.isObject()) {
        const QJsonObject a = before.toObject();
        const QJsonObject b = after.toObject();
        // Both key lists are sorted (QJsonObject keeps keys in order): one merge pass.
        auto i = a.begin();
        auto j = b.begin();
        while (i != a.end() || j != b.end()) {
            if (j == b.end() || (i != a.end() && i.key() < j.key())) {
                out.append({JsonChange::Kind::Removed, jsonPathKey(path, i.key()), i.value(), QJsonValue::Undefined});
                ++i;
            } else if (i == a.end() || j.key() < i.key()) {
                out.append({JsonChange::Kind::Added, jsonPathKey(path, j.key()), QJsonValue::Undefined, j.value()});
                ++j;
            } else {
                walk(jsonPathKey(path, i.key()), i.value(), j.value(), out);
                ++i;
                ++j;
            }
        }
        return;
    }
    if (before.isArray()) {
        const QJsonArray a = before.toArray();
        const QJsonArray b = after.toArray();
        const qsizetype common = qMin(a.size(), b.size());
        for (qsizetype k = 0; k < common; ++k)
            walk(path + QLatin1Char('[') + QString::number(k) + QLatin1Char(']'), a.at(k), b.at(k), out);
        for (qsizetype k = common; k < a.size(); ++k)
            out.append({JsonChange::Kind::Removed, path + QLatin1Char('[') + QString::number(k) + QLatin1Char(']'),
                        a.at(k), QJsonValue::Undefined});
        for (qsizetype k = common; k < b.size(); ++k)
            out.append({JsonChange::Kind::Added, path + QLatin1Char('[') + QString::number(k) + QLatin1Char(']'),
                        QJsonValue::Undefined, b.at(k)});
        return;
    }
    if (before != after)
        out.append({JsonChange::Kind::Changed, path, before, after});
}

QJsonValue parseValue(const QByteArray &text)
{
    // Wrapped so that scalars ("3", "null", "\"x\"") parse too.
    const QJsonDocument document = QJsonDocument::fromJson("[" + text + "]");
    if (document.isArray() && document.array().size() == 1)
        return document.array().at(0);
    return QJsonValue(QString::fromUtf8(text));
}

} // namespace

QString jsonPathKey(const QString &parent, const QString &key)
{
    if (isIdentifier(key))
        return parent.isEmpty() ? key : parent + QLatin1Char('.') + key;
    QByteArray quoted = QJsonDocument(QJsonArray{key}).toJson(QJsonDocument::Compact);
    quoted = quoted.mid(1, quoted.size() - 2); // ["..."] -> "..."
    return parent + QLatin1Char('[') + QString::fromUtf8(quoted) + QLatin1Char(']');
}

QList<JsonChange> diffJson(const QJsonValue &before, const QJsonValue &after)
{
    QList<JsonChange> out;
    walk(QString(), before, after, out);
    return out;
}

QList<JsonChange> diffJsonText(const QByteArray &before, const QByteArray &after)
{
    return diffJson(parseValue(before), parseValue(after));
}

const char *changeKindName(JsonChange::Kind kind)
{
    switch (kind) {
    case JsonChange::Kind::Added:
        return "added";
    case JsonChange::Kind::Removed:
        return "removed";
    case JsonChange::Kind::Changed:
        return "changed";
    }
    return "changed";
}

} // namespace Eventscope
