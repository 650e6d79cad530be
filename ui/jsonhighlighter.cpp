#include "jsonhighlighter.h"

#include <QPalette>
#include <QTextBlock>
#include <QTextDocument>

namespace Eventscope {

namespace {

bool isNumberChar(QChar c)
{
    return (c >= u'0' && c <= u'9') || c == u'-' || c == u'+' || c == u'.' || c == u'e' || c == u'E';
}

// Index just past the closing quote, or line.size() when the string goes on past the line; `escaped` tells whether
// the first character is escaped and, when the string goes on, whether the next line's first one is.
qsizetype scanString(QStringView line, qsizetype from, bool &escaped, bool &closed)
{
    for (qsizetype i = from; i < line.size(); ++i) {
        if (escaped) {
            escaped = false;
        } else if (line.at(i) == u'\\') {
            escaped = true;
        } else if (line.at(i) == u'"') {
            closed = true;
            return i + 1;
        }
    }
    closed = false;
    return line.size();
}

QColor mix(const QColor &a, const QColor &b, qreal aWeight)
{
    const qreal bWeight = 1 - aWeight;
    return QColor::fromRgbF(float(a.redF() * aWeight + b.redF() * bWeight),
                            float(a.greenF() * aWeight + b.greenF() * bWeight),
                            float(a.blueF() * aWeight + b.blueF() * bWeight));
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document, const Formats &formats)
    : QSyntaxHighlighter(document)
    , m_formats(formats)
{}

JsonHighlighter::~JsonHighlighter() = default;

void JsonHighlighter::setFormats(const Formats &formats)
{
    m_formats = formats;
    rehighlight();
}

JsonHighlighter::Formats JsonHighlighter::formatsFor(const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    // Fixed hues keep keys, strings and numbers apart; the lightness follows the palette so that each stays legible
    // on its base: deep tones on a light base, pale ones on a dark base.
    const bool dark = base.lightnessF() < text.lightnessF();
    const auto tone = [dark](int hue) {
        return dark ? QColor::fromHslF(float(hue) / 360.f, 0.65f, 0.72f)
                    : QColor::fromHslF(float(hue) / 360.f, 0.8f, 0.32f);
    };
    Formats formats;
    formats.key.setForeground(tone(212));
    formats.string.setForeground(tone(130));
    formats.number.setForeground(tone(25));
    formats.keyword.setForeground(tone(290));
    formats.keyword.setFontWeight(QFont::Bold);
    formats.punctuation.setForeground(mix(text, base, 0.6));
    return formats;
}

JsonHighlighter::State JsonHighlighter::highlightLine(QStringView line, State state, const Formats &formats,
                                                      QList<QTextLayout::FormatRange> &ranges)
{
    const auto add = [&ranges](qsizetype start, qsizetype end, const QTextCharFormat &format) {
        ranges.append({int(start), int(end - start), format});
    };
    qsizetype i = 0;
    if (state != Normal) {
        bool escaped = state == InStringAfterBackslash;
        bool closed = false;
        i = scanString(line, 0, escaped, closed);
        add(0, i, formats.string);
        if (!closed)
            return escaped ? InStringAfterBackslash : InString;
    }
    while (i < line.size()) {
        const QChar c = line.at(i);
        if (c == u'"') {
            bool escaped = false;
            bool closed = false;
            const qsizetype end = scanString(line, i + 1, escaped, closed);
            if (!closed) {
                add(i, end, formats.string);
                return escaped ? InStringAfterBackslash : InString;
            }
            qsizetype next = end;
            while (next < line.size() && line.at(next) == u' ')
                ++next;
            add(i, end, next < line.size() && line.at(next) == u':' ? formats.key : formats.string);
            i = end;
        } else if (c == u'{' || c == u'}' || c == u'[' || c == u']' || c == u',' || c == u':') {
            add(i, i + 1, formats.punctuation);
            ++i;
        } else if (isNumberChar(c)) {
            const qsizetype start = i;
            while (i < line.size() && isNumberChar(line.at(i)))
                ++i;
            add(start, i, formats.number);
        } else if (c >= u'a' && c <= u'z') {
            const qsizetype start = i;
            while (i < line.size() && line.at(i) >= u'a' && line.at(i) <= u'z')
                ++i;
            const QStringView word = line.sliced(start, i - start);
            if (word == u"true" || word == u"false" || word == u"null")
                add(start, i, formats.keyword);
        } else {
            ++i;
        }
    }
    return Normal;
}

void JsonHighlighter::highlightDocument(QTextDocument *document, const Formats &formats)
{
    State state = Normal;
    QList<QTextLayout::FormatRange> ranges;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        ranges.clear();
        state = highlightLine(block.text(), state, formats, ranges);
        block.layout()->setFormats(ranges);
    }
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    QList<QTextLayout::FormatRange> ranges;
    const int previous = previousBlockState();
    const State state = highlightLine(text, previous < 0 ? Normal : State(previous), m_formats, ranges);
    for (const QTextLayout::FormatRange &range : std::as_const(ranges))
        setFormat(range.start, range.length, range.format);
    setCurrentBlockState(state);
}

} // namespace Eventscope
