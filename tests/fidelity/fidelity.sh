#!/bin/sh
# tests/fidelity/fidelity.sh MMSIM PROGDIR [CASE...]
#
# The fidelity table: each workload of tests/record/workloads.sh (real
# programs the project did not write; default: all of them, plus sort of a
# generated file, sup_arena, a 4-thread allocator program, and
# sup_cache_holes, a file mapping whose page cache has holes) is recorded
# with `mmsim record`, which keeps the real kernel's figures of every process
# at its exit (VmRSS, RssAnon, minflt from /proc/PID/status, smaps_rollup and
# stat, the shim's memory subtracted), and replayed with `mmsim fidelity`
# on --machine host with the host's sysctls. Prints one table per case:
#   case pid comm  rss model real err%  anon ...  minflt ...  pss_anon ...  uss ...
# FIDELITY_OPTS: options for `mmsim fidelity` (--model-only); FIDELITY_KEEP:
# a directory the traces are copied to. Exit 77 when
# no case could run.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
unset MALLOC_PERTURB_ # meson's: it would write every malloc'd page
. "$here/../record/workloads.sh"

[ $# -gt 0 ] || set -- python perl sort gcc sqlite3 bash make sup_arena sup_cache_holes
ran=0
for c in "$@"; do
    if [ "$c" = sort ]; then
        wl_need sort || { echo "# $c: skipped: $wl_skip"; continue; }
        awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) print int(rand() * 1e9) }' > in.txt
        wl_run() { shift; "$@" sort -n in.txt; }
    else
        unset -f wl_run
        . "$here/../record/workloads.sh"
        wl_setup "$c" || { echo "# $c: skipped: $wl_skip"; continue; }
    fi
    if ! wl_run "$c" "$mmsim" record -o "$c.mmtrace" -- > /dev/null 2> rec.err; then
        grep -q 'events written' rec.err || { echo "# $c: record failed"; cat rec.err; continue; }
    fi
    [ -n "${FIDELITY_KEEP:-}" ] && cp "$c.mmtrace" "$FIDELITY_KEEP/"
    "$mmsim" fidelity ${FIDELITY_OPTS:-} "$c.mmtrace" | sed "s/^/$c /" || { echo "# $c: fidelity failed"; continue; }
    ran=$((ran + 1))
done
[ $ran -gt 0 ] || exit 77
