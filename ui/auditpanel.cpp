#include "auditpanel.h"

#include "auditfindingsmodel.h"
#include "backgroundauditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace Eventscope {

namespace {

// Copies a spooled report; returns an error message, empty when done.
QString copyReport(const QString &from, const QString &to)
{
    QFile source(from);
    if (!source.open(QIODevice::ReadOnly))
        return QObject::tr("cannot read the report %1: %2").arg(from, source.errorString());
    QSaveFile target(to);
    if (!target.open(QIODevice::WriteOnly))
        return QObject::tr("cannot write %1: %2").arg(to, target.errorString());
    QByteArray chunk;
    while (!(chunk = source.read(1 << 20)).isEmpty()) {
        if (target.write(chunk) != chunk.size())
            return QObject::tr("cannot write %1: %2").arg(to, target.errorString());
    }
    if (source.error() != QFileDevice::NoError)
        return QObject::tr("cannot read the report %1: %2").arg(from, source.errorString());
    if (!target.commit())
        return QObject::tr("cannot write %1: %2").arg(to, target.errorString());
    return {};
}

QString number(qint64 value)
{
    return QLocale().toString(value);
}

QString findingsText(qint64 count)
{
    return count == 1 ? QObject::tr("1 finding") : QObject::tr("%1 findings").arg(number(count));
}

} // namespace

AuditPanel::AuditPanel(ConnectionOptions options, StoreLayout layout, QWidget *parent)
    : QWidget(parent)
    , m_layout(std::move(layout))
{
    m_auditor = new BackgroundAuditor(std::move(options), m_layout, this);
    m_model = new AuditFindingsModel(AuditFindingsModel::DefaultMaxPerCheck, this);

    m_scope = new QComboBox;
    m_scope->setObjectName(QStringLiteral("auditScope"));
    m_scope->addItem(tr("Whole store"));
    m_scope->addItem(tr("Selected stream"));
    m_jsonPayloads = new QCheckBox(tr("Payloads must be JSON"));
    m_jsonPayloads->setToolTip(tr("Report every payload that is not JSON (bad-payload). The zilverline layout "
                                  "promises a JSON commit record; the seed layout allows any bytes."));
    m_jsonPayloads->setChecked(m_layout.kind == StoreLayout::Kind::Zilverline);
    m_run = new QPushButton(tr("Run"));
    m_run->setObjectName(QStringLiteral("auditRun"));
    m_run->setToolTip(tr("Audit with read commands only, on a connection of its own"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("auditCancel"));
    m_export = new QPushButton(tr("Export report…"));
    m_export->setObjectName(QStringLiteral("auditExport"));
    m_export->setToolTip(tr("Save every finding and the summary, as `eventscope-cli --format json audit` prints "
                            "them (JSON Lines), or as text"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Scope:")));
    bar->addWidget(m_scope);
    bar->addWidget(m_jsonPayloads);
    bar->addStretch(1);
    bar->addWidget(m_run);
    bar->addWidget(m_cancel);
    bar->addWidget(m_export);

    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_progressLabel = new QLabel;
    m_progressLabel->setObjectName(QStringLiteral("auditProgress"));
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_progressLabel, 2);

    m_summary = new QLabel(tr("Not run yet. The audit reads every stream and commit; it never writes."));
    m_summary->setObjectName(QStringLiteral("auditSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_view = new QTreeView;
    m_view->setObjectName(QStringLiteral("auditFindings"));
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true); // up to DefaultMaxPerCheck rows per check
    m_view->setAlternatingRowColors(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setExpandsOnDoubleClick(true);
    auto *header = m_view->header();
    header->setStretchLastSection(true);
    const int digit = m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(AuditFindingsModel::WhereColumn, digit * 30);
    header->resizeSection(AuditFindingsModel::VersionColumn, digit * 9);
    header->resizeSection(AuditFindingsModel::IdColumn, digit * 12);

    auto *box = new QVBoxLayout(this);
    box->setContentsMargins(4, 4, 4, 4);
    box->addLayout(bar);
    box->addLayout(progressRow);
    box->addWidget(m_summary);
    box->addWidget(m_view, 1);

    connect(m_run, &QPushButton::clicked, this, &AuditPanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &AuditPanel::cancel);
    connect(m_export, &QPushButton::clicked, this, &AuditPanel::chooseExportFile);
    connect(m_view, &QTreeView::activated, this, &AuditPanel::onActivated);
    // A group shows its findings as soon as it appears.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent, int first, int last) {
        if (parent.isValid())
            return;
        for (int row = first; row <= last; ++row)
            m_view->expand(m_model->index(row, 0));
    });

    connect(m_auditor, &BackgroundAuditor::findings, this, &AuditPanel::onFindings);
    connect(m_auditor, &BackgroundAuditor::progress, this, &AuditPanel::onProgress);
    connect(m_auditor, &BackgroundAuditor::phaseChanged, this, [this](Auditor::Phase phase) {
        m_phase = phase;
        onProgress(-1, -1);
    });
    connect(m_auditor, &BackgroundAuditor::finished, this, &AuditPanel::onFinished);
    connect(m_auditor, &BackgroundAuditor::failed, this, [this](const QString &message) {
        setRunning(false);
        m_progressLabel->setText(tr("Failed"));
        m_summary->setText(tr("The audit failed: %1").arg(message));
    });
    connect(m_auditor, &BackgroundAuditor::cancelled, this, [this] {
        setRunning(false);
        m_progressLabel->setText(tr("Cancelled"));
        m_summary->setText(tr("Cancelled after %1; the audit did not finish, so this is no verdict.")
                               .arg(findingsText(m_model->totalFound())));
    });
    setSelectedStream({});
    setRunning(false);
}

AuditPanel::~AuditPanel() = default;

void AuditPanel::setSelectedStream(const QByteArray &stream)
{
    m_selectedStream = stream == AllStreamName ? QByteArray() : stream;
    m_scope->setItemText(1, m_selectedStream.isEmpty() ? tr("Selected stream (none)")
                                                       : tr("Stream %1").arg(QString::fromUtf8(m_selectedStream)));
    if (m_selectedStream.isEmpty())
        m_scope->setCurrentIndex(0);
}

void AuditPanel::setScope(Scope scope)
{
    m_scope->setCurrentIndex(scope == Scope::SelectedStream && !m_selectedStream.isEmpty() ? 1 : 0);
}

AuditPanel::Scope AuditPanel::scope() const
{
    return m_scope->currentIndex() == 1 ? Scope::SelectedStream : Scope::Store;
}

bool AuditPanel::isRunning() const
{
    return m_auditor->isRunning();
}

void AuditPanel::run()
{
    if (isRunning())
        return;
    AuditOptions options;
    if (scope() == Scope::SelectedStream)
        options.stream = m_selectedStream;
    options.jsonPayloads = m_jsonPayloads->isChecked();
    m_runStream = options.stream;
    m_hasReport = false;
    m_phase = Auditor::Phase::Idle;
    m_model->clear();
    m_progress->setValue(0);
    m_summary->setText(m_runStream.isEmpty() ? tr("Auditing the whole store…")
                                             : tr("Auditing stream %1…").arg(QString::fromUtf8(m_runStream)));
    m_progressLabel->setText(tr("Connecting…"));
    m_auditor->start(options);
    setRunning(true);
}

void AuditPanel::cancel()
{
    m_auditor->cancel();
}

void AuditPanel::setRunning(bool running)
{
    m_run->setEnabled(!running && !m_exporting);
    m_cancel->setEnabled(running);
    m_scope->setEnabled(!running);
    m_jsonPayloads->setEnabled(!running);
    m_export->setEnabled(!running && m_hasReport && !m_exporting);
}

void AuditPanel::onFindings(const QList<AuditFinding> &batch)
{
    m_model->addFindings(batch);
}

void AuditPanel::onProgress(qint64 done, qint64 total)
{
    if (total > 0)
        m_progress->setValue(int(1000 * qMin(done, total) / total));
    QString phase;
    switch (m_phase) {
    case Auditor::Phase::Streams:
        phase = tr("Reading streams");
        break;
    case Auditor::Phase::Commits:
        phase = tr("Reading commits");
        break;
    case Auditor::Phase::Leftovers:
        phase = tr("Looking for hash fields beyond HLEN");
        break;
    case Auditor::Phase::Idle:
        return;
    }
    if (total >= 0)
        m_progressLabel->setText(tr("%1 · %2 of %3 references and commits read · %4")
                                     .arg(phase, number(done), number(total), findingsText(m_model->totalFound())));
    else
        m_progressLabel->setText(tr("%1…").arg(phase));
}

void AuditPanel::onFinished(const AuditSummary &summary)
{
    m_model->setSummary(summary);
    m_hasReport = !m_auditor->reportPath(true).isEmpty();
    setRunning(false);
    m_progress->setValue(1000);
    m_progressLabel->setText(tr("Done"));
    const QString where
        = m_runStream.isEmpty() ? tr("the whole store") : tr("stream %1").arg(QString::fromUtf8(m_runStream));
    const QString sizes = tr("%1 commits, %2 streams, %3 references")
                              .arg(number(summary.commits), number(summary.streams), number(summary.references));
    QString text;
    if (summary.total() == 0) {
        text = tr("clean: nothing found in %1 (%2)").arg(where, sizes);
    } else {
        QStringList counts;
        for (int i = 0; i < AuditCheckCount; ++i) {
            if (summary.counts[size_t(i)])
                counts << QStringLiteral("%1 %2").arg(QLatin1String(auditCheckName(AuditCheck(i))),
                                                      number(summary.counts[size_t(i)]));
        }
        text = tr("%1 in %2 (%3): %4")
                   .arg(findingsText(summary.total()), where, sizes, counts.join(QStringLiteral(", ")));
        if (m_model->dropped() > 0)
            text += tr(" · %1 not listed here (at most %2 kept per check); the exported report has them all")
                        .arg(number(m_model->dropped()), number(m_model->maxPerCheck()));
    }
    if (!m_auditor->reportError().isEmpty())
        text += tr(" · the report could not be spooled for export: %1").arg(m_auditor->reportError());
    m_summary->setText(text);
    Q_EMIT finished(summary);
}

void AuditPanel::onActivated(const QModelIndex &index)
{
    const AuditFinding *finding = m_model->finding(index);
    if (!finding)
        return;
    if (!finding->stream.isEmpty()) {
        // Not-a-stream lists have no version: open them at their first entry, to show what they hold.
        Q_EMIT openRequested(finding->stream, qMax<qint64>(1, finding->version), 0);
        return;
    }
    const std::optional<qint64> number = finding->id.isEmpty() ? std::nullopt : m_layout.idNumber(finding->id);
    if (number && *number > 0)
        Q_EMIT openRequested({}, 0, *number);
    else
        m_progressLabel->setText(
            finding->id.isEmpty()
                ? tr("%1 names no event to open").arg(QLatin1String(auditCheckName(finding->check)))
                : tr("%1 is not of this layout's id form: no event to open").arg(QString::fromUtf8(finding->id)));
}

bool AuditPanel::exportReport(const QString &path, bool json)
{
    const QString source = m_auditor->reportPath(json);
    if (!m_hasReport || source.isEmpty() || m_exporting || isRunning())
        return false;
    m_exporting = true;
    setRunning(false);
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        m_exporting = false;
        setRunning(isRunning());
        const QString error = watcher->result();
        m_progressLabel->setText(error.isEmpty() ? tr("Report saved to %1").arg(QDir::toNativeSeparators(path))
                                                 : error);
        Q_EMIT reportExported(error.isEmpty(), error.isEmpty() ? path : error);
    });
    watcher->setFuture(QtConcurrent::run([source, path] { return copyReport(source, path); }));
    return true;
}

void AuditPanel::chooseExportFile()
{
    const QString json = tr("JSON Lines, as eventscope-cli --format json audit (*.jsonl)");
    const QString text = tr("Text, as eventscope-cli audit (*.txt)");
    QString filter = json;
    const QString suggested = QDir::home().filePath(
        QStringLiteral("audit-%1.jsonl").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export audit report"), suggested,
                                                      json + QStringLiteral(";;") + text, &filter);
    if (path.isEmpty())
        return;
    exportReport(path, !(filter == text || path.endsWith(QLatin1String(".txt"), Qt::CaseInsensitive)));
}

QString AuditPanel::summaryText() const
{
    return m_summary->text();
}

QString AuditPanel::progressText() const
{
    return m_progressLabel->text();
}

} // namespace Eventscope
