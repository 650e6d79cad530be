// eventscope-sandbox: runs one JavaScript projection over events it receives on stdin, answering on stdout (the
// framed protocol in core/sandboxprotocol.h). One process per run, so the limits are real: RLIMIT_AS caps memory,
// a watchdog thread interrupts a script that runs too long, and the application kills a sandbox that stops
// answering. The script sees ECMAScript and the projection API only (sandbox/runtime.js), run by SpiderMonkey
// (engine.h): its JIT runs a simple reducer several times faster than Qt's V4 did, and its errors carry columns.
#include "engine.h"
#include "payload.h"
#include "sandboxprotocol.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QtEndian>

#include <js/ArrayBuffer.h>
#include <js/PropertyAndElement.h>
#include <js/ValueArray.h>

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <unistd.h>

#include <array>
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

// The engine does not survive every failed allocation: at the ceiling it may crash on purpose (MOZ_CRASH). A fault with
// the address space nearly used up is the memory limit; any other is a crash. Runs on its own stack (sigaltstack).
qint64 g_limitBytes = 0; // what the projection may add to the address space
qint64 g_baseBytes = 0;  // the address space before it ran

void onFault(int signal)
{
    if (g_limitBytes > 0) {
        char statm[128] = {};
        const int fd = ::open("/proc/self/statm", O_RDONLY);
        if (fd >= 0) {
            const ssize_t n = ::read(fd, statm, sizeof statm - 1);
            ::close(fd);
            const qint64 pages = n > 0 ? std::atoll(statm) : 0;
            if (pages * qint64(sysconf(_SC_PAGESIZE)) - g_baseBytes > g_limitBytes / 10 * 8)
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
    explicit Watchdog(Engine *engine)
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
                m_engine->interrupt();
            }
        }
    }

    Engine *m_engine;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::chrono::steady_clock::time_point m_deadline;
    bool m_armed = false;
    bool m_fired = false;
    bool m_quit = false;
    std::thread m_thread;
};

// No byte with the high bit set: eight bytes at a time.
bool isAscii(QByteArrayView text)
{
    const char *at = text.data();
    const char *const end = at + text.size();
    quint64 bits = 0;
    for (; end - at >= 8; at += 8) {
        quint64 word;
        std::memcpy(&word, at, 8);
        bits |= word;
    }
    for (; at < end; ++at)
        bits |= quint64(quint8(*at));
    return (bits & 0x8080808080808080ull) == 0;
}

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
    Host(Engine &engine, int stackDepth)
        : m_engine(engine)
        , m_cx(engine.context())
        , m_stackDepth(stackDepth)
        , m_watchdog(&engine)
        , m_driver(engine.context())
    {}

    int run();

private:
    void handle(const Frame &frame);
    void compile(const QByteArray &body);
    void events(const QByteArray &body);
    bool ready();
    bool call(const char *method, const JS::HandleValueArray &args, JS::MutableHandleValue result);
    bool call(const char *method, JS::MutableHandleValue result)
    {
        return call(method, JS::HandleValueArray::empty(), result);
    }
    // The driver's answer as a plain value; false or -1 when the call fails (its exception dropped).
    bool callBool(const char *method);
    int callInt(const char *method);
    // The pending exception (or the watchdog's interruption) as an 'X' frame. index -2: the commit the driver was
    // feeding when it stopped.
    void fail(bool fired, int index, const QString &limitText);
    void failEngine(const QString &what);

    Engine &m_engine;
    JSContext *m_cx;
    int m_stackDepth;
    Watchdog m_watchdog;
    JS::PersistentRootedObject m_driver;
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

bool Host::call(const char *method, const JS::HandleValueArray &args, JS::MutableHandleValue result)
{
    return JS_CallFunctionName(m_cx, m_driver, method, args, result);
}

bool Host::callBool(const char *method)
{
    JS::RootedValue value(m_cx);
    if (!call(method, &value)) {
        JS_ClearPendingException(m_cx);
        return false;
    }
    return value.isBoolean() && value.toBoolean();
}

int Host::callInt(const char *method)
{
    JS::RootedValue value(m_cx);
    if (!call(method, &value)) {
        JS_ClearPendingException(m_cx);
        return -1;
    }
    return value.isNumber() ? int(value.toNumber()) : -1;
}

void Host::fail(bool fired, int index, const QString &limitText)
{
    if (fired) {
        JS_ClearPendingException(m_cx);
        m_engine.clearInterrupt();
        if (index == -2)
            index = callInt("position");
        send(Kind::Error, errorJson(QStringLiteral("time"), QStringLiteral("TimeLimit"), limitText, -1, -1, index));
        return;
    }
    // Describing a thrown object may run its toJSON: under the watchdog too.
    m_watchdog.arm(qMax(1000, m_eventMs));
    const Thrown thrown = m_engine.take();
    const bool late = m_watchdog.disarm();
    m_engine.clearInterrupt();
    if (index == -2)
        index = callInt("position");
    if (thrown.terminated) {
        send(Kind::Error, errorJson(QStringLiteral("time"), QStringLiteral("TimeLimit"),
                                    late ? limitText : QStringLiteral("the engine stopped the script"), -1, -1, index));
        return;
    }
    if (thrown.outOfMemory
        || (thrown.name == QLatin1String("InternalError")
            && thrown.message.contains(QLatin1String("allocation size overflow")))) {
        send(Kind::Error, errorJson(QStringLiteral("memory"), QStringLiteral("MemoryLimit"),
                                    QStringLiteral("memory limit: the projection ran out of memory"), thrown.line,
                                    thrown.column, index));
        return;
    }
    if (thrown.name == QLatin1String("InternalError") && thrown.message.contains(QLatin1String("too much recursion"))) {
        send(Kind::Error, errorJson(QStringLiteral("stack"), QStringLiteral("StackLimit"),
                                    QStringLiteral("stack depth limit: the calls nested deeper than the stack allows "
                                                   "(at least %1 nested calls)")
                                        .arg(m_stackDepth),
                                    thrown.line, thrown.column, index));
        return;
    }
    send(Kind::Error,
         errorJson(QStringLiteral("exception"), thrown.name.isEmpty() ? QStringLiteral("Error") : thrown.name,
                   thrown.message, thrown.line, thrown.column, index));
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
    m_engine.setScriptName(name);

    QFile file(QStringLiteral(":/sandbox/runtime.js"));
    if (!file.open(QIODevice::ReadOnly))
        return failEngine(QStringLiteral("the runtime is missing"));
    JS::RootedValue factory(m_cx);
    JS::RootedValue realNow(m_cx);
    if (!m_engine.evaluate(file.readAll(), QStringLiteral("runtime.js"), &factory)
        || !m_engine.evaluate("Date.now", QStringLiteral("now.js"), &realNow)) {
        const Thrown thrown = m_engine.take();
        return failEngine(QStringLiteral("the runtime failed: ") + thrown.message);
    }
    JS::RootedObject config(m_cx, JS_NewPlainObject(m_cx));
    JS::RootedValue layout(m_cx,
                           JS::StringValue(m_engine.newString(request.value(QStringLiteral("layout")).toString())));
    JS::RootedValue seed(m_cx, JS::Int32Value(request.value(QStringLiteral("seed")).toInt(0)));
    if (!config || !JS_DefineProperty(m_cx, config, "layout", layout, JSPROP_ENUMERATE)
        || !JS_DefineProperty(m_cx, config, "seed", seed, JSPROP_ENUMERATE))
        return failEngine(QStringLiteral("the runtime could not be configured"));
    JS::RootedValueArray<2> args(m_cx);
    args[0].set(realNow);
    args[1].setObject(*config);
    JS::RootedValue driver(m_cx);
    if (!JS::Call(m_cx, JS::UndefinedHandleValue, factory, args, &driver) || !driver.isObject()) {
        const Thrown thrown = m_engine.take();
        return failEngine(QStringLiteral("the runtime failed: ") + thrown.message);
    }
    m_driver = &driver.toObject();

    const QString limitText
        = QStringLiteral("compile time limit: the script's top level and init took longer than %1 ms").arg(m_compileMs);
    m_watchdog.arm(m_compileMs);
    JS::RootedValue result(m_cx);
    if (!m_engine.evaluate(request.value(QStringLiteral("script")).toString().toUtf8(), name, &result)) {
        const bool fired = m_watchdog.disarm();
        return fail(fired, -1, limitText);
    }
    JS::RootedValue info(m_cx);
    if (!call("finish", &info)) {
        const bool fired = m_watchdog.disarm();
        return fail(fired, -1, limitText);
    }
    JS::RootedValue reset(m_cx);
    const bool resetOk = call("reset", &reset);
    const bool fired = m_watchdog.disarm();
    if (!resetOk || fired)
        return fail(fired, -1, limitText);
    m_compiled = true;
    send(Kind::Compiled, m_engine.toUtf8(info));
}

void Host::failEngine(const QString &what)
{
    JS_ClearPendingException(m_cx);
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
    // The texts go in as Latin-1 bytes, copied as they are, when the batch is all ASCII (the usual case: the
    // engine's JSON parser also reads one-byte text faster); otherwise as UTF-16, decoded from UTF-8 straight into
    // each string (at most one unit per byte; stateless, so a truncated sequence at the end of one payload cannot
    // swallow the start of the next). The offsets in meta count the text's units either way.
    bool ascii = true;
    for (qsizetype i = 0; i < count && ascii; ++i) {
        const CommitView &commit = (*commits)[size_t(i)];
        ascii = isAscii(commit.id) && (commit.missing || isAscii(commit.payload));
    }
    QHash<QByteArrayView, int> streamIndex;
    QByteArray streams = "[";
    auto fill = [&](auto *idBase, auto *jsonBase, auto *otherBase, auto append) {
        auto *idAt = idBase;
        auto *jsonAt = jsonBase;
        auto *otherAt = otherBase;
        using Unit = std::remove_reference_t<decltype(*jsonAt)>;
        *jsonAt++ = Unit(u'[');
        int slot = 0;
        for (qsizetype i = 0; i < count; ++i) {
            const CommitView &commit = (*commits)[size_t(i)];
            double *const at = m + i * Stride;
            at[0] = double(commit.version);
            at[1] = double(idAt - idBase);
            idAt = append(idAt, commit.id);
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
                    *jsonAt++ = Unit(u',');
                at[4] = 0;
                at[5] = double(jsonAt - jsonBase);
                jsonAt = append(jsonAt, commit.payload);
                at[6] = double(jsonAt - jsonBase);
                at[7] = slot++;
            } else {
                at[4] = 1;
                at[5] = double(otherAt - otherBase);
                otherAt = append(otherAt, commit.payload);
                at[6] = double(otherAt - otherBase);
                at[7] = -1;
            }
        }
        *jsonAt++ = Unit(u']');
        return std::array<qsizetype, 3>{idAt - idBase, jsonAt - jsonBase, otherAt - otherBase};
    };
    JS::RootedValueArray<6> loadArgs(m_cx);
    JSString *idsText = nullptr, *jsonText = nullptr, *otherText = nullptr;
    if (ascii) {
        QByteArray ids(idBytes, Qt::Uninitialized), json(jsonBytes, Qt::Uninitialized),
            other(otherBytes, Qt::Uninitialized);
        const auto sizes = fill(ids.data(), json.data(), other.data(), [](char *to, QByteArrayView from) {
            if (!from.isEmpty())
                std::memcpy(to, from.data(), size_t(from.size()));
            return to + from.size();
        });
        if ((idsText = JS_NewStringCopyN(m_cx, ids.constData(), size_t(sizes[0]))))
            loadArgs[1].setString(idsText);
        if (idsText && (jsonText = JS_NewStringCopyN(m_cx, json.constData(), size_t(sizes[1]))))
            loadArgs[3].setString(jsonText);
        if (jsonText && (otherText = JS_NewStringCopyN(m_cx, other.constData(), size_t(sizes[2]))))
            loadArgs[4].setString(otherText);
    } else {
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        QString ids(idBytes, Qt::Uninitialized), json(jsonBytes, Qt::Uninitialized),
            other(otherBytes, Qt::Uninitialized);
        const auto sizes = fill(ids.data(), json.data(), other.data(), [&decoder](QChar *to, QByteArrayView from) {
            return decoder.appendToBuffer(to, from);
        });
        ids.truncate(sizes[0]);
        json.truncate(sizes[1]);
        other.truncate(sizes[2]);
        if ((idsText = m_engine.newString(ids)))
            loadArgs[1].setString(idsText);
        if (idsText && (jsonText = m_engine.newString(json)))
            loadArgs[3].setString(jsonText);
        if (jsonText && (otherText = m_engine.newString(other)))
            loadArgs[4].setString(otherText);
    }
    streams += ']';

    JSString *streamsText = otherText ? m_engine.newString(QByteArrayView(streams)) : nullptr;
    if (streamsText)
        loadArgs[2].setString(streamsText);
    JS::RootedObject metaBuffer(m_cx, streamsText ? JS::NewArrayBuffer(m_cx, size_t(meta.size())) : nullptr);
    if (!metaBuffer) // out of memory before the projection saw the batch
        return fail(false, 0, {});
    {
        bool shared = false;
        JS::AutoCheckCannotGC noGc;
        std::memcpy(JS::GetArrayBufferData(metaBuffer, &shared, noGc), meta.constData(), size_t(meta.size()));
    }
    loadArgs[5].setInt32(jsonCount);
    loadArgs[0].setObject(*metaBuffer);
    JS::RootedValue loaded(m_cx);
    m_watchdog.arm(qMax(1000, m_eventMs * 4));
    if (!call("load", loadArgs, &loaded)) {
        const bool fired = m_watchdog.disarm();
        return fail(fired, 0, QStringLiteral("time limit: reading the batch took too long"));
    }
    m_watchdog.disarm();

    const QString timeText = QStringLiteral("time limit: the event took longer than %1 ms").arg(m_eventMs);
    int next = 0;
    int budget = 50;     // ms of work between checks and progress reports
    bool strict = false; // the clock read before every commit: a stretch run again to name a slow event
    JS::RootedValueArray<3> runArgs(m_cx);
    JS::RootedValue result(m_cx);
    while (next < count) {
        const int from = next;
        g_currentIndex.store(from);
        runArgs[0].setInt32(from);
        runArgs[1].setInt32(budget);
        runArgs[2].setBoolean(strict);
        m_watchdog.arm(budget + m_eventMs);
        const bool ok = call("run", runArgs, &result);
        bool fired = m_watchdog.disarm();
        if (fired || !ok || !result.isNumber()) {
            if (fired) {
                JS_ClearPendingException(m_cx);
                m_engine.clearInterrupt();
                // The clock was not read right before the event that was running: it may have run for less than
                // the limit, the stretch as a whole for more. Run the stretch again from its start, reading it
                // every commit.
                if (!strict && !callBool("exact") && callBool("retry")) {
                    strict = true;
                    continue;
                }
            }
            return fail(fired, -2, timeText);
        }
        strict = false;
        next = int(result.toNumber());
        // The state limit, pinned: over it, the driver replays this stretch one commit at a time from the last
        // good state to find the commit that crossed it.
        QElapsedTimer clock;
        clock.start();
        JS::RootedValueArray<3> checkArgs(m_cx);
        checkArgs[0].setDouble(double(m_stateBytes));
        checkArgs[1].setInt32(from);
        checkArgs[2].setInt32(next);
        JS::RootedValue over(m_cx);
        m_watchdog.arm(qMax(1000, m_eventMs * 4));
        const bool checked = call("check", checkArgs, &over);
        fired = m_watchdog.disarm();
        if (fired || !checked) {
            if (!fired && JS_IsExceptionPending(m_cx)) // an error in a toJSON the measure called, or a cycle
                return fail(false, next - 1, timeText);
            JS_ClearPendingException(m_cx);
            m_engine.clearInterrupt();
            send(Kind::Error,
                 errorJson(QStringLiteral("state"), QStringLiteral("StateLimit"),
                           QStringLiteral("state size limit: the state could not be measured in time (over %1 MiB?)")
                               .arg(m_stateBytes / (1024.0 * 1024.0), 0, 'f', 1),
                           -1, -1, next - 1));
            return;
        }
        const int overAt = over.isNumber() ? int(over.toNumber()) : -1;
        if (overAt >= 0) {
            JS::RootedValue size(m_cx);
            const double bytes = call("stateSize", &size) && size.isNumber() ? size.toNumber() : 0;
            send(Kind::Error, errorJson(QStringLiteral("state"), QStringLiteral("StateLimit"),
                                        QStringLiteral("state size limit: the state is %1 MiB as JSON, over the "
                                                       "limit of %2 MiB")
                                            .arg(bytes / (1024.0 * 1024.0), 0, 'f', 1)
                                            .arg(m_stateBytes / (1024.0 * 1024.0), 0, 'f', 1),
                                        -1, -1, overAt));
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
    JS::RootedValue emitted(m_cx);
    if (!call("emitted", &emitted))
        return fail(false, count - 1, timeText);
    QByteArray done = "{\"events\":" + QByteArray::number(count) + ",\"log\":" + m_engine.toUtf8(emitted) + '}';
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
        JS::RootedValue result(m_cx);
        bool ok = false;
        if (frame.kind == Kind::Reset) {
            ok = call("reset", &result);
        } else {
            JS::RootedValueArray<1> args(m_cx);
            JSString *text = m_engine.newString(QByteArrayView(frame.body));
            if (text) {
                args[0].setString(text);
                ok = call("setState", args, &result);
            }
        }
        const bool fired = m_watchdog.disarm();
        if (fired || !ok)
            return fail(fired, -1,
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
        JS::RootedValue pair(m_cx);
        bool ok = call("snapshot", &pair) && pair.isObject();
        JS::RootedValue state(m_cx), output(m_cx);
        if (ok) {
            JS::RootedObject array(m_cx, &pair.toObject());
            ok = JS_GetElement(m_cx, array, 0, &state) && JS_GetElement(m_cx, array, 1, &output);
        }
        const bool fired = m_watchdog.disarm();
        if (fired || !ok)
            return fail(fired, -1, QStringLiteral("time limit: transformBy/filterBy took too long"));
        send(Kind::State, encodeState(m_engine.toUtf8(state), m_engine.toUtf8(output)));
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

} // namespace

// Native stack per nested call of a small closure in SpiderMonkey's interpreter (measured: ~300 bytes; its JIT tiers
// need about 52) and what the engine and the runtime use below the projection: turn --stack-depth into the engine's
// stack quota, so a projection gets at least that many nested calls, and several times as many once its code is
// compiled.
constexpr size_t StackBytesPerCall = 320;
constexpr size_t StackBytesBase = 128 * 1024;

qint64 addressSpaceBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    return statm.readAll().split(' ').value(0).toLongLong() * qint64(sysconf(_SC_PAGESIZE));
}

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
    installFaultHandlers();
#ifdef __GLIBC__
    // Every batch allocates and frees a few buffers of 100 KiB and more: the heap's top is kept instead of being
    // returned with brk and taken again every batch.
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
#endif
    std::set_new_handler(onNewFailure);
    std::set_terminate(onTerminate);
    qInstallMessageHandler(messageHandler);
    qputenv("TZ", "UTC"); // local-time Date methods give the same answer everywhere
    tzset();

    QCoreApplication app(argc, argv);
    // The stack the script may use: the depth asked for, within the thread's own stack.
    rlimit stackLimit{};
    size_t threadStack = 8 * 1024 * 1024;
    if (getrlimit(RLIMIT_STACK, &stackLimit) == 0 && stackLimit.rlim_cur != RLIM_INFINITY)
        threadStack = size_t(stackLimit.rlim_cur);
    const size_t stackBytes = qMin(StackBytesBase + size_t(qMax(16, stackDepth)) * StackBytesPerCall,
                                   threadStack > 512 * 1024 ? threadStack - 256 * 1024 : threadStack / 2);
    const quint64 memoryBytes = memoryMiB > 0 ? quint64(memoryMiB) * 1024 * 1024 : 0;
    Engine engine(memoryBytes, stackBytes);
    if (!engine.isValid()) {
        std::fprintf(stderr, "eventscope-sandbox: the script engine could not start\n");
        return 2;
    }
    // The address-space ceiling, over what the engine reserved at start (SpiderMonkey reserves gigabytes for its
    // JIT code and heap up front): the projection gets memoryMiB more, not less. 0: none.
    if (memoryBytes > 0) {
        g_baseBytes = addressSpaceBytes();
        const rlim_t bytes = rlim_t(g_baseBytes) + rlim_t(memoryBytes);
        const rlimit limit{bytes, bytes};
        if (setrlimit(RLIMIT_AS, &limit) != 0) {
            std::perror("eventscope-sandbox: setrlimit");
            return 2;
        }
        g_limitBytes = qint64(memoryBytes);
    }
    Host host(engine, stackDepth);
    return host.run();
}
