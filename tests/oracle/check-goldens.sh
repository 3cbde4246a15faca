#!/bin/sh
# check-goldens.sh MMSIM GOLDEN_DIR [zoneinfo|meminfo]
# Compares the model with the real-kernel goldens (no QEMU, no root; fast).
# For every golden case with a zoneinfo.txt:
#   zoneinfo: mmsim proc zoneinfo --machine zoneinfo:<golden zoneinfo>
#             -s <case sysctls> must give the golden min/low/high/protection
#             of every zone of every node;
#   meminfo:  mmsim proc meminfo (same machine and sysctls) must give the
#             golden CommitLimit.
# Both by default. The sysctls passed are the ones the rules read, with the
# values the kernel had (the case's sysctl.txt).
#
# `--machine zoneinfo:FILE` describes zones only (no swap, no hugetlb pool),
# and a zoneinfo whose managed pages do not add up to MemTotal (the host's,
# initialised lazily) does not give the kernel's totalram. The CommitLimit of
# such cases is not checked here (a SKIP line says why); the overcommit test
# (test_overcommit_golden.c) checks CommitLimit for every case, swap, hugetlb
# and host included, through the model's API.
# Prints one line per mismatch; exit 0 when all match, 1 otherwise.
set -u
mmsim=$1 golden=$2 only=${3:-}
case $only in ''|zoneinfo|meminfo) ;; *) echo "usage: $0 MMSIM GOLDEN_DIR [zoneinfo|meminfo]" >&2; exit 2 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 cases=0

# "node zone min low high protection" per zone, from a zoneinfo file.
zones() {
    awk '/^Node/ { sub(",", "", $2); z = $2 " " $4; next }
         $1 == "min" || $1 == "low" || $1 == "high" { w[$1] = $2; next }
         $1 == "protection:" { p = $0; sub(/.*protection: */, "", p); gsub(/ /, "", p)
                               print z, w["min"], w["low"], w["high"], p }' "$1"
}

sysctl_value() {
    sed -n "s/^vm\.$1 = //p" "$2"
}

kb() {
    awk -v k="$1:" '$1 == k { print $2 }' "$2"
}

# The -s arguments of a case, one per line ("name=value").
case_sysctls() {
    s=$1
    for k in min_free_kbytes watermark_scale_factor lowmem_reserve_ratio \
             admin_reserve_kbytes user_reserve_kbytes; do
        echo "$k=$(sysctl_value $k "$s")"
    done
    # Each of the pair zeroes the other when written: pass the one in force.
    if [ "$(sysctl_value overcommit_kbytes "$s")" != 0 ]; then
        echo "overcommit_kbytes=$(sysctl_value overcommit_kbytes "$s")"
    else
        echo "overcommit_ratio=$(sysctl_value overcommit_ratio "$s")"
    fi
}

run_mmsim() {
    view=$1 dir=$2 out=$3
    set -- proc "$view" --machine "zoneinfo:$dir/zoneinfo.txt"
    while IFS= read -r kv; do set -- "$@" -s "$kv"; done < "$tmp/sysctls"
    "$mmsim" "$@" > "$out" 2> "$tmp/err" && return 0
    echo "FAIL $case: mmsim $*: $(cat "$tmp/err")"
    return 1
}

check_zoneinfo() {
    dir=$1 case=$2
    zones "$dir/zoneinfo.txt" > "$tmp/want"
    run_mmsim zoneinfo "$dir" "$tmp/zi" || { fail=1; return; }
    zones "$tmp/zi" > "$tmp/got"
    if ! cmp -s "$tmp/want" "$tmp/got"; then
        echo "FAIL $case: zoneinfo (node zone min low high protection), kernel vs model:"
        diff "$tmp/want" "$tmp/got" | sed -n 's/^[<>]/  &/p'
        fail=1
    fi
}

# Why the CLI cannot describe this case's CommitLimit inputs, or nothing.
meminfo_unfit() {
    dir=$1
    managed=$(awk '$1 == "managed" { s += $2 } END { print s * 4 }' "$dir/zoneinfo.txt")
    [ "$managed" = "$(kb MemTotal "$dir/meminfo.txt")" ] ||
        { echo "zones manage $managed kB, MemTotal is $(kb MemTotal "$dir/meminfo.txt") kB"; return; }
    [ "$(kb SwapTotal "$dir/meminfo.txt")" = 0 ] || { echo "has swap"; return; }
    [ "$(kb Hugetlb "$dir/meminfo.txt")" = 0 ] || echo "has a hugetlb pool"
}

check_meminfo() {
    dir=$1 case=$2
    why=$(meminfo_unfit "$dir")
    if [ -n "$why" ]; then
        echo "SKIP $case: CommitLimit: --machine zoneinfo:FILE cannot say it: $why"
        return
    fi
    run_mmsim meminfo "$dir" "$tmp/mi" || { fail=1; return; }
    want=$(kb CommitLimit "$dir/meminfo.txt") got=$(kb CommitLimit "$tmp/mi")
    if [ "$want" != "$got" ]; then
        echo "FAIL $case: CommitLimit kernel $want kB, model ${got:-none} kB"
        fail=1
    fi
}

check_case() {
    dir=$1 case=$2
    case_sysctls "$dir/sysctl.txt" > "$tmp/sysctls"
    [ "$only" = meminfo ] || check_zoneinfo "$dir" "$case"
    [ "$only" = zoneinfo ] || check_meminfo "$dir" "$case"
}

for dir in "$golden"/*/; do
    dir=${dir%/}
    [ -f "$dir/zoneinfo.txt" ] || continue
    cases=$((cases + 1))
    check_case "$dir" "$(basename "$dir")"
done
[ $cases -gt 0 ] || { echo "FAIL: no golden cases under $golden"; exit 1; }
[ $fail = 0 ] && echo "ok: $cases golden cases match (${only:-zoneinfo and meminfo})"
exit $fail
