# Sourced by the benchmark scripts (tools/bench/bench-*.sh): the real
# programs they run, with the same inputs, in a scratch directory.
#
#   bp_setup BUILD    cd into a new scratch directory (removed at exit),
#                     with a 3-unit project for make; sets bp_build, bp_src
#   bp_run NAME [PREFIX...]
#                     run program NAME under PREFIX (a recorder), if any
#   bp_names          the program names, in table order
#
# Programs come from /usr/bin first (a wrapper earlier in PATH, such as
# pyenv's, would be measured instead of the program).

bp_names="python3 perl gcc sqlite3 make bash"

bp_setup() {
    bp_build=$(cd "$1" && pwd)
    bp_src=$(cd "$(dirname "$0")/../.." && pwd)
    bp_work=$(mktemp -d)
    trap 'rm -rf "$bp_work"' EXIT
    cd "$bp_work" || exit 1
    PATH=/usr/bin:/bin:$PATH
    export PATH
    unset MALLOC_PERTURB_
    for i in 1 2 3; do
        printf 'int f%s(int x) { return x * %s; }\n' "$i" "$i" > "u$i.c"
    done
    printf 'all: u1.o u2.o u3.o\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' > Makefile
}

bp_run() {
    bp_name=$1
    shift
    case $bp_name in
    malloc_bench) "$@" "$bp_build/tools/bench/malloc_bench" 4 300000 ;;
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
    gcc) "$@" gcc -O2 -c "$bp_src/model/vmscan.c" -I"$bp_src/include" \
        -I"$bp_src/model" -o vmscan.o ;;
    sqlite3) "$@" sqlite3 :memory: 'create table t(a, b); with recursive
        c(x) as (select 1 union all select x + 1 from c where x < 100000)
        insert into t select x, hex(randomblob(16)) from c;
        create index i on t(b); select count(*) from t;' ;;
    make) rm -f ./*.o; "$@" make -s -j2 ;;
    bash) "$@" bash -c 'for i in $(seq 1 40); do echo "line $i" |
        tr a-z A-Z; done | sort -r | cat > /dev/null' ;;
    esac
}
