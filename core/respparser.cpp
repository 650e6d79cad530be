#include "respparser.h"

#include <hiredis/hiredis.h> // HIREDIS_MAJOR
#include <hiredis/read.h>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

#include <QThreadPool>

#include <charconv>
#include <cstring>
#include <memory>

namespace Eventscope {

namespace {

constexpr qsizetype FeedSlice = 16 * 1024;

RespParser::Context *contextOf(const redisReadTask *task)
{
    return static_cast<RespParser::Context *>(task->privdata);
}

// Children are appended in index order, so only completed siblings move when a parent's list grows; hiredis keeps
// pointers only to the ancestors of the element being read, never to completed siblings.
RedisReply *place(const redisReadTask *task, RedisReply &&value)
{
    if (task->parent) {
        auto *parent = static_cast<RedisReply *>(task->parent->obj);
        parent->elements.append(std::move(value));
        return &parent->elements.last();
    }
    return new RedisReply(std::move(value));
}

QByteArray bulkLimitError(qint64 length, const RespParser::Limits &limits)
{
    return "bulk string of " + QByteArray::number(length) + " bytes exceeds the limit of "
           + QByteArray::number(limits.maxBulkBytes) + " bytes";
}

QByteArray replyLimitError(const RespParser::Limits &limits)
{
    return "reply larger than the limit of " + QByteArray::number(limits.maxReplyBytes) + " bytes";
}

// The task hiredis is reading, or null between replies. hiredis 1.x keeps its tasks behind pointers.
const redisReadTask *currentTask(const redisReader *reader)
{
    if (reader->ridx < 0)
        return nullptr;
#if HIREDIS_MAJOR >= 1
    return reader->task[reader->ridx];
#else
    return &reader->rstack[reader->ridx];
#endif
}

void *createString(const redisReadTask *task, char *data, size_t len)
{
    RespParser::Context *context = contextOf(task);
    if (context->hasDirectString) {
        // The empty body fed for a bulk string read past hiredis (its limits were checked when it was taken over).
        Q_ASSERT(len == 0 && task->type == REDIS_REPLY_STRING);
        context->hasDirectString = false;
        context->replyBytes += context->directString.size();
        return place(task, RedisReply{RedisReply::Type::String, 0, std::move(context->directString), {}});
    }
    context->replyBytes += qint64(len);
    if (qint64(len) > context->limits.maxBulkBytes) {
        context->limitError = bulkLimitError(qint64(len), context->limits);
        return nullptr;
    }
    if (context->replyBytes > context->limits.maxReplyBytes) {
        context->limitError = replyLimitError(context->limits);
        return nullptr;
    }
    RedisReply value;
    switch (task->type) {
    case REDIS_REPLY_ERROR:
        value.type = RedisReply::Type::Error;
        break;
    case REDIS_REPLY_STATUS:
        value.type = RedisReply::Type::Status;
        break;
    default:
        value.type = RedisReply::Type::String;
        break;
    }
    value.text = QByteArray(data, qsizetype(len));
    return place(task, std::move(value));
}

void *createArray(const redisReadTask *task, int elements)
{
    RespParser::Context *context = contextOf(task);
    if (elements > context->limits.maxArrayElements) {
        context->limitError = "array of " + QByteArray::number(elements) + " elements exceeds the limit of "
                              + QByteArray::number(context->limits.maxArrayElements);
        return nullptr;
    }
    RedisReply value;
    value.type = RedisReply::Type::Array;
    value.elements.reserve(qMin(elements, 4096));
    return place(task, std::move(value));
}

void *createInteger(const redisReadTask *task, long long number)
{
    RedisReply value;
    value.type = RedisReply::Type::Integer;
    value.integer = number;
    return place(task, std::move(value));
}

void *createNil(const redisReadTask *task)
{
    return place(task, RedisReply{});
}

// hiredis frees only root objects; children live inside their root.
void freeObject(void *object)
{
    delete static_cast<RedisReply *>(object);
}

redisReplyObjectFunctions replyFunctions = {createString, createArray, createInteger, createNil, freeObject};

// Filling fresh memory costs the thread that reads the socket a page fault per page and the zeroing of it (16 MiB:
// 4096 faults, 40-60 ms on a virtual machine). Where the system allows, the buffer asks for transparent huge pages
// (a fault per 2 MiB) and a worker faults it in ahead of the copy. Prefaulting changes no byte and is harmless on a
// range that was freed meanwhile, so the worker needs no hold on the buffer.
#if defined(Q_OS_LINUX) && defined(MADV_HUGEPAGE)
Q_GLOBAL_STATIC(QThreadPool, prefaultPool)
#endif

void prepareBuffer(QByteArray &buffer)
{
#if defined(Q_OS_LINUX) && defined(MADV_HUGEPAGE)
    constexpr quintptr HugePage = 2 << 20;
    if (buffer.size() < qsizetype(2 * HugePage))
        return;
    const quintptr begin = (quintptr(buffer.data()) + HugePage - 1) & ~(HugePage - 1);
    const quintptr end = (quintptr(buffer.data()) + quintptr(buffer.size())) & ~(HugePage - 1);
    if (end <= begin)
        return;
    madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE); // advice only: failure changes nothing
#ifdef MADV_POPULATE_WRITE
    prefaultPool()->setMaxThreadCount(1);
    prefaultPool()->start([begin, end] {
        // In huge-page steps from the front, where the copy starts.
        for (quintptr at = begin; at < end; at += HugePage) {
            if (madvise(reinterpret_cast<void *>(at), HugePage, MADV_POPULATE_WRITE) != 0)
                return; // not supported here, or the buffer is gone
        }
    });
#endif
#else
    Q_UNUSED(buffer);
#endif
}

} // namespace

RespParser::RespParser()
    : RespParser(Limits{})
{}

RespParser::RespParser(Limits limits)
    : m_limits(limits)
    , m_context{limits, 0, {}, {}, false}
    , m_reader(redisReaderCreateWithFunctions(&replyFunctions))
{
    Q_CHECK_PTR(m_reader);
    m_reader->privdata = &m_context;
}

RespParser::~RespParser()
{
    redisReaderFree(m_reader);
}

qsizetype RespParser::pendingBytes() const
{
    return qsizetype(m_reader->len - m_reader->pos) + (m_direct ? m_directFilled + m_directTail : 0);
}

void RespParser::fail(const QByteArray &reason)
{
    m_error = reason.isEmpty() ? QByteArrayLiteral("protocol error") : reason;
}

RespParser::Status RespParser::drain(QList<RedisReply> &out)
{
    for (;;) {
        void *object = nullptr;
        if (redisReaderGetReply(m_reader, &object) != REDIS_OK) {
            fail(m_context.limitError.isEmpty() ? QByteArray("protocol error: ") + m_reader->errstr
                                                : m_context.limitError);
            return Status::Error;
        }
        if (!object)
            break;
        std::unique_ptr<RedisReply> reply(static_cast<RedisReply *>(object));
        out.append(std::move(*reply));
        m_context.replyBytes = 0;
    }
    // hiredis waits for a whole bulk string before it calls createString; refuse to buffer past the limit.
    if (qint64(pendingBytes()) > m_limits.maxBulkBytes + 64) {
        fail("reply element larger than the limit of " + QByteArray::number(m_limits.maxBulkBytes) + " bytes");
        return Status::Error;
    }
    return Status::Ok;
}

RespParser::Status RespParser::takeOverBulk()
{
    const redisReadTask *task = currentTask(m_reader);
    if (!task || task->type != REDIS_REPLY_STRING || m_reader->pos == m_reader->len)
        return Status::Ok;
    // hiredis has taken the '$' and waits for the length line and the body: what it holds is "<length>\r\n<body...".
    // Having read the length line it would have failed on a bad one, so a line found here is a valid length.
    const char *pending = m_reader->buf + m_reader->pos;
    const qsizetype available = qsizetype(m_reader->len - m_reader->pos);
    const char *newline = static_cast<const char *>(std::memchr(pending, '\r', size_t(available)));
    if (!newline || newline + 1 >= pending + available || newline[1] != '\n')
        return Status::Ok; // the length line is not complete yet
    long long length = 0;
    const auto [end, errc] = std::from_chars(pending, newline, length);
    if (errc != std::errc() || end != newline || length < 0)
        return Status::Ok; // left to hiredis, which has the last word on the length line
    const bool overLimit = length > m_limits.maxBulkBytes || m_context.replyBytes + length > m_limits.maxReplyBytes;
    if (length < m_limits.directBulkBytes && !overLimit)
        return Status::Ok;
    // Refused as soon as it is declared: buffering it first would only delay the same error.
    if (length > m_limits.maxBulkBytes) {
        fail(bulkLimitError(length, m_limits));
        return Status::Error;
    }
    if (overLimit) {
        fail(replyLimitError(m_limits));
        return Status::Error;
    }
    // Of its declared size at once: within the limits, and memory the body has not reached yet is only address space.
    m_directBody = QByteArray(qsizetype(length), Qt::Uninitialized);
    prepareBuffer(m_directBody);
    m_directFilled = 0;
    m_directTail = 0;
    m_direct = true;
    const qsizetype header = qsizetype(newline + 2 - pending);
    // hiredis holds less than the body and its CRLF (else it would have finished the string): hand it over.
    m_reader->pos = m_reader->len;
    feedDirect(pending + header, available - header);
    return Status::Ok;
}

qsizetype RespParser::feedDirect(const char *data, qsizetype size)
{
    const qsizetype body = qMin(size, m_directBody.size() - m_directFilled);
    if (body > 0) {
        std::memcpy(m_directBody.data() + m_directFilled, data, size_t(body));
        m_directFilled += body;
    }
    // Like hiredis, skip the two bytes after the body without looking at them: the same bytes must give the same
    // replies whichever of the two reads a bulk string.
    const qsizetype tail = qMin<qsizetype>(size - body, 2 - m_directTail);
    m_directTail += int(tail);
    return body + tail;
}

RespParser::Status RespParser::finishDirect(QList<RedisReply> &out)
{
    m_direct = false;
    m_context.directString = std::move(m_directBody);
    m_context.hasDirectString = true;
    m_directBody = QByteArray();
    // hiredis, still at this element's length line, finishes it as an empty string that createString swaps.
    static constexpr char EmptyBody[] = "0\r\n\r\n";
    if (redisReaderFeed(m_reader, EmptyBody, sizeof EmptyBody - 1) != REDIS_OK) {
        fail(QByteArray("cannot buffer reply: ") + m_reader->errstr);
        return Status::Error;
    }
    const Status status = drain(out);
    Q_ASSERT(!m_context.hasDirectString || status == Status::Error);
    return status;
}

RespParser::Status RespParser::feed(const char *data, qsizetype size, QList<RedisReply> &out)
{
    if (hasError())
        return Status::Error;
    for (qsizetype offset = 0; offset < size;) {
        if (m_direct) {
            offset += feedDirect(data + offset, size - offset);
            if (m_directFilled == m_directBody.size() && m_directTail == 2 && finishDirect(out) != Status::Ok)
                return Status::Error;
            continue;
        }
        const qsizetype slice = qMin(FeedSlice, size - offset);
        if (redisReaderFeed(m_reader, data + offset, size_t(slice)) != REDIS_OK) {
            fail(QByteArray("cannot buffer reply: ") + m_reader->errstr);
            return Status::Error;
        }
        offset += slice;
        if (drain(out) != Status::Ok || takeOverBulk() != Status::Ok)
            return Status::Error;
    }
    return Status::Ok;
}

RespParser::Status RespParser::parseAll(const QByteArray &data, QList<RedisReply> &out, QByteArray *error,
                                        Limits limits)
{
    RespParser parser(limits);
    const Status status = parser.feed(data, out);
    if (error)
        *error = parser.errorString();
    return status;
}

} // namespace Eventscope
