#include "eventpagemodel.h"

#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QFutureWatcher>
#include <QLocale>
#include <QTimer>
#include <QtConcurrent>

namespace Eventscope {

namespace {

QString sizeText(qint64 bytes)
{
    if (bytes < 1024)
        return QString::number(bytes) + QStringLiteral(" B");
    if (bytes < 1024 * 1024)
        return QString::number(bytes / 1024.0, 'f', 1) + QStringLiteral(" KiB");
    return QString::number(bytes / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB");
}

} // namespace

EventPageModel::EventPageModel(EventPageLoader *loader, QObject *parent)
    : QAbstractTableModel(parent)
    , m_loader(loader)
    , m_requestTimer(new QTimer(this))
{
    // data() only notes what it lacks; requests go out together once the view has painted.
    m_requestTimer->setSingleShot(true);
    m_requestTimer->setInterval(0);
    connect(m_requestTimer, &QTimer::timeout, this, &EventPageModel::issueRequests);
}

EventPageModel::~EventPageModel() = default;

void EventPageModel::setStream(const QByteArray &stream, qint64 length)
{
    beginResetModel();
    ++m_generation;
    m_stream = stream;
    m_length = qMax<qint64>(0, length);
    m_pages.clear();
    m_wanted.clear();
    m_inFlight.clear();
    m_cachedBytes = 0;
    endResetModel();
}

void EventPageModel::setLength(qint64 length)
{
    length = qMax<qint64>(0, length);
    if (length == m_length)
        return;
    // The newest end is the bottom oldest-first and the top newest-first.
    const int oldRows = rowCount();
    if (length > m_length) {
        const int added = int(qMin<qint64>(length, INT_MAX) - oldRows);
        if (m_newestFirst)
            beginInsertRows({}, 0, added - 1);
        else
            beginInsertRows({}, oldRows, oldRows + added - 1);
        // The last page may have been partial: load it again.
        const qint64 lastPage = m_length > 0 ? pageOf(m_length) : -1;
        if (m_pages.contains(lastPage)) {
            m_cachedBytes -= m_pages.value(lastPage).bytes;
            m_pages.remove(lastPage);
        }
        m_length = length;
        endInsertRows();
        return;
    }
    const int removed = oldRows - int(qMin<qint64>(length, INT_MAX));
    if (m_newestFirst)
        beginRemoveRows({}, 0, removed - 1);
    else
        beginRemoveRows({}, oldRows - removed, oldRows - 1);
    m_length = length;
    m_pages.clear();
    m_cachedBytes = 0;
    ++m_generation;
    endRemoveRows();
}

void EventPageModel::setNewestFirst(bool newestFirst)
{
    if (newestFirst == m_newestFirst)
        return;
    beginResetModel();
    m_newestFirst = newestFirst;
    endResetModel();
}

void EventPageModel::refresh()
{
    beginResetModel();
    ++m_generation;
    m_pages.clear();
    m_wanted.clear();
    m_inFlight.clear();
    m_cachedBytes = 0;
    endResetModel();
}

void EventPageModel::setPageSize(int rows)
{
    beginResetModel();
    ++m_generation;
    m_pageSize = qMax(1, rows);
    m_pages.clear();
    m_inFlight.clear();
    m_wanted.clear();
    m_cachedBytes = 0;
    endResetModel();
}

void EventPageModel::setSummary(qint64 version, const EventSummary &summary)
{
    const qint64 page = pageOf(version);
    const auto it = m_pages.find(page);
    if (it == m_pages.end())
        return;
    const qint64 offset = version - 1 - page * m_pageSize;
    if (offset >= it->rows.size())
        return;
    it->rows[offset].summary = summary;
    it->rows[offset].summarized = true;
    const int row = rowForVersion(version);
    Q_EMIT dataChanged(index(row, TypeColumn), index(row, PreviewColumn));
}

int EventPageModel::rowForVersion(qint64 version) const
{
    if (version < 1 || version > m_length)
        return -1;
    return int(m_newestFirst ? m_length - version : version - 1);
}

qint64 EventPageModel::versionAt(int row) const
{
    return m_newestFirst ? m_length - row : qint64(row) + 1;
}

int EventPageModel::rowCount(const QModelIndex &parent) const
{
    // Qt's views count rows in int; a stream beyond 2^31 commits shows its first 2^31.
    return parent.isValid() ? 0 : int(qMin<qint64>(m_length, INT_MAX));
}

int EventPageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const EventPageModel::Row *EventPageModel::rowAt(int row) const
{
    const qint64 version = versionAt(row);
    const qint64 page = pageOf(version);
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        request(page);
        return nullptr;
    }
    it->lastUse = ++m_useClock;
    const qint64 offset = version - 1 - page * m_pageSize;
    if (offset < it->rows.size())
        return &it->rows.at(offset);
    // Rows the stream gained after the page was asked for: ask again (the rows it has stay shown meanwhile).
    if (isStale(page, *it))
        request(page);
    return nullptr;
}

void EventPageModel::request(qint64 page) const
{
    if (m_inFlight.contains(page))
        return;
    m_wanted.removeOne(page);
    m_wanted.append(page);
    // Wishes from rows scrolled past long ago are not worth a round trip.
    constexpr qsizetype MaxWanted = 32;
    if (m_wanted.size() > MaxWanted)
        m_wanted.remove(0, m_wanted.size() - MaxWanted);
    if (!m_requestTimer->isActive())
        m_requestTimer->start();
}

void EventPageModel::prefetch(int firstRow, int lastRow)
{
    firstRow = qMax(0, firstRow);
    lastRow = qMin(rowCount() - 1, lastRow);
    for (int row = firstRow; row <= lastRow; row += m_pageSize) {
        const qint64 page = pageOf(versionAt(row));
        if (!m_pages.contains(page))
            request(page);
    }
    if (lastRow >= firstRow && !m_pages.contains(pageOf(versionAt(lastRow))))
        request(pageOf(versionAt(lastRow)));
}

void EventPageModel::issueRequests()
{
    if (!m_loader || m_wanted.isEmpty())
        return;
    // The most recent wishes are what the view shows now: they go first.
    const quint64 generation = m_generation;
    while (!m_wanted.isEmpty() && m_inFlight.size() < m_maxInFlight) {
        const qint64 page = m_wanted.takeLast();
        const auto loaded = m_pages.constFind(page);
        if ((loaded != m_pages.constEnd() && !isStale(page, *loaded)) || m_inFlight.contains(page))
            continue;
        m_inFlight.insert(page);
        const qint64 first = page * m_pageSize + 1;
        const qint64 last = qMin(m_length, first + m_pageSize - 1);
        const StoreLayout layout = m_loader->layout();
        m_loader->load(m_stream, first, last, this,
                       [this, page, generation, layout, last](const QList<LoadedEvent> &events, const QString &error) {
                           if (generation != m_generation)
                               return;
                           if (!error.isEmpty()) {
                               m_inFlight.remove(page);
                               m_wanted.clear();
                               Q_EMIT loadFailed(error);
                               return;
                           }
                           // Summaries parse JSON: off the GUI thread, results adopted back here.
                           auto *watcher = new QFutureWatcher<QList<Row>>(this);
                           connect(watcher, &QFutureWatcherBase::finished, this,
                                   [this, watcher, page, generation, last] {
                                       watcher->deleteLater();
                                       adopt(page, generation, watcher->result(), last);
                                   });
                           watcher->setFuture(QtConcurrent::run([events, layout] {
                               QList<Row> rows;
                               rows.reserve(events.size());
                               for (const LoadedEvent &event : events) {
                                   Row row{event, {}, event.payloadLoaded || event.missing};
                                   if (event.payloadLoaded)
                                       row.summary = summarizePayload(layout, event.payload);
                                   rows.append(std::move(row));
                               }
                               return rows;
                           }));
                       });
    }
}

void EventPageModel::adopt(qint64 page, quint64 generation, QList<Row> rows, qint64 requestedLast)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (generation != m_generation)
        return;
    m_inFlight.remove(page);
    if (!m_wanted.isEmpty() && !m_requestTimer->isActive())
        m_requestTimer->start();
    Page entry;
    entry.bytes = qint64(sizeof(Page));
    for (const Row &row : rows)
        entry.bytes += qint64(sizeof(Row)) + row.event.payload.size() + row.event.id.size()
                       + row.summary.preview.size() * 2 + row.summary.type.size() * 2;
    entry.lastUse = ++m_useClock;
    entry.rows = std::move(rows);
    entry.last = requestedLast;
    if (const auto old = m_pages.constFind(page); old != m_pages.constEnd())
        m_cachedBytes -= old->bytes; // a page asked again after the stream grew
    m_cachedBytes += entry.bytes;
    m_pages.insert(page, std::move(entry));
    evict();
    emitPageChanged(page);
    const qint64 first = page * m_pageSize + 1;
    Q_EMIT pageLoaded(first, qMin(m_length, first + m_pageSize - 1));
}

void EventPageModel::evict()
{
    while (m_cachedBytes > m_budget && m_pages.size() > 2) {
        auto oldest = m_pages.begin();
        for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
            if (it->lastUse < oldest->lastUse)
                oldest = it;
        }
        m_cachedBytes -= oldest->bytes;
        m_pages.erase(oldest);
    }
}

void EventPageModel::emitPageChanged(qint64 page)
{
    const qint64 firstVersion = page * m_pageSize + 1;
    const qint64 lastVersion = qMin(m_length, firstVersion + m_pageSize - 1);
    if (lastVersion < firstVersion)
        return;
    int a = rowForVersion(firstVersion);
    int b = rowForVersion(lastVersion);
    if (a > b)
        std::swap(a, b);
    if (a >= 0)
        Q_EMIT dataChanged(index(a, 0), index(b, ColumnCount - 1));
}

QVariant EventPageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qint64 version = versionAt(index.row());
    if (role == VersionRole)
        return version;
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() == VersionColumn || index.column() == SizeColumn;
        return QVariant::fromValue(Qt::AlignVCenter | (numeric ? Qt::AlignRight : Qt::AlignLeft));
    }
    const Row *row = rowAt(index.row());
    if (role == LoadedRole)
        return row != nullptr;
    if (!row) {
        if (role == Qt::DisplayRole)
            return index.column() == VersionColumn ? QVariant(version) : QVariant(QStringLiteral("…"));
        return {};
    }
    const LoadedEvent &event = row->event;
    switch (role) {
    case IdRole:
        return event.id;
    case MissingRole:
        return event.missing;
    case PayloadLoadedRole:
        return event.payloadLoaded;
    case PayloadRole:
        return event.payload;
    case SizeRole:
        return event.size;
    case EncodingRole:
        return int(row->summary.encoding);
    case Qt::FontRole:
        if (event.missing) {
            QFont italic;
            italic.setItalic(true);
            return italic;
        }
        return {};
    case Qt::ForegroundRole:
        // A red that reads on light and dark palettes alike.
        return event.missing ? QVariant(QColor(0xd0, 0x40, 0x40)) : QVariant();
    case Qt::ToolTipRole:
        if (event.missing)
            return tr("The stream lists %1, but the events hash has no such field.").arg(QString::fromUtf8(event.id));
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case VersionColumn:
        return version;
    case IdColumn:
        return QString::fromUtf8(event.id);
    case TypeColumn:
        if (event.missing)
            return tr("missing");
        if (!row->summarized)
            return tr("(large payload)");
        if (row->summary.eventCount < 0)
            return row->summary.type;
        return row->summary.eventCount == 1 ? tr("%1 (1 event)").arg(row->summary.type)
                                            : tr("%1 (%2 events)").arg(row->summary.type).arg(row->summary.eventCount);
    case SizeColumn:
        return event.missing ? QString() : sizeText(event.size);
    case TimestampColumn:
        return row->summary.timestampMs < 0
                   ? QString()
                   : QDateTime::fromMSecsSinceEpoch(row->summary.timestampMs, Qt::UTC).toString(Qt::ISODateWithMs);
    case PreviewColumn:
        if (event.missing)
            return tr("id not found in the events hash");
        if (!row->summarized)
            return tr("%1 — select to load").arg(sizeText(event.size));
        return row->summary.preview;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant EventPageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case VersionColumn:
        return tr("Version");
    case IdColumn:
        return tr("Commit");
    case TypeColumn:
        return tr("Type");
    case SizeColumn:
        return tr("Size");
    case TimestampColumn:
        return tr("Timestamp");
    case PreviewColumn:
        return tr("Preview");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace Eventscope
