#!/usr/bin/env bash
# The main job: a private demo Redis with an event store in both layouts and a live writer, and Eventscope on it.
#   scripts/demo.sh                 start redis-server on a free port in a temp dir, seed, write live, open the window
#                                   (without a display: a CLI tour and a screenshot of the window, drawn offscreen)
#   scripts/demo.sh --keep          without a display, keep Redis and the writers running until Ctrl-C
#   scripts/demo.sh --url URL       use an existing Redis instead (nothing is started, seeded or written)
#   scripts/demo.sh --tour          the CLI tour and the offscreen screenshot even where there is a display
#   scripts/demo.sh --screenshot F  where the tour saves the screenshot (default: $TMPDIR or /tmp/eventscope-demo.png)
#   scripts/demo.sh --bin DIR       use the programs in DIR instead of building (tests/scripts/tst_demo.sh does)
# Installs what is missing with apt-get (sudo only for that), builds once, and cleans up its Redis on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

url=""
keep=0
tour=0
bin=""
shot=${TMPDIR:-/tmp}/eventscope-demo.png
while [ $# -gt 0 ]; do
    case "$1" in
        --url) url="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --tour) tour=1; shift ;;
        --screenshot) shot="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

source scripts/deps.sh
source scripts/redis.sh
if [ -n "$bin" ]; then
    eventscope_install "${eventscope_packages_run[@]}"
    cli="$bin/eventscope-cli"
    gui="$bin/eventscope"
    [ -x "$cli" ] || { echo "demo.sh: no eventscope-cli in $bin" >&2; exit 2; }
else
    eventscope_install "${eventscope_packages_build[@]}" "${eventscope_packages_run[@]}"
    build="$root/build/release"
    if [ ! -x "$build/app/eventscope" ] || [ -n "$(find core models ui app CMakeLists.txt -newer "$build/app/eventscope" -print -quit)" ]; then
        echo "== building (release)"
        cmake --preset release >/dev/null
        cmake --build --preset release -j"$(nproc)" >/dev/null
    fi
    cli="$build/app/eventscope-cli"
    gui="$build/app/eventscope"
fi

pids=()
tmp=""
cleanup() {
    local rc=$? # the demo's own status, which the trap must not replace
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$url" ]; then
    tmp=$(mktemp -d /tmp/eventscope-demo.XXXXXX)
    eventscope_start_redis "$tmp" || { echo "demo.sh: redis-server did not start" >&2; exit 1; }
    port=$eventscope_redis_port
    pids+=("$eventscope_redis_pid")
    url="redis://127.0.0.1:$port/0"
    zurl="redis://127.0.0.1:$port/1"
    echo "== demo Redis at $url (seed layout in db 0, zilverline layout in db 1; pid ${pids[0]}, in $tmp)"
    "$cli" --url "$url" seed --stream-count 50 --commits 5000 --mixed
    "$cli" --url "$zurl" --layout zilverline seed --stream-count 20 --commits 1000
    # A plain writer of the seed design would publish bare ids; ours publishes JSON notices. Keep both in view.
    "$cli" --url "$url" seed --stream-count 50 --rate 5 --duration 0 >/dev/null &
    pids+=($!)
    "$cli" --url "$zurl" --layout zilverline seed --stream-count 20 --rate 2 --duration 0 >/dev/null &
    pids+=($!)
    echo "== seeded $("$cli" --url "$url" streams | wc -l) streams in the seed layout and" \
        "$("$cli" --url "$zurl" --layout zilverline streams | wc -l) in the zilverline layout;" \
        "live writers: pids ${pids[1]} ${pids[2]}"
else
    zurl=""
    echo "== using the Redis at $url (nothing started, seeded or written)"
fi

if [ -x "$gui" ] && [ "$tour" = 0 ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "== opening Eventscope on $url (close the window to stop the demo)"
    "$gui" "$url"
    exit 0
fi

run() { echo; echo "\$ eventscope-cli $*"; "$cli" "$@"; }
run --url "$url" ping
echo; echo "\$ eventscope-cli --url $url streams | head"; "$cli" --url "$url" streams | head || true
# The demo data has customer-1; a Redis of your own has whichever stream comes first.
stream=customer-1
[ -n "$tmp" ] || stream=$("$cli" --url "$url" streams | head -1 | cut -f1) || true
[ -z "$stream" ] || run --url "$url" events "$stream" --count 5
run --url "$url" --format json events '$all' --count 3
if [ -n "$zurl" ]; then
    echo; echo "\$ eventscope-cli --url $zurl --layout zilverline streams | head -5"
    "$cli" --url "$zurl" --layout zilverline streams | head -5 || true
    run --url "$zurl" --layout zilverline --format json events customer-1 --count 1
fi

if [ -x "$gui" ]; then
    echo
    echo "== the window drawn offscreen, with its first stream open"
    if QT_QPA_PLATFORM=offscreen "$gui" "$url" --screenshot "$shot" 2>/dev/null; then
        echo "   (open $shot; on a desktop, without --tour, this command opens the window itself)"
    else
        echo "demo.sh: could not save a screenshot of the window to $shot" >&2
    fi
fi

if [ "$keep" = 1 ] && [ -n "$tmp" ]; then
    echo
    echo "== Redis and the live writers keep running: try  $cli --url $url streams"
    echo "== Ctrl-C stops and cleans up."
    wait
fi
