#include "searchpanel.h"

#include "eventpagemodel.h"
#include "mainwindow.h"
#include "predicate.h"
#include "redisconnection.h"
#include "streamscopeedit.h"
#include "trafficmeter.h"
#include "uniformtableview.h"
#include "workerconnection.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace Eventscope {

namespace {

constexpr int FlushIntervalMs = 100;
constexpr int DefaultCap = 100000;
constexpr int MaxCap = 2000000000;

} // namespace

SearchPanel::SearchPanel(ConnectionOptions options, StoreLayout layout, QWidget *parent)
    : QWidget(parent)
    , m_layout(std::move(layout))
    , m_worker(std::make_unique<WorkerConnection>(std::move(options), QStringLiteral("search")))
    , m_model(new SearchResultsModel(10000, this))
{
    buildUi();
    m_flushTimer = new QTimer(this);
    m_flushTimer->setInterval(FlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, [this] { flush(); });
}

SearchPanel::~SearchPanel()
{
    // Stop the thread first: nothing it runs may post to a panel that is going away.
    ++m_generation;
    m_worker.reset();
}

void SearchPanel::buildUi()
{
    m_scope = new StreamScopeEdit(this);

    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("queryKind"));
    m_kind->addItem(tr("Event type"), int(Kind::Type));
    m_kind->addItem(tr("Text"), int(Kind::Text));
    m_kind->addItem(tr("Regular expression"), int(Kind::Regex));
    m_kind->addItem(tr("Predicate"), int(Kind::Predicate));
    m_query = new QLineEdit(this);
    m_query->setObjectName(QStringLiteral("query"));
    m_query->setClearButtonEnabled(true);
    m_searchButton = new QPushButton(tr("Search"), this);
    m_searchButton->setObjectName(QStringLiteral("search"));
    m_searchButton->setDefault(true);

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

    m_cap = new QSpinBox(this);
    m_cap->setObjectName(QStringLiteral("scanCap"));
    m_cap->setRange(0, MaxCap);
    m_cap->setSingleStep(10000);
    m_cap->setValue(DefaultCap);
    m_cap->setGroupSeparatorShown(true);
    m_cap->setSpecialValueText(tr("no cap"));
    m_cap->setSuffix(tr(" commits"));
    m_cap->setToolTip(tr("Commits to look at before stopping (0: no cap)"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_continueButton = new QPushButton(this);
    m_continueButton->setObjectName(QStringLiteral("continue"));
    m_continueButton->hide();
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancel"));
    m_cancelButton->setIcon(QIcon(QStringLiteral(":/eventscope/icons/stop.svg")));
    m_cancelButton->setEnabled(false);

    m_view = new UniformTableView(this);
    m_view->setObjectName(QStringLiteral("results"));
    m_view->setModel(m_model);
    auto *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    const int digit = m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(SearchResultsModel::StreamColumn, digit * 18);
    header->resizeSection(SearchResultsModel::VersionColumn, digit * 9);
    header->resizeSection(SearchResultsModel::IdColumn, digit * 12);
    header->resizeSection(SearchResultsModel::TypeColumn, digit * 18);

    auto *grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("In:"), this), 0, 0);
    grid->addWidget(m_scope, 0, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Find:"), this), 1, 0);
    grid->addWidget(m_kind, 1, 1);
    grid->addWidget(m_query, 1, 2);
    grid->addWidget(m_searchButton, 1, 3);
    grid->addWidget(m_error, 2, 1, 1, 3);
    grid->setColumnStretch(2, 1);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(new QLabel(tr("Scan cap:"), this));
    progressRow->addWidget(m_cap);
    progressRow->addWidget(m_status, 1);
    progressRow->addWidget(m_continueButton);
    progressRow->addWidget(m_cancelButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(grid);
    layout->addLayout(progressRow);
    layout->addWidget(m_view, 1);

    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        updatePlaceholder();
        showError(QString());
    });
    connect(m_query, &QLineEdit::returnPressed, this, &SearchPanel::startSearch);
    connect(m_query, &QLineEdit::textEdited, this, [this] { showError(QString()); });
    connect(m_searchButton, &QPushButton::clicked, this, &SearchPanel::startSearch);
    connect(m_cancelButton, &QPushButton::clicked, this, &SearchPanel::cancel);
    connect(m_continueButton, &QPushButton::clicked, this, &SearchPanel::continueSearch);
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT openEventRequested(index.data(SearchResultsModel::StreamRole).toByteArray(),
                                      index.data(SearchResultsModel::VersionRole).toLongLong());
    });
    updatePlaceholder();
}

void SearchPanel::updatePlaceholder()
{
    switch (Kind(m_kind->currentData().toInt())) {
    case Kind::Type:
        m_query->setPlaceholderText(tr("An event type, exactly: Deposited"));
        break;
    case Kind::Text:
        m_query->setPlaceholderText(tr("Text the payload contains"));
        break;
    case Kind::Regex:
        m_query->setPlaceholderText(tr("A Perl regular expression searched in the payload: amount\":\\s*9\\d{3}"));
        break;
    case Kind::Predicate:
        m_query->setPlaceholderText(tr("data.amount > 100 && type == \"Deposited\"  (== != < <= > >= && || ! "
                                       "contains matches, $id $stream $version)"));
        break;
    }
}

void SearchPanel::setSelectedStream(const QByteArray &name)
{
    m_scope->setSelectedStream(name);
}

void SearchPanel::setQuery(Kind kind, const QString &text)
{
    m_kind->setCurrentIndex(m_kind->findData(int(kind)));
    m_query->setText(text);
    showError(QString());
}

std::optional<SearchQuery> SearchPanel::parsedQuery()
{
    const QString text = m_query->text();
    SearchQuery query;
    switch (Kind(m_kind->currentData().toInt())) {
    case Kind::Type:
        query.type = text.trimmed();
        if (query.type.isEmpty()) {
            showError(tr("Enter an event type to find, such as Deposited."));
            return std::nullopt;
        }
        break;
    case Kind::Text:
        query.text = text.toUtf8();
        if (query.text.isEmpty()) {
            showError(tr("Enter the text to find."));
            return std::nullopt;
        }
        break;
    case Kind::Regex: {
        if (text.isEmpty()) {
            showError(tr("Enter a regular expression."));
            return std::nullopt;
        }
        const QRegularExpression regex(text);
        if (!regex.isValid()) {
            const int position = int(regex.patternErrorOffset());
            showError(tr("Bad regular expression at character %1: %2").arg(position + 1).arg(regex.errorString()),
                      position);
            return std::nullopt;
        }
        query.regex = text;
        break;
    }
    case Kind::Predicate: {
        if (text.trimmed().isEmpty()) {
            showError(tr("Enter a predicate, such as data.amount > 100 && type == \"Deposited\"."));
            return std::nullopt;
        }
        Predicate::Error error;
        if (!Predicate::parse(text, &error)) {
            showError(tr("Bad predicate at character %1: %2").arg(error.position + 1).arg(error.message),
                      error.position);
            return std::nullopt;
        }
        query.where = text;
        break;
    }
    }
    // Whatever else the matcher refuses, before anything runs.
    QString error;
    if (!SearchMatcher::compile(query, m_layout, &error)) {
        showError(error);
        return std::nullopt;
    }
    return query;
}

bool SearchPanel::startSearch()
{
    showError(QString());
    QString error;
    const std::optional<QList<QByteArray>> streams = m_scope->streams(&error);
    if (!streams) {
        showError(error);
        return false;
    }
    const std::optional<SearchQuery> query = parsedQuery();
    if (!query)
        return false;
    m_pending.clear();
    m_model->clear();
    m_lastStreams = *streams;
    m_lastQuery = *query;
    run(*streams, *query, m_cap->value());
    return true;
}

void SearchPanel::continueSearch()
{
    if (m_running || m_lastStreams.isEmpty() || m_runCap <= 0)
        return;
    // The Searcher reads from the start again; the model keeps what was found and adds only what is new.
    const qint64 cap = qMin<qint64>(m_runCap * 2, MaxCap);
    m_cap->setValue(int(cap));
    run(m_lastStreams, m_lastQuery, cap);
}

void SearchPanel::run(const QList<QByteArray> &streams, const SearchQuery &query, qint64 cap)
{
    const quint64 generation = ++m_generation;
    m_scanned = m_matched = 0;
    m_runCap = cap;
    m_connectionProblem.clear();
    setRunning(true);
    m_continueButton->hide();
    showProgress();
    m_flushTimer->start();
    m_worker->run([this, generation, streams, query, cap, layout = m_layout](RedisConnection *connection,
                                                                             QObject *context) {
        // On the worker thread from here on.
        if (m_searcher) {
            m_searcher->disconnect(context);
            m_searcher->cancel();
            m_searcher->deleteLater();
        }
        m_searcher = new Searcher(connection, layout, context);
        auto maker = std::make_shared<const SearchResultMaker>(layout, query);
        // Results are made here (the payload parsed for its type and match) and posted to the panel, which drops
        // whatever a search it no longer runs sent.
        connect(m_searcher, &Searcher::matches, context, [this, generation, maker](const QList<EventRecord> &records) {
            QList<SearchResult> results;
            results.reserve(records.size());
            for (const EventRecord &record : records)
                results.append(maker->make(record));
            QMetaObject::invokeMethod(this, [this, generation, results] {
                // Bounded too: beyond what the model takes, the next flush stops the search anyway.
                if (generation == m_generation && m_pending.size() < m_model->limit())
                    m_pending += results;
            });
        });
        connect(m_searcher, &Searcher::progress, context, [this, generation](qint64 scanned, qint64 matched) {
            QMetaObject::invokeMethod(this, [this, generation, scanned, matched] {
                if (generation != m_generation)
                    return;
                m_scanned = scanned;
                m_matched = matched;
            });
        });
        connect(m_searcher, &Searcher::finished, context,
                [this, generation](qint64 scanned, qint64 matched, bool capped) {
                    QMetaObject::invokeMethod(this, [this, generation, scanned, matched, capped] {
                        if (generation == m_generation)
                            onFinished(scanned, matched, capped);
                    });
                });
        connect(m_searcher, &Searcher::failed, context, [this, generation](const QString &message) {
            QMetaObject::invokeMethod(this, [this, generation, message] {
                if (generation == m_generation)
                    onFailed(message);
            });
        });
        // While the connection is down the search waits for it (it reconnects by itself): say so, with the reason.
        connect(connection, &RedisConnection::errorOccurred, m_searcher,
                [this, generation](RedisConnection::Error, const QString &message) {
                    QMetaObject::invokeMethod(this, [this, generation, message] {
                        if (generation == m_generation)
                            setConnectionProblem(tr("cannot reach Redis: %1").arg(message));
                    });
                });
        connect(connection, &RedisConnection::reconnectScheduled, m_searcher, [this, generation](int delayMs, int) {
            QMetaObject::invokeMethod(this, [this, generation, delayMs] {
                if (generation == m_generation && !m_connectionProblem.isEmpty())
                    setConnectionProblem(m_connectionProblem.section(QStringLiteral("; retrying"), 0, 0)
                                         + tr("; retrying in %1 s").arg((delayMs + 999) / 1000));
            });
        });
        // Already down when this search began (the signals above come at the next attempt, which may be seconds away
        // after a few failed ones): say so now.
        if (connection->state() == RedisConnection::State::Reconnecting) {
            const QString message = connection->lastErrorString();
            const int remainingMs = connection->reconnectRemainingMs();
            QMetaObject::invokeMethod(this, [this, generation, message, remainingMs] {
                if (generation != m_generation)
                    return;
                QString text = tr("cannot reach Redis: %1").arg(message);
                if (remainingMs >= 0)
                    text += tr("; retrying in %1 s").arg((remainingMs + 999) / 1000);
                setConnectionProblem(text);
            });
        }
        connect(connection, &RedisConnection::ready, m_searcher, [this, generation] {
            QMetaObject::invokeMethod(this, [this, generation] {
                if (generation == m_generation)
                    setConnectionProblem({});
            });
        });
        SearchRequest request;
        request.streams = streams;
        request.maxScan = cap;
        QString error;
        if (!m_searcher->start(request, query, &error)) {
            QMetaObject::invokeMethod(this, [this, generation, error] {
                if (generation == m_generation)
                    onFailed(error);
            });
        }
    });
}

void SearchPanel::cancel()
{
    if (!m_running)
        return;
    ++m_generation; // whatever it still posts is dropped
    setRunning(false);
    m_flushTimer->stop();
    flush(); // what came before the cancel is shown
    m_worker->run([this](RedisConnection *, QObject *) {
        if (m_searcher)
            m_searcher->cancel();
    });
    const QLocale locale;
    m_status->setText(tr("Cancelled after %1 commits: %2 matches shown.")
                          .arg(locale.toString(m_scanned), locale.toString(m_model->rowCount())));
}

bool SearchPanel::flush()
{
    if (!m_pending.isEmpty()) {
        m_model->append(m_pending);
        m_pending.clear();
    }
    if (m_running && m_model->isFull()) {
        const qint64 scanned = m_scanned;
        cancel();
        m_status->setText(tr("Stopped at %1 results after %2 commits: narrow the query to see the rest.")
                              .arg(QLocale().toString(m_model->limit()), QLocale().toString(scanned)));
        return true;
    }
    if (m_running)
        showProgress();
    return false;
}

void SearchPanel::showProgress()
{
    const QLocale locale;
    QString text
        = tr("Searching %1: %2 commits looked at · %3 matches")
              .arg(StreamScopeEdit::describe(m_lastStreams), locale.toString(m_scanned), locale.toString(m_matched));
    if (!m_connectionProblem.isEmpty())
        text += QStringLiteral(" · ") + m_connectionProblem;
    m_status->setText(text);
}

void SearchPanel::setConnectionProblem(const QString &problem)
{
    m_connectionProblem = problem;
    if (m_running)
        showProgress();
}

void SearchPanel::onFinished(qint64 scanned, qint64 matched, bool capped)
{
    m_scanned = scanned;
    m_matched = matched;
    if (flush())
        return; // stopped at the result limit, and said so
    setRunning(false);
    m_flushTimer->stop();
    const QLocale locale;
    if (capped) {
        const qint64 next = qMin<qint64>(m_runCap * 2, MaxCap);
        m_status->setText(tr("Stopped at the scan cap after %1 commits: %2 matches. There is more to search.")
                              .arg(locale.toString(scanned), locale.toString(matched)));
        m_continueButton->setText(tr("Continue (raise the cap to %1)").arg(locale.toString(next)));
        m_continueButton->show();
    } else {
        m_status->setText(
            tr("Done: %1 matches in %2 commits.").arg(locale.toString(matched), locale.toString(scanned)));
    }
    Q_EMIT searchFinished(scanned, matched, capped);
}

void SearchPanel::onFailed(const QString &message)
{
    flush();
    setRunning(false);
    m_flushTimer->stop();
    m_status->clear();
    showError(tr("The search failed: %1").arg(message));
    Q_EMIT searchFailed(message);
}

void SearchPanel::setRunning(bool running)
{
    m_running = running;
    m_cancelButton->setEnabled(running);
    m_cap->setEnabled(!running);
}

void SearchPanel::showError(const QString &message, int position)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    if (position >= 0) {
        m_query->setFocus();
        m_query->setCursorPosition(position);
    }
}

QString SearchPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString SearchPanel::statusText() const
{
    return m_status->text();
}

const RedisConnection *SearchPanel::connection() const
{
    return m_worker->connection();
}

void SearchPanel::install(MainWindow *window, QMenu *menu)
{
    auto *action = menu->addAction(tr("&Search…"));
    action->setObjectName(QStringLiteral("searchAction"));
    action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    action->setToolTip(tr("Find commits by event type, text, regular expression or a JSON predicate"));
    connect(action, &QAction::triggered, window, [window] {
        auto *panel = window->findChild<SearchPanel *>();
        if (!panel) {
            panel = new SearchPanel(window->connection()->options(), window->storeLayout());
            panel->setSelectedStream(window->eventModel()->stream());
            connect(window, &MainWindow::streamOpened, panel,
                    [panel](const QByteArray &name) { panel->setSelectedStream(name); });
            connect(panel, &SearchPanel::openEventRequested, window, &MainWindow::openEvent);
            auto *dock = new QDockWidget(tr("Search"), window);
            dock->setObjectName(QStringLiteral("searchDock"));
            dock->setWidget(panel);
            window->addDockWidget(Qt::BottomDockWidgetArea, dock);
            window->trafficMeter()->addSource([panel = QPointer<SearchPanel>(panel)] {
                return panel ? TrafficMeter::sourceOf(panel->connection())() : TrafficTotals{};
            });
        }
        if (auto *dock = qobject_cast<QDockWidget *>(panel->parentWidget())) {
            dock->show();
            dock->raise();
        }
        panel->queryEdit()->setFocus();
        panel->queryEdit()->selectAll();
    });
}

} // namespace Eventscope
