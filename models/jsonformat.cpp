#include "jsonformat.h"

namespace Eventscope {

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Index of the quote that closes the string literal opened at `quote`, or -1 when the input ends first.
qsizetype closingQuote(QByteArrayView json, qsizetype quote)
{
    qsizetype i = quote + 1;
    while (i < json.size()) {
        const char c = json.at(i);
        if (c == '\\')
            i += 2;
        else if (c == '"')
            return i;
        else
            ++i;
    }
    return -1;
}

// Index just past the string literal opened at `quote`; json.size() when it is never closed.
qsizetype stringEnd(QByteArrayView json, qsizetype quote)
{
    const qsizetype close = closingQuote(json, quote);
    return close < 0 ? json.size() : close + 1;
}

qsizetype skipSpace(QByteArrayView json, qsizetype i)
{
    while (i < json.size() && isJsonSpace(json.at(i)))
        ++i;
    return i;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The code unit of a \uXXXX escape whose 'u' is at i, or -1.
int unicodeEscape(QByteArrayView text, qsizetype i)
{
    if (text.size() - i < 5)
        return -1;
    int value = 0;
    for (qsizetype k = i + 1; k < i + 5; ++k) {
        const int digit = hexValue(text.at(k));
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

} // namespace

QByteArray prettyJson(QByteArrayView json, int indent)
{
    QByteArray out;
    out.reserve(json.size() + json.size() / 2);
    int depth = 0;
    const auto newLine = [&] {
        out += '\n';
        out.append(qsizetype(depth) * indent, ' ');
    };
    qsizetype i = skipSpace(json, 0);
    while (i < json.size()) {
        const char c = json.at(i);
        switch (c) {
        case '{':
        case '[': {
            const qsizetype next = skipSpace(json, i + 1);
            const char close = c == '{' ? '}' : ']';
            out += c;
            if (next < json.size() && json.at(next) == close) {
                out += close;
                i = next + 1;
            } else {
                ++depth;
                newLine();
                i = next;
            }
            continue;
        }
        case '}':
        case ']':
            // An unmatched close in broken input must not indent below the margin.
            depth = qMax(0, depth - 1);
            newLine();
            out += c;
            break;
        case ',':
            out += c;
            newLine();
            i = skipSpace(json, i + 1);
            continue;
        case ':':
            out += ": ";
            i = skipSpace(json, i + 1);
            continue;
        case '"': {
            const qsizetype end = stringEnd(json, i);
            out.append(json.data() + i, end - i);
            i = end;
            continue;
        }
        default:
            if (!isJsonSpace(c))
                out += c;
        }
        ++i;
    }
    return out;
}

QByteArray compactJson(QByteArrayView json)
{
    QByteArray out;
    out.reserve(json.size());
    qsizetype i = 0;
    while (i < json.size()) {
        const char c = json.at(i);
        if (c == '"') {
            const qsizetype end = stringEnd(json, i);
            out.append(json.data() + i, end - i);
            i = end;
            continue;
        }
        if (!isJsonSpace(c))
            out += c;
        ++i;
    }
    return out;
}

QString decodeJsonString(QByteArrayView literal)
{
    if (literal.startsWith('"')) {
        const qsizetype close = closingQuote(literal, 0);
        literal = literal.sliced(1, (close < 0 ? literal.size() : close) - 1);
    }
    QString out;
    out.reserve(literal.size());
    qsizetype plainFrom = 0;
    qsizetype i = 0;
    while (i < literal.size()) {
        if (literal.at(i) != '\\') {
            ++i;
            continue;
        }
        out += QString::fromUtf8(literal.sliced(plainFrom, i - plainFrom));
        if (i + 1 >= literal.size()) {
            plainFrom = literal.size(); // a cut escape says nothing
            break;
        }
        const char escaped = literal.at(i + 1);
        i += 2;
        switch (escaped) {
        case 'b':
            out += u'\b';
            break;
        case 'f':
            out += u'\f';
            break;
        case 'n':
            out += u'\n';
            break;
        case 'r':
            out += u'\r';
            break;
        case 't':
            out += u'\t';
            break;
        case 'u': {
            const int unit = unicodeEscape(literal, i - 1);
            if (unit < 0) {
                out += QChar::ReplacementCharacter;
                break;
            }
            i += 4;
            // A lone surrogate is not a character; pair it or replace it.
            if (QChar::isHighSurrogate(char16_t(unit)) && i + 1 < literal.size() && literal.at(i) == '\\'
                && literal.at(i + 1) == 'u') {
                const int low = unicodeEscape(literal, i + 1);
                if (low >= 0 && QChar::isLowSurrogate(char16_t(low))) {
                    out += QChar(char16_t(unit));
                    out += QChar(char16_t(low));
                    i += 6;
                    break;
                }
            }
            out += QChar::isSurrogate(char16_t(unit)) ? QChar(QChar::ReplacementCharacter) : QChar(char16_t(unit));
            break;
        }
        default: // '"', '\\', '/' and anything a broken input puts there
            out += QChar::fromLatin1(escaped);
        }
        plainFrom = i;
    }
    out += QString::fromUtf8(literal.sliced(qMin(plainFrom, literal.size())));
    return out;
}

QString jsonPreview(QByteArrayView json, qsizetype maxChars)
{
    // White space and multi-byte characters make the compact form shorter than its source, never longer, so a
    // source prefix a few times the wanted length is plenty unless the value is mostly indentation.
    const qsizetype sourceLimit = maxChars * 8 + 64;
    QString text = QString::fromUtf8(compactJson(json.first(qMin(json.size(), sourceLimit))));
    if (text.size() > maxChars || json.size() > sourceLimit) {
        text.truncate(maxChars);
        text += u'…';
    }
    return text;
}

} // namespace Eventscope
