#!/bin/sh
# tests/fidelity/test_overcommit_verdicts.sh MMSIM EXAMPLES_DIR
#
# Overcommit verdicts against the real kernel. Each example runs twice:
#  - real: under this machine's kernel with vm.overcommit_memory=2 and
#    vm.overcommit_kbytes = Committed_AS now + HEADROOM - SwapTotal, so
#    CommitLimit sits HEADROOM above what the machine already commits
#    (traced with strace, which shows every memory call and its result);
#  - model: `mmsim run -s vm.overcommit_memory=2 -s vm.overcommit_kbytes=K`
#    with the same K, on --machine host (the real kernel stays in its own
#    mode meanwhile, so the program is not refused there).
# and the first refused request must be the same: same process (the program
# or its Nth child), same call, same size, the same ordinal of that call.
#
# The rest of the machine: in the real run, Committed_AS counts every
# process of the machine; `--machine host` boots the model with the
# machine's Committed_AS of that moment as background commit
# (bg_committed_pages), so the model's limit bites at the same point if
# the machine's own commit moves by less than the case's margin between the
# two runs (checked, see one_case).
#
# The sysctls are changed only around the real run and restored on every
# exit path (EXIT trap; INT, TERM and HUP exit through it). Needs root
# (exit 77 otherwise) and strace.
#
# Cases (examples/), headroom, margin:
#   malloc_loop 1024 8     3.5 GiB, 0.5: 1 GiB mallocs: the 4th mmap of
#                          1 GiB + 4 KiB (glibc's chunk header) is refused
#   sparse_array 4096 1024 3.5 GiB, 0.5: one 4 GiB mmap: refused outright
#   fork_cow 768 25        1.125 GiB, 0.375: 768 MiB written, then fork: the
#                          fork's second charge of 768 MiB is refused
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ex=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
vm=/proc/sys/vm

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (sets vm.overcommit_*)"; exit 77; }
command -v strace > /dev/null || { echo "SKIP: strace is not installed"; exit 77; }
[ -w $vm/overcommit_memory ] || { echo "SKIP: $vm is read-only"; exit 77; }

old_mode=$(cat $vm/overcommit_memory)
old_ratio=$(cat $vm/overcommit_ratio)
old_kbytes=$(cat $vm/overcommit_kbytes)
work=$(mktemp -d)

# Writing one of ratio/kbytes zeroes the other: restore the one in use.
restore() {
    echo "$old_mode" > $vm/overcommit_memory
    if [ "$old_kbytes" != 0 ]; then
        echo "$old_kbytes" > $vm/overcommit_kbytes
    else
        echo "$old_ratio" > $vm/overcommit_ratio
    fi
}
trap 'restore; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
cd "$work" || exit 1
unset MALLOC_PERTURB_ # meson's: it would write every malloc'd page

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
fail=0

# real_run NAME HEADROOM_KB ARGS...: the real kernel's first refusal
real_run() {
    name=$1 headroom=$2
    shift 2
    c_real=$(meminfo Committed_AS)
    kb=$((c_real + headroom - $(meminfo SwapTotal)))
    echo "$kb" > $vm/overcommit_kbytes
    echo 2 > $vm/overcommit_memory
    strace -f -qq -o "$name.strace" \
        -e trace=mmap,mremap,brk,clone,clone3,fork,vfork "$ex/$name" "$@" \
        > "$name.real.out" 2>&1
    restore
    c_real2=$(meminfo Committed_AS)
    real=$(python3 "$here/verdicts.py" real "$name.strace")
}

# model_run NAME ARGS...: the model's, same limit, on --machine host
model_run() {
    name=$1
    shift
    c_model=$(meminfo Committed_AS)
    "$mmsim" run -s vm.overcommit_memory=2 -s vm.overcommit_kbytes="$kb" \
        --format json -o "$name.json" --trace "$name.mmtrace" -- \
        "$ex/$name" "$@" > "$name.model.out" 2>&1
    c_model2=$(meminfo Committed_AS)
    "$mmsim" dump "$name.mmtrace" > "$name.dump"
    model=$(python3 "$here/verdicts.py" model "$name.json" "$name.dump")
}

# spread of the machine's Committed_AS over the four readings (kB)
drift() {
    printf '%s\n' "$c_real" "$c_real2" "$c_model" "$c_model2" |
        sort -n | sed -n '1p;$p' | paste -sd' ' | awk '{ print $2 - $1 }'
}

# one_case NAME HEADROOM_MIB MARGIN_MIB ARGS...: MARGIN is how far the
# refused request and the one before it are from the limit. The rest of
# the machine (other users' builds) moves Committed_AS by hundreds of MiB
# within seconds, so a try counts only when its four readings (before and
# after each run) stay within MARGIN and the verdicts agree; a
# disagreement is measured again, up to 5 tries: one that persists fails.
one_case() {
    name=$1 headroom=$(($2 * 1024)) margin=$(($3 * 1024))
    shift 3
    for try in 1 2 3 4 5; do
        real_run "$name" "$headroom" "$@"
        model_run "$name" "$@"
        d=$(drift)
        [ "$d" -le "$margin" ] && [ "$real" = "$model" ] && break
        echo "# $name try $try: real $real, model $model, background moved $d kB"
    done
    if [ "$real" = "$model" ] && [ "$real" != none ] && [ "$d" -le "$margin" ]; then
        echo "ok: $name $*: first refusal: $real (limit $kb kB, background $c_real..$c_model2 kB, try $try)"
    else
        echo "FAIL: $name $*: real kernel: $real; model: $model (limit $kb kB, background moved $d kB)"
        tail -3 "$name.real.out"
        fail=1
    fi
}

one_case malloc_loop 3584 512 1024 8
one_case sparse_array 3584 512 4096 1024
one_case fork_cow 1152 384 768 25
exit $fail
