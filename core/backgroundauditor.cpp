#include "backgroundauditor.h"

#include "auditreport.h"
#include "redisconnection.h"

#include <QFile>

#include <memory>

namespace Eventscope {

namespace {

// The report files of one run, written on the audit thread.
struct Spool
{
    QFile json;
    QFile text;
    QString error;

    void write(QFile &file, const QByteArray &bytes)
    {
        if (error.isEmpty() && file.write(bytes) != bytes.size())
            error = file.fileName() + QStringLiteral(": ") + file.errorString();
    }
};

// The audit sends read commands only: the guard stays on whatever the profile allows.
ConnectionOptions readOnly(ConnectionOptions options)
{
    options.readOnly = true;
    return options;
}

} // namespace

BackgroundAuditor::BackgroundAuditor(ConnectionOptions options, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_worker(readOnly(std::move(options)), QStringLiteral("audit"),
               [this, &layout](RedisConnection *connection, QObject *context) {
                   m_auditor = new Auditor(connection, std::move(layout), context);
               })
{}

BackgroundAuditor::~BackgroundAuditor()
{
    m_worker.stop(); // before the spool directory and the members its queued work uses go
}

void BackgroundAuditor::start(const AuditOptions &options)
{
    const quint64 generation = ++m_generation;
    m_running = true;
    // The previous run's report goes (an export still copying it keeps reading its open file).
    if (!m_spoolBase.isEmpty()) {
        QFile::remove(m_spoolBase + QStringLiteral(".jsonl"));
        QFile::remove(m_spoolBase + QStringLiteral(".txt"));
    }
    m_jsonReport.clear();
    m_textReport.clear();
    m_reportError.clear();
    const QString base
        = m_spoolDir.isValid() ? m_spoolDir.filePath(QStringLiteral("audit-%1").arg(generation)) : QString();
    m_spoolBase = base;
    // The auditor's signals are connected anew for each run, carrying its generation, so that whatever an earlier
    // run left in this thread's event queue is recognised and dropped.
    m_worker.run([this, options, generation, base](RedisConnection *, QObject *worker) {
        m_auditor->disconnect(this);
        m_auditor->disconnect(worker);
        m_auditor->cancel(); // a run in progress: its replies are dropped by the auditor
        auto spool = std::make_shared<Spool>();
        if (base.isEmpty()) {
            spool->error = tr("no temporary directory for the report");
        } else {
            spool->json.setFileName(base + QStringLiteral(".jsonl"));
            spool->text.setFileName(base + QStringLiteral(".txt"));
            if (!spool->json.open(QIODevice::WriteOnly | QIODevice::Truncate))
                spool->error = spool->json.fileName() + QStringLiteral(": ") + spool->json.errorString();
            else if (!spool->text.open(QIODevice::WriteOnly | QIODevice::Truncate))
                spool->error = spool->text.fileName() + QStringLiteral(": ") + spool->text.errorString();
        }
        connect(m_auditor, &Auditor::phaseChanged, this, [this, generation](Auditor::Phase phase) {
            if (generation == m_generation)
                Q_EMIT phaseChanged(phase);
        });
        connect(m_auditor, &Auditor::progress, this, [this, generation](qint64 done, qint64 total) {
            if (generation == m_generation)
                Q_EMIT progress(done, total);
        });
        // Spooled here, on the audit thread: the GUI thread never writes the report as it grows.
        connect(m_auditor, &Auditor::findings, worker, [spool](const QList<AuditFinding> &batch) {
            QByteArray json;
            QByteArray text;
            for (const AuditFinding &finding : batch) {
                appendAuditFinding(json, finding, true);
                appendAuditFinding(text, finding, false);
            }
            spool->write(spool->json, json);
            spool->write(spool->text, text);
        });
        connect(m_auditor, &Auditor::findings, this, [this, generation](const QList<AuditFinding> &batch) {
            if (generation == m_generation)
                Q_EMIT findings(batch);
        });
        connect(m_auditor, &Auditor::finished, worker, [this, spool, generation](const AuditSummary &summary) {
            spool->write(spool->json, auditSummaryText(summary, true));
            spool->write(spool->text, auditSummaryText(summary, false));
            if (spool->error.isEmpty() && !spool->json.flush())
                spool->error = spool->json.errorString();
            if (spool->error.isEmpty() && !spool->text.flush())
                spool->error = spool->text.errorString();
            spool->json.close();
            spool->text.close();
            const QString error = spool->error;
            const QString json = error.isEmpty() ? spool->json.fileName() : QString();
            const QString text = error.isEmpty() ? spool->text.fileName() : QString();
            QMetaObject::invokeMethod(this, [this, generation, summary, error, json, text] {
                if (generation != m_generation)
                    return;
                m_running = false;
                m_jsonReport = json;
                m_textReport = text;
                m_reportError = error;
                Q_EMIT finished(summary);
            });
        });
        connect(m_auditor, &Auditor::failed, this, [this, generation](const QString &message) {
            if (generation != m_generation)
                return;
            m_running = false;
            Q_EMIT failed(message);
        });
        m_auditor->start(options);
    });
}

void BackgroundAuditor::cancel()
{
    if (!m_running)
        return;
    ++m_generation;
    m_running = false;
    QMetaObject::invokeMethod(m_worker.context(), [this] { m_auditor->cancel(); });
    Q_EMIT cancelled();
}

} // namespace Eventscope
