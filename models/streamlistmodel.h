#pragma once

#include "storelayout.h"
#include "streamscanner.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QList>
#include <QTimer>

#include <array>
#include <atomic>
#include <memory>
#include <utility>
#include <vector>

namespace Eventscope {

// The streams pane: `$all` on row 0, then the loaded streams, filtered and sorted. Sized for a million streams:
// names are packed into an arena, each stream is one fixed-size entry, rows are kept in blocks with their sort key
// inline, so nothing is allocated per stream, a comparison rarely leaves the row array, and growing never copies
// what is there. Scanner batches are queued and taken in on the following passes of the event loop within a time
// budget; the new rows show (merged in order when sorted) at most ten times a second, so that a scan runs at the
// server's pace while the GUI thread is never held for more than a few milliseconds at a time.
// Sorting and filtering more than a few thousand streams is computed on a worker over a snapshot (the names and
// entries are shared, never copied: they do not move, and the worker reads nothing the GUI thread changes); the rows
// keep their order meanwhile, scan batches keep coming in, a newer request supersedes an older one, and the result
// replaces the rows in one layout change that keeps persistent indexes (the selection) on their streams.
class StreamListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, VersionColumn, ColumnCount };
    enum Role {
        StreamNameRole = Qt::UserRole, // QByteArray: the display name
        StreamKeyRole,                 // QByteArray: the Redis key (stream prefix + name); empty for $all
        VersionRole,                   // qint64: the stream's version, or the store revision for $all
        IsAllRole,                     // bool: true on the $all row only
    };

    explicit StreamListModel(const StoreLayout &layout, QObject *parent = nullptr);
    explicit StreamListModel(const QByteArray &streamPrefix = {}, QObject *parent = nullptr);
    ~StreamListModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Name sorts in natural order: runs of digits compare by value (customer-2 < customer-10), everything else
    // byte-wise and case-sensitively, as Redis itself orders keys. Version sorts numerically, ties by name
    // ascending. A column outside the model restores scan order. $all stays on row 0.
    // Over many streams the new order shows when the worker is done: sortColumn(), sortOrder() and textFilter() are
    // what was asked for, isReordering() says whether the rows shown follow it yet.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_wantedColumn; }
    Qt::SortOrder sortOrder() const { return m_wantedOrder; }
    bool isReordering() const;

    void setStoreRevision(qint64 revision);
    qint64 storeRevision() const { return m_storeRevision; }

    // Queues a batch; streamCount() takes it in on the next pass of the event loop, and its rows show in a pass after
    // that, at most ten times a second. Repeated names are merged, keeping the higher version.
    void addStreams(const QList<Eventscope::StreamInfo> &batch);
    // Applies at once; an unknown stream is added. Versions only grow, so a lower figure than the one known is
    // ignored.
    void updateVersion(const QByteArray &name, qint64 version);
    // Drops every stream and everything queued; keeps $all, the filter and the sort order.
    void clear();

    // Case-insensitive substring over the loaded names; globs for the server are the scanner's business.
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_wantedFilter.text; }

    // Streams placed (shown, unless filtered out), excluding $all and anything still queued or being taken in.
    int streamCount() const { return int(m_placed); }
    // The row of a stream, 0 for $all, -1 when not loaded or filtered out.
    int rowOf(const QByteArray &name) const;
    QByteArray nameAt(int row) const;

Q_SIGNALS:
    void streamCountChanged(int count);
    // A sort or filter started or ended on the worker.
    void reorderingChanged(bool reordering);

private:
    static constexpr quint32 NoEntry = 0xffffffffu;
    static constexpr int ChunkBits = 14;
    static constexpr quint32 ChunkSize = 1u << ChunkBits;
    static constexpr quint32 ChunkMask = ChunkSize - 1;

    // Case-insensitive substring; names are matched as bytes when the filter is ASCII.
    struct Filter
    {
        QString text;
        QByteArray ascii; // text in lower case when it is ASCII
        bool isAscii = true;
        static Filter of(const QString &text);
        bool matches(QByteArrayView name) const;
    };

    // One stream. The name points into m_names and never moves.
    struct Entry
    {
        const char *name;
        qint64 version;
        quint32 length;
        quint32 hash; // kept so that lookups and bucket splits rarely read a name
        quint32 next; // the next entry in the same hash bucket
    };

    // One visible row: the entry and a prefix of its sort key, so that sorting and merging compare contiguous
    // memory instead of chasing names; full keys are compared only on a tie.
    struct Row
    {
        std::array<quint64, 3> key;
        quint32 entry;
    };

    // An order over rows, by sort column and order; total, because names are unique. Entries is the model's entry
    // array or a worker's snapshot of it.
    template<typename Entries>
    class BasicRowLess
    {
    public:
        BasicRowLess(const Entries &entries, int column, Qt::SortOrder order)
            : m_entries(entries)
            , m_column(column)
            , m_order(order)
        {}
        bool operator()(const Row &a, const Row &b) const;

    private:
        const Entries &m_entries;
        int m_column;
        Qt::SortOrder m_order;
    };

    // What a worker may read of a ChunkedArray: the chunks of its first size() elements, kept alive.
    template<typename T>
    class ChunkedView
    {
    public:
        const T &operator[](quint32 i) const { return m_chunks[i >> ChunkBits][i & ChunkMask]; }
        quint32 size() const { return m_size; }

        std::vector<std::shared_ptr<const T[]>> m_chunks;
        quint32 m_size = 0;
    };

    // Append-only storage in fixed chunks: growing allocates a chunk and never copies what is stored. Chunks are
    // shared with snapshots, which keep them alive across clear().
    template<typename T>
    class ChunkedArray
    {
    public:
        T &operator[](quint32 i) { return m_chunks[i >> ChunkBits][i & ChunkMask]; }
        const T &operator[](quint32 i) const { return m_chunks[i >> ChunkBits][i & ChunkMask]; }
        quint32 size() const { return m_size; }
        void push_back(const T &value)
        {
            if ((m_size >> ChunkBits) == m_chunks.size())
                m_chunks.push_back(std::shared_ptr<T[]>(new T[ChunkSize]));
            (*this)[m_size++] = value;
        }
        void clear()
        {
            m_chunks.clear();
            m_size = 0;
        }
        ChunkedView<T> view() const
        {
            ChunkedView<T> view;
            view.m_chunks.assign(m_chunks.begin(), m_chunks.end());
            view.m_size = m_size;
            return view;
        }

    private:
        std::vector<std::shared_ptr<T[]>> m_chunks;
        quint32 m_size = 0;
    };

    using RowLess = BasicRowLess<ChunkedArray<Entry>>;

    // Rows in blocks of at most MaxBlock, with the row number each block starts at, so that inserting into a sorted
    // million-row list shifts one block, and growing never reallocates the whole list.
    class RowBlocks
    {
    public:
        int size() const { return m_starts.back(); }
        const Row &at(int row) const;
        void clear();
        void append(const Row *first, const Row *last);
        // rows is sorted by less and shares no entry with this.
        void merge(std::vector<Row> &rows, const RowLess &less);
        int lowerBound(const Row &row, const RowLess &less) const;
        void insert(int position, const Row &row);
        void replace(int position, const Row &row);
        void remove(int position);

    private:
        static constexpr size_t MaxBlock = 2048;
        // A block that overflows is split into pieces this full, leaving room for what comes next.
        static constexpr size_t PieceSize = MaxBlock * 3 / 4;
        std::pair<size_t, size_t> locate(int row) const;
        void mergeIntoBlock(size_t block, const Row *first, const Row *last, const RowLess &less);
        void updateStarts();
        std::vector<std::vector<Row>> m_blocks;
        std::vector<int> m_starts{0}; // one more than m_blocks: the last is the row count
        std::vector<Row> m_scratch;
    };

    // Where the persistent indexes point, by entry, across a change of the rows.
    using PersistentEntries = std::pair<QModelIndexList, std::vector<quint32>>;

    // What a worker sorts and filters: the first count entries as they were when it was asked, and the order and
    // filter asked for. Entries' names never change; versions do, so they are written and read as atomics (relaxed:
    // which of its versions the worker sees does not matter, the rows of changed versions are fixed when applied).
    struct ReorderJob
    {
        ChunkedView<Entry> entries;
        std::vector<std::shared_ptr<char[]>> names; // keeps the names the entries point to alive
        quint32 count = 0;
        int column = -1;
        Qt::SortOrder order = Qt::AscendingOrder;
        Filter filter;
        quint64 generation = 0;
        std::shared_ptr<const std::atomic<quint64>> latest; // a newer generation there cancels this job
    };
    struct Reordered
    {
        RowBlocks rows;
        bool cancelled = false;
    };

    void applyPending();
    void placeNewRows();
    void insertNewRows();
    quint32 find(QByteArrayView name, quint32 hash) const;
    quint32 addEntry(QByteArrayView name, quint32 hash, qint64 version);
    const char *storeName(QByteArrayView name);
    void splitBucket();
    quint32 hashOf(QByteArrayView name) const;
    quint32 bucketOf(quint32 hash) const;
    void resetStorage();
    QByteArrayView nameOf(quint32 entry) const;
    bool matchesFilter(QByteArrayView name) const { return m_filter.matches(name); }
    Row makeRow(quint32 entry) const;
    static Row makeRow(quint32 entry, QByteArrayView name, qint64 version, int column, Qt::SortOrder order);
    RowLess rowLess() const { return RowLess(m_entries, m_sortColumn, m_sortOrder); }
    int findRow(quint32 entry) const;
    void raiseVersion(quint32 entry, qint64 version);
    std::vector<Row> rowsOfAllEntries();
    void setRows(std::vector<Row> rows);
    PersistentEntries persistentEntries() const;
    void restorePersistent(const PersistentEntries &persistent);
    void reorder();
    void reorderNow();
    void startReorderJob();
    void reorderJobDone();
    void applyReordered(const ReorderJob &job, RowBlocks rows);
    void setVersion(quint32 entry, qint64 version);
    void reportCount();
    void reportReordering();
    static std::shared_ptr<Reordered> reorderRows(const ReorderJob &job);

    QByteArray m_streamPrefix;
    qint64 m_storeRevision = 0;
    // The order and filter of the rows shown, which the rows are merged and looked up by.
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    Filter m_filter;
    // Those asked for; different while a worker computes them.
    int m_wantedColumn = -1;
    Qt::SortOrder m_wantedOrder = Qt::AscendingOrder;
    Filter m_wantedFilter;
    bool m_reportedReordering = false;

    quint64 m_generation = 0; // of the latest request; a worker's result for an older one is dropped
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    std::shared_ptr<const ReorderJob> m_job; // the one running, if any
    QFutureWatcher<std::shared_ptr<Reordered>> m_jobWatcher;
    // Entries below the running job's count whose version changed since it started, with the version they had: the
    // worker keyed their rows by one of those, or by the version they have now, when sorting by version.
    std::vector<std::pair<quint32, qint64>> m_changedSinceSnapshot;

    std::vector<std::shared_ptr<char[]>> m_names; // chunks of names; a long name gets one of its own
    char *m_nameSpace = nullptr;
    qsizetype m_nameSpaceLeft = 0;
    ChunkedArray<Entry> m_entries;
    // De-duplication by linear hashing over chains threaded through the entries: the table grows one bucket at a
    // time, so no insertion ever rehashes a million names at once.
    ChunkedArray<quint32> m_buckets;
    quint32 m_levelSize = 0;
    quint32 m_split = 0;
    RowBlocks m_rows;     // model row r > 0 is m_rows.at(r - 1)
    quint32 m_placed = 0; // entries before this one have their row, if the filter lets them

    QList<QList<StreamInfo>> m_pending;
    qsizetype m_pendingDone = 0; // of m_pending.first()
    QTimer m_applyTimer;         // ingests queued batches on the next pass of the event loop
    QTimer m_placeTimer;         // shows ingested streams as rows
    QElapsedTimer m_placeClock;
    int m_reportedCount = 0; // the last streamCountChanged
};

} // namespace Eventscope
