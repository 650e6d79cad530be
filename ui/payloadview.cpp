#include "payloadview.h"

#include "uniformtableview.h"

#include "hexdumpmodel.h"
#include "jsonformat.h"

#include <QAction>
#include <QButtonGroup>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QFrame>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPlainTextDocumentLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStyle>
#include <QTextBlock>
#include <QTextDocument>
#include <QThread>
#include <QThreadPool>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace Eventscope {

namespace {

constexpr int EventNodeRole = Qt::UserRole;
// A tree this small opens with its top level expanded; a big one opens collapsed, as expanding costs a row each.
constexpr int ExpandedTreeNodes = 2000;
constexpr int EventPreviewChars = 160;
// Deleting a document takes about as long as the text edit takes to adopt it (a layout per block, 55 ms for 200k
// blocks): from this many blocks on, a worker does it.
constexpr int DisposeOnWorkerBlocks = 2000;
// More lines than any screen shows.
constexpr int ScrollBarBlocks = 1000;

unsigned bit(PayloadView::Mode mode)
{
    return 1u << unsigned(mode);
}

PayloadView::Mode defaultMode(PayloadEncoding encoding)
{
    switch (encoding) {
    case PayloadEncoding::Json:
        return PayloadView::Mode::Pretty;
    case PayloadEncoding::Text:
        return PayloadView::Mode::Raw;
    case PayloadEncoding::Binary:
        return PayloadView::Mode::Hex;
    }
    return PayloadView::Mode::Hex;
}

// At most `limit` bytes, not ending inside a UTF-8 sequence: a cut character would show as U+FFFD at the end.
QByteArray utf8Prefix(const QByteArray &bytes, qsizetype limit)
{
    if (bytes.size() <= limit)
        return bytes;
    qsizetype end = limit;
    for (int i = 0; i < 3 && end > 0 && (static_cast<unsigned char>(bytes.at(end)) & 0xC0) == 0x80; ++i)
        --end;
    return bytes.first(end);
}

// The text a view shows: lines broken every DisplayLineLength characters (never inside a surrogate pair), at most
// TextViewLines of them (`cut` tells whether there was more), and for binary payloads control bytes as their
// visible Control Pictures rather than as nothing.
QString displayText(QByteArrayView utf8, bool controlPictures, bool &cut)
{
    const QString decoded = QString::fromUtf8(utf8);
    QString text;
    text.reserve(decoded.size() + decoded.size() / PayloadView::DisplayLineLength + 1);
    qsizetype column = 0;
    qsizetype lines = 1;
    cut = false;
    for (QChar c : decoded) {
        const bool breakLine = c == u'\n' || (column >= PayloadView::DisplayLineLength && !c.isLowSurrogate());
        if (breakLine && ++lines > PayloadView::TextViewLines) {
            cut = true;
            break;
        }
        if (c == u'\n') {
            text += c;
            column = 0;
            continue;
        }
        if (breakLine) {
            text += u'\n';
            column = 0;
        }
        if (controlPictures && c.unicode() < 0x20 && c != u'\t')
            c = QChar(char16_t(0x2400 + c.unicode()));
        text += c;
        ++column;
    }
    return text;
}

// Builds a document for a QPlainTextEdit on any thread. Built off the GUI thread, a document of 100k lines costs the
// GUI thread only setDocument(), not the seconds of setPlainText() and colouring. It leaves with no thread affinity:
// the GUI thread pulls it in when it adopts it, and a result dropped on the worker (a cancelled job) is deleted there
// without touching an object another thread owns.
std::unique_ptr<QTextDocument> buildDocument(const QString &text, const QFont &font,
                                             const JsonHighlighter::Formats *formats)
{
    auto document = std::make_unique<QTextDocument>();
    document->setUndoRedoEnabled(false);
    document->setDocumentLayout(new QPlainTextDocumentLayout(document.get()));
    document->setDefaultFont(font);
    document->setPlainText(text);
    if (formats) {
        JsonHighlighter::highlightDocument(document.get(), *formats);
    } else {
        // The text edit creates a layout object for every block when it takes the document (330 ms for 200k lines,
        // measured); created here, they cost the worker instead. Colouring creates them as well.
        for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
            block.layout();
    }
    document->moveToThread(nullptr);
    return document;
}

// Deletes a document no view shows any more. A big one is let go of the GUI thread (no parent, no thread, like a
// document built on a worker) and deleted on a worker.
void disposeDocument(QTextDocument *document)
{
    if (!document)
        return;
    if (document->blockCount() < DisposeOnWorkerBlocks) {
        delete document;
        return;
    }
    document->setParent(nullptr);
    document->moveToThread(nullptr);
    QThreadPool::globalInstance()->start([document] { delete document; });
}

// Identifies a text view's text: its length and a hash of it (seeded per process, so no payload can be made to
// collide on purpose). Keeping the text itself would double what a big view holds.
size_t textKey(const QString &text)
{
    return qHash(text) ^ (size_t(text.size()) * 0x9e3779b97f4a7c15u);
}

} // namespace

// What a job hands back to the GUI thread.
struct PayloadView::Rendering
{
    std::unique_ptr<QTextDocument> document;
    // The key of the text the document shows. A text job that finds it is the text the view shows already builds no
    // document: "Load all" of a payload whose first MiB fills a view with its first TextViewLines lines shows the
    // same lines, and the view keeps the document it has rather than adopting (and deleting) 80k lines again.
    size_t textKey = 0;
    bool sameAsShown = false;
    bool highlighted = false;
    bool cut = false; // the document holds the first TextViewLines lines only
    JsonTreePtr tree;
    struct Event
    {
        int node;
        QString text;
    };
    std::optional<QList<Event>> events; // set when the payload is a commit record with an events array
};

PayloadView::PayloadView(QWidget *parent)
    : QWidget(parent)
    , m_formats(JsonHighlighter::formatsFor(palette()))
    , m_monospace(QFontDatabase::systemFont(QFontDatabase::FixedFont))
{
    // Header: what is shown, and how.
    m_idLabel = new QLabel(this);
    m_idLabel->setObjectName(QStringLiteral("idLabel"));
    m_idLabel->setTextFormat(Qt::PlainText);
    m_idLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_idLabel->font();
    bold.setBold(true);
    m_idLabel->setFont(bold);
    m_sizeLabel = new QLabel(this);
    m_sizeLabel->setObjectName(QStringLiteral("sizeLabel"));
    m_encodingLabel = new QLabel(this);
    m_encodingLabel->setObjectName(QStringLiteral("encodingLabel"));
    m_encodingLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *header = new QHBoxLayout;
    header->setSpacing(12);
    header->addWidget(m_idLabel);
    header->addWidget(m_sizeLabel);
    header->addWidget(m_encodingLabel);
    header->addStretch();
    m_modeButtons = new QButtonGroup(this);
    auto *switchLayout = new QHBoxLayout;
    switchLayout->setSpacing(0);
    const std::pair<Mode, QString> modes[]
        = {{Mode::Pretty, tr("Pretty")}, {Mode::Tree, tr("Tree")}, {Mode::Raw, tr("Raw")}, {Mode::Hex, tr("Hex")}};
    for (const auto &[mode, name] : modes) {
        auto *button = new QToolButton(this);
        button->setText(name);
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setObjectName(QStringLiteral("mode") + name);
        m_modeButtons->addButton(button, int(mode));
        switchLayout->addWidget(button);
    }
    header->addLayout(switchLayout);
    connect(m_modeButtons, &QButtonGroup::idClicked, this, [this](int id) { setMode(Mode(id)); });

    // Banner for a payload shown in part.
    m_banner = new QFrame(this);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    m_banner->setBackgroundRole(QPalette::ToolTipBase);
    m_bannerLabel = new QLabel(m_banner);
    m_bannerLabel->setObjectName(QStringLiteral("bannerLabel"));
    m_bannerLabel->setForegroundRole(QPalette::ToolTipText);
    m_loadAllButton = new QPushButton(tr("Load all"), m_banner);
    m_loadAllButton->setObjectName(QStringLiteral("loadAllButton"));
    m_saveButton = new QPushButton(tr("Save to file"), m_banner);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(8, 2, 8, 2);
    bannerLayout->addWidget(m_bannerLabel);
    bannerLayout->addWidget(m_loadAllButton);
    bannerLayout->addWidget(m_saveButton);
    bannerLayout->addStretch();
    m_banner->hide();
    m_viewNote = new QLabel(this);
    m_viewNote->setObjectName(QStringLiteral("viewNote"));
    m_viewNote->setForegroundRole(QPalette::PlaceholderText);
    m_viewNote->hide();
    connect(m_loadAllButton, &QPushButton::clicked, this, [this] {
        m_showAll = true;
        Q_EMIT loadAllRequested();
        // What is already loaded is shown at once; the rest comes with the next setPayload() for this id.
        if (m_bytes.size() > m_shownPart.size())
            showPayload();
        else
            updateBanner();
    });
    connect(m_saveButton, &QPushButton::clicked, this, &PayloadView::saveRequested);

    // The events of a zilverline commit.
    m_eventsPanel = new QWidget(this);
    m_eventsLabel = new QLabel(m_eventsPanel);
    m_eventsLabel->setObjectName(QStringLiteral("eventsLabel"));
    auto *wholeCommit = new QPushButton(tr("Whole commit"), m_eventsPanel);
    wholeCommit->setObjectName(QStringLiteral("wholeCommitButton"));
    m_eventList = new QListView(m_eventsPanel);
    m_eventList->setObjectName(QStringLiteral("eventList"));
    m_eventList->setUniformItemSizes(true);
    m_eventList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_eventModel = new QStandardItemModel(this);
    m_eventList->setModel(m_eventModel);
    auto *eventsHeader = new QHBoxLayout;
    eventsHeader->addWidget(m_eventsLabel);
    eventsHeader->addStretch();
    eventsHeader->addWidget(wholeCommit);
    auto *eventsLayout = new QVBoxLayout(m_eventsPanel);
    eventsLayout->setContentsMargins(0, 0, 0, 0);
    eventsLayout->addLayout(eventsHeader);
    eventsLayout->addWidget(m_eventList);
    m_eventsPanel->hide();
    connect(m_eventList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this, wholeCommit](const QModelIndex &current) {
                wholeCommit->setEnabled(current.isValid());
                showCommitEvent(current.isValid() ? current.row() : -1);
            });
    connect(wholeCommit, &QPushButton::clicked, this, [this] { m_eventList->setCurrentIndex({}); });
    wholeCommit->setEnabled(false);

    // The views.
    const auto makeTextEdit = [this](const QString &name) {
        auto *edit = new QPlainTextEdit(this);
        edit->setObjectName(name);
        edit->setReadOnly(true);
        edit->setUndoRedoEnabled(false);
        edit->setFont(m_monospace);
        edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        return edit;
    };
    m_prettyEdit = makeTextEdit(QStringLiteral("prettyText"));
    m_rawEdit = makeTextEdit(QStringLiteral("rawText"));

    m_treeModel = new JsonTreeModel(this);
    m_treeView = new QTreeView(this);
    m_treeView->setObjectName(QStringLiteral("jsonTree"));
    m_treeView->setModel(m_treeModel);
    m_treeView->setUniformRowHeights(true);
    m_treeView->setAlternatingRowColors(true);
    m_treeView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_treeView->header()->setStretchLastSection(false);
    m_treeView->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_treeView->setColumnWidth(JsonTreeModel::KeyColumn, 220);
    m_treeView->setContextMenuPolicy(Qt::CustomContextMenu);
    auto *copyValue = new QAction(tr("Copy value"), m_treeView);
    copyValue->setObjectName(QStringLiteral("copyValueAction"));
    copyValue->setShortcut(QKeySequence::Copy);
    copyValue->setShortcutContext(Qt::WidgetShortcut);
    connect(copyValue, &QAction::triggered, this, [this] { copyFromTree(JsonTreeModel::ValueTextRole); });
    auto *copyPath = new QAction(tr("Copy path"), m_treeView);
    copyPath->setObjectName(QStringLiteral("copyPathAction"));
    copyPath->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C)); // Ctrl+Shift+C is Copy payload
    copyPath->setShortcutContext(Qt::WidgetShortcut);
    connect(copyPath, &QAction::triggered, this, [this] { copyFromTree(JsonTreeModel::PathRole); });
    m_treeView->addActions({copyValue, copyPath});
    connect(m_treeView, &QWidget::customContextMenuRequested, this, &PayloadView::showTreeMenu);
    // The view's own Ctrl+C copies the display text, which is cut and decoded; the value is what people want.
    m_treeView->installEventFilter(this);
    m_prettyEdit->installEventFilter(this);
    m_rawEdit->installEventFilter(this);

    m_hexModel = new HexDumpModel(this);
    // Uniform rows without a vertical header: a 48 MiB payload is three million rows.
    m_hexView = new UniformTableView(this);
    m_hexView->setObjectName(QStringLiteral("hexTable"));
    m_hexView->setModel(m_hexModel);
    m_hexView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    // Fixed sizes from the font: sizing columns to contents would measure rows for nothing.
    const QFontMetrics metrics(m_monospace);
    m_hexView->setRowHeight(metrics.height() + 4);
    m_hexView->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    const int padding = 2 * metrics.horizontalAdvance(u'0');
    m_hexView->horizontalHeader()->resizeSection(HexDumpModel::OffsetColumn,
                                                 metrics.horizontalAdvance(QStringLiteral("00000000")) + padding);
    m_hexView->horizontalHeader()->resizeSection(HexDumpModel::HexColumn,
                                                 metrics.horizontalAdvance(QString(49, u'0')) + padding);
    m_hexView->horizontalHeader()->resizeSection(HexDumpModel::AsciiColumn,
                                                 metrics.horizontalAdvance(QString(16, u'0')) + padding);
    m_hexView->horizontalHeader()->setStretchLastSection(true);

    m_formattingPage = new QLabel(tr("Formatting…"), this);
    m_formattingPage->setObjectName(QStringLiteral("formattingPage"));
    m_formattingPage->setAlignment(Qt::AlignCenter);
    m_formattingPage->setForegroundRole(QPalette::PlaceholderText);

    m_messagePage = new QWidget(this);
    m_messagePage->setObjectName(QStringLiteral("messagePage"));
    m_messageIcon = new QLabel(m_messagePage);
    m_messageTitle = new QLabel(m_messagePage);
    m_messageTitle->setObjectName(QStringLiteral("messageTitle"));
    m_messageTitle->setTextFormat(Qt::PlainText);
    m_messageTitle->setFont(bold);
    m_messageTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_messageLabel = new QLabel(m_messagePage);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setTextFormat(Qt::PlainText);
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setMinimumWidth(360);
    m_messageLabel->setMaximumWidth(560);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *messageText = new QVBoxLayout;
    messageText->addWidget(m_messageTitle);
    messageText->addWidget(m_messageLabel);
    auto *messageRow = new QHBoxLayout;
    messageRow->addStretch();
    messageRow->addWidget(m_messageIcon, 0, Qt::AlignTop);
    messageRow->addSpacing(8);
    messageRow->addLayout(messageText);
    messageRow->addStretch();
    auto *messageLayout = new QVBoxLayout(m_messagePage);
    messageLayout->addStretch(1);
    messageLayout->addLayout(messageRow);
    messageLayout->addStretch(2);

    m_stack = new QStackedWidget(this);
    m_stack->setObjectName(QStringLiteral("views"));
    for (QWidget *page :
         {static_cast<QWidget *>(m_prettyEdit), static_cast<QWidget *>(m_treeView), static_cast<QWidget *>(m_rawEdit),
          static_cast<QWidget *>(m_hexView), static_cast<QWidget *>(m_formattingPage), m_messagePage})
        m_stack->addWidget(page);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_eventsPanel);
    m_splitter->addWidget(m_stack);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_banner);
    layout->addWidget(m_viewNote);
    layout->addWidget(m_splitter, 1);

    clear();
}

PayloadView::~PayloadView() = default;

QString PayloadView::formatSize(qint64 bytes)
{
    if (bytes < 1024)
        return QString::number(bytes) + QStringLiteral(" B");
    static constexpr const char *Units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        ++unit;
    }
    QString number = QString::number(value, 'f', 1);
    if (number.endsWith(QStringLiteral(".0")))
        number.chop(2);
    return number + u' ' + QLatin1String(Units[unit]);
}

void PayloadView::setPayload(const QByteArray &id, const QByteArray &bytes, qint64 fullSize, PayloadEncoding encoding)
{
    if (id != m_id || m_state != State::Payload)
        m_showAll = false;
    m_state = State::Payload;
    m_id = id;
    m_bytes = bytes;
    m_fullSize = qMax(fullSize, qint64(bytes.size()));
    m_encoding = encoding;
    showPayload();
}

void PayloadView::showPayload()
{
    const qsizetype limit = m_showAll ? m_bytes.size() : DisplayLimit;
    // All of it is shared, not copied: first() would copy tens of MiB on the GUI thread.
    if (m_bytes.size() <= limit)
        m_shownPart = m_bytes;
    else
        m_shownPart = m_encoding == PayloadEncoding::Binary ? m_bytes.first(limit) : utf8Prefix(m_bytes, limit);
    ++m_payloadGeneration;
    m_pendingJobs &= ~(1u << EventsJob);
    m_commitTree.reset();
    m_eventModel->clear();
    m_eventsPanel->hide();

    m_idLabel->setText(QString::fromUtf8(m_id));
    m_sizeLabel->setText(formatSize(m_fullSize));
    m_sizeLabel->setToolTip(tr("%1 bytes").arg(m_fullSize));
    m_encodingLabel->setText(QString::fromLatin1(encodingName(m_encoding)));
    m_encodingLabel->setForegroundRole(QPalette::PlaceholderText);
    updateBanner();

    if (m_zilverline && m_encoding == PayloadEncoding::Json) {
        startJob(
            EventsJob,
            [bytes = m_shownPart](bool) {
                auto rendering = std::make_shared<Rendering>();
                rendering->tree = JsonTree::parse(bytes);
                const JsonTree &tree = *rendering->tree;
                const int events
                    = tree.root() == JsonTree::NoNode ? JsonTree::NoNode : tree.member(tree.root(), "events");
                if (events == JsonTree::NoNode || tree.type(events) != JsonTree::Type::Array)
                    return rendering;
                rendering->events.emplace();
                rendering->events->reserve(tree.childCount(events));
                for (int row = 0; row < tree.childCount(events); ++row) {
                    const int event = tree.child(events, row);
                    int typeNode = tree.member(event, "type");
                    if (typeNode == JsonTree::NoNode)
                        typeNode = tree.member(event, "eventType");
                    const QString type = typeNode != JsonTree::NoNode && tree.type(typeNode) == JsonTree::Type::String
                                             ? decodeJsonString(tree.valueBytes(typeNode))
                                             : QStringLiteral("—");
                    rendering->events->append({event, u'[' + QString::number(row) + QStringLiteral("]  ") + type
                                                          + QStringLiteral("   ")
                                                          + jsonPreview(tree.valueBytes(event), EventPreviewChars)});
                }
                return rendering;
            },
            m_shownPart.size());
    }
    showDocument(m_shownPart, m_encoding);
}

void PayloadView::showDocument(const QByteArray &bytes, PayloadEncoding encoding, std::optional<Mode> keepMode)
{
    m_document = bytes;
    m_documentEncoding = encoding;
    ++m_documentGeneration;
    m_renderedModes = 0;
    m_pendingJobs &= 1u << EventsJob;
    updateModeButtons();
    Mode mode = keepMode.value_or(m_chosenMode[size_t(encoding)].value_or(defaultMode(encoding)));
    if (!isModeEnabled(mode))
        mode = defaultMode(encoding);
    m_mode = mode;
    m_modeButtons->button(int(mode))->setChecked(true);
    ensureRendered(mode);
    updatePage();
}

void PayloadView::showCommitEvent(int event)
{
    if (m_state != State::Payload)
        return;
    if (event < 0 || !m_commitTree) {
        showDocument(m_shownPart, m_encoding);
        return;
    }
    const int node = m_eventModel->item(event)->data(EventNodeRole).toInt();
    const JsonTree::Type type = m_commitTree->type(node);
    const QByteArray bytes = m_commitTree->valueBytes(node).toByteArray();
    // An event cut at the display limit is still JSON to show as such; a scalar event is shown as its text.
    showDocument(bytes, type == JsonTree::Type::Object || type == JsonTree::Type::Array ? PayloadEncoding::Json
                                                                                        : classifyPayload(bytes));
}

void PayloadView::showMissing(const QByteArray &id)
{
    resetViews();
    m_state = State::Missing;
    m_id = id;
    m_idLabel->setText(QString::fromUtf8(id));
    m_sizeLabel->clear();
    m_encodingLabel->setText(tr("missing"));
    // Not the grey of an encoding name: a missing commit is a finding.
    m_encodingLabel->setForegroundRole(QPalette::WindowText);
    showMessage(tr("Commit %1 is missing").arg(QString::fromUtf8(id)),
                tr("The stream lists this id, but the events hash has no such field."), true);
}

void PayloadView::showError(const QString &message)
{
    resetViews();
    m_state = State::Error;
    showMessage(tr("Cannot show this payload"), message, true);
}

void PayloadView::clear()
{
    resetViews();
    m_state = State::Empty;
    m_id.clear();
    showMessage(tr("No commit selected"), {}, false);
}

void PayloadView::resetViews()
{
    ++m_payloadGeneration;
    ++m_documentGeneration;
    m_pendingJobs = 0;
    m_renderedModes = 0;
    cancelStaleJobs();
    m_showAll = false;
    m_bytes.clear();
    m_shownPart.clear();
    m_document.clear();
    m_fullSize = 0;
    m_commitTree.reset();
    m_eventModel->clear();
    m_eventsPanel->hide();
    m_idLabel->clear();
    m_sizeLabel->clear();
    m_encodingLabel->clear();
    // Let go of the big things at once rather than when the next payload replaces them.
    m_treeModel->clear();
    m_hexModel->clear();
    for (auto [edit, document] : {std::pair{m_prettyEdit, &m_prettyDocument}, std::pair{m_rawEdit, &m_rawDocument}}) {
        if (*document) {
            edit->setDocument(nullptr);
            disposeDocument(std::exchange(*document, nullptr));
        }
    }
    m_prettyTextKey.reset();
    m_rawTextKey.reset();
    updateBanner();
}

void PayloadView::showMessage(const QString &title, const QString &detail, bool warning)
{
    m_messageTitle->setText(title);
    m_messageTitle->setForegroundRole(warning ? QPalette::WindowText : QPalette::PlaceholderText);
    m_messageLabel->setText(detail);
    m_messageLabel->setVisible(!detail.isEmpty());
    const int size = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    m_messageIcon->setPixmap(warning ? style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(size)
                                     : QPixmap());
    m_messageIcon->setVisible(warning);
    updateModeButtons();
    updatePage();
}

void PayloadView::setZilverline(bool zilverline)
{
    if (zilverline == m_zilverline)
        return;
    m_zilverline = zilverline;
    if (m_state == State::Payload)
        showPayload();
}

bool PayloadView::isModeEnabled(Mode mode) const
{
    if (m_state != State::Payload)
        return false;
    switch (mode) {
    case Mode::Pretty:
    case Mode::Tree:
        return m_documentEncoding == PayloadEncoding::Json;
    case Mode::Raw:
    case Mode::Hex:
        return true;
    }
    return false;
}

void PayloadView::setMode(Mode mode)
{
    if (!isModeEnabled(mode))
        return;
    m_chosenMode[size_t(m_documentEncoding)] = mode;
    m_mode = mode;
    m_modeButtons->button(int(mode))->setChecked(true);
    ensureRendered(mode);
    updatePage();
}

void PayloadView::updateModeButtons()
{
    for (Mode mode : {Mode::Pretty, Mode::Tree, Mode::Raw, Mode::Hex})
        m_modeButtons->button(int(mode))->setEnabled(isModeEnabled(mode));
    if (m_state != State::Payload && m_modeButtons->checkedButton()) {
        // No view is shown, so none looks chosen; an exclusive group cannot uncheck its last button.
        m_modeButtons->setExclusive(false);
        m_modeButtons->checkedButton()->setChecked(false);
        m_modeButtons->setExclusive(true);
    }
}

void PayloadView::updateBanner()
{
    const bool partial = m_state == State::Payload && m_shownPart.size() < m_fullSize;
    m_banner->setVisible(partial);
    if (!partial)
        return;
    m_bannerLabel->setText(tr("showing %1 of %2").arg(formatSize(m_shownPart.size()), formatSize(m_fullSize)));
    m_loadAllButton->setEnabled(!m_showAll);
}

void PayloadView::updatePage()
{
    const bool cut = m_state == State::Payload && (m_renderedModes & m_cutModes & bit(m_mode));
    m_viewNote->setVisible(cut);
    if (cut) {
        m_viewNote->setText(
            tr("This view shows the first %L1 lines. The Tree and Hex views and Save to file have all of "
               "it.")
                .arg(TextViewLines));
    }
    if (m_state != State::Payload) {
        m_stack->setCurrentWidget(m_messagePage);
        return;
    }
    if (!(m_renderedModes & bit(m_mode))) {
        m_stack->setCurrentWidget(m_formattingPage);
        return;
    }
    switch (m_mode) {
    case Mode::Pretty:
        m_stack->setCurrentWidget(m_prettyEdit);
        break;
    case Mode::Tree:
        m_stack->setCurrentWidget(m_treeView);
        break;
    case Mode::Raw:
        m_stack->setCurrentWidget(m_rawEdit);
        break;
    case Mode::Hex:
        m_stack->setCurrentWidget(m_hexView);
        break;
    }
}

quint64 PayloadView::generationOf(Job job) const
{
    return job == EventsJob ? m_payloadGeneration : m_documentGeneration;
}

void PayloadView::ensureRendered(Mode mode)
{
    if (m_renderedModes & bit(mode))
        return;
    const auto pending = [this](Job job) {
        return (m_pendingJobs & (1u << job)) != 0;
    };
    switch (mode) {
    case Mode::Hex:
        // Nothing to prepare: the model formats the rows a view asks for.
        m_hexModel->setBytes(m_document);
        m_renderedModes |= bit(mode);
        return;
    case Mode::Pretty:
        if (!pending(PrettyJob)) {
            startJob(
                PrettyJob,
                [bytes = m_document, font = m_monospace, formats = m_formats,
                 shown = m_prettyTextKey](bool background) {
                    auto rendering = std::make_shared<Rendering>();
                    const QString text = displayText(prettyJson(bytes), false, rendering->cut);
                    rendering->textKey = textKey(text);
                    rendering->sameAsShown = shown == rendering->textKey;
                    if (!rendering->sameAsShown)
                        rendering->document = buildDocument(text, font, background ? &formats : nullptr);
                    rendering->highlighted = background;
                    return rendering;
                },
                m_document.size());
        }
        return;
    case Mode::Raw:
        if (!pending(RawJob)) {
            startJob(
                RawJob,
                [bytes = m_document, binary = m_documentEncoding == PayloadEncoding::Binary, font = m_monospace,
                 shown = m_rawTextKey](bool) {
                    auto rendering = std::make_shared<Rendering>();
                    const QString text = displayText(bytes, binary, rendering->cut);
                    rendering->textKey = textKey(text);
                    rendering->sameAsShown = shown == rendering->textKey;
                    if (!rendering->sameAsShown)
                        rendering->document = buildDocument(text, font, nullptr);
                    return rendering;
                },
                m_document.size());
        }
        return;
    case Mode::Tree:
        if (!pending(TreeJob)) {
            startJob(
                TreeJob,
                [bytes = m_document](bool) {
                    auto rendering = std::make_shared<Rendering>();
                    rendering->tree = JsonTree::parse(bytes);
                    return rendering;
                },
                m_document.size());
        }
        return;
    }
}

void PayloadView::startJob(Job job, std::function<RenderingPtr(bool)> work, qsizetype size)
{
    if (size < BackgroundThreshold) {
        applyJob(job, work(false));
        return;
    }
    cancelStaleJobs();
    const quint64 generation = generationOf(job);
    m_pendingJobs |= 1u << job;
    auto *watcher = new QFutureWatcher<RenderingPtr>(this);
    m_jobs.push_back({watcher, job, generation});
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, job, generation] {
        Q_ASSERT(QThread::currentThread() == thread());
        std::erase_if(m_jobs, [watcher](const BackgroundJob &running) { return running.watcher == watcher; });
        watcher->deleteLater();
        if (generation != generationOf(job) || watcher->future().resultCount() == 0)
            return; // for a payload or event no longer shown
        m_pendingJobs &= ~(1u << job);
        applyJob(job, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([work = std::move(work)] { return work(true); }));
}

void PayloadView::cancelStaleJobs()
{
    // A job that has not started yet never will; one that is running finishes and is dropped. Without this, paging
    // quickly through big payloads would queue a formatting job per payload behind the pool's few threads.
    for (const BackgroundJob &running : m_jobs) {
        if (running.generation != generationOf(running.job))
            running.watcher->cancel();
    }
}

void PayloadView::applyJob(Job job, const RenderingPtr &rendering)
{
    switch (job) {
    case PrettyJob: {
        if (!rendering->sameAsShown) {
            QTextDocument *document = rendering->document.release();
            replaceDocument(m_prettyEdit, document);
            if (!rendering->highlighted)
                new JsonHighlighter(document, m_formats);
        }
        m_prettyTextKey = rendering->textKey;
        m_renderedModes |= bit(Mode::Pretty);
        m_cutModes = rendering->cut ? m_cutModes | bit(Mode::Pretty) : m_cutModes & ~bit(Mode::Pretty);
        break;
    }
    case RawJob:
        if (!rendering->sameAsShown)
            replaceDocument(m_rawEdit, rendering->document.release());
        m_rawTextKey = rendering->textKey;
        m_renderedModes |= bit(Mode::Raw);
        m_cutModes = rendering->cut ? m_cutModes | bit(Mode::Raw) : m_cutModes & ~bit(Mode::Raw);
        break;
    case TreeJob:
        m_treeModel->setTree(rendering->tree);
        if (rendering->tree->nodeCount() <= ExpandedTreeNodes)
            m_treeView->expandToDepth(0);
        m_renderedModes |= bit(Mode::Tree);
        break;
    case EventsJob:
        m_commitTree = rendering->tree;
        if (rendering->events) {
            for (const Rendering::Event &event : std::as_const(*rendering->events)) {
                auto *item = new QStandardItem(event.text);
                item->setData(event.node, EventNodeRole);
                item->setToolTip(event.text);
                m_eventModel->appendRow(item);
            }
            const qsizetype count = rendering->events->size();
            m_eventsLabel->setText(count == 1 ? tr("1 event in this commit")
                                              : tr("%1 events in this commit").arg(count));
            m_eventsPanel->show();
            // Room for up to eight events; the views keep the rest and the splitter lets the user decide.
            const int listHeight
                = int(qMin<qsizetype>(count, 8)) * m_eventList->sizeHintForRow(0) + 2 * m_eventList->frameWidth();
            const int panelHeight
                = m_eventsPanel->layout()->spacing() + m_eventsLabel->sizeHint().height() + listHeight;
            const int available = m_splitter->height() > 0 ? m_splitter->height() : height();
            m_splitter->setSizes({panelHeight, qMax(available - panelHeight, panelHeight)});
        }
        return;
    case JobCount:
        return;
    }
    updatePage();
}

void PayloadView::replaceDocument(QPlainTextEdit *edit, QTextDocument *document)
{
    QTextDocument *&current = edit == m_prettyEdit ? m_prettyDocument : m_rawDocument;
    document->moveToThread(thread()); // pulls in a document without affinity, see buildDocument()
    document->setParent(this);
    // A text edit lays out every block again whenever it takes a document and whenever its width changes, including
    // the first resize after being hidden (the "Formatting…" page hides it). So the edit that is about to be shown
    // is shown and sized with an empty document first, and lays the new one out once.
    // Likewise the vertical scroll bar: appearing after the document came, it narrows the viewport and starts another
    // layout, so a document longer than any screen has it from the start.
    edit->setDocument(nullptr);
    disposeDocument(std::exchange(current, document));
    edit->setVerticalScrollBarPolicy(document->blockCount() > ScrollBarBlocks ? Qt::ScrollBarAlwaysOn
                                                                              : Qt::ScrollBarAsNeeded);
    if ((edit == m_prettyEdit && m_mode == Mode::Pretty) || (edit == m_rawEdit && m_mode == Mode::Raw)) {
        m_stack->setCurrentWidget(edit);
        edit->setGeometry(m_stack->contentsRect());
    }
    edit->setDocument(document);
    m_laidOutWidth[edit == m_prettyEdit ? 0 : 1] = edit->width();
}

void PayloadView::copyFromTree(int role)
{
    const QModelIndex index = m_treeView->currentIndex();
    if (index.isValid())
        QGuiApplication::clipboard()->setText(index.data(role).toString());
}

void PayloadView::showTreeMenu(const QPoint &position)
{
    if (!m_treeView->indexAt(position).isValid())
        return;
    QMenu menu(this);
    menu.addActions(m_treeView->actions());
    menu.exec(m_treeView->viewport()->mapToGlobal(position));
}

bool PayloadView::eventFilter(QObject *watched, QEvent *event)
{
    if ((watched == m_prettyEdit || watched == m_rawEdit) && event->type() == QEvent::Resize) {
        // A hidden widget that was resized gets its resize event when shown, without an old size; QPlainTextEdit
        // then lays out every block again (30 ms for 80k lines), even when its width is the one the document was laid
        // out for and only the height changed (the banner went, say). Such an event is passed on with that old width.
        auto *resize = static_cast<QResizeEvent *>(event);
        int &laidOut = m_laidOutWidth[watched == m_prettyEdit ? 0 : 1];
        if (!resize->oldSize().isValid() && resize->size().width() == laidOut) {
            QResizeEvent sameWidth(resize->size(), QSize(laidOut, resize->size().height()));
            QCoreApplication::sendEvent(watched, &sameWidth);
            return true;
        }
        laidOut = resize->size().width();
    }
    if (watched == m_treeView && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
        copyFromTree(JsonTreeModel::ValueTextRole);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void PayloadView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() != QEvent::PaletteChange)
        return;
    // Colours come from the palette: a switch to dark mode recolours the pretty view.
    m_formats = JsonHighlighter::formatsFor(palette());
    // Formatting under way was started with the old colours: start over, in the view the user is in, with a new
    // document even for the same text.
    m_prettyTextKey.reset();
    if (m_state == State::Payload && (m_documentEncoding == PayloadEncoding::Json))
        showDocument(m_document, m_documentEncoding, m_mode);
}

} // namespace Eventscope
