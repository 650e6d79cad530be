#pragma once

#include "connectionoptions.h"
#include "payload.h"
#include "redisconnection.h"
#include "storelayout.h"

#include <QHash>
#include <QMainWindow>

class QAction;
class QLabel;
class QLineEdit;
class QCheckBox;
class QDockWidget;
class QTableView;
class QTimer;
class QToolButton;

namespace Eventscope {

class EventPageLoader;
class EventPageModel;
class PayloadView;
class ReplayView;
class StreamListModel;
class BackgroundScanner;
class UniformTableView;
class TrafficMeter;
class LivePanel;
class AuditPanel;
struct LiveCommit;
struct TrafficRates;
struct TrafficTotals;

// The inspector window: streams on the left, the selected stream's events top right, the selected event's
// payload below. Everything talks to Redis asynchronously; nothing here waits on the network.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        ConnectionOptions connection;
        StoreLayout layout;
        bool production = false; // tints the window so nobody forgets where they are
    };

    explicit MainWindow(Options options, QWidget *parent = nullptr);
    ~MainWindow() override;

    void connectToServer();

    // For tests and screenshots.
    RedisConnection *connection() const { return m_connection; }
    const StoreLayout &storeLayout() const { return m_options.layout; }
    StreamListModel *streamModel() const { return m_streams; }
    EventPageModel *eventModel() const { return m_events; }
    UniformTableView *streamView() const { return m_streamView; }
    UniformTableView *eventView() const { return m_eventView; }
    PayloadView *payloadView() const { return m_payloadView; }
    QLineEdit *filterEdit() const { return m_filter; }
    QString scanStatusText() const;
    QString connectionStatusText() const;
    // The status bar's meter of this window's own traffic to Redis.
    QString trafficText() const;
    TrafficMeter *trafficMeter() const { return m_traffic; }
    QString eventsStatusText() const;

    void selectStream(const QByteArray &name);
    bool goToVersion(qint64 version);
    // Opens a commit in the events pane: its stream at its version, or $all at its number where the stream is not
    // known.
    void openCommit(const QByteArray &stream, qint64 version, qint64 number);
    // The Live dock: chart, tail and the feed's diagnostics. The feed subscribes only while it is shown.
    void showLive(bool on);
    LivePanel *livePanel() const { return m_live; }
    QAction *liveAction() const { return m_liveAction; }
    // Once streams are listed, opens the first one, shows its first event, saves a picture of the window and
    // emits screenshotSaved (for `eventscope --screenshot` and the installed-package check).
    void takeScreenshotWhenReady(const QString &path);

    // The replay view in its dock (made on first use), set to replay the selected stream.
    void openReplay();
    ReplayView *replayView() const { return m_replay; }
    QAction *replayAction() const { return m_replayAction; }
    // Opens a stream (if it is not open) and selects the event at this version in the events pane.
    void openEvent(const QByteArray &stream, qint64 version);
    // The Audit dock (made on first use), View › Audit…; its scope follows the stream open in the events pane.
    void openAudit();
    AuditPanel *auditPanel() const { return m_audit; }
    QAction *auditAction() const { return m_auditAction; }

Q_SIGNALS:
    void streamOpened(const QByteArray &name, qint64 length);
    void screenshotSaved(bool ok, const QString &path);
    void newConnectionRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildActions();
    void onReady();
    void onStateChanged(RedisConnection::State state);
    void startScan();
    void applyFilter();
    void onStreamSelected();
    void syncStreamSelection();
    void openStream(const QByteArray &name);
    void onEventSelected();
    void showPayload(const QByteArray &id, const QByteArray &payload, qint64 size);
    void summarizeInBackground(qint64 version, const QByteArray &payload);
    void refresh();
    void exportStream();
    void updateTitle();
    void updateStatus();
    void applyLiveCommits(const QList<Eventscope::LiveCommit> &commits);
    void applyLiveVersions();
    void showTraffic(const Eventscope::TrafficRates &rates, const Eventscope::TrafficTotals &totals);

    Options m_options;
    RedisConnection *m_connection = nullptr;
    BackgroundScanner *m_scanner = nullptr; // on a connection and thread of its own
    EventPageLoader *m_loader = nullptr;
    StreamListModel *m_streams = nullptr;
    EventPageModel *m_events = nullptr;

    QLineEdit *m_filter = nullptr;
    QLabel *m_scanStatus = nullptr;
    QToolButton *m_stopScan = nullptr;
    UniformTableView *m_streamView = nullptr;
    QLineEdit *m_goTo = nullptr;
    QCheckBox *m_newestFirst = nullptr;
    QLabel *m_eventsStatus = nullptr;
    UniformTableView *m_eventView = nullptr; // 10,000,000 rows cost nothing more than 10
    PayloadView *m_payloadView = nullptr;
    QLabel *m_endpointLabel = nullptr;
    QLabel *m_serverLabel = nullptr;
    QLabel *m_layoutLabel = nullptr;
    QLabel *m_modeLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_trafficLabel = nullptr;
    TrafficMeter *m_traffic = nullptr;
    QTimer *m_filterTimer = nullptr;
    QAction *m_exportAction = nullptr;
    QTimer *m_countdown = nullptr;
    QAction *m_replayAction = nullptr;
    QDockWidget *m_replayDock = nullptr;
    ReplayView *m_replay = nullptr;
    QAction *m_liveAction = nullptr;
    QDockWidget *m_liveDock = nullptr;
    LivePanel *m_live = nullptr;
    QAction *m_auditAction = nullptr;
    QDockWidget *m_auditDock = nullptr;
    AuditPanel *m_audit = nullptr;
    // What the live feed brought since the panes last grew: each stream's newest version, the newest revision.
    QHash<QByteArray, qint64> m_liveVersions;
    qint64 m_liveRevision = 0;
    QTimer *m_liveVersionTimer = nullptr;

    QByteArray m_currentStream;
    QByteArray m_serverPattern;        // the MATCH glob of the running scan; empty: all streams
    quint64 m_selectionGeneration = 0; // stream opening
    quint64 m_payloadGeneration = 0;   // the selected event's payload
    qint64 m_reconnectAt = 0;
    bool m_everReady = false;
    QByteArray m_fullPayload; // a payload shown in part, for "Load all"
    PayloadEncoding m_fullEncoding = PayloadEncoding::Binary;
};

} // namespace Eventscope
