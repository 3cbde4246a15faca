#!/bin/sh
# tests/report/test_report_cli.sh MMSIM SRCDIR MALLOC_LOOP
#
# mmsim report / compare / proc --trace from files, end to end:
# - golden text and JSON of a committed recording (sh -c 'echo hello | tr
#   a-z A-Z', replayed on the recorded machine);
# - compare with two policies on examples/malloc_loop recorded live: under
#   vm.overcommit_memory=2 on mem=1G (CommitLimit = 50% of RAM, about
#   480 MiB, no swap) the 4th 128 MiB malloc is the first refused request:
#   an mmap of 128 MiB + 4 KiB (glibc's chunk header rounded to a page) by
#   malloc_loop; with 6 steps, steps 4, 5 and 6 fail (3 refusals), while
#   mode 0 refuses nothing;
# - bad input: missing, truncated and corrupt traces, unknown policies,
#   sort columns, formats and /proc paths give one line and a non-zero exit;
#   a truncated trace still gives the report of what was read.
set -u
mmsim=$1
src=$2
malloc_loop=$3
data=$src/tests/report/data
check=$src/tests/report/check_json.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

no() { echo "FAIL: $*"; fail=1; }

# one line on stderr, the given exit status, nothing on stdout
expect_error() {
    want=$1
    shift
    "$@" > "$work/out" 2> "$work/err"
    rc=$?
    [ "$rc" = "$want" ] || no "$*: exit $rc, want $want"
    [ "$(wc -l < "$work/err")" = 1 ] || no "$*: stderr is not one line: $(cat "$work/err")"
    [ -s "$work/out" ] && no "$*: wrote to stdout"
    return 0
}

# golden report of the committed trace
"$mmsim" report "$data/sh-pipe.mmtrace" > "$work/text" || no "report exit $?"
cmp -s "$work/text" "$data/sh-pipe.txt" || { no "text differs from golden";
    diff "$data/sh-pipe.txt" "$work/text" | head; }
"$mmsim" report "$data/sh-pipe.mmtrace" --format json -o "$work/json" ||
    no "report json exit $?"
cmp -s "$work/json" "$data/sh-pipe.json" || no "json differs from golden"
python3 "$check" "$work/json" --sane || no "golden json fails the schema"
"$mmsim" report "$data/sh-pipe.mmtrace" --sort rss | awk 'NR > 2 && $1 != "total" { print $7 }' |
    head -3 > "$work/rss"
sort -rn "$work/rss" | cmp -s - "$work/rss" || no "--sort rss is not descending"

# compare on malloc_loop, recorded now
"$mmsim" record -o "$work/ml.mmtrace" -- "$malloc_loop" 128 6 > /dev/null 2>&1 ||
    no "recording malloc_loop"
"$mmsim" compare "$work/ml.mmtrace" --machine mem=1G \
    --policy vm.overcommit_memory=2 --policy vm.overcommit_memory=0 \
    --format json -o "$work/cmp.json" || no "compare exit $?"
python3 "$check" "$work/cmp.json" || no "compare json fails the schema"
python3 - "$work/cmp.json" <<'PY' || no "compare verdicts"
import json, sys
d = json.load(open(sys.argv[1]))["policies"]
strict, guess = d
e = strict["events"][0]
assert e["comm"] == "malloc_loop", e
assert e["syscall"] == "mmap", e
assert e["length"] == 128 * 2**20 + 4096, e
assert len(strict["events"]) == 3, len(strict["events"])
assert e["committed_kb"] + (e["length"] >> 10) > e["limit_kb"], e
assert strict["processes"][0]["fate"] == "failed", strict["processes"][0]
assert guess["events"] == [] and guess["processes"][0]["fate"] == "exited"
PY
"$mmsim" compare "$work/ml.mmtrace" --machine mem=1G --policy vm.overcommit_memory=2 \
    --policy vm.overcommit_memory=0 > "$work/cmp.txt" || no "compare text"
grep -q "^vm.overcommit_memory=2: malloc_loop (pid [0-9]*) gets ENOMEM at [0-9.]* s for a 128.0 MiB mmap; 3 failures" \
    "$work/cmp.txt" || { no "compare summary line"; cat "$work/cmp.txt"; }
grep -q "^vm.overcommit_memory=0: no failures, peak commit" "$work/cmp.txt" ||
    no "compare summary of mode 0"

# bad input
expect_error 1 "$mmsim" report "$work/missing.mmtrace"
printf 'not a trace at all\n' > "$work/junk"
expect_error 1 "$mmsim" report "$work/junk"
expect_error 1 "$mmsim" compare "$data/sh-pipe.mmtrace" --policy vm.no_such_knob=1
expect_error 1 "$mmsim" compare "$data/sh-pipe.mmtrace" --policy vm.overcommit_memory=7
expect_error 1 "$mmsim" run --compare vm.no_such_knob=1 -- echo must-not-run
expect_error 2 "$mmsim" report "$data/sh-pipe.mmtrace" --format xml
expect_error 2 "$mmsim" report "$data/sh-pipe.mmtrace" --sort colour
expect_error 1 "$mmsim" proc no/such/file --trace "$data/sh-pipe.mmtrace"
expect_error 2 "$mmsim" proc status --trace "$data/sh-pipe.mmtrace" --at soon
# corrupt: every chunk's bytes flipped past the header -> nothing readable
head -c 3000 "$data/sh-pipe.mmtrace" > "$work/corrupt"
size=$(wc -c < "$data/sh-pipe.mmtrace")
head -c $((size - 3000)) /dev/zero >> "$work/corrupt"
expect_error 1 "$mmsim" report "$work/corrupt"

# truncated (cut inside the end chunk, after the last complete data
# chunk): a report of what was read, one warning, exit 1
"$mmsim" record -o "$work/big.mmtrace" -- sh -c 'for i in 1 2 3 4 5 6; do ls / > /dev/null; done' \
    > /dev/null 2>&1 || no "recording the loop"
size=$(wc -c < "$work/big.mmtrace")
head -c $((size - 30)) "$work/big.mmtrace" > "$work/cut.mmtrace"
"$mmsim" report "$work/cut.mmtrace" --format json -o "$work/cut.json" 2> "$work/err"
rc=$?
[ "$rc" = 1 ] || no "truncated trace: exit $rc, want 1"
[ "$(wc -l < "$work/err")" = 1 ] && grep -q "warning: the trace is incomplete" "$work/err" ||
    no "truncated trace: warning: $(cat "$work/err")"
python3 "$check" "$work/cut.json" --sane || no "truncated trace: report"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["processes"]) >= 2 and not d["replay"]["complete"]' \
    "$work/cut.json" || no "truncated trace: rows"

[ $fail = 0 ] && echo "ok"
exit $fail
