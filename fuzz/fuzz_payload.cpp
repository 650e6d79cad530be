// classifyPayload and appendPayloadJson on arbitrary bytes: the one-line JSON written for a payload must always be
// valid JSON on one line and give back the payload.
#include "payload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Eventscope;

namespace {

void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz_payload: %s\n", what);
        std::abort();
    }
}

QJsonValue parseWrapped(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + json + ']', &error);
    if (error.error == QJsonParseError::DeepNesting) {
        // The wrapping array adds a level: a payload at exactly Qt's nesting limit only parses on its own.
        const QJsonDocument alone = QJsonDocument::fromJson(json, &error);
        check(error.error == QJsonParseError::NoError, "appendPayloadJson wrote JSON that does not parse");
        return alone.isObject() ? QJsonValue(alone.object()) : QJsonValue(alone.array());
    }
    check(error.error == QJsonParseError::NoError, "appendPayloadJson wrote JSON that does not parse");
    check(wrapped.isArray() && wrapped.array().size() == 1, "appendPayloadJson wrote more than one value");
    return wrapped.array().first();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray payload(reinterpret_cast<const char *>(data), qsizetype(size));
    const PayloadEncoding encoding = classifyPayload(payload);
    const bool validUtf8 = isValidUtf8(payload);
    check(encoding != PayloadEncoding::Binary || !validUtf8, "valid UTF-8 classified as binary");
    check(encoding != PayloadEncoding::Text || validUtf8, "invalid UTF-8 classified as text");
    check(isValidUtf8(payload.toStdString()) == validUtf8, "isValidUtf8 depends on the copy");
    if (validUtf8)
        check(QString::fromUtf8(payload).toUtf8() == payload, "isValidUtf8 accepts what Qt's decoder changes");

    QByteArray out = "x";
    appendPayloadJson(out, payload, encoding);
    check(out.startsWith('x'), "appendPayloadJson replaced instead of appending");
    const QByteArray json = out.mid(1);
    check(!json.contains('\n') && !json.contains('\r'), "appendPayloadJson wrote a line break");
    if (encoding == PayloadEncoding::Json) {
        // Qt's parser is no oracle for JSON: it refuses valid numbers (long mantissas, huge exponents) and accepts
        // invalid strings. The written line must pass the strict validator, and parse with Qt where the payload did.
        check(classifyPayload(QByteArray('[' + json + ']')) == PayloadEncoding::Json,
              "appendPayloadJson broke a JSON payload");
        const char first = json.isEmpty() ? ' ' : json.front();
        check(first == '{' || first == '[', "a json payload written as a scalar");
        if (!QJsonDocument::fromJson(payload).isNull())
            check(QJsonDocument::fromJson(json) == QJsonDocument::fromJson(payload), "compaction changed the value");
        return 0;
    }
    const QJsonValue value = parseWrapped(json);

    switch (encoding) {
    case PayloadEncoding::Json:
        break;
    case PayloadEncoding::Text:
        check(value.isString() && value.toString() == QString::fromUtf8(payload), "text does not read back");
        break;
    case PayloadEncoding::Binary:
        check(value.isString()
                  && QByteArray::fromBase64(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors)
                         == payload,
              "binary does not read back");
        break;
    }

    // Any payload that is valid UTF-8, as a JSON string, reads back as itself.
    if (validUtf8) {
        QByteArray string;
        appendJsonString(string, payload);
        check(!string.contains('\n') && !string.contains('\r'), "appendJsonString wrote a line break");
        const QJsonValue read = parseWrapped(string);
        check(read.isString() && read.toString() == QString::fromUtf8(payload), "a JSON string does not read back");
    }
    return 0;
}
