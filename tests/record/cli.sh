#!/bin/sh
# tests/record/cli.sh MMSIM - `mmsim record`'s own errors: usage (exit 2),
# a program that cannot be executed (the shell's 127 and a message), and a
# trace that cannot be created (exit 1, and none of the program has run);
# --time-resolution: bad durations refused (tests/record/timeres.sh runs a
# good one).
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

expect() { # expect WHAT WANT GOT
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: expected $2, got $3"
        fail=1
    fi
}

"$mmsim" record > out 2> err
expect "no program: exit" 2 $?
grep -q "no program given" err || { echo "FAIL: no usage message"; fail=1; }

"$mmsim" record --bogus -- true 2> err
expect "unknown option: exit" 2 $?

"$mmsim" record -o t1 -- ./does-not-exist 2> err
expect "missing program: exit" 127 $?
grep -q "cannot execute: './does-not-exist': No such file or directory" err ||
    { echo "FAIL: missing program message"; cat err; fail=1; }

: > taken
"$mmsim" record -o taken -- sh -c ': > ran' 2> err
expect "existing trace: exit" 1 $?
grep -q "cannot create the trace" err || { echo "FAIL: no message"; fail=1; }
[ ! -e ran ] || { echo "FAIL: the program ran without a trace"; fail=1; }

"$mmsim" record -o t2 -- sh -c 'kill -TERM $$' 2> err
expect "signal passes through" 143 $?

for bad in 0ms 2s 1001ms 5 5xs -1ms ms; do
    "$mmsim" record -o t3 --time-resolution "$bad" -- true 2> err
    expect "--time-resolution $bad: exit" 2 $?
done
exit $fail
