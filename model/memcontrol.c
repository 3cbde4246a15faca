/*
 * memcontrol.c - one memory cgroup with a limit (cgroup v2 memory.max):
 * every traced task is in it, every user page it faults in is charged to
 * it, and a charge over the limit ends in the memory cgroup OOM killer.
 *
 * Mechanism: try_charge() adds the folio's pages to memory.current when
 * they fit under memory.max. Otherwise, per attempt, it counts a "max"
 * event and reclaims from the cgroup's LRU pages (try_to_free_mem_cgroup_
 * pages: the LRU reclaim of model/vmscan*.c over the nodes, not counted in
 * the global pgscan/pgsteal_direct, as in 6.1); it retries as the kernel
 * does (once after draining the per-CPU stock, while reclaim makes progress
 * for charges of order <= 3, then MAX_RECLAIM_RETRIES more), and then, for
 * an order <= 3 charge that may block, counts an "oom" event and runs
 * out_of_memory() with the memcg constraint: candidates are the cgroup's
 * tasks, badness is normalised by the limit, the message says "Memory
 * cgroup out of memory". When that frees memory the retries start over;
 * otherwise the charge fails and so does the fault. panic_on_oom 1 does not
 * panic for it, 2 does.
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
 * holds every task, so all folios are charged from the first one and the
 * node LRU lists are the memcg's. A victim that is the charging task
 * itself fails the charge at once (the kernel retries until the reaper or
 * the exit frees it, counting more "max" events).
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

/* One shrink_node() per node of the zonelist of node 0 (tasks run there). */
static void memcg_shrink_zones(struct mm_sim *sim, struct mm_scan_control *sc)
{
    uint64_t done = 0;
    for (struct mm_zone **z = sim->nodes[0].zonelist; *z; z++) {
        if (!(*z)->managed || (done >> (*z)->nid & 1u))
            continue;
        done |= 1ull << (*z)->nid;
        mm__shrink_node(sim, (*z)->nid, sc);
    }
}

/*
 * try_to_free_mem_cgroup_pages(): reclaim max(@nr, SWAP_CLUSTER_MAX) from
 * the memcg's LRU pages, which are all LRU pages here (every user folio is
 * charged to it). Priority 12 down to 0; once more forcing deactivation
 * when nothing came back and an active list was left unaged.
 */
static uint64_t memcg_reclaim(struct mm_sim *sim, uint64_t nr)
{
    struct mm_scan_control sc = {
        .nr_to_reclaim = nr > MM_SWAP_CLUSTER_MAX ? nr : MM_SWAP_CLUSTER_MAX,
        .reclaim_idx = MM_NR_ZONES - 1,
        .priority = MM_DEF_PRIORITY,
        .may_swap = true,
        .cgroup_reclaim = true,
    };
    sim->in_reclaim = true;
    for (int pass = 0; pass < 2; pass++) {
        do
            memcg_shrink_zones(sim, &sc);
        while (sc.nr_reclaimed < sc.nr_to_reclaim && --sc.priority >= 0);
        if (sc.nr_reclaimed || !sc.skipped_deactivate)
            break;
        sc.priority = MM_DEF_PRIORITY;
        sc.force_deactivate = true;
        sc.skipped_deactivate = false;
    }
    sim->in_reclaim = false;
    sim->memcg.reclaimed += sc.nr_reclaimed;
    return sc.nr_reclaimed;
}

/* mem_cgroup_oom(): only up to PAGE_ALLOC_COSTLY_ORDER. */
static bool memcg_oom(struct mm_sim *sim, uint32_t gfp, uint64_t nr)
{
    unsigned order = charge_order(nr);
    if (order > PAGE_ALLOC_COSTLY_ORDER || sim->oom.panicked)
        return false;
    sim->memcg.events_oom++;
    struct mm_oom_control oc = {gfp, order, true};
    return mm__out_of_memory(sim, &oc);
}

/* What try_charge_memcg() does after reclaim failed to make room. */
enum charge_next { CHARGE_RETRY, CHARGE_NOMEM, CHARGE_OOM };

static enum charge_next after_reclaim(uint32_t gfp, uint64_t nr,
                                      uint64_t reclaimed, bool *drained,
                                      int *retries)
{
    if (!*drained) {
        *drained = true; /* drain_all_stock(): nothing cached here */
        return CHARGE_RETRY;
    }
    if (gfp & MM_GFP_NORETRY)
        return CHARGE_NOMEM;
    if (reclaimed && nr <= (1u << PAGE_ALLOC_COSTLY_ORDER))
        return CHARGE_RETRY;
    if ((*retries)-- > 0)
        return CHARGE_RETRY;
    return (gfp & MM_GFP_RETRY_MAYFAIL) ? CHARGE_NOMEM : CHARGE_OOM;
}

/**
 * mm__memcg_try_charge() - charge @nr_pages of a new folio to the memcg
 * @sim: the simulator
 * @nr_pages: pages of the folio (a power of two)
 * @gfp: the allocation's gfp mask; only its reclaim bits matter
 *
 * Over the limit: a "max" event and memcg reclaim per attempt, retried as
 * the kernel retries (once after draining the stock, while reclaim makes
 * progress for small charges, MAX_RECLAIM_RETRIES times more), then the
 * memcg OOM killer; after a kill, as many retries again. Reclaim's own
 * allocations (PF_MEMALLOC) are charged over the limit.
 * Return: 0 (charged, or no memcg configured), MM_ENOMEM when the charge
 * cannot fit: the caller frees the folio and the fault fails.
 * Kernel: mm/memcontrol.c try_charge_memcg(), mem_cgroup_oom().
 */
int mm__memcg_try_charge(struct mm_sim *sim, uint64_t nr_pages, uint32_t gfp)
{
    struct mm_memcg *memcg = &sim->memcg;
    int retries = MM_MAX_RECLAIM_RETRIES;
    bool drained = false, passed_oom = false;
    if (!memcg->max)
        return 0;
    gfp &= GFP_RECLAIM_MASK;
    while (!charge_fits(memcg, nr_pages) && !sim->in_reclaim) {
        if (!(gfp & MM_GFP_DIRECT_RECLAIM))
            return MM_ENOMEM;
        memcg->events_max++;
        uint64_t got = memcg_reclaim(sim, nr_pages);
        if (charge_fits(memcg, nr_pages))
            break;
        enum charge_next next = after_reclaim(gfp, nr_pages, got, &drained,
                                              &retries);
        if (next == CHARGE_NOMEM ||
            (next == CHARGE_OOM && passed_oom && sim->current &&
             sim->current->oom_killed))
            return MM_ENOMEM;
        if (next == CHARGE_OOM) {
            if (!memcg_oom(sim, gfp, nr_pages))
                return MM_ENOMEM;
            passed_oom = true;
            retries = MM_MAX_RECLAIM_RETRIES;
        }
    }
    commit_charge(memcg, nr_pages);
    return 0;
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
