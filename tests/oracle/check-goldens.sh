#!/bin/sh
# check-goldens.sh MMSIM GOLDEN_DIR
# Compares the model with the real-kernel goldens (no QEMU, no root; fast):
# for every golden case with a zoneinfo.txt,
#   mmsim proc zoneinfo --machine zoneinfo:<golden zoneinfo> -s <case sysctls>
# must give the golden min/low/high/protection of every zone, and
#   mmsim proc meminfo  (same machine and sysctls)
# must give the golden CommitLimit. The sysctls passed are the ones the rules
# read, taken from the case's sysctl.txt (the values the kernel had).
# Prints one line per mismatch; exit 0 when all match, 1 otherwise.
set -u
mmsim=$1 golden=$2
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
    swap=$(kb SwapTotal "$dir/meminfo.txt")
    huge=$(kb Hugetlb "$dir/meminfo.txt")
    [ "$swap" = 0 ] || set -- "$@" --swap "${swap}K"
    [ "$huge" = 0 ] || set -- "$@" --hugetlb "${huge}K"
    "$mmsim" "$@" > "$out" 2> "$tmp/err" && return 0
    echo "FAIL $case: mmsim $*: $(cat "$tmp/err")"
    return 1
}

check_case() {
    dir=$1 case=$2
    case_sysctls "$dir/sysctl.txt" > "$tmp/sysctls"
    zones "$dir/zoneinfo.txt" > "$tmp/want"
    if run_mmsim zoneinfo "$dir" "$tmp/zi"; then
        zones "$tmp/zi" > "$tmp/got"
        if ! cmp -s "$tmp/want" "$tmp/got"; then
            echo "FAIL $case: zoneinfo (node zone min low high protection), kernel vs model:"
            diff "$tmp/want" "$tmp/got" | sed -n 's/^[<>]/  &/p'
            fail=1
        fi
    else
        fail=1
    fi
    if run_mmsim meminfo "$dir" "$tmp/mi"; then
        want=$(kb CommitLimit "$dir/meminfo.txt") got=$(kb CommitLimit "$tmp/mi")
        if [ "$want" != "$got" ]; then
            echo "FAIL $case: CommitLimit kernel $want kB, model ${got:-none} kB"
            fail=1
        fi
    else
        fail=1
    fi
}

for dir in "$golden"/*/; do
    dir=${dir%/}
    [ -f "$dir/zoneinfo.txt" ] || continue
    cases=$((cases + 1))
    check_case "$dir" "$(basename "$dir")"
done
[ $cases -gt 0 ] || { echo "FAIL: no golden cases under $golden"; exit 1; }
[ $fail = 0 ] && echo "ok: $cases golden cases match"
exit $fail
