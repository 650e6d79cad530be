#pragma once

#include "redisreply.h"

struct redisReader;

namespace Eventscope {

// Limits on what the parser accepts from a server.
struct RespLimits
{
    qint64 maxBulkBytes = qint64(512) << 20; // Redis's own proto-max-bulk-len default
    qint64 maxArrayElements = 16 << 20;
    qint64 maxReplyBytes = qint64(1) << 30; // all strings of one reply together
};

// Incremental RESP2 parser on hiredis's redisReader. It builds RedisReply values directly (no hiredis reply tree),
// feeds hiredis in small slices (hiredis 0.14 turns quadratic on multi-megabyte feeds), and enforces size limits
// so a hostile or broken server cannot make it allocate without bound.
class RespParser final
{
public:
    using Limits = RespLimits;
    enum class Status { Ok, Error };

    explicit RespParser(Limits limits);
    RespParser();
    ~RespParser();
    RespParser(const RespParser &) = delete;
    RespParser &operator=(const RespParser &) = delete;

    // Appends every reply completed by these bytes to out. After an Error the stream is out of sync and the parser
    // refuses further input: drop the connection.
    Status feed(const char *data, qsizetype size, QList<RedisReply> &out);
    Status feed(const QByteArray &data, QList<RedisReply> &out) { return feed(data.constData(), data.size(), out); }

    bool hasError() const { return !m_error.isEmpty(); }
    QByteArray errorString() const { return m_error; }
    // Bytes hiredis buffers for the element it is reading now (finished elements of an unfinished array are
    // already values and not counted). Bounded by Limits::maxBulkBytes.
    qsizetype pendingBytes() const;
    const Limits &limits() const { return m_limits; }

    // Parses a complete buffer (tests, fuzzing): all replies, or the error and the replies before it.
    static Status parseAll(const QByteArray &data, QList<RedisReply> &out, QByteArray *error = nullptr,
                           Limits limits = {});

    struct Context
    {
        Limits limits;
        qint64 replyBytes = 0;
        QByteArray limitError;
    };

private:
    Status drain(QList<RedisReply> &out);
    void fail(const QByteArray &reason);

    Limits m_limits;
    Context m_context;
    redisReader *m_reader = nullptr;
    QByteArray m_error;
};

} // namespace Eventscope
