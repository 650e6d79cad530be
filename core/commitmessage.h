#pragma once

#include "storelayout.h"

#include <QList>

namespace Eventscope {

// What a message on the store's Pub/Sub channel announces.
struct CommitMessage
{
    enum class Kind {
        Ids,     // "e7 e8": bare ids, as writers of the seed design publish them
        Notice,  // {"stream":"customer-42","version":5,"ids":["e7","e8"]}: Eventscope's own commit script
        Record,  // a zilverline commit record; its storeRevision is the id
        Unknown, // anything else; reason says why
    };

    Kind kind = Kind::Unknown;
    QList<QByteArray> ids;   // in the order announced
    QByteArray stream;       // display name, when the message names it
    qint64 version = -1;     // stream version after the commit (Notice) or the commit's streamRevision (Record)
    qint64 timestampMs = -1; // Record only
    qint64 eventCount = -1;  // Record only: the events the commit carries
    QByteArray reason;       // Unknown only
};

CommitMessage parseCommitMessage(const StoreLayout &layout, const QByteArray &message);

} // namespace Eventscope
