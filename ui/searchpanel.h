#pragma once

#include "connectionoptions.h"
#include "searcher.h"
#include "searchresultsmodel.h"
#include "storelayout.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QSpinBox;
class QTimer;

namespace Eventscope {

class MainWindow;
class StreamScopeEdit;
class UniformTableView;
class WorkerConnection;

// Search of a stream, several or $all (issue 6): by event type, text, regular expression or a JSON predicate
// (predicate.h; no user code runs). The query is parsed here first, so a bad regular expression or predicate is
// shown inline and nothing runs. The core Searcher runs on a connection and thread of its own (the matching parses
// every payload); results come back in batches, are applied on a timer and kept to a bounded model. A scan cap stops
// long searches; "Continue" raises it and runs again, adding only what is new. Activating a result asks to open it.
class SearchPanel final : public QWidget
{
    Q_OBJECT
public:
    enum class Kind { Type, Text, Regex, Predicate };

    SearchPanel(ConnectionOptions options, StoreLayout layout, QWidget *parent = nullptr);
    ~SearchPanel() override;

    // Adds Edit ▸ Search… (Ctrl+Shift+F) to menu; the panel is made in a dock of window on first use, scoped to
    // the stream open in the window.
    static void install(MainWindow *window, QMenu *menu);

    void setSelectedStream(const QByteArray &name);
    void setQuery(Kind kind, const QString &text);
    // Same as clicking Search: parses the query, then runs it from the start. False (with the error shown) when the
    // scope or query is not usable.
    bool startSearch();
    // After a capped search: raises the cap (doubles it) and searches again; what was found stays.
    void continueSearch();
    void cancel();
    bool isRunning() const { return m_running; }

    // For tests, screenshots and the traffic meter.
    StreamScopeEdit *scopeEdit() const { return m_scope; }
    QComboBox *kindBox() const { return m_kind; }
    QLineEdit *queryEdit() const { return m_query; }
    QSpinBox *capSpinBox() const { return m_cap; }
    QPushButton *searchButton() const { return m_searchButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QPushButton *continueButton() const { return m_continueButton; }
    UniformTableView *resultsView() const { return m_view; }
    SearchResultsModel *resultsModel() const { return m_model; }
    QString errorText() const;
    QString statusText() const;
    const RedisConnection *connection() const;

Q_SIGNALS:
    void openEventRequested(const QByteArray &stream, qint64 version);
    void searchFinished(qint64 scanned, qint64 matched, bool capped);
    void searchFailed(const QString &message);

private:
    void buildUi();
    std::optional<SearchQuery> parsedQuery();
    void run(const QList<QByteArray> &streams, const SearchQuery &query, qint64 cap);
    // Applies the results received; true when that filled the model and stopped the search.
    bool flush();
    void onFinished(qint64 scanned, qint64 matched, bool capped);
    void onFailed(const QString &message);
    void setRunning(bool running);
    void showError(const QString &message, int position = -1);
    void showProgress();
    void setConnectionProblem(const QString &problem);
    void updatePlaceholder();

    StoreLayout m_layout;
    std::unique_ptr<WorkerConnection> m_worker;
    Searcher *m_searcher = nullptr; // on the worker thread: touched only in work posted there
    SearchResultsModel *m_model = nullptr;
    QTimer *m_flushTimer = nullptr;
    QList<SearchResult> m_pending; // results received, applied to the model on the timer
    quint64 m_generation = 0;      // of the running search: what an earlier one posted is dropped
    bool m_running = false;
    QString m_connectionProblem; // why the search waits, while its connection is down
    qint64 m_scanned = 0;
    qint64 m_matched = 0;
    qint64 m_runCap = 0;
    // What the last search ran, for Continue.
    QList<QByteArray> m_lastStreams;
    SearchQuery m_lastQuery;

    StreamScopeEdit *m_scope = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_query = nullptr;
    QPushButton *m_searchButton = nullptr;
    QLabel *m_error = nullptr;
    QSpinBox *m_cap = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_continueButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    UniformTableView *m_view = nullptr;
};

} // namespace Eventscope
