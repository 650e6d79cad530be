#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Eventscope {

// The names an event store uses in Redis (see LAYOUTS.md): one hash of commits, one list of commit ids per stream,
// one Pub/Sub channel. Presets give the two known layouts; every name can be overridden.
struct StoreLayout
{
    enum class Kind { Seed, Zilverline };

    Kind kind = Kind::Seed;
    QByteArray eventsKey = "EventStore";
    QByteArray idPrefix = "e";
    QByteArray streamPattern = "*"; // SCAN MATCH glob for stream lists
    QByteArray streamPrefix;        // stripped from a stream's key to show its name
    QByteArray channel = "EventStore";

    static StoreLayout seed();
    // A zilverline store called name: name:commits, name:stream:<id>, channel name:commits.
    static StoreLayout zilverline(const QByteArray &name = "EventStore");
    static std::optional<Kind> kindFromName(const QString &name);
    QString kindName() const;

    // Sets the events hash; for zilverline also the names derived from it (name:stream:*, channel).
    void setEventsKey(const QByteArray &key);
    // Sets the stream prefix and, with it, the SCAN pattern prefix*.
    void setStreamPrefix(const QByteArray &prefix);

    QByteArray idFor(qint64 number) const { return idPrefix + QByteArray::number(number); }
    // The sequence number of an id of this layout's form, or nullopt for anything else.
    std::optional<qint64> idNumber(const QByteArray &id) const;
    QByteArray streamKey(const QByteArray &name) const { return streamPrefix + name; }
    QByteArray streamName(const QByteArray &key) const;

    bool operator==(const StoreLayout &) const = default;
};

// The name of the virtual stream of every commit in id order.
inline constexpr char AllStreamName[] = "$all";

} // namespace Eventscope
