#pragma once

#include "livefeed.h"

#include <QAbstractTableModel>

#include <deque>

namespace Eventscope {

// The live tail: the latest commits, newest at the bottom, at most capacity() of them (the oldest leave first).
// Fed with the live feed's batches. A stream glob filters what is shown; the rows kept are the latest commits
// whatever the filter, so changing it shows at once what is already there. Keeps a one-line preview per commit,
// not the payload.
class LiveTailModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        IdColumn,
        StreamColumn,
        VersionColumn,
        TypeColumn,
        SizeColumn,
        PreviewColumn,
        ColumnCount
    };
    enum Role {
        IdRole = Qt::UserRole, // QByteArray
        NumberRole,            // qint64: the store revision of the commit
        StreamRole,            // QByteArray, empty where unknown
        VersionRole,           // qint64, -1 where unknown
        BackfilledRole,        // bool
        ReceivedRole,          // qint64 ms since the epoch
    };

    explicit LiveTailModel(qsizetype capacity = 10000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    qsizetype capacity() const { return m_capacity; }
    void setCapacity(qsizetype capacity);
    // A glob over stream names ("customer-*"); empty shows every commit, including those with no stream named.
    void setStreamFilter(const QString &glob);
    QString streamFilter() const { return m_filterText; }

    void addBatch(const Eventscope::LiveBatch &batch);
    void clear();
    qsizetype keptCount() const { return qsizetype(m_kept.size()); }

private:
    struct Row
    {
        quint64 sequence = 0;
        qint64 number = 0;
        qint64 receivedMs = 0;
        qint64 version = -1;
        qint64 size = 0;
        QByteArray id;
        QByteArray stream;
        QString type;
        QString preview;
        bool backfilled = false;
        bool missing = false;
    };

    bool matches(const Row &row) const;
    void trim();

    qsizetype m_capacity;
    QString m_filterText;
    QByteArray m_glob;
    quint64 m_sequence = 0;
    std::deque<Row> m_kept;            // every kept commit, oldest first
    std::deque<const Row *> m_visible; // the rows shown (pointers into m_kept; a deque keeps them stable)
};

} // namespace Eventscope
