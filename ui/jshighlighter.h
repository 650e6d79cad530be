#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QPalette;

namespace Eventscope {

// Colours JavaScript in the projection editor: keywords, strings (', ", `), numbers, comments (// and /* */ over
// lines), and the projection API (fromStream, when, $init, emit, ...) apart from other names. A line scanner, not a
// parser: a regular expression literal reads as plain text. Colours follow the palette as JsonHighlighter's do.
class JsHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    struct Formats
    {
        QTextCharFormat keyword;
        QTextCharFormat api;
        QTextCharFormat string;
        QTextCharFormat number;
        QTextCharFormat comment;
    };
    // What a line leaves open for the next one.
    enum State { Normal = 0, InBlockComment = 1, InTemplate = 2 };

    explicit JsHighlighter(QTextDocument *document);

    void setFormats(const Formats &formats);
    const Formats &formats() const { return m_formats; }
    static Formats formatsFor(const QPalette &palette);

    static bool isKeyword(QStringView word);
    static bool isApiName(QStringView word);

protected:
    void highlightBlock(const QString &text) override;

private:
    Formats m_formats;
};

} // namespace Eventscope
