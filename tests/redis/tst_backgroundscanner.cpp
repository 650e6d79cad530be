// The stream scan on a connection and thread of its own, against a real redis-server: everything found once, a
// restarted scan's leftovers dropped, failures reported.
#include "backgroundscanner.h"
#include "connectionoptions.h"
#include "redisconnection.h"
#include "redisserver.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace Eventscope;
using namespace Eventscope::Test;

class TestBackgroundScanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsEveryStreamFromAnotherThread();
    void restartDropsTheEarlierScan();
    void stopEndsDelivery();
    void reportsConnectionFailure();

private:
    ConnectionOptions options(const QString &url) const;
    RedisServer m_server;
};

void TestBackgroundScanner::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    // 3,000 streams a-0..a-1499 (version 1) and b-0..b-1499 (version 2), and a hash that is not a stream.
    for (int i = 0; i < 1500; ++i) {
        const QByteArray n = QByteArray::number(i);
        QVERIFY(!m_server.admin({"RPUSH", "a-" + n, "e1"}).isError());
        QVERIFY(!m_server.admin({"RPUSH", "b-" + n, "e1", "e2"}).isError());
    }
    QVERIFY(!m_server.admin({"HSET", "EventStore", "e1", "{}", "e2", "{}"}).isError());
}

ConnectionOptions TestBackgroundScanner::options(const QString &url) const
{
    QString error;
    auto options = ConnectionOptions::fromUrl(url, &error);
    Q_ASSERT(options);
    options->connectTimeoutMs = 2000;
    options->commandTimeoutMs = 2000;
    options->reconnect = false;
    return *options;
}

void TestBackgroundScanner::listsEveryStreamFromAnotherThread()
{
    BackgroundScanner scanner(options(m_server.url()), StoreLayout::seed());
    QThread *deliveredOn = nullptr;
    QHash<QByteArray, qint64> seen;
    int repeats = 0;
    connect(&scanner, &BackgroundScanner::batch, this, [&](const QList<StreamInfo> &batch) {
        deliveredOn = QThread::currentThread();
        for (const StreamInfo &info : batch) {
            if (seen.contains(info.name))
                ++repeats; // SCAN may repeat a key, rarely; counted, not failed
            seen.insert(info.name, info.version);
        }
    });
    QSignalSpy finished(&scanner, &BackgroundScanner::finished);
    scanner.start();
    QVERIFY(scanner.isRunning());
    QVERIFY(finished.wait(20000));
    QVERIFY(!scanner.isRunning());
    QCOMPARE(deliveredOn, QThread::currentThread()); // delivered to the caller's thread
    QCOMPARE(seen.size(), 3000);
    QCOMPARE(seen.value("a-7"), 1);
    QCOMPARE(seen.value("b-1499"), 2);
    QVERIFY(!seen.contains("EventStore"));
    QCOMPARE(scanner.found(), 3000 + repeats);
    // The scan's traffic is its connection's, not the caller's.
    QVERIFY(scanner.connection()->commandsSent() > 3000);
}

void TestBackgroundScanner::restartDropsTheEarlierScan()
{
    BackgroundScanner scanner(options(m_server.url()), StoreLayout::seed());
    QSet<QByteArray> seen;
    connect(&scanner, &BackgroundScanner::batch, this, [&](const QList<StreamInfo> &batch) {
        for (const StreamInfo &info : batch)
            seen.insert(info.name);
    });
    QSignalSpy finished(&scanner, &BackgroundScanner::finished);
    scanner.start();
    scanner.start("b-1?"); // at once: nothing of the first scan may arrive
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(seen.size(), 10); // b-10..b-19
    for (const QByteArray &name : std::as_const(seen))
        QVERIFY2(name.startsWith("b-1"), name.constData());
}

void TestBackgroundScanner::stopEndsDelivery()
{
    BackgroundScanner scanner(options(m_server.url()), StoreLayout::seed());
    int batches = 0;
    connect(&scanner, &BackgroundScanner::batch, this, [&] { ++batches; });
    QSignalSpy finished(&scanner, &BackgroundScanner::finished);
    scanner.start();
    scanner.stop();
    QVERIFY(!scanner.isRunning());
    // A later scan completes, and whatever the stopped one had under way never shows.
    QSignalSpy later(&scanner, &BackgroundScanner::finished);
    const int before = batches;
    scanner.start("a-99");
    QVERIFY(later.wait(20000));
    QCOMPARE(batches - before, 1);
    QCOMPARE(scanner.found(), 1);
}

void TestBackgroundScanner::reportsConnectionFailure()
{
    RedisServer gone;
    QString error;
    QVERIFY2(gone.start(&error), qPrintable(error));
    const QString url = gone.url();
    gone.stop();
    BackgroundScanner scanner(options(url), StoreLayout::seed());
    QSignalSpy failed(&scanner, &BackgroundScanner::failed);
    scanner.start();
    QVERIFY(failed.wait(20000));
    QVERIFY(!scanner.isRunning());
    QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("cannot list streams")));
}

QTEST_GUILESS_MAIN(TestBackgroundScanner)
#include "tst_backgroundscanner.moc"
