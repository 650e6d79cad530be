// The payload pane, offscreen: the view chosen per encoding, the views offered, missing commits, a payload shown in
// part, a zilverline commit's events, copying from the tree, palette-derived colours, and stale background results.
#include "payloadview.h"
#include "uniformtableview.h"

#include "jsonformat.h"
#include "jsonhighlighter.h"
#include "jsontreemodel.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QListView>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QThreadPool>
#include <QTreeView>

using namespace Eventscope;

namespace {

// A JSON object of about `size` bytes whose first member names it.
QByteArray bigJson(const QByteArray &name, qsizetype size)
{
    QByteArray json = "{\"name\":\"" + name + "\",\"items\":[";
    for (int i = 0; json.size() < size; ++i)
        json += (i ? "," : "") + QByteArray("{\"n\":") + QByteArray::number(i) + ",\"s\":\"abcdefghij\"}";
    return json + "]}";
}

// The width a text edit's document is laid out at (QPlainTextDocumentLayout keeps its own private): that of the
// first line, which cursorRect() lays out at the current width if it is not, plus the document's margins.
qreal laidOutWidth(QPlainTextEdit *edit)
{
    edit->cursorRect(QTextCursor(edit->document()));
    const QTextLine line = edit->document()->firstBlock().layout()->lineAt(0);
    return line.isValid() ? line.width() + 2 * edit->document()->documentMargin() : -1;
}

const QByteArray Commit
    = "{\"storeRevision\":7,\"timestamp\":1354000000000,\"streamId\":\"post-1\",\"streamRevision\":3,"
      "\"events\":[{\"type\":\"PostAdded\",\"title\":\"Hello\"},"
      "{\"eventType\":\"PostEdited\",\"content\":{\"body\":\"Second\",\"n\":12345678901234567890}},"
      "{\"type\":\"PostDeleted\"}],\"headers\":{}}";

} // namespace

class TestPayloadView final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jsonOpensPretty();
    void jsonTreeView();
    void textOpensRaw();
    void binaryOpensHex();
    void userChoiceKeptPerEncoding();
    void missingIsShownDistinctly();
    void errorAndClear();
    void partialPayloadShowsBanner();
    void loadAllShowsWhatIsLoaded();
    void textViewsStopAtTheLineLimit();
    void zilverlineListsEvents();
    void copyFromTree();
    void coloursFollowPalette();
    void staleResultIsDropped();
    void loadAllKeepsADocumentShowingTheSameLines();
    void replacedDocumentsAreDeleted();
    void textViewIsLaidOutAtItsWidthAfterBeingHidden();

private:
    template<typename T>
    static T *child(const PayloadView &view, const char *name)
    {
        T *widget = view.findChild<T *>(QString::fromLatin1(name));
        Q_ASSERT(widget);
        return widget;
    }
    static QWidget *currentPage(const PayloadView &view)
    {
        return child<QStackedWidget>(view, "views")->currentWidget();
    }
};

void TestPayloadView::jsonOpensPretty()
{
    PayloadView view;
    const QByteArray json = "{\"z\":1,\"a\":[true,null],\"a\":\"dup\"}";
    view.setPayload("e1", json, json.size(), PayloadEncoding::Json);
    QCOMPARE(view.mode(), PayloadView::Mode::Pretty);
    QCOMPARE(currentPage(view), child<QPlainTextEdit>(view, "prettyText"));
    QCOMPARE(child<QPlainTextEdit>(view, "prettyText")->toPlainText(),
             QStringLiteral("{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null\n  ],\n  \"a\": \"dup\"\n}"));
    QCOMPARE(child<QLabel>(view, "idLabel")->text(), QStringLiteral("e1"));
    QCOMPARE(child<QLabel>(view, "sizeLabel")->text(), QStringLiteral("33 B"));
    QCOMPARE(child<QLabel>(view, "encodingLabel")->text(), QStringLiteral("json"));
    for (PayloadView::Mode mode :
         {PayloadView::Mode::Pretty, PayloadView::Mode::Tree, PayloadView::Mode::Raw, PayloadView::Mode::Hex})
        QVERIFY(view.isModeEnabled(mode));
    QVERIFY(!child<QWidget>(view, "banner")->isVisibleTo(&view));
    QVERIFY(!view.isFormatting());
}

void TestPayloadView::jsonTreeView()
{
    PayloadView view;
    view.setPayload("e1", Commit, Commit.size(), PayloadEncoding::Json);
    child<QAbstractButton>(view, "modeTree")->click();
    QCOMPARE(view.mode(), PayloadView::Mode::Tree);
    auto *tree = child<QTreeView>(view, "jsonTree");
    QCOMPARE(currentPage(view), tree);
    QCOMPARE(tree->model()->rowCount(), 6);
    QCOMPARE(tree->model()->index(4, 0).data().toString(), QStringLiteral("events"));
    // A small document opens with its top level expanded.
    QVERIFY(tree->isExpanded(tree->model()->index(4, 0)));
    child<QAbstractButton>(view, "modeRaw")->click();
    QCOMPARE(child<QPlainTextEdit>(view, "rawText")->toPlainText(), QString::fromUtf8(Commit));
}

void TestPayloadView::textOpensRaw()
{
    PayloadView view;
    const QByteArray text = "plain text\nZo\xc3\xab";
    view.setPayload("e2", text, text.size(), PayloadEncoding::Text);
    QCOMPARE(view.mode(), PayloadView::Mode::Raw);
    QCOMPARE(currentPage(view), child<QPlainTextEdit>(view, "rawText"));
    QCOMPARE(child<QPlainTextEdit>(view, "rawText")->toPlainText(), QStringLiteral("plain text\nZoë"));
    QVERIFY(!view.isModeEnabled(PayloadView::Mode::Pretty));
    QVERIFY(!view.isModeEnabled(PayloadView::Mode::Tree));
    QVERIFY(!child<QAbstractButton>(view, "modePretty")->isEnabled());
    QVERIFY(view.isModeEnabled(PayloadView::Mode::Hex));
}

void TestPayloadView::binaryOpensHex()
{
    PayloadView view;
    const QByteArray bytes("\x00\x01\xff\xfe{\"a\":1}\x80", 12);
    view.setPayload("e3", bytes, bytes.size(), PayloadEncoding::Binary);
    QCOMPARE(view.mode(), PayloadView::Mode::Hex);
    auto *hex = child<UniformTableView>(view, "hexTable");
    QCOMPARE(currentPage(view), hex);
    QCOMPARE(hex->model()->rowCount(), 1);
    QCOMPARE(hex->model()->index(0, 1).data().toString(), QStringLiteral("00 01 ff fe 7b 22 61 22  3a 31 7d 80"));
    QVERIFY(!view.isModeEnabled(PayloadView::Mode::Tree));
    QVERIFY(!child<QAbstractButton>(view, "modeTree")->isEnabled());
    view.setMode(PayloadView::Mode::Tree);
    QCOMPARE(view.mode(), PayloadView::Mode::Hex);
    // Raw shows control bytes as visible symbols.
    view.setMode(PayloadView::Mode::Raw);
    QVERIFY(child<QPlainTextEdit>(view, "rawText")->toPlainText().startsWith(QStringLiteral("\u2400\u2401")));
}

void TestPayloadView::userChoiceKeptPerEncoding()
{
    PayloadView view;
    view.setPayload("e1", "{\"a\":1}", 7, PayloadEncoding::Json);
    child<QAbstractButton>(view, "modeTree")->click();
    view.setPayload("e2", "plain", 5, PayloadEncoding::Text);
    QCOMPARE(view.mode(), PayloadView::Mode::Raw);
    view.setPayload("e3", "[1]", 3, PayloadEncoding::Json);
    QCOMPARE(view.mode(), PayloadView::Mode::Tree);
    QCOMPARE(currentPage(view), child<QTreeView>(view, "jsonTree"));
}

void TestPayloadView::missingIsShownDistinctly()
{
    PayloadView view;
    view.setPayload("e1", "{\"a\":1}", 7, PayloadEncoding::Json);
    view.showMissing("e7");
    QCOMPARE(currentPage(view), child<QWidget>(view, "messagePage"));
    QCOMPARE(child<QLabel>(view, "messageTitle")->text(), QStringLiteral("Commit e7 is missing"));
    QVERIFY(child<QLabel>(view, "messageLabel")->text().contains(QStringLiteral("the events hash has no such field")));
    QCOMPARE(child<QLabel>(view, "idLabel")->text(), QStringLiteral("e7"));
    QCOMPARE(child<QLabel>(view, "encodingLabel")->text(), QStringLiteral("missing"));
    QCOMPARE(view.id(), QByteArray("e7"));
    for (PayloadView::Mode mode :
         {PayloadView::Mode::Pretty, PayloadView::Mode::Tree, PayloadView::Mode::Raw, PayloadView::Mode::Hex})
        QVERIFY(!view.isModeEnabled(mode));
}

void TestPayloadView::errorAndClear()
{
    PayloadView view;
    QCOMPARE(child<QLabel>(view, "messageTitle")->text(), QStringLiteral("No commit selected"));
    view.showError(QStringLiteral("Connection lost"));
    QCOMPARE(child<QLabel>(view, "messageLabel")->text(), QStringLiteral("Connection lost"));
    QCOMPARE(currentPage(view), child<QWidget>(view, "messagePage"));
    view.setPayload("e1", "{}", 2, PayloadEncoding::Json);
    QCOMPARE(currentPage(view), child<QPlainTextEdit>(view, "prettyText"));
    view.clear();
    QCOMPARE(child<QLabel>(view, "messageTitle")->text(), QStringLiteral("No commit selected"));
    QCOMPARE(currentPage(view), child<QWidget>(view, "messagePage"));
    QVERIFY(view.id().isEmpty());
}

void TestPayloadView::partialPayloadShowsBanner()
{
    PayloadView view;
    const QByteArray json = bigJson("part", 3 << 20);
    view.setPayload("e9", json.first(PayloadView::DisplayLimit), qint64(48) << 20, PayloadEncoding::Json);
    auto *banner = child<QWidget>(view, "banner");
    QVERIFY(banner->isVisibleTo(&view));
    QCOMPARE(child<QLabel>(view, "bannerLabel")->text(), QStringLiteral("showing 1 MiB of 48 MiB"));
    QCOMPARE(child<QLabel>(view, "sizeLabel")->text(), QStringLiteral("48 MiB"));
    // A MiB is formatted on a worker; the pane says so meanwhile.
    QVERIFY(view.isFormatting());
    QCOMPARE(currentPage(view), child<QLabel>(view, "formattingPage"));
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    QTRY_COMPARE(currentPage(view), pretty);
    QVERIFY(!view.isFormatting());
    QVERIFY(pretty->toPlainText().startsWith(QStringLiteral("{\n  \"name\": \"part\",\n  \"items\": [\n    {\n")));
    // Cut JSON still makes a tree of what is there.
    view.setMode(PayloadView::Mode::Tree);
    QTRY_COMPARE(currentPage(view), child<QTreeView>(view, "jsonTree"));
    QCOMPARE(child<QTreeView>(view, "jsonTree")->model()->rowCount(), 2);

    QSignalSpy loadAll(&view, &PayloadView::loadAllRequested);
    QSignalSpy save(&view, &PayloadView::saveRequested);
    child<QAbstractButton>(view, "saveButton")->click();
    QCOMPARE(save.count(), 1);
    QCOMPARE(loadAll.count(), 0);
    child<QAbstractButton>(view, "loadAllButton")->click();
    QCOMPARE(loadAll.count(), 1);
    QVERIFY(!child<QAbstractButton>(view, "loadAllButton")->isEnabled());
    // All bytes arrive for the same id: everything is shown and the banner goes.
    view.setPayload("e9", json, json.size(), PayloadEncoding::Json);
    QVERIFY(!banner->isVisibleTo(&view));
    QTRY_COMPARE(currentPage(view), child<QTreeView>(view, "jsonTree"));
    QVERIFY(child<QTreeView>(view, "jsonTree")
                ->model()
                ->index(1, 0)
                .data(JsonTreeModel::ValueTextRole)
                .toString()
                .endsWith(u"}]"));
}

void TestPayloadView::loadAllShowsWhatIsLoaded()
{
    PayloadView view;
    const QByteArray text((2 << 20) + 5, 'x');
    view.setPayload("e4", text, text.size(), PayloadEncoding::Text);
    QCOMPARE(child<QLabel>(view, "bannerLabel")->text(), QStringLiteral("showing 1 MiB of 2 MiB"));
    auto *raw = child<QPlainTextEdit>(view, "rawText");
    QTRY_COMPARE(currentPage(view), raw);
    // One long line is broken for display, so no single line is laid out whole.
    QCOMPARE(raw->document()->blockCount(), int(PayloadView::DisplayLimit / PayloadView::DisplayLineLength));
    child<QAbstractButton>(view, "loadAllButton")->click();
    QVERIFY(!child<QWidget>(view, "banner")->isVisibleTo(&view));
    QTRY_COMPARE(currentPage(view), raw);
    QTRY_COMPARE(raw->document()->characterCount() - raw->document()->blockCount(), int(text.size()));
    // A different id starts again from the first MiB.
    view.setPayload("e5", text, text.size(), PayloadEncoding::Text);
    QVERIFY(child<QWidget>(view, "banner")->isVisibleTo(&view));
}

void TestPayloadView::textViewsStopAtTheLineLimit()
{
    PayloadView view;
    QByteArray text;
    for (qsizetype line = 0; line < PayloadView::TextViewLines + 10; ++line)
        text += "l\n";
    view.setPayload("e6", text, text.size(), PayloadEncoding::Text);
    auto *raw = child<QPlainTextEdit>(view, "rawText");
    QTRY_COMPARE(currentPage(view), raw);
    QCOMPARE(raw->document()->blockCount(), int(PayloadView::TextViewLines));
    auto *note = child<QLabel>(view, "viewNote");
    QVERIFY(note->isVisibleTo(&view));
    QVERIFY(
        note->text().contains(QLocale().toString(qlonglong(PayloadView::TextViewLines)) + QStringLiteral(" lines")));
    // The hex view has everything.
    view.setMode(PayloadView::Mode::Hex);
    QVERIFY(!note->isVisibleTo(&view));
    QCOMPARE(child<UniformTableView>(view, "hexTable")->model()->rowCount(), int((text.size() + 15) / 16));
    // A payload within the limit has no note.
    view.setPayload("e7", "a\nb", 3, PayloadEncoding::Text);
    view.setMode(PayloadView::Mode::Raw);
    QVERIFY(!note->isVisibleTo(&view));
}

void TestPayloadView::zilverlineListsEvents()
{
    PayloadView view;
    view.setZilverline(true);
    view.setPayload("7", Commit, Commit.size(), PayloadEncoding::Json);
    auto *list = child<QListView>(view, "eventList");
    QVERIFY(list->isVisibleTo(&view));
    QCOMPARE(list->model()->rowCount(), 3);
    QVERIFY(list->model()->index(0, 0).data().toString().contains(QStringLiteral("PostAdded")));
    QVERIFY(list->model()->index(1, 0).data().toString().contains(QStringLiteral("PostEdited")));
    QCOMPARE(child<QLabel>(view, "eventsLabel")->text(), QStringLiteral("3 events in this commit"));
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    QCOMPARE(pretty->toPlainText(), QString::fromUtf8(prettyJson(Commit)));

    list->setCurrentIndex(list->model()->index(1, 0));
    const QByteArray second
        = "{\"eventType\":\"PostEdited\",\"content\":{\"body\":\"Second\",\"n\":12345678901234567890}}";
    QCOMPARE(pretty->toPlainText(), QString::fromUtf8(prettyJson(second)));
    view.setMode(PayloadView::Mode::Tree);
    QCOMPARE(child<QTreeView>(view, "jsonTree")->model()->rowCount(), 2);

    child<QAbstractButton>(view, "wholeCommitButton")->click();
    view.setMode(PayloadView::Mode::Pretty);
    QCOMPARE(pretty->toPlainText(), QString::fromUtf8(prettyJson(Commit)));

    // Without the zilverline layout, the same record is just JSON.
    view.setZilverline(false);
    QVERIFY(!list->isVisibleTo(&view));
    view.setZilverline(true);
    view.setPayload("8", "{\"no\":\"events\"}", 15, PayloadEncoding::Json);
    QVERIFY(!list->isVisibleTo(&view));
}

void TestPayloadView::copyFromTree()
{
    PayloadView view;
    view.setPayload("e1", Commit, Commit.size(), PayloadEncoding::Json);
    view.setMode(PayloadView::Mode::Tree);
    auto *tree = child<QTreeView>(view, "jsonTree");
    const QModelIndex events = tree->model()->index(4, 0);
    tree->setCurrentIndex(tree->model()->index(1, JsonTreeModel::ValueColumn, events));
    child<QAction>(view, "copyValueAction")->trigger();
    QCOMPARE(
        QApplication::clipboard()->text(),
        QStringLiteral("{\"eventType\":\"PostEdited\",\"content\":{\"body\":\"Second\",\"n\":12345678901234567890}}"));
    child<QAction>(view, "copyPathAction")->trigger();
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("$.events[1]"));
    // Ctrl+C on the tree copies the value.
    tree->setCurrentIndex(tree->model()->index(0, 0));
    QTest::keyClick(tree, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("7"));
}

void TestPayloadView::coloursFollowPalette()
{
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    const auto lightFormats = JsonHighlighter::formatsFor(light);
    const auto darkFormats = JsonHighlighter::formatsFor(dark);
    for (const auto &[onLight, onDark] :
         {std::pair{lightFormats.key, darkFormats.key}, std::pair{lightFormats.string, darkFormats.string},
          std::pair{lightFormats.number, darkFormats.number}, std::pair{lightFormats.keyword, darkFormats.keyword},
          std::pair{lightFormats.punctuation, darkFormats.punctuation}}) {
        QVERIFY(onLight.foreground().color().lightnessF() < 0.5);
        QVERIFY(onDark.foreground().color().lightnessF() > 0.5);
    }

    // Keys, strings, numbers and keywords each get their own colour.
    QList<QTextLayout::FormatRange> ranges;
    const auto state = JsonHighlighter::highlightLine(u"  \"key\": [\"s\", -1.5e3, true],", JsonHighlighter::Normal,
                                                      lightFormats, ranges);
    QCOMPARE(state, JsonHighlighter::Normal);
    const auto colourAt = [&ranges](int position) {
        for (const auto &range : std::as_const(ranges)) {
            if (position >= range.start && position < range.start + range.length)
                return range.format.foreground().color();
        }
        return QColor();
    };
    QCOMPARE(colourAt(3), lightFormats.key.foreground().color());
    QCOMPARE(colourAt(11), lightFormats.string.foreground().color());
    QCOMPARE(colourAt(16), lightFormats.number.foreground().color());
    QCOMPARE(colourAt(24), lightFormats.keyword.foreground().color());
    QCOMPARE(colourAt(9), lightFormats.punctuation.foreground().color());
    // A string broken over display lines stays a string on the next line.
    ranges.clear();
    QCOMPARE(JsonHighlighter::highlightLine(u"\"abc\\", JsonHighlighter::Normal, lightFormats, ranges),
             JsonHighlighter::InStringAfterBackslash);
    ranges.clear();
    QCOMPARE(JsonHighlighter::highlightLine(u"\"x", JsonHighlighter::InStringAfterBackslash, lightFormats, ranges),
             JsonHighlighter::InString);

    // The pane takes its colours from its palette.
    PayloadView view;
    view.setPalette(dark);
    view.setPayload("e1", "{\"a\":1}", 7, PayloadEncoding::Json);
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    QTRY_VERIFY(!pretty->document()->firstBlock().next().layout()->formats().isEmpty());
    const auto formats = pretty->document()->firstBlock().next().layout()->formats();
    QCOMPARE(formats.first().format.foreground().color(), darkFormats.key.foreground().color());

    // A palette change while a big payload is formatted on a worker: the result must not keep the old colours.
    PayloadView big;
    big.setPalette(light);
    const QByteArray json = bigJson("big", 200 << 10);
    big.setPayload("e2", json, json.size(), PayloadEncoding::Json);
    QVERIFY(big.isFormatting());
    big.setPalette(dark);
    auto *bigPretty = child<QPlainTextEdit>(big, "prettyText");
    QTRY_COMPARE(currentPage(big), bigPretty);
    const auto bigFormats = bigPretty->document()->firstBlock().next().layout()->formats();
    QVERIFY(!bigFormats.isEmpty());
    QCOMPARE(bigFormats.first().format.foreground().color(), darkFormats.key.foreground().color());
}

void TestPayloadView::staleResultIsDropped()
{
    // A takes longer to format than B, so without the generation check A's late result would replace B.
    const QByteArray a = bigJson("A", 900 << 10);
    const QByteArray b = bigJson("B", 100 << 10);
    PayloadView view;
    view.setPayload("a", a, a.size(), PayloadEncoding::Json);
    QVERIFY(view.isFormatting());
    view.setPayload("b", b, b.size(), PayloadEncoding::Json);
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    const QString expected = QString::fromUtf8(prettyJson(b));
    QTRY_COMPARE(currentPage(view), pretty);
    QCOMPARE(pretty->toPlainText(), expected);
    // Let A's job finish and deliver its result, then check it changed nothing.
    QThreadPool::globalInstance()->waitForDone();
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents();
    QVERIFY(!view.isFormatting());
    QCOMPARE(pretty->toPlainText(), expected);
    QCOMPARE(child<QLabel>(view, "idLabel")->text(), QStringLiteral("b"));

    // Paging quickly through big payloads: jobs that never started are cancelled, and only the last one shows.
    for (int i = 0; i < 6; ++i) {
        const QByteArray json = bigJson(QByteArray::number(i), 300 << 10);
        view.setPayload(QByteArray::number(i), json, json.size(), PayloadEncoding::Json);
    }
    QTRY_COMPARE(currentPage(view), pretty);
    QVERIFY(pretty->toPlainText().startsWith(QStringLiteral("{\n  \"name\": \"5\",")));
    QThreadPool::globalInstance()->waitForDone();
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents();
    QVERIFY(pretty->toPlainText().startsWith(QStringLiteral("{\n  \"name\": \"5\",")));
}

void TestPayloadView::loadAllKeepsADocumentShowingTheSameLines()
{
    PayloadView view;
    view.resize(800, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QByteArray json = bigJson("same", 3 << 20);
    view.setPayload("e7", json.first(PayloadView::DisplayLimit), json.size(), PayloadEncoding::Json);
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    QTRY_COMPARE(currentPage(view), pretty);
    // The first MiB pretty-printed is longer than a text view shows.
    QCOMPARE(pretty->document()->blockCount(), int(PayloadView::TextViewLines));
    QTextDocument *const shown = pretty->document();
    const QString shownText = pretty->toPlainText();
    child<QAbstractButton>(view, "loadAllButton")->click();
    view.setPayload("e7", json, json.size(), PayloadEncoding::Json);
    QVERIFY(view.isFormatting());
    QTRY_VERIFY(!view.isFormatting());
    QCOMPARE(currentPage(view), pretty);
    QVERIFY(!child<QWidget>(view, "banner")->isVisibleTo(&view));
    QVERIFY(child<QWidget>(view, "viewNote")->isVisibleTo(&view));
    // All of it begins with the same TextViewLines lines: the view keeps the document that shows them...
    QCOMPARE(pretty->document(), shown);
    QCOMPARE(pretty->toPlainText(), shownText);
    // ...which are the first lines of the whole payload, laid out at the view's width.
    QVERIFY(QString::fromUtf8(prettyJson(json)).startsWith(shownText + u'\n'));
    QCOMPARE(laidOutWidth(pretty), qreal(pretty->viewport()->width()));

    // Other lines make a new document.
    const QByteArray other = bigJson("other", 3 << 20);
    view.setPayload("e8", other, other.size(), PayloadEncoding::Json);
    QTRY_VERIFY(!view.isFormatting());
    QCOMPARE(currentPage(view), pretty);
    QVERIFY(pretty->toPlainText().startsWith(QStringLiteral("{\n  \"name\": \"other\",")));
}

void TestPayloadView::replacedDocumentsAreDeleted()
{
    PayloadView view;
    const QByteArray a = bigJson("A", 300 << 10);
    view.setPayload("a", a, a.size(), PayloadEncoding::Json);
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    QTRY_COMPARE(currentPage(view), pretty);
    // Big enough to be deleted on a worker thread.
    QPointer<QTextDocument> first = pretty->document();
    QVERIFY(first->blockCount() > 10000);
    const QByteArray b = bigJson("B", 300 << 10);
    view.setPayload("b", b, b.size(), PayloadEncoding::Json);
    QTRY_VERIFY(!view.isFormatting());
    QVERIFY(pretty->toPlainText().startsWith(QStringLiteral("{\n  \"name\": \"B\",")));
    QThreadPool::globalInstance()->waitForDone();
    QVERIFY(first.isNull());
    // Clearing the pane lets go of the document it showed as well.
    QPointer<QTextDocument> second = pretty->document();
    view.clear();
    QThreadPool::globalInstance()->waitForDone();
    QVERIFY(second.isNull());
    QVERIFY(pretty->toPlainText().isEmpty());
}

void TestPayloadView::textViewIsLaidOutAtItsWidthAfterBeingHidden()
{
    PayloadView view;
    view.resize(700, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QByteArray json = bigJson("w", 300 << 10);
    view.setPayload("w", json, json.size(), PayloadEncoding::Json);
    auto *pretty = child<QPlainTextEdit>(view, "prettyText");
    QTRY_COMPARE(currentPage(view), pretty);
    QCOMPARE(laidOutWidth(pretty), qreal(pretty->viewport()->width()));
    // Resized while another view is shown: wider (laid out again), then only taller (kept).
    for (const QSize size : {QSize(900, 500), QSize(900, 700)}) {
        view.setMode(PayloadView::Mode::Hex);
        QCOMPARE(currentPage(view), child<UniformTableView>(view, "hexTable"));
        view.resize(size);
        QTRY_COMPARE(view.size(), size);
        view.setMode(PayloadView::Mode::Pretty);
        QCOMPARE(currentPage(view), pretty);
        QTRY_COMPARE(pretty->width(), child<QStackedWidget>(view, "views")->contentsRect().width());
        QCOMPARE(laidOutWidth(pretty), qreal(pretty->viewport()->width()));
        QVERIFY(pretty->viewport()->width() > 700);
    }
}

QTEST_MAIN(TestPayloadView)
#include "tst_payloadview.moc"
