#include "sealedexportdialog.h"

#include "eventpagemodel.h"
#include "mainwindow.h"
#include "redisconnection.h"
#include "streamscopeedit.h"
#include "trafficmeter.h"
#include "workerconnection.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <QtConcurrent>
#include <memory>

namespace Eventscope {

namespace {

constexpr int ProgressScale = 1000;

QLabel *makeErrorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QStringLiteral("error"));
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A red that stays legible on the palette's window colour, light or dark.
    QPalette palette = label->palette();
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    palette.setColor(QPalette::WindowText, dark ? QColor(255, 120, 120) : QColor(176, 0, 32));
    label->setPalette(palette);
    label->hide();
    return label;
}

QLabel *makeTextLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText); // ids and paths are data, never markup
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString documentsFolder()
{
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return documents.isEmpty() ? QDir::homePath() : documents;
}

} // namespace

SealedExportSummary readSealedExportSummary(const QString &directory)
{
    SealedExportSummary summary;
    QFile file(QDir(directory).filePath(QLatin1String(SealedExport::ManifestFile)));
    if (!file.open(QIODevice::ReadOnly)) {
        summary.error = QCoreApplication::translate("SealedExportDialog", "cannot read %1: %2")
                            .arg(file.fileName(), file.errorString());
        return summary;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        summary.error = QCoreApplication::translate("SealedExportDialog", "%1 is not a JSON object: %2")
                            .arg(file.fileName(), parseError.errorString());
        return summary;
    }
    const QJsonObject manifest = document.object();
    summary.ok = true;
    summary.records = manifest.value(QLatin1String("records")).toInteger();
    summary.firstId = manifest.value(QLatin1String("firstId")).toString();
    summary.lastId = manifest.value(QLatin1String("lastId")).toString();
    summary.finalChain = manifest.value(QLatin1String("chain")).toObject().value(QLatin1String("final")).toString();
    const QJsonArray streams = manifest.value(QLatin1String("streams")).toArray();
    for (const QJsonValue &stream : streams)
        summary.streams.append(stream.toObject().value(QLatin1String("stream")).toString());
    return summary;
}

SealedExportDialog::SealedExportDialog(ConnectionOptions options, StoreLayout layout, const QByteArray &selectedStream,
                                       QWidget *parent)
    : QDialog(parent)
    , m_layout(std::move(layout))
    , m_worker(std::make_unique<WorkerConnection>(std::move(options), QStringLiteral("sealed-export")))
{
    setWindowTitle(tr("Sealed export"));
    buildUi();
    m_scope->setSelectedStream(selectedStream);
    if (selectedStream.isEmpty())
        m_scope->setScope(StreamScopeEdit::Scope::All);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    m_directory->setText(QDir(documentsFolder()).filePath(QStringLiteral("eventscope-sealed-") + stamp));
}

const RedisConnection *SealedExportDialog::workerConnection() const
{
    return m_worker ? m_worker->connection() : nullptr;
}

SealedExportDialog::~SealedExportDialog()
{
    // Stop the thread first: nothing it runs may post to a dialog that is going away. An export still running is
    // deleted there, which removes its partial files.
    ++m_generation;
    m_worker.reset();
}

void SealedExportDialog::buildUi()
{
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_scope = new StreamScopeEdit(this);
    form->addRow(tr("Export:"), m_scope);
    m_directory = new QLineEdit(this);
    m_directory->setObjectName(QStringLiteral("directory"));
    m_directory->setMinimumWidth(m_directory->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 56);
    m_browse = new QPushButton(tr("Browse…"), this);
    m_browse->setObjectName(QStringLiteral("browse"));
    m_browse->setAutoDefault(false);
    connect(m_browse, &QPushButton::clicked, this, &SealedExportDialog::browse);
    auto *directoryRow = new QHBoxLayout;
    directoryRow->addWidget(m_directory, 1);
    directoryRow->addWidget(m_browse);
    form->addRow(tr("To directory:"), directoryRow);

    auto *note = new QLabel(tr("Writes records.jsonl, chain.sha256 (a SHA-256 chain over the records) and "
                               "manifest.json. Keep the chain's final value apart from the export: it is what shows "
                               "the export unchanged later."),
                            this);
    note->setWordWrap(true);

    auto *progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, ProgressScale);
    m_progress->hide();
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelExport"));
    m_cancelButton->setAutoDefault(false);
    m_cancelButton->hide();
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        m_cancelButton->setEnabled(false);
        m_status->setText(tr("Cancelling…"));
        m_worker->run([this](RedisConnection *, QObject *) {
            if (m_exporter)
                m_exporter->cancel();
        });
    });
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelButton);

    m_status = makeTextLabel(QStringLiteral("status"), this);
    m_error = makeErrorLabel(this);
    m_summary = makeTextLabel(QStringLiteral("summary"), this);
    m_summary->hide();

    auto *buttons = new QDialogButtonBox(this);
    m_exportButton = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("export"));
    m_exportButton->setDefault(true);
    buttons->addButton(QDialogButtonBox::Close);
    // Accepting would close the dialog; Export starts the export and the dialog stays to show it.
    connect(buttons, &QDialogButtonBox::accepted, this, &SealedExportDialog::startExport);
    connect(buttons, &QDialogButtonBox::rejected, this, &SealedExportDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addSpacing(6);
    layout->addLayout(progressRow);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addWidget(m_summary);
    layout->addStretch();
    layout->addWidget(buttons);
}

void SealedExportDialog::browse()
{
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Export to directory"),
                                                                QFileInfo(m_directory->text()).absolutePath());
    if (!directory.isEmpty())
        m_directory->setText(QDir::toNativeSeparators(directory));
}

bool SealedExportDialog::startExport()
{
    if (m_running)
        return false;
    showError(QString());
    m_summary->hide();
    QString error;
    const std::optional<QList<QByteArray>> streams = m_scope->streams(&error);
    if (!streams) {
        showError(error);
        return false;
    }
    const QString text = m_directory->text().trimmed();
    if (text.isEmpty()) {
        showError(tr("Choose a directory to export to."));
        m_directory->setFocus();
        return false;
    }
    const QString directory = QDir::cleanPath(QDir(documentsFolder()).absoluteFilePath(text));
    if (QFileInfo(directory).exists() && !QFileInfo(directory).isDir()) {
        showError(tr("%1 is a file; choose a directory.").arg(QDir::toNativeSeparators(directory)));
        return false;
    }
    m_runningDirectory = directory;
    m_closeWhenStopped = false;
    setRunning(true);
    m_progress->setRange(0, 0); // busy until the lengths are known
    m_status->setText(tr("Exporting %1…").arg(StreamScopeEdit::describe(*streams)));
    const quint64 generation = ++m_generation;
    const QString tool = QStringLiteral("eventscope ") + QCoreApplication::applicationVersion();
    m_worker->run([this, generation, streams = *streams, directory, tool,
                   layout = m_layout](RedisConnection *connection, QObject *context) {
        // On the worker thread from here on: the exporter hashes and writes here.
        if (m_exporter)
            m_exporter->deleteLater();
        m_exporter = new SealedExporter(connection, layout, context);
        auto post = [this, generation](std::function<void()> work) {
            QMetaObject::invokeMethod(this, [this, generation, work = std::move(work)] {
                if (generation == m_generation)
                    work();
            });
        };
        connect(m_exporter, &SealedExporter::progress, context, [this, post](qint64 records, qint64 total) {
            post([this, records, total] { onProgress(records, total); });
        });
        connect(m_exporter, &SealedExporter::finished, context,
                [this, post, directory](qint64 records, const QByteArray &) {
                    // The manifest is small, but it is a file: read it here.
                    const SealedExportSummary summary = readSealedExportSummary(directory);
                    post([this, records, summary] { onFinished(records, summary); });
                });
        connect(m_exporter, &SealedExporter::failed, context,
                [this, post](const QString &message) { post([this, message] { onStopped(message); }); });
        connect(m_exporter, &SealedExporter::cancelled, context,
                [this, post] { post([this] { onStopped(QString()); }); });
        m_exporter->start(streams, directory, tool);
    });
    return true;
}

void SealedExportDialog::reject()
{
    if (m_running) {
        // Cancel, and close once the exporter has removed its files.
        m_closeWhenStopped = true;
        m_cancelButton->click();
        return;
    }
    QDialog::reject();
}

void SealedExportDialog::onProgress(qint64 records, qint64 total)
{
    const QLocale locale;
    if (total > 0) {
        m_progress->setRange(0, ProgressScale);
        m_progress->setValue(int(qMin(records, total) * ProgressScale / total));
        m_status->setText(tr("%1 of %2 records").arg(locale.toString(records), locale.toString(total)));
    } else {
        m_status->setText(tr("%1 records").arg(locale.toString(records)));
    }
}

void SealedExportDialog::onFinished(qint64 records, const SealedExportSummary &summary)
{
    const QLocale locale;
    setRunning(false);
    m_progress->setRange(0, ProgressScale);
    m_progress->setValue(ProgressScale);
    m_status->setText(
        tr("Exported %1 records to %2.").arg(locale.toString(records), QDir::toNativeSeparators(m_runningDirectory)));
    if (!summary.ok) {
        showError(tr("The export was written, but its manifest cannot be read back: %1").arg(summary.error));
    } else {
        const QString none = tr("(none)");
        m_summary->setText(tr("Manifest: %1 records from %2\nFirst id: %3\nLast id: %4\nChain head (SHA-256): %5")
                               .arg(locale.toString(summary.records), summary.streams.join(QStringLiteral(", ")),
                                    summary.firstId.isEmpty() ? none : summary.firstId,
                                    summary.lastId.isEmpty() ? none : summary.lastId, summary.finalChain));
        m_summary->show();
    }
    Q_EMIT exportFinished(records, m_runningDirectory);
    if (m_closeWhenStopped)
        QDialog::accept(); // closed during the export, which completed anyway
}

void SealedExportDialog::onStopped(const QString &error)
{
    setRunning(false);
    m_progress->hide();
    if (error.isEmpty()) {
        m_status->setText(tr("Export cancelled; no files were written."));
        Q_EMIT exportCancelled();
    } else {
        m_status->clear();
        showError(tr("The export failed: %1").arg(error));
        Q_EMIT exportFailed(error);
    }
    if (m_closeWhenStopped)
        QDialog::reject();
}

void SealedExportDialog::setRunning(bool running)
{
    m_running = running;
    for (QWidget *input : std::initializer_list<QWidget *>{m_scope, m_directory, m_browse, m_exportButton})
        input->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    m_cancelButton->setVisible(running);
    if (running)
        m_progress->show();
}

void SealedExportDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QString SealedExportDialog::statusText() const
{
    return m_status->text();
}

QString SealedExportDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString SealedExportDialog::summaryText() const
{
    return m_summary->isHidden() ? QString() : m_summary->text();
}

void SealedExportDialog::install(MainWindow *window, QMenu *menu)
{
    auto *exportAction = menu->addAction(QIcon(QStringLiteral(":/eventscope/icons/export.svg")), tr("Export &sealed…"));
    exportAction->setObjectName(QStringLiteral("sealedExportAction"));
    exportAction->setToolTip(tr("A tamper-evident export: JSON Lines, a SHA-256 chain and a manifest"));
    connect(exportAction, &QAction::triggered, window, [window] {
        auto *dialog = new SealedExportDialog(window->connection()->options(), window->storeLayout(),
                                              window->eventModel()->stream(), window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        // The export's reads count in the window's traffic meter, and stay counted once the dialog is gone (the
        // window's totals never go down).
        auto last = std::make_shared<TrafficTotals>();
        window->trafficMeter()->addSource([dialog = QPointer<SealedExportDialog>(dialog), last] {
            if (dialog && dialog->workerConnection())
                *last = TrafficMeter::sourceOf(dialog->workerConnection())();
            return *last;
        });
        dialog->open();
    });
    auto *verifyAction = menu->addAction(tr("&Verify export…"));
    verifyAction->setObjectName(QStringLiteral("verifyExportAction"));
    verifyAction->setToolTip(tr("Check a sealed export against its chain and manifest"));
    connect(verifyAction, &QAction::triggered, window, [window] {
        auto *dialog = new VerifyExportDialog(window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
}

VerifyExportDialog::VerifyExportDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Verify a sealed export"));
    m_directory = new QLineEdit(this);
    m_directory->setObjectName(QStringLiteral("directory"));
    m_directory->setMinimumWidth(m_directory->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 56);
    auto *browse = new QPushButton(tr("Browse…"), this);
    browse->setAutoDefault(false);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString directory = QFileDialog::getExistingDirectory(
            this, tr("Export to verify"), m_directory->text().isEmpty() ? documentsFolder() : m_directory->text());
        if (!directory.isEmpty())
            m_directory->setText(QDir::toNativeSeparators(directory));
    });
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Directory:"), this));
    row->addWidget(m_directory, 1);
    row->addWidget(browse);
    m_result = makeTextLabel(QStringLiteral("result"), this);
    auto *buttons = new QDialogButtonBox(this);
    m_verifyButton = buttons->addButton(tr("Verify"), QDialogButtonBox::AcceptRole);
    m_verifyButton->setObjectName(QStringLiteral("verify"));
    m_verifyButton->setDefault(true);
    buttons->addButton(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::accepted, this, &VerifyExportDialog::startVerify);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_result);
    layout->addStretch();
    layout->addWidget(buttons);
}

void VerifyExportDialog::setDirectory(const QString &directory)
{
    m_directory->setText(directory);
}

bool VerifyExportDialog::startVerify()
{
    if (m_running)
        return false;
    const QString directory = m_directory->text().trimmed();
    if (directory.isEmpty()) {
        m_result->setText(tr("Choose the directory of an export."));
        return false;
    }
    m_running = true;
    m_lastOk = false;
    m_verifyButton->setEnabled(false);
    m_result->setText(tr("Verifying %1…").arg(QDir::toNativeSeparators(directory)));
    // Hashing every record of a large export is worker-thread work.
    auto *watcher = new QFutureWatcher<VerifyResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        const VerifyResult result = watcher->result();
        m_running = false;
        m_lastOk = result.ok;
        m_verifyButton->setEnabled(true);
        const QLocale locale;
        if (result.ok)
            m_result->setText(tr("Verified: %1 records. Final chain value %2.")
                                  .arg(locale.toString(result.records), QString::fromLatin1(result.finalChain)));
        else if (result.badLine > 0)
            m_result->setText(tr("Record %1 (id %2) does not match: %3")
                                  .arg(locale.toString(result.badLine),
                                       result.badId.isEmpty() ? tr("unreadable") : QString::fromUtf8(result.badId),
                                       result.message));
        else
            m_result->setText(tr("Does not verify: %1").arg(result.message));
        Q_EMIT verified(result);
    });
    watcher->setFuture(QtConcurrent::run([directory] { return verifyExport(directory); }));
    return true;
}

QString VerifyExportDialog::resultText() const
{
    return m_result->text();
}

} // namespace Eventscope
