#!/bin/sh
# summarize.sh [GOLDEN_DIR] - what the goldens show, as Markdown tables:
# per zone watermarks and protection, CommitLimit, the overcommit boundary of
# every probe run, and the OOM victims. Reads only the golden files.
set -eu
golden=${1:-$(dirname "$0")/golden}

echo "### Zones (after a forced recompute)"
echo
echo "| case | min_free_kbytes | wsf | lowmem_reserve_ratio | node zone | managed | min | low | high | protection |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for d in "$golden"/*/; do
    d=${d%/} c=${d##*/}
    [ -f "$d/zoneinfo.txt" ] || continue
    mfk=$(sed -n 's/^vm\.min_free_kbytes = //p' "$d/sysctl.txt")
    wsf=$(sed -n 's/^vm\.watermark_scale_factor = //p' "$d/sysctl.txt")
    lrr=$(sed -n 's/^vm\.lowmem_reserve_ratio = //p' "$d/sysctl.txt")
    awk -v c="$c" -v m="$mfk" -v w="$wsf" -v l="$lrr" '
        /^Node/ { sub(",", "", $2); z = $2 " " $4; next }
        $1 == "min" || $1 == "low" || $1 == "high" || $1 == "managed" { v[$1] = $2; next }
        $1 == "protection:" { p = $0; sub(/.*protection: */, "", p)
            if (v["managed"] > 0)
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    c, m, w, l, z, v["managed"], v["min"], v["low"], v["high"], p }' "$d/zoneinfo.txt"
done

echo
echo "### Overcommit: largest private writable anonymous mmap admitted (pages)"
echo
echo "| case | mode | who | VmSize kB | MemTotal kB | SwapTotal kB | Hugetlb kB | ratio | kbytes | admin kB | user kB | Committed_AS kB | CommitLimit kB | largest admitted |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for d in "$golden"/*/; do
    d=${d%/} c=${d##*/}
    [ -f "$d/overcommit.txt" ] || continue
    awk -v c="$c" -F= '
        /^ocprobe begin/ { split($0, a, " "); mode = a[3]; who = a[4]; sub("mode", "", mode); sub("who", "", who)
                           delete v; next }
        /^ocprobe skipped/ { printf "| %s | %s |\n", c, $0; next }
        /^ocprobe end/ { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
            c, substr(mode, 2), substr(who, 2), v["VmSize_kB"], v["MemTotal_kB"], v["SwapTotal_kB"],
            v["Hugetlb_kB"], v["overcommit_ratio"], v["overcommit_kbytes"], v["admin_reserve_kbytes"],
            v["user_reserve_kbytes"], v["Committed_AS_kB"], v["CommitLimit_kB"],
            ("largest_ok_pages" in v) ? v["largest_ok_pages"] : "no boundary"; next }
        NF == 2 { v[$1] = $2 }' "$d/overcommit.txt"
done

echo
echo "### OOM victims (task table: pid rss pgtables_bytes swapents oom_score_adj)"
echo
echo "| case | tasks (pid rss pgtables swap adj) | killed |"
echo "|---|---|---|"
for d in "$golden"/*/; do
    d=${d%/} c=${d##*/}
    [ -f "$d/oom-kernel.txt" ] || continue
    tasks=$(sed -n 's/^\[ *\([0-9]*\)\] *[0-9]* *[0-9]* *[0-9]* *\([0-9]*\) *\([0-9]*\) *\([0-9]*\) *\(-*[0-9]*\) toucher$/\1 \2 \3 \4 \5;/p' \
        "$d/oom-kernel.txt" | tr '\n' ' ')
    killed=$(sed -n 's/^Out of memory: Killed process \([0-9]*\).*oom_score_adj:\(-*[0-9]*\)$/pid \1 (adj \2)/p' \
        "$d/oom-kernel.txt" | tr '\n' ' ')
    echo "| $c | $tasks | $killed |"
done
