/*
 * Machines and helpers shared by the NUMA tests (header-only, static):
 * nodes of one Normal zone each, a 4-node SLIT, and where a page landed.
 */
#ifndef MMSIM_TESTS_NUMA_UTIL_H
#define MMSIM_TESTS_NUMA_UTIL_H

#include "aspace_util.h"

#define A 0x7f0000000000ull
#define P 4096ull
#define NODE_PAGES 8192ull

/* @n nodes, each one Normal zone of 8192 pages and one CPU. */
static inline struct mm_machine numa_machine(unsigned n, unsigned kernel)
{
    struct mm_machine m;
    machine_init(&m, kernel, MM_THP_NEVER);
    for (unsigned i = 0; i < n; i++) {
        zone_plain(&m, i, MM_ZONE_NORMAL, PFN_4G + i * NODE_PAGES, NODE_PAGES);
        m.nodes[i].nr_cpus = 1;
    }
    return m;
}

/* 4 nodes; from node 0: node 2 at 15, node 3 at 20, node 1 at 30. */
static inline void set_distances4(struct mm_machine *m)
{
    static const uint8_t d[4][4] = {
        {10, 30, 15, 20}, {30, 10, 20, 15}, {15, 20, 10, 30}, {20, 15, 30, 10}};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            m->distance[i][j] = d[i][j];
}

static inline struct mm_sim *boot_numa(const struct mm_machine *m)
{
    int err = 1;
    struct mm_sim *sim = mm_sim_new(m, &err);
    assert_int_equal(err, 0);
    return sim;
}

static inline struct mm_sim *boot_nodes(unsigned n, unsigned kernel)
{
    struct mm_machine m = numa_machine(n, kernel);
    if (n == 4)
        set_distances4(&m);
    return boot_numa(&m);
}

static inline struct mm_zone *zone_of(struct mm_sim *sim, int nid)
{
    return &sim->nodes[nid].zones[MM_ZONE_NORMAL];
}

static inline uint64_t wmark(struct mm_sim *sim, int nid, enum mm_wmark w)
{
    return zone_of(sim, nid)->watermark[w];
}

static inline uint64_t nfree(struct mm_sim *sim, int nid)
{
    return mm__zone_free_pages(zone_of(sim, nid));
}

static inline uint64_t numa(struct mm_sim *sim, int nid, enum mm_numa_stat_item item)
{
    return zone_of(sim, nid)->numa_stat[item];
}

/* The node of the page mapped at @addr in @pid, -1 if none. */
static inline int page_nid(struct mm_sim *sim, uint32_t pid, uint64_t addr)
{
    uint64_t pte;
    struct mm_task *t = mm__task_find(sim, pid);
    if (!mm__hmap_get(&t->mm->ptes, addr >> 12, &pte) || !(pte & MM_PTE_PRESENT))
        return -1;
    return mm__pfn_to_nid(sim, MM_PTE_PFN(pte));
}

/* Write-fault pages from @addr until one fails; counts per node. */
static inline uint64_t fault_until_enomem(struct mm_sim *sim, uint32_t pid,
                                   uint64_t addr, uint64_t max, uint64_t *per_node)
{
    for (uint64_t i = 0; i < max; i++) {
        int rc = mm_fault(sim, pid, addr + i * P, true);
        if (rc) {
            assert_int_equal(rc, MM_ENOMEM);
            return i;
        }
        per_node[page_nid(sim, pid, addr + i * P)]++;
    }
    return max;
}

#endif /* MMSIM_TESTS_NUMA_UTIL_H */
