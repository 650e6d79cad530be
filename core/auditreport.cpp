#include "auditreport.h"

#include "payload.h"

namespace Eventscope {

void appendJsonNameOrNull(QByteArray &out, const QByteArray &name)
{
    if (name.isEmpty()) {
        out += "null";
        return;
    }
    appendJsonString(out, isValidUtf8(name) ? name : QString::fromUtf8(name).toUtf8());
}

void appendAuditFinding(QByteArray &out, const AuditFinding &finding, bool json)
{
    if (json) {
        out += "{\"check\":\"";
        out += auditCheckName(finding.check);
        out += "\",\"stream\":";
        appendJsonNameOrNull(out, finding.stream);
        out += ",\"version\":";
        out += finding.version > 0 ? QByteArray::number(finding.version) : QByteArray("null");
        out += ",\"id\":";
        appendJsonNameOrNull(out, finding.id);
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

QByteArray auditSummaryText(const AuditSummary &summary, bool json)
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

} // namespace Eventscope
