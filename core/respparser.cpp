#include "respparser.h"

#include <hiredis/read.h>

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

void *createString(const redisReadTask *task, char *data, size_t len)
{
    RespParser::Context *context = contextOf(task);
    context->replyBytes += qint64(len);
    if (qint64(len) > context->limits.maxBulkBytes) {
        context->limitError = "bulk string of " + QByteArray::number(qint64(len)) + " bytes exceeds the limit of "
                              + QByteArray::number(context->limits.maxBulkBytes) + " bytes";
        return nullptr;
    }
    if (context->replyBytes > context->limits.maxReplyBytes) {
        context->limitError
            = "reply larger than the limit of " + QByteArray::number(context->limits.maxReplyBytes) + " bytes";
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

} // namespace

RespParser::RespParser()
    : RespParser(Limits{})
{}

RespParser::RespParser(Limits limits)
    : m_limits(limits)
    , m_context{limits, 0, {}}
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
    return qsizetype(m_reader->len - m_reader->pos);
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

RespParser::Status RespParser::feed(const char *data, qsizetype size, QList<RedisReply> &out)
{
    if (hasError())
        return Status::Error;
    for (qsizetype offset = 0; offset < size; offset += FeedSlice) {
        const qsizetype slice = qMin(FeedSlice, size - offset);
        if (redisReaderFeed(m_reader, data + offset, size_t(slice)) != REDIS_OK) {
            fail(QByteArray("cannot buffer reply: ") + m_reader->errstr);
            return Status::Error;
        }
        if (drain(out) != Status::Ok)
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
