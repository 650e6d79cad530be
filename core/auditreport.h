#pragma once

#include "auditor.h"

#include <QByteArray>

namespace Eventscope {

// The audit report as `eventscope-cli audit` prints it, shared by the CLI and the GUI's "Export report…" so that
// both write the same bytes. JSON Lines: one object per finding ({"check","stream","version","id","detail"}, null
// where a finding names no stream, version or id), then {"summary":{check: count, ...},"commits":N,"streams":N}.
// Text: one tab-separated line per finding ("-" for none), then "audit: N commits, N streams: ..." .
void appendAuditFinding(QByteArray &out, const AuditFinding &finding, bool json);
QByteArray auditSummaryText(const AuditSummary &summary, bool json);

// A stream name or id as a JSON string (invalid UTF-8 replaced), or null when empty.
void appendJsonNameOrNull(QByteArray &out, const QByteArray &name);

} // namespace Eventscope
