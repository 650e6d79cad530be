// The exporter against a real redis-server: JSON Lines and CSV files that read back to exactly what the store holds,
// version ranges, cancel and failures that leave no file behind, progress at a bounded rate, and bounded memory.
#include "exporter.h"
#include "redisconnection.h"
#include "redisserver.h"
#include "testconnection.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace Eventscope;
using namespace Eventscope::Test;

namespace {

// The stream name has a comma and quotes so that CSV quoting is exercised on every row.
const QByteArray MixedStream = R"(orders,"eu")";
constexpr qint64 MixedCommits = 5000;
constexpr qint64 MissingVersion = 2500;

const QByteArray LargeStream = "large";
constexpr qint64 LargeCommits = 200000;
constexpr int LargePayloadSize = 1024;

enum class Kind { Json, Text, Binary, MultiLineJson, Missing };

Kind kindOf(qint64 version)
{
    if (version == MissingVersion)
        return Kind::Missing;
    switch (version % 4) {
    case 0:
        return Kind::Json;
    case 1:
        return Kind::Text;
    case 2:
        return Kind::Binary;
    default:
        return Kind::MultiLineJson;
    }
}

QByteArray payloadOf(qint64 version)
{
    const QByteArray n = QByteArray::number(version);
    switch (kindOf(version)) {
    case Kind::Json:
        return R"({"type":"Ticked","n":)" + n + R"(,"timestamp":"2024-05-01T12:00:00.000Z"})";
    case Kind::Text:
        return "plain, \"quoted\" text " + n + "\r\nand a second line ü";
    case Kind::Binary:
        return QByteArray("\x00\xff\r\n,\"", 6) + n;
    case Kind::MultiLineJson:
        return "{\n  \"type\": \"Multi,Line\",\n  \"n\": " + n + ",\r\n  \"list\": [1, 2]\n}\n";
    case Kind::Missing:
        break;
    }
    return {};
}

const char *encodingOf(Kind kind)
{
    switch (kind) {
    case Kind::Json:
    case Kind::MultiLineJson:
        return "json";
    case Kind::Text:
        return "text";
    default:
        return "binary";
    }
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// RFC 4180, strictly: CRLF between records, quoted fields with doubled quotes, nothing after a closing quote but a
// separator. Returns nullopt, with the offset in *error, on anything else.
std::optional<QList<QList<QByteArray>>> parseCsv(const QByteArray &text, QString *error)
{
    QList<QList<QByteArray>> rows;
    QList<QByteArray> row;
    qsizetype i = 0;
    auto fail = [&](const char *what) {
        *error = QStringLiteral("%1 at byte %2").arg(QLatin1String(what)).arg(i);
        return std::nullopt;
    };
    while (i < text.size()) {
        QByteArray field;
        if (text.at(i) == '"') {
            ++i;
            for (;;) {
                if (i >= text.size())
                    return fail("unterminated quoted field");
                if (text.at(i) == '"') {
                    if (i + 1 < text.size() && text.at(i + 1) == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
        } else {
            while (i < text.size() && text.at(i) != ',' && text.at(i) != '\r' && text.at(i) != '\n') {
                if (text.at(i) == '"')
                    return fail("quote in an unquoted field");
                field += text.at(i++);
            }
        }
        row.append(field);
        if (i < text.size() && text.at(i) == ',') {
            ++i;
            continue;
        }
        if (text.mid(i, 2) != "\r\n")
            return fail("a record does not end in CRLF");
        i += 2;
        rows.append(row);
        row.clear();
    }
    return rows;
}

QString statusValue(const char *name)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(QByteArray(QByteArray(name) + ':')))
            return QString::fromLatin1(line.mid(qstrlen(name) + 1).trimmed());
    }
    return {};
}

qint64 statusKiB(const char *name)
{
    return statusValue(name).section(QLatin1Char(' '), 0, 0).toLongLong();
}

struct Outcome
{
    bool finished = false;
    bool cancelled = false;
    QString error;
    qint64 records = -1;
    qint64 bytes = -1;
    QList<std::pair<qint64, qint64>> progress;
    bool done() const { return finished || cancelled || !error.isEmpty(); }
};

} // namespace

class TestExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void jsonLinesReadBack();
    void jsonLinesMatchTheCli();
    void csvReadBack();
    void versionRanges_data();
    void versionRanges();
    void replacesAnExistingFileOnlyWhenComplete();
    void cancelMidWayLeavesNoFile();
    void cancelRightAfterStart();
    void missingFolderFails();
    void connectionGoneMidWay();
    void wrongKeyTypeFails();
    void noSuchStreamFails();
    void exportsAll();
    void largePayloadsInSmallPages();
    void boundedMemory();

private:
    void seedMixed();
    void seedLarge();
    Outcome run(const QByteArray &stream, qint64 from, qint64 to, Exporter::Format format, const QString &path,
                const std::function<void(Exporter &, qint64, qint64)> &onProgress = {});
    QString path(const QString &name) const { return m_dir.filePath(name); }

    RedisServer m_server;
    std::unique_ptr<RedisConnection> m_connection;
    QTemporaryDir m_dir;
};

void TestExporter::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    m_connection = openConnection(m_server.url());
    QVERIFY2(m_connection->state() == RedisConnection::State::Connected, qPrintable(m_connection->lastErrorString()));
    seedMixed();
}

void TestExporter::init()
{
    // Each test starts from an empty folder; the store is seeded once (the large stream when first needed).
    const QDir dir(m_dir.path());
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden))
        QVERIFY(QFile::remove(dir.filePath(name)));
}

void TestExporter::seedMixed()
{
    QList<QByteArray> hset = {"HSET", "EventStore"};
    QList<QByteArray> push = {"RPUSH", MixedStream};
    for (qint64 v = 1; v <= MixedCommits; ++v) {
        const QByteArray id = "e" + QByteArray::number(v);
        push << id;
        if (kindOf(v) != Kind::Missing)
            hset << id << payloadOf(v);
    }
    QVERIFY(!m_server.admin(hset).isBad());
    QVERIFY(!m_server.admin(push).isBad());
    QVERIFY(!m_server.admin({"SET", "a-string", "x"}).isBad());
}

void TestExporter::seedLarge()
{
    if (m_server.admin({"LLEN", LargeStream}).integer == LargeCommits)
        return;
    constexpr int Batch = 10000;
    for (int first = 1; first <= LargeCommits; first += Batch) {
        QList<QByteArray> hset = {"HSET", "EventStore"};
        QList<QByteArray> push = {"RPUSH", LargeStream};
        for (int n = first; n < first + Batch; ++n) {
            const QByteArray id = "big" + QByteArray::number(n);
            QByteArray payload = R"({"type":"Big","n":)" + QByteArray::number(n) + R"(,"pad":")";
            payload += QByteArray(LargePayloadSize - payload.size() - 2, 'x') + "\"}";
            hset << id << payload;
            push << id;
        }
        QVERIFY(!m_server.admin(hset).isBad());
        QVERIFY(!m_server.admin(push).isBad());
    }
}

Outcome TestExporter::run(const QByteArray &stream, qint64 from, qint64 to, Exporter::Format format,
                          const QString &path, const std::function<void(Exporter &, qint64, qint64)> &onProgress)
{
    Outcome outcome;
    Exporter exporter(m_connection.get());
    connect(&exporter, &Exporter::progress, this, [&](qint64 records, qint64 total) {
        outcome.progress.append({records, total});
        if (onProgress)
            onProgress(exporter, records, total);
    });
    connect(&exporter, &Exporter::finished, this, [&](qint64 records, qint64 bytes) {
        outcome.finished = true;
        outcome.records = records;
        outcome.bytes = bytes;
    });
    connect(&exporter, &Exporter::failed, this, [&](const QString &message) { outcome.error = message; });
    connect(&exporter, &Exporter::cancelled, this, [&] { outcome.cancelled = true; });
    // An event loop rather than qWaitFor, whose naps between rounds of events would throttle the export.
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(&exporter, &Exporter::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    connect(&exporter, &Exporter::failed, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    connect(&exporter, &Exporter::cancelled, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    exporter.start(stream, from, to, format, path, StoreLayout::seed());
    deadline.start(120000);
    loop.exec();
    if (!outcome.done())
        outcome.error = QStringLiteral("timed out");
    // Exactly one outcome, and nothing more after it among the signals already queued.
    QCoreApplication::processEvents();
    const int outcomes = int(outcome.finished) + int(outcome.cancelled) + int(!outcome.error.isEmpty());
    if (outcomes != 1)
        outcome.error = QStringLiteral("%1 outcomes").arg(outcomes);
    return outcome;
}

void TestExporter::jsonLinesReadBack()
{
    const QString file = path(QStringLiteral("mixed.jsonl"));
    const Outcome outcome = run(MixedStream, 1, -1, Exporter::Format::JsonLines, file);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(outcome.records, MixedCommits);
    QVERIFY(!QFile::exists(Exporter::partPath(file)));

    const QByteArray text = readAll(file);
    QCOMPARE(outcome.bytes, qint64(text.size()));
    QVERIFY(text.endsWith('\n'));
    const QList<QByteArray> lines = text.chopped(1).split('\n');
    QCOMPARE(qint64(lines.size()), MixedCommits);
    for (qint64 v = 1; v <= MixedCommits; ++v) {
        const QByteArray &line = lines.at(v - 1);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        QVERIFY2(document.isObject(), qPrintable(error.errorString() + QStringLiteral(": ") + QString::fromUtf8(line)));
        const QJsonObject object = document.object();
        QCOMPARE(object.value(QLatin1String("stream")).toString(), QString::fromUtf8(MixedStream));
        QCOMPARE(object.value(QLatin1String("version")).toInteger(), v);
        QCOMPARE(object.value(QLatin1String("id")).toString(), QStringLiteral("e%1").arg(v));
        const Kind kind = kindOf(v);
        if (kind == Kind::Missing) {
            QCOMPARE(object.value(QLatin1String("missing")).toBool(), true);
            QCOMPARE(object.size(), qsizetype(4));
            continue;
        }
        const QByteArray payload = payloadOf(v);
        QCOMPARE(object.value(QLatin1String("size")).toInteger(), qint64(payload.size()));
        QCOMPARE(object.value(QLatin1String("encoding")).toString(), QLatin1String(encodingOf(kind)));
        const QJsonValue value = object.value(QLatin1String("payload"));
        switch (kind) {
        case Kind::Json:
        case Kind::MultiLineJson:
            QCOMPARE(value.toObject(), QJsonDocument::fromJson(payload).object());
            break;
        case Kind::Text:
            QCOMPARE(value.toString(), QString::fromUtf8(payload));
            break;
        default:
            QCOMPARE(QByteArray::fromBase64(value.toString().toLatin1()), payload);
        }
    }

    // Progress: a final report of everything, and far fewer reports than pages.
    QVERIFY(!outcome.progress.isEmpty());
    QCOMPARE(outcome.progress.last(), std::make_pair(MixedCommits, MixedCommits));
    QVERIFY2(outcome.progress.size() <= MixedCommits / 1000 + 4, qPrintable(QString::number(outcome.progress.size())));
    for (qsizetype i = 1; i < outcome.progress.size(); ++i)
        QVERIFY(outcome.progress.at(i).first >= outcome.progress.at(i - 1).first);
}

void TestExporter::jsonLinesMatchTheCli()
{
    const QString cli = qEnvironmentVariable("EVENTSCOPE_CLI");
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable())
        QSKIP("eventscope-cli is not built (run through CTest)");
    const QString file = path(QStringLiteral("cli.jsonl"));
    const Outcome outcome = run(MixedStream, 1, -1, Exporter::Format::JsonLines, file);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));

    QProcess process;
    process.start(cli, {QStringLiteral("--url"), m_server.url(), QStringLiteral("--format"), QStringLiteral("json"),
                        QStringLiteral("events"), QString::fromUtf8(MixedStream)});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    const QByteArray expected = process.readAllStandardOutput();
    QCOMPARE(qint64(expected.count('\n')), MixedCommits);
    QVERIFY(readAll(file) == expected); // byte for byte; QCOMPARE would print megabytes
}

void TestExporter::csvReadBack()
{
    const QString file = path(QStringLiteral("mixed.csv"));
    const Outcome outcome = run(MixedStream, 1, -1, Exporter::Format::Csv, file);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(outcome.records, MixedCommits);

    const QByteArray text = readAll(file);
    QCOMPARE(outcome.bytes, qint64(text.size()));
    QString error;
    const auto rows = parseCsv(text, &error);
    QVERIFY2(rows, qPrintable(error));
    QCOMPARE(qint64(rows->size()), MixedCommits + 1);
    QCOMPARE(rows->first(), (QList<QByteArray>{"stream", "version", "id", "missing", "size", "encoding", "type",
                                               "timestamp", "payload"}));
    for (qint64 v = 1; v <= MixedCommits; ++v) {
        const QList<QByteArray> &row = rows->at(v);
        QCOMPARE(row.size(), qsizetype(9));
        QCOMPARE(row.at(0), MixedStream);
        QCOMPARE(row.at(1), QByteArray::number(v));
        QCOMPARE(row.at(2), QByteArray("e" + QByteArray::number(v)));
        const Kind kind = kindOf(v);
        if (kind == Kind::Missing) {
            QCOMPARE(row.mid(3), (QList<QByteArray>{"true", "", "", "", "", ""}));
            continue;
        }
        const QByteArray payload = payloadOf(v);
        QCOMPARE(row.at(3), QByteArray("false"));
        QCOMPARE(row.at(4), QByteArray::number(payload.size()));
        QCOMPARE(row.at(5), QByteArray(encodingOf(kind)));
        switch (kind) {
        case Kind::Json:
            QCOMPARE(row.at(6), QByteArray("Ticked"));
            QCOMPARE(row.at(7), QByteArray("2024-05-01T12:00:00.000Z"));
            QCOMPARE(row.at(8), payload);
            break;
        case Kind::MultiLineJson:
            QCOMPARE(row.at(6), QByteArray("Multi,Line"));
            QCOMPARE(row.at(7), QByteArray());
            QCOMPARE(row.at(8), payload); // as stored, line breaks and all
            break;
        case Kind::Text:
            QCOMPARE(row.at(6), QByteArray());
            QCOMPARE(row.at(8), payload);
            break;
        default:
            QCOMPARE(QByteArray::fromBase64(row.at(8), QByteArray::AbortOnBase64DecodingErrors), payload);
        }
    }
}

void TestExporter::versionRanges_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("count");
    QTest::newRow("all") << qint64(1) << qint64(-1) << qint64(1) << qint64(MixedCommits);
    QTest::newRow("one page, across the missing id") << qint64(2000) << qint64(2999) << qint64(2000) << qint64(1000);
    QTest::newRow("tail") << qint64(4990) << qint64(-1) << qint64(4990) << qint64(11);
    QTest::newRow("last only") << qint64(5000) << qint64(5000) << qint64(5000) << qint64(1);
    QTest::newRow("past the end is clamped") << qint64(4000) << qint64(9000) << qint64(4000) << qint64(1001);
    QTest::newRow("odd sizes") << qint64(77) << qint64(3333) << qint64(77) << qint64(3257);
    QTest::newRow("beyond the stream") << qint64(6000) << qint64(-1) << qint64(0) << qint64(0);
    QTest::newRow("reversed is empty") << qint64(10) << qint64(5) << qint64(0) << qint64(0);
}

void TestExporter::versionRanges()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(qint64, first);
    QFETCH(qint64, count);
    for (const Exporter::Format format : {Exporter::Format::JsonLines, Exporter::Format::Csv}) {
        const bool csv = format == Exporter::Format::Csv;
        const QString file = path(csv ? QStringLiteral("range.csv") : QStringLiteral("range.jsonl"));
        const Outcome outcome = run(MixedStream, from, to, format, file);
        QVERIFY2(outcome.finished, qPrintable(outcome.error));
        QCOMPARE(outcome.records, count);
        QCOMPARE(outcome.progress.last(), std::make_pair(count, count));
        const QByteArray text = readAll(file);
        QList<qint64> versions;
        if (csv) {
            QString error;
            const auto rows = parseCsv(text, &error);
            QVERIFY2(rows, qPrintable(error));
            QCOMPARE(rows->first().first(), QByteArray("stream"));
            for (const QList<QByteArray> &row : rows->mid(1))
                versions.append(row.at(1).toLongLong());
        } else {
            for (const QByteArray &line : text.split('\n')) {
                if (!line.isEmpty())
                    versions.append(QJsonDocument::fromJson(line).object().value(QLatin1String("version")).toInteger());
            }
        }
        QCOMPARE(qint64(versions.size()), count);
        for (qsizetype i = 0; i < versions.size(); ++i)
            QCOMPARE(versions.at(i), first + i);
    }
}

void TestExporter::replacesAnExistingFileOnlyWhenComplete()
{
    const QString file = path(QStringLiteral("existing.jsonl"));
    {
        QFile old(file);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old contents\n");
    }
    // A failed export leaves the old file as it was...
    Outcome outcome = run("a-string", 1, -1, Exporter::Format::JsonLines, file);
    QVERIFY(!outcome.error.isEmpty());
    QCOMPARE(readAll(file), QByteArray("old contents\n"));
    QVERIFY(!QFile::exists(Exporter::partPath(file)));
    // ...a complete one replaces it.
    outcome = run(MixedStream, 1, 10, Exporter::Format::JsonLines, file);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QCOMPARE(readAll(file).count('\n'), qsizetype(10));
}

void TestExporter::cancelMidWayLeavesNoFile()
{
    seedLarge();
    const QString file = path(QStringLiteral("cancelled.jsonl"));
    qint64 writtenWhenCancelled = -1;
    bool partExisted = false;
    const Outcome outcome = run(LargeStream, 1, -1, Exporter::Format::JsonLines, file,
                                [&](Exporter &exporter, qint64 records, qint64 total) {
                                    if (writtenWhenCancelled < 0 && records > 0 && records < total) {
                                        writtenWhenCancelled = records;
                                        partExisted = QFile::exists(Exporter::partPath(file));
                                        exporter.cancel();
                                    }
                                });
    QVERIFY2(outcome.cancelled, qPrintable(outcome.error));
    QVERIFY(writtenWhenCancelled > 0);
    QVERIFY(partExisted);          // it was writing...
    QVERIFY(!QFile::exists(file)); // ...and left nothing behind
    QVERIFY(!QFile::exists(Exporter::partPath(file)));
}

void TestExporter::cancelRightAfterStart()
{
    const QString file = path(QStringLiteral("early.csv"));
    Outcome outcome;
    Exporter exporter(m_connection.get());
    connect(&exporter, &Exporter::cancelled, this, [&] { outcome.cancelled = true; });
    connect(&exporter, &Exporter::finished, this, [&] { outcome.finished = true; });
    exporter.start(MixedStream, 1, -1, Exporter::Format::Csv, file, StoreLayout::seed());
    QVERIFY(exporter.isRunning());
    exporter.cancel();
    QTRY_VERIFY(outcome.cancelled);
    QVERIFY(!exporter.isRunning());
    QVERIFY(!outcome.finished);
    QVERIFY(!QFile::exists(file));
    QVERIFY(!QFile::exists(Exporter::partPath(file)));

    // The exporter can run again afterwards.
    QSignalSpy finished(&exporter, &Exporter::finished);
    exporter.start(MixedStream, 1, 100, Exporter::Format::Csv, file, StoreLayout::seed());
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().toLongLong(), qlonglong(100));
}

void TestExporter::missingFolderFails()
{
    const QString folder = path(QStringLiteral("no-such-folder"));
    const QString file = folder + QStringLiteral("/out.jsonl");
    const Outcome outcome = run(MixedStream, 1, -1, Exporter::Format::JsonLines, file);
    QVERIFY(!outcome.finished);
    QVERIFY2(outcome.error.contains(QStringLiteral("does not exist")), qPrintable(outcome.error));
    QVERIFY2(outcome.error.contains(folder), qPrintable(outcome.error));
    QVERIFY(!QFileInfo::exists(folder));
}

void TestExporter::connectionGoneMidWay()
{
    seedLarge();
    auto options = *ConnectionOptions::fromUrl(m_server.url());
    options.reconnect = false;
    auto *connection = new RedisConnection(options);
    QSignalSpy ready(connection, &RedisConnection::ready);
    connection->open();
    QVERIFY(ready.wait(10000));

    const QString file = path(QStringLiteral("gone.jsonl"));
    Exporter exporter(connection);
    QSignalSpy failed(&exporter, &Exporter::failed);
    connect(&exporter, &Exporter::progress, this, [&](qint64 records) {
        if (records > 0 && connection) {
            delete connection;
            connection = nullptr;
        }
    });
    exporter.start(LargeStream, 1, -1, Exporter::Format::JsonLines, file, StoreLayout::seed());
    QVERIFY(failed.wait(60000));
    QVERIFY(!connection);
    QVERIFY2(failed.first().first().toString().contains(QStringLiteral("connection")),
             qPrintable(failed.first().first().toString()));
    QVERIFY(!QFile::exists(file));
    QVERIFY(!QFile::exists(Exporter::partPath(file)));
}

void TestExporter::wrongKeyTypeFails()
{
    const QString file = path(QStringLiteral("string.jsonl"));
    const Outcome outcome = run("a-string", 1, -1, Exporter::Format::JsonLines, file);
    QVERIFY(!outcome.finished);
    QVERIFY2(outcome.error.contains(QStringLiteral("is a string, not a stream")), qPrintable(outcome.error));
    QVERIFY(!QFile::exists(file));
    QVERIFY(!QFile::exists(Exporter::partPath(file)));
}

void TestExporter::noSuchStreamFails()
{
    const QString file = path(QStringLiteral("none.csv"));
    const Outcome outcome = run("no-such-stream", 1, -1, Exporter::Format::Csv, file);
    QVERIFY2(outcome.error.contains(QStringLiteral("no stream")), qPrintable(outcome.error));
    QVERIFY(!QFile::exists(file));
    QVERIFY(!QFile::exists(Exporter::partPath(file)));
}

void TestExporter::exportsAll()
{
    const QString file = path(QStringLiteral("all.jsonl"));
    const Outcome outcome = run("$all", 2498, 2502, Exporter::Format::JsonLines, file);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    const QList<QByteArray> lines = readAll(file).chopped(1).split('\n');
    QCOMPARE(lines.size(), qsizetype(5));
    for (qint64 v = 2498; v <= 2502; ++v) {
        const QJsonObject object = QJsonDocument::fromJson(lines.at(v - 2498)).object();
        QCOMPARE(object.value(QLatin1String("stream")).toString(), QStringLiteral("$all"));
        QCOMPARE(object.value(QLatin1String("version")).toInteger(), v);
        QCOMPARE(object.value(QLatin1String("id")).toString(), QStringLiteral("e%1").arg(v));
        QCOMPARE(object.value(QLatin1String("missing")).toBool(), v == MissingVersion);
    }
}

void TestExporter::largePayloadsInSmallPages()
{
    // 300 KiB payloads make pages of three commits: many chunks, each ending mid-stream.
    constexpr qint64 Commits = 200;
    const QByteArray stream = "large-payloads";
    QList<QByteArray> push = {"RPUSH", stream};
    for (qint64 n = 1; n <= Commits; ++n) {
        const QByteArray id = "lp" + QByteArray::number(n);
        QVERIFY(!m_server.admin({"HSET", "EventStore", id, QByteArray::number(n) + ' ' + QByteArray(300 * 1024, 'z')})
                     .isBad());
        push << id;
    }
    QVERIFY(!m_server.admin(push).isBad());

    const QString file = path(QStringLiteral("large-payloads.csv"));
    const Outcome outcome = run(stream, 1, -1, Exporter::Format::Csv, file);
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    QString error;
    const auto rows = parseCsv(readAll(file), &error);
    QVERIFY2(rows, qPrintable(error));
    QCOMPARE(qint64(rows->size()), Commits + 1);
    for (qint64 n = 1; n <= Commits; ++n) {
        const QList<QByteArray> &row = rows->at(n);
        QCOMPARE(row.at(1), QByteArray::number(n));
        QCOMPARE(row.at(5), QByteArray("text"));
        QVERIFY(row.at(8).startsWith(QByteArray(QByteArray::number(n) + ' ')));
        QCOMPARE(row.at(8).size(), QByteArray::number(n).size() + 1 + 300 * 1024);
    }
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EVENTSCOPE_SANITIZED
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define EVENTSCOPE_SANITIZED
#endif
#endif

void TestExporter::boundedMemory()
{
#ifdef EVENTSCOPE_SANITIZED
    QSKIP("peak RSS says nothing under a sanitizer's quarantine and shadow memory");
#endif
    seedLarge();
    const QString file = path(QStringLiteral("large.jsonl"));
#ifdef __GLIBC__
    // Seeding freed megabytes that malloc would otherwise hand to the export unseen by RSS.
    malloc_trim(0);
#endif
    // Resets the peak to the current size (Linux >= 4.0), so that the peak read afterwards is this export's.
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    const bool reset = clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
    clearRefs.close();
    const qint64 before = statusKiB(reset ? "VmRSS" : "VmHWM");
    QVERIFY(before > 0);

    QElapsedTimer clock;
    clock.start();
    const Outcome outcome = run(LargeStream, 1, -1, Exporter::Format::JsonLines, file);
    const qint64 elapsedMs = clock.elapsed();
    QVERIFY2(outcome.finished, qPrintable(outcome.error));
    const qint64 growthKiB = statusKiB("VmHWM") - before;
    QCOMPARE(outcome.records, LargeCommits);
    QVERIFY(QFileInfo(file).size() > qint64(LargeCommits) * LargePayloadSize);
    qInfo("exported %lld MB in %lld ms; peak RSS grew by %lld KiB", outcome.bytes >> 20, elapsedMs, growthKiB);
    // About 20 MB here; reading without waiting for the writer took 85 to 130 MB.
    QVERIFY2(growthKiB < 64 * 1024, qPrintable(QStringLiteral("peak RSS grew by %1 MB").arg(growthKiB >> 10)));

    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    qint64 lines = 0;
    QByteArray line;
    while (!(line = in.readLine()).isEmpty()) {
        if (++lines == 1 || lines == LargeCommits) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            QCOMPARE(object.value(QLatin1String("version")).toInteger(), lines);
            QCOMPARE(object.value(QLatin1String("payload")).toObject().value(QLatin1String("n")).toInteger(), lines);
        }
    }
    QCOMPARE(lines, LargeCommits);
}

QTEST_GUILESS_MAIN(TestExporter)
#include "tst_exporter.moc"
