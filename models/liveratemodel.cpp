#include "liveratemodel.h"

#include <QDateTime>

#include <algorithm>

namespace Eventscope {

namespace {

qint64 secondOf(qint64 ms)
{
    return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

} // namespace

LiveRateModel::LiveRateModel(int streamSeries, QObject *parent)
    : QAbstractTableModel(parent)
    , m_streamSeries(qBound(0, streamSeries, 20))
{}

int LiveRateModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int LiveRateModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FirstStreamColumn + m_streamSeries;
}

int LiveRateModel::bucketSeconds() const
{
    switch (m_window) {
    case Window::OneMinute:
        return 1;
    case Window::TenMinutes:
        return 5;
    case Window::OneHour:
        return 30;
    }
    return 1;
}

int LiveRateModel::pointCount() const
{
    return m_window == Window::OneMinute ? 60 : MaxPoints;
}

qint64 LiveRateModel::firstPointSecond() const
{
    const int bucket = bucketSeconds();
    const qint64 nowSecond = secondOf(m_nowMs);
    const qint64 lastStart = nowSecond - ((nowSecond % bucket) + bucket) % bucket;
    return lastStart - qint64(pointCount() - 1) * bucket;
}

void LiveRateModel::setWindow(Window window)
{
    if (window == m_window)
        return;
    beginResetModel();
    m_window = window;
    m_rows = m_nowMs > 0 ? pointCount() : 0;
    recountWindow();
    rankStreams();
    endResetModel();
}

LiveRateModel::Second *LiveRateModel::secondAt(qint64 second, bool)
{
    const qint64 index = second - m_firstSecond;
    if (m_seconds.empty() || index < 0 || index >= qint64(m_seconds.size()))
        return nullptr;
    return &m_seconds[size_t(index)];
}

void LiveRateModel::moveTo(qint64 nowMs)
{
    if (nowMs <= m_nowMs)
        return;
    const qint64 nowSecond = secondOf(nowMs);
    if (m_rows > 0) {
        // Seconds leaving the window leave the stream totals.
        const qint64 oldNow = std::exchange(m_nowMs, nowMs);
        const qint64 newFirst = firstPointSecond();
        m_nowMs = oldNow;
        for (qint64 s = firstPointSecond(); s < newFirst; ++s) {
            const Second *second = secondAt(s, false);
            if (!second)
                continue;
            for (auto it = second->streams.cbegin(); it != second->streams.cend(); ++it) {
                auto total = m_windowTotals.find(it.key());
                if (total != m_windowTotals.end() && (*total -= qMin<quint64>(*total, it.value())) == 0)
                    m_windowTotals.erase(total);
            }
            if (s >= m_firstSecond + qint64(m_seconds.size()))
                break;
        }
    }
    // History: one record per second up to now, at most HistorySeconds of them.
    if (m_seconds.empty() || nowSecond - (m_firstSecond + qint64(m_seconds.size()) - 1) > HistorySeconds) {
        m_windowTotals.clear();
        m_seconds.clear();
        m_firstSecond = nowSecond;
        m_seconds.emplace_back();
    }
    while (m_firstSecond + qint64(m_seconds.size()) - 1 < nowSecond)
        m_seconds.emplace_back();
    while (m_seconds.size() > size_t(HistorySeconds)) {
        m_seconds.pop_front();
        ++m_firstSecond;
    }
    while (!m_markers.empty() && secondOf(m_markers.front().timeMs) < m_firstSecond)
        m_markers.pop_front();

    // Rows: whole points leave at the top and arrive at the bottom.
    const int points = pointCount();
    if (m_rows == 0) {
        beginInsertRows({}, 0, points - 1);
        m_nowMs = nowMs;
        m_rows = points;
        endInsertRows();
        return;
    }
    const qint64 oldFirst = firstPointSecond();
    const qint64 oldNow = m_nowMs;
    m_nowMs = nowMs;
    const qint64 shift = (firstPointSecond() - oldFirst) / bucketSeconds();
    if (shift <= 0)
        return;
    m_nowMs = oldNow;
    if (shift >= points) {
        beginResetModel();
        m_nowMs = nowMs;
        endResetModel();
        return;
    }
    // Between the removal and the insertion the remaining rows keep their data: the first point moves on by the
    // rows removed, which is what firstPointSecond() gives for a time shift whole points later.
    beginRemoveRows({}, 0, int(shift) - 1);
    m_rows = points - int(shift);
    m_nowMs = oldNow + shift * bucketSeconds() * 1000;
    endRemoveRows();
    beginInsertRows({}, m_rows, points - 1);
    m_rows = points;
    m_nowMs = nowMs;
    endInsertRows();
}

void LiveRateModel::advanceTo(qint64 nowMs)
{
    moveTo(nowMs);
    if (m_rows > 0)
        Q_EMIT dataChanged(index(m_rows - 1, 0), index(m_rows - 1, columnCount() - 1));
}

void LiveRateModel::addBatch(const LiveBatch &batch)
{
    qint64 latest = batch.timeMs;
    for (const LiveCommit &commit : batch.commits)
        latest = qMax(latest, commit.receivedMs);
    for (const LiveMarker &marker : batch.markers)
        latest = qMax(latest, marker.timeMs);
    moveTo(latest);

    for (const LiveCommit &commit : batch.commits) {
        Second *second = secondAt(secondOf(commit.receivedMs), true);
        if (!second)
            continue; // older than the history
        ++second->commits;
        second->events += quint32(qMax(0, commit.eventCount));
        if (commit.timestampMs > 0) {
            second->latencySumMs += double(commit.receivedMs - commit.timestampMs);
            ++second->latencyCount;
        }
        if (commit.backfilled)
            ++second->backfilled;
        if (!commit.stream.isEmpty()) {
            auto it = second->streams.find(commit.stream);
            bool tracked = true;
            if (it != second->streams.end())
                ++*it;
            else if (second->streams.size() < TrackedStreamsPerSecond)
                second->streams.insert(commit.stream, 1);
            else
                tracked = false;
            if (tracked && secondOf(commit.receivedMs) >= firstPointSecond())
                ++m_windowTotals[commit.stream];
        }
    }
    for (const LiveMarker &marker : batch.markers) {
        Second *second = secondAt(secondOf(marker.timeMs), true);
        if (!second)
            continue;
        if (marker.kind == LiveMarker::Kind::Disconnect)
            ++second->disconnects;
        m_markers.push_back(marker);
    }
    while (m_markers.size() > 10000)
        m_markers.pop_front();
    rankStreams();
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(m_rows - 1, columnCount() - 1));
}

void LiveRateModel::recountWindow()
{
    m_windowTotals.clear();
    if (m_seconds.empty())
        return;
    const qint64 from = firstPointSecond();
    for (size_t i = 0; i < m_seconds.size(); ++i) {
        if (m_firstSecond + qint64(i) < from)
            continue;
        for (auto it = m_seconds[i].streams.cbegin(); it != m_seconds[i].streams.cend(); ++it)
            m_windowTotals[it.key()] += it.value();
    }
}

void LiveRateModel::rankStreams()
{
    const QHash<QByteArray, quint64> &totals = m_windowTotals;
    QList<QPair<quint64, QByteArray>> ranked;
    ranked.reserve(totals.size());
    for (auto it = totals.cbegin(); it != totals.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    QList<QByteArray> top;
    for (qsizetype i = 0; i < ranked.size() && i < m_streamSeries; ++i)
        top.append(ranked.at(i).second);
    if (top == m_topStreams)
        return;
    m_topStreams = top;
    if (m_streamSeries > 0)
        Q_EMIT headerDataChanged(Qt::Horizontal, FirstStreamColumn, FirstStreamColumn + m_streamSeries - 1);
}

LiveRateModel::Point LiveRateModel::point(int row) const
{
    Point p;
    const int bucket = bucketSeconds();
    const qint64 start = firstPointSecond() + qint64(row) * bucket;
    const qint64 nowSecond = secondOf(m_nowMs);
    int seconds = 0;
    for (qint64 s = start; s < start + bucket && s <= nowSecond; ++s) {
        ++seconds;
        const qint64 index = s - m_firstSecond;
        if (index < 0 || index >= qint64(m_seconds.size()))
            continue;
        const Second &second = m_seconds[size_t(index)];
        p.commits += second.commits;
        p.events += second.events;
        p.latencySumMs += second.latencySumMs;
        p.latencyCount += second.latencyCount;
        p.backfilled += second.backfilled;
        p.disconnects += second.disconnects;
    }
    if (seconds > 0) {
        p.commits /= seconds;
        p.events /= seconds;
    }
    return p;
}

double LiveRateModel::streamRate(int row, const QByteArray &stream) const
{
    const int bucket = bucketSeconds();
    const qint64 start = firstPointSecond() + qint64(row) * bucket;
    const qint64 nowSecond = secondOf(m_nowMs);
    double total = 0;
    int seconds = 0;
    for (qint64 s = start; s < start + bucket && s <= nowSecond; ++s) {
        ++seconds;
        const qint64 index = s - m_firstSecond;
        if (index >= 0 && index < qint64(m_seconds.size()))
            total += m_seconds[size_t(index)].streams.value(stream);
    }
    return seconds > 0 ? total / seconds : 0;
}

QVariant LiveRateModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != ValueRole && role != Qt::TextAlignmentRole)
        return {};
    const int column = index.column();
    if (role == Qt::TextAlignmentRole)
        return column == TimeColumn ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    if (column == TimeColumn) {
        const qint64 ms = (firstPointSecond() + qint64(index.row()) * bucketSeconds()) * 1000;
        if (role == ValueRole)
            return ms;
        return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
    }
    auto value = [role](double v, int decimals) -> QVariant {
        if (role == ValueRole)
            return v;
        return QString::number(v, 'f', decimals);
    };
    if (column >= FirstStreamColumn) {
        const qsizetype slot = column - FirstStreamColumn;
        if (slot >= m_topStreams.size())
            return {};
        return value(streamRate(index.row(), m_topStreams.at(slot)), 1);
    }
    const Point p = point(index.row());
    switch (column) {
    case CommitsColumn:
        return value(p.commits, 1);
    case EventsColumn:
        return value(p.events, 1);
    case LatencyColumn:
        return p.latencyCount ? value(p.latencySumMs / p.latencyCount, 0) : QVariant();
    case BackfillColumn:
        return value(p.backfilled, 0);
    case DisconnectColumn:
        return value(p.disconnects, 0);
    default:
        return {};
    }
}

QVariant LiveRateModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case CommitsColumn:
        return tr("Commits/s");
    case EventsColumn:
        return tr("Events/s");
    case LatencyColumn:
        return tr("Latency (ms)");
    case BackfillColumn:
        return tr("Back-filled");
    case DisconnectColumn:
        return tr("Disconnects");
    default:
        break;
    }
    const qsizetype slot = section - FirstStreamColumn;
    return slot < m_topStreams.size() ? QString::fromUtf8(m_topStreams.at(slot)) : QString();
}

QList<LiveMarker> LiveRateModel::markers() const
{
    return QList<LiveMarker>(m_markers.begin(), m_markers.end());
}

} // namespace Eventscope
