#include "jshighlighter.h"

#include <QPalette>

#include <algorithm>
#include <array>

namespace Eventscope {

namespace {

bool isIdentifierStart(QChar c)
{
    return c.isLetter() || c == u'_' || c == u'$';
}

bool isIdentifierPart(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'$';
}

// Index just past the closing quote, or -1 when the string goes on past the line.
qsizetype scanQuoted(QStringView line, qsizetype from, QChar quote)
{
    bool escaped = false;
    for (qsizetype i = from; i < line.size(); ++i) {
        if (escaped)
            escaped = false;
        else if (line.at(i) == u'\\')
            escaped = true;
        else if (line.at(i) == quote)
            return i + 1;
    }
    return -1;
}

} // namespace

JsHighlighter::JsHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{}

void JsHighlighter::setFormats(const Formats &formats)
{
    m_formats = formats;
    rehighlight();
}

JsHighlighter::Formats JsHighlighter::formatsFor(const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    const bool dark = base.lightnessF() < text.lightnessF();
    const auto tone = [dark](int hue) {
        return dark ? QColor::fromHslF(float(hue) / 360.f, 0.65f, 0.72f)
                    : QColor::fromHslF(float(hue) / 360.f, 0.8f, 0.32f);
    };
    Formats formats;
    formats.keyword.setForeground(tone(290));
    formats.keyword.setFontWeight(QFont::Bold);
    formats.api.setForeground(tone(212));
    formats.api.setFontWeight(QFont::Bold);
    formats.string.setForeground(tone(130));
    formats.number.setForeground(tone(25));
    formats.comment.setForeground(dark ? QColor::fromHslF(0.f, 0.f, 0.6f) : QColor::fromHslF(0.f, 0.f, 0.45f));
    formats.comment.setFontItalic(true);
    return formats;
}

bool JsHighlighter::isKeyword(QStringView word)
{
    static constexpr std::array<std::u16string_view, 38> Keywords{
        u"async",    u"await",   u"break",    u"case",      u"catch",  u"class",  u"const",      u"continue",
        u"debugger", u"default", u"delete",   u"do",        u"else",   u"export", u"extends",    u"false",
        u"finally",  u"for",     u"function", u"if",        u"import", u"in",     u"instanceof", u"let",
        u"new",      u"null",    u"of",       u"return",    u"super",  u"switch", u"this",       u"throw",
        u"true",     u"try",     u"typeof",   u"undefined", u"var",    u"while"};
    return std::find(Keywords.cbegin(), Keywords.cend(), std::u16string_view(word.utf16(), size_t(word.size())))
           != Keywords.cend();
}

bool JsHighlighter::isApiName(QStringView word)
{
    // The projection API (docs/replay.md): sources, handlers' special names, output and would-be writes.
    static constexpr std::array<std::u16string_view, 19> Names{
        u"fromAll", u"fromStream", u"fromStreams", u"when", u"filterBy", u"transformBy", u"outputState",
        u"options", u"$init",      u"$any",        u"emit", u"linkTo",   u"copyTo",      u"linkStreamTo",
        u"init",    u"reduce",     u"console",     u"JSON", u"Math"};
    return std::find(Names.cbegin(), Names.cend(), std::u16string_view(word.utf16(), size_t(word.size())))
           != Names.cend();
}

void JsHighlighter::highlightBlock(const QString &text)
{
    const QStringView line(text);
    qsizetype i = 0;
    setCurrentBlockState(Normal);
    if (previousBlockState() == InBlockComment) {
        const qsizetype end = line.indexOf(u"*/");
        if (end < 0) {
            setFormat(0, int(line.size()), m_formats.comment);
            setCurrentBlockState(InBlockComment);
            return;
        }
        setFormat(0, int(end + 2), m_formats.comment);
        i = end + 2;
    } else if (previousBlockState() == InTemplate) {
        const qsizetype end = scanQuoted(line, 0, u'`');
        if (end < 0) {
            setFormat(0, int(line.size()), m_formats.string);
            setCurrentBlockState(InTemplate);
            return;
        }
        setFormat(0, int(end), m_formats.string);
        i = end;
    }
    while (i < line.size()) {
        const QChar c = line.at(i);
        if (c == u'/' && i + 1 < line.size() && line.at(i + 1) == u'/') {
            setFormat(int(i), int(line.size() - i), m_formats.comment);
            return;
        }
        if (c == u'/' && i + 1 < line.size() && line.at(i + 1) == u'*') {
            const qsizetype end = line.indexOf(u"*/", i + 2);
            if (end < 0) {
                setFormat(int(i), int(line.size() - i), m_formats.comment);
                setCurrentBlockState(InBlockComment);
                return;
            }
            setFormat(int(i), int(end + 2 - i), m_formats.comment);
            i = end + 2;
        } else if (c == u'"' || c == u'\'' || c == u'`') {
            const qsizetype end = scanQuoted(line, i + 1, c);
            if (end < 0) {
                setFormat(int(i), int(line.size() - i), m_formats.string);
                if (c == u'`') // only template literals may span lines
                    setCurrentBlockState(InTemplate);
                return;
            }
            setFormat(int(i), int(end - i), m_formats.string);
            i = end;
        } else if (c.isDigit() || (c == u'.' && i + 1 < line.size() && line.at(i + 1).isDigit())) {
            const qsizetype start = i;
            while (i < line.size() && (line.at(i).isLetterOrNumber() || line.at(i) == u'.' || line.at(i) == u'_'))
                ++i;
            setFormat(int(start), int(i - start), m_formats.number);
        } else if (isIdentifierStart(c)) {
            const qsizetype start = i;
            while (i < line.size() && isIdentifierPart(line.at(i)))
                ++i;
            const QStringView word = line.sliced(start, i - start);
            // A property (after a dot) is not a keyword: e.data.default is a name.
            const bool property = start > 0 && line.at(start - 1) == u'.';
            if (!property && isKeyword(word))
                setFormat(int(start), int(i - start), m_formats.keyword);
            else if (isApiName(word))
                setFormat(int(start), int(i - start), m_formats.api);
        } else {
            ++i;
        }
    }
}

} // namespace Eventscope
