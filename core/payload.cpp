#include "payload.h"

#include <cstring>

namespace Eventscope {

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Checks that bytes are one RFC 8259 JSON text without building anything: classifying must not cost a document
// per commit. Stricter than QJsonDocument, which lets raw control characters and unknown escapes into strings; such
// a payload is classified as text, so it is printed as a JSON string, never verbatim as broken JSON.
class JsonValidator
{
public:
    explicit JsonValidator(QByteArrayView text)
        : m_p(text.data())
        , m_end(text.data() + text.size())
    {}

    bool isValid()
    {
        skipSpace();
        if (!value(0))
            return false;
        skipSpace();
        return m_p == m_end;
    }

private:
    static constexpr int MaxDepth = 1024; // QJsonDocument's nesting limit

    void skipSpace()
    {
        while (m_p < m_end && isJsonSpace(*m_p))
            ++m_p;
    }

    static bool isHexDigit(char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    bool take(char c)
    {
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }

    bool literal(const char *word, qsizetype length)
    {
        if (m_end - m_p < length || memcmp(m_p, word, size_t(length)) != 0)
            return false;
        m_p += length;
        return true;
    }

    bool digits()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p > start;
    }

    bool number()
    {
        take('-');
        if (!take('0') && !(m_p < m_end && *m_p >= '1' && *m_p <= '9' && digits()))
            return false;
        if (take('.') && !digits())
            return false;
        if (take('e') || take('E')) {
            if (!take('+'))
                take('-');
            if (!digits())
                return false;
        }
        return true;
    }

    bool string()
    {
        ++m_p; // the opening quote
        const char *start = m_p;
        bool ascii = true;
        while (m_p < m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                const bool ok = ascii || isValidUtf8(QByteArrayView(start, m_p - start));
                ++m_p;
                return ok;
            }
            if (c < 0x20)
                return false;
            if (c >= 0x80)
                ascii = false;
            ++m_p;
            if (c != '\\')
                continue;
            if (m_p >= m_end)
                return false;
            switch (*m_p++) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                break;
            case 'u':
                for (int i = 0; i < 4; ++i, ++m_p) {
                    if (m_p >= m_end || !isHexDigit(*m_p))
                        return false;
                }
                break;
            default:
                return false;
            }
        }
        return false;
    }

    bool container(int depth, char close, bool object)
    {
        ++m_p; // the opening bracket
        if (depth >= MaxDepth)
            return false;
        skipSpace();
        if (take(close))
            return true;
        for (;;) {
            if (object) {
                if (m_p >= m_end || *m_p != '"' || !string())
                    return false;
                skipSpace();
                if (!take(':'))
                    return false;
                skipSpace();
            }
            if (!value(depth + 1))
                return false;
            skipSpace();
            if (take(close))
                return true;
            if (!take(','))
                return false;
            skipSpace();
        }
    }

    bool value(int depth)
    {
        if (m_p >= m_end)
            return false;
        switch (*m_p) {
        case '{':
            return container(depth, '}', true);
        case '[':
            return container(depth, ']', false);
        case '"':
            return string();
        case 't':
            return literal("true", 4);
        case 'f':
            return literal("false", 5);
        case 'n':
            return literal("null", 4);
        default:
            return number();
        }
    }

    const char *m_p;
    const char *m_end;
};

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
    if (first < payload.size() && (payload.at(first) == '{' || payload.at(first) == '[')
        && JsonValidator(payload).isValid())
        return PayloadEncoding::Json;
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
