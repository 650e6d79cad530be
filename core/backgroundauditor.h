#pragma once

#include "auditor.h"
#include "connectionoptions.h"
#include "storelayout.h"
#include "workerconnection.h"

#include <QObject>
#include <QTemporaryDir>

namespace Eventscope {

class RedisConnection;

// An Auditor on a read-only connection and a thread of its own, for the GUI: a whole-store audit is a long chain of
// pipelined reads and payload checks that must not share the window's connection or its thread. The interface is
// the Auditor's; signals of a run that was cancelled or restarted are dropped before they reach the caller.
// Every finding is also spooled, as it comes, to a JSON Lines and a text report in a private temporary directory
// (the bytes `eventscope-cli audit` prints, see auditreport.h), so the whole report can be saved however few
// findings the caller keeps in memory.
class BackgroundAuditor final : public QObject
{
    Q_OBJECT
public:
    BackgroundAuditor(ConnectionOptions options, StoreLayout layout, QObject *parent = nullptr);
    ~BackgroundAuditor() override;

    // Starts a run (a run in progress is cancelled first, without a signal).
    void start(const AuditOptions &options = {});
    // Stops at once and emits cancelled(); nothing of the run arrives afterwards.
    void cancel();
    bool isRunning() const { return m_running; }
    // The complete report of the last finished run: a file that lives until the next start or this object's end.
    // Empty before a run finished, or when the spool could not be written (reportError() says why).
    QString reportPath(bool json) const { return json ? m_jsonReport : m_textReport; }
    QString reportError() const { return m_reportError; }
    // For traffic figures only: its counters are atomic; everything else belongs to the audit thread.
    const RedisConnection *connection() const { return m_worker.connection(); }

Q_SIGNALS:
    void phaseChanged(Eventscope::Auditor::Phase phase);
    void progress(qint64 done, qint64 total);
    void findings(const QList<Eventscope::AuditFinding> &batch);
    void finished(const Eventscope::AuditSummary &summary);
    void failed(const QString &message);
    void cancelled();

private:
    Auditor *m_auditor = nullptr; // lives on m_worker's thread; made there before the thread starts
    WorkerConnection m_worker;
    QTemporaryDir m_spoolDir;
    quint64 m_generation = 0;
    bool m_running = false;
    QString m_spoolBase; // the current run's report files, without extension
    QString m_jsonReport;
    QString m_textReport;
    QString m_reportError;
};

} // namespace Eventscope
