#pragma once

#include "eventrecord.h"

#include <QByteArray>

namespace Eventscope {

// One commit as a JSON Lines record, the form `eventscope-cli --format json events` prints and the exporter writes:
// {"stream","version","id","size","encoding","payload"}, or {"stream","version","id","missing":true} for an id the
// hash lacks; without the stream, only {"id",...} (as `get` prints). Appends the object and its newline.
void appendEventJson(QByteArray &out, const EventRecord &record, bool withStream);

} // namespace Eventscope
