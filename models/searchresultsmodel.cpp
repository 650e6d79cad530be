#include "searchresultsmodel.h"

#include "eventsummary.h"

namespace Eventscope {

namespace {

// One line of text from payload bytes: control characters (newlines, binary) would break the row.
QString oneLine(QString text)
{
    for (QChar &c : text) {
        if (c.category() == QChar::Other_Control || c == QChar::ReplacementCharacter)
            c = QChar(0x00B7); // middle dot
    }
    return text;
}

// The matched span [start, end) of text with Context characters either side, ellipses where cut.
QString around(const QString &text, qsizetype start, qsizetype end)
{
    const qsizetype from = qMax<qsizetype>(0, start - SearchResultMaker::Context);
    const qsizetype to = qMin<qsizetype>(text.size(), end + SearchResultMaker::Context);
    QString out = text.mid(from, to - from);
    if (from > 0)
        out.prepend(QChar(0x2026));
    if (to < text.size())
        out.append(QChar(0x2026));
    return oneLine(out);
}

} // namespace

SearchResultMaker::SearchResultMaker(StoreLayout layout, const SearchQuery &query)
    : m_layout(std::move(layout))
    , m_text(query.text)
{
    if (!query.regex.isEmpty()) {
        QRegularExpression regex(query.regex);
        if (regex.isValid())
            m_regex = regex;
    }
}

SearchResult SearchResultMaker::make(const EventRecord &record) const
{
    SearchResult result;
    result.stream = record.stream;
    result.version = record.version;
    result.id = record.id;
    const EventSummary summary = summarizePayload(m_layout, record.payload);
    result.type = summary.type;
    // What matched, where it can be shown: the text or the regular expression's match in its context.
    if (m_regex || !m_text.isEmpty()) {
        const QString payload = QString::fromUtf8(record.payload);
        if (m_regex) {
            const QRegularExpressionMatch match = m_regex->match(payload);
            if (match.hasMatch()) {
                result.match = around(payload, match.capturedStart(), match.capturedEnd());
                return result;
            }
        } else {
            const QString text = QString::fromUtf8(m_text);
            const qsizetype at = payload.indexOf(text);
            if (at >= 0) {
                result.match = around(payload, at, at + text.size());
                return result;
            }
        }
    }
    result.match = oneLine(summary.preview);
    return result;
}

SearchResultsModel::SearchResultsModel(qsizetype limit, QObject *parent)
    : QAbstractTableModel(parent)
    , m_limit(qMax<qsizetype>(1, limit))
{}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SearchResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SearchResult &row = m_rows.at(size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StreamColumn:
            return QString::fromUtf8(row.stream);
        case VersionColumn:
            return row.version;
        case IdColumn:
            return QString::fromUtf8(row.id);
        case TypeColumn:
            return row.type;
        case MatchColumn:
            return row.match;
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == MatchColumn ? row.match : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == VersionColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case StreamRole:
        return row.stream;
    case VersionRole:
        return row.version;
    case IdRole:
        return row.id;
    }
    return {};
}

QVariant SearchResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StreamColumn:
        return tr("Stream");
    case VersionColumn:
        return tr("Version");
    case IdColumn:
        return tr("Id");
    case TypeColumn:
        return tr("Type");
    case MatchColumn:
        return tr("Match");
    }
    return {};
}

QByteArray SearchResultsModel::keyOf(const QByteArray &stream, qint64 version)
{
    return stream + '\0' + QByteArray::number(version);
}

bool SearchResultsModel::contains(const QByteArray &stream, qint64 version) const
{
    return m_keys.contains(keyOf(stream, version));
}

qsizetype SearchResultsModel::append(const QList<SearchResult> &results)
{
    std::vector<SearchResult> fresh;
    for (const SearchResult &result : results) {
        if (qsizetype(m_rows.size() + fresh.size()) >= m_limit)
            break;
        const QByteArray key = keyOf(result.stream, result.version);
        if (m_keys.contains(key))
            continue;
        m_keys.insert(key);
        fresh.push_back(result);
    }
    if (fresh.empty())
        return 0;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    endInsertRows();
    return qsizetype(fresh.size());
}

void SearchResultsModel::clear()
{
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    m_keys.clear();
    endResetModel();
}

} // namespace Eventscope
