#!/bin/sh
# tests/reliab/kill.sh MMSIM VICTIM
#
# Signals from outside (rel_victim.c is the program), each case run natively
# and under mmsim; the program's stdout and exit status must be the native
# ones, the trace complete and readable, and the report must say how each
# process ended:
#   kill -9 of the traced program, and of a child of it (record and run);
#   Ctrl-C: SIGINT to mmsim's process group, as a terminal sends it: the
#     program gets it (default action, or its handler), mmsim ignores it and
#     ends as the program did;
#   SIGTERM to mmsim alone: forwarded to the program;
#   kill -9 of mmsim itself: the program dies with it (PTRACE_O_EXITKILL),
#     and the trace is readable up to its last flushed chunk, with a warning.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
victim=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "-$pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$work" || exit 1
fail=0

bad() {
    echo "FAIL: $*"
    fail=1
}

# await FILE: wait (up to 120 s) until FILE exists
await() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 1200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$1" ] || bad "$1 never appeared"
}

# launch NAME CMD...: start CMD in a session (and process group) of its own,
# stdout in NAME.out; $pid is the session leader (CMD itself). A shell
# starts background commands with SIGINT and SIGQUIT ignored; a terminal's
# foreground program has them at their default, as CMD gets them here.
launch() {
    name=$1
    shift
    rm -f pid cpid
    setsid env --default-signal=INT,QUIT "$@" > "$name.out" 2> "$name.err" &
    pid=$!
}

# finish NAME WANT: wait for the session leader (killing its session after
# 120 s: a hang fails the case); its status must be WANT
finish() {
    (i=0; while kill -0 "$pid" && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
     kill -KILL "-$pid") > /dev/null 2>&1 &
    dog=$!
    wait "$pid"
    rc=$?
    wait "$dog"
    [ "$rc" = "$2" ] || bad "$1: exit status $rc, want $2"
}

# fate TRACE PID TEXT: the text report's row of PID must say TEXT
fate() {
    "$mmsim" report "$1" > report.txt 2> report.err
    [ $? = 0 ] || bad "$1: report failed: $(cat report.err)"
    grep -q "^ *$2 .*$3\$" report.txt || { bad "$1: pid $2 not '$3'"; cat report.txt; }
}

# case_kill NAME WANT SIGNAL TARGET [CMD PREFIX...]: run the victim (with
# $vflags, and with a child when TARGET is cpid), wait for it to work, and
# send SIGNAL to TARGET: pid or cpid (the program or its child, by the pids
# they wrote), group (the session's process group, as a terminal's ^C) or
# leader (the session leader alone: mmsim, or the native program).
case_kill() {
    name=$1 want=$2 sig=$3 target=$4
    shift 4
    args="pid"
    [ "$target" = cpid ] && args="pid cpid"
    launch "$name" "$@" "$victim" $vflags $args
    await pid
    [ "$target" = cpid ] && await cpid
    victim_pid=$(cat pid)
    case $target in
    pid) kill "-$sig" "$victim_pid" ;;
    cpid) target_pid=$(cat cpid); kill "-$sig" "$target_pid" ;;
    group) kill "-$sig" "-$pid" ;;
    leader) kill "-$sig" "$pid" ;;
    esac
    finish "$name" "$want"
    if [ -n "$pre" ]; then
        "$mmsim" dump "$how.mmtrace" > /dev/null 2> dump.err ||
            bad "$name: the trace is not complete: $(cat dump.err)"
    fi
}

# signals NAME WANT SIGNAL TARGET FATE: one case, natively and under both
# verbs; the program's fate in the trace's report must be FATE
signals() {
    for how in native record run; do
        case $how in
        native) pre= ;;
        record) pre="$mmsim record -o $how.mmtrace --" ;;
        run) pre="$mmsim run -o $how.report --trace $how.mmtrace --" ;;
        esac
        rm -f "$how.mmtrace"
        case_kill "$how-$1" "$2" "$3" "$4" $pre
        cmp -s "native-$1.out" "$how-$1.out" || bad "$how-$1: stdout differs"
        [ "$how" = native ] && continue
        fate "$how.mmtrace" "$victim_pid" "$5"
        if [ "$how" = run ]; then
            grep -q "^ *$victim_pid .*$5\$" run.report ||
                bad "$how-$1: the live report does not say '$5'"
        fi
        if [ "$4" = cpid ]; then
            fate "$how.mmtrace" "$target_pid" "killed by signal 9"
        fi
    done
}

vflags=
signals kill9 137 KILL pid "killed by signal 9"
signals child9 0 KILL cpid "exited 0"
grep -q "^child killed by signal 9\$" native-child9.out || bad "child9: $(cat native-child9.out)"
signals ctrl-c 130 INT group "killed by signal 2"
signals term 143 TERM leader "killed by signal 15"
vflags=-c
signals ctrl-c-caught 3 INT group "exited 3"
grep -q "^caught signal 2\$" native-ctrl-c-caught.out || bad "ctrl-c-caught: no handler ran"
signals term-caught 3 TERM leader "exited 3"
grep -q "^caught signal 15\$" native-term-caught.out || bad "term-caught: no handler ran"

# kill -9 of mmsim record itself: the program goes with it; the trace ends
# at its last flushed chunk, and report reads it with a warning (exit 1).
vflags=
rm -f cut.mmtrace
launch mmsim-killed "$mmsim" record -o cut.mmtrace -- "$victim" -b pid
await pid
victim_pid=$(cat pid)
i=0 # until the first chunk is out (the header alone is a few kB)
while [ "$(wc -c < cut.mmtrace)" -lt 65536 ] && [ $i -lt 1200 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -KILL "$pid"
finish mmsim-killed 137
i=0
while kill -0 "$victim_pid" 2> /dev/null && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ -z "$(ps -o stat= -p "$victim_pid" | grep -v Z)" ] || bad "the program outlived mmsim"
"$mmsim" report cut.mmtrace > report.txt 2> report.err
rc=$?
[ $rc = 1 ] || bad "cut trace: report exit $rc, want 1"
grep -q "warning: the trace is incomplete" report.err || bad "cut trace: no warning: $(cat report.err)"
grep -q "^ *$victim_pid .*victim" report.txt || bad "cut trace: no row for the program"
echo "kill: $(ls *.out | wc -l) runs checked; cut trace: $(wc -c < cut.mmtrace) bytes"
exit $fail
