#pragma once

#include "backgroundreplay.h"

#include <QTest>

#include <memory>

namespace Eventscope::Test {

// A round trip through a BackgroundReplay's thread (a walk, answered there and posted back): whatever that thread
// sent before arrives before the answer. Proves that nothing of a cancelled or replaced run is still on its way,
// without waiting for a while and hoping.
inline bool replayBarrier(BackgroundReplay &replay, int timeoutMs = 30000)
{
    auto done = std::make_shared<bool>(false);
    replay.walk(1, 1, [done](const QList<EventRecord> &, const QList<StateSnapshot> &, const ProjectionError &) {
        *done = true;
    });
    return QTest::qWaitFor([done] { return *done; }, timeoutMs);
}

} // namespace Eventscope::Test
