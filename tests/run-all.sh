#!/bin/sh
# The whole test suite: a normal build running every test, then an
# ASan+UBSan build of the model, the trace library, the tools and the shim's
# harness running every test again except three suites that check the
# traced programs and the host rather than mmsim's memory use and take
# minutes: the recorder stress suites (event ordering under races, 12 runs
# each here; 30 as `meson test --benchmark`),
# reliab (fork bomb, signals, 10 M allocations, streaming) and fidelity
# (real programs and real sysctls vs the model), then each fuzz target for
# 15 s. Exit status is non-zero if any
# build, test or fuzz run fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

setup() {
    dir=$1
    shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
    ninja -C "$dir"
}

setup build
meson test -C build --print-errorlogs

setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --no-suite record-stress \
    --no-suite reliab --no-suite fidelity

# Every libFuzzer target from its committed corpus, briefly (clang build).
tests/fuzz/run.sh 15
