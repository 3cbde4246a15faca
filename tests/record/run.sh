#!/bin/sh
# tests/record/run.sh MMSIM PROGDIR CASE
#
# Runs one workload natively and under `mmsim record --verify`, and fails
# unless: every process of the recorded run is EXACT (its VMAs rebuilt from
# the recording equal /proc/PID/maps at exit), the program's stdout is
# byte-identical to the native run's, and its exit status is the same.
# Workloads are real programs the project did not write (python3, perl, gcc,
# sqlite3, make, bash) and the small programs in tests/programs/.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
case_name=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

skip() {
    echo "SKIP: $case_name: $1"
    exit 77
}

need() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

setup_make() {
    for i in 1 2 3; do
        printf 'int f%s(int x) { return x * %s; }\n' "$i" "$i" > "u$i.c"
    done
    printf 'all: u1.o u2.o u3.o\n\techo built\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' \
        > Makefile
}

case $case_name in
python)
    need python3
    set -- python3 -c '
import threading
def work(n):
    return len([str(i) for i in range(n)])
ts = [threading.Thread(target=work, args=(100000,)) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
big = [i * 2 for i in range(500000)]
print(len(big), sum(big) % 1000)' ;;
perl)
    need perl
    set -- perl -e 'my @a = (1..200000); my %h = map { $_ => 1 } @a;
        print scalar(keys %h), "\n"' ;;
gcc)
    need gcc
    printf 'static int sq(int x) { return x * x; }\nint g(int y) { return sq(y) + 1; }\n' > hello.c
    set -- gcc -O2 -c hello.c -o hello.o ;;
sqlite3)
    need sqlite3
    set -- sqlite3 :memory: 'create table t(a); with recursive c(x) as
        (select 1 union all select x + 1 from c where x < 20000)
        insert into t select x from c; select count(*), sum(a) from t;' ;;
make)
    need make
    need cc
    setup_make
    set -- make -s -j2 ;;
bash)
    need bash
    set -- bash -c 'for i in 1 2 3 4; do echo "line $i" | tr a-z A-Z; done |
        sort -r | cat; x=0; while [ $x -lt 20 ]; do x=$((x + 1)); done;
        echo "x=$x"; exit 4' ;;
static)
    set -- "$progs/sup_forkexec_static" 1 ;;
stop_die)
    set -- "$progs/sup_stop" die ;;
*)
    set -- "$progs/$case_name" ;;
esac

"$@" > native.out 2> native.err
native_rc=$?
rm -f ./*.o
"$mmsim" record --verify -- "$@" > rec.out 2> rec.err
rec_rc=$?

fail=0
if [ "$native_rc" != "$rec_rc" ]; then
    echo "FAIL: exit status: native $native_rc, recorded $rec_rc"
    fail=1
fi
if ! cmp -s native.out rec.out; then
    echo "FAIL: stdout differs"
    diff native.out rec.out | head -20
    fail=1
fi
summary=$(grep '^mmsim: verify: [0-9]* processes:' rec.err)
n=$(echo "$summary" | sed -n 's/^mmsim: verify: \([0-9]*\) processes: \([0-9]*\) EXACT.*/\1 \2/p')
set -- $n
if [ -z "$n" ] || [ "$1" != "$2" ] || [ "$1" = 0 ]; then
    echo "FAIL: not every process is EXACT"
    fail=1
fi
trace=$(ls mmsim.*.mmtrace 2>/dev/null | head -1)
if [ -z "$trace" ] || ! "$mmsim" dump "$trace" > dump.txt; then
    echo "FAIL: no readable trace"
    fail=1
elif [ "$(grep -c ' exec a=' dump.txt)" -lt 1 ]; then
    echo "FAIL: the trace has no exec event"
    fail=1
fi
grep '^mmsim' rec.err | grep -v ': EXACT$' | head -60
echo "$case_name: native rc $native_rc, recorded rc $rec_rc; $summary"
exit $fail
