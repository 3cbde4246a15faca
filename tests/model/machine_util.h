/*
 * Machine shapes shared by the model's unit tests (header-only, static).
 */
#ifndef MMSIM_TESTS_MACHINE_UTIL_H
#define MMSIM_TESTS_MACHINE_UTIL_H

#include <string.h>

#include "mmsim/mm.h"

#define PFN_4G (1ull << 20)

/* An empty one-node machine emulating @kernel with THP @thp. */
static inline void machine_init(struct mm_machine *m, unsigned kernel,
                                enum mm_thp_mode thp)
{
    memset(m, 0, sizeof(*m));
    m->nr_nodes = 1;
    m->nodes[0].nr_cpus = 1;
    m->kernel = kernel;
    m->thp = thp;
}

static inline void zone_set(struct mm_machine *m, unsigned nid,
                            enum mm_zone_type t, uint64_t start,
                            uint64_t spanned, uint64_t present,
                            uint64_t managed)
{
    m->nodes[nid].zones[t] = (struct mm_zone_shape){start, spanned, present,
                                                    managed};
    if (nid >= m->nr_nodes)
        m->nr_nodes = nid + 1;
}

/* A zone whose span, present and managed sizes are all @pages. */
static inline void zone_plain(struct mm_machine *m, unsigned nid,
                              enum mm_zone_type t, uint64_t start,
                              uint64_t pages)
{
    zone_set(m, nid, t, start, pages, pages, pages);
}

/* The 6.18 development machine's zones (KERNEL-MM-REFERENCE 2.3/2.5). */
static inline void machine_live618(struct mm_machine *m)
{
    machine_init(m, MM_KERNEL(6, 18), MM_THP_MADVISE);
    zone_set(m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone_set(m, 0, MM_ZONE_DMA32, 4096, 1044480, 782336, 772808);
    zone_set(m, 0, MM_ZONE_NORMAL, PFN_4G, 5505024, 5505024, 720896);
    m->nodes[0].nr_cpus = 2;
}

/* The reference's hypothetical 16 GiB box (2.5 worked example). */
static inline void machine_16g(struct mm_machine *m, unsigned kernel,
                               enum mm_thp_mode thp)
{
    machine_init(m, kernel, thp);
    zone_set(m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone_set(m, 0, MM_ZONE_DMA32, 4096, 1044480, 782336, 727000);
    zone_plain(m, 0, MM_ZONE_NORMAL, PFN_4G, 3350000);
}

#endif /* MMSIM_TESTS_MACHINE_UTIL_H */
