#!/bin/sh
# Build the libFuzzer targets with clang and run each for SECONDS (default
# 60) from its committed seed corpus tests/fuzz/corpus/<name>/ (copied to a
# scratch directory, so new inputs stay out of the tree), with
# tests/fuzz/<name>.dict when present. A crash input is written to
# tests/fuzz/crashes/ to be committed as a regression input, and the script
# exits non-zero. Usage: tests/fuzz/run.sh [SECONDS [NAME...]]
set -eu
seconds=${1:-60}
[ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
reconf=
[ -d build-fuzz ] && reconf=--reconfigure
log=$(mktemp)
if ! CC=clang meson setup $reconf build-fuzz -Dfuzz=true -Db_lundef=false >"$log" 2>&1; then
    tail -30 "$log"
    rm -f "$log"
    echo "tests/fuzz/run.sh: meson setup of the fuzz build failed" >&2
    exit 1
fi
rm -f "$log"
if ! ninja -C build-fuzz >build-fuzz/ninja.log 2>&1; then
    tail -30 build-fuzz/ninja.log
    echo "tests/fuzz/run.sh: the fuzz build failed" >&2
    exit 1
fi
names=${*:-$(find build-fuzz/tests/fuzz -maxdepth 1 -type f -perm -u+x -name "fuzz_*" | sed "s|.*/fuzz_||" | sort)}
mkdir -p tests/fuzz/crashes
status=0
for name in $names; do
    work=$(mktemp -d)
    [ -d "tests/fuzz/corpus/$name" ] && cp "tests/fuzz/corpus/$name"/* "$work"/
    dict=
    [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
    if ! "build-fuzz/tests/fuzz/fuzz_$name" -max_total_time="$seconds" \
            -max_len=65536 -timeout=10 -rss_limit_mb=2048 $dict \
            -artifact_prefix="tests/fuzz/crashes/$name-" "$work" \
            >"$work.log" 2>&1; then
        tail -20 "$work.log"
        status=1
    fi
    runs=$(grep -Eo '^#[0-9]+' "$work.log" | tail -1 | tr -d '#')
    echo "fuzz_$name: ${seconds}s, ${runs:-0} runs, $(ls "$work" | wc -l) corpus inputs"
    rm -rf "$work" "$work.log"
done
exit $status
