#!/bin/sh
# Cost of recording real programs: each program run natively, under
# `mmsim record` (every kernel-level request, no allocator stacks), under
# `mmsim record --fast-path` (the shim: every allocator call with its
# stack), under heaptrack and under glibc's memusage, all in the same run.
# For each, the minimum wall time over RUNS runs (default 3), in ms, and the
# ratio to native. Programs come from /usr/bin first (a wrapper earlier in
# PATH, such as pyenv's, would be measured instead of the program).
#
# Usage: tools/bench/bench-programs.sh [build-dir]
set -u
build=$(cd "${1:-build}" && pwd)
runs=${RUNS:-3}
src=$(cd "$(dirname "$0")/../.." && pwd)
mmsim=$build/tools/mmsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
PATH=/usr/bin:/bin:$PATH
export PATH
unset MALLOC_PERTURB_

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# One program, by name; "$@" is the prefix (a recorder), if any.
prog() {
    name=$1
    shift
    case $name in
    python3) "$@" python3 -c '
import threading
def work(n):
    return len([str(i) for i in range(n)])
ts = [threading.Thread(target=work, args=(200000,)) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
d = {str(i): [i] for i in range(300000)}
print(len(d))' ;;
    perl) "$@" perl -e 'my %h = map { $_ => [$_] } 1..300000;
        print scalar(keys %h), "\n"' ;;
    gcc) "$@" gcc -O2 -c "$src/model/vmscan.c" -I"$src/include" \
        -I"$src/model" -o vmscan.o ;;
    sqlite3) "$@" sqlite3 :memory: 'create table t(a, b); with recursive
        c(x) as (select 1 union all select x + 1 from c where x < 100000)
        insert into t select x, hex(randomblob(16)) from c;
        create index i on t(b); select count(*) from t;' ;;
    make) rm -f ./*.o; "$@" make -s -j2 ;;
    bash) "$@" bash -c 'for i in $(seq 1 40); do echo "line $i" |
        tr a-z A-Z; done | sort -r | cat > /dev/null' ;;
    esac
}

# The fastest of $runs runs of one program under one prefix, in ms;
# "-" if it failed.
best() {
    b=
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        rm -f t.mmtrace ht.* memusage.out
        t0=$(now_ms)
        prog "$@" > /dev/null 2>&1 || { echo -; return; }
        t=$(($(now_ms) - t0))
        if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
    done
    echo "$b"
}

ratio() {
    case $1 in -) echo "-" ;; *) awk "BEGIN { printf \"%.2fx\", $1 / $2 }" ;; esac
}

for i in 1 2 3; do
    printf 'int f%s(int x) { return x * %s; }\n' "$i" "$i" > "u$i.c"
done
printf 'all: u1.o u2.o u3.o\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' > Makefile

echo "min of $runs runs, ms (ratio to native); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %7s %16s %16s %16s %16s\n' program native "mmsim record" \
    "mmsim --fast-path" heaptrack memusage
for p in python3 perl gcc sqlite3 make bash; do
    command -v "$p" > /dev/null 2>&1 || { echo "$p: not installed"; continue; }
    n=$(best "$p")
    r=$(best "$p" "$mmsim" record -o t.mmtrace --)
    f=$(best "$p" "$mmsim" record --fast-path -o t.mmtrace --)
    h=-
    command -v heaptrack > /dev/null && h=$(best "$p" heaptrack -o ht)
    m=-
    command -v memusage > /dev/null && m=$(best "$p" memusage)
    printf '%-8s %7s %7s %8s %7s %8s %7s %8s %7s %8s\n' "$p" "$n" \
        "$r" "($(ratio "$r" "$n"))" "$f" "($(ratio "$f" "$n"))" \
        "$h" "($(ratio "$h" "$n"))" "$m" "($(ratio "$m" "$n"))"
done
