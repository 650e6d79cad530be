#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>

namespace Eventscope {

// One commit as read from a stream or $all. A missing record names an id the stream lists but the hash lacks.
struct EventRecord
{
    QByteArray stream;  // display name, or "$all"
    qint64 version = 0; // 1-based position in the stream ($all: the id's number)
    QByteArray id;
    QByteArray payload;
    bool missing = false;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::EventRecord)
