#pragma once

#include "exporter.h"
#include "storelayout.h"

#include <QDialog>
#include <QElapsedTimer>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace Eventscope {

class RedisConnection;

// Exports one stream, or a range of its versions, to a JSON Lines or CSV file through an Exporter: the dialog only
// collects the choices and shows progress, records per second and errors in words; reading and writing run
// without blocking the GUI thread. Closing it while an export runs cancels the export.
class ExportDialog final : public QDialog
{
    Q_OBJECT
public:
    struct Range
    {
        qint64 from = 1;
        qint64 to = -1; // -1: the end of the stream
    };

    ExportDialog(RedisConnection *connection, StoreLayout layout, QByteArray stream, qint64 streamLength,
                 std::optional<Range> initialRange = std::nullopt, QWidget *parent = nullptr);

    Exporter::Format chosenFormat() const;
    // The file's absolute path; a relative one is taken relative to the default folder.
    QString chosenPath() const;

    // Same as clicking Export.
    void startExport();

    // For tests and screenshots.
    Exporter *exporter() const { return m_exporter; }
    QLineEdit *pathEdit() const { return m_path; }
    QComboBox *formatBox() const { return m_format; }
    QRadioButton *allVersionsButton() const { return m_all; }
    QRadioButton *rangeButton() const { return m_range; }
    QLineEdit *fromEdit() const { return m_from; }
    QLineEdit *toEdit() const { return m_to; }
    QPushButton *exportButton() const { return m_exportButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QString statusText() const;
    QString errorText() const;

public Q_SLOTS:
    // Cancels a running export first; the dialog closes once the export has stopped.
    void reject() override;

private:
    void buildUi(std::optional<Range> initialRange);
    // The range Export would use; nullopt, with the reason shown, when the fields do not make one.
    std::optional<Range> validatedRange();
    void browse();
    void onFormatChanged();
    void onPathEdited();
    void onProgress(qint64 records, qint64 total);
    void onFinished(qint64 records, qint64 bytes);
    void onFailed(const QString &message);
    void onCancelled();
    void setRunning(bool running);
    void showError(const QString &message);
    void showStatus(const QString &message);
    QString defaultFolder() const;

    StoreLayout m_layout;
    QByteArray m_stream;
    qint64 m_streamLength = 0;
    Exporter *m_exporter = nullptr;
    QElapsedTimer m_clock;
    QString m_exportPath; // of the running export
    bool m_closeWhenStopped = false;

    QLabel *m_streamLabel = nullptr;
    QRadioButton *m_all = nullptr;
    QRadioButton *m_range = nullptr;
    QLineEdit *m_from = nullptr;
    QLineEdit *m_to = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_path = nullptr;
    QPushButton *m_browse = nullptr;
    QWidget *m_progressRow = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace Eventscope
