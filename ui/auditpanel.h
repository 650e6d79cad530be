#pragma once

#include "auditor.h"
#include "connectionoptions.h"
#include "storelayout.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeView;

namespace Eventscope {

class AuditFindingsModel;
class BackgroundAuditor;

// The Audit dock: the integrity audit (core/auditor.h) of the whole store or the selected stream, on a read-only
// connection and thread of its own (BackgroundAuditor), with progress and Cancel; a summary line; the findings
// grouped by check (AuditFindingsModel, bounded); a finding activated (double-click, Enter) asks the window to open
// that event; "Export report…" saves the report `eventscope-cli --format json audit` prints (or its text form).
class AuditPanel final : public QWidget
{
    Q_OBJECT
public:
    enum class Scope { Store, SelectedStream };

    AuditPanel(ConnectionOptions options, StoreLayout layout, QWidget *parent = nullptr);
    ~AuditPanel() override;

    // The stream open in the events pane, for the "selected stream" scope ($all or empty: none).
    void setSelectedStream(const QByteArray &stream);
    void setScope(Scope scope);
    Scope scope() const;

    void run();
    void cancel();
    bool isRunning() const;
    // Copies the last finished run's report (JSON Lines, or the text form) to path, off the GUI thread, with
    // QSaveFile (no half-written file under that name); reportExported tells how it went. False when there is no
    // report to save.
    bool exportReport(const QString &path, bool json);

    QString summaryText() const;
    QString progressText() const;
    AuditFindingsModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    BackgroundAuditor *auditor() const { return m_auditor; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *exportButton() const { return m_export; }
    QCheckBox *jsonPayloadsBox() const { return m_jsonPayloads; }

Q_SIGNALS:
    // A finding's event: its stream at its version, or $all at the id's number where it names no stream (the
    // window's openCommit).
    void openRequested(const QByteArray &stream, qint64 version, qint64 number);
    void finished(const Eventscope::AuditSummary &summary);
    void reportExported(bool ok, const QString &message);

private:
    void onFindings(const QList<Eventscope::AuditFinding> &batch);
    void onProgress(qint64 done, qint64 total);
    void onFinished(const Eventscope::AuditSummary &summary);
    void onActivated(const QModelIndex &index);
    void chooseExportFile();
    void setRunning(bool running);

    StoreLayout m_layout;
    BackgroundAuditor *m_auditor = nullptr;
    AuditFindingsModel *m_model = nullptr;
    QByteArray m_selectedStream;
    QByteArray m_runStream; // the stream of the running or last run; empty: the whole store
    Auditor::Phase m_phase = Auditor::Phase::Idle;
    bool m_hasReport = false;
    bool m_exporting = false;

    QComboBox *m_scope = nullptr;
    QCheckBox *m_jsonPayloads = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_export = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressLabel = nullptr;
    QLabel *m_summary = nullptr;
    QTreeView *m_view = nullptr;
};

} // namespace Eventscope
