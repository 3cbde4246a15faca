/*
 * proc_zoneinfo.c - /proc/zoneinfo of the simulated kernel, in the format
 * of the emulated version (6.1: no promo line, three pageset lines; 6.18:
 * promo, aligned pageset lines with high_min/high_max). The per-CPU
 * pageset values are those of a freshly booted kernel: count 0, high at
 * its floor, batch and the vmstat threshold from the zone's size.
 * Kernel: mm/vmstat.c zoneinfo_show_print(), mm/page_alloc.c
 * zone_batchsize() and zone_highsize(), mm/vmstat.c
 * calculate_normal_threshold().
 */
#include "internal.h"

static uint64_t rounddown_pow2(uint64_t x)
{
    uint64_t p = 1;
    while (p * 2 <= x)
        p *= 2;
    return p;
}

static int fls64(uint64_t x)
{
    int n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

/* zone_batchsize(): about a quarter of 0.1% of the zone, at most 63;
 * pageset setup makes it at least 1. */
static uint64_t pcp_batch(const struct mm__proc_zone *z)
{
    uint64_t batch = z->shape.managed >> 10;
    if (batch > 256)
        batch = 256;
    batch /= 4;
    if (batch < 1)
        batch = 1;
    batch = rounddown_pow2(batch + batch / 2) - 1;
    return batch ? batch : 1;
}

/* zone_highsize(): the zone's low watermark (or managed/fraction) split
 * over the node's CPUs, at least 4 batches. */
static uint64_t pcp_high(const struct mm__proc_view *v, unsigned node,
                         const struct mm__proc_zone *z, int fraction)
{
    uint64_t batch = pcp_batch(z);
    uint64_t total = fraction ? z->shape.managed / (uint64_t)fraction
                              : z->wmark[1];
    unsigned cpus = v->node_cpus[node] ? v->node_cpus[node] : v->nr_cpus;
    uint64_t high = total / (cpus ? cpus : 1);
    return high > batch * 4 ? high : batch * 4;
}

/* calculate_normal_threshold(): grows with CPUs and zone size, max 125. */
static int stat_threshold(const struct mm__proc_view *v,
                          const struct mm__proc_zone *z)
{
    uint64_t mem = z->shape.managed >> (27 - MM_PAGE_SHIFT);
    int t = 2 * fls64(v->nr_cpus) * (1 + fls64(mem));
    return t < 125 ? t : 125;
}

static void print_pageset(const struct mm__proc_view *v, unsigned node,
                          const struct mm__proc_zone *z, struct mm_buf *out)
{
    uint64_t batch = pcp_batch(z);
    uint64_t high_min = pcp_high(v, node, z, v->pcp_high_fraction);
    uint64_t high_max = pcp_high(v, node, z, v->pcp_high_fraction
                                                 ? v->pcp_high_fraction : 8);
    for (unsigned cpu = 0; cpu < v->nr_cpus; cpu++) {
        mm_buf_printf(out, "\n    cpu: %u", cpu);
        if (v->kernel >= MM_KERNEL(6, 18))
            mm_buf_printf(out,
                          "\n              count:    0"
                          "\n              high:     %llu"
                          "\n              batch:    %llu"
                          "\n              high_min: %llu"
                          "\n              high_max: %llu",
                          (unsigned long long)high_min,
                          (unsigned long long)batch,
                          (unsigned long long)high_min,
                          (unsigned long long)high_max);
        else
            mm_buf_printf(out,
                          "\n              count: 0"
                          "\n              high:  %llu"
                          "\n              batch: %llu",
                          (unsigned long long)high_min,
                          (unsigned long long)batch);
        mm_buf_printf(out, "\n  vm stats threshold: %d",
                      stat_threshold(v, z));
    }
}

/* "      name value" for every counter of @cls the kernel prints. */
static void print_stats(enum mm_stat_class cls, const uint64_t *values,
                        unsigned kernel, struct mm_buf *out)
{
    for (size_t i = 0; i < mm__stat_count(cls); i++) {
        const struct mm_stat_desc *d = mm__stat_desc(cls, i);
        if (mm__stat_shown(d, kernel))
            mm_buf_printf(out, "\n      %-12s %llu", d->name,
                          (unsigned long long)values[i]);
    }
}

static void print_sizes(const struct mm__proc_view *v,
                        const struct mm__proc_zone *z, struct mm_buf *out)
{
    mm_buf_printf(out,
                  "\n  pages free     %llu"
                  "\n        boost    %llu"
                  "\n        min      %llu"
                  "\n        low      %llu"
                  "\n        high     %llu",
                  (unsigned long long)z->stat[MM_NR_FREE_PAGES],
                  (unsigned long long)z->boost,
                  (unsigned long long)z->wmark[0],
                  (unsigned long long)z->wmark[1],
                  (unsigned long long)z->wmark[2]);
    if (v->kernel >= MM_KERNEL(6, 12))
        mm_buf_printf(out, "\n        promo    %llu",
                      (unsigned long long)z->wmark[3]);
    mm_buf_printf(out,
                  "\n        spanned  %llu"
                  "\n        present  %llu"
                  "\n        managed  %llu"
                  "\n        cma      0"
                  "\n        protection: (%llu",
                  (unsigned long long)z->shape.spanned,
                  (unsigned long long)z->shape.present,
                  (unsigned long long)z->shape.managed,
                  (unsigned long long)z->protection[0]);
    for (int j = 1; j < MM_NR_ZONES; j++)
        mm_buf_printf(out, ", %llu", (unsigned long long)z->protection[j]);
    mm_buf_printf(out, ")");
}

static void print_zone(const struct mm__proc_view *v, unsigned node, int zi,
                       bool first_populated, struct mm_buf *out)
{
    const struct mm__proc_node *n = &v->nodes[node];
    const struct mm__proc_zone *z = &n->zones[zi];
    mm_buf_printf(out, "Node %u, zone %8s", node,
                  mm__zone_name((enum mm_zone_type)zi));
    if (first_populated) {
        mm_buf_printf(out, "\n  per-node stats");
        print_stats(MM_STAT_NODE, n->stat, v->kernel, out);
    }
    print_sizes(v, z, out);
    if (!z->shape.present) {
        mm_buf_printf(out, "\n");
        return;
    }
    print_stats(MM_STAT_ZONE, z->stat, v->kernel, out);
    print_stats(MM_STAT_NUMA, z->numa, v->kernel, out);
    mm_buf_printf(out, "\n  pagesets");
    print_pageset(v, node, z, out);
    mm_buf_printf(out,
                  "\n  node_unreclaimable:  %u"
                  "\n  start_pfn:           %llu\n",
                  n->unreclaimable ? 1u : 0u,
                  (unsigned long long)z->shape.start_pfn);
}

/**
 * mm__proc_zoneinfo() - render /proc/zoneinfo
 * @v: the view of the simulator
 * @out: appended to
 *
 * Every zone of every node is listed; the node counters go with the node's
 * first populated zone, and unpopulated zones stop after protection.
 * Kernel: mm/vmstat.c zoneinfo_show_print().
 *
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_zoneinfo(const struct mm__proc_view *v, struct mm_buf *out)
{
    for (unsigned n = 0; n < v->nr_nodes; n++) {
        bool seen = false;
        for (int z = 0; z < MM_NR_ZONES; z++) {
            bool populated = v->nodes[n].zones[z].shape.present != 0;
            print_zone(v, n, z, populated && !seen, out);
            seen |= populated;
        }
    }
    return out->err;
}
