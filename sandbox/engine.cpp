#include "engine.h"

#include <js/CharacterEncoding.h>
#include <js/CompilationAndEvaluation.h>
#include <js/ContextOptions.h>
#include <js/Conversions.h>
#include <js/ErrorReport.h>
#include <js/Exception.h>
#include <js/GCAPI.h>
#include <js/Initialization.h>
#include <js/Interrupt.h>
#include <js/JSON.h>
#include <js/LocaleSensitive.h>
#include <js/Modules.h>
#include <js/SavedFrameAPI.h>
#include <js/SourceText.h>
#include <js/Stack.h>
#include <js/String.h>
#include <jsfriendapi.h>

namespace Eventscope::Sandbox {

namespace {

const JSClass GlobalClass = {"global", JSCLASS_GLOBAL_FLAGS, &JS::DefaultGlobalClassOps, nullptr, nullptr, nullptr};

QString exceptionName(JSExnType type)
{
    switch (type) {
    case JSEXN_INTERNALERR:
        return QStringLiteral("InternalError");
    case JSEXN_AGGREGATEERR:
        return QStringLiteral("AggregateError");
    case JSEXN_EVALERR:
        return QStringLiteral("EvalError");
    case JSEXN_RANGEERR:
        return QStringLiteral("RangeError");
    case JSEXN_REFERENCEERR:
        return QStringLiteral("ReferenceError");
    case JSEXN_SYNTAXERR:
        return QStringLiteral("SyntaxError");
    case JSEXN_TYPEERR:
        return QStringLiteral("TypeError");
    case JSEXN_URIERR:
        return QStringLiteral("URIError");
    default:
        return QStringLiteral("Error");
    }
}

} // namespace

Engine::Engine(quint64 gcBytes, size_t stackBytes)
{
    static const bool initialized = JS_Init();
    if (!initialized)
        return;
    JSContext *cx = JS_NewContext(gcBytes > 0 ? gcBytes : JS::DefaultHeapMaxBytes);
    if (!cx)
        return;
    JS::ContextOptionsRef(cx).setWasm(false).setAsmJS(false);
    JS_SetNativeStackQuota(cx, stackBytes);
    if (!js::UseInternalJobQueues(cx) || !JS::InitSelfHostedCode(cx)) { // in this order, or SpiderMonkey aborts
        JS_DestroyContext(cx);
        return;
    }
    if (gcBytes > 0)
        JS_SetGCParameter(cx, JSGC_MAX_BYTES, uint32_t(qMin<quint64>(gcBytes, 0xffffffffu)));
    JS_SetDefaultLocale(JS_GetRuntime(cx), "en-US");
    JS::SetModuleDynamicImportHook(JS_GetRuntime(cx), &Engine::refuseImport);
    JS::SetOutOfMemoryCallback(cx, &Engine::onOutOfMemory, this);
    JS_SetContextPrivate(cx, this);
    JS_AddInterruptCallback(cx, &Engine::onInterrupt);

    JS::RealmOptions options;
    JSObject *global = JS_NewGlobalObject(cx, &GlobalClass, nullptr, JS::FireOnNewGlobalHook, options);
    if (!global) {
        JS_DestroyContext(cx);
        return;
    }
    m_cx = cx;
    m_global.init(cx, global);
    m_realm = new JSAutoRealm(cx, global);
}

Engine::~Engine()
{
    if (!m_cx)
        return;
    delete m_realm;
    m_global.reset();
    JS_DestroyContext(m_cx);
    JS_ShutDown();
}

bool Engine::onInterrupt(JSContext *cx)
{
    // Returning false ends the script with no exception: uncatchable by try/catch.
    return !static_cast<Engine *>(JS_GetContextPrivate(cx))->m_interrupted.load();
}

// import() asks the embedding for a module: there is none to give. Returning false without an exception ends the
// script there and then (a rejected promise would let it go on as if nothing had been asked).
bool Engine::refuseImport(JSContext *cx, JS::HandleValue, JS::HandleObject, JS::HandleObject)
{
    auto *engine = static_cast<Engine *>(JS_GetContextPrivate(cx));
    engine->m_refusal = QStringLiteral("import() is not available in a projection: it loads no modules or files");
    engine->noteCaller();
    return false;
}

// An out-of-memory exception carries no stack: note where the projection was while the stack is still there.
void Engine::onOutOfMemory(JSContext *, void *engine)
{
    static_cast<Engine *>(engine)->noteCaller();
}

void Engine::noteCaller()
{
    JS::AutoFilename file;
    unsigned line = 0, column = 0;
    if (JS::DescribeScriptedCaller(m_cx, &file, &line, &column) && file.get()
        && QByteArrayView(file.get()) == m_scriptName) {
        m_callerLine = int(line);
        m_callerColumn = int(column) + 1; // counted from 0 here
    }
}

void Engine::interrupt()
{
    m_interrupted.store(true);
    JS_RequestInterruptCallback(m_cx);
}

bool Engine::evaluate(const QByteArray &source, const QString &fileName, JS::MutableHandleValue result)
{
    const QByteArray name = fileName.toUtf8();
    JS::CompileOptions options(m_cx);
    options.setFileAndLine(name.constData(), 1);
    JS::SourceText<mozilla::Utf8Unit> text;
    if (!text.init(m_cx, source.constData(), size_t(source.size()), JS::SourceOwnership::Borrowed))
        return false;
    JS::RootedScript script(m_cx, JS::Compile(m_cx, options, text));
    m_syntaxPhase = !script;
    if (!script)
        return false;
    return JS_ExecuteScript(m_cx, script, result);
}

Thrown Engine::take()
{
    Thrown thrown;
    const bool syntaxPhase = std::exchange(m_syntaxPhase, false);
    const int callerLine = std::exchange(m_callerLine, -1);
    const int callerColumn = std::exchange(m_callerColumn, -1);
    const QString refusal = std::exchange(m_refusal, QString());
    if (!JS_IsExceptionPending(m_cx)) {
        if (refusal.isEmpty()) {
            thrown.terminated = true;
        } else {
            thrown.name = QStringLiteral("Error");
            thrown.message = refusal;
            thrown.line = callerLine;
            thrown.column = callerColumn;
        }
        return thrown;
    }
    JS::ExceptionStack exception(m_cx);
    if (!JS::StealPendingExceptionStack(m_cx, &exception)) {
        thrown.terminated = true;
        return thrown;
    }
    JS::RootedValue value(m_cx, exception.exception());
    const QByteArray &script = m_scriptName;
    if (value.isObject()) {
        JS::RootedObject object(m_cx, &value.toObject());
        if (JSErrorReport *report = JS_ErrorFromException(m_cx, object)) {
            thrown.isError = true;
            thrown.name = exceptionName(JSExnType(report->exnType));
            thrown.message = QString::fromUtf8(report->message().c_str());
            if (report->filename && QByteArrayView(report->filename) == script) {
                thrown.line = int(report->lineno);
                // The parser counts columns from 0, the bytecode's positions from 1.
                thrown.column = int(report->column) + (syntaxPhase && report->exnType == JSEXN_SYNTAXERR ? 1 : 0);
            }
        }
    }
    if (!thrown.isError) {
        if (value.isString()) {
            const QByteArray text = toUtf8(value);
            thrown.outOfMemory = text == "out of memory";
            if (thrown.outOfMemory) {
                thrown.line = callerLine;
                thrown.column = callerColumn;
            }
            thrown.message = QStringLiteral("uncaught exception: ") + QString::fromUtf8(text);
        } else if (value.isObject()) {
            // A plain object thrown: shown as JSON (toJSON may run: the caller keeps the watchdog armed).
            struct Collect
            {
                static bool append(const char16_t *chars, uint32_t length, void *data)
                {
                    static_cast<QString *>(data)->append(QStringView(chars, qsizetype(length)));
                    return true;
                }
            };
            QString out;
            if (!JS_Stringify(m_cx, &value, nullptr, JS::NullHandleValue, &Collect::append, &out))
                JS_ClearPendingException(m_cx);
            thrown.message = QStringLiteral("uncaught exception: ") + (out.isEmpty() ? QStringLiteral("{}") : out);
        } else {
            thrown.message = QStringLiteral("uncaught exception: ") + QString::fromUtf8(toUtf8(value));
        }
    }
    if (thrown.line < 0 && exception.stack()) {
        // Raised inside the runtime or a builtin: the projection's innermost frame, the call that caused it.
        JS::RootedObject frame(m_cx, exception.stack());
        JS::RootedString source(m_cx);
        while (frame) {
            if (JS::GetSavedFrameSource(m_cx, nullptr, frame, &source, JS::SavedFrameSelfHosted::Exclude)
                    == JS::SavedFrameResult::Ok
                && source) {
                JS::RootedValue sourceValue(m_cx, JS::StringValue(source));
                if (toUtf8(sourceValue) == script) {
                    uint32_t line = 0, column = 0;
                    JS::GetSavedFrameLine(m_cx, nullptr, frame, &line, JS::SavedFrameSelfHosted::Exclude);
                    JS::GetSavedFrameColumn(m_cx, nullptr, frame, &column, JS::SavedFrameSelfHosted::Exclude);
                    thrown.line = int(line);
                    thrown.column = int(column);
                    break;
                }
            }
            JS::RootedObject parent(m_cx);
            if (JS::GetSavedFrameParent(m_cx, nullptr, frame, &parent, JS::SavedFrameSelfHosted::Exclude)
                != JS::SavedFrameResult::Ok)
                break;
            frame = parent;
        }
    }
    return thrown;
}

JSString *Engine::newString(const QString &text)
{
    return JS_NewUCStringCopyN(m_cx, reinterpret_cast<const char16_t *>(text.utf16()), size_t(text.size()));
}

JSString *Engine::newString(QByteArrayView utf8)
{
    return JS_NewStringCopyUTF8N(m_cx, JS::UTF8Chars(utf8.data(), size_t(utf8.size())));
}

QByteArray Engine::toUtf8(JS::HandleValue value)
{
    JS::RootedString string(m_cx, JS::ToString(m_cx, value));
    JSLinearString *linear = string ? JS_EnsureLinearString(m_cx, string) : nullptr;
    if (!linear) {
        JS_ClearPendingException(m_cx);
        return {};
    }
    QByteArray out(qsizetype(JS::GetDeflatedUTF8StringLength(linear)), Qt::Uninitialized);
    JS::DeflateStringToUTF8Buffer(linear, mozilla::Span<char>(out.data(), size_t(out.size())));
    return out;
}

} // namespace Eventscope::Sandbox
