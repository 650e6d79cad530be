#!/usr/bin/env bash
# The main job: a private demo Redis with an event store in both layouts and a live writer, and Eventscope on it.
#   scripts/demo.sh              start redis-server on a free port in a temp dir, seed, write live, open the window
#                                (without a display: a CLI tour and a screenshot of the window, drawn offscreen)
#   scripts/demo.sh --keep       without a display, keep Redis and the writers running until Ctrl-C
#   scripts/demo.sh --url URL    use an existing Redis instead (nothing is started, seeded or written)
# Installs what is missing with apt-get (sudo only for that), builds once, and cleans up its Redis on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

url=""
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --url) url="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

source scripts/deps.sh
eventscope_install "${eventscope_packages_build[@]}" "${eventscope_packages_run[@]}"

build="$root/build/release"
if [ ! -x "$build/app/eventscope" ] || [ -n "$(find core models ui app CMakeLists.txt -newer "$build/app/eventscope" -print -quit)" ]; then
    echo "== building (release)"
    cmake --preset release >/dev/null
    cmake --build --preset release -j"$(nproc)" >/dev/null
fi
cli="$build/app/eventscope-cli"

pids=()
tmp=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$url" ]; then
    tmp=$(mktemp -d /tmp/eventscope-demo.XXXXXX)
    port=""
    for _ in $(seq 1 50); do
        candidate=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
    done
    [ -n "$port" ] || { echo "demo.sh: no free port found" >&2; exit 1; }
    redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --save '' --appendonly no \
        --logfile "$tmp/redis.log" --daemonize no &
    pids+=($!)
    for _ in $(seq 1 100); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ] && break
        sleep 0.1
    done
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ] || { echo "demo.sh: redis-server did not start" >&2; cat "$tmp/redis.log" >&2; exit 1; }
    url="redis://127.0.0.1:$port/0"
    zurl="redis://127.0.0.1:$port/1"
    echo "== demo Redis at $url (seed layout in db 0, zilverline layout in db 1)"
    "$cli" --url "$url" seed --stream-count 50 --commits 5000 --mixed
    "$cli" --url "$zurl" --layout zilverline seed --stream-count 20 --commits 1000
    # A plain writer of the seed design would publish bare ids; ours publishes JSON notices. Keep both in view.
    "$cli" --url "$url" seed --stream-count 50 --rate 5 --duration 0 >/dev/null &
    pids+=($!)
    "$cli" --url "$zurl" --layout zilverline seed --stream-count 20 --rate 2 --duration 0 >/dev/null &
    pids+=($!)
else
    zurl=""
fi

gui="$build/app/eventscope"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "== opening Eventscope on $url (close the window to stop the demo)"
    "$gui" "$url"
    exit 0
fi

run() { echo; echo "\$ eventscope-cli $*"; "$cli" "$@"; }
run --url "$url" ping
echo; echo "\$ eventscope-cli --url $url streams | head"; "$cli" --url "$url" streams | head || true
run --url "$url" events customer-1 --count 5
run --url "$url" --format json events '$all' --count 3
if [ -n "$zurl" ]; then
    echo; echo "\$ eventscope-cli --url $zurl --layout zilverline streams | head -5"
    "$cli" --url "$zurl" --layout zilverline streams | head -5 || true
    run --url "$zurl" --layout zilverline --format json events customer-1 --count 1
fi

shot=${TMPDIR:-/tmp}/eventscope-demo.png
echo
echo "== no display here: the window drawn offscreen, with its first stream open"
QT_QPA_PLATFORM=offscreen "$gui" "$url" --screenshot "$shot" 2>/dev/null && echo "   (open $shot; on a desktop this command opens the window itself)"

if [ "$keep" = 1 ] && [ -n "$tmp" ]; then
    echo
    echo "== Redis and the live writers keep running: try  $cli --url $url streams"
    echo "== Ctrl-C stops and cleans up."
    wait
fi
