#pragma once

#include "connectionoptions.h"
#include "sealedexport.h"
#include "storelayout.h"

#include <QDialog>

#include <memory>

class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;

namespace Eventscope {

class MainWindow;
class StreamScopeEdit;
class RedisConnection;
class WorkerConnection;

// What manifest.json says about an export, for showing.
struct SealedExportSummary
{
    bool ok = false;
    QString error;
    qint64 records = 0;
    QString firstId;
    QString lastId;
    QString finalChain; // hex
    QStringList streams;
};
SealedExportSummary readSealedExportSummary(const QString &directory);

// File ▸ Export sealed…: a tamper-evident export (core/sealedexport.h) of the selected stream, a list or $all to a
// directory, with progress and Cancel, then the manifest's summary (records, first and last id, the chain's final
// value). The SealedExporter reads, hashes and writes on a connection and thread of its own; closing the dialog
// while it runs cancels it (the exporter then leaves no files).
class SealedExportDialog final : public QDialog
{
    Q_OBJECT
public:
    SealedExportDialog(ConnectionOptions options, StoreLayout layout, const QByteArray &selectedStream,
                       QWidget *parent = nullptr);
    ~SealedExportDialog() override;

    // Adds File ▸ Export sealed… and File ▸ Verify export… to menu.
    static void install(MainWindow *window, QMenu *menu);

    // The export's own connection (on its thread; for traffic figures only).
    const RedisConnection *workerConnection() const;

    // Same as clicking Export.
    bool startExport();
    bool isRunning() const { return m_running; }

    // For tests.
    StreamScopeEdit *scopeEdit() const { return m_scope; }
    QLineEdit *directoryEdit() const { return m_directory; }
    QPushButton *exportButton() const { return m_exportButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QString statusText() const;
    QString errorText() const;
    QString summaryText() const;

public Q_SLOTS:
    void reject() override;

Q_SIGNALS:
    void exportFinished(qint64 records, const QString &directory);
    void exportFailed(const QString &message);
    void exportCancelled();

private:
    void buildUi();
    void browse();
    void onProgress(qint64 records, qint64 total);
    void onFinished(qint64 records, const SealedExportSummary &summary);
    void onStopped(const QString &error);
    void setRunning(bool running);
    void showError(const QString &message);

    StoreLayout m_layout;
    std::unique_ptr<WorkerConnection> m_worker;
    SealedExporter *m_exporter = nullptr; // on the worker thread: touched only in work posted there
    quint64 m_generation = 0;
    bool m_running = false;
    bool m_closeWhenStopped = false;
    QString m_runningDirectory;

    StreamScopeEdit *m_scope = nullptr;
    QLineEdit *m_directory = nullptr;
    QPushButton *m_browse = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_exportButton = nullptr;
};

// File ▸ Verify export…: checks a directory's export (verifyExport) on a worker thread and says either
// "verified: N records" or which record (line, id) is the first that does not match.
class VerifyExportDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit VerifyExportDialog(QWidget *parent = nullptr);

    void setDirectory(const QString &directory);
    // Same as clicking Verify.
    bool startVerify();
    bool isRunning() const { return m_running; }

    QLineEdit *directoryEdit() const { return m_directory; }
    QPushButton *verifyButton() const { return m_verifyButton; }
    QString resultText() const;
    bool lastOk() const { return m_lastOk; }

Q_SIGNALS:
    void verified(const Eventscope::VerifyResult &result);

private:
    QLineEdit *m_directory = nullptr;
    QPushButton *m_verifyButton = nullptr;
    QLabel *m_result = nullptr;
    bool m_running = false;
    bool m_lastOk = false;
};

} // namespace Eventscope
