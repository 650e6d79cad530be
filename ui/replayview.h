#pragma once

#include "backgroundreplay.h"
#include "storelayout.h"

#include <QPointer>

#include <QWidget>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTableView;
class QToolButton;
class QTreeView;

namespace Eventscope {

class DiffHighlightProxy;
class JsonTreeModel;
class PayloadView;
class ProjectionEditor;
class RedisConnection;
class ReplayLimitsForm;
class StateDiffModel;

// Replays a stream, several streams merged in commit-id order, or $all into a projection (editor A) in a sandbox
// process, then scrubs through the versions: the state at a version as a tree, the event applied, and the diff of
// the state before and after it. Compares two projections (A and B) on the same events. Everything is asynchronous:
// the runner and the comparer live on a thread of their own with their own read-only connection (BackgroundReplay),
// so reading, decoding, the sandbox's frames, checkpoints and seeks stay off the GUI thread; states are parsed and
// diffed on a worker thread too.
class ReplayView final : public QWidget
{
    Q_OBJECT
public:
    enum class SourceKind { Selected, Streams, All };

    ReplayView(RedisConnection *connection, StoreLayout layout, QWidget *parent = nullptr);
    ~ReplayView() override;

    // The stream selected in the main window (the "Selected stream" source).
    void setSelectedStream(const QByteArray &name);
    QByteArray selectedStream() const { return m_selected; }
    // Streams: the names to merge (the line edit's text is set from them).
    void setSource(SourceKind kind, const QList<QByteArray> &streams = {});
    ReplaySource source() const;
    // Empty: ProjectionSandbox::defaultProgram().
    void setSandboxProgram(const QString &program) { m_sandboxProgram = program; }
    void setPageSize(int commits) { m_pageSize = commits; }

    void run();
    void compare();
    void cancel();
    bool isRunning() const;

    // Scrubbing, after a run: asks the runner for the state at that version (stepShown when it is on screen).
    void goToVersion(qint64 version);
    void stepBack() { goToVersion(m_wanted - 1); }
    void stepForward() { goToVersion(m_wanted + 1); }
    qint64 shownVersion() const { return m_shown; }
    qint64 length() const { return m_length; }
    // The state (JSON) at the version shown.
    QByteArray shownState() const { return m_shownState; }
    // Writes a state indented, atomically; what the "Export state…" button does after its file dialog.
    static bool exportState(const QByteArray &stateJson, const QString &path, QString *error);

    ProjectionEditor *editorA() const { return m_editorA; }
    ProjectionEditor *editorB() const { return m_editorB; }
    ReplayLimitsForm *limitsForm() const { return m_limits; }
    JsonTreeModel *stateModel() const { return m_stateModel; }
    DiffHighlightProxy *stateHighlight() const { return m_stateHighlight; }
    StateDiffModel *diffModel() const { return m_diffModel; }
    JsonTreeModel *compareModelA() const { return m_compareA; }
    JsonTreeModel *compareModelB() const { return m_compareB; }
    StateDiffModel *compareDiffModel() const { return m_compareDiff; }
    QTreeView *stateView() const { return m_stateView; }
    PayloadView *eventView() const { return m_eventView; }
    QSlider *scrubber() const { return m_slider; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *errorButton() const { return m_errorButton; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QTabWidget *resultTabs() const { return m_resultTabs; }
    QString errorText() const;
    QString statusText() const;
    QString progressText() const;
    QString stepText() const;
    QString compareText() const;
    ProjectionError lastError() const { return m_error; }
    // The runner's and the comparer's thread and connection (the window's traffic meter counts it).
    BackgroundReplay *replay() const { return m_replay; }

Q_SIGNALS:
    // Show this event in the main window's events pane (stream display name, 1-based version in that stream).
    void openEventRequested(const QByteArray &stream, qint64 version);
    void runFinished(const Eventscope::ReplayResult &result);
    void runFailed(const Eventscope::ProjectionError &error);
    void stepShown(qint64 version);
    void compareFinished(const Eventscope::CompareResult &result);

private:
    struct StepView; // a step parsed and diffed on a worker

    void buildUi();
    ReplayOptions makeOptions() const;
    void startCommon();
    void setBusy(bool busy);
    void onProgress(const ReplayProgress &progress);
    void onFinished(const ReplayResult &result);
    void onFailed(const ProjectionError &error, int side);
    void onStep(const ReplayStep &step);
    void showStep(const ReplayStep &step, const std::shared_ptr<StepView> &view);
    void onCompareFinished(const CompareResult &result);
    void showFailingEvent();
    void clearError();
    // Where an event of the replayed source sits in its own stream, then openEventRequested.
    void requestOpen(const QByteArray &stream, const QByteArray &id, qint64 version);
    void openErrorEvent();
    void loadFile();
    void saveFile();
    void exportShown();
    ProjectionEditor *currentEditor() const;

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    QByteArray m_selected;
    QString m_sandboxProgram;
    int m_pageSize = 1000;

    enum class Mode { None, Run, Compare }; // what the replay holds: nothing, a run (to scrub), a comparison

    BackgroundReplay *m_replay = nullptr;
    Mode m_mode = Mode::None;
    ReplaySource m_runSource; // what the last run or compare replayed
    ProjectionError m_error;
    int m_errorSide = 0;
    qint64 m_length = 0;
    qint64 m_wanted = -1;
    qint64 m_shown = -1;
    quint64 m_stepGeneration = 0;
    ReplayStep m_step;
    QByteArray m_shownState;
    CompareResult m_compare;
    quint64 m_runGeneration = 0;
    std::optional<QByteArray> m_failingPayload; // the event a run failed at, once fetched
    bool m_failingMissing = false;

    // Left: the editors and the limits; above them the source and the run controls.
    QComboBox *m_sourceKind = nullptr;
    QLineEdit *m_streams = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_compareButton = nullptr;
    QPushButton *m_cancel = nullptr;
    QToolButton *m_templates = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressLabel = nullptr;
    QPushButton *m_errorButton = nullptr;
    QTabWidget *m_editorTabs = nullptr;
    ProjectionEditor *m_editorA = nullptr;
    ProjectionEditor *m_editorB = nullptr;
    ReplayLimitsForm *m_limits = nullptr;

    // Right: the timeline and the comparison.
    QTabWidget *m_resultTabs = nullptr;
    QToolButton *m_first = nullptr;
    QToolButton *m_back = nullptr;
    QSlider *m_slider = nullptr;
    QToolButton *m_forward = nullptr;
    QToolButton *m_last = nullptr;
    QSpinBox *m_goTo = nullptr;
    QLabel *m_versionLabel = nullptr;
    QPushButton *m_showEvent = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_stepLabel = nullptr;
    QTreeView *m_stateView = nullptr;
    JsonTreeModel *m_stateModel = nullptr;
    DiffHighlightProxy *m_stateHighlight = nullptr;
    QTabWidget *m_stepTabs = nullptr;
    PayloadView *m_eventView = nullptr;
    QPlainTextEdit *m_output = nullptr;
    QLabel *m_diffLabel = nullptr;
    QTableView *m_diffView = nullptr;
    StateDiffModel *m_diffModel = nullptr;
    QLabel *m_compareLabel = nullptr;
    QPushButton *m_compareShowEvent = nullptr;
    JsonTreeModel *m_compareA = nullptr;
    JsonTreeModel *m_compareB = nullptr;
    StateDiffModel *m_compareDiff = nullptr;
};

} // namespace Eventscope
