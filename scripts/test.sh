#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with warnings as errors, runs every test
# through CTest (each test starts its own redis-server on a free port), then every test again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the packages (scripts/package.sh), then the libFuzzer targets
# for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
eventscope_install "${eventscope_packages_build[@]}" "${eventscope_packages_run[@]}" "${eventscope_packages_test[@]}"

jobs=$(nproc)

echo "== build (warnings are errors) and test"
cmake --preset ci
cmake --build --preset ci -j"$jobs"
ctest --preset ci -j"$jobs"

echo "== every test again under ASan + UBSan"
cmake --preset asan
cmake --build --preset asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j"$jobs"

echo "== packages: the .deb and .tar.gz built, linted, installed with apt, the installed programs checked, removed"
scripts/package.sh

echo "== fuzzers (${FUZZ_SECONDS:-30} s each)"
FUZZ_SECONDS=${FUZZ_SECONDS:-30} scripts/fuzz.sh

echo "== all tests passed"
