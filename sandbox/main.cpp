// eventscope-sandbox: runs one JavaScript projection over events it receives on stdin, answering on stdout (the
// framed protocol in core/sandboxprotocol.h). One process per run, so the limits are real: RLIMIT_AS caps memory,
// a watchdog thread interrupts a script that runs too long, and the application kills a sandbox that stops
// answering. The script sees ECMAScript and the projection API only (sandbox/runtime.js).
#include "pagereuse.h"
#include "payload.h"
#include "sandboxprotocol.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJSEngine>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QtEndian>

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

using namespace Eventscope;
using namespace Eventscope::Sandbox;

namespace {

// Written by the fatal paths (out of memory), which must not allocate: a fixed buffer and write(2).
std::atomic<int> g_currentIndex{-1};

bool writeAll(const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t n = ::write(STDOUT_FILENO, data, size_t(size));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

void send(Kind kind, const QByteArray &body)
{
    const QByteArray frame = encodeFrame(kind, body);
    if (!writeAll(frame.constData(), frame.size()))
        std::_Exit(2); // the application went away
}

[[noreturn]] void dieOutOfMemory(const char *what)
{
    // No allocation here: the heap is what ran out.
    static char frame[512];
    const int index = g_currentIndex.load();
    const int n = std::snprintf(
        frame + 5, sizeof frame - 5,
        "{\"kind\":\"memory\",\"name\":\"MemoryLimit\",\"message\":\"%s\",\"index\":%d,\"approximate\":true}", what,
        index);
    const quint32 length = quint32(n + 1);
    std::memcpy(frame, &length, 4); // little endian on every platform we build for
    frame[4] = char(Kind::Error);
    writeAll(frame, n + 5);
    std::_Exit(3);
}

// V4 does not check every allocation: at the ceiling it may touch a mapping it never got. A fault with the
// address space nearly used up is the memory limit; any other is a crash. Runs on its own stack (sigaltstack).
qint64 g_limitBytes = 0;

void onFault(int signal)
{
    if (g_limitBytes > 0) {
        char statm[128] = {};
        const int fd = ::open("/proc/self/statm", O_RDONLY);
        if (fd >= 0) {
            const ssize_t n = ::read(fd, statm, sizeof statm - 1);
            ::close(fd);
            const qint64 pages = n > 0 ? std::atoll(statm) : 0;
            if (pages * qint64(sysconf(_SC_PAGESIZE)) > g_limitBytes / 10 * 8)
                dieOutOfMemory("memory limit: the projection ran out of memory");
        }
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void installFaultHandlers()
{
    static char altStack[64 * 1024];
    stack_t stack{};
    stack.ss_sp = altStack;
    stack.ss_size = sizeof altStack;
    sigaltstack(&stack, nullptr);
    struct sigaction action
    {};
    action.sa_handler = onFault;
    action.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGSEGV, SIGBUS, SIGABRT})
        sigaction(signal, &action, nullptr);
}

// Qt's containers throw std::bad_alloc when malloc fails; uncaught, it ends here.
[[noreturn]] void onTerminate()
{
    if (const std::exception_ptr exception = std::current_exception()) {
        try {
            std::rethrow_exception(exception);
        } catch (const std::bad_alloc &) {
            dieOutOfMemory("memory limit: the projection ran out of memory");
        } catch (...) {
        }
    }
    std::abort();
}

void onNewFailure()
{
    dieOutOfMemory("memory limit: the projection ran out of memory");
}

void messageHandler(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtFatalMsg)
        dieOutOfMemory("memory limit: the script engine could not allocate (out of memory)");
    // Everything else goes to stderr, which the application reads for diagnostics; stdout is the protocol.
    const QByteArray text = message.toLocal8Bit();
    std::fprintf(stderr, "%s\n", text.constData());
}

// Interrupts the engine when the armed deadline passes. Arm/disarm are cheap: one mutex and a notify.
class Watchdog
{
public:
    explicit Watchdog(QJSEngine *engine)
        : m_engine(engine)
        , m_thread([this] { loop(); })
    {}
    ~Watchdog()
    {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    void arm(int ms)
    {
        {
            std::lock_guard lock(m_mutex);
            m_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
            m_armed = true;
            m_fired = false;
        }
        m_wake.notify_one();
    }
    // True when the deadline passed; the engine is then interrupted until the caller clears it.
    bool disarm()
    {
        std::lock_guard lock(m_mutex);
        m_armed = false;
        return m_fired;
    }

private:
    void loop()
    {
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            if (!m_armed) {
                m_wake.wait(lock);
                continue;
            }
            if (m_wake.wait_until(lock, m_deadline) == std::cv_status::timeout && m_armed
                && std::chrono::steady_clock::now() >= m_deadline) {
                m_fired = true;
                m_armed = false;
                m_engine->setInterrupted(true);
            }
        }
    }

    QJSEngine *m_engine;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::chrono::steady_clock::time_point m_deadline;
    bool m_armed = false;
    bool m_fired = false;
    bool m_quit = false;
    std::thread m_thread;
};

QByteArray errorJson(const QString &kind, const QString &name, const QString &message, int line = -1, int column = -1,
                     int index = -1)
{
    QJsonObject object{{QStringLiteral("kind"), kind},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("index"), index}};
    if (line > 0)
        object.insert(QStringLiteral("line"), line);
    if (column > 0)
        object.insert(QStringLiteral("column"), column);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

class Host
{
public:
    Host(int stackDepth)
        : m_stackDepth(stackDepth)
        , m_watchdog(&m_engine)
    {}

    int run();

private:
    void handle(const Frame &frame);
    void compile(const QByteArray &body);
    void events(const QByteArray &body);
    bool ready();
    // An exception (or an interruption) from the engine as an 'X' frame.
    void fail(const QJSValue &error, bool interrupted, int index, const QString &limitText);
    void failEngine(const QString &what);

    int m_stackDepth;
    QJSEngine m_engine;
    Watchdog m_watchdog;
    QJSValue m_driver;
    bool m_compiled = false;
    QString m_scriptName;
    int m_compileMs = 500;
    int m_eventMs = 250;
    qint64 m_stateBytes = 16 * 1024 * 1024;
};

bool Host::ready()
{
    if (m_compiled)
        return true;
    send(Kind::Error, errorJson(QStringLiteral("protocol"), QStringLiteral("ProtocolError"),
                                QStringLiteral("no projection compiled")));
    return false;
}

void Host::fail(const QJSValue &error, bool interrupted, int index, const QString &limitText)
{
    if (interrupted) {
        m_engine.setInterrupted(false);
        send(Kind::Error, errorJson(QStringLiteral("time"), QStringLiteral("TimeLimit"), limitText, -1, -1, index));
        return;
    }
    QString name = QStringLiteral("Error");
    QString message;
    int line = -1;
    int column = -1;
    if (error.isError()) {
        name = error.property(QStringLiteral("name")).toString();
        message = error.property(QStringLiteral("message")).toString();
        line = error.property(QStringLiteral("lineNumber")).toInt();
        column = error.property(QStringLiteral("columnNumber")).toInt();
        // An error raised inside the runtime (the projection API) points into runtime.js: use the projection's
        // frame on the stack instead ("name@file:PATH:LINE" lines), the call that caused it.
        if (!error.property(QStringLiteral("fileName")).toString().endsWith(m_scriptName)) {
            line = -1;
            const QStringList frames = error.property(QStringLiteral("stack")).toString().split(QLatin1Char('\n'));
            for (const QString &frame : frames) {
                const qsizetype colon = frame.lastIndexOf(QLatin1Char(':'));
                if (colon > 0 && frame.left(colon).endsWith(QLatin1Char(':') + m_scriptName)) {
                    line = frame.mid(colon + 1).toInt();
                    break;
                }
            }
        }
    } else if (error.isObject()) {
        message = QStringLiteral("uncaught exception: ")
                  + QString::fromUtf8(QJsonDocument::fromVariant(error.toVariant()).toJson(QJsonDocument::Compact));
    } else {
        message = QStringLiteral("uncaught exception: ") + error.toString();
    }
    if (name == QLatin1String("RangeError") && message.contains(QLatin1String("out of memory"))) {
        send(Kind::Error, errorJson(QStringLiteral("memory"), QStringLiteral("MemoryLimit"),
                                    QStringLiteral("memory limit: ") + message, line, column, index));
        return;
    }
    if (name == QLatin1String("RangeError") && message.contains(QLatin1String("call stack size"))) {
        send(Kind::Error, errorJson(QStringLiteral("stack"), QStringLiteral("StackLimit"),
                                    QStringLiteral("stack depth limit: more than %1 nested calls").arg(m_stackDepth),
                                    line, column, index));
        return;
    }
    send(Kind::Error, errorJson(QStringLiteral("exception"), name, message, line, column, index));
}

void Host::compile(const QByteArray &body)
{
    if (m_compiled) {
        send(Kind::Error, errorJson(QStringLiteral("protocol"), QStringLiteral("ProtocolError"),
                                    QStringLiteral("a sandbox compiles one projection")));
        return;
    }
    const QJsonObject request = QJsonDocument::fromJson(body).object();
    m_compileMs = qMax(1, request.value(QStringLiteral("compileMs")).toInt(500));
    m_eventMs = qMax(1, request.value(QStringLiteral("eventMs")).toInt(250));
    m_stateBytes = qMax<qint64>(2, qint64(request.value(QStringLiteral("stateBytes")).toDouble(16 * 1024 * 1024)));
    const QString name = request.value(QStringLiteral("name")).toString(QStringLiteral("projection.js"));
    m_scriptName = name;

    QFile file(QStringLiteral(":/sandbox/runtime.js"));
    if (!file.open(QIODevice::ReadOnly))
        return failEngine(QStringLiteral("the runtime is missing"));
    const QJSValue factory = m_engine.evaluate(QString::fromUtf8(file.readAll()), QStringLiteral("runtime.js"));
    const QJSValue realNow = m_engine.evaluate(QStringLiteral("Date.now"));
    QJSValue config = m_engine.newObject();
    config.setProperty(QStringLiteral("layout"), request.value(QStringLiteral("layout")).toString());
    config.setProperty(QStringLiteral("seed"), request.value(QStringLiteral("seed")).toInt(0));
    m_driver = factory.call({realNow, config});
    if (m_driver.isError() || !m_driver.isObject())
        return failEngine(QStringLiteral("the runtime failed: ") + m_driver.toString());

    const QString limitText
        = QStringLiteral("compile time limit: the script's top level and init took longer than %1 ms").arg(m_compileMs);
    m_watchdog.arm(m_compileMs);
    const QJSValue result
        = m_engine.evaluate(QString::fromUtf8(request.value(QStringLiteral("script")).toString().toUtf8()), name, 1);
    if (result.isError() || m_engine.hasError()) {
        const bool fired = m_watchdog.disarm();
        return fail(result.isError() ? result : m_engine.catchError(), fired, -1, limitText);
    }
    const QJSValue info = m_driver.property(QStringLiteral("finish")).callWithInstance(m_driver);
    if (info.isError()) {
        const bool fired = m_watchdog.disarm();
        return fail(info, fired, -1, limitText);
    }
    const QJSValue reset = m_driver.property(QStringLiteral("reset")).callWithInstance(m_driver);
    const bool fired = m_watchdog.disarm();
    if (reset.isError() || fired)
        return fail(reset, fired, -1, limitText);
    m_compiled = true;
    send(Kind::Compiled, info.toString().toUtf8());
}

void Host::failEngine(const QString &what)
{
    send(Kind::Error, errorJson(QStringLiteral("protocol"), QStringLiteral("SandboxError"), what));
}

void Host::events(const QByteArray &body)
{
    const auto commits = decodeEventViews(body);
    if (!commits) {
        send(Kind::Error, errorJson(QStringLiteral("protocol"), QStringLiteral("ProtocolError"),
                                    QStringLiteral("a malformed batch of events")));
        return;
    }
    // A handful of values cross into the engine per batch instead of several per event (each crossing costs more
    // than the work it carries): an ArrayBuffer of Stride doubles per commit (version; id begin, end in `ids`;
    // stream index; where: -1 missing, 0 in `json`, 1 in `other`; begin, end there; slot in the JSON array or -1),
    // the ids one after the other, the streams as a JSON array, `json`: "[" the payloads that are strict JSON
    // objects or arrays, joined by "," "]", and `other`: the other payloads. The driver parses `json` with one
    // JSON.parse, which costs about half of parsing each payload by itself, and cuts ids and raw texts out only
    // when the projection reads them. Only payloads the strict validator accepts go into `json`, so the array
    // cannot be misread across payloads; if the engine rejects it anyway, the driver parses each payload alone.
    constexpr qsizetype Stride = 8;
    const qsizetype count = qsizetype(commits->size());
    QByteArray meta(count * Stride * qsizetype(sizeof(double)), Qt::Uninitialized);
    double *m = reinterpret_cast<double *>(meta.data());
    std::vector<char> isJson(size_t(count), 0);
    qsizetype idBytes = 0, jsonBytes = 2, otherBytes = 0;
    int jsonCount = 0;
    for (qsizetype i = 0; i < count; ++i) {
        const CommitView &commit = (*commits)[size_t(i)];
        idBytes += commit.id.size();
        if (commit.missing)
            continue;
        const QByteArrayView payload = commit.payload;
        if (!payload.isEmpty() && (payload.front() == '{' || payload.front() == '[')
            && classifyPayload(payload) == PayloadEncoding::Json) {
            isJson[size_t(i)] = 1;
            jsonBytes += payload.size() + 1;
            ++jsonCount;
        } else {
            otherBytes += payload.size();
        }
    }
    // UTF-8 to UTF-16 straight into each string (at most one QChar per byte); stateless, so a truncated sequence at
    // the end of one payload cannot swallow the start of the next.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString ids(idBytes, Qt::Uninitialized), json(jsonBytes, Qt::Uninitialized), other(otherBytes, Qt::Uninitialized);
    QChar *const idBase = ids.data();
    QChar *const jsonBase = json.data();
    QChar *const otherBase = other.data();
    QChar *idAt = idBase, *jsonAt = jsonBase, *otherAt = otherBase;
    *jsonAt++ = QLatin1Char('[');
    QHash<QByteArrayView, int> streamIndex;
    QByteArray streams = "[";
    int slot = 0;
    for (qsizetype i = 0; i < count; ++i) {
        const CommitView &commit = (*commits)[size_t(i)];
        double *const at = m + i * Stride;
        at[0] = double(commit.version);
        at[1] = double(idAt - idBase);
        idAt = decoder.appendToBuffer(idAt, commit.id);
        at[2] = double(idAt - idBase);
        auto known = streamIndex.constFind(commit.stream);
        if (known == streamIndex.cend()) {
            if (streamIndex.size() > 0)
                streams += ',';
            appendJsonString(streams, commit.stream);
            known = streamIndex.insert(commit.stream, int(streamIndex.size()));
        }
        at[3] = known.value();
        if (commit.missing) {
            at[4] = at[5] = at[6] = at[7] = -1;
        } else if (isJson[size_t(i)]) {
            if (slot > 0)
                *jsonAt++ = QLatin1Char(',');
            at[4] = 0;
            at[5] = double(jsonAt - jsonBase);
            jsonAt = decoder.appendToBuffer(jsonAt, commit.payload);
            at[6] = double(jsonAt - jsonBase);
            at[7] = slot++;
        } else {
            at[4] = 1;
            at[5] = double(otherAt - otherBase);
            otherAt = decoder.appendToBuffer(otherAt, commit.payload);
            at[6] = double(otherAt - otherBase);
            at[7] = -1;
        }
    }
    *jsonAt++ = QLatin1Char(']');
    streams += ']';
    ids.truncate(idAt - idBase);
    json.truncate(jsonAt - jsonBase);
    other.truncate(otherAt - otherBase);

    const QJSValue load = m_driver.property(QStringLiteral("load"));
    const QJSValue run = m_driver.property(QStringLiteral("run"));
    const QJSValue check = m_driver.property(QStringLiteral("check"));
    load.callWithInstance(m_driver,
                          {m_engine.toScriptValue(meta), ids, QString::fromUtf8(streams), json, other, jsonCount});

    const QString timeText = QStringLiteral("time limit: the event took longer than %1 ms").arg(m_eventMs);
    int next = 0;
    int budget = 50;     // ms of work between checks and progress reports
    bool strict = false; // the clock read before every commit: a stretch run again to name a slow event
    while (next < count) {
        const int from = next;
        g_currentIndex.store(from);
        m_watchdog.arm(budget + m_eventMs);
        const QJSValue result = run.callWithInstance(m_driver, {from, budget, strict});
        bool fired = m_watchdog.disarm();
        if (fired || result.isError() || !result.isNumber()) {
            m_engine.setInterrupted(false);
            // The clock was not read right before the event that was running: it may have run for less than the
            // limit, the stretch as a whole for more. Run the stretch again from its start, reading it every commit.
            if (fired && !strict && !m_driver.property(QStringLiteral("exact")).callWithInstance(m_driver).toBool()
                && m_driver.property(QStringLiteral("retry")).callWithInstance(m_driver).toBool()) {
                strict = true;
                continue;
            }
            int index = from;
            QJSValue error = result;
            if (result.isObject() && !result.isError()) {
                index = result.property(QStringLiteral("index")).toInt();
                error = result.property(QStringLiteral("error"));
            }
            if (fired)
                index = m_driver.property(QStringLiteral("position")).callWithInstance(m_driver).toInt();
            return fail(error, fired, index, timeText);
        }
        strict = false;
        next = result.toInt();
        // The state limit, pinned: over it, the driver replays this stretch one commit at a time from the last
        // good state to find the commit that crossed it.
        const QElapsedTimer clock = [] {
            QElapsedTimer t;
            t.start();
            return t;
        }();
        m_watchdog.arm(qMax(1000, m_eventMs * 4));
        const QJSValue over = check.callWithInstance(m_driver, {double(m_stateBytes), from, next});
        fired = m_watchdog.disarm();
        if (fired || over.isError()) {
            m_engine.setInterrupted(false);
            send(Kind::Error,
                 errorJson(QStringLiteral("state"), QStringLiteral("StateLimit"),
                           QStringLiteral("state size limit: the state could not be measured in time (over %1 MiB?)")
                               .arg(m_stateBytes / (1024.0 * 1024.0), 0, 'f', 1),
                           -1, -1, next - 1));
            return;
        }
        if (over.toInt() >= 0) {
            const double size = m_driver.property(QStringLiteral("stateSize")).callWithInstance(m_driver).toNumber();
            send(Kind::Error, errorJson(QStringLiteral("state"), QStringLiteral("StateLimit"),
                                        QStringLiteral("state size limit: the state is %1 MiB as JSON, over the "
                                                       "limit of %2 MiB")
                                            .arg(size / (1024.0 * 1024.0), 0, 'f', 1)
                                            .arg(m_stateBytes / (1024.0 * 1024.0), 0, 'f', 1),
                                        -1, -1, over.toInt()));
            return;
        }
        // Keep the check's share of the time small when the state is large.
        budget = int(qBound(qint64(50), clock.elapsed() * 4, qint64(1000)));
        if (next < count) {
            QByteArray progress(8, '\0');
            qToLittleEndian<qint64>(next, progress.data());
            send(Kind::Progress, progress);
        }
    }
    g_currentIndex.store(-1);
    const QJSValue emitted = m_driver.property(QStringLiteral("emitted")).callWithInstance(m_driver);
    QByteArray done = "{\"events\":" + QByteArray::number(count) + ",\"log\":" + emitted.toString().toUtf8() + '}';
    send(Kind::Done, done);
}

void Host::handle(const Frame &frame)
{
    switch (frame.kind) {
    case Kind::Compile:
        return compile(frame.body);
    case Kind::Events:
        if (ready())
            events(frame.body);
        return;
    case Kind::Reset:
    case Kind::SetState: {
        if (!ready())
            return;
        m_watchdog.arm(frame.kind == Kind::Reset ? m_compileMs : qMax(1000, m_eventMs * 4));
        const QJSValue result = frame.kind == Kind::Reset
                                    ? m_driver.property(QStringLiteral("reset")).callWithInstance(m_driver)
                                    : m_driver.property(QStringLiteral("setState"))
                                          .callWithInstance(m_driver, {QString::fromUtf8(frame.body)});
        const bool fired = m_watchdog.disarm();
        if (fired || result.isError())
            return fail(result, fired, -1,
                        frame.kind == Kind::Reset
                            ? QStringLiteral("compile time limit: init took longer than %1 ms").arg(m_compileMs)
                            : QStringLiteral("time limit: restoring a state took too long"));
        send(Kind::Ack, {});
        return;
    }
    case Kind::GetState: {
        if (!ready())
            return;
        m_watchdog.arm(qMax(1000, m_eventMs * 4));
        const QJSValue pair = m_driver.property(QStringLiteral("snapshot")).callWithInstance(m_driver);
        const bool fired = m_watchdog.disarm();
        if (fired || pair.isError())
            return fail(pair, fired, -1, QStringLiteral("time limit: transformBy/filterBy took too long"));
        send(Kind::State, encodeState(pair.property(0).toString().toUtf8(), pair.property(1).toString().toUtf8()));
        return;
    }
    default:
        send(Kind::Error, errorJson(QStringLiteral("protocol"), QStringLiteral("ProtocolError"),
                                    QStringLiteral("unknown request '%1'").arg(QLatin1Char(char(frame.kind)))));
    }
}

int Host::run()
{
    // A batch is a few hundred KiB: a pipe of 1 MiB (Linux; best effort) takes the next one whole while this one
    // runs, instead of waking both sides every 64 KiB.
#ifdef F_SETPIPE_SZ
    ::fcntl(STDIN_FILENO, F_SETPIPE_SZ, 1 << 20);
#endif
    QByteArray buffer;
    qsizetype consumed = 0;
    char chunk[1 << 16];
    for (;;) {
        bool error = false;
        while (auto frame = takeFrame(buffer, &consumed, &error))
            handle(*frame);
        if (error) {
            std::fprintf(stderr, "eventscope-sandbox: malformed frame\n");
            return 2;
        }
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n == 0)
            return 0; // the application closed our stdin: done
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 2;
        }
        buffer.append(chunk, n);
    }
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool Sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool Sanitized = true;
#else
constexpr bool Sanitized = false;
#endif
#else
constexpr bool Sanitized = false;
#endif

} // namespace

int main(int argc, char **argv)
{
    qint64 memoryMiB = 1024;
    int stackDepth = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--memory-mib") == 0)
            memoryMiB = std::atoll(argv[i + 1]);
        else if (std::strcmp(argv[i], "--stack-depth") == 0)
            stackDepth = std::atoi(argv[i + 1]);
    }
    // Before anything allocates: the address-space ceiling (0: none). An AddressSanitizer build reserves terabytes
    // of shadow memory and cannot run under RLIMIT_AS, so it runs without.
    if (memoryMiB > 0 && !Sanitized) {
        const rlim_t bytes = rlim_t(memoryMiB) * 1024 * 1024;
        const rlimit limit{bytes, bytes};
        if (setrlimit(RLIMIT_AS, &limit) != 0) {
            std::perror("eventscope-sandbox: setrlimit");
            return 2;
        }
        g_limitBytes = qint64(bytes);
    }
    installFaultHandlers();
#ifdef __GLIBC__
    // Every batch allocates and frees a few buffers of 100 KiB and more among thousands of small strings: without
    // fast bins each of those large requests no longer consolidates them all first, and the heap's top is kept
    // instead of being returned with brk and taken again every batch (each a TLB flush). ~20% of the time here.
    mallopt(M_MXFAST, 0);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
#endif
    // The engine's freed heap chunks are zeroed and kept rather than returned and mapped again (pagereuse.cpp);
    // EVENTSCOPE_SANDBOX_RELEASE_PAGES=1 turns that off, to compare.
    enablePageReuse(qEnvironmentVariableIntValue("EVENTSCOPE_SANDBOX_RELEASE_PAGES") == 0);
    std::set_new_handler(onNewFailure);
    std::set_terminate(onTerminate);
    qInstallMessageHandler(messageHandler);
    // The engine reads its call-depth limit from the environment when it is created.
    qputenv("QV4_MAX_CALL_DEPTH", QByteArray::number(qMax(16, stackDepth)));
    qputenv("TZ", "UTC"); // local-time Date methods give the same answer everywhere
    tzset();

    QCoreApplication app(argc, argv);
    Host host(stackDepth);
    return host.run();
}
