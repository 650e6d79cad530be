#!/usr/bin/env bash
# Builds the libFuzzer targets with the fuzz preset and runs each for FUZZ_SECONDS (default 30) seconds, starting
# from the seeds in fuzz/corpus/<target>/. Exits non-zero if any target finds a crash, leak, timeout or OOM; the
# input that triggered it is left in build/fuzz/runs/<target>/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
targets=(fuzz_respparser fuzz_payload fuzz_commitmessage fuzz_predicate)

cd "$root"
cmake --preset fuzz
cmake --build --preset fuzz

runs=$root/build/fuzz/runs
failed=()
for target in "${targets[@]}"; do
    work=$runs/$target
    # New inputs go to the first corpus directory, so the checked-in seeds stay as they are.
    mkdir -p "$work/corpus"
    echo "== $target: ${seconds}s"
    if ! "$root/build/fuzz/fuzz/$target" "$work/corpus" "$root/fuzz/corpus/$target" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/" 2>&1 | tee "$work/log.txt"; then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "fuzzing found problems in: ${failed[*]} (inputs and logs in $runs)" >&2
    exit 1
fi
echo "fuzzing found nothing in ${seconds}s per target"
