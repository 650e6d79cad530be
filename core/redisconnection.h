#pragma once

#include "connectionoptions.h"
#include "rediscommand.h"
#include "redisreply.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <deque>
#include <functional>

class QIODevice;
class QTimer;

namespace Eventscope {

struct ServerInfo
{
    QString version; // empty when the server would not tell (HELLO and INFO denied)
    QString role;
    QString mode;
};

// Parses the RESP2 form of HELLO (a flat key/value array) or the text of INFO into ServerInfo.
ServerInfo parseHello(const RedisReply &reply);
ServerInfo parseInfo(const QByteArray &info);

// One Redis connection over a Qt socket (TCP, TLS or unix), living on the thread that created it.
// Commands are pipelined and answered in order; every request names an owner, and replies for an owner that has
// been destroyed are dropped. Callbacks always run later from the event loop, never inside send().
class RedisConnection final : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected, Reconnecting, Failed };
    Q_ENUM(State)
    enum class Error { None, Connect, Auth, Tls, Protocol, Timeout, Lost };
    Q_ENUM(Error)

    using Callback = std::function<void(const RedisReply &)>;
    // A message pushed on a subscribed connection: its channel and payload (pattern subscriptions: the channel the
    // message was published on).
    using PushHandler = std::function<void(const QByteArray &channel, const QByteArray &message)>;

    explicit RedisConnection(ConnectionOptions options, QObject *parent = nullptr);
    ~RedisConnection() override;

    const ConnectionOptions &options() const { return m_options; }
    State state() const { return m_state; }
    Error lastError() const { return m_lastError; }
    QString lastErrorString() const { return m_lastErrorString; }
    // While Reconnecting: milliseconds until the next attempt; -1 otherwise.
    int reconnectRemainingMs() const;
    ServerInfo serverInfo() const { return m_serverInfo; }

    // The read-only guard: while on, any command outside the read allowlist fails before it is sent.
    bool isReadOnly() const { return m_options.readOnly; }
    void setReadOnly(bool readOnly) { m_options.readOnly = readOnly; }

    void open();
    void close();

    // Queues a command; before the connection is ready it waits (up to the command timeout) for it.
    void send(const RedisCommand &command, const QObject *owner, Callback callback);

    // Pub/Sub. Sending SUBSCRIBE or PSUBSCRIBE puts the connection in subscribe mode until it drops: messages then
    // go to the push handler, in the order read, and only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING and QUIT may be sent
    // (RESP2). Each (un)subscribe must name its channels: Redis confirms every channel with a reply of its own, and
    // the callback gets the first confirmation. A reconnect ends subscribe mode: subscribe again on ready().
    void setPushHandler(PushHandler handler) { m_pushHandler = std::move(handler); }
    bool isSubscribed() const { return m_subscribed; }
    quint64 pushesReceived() const { return m_pushesReceived.load(std::memory_order_relaxed); }

    qsizetype inFlight() const { return qsizetype(m_inFlight.size()); }
    quint64 commandsSent() const { return m_commandsSent.load(std::memory_order_relaxed); }
    quint64 bytesSent() const { return m_bytesSent.load(std::memory_order_relaxed); }
    quint64 bytesReceived() const { return m_bytesReceived.load(std::memory_order_relaxed); }

Q_SIGNALS:
    void stateChanged(Eventscope::RedisConnection::State state);
    // The handshake (AUTH, SELECT, CLIENT SETNAME, HELLO) is done: commands flow.
    void ready();
    void errorOccurred(Eventscope::RedisConnection::Error error, const QString &message);
    void reconnectScheduled(int delayMs, int attempt);

private:
    struct Request
    {
        QByteArray wire;
        QPointer<QObject> owner;
        bool hasOwner = false;
        Callback callback;
        qint64 queuedAtMs = 0;
        qint64 sentAtMs = 0;
        bool internal = false;   // part of the handshake
        bool subscribes = false; // SUBSCRIBE / PSUBSCRIBE: enters subscribe mode when written
        int extraReplies = 0;    // further confirmations of a multi-channel (un)subscribe, swallowed
    };

    void setState(State state);
    void createSocket();
    void destroySocket();
    void onReadyRead();
    void onTransportError(const QString &message);
    void startHandshake();
    void sendInternal(const RedisCommand &command, std::function<void(const RedisReply &)> handler);
    void flushQueue();
    void writeRequest(Request &&request);
    void deliver(Request &request, const RedisReply &reply);
    bool deliverPush(const RedisReply &reply);
    void failAll(const QByteArray &reason, bool includingQueued);
    void fail(Error kind, const QString &message, bool allowReconnect);
    void scheduleReconnect();
    void checkTimeouts();
    void armTimeoutTimer();
    qint64 nowMs() const { return m_clock.elapsed(); }

    ConnectionOptions m_options;
    State m_state = State::Disconnected;
    Error m_lastError = Error::None;
    QString m_lastErrorString;
    ServerInfo m_serverInfo;

    QIODevice *m_socket = nullptr;
    RespParser *m_parser = nullptr;
    std::deque<Request> m_inFlight; // sent, waiting for replies in order
    std::deque<Request> m_queue;    // waiting for the connection
    QByteArray m_readBuffer;
    QString m_tlsErrors;
    bool m_transportUp = false;
    int m_handshakeLeft = 0;
    bool m_everConnected = false;
    int m_reconnectAttempt = 0;

    PushHandler m_pushHandler;
    bool m_subscribed = false;

    QTimer *m_connectTimer = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    QTimer *m_timeoutTimer = nullptr;
    QElapsedTimer m_clock;

    std::atomic<quint64> m_commandsSent{0};
    std::atomic<quint64> m_bytesSent{0};
    std::atomic<quint64> m_bytesReceived{0};
    std::atomic<quint64> m_pushesReceived{0};
};

} // namespace Eventscope
