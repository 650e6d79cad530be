#include "projectioncomparer.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

namespace Eventscope {

bool sameJson(const QByteArray &a, const QByteArray &b)
{
    if (a == b)
        return true;
    return diffJsonText(a, b).isEmpty();
}

ProjectionComparer::ProjectionComparer(RedisConnection *connection, StoreLayout layout, QObject *parent)
    : QObject(parent)
    , m_a(new ReplayRunner(connection, layout, this))
    , m_b(new ReplayRunner(connection, layout, this))
{
    int side = 0;
    for (ReplayRunner *runner : {m_a, m_b}) {
        connect(runner, &ReplayRunner::failed, this, [this, side](const ProjectionError &error) { fail(side, error); });
        connect(runner, &ReplayRunner::finished, this, [this](const ReplayResult &result) {
            m_commits = result.commits;
            if (++m_finished == 2)
                onBothFinished();
        });
        ++side;
    }
    connect(m_a, &ReplayRunner::progress, this, &ProjectionComparer::progress);
}

void ProjectionComparer::start(ReplayOptions options, const QByteArray &a, const QByteArray &b)
{
    m_finished = 0;
    m_failed = false;
    if (options.checkpointEvery <= 0)
        options.checkpointEvery = options.pageSize;
    options.script = a;
    m_a->start(options);
    options.script = b;
    m_b->start(options);
}

void ProjectionComparer::cancel()
{
    m_failed = true;
    m_a->cancel();
    m_b->cancel();
}

void ProjectionComparer::fail(int side, const ProjectionError &error)
{
    if (m_failed)
        return;
    m_failed = true;
    m_a->cancel();
    m_b->cancel();
    Q_EMIT failed(side, error);
}

void ProjectionComparer::onBothFinished()
{
    if (m_failed)
        return;
    // The first checkpoint (at a version both kept) where the states differ, and the last equal one before it.
    const auto &a = m_a->checkpoints();
    const auto &b = m_b->checkpoints();
    qint64 equalAt = -1;
    qint64 differAt = -1;
    for (const auto &[version, state] : a) {
        const auto other = b.find(version);
        if (other == b.end())
            continue;
        if (sameJson(state, other->second)) {
            equalAt = version;
            continue;
        }
        differAt = version;
        break;
    }
    CompareResult result;
    result.commits = m_commits;
    if (differAt < 0) {
        Q_EMIT finished(result);
        return;
    }
    if (differAt == 0 || equalAt < 0) {
        result.diverged = true;
        result.version = 0;
        result.a.state = a.at(0);
        result.b.state = b.at(0);
        result.diff = diffJsonText(result.a.state, result.b.state);
        Q_EMIT finished(result);
        return;
    }
    // Version by version through the stretch, in both sandboxes.
    auto walked = std::make_shared<QList<QList<StateSnapshot>>>(2);
    auto records = std::make_shared<QList<EventRecord>>();
    auto remaining = std::make_shared<int>(2);
    const qint64 first = equalAt + 1;
    int side = 0;
    for (ReplayRunner *runner : {m_a, m_b}) {
        runner->walk(first, differAt,
                     [this, side, walked, records, remaining](const QList<EventRecord> &stretch,
                                                              const QList<StateSnapshot> &states,
                                                              const ProjectionError &error) {
                         if (error.isError())
                             return fail(side, error);
                         (*walked)[side] = states;
                         if (side == 0)
                             *records = stretch;
                         if (--*remaining > 0 || m_failed)
                             return;
                         CompareResult found;
                         found.commits = m_commits;
                         const qsizetype n = qMin(walked->at(0).size(), walked->at(1).size());
                         for (qsizetype i = 0; i < n && i < records->size(); ++i) {
                             if (sameJson(walked->at(0).at(i).state, walked->at(1).at(i).state))
                                 continue;
                             found.diverged = true;
                             found.version = records->at(i).version;
                             found.record = records->at(i);
                             found.a = walked->at(0).at(i);
                             found.b = walked->at(1).at(i);
                             found.diff = diffJsonText(found.a.state, found.b.state);
                             break;
                         }
                         Q_EMIT finished(found);
                     });
        ++side;
    }
}

} // namespace Eventscope
