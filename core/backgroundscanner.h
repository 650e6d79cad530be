#pragma once

#include "connectionoptions.h"
#include "storelayout.h"
#include "streamscanner.h"
#include "workerconnection.h"

#include <QObject>

namespace Eventscope {

class RedisConnection;

// A StreamScanner on a connection and thread of its own. Listing a million streams is a long chain of SCAN round
// trips; on the window's connection each one would wait for the GUI thread to be free. The interface is the
// scanner's: batches of a scan that was stopped or restarted are dropped before they reach the caller.
class BackgroundScanner final : public QObject
{
    Q_OBJECT
public:
    BackgroundScanner(ConnectionOptions options, StoreLayout layout, QObject *parent = nullptr);
    ~BackgroundScanner() override;

    void start(const QByteArray &pattern = {});
    void stop();
    bool isRunning() const { return m_running; }
    qint64 found() const { return m_found; }
    // For traffic figures only: its counters are atomic; everything else belongs to the scan thread.
    const RedisConnection *connection() const { return m_worker.connection(); }

Q_SIGNALS:
    void batch(const QList<Eventscope::StreamInfo> &streams);
    void finished();
    void failed(const QString &message);

private:
    StreamScanner *m_scanner = nullptr; // lives on m_worker's thread
    WorkerConnection m_worker;
    quint64 m_generation = 0;
    bool m_running = false;
    qint64 m_found = 0;
};

} // namespace Eventscope
