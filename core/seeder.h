#pragma once

#include "committer.h"
#include "storelayout.h"

#include <QElapsedTimer>
#include <QObject>
#include <QRandomGenerator>

class QTimer;

namespace Eventscope {

class RedisConnection;

struct SeedOptions
{
    int streams = 50;
    qint64 commits = 5000;
    int payloadSize = 100; // approximate bytes per event
    bool mixed = false;    // also some text and binary payloads
    QByteArray streamNamePrefix = "customer-";
    int maxBatch = 1000; // seed layout: commits per script call
    int window = 32;     // script calls in flight
    quint32 randomSeed = 42;
};

// Demo and benchmark data through the commit script, and a live writer at a given commit rate.
class Seeder final : public QObject
{
    Q_OBJECT
public:
    Seeder(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    void seed(const SeedOptions &options);
    // Commits at ratePerSecond for seconds (<= 0: until stopped), one commit per script call, stamped with the
    // current time (payload timestamps included), so a live view's latency is the real one.
    void live(const SeedOptions &options, double ratePerSecond, double seconds);
    void stop();
    qint64 committed() const { return m_committed; }

    // A deterministic event payload of about size bytes; mixed adds text and binary ones now and then. Its
    // "timestamp" is timestampMs where given (>= 0, with milliseconds), else one second per serial from
    // 2025-11-26T00:00:00Z (the bulk seed: the same data every run).
    static QByteArray makePayload(qint64 serial, const QByteArray &stream, int size, bool mixed,
                                  qint64 timestampMs = -1);

Q_SIGNALS:
    void progress(qint64 committed);
    void finished(qint64 committed);
    void failed(const QString &message);

private:
    void pump();
    void tick();
    void commitOne(qint64 eventsInCommit);
    QByteArray randomStream();
    void onResult(const AppendResult &result, qint64 commits);

    Committer m_committer;
    StoreLayout m_layout;
    SeedOptions m_options;
    QRandomGenerator m_random;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    double m_rate = 0;
    double m_seconds = 0;
    qint64 m_planned = 0; // commits handed to the committer
    qint64 m_committed = 0;
    qint64 m_serial = 0;
    int m_inFlight = 0;
    bool m_running = false;
    bool m_liveMode = false;
};

} // namespace Eventscope
