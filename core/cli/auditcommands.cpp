#include "auditcommands.h"

#include "auditor.h"
#include "auditreport.h"
#include "cli.h"
#include "connectionargs.h"
#include "payload.h"
#include "recordjson.h"
#include "redisconnection.h"
#include "sealedexport.h"
#include "searcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

namespace Eventscope {

const char *const AuditCommandsUsage = R"(  audit [STREAM] [--json-payloads]
                               integrity audit of the whole store (or one stream): dangling-ref, duplicate-ref,
                               orphan, id-gap, foreign-id, count-mismatch, order, revision-mismatch,
                               time-regression, not-a-stream, bad-payload; exit 8 when anything is found
  search [STREAM...|$all] [--type T] [--text S] [--regex RE] [--where EXPR] [--max-scan N]
                               commits whose event type is T, whose payload contains S or matches RE, or whose JSON
                               satisfies EXPR (e.g. 'data.amount > 100 && type == "Deposited"': == != < <= > >=
                               && || ! ( ), contains, matches "re", paths a.b[0], $id $stream $version), printed
                               as JSON Lines like `events`; without STREAM: $all, or every stream --streams matches;
                               stops after N commits looked at (default 100000, 0: no cap) and says so on stderr
  export STREAM...|$all --out DIR
                               tamper-evident export: DIR/records.jsonl (records as `events` prints them),
                               DIR/chain.sha256 (SHA-256 chain over the records) and DIR/manifest.json (counts,
                               first/last id, server run_id and time, the final chain value)
  verify DIR                   checks an export against its chain and manifest; exit 8 naming the first record
                               (line, id) that does not match, 1 when it cannot be read
  diff DIR1 DIR2               commits added, removed or changed from export DIR1 to DIR2; exit 8 when any
)";

QList<QCommandLineOption> auditCommandOptions()
{
    return {
        option(QStringLiteral("json-payloads")),
        option(QStringLiteral("out"), QStringLiteral("DIR")),
        option(QStringLiteral("type"), QStringLiteral("T")),
        option(QStringLiteral("text"), QStringLiteral("S")),
        option(QStringLiteral("regex"), QStringLiteral("RE")),
        option(QStringLiteral("where"), QStringLiteral("EXPR")),
        option(QStringLiteral("max-scan"), QStringLiteral("N")),
    };
}

namespace {

// A missing stream or wrong key type is exit 5; a failure that left the connection down is a connection failure (4).
int exitFor(StreamReader::Error kind, const CliContext &context)
{
    switch (kind) {
    case StreamReader::Error::NoSuchStream:
    case StreamReader::Error::WrongType:
        return ExitNoSuchKey;
    case StreamReader::Error::Connection:
        return ExitConnection;
    case StreamReader::Error::None:
    case StreamReader::Error::Other:
        break;
    }
    const bool connected = context.connection() && context.connection()->state() == RedisConnection::State::Connected;
    return connected ? ExitError : ExitConnection;
}

void runAudit(const CliContext &context, const AuditOptions &options)
{
    auto *auditor = new Auditor(context.connection(), context.layout, context.owner);
    const bool json = context.json;
    QObject::connect(auditor, &Auditor::findings, context.owner, [context, json](const QList<AuditFinding> &batch) {
        QByteArray out;
        for (const AuditFinding &finding : batch)
            appendAuditFinding(out, finding, json);
        context.write(out);
    });
    QObject::connect(auditor, &Auditor::finished, context.owner, [context, json](const AuditSummary &summary) {
        context.write(auditSummaryText(summary, json));
        context.finish(summary.total() ? ExitFindings : ExitOk, {});
    });
    QObject::connect(auditor, &Auditor::failed, context.owner, [context, auditor](const QString &message) {
        context.finish(exitFor(auditor->failure(), context), message);
    });
    auditor->start(options);
}

void runExport(const CliContext &context, const QList<QByteArray> &streams, const QString &directory)
{
    auto *exporter = new SealedExporter(context.connection(), context.layout, context.owner);
    const bool json = context.json;
    QObject::connect(exporter, &SealedExporter::finished, context.owner,
                     [context, json, directory](qint64 records, const QByteArray &finalChain) {
                         QByteArray out;
                         if (json) {
                             out = "{\"directory\":";
                             appendJsonString(out, directory.toUtf8());
                             out += ",\"records\":" + QByteArray::number(records) + ",\"chain\":\"" + finalChain
                                    + "\"}\n";
                         } else {
                             out = "exported " + QByteArray::number(records) + " records to " + directory.toUtf8()
                                   + "; final SHA-256 chain value " + finalChain + '\n';
                         }
                         context.write(out);
                         context.finish(ExitOk, {});
                     });
    QObject::connect(exporter, &SealedExporter::failed, context.owner, [context, exporter](const QString &message) {
        context.finish(exitFor(exporter->failure(), context), message);
    });
    exporter->start(streams, directory, QStringLiteral("eventscope-cli ") + QCoreApplication::applicationVersion());
}

void runSearch(const CliContext &context, const SearchRequest &request, const SearchQuery &query)
{
    auto *searcher = new Searcher(context.connection(), context.layout, context.owner);
    QObject::connect(searcher, &Searcher::matches, context.owner, [context](const QList<EventRecord> &records) {
        QByteArray out;
        for (const EventRecord &record : records)
            appendEventJson(out, record, true);
        context.write(out);
    });
    QObject::connect(searcher, &Searcher::finished, context.owner,
                     [context](qint64 scanned, qint64 matched, bool capped) {
                         std::fprintf(stderr, "search: %lld matches in %lld commits looked at%s\n",
                                      static_cast<long long>(matched), static_cast<long long>(scanned),
                                      capped ? "; stopped at --max-scan, raise it to search further" : "");
                         context.finish(ExitOk, {});
                     });
    QObject::connect(searcher, &Searcher::failed, context.owner, [context, searcher](const QString &message) {
        context.finish(exitFor(searcher->failure(), context), message);
    });
    QString error;
    if (!searcher->start(request, query, &error))
        context.finish(ExitUsage, error);
}

int runVerify(const CliContext &context, const QString &directory)
{
    const VerifyResult result = verifyExport(directory);
    QByteArray out;
    if (context.json) {
        out = QByteArray("{\"ok\":") + (result.ok ? "true" : "false")
              + ",\"records\":" + QByteArray::number(result.records)
              + ",\"line\":" + (result.badLine ? QByteArray::number(result.badLine) : QByteArray("null")) + ",\"id\":";
        appendJsonNameOrNull(out, result.badId);
        out += ",\"message\":";
        appendJsonString(out, result.message.toUtf8());
        out += "}\n";
    } else {
        out = (result.ok ? "ok: " : "FAILED: ") + result.message.toUtf8() + '\n';
    }
    context.write(out);
    if (result.ok)
        return ExitOk;
    // Unreadable (no manifest, missing files) is an error; a record that does not match is a finding.
    return result.mismatch ? ExitFindings : ExitError;
}

int runDiff(const CliContext &context, const QString &before, const QString &after)
{
    QByteArray out;
    const bool json = context.json;
    const DiffResult result = diffExports(before, after, [&](const DiffEntry &entry) {
        if (json) {
            out += QByteArray("{\"change\":\"") + diffKindName(entry.kind) + "\",\"stream\":";
            appendJsonNameOrNull(out, entry.stream);
            out += ",\"version\":" + QByteArray::number(entry.version) + ",\"id\":";
            appendJsonNameOrNull(out, entry.id);
            out += "}\n";
        } else {
            out += QByteArray(diffKindName(entry.kind)) + '\t' + entry.stream + '\t' + QByteArray::number(entry.version)
                   + '\t' + entry.id + '\n';
        }
        if (out.size() > (1 << 16))
            context.write(std::exchange(out, {}));
    });
    if (!result.ok)
        return context.finish(ExitError, result.message), ExitError;
    if (json)
        out += "{\"summary\":{\"added\":" + QByteArray::number(result.added) + ",\"removed\":"
               + QByteArray::number(result.removed) + ",\"changed\":" + QByteArray::number(result.changed)
               + ",\"unchanged\":" + QByteArray::number(result.unchanged) + "}}\n";
    else
        out += "diff: " + result.message.toUtf8() + '\n';
    context.write(out);
    return result.identical() ? ExitOk : ExitFindings;
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
    if (command == QLatin1String("search")) {
        SearchQuery query;
        query.type = parser.value(QStringLiteral("type"));
        query.text = parser.value(QStringLiteral("text")).toUtf8();
        query.regex = parser.value(QStringLiteral("regex"));
        query.where = parser.value(QStringLiteral("where"));
        if (query.isEmpty())
            return context.usage(QStringLiteral("search needs --type, --text, --regex or --where"));
        QString error;
        if (!SearchMatcher::compile(query, context.layout, &error))
            return context.usage(error);
        SearchRequest request;
        for (const QString &arg : args)
            request.streams.append(arg.toUtf8());
        if (request.streams.isEmpty() && !parser.isSet(QStringLiteral("streams")))
            request.streams.append(AllStreamName);
        if (parser.isSet(QStringLiteral("max-scan"))) {
            bool ok = false;
            request.maxScan = parser.value(QStringLiteral("max-scan")).toLongLong(&ok);
            if (!ok || request.maxScan < 0)
                return context.usage(QStringLiteral("--max-scan takes a number of commits (0: no cap)"));
        }
        context.connectThen([context, request, query] { runSearch(context, request, query); });
        return -1;
    }
    if (command == QLatin1String("export")) {
        if (args.isEmpty())
            return context.usage(QStringLiteral("export takes STREAM... or $all, and --out DIR"));
        if (!parser.isSet(QStringLiteral("out")) || parser.value(QStringLiteral("out")).isEmpty())
            return context.usage(QStringLiteral("export needs --out DIR"));
        QList<QByteArray> streams;
        for (const QString &arg : args)
            streams.append(arg.toUtf8());
        const QString directory = parser.value(QStringLiteral("out"));
        context.connectThen([context, streams, directory] { runExport(context, streams, directory); });
        return -1;
    }
    if (command == QLatin1String("verify")) {
        if (args.size() != 1)
            return context.usage(QStringLiteral("verify takes one export DIR"));
        const int code = runVerify(context, args.first());
        context.finish(code, {});
        return code;
    }
    if (command == QLatin1String("diff")) {
        if (args.size() != 2)
            return context.usage(QStringLiteral("diff takes two export directories"));
        const int code = runDiff(context, args.at(0), args.at(1));
        context.finish(code, {});
        return code;
    }
    return std::nullopt;
}

} // namespace Eventscope
