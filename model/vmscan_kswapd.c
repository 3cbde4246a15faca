/*
 * vmscan_kswapd.c - kswapd, the per-node background reclaimer, on the
 * trace's clock.
 *
 * Mechanism: an allocation that fails the low watermark in the fast path
 * wakes the kswapd of every node in its zonelist (wakeup_kswapd), which
 * records the largest order and zone class asked for; a node that is
 * already balanced, or hopeless (16 runs in a row reclaimed nothing), is
 * not woken. An awake kswapd reclaims in rounds of priority 12 down to 1,
 * each asking for the sum over the eligible zones of max(high watermark,
 * 32) pages, aging the anon active list first when its inactive list is
 * low, until the node is balanced: some zone up to the requested class
 * passes its high watermark with that class's lowmem_reserve
 * (pgdat_balanced). Then it sleeps and the watermark boosts go.
 *
 * Time: the model has no threads. kswapd runs when the trace's clock
 * advances (mm_sim_set_time), and may reclaim at most machine.kswapd_rate
 * pages per second of trace time (default 262144 pages/s, 1 GiB/s); credit
 * for time it slept is not kept. An allocation burst faster than that rate
 * outruns kswapd and the allocations fall to the min watermark and reclaim
 * directly, as they do on a real machine when kswapd cannot keep up. With a
 * clock that never advances (direct model calls), kswapd never runs and all
 * reclaim is direct.
 *
 * Callers: model/page_alloc.c (wake_all_kswapds), the replay through
 * mm_sim_set_time(). Kernel: mm/vmscan.c wakeup_kswapd(),
 * pgdat_balanced(), balance_pgdat(), kswapd_shrink_node(),
 * kswapd_age_node(), kswapd_try_to_sleep(); mm/page_alloc.c
 * wake_all_kswapds(). 6.1.
 *
 * Simplified: orders above 0 are not reclaimed for specially (no
 * compaction, no order drop after compact_gap); the boost is treated as
 * part of the high watermark and cleared when the node is balanced (the
 * kernel reclaims it first with writeback and swap disabled); no
 * kswapd_*_wmark_hit_quickly counters (no nap).
 */
#include "internal.h"

#define NSEC_PER_SEC 1000000000ull
#define MAX_CREDIT_PAGES (1ull << 30) /* credit beyond this is not kept */

/**
 * mm__pgdat_balanced() - whether node @nid needs no more reclaim
 * @sim: the simulator
 * @nid: the node
 * @order: the order kswapd was woken for
 * @highest_zoneidx: the zone class it was woken for
 *
 * Kernel: mm/vmscan.c pgdat_balanced(): any managed zone up to
 * @highest_zoneidx passing its high watermark with classzone
 * @highest_zoneidx; a node without such a zone is balanced.
 * Return: true when balanced.
 */
bool mm__pgdat_balanced(const struct mm_sim *sim, int nid, unsigned order,
                        enum mm_zone_type highest_zoneidx)
{
    bool any = false;
    for (int z = 0; z <= (int)highest_zoneidx && z < MM_NR_ZONES; z++) {
        const struct mm_zone *zone = &sim->nodes[nid].zones[z];
        if (!zone->managed)
            continue;
        any = true;
        if (mm__zone_watermark_ok(zone, order,
                                  mm__wmark_pages(zone, MM_WMARK_HIGH),
                                  highest_zoneidx, 0))
            return true;
    }
    return !any;
}

static bool node_boosted(const struct mm_sim *sim, int nid)
{
    for (int z = 0; z < MM_NR_ZONES; z++)
        if (sim->nodes[nid].zones[z].watermark_boost)
            return true;
    return false;
}

/**
 * mm__wakeup_kswapd() - an allocation found @zone's node short of free pages
 * @sim: the simulator
 * @zone: a zone of the allocation's zonelist
 * @order: the allocation order
 * @highest_zoneidx: its gfp_zone()
 *
 * Kernel: mm/vmscan.c wakeup_kswapd().
 */
void mm__wakeup_kswapd(struct mm_sim *sim, struct mm_zone *zone,
                       unsigned order, enum mm_zone_type highest_zoneidx)
{
    if (!zone->managed)
        return;
    struct mm_kswapd *k = &sim->nodes[zone->nid].kswapd;
    if (k->awake) {
        if (k->highest_zoneidx < highest_zoneidx)
            k->highest_zoneidx = highest_zoneidx;
        if (k->order < order)
            k->order = order;
        return;
    }
    if (k->failures >= MM_MAX_RECLAIM_RETRIES ||
        (mm__pgdat_balanced(sim, zone->nid, order, highest_zoneidx) &&
         !node_boosted(sim, zone->nid)))
        return;
    *k = (struct mm_kswapd){.awake = true, .order = order,
                           .highest_zoneidx = highest_zoneidx,
                           .failures = k->failures, .last_ns = sim->now_ns};
}

/* kswapd_shrink_node(): one round asking for max(high, 32) per zone. */
static bool kswapd_shrink_node(struct mm_sim *sim, int nid,
                               struct mm_scan_control *sc, uint64_t budget)
{
    uint64_t want = 0;
    for (int z = 0; z <= (int)sc->reclaim_idx; z++) {
        const struct mm_zone *zone = &sim->nodes[nid].zones[z];
        uint64_t high = mm__wmark_pages(zone, MM_WMARK_HIGH);
        if (zone->managed)
            want += high > MM_SWAP_CLUSTER_MAX ? high : MM_SWAP_CLUSTER_MAX;
    }
    sc->nr_to_reclaim = want < budget ? want : budget;
    sc->nr_scanned = 0;
    mm__shrink_node(sim, nid, sc);
    return sc->nr_scanned >= sc->nr_to_reclaim;
}

static void kswapd_sleep(struct mm_sim *sim, int nid)
{
    struct mm_kswapd *k = &sim->nodes[nid].kswapd;
    k->awake = false;
    k->in_sweep = false;
    k->credit = 0;
    for (int z = 0; z < MM_NR_ZONES; z++)
        sim->nodes[nid].zones[z].watermark_boost = 0;
}

enum balance_result { BALANCED, SWEPT, OUT_OF_CREDIT };

/* balance_pgdat(): priority 12 down to 1, with at most @budget pages. */
static enum balance_result balance_pgdat(struct mm_sim *sim, int nid,
                                         uint64_t budget, uint64_t *reclaimed)
{
    struct mm_kswapd *k = &sim->nodes[nid].kswapd;
    struct mm_scan_control sc = {.reclaim_idx = k->highest_zoneidx,
                                 .priority = MM_DEF_PRIORITY,
                                 .kswapd = true, .may_swap = true};
    enum balance_result res = SWEPT;
    do {
        if (mm__pgdat_balanced(sim, nid, k->order, k->highest_zoneidx)) {
            res = BALANCED;
            break;
        }
        if (sc.nr_reclaimed >= budget) {
            res = OUT_OF_CREDIT;
            break;
        }
        if (mm__nr_swap_pages(sim) &&
            mm__inactive_is_low(sim, nid, MM_LRU_INACTIVE_ANON))
            mm__shrink_active_list(sim, nid, MM_SWAP_CLUSTER_MAX, &sc,
                                   MM_LRU_ACTIVE_ANON);
        uint64_t before = sc.nr_reclaimed;
        bool raise = !kswapd_shrink_node(sim, nid, &sc,
                                         budget - sc.nr_reclaimed);
        if (raise || sc.nr_reclaimed == before)
            sc.priority--;
    } while (sc.priority >= 1);
    *reclaimed = sc.nr_reclaimed;
    if (res == SWEPT && !sc.nr_reclaimed)
        k->failures++;
    if (res != OUT_OF_CREDIT)
        mm__snapshot_refaults(sim, nid);
    return res;
}

/*
 * Run node @nid's kswapd for the trace time since it last ran: sweeps of
 * balance_pgdat() (each counted in pageoutrun) until the node is balanced,
 * hopeless, or the credit is spent; an unfinished sweep restarts at
 * priority 12 when more time has passed.
 */
static void kswapd_advance(struct mm_sim *sim, int nid)
{
    struct mm_kswapd *k = &sim->nodes[nid].kswapd;
    uint64_t dt = sim->now_ns - k->last_ns, reclaimed;
    k->last_ns = sim->now_ns;
    if (dt > NSEC_PER_SEC * 1000)
        dt = NSEC_PER_SEC * 1000;
    k->credit += dt * sim->kswapd_rate;
    if (k->credit > MAX_CREDIT_PAGES * NSEC_PER_SEC)
        k->credit = MAX_CREDIT_PAGES * NSEC_PER_SEC;
    sim->in_reclaim = true;
    while (k->credit / NSEC_PER_SEC >= MM_SWAP_CLUSTER_MAX) {
        uint64_t budget = k->credit / NSEC_PER_SEC;
        if (!k->in_sweep)
            sim->vm_events[MM_PAGEOUTRUN]++;
        enum balance_result res = balance_pgdat(sim, nid, budget, &reclaimed);
        k->credit -= (reclaimed < budget ? reclaimed : budget) * NSEC_PER_SEC;
        k->in_sweep = res == OUT_OF_CREDIT;
        if (res == BALANCED || k->failures >= MM_MAX_RECLAIM_RETRIES) {
            kswapd_sleep(sim, nid);
            break;
        }
        if (res == OUT_OF_CREDIT)
            break;
    }
    sim->in_reclaim = false;
}

/**
 * mm__kswapd_run() - let every awake kswapd work up to sim->now_ns
 * @sim: the simulator
 *
 * Kernel: mm/vmscan.c kswapd() loop, paced by the trace's clock.
 */
void mm__kswapd_run(struct mm_sim *sim)
{
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        if (sim->nodes[n].kswapd.awake)
            kswapd_advance(sim, (int)n);
}

/**
 * mm_sim_set_time() - advance the simulated kernel's clock to @now_ns
 * @sim: the simulator
 * @now_ns: the trace's time of the next event (earlier values are ignored)
 *
 * Awake kswapd threads reclaim for the time that passed (see the file
 * header for the rate).
 */
void mm_sim_set_time(struct mm_sim *sim, uint64_t now_ns)
{
    if (now_ns <= sim->now_ns)
        return;
    sim->now_ns = now_ns;
    mm__kswapd_run(sim);
}

/**
 * mm_reclaim_state() - kswapd and swap figures for reports
 * @sim: the simulator
 * @out: filled in
 */
void mm_reclaim_state(const struct mm_sim *sim, struct mm_reclaim_state *out)
{
    *out = (struct mm_reclaim_state){0};
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        out->kswapd_awake += sim->nodes[n].kswapd.awake;
    out->swap_total = sim->swap.pages;
    out->swap_free = mm__nr_swap_pages(sim);
    out->swap_cached = mm__global_node_page_state(sim, MM_NR_SWAPCACHED);
    const uint64_t *ev = sim->vm_events;
    out->pgscan_kswapd = ev[MM_PGSCAN_KSWAPD];
    out->pgscan_direct = ev[MM_PGSCAN_DIRECT];
    out->pgsteal_kswapd = ev[MM_PGSTEAL_KSWAPD];
    out->pgsteal_direct = ev[MM_PGSTEAL_DIRECT];
    for (int z = 0; z < MM_NR_ZONES; z++)
        out->allocstall += ev[MM_ALLOCSTALL_DMA + z];
    out->pswpin = ev[MM_PSWPIN];
    out->pswpout = ev[MM_PSWPOUT];
    out->pgmajfault = ev[MM_PGMAJFAULT];
}
