/*
 * cli_movable.c - where ZONE_MOVABLE starts on each node for the
 * `kernelcore=` and `movablecore=` boot options: the kernel memory is
 * spread evenly over the nodes with memory, taken from each node's lowest
 * PFNs; what lies above becomes ZONE_MOVABLE, carved from the highest
 * populated zone type (Normal, or DMA32 on machines without memory above
 * 4 GiB). Kernel: mm/mm_init.c find_zone_movable_pfns_for_nodes(),
 * adjust_zone_range_for_zone_movable() (6.1; kernelcore=mirror and the
 * percentage forms are not supported).
 */
#include "cli_config.h"

#define MAX_ORDER_NR_PAGES 1024u

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static uint64_t roundup(uint64_t x, uint64_t to)
{
    return (x + to - 1) / to * to;
}

/* One pass over the nodes, giving each up to @per_node kernel pages. */
static void spread_pass(const struct cli_mem_ranges *nodes, unsigned nr_nodes,
                        uint64_t usable_start, uint64_t *required,
                        uint64_t usable_nodes, uint64_t *zmp)
{
    uint64_t per_node = *required / usable_nodes;
    for (unsigned n = 0; n < nr_nodes; n++) {
        if (!nodes[n].nr)
            continue;
        if (*required < per_node)
            per_node = *required / usable_nodes;
        uint64_t remaining = per_node;
        for (unsigned i = 0; i < nodes[n].nr; i++) {
            uint64_t lo = max64(nodes[n].r[i].lo, zmp[n]);
            uint64_t hi = nodes[n].r[i].hi;
            if (lo >= hi)
                continue;
            if (lo < usable_start) { /* only usable as kernel memory */
                uint64_t k = min64(hi, usable_start) - lo;
                remaining -= min64(k, remaining);
                *required -= min64(k, *required);
                if (hi <= usable_start) {
                    zmp[n] = hi;
                    continue;
                }
                lo = usable_start;
            }
            uint64_t size = min64(hi - lo, remaining);
            zmp[n] = lo + size;
            *required -= min64(*required, size);
            remaining -= size;
            if (!remaining) /* a range wholly below only "continue"s */
                break;
        }
    }
}

/**
 * cli_zone_movable_pfns() - the first PFN of ZONE_MOVABLE on each node
 * @nodes: each node's memory ranges, sorted, holes removed
 * @nr_nodes: number of nodes
 * @kernelcore: pages asked for by kernelcore= (0: not given)
 * @movablecore: pages asked for by movablecore= (0: not given)
 * @usable_start: lowest PFN of the zone type ZONE_MOVABLE is taken from
 * @zmp: set per node: first PFN of ZONE_MOVABLE, 0 = no ZONE_MOVABLE
 *
 * Kernel: mm/mm_init.c find_zone_movable_pfns_for_nodes().
 */
void cli_zone_movable_pfns(const struct cli_mem_ranges *nodes,
                           unsigned nr_nodes, uint64_t kernelcore,
                           uint64_t movablecore, uint64_t usable_start,
                           uint64_t *zmp)
{
    uint64_t total = 0, usable_nodes = 0;
    for (unsigned n = 0; n < nr_nodes; n++) {
        zmp[n] = 0;
        usable_nodes += nodes[n].nr > 0;
        for (unsigned i = 0; i < nodes[n].nr; i++)
            total += nodes[n].r[i].hi - nodes[n].r[i].lo;
    }
    if (movablecore) {
        movablecore = min64(total, roundup(movablecore, MAX_ORDER_NR_PAGES));
        kernelcore = max64(kernelcore, total - movablecore);
    }
    if (!kernelcore || kernelcore >= total)
        return;
    do {
        spread_pass(nodes, nr_nodes, usable_start, &kernelcore, usable_nodes,
                    zmp);
    } while (--usable_nodes && kernelcore > usable_nodes);
    for (unsigned n = 0; n < nr_nodes; n++) {
        uint64_t end = nodes[n].nr ? nodes[n].r[nodes[n].nr - 1].hi : 0;
        zmp[n] = roundup(zmp[n], MAX_ORDER_NR_PAGES);
        if (zmp[n] >= end)
            zmp[n] = 0;
    }
}
