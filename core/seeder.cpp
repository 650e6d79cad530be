#include "seeder.h"

#include <QDateTime>
#include <QTimer>

namespace Eventscope {

namespace {

constexpr const char *EventTypes[] = {"Deposited", "Withdrawn", "AddressChanged", "FeeCharged", "StatementIssued"};

} // namespace

Seeder::Seeder(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_committer(connection, layout)
    , m_layout(std::move(layout))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(10);
    connect(m_timer, &QTimer::timeout, this, &Seeder::tick);
}

QByteArray Seeder::makePayload(qint64 serial, const QByteArray &stream, int size, bool mixed, qint64 timestampMs)
{
    if (mixed && serial % 97 == 96) {
        // UTF-16 with a byte-order mark: real stores hold such things, and it is not UTF-8.
        QByteArray bytes("\xff\xfe", 2);
        const QString text = QStringLiteral("legacy note %1").arg(serial);
        bytes.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        return bytes;
    }
    if (mixed && serial % 41 == 40)
        return "plain text note " + QByteArray::number(serial) + " for " + stream + " \xe2\x9c\x93";
    const char *type = EventTypes[serial % std::size(EventTypes)];
    // The bulk seed: 2025-11-26T00:00:00Z onwards, one second apart; the live writer: now, to the millisecond.
    const bool now = timestampMs >= 0;
    const qint64 at = now ? timestampMs : 1764115200000 + serial * 1000;
    QByteArray payload
        = "{\"type\":\"" + QByteArray(type) + "\",\"account\":\"" + stream
          + "\",\"amount\":" + QByteArray::number((serial * 7919) % 10000) + ",\"timestamp\":\""
          + QDateTime::fromMSecsSinceEpoch(at, Qt::UTC).toString(now ? Qt::ISODateWithMs : Qt::ISODate).toUtf8()
          + "\",\"note\":\"";
    const qsizetype pad = qMax<qsizetype>(0, size - payload.size() - 2);
    payload += QByteArray(pad, 'x');
    payload += "\"}";
    return payload;
}

void Seeder::seed(const SeedOptions &options)
{
    m_options = options;
    m_options.streams = qMax(1, m_options.streams);
    m_random.seed(options.randomSeed);
    m_liveMode = false;
    m_running = true;
    m_planned = m_committed = m_serial = 0;
    m_inFlight = 0;
    pump();
}

void Seeder::live(const SeedOptions &options, double ratePerSecond, double seconds)
{
    m_options = options;
    m_options.streams = qMax(1, m_options.streams);
    m_random.seed(options.randomSeed);
    m_liveMode = true;
    m_running = true;
    m_rate = ratePerSecond;
    m_seconds = seconds;
    m_planned = m_committed = m_serial = 0;
    m_inFlight = 0;
    m_clock.start();
    m_timer->start();
}

void Seeder::stop()
{
    m_running = false;
    m_timer->stop();
}

QByteArray Seeder::randomStream()
{
    return m_options.streamNamePrefix + QByteArray::number(m_random.bounded(m_options.streams) + 1);
}

void Seeder::commitOne(qint64 eventsInCommit)
{
    const QByteArray stream = randomStream();
    QList<QByteArray> payloads;
    payloads.reserve(eventsInCommit);
    // The live writer's commits carry the time they are made; the bulk seed's are the same every run.
    const qint64 timestampMs = m_liveMode ? QDateTime::currentMSecsSinceEpoch() : -1;
    for (qint64 i = 0; i < eventsInCommit; ++i)
        payloads.append(makePayload(m_serial++, stream, m_options.payloadSize, m_options.mixed, timestampMs));
    const bool zilverline = m_layout.kind == StoreLayout::Kind::Zilverline;
    const qint64 commits = zilverline ? 1 : eventsInCommit;
    m_planned += commits;
    ++m_inFlight;
    m_committer.append(
        stream, ExpectedVersion{}, payloads, [this, commits](const AppendResult &result) { onResult(result, commits); },
        timestampMs);
}

void Seeder::pump()
{
    const bool zilverline = m_layout.kind == StoreLayout::Kind::Zilverline;
    // Spread commits over the streams while keeping script calls few for big seeds.
    const qint64 perCall = zilverline ? 1
                                      : qBound<qint64>(1, m_options.commits / (qint64(m_options.streams) * 20),
                                                       qint64(m_options.maxBatch));
    while (m_running && m_inFlight < m_options.window && m_planned < m_options.commits) {
        const qint64 size = qMin(perCall, m_options.commits - m_planned);
        commitOne(zilverline ? 1 + m_random.bounded(3) : size);
    }
    if (m_running && m_inFlight == 0 && m_planned >= m_options.commits) {
        m_running = false;
        Q_EMIT finished(m_committed);
    }
}

void Seeder::tick()
{
    const double elapsed = m_clock.elapsed() / 1000.0;
    const bool over = m_seconds > 0 && elapsed >= m_seconds;
    const qint64 due = qint64((over ? m_seconds : elapsed) * m_rate);
    const bool zilverline = m_layout.kind == StoreLayout::Kind::Zilverline;
    // Do not pile up calls on a server that cannot keep up.
    while (m_running && m_planned < due && m_inFlight < 1000)
        commitOne(zilverline ? 1 + m_random.bounded(3) : 1);
    if (over) {
        m_timer->stop();
        if (m_inFlight == 0 && m_running) {
            m_running = false;
            Q_EMIT finished(m_committed);
        }
    }
}

void Seeder::onResult(const AppendResult &result, qint64 commits)
{
    --m_inFlight;
    if (!m_running && !m_liveMode)
        return;
    if (result.status != AppendResult::Status::Ok) {
        m_running = false;
        m_timer->stop();
        Q_EMIT failed(QStringLiteral("commit failed: %1").arg(result.error));
        return;
    }
    m_committed += commits;
    Q_EMIT progress(m_committed);
    if (m_liveMode) {
        if (!m_timer->isActive() && m_inFlight == 0 && m_running) {
            m_running = false;
            Q_EMIT finished(m_committed);
        }
        return;
    }
    pump();
}

} // namespace Eventscope
