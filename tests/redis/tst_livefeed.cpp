// The live feed against a real redis-server: every commit exactly once and in order while the subscriber is killed,
// messages are skipped, duplicated, reordered and forged; both layouts; bounded buffers.
#include "committer.h"
#include "livefeed.h"
#include "redisconnection.h"
#include "redisserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

ConnectionOptions optionsFor(const QString &url, bool readOnly = true)
{
    auto options = ConnectionOptions::fromUrl(url);
    if (!options)
        qFatal("bad test URL");
    options->connectTimeoutMs = 5000;
    options->commandTimeoutMs = 10000;
    options->reconnectBaseDelayMs = 10;
    options->reconnectMaxDelayMs = 100;
    options->readOnly = readOnly;
    return *options;
}

// Takes the feed's batches and checks order as they come.
struct Collector
{
    explicit Collector(LiveFeed &feed)
    {
        QObject::connect(&feed, &LiveFeed::batchReady, &feed, [this](const LiveBatch &batch) {
            ++batches;
            for (const LiveCommit &commit : batch.commits) {
                if (!commits.isEmpty() && commit.number != commits.last().number + 1)
                    outOfOrder = true;
                commits.append(commit);
            }
            for (const LiveMarker &marker : batch.markers)
                markers.append(marker);
            last = batch.stats;
        });
    }
    QList<LiveCommit> commits;
    QList<LiveMarker> markers;
    LiveStats last;
    int batches = 0;
    bool outOfOrder = false;

    qsizetype count(LiveMarker::Kind kind) const
    {
        return std::count_if(markers.begin(), markers.end(), [kind](const LiveMarker &m) { return m.kind == kind; });
    }
};

// A commit made the way a writer that does not announce would: same ids, no PUBLISH.
const QByteArray SilentCommit = R"(
local n = redis.call('HLEN', KEYS[1]) + 1
local id = ARGV[1] .. n
redis.call('HSET', KEYS[1], id, ARGV[2])
redis.call('RPUSH', KEYS[2], id)
return id)";

} // namespace

class TestLiveFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void seedEveryCommitOnceWhileKilledAndMisled();
    void zilverlineEveryCommitOnceWithEvents();
    void startsFromNow();
    void unknownAndMalformedMessagesAreCounted();
    void deletedFieldIsDeliveredAsMissing();
    void boundedBuffers();
    void cannotConnectFails();

private:
    // Commits total commits through the commit script with up to 32 in flight; every killEvery commits (after
    // the first half of a burst has been committed) kills the subscriber; every silentEvery-th commit is made
    // without an announcement; a few messages are forged: old ids, ids ahead, reordered notices.
    void writeUnderFire(const StoreLayout &layout, int total, int kills, int silentEvery, LiveFeed &feed,
                        QSet<QByteArray> *silentIds, int *killed);

    RedisServer m_server;
};

void TestLiveFeed::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void TestLiveFeed::init()
{
    m_server.flushAll();
}

void TestLiveFeed::writeUnderFire(const StoreLayout &layout, int total, int kills, int silentEvery, LiveFeed &feed,
                                  QSet<QByteArray> *silentIds, int *killed)
{
    RedisConnection writer(optionsFor(m_server.url(), false));
    QSignalSpy ready(&writer, &RedisConnection::ready);
    writer.open();
    QVERIFY(ready.wait(10000));
    Committer committer(&writer, layout);
    const bool zilverline = layout.kind == StoreLayout::Kind::Zilverline;

    int started = 0;
    int done = 0;
    int failures = 0;
    QList<QByteArray> committedIds;
    QSet<QByteArray> forged;
    const int burst = total / kills;
    auto *rng = QRandomGenerator::global();
    std::function<void()> more;
    more = [&] {
        while (started < total && started - done < 32) {
            const int n = started++;
            const QByteArray stream = "stream-" + QByteArray::number(n % 17);
            QList<QByteArray> payloads;
            const int events = zilverline ? 1 + n % 3 : 1;
            for (int e = 0; e < events; ++e)
                payloads.append(R"({"type":"Happened","n":)" + QByteArray::number(n) + R"(,"e":)"
                                + QByteArray::number(e) + "}");
            if (silentEvery > 0 && n % silentEvery == silentEvery - 1) {
                QByteArray payload = payloads.first();
                if (zilverline) // a record, with its storeRevision filled in by position below
                    payload = R"({"events":[)" + payloads.join(',') + "]}";
                const RedisReply id = m_server.admin(
                    {"EVAL", SilentCommit, "2", layout.eventsKey, layout.streamKey(stream), layout.idPrefix, payload});
                silentIds->insert(id.text);
                ++done;
                continue;
            }
            committer.append(stream, ExpectedVersion{}, payloads, [&](const AppendResult &result) {
                ++done;
                if (result.status != AppendResult::Status::Ok) {
                    ++failures;
                } else {
                    committedIds.append(result.ids);
                }
                // Kill mid-burst, so that commits go on while the subscriber is away.
                if (done % burst == burst / 2 && *killed < kills) {
                    const RedisReply reply = m_server.admin({"CLIENT", "KILL", "TYPE", "pubsub"});
                    *killed += int(reply.integer);
                }
                if (done % 97 == 0 && committedIds.size() > 10) {
                    // Forged: an old id again, a reordered notice, an id ahead of the store.
                    const QByteArray old = committedIds.at(rng->bounded(int(committedIds.size())));
                    const QByteArray last = committedIds.last();
                    if (!zilverline) {
                        m_server.admin({"PUBLISH", layout.channel, old});
                        m_server.admin({"PUBLISH", layout.channel, last + ' ' + old});
                        const qint64 lastNumber = *layout.idNumber(last);
                        const QByteArray ahead = layout.idFor(lastNumber + 2);
                        forged.insert(ahead); // announced, so not back-filled should it turn out silent
                        m_server.admin({"PUBLISH", layout.channel, ahead});
                    } else {
                        m_server.admin(
                            {"PUBLISH", layout.channel, m_server.admin({"HGET", layout.eventsKey, old}).text});
                    }
                }
                more();
            });
        }
    };
    more();
    QTRY_COMPARE_WITH_TIMEOUT(done, total, 120000);
    QCOMPARE(failures, 0);
    *silentIds -= forged;
    // Each kill must find the subscriber back: wait for it between the last bursts if kills fell short.
    while (*killed < kills) {
        QTRY_VERIFY_WITH_TIMEOUT(feed.stats().live, 10000);
        *killed += int(m_server.admin({"CLIENT", "KILL", "TYPE", "pubsub"}).integer);
    }
}

void TestLiveFeed::seedEveryCommitOnceWhileKilledAndMisled()
{
    const StoreLayout layout = StoreLayout::seed();
    LiveFeedOptions options;
    options.start = LiveFeedOptions::Start::After;
    options.after = 0;
    LiveFeed feed(optionsFor(m_server.url()), layout, options);
    Collector collector(feed);
    QElapsedTimer clock;
    clock.start();
    feed.start();
    QTRY_COMPARE_WITH_TIMEOUT(feed.state(), LiveFeed::State::Live, 10000);

    QSet<QByteArray> silent;
    int killed = 0;
    writeUnderFire(layout, 10000, 20, 200, feed, &silent, &killed);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(killed, 20);
    const qint64 total = m_server.admin({"HLEN", "EventStore"}).integer;
    QCOMPARE(total, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(collector.commits.size(), total, 60000);

    QVERIFY(!collector.outOfOrder);
    QSet<QByteArray> streams;
    for (qint64 i = 0; i < total; ++i) {
        const LiveCommit &commit = collector.commits.at(i);
        QCOMPARE(commit.number, i + 1);
        QCOMPARE(commit.id, "e" + QByteArray::number(i + 1));
        QVERIFY(!commit.missing);
        QVERIFY(!commit.payloadDropped);
        QCOMPARE(commit.size, commit.payload.size());
        QCOMPARE(commit.encoding, PayloadEncoding::Json);
        QCOMPARE(commit.type, QStringLiteral("Happened"));
        if (silent.contains(commit.id))
            QVERIFY2(commit.backfilled, commit.id.constData());
        if (!commit.stream.isEmpty()) {
            // Where the notice named the stream, the id sits at that version in the stream's list.
            const RedisReply at = m_server.admin({"LINDEX", commit.stream, QByteArray::number(commit.version - 1)});
            QCOMPARE(at.text, commit.id);
            streams.insert(commit.stream);
        }
    }
    const RedisReply payloads = m_server.admin({"HMGET", "EventStore", "e1", "e5000", "e10000"});
    QCOMPARE(collector.commits.at(0).payload, payloads.elements.at(0).text);
    QCOMPARE(collector.commits.at(4999).payload, payloads.elements.at(1).text);
    QCOMPARE(collector.commits.at(9999).payload, payloads.elements.at(2).text);
    QCOMPARE(streams.size(), 17);

    const LiveStats stats = feed.stats();
    QCOMPARE(stats.commits, quint64(total));
    QCOMPARE(stats.events, quint64(total));
    QCOMPARE(stats.lastNumber, total);
    QVERIFY2(stats.reconnects >= 20, QByteArray::number(stats.reconnects).constData());
    QVERIFY(stats.backfilled >= quint64(silent.size()));
    QVERIFY(stats.oldMessages > 0); // the forged old ids
    qInfo("messages %llu, back-filled %llu, reconnects %llu, old %llu, unknown %llu, batches %d", stats.messages,
          stats.backfilled, stats.reconnects, stats.oldMessages, stats.unknownMessages, collector.batches);
    QTRY_VERIFY(collector.count(LiveMarker::Kind::Disconnect) >= 20);
    QVERIFY(collector.count(LiveMarker::Kind::Reconnect) >= 20);
    QVERIFY(collector.count(LiveMarker::Kind::Backfill) >= 1);
    // At most 10 Hz.
    QVERIFY2(collector.batches <= clock.elapsed() / 100 + 1,
             qPrintable(QStringLiteral("%1 batches in %2 ms").arg(collector.batches).arg(clock.elapsed())));
}

void TestLiveFeed::zilverlineEveryCommitOnceWithEvents()
{
    const StoreLayout layout = StoreLayout::zilverline("blog");
    LiveFeedOptions options;
    options.start = LiveFeedOptions::Start::After;
    LiveFeed feed(optionsFor(m_server.url()), layout, options);
    Collector collector(feed);
    feed.start();
    QTRY_COMPARE_WITH_TIMEOUT(feed.state(), LiveFeed::State::Live, 10000);
    // The control channel is not ours to read: tokens there change nothing.
    m_server.admin({"PUBLISH", "blog:control", "close"});

    QSet<QByteArray> silent;
    int killed = 0;
    writeUnderFire(layout, 2000, 5, 0, feed, &silent, &killed);
    if (QTest::currentTestFailed())
        return;
    const qint64 total = m_server.admin({"HLEN", "blog:commits"}).integer;
    QCOMPARE(total, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(collector.commits.size(), total, 60000);
    QVERIFY(!collector.outOfOrder);
    quint64 events = 0;
    for (qint64 i = 0; i < total; ++i) {
        const LiveCommit &commit = collector.commits.at(i);
        QCOMPARE(commit.id, QByteArray::number(i + 1));
        const QJsonObject record = QJsonDocument::fromJson(commit.payload).object();
        QCOMPARE(record.value(QLatin1String("storeRevision")).toInteger(), i + 1);
        QCOMPARE(commit.eventCount, record.value(QLatin1String("events")).toArray().size());
        QCOMPARE(commit.stream, record.value(QLatin1String("streamId")).toString().toUtf8());
        QCOMPARE(commit.version, record.value(QLatin1String("streamRevision")).toInteger());
        QCOMPARE(commit.timestampMs, record.value(QLatin1String("timestamp")).toInteger());
        QVERIFY(commit.timestampMs > 0);
        events += quint64(commit.eventCount);
    }
    QCOMPARE(events, quint64(2000 / 3 * 6 + 3)); // 1, 2, 3 events in turn: 666 full rounds, then 1 + 2
    const LiveStats stats = feed.stats();
    QCOMPARE(stats.events, events);
    QVERIFY(stats.reconnects >= 5);
    QCOMPARE(stats.unknownMessages, quint64(0)); // the control channel is not subscribed, the rest are records
}

void TestLiveFeed::startsFromNow()
{
    m_server.admin({"HSET", "EventStore", "e1", "{}", "e2", "{}"});
    LiveFeed feed(optionsFor(m_server.url()), StoreLayout::seed());
    Collector collector(feed);
    feed.start();
    QTRY_COMPARE_WITH_TIMEOUT(feed.state(), LiveFeed::State::Live, 10000);
    QTRY_COMPARE(feed.stats().storeRevision, 2);
    m_server.admin({"HSET", "EventStore", "e3", R"({"type":"Third","timestamp":1700000000000})"});
    m_server.admin({"PUBLISH", "EventStore", "e3"});
    QTRY_COMPARE(collector.commits.size(), 1);
    const LiveCommit &commit = collector.commits.first();
    QCOMPARE(commit.id, QByteArray("e3"));
    QVERIFY(!commit.backfilled);
    QCOMPARE(commit.type, QStringLiteral("Third"));
    QCOMPARE(commit.timestampMs, 1700000000000);
    QVERIFY(commit.receivedMs >= commit.timestampMs);
    // A write nobody announces is found by the idle HLEN poll.
    m_server.admin({"HSET", "EventStore", "e4", "four"});
    QTRY_COMPARE_WITH_TIMEOUT(collector.commits.size(), 2, 5000);
    QCOMPARE(collector.commits.at(1).payload, QByteArray("four"));
    QCOMPARE(collector.commits.at(1).encoding, PayloadEncoding::Text);
    QVERIFY(collector.commits.at(1).backfilled);
    feed.stop();
    QCOMPARE(feed.state(), LiveFeed::State::Stopped);
    QCOMPARE(feed.stats().commits, quint64(2));
}

void TestLiveFeed::unknownAndMalformedMessagesAreCounted()
{
    m_server.admin({"HSET", "EventStore", "e1", "{}"});
    LiveFeed feed(optionsFor(m_server.url()), StoreLayout::seed());
    Collector collector(feed);
    feed.start();
    QTRY_COMPARE_WITH_TIMEOUT(feed.state(), LiveFeed::State::Live, 10000);
    QTRY_COMPARE(feed.stats().storeRevision, 1);

    const QList<QByteArray> garbage = {
        "",
        "hello world",
        "{",
        "[1,2]",
        R"({"ids":[5]})",
        R"({"ids":["x7"]})",
        R"({"storeRevision":0})",
        R"({"something":"else"})",
        "e0",
        "e-1",
        "e01",
        QByteArray("\xff\xfe\x00\x01", 4),
        QByteArray(1 << 20, 'z'),
    };
    for (const QByteArray &message : garbage)
        QCOMPARE(m_server.admin({"PUBLISH", "EventStore", message}).integer, 1);
    // An id far ahead of the store is not a commit: counted once HLEN says so, and nothing waits for it.
    m_server.admin({"PUBLISH", "EventStore", "e1000000"});
    m_server.admin({"HSET", "EventStore", "e2", "two"});
    m_server.admin({"PUBLISH", "EventStore", "e2"});
    QTRY_COMPARE(collector.commits.size(), 1);
    QCOMPARE(collector.commits.first().id, QByteArray("e2"));
    QTRY_COMPARE(feed.stats().unknownMessages, quint64(garbage.size() + 1));
    const QList<UnknownMessage> unknown = feed.unknownMessages();
    QCOMPARE(unknown.size(), garbage.size() + 1);
    for (const UnknownMessage &message : unknown) {
        QVERIFY(!message.reason.isEmpty());
        QVERIFY(message.excerpt.size() <= 200);
    }
    QCOMPARE(unknown.at(12).size, qint64(1 << 20));
    QVERIFY2(unknown.last().reason.contains("beyond"), unknown.last().reason.constData());
    QCOMPARE(unknown.last().excerpt, QByteArray("e1000000"));

    // The diagnostics keep the last 50.
    for (int i = 0; i < 60; ++i)
        m_server.admin({"PUBLISH", "EventStore", "junk " + QByteArray::number(i)});
    QTRY_COMPARE(feed.stats().unknownMessages, quint64(garbage.size() + 61));
    QTRY_COMPARE(feed.unknownMessages().size(), LiveFeed::UnknownKept);
    QCOMPARE(feed.unknownMessages().last().excerpt, QByteArray("junk 59"));
    QCOMPARE(feed.state(), LiveFeed::State::Live);
    // And it still follows the store.
    m_server.admin({"HSET", "EventStore", "e3", "three"});
    m_server.admin({"PUBLISH", "EventStore", R"({"stream":"s","version":1,"ids":["e3"]})"});
    QTRY_COMPARE(collector.commits.size(), 2);
    QCOMPARE(collector.commits.at(1).stream, QByteArray("s"));
    QCOMPARE(collector.commits.at(1).version, 1);
}

void TestLiveFeed::deletedFieldIsDeliveredAsMissing()
{
    for (int i = 1; i <= 5; ++i)
        m_server.admin({"HSET", "EventStore", "e" + QByteArray::number(i), QByteArray::number(i)});
    m_server.admin({"HDEL", "EventStore", "e2"}); // HLEN 4, yet e5 exists
    LiveFeedOptions options;
    options.start = LiveFeedOptions::Start::After;
    LiveFeed feed(optionsFor(m_server.url()), StoreLayout::seed(), options);
    Collector collector(feed);
    feed.start();
    QTRY_COMPARE(collector.commits.size(), 4);
    QVERIFY(collector.commits.at(1).missing);
    QCOMPARE(collector.commits.at(1).id, QByteArray("e2"));
    QCOMPARE(collector.commits.at(3).payload, QByteArray("4"));
    // e5 is beyond HLEN: announced, it is taken; its id is the next one.
    m_server.admin({"PUBLISH", "EventStore", "e5"});
    QTRY_COMPARE(collector.commits.size(), 5);
    QCOMPARE(collector.commits.at(4).payload, QByteArray("5"));
}

void TestLiveFeed::boundedBuffers()
{
    RedisCommand hset = {"HSET", "EventStore"};
    for (int i = 1; i <= 3000; ++i)
        hset << "e" + QByteArray::number(i) << QByteArray(100, 'p');
    m_server.admin(hset);
    LiveFeedOptions options;
    options.start = LiveFeedOptions::Start::After;
    options.summaries = false;
    options.maxBufferedCommits = 50;        // fetching pauses at 50 until the consumer takes them
    options.maxBufferedPayloadBytes = 1000; // ten payloads per batch; the rest arrive as sizes only
    options.fetchChunk = 7;
    LiveFeed feed(optionsFor(m_server.url()), StoreLayout::seed(), options);
    Collector collector(feed);
    qsizetype largestBatch = 0;
    connect(&feed, &LiveFeed::batchReady, this,
            [&](const LiveBatch &batch) { largestBatch = qMax(largestBatch, batch.commits.size()); });
    feed.start();
    QTRY_COMPARE_WITH_TIMEOUT(collector.commits.size(), 3000, 60000);
    QVERIFY(!collector.outOfOrder);
    QVERIFY(largestBatch <= 50 + 7 * options.maxFetchesInFlight);
    int dropped = 0;
    for (const LiveCommit &commit : std::as_const(collector.commits)) {
        QCOMPARE(commit.size, 100);
        if (commit.payloadDropped) {
            ++dropped;
            QVERIFY(commit.payload.isEmpty());
        } else {
            QCOMPARE(commit.payload, QByteArray(100, 'p'));
        }
    }
    QVERIFY(dropped > 0);
    QCOMPARE(feed.stats().payloadsDropped, quint64(dropped));
    QVERIFY(feed.commandsSent() > 3000 / 7);
    QVERIFY(feed.bytesReceived() > quint64(3000 * 100 - dropped * 100));
}

void TestLiveFeed::cannotConnectFails()
{
    ConnectionOptions options = optionsFor(QStringLiteral("redis://127.0.0.1:1/0"));
    options.connectTimeoutMs = 2000;
    LiveFeed feed(options, StoreLayout::seed());
    QSignalSpy failed(&feed, &LiveFeed::failed);
    feed.start();
    QVERIFY(failed.wait(10000));
    QCOMPARE(feed.state(), LiveFeed::State::Failed);
    QVERIFY(failed.first().first().toString().contains(QLatin1String("127.0.0.1:1")));
}

QTEST_GUILESS_MAIN(TestLiveFeed)
#include "tst_livefeed.moc"
