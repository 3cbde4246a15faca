/*
 * cli_zoneinfo.c - read a machine's shape from /proc/zoneinfo text: nodes,
 * zones, and each zone's start_pfn, spanned, present and managed pages.
 * Shared by `--machine zoneinfo:FILE` and `--machine host`.
 *
 * The kernel version is told by the format (mm/vmstat.c
 * zoneinfo_show_print()): "high_min:" lines exist from 6.18 on (6.7 by
 * the changelog, the model switches at 6.18), "promo" from 6.12; a file
 * with neither is read as 6.1. CPUs are counted from the first zone's
 * "cpu: N" pageset lines and spread over the nodes, since zoneinfo does
 * not say which node a CPU is on.
 */
#include <stdio.h>
#include <string.h>

#include "cli_config.h"

static const char *const zone_names[MM_NR_ZONES] = {
    "DMA", "DMA32", "Normal", "Movable", "Device",
};

enum { HAVE_SPANNED = 1, HAVE_PRESENT = 2, HAVE_MANAGED = 4, HAVE_START = 8 };

struct zi_state {
    const char *name;                      /* file name, for errors */
    unsigned line;
    int node, zone;                        /* current, -1 = none yet */
    uint8_t have[MM_MAX_NUMNODES][MM_NR_ZONES];
    unsigned cpus;                         /* "cpu:" lines of 1st zone */
    int cpu_zone_node, cpu_zone;
    bool promo, high_min;
    struct mm_machine *m;
    struct cli_err *err;
};

static int zi_fail(struct zi_state *st, const char *problem, const char *l,
                   size_t len)
{
    char where[300];
    snprintf(where, sizeof(where), "%s:%u", st->name, st->line);
    return cli_err_set(st->err, where, problem, l, len);
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A decimal u64 filling the rest of the line (trailing blanks allowed). */
static bool rest_u64(const char *p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    p = skip_space(p, end);
    if (p == end || *p < '0' || *p > '9')
        return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return skip_space(p, end) == end;
}

static bool starts(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

/* "Node 0, zone   Normal" */
static int zi_header(struct zi_state *st, const char *l, const char *end)
{
    const char *p = l + 5;
    uint64_t node = 0;
    const char *comma = memchr(p, ',', (size_t)(end - p));
    if (!comma || !rest_u64(p, comma, &node))
        return zi_fail(st, "malformed zone header", l, (size_t)(end - l));
    if (node >= MM_MAX_NUMNODES)
        return zi_fail(st, "node number above 63", l, (size_t)(end - l));
    p = skip_space(comma + 1, end);
    if (!starts(p, end, "zone "))
        return zi_fail(st, "malformed zone header", l, (size_t)(end - l));
    p = skip_space(p + 5, end);
    size_t n = (size_t)(end - p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    for (int z = 0; z < MM_NR_ZONES; z++) {
        if (strlen(zone_names[z]) != n || memcmp(p, zone_names[z], n))
            continue;
        if (st->have[node][z] & 0x80)
            return zi_fail(st, "zone listed twice", l, (size_t)(end - l));
        st->have[node][z] |= 0x80;
        st->node = (int)node;
        st->zone = z;
        if (node + 1 > st->m->nr_nodes)
            st->m->nr_nodes = (unsigned)node + 1;
        return 0;
    }
    return zi_fail(st, "not an x86_64 zone (DMA, DMA32, Normal, Movable, "
                       "Device)", l, (size_t)(end - l));
}

static int zi_field(struct zi_state *st, const char *l, const char *p,
                    const char *end)
{
    static const char *const keys[] = {"spanned ", "present ", "managed ",
                                       "start_pfn:"};
    for (int k = 0; k < 4; k++) {
        if (!starts(p, end, keys[k]))
            continue;
        uint64_t v;
        if (st->zone < 0)
            return zi_fail(st, "zone field before any zone header", l,
                           (size_t)(end - l));
        if (!rest_u64(p + strlen(keys[k]), end, &v))
            return zi_fail(st, "not a number", l, (size_t)(end - l));
        struct mm_zone_shape *z = &st->m->nodes[st->node].zones[st->zone];
        uint64_t *field[] = {&z->spanned, &z->present, &z->managed,
                             &z->start_pfn};
        *field[k] = v;
        st->have[st->node][st->zone] |= (uint8_t)(1u << k);
        return 0;
    }
    return 1; /* not a shape field */
}

static int zi_line(struct zi_state *st, const char *l, const char *end)
{
    if (starts(l, end, "Node "))
        return zi_header(st, l, end);
    const char *p = skip_space(l, end);
    int rc = zi_field(st, l, p, end);
    if (rc <= 0)
        return rc;
    if (starts(p, end, "promo "))
        st->promo = true;
    else if (starts(p, end, "high_min:"))
        st->high_min = true;
    else if (starts(p, end, "cpu:") && st->zone >= 0) {
        if (st->cpu_zone < 0) {
            st->cpu_zone_node = st->node;
            st->cpu_zone = st->zone;
        }
        if (st->cpu_zone_node == st->node && st->cpu_zone == st->zone)
            st->cpus++;
    }
    return 0;
}

/* Sizes consistent and inside the zone's x86_64 PFN bounds. */
static const char *zi_check_zone(const struct mm_zone_shape *z, int type,
                                 uint8_t have)
{
    static const uint64_t lo[] = {0, 4096, 1ull << 20, 0, 0};
    static const uint64_t hi[] = {4096, 1ull << 20, UINT64_MAX, UINT64_MAX,
                                  UINT64_MAX};
    if ((have & 7) != 7)
        return "zone lacks spanned, present or managed";
    if (z->present && !(have & HAVE_START))
        return "populated zone without start_pfn";
    if (z->managed > z->present || z->present > z->spanned)
        return "needs managed <= present <= spanned";
    if (z->present && (z->start_pfn < lo[type] ||
                       z->start_pfn + z->spanned > hi[type] ||
                       z->start_pfn + z->spanned < z->start_pfn))
        return "zone outside its x86_64 PFN range";
    return NULL;
}

static int zi_finish_fail(struct zi_state *st, const char *problem, int node,
                          int zone)
{
    char what[64];
    int n = snprintf(what, sizeof(what), "Node %d, zone %s", node,
                     zone_names[zone]);
    return cli_err_set(st->err, st->name, problem, what, (size_t)n);
}

static int zi_finish(struct zi_state *st)
{
    struct mm_machine *m = st->m;
    uint64_t managed = 0;
    for (unsigned n = 0; n < m->nr_nodes; n++) {
        bool any = false;
        for (int z = 0; z < MM_NR_ZONES; z++) {
            if (!(st->have[n][z] & 0x80))
                continue;
            any = true;
            const char *why = zi_check_zone(&m->nodes[n].zones[z], z,
                                            st->have[n][z]);
            if (why)
                return zi_finish_fail(st, why, (int)n, z);
            managed += m->nodes[n].zones[z].managed;
        }
        if (!any)
            return zi_finish_fail(st, "node ids have a gap: node missing",
                                  (int)n, MM_ZONE_DMA);
    }
    if (!m->nr_nodes || !managed)
        return cli_err_set(st->err, st->name,
                           "no zone with managed pages", "", 0);
    unsigned cpus = st->cpus ? st->cpus : 1;
    for (unsigned n = 0; n < m->nr_nodes; n++) {
        m->nodes[n].nr_cpus = cpus / m->nr_nodes + (n < cpus % m->nr_nodes);
        for (unsigned j = 0; j < m->nr_nodes; j++)
            m->distance[n][j] = n == j ? 10 : 20;
    }
    m->kernel = st->high_min ? MM_KERNEL(6, 18)
                : st->promo  ? MM_KERNEL(6, 12)
                             : MM_KERNEL(6, 1);
    m->thp = managed < (512ull << 20) / MM_PAGE_SIZE ? MM_THP_NEVER
                                                    : MM_THP_ALWAYS;
    return 0;
}

/**
 * cli_zoneinfo_parse() - a machine shape from /proc/zoneinfo text
 * @text: the file's contents (need not be NUL-terminated)
 * @len: its length
 * @name: the file's name, for error messages
 * @m: zeroed and filled in: nodes, zones, CPUs, distances (10 local, 20
 *     remote), kernel version from the format, THP as Debian's default
 * @err: `FILE:LINE: problem: 'line'` on failure
 *
 * Lines other than zone headers and the shape fields are skipped, so any
 * kernel's zoneinfo is read. Kernel: mm/vmstat.c zoneinfo_show_print().
 *
 * Return: 0 or MM_EINVAL with @err set.
 */
int cli_zoneinfo_parse(const char *text, size_t len, const char *name,
                       struct mm_machine *m, struct cli_err *err)
{
    struct zi_state st = {.name = name, .node = -1, .zone = -1,
                          .cpu_zone = -1, .m = m, .err = err};
    memset(m, 0, sizeof(*m));
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        st.line++;
        if (memchr(p, '\0', (size_t)(e - p)))
            return zi_fail(&st, "NUL byte in text", p, 0);
        int rc = zi_line(&st, p, e);
        if (rc)
            return rc;
        p = e + 1;
    }
    return zi_finish(&st);
}
