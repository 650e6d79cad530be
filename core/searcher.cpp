#include "searcher.h"

#include "redisconnection.h"
#include "streamreader.h"
#include "streamscanner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace Eventscope {

namespace {

bool hasType(const QJsonObject &object, const QString &type)
{
    for (const char *key : {"type", "eventType", "$type", "event"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isString())
            return value.toString() == type;
    }
    return false;
}

} // namespace

std::optional<SearchMatcher> SearchMatcher::compile(const SearchQuery &query, const StoreLayout &layout, QString *error)
{
    SearchMatcher matcher;
    matcher.m_query = query;
    matcher.m_layout = layout;
    if (!query.regex.isEmpty()) {
        QRegularExpression regex(query.regex);
        if (!regex.isValid()) {
            *error = QStringLiteral("--regex at %1: %2").arg(regex.patternErrorOffset() + 1).arg(regex.errorString());
            return std::nullopt;
        }
        regex.optimize();
        matcher.m_regex = regex;
    }
    if (!query.where.isEmpty()) {
        Predicate::Error parseError;
        matcher.m_predicate = Predicate::parse(query.where, &parseError);
        if (!matcher.m_predicate) {
            *error = QStringLiteral("--where %1").arg(parseError.toString());
            return std::nullopt;
        }
    }
    return matcher;
}

bool SearchMatcher::matches(const EventRecord &record) const
{
    if (record.missing)
        return false;
    // Cheapest first.
    if (!m_query.text.isEmpty() && !record.payload.contains(m_query.text))
        return false;
    if (m_regex && !m_regex->match(QString::fromUtf8(record.payload)).hasMatch())
        return false;
    if (m_query.type.isEmpty() && !m_predicate)
        return true;
    const QJsonValue json = [&] {
        const QJsonDocument document = QJsonDocument::fromJson(record.payload);
        if (document.isObject())
            return QJsonValue(document.object());
        if (document.isArray())
            return QJsonValue(document.array());
        return QJsonValue(QJsonValue::Undefined);
    }();
    if (!m_query.type.isEmpty()) {
        if (!json.isObject())
            return false;
        const QJsonObject object = json.toObject();
        bool found = hasType(object, m_query.type);
        const QJsonValue events = object.value(QLatin1String("events"));
        if (!found && m_layout.kind == StoreLayout::Kind::Zilverline && events.isArray()) {
            const QJsonArray array = events.toArray();
            for (const QJsonValue &event : array) {
                if (event.isObject() && hasType(event.toObject(), m_query.type)) {
                    found = true;
                    break;
                }
            }
        }
        if (!found)
            return false;
    }
    return !m_predicate || m_predicate->matches(json, record.stream, record.version, record.id);
}

Searcher::Searcher(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

bool Searcher::start(const SearchRequest &request, const SearchQuery &query, QString *error)
{
    QString message;
    auto matcher = SearchMatcher::compile(query, m_layout, &message);
    if (!matcher) {
        if (error)
            *error = message;
        return false;
    }
    cancel();
    m_matcher = std::move(matcher);
    m_request = request;
    m_running = true;
    m_scanned = m_matched = 0;
    m_next = 0;
    m_streams = request.streams;
    if (!m_connection) {
        stopWith(QStringLiteral("no connection"), StreamReader::Error::Connection);
        return true;
    }
    if (!m_streams.isEmpty()) {
        readNext();
        return true;
    }
    // Streams by pattern: list them all first (names only), then read one after the other.
    m_scanner = new StreamScanner(m_connection, m_layout, this);
    auto seen = std::make_shared<QSet<QByteArray>>();
    connect(m_scanner, &StreamScanner::batch, this, [this, seen](const QList<StreamInfo> &streams) {
        for (const StreamInfo &info : streams) {
            if (!seen->contains(info.key)) {
                seen->insert(info.key);
                m_streams.append(info.name);
            }
        }
    });
    connect(m_scanner, &StreamScanner::finished, this, [this] {
        m_scanner->deleteLater();
        m_scanner = nullptr;
        readNext();
    });
    connect(m_scanner, &StreamScanner::failed, this,
            [this](const QString &text) { stopWith(text, StreamReader::Error::Other); });
    m_scanner->start(request.streamGlob);
    return true;
}

void Searcher::cancel()
{
    if (m_reader) {
        m_reader->cancel();
        m_reader->deleteLater();
        m_reader = nullptr;
    }
    if (m_scanner) {
        m_scanner->stop();
        m_scanner->deleteLater();
        m_scanner = nullptr;
    }
    if (m_running) {
        m_running = false;
        Q_EMIT cancelled();
    }
}

void Searcher::stopWith(const QString &message, StreamReader::Error kind)
{
    m_failure = kind;
    if (m_reader)
        m_reader->cancel();
    m_running = false;
    Q_EMIT failed(message);
}

void Searcher::readNext()
{
    if (!m_running)
        return;
    if (m_next >= m_streams.size()) {
        m_running = false;
        Q_EMIT progress(m_scanned, m_matched);
        Q_EMIT finished(m_scanned, m_matched, false);
        return;
    }
    if (m_reader)
        m_reader->deleteLater();
    m_reader = new StreamReader(m_connection, m_layout, this);
    connect(m_reader, &StreamReader::page, this, &Searcher::onPage);
    connect(m_reader, &StreamReader::finished, this, [this](qint64) { readNext(); });
    connect(m_reader, &StreamReader::failed, this,
            [this](StreamReader::Error kind, const QString &message) { stopWith(message, kind); });
    StreamReader::Request request;
    request.stream = m_streams.at(m_next++);
    request.pageSize = qMax(1, m_request.pageSize);
    if (m_request.maxScan > 0) // no page beyond the cap
        request.count = m_request.maxScan - m_scanned;
    m_reader->start(request);
}

void Searcher::onPage(const QList<EventRecord> &records)
{
    if (!m_running)
        return;
    QList<EventRecord> found;
    qsizetype looked = records.size();
    bool capped = false;
    if (m_request.maxScan > 0 && m_scanned + looked >= m_request.maxScan) {
        looked = m_request.maxScan - m_scanned;
        // Capped only if something was left unseen: more in this stream or streams after it.
        capped = looked < records.size() || m_next < m_streams.size()
                 || (!records.isEmpty() && records.last().version < m_reader->length());
    }
    for (qsizetype i = 0; i < looked; ++i) {
        if (m_matcher->matches(records.at(i)))
            found.append(records.at(i));
    }
    m_scanned += looked;
    m_matched += found.size();
    if (!found.isEmpty())
        Q_EMIT matches(found);
    if (!m_running)
        return;
    Q_EMIT progress(m_scanned, m_matched);
    if (m_request.maxScan > 0 && m_scanned >= m_request.maxScan) {
        m_reader->cancel();
        m_running = false;
        Q_EMIT finished(m_scanned, m_matched, capped);
    }
}

} // namespace Eventscope
