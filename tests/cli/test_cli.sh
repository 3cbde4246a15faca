#!/bin/sh
# Tests of `mmsim sysctl` and `mmsim proc` as a user runs them: every
# option path, each error's one-line message and exit status.
# usage: test_cli.sh MMSIM DATA_DIR
set -u
mmsim=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect STATUS 'STDERR' 'STDOUT-GREP' -- ARGS: run mmsim ARGS and check
# the exit status, the exact stderr and (if not empty) a line of stdout.
expect() {
    want_rc=$1 want_err=$2 want_out=$3
    shift 4
    "$mmsim" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    err=$(cat "$tmp/err")
    if [ "$rc" != "$want_rc" ] || [ "$err" != "$want_err" ] ||
       { [ -n "$want_out" ] && ! grep -qxF -- "$want_out" "$tmp/out"; }; then
        echo "FAIL: mmsim $*"
        echo "  status $rc (want $want_rc)"
        echo "  stderr: $err"
        echo "  want:   $want_err"
        [ -n "$want_out" ] && echo "  stdout lacks: $want_out"
        fails=$((fails + 1))
    fi
}

m=mem=1G,cpus=2,kernel=6.1

# sysctl: values after boot, settings in order, sysctl(8) forms
expect 0 '' 'vm.min_free_kbytes = 45056' -- sysctl -a --machine $m
# the real 1G guest: user_reserve_kbytes 30203 (free/32 at boot), admin 8192
expect 0 '' 'vm.user_reserve_kbytes = 30203' -- sysctl -a --machine $m
expect 0 '' 'vm.admin_reserve_kbytes = 8192' -- sysctl -a --machine $m
expect 0 '' 'vm.overcommit_memory = 2' -- sysctl vm.overcommit_memory \
    --machine $m -s vm.overcommit_memory=2
expect 0 '' '2' -- sysctl -n overcommit_memory --machine $m \
    -s overcommit_memory=2
expect 0 '' 'vm.swappiness = 7' -- sysctl vm/swappiness --machine $m \
    -s vm/swappiness=7
expect 0 '' 'vm.overcommit_ratio = 0' -- sysctl vm.overcommit_ratio \
    --machine $m -s vm.overcommit_kbytes=1024
printf 'vm.swappiness = 10\n' >"$tmp/a.conf"
expect 0 '' 'vm.swappiness = 20' -- sysctl vm.swappiness --machine $m \
    -s vm.swappiness=20 --sysctl-file "$tmp/a.conf"
expect 0 '' 'vm.swappiness = 10' -- sysctl vm.swappiness --machine $m \
    --sysctl-file "$tmp/a.conf"
expect 0 '' 'vm.min_free_kbytes = 8192' -- sysctl vm.min_free_kbytes \
    --machine=$m --sysctl-file="$tmp/a.conf" -s vm.min_free_kbytes=8192
expect 0 '' 'vm.overcommit_memory = 2' -- sysctl vm.overcommit_memory \
    --machine $m --sysctl-file "$data/../../examples/sysctl/strict-overcommit.conf"

# sysctl: bad settings and names
expect 1 "mmsim: -s: invalid value for vm.swappiness (0..200): 'vm.swappiness=201'" '' \
    -- sysctl -a --machine $m -s vm.swappiness=201
expect 1 "mmsim: -s: invalid value for vm.overcommit_memory (0..2): 'vm.overcommit_memory=x'" '' \
    -- sysctl -a --machine $m -s vm.overcommit_memory=x
expect 1 "mmsim: -s: unknown sysctl vm.nope: 'vm.nope=1'" '' \
    -- sysctl -a --machine $m -s vm.nope=1
expect 1 "mmsim: -s: only vm.* sysctls are simulated: 'kernel.pid_max=5'" '' \
    -- sysctl -a --machine $m -s kernel.pid_max=5
expect 1 "mmsim: -s: expected vm.KEY=VALUE: 'vm.swappiness'" '' \
    -- sysctl -a --machine $m -s vm.swappiness
expect 1 "mmsim: sysctl: unknown sysctl: 'vm.nope'" '' \
    -- sysctl vm.nope --machine $m
expect 1 "mmsim: sysctl: only vm.* sysctls are simulated: 'kernel.pid_max'" '' \
    -- sysctl kernel.pid_max --machine $m
printf '# ok\n\nvm.swappiness = 10\nvm.swappiness = 500\n' >"$tmp/b.conf"
expect 1 "mmsim: $tmp/b.conf:4: invalid value for vm.swappiness (0..200): 'vm.swappiness = 500'" '' \
    -- sysctl -a --machine $m --sysctl-file "$tmp/b.conf"
printf 'vm.swappiness 10\n' >"$tmp/c.conf"
expect 1 "mmsim: $tmp/c.conf:1: expected vm.KEY=VALUE: 'vm.swappiness 10'" '' \
    -- sysctl -a --machine $m --sysctl-file "$tmp/c.conf"
printf -- '-vm.nope = 1\n-vm.swappiness = 999\n' >"$tmp/d.conf"
expect 0 '' 'vm.swappiness = 60' -- sysctl vm.swappiness --machine $m \
    --sysctl-file "$tmp/d.conf"
expect 1 "mmsim: --sysctl-file: cannot read file: No such file or directory: '$tmp/none.conf'" '' \
    -- sysctl -a --machine $m --sysctl-file "$tmp/none.conf"
expect 1 "mmsim: --sysctl-file: cannot read file: Is a directory: '$tmp'" '' \
    -- sysctl -a --machine $m --sysctl-file "$tmp"

# usage errors: exit 2
expect 2 "mmsim: -s needs a value" '' -- sysctl -a -s
expect 2 "mmsim: --machine needs a value" '' -- sysctl -a --machine
expect 0 '' '' -- sysctl --help
"$mmsim" sysctl >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "FAIL: sysctl without -a or names"; fails=$((fails + 1)); }
"$mmsim" sysctl -a -x >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "FAIL: sysctl -x"; fails=$((fails + 1)); }

# machines: impossible specs, unreadable and malformed files
expect 1 "mmsim: --machine: nodes must be 1..64: 'nodes=0'" '' \
    -- sysctl -a --machine mem=4G,nodes=0
expect 1 "mmsim: --machine: unknown key (mem, nodes, cpus, distance, swap, hugetlb, thp, kernel, kernelcore, movablecore, memcg, kswapd_rate): 'ram=4G'" '' \
    -- sysctl -a --machine ram=4G
expect 1 "mmsim: --machine: memcg larger than the memory: 'mem=256M,memcg=1G'" '' \
    -- sysctl -a --machine mem=256M,memcg=1G
expect 1 "mmsim: --machine: not a size: 'memcg=9x'" '' \
    -- proc meminfo --machine zoneinfo:$data/zoneinfo-6.1-qemu-512M.txt,memcg=9x
expect 0 '' 'MemTotal:         468168 kB' \
    -- proc meminfo --machine zoneinfo:$data/zoneinfo-6.1-qemu-512M.txt,memcg=96M
expect 1 "mmsim: --oom-score-adj: oom_score_adj must be -1000..1000: 'toucher=1001'" '' \
    -- proc meminfo --machine mem=1G --oom-score-adj toucher=1001
expect 1 "mmsim: --oom-score-adj: expected NAME=ADJ: '=5'" '' \
    -- proc meminfo --machine mem=1G --oom-score-adj =5
expect 1 "mmsim: --oom-score-adj: ADJ is not a number: 'a=b'" '' \
    -- proc meminfo --machine mem=1G --oom-score-adj a=b
expect 1 "mmsim: --machine: size too large: 'mem=99999999999999T'" '' \
    -- proc zoneinfo --machine mem=99999999999999T
expect 1 "mmsim: --machine: node 1 has less than 64M of RAM: 'mem'" '' \
    -- proc zoneinfo --machine mem=1G:32M
expect 1 "mmsim: --machine: cannot read file: No such file or directory: '$tmp/zi'" '' \
    -- proc zoneinfo --machine zoneinfo:$tmp/zi
printf 'Node 0, zone DMA\n  spanned x\n' >"$tmp/zi"
expect 1 "mmsim: $tmp/zi:2: not a number: '  spanned x'" '' \
    -- proc zoneinfo --machine zoneinfo:$tmp/zi

# proc: views in the emulated version's format
expect 0 '' '        managed  242034' -- proc zoneinfo --machine $m
expect 0 '' '        managed  754602' -- proc /proc/zoneinfo \
    --machine zoneinfo:$data/zoneinfo-6.1-qemu-4608M.txt
expect 0 '' 'Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 ' \
    -- proc buddyinfo --machine $m
expect 0 '' 'Pages per block:  512' -- proc pagetypeinfo --machine $m
expect 0 '' 'nr_bounce 0' -- proc vmstat --machine $m
expect 0 '' '45056' -- proc sys/vm/min_free_kbytes --machine $m
expect 1 "mmsim: proc: no such view in the model: 'slabinfo'" '' \
    -- proc slabinfo --machine $m
expect 1 "mmsim: proc: no such process in the model: '1/status'" '' \
    -- proc /proc/1/status --machine $m
expect 2 "mmsim: proc: which file? (e.g. zoneinfo)" '' -- proc --machine $m
"$mmsim" proc zoneinfo --machine mem=1G,kernel=6.18 | grep -q '^        promo ' ||
    { echo "FAIL: 6.18 zoneinfo has promo"; fails=$((fails + 1)); }
"$mmsim" proc zoneinfo --machine mem=1G,kernel=6.1 | grep -q '^        promo ' &&
    { echo "FAIL: 6.1 zoneinfo has no promo"; fails=$((fails + 1)); }

# meminfo: MemTotal and CommitLimit of the real 6.1 guest of this shape,
# and CommitLimit = (totalram - hugetlb) * ratio / 100 + swap, or
# overcommit_kbytes + swap (pages: totalram 245874, swap 262143)
expect 0 '' 'MemTotal:         983496 kB' -- proc meminfo --machine $m
expect 0 '' 'CommitLimit:      491748 kB' -- proc meminfo --machine $m
expect 0 '' 'CommitLimit:      786796 kB' -- proc meminfo --machine $m \
    -s vm.overcommit_ratio=80
expect 0 '' 'CommitLimit:     1540320 kB' -- proc meminfo --machine $m,swap=1G
expect 0 '' 'SwapTotal:       1048572 kB' -- proc meminfo --machine $m,swap=1G
expect 0 '' 'CommitLimit:      100000 kB' -- proc meminfo --machine $m \
    -s vm.overcommit_kbytes=100000
expect 0 '' 'CommitLimit:     1148572 kB' -- proc meminfo --machine $m,swap=1G \
    -s vm.overcommit_kbytes=100000
expect 0 '' 'CommitLimit:      458980 kB' -- proc meminfo --machine $m,hugetlb=64M
expect 0 '' 'HardwareCorrupted:     0 kB' -- proc meminfo --machine $m
expect 0 '' 'Balloon:               0 kB' -- proc meminfo --machine mem=1G,kernel=6.18

# a rendered zoneinfo read back as --machine zoneinfo:FILE is the same machine
for spec in mem=4608M,cpus=2,kernel=6.1 mem=3G:5G,cpus=2:2,kernel=6.18; do
    "$mmsim" proc zoneinfo --machine $spec >"$tmp/zi1"
    "$mmsim" proc zoneinfo --machine zoneinfo:"$tmp/zi1" >"$tmp/zi2"
    cmp -s "$tmp/zi1" "$tmp/zi2" ||
        { echo "FAIL: zoneinfo round trip of $spec"; fails=$((fails + 1)); }
done

# the host: its zones and its sysctls
if [ -r /proc/zoneinfo ]; then
    want=$(cat /proc/sys/vm/overcommit_ratio)
    expect 0 '' "vm.overcommit_ratio = $want" -- sysctl vm.overcommit_ratio
    expect 0 '' "vm.swappiness = 5" -- sysctl vm.swappiness --machine host \
        -s vm.swappiness=5
    # MemTotal of the model (the zones' managed pages) is the host's, also
    # on a kernel that hands memory to the buddy allocator lazily
    total=$("$mmsim" proc zoneinfo | awk '/^        managed/ {s += $2}
                                           END {print s * 4}')
    host=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    [ "$total" = "$host" ] ||
        { echo "FAIL: host MemTotal $host kB, model $total kB"; fails=$((fails + 1)); }
    for key in MemTotal CommitLimit SwapTotal; do
        want=$(grep "^$key:" /proc/meminfo)
        expect 0 '' "$want" -- proc meminfo
    done
    swap=$(awk '/^SwapTotal:/ {print $2}' /proc/meminfo)
    huge=$(awk '/^HugePages_Total:/ {n = $2} /^Hugepagesize:/ {s = $2}
                END {print n * s / 4}' /proc/meminfo)
    limit=$(( ((host / 4 - huge) * 70 / 100) * 4 + swap ))
    expect 0 '' "$(printf 'CommitLimit:    %8d kB' $limit)" -- proc meminfo \
        -s vm.overcommit_ratio=70
fi

[ $fails = 0 ] && echo "all passed"
exit $((fails != 0))
