# tests/fidelity/summarize.awk: the table of fidelity.sh, one markdown row
# per workload: processes, and the largest |error| of each figure (%).
function abs(x) { return x < 0 ? -x : x }
$1 ~ /^#/ || $2 == "#" || $2 == "pid" { next }
{
    if (!($1 in n)) order[++cases] = $1
    n[$1]++
    for (i = 1; i <= 5; i++) {
        e = abs($(3 + 3 * i) + 0)
        if (e > m[$1, i]) m[$1, i] = e
    }
}
END {
    print "| workload | processes | RSS | RssAnon | minflt | Pss_Anon | USS |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (c = 1; c <= cases; c++) {
        k = order[c]
        printf "| %s | %d", k, n[k]
        for (i = 1; i <= 5; i++)
            printf " | %.2f", m[k, i]
        print " |"
    }
}
