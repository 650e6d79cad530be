#pragma once

#include "connectionoptions.h"

#include <QThread>

#include <functional>

namespace Eventscope {

class RedisConnection;

// A RedisConnection on a thread of its own, for work whose per-record cost (JSON parsing, regular expressions,
// hashing, file writes) must not land on the GUI thread: the search panel and the sealed export dialog run their
// core objects (Searcher, SealedExporter) here. The connection and context() belong to the thread; run() posts
// work to it. Destroying this stops the thread and deletes whatever was made there with context() as parent.
class WorkerConnection final
{
public:
    WorkerConnection(ConnectionOptions options, const QString &name);
    ~WorkerConnection();
    WorkerConnection(const WorkerConnection &) = delete;
    WorkerConnection &operator=(const WorkerConnection &) = delete;

    // Runs work on the thread, opening the connection first if it is closed or failed. work gets the connection
    // and a parent for what it makes.
    void run(std::function<void(RedisConnection *connection, QObject *context)> work);

    // For traffic figures only: its counters are atomic; everything else belongs to the thread.
    const RedisConnection *connection() const { return m_connection; }

private:
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread
    RedisConnection *m_connection = nullptr;
};

} // namespace Eventscope
