#!/bin/sh
# tests/report/test_numa_cli.sh MMSIM GEN_NUMA_TRACE
#
# Replay of set_mempolicy and mbind, and --numa-policy, on a synthetic trace
# (tests/report/gen_numa_trace.c) replayed on mem=1G,nodes=2, read through
# node/nodeN/numastat. The process runs on node 0 (the model's home node).
# Without --numa-policy: A (mbind BIND 0) and B (default) give node 0 128
# local hits; C (interleave 0-1, first page even) gives 32 pages to each
# node, each an interleave hit. With --numa-policy bind:1 (the task policy
# at exec) B goes to node 1 instead: 64 hits there, counted other_node.
# The refused mbind to node 5 is not applied; PID/numa_maps shows each
# VMA's policy and pages per node. Bad --numa-policy values give
# one line and exit 2 (syntax) or 1 (no such node on the machine).
set -u
mmsim=$1 gen=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

"$gen" "$work/t.mmtrace" || exit 1
stat() { # NODE [options...]
    n=$1
    shift
    "$mmsim" proc "node/node$n/numastat" --trace "$work/t.mmtrace" \
        --machine mem=1G,nodes=2 "$@" | tr '\n' ' '
}
want() { [ "$1" = "$2" ] || no "$3: got '$1', want '$2'"; }

want "$(stat 0)" "numa_hit 160 numa_miss 0 numa_foreign 0 interleave_hit 32 local_node 160 other_node 0 " "node 0"
want "$(stat 1)" "numa_hit 32 numa_miss 0 numa_foreign 0 interleave_hit 32 local_node 0 other_node 32 " "node 1"
want "$(stat 0 --numa-policy bind:1)" "numa_hit 96 numa_miss 0 numa_foreign 0 interleave_hit 32 local_node 96 other_node 0 " "bind:1 node 0"
want "$(stat 1 --numa-policy bind:1)" "numa_hit 96 numa_miss 0 numa_foreign 0 interleave_hit 32 local_node 0 other_node 96 " "bind:1 node 1"
want "$(stat 1 --numa-policy=preferred=static:1)" "numa_hit 96 numa_miss 0 numa_foreign 0 interleave_hit 32 local_node 0 other_node 96 " "preferred=static:1 node 1"
"$mmsim" proc node/node1/meminfo --trace "$work/t.mmtrace" --machine mem=1G,nodes=2 \
    --numa-policy bind:1 > "$work/mi" || no "node meminfo exit $?"
grep -q "^Node 1 AnonPages: *384 kB$" "$work/mi" || no "node 1 AnonPages: $(grep AnonPages "$work/mi")"

# /proc/PID/numa_maps at the end: A bound to 0, B and C under the task's
# last policy (interleave 0-1), B's pages on node 1 from --numa-policy.
"$mmsim" proc 100/numa_maps --trace "$work/t.mmtrace" --machine mem=1G,nodes=2 \
    --numa-policy bind:1 > "$work/nm" || no "numa_maps exit $?"
cat > "$work/nm.want" <<'NM'
7f0000000000 bind:0 anon=64 dirty=64 active=0 N0=64 kernelpagesize_kB=4
7f0000100000 interleave:0-1 anon=64 dirty=64 active=0 N1=64 kernelpagesize_kB=4
7f0000200000 interleave:0-1 anon=64 dirty=64 active=0 N0=32 N1=32 kernelpagesize_kB=4
NM
cmp -s "$work/nm" "$work/nm.want" || { no "numa_maps"; diff "$work/nm.want" "$work/nm"; }

check_error() { # STATUS ARGS...
    st=$1
    shift
    "$mmsim" proc node/node0/numastat --trace "$work/t.mmtrace" "$@" \
        > "$work/out" 2> "$work/err"
    rc=$?
    [ "$rc" = "$st" ] || no "$*: exit $rc, want $st"
    [ "$(wc -l < "$work/err")" = 1 ] || no "$*: stderr: $(cat "$work/err")"
    [ -s "$work/out" ] && no "$*: wrote to stdout"
    return 0
}
check_error 2 --numa-policy nonsense:0
check_error 2 --numa-policy bind:1-0
check_error 2 --numa-policy bind=sticky:1
check_error 2 --numa-policy bind:64
check_error 1 --machine mem=1G,nodes=2 --numa-policy bind:5
check_error 1 --machine mem=1G,nodes=2 --numa-policy interleave
[ $fail = 0 ] && echo ok
exit $fail
