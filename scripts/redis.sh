# Sourced by the scripts: starts a private redis-server on 127.0.0.1.
#
# eventscope_start_redis DIR [redis-server options...]
#   Starts redis-server in the background (a child of the calling shell) with its files and log (DIR/redis.log) in
#   DIR, on a port picked below Linux's ephemeral range, and waits until it answers PING. A port that nobody listens
#   on can still be bound by another program's outgoing connection; the server then fails to bind and exits, and
#   another port is tried (up to 8). Sets eventscope_redis_port and eventscope_redis_pid; returns 1 (the last log on
#   stderr) when no server came up.
eventscope_start_redis() {
    local dir=$1
    shift
    local attempt candidate pid
    eventscope_redis_port=""
    eventscope_redis_pid=""
    for attempt in 1 2 3 4 5 6 7 8; do
        candidate=$((20000 + RANDOM % 12000))
        if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            continue # somebody listens there
        fi
        redis-server --port "$candidate" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
            --logfile "$dir/redis.log" --daemonize no "$@" &
        pid=$!
        for _ in $(seq 1 100); do
            if [ "$(redis-cli -p "$candidate" ping 2>/dev/null)" = PONG ]; then
                eventscope_redis_port=$candidate
                eventscope_redis_pid=$pid
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break # it exited: the port was taken after all
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "redis-server did not come up on port $candidate (attempt $attempt)" >&2
    done
    cat "$dir/redis.log" >&2 2>/dev/null || true
    return 1
}
