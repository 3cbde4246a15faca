/*
 * memcontrol.c - one memory cgroup with a limit (cgroup v2 memory.max):
 * every traced task is in it, every user page it faults in is charged to
 * it, and a charge over the limit ends in the memory cgroup OOM killer.
 *
 * Mechanism: try_charge() adds the folio's pages to memory.current when
 * they fit under memory.max; otherwise it counts a "max" event, reclaims
 * from the cgroup (try_to_free_mem_cgroup_pages, retried as the kernel
 * does), and for an order <= 3 charge that may block counts an "oom" event
 * and runs
 * out_of_memory() with the memcg constraint: candidates are the cgroup's
 * tasks, badness is normalised by the limit, the message says "Memory
 * cgroup out of memory". When that frees memory the charge is retried;
 * otherwise it fails and so does the fault. panic_on_oom 1 does not panic
 * for it, 2 does.
 *
 * Callers: model/memory.c alloc_folio() (charge), mm__folio_release()
 * (uncharge).
 *
 * Kernel: mm/memcontrol.c try_charge_memcg(), mem_cgroup_oom(),
 * mem_cgroup_out_of_memory(), mem_cgroup_get_max(), uncharge_folio();
 * identical rules in 6.1 and 6.18.
 *
 * Simplified: only user folios (anonymous, page cache, shmem) are charged:
 * page tables, kernel stacks and slab, which the kernel also charges, are
 * not (the guests' cgroups held some 70-100 pages of them at the OOM); no
 * memory.high, memory.low, swap limit, per-cgroup LRU, memory.oom.group,
 * or hierarchy. The memcg is set at boot (machine.memcg_max_pages) and
 * holds every task, so all folios are charged from the first one.
 */
#include "internal.h"

#define PAGE_ALLOC_COSTLY_ORDER 3
#define GFP_RECLAIM_MASK (MM_GFP_DIRECT_RECLAIM | MM_GFP_KSWAPD_RECLAIM | \
                          MM_GFP_IO | MM_GFP_FS | MM_GFP_NOWARN | \
                          MM_GFP_RETRY_MAYFAIL | MM_GFP_NOFAIL | \
                          MM_GFP_NORETRY | MM_GFP_NOMEMALLOC)

static bool charge_fits(const struct mm_memcg *memcg, uint64_t nr)
{
    return memcg->usage + nr <= memcg->max;
}

static void commit_charge(struct mm_memcg *memcg, uint64_t nr)
{
    memcg->usage += nr;
    if (memcg->usage > memcg->peak)
        memcg->peak = memcg->usage;
}

/* log2 of a power-of-two page count: the order of the charge */
static unsigned charge_order(uint64_t nr)
{
    unsigned order = 0;
    while ((1ull << order) < nr)
        order++;
    return order;
}

/* The retry state of one try_charge_memcg(). */
struct charge_retry {
    unsigned nr_retries;  /* MAX_RECLAIM_RETRIES, reset after an OOM kill */
    bool drained;         /* the per-CPU stocks were drained once */
};

/*
 * try_charge_memcg()'s reclaim and retry decision: reclaim from the cgroup
 * (model/vmscan.c); retry when the charge now fits, once after draining
 * the per-CPU stocks, when reclaim made progress for a non-costly charge,
 * or while retries remain (16); else the caller goes on to the memcg OOM
 * killer. With nothing reclaimable that is 18 "max" events per OOM, as a
 * Debian 6.1 guest's memory.events shows (256m-memcg-* goldens).
 */
static bool memcg_reclaim(struct mm_sim *sim, uint64_t nr_pages, uint32_t gfp,
                          struct charge_retry *rt)
{
    uint64_t got = mm__try_to_free_mem_cgroup_pages(sim, nr_pages, true);
    if (charge_fits(&sim->memcg, nr_pages))
        return true;
    if (!rt->drained) /* drain_all_stock(): the model has no stocks */
        return rt->drained = true;
    if (gfp & MM_GFP_NORETRY)
        return false;
    if (got && nr_pages <= (1u << PAGE_ALLOC_COSTLY_ORDER))
        return true;
    return rt->nr_retries-- > 0;
}

/**
 * mm__memcg_try_charge() - charge @nr_pages of a new folio to the memcg
 * @sim: the simulator
 * @nr_pages: pages of the folio (a power of two)
 * @gfp: the allocation's gfp mask; only its reclaim bits matter
 *
 * Return: 0 (charged, or no memcg configured), MM_ENOMEM when the charge
 * cannot fit: the caller frees the folio and the fault fails.
 * Kernel: mm/memcontrol.c try_charge_memcg(), mem_cgroup_oom().
 */
int mm__memcg_try_charge(struct mm_sim *sim, uint64_t nr_pages, uint32_t gfp)
{
    struct mm_memcg *memcg = &sim->memcg;
    struct charge_retry rt = {MM_MAX_RECLAIM_RETRIES, false};
    if (!memcg->max)
        return 0;
    gfp &= GFP_RECLAIM_MASK;
    for (;;) {
        if (charge_fits(memcg, nr_pages)) {
            commit_charge(memcg, nr_pages);
            return 0;
        }
        memcg->events_max++;
        if (!(gfp & MM_GFP_DIRECT_RECLAIM))
            return MM_ENOMEM;
        if (memcg_reclaim(sim, nr_pages, gfp, &rt))
            continue;
        if (gfp & (MM_GFP_NORETRY | MM_GFP_RETRY_MAYFAIL))
            return MM_ENOMEM;
        unsigned order = charge_order(nr_pages);
        if (order > PAGE_ALLOC_COSTLY_ORDER || sim->oom.panicked)
            return MM_ENOMEM;
        rt.nr_retries = MM_MAX_RECLAIM_RETRIES;
        memcg->events_oom++;
        struct mm_oom_control oc = {gfp, order, true, 0};
        if (!mm__out_of_memory(sim, &oc))
            return MM_ENOMEM;
    }
}

/**
 * mm__memcg_uncharge() - a charged folio is freed
 * @sim: the simulator
 * @nr_pages: its pages
 *
 * Kernel: mm/memcontrol.c uncharge_folio(), uncharge_batch().
 */
void mm__memcg_uncharge(struct mm_sim *sim, uint64_t nr_pages)
{
    struct mm_memcg *memcg = &sim->memcg;
    if (!memcg->max)
        return;
    memcg->usage = memcg->usage > nr_pages ? memcg->usage - nr_pages : 0;
}

/**
 * mm_memcg_stats() - memory.max, memory.current, memory.peak and the
 * max/oom/oom_kill lines of memory.events, in pages
 * @sim: the simulator
 * @out: filled in (all 0 without a memcg limit)
 */
void mm_memcg_stats(const struct mm_sim *sim, struct mm_memcg_stats *out)
{
    const struct mm_memcg *m = &sim->memcg;
    *out = (struct mm_memcg_stats){
        .max = m->max, .usage = m->usage, .peak = m->peak,
        .events_max = m->events_max, .events_oom = m->events_oom,
        .events_oom_kill = m->events_oom_kill,
    };
}
