#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

namespace Eventscope {

// One difference between two JSON values, at a path like  accounts["a-1"].balance  or  items[3]  ("" is the root).
struct JsonChange
{
    enum class Kind { Added, Removed, Changed };
    Kind kind = Kind::Changed;
    QString path;
    QJsonValue before; // Undefined when added
    QJsonValue after;  // Undefined when removed

    bool operator==(const JsonChange &other) const = default;
};

// Pure: the paths added, removed and changed from before to after, objects compared key by key (in key order) and
// arrays index by index; a value whose type changes is one Changed entry, not a walk into it.
QList<JsonChange> diffJson(const QJsonValue &before, const QJsonValue &after);
// Parses both (JSON texts of states) first; a text that does not parse counts as a string value.
QList<JsonChange> diffJsonText(const QByteArray &before, const QByteArray &after);

// A path step for an object key: .name when it is an identifier, else ["..."].
QString jsonPathKey(const QString &parent, const QString &key);

const char *changeKindName(JsonChange::Kind kind);

} // namespace Eventscope
