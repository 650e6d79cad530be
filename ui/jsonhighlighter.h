#pragma once

#include <QList>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>
#include <QTextLayout>

class QPalette;

namespace Eventscope {

// Colours JSON text: keys, strings, numbers, true/false/null and punctuation. The colours are derived from a palette
// (dark tones on a light base, light tones on a dark one), so the text reads in light and dark mode alike.
// Besides the usual live QSyntaxHighlighter, the same per-line scanner can colour a document that no widget shows
// yet on the worker thread that built it (highlightDocument): colouring 50k lines on the GUI thread is a visible
// stall, laying the formats into the blocks beforehand is not.
class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    struct Formats
    {
        QTextCharFormat key;
        QTextCharFormat string;
        QTextCharFormat number;
        QTextCharFormat keyword;
        QTextCharFormat punctuation;
    };
    // What a line leaves open for the next one: a string is split over lines only where the payload pane breaks an
    // overlong line for display.
    enum State { Normal = 0, InString, InStringAfterBackslash };

    JsonHighlighter(QTextDocument *document, const Formats &formats);
    ~JsonHighlighter() override;

    void setFormats(const Formats &formats);
    static Formats formatsFor(const QPalette &palette);

    // Appends the format ranges of one line to `ranges` and returns the state the line ends in.
    static State highlightLine(QStringView line, State state, const Formats &formats,
                               QList<QTextLayout::FormatRange> &ranges);
    // Lays the formats into every block of a document that is not shown and not highlighted by an instance; safe on
    // the thread that owns the document.
    static void highlightDocument(QTextDocument *document, const Formats &formats);

protected:
    void highlightBlock(const QString &text) override;

private:
    Formats m_formats;
};

} // namespace Eventscope
