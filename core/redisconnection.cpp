#include "redisconnection.h"

#include <QFile>
#include <QLocalSocket>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

namespace Eventscope {

namespace {

constexpr qint64 ReadChunk = 64 * 1024;

enum class PubSubKind { None, Subscribe, Unsubscribe, Other };

// Commands that take part in subscribe mode, by name.
PubSubKind pubSubKind(const QByteArray &upperName)
{
    if (upperName == "SUBSCRIBE" || upperName == "PSUBSCRIBE")
        return PubSubKind::Subscribe;
    if (upperName == "UNSUBSCRIBE" || upperName == "PUNSUBSCRIBE")
        return PubSubKind::Unsubscribe;
    if (upperName == "PING" || upperName == "QUIT")
        return PubSubKind::Other;
    return PubSubKind::None;
}

QString text(const QByteArray &bytes)
{
    return QString::fromUtf8(bytes);
}

} // namespace

ServerInfo parseHello(const RedisReply &reply)
{
    ServerInfo info;
    if (!reply.isArray())
        return info;
    for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
        const QByteArray &key = reply.elements.at(i).text;
        const RedisReply &value = reply.elements.at(i + 1);
        if (key == "version")
            info.version = text(value.text);
        else if (key == "role")
            info.role = text(value.text);
        else if (key == "mode")
            info.mode = text(value.text);
    }
    return info;
}

ServerInfo parseInfo(const QByteArray &infoText)
{
    ServerInfo info;
    const QList<QByteArray> lines = infoText.split('\n');
    for (QByteArray line : lines) {
        line = line.trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.startsWith('#'))
            continue;
        const QByteArray key = line.left(colon);
        const QString value = text(line.mid(colon + 1));
        if (key == "redis_version")
            info.version = value;
        else if (key == "role")
            info.role = value;
        else if (key == "redis_mode")
            info.mode = value;
    }
    return info;
}

RedisConnection::RedisConnection(ConnectionOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_connectTimer(new QTimer(this))
    , m_reconnectTimer(new QTimer(this))
    , m_timeoutTimer(new QTimer(this))
{
    m_clock.start();
    m_connectTimer->setSingleShot(true);
    m_reconnectTimer->setSingleShot(true);
    m_timeoutTimer->setSingleShot(true);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        fail(m_transportUp || m_state == State::Reconnecting ? Error::Timeout : Error::Connect,
             QStringLiteral("cannot connect to %1: no answer within %2 ms")
                 .arg(m_options.endpoint())
                 .arg(m_options.connectTimeoutMs),
             true);
    });
    connect(m_reconnectTimer, &QTimer::timeout, this, [this] { createSocket(); });
    connect(m_timeoutTimer, &QTimer::timeout, this, &RedisConnection::checkTimeouts);
}

RedisConnection::~RedisConnection()
{
    destroySocket();
}

void RedisConnection::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void RedisConnection::open()
{
    if (m_state == State::Connecting || m_state == State::Connected || m_state == State::Reconnecting)
        return;
    m_everConnected = false;
    m_reconnectAttempt = 0;
    m_lastError = Error::None;
    m_lastErrorString.clear();
    setState(State::Connecting);
    createSocket();
}

void RedisConnection::close()
{
    m_connectTimer->stop();
    m_reconnectTimer->stop();
    destroySocket();
    setState(State::Disconnected);
    failAll("connection closed", true);
}

void RedisConnection::destroySocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        if (auto *local = qobject_cast<QLocalSocket *>(m_socket))
            local->abort();
        else if (auto *socket = qobject_cast<QAbstractSocket *>(m_socket))
            socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    delete m_parser;
    m_parser = nullptr;
    m_transportUp = false;
    m_handshakeLeft = 0;
    m_subscribed = false; // a new connection starts unsubscribed
}

void RedisConnection::createSocket()
{
    destroySocket();
    m_parser = new RespParser(m_options.limits);
    m_connectTimer->start(m_options.connectTimeoutMs);

    if (m_options.transport == ConnectionOptions::Transport::Unix) {
        auto *socket = new QLocalSocket(this);
        m_socket = socket;
        connect(socket, &QLocalSocket::connected, this, [this] {
            m_transportUp = true;
            startHandshake();
        });
        connect(socket, &QLocalSocket::readyRead, this, &RedisConnection::onReadyRead);
        connect(socket, &QLocalSocket::errorOccurred, this,
                [this, socket](QLocalSocket::LocalSocketError) { onTransportError(socket->errorString()); });
        connect(socket, &QLocalSocket::disconnected, this,
                [this] { onTransportError(QStringLiteral("closed by the server")); });
        socket->connectToServer(m_options.socketPath);
        return;
    }

    QTcpSocket *socket = nullptr;
    if (m_options.tls.enabled) {
        auto *ssl = new QSslSocket(this);
        socket = ssl;
        QString problem;
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        const TlsOptions &tls = m_options.tls;
        if (!tls.caFile.isEmpty()) {
            const QList<QSslCertificate> cas = QSslCertificate::fromPath(tls.caFile, QSsl::Pem);
            if (cas.isEmpty())
                problem = QStringLiteral("cannot read a PEM certificate from the CA file %1").arg(tls.caFile);
            config.setCaCertificates(cas);
        }
        if (!tls.certFile.isEmpty()) {
            const QList<QSslCertificate> certs = QSslCertificate::fromPath(tls.certFile, QSsl::Pem);
            if (certs.isEmpty())
                problem = QStringLiteral("cannot read a PEM certificate from %1").arg(tls.certFile);
            else
                config.setLocalCertificateChain(certs);
        }
        if (!tls.keyFile.isEmpty() || !tls.certFile.isEmpty()) {
            QFile file(tls.keyFile.isEmpty() ? tls.certFile : tls.keyFile);
            QSslKey key;
            if (file.open(QIODevice::ReadOnly)) {
                const QByteArray pem = file.readAll();
                for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa, QSsl::Dh}) {
                    key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
                    if (!key.isNull())
                        break;
                }
            }
            if (key.isNull())
                problem = QStringLiteral("cannot read an unencrypted PEM private key from %1").arg(file.fileName());
            else
                config.setPrivateKey(key);
        }
        if (tls.insecure)
            config.setPeerVerifyMode(QSslSocket::VerifyNone);
        ssl->setSslConfiguration(config);
        if (!problem.isEmpty()) {
            QTimer::singleShot(0, this, [this, problem] { fail(Error::Tls, problem, false); });
            return;
        }
        connect(ssl, &QAbstractSocket::connected, this, [this] { m_transportUp = true; });
        connect(ssl, &QSslSocket::encrypted, this, &RedisConnection::startHandshake);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList reasons;
            for (const QSslError &error : errors)
                reasons.append(error.errorString());
            m_tlsErrors = reasons.join(QStringLiteral("; "));
        });
    } else {
        socket = new QTcpSocket(this);
        connect(socket, &QAbstractSocket::connected, this, [this] {
            m_transportUp = true;
            startHandshake();
        });
    }
    m_socket = socket;
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QIODevice::readyRead, this, &RedisConnection::onReadyRead);
    connect(socket, &QAbstractSocket::errorOccurred, this,
            [this, socket](QAbstractSocket::SocketError) { onTransportError(socket->errorString()); });
    connect(socket, &QAbstractSocket::disconnected, this,
            [this] { onTransportError(QStringLiteral("closed by the server")); });
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        const QString peerName = m_options.tls.serverName.isEmpty() ? m_options.host : m_options.tls.serverName;
        ssl->connectToHostEncrypted(m_options.host, m_options.port, peerName);
    } else {
        socket->connectToHost(m_options.host, m_options.port);
    }
}

void RedisConnection::onTransportError(const QString &message)
{
    const bool handshaking = m_state != State::Connected;
    Error kind = Error::Lost;
    QString detail = message;
    if (handshaking) {
        const bool tlsStage = m_options.tls.enabled && m_transportUp && m_handshakeLeft == 0;
        kind = tlsStage || !m_tlsErrors.isEmpty() ? Error::Tls : Error::Connect;
        if (!m_tlsErrors.isEmpty())
            detail = m_tlsErrors;
        detail = (kind == Error::Tls ? QStringLiteral("TLS handshake with %1 failed: %2")
                                     : QStringLiteral("cannot connect to %1: %2"))
                     .arg(m_options.endpoint(), detail);
    } else {
        detail = QStringLiteral("connection to %1 lost: %2").arg(m_options.endpoint(), message);
    }
    m_tlsErrors.clear();
    fail(kind, detail, true);
}

void RedisConnection::sendInternal(const RedisCommand &command, std::function<void(const RedisReply &)> handler)
{
    ++m_handshakeLeft;
    Request request;
    request.wire = formatCommand(command);
    request.internal = true;
    request.callback = [this, handler = std::move(handler)](const RedisReply &reply) {
        --m_handshakeLeft;
        handler(reply);
        if (m_handshakeLeft == 0 && m_socket && m_state != State::Connected) {
            m_connectTimer->stop();
            m_everConnected = true;
            m_reconnectAttempt = 0;
            setState(State::Connected);
            Q_EMIT ready();
            flushQueue();
        }
    };
    writeRequest(std::move(request));
}

void RedisConnection::startHandshake()
{
    m_handshakeLeft = 0;
    m_serverInfo = {};
    const ConnectionOptions &o = m_options;
    if (!o.password.isEmpty()) {
        RedisCommand auth = {"AUTH"};
        if (!o.user.isEmpty())
            auth.append(o.user.toUtf8());
        auth.append(o.password.toUtf8());
        sendInternal(auth, [this](const RedisReply &reply) {
            if (reply.isError())
                fail(Error::Auth, QStringLiteral("authentication failed: %1").arg(text(reply.text)), false);
        });
    }
    if (o.db != 0) {
        sendInternal({"SELECT", QByteArray::number(o.db)}, [this](const RedisReply &reply) {
            if (reply.isError() && reply.errorCode() != "NOAUTH")
                fail(Error::Connect,
                     QStringLiteral("cannot select database %1: %2").arg(m_options.db).arg(text(reply.text)), false);
        });
    }
    if (!o.clientName.isEmpty()) // denied by some ACLs; the name is a courtesy
        sendInternal({"CLIENT", "SETNAME", o.clientName.toUtf8()}, [](const RedisReply &) {});
    sendInternal({"HELLO", "2"}, [this](const RedisReply &reply) {
        if (reply.errorCode() == "NOAUTH") {
            fail(Error::Auth,
                 QStringLiteral("authentication failed: the server requires a password (give one in the URL or "
                                "$REDISCLI_AUTH)"),
                 false);
        } else if (reply.isArray()) {
            m_serverInfo = parseHello(reply);
        } else {
            // Older servers have no HELLO; INFO may be denied too, which is fine.
            sendInternal({"INFO", "server"}, [this](const RedisReply &info) {
                if (info.isString())
                    m_serverInfo = parseInfo(info.text);
            });
        }
    });
}

void RedisConnection::send(const RedisCommand &command, const QObject *owner, Callback callback)
{
    Request request;
    request.owner = const_cast<QObject *>(owner);
    request.hasOwner = owner != nullptr;
    request.callback = std::move(callback);
    request.queuedAtMs = nowMs();

    const PubSubKind pubSub = command.isEmpty() ? PubSubKind::None : pubSubKind(command.first().toUpper());
    QByteArray refusal;
    if (pubSub == PubSubKind::Subscribe || pubSub == PubSubKind::Unsubscribe) {
        request.subscribes = pubSub == PubSubKind::Subscribe;
        request.extraReplies = int(command.size()) - 2;
        if (command.size() < 2)
            refusal = commandName(command) + " must name its channels on this connection";
    } else if (m_subscribed && pubSub == PubSubKind::None) {
        refusal = "refused: " + commandName(command)
                  + " cannot be sent on a subscribed connection (only SUBSCRIBE, UNSUBSCRIBE, PING, QUIT)";
    }
    if (!refusal.isEmpty()) {
        // already refused
    } else if (m_options.readOnly && !isReadOnlyCommand(command)) {
        refusal = "refused by the read-only guard: " + commandName(command)
                  + " is not a read command (this connection is read-only)";
    } else if (m_state == State::Disconnected || m_state == State::Failed) {
        refusal = "not connected"
                  + (m_lastErrorString.isEmpty() ? QByteArray() : QByteArray(": ") + m_lastErrorString.toUtf8());
    }
    if (!refusal.isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [this, request = std::move(request), refusal]() mutable { deliver(request, RedisReply::failure(refusal)); },
            Qt::QueuedConnection);
        return;
    }
    request.wire = formatCommand(command);
    if (m_state == State::Connected && m_queue.empty())
        writeRequest(std::move(request));
    else
        m_queue.push_back(std::move(request));
    armTimeoutTimer();
}

void RedisConnection::flushQueue()
{
    while (m_state == State::Connected && !m_queue.empty()) {
        Request request = std::move(m_queue.front());
        m_queue.pop_front();
        writeRequest(std::move(request));
    }
}

void RedisConnection::writeRequest(Request &&request)
{
    Q_ASSERT(m_socket);
    request.sentAtMs = nowMs();
    if (request.subscribes)
        m_subscribed = true;
    m_socket->write(request.wire);
    m_bytesSent.fetch_add(quint64(request.wire.size()), std::memory_order_relaxed);
    m_commandsSent.fetch_add(1, std::memory_order_relaxed);
    request.wire.clear();
    m_inFlight.push_back(std::move(request));
    armTimeoutTimer();
}

void RedisConnection::deliver(Request &request, const RedisReply &reply)
{
    if (request.hasOwner && !request.owner)
        return; // the owner is gone: nobody wants this reply
    if (request.callback)
        request.callback(reply);
}

bool RedisConnection::deliverPush(const RedisReply &reply)
{
    // In subscribe mode only (un)subscribe confirmations, PING's ["pong", ...] and pushes arrive; a push is
    // ["message", channel, payload] or ["pmessage", pattern, channel, payload].
    if (!reply.isArray() || reply.elements.size() < 3)
        return false;
    const QByteArray &kind = reply.elements.at(0).text;
    const bool message = kind == "message" && reply.elements.size() == 3;
    const bool pmessage = kind == "pmessage" && reply.elements.size() == 4;
    if (!message && !pmessage)
        return false;
    m_pushesReceived.fetch_add(1, std::memory_order_relaxed);
    if (m_pushHandler) {
        const qsizetype first = pmessage ? 2 : 1;
        m_pushHandler(reply.elements.at(first).text, reply.elements.at(first + 1).text);
    }
    return true;
}

void RedisConnection::onReadyRead()
{
    QPointer<RedisConnection> self(this);
    QList<RedisReply> replies;
    if (m_readBuffer.size() != ReadChunk)
        m_readBuffer.resize(ReadChunk);
    while (m_socket && m_parser) {
        const qint64 n = m_socket->read(m_readBuffer.data(), ReadChunk);
        if (n <= 0)
            break;
        m_bytesReceived.fetch_add(quint64(n), std::memory_order_relaxed);
        replies.clear();
        const RespParser::Status status = m_parser->feed(m_readBuffer.constData(), qsizetype(n), replies);
        for (const RedisReply &reply : std::as_const(replies)) {
            if (m_subscribed && deliverPush(reply)) {
                if (!self || !m_socket)
                    return;
                continue;
            }
            if (m_inFlight.empty()) {
                fail(Error::Protocol, QStringLiteral("protocol error: a reply nobody asked for"), true);
                return;
            }
            Request request = std::move(m_inFlight.front());
            m_inFlight.pop_front();
            if (request.extraReplies > 0 && !reply.isError()) {
                // The other channels' confirmations answer nobody; a placeholder keeps replies in step. (A refused
                // command, e.g. by an ACL, is one error reply.)
                Request rest;
                rest.extraReplies = request.extraReplies - 1;
                rest.sentAtMs = request.sentAtMs;
                rest.internal = true;
                m_inFlight.push_front(std::move(rest));
            }
            deliver(request, reply);
            if (!self || !m_socket)
                return;
        }
        if (status == RespParser::Status::Error) {
            fail(Error::Protocol,
                 QStringLiteral("protocol error from %1: %2").arg(m_options.endpoint(), text(m_parser->errorString())),
                 true);
            return;
        }
    }
}

void RedisConnection::failAll(const QByteArray &reason, bool includingQueued)
{
    QPointer<RedisConnection> self(this);
    std::deque<Request> failed = std::exchange(m_inFlight, {});
    if (includingQueued) {
        for (Request &request : m_queue)
            failed.push_back(std::move(request));
        m_queue.clear();
    }
    const RedisReply failure = RedisReply::failure(reason);
    for (Request &request : failed) {
        if (request.internal)
            continue;
        deliver(request, failure);
        if (!self)
            return;
    }
}

void RedisConnection::fail(Error kind, const QString &message, bool allowReconnect)
{
    QPointer<RedisConnection> self(this);
    m_connectTimer->stop();
    destroySocket();
    m_lastError = kind;
    m_lastErrorString = message;
    const bool reconnect = allowReconnect && m_options.reconnect && m_everConnected && m_state != State::Disconnected;
    if (!reconnect)
        setState(State::Failed);
    Q_EMIT errorOccurred(kind, message);
    if (!self)
        return;
    failAll(message.toUtf8(), !reconnect);
    if (!self)
        return;
    if (reconnect)
        scheduleReconnect();
}

int RedisConnection::reconnectRemainingMs() const
{
    return m_state == State::Reconnecting && m_reconnectTimer->isActive() ? m_reconnectTimer->remainingTime() : -1;
}

void RedisConnection::scheduleReconnect()
{
    setState(State::Reconnecting);
    const int shift = qMin(m_reconnectAttempt, 16);
    const qint64 ceiling = qMin<qint64>(m_options.reconnectMaxDelayMs, qint64(m_options.reconnectBaseDelayMs) << shift);
    // Full jitter on the upper half keeps a fleet of inspectors from reconnecting in step.
    const int delay = int(ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1));
    ++m_reconnectAttempt;
    m_reconnectTimer->start(delay); // first, so that a listener can ask reconnectRemainingMs()
    Q_EMIT reconnectScheduled(delay, m_reconnectAttempt);
}

void RedisConnection::armTimeoutTimer()
{
    if (m_timeoutTimer->isActive() || (m_inFlight.empty() && m_queue.empty()))
        return;
    m_timeoutTimer->start(qBound(10, m_options.commandTimeoutMs / 4, 1000));
}

void RedisConnection::checkTimeouts()
{
    const qint64 now = nowMs();
    const qint64 limit = m_options.commandTimeoutMs;
    if (!m_inFlight.empty() && now - m_inFlight.front().sentAtMs > limit) {
        // Replies come in order: one missing reply stalls the rest, so the connection is dropped.
        fail(Error::Timeout, QStringLiteral("no reply from %1 within %2 ms").arg(m_options.endpoint()).arg(limit),
             true);
        return;
    }
    QPointer<RedisConnection> self(this);
    while (!m_queue.empty() && now - m_queue.front().queuedAtMs > limit) {
        Request request = std::move(m_queue.front());
        m_queue.pop_front();
        deliver(request, RedisReply::failure("not connected to " + m_options.endpoint().toUtf8() + " within "
                                             + QByteArray::number(limit) + " ms"));
        if (!self)
            return;
    }
    armTimeoutTimer();
}

} // namespace Eventscope
