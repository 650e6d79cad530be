#pragma once

#include "eventpageloader.h"
#include "eventsummary.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QSet>

class QTimer;

namespace Eventscope {

// The events of one stream as a table whose row count is the stream's length. Pages are loaded on demand around
// what the view asks for, summarised off the GUI thread, and evicted least-recently-used past a memory budget,
// so a 10,000,000-commit stream scrolls like a short one.
class EventPageModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { VersionColumn, IdColumn, TypeColumn, SizeColumn, TimestampColumn, PreviewColumn, ColumnCount };
    enum Role {
        VersionRole = Qt::UserRole + 1, // qint64
        IdRole,                         // QByteArray; empty until the page is loaded
        LoadedRole,                     // bool: the row's page is here
        MissingRole,                    // bool: the id is not in the events hash
        PayloadLoadedRole,              // bool: the payload is in memory (large ones are fetched on selection)
        PayloadRole,                    // QByteArray
        SizeRole,                       // qint64
        EncodingRole,                   // int (PayloadEncoding)
    };

    explicit EventPageModel(EventPageLoader *loader, QObject *parent = nullptr);
    ~EventPageModel() override;

    void setStream(const QByteArray &stream, qint64 length);
    QByteArray stream() const { return m_stream; }
    // The stream grew (or shrank): rows are added or removed at the newest end.
    void setLength(qint64 length);
    qint64 length() const { return m_length; }
    void setNewestFirst(bool newestFirst);
    bool newestFirst() const { return m_newestFirst; }
    // Drops every cached page and loads what is asked for again.
    void refresh();

    // A payload too large for its page was fetched on its own: show its type, timestamp and preview too.
    void setSummary(qint64 version, const EventSummary &summary);

    int rowForVersion(qint64 version) const;
    qint64 versionAt(int row) const;

    void setPageSize(int rows);
    void setMemoryBudget(qint64 bytes) { m_budget = bytes; }
    qint64 cachedBytes() const { return m_cachedBytes; }
    int cachedPages() const { return int(m_pages.size()); }
    // Asks for the pages of rows first..last now (the view's visible range).
    void prefetch(int firstRow, int lastRow);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void pageLoaded(qint64 firstVersion, qint64 lastVersion);
    void loadFailed(const QString &message);

private:
    struct Row
    {
        LoadedEvent event;
        EventSummary summary;
        bool summarized = false;
    };
    struct Page
    {
        QList<Row> rows;
        qint64 bytes = 0;
        mutable quint64 lastUse = 0;
        qint64 last = 0; // the last version asked for: a page asked before the stream grew lacks the newer rows
    };

    bool isStale(qint64 page, const Page &entry) const { return entry.last < qMin(m_length, (page + 1) * m_pageSize); }

    const Row *rowAt(int row) const;
    qint64 pageOf(qint64 version) const { return (version - 1) / m_pageSize; }
    void request(qint64 page) const;
    void issueRequests();
    void adopt(qint64 page, quint64 generation, QList<Row> rows, qint64 requestedLast);
    void evict();
    void emitPageChanged(qint64 page);

    QPointer<EventPageLoader> m_loader;
    QByteArray m_stream;
    qint64 m_length = 0;
    bool m_newestFirst = false;
    int m_pageSize = 200;
    qint64 m_budget = 64 << 20;
    qint64 m_cachedBytes = 0;
    quint64 m_generation = 0;
    mutable quint64 m_useClock = 0;
    QHash<qint64, Page> m_pages;
    mutable QList<qint64> m_wanted; // pages asked for by data(), most recent last, not yet requested
    QSet<qint64> m_inFlight;
    QTimer *m_requestTimer = nullptr;
    int m_maxInFlight = 8;
};

} // namespace Eventscope
