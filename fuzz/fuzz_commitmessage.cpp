// parseCommitMessage for both layouts on arbitrary channel messages: never a crash, and what it returns is
// consistent with the layout (every id is an id of the layout; Unknown always says why).
#include "commitmessage.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Eventscope;

namespace {

void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz_commitmessage: %s\n", what);
        std::abort();
    }
}

void checkMessage(const StoreLayout &layout, const QByteArray &raw)
{
    const CommitMessage message = parseCommitMessage(layout, raw);
    if (message.kind == CommitMessage::Kind::Unknown) {
        check(!message.reason.isEmpty(), "Unknown without a reason");
        check(message.ids.isEmpty(), "Unknown with ids");
        return;
    }
    check(message.reason.isEmpty(), "a reason on a parsed message");
    check(!message.ids.isEmpty(), "a parsed message without ids");
    for (const QByteArray &id : message.ids) {
        const std::optional<qint64> number = layout.idNumber(id);
        check(number && *number > 0, "an id that is not an id of the layout");
        check(layout.idFor(*number) == id, "an id that is not in its canonical form");
    }
    switch (message.kind) {
    case CommitMessage::Kind::Ids:
        check(message.ids.join(' ') == raw.simplified(), "ids that are not the message's words");
        check(message.stream.isEmpty() && message.version == -1, "bare ids naming a stream");
        break;
    case CommitMessage::Kind::Notice:
        check(raw.trimmed().startsWith('{'), "a notice that is not a JSON object");
        break;
    case CommitMessage::Kind::Record:
        check(message.ids.size() == 1, "a record with more than one id");
        check(message.eventCount >= -1 && message.timestampMs >= -1 && message.version >= -1,
              "a negative count, timestamp or version");
        break;
    case CommitMessage::Kind::Unknown:
        break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const StoreLayout seed = StoreLayout::seed();
    static const StoreLayout zilverline = StoreLayout::zilverline("blog");
    const QByteArray raw(reinterpret_cast<const char *>(data), qsizetype(size));
    checkMessage(seed, raw);
    checkMessage(zilverline, raw);
    return 0;
}
