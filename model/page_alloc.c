/*
 * page_alloc.c - the page allocator's entry points: allocate and free.
 *
 * Mechanism: an allocation walks the zonelist of the node its memory policy
 * starts from, over zones no higher than gfp_zone() and inside the policy's
 * nodemask. The fast path takes the first zone passing the LOW watermark
 * (with lowmem_reserve), spilling to remote nodes before anything else, and
 * avoids fragmenting pageblocks (ALLOC_NOFRAGMENT) until it would have to
 * leave the preferred node. The slow path retries at the MIN watermark. Each
 * success counts pgalloc_<zone> and the NUMA hit/miss/foreign/local/other
 * counters. Frees go straight back to the buddy allocator.
 *
 * Callers: model/memory.c (page faults), model/sim.c (boot background use),
 * any model file that needs frames.
 *
 * Kernel: mm/page_alloc.c __alloc_pages(), prepare_alloc_pages(),
 * get_page_from_freelist(), __alloc_pages_slowpath(), rmqueue(),
 * zone_statistics(), alloc_flags_nofragment(), __free_pages_ok(),
 * split_page(). 6.1 to 6.18.
 *
 * Simplified: there are no per-CPU page lists, so pages the kernel would hold
 * on pcp lists stay in the buddy and in MemFree. No cpusets, no dirty-page
 * spreading, no compaction. With vm.zone_reclaim_mode set, a zone failing
 * its watermark in the fast path first gets node reclaim
 * (model/vmscan_node.c). The slow
 * path wakes kswapd (model/vmscan_kswapd.c), retries at MIN, then reclaims
 * directly (model/vmscan.c) and retries while should_reclaim_retry() says
 * so; when that gives up the OOM killer runs (model/oom_kill.c) and the
 * allocation is retried while it frees memory; otherwise it fails with
 * MM_ENOMEM, counted in sim->nr_alloc_fail. Watermark boosts are raised on fallback
 * steals; a boosted zone wakes kswapd, which clears them once balanced.
 */
#include "internal.h"

#define PAGE_ALLOC_COSTLY_ORDER 3
#define PAGE_EVENT_PGALLOC(zone) ((enum mm_vm_event_item)(MM_PGALLOC_DMA + (zone)))

/* What prepare_alloc_pages() computes: struct alloc_context. */
struct alloc_context {
    const struct mm_alloc_ctx *req;
    int zonelist_nid;            /* node whose zonelist is walked */
    uint64_t nodemask;
    struct mm_zone *preferred_zone;
    bool no_direct_reclaim;      /* gfp without __GFP_DIRECT_RECLAIM */
};

/* zone_statistics(): +1 per allocation, not per page. */
static void zone_statistics(struct mm_sim *sim, struct mm_zone *preferred,
                            struct mm_zone *z, int local_nid)
{
    if (!sim->vm.numa_stat)
        return;
    if (z->nid == preferred->nid) {
        z->numa_stat[MM_NUMA_HIT]++;
    } else {
        z->numa_stat[MM_NUMA_MISS]++;
        preferred->numa_stat[MM_NUMA_FOREIGN]++;
    }
    z->numa_stat[z->nid == local_nid ? MM_NUMA_LOCAL : MM_NUMA_OTHER]++;
}

/* rmqueue() without pcp lists, plus its accounting. */
static bool rmqueue(struct mm_sim *sim, const struct alloc_context *ac,
                    struct mm_zone *zone, unsigned flags, uint64_t *pfn)
{
    const struct mm_alloc_ctx *req = ac->req;
    struct mm_rmqueue_ctl ctl = {req->order, req->migratetype, flags, 0};
    if (!mm__rmqueue(sim, zone, &ctl))
        return false;
    *pfn = ctl.pfn;
    if (mm__pageblock_record_alloc(zone, *pfn, req->order, req->migratetype)) {
        struct mm_pages back = {*pfn, req->order, mm__pageblock_mt(zone, *pfn)};
        mm__free_one_page(sim, zone, &back, false);
        sim->host_err = MM_ENOMEM;
        return false;
    }
    sim->vm_events[PAGE_EVENT_PGALLOC(zone->idx)] += 1ull << req->order;
    zone_statistics(sim, ac->preferred_zone, zone, req->preferred_nid);
    if (zone->boosted) { /* ZONE_BOOSTED_WATERMARK: wake kswapd */
        zone->boosted = false;
        mm__wakeup_kswapd(sim, zone, 0, zone->idx);
    }
    return true;
}

/* alloc_flags_nofragment(): only when the preferred zone is Normal. */
static unsigned alloc_flags_nofragment(const struct mm_sim *sim,
                                       const struct mm_zone *zone)
{
    unsigned flags = MM_ALLOC_KSWAPD; /* __GFP_KSWAPD_RECLAIM: user pages */
    if (!zone || zone->idx != MM_ZONE_NORMAL)
        return flags;
    const struct mm_zone *dma32 = &sim->nodes[zone->nid].zones[MM_ZONE_DMA32];
    if (sim->nr_nodes > 1 && !mm__populated_zone(dma32))
        return flags;
    return flags | MM_ALLOC_NOFRAGMENT;
}

/* zone_reclaim_mode: node_reclaim() for a zone that failed its watermark
 * (model/vmscan_node.c); true when the zone passes it afterwards. */
static bool node_reclaim_ok(struct mm_sim *sim, const struct alloc_context *ac,
                            struct mm_zone *zone, uint64_t mark, unsigned flags)
{
    const struct mm_alloc_ctx *req = ac->req;
    if (!mm__node_reclaim_allowed(sim, ac->preferred_zone, zone) ||
        mm__node_reclaim(sim, zone->nid, req) < MM_NODE_RECLAIM_SOME)
        return false;
    return mm__zone_watermark_ok(zone, req->order, mark, req->highest_zoneidx,
                                 flags);
}

/* One walk of get_page_from_freelist(); *restart when NOFRAGMENT is dropped. */
static bool freelist_walk(struct mm_sim *sim, const struct alloc_context *ac,
                          unsigned *flags, uint64_t *pfn, bool *restart)
{
    const struct mm_alloc_ctx *req = ac->req;
    struct mm_zone **z = sim->nodes[ac->zonelist_nid].zonelist;
    *restart = false;
    for (; *z; z++) {
        struct mm_zone *zone = *z;
        if (!mm__zone_allowed(zone, req->highest_zoneidx, ac->nodemask))
            continue;
        if ((*flags & MM_ALLOC_NOFRAGMENT) && sim->nr_nodes > 1 &&
            zone->nid != ac->preferred_zone->nid) {
            /* locality matters more than fragmentation avoidance */
            *flags &= ~MM_ALLOC_NOFRAGMENT;
            *restart = true;
            return false;
        }
        uint64_t mark = mm__wmark_pages(zone, *flags & MM_ALLOC_WMARK_MASK);
        if (!(*flags & MM_ALLOC_NO_WATERMARKS) &&
            !mm__zone_watermark_ok(zone, req->order, mark,
                                   req->highest_zoneidx, *flags) &&
            !node_reclaim_ok(sim, ac, zone, mark, *flags))
            continue;
        if (rmqueue(sim, ac, zone, *flags, pfn))
            return true;
    }
    return false;
}

/* get_page_from_freelist() */
static bool get_page_from_freelist(struct mm_sim *sim,
                                   const struct alloc_context *ac,
                                   unsigned flags, uint64_t *pfn)
{
    for (;;) {
        bool restart, no_fallback = flags & MM_ALLOC_NOFRAGMENT;
        if (freelist_walk(sim, ac, &flags, pfn, &restart))
            return true;
        if (restart)
            continue;
        if (!no_fallback)
            return false;
        flags &= ~MM_ALLOC_NOFRAGMENT; /* fragmented everywhere: allow it */
    }
}

/* wake_all_kswapds(): each node of the zonelist once. */
static void wake_all_kswapds(struct mm_sim *sim, const struct alloc_context *ac)
{
    const struct mm_alloc_ctx *req = ac->req;
    uint64_t woken = 0;
    for (struct mm_zone **z = sim->nodes[ac->zonelist_nid].zonelist; *z; z++) {
        if (!mm__zone_allowed(*z, req->highest_zoneidx, ac->nodemask) ||
            (woken >> (*z)->nid & 1u))
            continue;
        woken |= 1ull << (*z)->nid;
        mm__wakeup_kswapd(sim, *z, req->order, req->highest_zoneidx);
    }
}

/*
 * should_reclaim_retry(): after MAX_RECLAIM_RETRIES rounds without progress,
 * or when no zone would pass min even with all its reclaimable pages freed,
 * give up.
 */
static bool should_reclaim_retry(const struct mm_sim *sim,
                                 const struct alloc_context *ac,
                                 bool progress, int *no_progress_loops)
{
    const struct mm_alloc_ctx *req = ac->req;
    if (progress)
        *no_progress_loops = 0;
    else if (++*no_progress_loops > MM_MAX_RECLAIM_RETRIES)
        return false;
    for (struct mm_zone **z = sim->nodes[ac->zonelist_nid].zonelist; *z; z++) {
        const struct mm_zone *zone = *z;
        if (!mm__zone_allowed(zone, req->highest_zoneidx, ac->nodemask))
            continue;
        uint64_t available = mm__zone_reclaimable_pages(sim, zone) +
                             mm__zone_free_pages(zone);
        uint64_t min = mm__wmark_pages(zone, MM_WMARK_MIN) +
                       zone->lowmem_reserve[req->highest_zoneidx];
        if (available > min + ((1ull << req->order) - 1))
            return true;
    }
    return false;
}

/*
 * Direct reclaim and its retries (__alloc_pages_direct_reclaim,
 * should_reclaim_retry). Costly orders (above PAGE_ALLOC_COSTLY_ORDER) come
 * only from THP faults in the model, whose gfp under the default defrag
 * setting allows no reclaim; reclaim's own allocations (PF_MEMALLOC) do not
 * recurse into it.
 */
static bool alloc_pages_direct_reclaim(struct mm_sim *sim,
                                       const struct alloc_context *ac,
                                       unsigned flags, uint64_t *pfn)
{
    const struct mm_alloc_ctx *req = ac->req;
    int no_progress_loops = 0;
    if (req->order > PAGE_ALLOC_COSTLY_ORDER || sim->in_reclaim)
        return false;
    for (;;) {
        uint64_t progress = mm__try_to_free_pages(sim, ac->zonelist_nid,
                                                  req->highest_zoneidx,
                                                  ac->nodemask);
        if (get_page_from_freelist(sim, ac, flags, pfn))
            return true;
        if (!should_reclaim_retry(sim, ac, progress != 0, &no_progress_loops))
            return false;
    }
}

/* __alloc_pages_slowpath() */
static bool alloc_pages_slowpath(struct mm_sim *sim,
                                 const struct alloc_context *ac, uint64_t *pfn)
{
    unsigned flags = MM_ALLOC_WMARK_MIN | MM_ALLOC_KSWAPD;
    if (ac->req->order <= PAGE_ALLOC_COSTLY_ORDER)
        wake_all_kswapds(sim, ac);
    if (get_page_from_freelist(sim, ac, flags, pfn))
        return true;
    if (ac->no_direct_reclaim) /* !can_direct_reclaim: nopage */
        return false;
    if (alloc_pages_direct_reclaim(sim, ac, flags, pfn))
        return true;
    /*
     * Reclaim made no (more) progress: __alloc_pages_may_oom()
     * (model/oom_kill.c), retried while it frees; compaction is not
     * modelled.
     */
    while (mm__alloc_may_oom(sim, ac->req))
        if (get_page_from_freelist(sim, ac, flags, pfn))
            return true;
    sim->nr_alloc_fail++;
    return false;
}

/* prepare_alloc_pages() */
static int prepare_alloc_pages(const struct mm_sim *sim,
                               const struct mm_alloc_ctx *req,
                               struct alloc_context *ac)
{
    if (req->order >= MM_NR_PAGE_ORDERS || req->highest_zoneidx >= MM_NR_ZONES ||
        req->migratetype >= MM_MIGRATE_PCPTYPES)
        return MM_EINVAL;
    ac->req = req;
    /* a gfp without __GFP_DIRECT_RECLAIM (0: the model's own callers) */
    ac->no_direct_reclaim = req->gfp_mask &&
                            !(req->gfp_mask & MM_GFP_DIRECT_RECLAIM);
    int err = mm__policy_node(sim, req, &ac->zonelist_nid, &ac->nodemask);
    if (err)
        return err;
    ac->preferred_zone = mm__first_zone(sim, ac->zonelist_nid,
                                        req->highest_zoneidx, ac->nodemask);
    return 0;
}

/* __alloc_pages() once the context is prepared. */
static int alloc_pages(struct mm_sim *sim, const struct alloc_context *ctx,
                       uint64_t *pfn)
{
    if (sim->host_err || mm__block_pool_reserve(&sim->block_pool, MM_NR_PAGE_ORDERS))
        return MM_ENOMEM;
    if (sim->oom.panicked) /* model/oom_kill.c: the kernel is gone */
        return MM_ESHUTDOWN;
    if (!ctx->preferred_zone) {
        sim->nr_alloc_fail++;
        return MM_ENOMEM;
    }
    unsigned flags = MM_ALLOC_WMARK_LOW |
                     alloc_flags_nofragment(sim, ctx->preferred_zone);
    if (get_page_from_freelist(sim, ctx, flags, pfn) ||
        alloc_pages_slowpath(sim, ctx, pfn))
        return sim->host_err ? sim->host_err : 0;
    return MM_ENOMEM;
}

/**
 * mm__alloc_pages() - allocate 2^order contiguous frames
 * @sim: the simulator
 * @ac: the request (node, zone limit, order, migratetype, policy)
 * @pfn: set to the first PFN on success
 *
 * Kernel: mm/page_alloc.c __alloc_pages() (fast path at the low watermark,
 * slow path: kswapd, min, direct reclaim, the OOM killer).
 * Return: 0; MM_ENOMEM when no zone can serve it after reclaim (the
 * simulated kernel's refusal); MM_EINVAL for a malformed request or an
 * interleave policy (resolved by model/mempolicy_alloc.c first).
 */
int mm__alloc_pages(struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                    uint64_t *pfn)
{
    struct alloc_context ctx;
    int err = prepare_alloc_pages(sim, ac, &ctx);
    return err ? err : alloc_pages(sim, &ctx, pfn);
}

/**
 * mm__alloc_pages_thisnode() - allocate on one node only (__GFP_THISNODE)
 * @sim: the simulator
 * @ac: the request; ac->preferred_nid is the node, ac->policy must be NULL
 * @pfn: set to the first PFN on success
 *
 * Kernel: __alloc_pages() with __GFP_THISNODE (ZONELIST_NOFALLBACK), as
 * hugetlb's pool allocation uses it.
 * Return: as mm__alloc_pages().
 */
int mm__alloc_pages_thisnode(struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                             uint64_t *pfn)
{
    struct alloc_context ctx;
    if (ac->policy)
        return MM_EINVAL;
    int err = prepare_alloc_pages(sim, ac, &ctx);
    if (err)
        return err;
    ctx.nodemask = 1ull << ac->preferred_nid;
    ctx.preferred_zone = mm__first_zone(sim, ctx.zonelist_nid,
                                        ac->highest_zoneidx, ctx.nodemask);
    return alloc_pages(sim, &ctx, pfn);
}

/**
 * mm__free_pages() - free a block mm__alloc_pages() returned
 * @sim: the simulator
 * @pfn: its first PFN
 * @order: its order (or 0 for one page of a block split by mm__split_page())
 *
 * The block goes back to the free list of its pageblock's type, merging with
 * free buddies. A free of something not allocated at that PFN and order is
 * a bug in the caller: it changes nothing and is counted in
 * sim->nr_bad_free.
 *
 * Kernel: mm/page_alloc.c __free_pages_ok() -> __free_one_page(); pgfree.
 */
void mm__free_pages(struct mm_sim *sim, uint64_t pfn, unsigned order)
{
    struct mm_zone *zone = mm__pfn_zone(sim, pfn);
    if (!zone || mm__block_pool_reserve(&sim->block_pool, 1) ||
        mm__pageblock_take_alloc(zone, pfn, order)) {
        sim->nr_bad_free++;
        return;
    }
    struct mm_pages pages = {pfn, order, mm__pageblock_mt(zone, pfn)};
    if (mm__free_one_page(sim, zone, &pages, false)) {
        sim->nr_bad_free++;
        return;
    }
    sim->vm_events[MM_PGFREE] += 1ull << order;
}

/**
 * mm__split_page() - turn an allocated 2^order block into 2^order pages
 * @sim: the simulator
 * @pfn: first PFN of an allocated block
 * @order: its order
 *
 * Afterwards each page is freed on its own with mm__free_pages(pfn + i, 0).
 *
 * Kernel: mm/page_alloc.c split_page().
 * Return: 0; MM_EINVAL if no block of that order is allocated at @pfn.
 */
int mm__split_page(struct mm_sim *sim, uint64_t pfn, unsigned order)
{
    struct mm_zone *zone = mm__pfn_zone(sim, pfn);
    return zone ? mm__pageblock_split_alloc(zone, pfn, order) : MM_EINVAL;
}
