#!/usr/bin/env python3
# Drives eventscope-sandbox directly over its framed protocol (core/sandboxprotocol.h): N commits of the seeder's
# ~100-byte payloads in batches, through a reducer (the bench's by default, or --script FILE), then the state; prints
# the sandbox's CPU per commit and its peak RSS. No Redis, no application: the sandbox's own cost.
#   python3 bench/sandbox_drive.py build-bench/app/eventscope-sandbox --commits 200000 [--env NAME=VALUE]
import json, os, struct, subprocess, sys, threading, time

def frame(kind, body):
    return struct.pack('<I', len(body) + 1) + kind.encode() + body

def payload(serial):
    types = ['Deposited', 'Withdrawn', 'Opened']
    p = '{"type":"%s","account":"customer-1","amount":%d,"timestamp":"2025-11-26T00:00:%02dZ","note":"' % (
        types[serial % 3], (serial * 7919) % 10000, serial % 60)
    p += 'x' * max(0, 100 - len(p) - 2) + '"}'
    return p.encode()

def events(first, n):
    out = [struct.pack('<I', n)]
    for v in range(first, first + n):
        i = b'e%d' % v; s = b'customer-1'; p = payload(v)
        out.append(struct.pack('<qBIII', v, 0, len(i), len(s), len(p)) + i + s + p)
    return b''.join(out)

REDUCER = '''function init() { return { count: 0, sum: 0 }; }
function reduce(state, event) { state.count += 1; state.sum += event.data.amount; return state; }'''

def read_frame(f):
    h = f.read(5)
    if len(h) < 5: raise SystemExit('sandbox closed')
    n, k = struct.unpack('<Ic', h)
    return k.decode(), f.read(n - 1)

def cpu(pid):
    with open('/proc/%d/stat' % pid) as f:
        parts = f.read().rsplit(')', 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf('SC_CLK_TCK')

def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('sandbox'); ap.add_argument('--commits', type=int, default=200000)
    ap.add_argument('--batch', type=int, default=1000); ap.add_argument('--script', default=None)
    ap.add_argument('--env', action='append', default=[]); ap.add_argument('--distinct', type=int, default=8)
    a = ap.parse_args()
    env = {'LANG': 'C.UTF-8'}
    for e in a.env:
        k, v = e.split('=', 1); env[k] = v
    script = open(a.script).read() if a.script else REDUCER
    p = subprocess.Popen([a.sandbox], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    p.stdin.write(frame('C', json.dumps({'script': script, 'name': 'bench.js', 'layout': 'seed', 'seed': 1, 'eventMs': int(os.environ.get('EV', '250'))}).encode()))
    p.stdin.flush()
    k, b = read_frame(p.stdout); assert k == "K", (k, b)
    batches = [events(1 + i * a.batch, a.batch) for i in range(a.distinct)]
    nb = a.commits // a.batch
    c0 = cpu(p.pid); t0 = time.time()
    def writer():
        for i in range(nb):
            p.stdin.write(frame('E', batches[i % len(batches)]))
        p.stdin.write(frame('G', b'')); p.stdin.flush()
    th = threading.Thread(target=writer); th.start()
    done = 0
    while True:
        k, b = read_frame(p.stdout)
        if k == 'P': continue
        if k == 'D': done += 1; continue
        if k == 'T':
            n = struct.unpack('<I', b[:4])[0]; state = b[4:4 + n]; break
        if k == 'X':
            t1 = time.time(); print('error after %.2f s: %s' % (t1 - t0, b[:200])); return
        raise SystemExit('unexpected %s %s' % (k, b[:300]))
    t1 = time.time(); c1 = cpu(p.pid); th.join()
    rss = 0
    with open('/proc/%d/status' % p.pid) as f:
        for line in f:
            if line.startswith('VmHWM'): rss = int(line.split()[1])
    p.stdin.close(); p.wait()
    n = nb * a.batch
    print('%d commits, batch %d: wall %.3f s (%.0f/s), sandbox cpu %.3f s = %.2f us/commit, VmHWM %.1f MB, state %s'
          % (n, a.batch, t1 - t0, n / (t1 - t0), c1 - c0, (c1 - c0) / n * 1e6, rss / 1024, state[:80].decode()))

main()
