#include "projectioneditor.h"

#include "jshighlighter.h"

#include <QFile>
#include <QFontDatabase>
#include <QPainter>
#include <QSaveFile>
#include <QTextBlock>

namespace Eventscope {

class ProjectionEditor::LineNumberArea final : public QWidget
{
public:
    explicit LineNumberArea(ProjectionEditor *editor)
        : QWidget(editor)
        , m_editor(editor)
    {}
    QSize sizeHint() const override { return {m_editor->lineNumberAreaWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintLineNumbers(event); }

private:
    ProjectionEditor *m_editor;
};

ProjectionEditor::ProjectionEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_gutter(new LineNumberArea(this))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 4);
    m_highlighter = new JsHighlighter(document());
    m_highlighter->setFormats(JsHighlighter::formatsFor(palette()));
    connect(this, &QPlainTextEdit::blockCountChanged, this,
            [this] { setViewportMargins(lineNumberAreaWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, &ProjectionEditor::updateGutter);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &ProjectionEditor::updateSelections);
    // Editing the marked line, or adding or removing lines, makes the mark stale. (contentsChange also fires when
    // the highlighter lays out colours, so the text itself is compared.)
    connect(document(), &QTextDocument::contentsChange, this, [this] {
        if (m_errorLine > 0
            && (blockCount() != m_errorBlocks || document()->findBlockByNumber(m_errorLine - 1).text() != m_errorText))
            setErrorLine(0);
    });
    setViewportMargins(lineNumberAreaWidth(), 0, 0, 0);
    updateSelections();
}

ProjectionEditor::~ProjectionEditor() = default;

QString ProjectionEditor::templateText(Template which)
{
    switch (which) {
    case Template::Reducer:
        return QStringLiteral(
            "// A reducer: init() gives the first state (optional, default {}); reduce() is called once per event\n"
            "// and returns the new state, or changes it in place and returns nothing.\n"
            "function init() {\n"
            "    return { count: 0, byType: {} };\n"
            "}\n"
            "\n"
            "function reduce(state, event) {\n"
            "    // event: id, stream, version, type, data (parsed JSON or null), raw, metadata, timestamp\n"
            "    state.count += 1;\n"
            "    state.byType[event.type] = (state.byType[event.type] || 0) + 1;\n"
            "    return state;\n"
            "}\n");
    case Template::Kurrent:
        return QStringLiteral(
            "// KurrentDB style: runs unchanged here. emit/linkTo/copyTo only record what they would write.\n"
            "fromAll()\n"
            "    .when({\n"
            "        $init: function () {\n"
            "            return { count: 0, byType: {} };\n"
            "        },\n"
            "        $any: function (state, event) {\n"
            "            state.count += 1;\n"
            "            state.byType[event.eventType] = (state.byType[event.eventType] || 0) + 1;\n"
            "        }\n"
            "    })\n"
            "    .outputState();\n");
    }
    return {};
}

void ProjectionEditor::applyTemplate(Template which)
{
    // Through the cursor, so the template can be undone like any edit.
    QTextCursor cursor(document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(templateText(which));
    m_fileName.clear();
}

bool ProjectionEditor::loadFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        if (error)
            *error = tr("Cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    setPlainText(QString::fromUtf8(bytes));
    m_fileName = path;
    return true;
}

bool ProjectionEditor::saveFile(const QString &path, QString *error)
{
    QSaveFile file(path);
    const QByteArray bytes = script();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("Cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    m_fileName = path;
    document()->setModified(false);
    return true;
}

void ProjectionEditor::setErrorLine(int line, int column)
{
    m_errorLine = line;
    m_errorBlocks = blockCount();
    m_errorText = document()->findBlockByNumber(line - 1).text();
    if (line > 0) {
        const QTextBlock block = document()->findBlockByNumber(line - 1);
        if (block.isValid()) {
            QTextCursor cursor(block);
            if (column > 1)
                cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, qMin(column - 1, block.length() - 1));
            setTextCursor(cursor);
            centerCursor();
        }
    }
    updateSelections();
    m_gutter->update();
}

int ProjectionEditor::lineNumberAreaWidth() const
{
    int digits = 1;
    for (int max = qMax(1, blockCount()); max >= 10; max /= 10)
        ++digits;
    return 12 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * qMax(3, digits);
}

void ProjectionEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect rect = contentsRect();
    m_gutter->setGeometry(QRect(rect.left(), rect.top(), lineNumberAreaWidth(), rect.height()));
}

void ProjectionEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->setFormats(JsHighlighter::formatsFor(palette()));
        updateSelections();
    }
}

void ProjectionEditor::updateGutter(const QRect &rect, int dy)
{
    if (dy)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
}

void ProjectionEditor::updateSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    const bool dark = base.lightnessF() < text.lightnessF();
    QTextEdit::ExtraSelection current;
    current.format.setBackground(dark ? base.lighter(130) : base.darker(106));
    current.format.setProperty(QTextFormat::FullWidthSelection, true);
    current.cursor = textCursor();
    current.cursor.clearSelection();
    selections.append(current);
    if (m_errorLine > 0) {
        const QTextBlock block = document()->findBlockByNumber(m_errorLine - 1);
        if (block.isValid()) {
            QTextEdit::ExtraSelection error;
            error.format.setBackground(QColor(220, 50, 50, dark ? 90 : 60));
            error.format.setProperty(QTextFormat::FullWidthSelection, true);
            error.cursor = QTextCursor(block);
            selections.append(error);
        }
    }
    setExtraSelections(selections);
}

void ProjectionEditor::paintLineNumbers(QPaintEvent *event)
{
    QPainter painter(m_gutter);
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    painter.fillRect(event->rect(), palette().color(QPalette::Window));
    QTextBlock block = firstVisibleBlock();
    int number = block.blockNumber() + 1;
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int height = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            if (number == m_errorLine) {
                painter.fillRect(0, top, m_gutter->width(), height, QColor(220, 50, 50, 160));
                painter.setPen(Qt::white);
            } else {
                painter.setPen(number == textCursor().blockNumber() + 1
                                   ? text
                                   : QColor::fromRgbF(float((text.redF() + base.redF()) / 2),
                                                      float((text.greenF() + base.greenF()) / 2),
                                                      float((text.blueF() + base.blueF()) / 2)));
            }
            painter.drawText(0, top, m_gutter->width() - 6, height, Qt::AlignRight, QString::number(number));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
        ++number;
    }
}

} // namespace Eventscope
