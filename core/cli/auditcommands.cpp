#include "auditcommands.h"

#include "auditor.h"
#include "cli.h"
#include "connectionargs.h"
#include "payload.h"
#include "redisconnection.h"

#include <QCommandLineParser>

#include <memory>

namespace Eventscope {

const char *const AuditCommandsUsage = R"(  audit [STREAM] [--json-payloads]
                               integrity audit of the whole store (or one stream): dangling-ref, duplicate-ref,
                               orphan, id-gap, foreign-id, count-mismatch, order, revision-mismatch,
                               time-regression, not-a-stream, bad-payload; exit 8 when anything is found
)";

QList<QCommandLineOption> auditCommandOptions()
{
    return {
        option(QStringLiteral("json-payloads")),
    };
}

namespace {

void appendName(QByteArray &out, const QByteArray &name)
{
    if (name.isEmpty()) {
        out += "null";
        return;
    }
    appendJsonString(out, isValidUtf8(name) ? name : QString::fromUtf8(name).toUtf8());
}

void appendFinding(QByteArray &out, const AuditFinding &finding, bool json)
{
    if (json) {
        out += "{\"check\":\"";
        out += auditCheckName(finding.check);
        out += "\",\"stream\":";
        appendName(out, finding.stream);
        out += ",\"version\":";
        out += finding.version > 0 ? QByteArray::number(finding.version) : QByteArray("null");
        out += ",\"id\":";
        appendName(out, finding.id);
        out += ",\"detail\":";
        appendJsonString(out, finding.detail.toUtf8());
        out += "}\n";
        return;
    }
    auto orDash = [](const QByteArray &text) {
        return text.isEmpty() ? QByteArray("-") : text;
    };
    out += QByteArray(auditCheckName(finding.check)) + '\t' + orDash(finding.stream) + '\t'
           + (finding.version > 0 ? QByteArray::number(finding.version) : QByteArray("-")) + '\t' + orDash(finding.id)
           + '\t' + finding.detail.toUtf8() + '\n';
}

QByteArray summaryText(const AuditSummary &summary, bool json)
{
    QByteArray out;
    if (json) {
        out = "{\"summary\":{";
        for (int i = 0; i < AuditCheckCount; ++i) {
            if (i)
                out += ',';
            out += '"' + QByteArray(auditCheckName(AuditCheck(i))) + "\":" + QByteArray::number(summary.counts[i]);
        }
        out += "},\"commits\":" + QByteArray::number(summary.commits)
               + ",\"streams\":" + QByteArray::number(summary.streams) + "}\n";
        return out;
    }
    out = "audit: " + QByteArray::number(summary.commits) + " commits, " + QByteArray::number(summary.streams)
          + " streams: ";
    if (summary.total() == 0)
        return out + "nothing found\n";
    out += QByteArray::number(summary.total()) + " findings (";
    bool first = true;
    for (int i = 0; i < AuditCheckCount; ++i) {
        if (!summary.counts[i])
            continue;
        if (!first)
            out += ", ";
        first = false;
        out += QByteArray(auditCheckName(AuditCheck(i))) + ' ' + QByteArray::number(summary.counts[i]);
    }
    return out + ")\n";
}

void runAudit(const CliContext &context, const AuditOptions &options)
{
    auto *auditor = new Auditor(context.connection(), context.layout, context.owner);
    const bool json = context.json;
    QObject::connect(auditor, &Auditor::findings, context.owner, [context, json](const QList<AuditFinding> &batch) {
        QByteArray out;
        for (const AuditFinding &finding : batch)
            appendFinding(out, finding, json);
        context.write(out);
    });
    QObject::connect(auditor, &Auditor::finished, context.owner, [context, json](const AuditSummary &summary) {
        context.write(summaryText(summary, json));
        context.finish(summary.total() ? ExitFindings : ExitOk, {});
    });
    QObject::connect(auditor, &Auditor::failed, context.owner, [context, auditor](const QString &message) {
        const bool connected = auditor->parent() && context.connection()
                               && context.connection()->state() == RedisConnection::State::Connected;
        context.finish(message.startsWith(QLatin1String("no stream")) || message.contains(QLatin1String(", not a "))
                           ? ExitNoSuchKey
                       : connected ? ExitError
                                   : ExitConnection,
                       message);
    });
    auditor->start(options);
}

} // namespace

std::optional<int> runAuditCommand(const QString &command, const QStringList &args, const QCommandLineParser &parser,
                                   const CliContext &context)
{
    if (command == QLatin1String("audit")) {
        if (args.size() > 1)
            return context.usage(QStringLiteral("audit takes at most one STREAM"));
        AuditOptions options;
        if (!args.isEmpty() && args.first() != QLatin1String(AllStreamName))
            options.stream = args.first().toUtf8();
        if (parser.isSet(QStringLiteral("json-payloads")))
            options.jsonPayloads = true;
        context.connectThen([context, options] { runAudit(context, options); });
        return -1;
    }
    return std::nullopt;
}

} // namespace Eventscope
