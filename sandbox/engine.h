#pragma once

#include <QByteArray>
#include <QString>

#include <jsapi.h>

#include <atomic>

namespace Eventscope::Sandbox {

// What a failed call into the engine left behind, read without running script code where that is possible.
struct Thrown
{
    bool terminated = false; // no exception: the interrupt callback stopped the script (the watchdog)
    bool isError = false;    // an Error object (else a thrown value, described in message)
    QString name;            // TypeError, InternalError, ...
    QString message;
    int line = -1;   // in the projection's source: the error's own position, else its innermost frame there
    int column = -1; // 1-based
    bool outOfMemory = false;
};

// SpiderMonkey, set up for one untrusted script: a context with a GC heap ceiling, a native stack quota, no
// WebAssembly, an interrupt the watchdog thread can raise, a global with the standard classes only, and promise
// jobs queued but never run (so nothing of a projection runs outside the event that started it).
class Engine
{
public:
    // gcBytes 0: no ceiling of the engine's own. stackBytes: the native stack the script may use.
    Engine(quint64 gcBytes, size_t stackBytes);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    bool isValid() const { return m_cx != nullptr; }
    JSContext *context() const { return m_cx; }
    JS::HandleObject global() const { return m_global; }

    // From any thread: stop the running script at its next interrupt check (uncatchable).
    void interrupt();
    void clearInterrupt() { m_interrupted.store(false); }

    // The projection's file name: positions are taken from its frames.
    void setScriptName(const QString &name) { m_scriptName = name.toUtf8(); }

    // Evaluates source as a classic script. A syntax error reports its column 1-based, as runtime errors do.
    bool evaluate(const QByteArray &source, const QString &fileName, JS::MutableHandleValue result);
    // Takes the pending exception (if any) and describes it; the projection's innermost frame gives the position
    // when the error was raised elsewhere (the runtime, a builtin).
    Thrown take();

    JSString *newString(const QString &text);
    JSString *newString(QByteArrayView utf8);
    // Any value as UTF-8 text (ToString semantics); empty when that fails (the failure is cleared).
    QByteArray toUtf8(JS::HandleValue value);

private:
    static bool onInterrupt(JSContext *cx);
    static bool refuseImport(JSContext *cx, JS::HandleValue, JS::HandleObject, JS::HandleObject);
    static void onOutOfMemory(JSContext *cx, void *engine);
    // Where the projection's code is now (when its innermost scripted frame is the projection's).
    void noteCaller();

    JSContext *m_cx = nullptr;
    JS::PersistentRootedObject m_global;
    JSAutoRealm *m_realm = nullptr;
    std::atomic<bool> m_interrupted{false};
    bool m_syntaxPhase = false;
    QByteArray m_scriptName;
    QString m_refusal; // why the script was stopped without an exception (import())
    int m_callerLine = -1;
    int m_callerColumn = -1;
};

} // namespace Eventscope::Sandbox
