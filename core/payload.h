#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Eventscope {

enum class PayloadEncoding : quint8 { Json, Text, Binary };

// json: parses as a JSON object or array; text: valid UTF-8; binary: anything else.
PayloadEncoding classifyPayload(QByteArrayView payload);
const char *encodingName(PayloadEncoding encoding);
bool isValidUtf8(QByteArrayView bytes);

// Appends bytes that are valid UTF-8 as a JSON string literal.
void appendJsonString(QByteArray &out, QByteArrayView utf8);
// Appends the payload as one JSON value on one line: the JSON itself (compacted if it spans lines), the text as a
// string, or the bytes as a base64 string.
void appendPayloadJson(QByteArray &out, const QByteArray &payload, PayloadEncoding encoding);

} // namespace Eventscope
