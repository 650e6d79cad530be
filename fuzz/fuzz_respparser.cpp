// Feeds RESP bytes through RespParser in pieces whose sizes come from the input, with the default and with tight
// limits, and checks that the pieces make no difference, that the limits hold and that replies survive a round trip.
// Each input is also read with bulk strings taken past hiredis from the first byte on (Limits::directBulkBytes 0
// and a small threshold), which must not make a difference either.
//
// Input: the RESP bytes, then 4 bytes that seed the piece sizes, then 1 mode byte (shorter inputs are all RESP).
#include "respparser.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Eventscope;

namespace {

void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz_respparser: %s\n", what);
        std::abort();
    }
}

struct Result
{
    RespParser::Status status = RespParser::Status::Ok;
    QList<RedisReply> replies;
};

Result feedInPieces(const QByteArray &resp, RespParser::Limits limits, quint32 seed, qsizetype maxPiece)
{
    RespParser parser(limits);
    Result result;
    for (qsizetype offset = 0; offset < resp.size();) {
        seed = seed * 1664525u + 1013904223u;
        const qsizetype piece = qMin(resp.size() - offset, 1 + qsizetype((seed >> 8) % quint32(maxPiece)));
        result.status = parser.feed(resp.constData() + offset, piece, result.replies);
        offset += piece;
        if (result.status == RespParser::Status::Error)
            break;
    }
    if (result.status == RespParser::Status::Error) {
        check(parser.hasError() && !parser.errorString().isEmpty(), "an error without a message");
        QList<RedisReply> more;
        check(parser.feed("+OK\r\n", more) == RespParser::Status::Error && more.isEmpty(),
              "input accepted after an error");
    } else {
        check(!parser.hasError(), "hasError() after Ok");
    }
    return result;
}

qint64 checkLimits(const RedisReply &reply, const RespParser::Limits &limits, int depth)
{
    check(depth <= 9, "reply nested deeper than hiredis allows");
    switch (reply.type) {
    case RedisReply::Type::Status:
    case RedisReply::Type::Error:
    case RedisReply::Type::String:
        check(reply.text.size() <= limits.maxBulkBytes, "string over maxBulkBytes");
        check(reply.elements.isEmpty(), "a string with elements");
        return reply.text.size();
    case RedisReply::Type::Array: {
        check(reply.elements.size() <= limits.maxArrayElements, "array over maxArrayElements");
        qint64 bytes = 0;
        for (const RedisReply &element : reply.elements)
            bytes += checkLimits(element, limits, depth + 1);
        return bytes;
    }
    case RedisReply::Type::Integer:
    case RedisReply::Type::Nil:
        check(reply.text.isEmpty() && reply.elements.isEmpty(), "a scalar with text or elements");
        return 0;
    case RedisReply::Type::Failure:
        break;
    }
    check(false, "the parser produced a Failure reply");
    return 0;
}

void encode(const RedisReply &reply, QByteArray &out)
{
    switch (reply.type) {
    case RedisReply::Type::Nil:
        out += "$-1\r\n";
        return;
    case RedisReply::Type::Status:
        out += '+' + reply.text + "\r\n";
        return;
    case RedisReply::Type::Error:
        out += '-' + reply.text + "\r\n";
        return;
    case RedisReply::Type::Integer:
        out += ':' + QByteArray::number(reply.integer) + "\r\n";
        return;
    case RedisReply::Type::String:
        out += '$' + QByteArray::number(reply.text.size()) + "\r\n" + reply.text + "\r\n";
        return;
    case RedisReply::Type::Array:
        out += '*' + QByteArray::number(reply.elements.size()) + "\r\n";
        for (const RedisReply &element : reply.elements)
            encode(element, out);
        return;
    case RedisReply::Type::Failure:
        return;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quint32 seed = 0;
    quint8 mode = 0;
    size_t respSize = size;
    if (size >= 5) {
        respSize = size - 5;
        seed = quint32(data[respSize]) | quint32(data[respSize + 1]) << 8 | quint32(data[respSize + 2]) << 16
               | quint32(data[respSize + 3]) << 24;
        mode = data[size - 1];
    }
    const QByteArray resp = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(respSize));

    RespParser::Limits limits;
    if (mode & 1) {
        limits.maxBulkBytes = 64;
        limits.maxArrayElements = 8;
        limits.maxReplyBytes = 256;
    }
    static constexpr qsizetype MaxPieces[] = {1, 3, 7, 64, 4096};
    const qsizetype maxPiece = MaxPieces[(mode >> 1) % 5];

    Result whole;
    QByteArray wholeError;
    whole.status = RespParser::parseAll(resp, whole.replies, &wholeError, limits);
    check((whole.status == RespParser::Status::Error) == !wholeError.isEmpty(), "status and error disagree");

    const Result pieces = feedInPieces(resp, limits, seed, maxPiece);
    check(pieces.status == whole.status, "feeding in pieces changed the status");
    check(pieces.replies == whole.replies, "feeding in pieces changed the replies");

    for (const qint64 direct : {qint64(0), qint64(1 + seed % 16)}) {
        RespParser::Limits directLimits = limits;
        directLimits.directBulkBytes = direct;
        Result directWhole;
        directWhole.status = RespParser::parseAll(resp, directWhole.replies, nullptr, directLimits);
        check(directWhole.status == whole.status, "reading bulk strings past hiredis changed the status");
        check(directWhole.replies == whole.replies, "reading bulk strings past hiredis changed the replies");
        const Result directPieces = feedInPieces(resp, directLimits, ~seed, maxPiece);
        check(directPieces.status == whole.status, "bulk strings past hiredis in pieces changed the status");
        check(directPieces.replies == whole.replies, "bulk strings past hiredis in pieces changed the replies");
    }

    QByteArray again;
    for (const RedisReply &reply : whole.replies) {
        check(checkLimits(reply, limits, 1) <= limits.maxReplyBytes, "reply over maxReplyBytes");
        check(!reply.describe().isEmpty(), "empty description");
        if (reply.isError())
            check(reply.text.startsWith(reply.errorCode()), "error code is not the error's first word");
        encode(reply, again);
    }
    // The replies, written back as RESP, read back the same.
    QList<RedisReply> reparsed;
    check(RespParser::parseAll(again, reparsed, nullptr, limits) == RespParser::Status::Ok,
          "re-encoded replies do not parse");
    check(reparsed == whole.replies, "re-encoded replies parse differently");
    return 0;
}
