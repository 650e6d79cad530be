#include "replayrunner.h"

#include "redisconnection.h"
#include "streamreader.h"

#include <algorithm>
#include <memory>

namespace Eventscope {

namespace {

constexpr int MaxEmitsKept = 10000;
constexpr int MaxLogsKept = 1000;
constexpr int PagesPerRead = 16;         // one read segment
constexpr int PagesAheadOfSandbox = 32;  // read-ahead bound: commits sent but not yet answered
constexpr double SeekGapSeconds = 0.015; // automatic checkpoints: replaying the gap to a seek's version takes ~this

void appendCapped(QJsonArray &to, const QJsonArray &from, int cap)
{
    for (const QJsonValue &value : from) {
        if (to.size() >= cap)
            return;
        to.append(value);
    }
}

} // namespace

ReplayRunner::ReplayRunner(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_layout(std::move(layout))
{}

ReplayRunner::~ReplayRunner() = default;

qint64 ReplayRunner::sandboxProcessId() const
{
    return m_sandbox ? m_sandbox->processId() : 0;
}

void ReplayRunner::start(const ReplayOptions &options)
{
    ++m_generation;
    if (m_sandbox) {
        m_sandbox->stop();
        m_sandbox->deleteLater();
    }
    m_options = options;
    m_options.pageSize = qMax(1, m_options.pageSize);
    m_running = true;
    m_readDone = false;
    m_reading = false;
    m_last = 0;
    m_nextRead = 1;
    m_fed = 0;
    m_sent = 0;
    m_missing = 0;
    m_checkpoints.clear();
    m_checkpointBytes = 0;
    m_minEvery = 0;
    m_result = {};
    m_mergedIds.clear();
    m_mergedStream.clear();
    m_seekWanted = -1;
    m_seeking = false;
    m_lastProgressMs = -1;
    m_clock.start();

    if (m_options.source.kind != ReplaySource::Kind::All && m_options.source.streams.isEmpty()) {
        fail(ProjectionError::read(QStringLiteral("no stream to replay")));
        return;
    }
    m_sandbox = new ProjectionSandbox(this);
    m_sandbox->start(m_options.limits, m_options.sandboxProgram);
    const quint64 generation = m_generation;
    const QString layout
        = m_layout.kind == StoreLayout::Kind::Zilverline ? QStringLiteral("zilverline") : QStringLiteral("seed");
    m_sandbox->compile(m_options.script, m_options.scriptName, layout, m_options.seed,
                       [this, generation](const CompileInfo &info, const ProjectionError &error) {
                           if (generation != m_generation)
                               return;
                           if (error.isError())
                               return fail(error);
                           m_result.info = info;
                           Q_EMIT compiled(info);
                       });
    // The initial state is checkpoint 0; queued behind the compile, so it fails along with it.
    m_sandbox->snapshot([this, generation](const StateSnapshot &snapshot, const ProjectionError &error) {
        if (generation != m_generation || error.isError() || !m_running)
            return;
        addCheckpoint(0, snapshot.state);
        prepare([this] { pumpRead(); });
    });
}

void ReplayRunner::cancel()
{
    if (!m_running)
        return;
    ++m_generation;
    m_running = false;
    if (m_sandbox) {
        m_sandbox->stop();
        m_sandbox->deleteLater();
        m_sandbox = nullptr;
    }
    Q_EMIT cancelled();
}

void ReplayRunner::fail(const ProjectionError &error)
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation; // drop reads still in flight
    // The sandbox stays for seeks before the failure; its state past the last checkpoint is not trusted.
    if (error.version > 0)
        m_last = qMin(m_last, error.version - 1);
    Q_EMIT failed(error);
}

void ReplayRunner::readFailed(const QString &message)
{
    fail(ProjectionError::read(message));
}

void ReplayRunner::prepare(std::function<void()> then)
{
    if (!m_connection)
        return readFailed(QStringLiteral("no connection"));
    const quint64 generation = m_generation;
    auto limit = [this](qint64 length) {
        return m_options.until >= 0 ? qMin(length, m_options.until) : length;
    };
    auto chooseInterval = [this] {
        // Automatic: every page to begin with; tuneInterval() widens it once the run's speed is known.
        m_every = m_options.checkpointEvery > 0 ? m_options.checkpointEvery : m_options.pageSize;
    };
    switch (m_options.source.kind) {
    case ReplaySource::Kind::All:
    case ReplaySource::Kind::Stream: {
        const bool all = m_options.source.kind == ReplaySource::Kind::All;
        const QByteArray key = all ? m_layout.eventsKey : m_layout.streamKey(m_options.source.streams.first());
        auto type = std::make_shared<QByteArray>();
        m_connection->send({"TYPE", key}, this, [type](const RedisReply &reply) { *type = reply.text; });
        m_connection->send(
            {all ? QByteArray("HLEN") : QByteArray("LLEN"), key}, this, [=, this](const RedisReply &reply) {
                if (generation != m_generation)
                    return;
                const QByteArray expected = all ? "hash" : "list";
                if (*type == "none" && !all)
                    return readFailed(
                        QStringLiteral("no stream \"%1\"").arg(QString::fromUtf8(m_options.source.streams.first())));
                if (reply.isBad() || (*type != expected && *type != "none"))
                    return readFailed(QStringLiteral("cannot read \"%1\": %2")
                                          .arg(QString::fromUtf8(key),
                                               reply.isBad()
                                                   ? QString::fromUtf8(reply.text)
                                                   : QStringLiteral("a %1, not a %2")
                                                         .arg(QString::fromUtf8(*type), QString::fromUtf8(expected))));
                m_last = limit(reply.integer);
                chooseInterval();
                then();
            });
        return;
    }
    case ReplaySource::Kind::Streams: {
        // Every id of every stream, then one order: by commit number, which is commit order in both layouts.
        const QList<QByteArray> streams = m_options.source.streams;
        auto lists = std::make_shared<QList<QList<QByteArray>>>(streams.size());
        auto remaining = std::make_shared<int>(int(streams.size()));
        auto failedAlready = std::make_shared<bool>(false);
        for (qsizetype s = 0; s < streams.size(); ++s) {
            m_connection->send(
                {"LRANGE", m_layout.streamKey(streams.at(s)), "0", "-1"}, this, [=, this](const RedisReply &reply) {
                    if (generation != m_generation || *failedAlready)
                        return;
                    if (reply.isBad() || !reply.isArray()) {
                        *failedAlready = true;
                        return readFailed(QStringLiteral("cannot read \"%1\": %2")
                                              .arg(QString::fromUtf8(streams.at(s)), QString::fromUtf8(reply.text)));
                    }
                    QList<QByteArray> &ids = (*lists)[s];
                    ids.reserve(reply.elements.size());
                    for (const RedisReply &id : reply.elements)
                        ids.append(id.text);
                    if (--*remaining > 0)
                        return;
                    struct Entry
                    {
                        qint64 number;
                        qint32 stream;
                        qint32 index;
                    };
                    std::vector<Entry> entries;
                    for (qsizetype t = 0; t < lists->size(); ++t) {
                        const QList<QByteArray> &list = lists->at(t);
                        for (qsizetype i = 0; i < list.size(); ++i)
                            entries.push_back({m_layout.idNumber(list.at(i)).value_or(-1), qint32(t), qint32(i)});
                    }
                    std::stable_sort(entries.begin(), entries.end(),
                                     [](const Entry &a, const Entry &b) { return a.number < b.number; });
                    m_mergedIds.reserve(qsizetype(entries.size()));
                    m_mergedStream.reserve(qsizetype(entries.size()));
                    for (const Entry &entry : entries) {
                        m_mergedIds.append(lists->at(entry.stream).at(entry.index));
                        m_mergedStream.append(entry.stream);
                    }
                    m_last = limit(m_mergedIds.size());
                    chooseInterval();
                    then();
                });
        }
        return;
    }
    }
}

void ReplayRunner::readRange(qint64 first, qint64 last, PageFn onPage, DoneFn onDone, FailFn onFail)
{
    if (!m_connection)
        return onFail(QStringLiteral("no connection"));
    if (last < first)
        return onDone();
    if (m_options.source.kind == ReplaySource::Kind::Streams) {
        const qint64 page = m_options.pageSize;
        auto remaining = std::make_shared<qint64>((last - first + page) / page);
        auto failedAlready = std::make_shared<bool>(false);
        for (qint64 from = first; from <= last; from += page) {
            const qint64 to = qMin(last, from + page - 1);
            RedisCommand hmget;
            hmget.reserve(to - from + 3);
            hmget << "HMGET" << m_layout.eventsKey;
            for (qint64 v = from; v <= to; ++v)
                hmget << m_mergedIds.at(v - 1);
            m_connection->send(hmget, this, [=, this](const RedisReply &reply) {
                if (*failedAlready)
                    return;
                if (reply.isBad() || reply.elements.size() != to - from + 1) {
                    *failedAlready = true;
                    return onFail(QStringLiteral("cannot read the payloads: ") + QString::fromUtf8(reply.describe()));
                }
                QList<EventRecord> records;
                records.reserve(reply.elements.size());
                for (qint64 v = from; v <= to; ++v) {
                    const RedisReply &payload = reply.elements.at(v - from);
                    records.append(EventRecord{m_options.source.streams.at(m_mergedStream.at(v - 1)), v,
                                               m_mergedIds.at(v - 1), payload.text, payload.isNil()});
                }
                onPage(records);
                if (--*remaining == 0)
                    onDone();
            });
        }
        return;
    }
    auto *reader = new StreamReader(m_connection, m_layout, this);
    connect(reader, &StreamReader::page, this, onPage);
    connect(reader, &StreamReader::finished, this, [reader, onDone](qint64) {
        reader->deleteLater();
        onDone();
    });
    connect(reader, &StreamReader::failed, this, [reader, onFail](StreamReader::Error, const QString &message) {
        reader->deleteLater();
        onFail(message);
    });
    StreamReader::Request request;
    request.stream = m_options.source.kind == ReplaySource::Kind::All ? QByteArray(AllStreamName)
                                                                      : m_options.source.streams.first();
    request.from = first;
    request.count = last - first + 1;
    request.pageSize = m_options.pageSize;
    request.window = 4;
    reader->start(request);
}

void ReplayRunner::pumpRead()
{
    if (!m_running || m_reading || m_readDone)
        return;
    if (m_nextRead > m_last) {
        m_readDone = true;
        return maybeFinish();
    }
    if (m_sent - m_fed > qint64(PagesAheadOfSandbox) * m_options.pageSize)
        return; // resumes when the sandbox answers
    const qint64 first = m_nextRead;
    const qint64 last = qMin(m_last, first + qint64(PagesPerRead) * m_options.pageSize - 1);
    m_reading = true;
    const quint64 generation = m_generation;
    readRange(
        first, last,
        [this, generation](const QList<EventRecord> &records) {
            if (generation == m_generation)
                onRunPage(records);
        },
        [this, generation, last] {
            if (generation != m_generation)
                return;
            m_reading = false;
            m_nextRead = last + 1;
            pumpRead();
        },
        [this, generation](const QString &message) {
            if (generation == m_generation)
                readFailed(message);
        });
}

void ReplayRunner::onRunPage(const QList<EventRecord> &records)
{
    if (!m_running || records.isEmpty() || !m_sandbox)
        return;
    const quint64 generation = m_generation;
    const qint64 count = records.size();
    for (const EventRecord &record : records)
        m_missing += record.missing ? 1 : 0;
    m_sent += count;
    m_sandbox->feed(records, [this, generation, count](const BatchResult &batch, const ProjectionError &error) {
        if (generation != m_generation)
            return;
        if (error.isError())
            return fail(error);
        m_fed += count;
        appendCapped(m_result.emits, batch.emits, MaxEmitsKept);
        m_result.emitCount += batch.emitCount;
        appendCapped(m_result.logs, batch.logs, MaxLogsKept);
        emitProgress(false);
        pumpRead();
        maybeFinish();
    });
    const qint64 version = records.last().version;
    if (version % m_every == 0 && version < m_last) {
        // Queued right behind the batch, so it is the state at exactly this version.
        m_sandbox->snapshot([this, generation, version](const StateSnapshot &snapshot, const ProjectionError &error) {
            if (generation == m_generation && !error.isError()) {
                addCheckpoint(version, snapshot.state);
                tuneInterval(version, snapshot.state.size());
            }
        });
    }
}

void ReplayRunner::maybeFinish()
{
    if (!m_running || !m_readDone || m_reading || m_fed != m_sent || !m_sandbox)
        return;
    m_readDone = false; // once
    const quint64 generation = m_generation;
    m_sandbox->snapshot([this, generation](const StateSnapshot &snapshot, const ProjectionError &error) {
        if (generation != m_generation)
            return;
        if (error.isError())
            return fail(error);
        addCheckpoint(m_last, snapshot.state);
        m_running = false;
        emitProgress(true);
        m_result.state = snapshot;
        m_result.commits = m_fed;
        m_result.missing = m_missing;
        m_result.lastVersion = m_last;
        m_result.seconds = m_clock.nsecsElapsed() / 1e9;
        m_result.commitsPerSecond = m_result.seconds > 0 ? m_fed / m_result.seconds : 0;
        m_result.checkpoints = int(m_checkpoints.size());
        m_result.checkpointBytes = m_checkpointBytes;
        m_result.checkpointInterval = m_every;
        Q_EMIT finished(m_result);
    });
}

void ReplayRunner::addCheckpoint(qint64 version, const QByteArray &state)
{
    auto it = m_checkpoints.find(version);
    if (it != m_checkpoints.end())
        m_checkpointBytes -= it->second.size();
    m_checkpoints[version] = state;
    m_checkpointBytes += state.size();
    // Over budget: thin out (keeping version 0 and the newest) and space future ones twice as far apart.
    while (m_checkpointBytes > m_options.checkpointBudget && m_checkpoints.size() > 2) {
        bool drop = false;
        for (auto at = std::next(m_checkpoints.begin()); at != m_checkpoints.end();) {
            if (drop && std::next(at) != m_checkpoints.end()) {
                m_checkpointBytes -= at->second.size();
                at = m_checkpoints.erase(at);
            } else {
                ++at;
            }
            drop = !drop;
        }
        m_every *= 2;
        m_minEvery = m_every;
        if (m_checkpoints.size() <= 2)
            break;
    }
}

void ReplayRunner::tuneInterval(qint64 version, qint64 stateBytes)
{
    if (m_options.checkpointEvery > 0 || !m_running)
        return;
    const double seconds = m_clock.nsecsElapsed() / 1e9;
    if (seconds <= 0 || version <= 0)
        return;
    // As far apart as lets a seek replay the gap in about SeekGapSeconds at the speed of this run, and no closer
    // than the budget allows for states of this size over the whole run; a multiple of the page size, since
    // checkpoints are taken at batch ends.
    const double rate = double(version) / seconds;
    const qint64 page = m_options.pageSize;
    const qint64 bySpeed = qint64(rate * SeekGapSeconds);
    const qint64 byBudget
        = m_options.checkpointBudget > 0
              ? qint64(double(m_last) * double(qMax<qint64>(1, stateBytes)) / double(m_options.checkpointBudget) * 2)
              : m_last;
    const qint64 wanted = qMax(bySpeed, byBudget);
    m_every = qMax(qMax(page, m_minEvery), (wanted + page - 1) / page * page);
}

void ReplayRunner::emitProgress(bool force)
{
    const qint64 now = m_clock.elapsed();
    if (!force && m_lastProgressMs >= 0 && now - m_lastProgressMs < 100)
        return;
    m_lastProgressMs = now;
    const double seconds = m_clock.nsecsElapsed() / 1e9;
    Q_EMIT progress(ReplayProgress{m_fed, m_last, seconds > 0 ? m_fed / seconds : 0});
}

void ReplayRunner::seek(qint64 version)
{
    m_seekWanted = version;
    if (!m_seeking)
        runSeek();
}

void ReplayRunner::runSeek()
{
    if (m_seekWanted < 0)
        return;
    const qint64 version = m_seekWanted;
    m_seekWanted = -1;
    auto failStep = [this](qint64 at, const ProjectionError &error) {
        m_seeking = false;
        Q_EMIT stepFailed(at, error);
        runSeek();
    };
    if (m_running || !m_sandbox || !m_sandbox->isRunning() || m_checkpoints.empty()) {
        ProjectionError error = ProjectionError::read(m_running ? QStringLiteral("the replay is still running")
                                                                : QStringLiteral("no replay to seek in"));
        return failStep(version, error);
    }
    if (version < 0 || version > m_last)
        return failStep(version,
                        ProjectionError::read(QStringLiteral("version %1 is outside 0..%2").arg(version).arg(m_last)));
    m_seeking = true;
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    const quint64 generation = m_generation;
    auto at = std::prev(m_checkpoints.upper_bound(qMax<qint64>(0, version - 1)));
    const qint64 base = at->first;
    auto step = std::make_shared<ReplayStep>();
    step->version = version;
    auto failed = std::make_shared<bool>(false);
    auto guard = [this, generation, failed, version, failStep](const ProjectionError &error) {
        if (*failed || generation != m_generation)
            return true;
        if (error.isError()) {
            *failed = true;
            failStep(version, error);
            return true;
        }
        return false;
    };
    m_sandbox->setState(at->second, [guard](const ProjectionError &error) { guard(error); });
    if (version == 0) {
        m_sandbox->snapshot([this, step, guard, clock](const StateSnapshot &snapshot, const ProjectionError &error) {
            if (guard(error))
                return;
            step->before = snapshot;
            step->after = snapshot;
            step->milliseconds = clock->nsecsElapsed() / 1e6;
            m_seeking = false;
            Q_EMIT stepReady(*step);
            runSeek();
        });
        return;
    }
    auto records = std::make_shared<QList<EventRecord>>();
    readRange(
        base + 1, version, [records](const QList<EventRecord> &page) { records->append(page); },
        [this, records, step, guard, clock, version] {
            if (guard({}))
                return;
            if (records->isEmpty() || records->last().version != version) {
                ProjectionError error
                    = ProjectionError::read(QStringLiteral("version %1 could not be read").arg(version));
                guard(error);
                return;
            }
            step->record = records->last();
            records->removeLast();
            if (!records->isEmpty())
                m_sandbox->feed(*records, [guard](const BatchResult &, const ProjectionError &error) { guard(error); });
            m_sandbox->snapshot([step, guard](const StateSnapshot &snapshot, const ProjectionError &error) {
                if (!guard(error))
                    step->before = snapshot;
            });
            m_sandbox->feed({step->record}, [step, guard](const BatchResult &batch, const ProjectionError &error) {
                if (guard(error))
                    return;
                step->emits = batch.emits;
                step->logs = batch.logs;
            });
            m_sandbox->snapshot(
                [this, step, guard, clock](const StateSnapshot &snapshot, const ProjectionError &error) {
                    if (guard(error))
                        return;
                    step->after = snapshot;
                    step->milliseconds = clock->nsecsElapsed() / 1e6;
                    m_seeking = false;
                    Q_EMIT stepReady(*step);
                    runSeek();
                });
        },
        [version, guard](const QString &message) {
            guard(ProjectionError::read(QStringLiteral("cannot read up to version %1: %2").arg(version).arg(message)));
        });
}

void ReplayRunner::walk(qint64 first, qint64 last, WalkCallback callback)
{
    if (m_running || m_seeking || !m_sandbox || m_checkpoints.empty() || first < 1 || last < first || last > m_last)
        return callback({}, {},
                        ProjectionError::read(QStringLiteral("cannot walk versions %1..%2").arg(first).arg(last)));
    const quint64 generation = m_generation;
    auto at = std::prev(m_checkpoints.upper_bound(first - 1));
    const qint64 base = at->first;
    auto done = std::make_shared<bool>(false);
    auto finish = [callback, done](const QList<EventRecord> &records, const QList<StateSnapshot> &states,
                                   const ProjectionError &error) {
        if (*done)
            return;
        *done = true;
        callback(records, states, error);
    };
    m_sandbox->setState(at->second, [finish](const ProjectionError &error) {
        if (error.isError())
            finish({}, {}, error);
    });
    auto records = std::make_shared<QList<EventRecord>>();
    readRange(
        base + 1, last, [records](const QList<EventRecord> &page) { records->append(page); },
        [this, generation, records, first, last, finish] {
            if (generation != m_generation || !m_sandbox)
                return finish({}, {}, ProjectionError::read(QStringLiteral("the replay was restarted")));
            if (records->isEmpty() || records->last().version != last || records->first().version > first)
                return finish({}, {},
                              ProjectionError::read(QStringLiteral("versions up to %1 could not be read").arg(last)));
            const qsizetype gap = first - records->first().version; // commits before `first`
            if (gap > 0)
                m_sandbox->feed(records->mid(0, gap), [finish](const BatchResult &, const ProjectionError &error) {
                    if (error.isError())
                        finish({}, {}, error);
                });
            auto states = std::make_shared<QList<StateSnapshot>>();
            const QList<EventRecord> wanted = records->mid(gap);
            for (qsizetype i = 0; i < wanted.size(); ++i) {
                m_sandbox->feed({wanted.at(i)}, [finish](const BatchResult &, const ProjectionError &error) {
                    if (error.isError())
                        finish({}, {}, error);
                });
                const bool lastOne = i + 1 == wanted.size();
                m_sandbox->snapshot(
                    [finish, states, wanted, lastOne](const StateSnapshot &snapshot, const ProjectionError &error) {
                        if (error.isError())
                            return finish({}, {}, error);
                        states->append(snapshot);
                        if (lastOne)
                            finish(wanted, *states, {});
                    });
            }
        },
        [finish](const QString &message) { finish({}, {}, ProjectionError::read(message)); });
}

} // namespace Eventscope
