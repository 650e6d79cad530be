#pragma once

#include "eventrecord.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QTimer>

#include <deque>
#include <functional>

namespace Eventscope {

// Limits of one projection run; KurrentDB's numbers are the defaults.
struct SandboxLimits
{
    int compileMs = 500;                  // the script's top level plus init()/$init
    int eventMs = 250;                    // one event's handler
    qint64 stateBytes = 16 * 1024 * 1024; // the state serialized as JSON
    qint64 memoryMiB = 1024;              // the sandbox process's address space (RLIMIT_AS); 0: none
    int stackDepth = 1000;                // nested JavaScript calls
    int answerGraceMs = 5000;             // beyond the limits above, before a silent sandbox is killed
};

// A projection failure pinned to its event: "TypeError at version 1234 (e5678), line 7: message".
struct ProjectionError
{
    enum class Kind { None, Compile, Exception, Time, StateSize, Memory, Stack, Crashed, Unresponsive, Protocol, Read };

    Kind kind = Kind::None;
    QString name;    // TypeError, SyntaxError, TimeLimit, StateLimit, MemoryLimit, StackLimit, ...
    QString message; // names the limit where one was broken
    qint64 version = -1;
    QByteArray id;
    QByteArray stream;
    int line = -1;
    int column = -1;        // 1-based; -1: unknown
    bool atOrAfter = false; // the memory ceiling: pinned to the first event of the stretch that was running

    bool isError() const { return kind != Kind::None; }
    QString text() const;

    // The events could not be read (Redis, or a version out of range): kind Read, name ReadError.
    static ProjectionError read(const QString &message);
};

struct CompileInfo
{
    QString form;           // "reducer" or "kurrent"
    QJsonObject sources;    // kurrent: {"kind": "all"|"stream"|"streams", "streams": [...]}
    bool hasResult = false; // transformBy/filterBy: the output differs from the state
};

struct BatchResult
{
    QJsonArray emits; // "would emit": {kind, stream, type, data, metadata, version, id}
    qint64 emitCount = 0;
    QJsonArray logs; // console lines: {level, text, version, id}
};

struct StateSnapshot
{
    QByteArray state;  // JSON
    QByteArray result; // JSON after transformBy/filterBy; empty when the projection has none
    // What the projection outputs: the result when there is one, else the state.
    QByteArray output() const { return result.isEmpty() ? state : result; }
};

// One eventscope-sandbox process, talked to asynchronously. Requests queue; each callback runs exactly once, in
// order, on the owner's thread. A sandbox that dies or stops answering fails every pending request.
class ProjectionSandbox final : public QObject
{
    Q_OBJECT
public:
    explicit ProjectionSandbox(QObject *parent = nullptr);
    ~ProjectionSandbox() override;

    // $EVENTSCOPE_SANDBOX, else eventscope-sandbox next to the running program, else on PATH.
    static QString defaultProgram();

    void start(const SandboxLimits &limits, const QString &program = {});
    void stop();
    bool isRunning() const;
    qint64 processId() const;

    using CompileCallback = std::function<void(const CompileInfo &, const ProjectionError &)>;
    using DoneCallback = std::function<void(const ProjectionError &)>;
    using BatchCallback = std::function<void(const BatchResult &, const ProjectionError &)>;
    using StateCallback = std::function<void(const StateSnapshot &, const ProjectionError &)>;

    // layout: "seed" or "zilverline" (a zilverline commit feeds each of its events).
    void compile(const QByteArray &script, const QString &name, const QString &layout, quint32 seed,
                 CompileCallback callback);
    void reset(DoneCallback callback);
    void setState(const QByteArray &stateJson, DoneCallback callback);
    void feed(const QList<EventRecord> &records, BatchCallback callback);
    void snapshot(StateCallback callback);

    int pendingRequests() const { return int(m_pending.size()); }
    qint64 pendingCommits() const { return m_pendingCommits; }

Q_SIGNALS:
    // Commits of the oldest pending batch done so far (the sandbox reports after each stretch of work).
    void progress(qint64 commitsDone);

private:
    struct Pending
    {
        char kind;
        std::function<void(const QByteArray &, const ProjectionError &)> reply;
        QList<EventRecord> pins; // a batch's commits (payloads dropped), to pin an error to its event
    };

    void send(char kind, const QByteArray &body, Pending pending);
    void sendFrame(const QByteArray &frame, Pending pending);
    void onReadable();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onSilence();
    void failAll(const ProjectionError &error);
    ProjectionError errorFrom(const QByteArray &body, const Pending &pending) const;

    QProcess *m_process = nullptr;
    SandboxLimits m_limits;
    QByteArray m_buffer;
    qsizetype m_consumed = 0;
    std::deque<Pending> m_pending;
    qint64 m_pendingCommits = 0;
    QTimer m_silence;
    ProjectionError m_lastError; // a memory error arrives just before the process dies
    QByteArray m_stderr;
};

} // namespace Eventscope

Q_DECLARE_METATYPE(Eventscope::ProjectionError)
