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
    // Not a limit: bulk strings of at least this many bytes are read straight into one QByteArray of their declared
    // size instead of through hiredis's buffer (which grows by realloc and is copied once more at the end).
    qint64 directBulkBytes = 64 << 10;
};

// Incremental RESP2 parser on hiredis's redisReader. It builds RedisReply values directly (no hiredis reply tree),
// feeds hiredis in small slices (hiredis 0.14 turns quadratic on multi-megabyte feeds), and enforces size limits
// so a hostile or broken server cannot make it allocate without bound.
// A bulk string of Limits::directBulkBytes or more is taken from hiredis once its header is read: its body is
// copied straight into a QByteArray of the declared size (checked against the limits first), and hiredis is then
// given an empty body to finish the element with, which is replaced by that QByteArray. hiredis keeps doing all the
// framing (arrays, nesting, errors); a 16 MiB payload costs one memcpy instead of hiredis's buffer growth + copy.
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
    // Bytes buffered for the element being read now (finished elements of an unfinished array are already values
    // and not counted). Bounded by Limits::maxBulkBytes.
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
        // A bulk string read past hiredis: the next string hiredis completes (an empty one) is this instead.
        QByteArray directString;
        bool hasDirectString = false;
    };

private:
    Status drain(QList<RedisReply> &out);
    void fail(const QByteArray &reason);
    // After a drain: takes over a bulk string whose header hiredis has read but whose body it is still waiting for,
    // when it is long enough (or over a limit, which fails at once rather than after buffering it).
    Status takeOverBulk();
    // Copies body bytes of the bulk string taken over; returns how many of data it used.
    qsizetype feedDirect(const char *data, qsizetype size);
    Status finishDirect(QList<RedisReply> &out);

    Limits m_limits;
    Context m_context;
    redisReader *m_reader = nullptr;
    QByteArray m_error;
    // The bulk string being read past hiredis.
    bool m_direct = false;
    QByteArray m_directBody; // of its declared size
    qsizetype m_directFilled = 0;
    int m_directTail = 0; // bytes of the CRLF after the body seen so far
};

} // namespace Eventscope
