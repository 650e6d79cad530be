#include "streamlistmodel.h"

#include <QElapsedTimer>
#include <QHashFunctions>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <QtEndian>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace Eventscope {

namespace {

// New rows show at most this often: each showing costs the views a layout pass, whatever the number of rows.
constexpr int PlaceIntervalMs = 100;
// Ingesting queued batches stops after this long and goes on in the next pass of the event loop; merging the new rows
// into sorted ones takes a pass of its own.
constexpr qint64 IngestBudgetNs = 8'000'000;
// Streams ingested between two looks at the clock.
constexpr qsizetype IngestSlice = 256;
constexpr qsizetype NameChunkSize = qsizetype(1) << 20;
constexpr quint32 InitialBuckets = 1024;
constexpr int KeyBytes = 24;
// Up to this many streams, a sort or filter is done at once (a few milliseconds); beyond, on a worker.
constexpr quint32 SyncReorderLimit = 20'000;
// Entries a worker reads between two looks at whether it was superseded.
constexpr quint32 CancelCheckSlice = 1u << 16;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool isAsciiText(QByteArrayView text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return uchar(c) < 0x80; });
}

// needle is in lower case already.
bool containsAsciiFolded(QByteArrayView haystack, QByteArrayView needle)
{
    const qsizetype last = haystack.size() - needle.size();
    for (qsizetype at = 0; at <= last; ++at) {
        qsizetype matched = 0;
        while (matched < needle.size() && asciiLower(haystack[at + matched]) == needle[matched])
            ++matched;
        if (matched == needle.size())
            return true;
    }
    return false;
}

// Reads a name as the bytes natural order compares: a run of digits becomes its length and then its digits without
// leading zeros, so that plain byte comparison puts customer-2 before customer-10. Lengths up to 8 are one byte,
// '0' to '8', longer ones '9' and four bytes, so a run still sorts against a non-digit as its first digit would.
class NaturalReader
{
public:
    explicit NaturalReader(QByteArrayView name)
        : m_at(name.data())
        , m_end(name.data() + name.size())
    {}

    // The next byte, or -1 at the end.
    int next()
    {
        if (m_headerAt < m_headerSize)
            return m_header[m_headerAt++];
        if (m_digitsAt != m_digitsEnd)
            return uchar(*m_digitsAt++);
        if (m_at == m_end)
            return -1;
        if (!isDigit(*m_at))
            return uchar(*m_at++);
        while (m_at != m_end && *m_at == '0')
            ++m_at;
        m_digitsAt = m_at;
        while (m_at != m_end && isDigit(*m_at))
            ++m_at;
        m_digitsEnd = m_at;
        const auto length = quint32(m_digitsEnd - m_digitsAt);
        m_headerAt = 0;
        if (length < 9) {
            m_header[0] = uchar('0' + length);
            m_headerSize = 1;
        } else {
            m_header[0] = '9';
            qToBigEndian(length, m_header + 1);
            m_headerSize = 5;
        }
        return m_header[m_headerAt++];
    }

private:
    const char *m_at;
    const char *m_end;
    const char *m_digitsAt = nullptr;
    const char *m_digitsEnd = nullptr;
    uchar m_header[5] = {};
    int m_headerAt = 0;
    int m_headerSize = 0;
};

int naturalCompare(QByteArrayView a, QByteArrayView b)
{
    NaturalReader readA(a);
    NaturalReader readB(b);
    for (;;) {
        const int x = readA.next();
        const int y = readB.next();
        if (x != y)
            return x < y ? -1 : 1;
        if (x < 0)
            break;
    }
    // Equal by value, like a01 and a1: the bytes decide, so that the order stays total.
    return std::string_view(a.data(), size_t(a.size())).compare(std::string_view(b.data(), size_t(b.size())));
}

// The first KeyBytes of the natural reading, big-endian, zero-padded: comparing keys agrees with naturalCompare
// wherever the keys differ.
std::array<quint64, 3> naturalKey(QByteArrayView name)
{
    std::array<quint64, 3> key{};
    NaturalReader reader(name);
    for (int i = 0; i < KeyBytes; ++i) {
        const int c = reader.next();
        if (c < 0)
            break;
        key[size_t(i / 8)] |= quint64(c) << (56 - 8 * (i % 8));
    }
    return key;
}

// Sorting runs on a thread of its own, below the GUI thread's priority: on a busy machine the GUI thread must get
// a core first, and Linux gives each thread a nice value of its own. Never destroyed, so that closing a window never
// waits for a sort.
QThreadPool *reorderPool()
{
    static QThreadPool *const pool = [] {
        auto *created = new QThreadPool;
        created->setMaxThreadCount(1);
        return created;
    }();
    return pool;
}

void lowerThisThreadsPriority()
{
#ifdef Q_OS_LINUX
    thread_local const bool lowered = [] {
        errno = 0;
        const int nice = getpriority(PRIO_PROCESS, id_t(gettid()));
        return errno == 0 && setpriority(PRIO_PROCESS, id_t(gettid()), std::min(nice + 5, 19)) == 0;
    }();
    Q_UNUSED(lowered);
#endif
}

// A worker reads versions while the GUI thread may raise them.
template<typename Entry>
qint64 versionOf(const Entry &entry)
{
    return std::atomic_ref<qint64>(const_cast<qint64 &>(entry.version)).load(std::memory_order_relaxed);
}

template<typename Entries>
QByteArrayView nameIn(const Entries &entries, quint32 entry)
{
    const auto &stored = entries[entry];
    return QByteArrayView(stored.name, stored.length);
}

} // namespace

template<typename Entries>
bool StreamListModel::BasicRowLess<Entries>::operator()(const Row &a, const Row &b) const
{
    for (size_t i = 0; i < a.key.size(); ++i) {
        if (a.key[i] != b.key[i])
            return a.key[i] < b.key[i];
    }
    // Only reached when the keys tie, and the first key word holds the whole version: a tie by version is settled.
    if (m_column == NameColumn) {
        const int order = naturalCompare(nameIn(m_entries, a.entry), nameIn(m_entries, b.entry));
        return m_order == Qt::DescendingOrder ? order > 0 : order < 0;
    }
    if (m_column == VersionColumn)
        return naturalCompare(nameIn(m_entries, a.entry), nameIn(m_entries, b.entry)) < 0;
    return a.entry < b.entry;
}

StreamListModel::Filter StreamListModel::Filter::of(const QString &text)
{
    Filter filter;
    filter.text = text;
    filter.isAscii = std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x80; });
    filter.ascii = filter.isAscii ? text.toLatin1().toLower() : QByteArray();
    return filter;
}

bool StreamListModel::Filter::matches(QByteArrayView name) const
{
    if (text.isEmpty())
        return true;
    if (isAscii && isAsciiText(name))
        return containsAsciiFolded(name, ascii);
    return QString::fromUtf8(name).contains(text, Qt::CaseInsensitive);
}

std::pair<size_t, size_t> StreamListModel::RowBlocks::locate(int row) const
{
    const auto block = size_t(std::upper_bound(m_starts.begin(), m_starts.end(), row) - m_starts.begin()) - 1;
    return {block, size_t(row - m_starts[block])};
}

const StreamListModel::Row &StreamListModel::RowBlocks::at(int row) const
{
    const auto [block, offset] = locate(row);
    return m_blocks[block][offset];
}

void StreamListModel::RowBlocks::clear()
{
    m_blocks = {};
    m_starts = {0};
    m_scratch = {};
}

void StreamListModel::RowBlocks::append(const Row *first, const Row *last)
{
    while (first != last) {
        if (m_blocks.empty() || m_blocks.back().size() >= MaxBlock) {
            m_blocks.emplace_back();
            m_blocks.back().reserve(MaxBlock);
        }
        std::vector<Row> &block = m_blocks.back();
        const auto count = std::min(size_t(last - first), MaxBlock - block.size());
        block.insert(block.end(), first, first + count);
        first += count;
    }
    updateStarts();
}

void StreamListModel::RowBlocks::merge(std::vector<Row> &rows, const RowLess &less)
{
    if (m_blocks.empty()) {
        append(rows.data(), rows.data() + rows.size());
        return;
    }
    size_t next = 0;
    for (size_t block = 0; block < m_blocks.size() && next < rows.size(); ++block) {
        // A block takes the new rows that sort before the next block's first row.
        size_t end = rows.size();
        if (block + 1 < m_blocks.size()) {
            const Row &bound = m_blocks[block + 1].front();
            end = next;
            while (end < rows.size() && less(rows[end], bound))
                ++end;
        }
        if (end == next)
            continue;
        const size_t blocksBefore = m_blocks.size();
        mergeIntoBlock(block, rows.data() + next, rows.data() + end, less);
        block += m_blocks.size() - blocksBefore;
        next = end;
    }
    updateStarts();
}

void StreamListModel::RowBlocks::mergeIntoBlock(size_t block, const Row *first, const Row *last, const RowLess &less)
{
    std::vector<Row> &target = m_blocks[block];
    const size_t total = target.size() + size_t(last - first);
    if (total <= MaxBlock) {
        // In place from the back: each new row finds its place by binary search, the rows after it move once.
        size_t old = target.size();
        target.resize(total);
        Row *rows = target.data();
        size_t write = total;
        for (const Row *row = last; row != first;) {
            --row;
            const auto at = size_t(std::upper_bound(rows, rows + old, *row, less) - rows);
            std::move_backward(rows + at, rows + old, rows + write);
            write -= old - at;
            rows[--write] = *row;
            old = at;
        }
        return;
    }
    m_scratch.resize(total);
    std::merge(target.begin(), target.end(), first, last, m_scratch.begin(), less);
    const size_t pieces = (total + PieceSize - 1) / PieceSize;
    std::vector<std::vector<Row>> split(pieces);
    for (size_t i = 0; i < pieces; ++i) {
        split[i].reserve(MaxBlock);
        split[i].assign(m_scratch.begin() + ptrdiff_t(total * i / pieces),
                        m_scratch.begin() + ptrdiff_t(total * (i + 1) / pieces));
    }
    target = std::move(split.front());
    m_blocks.insert(m_blocks.begin() + ptrdiff_t(block + 1), std::make_move_iterator(split.begin() + 1),
                    std::make_move_iterator(split.end()));
}

int StreamListModel::RowBlocks::lowerBound(const Row &row, const RowLess &less) const
{
    const auto block = size_t(std::partition_point(m_blocks.begin(), m_blocks.end(),
                                                   [&](const std::vector<Row> &b) { return less(b.back(), row); })
                              - m_blocks.begin());
    if (block == m_blocks.size())
        return size();
    const std::vector<Row> &rows = m_blocks[block];
    return m_starts[block] + int(std::lower_bound(rows.begin(), rows.end(), row, less) - rows.begin());
}

void StreamListModel::RowBlocks::insert(int position, const Row &row)
{
    if (m_blocks.empty()) {
        append(&row, &row + 1);
        return;
    }
    auto [block, offset]
        = position == size() ? std::pair(m_blocks.size() - 1, m_blocks.back().size()) : locate(position);
    if (m_blocks[block].size() >= MaxBlock) {
        std::vector<Row> &full = m_blocks[block];
        const size_t half = full.size() / 2;
        std::vector<Row> upper;
        upper.reserve(MaxBlock);
        upper.assign(full.begin() + ptrdiff_t(half), full.end());
        full.resize(half);
        m_blocks.insert(m_blocks.begin() + ptrdiff_t(block + 1), std::move(upper));
        if (offset > half) {
            ++block;
            offset -= half;
        }
    }
    std::vector<Row> &target = m_blocks[block];
    target.insert(target.begin() + ptrdiff_t(offset), row);
    updateStarts();
}

void StreamListModel::RowBlocks::replace(int position, const Row &row)
{
    const auto [block, offset] = locate(position);
    m_blocks[block][offset] = row;
}

void StreamListModel::RowBlocks::remove(int position)
{
    const auto [block, offset] = locate(position);
    std::vector<Row> &target = m_blocks[block];
    target.erase(target.begin() + ptrdiff_t(offset));
    if (target.empty())
        m_blocks.erase(m_blocks.begin() + ptrdiff_t(block));
    updateStarts();
}

void StreamListModel::RowBlocks::updateStarts()
{
    m_starts.resize(m_blocks.size() + 1);
    for (size_t i = 0; i < m_blocks.size(); ++i)
        m_starts[i + 1] = m_starts[i] + int(m_blocks[i].size());
}

StreamListModel::StreamListModel(const StoreLayout &layout, QObject *parent)
    : StreamListModel(layout.streamPrefix, parent)
{}

StreamListModel::StreamListModel(const QByteArray &streamPrefix, QObject *parent)
    : QAbstractTableModel(parent)
    , m_streamPrefix(streamPrefix)
{
    resetStorage();
    m_applyTimer.setSingleShot(true);
    m_applyTimer.setInterval(0);
    connect(&m_applyTimer, &QTimer::timeout, this, &StreamListModel::applyPending);
    m_placeTimer.setSingleShot(true);
    connect(&m_placeTimer, &QTimer::timeout, this, &StreamListModel::placeNewRows);
    connect(&m_jobWatcher, &QFutureWatcherBase::finished, this, &StreamListModel::reorderJobDone);
}

StreamListModel::~StreamListModel()
{
    // A running worker stops at its next look; it holds what it reads.
    m_latest->store(++m_generation, std::memory_order_relaxed);
}

int StreamListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 1 + m_rows.size();
}

int StreamListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StreamListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const bool isAll = index.row() == 0;
    const quint32 entry = isAll ? NoEntry : m_rows.at(index.row() - 1).entry;
    const QByteArrayView name = isAll ? QByteArrayView(AllStreamName) : nameOf(entry);
    const qint64 version = isAll ? m_storeRevision : m_entries[entry].version;
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == NameColumn ? QString::fromUtf8(name) : QString::number(version);
    case Qt::TextAlignmentRole:
        if (index.column() == VersionColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (isAll)
            return tr("Every commit of the store, in commit order");
        return QString::fromUtf8(m_streamPrefix + name.toByteArray());
    case StreamNameRole:
        return name.toByteArray();
    case StreamKeyRole:
        return isAll ? QByteArray() : m_streamPrefix + name.toByteArray();
    case VersionRole:
        return version;
    case IsAllRole:
        return isAll;
    default:
        return {};
    }
}

QVariant StreamListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Name");
        case VersionColumn:
            return tr("Version");
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section == VersionColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

Qt::ItemFlags StreamListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return QAbstractTableModel::flags(index);
    // Tells tree views not to ask a million rows for children.
    return QAbstractTableModel::flags(index) | Qt::ItemNeverHasChildren;
}

void StreamListModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        column = -1;
    if (column == m_wantedColumn && (column < 0 || order == m_wantedOrder))
        return;
    m_wantedColumn = column;
    m_wantedOrder = order;
    reorder();
}

bool StreamListModel::isReordering() const
{
    return m_wantedColumn != m_sortColumn || (m_sortColumn >= 0 && m_wantedOrder != m_sortOrder)
           || m_wantedFilter.text != m_filter.text;
}

void StreamListModel::reorder()
{
    // Whatever runs now computes an order no longer asked for.
    m_latest->store(++m_generation, std::memory_order_relaxed);
    if (isReordering()) {
        if (m_entries.size() <= SyncReorderLimit)
            reorderNow();
        else if (!m_job)
            startReorderJob(); // else when the running one ends
    }
    reportReordering();
}

void StreamListModel::reorderNow()
{
    Q_EMIT layoutAboutToBeChanged({}, VerticalSortHint);
    const PersistentEntries persistent = persistentEntries();
    m_sortColumn = m_wantedColumn;
    m_sortOrder = m_wantedOrder;
    m_filter = m_wantedFilter;
    setRows(rowsOfAllEntries());
    restorePersistent(persistent);
    Q_EMIT layoutChanged({}, VerticalSortHint);
    reportCount();
}

void StreamListModel::startReorderJob()
{
    auto job = std::make_shared<ReorderJob>();
    job->entries = m_entries.view();
    job->names = m_names;
    job->count = m_entries.size();
    job->column = m_wantedColumn;
    job->order = m_wantedOrder;
    job->filter = m_wantedFilter;
    job->generation = m_generation;
    job->latest = m_latest;
    m_changedSinceSnapshot.clear();
    m_job = job;
    m_jobWatcher.setFuture(QtConcurrent::run(reorderPool(), [job] {
        lowerThisThreadsPriority();
        return reorderRows(*job);
    }));
}

std::shared_ptr<StreamListModel::Reordered> StreamListModel::reorderRows(const ReorderJob &job)
{
    auto result = std::make_shared<Reordered>();
    const auto superseded = [&] {
        result->cancelled = job.latest->load(std::memory_order_relaxed) != job.generation;
        return result->cancelled;
    };
    std::vector<Row> rows;
    rows.reserve(job.count);
    for (quint32 entry = 0; entry < job.count; ++entry) {
        if (entry % CancelCheckSlice == 0 && superseded())
            return result;
        const QByteArrayView name = nameIn(job.entries, entry);
        if (job.filter.matches(name))
            rows.push_back(makeRow(entry, name, versionOf(job.entries[entry]), job.column, job.order));
    }
    // In entry order, that is scan order, already.
    if (job.column >= 0 && !superseded())
        std::sort(rows.begin(), rows.end(), BasicRowLess<ChunkedView<Entry>>(job.entries, job.column, job.order));
    if (superseded())
        return result;
    result->rows.append(rows.data(), rows.data() + rows.size());
    return result;
}

void StreamListModel::reorderJobDone()
{
    const std::shared_ptr<const ReorderJob> job = std::move(m_job);
    m_job.reset();
    if (!job)
        return;
    const std::shared_ptr<Reordered> result = m_jobWatcher.result();
    if (job->generation == m_generation && result && !result->cancelled)
        applyReordered(*job, std::move(result->rows));
    else if (isReordering())
        reorder(); // superseded by a request that waited for the worker
    m_changedSinceSnapshot.clear();
    reportReordering();
}

void StreamListModel::applyReordered(const ReorderJob &job, RowBlocks rows)
{
    Q_EMIT layoutAboutToBeChanged({}, VerticalSortHint);
    const PersistentEntries persistent = persistentEntries();
    m_sortColumn = job.column;
    m_sortOrder = job.order;
    m_filter = job.filter;
    m_rows = std::move(rows);
    const RowLess less = rowLess();
    // The worker did not see what changed since it was asked: rows keyed by a version since raised, and streams
    // placed meanwhile. Both are merged in as a place pass merges new rows.
    std::vector<Row> late;
    if (m_sortColumn == VersionColumn) {
        // A row keyed by a version the stream no longer has is found by that key (keys embed the version).
        for (const auto &[entry, version] : m_changedSinceSnapshot) {
            const Row stale = makeRow(entry, nameOf(entry), version, m_sortColumn, m_sortOrder);
            const int position = m_rows.lowerBound(stale, less);
            if (position < m_rows.size() && m_rows.at(position).entry == entry
                && m_rows.at(position).key == stale.key) {
                m_rows.remove(position);
                late.push_back(makeRow(entry));
            }
        }
    }
    for (quint32 entry = job.count; entry < m_placed; ++entry) {
        if (matchesFilter(nameOf(entry)))
            late.push_back(makeRow(entry));
    }
    m_placed = std::max(m_placed, job.count);
    if (!late.empty()) {
        if (m_sortColumn >= 0)
            std::sort(late.begin(), late.end(), less);
        m_rows.merge(late, less);
    }
    restorePersistent(persistent);
    Q_EMIT layoutChanged({}, VerticalSortHint);
    reportCount();
}

void StreamListModel::setVersion(quint32 entry, qint64 version)
{
    qint64 &stored = m_entries[entry].version;
    if (m_job && entry < m_job->count && m_job->column == VersionColumn)
        m_changedSinceSnapshot.emplace_back(entry, stored);
    std::atomic_ref<qint64>(stored).store(version, std::memory_order_relaxed);
}

void StreamListModel::reportCount()
{
    if (m_reportedCount != streamCount()) {
        m_reportedCount = streamCount();
        Q_EMIT streamCountChanged(m_reportedCount);
    }
}

void StreamListModel::reportReordering()
{
    if (m_reportedReordering != isReordering()) {
        m_reportedReordering = isReordering();
        Q_EMIT reorderingChanged(m_reportedReordering);
    }
}

void StreamListModel::setStoreRevision(qint64 revision)
{
    if (revision == m_storeRevision)
        return;
    m_storeRevision = revision;
    const QModelIndex changed = index(0, VersionColumn);
    Q_EMIT dataChanged(changed, changed, {Qt::DisplayRole, VersionRole});
}

void StreamListModel::addStreams(const QList<StreamInfo> &batch)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (batch.isEmpty())
        return;
    m_pending.append(batch);
    if (!m_applyTimer.isActive())
        m_applyTimer.start();
}

void StreamListModel::updateVersion(const QByteArray &name, qint64 version)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (name.isEmpty())
        return;
    const quint32 hash = hashOf(name);
    const quint32 known = find(name, hash);
    if (known != NoEntry) {
        if (version > m_entries[known].version)
            raiseVersion(known, version);
        return;
    }
    addEntry(name, hash, version);
    placeNewRows();
}

void StreamListModel::clear()
{
    // Nothing left to order: what was asked for applies to the rows to come, and a running worker's result is void.
    m_latest->store(++m_generation, std::memory_order_relaxed);
    m_sortColumn = m_wantedColumn;
    m_sortOrder = m_wantedOrder;
    m_filter = m_wantedFilter;
    m_changedSinceSnapshot.clear();
    m_pending.clear();
    m_pendingDone = 0;
    m_applyTimer.stop();
    m_placeTimer.stop();
    const bool hadStreams = m_reportedCount > 0;
    if (m_rows.size() > 0) {
        beginRemoveRows({}, 1, m_rows.size());
        resetStorage();
        endRemoveRows();
    } else {
        resetStorage();
    }
    m_reportedCount = 0;
    if (hadStreams)
        Q_EMIT streamCountChanged(0);
    reportReordering();
}

void StreamListModel::setTextFilter(const QString &text)
{
    if (text == m_wantedFilter.text)
        return;
    m_wantedFilter = Filter::of(text);
    reorder();
}

int StreamListModel::rowOf(const QByteArray &name) const
{
    if (name == AllStreamName)
        return 0;
    const quint32 entry = find(name, hashOf(name));
    if (entry == NoEntry)
        return -1;
    const int position = findRow(entry);
    return position < 0 ? -1 : position + 1;
}

QByteArray StreamListModel::nameAt(int row) const
{
    if (row == 0)
        return QByteArray(AllStreamName);
    if (row < 0 || row >= rowCount())
        return {};
    return nameOf(m_rows.at(row - 1).entry).toByteArray();
}

void StreamListModel::applyPending()
{
    QElapsedTimer clock;
    clock.start();
    const quint32 countBefore = m_entries.size();
    // Higher versions for streams that have their row; applied once the batches are in.
    std::vector<std::pair<quint32, qint64>> raised;
    while (!m_pending.isEmpty() && clock.nsecsElapsed() < IngestBudgetNs) {
        const QList<StreamInfo> &batch = m_pending.constFirst();
        const qsizetype end = std::min(batch.size(), m_pendingDone + IngestSlice);
        for (; m_pendingDone < end; ++m_pendingDone) {
            const StreamInfo &info = batch.at(m_pendingDone);
            QByteArrayView name = info.name;
            if (name.isEmpty() && info.key.startsWith(m_streamPrefix))
                name = QByteArrayView(info.key).sliced(m_streamPrefix.size());
            if (name.isEmpty())
                continue;
            const quint32 hash = hashOf(name);
            const quint32 known = find(name, hash);
            if (known == NoEntry)
                addEntry(name, hash, info.version);
            else if (info.version > m_entries[known].version && known >= m_placed) {
                setVersion(known, info.version); // no row yet, so nothing to move
            } else if (info.version > m_entries[known].version)
                raised.emplace_back(known, info.version);
        }
        if (m_pendingDone == batch.size()) {
            m_pending.removeFirst();
            m_pendingDone = 0;
        }
    }
    for (const auto &[entry, version] : raised) {
        if (version > m_entries[entry].version)
            raiseVersion(entry, version);
    }
    if (m_entries.size() != countBefore && !m_placeTimer.isActive()) {
        // The first rows show on the next pass of the event loop (merging apart from ingesting keeps both stalls
        // short), later ones at most every PlaceIntervalMs, so that a fast scan is not slowed down by the views.
        const qint64 sincePlaced = m_placeClock.isValid() ? m_placeClock.elapsed() : PlaceIntervalMs;
        m_placeTimer.start(int(std::max<qint64>(0, PlaceIntervalMs - sincePlaced)));
    }
    if (!m_pending.isEmpty())
        m_applyTimer.start();
}

void StreamListModel::placeNewRows()
{
    m_placeTimer.stop();
    m_placeClock.start();
    insertNewRows();
    reportCount();
}

void StreamListModel::insertNewRows()
{
    std::vector<Row> added;
    for (quint32 entry = m_placed; entry < m_entries.size(); ++entry) {
        if (matchesFilter(nameOf(entry)))
            added.push_back(makeRow(entry));
    }
    m_placed = m_entries.size();
    if (added.empty())
        return;
    const RowLess less = rowLess();
    if (m_sortColumn >= 0)
        std::sort(added.begin(), added.end(), less);
    if (m_rows.size() == 0 || less(m_rows.at(m_rows.size() - 1), added.front())) {
        const int first = rowCount();
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_rows.append(added.data(), added.data() + added.size());
        endInsertRows();
    } else if (added.size() == 1) {
        // A live update's new stream: an insertion costs a view far less than a layout change.
        const int position = m_rows.lowerBound(added.front(), less);
        beginInsertRows({}, position + 1, position + 1);
        m_rows.insert(position, added.front());
        endInsertRows();
    } else {
        Q_EMIT layoutAboutToBeChanged({}, VerticalSortHint);
        const PersistentEntries persistent = persistentEntries();
        m_rows.merge(added, less);
        restorePersistent(persistent);
        Q_EMIT layoutChanged({}, VerticalSortHint);
    }
}

quint32 StreamListModel::hashOf(QByteArrayView name) const
{
    return quint32(qHash(name, QHashSeed::globalSeed()));
}

quint32 StreamListModel::bucketOf(quint32 hash) const
{
    // Linear hashing: buckets below the split point have been split already and use one more bit.
    quint32 bucket = hash & (m_levelSize - 1);
    if (bucket < m_split)
        bucket = hash & (2 * m_levelSize - 1);
    return bucket;
}

quint32 StreamListModel::find(QByteArrayView name, quint32 hash) const
{
    for (quint32 entry = m_buckets[bucketOf(hash)]; entry != NoEntry; entry = m_entries[entry].next) {
        if (m_entries[entry].hash == hash && nameOf(entry) == name)
            return entry;
    }
    return NoEntry;
}

const char *StreamListModel::storeName(QByteArrayView name)
{
    const qsizetype size = name.size();
    if (size > NameChunkSize / 16) {
        m_names.push_back(std::shared_ptr<char[]>(new char[size_t(size)]));
        std::memcpy(m_names.back().get(), name.data(), size_t(size));
        return m_names.back().get();
    }
    if (size > m_nameSpaceLeft) {
        m_names.push_back(std::shared_ptr<char[]>(new char[size_t(NameChunkSize)]));
        m_nameSpace = m_names.back().get();
        m_nameSpaceLeft = NameChunkSize;
    }
    char *stored = m_nameSpace;
    std::memcpy(stored, name.data(), size_t(size));
    m_nameSpace += size;
    m_nameSpaceLeft -= size;
    return stored;
}

quint32 StreamListModel::addEntry(QByteArrayView name, quint32 hash, qint64 version)
{
    const quint32 entry = m_entries.size();
    quint32 &head = m_buckets[bucketOf(hash)];
    m_entries.push_back(Entry{storeName(name), version, quint32(name.size()), hash, head});
    head = entry;
    if (m_entries.size() > m_buckets.size())
        splitBucket();
    return entry;
}

void StreamListModel::splitBucket()
{
    const quint32 from = m_split;
    m_buckets.push_back(NoEntry); // becomes bucket from + m_levelSize
    const quint32 mask = 2 * m_levelSize - 1;
    quint32 entry = m_buckets[from];
    m_buckets[from] = NoEntry;
    while (entry != NoEntry) {
        Entry &moving = m_entries[entry];
        const quint32 next = moving.next;
        quint32 &head = m_buckets[moving.hash & mask];
        moving.next = head;
        head = entry;
        entry = next;
    }
    if (++m_split == m_levelSize) {
        m_levelSize *= 2;
        m_split = 0;
    }
}

void StreamListModel::resetStorage()
{
    m_rows.clear();
    m_placed = 0;
    m_entries.clear();
    m_names.clear();
    m_nameSpace = nullptr;
    m_nameSpaceLeft = 0;
    m_buckets.clear();
    for (quint32 i = 0; i < InitialBuckets; ++i)
        m_buckets.push_back(NoEntry);
    m_levelSize = InitialBuckets;
    m_split = 0;
}

QByteArrayView StreamListModel::nameOf(quint32 entry) const
{
    const Entry &stored = m_entries[entry];
    return QByteArrayView(stored.name, stored.length);
}

StreamListModel::Row StreamListModel::makeRow(quint32 entry) const
{
    return makeRow(entry, nameOf(entry), m_entries[entry].version, m_sortColumn, m_sortOrder);
}

StreamListModel::Row StreamListModel::makeRow(quint32 entry, QByteArrayView name, qint64 version, int column,
                                              Qt::SortOrder order)
{
    const bool descending = order == Qt::DescendingOrder;
    Row row{{quint64(entry), 0, 0}, entry};
    if (column == NameColumn) {
        row.key = naturalKey(name);
        if (descending) {
            for (quint64 &word : row.key)
                word = ~word;
        }
    } else if (column == VersionColumn) {
        // Flipping the sign bit orders signed versions as unsigned words; ties stay by name ascending.
        const quint64 key = quint64(version) ^ (quint64(1) << 63);
        const std::array<quint64, 3> words = naturalKey(name);
        row.key = {descending ? ~key : key, words[0], words[1]};
    }
    return row;
}

int StreamListModel::findRow(quint32 entry) const
{
    const int position = m_rows.lowerBound(makeRow(entry), rowLess());
    return position < m_rows.size() && m_rows.at(position).entry == entry ? position : -1;
}

void StreamListModel::raiseVersion(quint32 entry, qint64 version)
{
    const int position = findRow(entry); // while the row still has its old key
    setVersion(entry, version);
    if (position < 0)
        return;
    int row = position + 1;
    if (m_sortColumn == VersionColumn) {
        const Row moved = makeRow(entry);
        // The stale row is still in place and sorts consistently, so this is where the new key goes among all.
        const int to = m_rows.lowerBound(moved, rowLess());
        if (to == position || to == position + 1) {
            m_rows.replace(position, moved);
        } else {
            beginMoveRows({}, row, row, {}, to + 1);
            m_rows.remove(position);
            m_rows.insert(to > position ? to - 1 : to, moved);
            endMoveRows();
            row = to > position ? to : to + 1;
        }
    }
    const QModelIndex changed = index(row, VersionColumn);
    Q_EMIT dataChanged(changed, changed, {Qt::DisplayRole, VersionRole});
}

std::vector<StreamListModel::Row> StreamListModel::rowsOfAllEntries()
{
    // In entry order, which reads entries and names sequentially, whatever order the rows are in.
    m_rows.clear();
    std::vector<Row> rows;
    rows.reserve(m_entries.size());
    for (quint32 entry = 0; entry < m_entries.size(); ++entry) {
        if (matchesFilter(nameOf(entry)))
            rows.push_back(makeRow(entry));
    }
    m_placed = m_entries.size();
    return rows;
}

void StreamListModel::setRows(std::vector<Row> rows)
{
    const RowLess less = rowLess();
    if (!std::is_sorted(rows.begin(), rows.end(), less))
        std::sort(rows.begin(), rows.end(), less);
    m_rows.clear();
    m_rows.append(rows.data(), rows.data() + rows.size());
}

StreamListModel::PersistentEntries StreamListModel::persistentEntries() const
{
    PersistentEntries persistent{persistentIndexList(), {}};
    persistent.second.reserve(size_t(persistent.first.size()));
    for (const QModelIndex &index : persistent.first)
        persistent.second.push_back(index.row() > 0 ? m_rows.at(index.row() - 1).entry : NoEntry);
    return persistent;
}

void StreamListModel::restorePersistent(const PersistentEntries &persistent)
{
    QModelIndexList to;
    to.reserve(persistent.first.size());
    for (qsizetype i = 0; i < persistent.first.size(); ++i) {
        const QModelIndex &from = persistent.first.at(i);
        const quint32 entry = persistent.second[size_t(i)];
        if (entry == NoEntry) {
            to.append(from);
            continue;
        }
        const int position = findRow(entry);
        to.append(position < 0 ? QModelIndex() : index(position + 1, from.column()));
    }
    changePersistentIndexList(persistent.first, to);
}

} // namespace Eventscope
