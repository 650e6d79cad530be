#include "recordjson.h"

#include "payload.h"

#include <QString>

namespace Eventscope {

namespace {

// Stream names and ids are Redis keys and fields, which may be any bytes; a JSON string must be UTF-8, so
// invalid sequences become U+FFFD rather than making the line unparsable.
void appendNameJson(QByteArray &out, const QByteArray &name)
{
    if (isValidUtf8(name))
        appendJsonString(out, name);
    else
        appendJsonString(out, QString::fromUtf8(name).toUtf8());
}

} // namespace

void appendEventJson(QByteArray &out, const EventRecord &record, bool withStream)
{
    out += '{';
    if (withStream) {
        out += "\"stream\":";
        appendNameJson(out, record.stream);
        out += ",\"version\":" + QByteArray::number(record.version) + ',';
    }
    out += "\"id\":";
    appendNameJson(out, record.id);
    if (record.missing) {
        out += ",\"missing\":true}\n";
        return;
    }
    const PayloadEncoding encoding = classifyPayload(record.payload);
    out += ",\"size\":" + QByteArray::number(record.payload.size()) + ",\"encoding\":\"" + encodingName(encoding)
           + "\",\"payload\":";
    appendPayloadJson(out, record.payload, encoding);
    out += "}\n";
}

} // namespace Eventscope
