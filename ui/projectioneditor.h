#pragma once

#include <QPlainTextEdit>

namespace Eventscope {

class JsHighlighter;

// The projection's source: a plain-text editor with line numbers, JavaScript colours, a marked error line, the two
// projection forms as templates, and .js files loaded and saved.
class ProjectionEditor final : public QPlainTextEdit
{
    Q_OBJECT
public:
    enum class Template { Reducer, Kurrent };

    explicit ProjectionEditor(QWidget *parent = nullptr);
    ~ProjectionEditor() override;

    static QString templateText(Template which);
    void applyTemplate(Template which);

    QByteArray script() const { return toPlainText().toUtf8(); }
    // The file the text came from or went to last; empty for a new one.
    QString fileName() const { return m_fileName; }
    // Reads a .js file (UTF-8). A file that cannot be read leaves the text as it was and says why.
    bool loadFile(const QString &path, QString *error);
    // Writes the text atomically (QSaveFile): a failed save loses neither the text nor the old file.
    bool saveFile(const QString &path, QString *error);

    // Marks a line (1-based) as the error's and scrolls to it; 0 clears the mark.
    void setErrorLine(int line, int column = 0); // column 1-based; 0: the line's start
    int errorLine() const { return m_errorLine; }

    int lineNumberAreaWidth() const;
    JsHighlighter *highlighter() const { return m_highlighter; }

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    class LineNumberArea;
    friend class LineNumberArea;

    void paintLineNumbers(QPaintEvent *event);
    void updateGutter(const QRect &rect, int dy);
    void updateSelections();

    LineNumberArea *m_gutter = nullptr;
    JsHighlighter *m_highlighter = nullptr;
    QString m_fileName;
    int m_errorLine = 0;
    int m_errorBlocks = 0; // the line count when the line was marked
    QString m_errorText;   // the marked line's text then
};

} // namespace Eventscope
