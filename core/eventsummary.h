#pragma once

#include "payload.h"
#include "storelayout.h"

#include <QByteArray>
#include <QString>

namespace Eventscope {

// What the events table shows of one payload: its event type, timestamp and a one-line preview.
struct EventSummary
{
    PayloadEncoding encoding = PayloadEncoding::Binary;
    QString type;            // "type" / "eventType"; for a zilverline commit, the types of the events it carries
    qint64 timestampMs = -1; // from the payload, where it has one
    int eventCount = -1;     // zilverline: the events in the commit
    QString preview;         // one line, at most PreviewLength characters
};

inline constexpr int PreviewLength = 160;

// Pure and thread-safe: runs off the GUI thread for pages of payloads.
EventSummary summarizePayload(const StoreLayout &layout, const QByteArray &payload);

// Milliseconds since the epoch from a JSON timestamp: a number (seconds or milliseconds) or an ISO 8601 string.
qint64 parseTimestamp(const QVariant &value);

} // namespace Eventscope
