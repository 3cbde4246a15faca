#!/bin/sh
# tests/fidelity/test_fidelity.sh MMSIM PROGDIR [CASE...]
#
# Fidelity on the host: every process of the workloads of fidelity.sh
# (python3, perl, sort, gcc, sqlite3, bash, make, a 4-thread program, a
# file mapping whose page cache has holes) is
# recorded, and at its exit the model's figures on --machine host must be
# within these bounds of what the real kernel reported for the same run:
#   RSS, RssAnon        1 %
#   minor faults        2 %
#   Pss_Anon, USS       2 %
# Needs root (kernel-mode faults are sampled only with perf's
# exclude_kernel=0) and Linux 6.7+ (PAGEMAP_SCAN); exit 77 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (kernel-mode fault samples)"; exit 77; }
rel=$(uname -r)
major=${rel%%.*} rest=${rel#*.} minor=${rest%%.*}
if [ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "$minor" -lt 7 ]; }; then
    echo "SKIP: Linux $rel has no PAGEMAP_SCAN (6.7+)"
    exit 77
fi
unset MALLOC_PERTURB_ # meson's: it would write every malloc'd page
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$here/fidelity.sh" "$@" > "$out"
rc=$?
[ $rc = 77 ] && { echo "SKIP: no workload could run"; exit 77; }
cat "$out"
echo "# largest |error| per workload, %:"
awk -f "$here/summarize.awk" "$out"
# columns: case pid comm rss real err anon real err minflt real err
#          pss_anon real err uss real err
awk '
    function abs(x) { return x < 0 ? -x : x }
    $1 ~ /^#/ || $2 == "#" || $2 == "pid" { next }
    {
        rows++
        split("RSS RssAnon minflt Pss_Anon USS", name, " ")
        split("1 1 2 2 2", bound, " ")
        for (i = 1; i <= 5; i++) {
            e = $(3 + 3 * i)
            if (abs(e + 0) > bound[i]) {
                printf "FAIL: %s pid %s (%s): %s model %s, real %s: %s%% (bound %s%%)\n",
                    $1, $2, $3, name[i], $(1 + 3 * i), $(2 + 3 * i), e, bound[i]
                bad++
            }
        }
    }
    END {
        printf "%d processes, %d figures out of bounds\n", rows, bad
        exit (rows == 0 || bad > 0)
    }' "$out"
