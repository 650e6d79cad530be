#pragma once

#include "eventrecord.h"
#include "predicate.h"
#include "storelayout.h"
#include "streamreader.h"

#include <QObject>
#include <QPointer>
#include <QRegularExpression>

#include <optional>

namespace Eventscope {

class RedisConnection;
class StreamReader;
class StreamScanner;

// What a commit must satisfy to be found; every criterion given must hold.
struct SearchQuery
{
    QString type;    // the event type ("type"/"eventType"...; zilverline: any event of the commit), exactly
    QByteArray text; // bytes the payload contains
    QString regex;   // a Perl regular expression searched in the payload as UTF-8 text
    QString where;   // a Predicate over the payload's JSON
    bool isEmpty() const { return type.isEmpty() && text.isEmpty() && regex.isEmpty() && where.isEmpty(); }
};

// The query, compiled: regular expression and predicate parsed once. Pure and thread-safe once made.
class SearchMatcher
{
public:
    // nullopt with a message naming the part and position when the query does not compile.
    static std::optional<SearchMatcher> compile(const SearchQuery &query, const StoreLayout &layout, QString *error);
    bool matches(const EventRecord &record) const;

private:
    SearchQuery m_query;
    StoreLayout m_layout;
    std::optional<QRegularExpression> m_regex;
    std::optional<Predicate> m_predicate;
};

struct SearchRequest
{
    QList<QByteArray> streams; // display names, or "$all"; empty: every stream the layout's pattern matches
    QByteArray streamGlob;     // with streams empty: a SCAN MATCH glob over names instead of the layout's pattern
    qint64 maxScan = 100000;   // commits to look at before stopping (<= 0: no cap); raise it to go on
    int pageSize = 1000;
};

// Searches streams, several, a glob of them or $all, with read commands only, asynchronously on a
// RedisConnection: StreamReader pages (window 4), matched as they arrive, so memory stays at a few pages. Matches
// carry stream, version and id, so a view can open the event.
class Searcher final : public QObject
{
    Q_OBJECT
public:
    Searcher(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    // False (and no signal) when the query does not compile; error says where.
    bool start(const SearchRequest &request, const SearchQuery &query, QString *error);
    void cancel();
    bool isRunning() const { return m_running; }
    qint64 scanned() const { return m_scanned; }
    qint64 matched() const { return m_matched; }
    // The kind of the last failure (Error::None before any).
    StreamReader::Error failure() const { return m_failure; }

Q_SIGNALS:
    void matches(const QList<Eventscope::EventRecord> &records);
    // Commits looked at and found so far; per page.
    void progress(qint64 scanned, qint64 matched);
    // capped: stopped at maxScan before the end; start again with a larger cap to go on.
    void finished(qint64 scanned, qint64 matched, bool capped);
    void failed(const QString &message);
    void cancelled();

private:
    void readNext();
    void onPage(const QList<EventRecord> &records);
    void stopWith(const QString &message, StreamReader::Error kind);

    QPointer<RedisConnection> m_connection;
    StoreLayout m_layout;
    std::optional<SearchMatcher> m_matcher;
    SearchRequest m_request;
    QList<QByteArray> m_streams;
    qsizetype m_next = 0;
    StreamReader *m_reader = nullptr;
    StreamScanner *m_scanner = nullptr;
    bool m_running = false;
    StreamReader::Error m_failure = StreamReader::Error::None;
    qint64 m_scanned = 0;
    qint64 m_matched = 0;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::SearchQuery)
