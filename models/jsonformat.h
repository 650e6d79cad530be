#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Eventscope {

// Text forms of JSON for the payload pane, done on the bytes themselves: key order, duplicate keys, escapes and
// numbers beyond double precision stay exactly as written, which a round trip through QJsonDocument would not keep
// (Qt 6 sorts object keys and turns big integers into doubles). None of these functions build a document, and each
// survives bytes that are not JSON at all, or the first part of a JSON text cut anywhere: it emits what it can and
// always ends, so a payload cut at the display limit still formats.

// One token per line, nested `indent` spaces deeper per level, "key": value, empty containers as {} and [].
// No trailing newline. Bytes outside strings that are not JSON punctuation are copied as they are.
QByteArray prettyJson(QByteArrayView json, int indent = 2);

// The same tokens without any white space between them.
QByteArray compactJson(QByteArrayView json);

// The text of a JSON string literal (its quotes optional), escapes resolved; lenient about broken escapes and cut
// input. Invalid UTF-8 becomes U+FFFD.
QString decodeJsonString(QByteArrayView literal);

// At most maxChars characters of compactJson(json) as text, with "…" where it was cut. Reads only as much of the
// input as it needs, so a preview of a 16 MiB value costs no more than one of a small one.
QString jsonPreview(QByteArrayView json, qsizetype maxChars);

} // namespace Eventscope
