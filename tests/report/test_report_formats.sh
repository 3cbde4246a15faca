#!/bin/sh
# tests/report/test_report_formats.sh MMSIM GEN_SITES_TRACE ELF SRCDIR
#
# On a generated trace with known allocator calls and hostile names
# (tests/report/gen_sites_trace.c states the calls and expected figures):
# - heap by call site: exact peak, leaked, temporary, allocation figures per
#   site and in total (JSON), the symbolised frame main+0x4 of ELF;
# - commit charge and resident pages by call site: the charge of an mmap
#   made inside malloc without a stack of its own, and the pages written
#   there, go to that malloc's call site; the attributed commit peak equals
#   the system's peak Committed_AS;
# - JSON: the schema (check_json.py) on a report and a comparison;
# - folded: every line "frame;frame;... N", one file per figure, each
#   summing to the report's total;
# - html: every name from the trace escaped (a command name with <, >, &,
#   " and ', a module path with <script>), no script element at all, one
#   ENOMEM marker for the refused 2 GiB mmap, polylines with points;
# - text: the heap section and no pressure section (no reclaim happened);
# - pressure: reclaim and swap-out of a generated toucher, in text, JSON
#   and HTML;
# - --format folded without -o, and an unknown format: usage errors.
set -u
mmsim=$1 gen=$2 elf=$3 src=$4
check=$src/tests/report/check_json.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

vaddr=$(nm "$elf" | awk '$3 == "main" { print "0x" $1 }')
[ -n "$vaddr" ] || { echo "SKIP: no symbol main in $elf"; exit 77; }
"$gen" "$work/t.mmtrace" "$elf" "$vaddr" || exit 1
strict="--machine mem=1G -s vm.overcommit_memory=2"

# shellcheck disable=SC2086
"$mmsim" report "$work/t.mmtrace" $strict --format json -o "$work/r.json" ||
    no "report json exit $?"
python3 "$check" "$work/r.json" || no "json fails the schema"
python3 - "$work/r.json" <<'PY' || no "call-site figures"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["sites_total"]
want = {"sites": 4, "allocations": 9, "temporary": 4, "peak_bytes": 8064,
        "leaked_bytes": 6000, "total_bytes": 10790, "unknown_frees": 1,
        "commit_sites": 1, "commit_peak_kb": 1028, "rss_sites": 1,
        "rss_peak_kb": 40}
for k, v in want.items():
    assert t[k] == v, (k, t[k], v)
# the heap peaked at malloc(64), the 28th event (ms 28)
assert t["t_peak_ns"] == 28 * 10**6, t["t_peak_ns"]
assert d["system"]["peak_committed_kb"] == 1028, d["system"]
s4 = [s for s in d["sites"] if s["commit_peak_kb"]]
assert len(s4) == 1 and s4[0]["stack"][0].startswith("main+0xc ("), s4
assert (s4[0]["allocations"], s4[0]["temporary"], s4[0]["total_bytes"],
        s4[0]["peak_bytes"], s4[0]["rss_peak_kb"]) == (1, 1, 16, 0, 40), s4
figs = lambda s: (s["allocations"], s["total_bytes"], s["peak_bytes"],
                  s["leaked_bytes"], s["temporary"])
by_size = sorted(d["sites"], key=lambda s: s["total_bytes"])
assert [figs(s) for s in by_size] == [(1, 16, 0, 0, 1), (2, 264, 64, 0, 2),
                                     (3, 4010, 3000, 1000, 1),
                                     (3, 6500, 5000, 5000, 0)], by_size
s1 = by_size[3]
assert s1["stack"][0].startswith("main+0x4 ("), s1["stack"]
assert "<script>evil()</script>" in s1["stack"][1], s1["stack"]
assert [s["peak_bytes"] for s in d["sites"]] == [5000, 3000, 64, 0]
assert len(d["events"]) == 1 and d["events"][0]["length"] == 2**31 + 4096
p = [p for p in d["processes"] if p["pid"] == 100][0]
assert p["comm"] == "<b>&\"'<script>", p["comm"]
PY

# folded
# shellcheck disable=SC2086
"$mmsim" report "$work/t.mmtrace" $strict --format folded -o "$work/f" ||
    no "folded exit $?"
for fig in peak:8064 leaked:6000 allocations:9 temporary:4 commit:1028 rss:40; do
    f=$work/f.${fig%%:*}.folded
    [ -s "$f" ] || { no "missing $f"; continue; }
    bad=$(grep -cvE '^[^;]+(;[^;]+)* [0-9]+$' "$f")
    [ "$bad" = 0 ] || no "$f: $bad lines are not 'frame;... N'"
    sum=$(awk '{ s += $NF } END { print s }' "$f")
    [ "$sum" = "${fig#*:}" ] || no "$f sums to $sum, want ${fig#*:}"
done
grep -qE '^\[/nonexistent/<script>evil\(\)</script>&.*\+0x10\];main 5000$' \
    "$work/f.peak.folded" || no "peak.folded: the S1 line: $(cat "$work/f.peak.folded")"

# html: escaped names, no script, markers and points
# shellcheck disable=SC2086
"$mmsim" report "$work/t.mmtrace" $strict --format html -o "$work/r.html" ||
    no "html exit $?"
"$mmsim" compare "$work/t.mmtrace" --machine mem=1G \
    --policy vm.overcommit_memory=2 --policy vm.overcommit_memory=0 \
    --format html -o "$work/c.html" || no "compare html exit $?"
for h in "$work/r.html" "$work/c.html"; do
    python3 - "$h" <<'PY' || no "$h"
import re, sys
page = open(sys.argv[1]).read()
low = page.lower()
assert "<script" not in low, "a script element or an unescaped name"
assert "<b>&" not in page and "evil()</script>" not in page
assert "&lt;b&gt;&amp;&quot;&#39;&lt;script&gt;" in page, "escaped comm"
assert "&lt;script&gt;evil()&lt;/script&gt;&amp;&#39;&quot;.so" in page
assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
assert page.count('class="enomem"') >= 1
lines = re.findall(r'<polyline [^>]*points="([^"]*)"', page)
assert len(lines) >= 4, len(lines)
for pts in lines:
    xy = [tuple(map(float, p.split(","))) for p in pts.split()]
    assert len(xy) >= 2, pts
assert "Top call sites by peak" in page and "main+0x4" in page
PY
done

# text: heap section; no pressure section without reclaim
# shellcheck disable=SC2086
"$mmsim" report "$work/t.mmtrace" $strict > "$work/r.txt" || no "text exit $?"
grep -q "^  heap: 4 call sites, 9 allocations (4 temporary), 10790 bytes; peak 8064 bytes live" \
    "$work/r.txt" || no "text heap totals: $(grep -A2 "by call site" "$work/r.txt")"
grep -q "^  commit charge: 1 call sites, peak 1028 kB; resident: 1 call sites, peak 40 kB" "$work/r.txt" ||
    no "text commit totals"
grep -q "^Pressure" "$work/r.txt" && no "a pressure section without reclaim"

# pressure: 96 MiB written on a 64 MiB machine with swap: reclaim and
# swap-out show in every format (each page swapped out holds one slot until
# the exit, so the peak swap use is pswpout pages when nothing came back)
"$gen" "$work/touch.mmtrace" "$elf" "$vaddr" touch || exit 1
for fmt in text json html; do
    "$mmsim" report "$work/touch.mmtrace" --machine mem=64M,swap=256M \
        --format $fmt -o "$work/touch.$fmt" || no "touch report $fmt exit $?"
done
grep -q "^Pressure (counts since boot" "$work/touch.text" || no "no pressure section"
grep -q "Reclaim, swap and OOM counters" "$work/touch.html" || no "no reclaim chart"
python3 - "$work/touch.json" <<'PY' || no "pressure figures"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["system"]
p = s["pressure"]
assert p["pswpout"] > 0 and p["pgsteal_direct"] + p["pgsteal_kswapd"] > 0, p
assert p["pswpin"] == 0 and s["peak_swap_used_kb"] == 4 * p["pswpout"], s
assert max(x["swap_used_kb"] for x in d["samples"]) <= s["peak_swap_used_kb"]
assert d["samples"][-1]["pressure"] == p
PY
python3 "$check" "$work/touch.json" || no "touch json fails the schema"
# without reclaim, the resident pages by call site peak at the process's
# own peak RSS, and the commit charge at the system's peak Committed_AS
"$mmsim" report "$work/touch.mmtrace" --machine mem=1G --format json \
    -o "$work/touch1g.json" || no "touch on 1G"
python3 - "$work/touch1g.json" <<'PY' || no "attributed peaks"
import json, sys
d = json.load(open(sys.argv[1]))
t, p = d["sites_total"], d["processes"][0]
assert t["rss_peak_kb"] == p["peak_rss_kb"] == 96 * 1024, (t, p)
assert t["commit_peak_kb"] == d["system"]["peak_committed_kb"], t
PY

# usage errors
"$mmsim" report "$work/t.mmtrace" --format folded > /dev/null 2>&1
[ $? = 2 ] || no "--format folded without -o is not a usage error"
"$mmsim" report "$work/t.mmtrace" --format svg > /dev/null 2>&1
[ $? = 2 ] || no "--format svg is not a usage error"

[ $fail = 0 ] && echo ok
exit $fail
