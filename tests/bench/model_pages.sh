#!/bin/sh
# tests/bench/model_pages.sh MMSIM REL_GEN_TRACE [PAGES...]
#
# The model's memory per touched page: for each PAGES (default 1000000 and
# 10000000) a synthetic trace of one process touching PAGES distinct 4 KiB
# pages (tests/reliab/rel_gen_trace.c) is replayed by `mmsim report` on a
# 64 GiB machine without THP. Prints the peak RSS, the time and the events
# per CPU-second of each, and the bytes per touched page between the smallest and the
# largest count (the fixed costs cancel out).
set -u
mmsim=$1
gen=$2
shift 2
[ $# -gt 0 ] || set -- 1000000 10000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
first_pages= first_kb=
for pages in "$@"; do
    "$gen" "$work/t.mmtrace" "$pages" 1 || exit 1
    set -- $(python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
t = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(ru.ru_maxrss, "%.1f" % t, "%.1f" % (ru.ru_utime + ru.ru_stime), rc)' \
        "$mmsim" report --machine mem=64G,thp=never "$work/t.mmtrace")
    [ "$4" = 0 ] || { echo "model_pages: report failed"; exit 1; }
    echo "$pages pages: trace $(wc -c < "$work/t.mmtrace") bytes, peak RSS $1 kB," \
         "$2 s wall, $3 s CPU, $(python3 -c "print(int(($pages + 4) / max($3, 0.1)))")" \
         "events per CPU-second"
    if [ -z "$first_pages" ]; then
        first_pages=$pages first_kb=$1
    elif [ "$pages" != "$first_pages" ]; then
        echo "bytes per touched page: $(( ($1 - first_kb) * 1024 / (pages - first_pages) ))"
    fi
done
