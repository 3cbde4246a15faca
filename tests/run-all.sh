#!/bin/sh
# The whole test suite: a normal build and an ASan+UBSan build of the model
# and the tools, each running every test. Exit status is non-zero if any
# build or test fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

run_suite() {
    dir=$1
    shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
    ninja -C "$dir"
    meson test -C "$dir" --print-errorlogs
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false
