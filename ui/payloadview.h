#pragma once

#include "jsonhighlighter.h"
#include "jsontreemodel.h"
#include "payload.h"

#include <QFont>
#include <QWidget>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

template<typename T>
class QFutureWatcher;
class QButtonGroup;
class QFrame;
class QLabel;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QStandardItemModel;
class QTextDocument;
class QTreeView;

namespace Eventscope {

class UniformTableView;

class HexDumpModel;

// The payload pane of the inspector: one commit's payload as pretty JSON, a JSON tree, raw text or a hex dump, with
// a header naming the commit and a view switch that offers only the views that make sense for the encoding. A new
// payload opens in the view its encoding suggests (json: Pretty, text: Raw, binary: Hex) unless the user picked
// another view for that encoding before.
// It never freezes the window on a big payload: only the first DisplayLimit bytes are shown until the user asks for
// all of them, and formatting anything of BackgroundThreshold bytes or more (pretty text, colouring, the tree, the
// text documents themselves) runs on a worker thread while the pane shows "Formatting…"; each result carries the
// generation it was started for, so a result for a payload the user has already left is dropped.
// With setZilverline(true), a JSON commit record's "events" array is listed above the views, one row per event, and
// selecting an event shows that event.
class PayloadView final : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Pretty, Tree, Raw, Hex };
    Q_ENUM(Mode)
    static constexpr qsizetype DisplayLimit = 1 << 20;
    // Below this, formatting takes a few milliseconds: doing it at once beats flashing "Formatting…".
    static constexpr qsizetype BackgroundThreshold = 64 << 10;
    // Lines longer than this are broken for display: a text view lays out a whole line at once, and one 16 MiB line
    // takes it seconds on the GUI thread.
    static constexpr qsizetype DisplayLineLength = 4096;
    // A text view shows at most this many lines, even of a payload loaded in full: QPlainTextEdit visits every line
    // on the GUI thread when it takes a document (measured: 50 ms for the 170k lines of a pretty-printed MiB, 1-4 s
    // for the millions of a 16 MiB one). The tree and hex views have no such limit.
    static constexpr qsizetype TextViewLines = 80000; // laying out more stalls the GUI thread

    explicit PayloadView(QWidget *parent = nullptr);
    ~PayloadView() override;

    // Shows a payload. fullSize > bytes.size() means bytes are only its first part; the pane then offers
    // loadAllRequested() and saveRequested(). The same id again (say, with all bytes after "Load all") keeps the
    // user's choice to see everything.
    void setPayload(const QByteArray &id, const QByteArray &bytes, qint64 fullSize, PayloadEncoding encoding);
    // A stream lists the id but the events hash has no such field.
    void showMissing(const QByteArray &id);
    void showError(const QString &message);
    void clear();
    // Reads JSON payloads as zilverline commit records; takes effect on the payload shown.
    void setZilverline(bool zilverline);
    bool isZilverline() const { return m_zilverline; }

    QByteArray id() const { return m_id; }
    Mode mode() const { return m_mode; }
    // Switches the view, as the view switch does, and remembers it as the view for payloads of this encoding; a mode
    // the payload does not offer is ignored.
    void setMode(Mode mode);
    bool isModeEnabled(Mode mode) const;
    // Whether a view of the current payload is still being prepared on a worker thread.
    bool isFormatting() const { return m_pendingJobs != 0; }

    // "532 B", "1.5 KiB", "48 MiB": binary units, at most one decimal, none when it is zero.
    static QString formatSize(qint64 bytes);

Q_SIGNALS:
    void loadAllRequested();
    void saveRequested();

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    enum class State { Empty, Payload, Missing, Error };
    enum Job { PrettyJob, TreeJob, RawJob, EventsJob, JobCount };
    struct Rendering;
    using RenderingPtr = std::shared_ptr<Rendering>;

    void showPayload();
    void showDocument(const QByteArray &bytes, PayloadEncoding encoding, std::optional<Mode> keepMode = {});
    void showCommitEvent(int event);
    void showMessage(const QString &title, const QString &detail, bool warning);
    void resetViews();
    void ensureRendered(Mode mode);
    // Runs work(false) at once when size is small, else work(true) on a worker thread.
    void startJob(Job job, std::function<RenderingPtr(bool background)> work, qsizetype size);
    void cancelStaleJobs();
    void applyJob(Job job, const RenderingPtr &rendering);
    void updateModeButtons();
    void updatePage();
    void updateBanner();
    void replaceDocument(QPlainTextEdit *edit, QTextDocument *document);
    void copyFromTree(int role);
    void showTreeMenu(const QPoint &position);
    quint64 generationOf(Job job) const;

    // What was given.
    State m_state = State::Empty;
    QByteArray m_id;
    QByteArray m_bytes;
    qint64 m_fullSize = 0;
    PayloadEncoding m_encoding = PayloadEncoding::Binary;
    bool m_showAll = false;
    bool m_zilverline = false;
    // What the views show: the shown part of the payload, or one of its events.
    QByteArray m_shownPart;
    QByteArray m_document;
    PayloadEncoding m_documentEncoding = PayloadEncoding::Binary;
    // Bumped whenever the payload (events list) or the document (views) changes; results of older ones are dropped.
    quint64 m_payloadGeneration = 0;
    quint64 m_documentGeneration = 0;
    unsigned m_renderedModes = 0;
    unsigned m_cutModes = 0; // text views showing only their first TextViewLines lines
    unsigned m_pendingJobs = 0;
    Mode m_mode = Mode::Pretty;
    std::array<std::optional<Mode>, 3> m_chosenMode; // by PayloadEncoding: the view the user last picked
    struct BackgroundJob
    {
        QFutureWatcher<RenderingPtr> *watcher;
        Job job;
        quint64 generation;
    };
    std::vector<BackgroundJob> m_jobs;
    JsonTreePtr m_commitTree;
    JsonHighlighter::Formats m_formats;
    QFont m_monospace;

    QLabel *m_idLabel;
    QLabel *m_sizeLabel;
    QLabel *m_encodingLabel;
    QButtonGroup *m_modeButtons;
    QFrame *m_banner;
    QLabel *m_bannerLabel;
    QPushButton *m_loadAllButton;
    QPushButton *m_saveButton;
    QLabel *m_viewNote;
    QSplitter *m_splitter;
    QWidget *m_eventsPanel;
    QLabel *m_eventsLabel;
    QListView *m_eventList;
    QStandardItemModel *m_eventModel;
    QStackedWidget *m_stack;
    QPlainTextEdit *m_prettyEdit;
    QTreeView *m_treeView;
    QPlainTextEdit *m_rawEdit;
    UniformTableView *m_hexView;
    QLabel *m_formattingPage;
    QWidget *m_messagePage;
    QLabel *m_messageIcon;
    QLabel *m_messageTitle;
    QLabel *m_messageLabel;
    JsonTreeModel *m_treeModel;
    HexDumpModel *m_hexModel;
    // The documents shown, owned here: a text edit deletes only documents it created itself.
    QTextDocument *m_prettyDocument = nullptr;
    QTextDocument *m_rawDocument = nullptr;
    std::optional<size_t> m_prettyTextKey;
    std::array<int, 2> m_laidOutWidth{-1, -1}; // pretty, raw: the width of the edit its document was laid out at
    std::optional<size_t> m_rawTextKey;
};

} // namespace Eventscope
