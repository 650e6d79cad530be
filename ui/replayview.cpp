#include "replayview.h"

#include "eventsummary.h"
#include "jsontreemodel.h"
#include "payload.h"
#include "payloadview.h"
#include "projectioneditor.h"
#include "redisconnection.h"
#include "replaylimitsform.h"
#include "statediffmodel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace Eventscope {

// What the worker makes of a step: the state's tree and the diff from the state before.
struct ReplayView::StepView
{
    JsonTreePtr tree;
    QList<JsonChange> diff;
    EventSummary summary;
};

namespace {

// The rows to expand so that each changed path shows; at most a few changes, and no scan of huge containers.
void expandChanges(QTreeView *view, const QAbstractItemModel *model, const QList<JsonChange> &changes)
{
    constexpr int MaxChanges = 20;
    constexpr int MaxScan = 5000;
    constexpr int MaxDepth = 32;
    for (const JsonChange &change : changes.mid(0, MaxChanges)) {
        const QString target = StateDiffModel::jsonPath(change.path);
        QModelIndex parent;
        for (int depth = 0; depth < MaxDepth; ++depth) {
            const int rows = model->rowCount(parent);
            if (rows == 0 || rows > MaxScan)
                break;
            QModelIndex next;
            bool found = false;
            for (int row = 0; row < rows && !found && !next.isValid(); ++row) {
                const QModelIndex child = model->index(row, 0, parent);
                const QString path = child.data(JsonTreeModel::PathRole).toString();
                if (path == target)
                    found = true;
                else if (target.startsWith(path)
                         && (target.at(path.size()) == QLatin1Char('.') || target.at(path.size()) == QLatin1Char('[')))
                    next = child;
            }
            if (!next.isValid())
                break;
            view->expand(next);
            parent = next;
        }
    }
}

QTreeView *makeTree(QAbstractItemModel *model)
{
    auto *view = new QTreeView;
    view->setModel(model);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(JsonTreeModel::KeyColumn, QHeaderView::Interactive);
    view->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    view->header()->setSectionResizeMode(JsonTreeModel::TypeColumn, QHeaderView::ResizeToContents);
    view->header()->resizeSection(JsonTreeModel::KeyColumn, 180);
    return view;
}

QTableView *makeDiffTable(QAbstractItemModel *model)
{
    auto *view = new QTableView;
    view->setModel(model);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->horizontalHeader()->setSectionResizeMode(StateDiffModel::KindColumn, QHeaderView::ResizeToContents);
    view->horizontalHeader()->setSectionResizeMode(StateDiffModel::PathColumn, QHeaderView::Interactive);
    view->horizontalHeader()->resizeSection(StateDiffModel::PathColumn, 220);
    view->horizontalHeader()->setSectionResizeMode(StateDiffModel::BeforeColumn, QHeaderView::Stretch);
    view->horizontalHeader()->setSectionResizeMode(StateDiffModel::AfterColumn, QHeaderView::Stretch);
    return view;
}

ProjectionError nothingToReplay()
{
    ProjectionError error;
    error.kind = ProjectionError::Kind::Read;
    error.name = QStringLiteral("Nothing to replay");
    error.message = ReplayView::tr("select a stream, name the streams to merge, or choose $all");
    return error;
}

QToolButton *toolButton(const QString &text, const QString &tip)
{
    auto *button = new QToolButton;
    button->setText(text);
    button->setToolTip(tip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

ReplayView::ReplayView(RedisConnection *connection, StoreLayout layout, QWidget *parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{
    buildUi();
    // The window's connection options, on a connection of the replay's own (made read-only there).
    m_replay = new BackgroundReplay(connection ? connection->options() : ConnectionOptions{}, m_layout, this);
    connect(m_replay, &BackgroundReplay::progress, this, &ReplayView::onProgress);
    connect(m_replay, &BackgroundReplay::finished, this, &ReplayView::onFinished);
    connect(m_replay, &BackgroundReplay::failed, this, [this](const ProjectionError &error) { onFailed(error, 0); });
    connect(m_replay, &BackgroundReplay::cancelled, this, [this] {
        setBusy(false);
        m_progressLabel->setText(tr("Cancelled"));
    });
    connect(m_replay, &BackgroundReplay::stepReady, this, &ReplayView::onStep);
    connect(m_replay, &BackgroundReplay::stepFailed, this, [this](qint64 version, const ProjectionError &error) {
        if (version == m_wanted)
            m_stepLabel->setText(tr("Cannot show version %1: %2").arg(version).arg(error.text()));
    });
    connect(m_replay, &BackgroundReplay::compareFinished, this, &ReplayView::onCompareFinished);
    connect(m_replay, &BackgroundReplay::compareFailed, this,
            [this](int side, const ProjectionError &error) { onFailed(error, side); });
    m_editorA->applyTemplate(ProjectionEditor::Template::Reducer);
    m_editorB->applyTemplate(ProjectionEditor::Template::Kurrent);
    setSource(SourceKind::Selected);
    setBusy(false);
}

ReplayView::~ReplayView() = default;

void ReplayView::buildUi()
{
    // Source and run controls.
    m_sourceKind = new QComboBox;
    m_sourceKind->addItem(tr("Selected stream"));
    m_sourceKind->addItem(tr("Streams, merged"));
    m_sourceKind->addItem(tr("$all"));
    m_sourceKind->setToolTip(tr("What to replay: the stream selected in the window, several streams merged in "
                                "commit-id order, or every commit ($all)"));
    m_streams = new QLineEdit;
    m_streams->setPlaceholderText(tr("stream names, separated by spaces or commas"));
    m_templates = new QToolButton;
    m_templates->setText(tr("Template"));
    m_templates->setPopupMode(QToolButton::InstantPopup);
    auto *templates = new QMenu(m_templates);
    templates->addAction(tr("Reducer: init() and reduce(state, event)"), this,
                         [this] { currentEditor()->applyTemplate(ProjectionEditor::Template::Reducer); });
    templates->addAction(tr("KurrentDB style: fromAll().when({…})"), this,
                         [this] { currentEditor()->applyTemplate(ProjectionEditor::Template::Kurrent); });
    templates->addSeparator();
    templates->addAction(tr("Copy A into B"), this, [this] {
        m_editorB->setPlainText(m_editorA->toPlainText());
        m_editorTabs->setCurrentWidget(m_editorB);
    });
    m_templates->setMenu(templates);
    auto *open = new QPushButton(tr("Open…"));
    auto *save = new QPushButton(tr("Save…"));
    connect(open, &QPushButton::clicked, this, &ReplayView::loadFile);
    connect(save, &QPushButton::clicked, this, &ReplayView::saveFile);
    m_run = new QPushButton(tr("Run A"));
    m_run->setObjectName(QStringLiteral("replayRun"));
    m_run->setToolTip(tr("Replay the events into projection A in a sandbox"));
    m_run->setDefault(true);
    m_compareButton = new QPushButton(tr("Compare A / B"));
    m_compareButton->setToolTip(tr("Run A and B on the same events and find the first version where they differ"));
    m_cancel = new QPushButton(tr("Cancel"));
    connect(m_run, &QPushButton::clicked, this, &ReplayView::run);
    connect(m_compareButton, &QPushButton::clicked, this, &ReplayView::compare);
    connect(m_cancel, &QPushButton::clicked, this, &ReplayView::cancel);
    connect(m_sourceKind, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_streams->setEnabled(index == int(SourceKind::Streams)); });

    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(new QLabel(tr("Replay:")));
    sourceRow->addWidget(m_sourceKind);
    sourceRow->addWidget(m_streams, 1);
    sourceRow->addWidget(m_run);
    sourceRow->addWidget(m_compareButton);
    sourceRow->addWidget(m_cancel);

    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_progressLabel = new QLabel;
    m_progressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_progressLabel, 2);

    m_errorButton = new QPushButton;
    m_errorButton->setObjectName(QStringLiteral("replayError"));
    m_errorButton->setFlat(true);
    m_errorButton->setStyleSheet(QStringLiteral("QPushButton { color: #d03030; text-align: left; font-weight: bold; "
                                                "padding: 2px 4px; }"));
    m_errorButton->setCursor(Qt::PointingHandCursor);
    m_errorButton->hide();
    connect(m_errorButton, &QPushButton::clicked, this, &ReplayView::openErrorEvent);

    // Editors and limits.
    m_editorA = new ProjectionEditor;
    m_editorB = new ProjectionEditor;
    m_limits = new ReplayLimitsForm;
    m_editorTabs = new QTabWidget;
    m_editorTabs->addTab(m_editorA, tr("Projection A"));
    m_editorTabs->addTab(m_editorB, tr("B (compare)"));
    m_editorTabs->addTab(m_limits, tr("Limits"));
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_templates);
    fileRow->addWidget(open);
    fileRow->addWidget(save);
    fileRow->addStretch(1);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(fileRow);
    leftLayout->addWidget(m_editorTabs, 1);

    // The timeline.
    // The style's media icons: not every desktop font has the ⏮ ⏭ glyphs.
    m_first = toolButton(QStringLiteral("|<"), tr("Version 0: the initial state"));
    m_back = toolButton(QStringLiteral("<"), tr("Step back one version"));
    m_forward = toolButton(QStringLiteral(">"), tr("Step forward one version"));
    m_last = toolButton(QStringLiteral(">|"), tr("The last version"));
    m_first->setIcon(style()->standardIcon(QStyle::SP_MediaSkipBackward));
    m_back->setIcon(style()->standardIcon(QStyle::SP_MediaSeekBackward));
    m_forward->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
    m_last->setIcon(style()->standardIcon(QStyle::SP_MediaSkipForward));
    m_back->setAutoRepeat(true);
    m_forward->setAutoRepeat(true);
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setRange(0, 0);
    m_goTo = new QSpinBox;
    m_goTo->setRange(0, 0);
    m_goTo->setPrefix(tr("version "));
    m_goTo->setToolTip(tr("Go to version (Enter)"));
    m_goTo->setKeyboardTracking(false);
    m_versionLabel = new QLabel;
    m_showEvent = new QPushButton(tr("Show event"));
    m_showEvent->setToolTip(tr("Open this event in the events pane"));
    m_export = new QPushButton(tr("Export state…"));
    connect(m_first, &QToolButton::clicked, this, [this] { goToVersion(0); });
    connect(m_back, &QToolButton::clicked, this, &ReplayView::stepBack);
    connect(m_forward, &QToolButton::clicked, this, &ReplayView::stepForward);
    connect(m_last, &QToolButton::clicked, this, [this] { goToVersion(m_length); });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) { goToVersion(value); });
    connect(m_goTo, &QSpinBox::valueChanged, this, [this](int value) { goToVersion(value); });
    connect(m_showEvent, &QPushButton::clicked, this, [this] {
        if (m_step.version > 0)
            requestOpen(m_step.record.stream, m_step.record.id, m_step.record.version);
    });
    connect(m_export, &QPushButton::clicked, this, &ReplayView::exportShown);
    auto *scrubRow = new QHBoxLayout;
    for (QWidget *widget : {static_cast<QWidget *>(m_first), static_cast<QWidget *>(m_back)})
        scrubRow->addWidget(widget);
    scrubRow->addWidget(m_slider, 1);
    scrubRow->addWidget(m_forward);
    scrubRow->addWidget(m_last);
    scrubRow->addWidget(m_goTo);
    scrubRow->addWidget(m_versionLabel);
    scrubRow->addWidget(m_showEvent);
    scrubRow->addWidget(m_export);
    m_stepLabel = new QLabel;
    m_stepLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_stateModel = new JsonTreeModel(this);
    m_stateHighlight = new DiffHighlightProxy(JsonTreeModel::PathRole, this);
    m_stateHighlight->setSourceModel(m_stateModel);
    m_stateView = makeTree(m_stateHighlight);
    auto *statePane = new QWidget;
    auto *stateLayout = new QVBoxLayout(statePane);
    stateLayout->setContentsMargins(0, 0, 0, 0);
    auto *stateTitle = new QLabel(tr("<b>State</b> after the event (changed paths tinted)"));
    stateLayout->addWidget(stateTitle);
    stateLayout->addWidget(m_stateView, 1);

    m_eventView = new PayloadView;
    m_eventView->setZilverline(m_layout.kind == StoreLayout::Kind::Zilverline);
    m_output = new QPlainTextEdit;
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setPlaceholderText(tr("What this event logged (console.*) and would emit"));
    m_stepTabs = new QTabWidget;
    m_stepTabs->addTab(m_eventView, tr("Event applied"));
    m_stepTabs->addTab(m_output, tr("Output"));

    m_diffModel = new StateDiffModel(this);
    m_diffView = makeDiffTable(m_diffModel);
    m_diffLabel = new QLabel(tr("<b>Diff</b>"));
    auto *diffPane = new QWidget;
    auto *diffLayout = new QVBoxLayout(diffPane);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diffLayout->addWidget(m_diffLabel);
    diffLayout->addWidget(m_diffView, 1);

    auto *upper = new QSplitter(Qt::Horizontal);
    upper->addWidget(statePane);
    upper->addWidget(m_stepTabs);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    auto *timelineSplit = new QSplitter(Qt::Vertical);
    timelineSplit->addWidget(upper);
    timelineSplit->addWidget(diffPane);
    timelineSplit->setStretchFactor(0, 3);
    timelineSplit->setStretchFactor(1, 2);
    auto *timeline = new QWidget;
    auto *timelineLayout = new QVBoxLayout(timeline);
    timelineLayout->setContentsMargins(4, 4, 4, 4);
    timelineLayout->addLayout(scrubRow);
    timelineLayout->addWidget(m_stepLabel);
    timelineLayout->addWidget(timelineSplit, 1);

    // The comparison.
    m_compareLabel = new QLabel(tr("Compare runs A and B on the same events and shows where their states first "
                                   "differ."));
    m_compareLabel->setWordWrap(true);
    m_compareLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_compareShowEvent = new QPushButton(tr("Show event"));
    m_compareShowEvent->setEnabled(false);
    connect(m_compareShowEvent, &QPushButton::clicked, this, [this] {
        if (m_compare.diverged && m_compare.version > 0)
            requestOpen(m_compare.record.stream, m_compare.record.id, m_compare.record.version);
    });
    m_compareA = new JsonTreeModel(this);
    m_compareB = new JsonTreeModel(this);
    m_compareDiff = new StateDiffModel(this);
    auto titled = [](const QString &title, QWidget *widget) {
        auto *pane = new QWidget;
        auto *layout = new QVBoxLayout(pane);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(new QLabel(title));
        layout->addWidget(widget, 1);
        return pane;
    };
    auto *states = new QSplitter(Qt::Horizontal);
    states->addWidget(titled(tr("<b>State A</b>"), makeTree(m_compareA)));
    states->addWidget(titled(tr("<b>State B</b>"), makeTree(m_compareB)));
    auto *compareSplit = new QSplitter(Qt::Vertical);
    compareSplit->addWidget(states);
    compareSplit->addWidget(titled(tr("<b>Diff</b> from A to B"), makeDiffTable(m_compareDiff)));
    auto *comparePane = new QWidget;
    auto *compareLayout = new QVBoxLayout(comparePane);
    compareLayout->setContentsMargins(4, 4, 4, 4);
    auto *compareRow = new QHBoxLayout;
    compareRow->addWidget(m_compareLabel, 1);
    compareRow->addWidget(m_compareShowEvent);
    compareLayout->addLayout(compareRow);
    compareLayout->addWidget(compareSplit, 1);

    m_resultTabs = new QTabWidget;
    m_resultTabs->addTab(timeline, tr("Timeline"));
    m_resultTabs->addTab(comparePane, tr("Compare"));

    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(m_resultTabs);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({560, 880}); // the editor wide enough for a line of code; scaled to the real width

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(sourceRow);
    layout->addLayout(progressRow);
    layout->addWidget(m_errorButton);
    layout->addWidget(split, 1);
}

void ReplayView::setSelectedStream(const QByteArray &name)
{
    m_selected = name;
    m_sourceKind->setItemText(int(SourceKind::Selected),
                              name.isEmpty() ? tr("Selected stream") : tr("Stream %1").arg(QString::fromUtf8(name)));
}

void ReplayView::setSource(SourceKind kind, const QList<QByteArray> &streams)
{
    m_sourceKind->setCurrentIndex(int(kind));
    m_streams->setEnabled(kind == SourceKind::Streams);
    if (!streams.isEmpty()) {
        QStringList names;
        for (const QByteArray &name : streams)
            names << QString::fromUtf8(name);
        m_streams->setText(names.join(QLatin1Char(' ')));
    }
}

ReplaySource ReplayView::source() const
{
    switch (SourceKind(m_sourceKind->currentIndex())) {
    case SourceKind::Selected:
        return m_selected == AllStreamName ? ReplaySource::all() : ReplaySource::stream(m_selected);
    case SourceKind::Streams: {
        QList<QByteArray> names;
        static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
        const QStringList parts = m_streams->text().split(separators, Qt::SkipEmptyParts);
        for (const QString &part : parts)
            names << part.toUtf8();
        return ReplaySource::merged(names);
    }
    case SourceKind::All:
        return ReplaySource::all();
    }
    return {};
}

ProjectionEditor *ReplayView::currentEditor() const
{
    return m_editorTabs->currentWidget() == m_editorB ? m_editorB : m_editorA;
}

ReplayOptions ReplayView::makeOptions() const
{
    ReplayOptions options;
    options.source = source();
    options.script = m_editorA->script();
    if (!m_editorA->fileName().isEmpty())
        options.scriptName = QFileInfo(m_editorA->fileName()).fileName();
    options.limits = m_limits->limits();
    options.pageSize = m_pageSize;
    options.sandboxProgram = m_sandboxProgram;
    return options;
}

bool ReplayView::isRunning() const
{
    return m_cancel->isEnabled();
}

void ReplayView::startCommon()
{
    clearError();
    ++m_runGeneration;
    m_failingPayload.reset();
    m_stepTabs->setTabText(0, tr("Event applied"));
    m_runSource = source();
    m_length = 0;
    m_wanted = -1;
    m_shown = -1;
    ++m_stepGeneration;
    m_step = {};
    m_shownState.clear();
    m_stateModel->clear();
    m_stateHighlight->setChanges({});
    m_diffModel->clear();
    m_eventView->clear();
    m_output->clear();
    m_stepLabel->clear();
    m_progress->setValue(0);
    m_progressLabel->setText(tr("Starting the sandbox…"));
    // Whatever ran before goes, with its sandboxes; nothing of it arrives afterwards.
    m_replay->clear();
    m_mode = Mode::None;
}

void ReplayView::run()
{
    if (isRunning())
        return;
    startCommon();
    const ReplayOptions options = makeOptions();
    if (options.source.kind != ReplaySource::Kind::All
        && (options.source.streams.isEmpty() || options.source.streams.first().isEmpty())) {
        onFailed(nothingToReplay(), 0);
        return;
    }
    m_mode = Mode::Run;
    setBusy(true);
    m_resultTabs->setCurrentIndex(0);
    m_replay->start(options);
}

void ReplayView::compare()
{
    if (isRunning())
        return;
    startCommon();
    m_compare = {};
    m_compareA->clear();
    m_compareB->clear();
    m_compareDiff->clear();
    m_compareShowEvent->setEnabled(false);
    m_compareLabel->setText(tr("Comparing…"));
    ReplayOptions options = makeOptions();
    if (options.source.kind != ReplaySource::Kind::All
        && (options.source.streams.isEmpty() || options.source.streams.first().isEmpty())) {
        onFailed(nothingToReplay(), 0);
        return;
    }
    m_mode = Mode::Compare;
    setBusy(true);
    m_resultTabs->setCurrentIndex(1);
    m_replay->compare(options, m_editorA->script(), m_editorB->script());
}

void ReplayView::cancel()
{
    if (m_mode == Mode::Compare) {
        m_replay->clear(); // the comparer and its two sandboxes go
        m_mode = Mode::None;
        m_compareLabel->setText(tr("Cancelled"));
    } else if (m_replay->isRunning()) {
        m_replay->cancel(); // answered by cancelled()
        return;
    }
    setBusy(false);
    m_progressLabel->setText(tr("Cancelled"));
}

void ReplayView::setBusy(bool busy)
{
    m_run->setEnabled(!busy);
    m_compareButton->setEnabled(!busy);
    m_cancel->setEnabled(busy);
    m_sourceKind->setEnabled(!busy);
    m_streams->setEnabled(!busy && m_sourceKind->currentIndex() == int(SourceKind::Streams));
    const bool scrub = !busy && m_mode == Mode::Run && m_length > 0;
    for (QWidget *widget :
         {static_cast<QWidget *>(m_first), static_cast<QWidget *>(m_back), static_cast<QWidget *>(m_slider),
          static_cast<QWidget *>(m_forward), static_cast<QWidget *>(m_last), static_cast<QWidget *>(m_goTo)})
        widget->setEnabled(scrub);
    m_showEvent->setEnabled(!busy && m_shown > 0);
    m_export->setEnabled(!busy && m_shown >= 0);
}

QString ReplayView::progressText() const
{
    return m_progressLabel->text();
}

void ReplayView::onProgress(const ReplayProgress &progress)
{
    m_progress->setValue(progress.total > 0 ? int(progress.done * 1000 / progress.total) : 0);
    const QLocale locale;
    const QString unit = m_layout.kind == StoreLayout::Kind::Zilverline ? tr("commits/s") : tr("events/s");
    m_progressLabel->setText(tr("%1 / %2 commits · %3 %4")
                                 .arg(locale.toString(progress.done), locale.toString(progress.total),
                                      locale.toString(qRound64(progress.commitsPerSecond)), unit));
}

void ReplayView::onFinished(const ReplayResult &result)
{
    m_length = m_replay->length();
    setBusy(false);
    m_progress->setValue(1000);
    const QLocale locale;
    QString text = tr("Replayed %1 commits in %2 s · %3/s")
                       .arg(locale.toString(result.commits), QString::number(result.seconds, 'f', 2),
                            locale.toString(qRound64(result.commitsPerSecond)));
    if (result.missing > 0)
        text += tr(" · %1 missing").arg(locale.toString(result.missing));
    if (result.emitCount > 0)
        text += tr(" · %1 would emit").arg(locale.toString(result.emitCount));
    text += tr(" · %1 checkpoints (%2)").arg(result.checkpoints).arg(PayloadView::formatSize(result.checkpointBytes));
    m_progressLabel->setText(text);
    {
        const QSignalBlocker a(m_slider);
        const QSignalBlocker b(m_goTo);
        m_slider->setRange(0, int(qMin<qint64>(m_length, std::numeric_limits<int>::max())));
        m_goTo->setRange(0, int(qMin<qint64>(m_length, std::numeric_limits<int>::max())));
    }
    m_versionLabel->setText(tr("of %1").arg(m_length));
    Q_EMIT runFinished(result);
    goToVersion(m_length);
}

void ReplayView::onFailed(const ProjectionError &error, int side)
{
    m_error = error;
    m_errorSide = side;
    const bool comparing = m_mode == Mode::Compare;
    const bool scrubbable = m_mode == Mode::Run && error.version > 0; // a run's state before its failure
    const QString prefix = comparing ? (side == 0 ? tr("A: ") : tr("B: ")) : QString();
    const bool pinned = error.version > 0;
    m_errorButton->setText(prefix + error.text() + (pinned ? tr("  — show this event") : QString()));
    m_errorButton->setToolTip(pinned ? tr("Open version %1 in the events pane").arg(error.version) : QString());
    m_errorButton->setEnabled(pinned);
    m_errorButton->show();
    ProjectionEditor *editor = side == 0 ? m_editorA : m_editorB;
    if (error.line > 0) {
        m_editorTabs->setCurrentWidget(editor);
        editor->setErrorLine(error.line, error.column);
    }
    if (comparing) {
        m_replay->clear(); // the comparer stopped both runs; their sandboxes go
        m_compareLabel->setText(tr("The comparison stopped: %1").arg(prefix + error.text()));
    }
    // A run that failed at version V can still be scrubbed up to V - 1, the state the failing event met.
    if (scrubbable)
        m_length = m_replay->length();
    setBusy(false);
    m_progressLabel->setText(pinned ? tr("Stopped at version %1").arg(error.version) : tr("Stopped"));
    m_failingPayload.reset();
    if (scrubbable && !error.id.isEmpty() && m_connection) {
        // The event that failed is beyond what can be scrubbed: fetch it to show beside the state it met.
        const quint64 run = m_runGeneration;
        m_connection->send({"HGET", m_layout.eventsKey, error.id}, this, [this, run](const RedisReply &reply) {
            if (run != m_runGeneration || reply.isError())
                return;
            m_failingPayload = reply.isNil() ? std::optional<QByteArray>(QByteArray()) : reply.text;
            m_failingMissing = reply.isNil();
            if (m_shown >= 0 && m_shown == m_error.version - 1)
                showFailingEvent();
        });
    }
    Q_EMIT runFailed(error);
    if (scrubbable) {
        const QSignalBlocker a(m_slider);
        const QSignalBlocker b(m_goTo);
        m_slider->setRange(0, int(qMin<qint64>(m_length, std::numeric_limits<int>::max())));
        m_goTo->setRange(0, int(qMin<qint64>(m_length, std::numeric_limits<int>::max())));
        m_versionLabel->setText(tr("of %1").arg(m_length));
    }
    if (scrubbable)
        goToVersion(m_length);
}

void ReplayView::clearError()
{
    m_error = {};
    m_errorButton->hide();
    m_errorButton->setText({});
    m_editorA->setErrorLine(0);
    m_editorB->setErrorLine(0);
}

QString ReplayView::errorText() const
{
    return m_errorButton->isVisible() || !m_errorButton->text().isEmpty() ? m_errorButton->text() : QString();
}

QString ReplayView::statusText() const
{
    return m_progressLabel->text();
}

QString ReplayView::stepText() const
{
    return m_stepLabel->text();
}

QString ReplayView::compareText() const
{
    return m_compareLabel->text();
}

void ReplayView::goToVersion(qint64 version)
{
    if (m_mode != Mode::Run || m_replay->isRunning() || isRunning())
        return;
    version = qBound<qint64>(0, version, m_length);
    {
        const QSignalBlocker a(m_slider);
        const QSignalBlocker b(m_goTo);
        m_slider->setValue(int(version));
        m_goTo->setValue(int(version));
    }
    if (version == m_wanted && m_shown == version)
        return;
    m_wanted = version;
    m_stepLabel->setText(tr("Version %1…").arg(version));
    m_replay->seek(version); // seeks queue in the runner; only the newest pending one runs
}

void ReplayView::onStep(const ReplayStep &step)
{
    if (step.version != m_wanted)
        return; // the scrubber moved on
    const quint64 generation = ++m_stepGeneration;
    const StoreLayout layout = m_layout;
    auto *watcher = new QFutureWatcher<std::shared_ptr<StepView>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, step] {
        watcher->deleteLater();
        if (generation == m_stepGeneration)
            showStep(step, watcher->result());
    });
    // A state may be megabytes: parse and diff it off the GUI thread.
    watcher->setFuture(QtConcurrent::run([step, layout] {
        auto view = std::make_shared<StepView>();
        view->tree = JsonTree::parse(step.after.state);
        view->diff = diffJsonText(step.before.state, step.after.state);
        if (step.version > 0 && !step.record.missing)
            view->summary = summarizePayload(layout, step.record.payload);
        return view;
    }));
}

void ReplayView::showStep(const ReplayStep &step, const std::shared_ptr<StepView> &view)
{
    m_step = step;
    m_shown = step.version;
    m_shownState = step.after.state;
    m_stateModel->setTree(view->tree);
    m_stateHighlight->setChanges(view->diff);
    m_diffModel->setChanges(view->diff);
    if (m_stateModel->rowCount() <= 50)
        m_stateView->expandToDepth(0);
    expandChanges(m_stateView, m_stateHighlight, view->diff);

    QString where;
    if (step.version == 0) {
        m_eventView->showError(tr("Version 0 is the initial state: no event applied yet."));
        where = tr("the initial state");
    } else {
        const EventRecord &record = step.record;
        m_stepTabs->setTabText(0, tr("Event applied"));
        where = tr("%1 in %2").arg(QString::fromUtf8(record.id), QString::fromUtf8(record.stream));
        if (!view->summary.type.isEmpty())
            where += QStringLiteral(" · ") + view->summary.type;
        if (record.missing)
            m_eventView->showMissing(record.id);
        else
            m_eventView->setPayload(record.id, record.payload, record.payload.size(), classifyPayload(record.payload));
    }
    m_stepLabel->setText(tr("Version %1 of %2 · %3 · found in %4 ms")
                             .arg(step.version)
                             .arg(m_length)
                             .arg(where, QString::number(step.milliseconds, 'f', 1)));
    m_diffLabel->setText(step.version == 0 ? tr("<b>Diff</b>: none at version 0")
                                           : tr("<b>Diff</b> of the state before and after version %1: %2")
                                                 .arg(step.version)
                                                 .arg(m_diffModel->summary()));

    QStringList lines;
    for (const QJsonValue &value : step.logs) {
        const QJsonObject log = value.toObject();
        lines << QStringLiteral("console.%1: %2")
                     .arg(log.value(QStringLiteral("level")).toString(), log.value(QStringLiteral("text")).toString());
    }
    for (const QJsonValue &value : step.emits) {
        const QJsonObject would = value.toObject();
        lines << tr("would %1 → %2 %3 %4")
                     .arg(would.value(QStringLiteral("kind")).toString(),
                          would.value(QStringLiteral("stream")).toString(),
                          would.value(QStringLiteral("type")).toString(),
                          StateDiffModel::valueText(would.value(QStringLiteral("data"))));
    }
    m_output->setPlainText(lines.join(QLatin1Char('\n')));
    m_stepTabs->setTabText(1, lines.isEmpty() ? tr("Output") : tr("Output (%1)").arg(lines.size()));
    if (m_error.version > 0 && step.version == m_error.version - 1 && m_failingPayload)
        showFailingEvent();
    setBusy(false);
    Q_EMIT stepShown(step.version);
}

void ReplayView::showFailingEvent()
{
    m_stepTabs->setTabText(0, tr("Failing event"));
    m_stepTabs->setCurrentIndex(0);
    if (m_failingMissing)
        m_eventView->showMissing(m_error.id);
    else
        m_eventView->setPayload(m_error.id, *m_failingPayload, m_failingPayload->size(),
                                classifyPayload(*m_failingPayload));
    m_stepLabel->setText(tr("Version %1 of %2 · the state version %3 (%4) met · its event on the right")
                             .arg(m_shown)
                             .arg(m_length)
                             .arg(m_error.version)
                             .arg(QString::fromUtf8(m_error.id)));
}

void ReplayView::onCompareFinished(const CompareResult &result)
{
    m_compare = result;
    setBusy(false);
    m_progress->setValue(1000);
    const QLocale locale;
    m_progressLabel->setText(tr("Compared %1 commits").arg(locale.toString(result.commits)));
    if (!result.diverged) {
        m_compareLabel->setText(tr("A and B agree: their states are equal at every version (%1 commits).")
                                    .arg(locale.toString(result.commits)));
        m_compareA->setJson(result.a.state);
        m_compareB->setJson(result.b.state);
        m_compareDiff->clear();
    } else {
        const QString where = result.version == 0 ? tr("in their initial states (version 0)")
                                                  : tr("at version %1 (%2 in %3)")
                                                        .arg(result.version)
                                                        .arg(QString::fromUtf8(result.record.id),
                                                             QString::fromUtf8(result.record.stream));
        m_compareLabel->setText(tr("A and B first diverge %1: %2.").arg(where, [&] {
            StateDiffModel counter;
            counter.setChanges(result.diff);
            return counter.summary();
        }()));
        m_compareA->setJson(result.a.state);
        m_compareB->setJson(result.b.state);
        m_compareDiff->setChanges(result.diff);
        m_compareShowEvent->setEnabled(result.version > 0);
    }
    m_replay->clear(); // the comparer and its two sandboxes go
    m_mode = Mode::None;
    m_resultTabs->setCurrentIndex(1);
    Q_EMIT compareFinished(result);
}

void ReplayView::openErrorEvent()
{
    if (m_error.version > 0)
        requestOpen(m_error.stream, m_error.id, m_error.version);
}

void ReplayView::requestOpen(const QByteArray &stream, const QByteArray &id, qint64 version)
{
    switch (m_runSource.kind) {
    case ReplaySource::Kind::Stream:
        Q_EMIT openEventRequested(m_runSource.streams.value(0), version);
        return;
    case ReplaySource::Kind::All:
        Q_EMIT openEventRequested(QByteArray(AllStreamName), version);
        return;
    case ReplaySource::Kind::Streams:
        break;
    }
    // Merged: the version counts commits of all the streams; the event's place in its own stream is asked for.
    if (!m_connection || stream.isEmpty() || id.isEmpty())
        return;
    m_connection->send({"LPOS", m_layout.streamKey(stream), id}, this, [this, stream, id](const RedisReply &reply) {
        if (reply.isInteger() && reply.integer >= 0)
            Q_EMIT openEventRequested(stream, reply.integer + 1);
        else
            m_stepLabel->setText(tr("%1 is no longer in %2").arg(QString::fromUtf8(id), QString::fromUtf8(stream)));
    });
}

void ReplayView::loadFile()
{
    ProjectionEditor *editor = currentEditor();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open projection"), editor->fileName(),
                                                      tr("JavaScript (*.js);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!editor->loadFile(path, &error))
        m_progressLabel->setText(error);
}

void ReplayView::saveFile()
{
    ProjectionEditor *editor = currentEditor();
    QString path = QFileDialog::getSaveFileName(this, tr("Save projection"), editor->fileName(),
                                                tr("JavaScript (*.js);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!editor->saveFile(path, &error))
        m_progressLabel->setText(error);
}

void ReplayView::exportShown()
{
    if (m_shown < 0)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export state"), QStringLiteral("state-v%1.json").arg(m_shown), tr("JSON (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportState(m_shownState, path, &error))
        m_stepLabel->setText(error);
    else
        m_stepLabel->setText(tr("Exported the state at version %1 to %2").arg(m_shown).arg(path));
}

bool ReplayView::exportState(const QByteArray &stateJson, const QString &path, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(stateJson, &parseError);
    // A container is written indented; a scalar state (QJsonDocument holds none) as it came.
    const QByteArray bytes
        = parseError.error == QJsonParseError::NoError ? document.toJson(QJsonDocument::Indented) : stateJson + '\n';
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("Cannot export to %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Eventscope
