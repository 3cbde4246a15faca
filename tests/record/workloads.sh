# tests/record/workloads.sh - the workloads of the record tests and of the
# record benchmark, sourced by both. $progs must name the directory of the
# built tests/programs/ executables.
#
# wl_setup NAME: prepare the current directory; returns 77 (with a message
# in $wl_skip) when a program the workload needs is not installed.
# wl_run NAME [PREFIX...]: run the workload, prefixed by PREFIX (for example
# `mmsim record --`), in the current directory.

wl_need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    wl_skip="$1 is not installed"
    return 77
}

wl_setup() {
    case $1 in
    python) wl_need python3 ;;
    perl) wl_need perl ;;
    gcc)
        wl_need gcc || return 77
        printf 'static int sq(int x) { return x * x; }\nint g(int y) { return sq(y) + 1; }\n' > hello.c ;;
    sqlite3) wl_need sqlite3 ;;
    make)
        wl_need make && wl_need cc || return 77
        for i in 1 2 3; do
            printf 'int f%s(int x) { return x * %s; }\n' "$i" "$i" > "u$i.c"
        done
        printf 'all: u1.o u2.o u3.o\n\techo built\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' \
            > Makefile ;;
    bash) wl_need bash ;;
    *) return 0 ;;
    esac
}

wl_run() {
    wl_name=$1
    shift
    case $wl_name in
    python)
        "$@" python3 -c '
import threading
def work(n):
    return len([str(i) for i in range(n)])
ts = [threading.Thread(target=work, args=(100000,)) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
big = [i * 2 for i in range(500000)]
print(len(big), sum(big) % 1000)' ;;
    perl)
        "$@" perl -e 'my @a = (1..200000); my %h = map { $_ => 1 } @a;
            print scalar(keys %h), "\n"' ;;
    gcc) "$@" gcc -O2 -c hello.c -o hello.o ;;
    sqlite3)
        "$@" sqlite3 :memory: 'create table t(a); with recursive c(x) as
            (select 1 union all select x + 1 from c where x < 20000)
            insert into t select x from c; select count(*), sum(a) from t;' ;;
    make) rm -f ./*.o; "$@" make -s -j2 ;;
    bash)
        "$@" bash -c 'for i in 1 2 3 4; do echo "line $i" | tr a-z A-Z; done |
            sort -r | cat; x=0; while [ $x -lt 20 ]; do x=$((x + 1)); done;
            echo "x=$x"; exit 4' ;;
    static) "$@" "$progs/sup_forkexec_static" 1 ;;
    stop_die) "$@" "$progs/sup_stop" die ;;
    mmap100k) "$@" "$progs/sup_mmap_loop" 100000 ;;
    *) "$@" "$progs/$wl_name" ;;
    esac
}
