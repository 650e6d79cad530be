#include "livefeedworker.h"

#include "commitmessage.h"
#include "eventsummary.h"
#include "redisconnection.h"

#include <QDateTime>
#include <QTimer>

namespace Eventscope {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

LiveFeedWorker::LiveFeedWorker(ConnectionOptions options, StoreLayout layout, LiveFeedOptions feedOptions,
                               std::shared_ptr<LiveFeedShared> shared)
    : m_options(std::move(options))
    , m_layout(std::move(layout))
    , m_feed(feedOptions)
    , m_shared(std::move(shared))
{
    m_feed.fetchChunk = qMax(1, m_feed.fetchChunk);
    m_feed.maxFetchesInFlight = qMax(1, m_feed.maxFetchesInFlight);
    m_feed.maxBufferedCommits = qMax<qsizetype>(1, m_feed.maxBufferedCommits);
    if (m_layout.kind == StoreLayout::Kind::Zilverline && m_layout.eventsKey.endsWith(":commits"))
        m_controlChannel = m_layout.eventsKey.chopped(8) + ":control";
}

LiveFeedWorker::~LiveFeedWorker()
{
    // The connections are children; their callbacks into this object must not run while it is half destroyed.
    if (m_subscriber)
        m_subscriber->setPushHandler({});
    delete m_subscriber;
    delete m_reader;
}

void LiveFeedWorker::start()
{
    ConnectionOptions options = m_options;
    options.readOnly = true; // the feed only reads: SUBSCRIBE, PING, HLEN, HMGET
    options.reconnect = true;
    options.clientName = m_options.clientName + QStringLiteral("-live");
    m_subscriber = new RedisConnection(options, this);
    options.clientName = m_options.clientName + QStringLiteral("-live-reader");
    m_reader = new RedisConnection(options, this);

    m_subscriber->setPushHandler(
        [this](const QByteArray &channel, const QByteArray &message) { onPush(channel, message); });
    connect(m_subscriber, &RedisConnection::ready, this, &LiveFeedWorker::subscribe);
    connect(m_subscriber, &RedisConnection::errorOccurred, this,
            [this](RedisConnection::Error, const QString &message) {
                if (m_subscriber->state() == RedisConnection::State::Failed)
                    return fatal(message);
                if (m_subscribed) {
                    m_subscribed = false;
                    ++m_stats.reconnects;
                    addMarker(LiveMarker::Kind::Disconnect, 0, message);
                    scheduleFlush();
                }
                setState(LiveFeed::State::Reconnecting);
            });
    connect(m_reader, &RedisConnection::ready, this, [this] {
        if (m_next >= 0 || m_feed.start == LiveFeedOptions::Start::After)
            requestHlen();
        pump();
    });
    connect(m_reader, &RedisConnection::errorOccurred, this, [this](RedisConnection::Error, const QString &message) {
        if (m_reader->state() == RedisConnection::State::Failed)
            fatal(message);
    });

    if (m_feed.start == LiveFeedOptions::Start::After) {
        m_next = qMax<qint64>(0, m_feed.after) + 1;
        m_fetchCursor = m_next;
    }

    m_pollTimer = new QTimer(this);
    connect(m_pollTimer, &QTimer::timeout, this, [this] {
        if (m_reader->state() == RedisConnection::State::Connected)
            requestHlen();
        pump();
        scheduleFlush();
    });
    m_pollTimer->start(qMax(50, m_feed.pollIntervalMs));
    m_pingTimer = new QTimer(this);
    connect(m_pingTimer, &QTimer::timeout, this, [this] {
        if (m_subscribed)
            m_subscriber->send({"PING"}, this, [](const RedisReply &) {});
    });
    m_pingTimer->start(qMax(100, m_feed.pingIntervalMs));

    setState(LiveFeed::State::Connecting);
    m_subscriber->open();
    m_reader->open();
}

void LiveFeedWorker::resume()
{
    pump();
}

void LiveFeedWorker::setState(LiveFeed::State state)
{
    if (m_state == state || m_failed)
        return;
    m_state = state;
    Q_EMIT stateChanged(int(state));
}

void LiveFeedWorker::fatal(const QString &message)
{
    if (m_failed)
        return;
    setState(LiveFeed::State::Failed);
    m_failed = true;
    m_pollTimer->stop();
    m_pingTimer->stop();
    flush();
    Q_EMIT failed(message);
}

void LiveFeedWorker::subscribe()
{
    m_subscriber->send({"SUBSCRIBE", m_layout.channel}, this, [this](const RedisReply &reply) {
        if (reply.isFailure())
            return; // the connection dropped again; it reconnects and subscribes on ready
        if (!reply.isArray() || reply.elements.isEmpty() || reply.elements.at(0).text != "subscribe")
            return fatal(QStringLiteral("cannot subscribe to %1: %2")
                             .arg(QString::fromUtf8(m_layout.channel), QString::fromUtf8(reply.describe())));
        m_subscribed = true;
        if (m_everSubscribed)
            addMarker(LiveMarker::Kind::Reconnect, qint64(m_stats.reconnects), {});
        m_everSubscribed = true;
        setState(LiveFeed::State::Live);
        // Step 2 of the catch-up: whatever was committed before the subscription took hold is found by HLEN.
        requestHlen();
        scheduleFlush();
    });
}

void LiveFeedWorker::onPush(const QByteArray &channel, const QByteArray &message)
{
    ++m_stats.messages;
    if (!m_controlChannel.isEmpty() && channel == m_controlChannel)
        return; // zilverline's close/unsubscribe tokens
    const qint64 now = nowMs();
    const CommitMessage parsed = parseCommitMessage(m_layout, message);
    if (parsed.kind == CommitMessage::Kind::Unknown) {
        addUnknown(now, message, parsed.reason);
        scheduleFlush();
        return;
    }
    ++m_messageSequence;
    const qsizetype count = parsed.ids.size();
    for (qsizetype i = 0; i < count; ++i) {
        const std::optional<qint64> number = m_layout.idNumber(parsed.ids.at(i));
        if (!number) {
            addUnknown(now, message, "announces an id that is not of this layout");
            continue;
        }
        Announcement announcement;
        announcement.stream = parsed.stream;
        announcement.receivedMs = now;
        announcement.sequence = m_messageSequence;
        if (parsed.kind == CommitMessage::Kind::Record) {
            announcement.version = parsed.version;
            announcement.timestampMs = parsed.timestampMs;
            announcement.eventCount = int(qMin<qint64>(parsed.eventCount, INT_MAX));
            if (m_feed.payloads) {
                announcement.record = message;
                announcement.hasRecord = true;
            }
        } else if (parsed.version >= 0) {
            // A notice names the stream's version after its last id.
            announcement.version = parsed.version - (count - 1 - i);
        }
        announce(*number, std::move(announcement));
    }
    schedulePump(); // once per socket read: HMGETs carry chunks, not single ids
}

void LiveFeedWorker::announce(qint64 number, Announcement &&announcement)
{
    if (m_next >= 0 && number < m_next) {
        ++m_stats.oldMessages;
        return;
    }
    if (m_next >= 0 && number < m_fetchCursor) {
        Slot &slot = m_window.at(size_t(number - m_next));
        if (slot.announced) {
            ++m_stats.oldMessages;
            return;
        }
        // A late message for an id already being fetched: it was announced after all.
        slot.announced = true;
        if (slot.state != SlotState::Ready && announcement.hasRecord) {
            slot.payload = announcement.record;
            setSlotState(slot, SlotState::Ready);
        }
        slot.announcement = std::move(announcement);
        if (number == m_trusted + 1)
            ++m_trusted; // an id that was not committed yet when first fetched
        else if (number > m_trusted + 1)
            requestHlen();
        return;
    }
    if (m_announced.count(number)) {
        ++m_stats.oldMessages;
        return;
    }
    if (qsizetype(m_announced.size()) < m_feed.maxAnnounced) {
        if (announcement.hasRecord && m_announcedBytes + announcement.record.size() > m_feed.maxAnnouncedBytes) {
            announcement.record.clear(); // fetched again with HMGET when its turn comes
            announcement.hasRecord = false;
        }
        m_announcedBytes += announcement.record.size();
        m_announced.emplace(number, std::move(announcement));
    }
    if (number == m_trusted + 1) {
        m_trusted = number;
        while (m_announced.count(m_trusted + 1))
            ++m_trusted;
    } else if (number > m_trusted + 1) {
        requestHlen(); // a gap: lost messages, or an announcement of something that is not a commit
    }
}

void LiveFeedWorker::requestHlen()
{
    if (m_hlenInFlight) {
        m_hlenAgain = true;
        return;
    }
    m_hlenInFlight = true;
    m_hlenAgain = false;
    const quint64 sequence = m_messageSequence;
    m_reader->send({"HLEN", m_layout.eventsKey}, this, [this, sequence](const RedisReply &reply) {
        m_hlenInFlight = false;
        if (reply.isError())
            return fatal(QStringLiteral("cannot read the store revision (HLEN %1): %2")
                             .arg(QString::fromUtf8(m_layout.eventsKey), QString::fromUtf8(reply.text)));
        if (reply.isInteger())
            onHlen(reply.integer, sequence);
        if (m_hlenAgain && m_reader->state() == RedisConnection::State::Connected)
            requestHlen();
    });
}

void LiveFeedWorker::onHlen(qint64 revision, quint64 sequenceAtSend)
{
    m_trusted = qMax(m_trusted, revision);
    m_stats.storeRevision = qMax(m_stats.storeRevision, revision);
    if (m_next < 0) {
        // Starting from now: the next commit is the first after the revision at subscription.
        m_next = revision + 1;
        m_fetchCursor = m_next;
        for (auto it = m_announced.begin(); it != m_announced.end() && it->first < m_next;) {
            m_announcedBytes -= it->second.record.size();
            it = m_announced.erase(it);
        }
    }
    // Announced before this HLEN was asked, yet beyond it: not a commit of this store.
    for (auto it = m_announced.upper_bound(revision); it != m_announced.end();) {
        if (it->second.sequence > sequenceAtSend) {
            ++it;
            continue;
        }
        addUnknown(it->second.receivedMs, m_layout.idFor(it->first),
                   "announces a commit id beyond the store's last commit " + QByteArray::number(revision));
        m_announcedBytes -= it->second.record.size();
        it = m_announced.erase(it);
    }
    pump();
    scheduleFlush();
}

bool LiveFeedWorker::needsFetch(const Slot &slot) const
{
    if (slot.announced && slot.announcement.hasRecord)
        return false;
    if (m_feed.payloads)
        return true;
    // Without payloads a seed commit is its id; a zilverline commit needs its record for the events it carries.
    return m_layout.kind == StoreLayout::Kind::Zilverline && !(slot.announced && slot.announcement.eventCount >= 0);
}

void LiveFeedWorker::schedulePump()
{
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpScheduled = false;
            pump();
        },
        Qt::QueuedConnection);
}

void LiveFeedWorker::setSlotState(Slot &slot, SlotState state)
{
    m_waiting += (state == SlotState::Waiting) - (slot.state == SlotState::Waiting);
    slot.state = state;
}

void LiveFeedWorker::pump()
{
    if (m_failed || m_next < 0 || !m_reader || m_reader->state() != RedisConnection::State::Connected)
        return drain();
    // Ids whose fetch failed (or that turned out not to be committed yet) go again once trusted.
    QList<qint64> again;
    for (Slot &slot : m_window) {
        if (m_waiting == 0 || m_fetchesInFlight >= m_feed.maxFetchesInFlight)
            break;
        if (slot.state != SlotState::Waiting || slot.number > m_trusted)
            continue;
        setSlotState(slot, SlotState::InFlight);
        again.append(slot.number);
        if (again.size() >= m_feed.fetchChunk) {
            sendFetch(again);
            again.clear();
        }
    }
    if (!again.isEmpty())
        sendFetch(again);

    while (m_fetchesInFlight < m_feed.maxFetchesInFlight && m_fetchCursor <= m_trusted && !consumerFull()) {
        const qint64 end = qMin(m_trusted, m_fetchCursor + m_feed.fetchChunk - 1);
        QList<qint64> fetch;
        for (qint64 number = m_fetchCursor; number <= end; ++number) {
            Slot slot;
            slot.number = number;
            if (auto it = m_announced.find(number); it != m_announced.end()) {
                slot.announced = true;
                m_announcedBytes -= it->second.record.size();
                slot.announcement = std::move(it->second);
                m_announced.erase(it);
            }
            if (needsFetch(slot)) {
                slot.state = SlotState::InFlight;
                fetch.append(number);
            } else {
                slot.state = SlotState::Ready;
                if (slot.announcement.hasRecord)
                    slot.payload = std::move(slot.announcement.record);
            }
            m_window.push_back(std::move(slot));
        }
        m_fetchCursor = end + 1;
        if (!fetch.isEmpty())
            sendFetch(fetch);
        drain();
    }
    drain();
}

void LiveFeedWorker::sendFetch(const QList<qint64> &numbers)
{
    ++m_fetchesInFlight;
    // The HLEN just before tells a deleted field (nil at or below it) from an id not yet committed (above it).
    auto revision = std::make_shared<qint64>(-1);
    m_reader->send({"HLEN", m_layout.eventsKey}, this, [revision](const RedisReply &reply) {
        if (reply.isInteger())
            *revision = reply.integer;
    });
    RedisCommand command;
    command.reserve(numbers.size() + 2);
    command << "HMGET" << m_layout.eventsKey;
    for (qint64 number : numbers)
        command.append(m_layout.idFor(number));
    m_reader->send(command, this, [this, numbers, revision](const RedisReply &reply) {
        --m_fetchesInFlight;
        onFetched(numbers, *revision, reply);
    });
}

LiveFeedWorker::Slot *LiveFeedWorker::slotFor(qint64 number)
{
    if (m_next < 0 || number < m_next || number >= m_fetchCursor)
        return nullptr;
    return &m_window.at(size_t(number - m_next));
}

void LiveFeedWorker::onFetched(const QList<qint64> &numbers, qint64 revision, const RedisReply &reply)
{
    if (reply.isError()) {
        return fatal(QStringLiteral("cannot read commits (HMGET %1): %2")
                         .arg(QString::fromUtf8(m_layout.eventsKey), QString::fromUtf8(reply.text)));
    }
    const bool usable = reply.isArray() && reply.elements.size() == numbers.size() && revision >= 0;
    const qint64 now = nowMs();
    for (qsizetype i = 0; i < numbers.size(); ++i) {
        Slot *slot = slotFor(numbers.at(i));
        if (!slot || slot->state != SlotState::InFlight)
            continue; // taken meanwhile from a message carrying the record
        if (!usable) {
            setSlotState(*slot, SlotState::Waiting); // the reader reconnects; pump() asks again
            continue;
        }
        const RedisReply &value = reply.elements.at(i);
        if (value.isString()) {
            slot->payload = value.text;
            slot->fetchedMs = now;
            slot->state = SlotState::Ready;
        } else if (slot->number <= revision) {
            slot->missing = true; // the hash lost this field (HDEL): deliver the gap as what it is
            slot->fetchedMs = now;
            slot->state = SlotState::Ready;
        } else {
            // Announced but not (yet) committed: stop trusting it until an HLEN covers it.
            setSlotState(*slot, SlotState::Waiting);
            if (m_trusted >= slot->number)
                m_trusted = slot->number - 1;
            if (slot->announced) {
                addUnknown(slot->announcement.receivedMs, m_layout.idFor(slot->number),
                           "announces a commit id that is not in the store");
                slot->announced = false;
                slot->announcement = {};
            }
        }
    }
    drain();
    pump();
}

void LiveFeedWorker::drain()
{
    bool delivered = false;
    while (!m_window.empty() && m_window.front().state == SlotState::Ready) {
        deliver(m_window.front());
        m_window.pop_front();
        ++m_next;
        delivered = true;
    }
    if (delivered)
        scheduleFlush();
}

void LiveFeedWorker::deliver(Slot &slot)
{
    LiveCommit commit;
    commit.number = slot.number;
    commit.id = m_layout.idFor(slot.number);
    commit.backfilled = !slot.announced;
    commit.missing = slot.missing;
    commit.receivedMs = slot.announced ? slot.announcement.receivedMs : slot.fetchedMs;
    if (commit.receivedMs == 0)
        commit.receivedMs = nowMs();
    const Announcement &a = slot.announcement;
    commit.stream = a.stream;
    commit.version = a.version;
    commit.timestampMs = a.timestampMs;
    int events = a.eventCount;
    commit.payload = std::move(slot.payload);
    commit.size = commit.payload.size();

    if (m_layout.kind == StoreLayout::Kind::Zilverline && !slot.announced && !commit.payload.isEmpty()) {
        // A back-filled zilverline commit: the record names what the lost message would have.
        const CommitMessage record = parseCommitMessage(m_layout, commit.payload);
        if (record.kind == CommitMessage::Kind::Record) {
            commit.stream = record.stream;
            commit.version = record.version;
            commit.timestampMs = record.timestampMs;
            events = int(qMin<qint64>(record.eventCount, INT_MAX));
        }
    }
    if (!commit.missing && !commit.payload.isEmpty()) {
        if (m_feed.summaries) {
            const EventSummary summary = summarizePayload(m_layout, commit.payload);
            commit.encoding = summary.encoding;
            commit.type = summary.type;
            commit.preview = summary.preview;
            if (commit.timestampMs < 0)
                commit.timestampMs = summary.timestampMs;
            if (events < 0)
                events = summary.eventCount;
        } else {
            commit.encoding = classifyPayload(commit.payload);
        }
    }
    commit.eventCount = m_layout.kind == StoreLayout::Kind::Zilverline ? qMax(0, events < 0 ? 1 : events) : 1;

    const qint64 budget = m_feed.maxBufferedPayloadBytes;
    if (commit.size > 0 && m_outBytes + m_shared->bufferedBytes.load() + commit.size > budget) {
        commit.payload = QByteArray();
        commit.payloadDropped = true;
        ++m_stats.payloadsDropped;
    }
    m_outBytes += commit.payload.size();

    ++m_stats.commits;
    m_stats.events += quint64(commit.eventCount);
    if (commit.backfilled) {
        ++m_stats.backfilled;
        ++m_backfillRun;
    }
    m_stats.lastNumber = commit.number;
    m_stats.storeRevision = qMax(m_stats.storeRevision, commit.number);
    m_out.append(std::move(commit));
}

bool LiveFeedWorker::consumerFull()
{
    auto full = [this] {
        return m_out.size() + m_shared->bufferedCommits.load() >= m_feed.maxBufferedCommits;
    };
    if (!full())
        return false;
    // Set the flag before looking again: either this sees the consumer's take or the consumer sees the flag.
    m_shared->paused.store(true);
    return full();
}

void LiveFeedWorker::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    // After the current read is handled: one lock per socket read, not per commit.
    QMetaObject::invokeMethod(this, &LiveFeedWorker::flush, Qt::QueuedConnection);
}

void LiveFeedWorker::flush()
{
    m_flushScheduled = false;
    if (m_backfillRun > 0) {
        addMarker(LiveMarker::Kind::Backfill, m_backfillRun, {});
        m_backfillRun = 0;
    }
    m_stats.live = m_subscribed;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->commits.append(std::move(m_out));
        m_shared->markers.append(std::move(m_markers));
        m_shared->stats = m_stats;
        if (m_unknownChanged)
            m_shared->unknown = QList<UnknownMessage>(m_unknown.begin(), m_unknown.end());
        m_shared->bufferedCommits.store(m_shared->commits.size());
        m_shared->bufferedBytes.fetch_add(m_outBytes);
    }
    m_out.clear();
    m_markers.clear();
    m_outBytes = 0;
    m_unknownChanged = false;
    quint64 commands = 0, sent = 0, received = 0;
    for (const RedisConnection *connection : {m_subscriber, m_reader}) {
        if (!connection)
            continue;
        commands += connection->commandsSent();
        sent += connection->bytesSent();
        received += connection->bytesReceived();
    }
    m_shared->commandsSent.store(commands);
    m_shared->bytesSent.store(sent);
    m_shared->bytesReceived.store(received);
}

void LiveFeedWorker::addUnknown(qint64 timeMs, const QByteArray &message, const QByteArray &reason)
{
    ++m_stats.unknownMessages;
    m_unknown.push_back(UnknownMessage{timeMs, message.left(200), message.size(), reason});
    while (m_unknown.size() > size_t(LiveFeed::UnknownKept))
        m_unknown.pop_front();
    m_unknownChanged = true;
}

void LiveFeedWorker::addMarker(LiveMarker::Kind kind, qint64 count, const QString &detail)
{
    m_markers.append(LiveMarker{kind, nowMs(), count, detail});
}

} // namespace Eventscope
