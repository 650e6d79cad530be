#pragma once

#include "connectionoptions.h"

#include <QThread>

#include <functional>

namespace Eventscope {

class RedisConnection;

// A RedisConnection on a thread of its own, for work whose round trips or per-record cost (SCAN chains, JSON
// parsing, regular expressions, hashing, file writes) must not wait for, or land on, the GUI thread: the stream
// scan, the audit, the search panel and the sealed export dialog run their core objects here. The connection and
// context() belong to the thread; run() posts work to it. Stopping (or destroying) this ends the thread and deletes
// whatever was made with context() as parent.
class WorkerConnection final
{
public:
    using Work = std::function<void(RedisConnection *connection, QObject *context)>;

    // setUp, when given, runs before the thread starts, to make the objects that live there (parent: context). The
    // connection's client name gets "-name", the thread is "eventscope-name".
    WorkerConnection(ConnectionOptions options, const QString &name, const Work &setUp = {});
    ~WorkerConnection();
    WorkerConnection(const WorkerConnection &) = delete;
    WorkerConnection &operator=(const WorkerConnection &) = delete;

    // Runs work on the thread, opening the connection first if it is closed or failed.
    void run(Work work);
    // Ends the thread and waits for it; for an owner whose members the thread's work still uses. Idempotent.
    void stop();

    // Lives on the thread: the receiver for work posted there and the context of connections made there.
    QObject *context() const { return m_context; }
    // For traffic figures only: its counters are atomic; everything else belongs to the thread.
    const RedisConnection *connection() const { return m_connection; }

private:
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread
    RedisConnection *m_connection = nullptr;
};

} // namespace Eventscope
