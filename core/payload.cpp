#include "payload.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace Eventscope {

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Qt's parser accepts raw control characters inside strings, which JSON forbids (and jq or Python reject).
bool hasRawControlInString(QByteArrayView json)
{
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const auto c = static_cast<unsigned char>(json.at(i));
        if (!inString) {
            inString = c == '"';
        } else if (c == '\\') {
            ++i;
        } else if (c == '"') {
            inString = false;
        } else if (c < 0x20) {
            return true;
        }
    }
    return false;
}

// Drops the white space between tokens, keeping everything else byte for byte (key order, duplicate keys, numbers
// beyond double precision), unlike a round trip through a JSON tree.
void appendCompactJson(QByteArray &out, QByteArrayView json)
{
    out.reserve(out.size() + json.size());
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < json.size())
                out += json.at(++i);
            else if (c == '"')
                inString = false;
        } else if (!isJsonSpace(c)) {
            out += c;
            inString = c == '"';
        }
    }
}

} // namespace

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        // Fast path over ASCII, eight bytes at a time.
        while (end - p >= 8) {
            quint64 word;
            memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int length;
        unsigned int codePoint;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
            codePoint = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            codePoint = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            codePoint = c & 0x07;
        } else {
            return false;
        }
        if (end - p < length)
            return false;
        for (int i = 1; i < length; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (p[i] & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        if ((length == 3 && codePoint < 0x800) || (length == 4 && (codePoint < 0x10000 || codePoint > 0x10FFFF))
            || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            return false;
        p += length;
    }
    return true;
}

PayloadEncoding classifyPayload(QByteArrayView payload)
{
    qsizetype first = 0;
    while (first < payload.size() && isJsonSpace(payload.at(first)))
        ++first;
    if (first < payload.size() && (payload.at(first) == '{' || payload.at(first) == '[')) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(payload.toByteArray(), &error);
        if (error.error == QJsonParseError::NoError && (document.isObject() || document.isArray())
            && !hasRawControlInString(payload))
            return PayloadEncoding::Json;
    }
    return isValidUtf8(payload) ? PayloadEncoding::Text : PayloadEncoding::Binary;
}

const char *encodingName(PayloadEncoding encoding)
{
    switch (encoding) {
    case PayloadEncoding::Json:
        return "json";
    case PayloadEncoding::Text:
        return "text";
    case PayloadEncoding::Binary:
        return "binary";
    }
    return "binary";
}

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    qsizetype plainFrom = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8.at(i));
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.data() + plainFrom, i - plainFrom);
        plainFrom = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += Hex[c >> 4];
            out += Hex[c & 0xF];
        }
    }
    out.append(utf8.data() + plainFrom, utf8.size() - plainFrom);
    out += '"';
}

void appendPayloadJson(QByteArray &out, const QByteArray &payload, PayloadEncoding encoding)
{
    switch (encoding) {
    case PayloadEncoding::Json:
        if (payload.contains('\n') || payload.contains('\r'))
            appendCompactJson(out, payload);
        else
            out += payload.trimmed();
        return;
    case PayloadEncoding::Text:
        appendJsonString(out, payload);
        return;
    case PayloadEncoding::Binary:
        out += '"';
        out += payload.toBase64();
        out += '"';
        return;
    }
}

} // namespace Eventscope
