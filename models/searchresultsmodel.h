#pragma once

#include "eventrecord.h"
#include "searcher.h"
#include "storelayout.h"

#include <QAbstractTableModel>
#include <QRegularExpression>
#include <QSet>

#include <optional>
#include <vector>

namespace Eventscope {

// One commit a search found, without its payload: where it is (enough to open it), its type and a line saying
// what matched.
struct SearchResult
{
    QByteArray stream;  // display name; "$all" for a search of $all
    qint64 version = 0; // in the stream ($all: the id's number)
    QByteArray id;
    QString type;
    QString match; // the text around the match (text, regex), else a one-line preview of the payload
};

// Makes SearchResults from matched records: the type from the payload (eventsummary.h) and the matched text with
// some context. Pure and thread-safe once made, so the search's worker thread does the parsing, not the GUI.
class SearchResultMaker
{
public:
    SearchResultMaker(StoreLayout layout, const SearchQuery &query);
    SearchResult make(const EventRecord &record) const;

    // The text shown either side of a match.
    static constexpr int Context = 40;

private:
    StoreLayout m_layout;
    QByteArray m_text;
    std::optional<QRegularExpression> m_regex;
};

// A search's results, appended in batches as they come, at most limit() of them. Rows already present (same
// stream and version) are not added again, so a search run again with a larger scan cap only adds what is new.
class SearchResultsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { StreamColumn, VersionColumn, IdColumn, TypeColumn, MatchColumn, ColumnCount };
    enum Role {
        StreamRole = Qt::UserRole, // QByteArray
        VersionRole,               // qint64
        IdRole,                    // QByteArray
    };

    explicit SearchResultsModel(qsizetype limit = 10000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends the results not already present, up to the limit; returns how many were added.
    qsizetype append(const QList<Eventscope::SearchResult> &results);
    void clear();
    const SearchResult &resultAt(int row) const { return m_rows.at(size_t(row)); }
    bool contains(const QByteArray &stream, qint64 version) const;

    qsizetype limit() const { return m_limit; }
    bool isFull() const { return qsizetype(m_rows.size()) >= m_limit; }

private:
    static QByteArray keyOf(const QByteArray &stream, qint64 version);

    qsizetype m_limit;
    std::vector<SearchResult> m_rows;
    QSet<QByteArray> m_keys;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::SearchResult)
