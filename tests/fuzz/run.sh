#!/bin/sh
# Build the libFuzzer targets with clang and run each from its committed
# seed corpus for SECONDS (default 60). A crash input found is left in
# tests/fuzz/crashes/ to be committed as a regression input; the script
# then exits non-zero. Usage: tests/fuzz/run.sh [SECONDS]
set -eu
seconds=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
if [ -d build-fuzz ]; then
    CC=clang meson setup --reconfigure build-fuzz -Dfuzz=true -Db_lundef=false >/dev/null
else
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz >/dev/null
mkdir -p tests/fuzz/crashes
status=0
for corpus in tests/fuzz/corpus/*/; do
    name=$(basename "$corpus")
    work=$(mktemp -d)
    cp "$corpus"* "$work"/
    echo "fuzz_$name: ${seconds}s"
    if ! "build-fuzz/tests/fuzz/fuzz_$name" -max_total_time="$seconds" \
            -artifact_prefix="tests/fuzz/crashes/${name}-" "$work" \
            >"$work.log" 2>&1; then
        tail -20 "$work.log"
        status=1
    fi
    grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units' "$work.log" | tail -1 || true
    rm -rf "$work" "$work.log"
done
exit $status
