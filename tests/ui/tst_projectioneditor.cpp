// The projection editor (templates, files, error line, gutter), its JavaScript colours, and the limits form. No
// server needed.
#include "jshighlighter.h"
#include "projectioneditor.h"
#include "replaylimitsform.h"

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace Eventscope;

class TestProjectionEditor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void templates();
    void loadAndSave();
    void errorLine();
    void gutterGrowsWithLines();
    void highlighting();
    void limitsForm();
};

namespace {

// The format the highlighter gave the first occurrence of `word` in the block.
QTextCharFormat formatOf(const QTextBlock &block, const QString &word)
{
    const int at = int(block.text().indexOf(word));
    for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
        if (range.start <= at && at < range.start + range.length)
            return range.format;
    }
    return {};
}

} // namespace

void TestProjectionEditor::templates()
{
    ProjectionEditor editor;
    editor.applyTemplate(ProjectionEditor::Template::Reducer);
    QVERIFY(editor.toPlainText().contains(QLatin1String("function reduce(state, event)")));
    QVERIFY(editor.toPlainText().contains(QLatin1String("function init()")));
    editor.applyTemplate(ProjectionEditor::Template::Kurrent);
    QVERIFY(editor.toPlainText().contains(QLatin1String("fromAll()")));
    QVERIFY(editor.toPlainText().contains(QLatin1String(".when({")));
    QVERIFY(editor.toPlainText().contains(QLatin1String("$init")));
    // A template is an edit like any other: undo brings the reducer back.
    editor.undo();
    QVERIFY(editor.toPlainText().contains(QLatin1String("function reduce")));
}

void TestProjectionEditor::loadAndSave()
{
    QTemporaryDir dir;
    ProjectionEditor editor;
    const QString text = QStringLiteral("function reduce(s, e) { return s; } // ünïcode\n");
    editor.setPlainText(text);
    QString error;
    const QString path = dir.filePath(QStringLiteral("p.js"));
    QVERIFY2(editor.saveFile(path, &error), qPrintable(error));
    QCOMPARE(editor.fileName(), path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), text.toUtf8());

    ProjectionEditor other;
    QVERIFY2(other.loadFile(path, &error), qPrintable(error));
    QCOMPARE(other.toPlainText(), text);
    QCOMPARE(other.script(), text.toUtf8());

    // Failures say why and lose nothing.
    other.setPlainText(QStringLiteral("keep me"));
    QVERIFY(!other.loadFile(dir.filePath(QStringLiteral("nosuch.js")), &error));
    QVERIFY2(error.contains(QLatin1String("nosuch.js")), qPrintable(error));
    QCOMPARE(other.toPlainText(), QStringLiteral("keep me"));
    QVERIFY(!other.saveFile(dir.filePath(QStringLiteral("no/such/dir/p.js")), &error));
    QVERIFY(error.startsWith(QLatin1String("Cannot save")));
    QCOMPARE(other.toPlainText(), QStringLiteral("keep me"));
}

void TestProjectionEditor::errorLine()
{
    ProjectionEditor editor;
    editor.setPlainText(QStringLiteral("a\nb\nc\nd\n"));
    editor.setErrorLine(3);
    QCOMPARE(editor.errorLine(), 3);
    QCOMPARE(editor.textCursor().blockNumber(), 2); // the cursor goes to the line
    bool marked = false;
    for (const QTextEdit::ExtraSelection &selection : editor.extraSelections())
        marked |= selection.cursor.blockNumber() == 2 && selection.format.background().color().red() > 150;
    QVERIFY(marked);
    // Colours laid out again, or an edit on another line that keeps the lines, keep it.
    editor.highlighter()->rehighlight();
    QCOMPARE(editor.errorLine(), 3);
    QTextCursor first(editor.document()->findBlockByNumber(0));
    first.insertText(QStringLiteral("y"));
    QCOMPARE(editor.errorLine(), 3);
    // Editing the marked line makes the mark stale.
    editor.textCursor().insertText(QStringLiteral("x"));
    QCOMPARE(editor.errorLine(), 0);
    QCOMPARE(editor.extraSelections().size(), 1); // the current line only

    // With a column (1-based), the cursor goes to it; past the line's end, to the end.
    editor.setPlainText(QStringLiteral("function reduce(s, e) {\n  return e.data.nothing.deeper;\n}\n"));
    editor.setErrorLine(2, 10);
    QCOMPARE(editor.textCursor().blockNumber(), 1);
    QCOMPARE(editor.textCursor().positionInBlock(), 9);
    editor.setErrorLine(3, 40);
    QCOMPARE(editor.textCursor().blockNumber(), 2);
    QCOMPARE(editor.textCursor().positionInBlock(), 1);
}

void TestProjectionEditor::gutterGrowsWithLines()
{
    ProjectionEditor editor;
    editor.setPlainText(QStringLiteral("x"));
    const int small = editor.lineNumberAreaWidth();
    QVERIFY(small > 0);
    editor.setPlainText(QString(QStringLiteral("x\n")).repeated(12345));
    QVERIFY(editor.lineNumberAreaWidth() > small);
    QVERIFY(editor.viewport()->geometry().left() >= editor.lineNumberAreaWidth());
}

void TestProjectionEditor::highlighting()
{
    ProjectionEditor editor;
    editor.setPlainText(QStringLiteral("function reduce(s, e) { // count\n"
                                       "  var t = 'it''s' + \"x\" + 42 + e.data.default;\n"
                                       "  /* a comment\n"
                                       "     over lines */ fromStream('a').when({});\n"
                                       "  var m = `multi\n"
                                       "line` + 7;\n"
                                       "}\n"));
    const JsHighlighter::Formats &f = editor.highlighter()->formats();
    const QTextDocument *document = editor.document();
    const QTextBlock first = document->findBlockByNumber(0);
    QCOMPARE(formatOf(first, QStringLiteral("function")).foreground(), f.keyword.foreground());
    QCOMPARE(formatOf(first, QStringLiteral("reduce")).foreground(), f.api.foreground());
    QCOMPARE(formatOf(first, QStringLiteral("// count")).foreground(), f.comment.foreground());
    const QTextBlock second = document->findBlockByNumber(1);
    QCOMPARE(formatOf(second, QStringLiteral("var")).foreground(), f.keyword.foreground());
    QCOMPARE(formatOf(second, QStringLiteral("'it'")).foreground(), f.string.foreground());
    QCOMPARE(formatOf(second, QStringLiteral("\"x\"")).foreground(), f.string.foreground());
    QCOMPARE(formatOf(second, QStringLiteral("42")).foreground(), f.number.foreground());
    // A property named like a keyword is a name.
    QVERIFY(formatOf(second, QStringLiteral("default")).foreground() != f.keyword.foreground());
    const QTextBlock fourth = document->findBlockByNumber(3);
    QCOMPARE(formatOf(fourth, QStringLiteral("over")).foreground(), f.comment.foreground());
    QCOMPARE(formatOf(fourth, QStringLiteral("fromStream")).foreground(), f.api.foreground());
    QCOMPARE(formatOf(fourth, QStringLiteral("when")).foreground(), f.api.foreground());
    const QTextBlock sixth = document->findBlockByNumber(5);
    QCOMPARE(formatOf(sixth, QStringLiteral("line`")).foreground(), f.string.foreground());
    QCOMPARE(formatOf(sixth, QStringLiteral("7")).foreground(), f.number.foreground());
    QCOMPARE(sixth.userState(), int(JsHighlighter::Normal));
    QCOMPARE(document->findBlockByNumber(4).userState(), int(JsHighlighter::InTemplate));
    QCOMPARE(document->findBlockByNumber(2).userState(), int(JsHighlighter::InBlockComment));

    QVERIFY(JsHighlighter::isKeyword(u"return"));
    QVERIFY(!JsHighlighter::isKeyword(u"returns"));
    QVERIFY(JsHighlighter::isApiName(u"$init"));
    QVERIFY(JsHighlighter::isApiName(u"linkStreamTo"));

    // A dark palette gives light colours.
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    dark.setColor(QPalette::Text, QColor(220, 220, 220));
    QVERIFY(JsHighlighter::formatsFor(dark).keyword.foreground().color().lightnessF() > 0.5);
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    QVERIFY(JsHighlighter::formatsFor(light).keyword.foreground().color().lightnessF() < 0.5);
}

void TestProjectionEditor::limitsForm()
{
    ReplayLimitsForm form;
    const SandboxLimits defaults;
    const SandboxLimits shown = form.limits();
    QCOMPARE(shown.eventMs, 250); // KurrentDB's numbers
    QCOMPARE(shown.compileMs, 500);
    QCOMPARE(shown.stateBytes, qint64(16) * 1024 * 1024);
    QCOMPARE(shown.memoryMiB, defaults.memoryMiB);
    QCOMPARE(shown.stackDepth, defaults.stackDepth);
    QCOMPARE(form.eventMsBox()->value(), 250);

    form.eventMsBox()->setValue(1000);
    form.compileMsBox()->setValue(2000);
    form.stateMiBBox()->setValue(64);
    form.memoryMiBBox()->setValue(0);
    form.stackDepthBox()->setValue(50);
    const SandboxLimits changed = form.limits();
    QCOMPARE(changed.eventMs, 1000);
    QCOMPARE(changed.compileMs, 2000);
    QCOMPARE(changed.stateBytes, qint64(64) * 1024 * 1024);
    QCOMPARE(changed.memoryMiB, 0);
    QCOMPARE(changed.stackDepth, 50);
    QCOMPARE(form.memoryMiBBox()->text(), QStringLiteral("no limit"));

    auto *button = form.findChild<QPushButton *>(QStringLiteral("limitsDefaults"));
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(form.limits().eventMs, 250);
    QCOMPARE(form.limits().memoryMiB, defaults.memoryMiB);
    QCOMPARE(form.limits().stateBytes, defaults.stateBytes);
}

QTEST_MAIN(TestProjectionEditor)
#include "tst_projectioneditor.moc"
