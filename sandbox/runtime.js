// The sandbox's runtime: evaluated once, before the projection, in a fresh QJSEngine. It strips the global object
// down to ECMAScript, installs a deterministic Date and Math.random, the KurrentDB projection API and a captured
// console, and returns the driver the C++ side calls. The driver lives only in this closure and in C++: the
// projection cannot reach or replace it.
(function (realNow, config) {
    'use strict';
    const G = Function('return this')(); // this engine has no globalThis

    // Only ECMAScript. Whatever else the engine installed (print, gc, console, Qt, ...) goes. Atomics and
    // SharedArrayBuffer go too: Atomics.wait could block the thread beyond the watchdog's reach.
    const keep = new Set(['Object', 'Function', 'Array', 'String', 'Boolean', 'Number', 'Symbol', 'Date', 'Promise',
        'RegExp', 'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'JSON',
        'Math', 'Reflect', 'Proxy', 'Map', 'WeakMap', 'Set', 'WeakSet', 'ArrayBuffer', 'DataView', 'Int8Array',
        'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array',
        'Float64Array', 'globalThis', 'NaN', 'Infinity', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat',
        'parseInt', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape']);
    for (const name of Object.getOwnPropertyNames(G)) {
        if (keep.has(name))
            continue;
        try {
            delete G[name];
        } catch (e) {
        }
        if (Object.prototype.hasOwnProperty.call(G, name)) {
            try {
                Object.defineProperty(G, name, { value: undefined, writable: false, configurable: false });
            } catch (e) {
            }
        }
    }

    const imul = Math.imul;
    const stringify = JSON.stringify;
    const parse = JSON.parse;
    const zilverline = config.layout === 'zilverline';
    const seed = config.seed | 0;

    // Deterministic time: the current event's timestamp (or 0, the epoch, when it has none).
    const RealDate = Date;
    let nowRaw = undefined;
    function now() {
        const value = nowRaw;
        if (typeof value === 'number' && isFinite(value))
            return value < 100000000000 ? Math.round(value * 1000) : Math.round(value);
        if (typeof value === 'string') {
            const parsed = RealDate.parse(value);
            if (!isNaN(parsed))
                return parsed;
        }
        return 0;
    }
    function SandboxDate(...args) {
        if (new.target === undefined)
            return new RealDate(now()).toString();
        if (args.length === 0)
            return new RealDate(now());
        return new RealDate(...args);
    }
    SandboxDate.prototype = RealDate.prototype;
    SandboxDate.now = now;
    SandboxDate.UTC = RealDate.UTC;
    SandboxDate.parse = RealDate.parse;
    Object.defineProperty(RealDate.prototype, 'constructor', { value: SandboxDate, writable: true, configurable: true });
    G.Date = SandboxDate;

    // Seeded per event (mulberry32), so a replay from a checkpoint draws the same numbers as the first run.
    let rng = 0;
    Math.random = function random() {
        rng = (rng + 0x6D2B79F5) | 0;
        let t = rng;
        t = imul(t ^ (t >>> 15), t | 1);
        t ^= t + imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };

    // A captured console: lines go back to the application with the batch, pinned to their event.
    const logs = [];
    const maxLogs = 1000;
    let current = null; // the event being handled
    function log(level) {
        return function (...args) {
            if (logs.length >= maxLogs)
                return;
            const text = args.map(a => typeof a === 'string' ? a : (() => {
                try {
                    return stringify(a);
                } catch (e) {
                    return String(a);
                }
            })()).join(' ');
            logs.push({ level, text: text.length > 4096 ? text.slice(0, 4096) : text, version: current ? current.version : 0,
                id: current ? current.id : null });
        };
    }
    G.console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };

    // "Would emit": the writes a KurrentDB projection asks for, recorded and never performed.
    const emits = [];
    const maxEmits = 10000;
    let emitCount = 0;
    function record(kind, fields) {
        ++emitCount;
        if (emits.length >= maxEmits)
            return;
        fields.kind = kind;
        fields.version = current ? current.version : 0;
        fields.id = current ? current.id : null;
        emits.push(fields);
    }
    G.emit = function emit(streamId, eventType, eventBody, metadata) {
        record('emit', { stream: String(streamId), type: String(eventType), data: eventBody === undefined ? null : eventBody,
            metadata: metadata === undefined ? null : metadata });
    };
    G.linkTo = function linkTo(streamId, event, metadata) {
        record('linkTo', { stream: String(streamId), target: event ? event.id : null, metadata: metadata === undefined ? null : metadata });
    };
    G.copyTo = function copyTo(streamId, event, metadata) {
        record('copyTo', { stream: String(streamId), target: event ? event.id : null, metadata: metadata === undefined ? null : metadata });
    };
    G.linkStreamTo = function linkStreamTo(streamId, linkedStreamId, metadata) {
        record('linkStreamTo', { stream: String(streamId), target: String(linkedStreamId), metadata: metadata === undefined ? null : metadata });
    };

    // The KurrentDB builder. One source per projection; partitioned projections are not supported.
    function unsupported(what, why) {
        return function () {
            throw new Error(what + ' is not supported' + (why ? ': ' + why : ''));
        };
    }
    let definition = null;
    function source(kind, streams) {
        if (definition)
            throw new Error('a projection has one source: fromAll(), fromStream() or fromStreams(), once');
        definition = { kind, streams, handlers: null, transforms: [], output: false };
        const chain = {
            when(handlers) {
                if (definition.handlers)
                    throw new Error('when() may be called once');
                if (handlers === null || typeof handlers !== 'object')
                    throw new Error('when() takes an object of handlers');
                for (const key of Object.keys(handlers)) {
                    if (key === '$initShared')
                        throw new Error('$initShared is not supported: partitioned projections are not supported');
                    if (key === '$created' || key === '$deleted')
                        throw new Error(key + ' is not supported: partitioned projections are not supported');
                    if (typeof handlers[key] !== 'function')
                        throw new Error('the handler "' + key + '" is not a function');
                }
                definition.handlers = handlers;
                return chain;
            },
            filterBy(fn) {
                if (typeof fn !== 'function')
                    throw new Error('filterBy() takes a function');
                definition.transforms.push({ filter: fn });
                return chain;
            },
            transformBy(fn) {
                if (typeof fn !== 'function')
                    throw new Error('transformBy() takes a function');
                definition.transforms.push({ map: fn });
                return chain;
            },
            outputState() {
                definition.output = true;
                return chain;
            },
            foreachStream: unsupported('foreachStream()', 'partitioned projections are not supported'),
            partitionBy: unsupported('partitionBy()', 'partitioned projections are not supported'),
            outputTo: unsupported('outputTo()', 'a replay writes nothing; use emit() to see would-be writes'),
            $defines_state_transform() {
                return chain;
            },
        };
        return chain;
    }
    G.fromAll = () => source('all', []);
    G.fromStream = s => source('stream', [String(s)]);
    G.fromStreams = (...list) => source('streams', (list.length === 1 && Array.isArray(list[0]) ? list[0] : list).map(String));
    G.options = function options() {
    };
    G.fromCategory = unsupported('fromCategory()', 'pick the streams to replay in Eventscope instead');
    G.fromCategories = unsupported('fromCategories()', 'pick the streams to replay in Eventscope instead');
    G.fromStreamsMatching = unsupported('fromStreamsMatching()', 'pick the streams to replay in Eventscope instead');
    G.fromStreamCatalog = unsupported('fromStreamCatalog()');
    G.fromEventTypes = unsupported('fromEventTypes()', 'filter on event.type in a handler instead');

    // The event object. Own fields are set in one constructor so every event shares one shape; the KurrentDB
    // names are getters on the prototype, costing nothing unless read.
    function typeOf(data) {
        if (data === null || typeof data !== 'object')
            return null;
        for (const key of ['type', 'eventType', '$type', 'event']) {
            const value = data[key];
            if (typeof value === 'string')
                return value;
        }
        return null;
    }
    function Event(id, stream, version, type, data, raw, metadata, timestamp, commit, index) {
        this.id = id;
        this.stream = stream;
        this.version = version;
        this.type = type;
        this.data = data;
        this.raw = raw;
        this.metadata = metadata;
        this.headers = metadata;
        this.timestamp = timestamp;
        this.commit = commit;
        this.index = index;
    }
    Object.defineProperties(Event.prototype, {
        eventType: { get() { return this.type; } },
        streamId: { get() { return this.stream; } },
        sequenceNumber: { get() { return this.version - 1; } },
        body: { get() { return this.data; } },
        bodyRaw: { get() { return this.raw; } },
        isJson: { get() { return this.data !== null; } },
        metadataRaw: { get() { return this.metadata === undefined || this.metadata === null ? null : stringify(this.metadata); } },
    });

    let form = null; // 'reducer' | 'kurrent'
    let reduceFn = null, initFn = null, handlerMap = null, anyHandler = null, transforms = [];
    let state = undefined;
    let lastGood = 'null'; // the state's JSON after the last check: the point to go back to when pinning a limit

    function apply(event) {
        current = event;
        rng = (seed ^ imul(event.version | 0, 0x9E3779B1) ^ imul(event.index + 1, 0x85EBCA6B)) | 0;
        nowRaw = event.timestamp;
        if (form === 'reducer') {
            const next = reduceFn(state, event);
            if (next !== undefined)
                state = next;
            return;
        }
        const handler = handlerMap.get(event.type) || anyHandler;
        if (handler) {
            const next = handler(state, event);
            if (next !== undefined)
                state = next;
        }
    }

    function parseOne(raw) {
        const first = raw.charCodeAt(0);
        if (first === 123 || first === 91) { // '{' or '['
            try {
                return parse(raw);
            } catch (e) {
            }
        }
        return null;
    }

    // data: the payload parsed (null: not JSON).
    function feed(version, id, stream, raw, data) {
        if (zilverline && data !== null && Array.isArray(data.events)) {
            // A commit carries several events: each in turn, with the commit's fields at hand.
            const events = data.events;
            const commit = { storeRevision: data.storeRevision, timestamp: data.timestamp, streamId: data.streamId,
                streamRevision: data.streamRevision, headers: data.headers === undefined ? null : data.headers, id };
            const name = typeof data.streamId === 'string' ? data.streamId : stream;
            for (let i = 0; i < events.length; ++i) {
                const item = events[i];
                apply(new Event(id, name, version, typeOf(item), item, stringify(item), commit.headers,
                    data.timestamp, commit, i));
            }
            return;
        }
        let metadata = null, timestamp = undefined;
        if (data !== null && typeof data === 'object') {
            metadata = data.metadata !== undefined ? data.metadata : (data.headers !== undefined ? data.headers : null);
            timestamp = data.timestamp;
        }
        apply(new Event(id, stream, version, typeOf(data), data, raw, metadata, timestamp, null, 0));
    }

    let meta = [], text = '';
    let parsed = null; // the batch's JSON payloads, parsed at once; null: parse each alone
    let position = -1; // the commit being fed, for the watchdog's report
    const stride = 6;  // version, id, stream, begin, end, slot
    // Feeds commit i of the batch. fresh: parse its payload again (a replay of a stretch must not see objects an
    // earlier pass handed to the projection, which may have changed them).
    function feedAt(i, fresh) {
        const k = i * stride;
        const begin = meta[k + 3];
        if (begin < 0)
            return; // an id the hash lacks: nothing to feed
        const raw = text.substring(begin, meta[k + 4]);
        const slot = meta[k + 5];
        const data = slot >= 0 && parsed !== null && !fresh ? parsed[slot] : parseOne(raw);
        feed(meta[k], meta[k + 1], meta[k + 2], raw, data);
    }

    function initialState() {
        if (form === 'reducer')
            return initFn ? initFn() : {};
        const init = definition.handlers && definition.handlers.$init;
        return init ? init() : {};
    }
    function output() {
        if (transforms.length === 0)
            return undefined;
        let value = state;
        for (const step of transforms) {
            if (step.filter) {
                if (!step.filter(value))
                    return null;
            } else {
                value = step.map(value);
            }
        }
        return value;
    }
    // A lower bound of the state's JSON size without building the JSON: this engine's JSON.stringify is slow on
    // large strings (it copies character by character), so the per-stretch check must not call it for states
    // that are clearly under or clearly over the limit.
    function lowerBound(value, seen) {
        switch (typeof value) {
        case 'string':
            return value.length + 2;
        case 'number':
            return isFinite(value) ? String(value).length : 4;
        case 'boolean':
            return 4;
        case 'object': {
            if (value === null)
                return 4;
            if (seen.has(value))
                throw new TypeError('the state has a cycle; it cannot be serialized as JSON');
            seen.add(value);
            let n = 2;
            if (Array.isArray(value)) {
                for (let i = 0; i < value.length; ++i)
                    n += lowerBound(value[i], seen) + 1;
            } else {
                for (const key of Object.keys(value)) {
                    const v = value[key];
                    if (v === undefined || typeof v === 'function' || typeof v === 'symbol')
                        continue;
                    n += key.length + 4 + lowerBound(v, seen);
                }
            }
            seen.delete(value);
            return n;
        }
        default:
            return 0;
        }
    }
    // The state's size against the limit: -1 under, else the size. The size is the JSON's length with each
    // string counted by its length: exact for ASCII without escapes, a lower bound otherwise. Serializing to
    // count exactly costs about a second per 16 MiB here, per check.
    function over(limit) {
        const size = lowerBound(state, new Set());
        return size > limit ? size : -1;
    }
    const restoreBelow = 256 * 1024; // states smaller than this are kept as JSON after each stretch, to pin from
    let perEvent = false;            // larger ones are checked after every event instead
    let lastSize = 0;
    return {
        // After the projection's top level ran: which form it has, or an error.
        finish() {
            if (definition) {
                if (!definition.handlers)
                    throw new Error(definition.kind === 'all' ? 'fromAll() needs .when({...})' : 'the source needs .when({...})');
                form = 'kurrent';
                handlerMap = new Map();
                for (const key of Object.keys(definition.handlers)) {
                    if (key !== '$init' && key !== '$any')
                        handlerMap.set(key, definition.handlers[key]);
                }
                anyHandler = definition.handlers.$any || null;
                transforms = definition.transforms;
                return stringify({ form, sources: { kind: definition.kind, streams: definition.streams },
                    hasResult: transforms.length > 0, output: definition.output });
            }
            if (typeof G.reduce === 'function') {
                form = 'reducer';
                reduceFn = G.reduce;
                initFn = typeof G.init === 'function' ? G.init : null;
                return stringify({ form, sources: null, hasResult: false, output: true });
            }
            throw new Error('no projection found: define function reduce(state, event), or use fromAll()/fromStream(s)/fromStreams([...]).when({...})');
        },
        reset() {
            current = null;
            nowRaw = undefined;
            rng = seed;
            state = initialState();
            if (state === undefined)
                state = null;
            lastGood = stringify(state);
            perEvent = false;
        },
        setState(json) {
            state = parse(json);
            lastGood = json.length < restoreBelow ? json : null;
            perEvent = lastGood === null;
        },
        load(metaJson, batchText, arrayEnd, slots) {
            meta = parse(metaJson);
            text = batchText;
            parsed = null;
            if (slots > 0) {
                try {
                    parsed = parse(text.substring(0, arrayEnd));
                    if (!Array.isArray(parsed) || parsed.length !== slots)
                        parsed = null;
                } catch (e) {
                    parsed = null;
                }
            }
            logs.length = 0;
            emits.length = 0;
            emitCount = 0;
        },
        count() {
            return meta.length / stride;
        },
        // Feeds commits from index `from` until the batch ends or budgetMs has passed (checked between commits, so
        // an event that was running when the watchdog fired has run for at least the per-event limit). Returns the
        // next index, or {index, error}.
        run(from, budgetMs) {
            const start = realNow();
            const n = meta.length / stride;
            let i = from;
            try {
                for (; i < n; ++i) {
                    if (i > from && (perEvent || realNow() - start > budgetMs))
                        break;
                    position = i;
                    feedAt(i, false);
                }
            } catch (e) {
                return { index: i, error: e };
            }
            position = -1;
            return i;
        },
        position() {
            return position;
        },
        // The state's serialized size, checked after each run(); over the limit, find the commit that crossed it by
        // going back to the last good state and feeding one commit at a time.
        // The state's size, checked after each run(). Over the limit: the commit that crossed it is the last one
        // fed when checking per event; otherwise go back to the last good state and feed one commit at a time.
        // Returns -1, or the index of that commit.
        check(limit, from, to) {
            const size = over(limit);
            if (size < 0) {
                const low = lowerBound(state, new Set());
                perEvent = low >= restoreBelow;
                lastGood = perEvent ? null : stringify(state === undefined ? null : state);
                return -1;
            }
            lastSize = size;
            if (to - from <= 1 || lastGood === null)
                return to - 1;
            state = parse(lastGood);
            for (let i = from; i < to; ++i) {
                feedAt(i, true);
                const step = over(limit);
                if (step >= 0) {
                    lastSize = step;
                    return i;
                }
            }
            return to - 1;
        },
        stateSize() {
            return lastSize;
        },
        snapshot() {
            const result = output();
            return [stringify(state === undefined ? null : state), result === undefined ? '' : stringify(result === undefined ? null : result)];
        },
        emitted() {
            return stringify({ emits, emitCount, logs });
        },
        commitAt(index) {
            const k = index * stride;
            return [meta[k], meta[k + 1]];
        },
    };
})
