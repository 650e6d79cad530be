#pragma once

#include "replayrunner.h"
#include "statediff.h"

namespace Eventscope {

struct CompareResult
{
    bool diverged = false;
    qint64 version = 0; // the first version whose states differ (0: the initial states)
    EventRecord record;
    StateSnapshot a;
    StateSnapshot b;
    QList<JsonChange> diff; // from a's state to b's
    qint64 commits = 0;     // compared
};

// Two projections over the same events: both run (two sandboxes, side by side), their checkpoints are compared,
// and in the first stretch that differs the states are compared version by version. States compare as JSON values
// (key order does not matter). Reports the first version where they diverge.
class ProjectionComparer final : public QObject
{
    Q_OBJECT
public:
    ProjectionComparer(RedisConnection *connection, StoreLayout layout, QObject *parent = nullptr);

    // options.script is ignored; a and b are the two projections. Checkpoints default to one per page.
    void start(ReplayOptions options, const QByteArray &a, const QByteArray &b);
    void cancel();
    ReplayRunner *runnerA() const { return m_a; }
    ReplayRunner *runnerB() const { return m_b; }

Q_SIGNALS:
    void progress(const Eventscope::ReplayProgress &progress);
    void finished(const Eventscope::CompareResult &result);
    // side: 0 for a, 1 for b.
    void failed(int side, const Eventscope::ProjectionError &error);

private:
    void onBothFinished();
    void fail(int side, const ProjectionError &error);

    ReplayRunner *m_a;
    ReplayRunner *m_b;
    int m_finished = 0;
    bool m_failed = false;
    qint64 m_commits = 0;
};

bool sameJson(const QByteArray &a, const QByteArray &b);

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::CompareResult)
