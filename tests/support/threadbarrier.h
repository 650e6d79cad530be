#pragma once

#include <QCoreApplication>
#include <QObject>
#include <QTest>

#include <atomic>
#include <memory>

namespace Eventscope::Test {

// A round trip through the thread an object lives on (a worker's connection, say): whatever that thread posted to
// this one before it reached the barrier has been delivered when this returns true. Shows that nothing of a
// cancelled or replaced piece of work is still on its way, without waiting a while and hoping.
inline bool threadBarrier(const QObject *onThread, int timeoutMs = 30000)
{
    auto reached = std::make_shared<std::atomic<bool>>(false);
    // The object only names the thread; the call does not touch it.
    QMetaObject::invokeMethod(
        const_cast<QObject *>(onThread), [reached] { reached->store(true); }, Qt::QueuedConnection);
    if (!QTest::qWaitFor([&reached] { return reached->load(); }, timeoutMs))
        return false;
    QCoreApplication::sendPostedEvents();
    return true;
}

} // namespace Eventscope::Test
