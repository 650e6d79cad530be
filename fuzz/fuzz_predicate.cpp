// Predicate::parse on arbitrary text, and evaluation of what parses against fixed payloads: never a crash or a
// runaway recursion; an error always has a message and a position inside the expression; parsing is
// deterministic. Also readCommitRecord (the audit's top-level field reader) on the same bytes.
#include "auditor.h"
#include "predicate.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Eventscope;

namespace {

void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz_predicate: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString expression = QString::fromUtf8(bytes);
    static const QJsonValue payload
        = QJsonDocument::fromJson(R"({"type":"Deposited","amount":150,"data":{"amount":120,"items":[{"sku":"a"}]},
                                      "tags":["x",1,null],"flag":true,"name":"Ada"})")
              .object();

    Predicate::Error error;
    const std::optional<Predicate> predicate = Predicate::parse(expression, &error);
    if (!predicate) {
        check(!error.message.isEmpty(), "an error without a message");
        check(error.position >= 0 && error.position <= expression.size(), "an error position outside the text");
    } else {
        const bool first = predicate->matches(payload, "s", 1, "e1");
        check(first == predicate->matches(payload, "s", 1, "e1"), "evaluation is not deterministic");
        predicate->matches(QJsonValue(QJsonValue::Undefined));
        predicate->matches(QJsonDocument::fromJson(bytes).object());
    }
    Predicate::Error again;
    check(Predicate::parse(expression, &again).has_value() == predicate.has_value(), "parsing is not deterministic");

    const CommitRecordFields record = readCommitRecord(bytes);
    if (!record.isObject)
        check(!record.storeRevision && !record.streamId, "fields read from something that is not a JSON object");
    return 0;
}
