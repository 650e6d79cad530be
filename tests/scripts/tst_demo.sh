#!/usr/bin/env bash
# scripts/demo.sh starts, seeds and stops cleanly, with the programs of this build (tst_demo.sh BIN_DIR):
#   1. the tour (no window): a private redis-server, both layouts seeded, live writers; afterwards the redis-server
#      and the writers are gone, no process refers to its temp dir and the temp dir is removed; the window's
#      screenshot is a real picture;
#   2. --keep, stopped with SIGTERM: the live writers write while it runs, and the trap cleans up the same way;
#   3. --url: an existing Redis is used as it is: nothing started, seeded or written, and it keeps running.
set -euo pipefail
bin=$(cd "${1:?usage: tst_demo.sh BIN_DIR}" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
demo=$repo/scripts/demo.sh
cli=$bin/eventscope-cli
work=$(mktemp -d /tmp/eventscope-tst-demo.XXXXXX)
demo_pid=""
ext_pid=""
cleanup() {
    [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null
    [ -n "$ext_pid" ] && kill "$ext_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

checks=0
fail() {
    echo "FAIL: $*" >&2
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; cat "$log"; } >&2; done
    exit 1
}
pass() { checks=$((checks + 1)); echo "ok: $*"; }

# Waits (bounded) until a command succeeds: the demo's progress is seen in its log and in Redis, not guessed.
wait_for() {
    local seconds=$1
    shift
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

# What the demo printed about the processes it started: "pid N, in DIR" and "live writers: pids A B".
demo_processes() {
    local log=$1
    redis_pid=$(sed -n 's/^== demo Redis at .*; pid \([0-9]*\), in \(.*\))$/\1/p' "$log")
    demo_dir=$(sed -n 's/^== demo Redis at .*; pid \([0-9]*\), in \(.*\))$/\2/p' "$log")
    writer_pids=$(sed -n 's/.*live writers: pids \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$log")
    demo_url=$(sed -n 's/^== demo Redis at \(redis:[^ ]*\) .*/\1/p' "$log")
    [ -n "$redis_pid" ] && [ -n "$demo_dir" ] && [ -n "$demo_url" ] || fail "the demo did not say what it started"
    [ "$(echo "$writer_pids" | wc -w)" -eq 2 ] || fail "the demo did not name its two live writers"
}

# Nothing of the demo is left: no process with its pids or with its temp dir on the command line, no temp dir.
check_clean() {
    local what=$1 pid
    for pid in $redis_pid $writer_pids; do
        ! kill -0 "$pid" 2>/dev/null || fail "$what: process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline)) still runs"
    done
    local left
    left=$(grep -las -- "$demo_dir" /proc/[0-9]*/cmdline || true)
    [ -z "$left" ] || fail "$what: processes still refer to $demo_dir: $left"
    [ ! -e "$demo_dir" ] || fail "$what: $demo_dir is still there"
    pass "$what: redis-server $redis_pid and writers $writer_pids are gone, $demo_dir removed"
}

# 1. The tour. (A demo that does not stop by itself, its cleanup waiting on a child it did not stop, is ended by
# timeout and fails here.)
timeout 300 env -u DISPLAY -u WAYLAND_DISPLAY "$demo" --bin "$bin" --tour --screenshot "$work/window.png" >"$work/tour.log" 2>&1 ||
    fail "demo.sh --tour exited $?"
demo_processes "$work/tour.log"
grep -q '^== seeded 50 streams in the seed layout and 20 in the zilverline layout;' "$work/tour.log" ||
    fail "the demo did not seed 50 + 20 streams"
pass "seeded 50 streams in the seed layout and 20 in the zilverline layout"
[ "$(grep -c '^{"stream":' "$work/tour.log")" -eq 4 ] || fail "the tour printed no JSON events"
grep -q '^1	e[0-9]*	' "$work/tour.log" || fail "the tour printed no events of customer-1"
pass "the CLI tour printed events of both layouts"
if [ -x "$bin/eventscope" ]; then
    [[ "$(file -b "$work/window.png")" == "PNG image data, 1280 x 800,"* ]] || fail "no 1280x800 screenshot"
    # A window showing streams, events and a payload; an empty one compresses to a few KiB.
    [ "$(stat -c %s "$work/window.png")" -gt 30000 ] || fail "the screenshot is nearly empty"
    pass "the window drawn offscreen: $(stat -c %s "$work/window.png") bytes"
fi
check_clean "after the tour"

# 2. --keep, stopped by a signal.
env -u DISPLAY -u WAYLAND_DISPLAY "$demo" --bin "$bin" --tour --keep --screenshot "$work/window2.png" \
    >"$work/keep.log" 2>&1 &
demo_pid=$!
wait_for 180 grep -q '^== Redis and the live writers keep running' "$work/keep.log" ||
    fail "demo.sh --keep did not get to keep running"
demo_processes "$work/keep.log"
# The store has commit number $1 ($all, version $1).
has_commit() { [ "$("$cli" --url "$demo_url" --format json events '$all' --from "$1" --count 1 | grep -c '^{')" -eq 1 ]; }
before=$(redis-cli -u "$demo_url" hlen EventStore)
wait_for 30 has_commit $((before + 1)) || fail "the live writer did not commit"
pass "the live writer commits (past $before commits)"
kill -TERM "$demo_pid"
rc=0
wait "$demo_pid" || rc=$?
demo_pid=""
[ "$rc" -eq 130 ] || fail "demo.sh --keep exited $rc on SIGTERM, not 130"
check_clean "after SIGTERM"

# 3. --url: an existing Redis.
mkdir "$work/ext"
source "$repo/scripts/redis.sh"
eventscope_start_redis "$work/ext" || fail "redis-server did not start"
port=$eventscope_redis_port
ext_pid=$eventscope_redis_pid
"$cli" --url "redis://127.0.0.1:$port/0" seed --stream-count 3 --commits 30 >/dev/null
keyspace() { redis-cli -p "$port" info keyspace | grep '^db'; redis-cli -p "$port" hlen EventStore; }
before=$(keyspace)
timeout 300 env -u DISPLAY -u WAYLAND_DISPLAY "$demo" --bin "$bin" --tour --url "redis://127.0.0.1:$port/0" \
    --screenshot "$work/window3.png" >"$work/url.log" 2>&1 || fail "demo.sh --url exited $?"
grep -q "^== using the Redis at redis://127.0.0.1:$port/0 (nothing started" "$work/url.log" || fail "--url did not say so"
! grep -q '^== demo Redis' "$work/url.log" || fail "--url started a Redis of its own"
grep -q '^== seeded' "$work/url.log" && fail "--url seeded"
[ "$(keyspace)" = "$before" ] || fail "--url changed the Redis it was given"
[ "$(redis-cli -p "$port" ping)" = PONG ] || fail "--url stopped the Redis it was given"
grep -q '^1	e[0-9]*	' "$work/url.log" || fail "--url printed no events of the first stream"
pass "--url used the given Redis, left it running and unchanged"

echo "$checks passed, 0 failed"
