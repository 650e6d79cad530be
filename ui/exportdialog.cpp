#include "exportdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpressionValidator>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QtMath>

namespace Eventscope {

namespace {

// The progress bar's int range cannot hold a long stream's count; it shows per mille instead.
constexpr int ProgressScale = 1000;

QString extensionOf(Exporter::Format format)
{
    return format == Exporter::Format::Csv ? QStringLiteral(".csv") : QStringLiteral(".jsonl");
}

// A file name from a stream name: streams are named after aggregates ("customer-42"), but may hold anything.
QString fileNameFor(const QByteArray &stream)
{
    QString name = QString::fromUtf8(stream);
    for (QChar &c : name) {
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_') && c != QLatin1Char('.'))
            c = QLatin1Char('_');
    }
    while (name.startsWith(QLatin1Char('_')) || name.startsWith(QLatin1Char('.')))
        name.remove(0, 1);
    return name.isEmpty() ? QStringLiteral("events") : name;
}

QLineEdit *makeVersionEdit(const QString &objectName, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,18}")), edit));
    edit->setAlignment(Qt::AlignRight);
    edit->setMaximumWidth(edit->fontMetrics().horizontalAdvance(QStringLiteral("0000000000000")));
    return edit;
}

} // namespace

ExportDialog::ExportDialog(RedisConnection *connection, StoreLayout layout, QByteArray stream, qint64 streamLength,
                           std::optional<Range> initialRange, QWidget *parent)
    : QDialog(parent)
    , m_layout(std::move(layout))
    , m_stream(std::move(stream))
    , m_streamLength(qMax<qint64>(0, streamLength))
    , m_exporter(new Exporter(connection, this))
{
    setWindowTitle(tr("Export %1").arg(QString::fromUtf8(m_stream)));
    buildUi(initialRange);
    connect(m_exporter, &Exporter::progress, this, &ExportDialog::onProgress);
    connect(m_exporter, &Exporter::finished, this, &ExportDialog::onFinished);
    connect(m_exporter, &Exporter::failed, this, &ExportDialog::onFailed);
    connect(m_exporter, &Exporter::cancelled, this, &ExportDialog::onCancelled);
}

void ExportDialog::buildUi(std::optional<Range> initialRange)
{
    const QLocale locale;
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    m_streamLabel = new QLabel(this);
    m_streamLabel->setObjectName(QStringLiteral("streamLabel"));
    m_streamLabel->setTextFormat(Qt::PlainText); // a stream name is data, never markup
    m_streamLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_streamLabel->setText(QString::fromUtf8(m_stream));
    QFont bold = m_streamLabel->font();
    bold.setBold(true);
    m_streamLabel->setFont(bold);
    form->addRow(tr("Stream:"), m_streamLabel);

    m_all = new QRadioButton(tr("All versions (%1)").arg(locale.toString(m_streamLength)), this);
    m_all->setObjectName(QStringLiteral("allVersions"));
    m_range = new QRadioButton(tr("From"), this);
    m_range->setObjectName(QStringLiteral("versionRange"));
    m_from = makeVersionEdit(QStringLiteral("fromVersion"), this);
    m_to = makeVersionEdit(QStringLiteral("toVersion"), this);
    m_to->setPlaceholderText(tr("the end"));
    auto *rangeRow = new QHBoxLayout;
    rangeRow->addWidget(m_range);
    rangeRow->addWidget(m_from);
    rangeRow->addWidget(new QLabel(tr("to"), this));
    rangeRow->addWidget(m_to);
    rangeRow->addStretch();
    auto *versions = new QVBoxLayout;
    versions->addWidget(m_all);
    versions->addLayout(rangeRow);
    form->addRow(tr("Versions:"), versions);
    // Typing a version means a range.
    for (QLineEdit *edit : {m_from, m_to})
        connect(edit, &QLineEdit::textEdited, this, [this] { m_range->setChecked(true); });
    if (initialRange) {
        m_range->setChecked(true);
        m_from->setText(QString::number(qMax<qint64>(1, initialRange->from)));
        m_to->setText(QString::number(initialRange->to < 0 ? m_streamLength : initialRange->to));
    } else {
        m_all->setChecked(true);
        m_from->setText(QStringLiteral("1"));
        m_to->setText(QString::number(m_streamLength));
    }

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("format"));
    m_format->addItem(tr("JSON Lines (.jsonl): one object per commit"), int(Exporter::Format::JsonLines));
    m_format->addItem(tr("CSV (.csv): one row per commit, with type and timestamp"), int(Exporter::Format::Csv));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
    form->addRow(tr("Format:"), m_format);

    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("path"));
    m_path->setText(QDir(defaultFolder()).filePath(fileNameFor(m_stream) + extensionOf(chosenFormat())));
    m_path->setMinimumWidth(m_path->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 48);
    connect(m_path, &QLineEdit::editingFinished, this, &ExportDialog::onPathEdited);
    m_browse = new QPushButton(tr("Browse…"), this);
    m_browse->setObjectName(QStringLiteral("browse"));
    m_browse->setAutoDefault(false);
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    form->addRow(tr("File:"), pathRow);

    m_progressRow = new QWidget(this);
    auto *progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progress = new QProgressBar(m_progressRow);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, ProgressScale);
    m_cancelButton = new QPushButton(tr("Cancel"), m_progressRow);
    m_cancelButton->setObjectName(QStringLiteral("cancelExport"));
    m_cancelButton->setAutoDefault(false);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        m_cancelButton->setEnabled(false);
        showStatus(tr("Cancelling…"));
        m_exporter->cancel();
    });
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancelButton);
    m_progressRow->hide();

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A red that stays legible on the palette's window colour, light or dark.
    QPalette errorPalette = m_error->palette();
    const bool dark = errorPalette.color(QPalette::Window).lightness() < 128;
    errorPalette.setColor(QPalette::WindowText, dark ? QColor(255, 120, 120) : QColor(176, 0, 32));
    m_error->setPalette(errorPalette);
    m_error->hide();

    auto *buttons = new QDialogButtonBox(this);
    m_exportButton = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("export"));
    m_exportButton->setDefault(true);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    // Accepting would close the dialog; Export starts the export and the dialog stays to show it.
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::startExport);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addSpacing(6);
    layout->addWidget(m_progressRow);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addStretch();
    layout->addWidget(buttons);
}

QString ExportDialog::defaultFolder() const
{
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return documents.isEmpty() ? QDir::homePath() : documents;
}

Exporter::Format ExportDialog::chosenFormat() const
{
    return Exporter::Format(m_format->currentData().toInt());
}

QString ExportDialog::chosenPath() const
{
    const QString text = m_path->text().trimmed();
    if (text.isEmpty())
        return {};
    return QDir::cleanPath(QDir(defaultFolder()).absoluteFilePath(text));
}

QString ExportDialog::statusText() const
{
    return m_status->text();
}

QString ExportDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

std::optional<ExportDialog::Range> ExportDialog::validatedRange()
{
    if (m_all->isChecked())
        return Range{1, -1};
    bool ok = false;
    const qint64 from = m_from->text().toLongLong(&ok);
    if (!ok || from < 1) {
        showError(tr("The first version must be a number from 1."));
        m_from->setFocus();
        return std::nullopt;
    }
    if (m_to->text().isEmpty())
        return Range{from, -1};
    const qint64 to = m_to->text().toLongLong(&ok);
    if (!ok || to < from) {
        showError(tr("The last version must be a number no smaller than the first (%1).").arg(from));
        m_to->setFocus();
        return std::nullopt;
    }
    return Range{from, to};
}

void ExportDialog::startExport()
{
    if (m_exporter->isRunning())
        return;
    showError(QString());
    const std::optional<Range> range = validatedRange();
    if (!range)
        return;
    const QString path = chosenPath();
    if (path.isEmpty()) {
        showError(tr("Choose a file to export to."));
        m_path->setFocus();
        return;
    }
    if (QFileInfo(path).isDir()) {
        showError(tr("%1 is a folder; choose a file name in it.").arg(QDir::toNativeSeparators(path)));
        m_path->setFocus();
        return;
    }
    m_exportPath = path;
    m_closeWhenStopped = false;
    setRunning(true);
    m_progress->setRange(0, 0); // busy until the stream's length is known
    m_progressRow->show();
    showStatus(tr("Starting…"));
    m_clock.start();
    m_exporter->start(m_stream, range->from, range->to, chosenFormat(), path, m_layout);
}

void ExportDialog::reject()
{
    if (m_exporter->isRunning()) {
        m_closeWhenStopped = true;
        m_cancelButton->setEnabled(false);
        showStatus(tr("Cancelling…"));
        m_exporter->cancel();
        return;
    }
    QDialog::reject();
}

void ExportDialog::browse()
{
    const bool csv = chosenFormat() == Exporter::Format::Csv;
    const QString jsonFilter = tr("JSON Lines (*.jsonl)");
    const QString csvFilter = tr("CSV (*.csv)");
    QString selectedFilter = csv ? csvFilter : jsonFilter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), chosenPath(),
                                                      jsonFilter + QStringLiteral(";;") + csvFilter, &selectedFilter);
    if (path.isEmpty())
        return;
    m_path->setText(QDir::toNativeSeparators(path));
    // The file dialog has already asked about replacing an existing file.
    showStatus(QString());
    if (selectedFilter == csvFilter && !csv)
        m_format->setCurrentIndex(m_format->findData(int(Exporter::Format::Csv)));
    else if (selectedFilter == jsonFilter && csv)
        m_format->setCurrentIndex(m_format->findData(int(Exporter::Format::JsonLines)));
}

void ExportDialog::onFormatChanged()
{
    // Keep the extension in step with the format, unless the user chose another one.
    QString path = m_path->text();
    for (const QString &old : {extensionOf(Exporter::Format::JsonLines), extensionOf(Exporter::Format::Csv)}) {
        if (path.endsWith(old, Qt::CaseInsensitive)) {
            path.chop(old.size());
            m_path->setText(path + extensionOf(chosenFormat()));
            return;
        }
    }
}

void ExportDialog::onPathEdited()
{
    const QString path = chosenPath();
    if (!path.isEmpty() && QFileInfo(path).isFile())
        showStatus(tr("%1 exists; exporting replaces it.").arg(QDir::toNativeSeparators(path)));
    else if (!m_exporter->isRunning())
        showStatus(QString());
}

void ExportDialog::onProgress(qint64 records, qint64 total)
{
    const QLocale locale;
    const double seconds = m_clock.elapsed() / 1000.0;
    const double rate = seconds > 0 ? records / seconds : 0;
    QString text;
    if (total >= 0) {
        m_progress->setRange(0, ProgressScale);
        m_progress->setValue(total > 0 ? int(records * ProgressScale / total) : ProgressScale);
        text = tr("%1 of %2 records").arg(locale.toString(records), locale.toString(total));
    } else {
        text = tr("%1 records").arg(locale.toString(records));
    }
    if (records > 0) {
        text += QStringLiteral(" · ") + tr("%1 records/s").arg(locale.toString(qRound64(rate)));
        if (total > records && rate > 0 && seconds >= 1) {
            const qint64 left = qCeil((total - records) / rate);
            text += QStringLiteral(" · ")
                    + (left < 60 ? tr("about %1 s left").arg(left) : tr("about %1 min left").arg((left + 59) / 60));
        }
    }
    showStatus(text);
}

void ExportDialog::onFinished(qint64 records, qint64 bytes)
{
    const QLocale locale;
    setRunning(false);
    m_progress->setRange(0, ProgressScale);
    m_progress->setValue(ProgressScale);
    showStatus(tr("Exported %1 records (%2) to %3 in %4 s.")
                   .arg(locale.toString(records), locale.formattedDataSize(bytes),
                        QDir::toNativeSeparators(m_exportPath), locale.toString(m_clock.elapsed() / 1000.0, 'f', 1)));
    if (m_closeWhenStopped)
        QDialog::accept(); // closed during the export, which completed anyway
}

void ExportDialog::onFailed(const QString &message)
{
    setRunning(false);
    m_progressRow->hide();
    showStatus(QString());
    showError(tr("The export failed: %1. No file was written.").arg(message));
    if (m_closeWhenStopped)
        QDialog::reject();
}

void ExportDialog::onCancelled()
{
    setRunning(false);
    m_progressRow->hide();
    showStatus(tr("Export cancelled; no file was written."));
    if (m_closeWhenStopped)
        QDialog::reject();
}

void ExportDialog::setRunning(bool running)
{
    for (QWidget *input : std::initializer_list<QWidget *>{m_all, m_range, m_from, m_to, m_format, m_path, m_browse})
        input->setEnabled(!running);
    m_exportButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    m_cancelButton->setVisible(running);
}

void ExportDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ExportDialog::showStatus(const QString &message)
{
    m_status->setText(message);
    m_status->setVisible(!message.isEmpty());
}

} // namespace Eventscope
