/*
 * vmscan.c - page reclaim: how much of each LRU list a pass scans
 * (get_scan_count with vm.swappiness), the per-node loop over the lists
 * (shrink_lruvec, shrink_node) and direct reclaim (try_to_free_pages).
 *
 * Mechanism: a pass has a priority from 12 (DEF_PRIORITY) down to 0; at
 * priority p each evictable list is scanned by size >> p pages, split
 * between anon and file by get_scan_count(): file only without free swap,
 * both equally at priority 0, anon only when file + free pages are below
 * the high watermarks (file_is_tiny: why swappiness 0 still swaps on the
 * classic LRU), file only while the inactive file list is large and not
 * thrashing (cache_trim_mode), else in the proportion swappiness : 200 -
 * swappiness weighted by the recent I/O cost of each type. Lists are then
 * scanned 32 pages at a time, and once the target is met the smaller side
 * stops and the larger keeps its original proportion. The active anon list
 * is aged whenever its inactive list is low (inactive_is_low: inactive *
 * int_sqrt(10 * GiB) < active). Direct reclaim asks for 32 pages
 * (SWAP_CLUSTER_MAX) and lowers the priority until it has them.
 *
 * Callers: model/page_alloc.c (__alloc_pages_slowpath: direct reclaim,
 * should_reclaim_retry), model/vmscan_kswapd.c. The list operations are in
 * model/vmscan_lru.c.
 *
 * Kernel: mm/vmscan.c get_scan_count(), prepare_scan_count() (6.1: inline
 * in shrink_node), inactive_is_low(), shrink_list(), shrink_lruvec(),
 * shrink_node(), shrink_zones(), do_try_to_free_pages(),
 * try_to_free_pages(), zone_reclaimable_pages(). 6.1 classic LRU.
 *
 * Simplified: no memory cgroups (one lruvec per node, memcg protection and
 * memcg swappiness do not apply), no slab shrinkers, no compaction, no
 * writeback throttling or congestion waits, no direct-reclaim throttling
 * (throttle_direct_reclaim); every zone is eligible (user pages reclaim
 * for ZONE_MOVABLE), so isolation never skips folios of higher zones.
 */
#include "internal.h"

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };
#define DEACTIVATE_ANON 1u
#define DEACTIVATE_FILE 2u

/**
 * mm__inactive_is_low() - whether an inactive list is small for its active
 * @sim: the simulator
 * @nid: the node
 * @inactive_lru: MM_LRU_INACTIVE_ANON or MM_LRU_INACTIVE_FILE
 *
 * Kernel: mm/vmscan.c inactive_is_low(): gb = (inactive + active) in GiB,
 * ratio = gb ? int_sqrt(10 * gb) : 1, low if inactive * ratio < active.
 * Return: true when the active list should be aged.
 */
bool mm__inactive_is_low(const struct mm_sim *sim, int nid,
                         enum mm_lru_list inactive_lru)
{
    uint64_t inactive = mm__lruvec_size(sim, nid, inactive_lru);
    uint64_t active = mm__lruvec_size(sim, nid, inactive_lru + MM_LRU_ACTIVE);
    uint64_t gb = (inactive + active) >> (30 - MM_PAGE_SHIFT);
    uint64_t ratio = gb ? mm__int_sqrt(10 * gb) : 1;
    return inactive * ratio < active;
}

/* can_reclaim_anon_pages() for global reclaim: free swap exists. */
static bool can_reclaim_anon(const struct mm_sim *sim)
{
    return mm__nr_swap_pages(sim) > 0;
}

/* The part of shrink_node() before the lists (6.1 prepare_scan_count). */
static void prepare_scan_count(struct mm_sim *sim, int nid,
                               struct mm_scan_control *sc)
{
    struct mm_pgdat *pgdat = &sim->nodes[nid];
    sc->anon_cost = pgdat->lruvec.anon_cost;
    sc->file_cost = pgdat->lruvec.file_cost;
    sc->may_deactivate = 0;
    /* a new working set is being established: deactivate the old one */
    if (sc->force_deactivate || pgdat->lruvec.refaults[0] !=
        mm__node_page_state(pgdat, MM_WORKINGSET_ACTIVATE_ANON) ||
        mm__inactive_is_low(sim, nid, MM_LRU_INACTIVE_ANON))
        sc->may_deactivate |= DEACTIVATE_ANON;
    if (sc->force_deactivate || pgdat->lruvec.refaults[1] !=
        mm__node_page_state(pgdat, MM_WORKINGSET_ACTIVATE_FILE) ||
        mm__inactive_is_low(sim, nid, MM_LRU_INACTIVE_FILE))
        sc->may_deactivate |= DEACTIVATE_FILE;
    uint64_t file = mm__lruvec_size(sim, nid, MM_LRU_INACTIVE_FILE);
    sc->cache_trim_mode = (file >> sc->priority) &&
                          !(sc->may_deactivate & DEACTIVATE_FILE);
    uint64_t free = 0, high = 0;
    for (int z = 0; z < MM_NR_ZONES; z++) {
        const struct mm_zone *zone = &pgdat->zones[z];
        free += mm__zone_page_state(zone, MM_NR_FREE_PAGES);
        if (zone->managed)
            high += mm__wmark_pages(zone, MM_WMARK_HIGH);
    }
    file += mm__lruvec_size(sim, nid, MM_LRU_ACTIVE_FILE);
    uint64_t anon = mm__lruvec_size(sim, nid, MM_LRU_INACTIVE_ANON);
    sc->file_is_tiny = !sc->memcg && file + free <= high &&
                       !(sc->may_deactivate & DEACTIVATE_ANON) &&
                       (anon >> sc->priority);
}

static enum scan_balance scan_balance(const struct mm_sim *sim,
                                      const struct mm_scan_control *sc)
{
    if (!sc->may_swap || !can_reclaim_anon(sim))
        return SCAN_FILE;
    if (sc->memcg && !sim->vm.swappiness)
        return SCAN_FILE;
    if (!sc->priority && sim->vm.swappiness)
        return SCAN_EQUAL;
    if (sc->file_is_tiny)
        return SCAN_ANON;
    if (sc->cache_trim_mode)
        return SCAN_FILE;
    return SCAN_FRACT;
}

/**
 * mm__get_scan_count() - pages to scan on each evictable list of @nid
 * @sim: the simulator
 * @nid: the node
 * @sc: the pass (priority, may_swap, and what prepare_scan_count() set)
 * @nr: set per list (enum mm_lru_list, the four evictable ones)
 *
 * Kernel: mm/vmscan.c get_scan_count() (6.1) for global reclaim: SCAN_FRACT
 * divides truncating (the root memcg is online).
 */
void mm__get_scan_count(struct mm_sim *sim, int nid,
                        const struct mm_scan_control *sc, uint64_t nr[4])
{
    enum scan_balance balance = scan_balance(sim, sc);
    uint64_t swappiness = (uint64_t)sim->vm.swappiness;
    uint64_t fraction[2] = {0, 0}, denominator = 1;
    if (balance == SCAN_FRACT) {
        uint64_t total = sc->anon_cost + sc->file_cost;
        uint64_t anon_cost = total + sc->anon_cost;
        uint64_t file_cost = total + sc->file_cost;
        total = anon_cost + file_cost;
        fraction[0] = swappiness * (total + 1) / (anon_cost + 1);
        fraction[1] = (200 - swappiness) * (total + 1) / (file_cost + 1);
        denominator = fraction[0] + fraction[1];
    }
    for (int lru = 0; lru < MM_LRU_UNEVICTABLE; lru++) {
        bool file = lru & MM_LRU_FILE;
        uint64_t scan = mm__lruvec_size(sim, nid, (enum mm_lru_list)lru) >>
                        sc->priority;
        if (balance == SCAN_FRACT)
            scan = denominator ? scan * fraction[file] / denominator : 0;
        else if ((balance == SCAN_FILE && !file) ||
                 (balance == SCAN_ANON && file))
            scan = 0;
        nr[lru] = scan;
    }
}

/* shrink_list(): active lists are aged, inactive ones reclaimed. */
static uint64_t shrink_list(struct mm_sim *sim, int nid, enum mm_lru_list lru,
                            uint64_t nr_to_scan, struct mm_scan_control *sc)
{
    if (lru & MM_LRU_ACTIVE) {
        unsigned bit = (lru & MM_LRU_FILE) ? DEACTIVATE_FILE : DEACTIVATE_ANON;
        if (sc->may_deactivate & bit)
            mm__shrink_active_list(sim, nid, nr_to_scan, sc, lru);
        else
            sc->skipped_deactivate = true;
        return 0;
    }
    return mm__shrink_inactive_list(sim, nid, nr_to_scan, sc, lru);
}

/* After the target is met: stop the smaller side, scale the larger. */
static void scan_adjust(uint64_t nr[4], const uint64_t targets[4])
{
    uint64_t nr_file = nr[MM_LRU_INACTIVE_FILE] + nr[MM_LRU_ACTIVE_FILE];
    uint64_t nr_anon = nr[MM_LRU_INACTIVE_ANON] + nr[MM_LRU_ACTIVE_ANON];
    int small, big;
    uint64_t percentage;
    if (nr_file > nr_anon) {
        small = MM_LRU_INACTIVE_ANON;
        percentage = nr_anon * 100 / (targets[0] + targets[1] + 1);
    } else {
        small = MM_LRU_INACTIVE_FILE;
        percentage = nr_file * 100 / (targets[2] + targets[3] + 1);
    }
    nr[small] = nr[small + MM_LRU_ACTIVE] = 0;
    big = small == MM_LRU_INACTIVE_FILE ? MM_LRU_INACTIVE_ANON
                                        : MM_LRU_INACTIVE_FILE;
    for (int lru = big; lru <= big + MM_LRU_ACTIVE; lru++) {
        uint64_t scanned = targets[lru] - nr[lru];
        nr[lru] = targets[lru] * (100 - percentage) / 100;
        nr[lru] -= nr[lru] < scanned ? nr[lru] : scanned;
    }
}

/* shrink_lruvec(): scan the lists in 32-page steps toward get_scan_count(). */
static void shrink_lruvec(struct mm_sim *sim, int nid,
                          struct mm_scan_control *sc)
{
    uint64_t nr[4], targets[4], reclaimed = 0;
    mm__get_scan_count(sim, nid, sc, nr);
    memcpy(targets, nr, sizeof(nr));
    bool adjusted = !sc->kswapd && sc->priority == MM_DEF_PRIORITY;
    while (nr[MM_LRU_INACTIVE_ANON] || nr[MM_LRU_ACTIVE_FILE] ||
           nr[MM_LRU_INACTIVE_FILE]) {
        for (int lru = 0; lru < MM_LRU_UNEVICTABLE; lru++) {
            if (!nr[lru])
                continue;
            uint64_t n = nr[lru] < MM_SWAP_CLUSTER_MAX ? nr[lru]
                                                       : MM_SWAP_CLUSTER_MAX;
            nr[lru] -= n;
            reclaimed += shrink_list(sim, nid, (enum mm_lru_list)lru, n, sc);
        }
        if (reclaimed < sc->nr_to_reclaim || adjusted)
            continue;
        if (!(nr[0] + nr[1]) || !(nr[2] + nr[3]))
            break;
        scan_adjust(nr, targets);
        adjusted = true;
    }
    sc->nr_reclaimed += reclaimed;
    if (can_reclaim_anon(sim) &&
        mm__inactive_is_low(sim, nid, MM_LRU_INACTIVE_ANON))
        mm__shrink_active_list(sim, nid, MM_SWAP_CLUSTER_MAX, sc,
                               MM_LRU_ACTIVE_ANON);
}

/**
 * mm__shrink_node() - one reclaim round on node @nid at sc->priority
 * @sim: the simulator
 * @nid: the node
 * @sc: the pass
 *
 * A round that reclaims anything makes the node hopeful again for kswapd.
 * Kernel: mm/vmscan.c shrink_node() (6.1, without memcg iteration and
 * slab shrinking).
 */
void mm__shrink_node(struct mm_sim *sim, int nid, struct mm_scan_control *sc)
{
    uint64_t before = sc->nr_reclaimed;
    prepare_scan_count(sim, nid, sc);
    shrink_lruvec(sim, nid, sc);
    if (sc->nr_reclaimed > before)
        sim->nodes[nid].kswapd.failures = 0;
}

/* do_try_to_free_pages() on the nodes of @nid's zonelist (those of the
 * allocation's nodemask: shrink_zones()), once each. */
static uint64_t do_try_to_free_pages(struct mm_sim *sim, int nid,
                                     struct mm_scan_control *sc)
{
    if (!sc->memcg)
        sim->vm_events[MM_ALLOCSTALL_DMA + sc->reclaim_idx]++;
    for (;;) {
        do {
            uint64_t done = 0;
            for (struct mm_zone **z = sim->nodes[nid].zonelist; *z; z++) {
                if ((*z)->idx > sc->reclaim_idx || !(*z)->managed ||
                    (done >> (*z)->nid & 1u) ||
                    (sc->nodemask && !(sc->nodemask >> (*z)->nid & 1u)))
                    continue;
                done |= 1ull << (*z)->nid;
                mm__shrink_node(sim, (*z)->nid, sc);
            }
            if (sc->nr_reclaimed >= sc->nr_to_reclaim)
                return sc->nr_reclaimed;
        } while (--sc->priority >= 0);
        if (sc->nr_reclaimed || !sc->skipped_deactivate)
            return sc->nr_reclaimed;
        sc->priority = MM_DEF_PRIORITY;
        sc->force_deactivate = true;
        sc->skipped_deactivate = false;
    }
}

/**
 * mm__try_to_free_pages() - direct reclaim for an allocation that failed at min
 * @sim: the simulator
 * @nid: the node whose zonelist the allocation walks
 * @highest_zoneidx: the allocation's gfp_zone() (allocstall_<zone> counts it)
 * @nodemask: the allocation's allowed nodes (MPOL_BIND's mask)
 *
 * Reclaims SWAP_CLUSTER_MAX pages, lowering the priority from 12 to 0
 * until it has them; if nothing came back and an active list was left
 * unaged, it starts over forcing deactivation.
 * Kernel: mm/vmscan.c try_to_free_pages() -> do_try_to_free_pages().
 * Return: pages reclaimed (the allocation's "progress").
 */
uint64_t mm__try_to_free_pages(struct mm_sim *sim, int nid,
                               enum mm_zone_type highest_zoneidx,
                               uint64_t nodemask)
{
    struct mm_scan_control sc = {
        .nr_to_reclaim = MM_SWAP_CLUSTER_MAX,
        .reclaim_idx = highest_zoneidx,
        .priority = MM_DEF_PRIORITY,
        .may_swap = true,
        .nodemask = nodemask,
    };
    sim->in_reclaim = true;
    uint64_t got = do_try_to_free_pages(sim, nid, &sc), done = 0;
    sim->in_reclaim = false;
    for (struct mm_zone **z = sim->nodes[nid].zonelist; *z; z++)
        if ((*z)->idx <= sc.reclaim_idx && !(done >> (*z)->nid & 1u)) {
            done |= 1ull << (*z)->nid;
            mm__snapshot_refaults(sim, (*z)->nid);
        }
    return got;
}

/**
 * mm__zone_reclaimable_pages() - pages of @zone reclaim could still free
 * @sim: the simulator
 * @zone: the zone
 *
 * File LRU pages, plus anon LRU pages while swap has room.
 * Kernel: mm/vmscan.c zone_reclaimable_pages().
 * Return: pages.
 */
uint64_t mm__zone_reclaimable_pages(const struct mm_sim *sim,
                                    const struct mm_zone *zone)
{
    uint64_t nr = mm__zone_page_state(zone, MM_NR_ZONE_INACTIVE_FILE) +
                  mm__zone_page_state(zone, MM_NR_ZONE_ACTIVE_FILE);
    if (can_reclaim_anon(sim))
        nr += mm__zone_page_state(zone, MM_NR_ZONE_INACTIVE_ANON) +
              mm__zone_page_state(zone, MM_NR_ZONE_ACTIVE_ANON);
    return nr;
}

/**
 * mm__try_to_free_mem_cgroup_pages() - reclaim for a charge over memory.max
 * @sim: the simulator
 * @nr_pages: the charge
 * @may_swap: anonymous pages may be swapped
 *
 * The memory cgroup holds every task of the model, so its LRU is the
 * nodes' LRU. Cgroup reclaim counts no allocstall and no
 * pgscan/pgsteal_{kswapd,direct} (those are the memcg's own events), and
 * with swappiness 0 it never swaps.
 * Kernel: mm/vmscan.c try_to_free_mem_cgroup_pages().
 * Return: pages reclaimed.
 */
uint64_t mm__try_to_free_mem_cgroup_pages(struct mm_sim *sim, uint64_t nr_pages,
                                          bool may_swap)
{
    struct mm_scan_control sc = {
        .nr_to_reclaim = nr_pages > MM_SWAP_CLUSTER_MAX ? nr_pages
                                                        : MM_SWAP_CLUSTER_MAX,
        .reclaim_idx = MM_NR_ZONES - 1,
        .priority = MM_DEF_PRIORITY,
        .may_swap = may_swap,
        .memcg = true,
    };
    sim->in_reclaim = true;
    uint64_t got = do_try_to_free_pages(sim, 0, &sc);
    sim->in_reclaim = false;
    return got;
}
