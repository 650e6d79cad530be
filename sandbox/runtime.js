// The sandbox's runtime: evaluated once, before the projection, in a fresh SpiderMonkey global. It strips the global object
// down to ECMAScript, installs a deterministic Date and Math.random, the KurrentDB projection API and a captured
// console, and returns the driver the C++ side calls. The driver lives only in this closure and in C++: the
// projection cannot reach or replace it.
(function (realNow, config) {
    'use strict';
    const G = Function('return this')();

    // Only ECMAScript. Whatever else the engine installed goes: Intl (its answers depend on the machine's locale
    // and time zone data), WeakRef and FinalizationRegistry (they let the garbage collector's timing show),
    // WebAssembly, uneval, InternalError. Atomics and SharedArrayBuffer go too: Atomics.wait could block the
    // thread beyond the watchdog's reach.
    const keep = new Set(['Object', 'Function', 'Array', 'String', 'Boolean', 'Number', 'Symbol', 'Date', 'Promise',
        'RegExp', 'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'JSON',
        'Math', 'Reflect', 'Proxy', 'Map', 'WeakMap', 'Set', 'WeakSet', 'ArrayBuffer', 'DataView', 'Int8Array',
        'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array',
        'Float64Array', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'AggregateError', 'globalThis', 'NaN', 'Infinity', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat',
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
    // Taken now: the projection runs before the driver's per-batch work and could replace the globals.
    const create = Object.create;
    const defineProperty = Object.defineProperty;
    const Doubles = Float64Array;
    const stringify = JSON.stringify;
    const parse = JSON.parse;
    const zilverline = config.layout === 'zilverline';
    const seed = config.seed | 0;

    let current = null; // the event being handled

    // Deterministic time: the current event's timestamp (or 0, the epoch, when it has none).
    const RealDate = Date;
    // Read from the event when the projection first asks for the time, not for every event.
    let nowRaw = undefined;
    let nowPending = false;
    function now() {
        if (nowPending) {
            nowPending = false;
            nowRaw = current.timestamp;
        }
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

    // Seeded per event (mulberry32), so a replay from a checkpoint draws the same numbers as the first run. The
    // seed is computed when the event first draws a number.
    let rng = 0;
    let rngPending = false;
    Math.random = function random() {
        if (rngPending) {
            rngPending = false;
            rng = (seed ^ imul(current.version | 0, 0x9E3779B1) ^ imul(current.index + 1, 0x85EBCA6B)) | 0;
        }
        rng = (rng + 0x6D2B79F5) | 0;
        let t = rng;
        t = imul(t ^ (t >>> 15), t | 1);
        t ^= t + imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };

    // A captured console: lines go back to the application with the batch, pinned to their event.
    const logs = [];
    const maxLogs = 1000;
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

    // The event object. Per event only what every projection needs is built: an object with `version`, `data` and
    // its place in the batch (a symbol, so invisible to JSON and Object.keys). Every other field is a getter on the
    // batch's prototype, computed from the batch when read: `raw` is cut from the batch's text only when asked for,
    // and `id`, `stream`, `type`, `metadata`, `timestamp` cost nothing unless read. toJSON() gives the whole event
    // as a plain object, so JSON.stringify(event) and console.log(event) show every field.
    const SLOT = Symbol('slot');
    const BATCH = Symbol('batch');
    const SOURCE = Symbol('source');
    const stride = 8; // per commit in the batch's meta: version, id begin, id end, stream, where, begin, end, slot

    function typeOf(data) {
        if (data === null || typeof data !== 'object')
            return null;
        let value = data.type;
        if (typeof value === 'string')
            return value;
        value = data.eventType;
        if (typeof value === 'string')
            return value;
        value = data.$type;
        if (typeof value === 'string')
            return value;
        value = data.event;
        return typeof value === 'string' ? value : null;
    }
    function metadataOf(data) {
        if (data === null || typeof data !== 'object')
            return null;
        return data.metadata !== undefined ? data.metadata : (data.headers !== undefined ? data.headers : null);
    }
    // The payload text of commit i of a batch (where: 0 in the JSON array's text, 1 in the other text).
    function rawAt(batch, i) {
        const k = i * stride;
        const m = batch.meta;
        return (m[k + 4] === 0 ? batch.json : batch.other).substring(m[k + 5], m[k + 6]);
    }

    function EventBase() {
    }
    Object.defineProperties(EventBase.prototype, {
        eventType: { get() { return this.type; } },
        streamId: { get() { return this.stream; } },
        sequenceNumber: { get() { return this.version - 1; } },
        body: { get() { return this.data; } },
        bodyRaw: { get() { return this.raw; } },
        isJson: { get() { return this.data !== null; } },
        metadataRaw: {
            get() {
                const metadata = this.metadata;
                return metadata === undefined || metadata === null ? null : stringify(metadata);
            }
        },
        toJSON: {
            value: function toJSON() {
                return { id: this.id, stream: this.stream, version: this.version, type: this.type, data: this.data,
                    raw: this.raw, metadata: this.metadata, headers: this.headers, timestamp: this.timestamp,
                    commit: this.commit, index: this.index };
            }
        },
    });

    // A commit's payload as one event (every layout but a zilverline commit with events).
    function Event(version, data, slot) {
        this.version = version;
        this.data = data;
        this[SLOT] = slot;
    }
    // A field computed when read; assigning to it gives the event an own value, as a plain field would.
    function field(name, get) {
        return {
            enumerable: true,
            configurable: true,
            get,
            set(value) {
                defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
            },
        };
    }
    const eventPrototype = Object.create(EventBase.prototype, {
        id: field('id', function () {
            const batch = this[BATCH], k = this[SLOT] * stride;
            return batch.ids.substring(batch.meta[k + 1], batch.meta[k + 2]);
        }),
        stream: field('stream', function () {
            const batch = this[BATCH];
            return batch.streams[batch.meta[this[SLOT] * stride + 3]];
        }),
        type: field('type', function () { return typeOf(this.data); }),
        raw: field('raw', function () { return rawAt(this[BATCH], this[SLOT]); }),
        metadata: field('metadata', function () { return metadataOf(this.data); }),
        headers: field('headers', function () { return metadataOf(this.data); }),
        timestamp: field('timestamp', function () {
            const data = this.data;
            return data !== null && typeof data === 'object' ? data.timestamp : undefined;
        }),
        commit: field('commit', function () { return null; }),
        index: field('index', function () { return 0; }),
    });

    // One event of a zilverline commit: the commit's fields at hand; `raw` is the event's JSON as stored.
    function CommitEvent(id, stream, version, type, data, metadata, timestamp, commit, index, source) {
        this.id = id;
        this.stream = stream;
        this.version = version;
        this.type = type;
        this.data = data;
        this.metadata = metadata;
        this.headers = metadata;
        this.timestamp = timestamp;
        this.commit = commit;
        this.index = index;
        this[SOURCE] = source;
    }
    CommitEvent.prototype = Object.create(EventBase.prototype, {
        // Parsed again from the commit's text: the projection may have changed the objects it was given.
        raw: field('raw', function () {
            const source = this[SOURCE];
            return stringify(parse(rawAt(source.batch, source.slot)).events[this.index]);
        }),
    });

    let form = null; // 'reducer' | 'kurrent'
    let reduceFn = null, initFn = null, handlerMap = null, anyHandler = null, transforms = [];
    let state = undefined;
    let lastGood = 'null'; // the state's JSON after the last check: the point to go back to when pinning a limit

    function apply(event) {
        current = event;
        rngPending = true;
        nowPending = true;
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

    // The batch being fed: meta (Float64Array, `stride` numbers per commit), the ids' text, the streams, the JSON
    // array's text and the other payloads' text; parsed: the JSON array parsed at once (null: parse each alone).
    let batch = null;
    let meta = null;
    let parsed = null;
    let count = 0;
    let position = -1; // the commit being fed, for the watchdog's report
    let checkedAt = -1; // the commit run() read the clock right before
    let stretchMarks = [0, 0, 0]; // logs, emits and emitCount before the stretch, for retry()
    // Feeds commit i of the batch. fresh: parse its payload again (a replay of a stretch must not see objects an
    // earlier pass handed to the projection, which may have changed them).
    function feedAt(i, fresh) {
        const k = i * stride;
        if (meta[k + 4] < 0)
            return; // an id the hash lacks: nothing to feed
        const slot = meta[k + 7];
        const data = slot >= 0 && parsed !== null && !fresh ? parsed[slot] : parseOne(rawAt(batch, i));
        if (zilverline && data !== null && Array.isArray(data.events)) {
            // A commit carries several events: each in turn, with the commit's fields at hand.
            const events = data.events;
            const id = batch.ids.substring(meta[k + 1], meta[k + 2]);
            const headers = data.headers === undefined ? null : data.headers;
            const commit = { storeRevision: data.storeRevision, timestamp: data.timestamp, streamId: data.streamId,
                streamRevision: data.streamRevision, headers, id };
            const name = typeof data.streamId === 'string' ? data.streamId : batch.streams[meta[k + 3]];
            const source = { batch, slot: i };
            for (let e = 0; e < events.length; ++e) {
                const item = events[e];
                apply(new CommitEvent(id, name, meta[k], typeOf(item), item, headers, data.timestamp, commit, e,
                    source));
            }
            return;
        }
        apply(new Event(meta[k], data, i));
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
    function lowerBound(value, seen, converted) {
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
            if (!converted && typeof value.toJSON === 'function')
                return lowerBound(value.toJSON(), seen, true); // as JSON.stringify sees it (an event, a Date)
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
            nowPending = false;
            rng = seed;
            rngPending = false;
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
        // A batch: metaBuffer an ArrayBuffer of `stride` doubles per commit, ids the ids one after the other,
        // streamsJson the streams' names (a JSON array), json "[" the payloads that are strict JSON objects or arrays
        // joined by "," "]", other the other payloads one after the other, slots how many are in json.
        load(metaBuffer, ids, streamsJson, json, other, slots) {
            meta = new Doubles(metaBuffer);
            count = meta.length / stride;
            batch = { meta, ids, streams: parse(streamsJson), json, other };
            const prototype = create(eventPrototype);
            prototype[BATCH] = batch;
            Event.prototype = prototype;
            parsed = null;
            if (slots > 0) {
                try {
                    parsed = parse(json);
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
            return count;
        },
        // Feeds commits from index `from` until the batch ends or budgetMs has passed. Returns the next index. The clock is read between commits: after each of the first 8, then, while commits are
        // quick (a stretch of them within a millisecond), every 2, 4, ... 64 commits. An event that was running
        // when the watchdog fired (at the budget plus the per-event limit) has then run for at least the limit if
        // the clock was read right before it (exact() says so); otherwise the caller goes back (retry()) and runs
        // the stretch again with the clock read before every commit (strict), which names the event exactly.
        run(from, budgetMs, strict) {
            const start = realNow();
            const n = count;
            let i = from;
            let every = 1, nextCheck = from + 1, lastCheck = start;
            checkedAt = from;
            stretchMarks = [logs.length, emits.length, emitCount];
            // An exception goes out to the host with `position` at the commit that threw it.
            for (; i < n; ++i) {
                if (i >= nextCheck) {
                    if (perEvent)
                        break;
                    const t = realNow();
                    if (t - start > budgetMs)
                        break;
                    every = !strict && i - from >= 8 && t - lastCheck < 1 ? (every < 64 ? every * 2 : 64) : 1;
                    lastCheck = t;
                    checkedAt = i;
                    nextCheck = i + every;
                }
                position = i;
                feedAt(i, strict);
            }
            position = -1;
            return i;
        },
        position() {
            return position;
        },
        exact() {
            return position === checkedAt;
        },
        // Back to the state before the stretch that run() was feeding, for a strict run of it: false when that
        // state was not kept (states this large are checked after every commit, so their stretches are one commit).
        retry() {
            if (lastGood === null)
                return false;
            state = parse(lastGood);
            logs.length = stretchMarks[0];
            emits.length = stretchMarks[1];
            emitCount = stretchMarks[2];
            position = -1;
            return true;
        },
        // The state's serialized size, checked after each run(); over the limit, find the commit that crossed it by
        // going back to the last good state and feeding one commit at a time.
        // The state's size, checked after each run(). Over the limit: the commit that crossed it is the last one
        // fed when checking per event; otherwise go back to the last good state and feed one commit at a time.
        // Returns -1, or the index of that commit.
        check(limit, from, to) {
            const low = lowerBound(state, new Set());
            const size = low > limit ? low : -1;
            if (size < 0) {
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
    };
})
