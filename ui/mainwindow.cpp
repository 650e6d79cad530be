#include "mainwindow.h"

#include "auditpanel.h"
#include "backgroundauditor.h"
#include "backgroundscanner.h"
#include "eventpageloader.h"
#include "eventpagemodel.h"
#include "exportdialog.h"
#include "livepanel.h"
#include "payload.h"
#include "payloadview.h"
#include "projectioneditor.h"
#include "replayview.h"
#include "sealedexportdialog.h"
#include "searchpanel.h"
#include "streamlistmodel.h"
#include "trafficmeter.h"
#include "uniformtableview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QIcon>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

static void initUiResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace Eventscope {

namespace {

constexpr qint64 ShownPayloadLimit = 1024 * 1024;
constexpr int LiveVersionIntervalMs = 100;

bool isGlob(const QString &text)
{
    return text.contains(QLatin1Char('*')) || text.contains(QLatin1Char('?')) || text.contains(QLatin1Char('['));
}

} // namespace

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
{
    initUiResources();
    m_connection = new RedisConnection(m_options.connection, this);
    m_scanner = new BackgroundScanner(m_options.connection, m_options.layout, this);
    m_loader = new EventPageLoader(m_connection, m_options.layout, this);
    m_streams = new StreamListModel(m_options.layout, this);
    m_events = new EventPageModel(m_loader, this);
    buildUi();
    buildActions();

    // What this window itself costs the server, over every connection it uses.
    m_traffic = new TrafficMeter(this);
    m_traffic->addSource(TrafficMeter::sourceOf(m_connection));
    m_traffic->addSource(TrafficMeter::sourceOf(m_scanner->connection()));
    connect(m_traffic, &TrafficMeter::updated, this, &MainWindow::showTraffic);
    showTraffic({}, {});

    connect(m_connection, &RedisConnection::ready, this, &MainWindow::onReady);
    connect(m_connection, &RedisConnection::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_connection, &RedisConnection::errorOccurred, this,
            [this](RedisConnection::Error, const QString &) { updateStatus(); });
    connect(m_connection, &RedisConnection::reconnectScheduled, this, [this](int delayMs, int) {
        m_reconnectAt = QDateTime::currentMSecsSinceEpoch() + delayMs;
        m_countdown->start();
        updateStatus();
    });

    connect(m_scanner, &BackgroundScanner::batch, m_streams, &StreamListModel::addStreams);
    connect(m_scanner, &BackgroundScanner::finished, this, [this] {
        m_stopScan->setEnabled(false);
        updateStatus();
    });
    connect(m_scanner, &BackgroundScanner::failed, this, [this](const QString &message) {
        m_stopScan->setEnabled(false);
        m_scanStatus->setText(message);
    });
    connect(m_events, &EventPageModel::loadFailed, this,
            [this](const QString &message) { m_eventsStatus->setText(tr("Cannot read the events: %1").arg(message)); });

    setWindowIcon(QIcon(QStringLiteral(":/eventscope/icons/eventscope.svg")));
    updateTitle();
    updateStatus();
    syncStreamSelection();
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
}

MainWindow::~MainWindow()
{
    // Closing the window hides the dock: that is not the user closing Live, and this window is half gone by then.
    if (m_liveDock)
        m_liveDock->disconnect(this);
    if (m_live) {
        m_live->disconnect(this);
        m_live->stop();
    }
}

void MainWindow::buildUi()
{
    auto *streamsPane = new QWidget;
    auto *streamsLayout = new QVBoxLayout(streamsPane);
    streamsLayout->setContentsMargins(4, 4, 2, 4);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter streams (glob like customer-* asks the server)"));
    m_filter->setClearButtonEnabled(true);
    auto *scanRow = new QHBoxLayout;
    m_scanStatus = new QLabel;
    m_stopScan = new QToolButton;
    m_stopScan->setText(tr("Stop"));
    m_stopScan->setIcon(QIcon(QStringLiteral(":/eventscope/icons/stop.svg")));
    m_stopScan->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_stopScan->setToolTip(tr("Stop listing streams"));
    scanRow->addWidget(m_scanStatus, 1);
    scanRow->addWidget(m_stopScan);
    m_streamView = new UniformTableView(streamsPane);
    m_streamView->setModel(m_streams);
    m_streamView->setSortingEnabled(true);
    m_streamView->sortByColumn(StreamListModel::NameColumn, Qt::AscendingOrder);
    m_streamView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_streamView->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    streamsLayout->addWidget(m_filter);
    streamsLayout->addLayout(scanRow);
    streamsLayout->addWidget(m_streamView, 1);

    auto *eventsPane = new QWidget;
    auto *eventsLayout = new QVBoxLayout(eventsPane);
    eventsLayout->setContentsMargins(2, 4, 4, 2);
    auto *eventsBar = new QHBoxLayout;
    m_eventsStatus = new QLabel(tr("Select a stream"));
    m_goTo = new QLineEdit;
    m_goTo->setPlaceholderText(tr("Go to version"));
    m_goTo->setMaximumWidth(140);
    m_newestFirst = new QCheckBox(tr("Newest first"));
    eventsBar->addWidget(m_eventsStatus, 1);
    eventsBar->addWidget(m_goTo);
    eventsBar->addWidget(m_newestFirst);
    m_eventView = new UniformTableView(eventsPane);
    m_eventView->setModel(m_events);
    auto *header = m_eventView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    const int digit = m_eventView->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(EventPageModel::VersionColumn, digit * 10);
    header->resizeSection(EventPageModel::IdColumn, digit * 11);
    header->resizeSection(EventPageModel::TypeColumn, digit * 18);
    header->resizeSection(EventPageModel::SizeColumn, digit * 10);
    header->resizeSection(EventPageModel::TimestampColumn, digit * 25);
    eventsLayout->addLayout(eventsBar);
    eventsLayout->addWidget(m_eventView, 1);

    m_payloadView = new PayloadView;
    m_payloadView->setZilverline(m_options.layout.kind == StoreLayout::Kind::Zilverline);

    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(eventsPane);
    right->addWidget(m_payloadView);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(streamsPane);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    setCentralWidget(split);

    m_endpointLabel = new QLabel;
    m_serverLabel = new QLabel;
    m_layoutLabel = new QLabel;
    m_modeLabel = new QLabel;
    m_stateLabel = new QLabel;
    m_trafficLabel = new QLabel;
    m_trafficLabel->setObjectName(QStringLiteral("trafficMeter"));
    for (QLabel *label : {m_stateLabel, m_trafficLabel, m_endpointLabel, m_serverLabel, m_layoutLabel, m_modeLabel})
        label->setContentsMargins(6, 0, 6, 0);
    statusBar()->addWidget(m_stateLabel, 1);
    statusBar()->addPermanentWidget(m_trafficLabel);
    statusBar()->addPermanentWidget(m_endpointLabel);
    statusBar()->addPermanentWidget(m_serverLabel);
    statusBar()->addPermanentWidget(m_layoutLabel);
    statusBar()->addPermanentWidget(m_modeLabel);

    if (m_options.production) {
        // A red tint on the window's frame colours, whatever the palette.
        QPalette tinted = palette();
        const QColor base = tinted.color(QPalette::Window);
        const QColor red(200, 40, 40);
        auto mix = [](const QColor &a, const QColor &b, double t) {
            return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t, a.greenF() * (1 - t) + b.greenF() * t,
                                    a.blueF() * (1 - t) + b.blueF() * t);
        };
        tinted.setColor(QPalette::Window, mix(base, red, 0.25));
        setPalette(tinted);
        setAutoFillBackground(true);
    }

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250);
    connect(m_filterTimer, &QTimer::timeout, this, &MainWindow::applyFilter);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_stopScan, &QToolButton::clicked, this, [this] {
        m_scanner->stop();
        m_stopScan->setEnabled(false);
        updateStatus();
    });
    m_countdown = new QTimer(this);
    m_countdown->setInterval(250);
    connect(m_countdown, &QTimer::timeout, this, &MainWindow::updateStatus);
    // Status text follows the model's row count at the model's own (timer-batched) pace.
    connect(m_streams, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatus);
    connect(m_streams, &QAbstractItemModel::modelReset, this, &MainWindow::updateStatus);
    // Sorting or filtering many streams runs on a worker; the list keeps its order meanwhile, and says so.
    connect(m_streams, &StreamListModel::reorderingChanged, this, &MainWindow::updateStatus);
    connect(m_streams, &QAbstractItemModel::rowsInserted, this, &MainWindow::syncStreamSelection);
    connect(m_streams, &QAbstractItemModel::layoutChanged, this, &MainWindow::syncStreamSelection);

    connect(m_streamView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onStreamSelected);
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onEventSelected);
    // A large payload arrives after the row was selected: show it when its page lands.
    // The selected row's page landing shows its payload; a summary arriving later must not fetch it again.
    connect(m_events, &EventPageModel::pageLoaded, this, [this](qint64 first, qint64 last) {
        const QModelIndex current = m_eventView->currentIndex();
        const qint64 version = current.isValid() ? m_events->versionAt(current.row()) : 0;
        if (version >= first && version <= last)
            onEventSelected();
    });
    connect(m_goTo, &QLineEdit::returnPressed, this, [this] {
        bool ok = false;
        const qint64 version = m_goTo->text().trimmed().toLongLong(&ok);
        if (!ok || !goToVersion(version))
            m_eventsStatus->setText(tr("No version %1 in %2").arg(m_goTo->text(), QString::fromUtf8(m_currentStream)));
    });
    connect(m_newestFirst, &QCheckBox::toggled, this, [this](bool on) {
        const QModelIndex current = m_eventView->currentIndex();
        const qint64 version = current.isValid() ? m_events->versionAt(current.row()) : 0;
        m_events->setNewestFirst(on);
        if (version > 0)
            goToVersion(version);
    });
    connect(m_payloadView, &PayloadView::loadAllRequested, this, [this] {
        const QModelIndex current = m_eventView->currentIndex();
        if (!m_fullPayload.isEmpty() && current.isValid())
            m_payloadView->setPayload(current.data(EventPageModel::IdRole).toByteArray(), m_fullPayload,
                                      m_fullPayload.size(), m_fullEncoding);
    });
    connect(m_payloadView, &PayloadView::saveRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save payload"));
        if (path.isEmpty())
            return;
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_fullPayload) != m_fullPayload.size())
            m_eventsStatus->setText(tr("Cannot save to %1: %2").arg(path, file.errorString()));
    });
}

void MainWindow::buildActions()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    auto *newConnection = file->addAction(QIcon(QStringLiteral(":/eventscope/icons/connect.svg")),
                                          tr("&New connection…"), this, &MainWindow::newConnectionRequested);
    newConnection->setShortcut(QKeySequence::New);
    m_exportAction = file->addAction(QIcon(QStringLiteral(":/eventscope/icons/export.svg")), tr("&Export stream…"),
                                     this, &MainWindow::exportStream);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setEnabled(false);
    SealedExportDialog::install(this, file); // Export sealed…, Verify export…
    file->addSeparator();
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto *view = menuBar()->addMenu(tr("&View"));
    auto *focusFilter = view->addAction(tr("&Filter streams"), this, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    focusFilter->setShortcuts({QKeySequence::Find, QKeySequence(Qt::CTRL | Qt::Key_L)});
    auto *goTo = view->addAction(tr("&Go to version…"), this, [this] {
        m_goTo->setFocus();
        m_goTo->selectAll();
    });
    goTo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    auto *refreshAction = view->addAction(QIcon(QStringLiteral(":/eventscope/icons/refresh.svg")), tr("&Refresh"), this,
                                          &MainWindow::refresh);
    refreshAction->setShortcut(QKeySequence::Refresh);
    auto *next = view->addAction(tr("&Next event"), this, [this] {
        const int row = m_eventView->currentIndex().row() + 1;
        if (row < m_events->rowCount())
            m_eventView->setCurrentIndex(m_events->index(row, 0));
    });
    next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Down));
    auto *previous = view->addAction(tr("&Previous event"), this, [this] {
        const int row = m_eventView->currentIndex().row() - 1;
        if (row >= 0)
            m_eventView->setCurrentIndex(m_events->index(row, 0));
    });
    previous->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    view->addSeparator();
    m_replayAction = view->addAction(tr("&Replay…"), this, &MainWindow::openReplay);
    m_replayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_replayAction->setToolTip(tr("Replay the selected stream into a JavaScript projection in a sandbox"));
    m_liveAction = view->addAction(tr("&Live commits"));
    m_liveAction->setCheckable(true);
    m_liveAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    connect(m_liveAction, &QAction::toggled, this, &MainWindow::showLive);
    m_auditAction = view->addAction(tr("&Audit…"), this, &MainWindow::openAudit);
    m_auditAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_auditAction->setToolTip(tr("Integrity audit of the store or the selected stream (read commands only)"));

    auto *edit = menuBar()->addMenu(tr("&Edit"));
    auto *copyPayload = edit->addAction(tr("Copy &payload"), this, [this] {
        const QModelIndex current = m_eventView->currentIndex();
        const QByteArray payload
            = m_fullPayload.isEmpty() ? current.data(EventPageModel::PayloadRole).toByteArray() : m_fullPayload;
        QApplication::clipboard()->setText(QString::fromUtf8(payload));
    });
    copyPayload->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    SearchPanel::install(this, edit); // Search… (Ctrl+Shift+F), in a dock
}

void MainWindow::connectToServer()
{
    m_connection->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    QMainWindow::closeEvent(event);
}

void MainWindow::showLive(bool on)
{
    if (m_liveAction->isChecked() != on)
        m_liveAction->setChecked(on); // comes back here
    if (on && !m_live) {
        m_live = new LivePanel(m_options.connection, m_options.layout);
        m_liveDock = new QDockWidget(tr("Live"), this);
        m_liveDock->setObjectName(QStringLiteral("liveDock"));
        m_liveDock->setWidget(m_live);
        addDockWidget(Qt::BottomDockWidgetArea, m_liveDock);
        resizeDocks({m_liveDock}, {height() / 2}, Qt::Vertical); // chart and tail both need room
        // Closing the dock stops the feed: it is a second connection to this Redis.
        connect(m_liveDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
            if (!visible && !m_liveDock->isVisible())
                m_liveAction->setChecked(false);
        });
        connect(m_live, &LivePanel::commitsApplied, this, &MainWindow::applyLiveCommits);
        m_liveVersionTimer = new QTimer(this);
        m_liveVersionTimer->setSingleShot(true);
        m_liveVersionTimer->setInterval(LiveVersionIntervalMs);
        connect(m_liveVersionTimer, &QTimer::timeout, this, &MainWindow::applyLiveVersions);
        connect(m_live, &LivePanel::commitActivated, this, &MainWindow::openCommit);
        m_traffic->addSource(
            [panel = QPointer<LivePanel>(m_live)] { return panel ? panel->traffic() : TrafficTotals{}; });
    }
    if (!m_live)
        return;
    if (on) {
        m_liveDock->show();
        m_live->start();
    } else {
        m_live->stop();
        m_liveDock->hide();
    }
}

void MainWindow::applyLiveCommits(const QList<LiveCommit> &commits)
{
    // Versions grow as commits arrive, without a rescan; the panes grow at most every LiveVersionIntervalMs, however
    // many slices of commits came meanwhile.
    for (const LiveCommit &commit : commits) {
        m_liveRevision = qMax(m_liveRevision, commit.number);
        if (!commit.stream.isEmpty() && commit.version > 0) {
            qint64 &version = m_liveVersions[commit.stream];
            version = qMax(version, commit.version);
        }
    }
    if (!m_liveVersionTimer->isActive())
        m_liveVersionTimer->start();
}

void MainWindow::applyLiveVersions()
{
    // A stream the running scan's glob excludes is not added.
    const QHash<QByteArray, qint64> versions = std::exchange(m_liveVersions, {});
    const qint64 revision = std::exchange(m_liveRevision, 0);
    for (auto it = versions.cbegin(); it != versions.cend(); ++it) {
        if (m_serverPattern.isEmpty() || m_streams->rowOf(it.key()) >= 0)
            m_streams->updateVersion(it.key(), it.value());
    }
    if (revision > m_streams->storeRevision())
        m_streams->setStoreRevision(revision);
    if (m_currentStream.isEmpty() || m_events->stream() != m_currentStream)
        return;
    const qint64 length = m_currentStream == AllStreamName ? revision : versions.value(m_currentStream, 0);
    if (length > m_events->length()) {
        m_events->setLength(length);
        m_eventsStatus->setText(tr("%1 · %2 commits").arg(QString::fromUtf8(m_currentStream)).arg(length));
        m_exportAction->setEnabled(true);
    }
}

void MainWindow::openCommit(const QByteArray &stream, qint64 version, qint64 number)
{
    const bool named = !stream.isEmpty() && version > 0;
    const QByteArray name = named ? stream : QByteArray(AllStreamName);
    const qint64 target = named ? version : number;
    if (target <= 0)
        return;
    if (m_currentStream == name && m_events->stream() == name && m_events->length() >= target) {
        goToVersion(target);
        return;
    }
    auto *context = new QObject(this);
    connect(this, &MainWindow::streamOpened, context, [this, context, name, target](const QByteArray &opened) {
        context->deleteLater(); // one answer, whichever stream it was for
        if (opened == name)
            goToVersion(target);
    });
    selectStream(name);
}

void MainWindow::onReady()
{
    m_countdown->stop();
    updateStatus();
    // The store revision for $all, then the streams; after a reconnect, the open stream is read again too.
    m_connection->send({"HLEN", m_options.layout.eventsKey}, this, [this](const RedisReply &reply) {
        if (reply.isInteger())
            m_streams->setStoreRevision(reply.integer);
        else if (reply.isError())
            m_scanStatus->setText(
                tr("The events key %1 cannot be read: %2")
                    .arg(QString::fromUtf8(m_options.layout.eventsKey), QString::fromUtf8(reply.text)));
    });
    startScan();
    if (m_everReady && !m_currentStream.isEmpty())
        openStream(m_currentStream);
    m_everReady = true;
}

void MainWindow::onStateChanged(RedisConnection::State)
{
    updateStatus();
}

void MainWindow::startScan()
{
    {
        // Emptying the list must not read as the user choosing another stream.
        const QSignalBlocker blocker(m_streamView->selectionModel());
        m_streams->clear();
    }
    syncStreamSelection();
    m_stopScan->setEnabled(true);
    m_scanner->start(m_serverPattern);
    updateStatus();
}

void MainWindow::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    if (isGlob(text)) {
        m_streams->setTextFilter(QString());
        if (m_serverPattern != text.toUtf8()) {
            m_serverPattern = text.toUtf8();
            startScan();
        }
        return;
    }
    if (!m_serverPattern.isEmpty()) {
        m_serverPattern.clear();
        startScan();
    }
    m_streams->setTextFilter(text);
}

void MainWindow::selectStream(const QByteArray &name)
{
    openStream(name);
    syncStreamSelection();
}

void MainWindow::onStreamSelected()
{
    const QModelIndex current = m_streamView->currentIndex();
    if (!current.isValid())
        return;
    const QByteArray name = current.data(StreamListModel::StreamNameRole).toByteArray();
    if (name != m_currentStream)
        openStream(name);
}

void MainWindow::syncStreamSelection()
{
    // The list is refilled by scans: keep the open stream selected without reopening it. A view without a current
    // row would pick one by itself (and open it), so there always is one.
    const QModelIndex current = m_streamView->currentIndex();
    if (current.isValid() && current.data(StreamListModel::StreamNameRole).toByteArray() == m_currentStream)
        return;
    const int row = m_currentStream.isEmpty() ? -1 : m_streams->rowOf(m_currentStream);
    if (row < 0 && current.isValid())
        return;
    const QSignalBlocker blocker(m_streamView->selectionModel());
    if (row < 0)
        m_streamView->selectionModel()->setCurrentIndex(m_streams->index(0, 0), QItemSelectionModel::NoUpdate);
    else
        m_streamView->selectionModel()->setCurrentIndex(m_streams->index(row, 0), QItemSelectionModel::ClearAndSelect
                                                                                      | QItemSelectionModel::Rows);
    m_streamView->viewport()->update();
}

void MainWindow::openStream(const QByteArray &name)
{
    const quint64 generation = ++m_selectionGeneration;
    if (name != m_currentStream)
        m_payloadView->clear();
    m_currentStream = name;
    if (m_replay)
        m_replay->setSelectedStream(name);
    m_eventsStatus->setText(tr("Opening %1…").arg(QString::fromUtf8(name)));
    const bool all = name == AllStreamName;
    const QByteArray key = all ? m_options.layout.eventsKey : m_options.layout.streamKey(name);
    auto type = std::make_shared<QByteArray>();
    m_connection->send({"TYPE", key}, this, [type](const RedisReply &reply) { *type = reply.text; });
    m_connection->send(
        {all ? QByteArray("HLEN") : QByteArray("LLEN"), key}, this,
        [this, name, generation, type, all](const RedisReply &reply) {
            if (generation != m_selectionGeneration)
                return;
            const QByteArray expected = all ? "hash" : "list";
            const bool wrongType = !type->isEmpty() && *type != expected && *type != "none";
            if (reply.isBad() || wrongType) {
                m_events->setStream({}, 0);
                m_eventsStatus->setText(
                    wrongType ? tr("%1 is a %2, not a %3")
                                    .arg(QString::fromUtf8(name), QString::fromUtf8(*type),
                                         all ? tr("hash") : tr("stream (a list)"))
                              : tr("Cannot open %1: %2").arg(QString::fromUtf8(name), QString::fromUtf8(reply.text)));
                return;
            }
            const qint64 length = reply.integer;
            if (m_events->stream() == name && m_events->length() <= length && m_events->length() > 0)
                m_events->setLength(length);
            else
                m_events->setStream(name, length);
            m_eventsStatus->setText(length == 0 ? tr("%1 has no events").arg(QString::fromUtf8(name))
                                                : tr("%1 · %2 commits").arg(QString::fromUtf8(name)).arg(length));
            m_exportAction->setEnabled(length > 0);
            Q_EMIT streamOpened(name, length);
        });
}

bool MainWindow::goToVersion(qint64 version)
{
    const int row = m_events->rowForVersion(version);
    if (row < 0)
        return false;
    const QModelIndex index = m_events->index(row, 0);
    m_eventView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_eventView->setCurrentIndex(index);
    return true;
}

void MainWindow::openReplay()
{
    if (!m_replay) {
        m_replay = new ReplayView(m_connection, m_options.layout);
        m_replay->setSelectedStream(m_currentStream);
        connect(m_replay, &ReplayView::openEventRequested, this, &MainWindow::openEvent);
        m_traffic->addSource([view = QPointer<ReplayView>(m_replay)] {
            return view ? TrafficMeter::sourceOf(view->replay()->connection())() : TrafficTotals{};
        });
        m_replayDock = new QDockWidget(tr("Replay"), this);
        m_replayDock->setObjectName(QStringLiteral("replayDock"));
        m_replayDock->setWidget(m_replay);
        addDockWidget(Qt::BottomDockWidgetArea, m_replayDock);
    }
    m_replayDock->show();
    m_replayDock->raise();
    m_replay->editorA()->setFocus();
}

void MainWindow::openEvent(const QByteArray &stream, qint64 version)
{
    if (stream == m_currentStream && m_events->stream() == stream && goToVersion(version))
        return;
    // Once the stream is open (its length known), go to the version; whichever stream opens next ends the wait.
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(this, &MainWindow::streamOpened, this, [this, once, stream, version](const QByteArray &name) {
        QObject::disconnect(*once);
        if (name == stream && !goToVersion(version))
            m_eventsStatus->setText(tr("No version %1 in %2").arg(version).arg(QString::fromUtf8(stream)));
    });
    selectStream(stream);
}

void MainWindow::onEventSelected()
{
    const QModelIndex current = m_eventView->currentIndex();
    ++m_payloadGeneration; // whatever was on its way for the previous selection is no longer wanted
    m_fullPayload.clear();
    if (!current.isValid()) {
        m_payloadView->clear();
        return;
    }
    if (!current.data(EventPageModel::LoadedRole).toBool()) {
        m_payloadView->showError(tr("Loading…"));
        return;
    }
    const QByteArray id = current.data(EventPageModel::IdRole).toByteArray();
    if (current.data(EventPageModel::MissingRole).toBool()) {
        m_payloadView->showMissing(id);
        return;
    }
    if (current.data(EventPageModel::PayloadLoadedRole).toBool()) {
        const QByteArray payload = current.data(EventPageModel::PayloadRole).toByteArray();
        showPayload(id, payload, payload.size());
        return;
    }
    // Too large for the page: fetch it alone, and show the first part.
    const quint64 generation = m_payloadGeneration;
    const qint64 size = current.data(EventPageModel::SizeRole).toLongLong();
    m_payloadView->showError(tr("Loading %1 (%2 bytes)…").arg(QString::fromUtf8(id)).arg(size));
    const qint64 version = m_events->versionAt(current.row());
    m_loader->loadPayload(
        id, this, [this, id, generation, version](const QByteArray &payload, bool missing, const QString &error) {
            if (error.isEmpty() && !missing)
                summarizeInBackground(version, payload);
            if (generation != m_payloadGeneration)
                return;
            if (!error.isEmpty())
                m_payloadView->showError(tr("Cannot load %1: %2").arg(QString::fromUtf8(id), error));
            else if (missing)
                m_payloadView->showMissing(id);
            else
                showPayload(id, payload, payload.size());
        });
}

void MainWindow::summarizeInBackground(qint64 version, const QByteArray &payload)
{
    // Parsing a large payload for its type and timestamp is worker-thread work.
    auto *watcher = new QFutureWatcher<EventSummary>(this);
    const QByteArray stream = m_events->stream();
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, version, stream] {
        watcher->deleteLater();
        if (m_events->stream() == stream)
            m_events->setSummary(version, watcher->result());
    });
    const StoreLayout layout = m_options.layout;
    watcher->setFuture(QtConcurrent::run([layout, payload] { return summarizePayload(layout, payload); }));
}

void MainWindow::showPayload(const QByteArray &id, const QByteArray &payload, qint64 size)
{
    m_fullPayload = payload;
    if (size <= ShownPayloadLimit) {
        m_fullEncoding = classifyPayload(payload);
        m_payloadView->setPayload(id, payload, size, m_fullEncoding);
        return;
    }
    // Classify the whole payload (a cut JSON document is no longer JSON), on a worker: it is megabytes.
    const quint64 generation = m_payloadGeneration;
    auto *watcher = new QFutureWatcher<PayloadEncoding>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, id, payload, size] {
        watcher->deleteLater();
        if (generation != m_payloadGeneration)
            return;
        m_fullEncoding = watcher->result();
        m_payloadView->setPayload(id, payload.left(ShownPayloadLimit), size, m_fullEncoding);
    });
    watcher->setFuture(QtConcurrent::run([payload] { return classifyPayload(payload); }));
}

void MainWindow::refresh()
{
    m_connection->send({"HLEN", m_options.layout.eventsKey}, this, [this](const RedisReply &reply) {
        if (reply.isInteger())
            m_streams->setStoreRevision(reply.integer);
    });
    startScan();
    if (!m_currentStream.isEmpty()) {
        m_events->refresh();
        openStream(m_currentStream);
    }
}

void MainWindow::exportStream()
{
    if (m_currentStream.isEmpty() || m_events->length() == 0)
        return;
    // From the selected event on, if one is selected; the dialog lets the user change the range.
    std::optional<ExportDialog::Range> range;
    const QModelIndex current = m_eventView->currentIndex();
    if (current.isValid())
        range = ExportDialog::Range{m_events->versionAt(current.row()), -1};
    auto *dialog = new ExportDialog(m_connection, m_options.layout, m_currentStream, m_events->length(), range, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::takeScreenshotWhenReady(const QString &path)
{
    auto *context = new QObject(this);
    auto finish = [this, context, path](bool ok) {
        if (context->parent() != this)
            return;
        context->setParent(nullptr);
        context->deleteLater();
        Q_EMIT screenshotSaved(ok && grab().save(path), path);
    };
    QTimer::singleShot(30000, context, [finish] { finish(false); });
    connect(m_events, &EventPageModel::pageLoaded, context, [this, context, finish] {
        // Let the payload pane format what it got before the picture.
        goToVersion(1);
        auto *settle = new QTimer(context);
        settle->setInterval(100);
        connect(settle, &QTimer::timeout, context, [this, finish] {
            if (!m_payloadView->isFormatting())
                finish(true);
        });
        settle->start();
    });
    connect(this, &MainWindow::streamOpened, context, [this](const QByteArray &, qint64 length) {
        if (length > 0)
            m_events->prefetch(0, 0);
    });
    // The model applies scanned batches on its own timer: wait until it shows a stream, or the scan found none.
    auto *waitForStreams = new QTimer(context);
    waitForStreams->setInterval(100);
    connect(waitForStreams, &QTimer::timeout, context, [this, waitForStreams] {
        if (m_streams->streamCount() == 0 && (m_scanner->isRunning() || !m_everReady || m_scanner->found() > 0))
            return;
        waitForStreams->stop();
        for (int row = 0; row < m_streams->rowCount(); ++row) {
            const QModelIndex index = m_streams->index(row, 0);
            if (!index.data(StreamListModel::IsAllRole).toBool()) {
                selectStream(index.data(StreamListModel::StreamNameRole).toByteArray());
                return;
            }
        }
        selectStream(AllStreamName);
    });
    waitForStreams->start();
    connect(m_connection, &RedisConnection::errorOccurred, context, [finish] { finish(false); });
}

void MainWindow::updateTitle()
{
    const QString where = m_options.connection.displayUrl();
    setWindowTitle(m_options.production ? tr("PRODUCTION — %1 — Eventscope").arg(where)
                                        : tr("%1 — Eventscope").arg(where));
}

QString MainWindow::scanStatusText() const
{
    return m_scanStatus->text();
}

QString MainWindow::connectionStatusText() const
{
    return m_stateLabel->text();
}

QString MainWindow::eventsStatusText() const
{
    return m_eventsStatus->text();
}

void MainWindow::updateStatus()
{
    const int count = m_streams->streamCount();
    QString streams = count == 1 ? tr("1 stream") : tr("%1 streams").arg(count);
    if (m_streams->isReordering())
        streams = tr("%1 · sorting…").arg(streams);
    if (m_scanner->isRunning())
        m_scanStatus->setText(tr("%1 · scanning…").arg(streams));
    else if (m_scanStatus->text().isEmpty() || m_scanStatus->text().contains(QLatin1String("stream")))
        m_scanStatus->setText(streams);

    const ConnectionOptions &o = m_connection->options();
    m_endpointLabel->setText(o.displayUrl());
    const ServerInfo info = m_connection->serverInfo();
    m_serverLabel->setText(info.version.isEmpty() ? tr("Redis") : tr("Redis %1 %2").arg(info.version, info.role));
    m_layoutLabel->setText(tr("layout: %1").arg(m_options.layout.kindName()));
    QStringList badges;
    badges << (m_connection->isReadOnly() ? tr("read-only") : tr("writes allowed"));
    if (m_options.production)
        badges << tr("PRODUCTION");
    m_modeLabel->setText(badges.join(QStringLiteral(" · ")));

    switch (m_connection->state()) {
    case RedisConnection::State::Disconnected:
        m_stateLabel->setText(tr("disconnected"));
        break;
    case RedisConnection::State::Connecting:
        m_stateLabel->setText(tr("connecting…"));
        break;
    case RedisConnection::State::Connected:
        m_stateLabel->setText(tr("connected"));
        break;
    case RedisConnection::State::Reconnecting: {
        const qint64 left = qMax<qint64>(0, m_reconnectAt - QDateTime::currentMSecsSinceEpoch());
        m_stateLabel->setText(
            tr("reconnecting in %1 s — %2").arg(QString::number((left + 999) / 1000), m_connection->lastErrorString()));
        break;
    }
    case RedisConnection::State::Failed:
        m_stateLabel->setText(tr("failed: %1").arg(m_connection->lastErrorString()));
        break;
    }
}

} // namespace Eventscope

namespace Eventscope {

void MainWindow::showTraffic(const TrafficRates &rates, const TrafficTotals &totals)
{
    auto perSecond = [](double bytes) -> QString {
        return PayloadView::formatSize(qint64(bytes + 0.5)) + QStringLiteral("/s");
    };
    m_trafficLabel->setText(
        tr("load: %1 cmd/s · ↑ %2 · ↓ %3")
            .arg(QString::number(rates.commandsPerSecond, 'f', rates.commandsPerSecond < 10 ? 1 : 0),
                 perSecond(rates.bytesSentPerSecond), perSecond(rates.bytesReceivedPerSecond)));
    m_trafficLabel->setToolTip(
        tr("What Eventscope itself sends to and receives from this Redis (all of this window's connections), "
           "averaged over the last seconds.\nSince connecting: %1 commands, %2 sent, %3 received.")
            .arg(totals.commands)
            .arg(PayloadView::formatSize(qint64(totals.bytesSent)),
                 PayloadView::formatSize(qint64(totals.bytesReceived))));
}

QString MainWindow::trafficText() const
{
    return m_trafficLabel->text();
}

} // namespace Eventscope

namespace Eventscope {

void MainWindow::openAudit()
{
    if (!m_audit) {
        m_audit = new AuditPanel(m_options.connection, m_options.layout);
        m_audit->setSelectedStream(m_currentStream);
        connect(this, &MainWindow::streamOpened, m_audit,
                [this](const QByteArray &name) { m_audit->setSelectedStream(name); });
        connect(m_audit, &AuditPanel::openRequested, this, &MainWindow::openCommit);
        m_traffic->addSource([panel = QPointer<AuditPanel>(m_audit)] {
            return panel ? TrafficMeter::sourceOf(panel->auditor()->connection())() : TrafficTotals{};
        });
        m_auditDock = new QDockWidget(tr("Audit"), this);
        m_auditDock->setObjectName(QStringLiteral("auditDock"));
        m_auditDock->setWidget(m_audit);
        addDockWidget(Qt::BottomDockWidgetArea, m_auditDock);
        resizeDocks({m_auditDock}, {height() * 2 / 5}, Qt::Vertical);
    }
    m_auditDock->show();
    m_auditDock->raise();
    m_audit->runButton()->setFocus();
}

} // namespace Eventscope
