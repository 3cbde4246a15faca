#!/bin/sh
# Fuzz the trace reader for a while (default 60 s) with libFuzzer.
#
#   tests/fuzz/run.sh [SECONDS]
#
# Builds build-fuzz/ with clang and -Dfuzz=true if needed, then runs
# fuzz_trace_reader on a scratch copy of the committed seed corpus (new
# inputs it finds stay out of the source tree). Crashes are written to
# build-fuzz/fuzz-artifacts/ and make the script exit non-zero.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
build="$top/build-fuzz"

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$top" -Dfuzz=true >/dev/null
fi
ninja -C "$build" tests/fuzz_trace_reader >/dev/null

work="$build/fuzz-corpus"
mkdir -p "$work" "$build/fuzz-artifacts"
cp "$top"/tests/fuzz/corpus/* "$work/"
exec "$build/tests/fuzz_trace_reader" "$work" \
    -dict="$top/tests/fuzz/trace.dict" \
    -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$build/fuzz-artifacts/" -print_final_stats=1
