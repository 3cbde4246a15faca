/*
 * vmscan_node.c - node reclaim (vm.zone_reclaim_mode): before an
 * allocation leaves a node whose zone failed its watermark, reclaim a
 * little of that node's page cache so that the page stays local.
 *
 * Mechanism: for a zone failing the watermark in the fast path, on a node
 * within RECLAIM_DISTANCE (30) of the preferred zone's, node_reclaim()
 * returns FULL when the node's reclaimable page cache is at most
 * min_unmapped_pages (min_unmapped_ratio % of its managed pages) and its
 * reclaimable slab at most min_slab_pages; NOSCAN when the allocation may
 * not block, when reclaim is already running (PF_MEMALLOC), or when the
 * node has CPUs and is not the task's; else it runs shrink_node() at
 * priority 4 and up (towards 0) until max(2^order, 32) pages came back,
 * without unmapping mapped pages unless RECLAIM_UNMAP (4) is set and
 * without writing dirty or swap-backed pages unless RECLAIM_WRITE (2) is
 * set. The allocation then takes the zone if it passes the watermark.
 *
 * Callers: model/page_alloc.c get_page_from_freelist (freelist_walk).
 * Kernel: mm/vmscan.c node_reclaim(), __node_reclaim(),
 * node_pagecache_reclaimable(), node_unmapped_file_pages();
 * mm/page_alloc.c zone_allows_reclaim(), setup_min_unmapped_ratio(),
 * setup_min_slab_ratio(); mm/internal.h node_reclaim_enabled(). 6.1 and
 * 6.12 (which adds the zone_reclaim_success counter).
 *
 * Simplified: the model does not count NR_FILE_MAPPED, so the mapped part
 * of a node's page cache is counted here by walking its file LRU lists
 * (mapped shmem pages, on the anon lists, are not subtracted as the kernel
 * does); the model has no slab, so only page cache makes node reclaim
 * scan. A node is never already being reclaimed (PGDAT_RECLAIM_LOCKED):
 * the model has one task running at a time.
 */
#include "internal.h"

#define RECLAIM_ZONE 0x1u
#define RECLAIM_WRITE 0x2u
#define RECLAIM_UNMAP 0x4u
#define RECLAIM_DISTANCE 30 /* node_reclaim_distance */
#define NODE_RECLAIM_PRIORITY 4

static unsigned reclaim_mode(const struct mm_sim *sim)
{
    return (unsigned)sim->vm.zone_reclaim_mode;
}

/* setup_min_unmapped_ratio()/setup_min_slab_ratio(): per zone, summed. */
static uint64_t node_min_pages(const struct mm_sim *sim, int nid, int ratio)
{
    uint64_t sum = 0;
    for (int t = 0; t < MM_NR_ZONES; t++)
        sum += sim->nodes[nid].zones[t].managed * (uint64_t)ratio / 100;
    return sum;
}

/* Pages of the node's file LRU folios that some process maps. */
static uint64_t file_mapped(const struct mm_sim *sim, int nid)
{
    static const enum mm_lru_list lists[2] = {MM_LRU_INACTIVE_FILE,
                                              MM_LRU_ACTIVE_FILE};
    uint64_t n = 0;
    for (int i = 0; i < 2; i++)
        for (const struct mm_folio *f = sim->nodes[nid].lruvec.lists[lists[i]].head;
             f; f = f->lru_next)
            if (f->total_map)
                n += 1ull << f->order;
    return n;
}

/* node_pagecache_reclaimable() */
static uint64_t pagecache_reclaimable(const struct mm_sim *sim, int nid)
{
    const struct mm_pgdat *pg = &sim->nodes[nid];
    uint64_t nr, delta = 0;
    if (reclaim_mode(sim) & RECLAIM_UNMAP) {
        nr = mm__node_page_state(pg, MM_NR_FILE_PAGES);
    } else {
        uint64_t lru = mm__node_page_state(pg, MM_NR_INACTIVE_FILE) +
                       mm__node_page_state(pg, MM_NR_ACTIVE_FILE);
        uint64_t mapped = file_mapped(sim, nid);
        nr = lru > mapped ? lru - mapped : 0;
    }
    if (!(reclaim_mode(sim) & RECLAIM_WRITE))
        delta = mm__node_page_state(pg, MM_NR_DIRTY);
    return nr - (delta > nr ? nr : delta);
}

static bool over_min(const struct mm_sim *sim, int nid)
{
    const struct mm_pgdat *pg = &sim->nodes[nid];
    return pagecache_reclaimable(sim, nid) >
               node_min_pages(sim, nid, sim->vm.min_unmapped_ratio) ||
           mm__node_page_state(pg, MM_NR_SLAB_RECLAIMABLE) >
               node_min_pages(sim, nid, sim->vm.min_slab_ratio);
}

/* __node_reclaim(): true when at least 2^order pages came back. */
static bool node_reclaim_run(struct mm_sim *sim, int nid,
                             const struct mm_alloc_ctx *req)
{
    uint64_t nr_pages = 1ull << req->order;
    struct mm_scan_control sc = {
        .nr_to_reclaim = nr_pages > MM_SWAP_CLUSTER_MAX ? nr_pages
                                                        : MM_SWAP_CLUSTER_MAX,
        .reclaim_idx = req->highest_zoneidx,
        .priority = NODE_RECLAIM_PRIORITY,
        .may_swap = true,
        .no_writepage = !(reclaim_mode(sim) & RECLAIM_WRITE),
        .no_unmap = !(reclaim_mode(sim) & RECLAIM_UNMAP),
    };
    sim->in_reclaim = true; /* memalloc_noreclaim_save() */
    if (over_min(sim, nid))
        do {
            mm__shrink_node(sim, nid, &sc);
        } while (sc.nr_reclaimed < nr_pages && --sc.priority >= 0);
    sim->in_reclaim = false;
    return sc.nr_reclaimed >= nr_pages;
}

/**
 * mm__node_reclaim_allowed() - whether a zone failing its watermark gets
 * node reclaim before the allocation moves on
 * @sim: the simulator
 * @preferred: the allocation's preferred zone
 * @zone: the zone that failed
 *
 * Kernel: mm/internal.h node_reclaim_enabled(), mm/page_alloc.c
 * zone_allows_reclaim().
 * Return: true when zone_reclaim_mode has one of its three bits set and
 * the zone's node is within RECLAIM_DISTANCE of the preferred zone's.
 */
bool mm__node_reclaim_allowed(const struct mm_sim *sim,
                              const struct mm_zone *preferred,
                              const struct mm_zone *zone)
{
    if (!(reclaim_mode(sim) & (RECLAIM_ZONE | RECLAIM_WRITE | RECLAIM_UNMAP)))
        return false;
    return mm__node_distance(sim, preferred->nid, zone->nid) <= RECLAIM_DISTANCE;
}

/**
 * mm__node_reclaim() - reclaim on @nid for an allocation that would leave it
 * @sim: the simulator
 * @nid: the node of the zone that failed its watermark
 * @req: the allocation (order, zone limit, gfp)
 *
 * Counts zone_reclaim_failed, and zone_reclaim_success (shown from 6.12).
 * Kernel: mm/vmscan.c node_reclaim().
 * Return: MM_NODE_RECLAIM_NOSCAN, MM_NODE_RECLAIM_FULL, or whether enough
 * was reclaimed (MM_NODE_RECLAIM_SUCCESS) or not (MM_NODE_RECLAIM_SOME).
 */
int mm__node_reclaim(struct mm_sim *sim, int nid, const struct mm_alloc_ctx *req)
{
    if (!over_min(sim, nid))
        return MM_NODE_RECLAIM_FULL;
    /* gfp 0 is "not given" (model/page_alloc.c): it may block */
    if ((req->gfp_mask && !(req->gfp_mask & MM_GFP_DIRECT_RECLAIM)) ||
        sim->in_reclaim)
        return MM_NODE_RECLAIM_NOSCAN;
    int local = sim->current ? sim->current->numa_node : 0;
    if (sim->nodes[nid].nr_cpus && nid != local)
        return MM_NODE_RECLAIM_NOSCAN;
    bool ok = node_reclaim_run(sim, nid, req);
    sim->vm_events[ok ? MM_ZONE_RECLAIM_SUCCESS : MM_ZONE_RECLAIM_FAILED]++;
    return ok ? MM_NODE_RECLAIM_SUCCESS : MM_NODE_RECLAIM_SOME;
}
