#pragma once

#include <QByteArray>
#include <QList>

#include <optional>
#include <vector>

namespace Eventscope::Sandbox {

// The framed protocol between the application and eventscope-sandbox (stdin: requests, stdout: replies).
//
// Every frame is   u32 length (little endian, counts what follows) | u8 kind | body
// A frame is at most MaxFrame bytes. Requests are answered in order, exactly once each; while a request runs the
// sandbox may send any number of Progress frames first (at least one every chunk of work, so a silent sandbox is a
// stuck one).
//
// Requests (application -> sandbox):
//   'C' Compile   JSON {"script": text, "name": file name for messages, "layout": "seed"|"zilverline",
//                 "seed": number, "compileMs", "eventMs", "stateBytes": limits}
//                 -> 'K' Compiled JSON {"form": "reducer"|"kurrent", "sources": {...}, "hasResult": bool}
//                 or 'X' Error
//   'R' Reset     (empty) state := init() / $init()        -> 'A' Ack, or 'X'
//   'S' SetState  JSON text of a state (a checkpoint)        -> 'A', or 'X'
//   'E' Events    a batch (encodeEvents)                     -> 'D' Done JSON {"events": n, "emits": [...],
//                 "logs": [...]}, or 'X' (the state is then undefined: send 'S' or 'R' before more events)
//   'G' GetState  (empty)                                    -> 'T' State: u32 n | state JSON | u32 m | result JSON
//                 (result: the output after transformBy/filterBy; empty when the projection has none; "null" when
//                 filterBy rejected the state)
// Replies (sandbox -> application): 'K', 'A', 'D', 'T' as above; 'P' Progress: i64 events done in this batch;
// 'X' Error JSON {"kind": "compile"|"exception"|"time"|"state"|"memory"|"stack"|"protocol", "name", "message",
//   "line", "column", "index": index of the commit in the batch, "version", "id"}
enum class Kind : char {
    Compile = 'C',
    Reset = 'R',
    SetState = 'S',
    Events = 'E',
    GetState = 'G',
    Compiled = 'K',
    Ack = 'A',
    Done = 'D',
    State = 'T',
    Progress = 'P',
    Error = 'X',
};

inline constexpr qsizetype MaxFrame = 1024 * 1024 * 1024; // 1 GiB; a batch is far smaller
inline constexpr qsizetype HeaderSize = 5;

struct Frame
{
    Kind kind = Kind::Error;
    QByteArray body;
};

QByteArray encodeFrame(Kind kind, const QByteArray &body);

// Takes whole frames off the front of buffer. Returns nullopt when more bytes are needed; sets *error (and returns
// nullopt) on a frame longer than MaxFrame or empty.
std::optional<Frame> takeFrame(QByteArray &buffer, qsizetype *consumed, bool *error);

// One commit as the sandbox sees it. payload is empty and missing set for an id the hash lacks.
struct Commit
{
    qint64 version = 0;
    QByteArray id;
    QByteArray stream;
    QByteArray payload;
    bool missing = false;
};

// u32 count, then per commit: i64 version | u8 missing | u32 len id | u32 len stream | u32 len payload | bytes
QByteArray encodeEvents(const QList<Commit> &commits);
// The whole 'E' frame (header and body) in one buffer: encodeFrame(Events, encodeEvents(commits)) without the copy.
QByteArray encodeEventsFrame(const QList<Commit> &commits);
std::optional<QList<Commit>> decodeEvents(const QByteArray &body);

// A commit of a decoded batch, pointing into the body it was decoded from (which must outlive it): the sandbox
// reads a batch without copying each id, stream and payload.
struct CommitView
{
    qint64 version = 0;
    QByteArrayView id;
    QByteArrayView stream;
    QByteArrayView payload;
    bool missing = false;
};
std::optional<std::vector<CommitView>> decodeEventViews(QByteArrayView body);

// 'T' bodies.
QByteArray encodeState(const QByteArray &state, const QByteArray &result);
bool decodeState(const QByteArray &body, QByteArray *state, QByteArray *result);

} // namespace Eventscope::Sandbox
