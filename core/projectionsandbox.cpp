#include "projectionsandbox.h"

#include "sandboxprotocol.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QtEndian>

namespace Eventscope {

using namespace Eventscope::Sandbox;

ProjectionError ProjectionError::read(const QString &message)
{
    ProjectionError error;
    error.kind = Kind::Read;
    error.name = QStringLiteral("ReadError");
    error.message = message;
    return error;
}

QString ProjectionError::text() const
{
    if (kind == Kind::None)
        return {};
    QString out = name.isEmpty() ? QStringLiteral("Error") : name;
    if (version >= 0) {
        out += (atOrAfter ? QStringLiteral(" from version ") : QStringLiteral(" at version "))
               + QString::number(version);
        if (!id.isEmpty())
            out += QStringLiteral(" (") + QString::fromUtf8(id) + QLatin1Char(')');
    }
    if (line > 0) {
        out += QStringLiteral(", line ") + QString::number(line);
        if (column > 0)
            out += QLatin1Char(':') + QString::number(column);
    }
    if (!message.isEmpty())
        out += QStringLiteral(": ") + message;
    return out;
}

ProjectionSandbox::ProjectionSandbox(QObject *parent)
    : QObject(parent)
{
    m_silence.setSingleShot(true);
    connect(&m_silence, &QTimer::timeout, this, &ProjectionSandbox::onSilence);
}

ProjectionSandbox::~ProjectionSandbox()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000); // reaps the child; it was killed, so this is quick
    }
}

QString ProjectionSandbox::defaultProgram()
{
    const QString fromEnvironment = qEnvironmentVariable("EVENTSCOPE_SANDBOX");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/eventscope-sandbox");
    if (QFileInfo(beside).isExecutable())
        return beside;
    // Where the packages install it (libexec: a helper, not a command).
    const QString installed = QStringLiteral(EVENTSCOPE_SANDBOX_INSTALLED);
    if (QFileInfo(installed).isExecutable())
        return installed;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("eventscope-sandbox"));
    return onPath.isEmpty() ? beside : onPath;
}

void ProjectionSandbox::start(const SandboxLimits &limits, const QString &program)
{
    stop();
    m_limits = limits;
    m_lastError = {};
    m_stderr.clear();
    m_buffer.clear();
    m_consumed = 0;
    m_process = new QProcess(this);
    m_process->setProgram(program.isEmpty() ? defaultProgram() : program);
    m_process->setArguments({QStringLiteral("--memory-mib"), QString::number(limits.memoryMiB),
                             QStringLiteral("--stack-depth"), QString::number(limits.stackDepth)});
    // Nothing of the application's environment is needed inside (no secrets either): a minimal one.
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false"));
    m_process->setProcessEnvironment(environment);
    m_process->setReadChannel(QProcess::StandardOutput);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &ProjectionSandbox::onReadable);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > 8192)
            m_stderr = m_stderr.right(8192);
    });
    connect(m_process, &QProcess::finished, this, &ProjectionSandbox::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        ProjectionError failure;
        failure.kind = ProjectionError::Kind::Crashed;
        failure.name = QStringLiteral("SandboxError");
        failure.message
            = QStringLiteral("cannot start the sandbox %1: %2").arg(m_process->program(), m_process->errorString());
        failAll(failure);
    });
    m_process->start(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

void ProjectionSandbox::stop()
{
    if (!m_process)
        return;
    QProcess *process = m_process;
    m_process = nullptr;
    process->disconnect(this);
    process->kill();
    process->waitForFinished(1000);
    process->deleteLater();
    ProjectionError stopped;
    stopped.kind = ProjectionError::Kind::Crashed;
    stopped.name = QStringLiteral("Stopped");
    stopped.message = QStringLiteral("the sandbox was stopped");
    failAll(stopped);
}

bool ProjectionSandbox::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 ProjectionSandbox::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void ProjectionSandbox::send(char kind, const QByteArray &body, Pending pending)
{
    sendFrame(encodeFrame(Kind(kind), body), std::move(pending));
}

void ProjectionSandbox::sendFrame(const QByteArray &frame, Pending pending)
{
    if (!m_process) {
        ProjectionError error;
        error.kind = ProjectionError::Kind::Crashed;
        error.name = QStringLiteral("SandboxError");
        error.message = QStringLiteral("the sandbox is not running");
        pending.reply({}, error);
        return;
    }
    if (m_pending.empty())
        m_silence.start(m_limits.compileMs + 5 * m_limits.eventMs + 2000 + m_limits.answerGraceMs);
    m_pendingCommits += pending.pins.size();
    m_pending.push_back(std::move(pending));
    m_process->write(frame);
}

void ProjectionSandbox::compile(const QByteArray &script, const QString &name, const QString &layout, quint32 seed,
                                CompileCallback callback)
{
    const QJsonObject request{{QStringLiteral("script"), QString::fromUtf8(script)},
                              {QStringLiteral("name"), name},
                              {QStringLiteral("layout"), layout},
                              {QStringLiteral("seed"), qint64(seed)},
                              {QStringLiteral("compileMs"), m_limits.compileMs},
                              {QStringLiteral("eventMs"), m_limits.eventMs},
                              {QStringLiteral("stateBytes"), double(m_limits.stateBytes)}};
    send(char(Kind::Compile), QJsonDocument(request).toJson(QJsonDocument::Compact),
         {char(Kind::Compiled),
          [callback](const QByteArray &body, const ProjectionError &error) {
              CompileInfo info;
              if (!error.isError()) {
                  const QJsonObject object = QJsonDocument::fromJson(body).object();
                  info.form = object.value(QStringLiteral("form")).toString();
                  info.sources = object.value(QStringLiteral("sources")).toObject();
                  info.hasResult = object.value(QStringLiteral("hasResult")).toBool();
              }
              ProjectionError failure = error;
              if (failure.kind == ProjectionError::Kind::Exception)
                  failure.kind = ProjectionError::Kind::Compile;
              callback(info, failure);
          },
          {}});
}

void ProjectionSandbox::reset(DoneCallback callback)
{
    send(char(Kind::Reset), {},
         {char(Kind::Ack), [callback](const QByteArray &, const ProjectionError &error) { callback(error); }, {}});
}

void ProjectionSandbox::setState(const QByteArray &stateJson, DoneCallback callback)
{
    send(char(Kind::SetState), stateJson,
         {char(Kind::Ack), [callback](const QByteArray &, const ProjectionError &error) { callback(error); }, {}});
}

void ProjectionSandbox::feed(const QList<EventRecord> &records, BatchCallback callback)
{
    QList<Commit> commits;
    commits.reserve(records.size());
    QList<EventRecord> pins;
    pins.reserve(records.size());
    for (const EventRecord &record : records) {
        commits.append(Commit{record.version, record.id, record.stream, record.payload, record.missing});
        pins.append(EventRecord{record.stream, record.version, record.id, {}, record.missing});
    }
    sendFrame(encodeEventsFrame(commits),
              {char(Kind::Done),
               [callback](const QByteArray &body, const ProjectionError &error) {
                   BatchResult result;
                   if (!error.isError()) {
                       const QJsonObject log
                           = QJsonDocument::fromJson(body).object().value(QStringLiteral("log")).toObject();
                       result.emits = log.value(QStringLiteral("emits")).toArray();
                       result.emitCount = qint64(log.value(QStringLiteral("emitCount")).toDouble());
                       result.logs = log.value(QStringLiteral("logs")).toArray();
                   }
                   callback(result, error);
               },
               std::move(pins)});
}

void ProjectionSandbox::snapshot(StateCallback callback)
{
    send(char(Kind::GetState), {},
         {char(Kind::State),
          [callback](const QByteArray &body, const ProjectionError &error) {
              StateSnapshot snapshot;
              ProjectionError failure = error;
              if (!failure.isError() && !decodeState(body, &snapshot.state, &snapshot.result)) {
                  failure.kind = ProjectionError::Kind::Protocol;
                  failure.name = QStringLiteral("ProtocolError");
                  failure.message = QStringLiteral("a malformed state from the sandbox");
              }
              callback(snapshot, failure);
          },
          {}});
}

ProjectionError ProjectionSandbox::errorFrom(const QByteArray &body, const Pending &pending) const
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    ProjectionError error;
    const QString kind = object.value(QStringLiteral("kind")).toString();
    using K = ProjectionError::Kind;
    error.kind = kind == QLatin1String("compile")     ? K::Compile
                 : kind == QLatin1String("exception") ? K::Exception
                 : kind == QLatin1String("time")      ? K::Time
                 : kind == QLatin1String("state")     ? K::StateSize
                 : kind == QLatin1String("memory")    ? K::Memory
                 : kind == QLatin1String("stack")     ? K::Stack
                                                      : K::Protocol;
    error.name = object.value(QStringLiteral("name")).toString();
    error.message = object.value(QStringLiteral("message")).toString();
    error.line = object.value(QStringLiteral("line")).toInt(-1);
    error.column = object.value(QStringLiteral("column")).toInt(-1);
    const int index = object.value(QStringLiteral("index")).toInt(-1);
    if (index >= 0 && index < pending.pins.size()) {
        const EventRecord &pin = pending.pins.at(index);
        error.version = pin.version;
        error.id = pin.id;
        error.stream = pin.stream;
        error.atOrAfter = object.value(QStringLiteral("approximate")).toBool();
    }
    if (error.kind == K::Memory)
        error.message += QStringLiteral(" (ceiling %1 MiB)").arg(m_limits.memoryMiB);
    return error;
}

void ProjectionSandbox::onReadable()
{
    if (!m_process)
        return;
    m_buffer += m_process->readAllStandardOutput();
    bool malformed = false;
    while (auto frame = takeFrame(m_buffer, &m_consumed, &malformed)) {
        if (frame->kind == Kind::Progress) {
            if (frame->body.size() == 8)
                Q_EMIT progress(qFromLittleEndian<qint64>(frame->body.constData()));
            m_silence.start();
            continue;
        }
        if (m_pending.empty()) {
            malformed = true;
            break;
        }
        Pending pending = std::move(m_pending.front());
        m_pending.pop_front();
        m_pendingCommits -= pending.pins.size();
        if (m_pending.empty())
            m_silence.stop();
        else
            m_silence.start();
        ProjectionError error;
        if (frame->kind == Kind::Error) {
            error = errorFrom(frame->body, pending);
            if (error.kind == ProjectionError::Kind::Memory)
                m_lastError = error;
        } else if (frame->kind != Kind(pending.kind)) {
            error.kind = ProjectionError::Kind::Protocol;
            error.name = QStringLiteral("ProtocolError");
            error.message = QStringLiteral("the sandbox answered out of turn");
        }
        pending.reply(frame->body, error);
        if (!m_process)
            return; // a callback stopped us
    }
    if (malformed) {
        ProjectionError error;
        error.kind = ProjectionError::Kind::Protocol;
        error.name = QStringLiteral("ProtocolError");
        error.message = QStringLiteral("the sandbox sent a malformed frame");
        stop();
        failAll(error);
    }
}

void ProjectionSandbox::onFinished(int exitCode, QProcess::ExitStatus status)
{
    onReadable(); // whatever it wrote before it went
    ProjectionError error = m_lastError;
    if (!error.isError()) {
        error.kind = ProjectionError::Kind::Crashed;
        error.name = QStringLiteral("SandboxError");
        const QString detail = QString::fromUtf8(m_stderr.trimmed().right(300));
        error.message = status == QProcess::CrashExit
                            ? QStringLiteral("the sandbox crashed")
                                  + (detail.isEmpty() ? QString() : QStringLiteral(": ") + detail)
                            : QStringLiteral("the sandbox exited (code %1)").arg(exitCode);
    } else {
        error.message = QStringLiteral("the sandbox was stopped by the memory limit");
        error.version = -1;
    }
    if (m_process) {
        m_process->deleteLater();
        m_process = nullptr;
    }
    failAll(error);
}

void ProjectionSandbox::onSilence()
{
    if (m_pending.empty())
        return;
    ProjectionError error;
    error.kind = ProjectionError::Kind::Unresponsive;
    error.name = QStringLiteral("TimeLimit");
    error.message = QStringLiteral("time limit: the sandbox stopped answering for %1 ms and was killed")
                        .arg(m_silence.interval());
    if (!m_pending.front().pins.isEmpty()) {
        const EventRecord &pin = m_pending.front().pins.first();
        error.version = pin.version;
        error.id = pin.id;
        error.atOrAfter = true;
    }
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
        m_process->deleteLater();
        m_process = nullptr;
    }
    failAll(error);
}

void ProjectionSandbox::failAll(const ProjectionError &error)
{
    m_silence.stop();
    std::deque<Pending> pending;
    pending.swap(m_pending);
    m_pendingCommits = 0;
    for (Pending &each : pending)
        each.reply({}, error);
}

} // namespace Eventscope
