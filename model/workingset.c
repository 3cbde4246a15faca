/*
 * workingset.c - refault detection: a page that comes back soon after
 * reclaim evicted it was part of the working set, and goes straight to the
 * active list.
 *
 * Mechanism: each node counts the pages that left memory or were activated
 * (nonresident_age). Evicting a page leaves a shadow entry where the page
 * was (the swap slot for anonymous and shmem pages, the page-cache index
 * for file pages) recording that count and whether the page was in the
 * working set (PG_workingset). When the page is read back, the refault
 * distance (the count now minus the recorded one) is compared with what the
 * working set could have used instead: the active file list, plus the
 * inactive file list for an anonymous page, plus (with free swap) the active
 * anon list, plus the inactive anon list for a file page. A refault within
 * that distance activates the page (workingset_activate_*); one of a page
 * that had been active restores it (workingset_restore_*) and counts as
 * reclaim cost of its type. Every read back counts in workingset_refault_*.
 *
 * Callers: model/vmscan_lru.c (eviction, activations put back),
 * model/swap.c (folio_mark_accessed), model/memory.c and memory_swap.c
 * (refaults). Kernel: mm/workingset.c workingset_eviction(),
 * workingset_refault(), workingset_activation(),
 * workingset_age_nonresident(); mm/vmscan.c snapshot_refaults(). 6.1,
 * classic LRU.
 *
 * Simplified: no memory cgroups; the age is kept exactly (no eviction
 * buckets); shadow entries are never reclaimed (no workingset_nodes, no
 * shadow shrinker): they go when the slot is freed or the file range is
 * truncated.
 */
#include "internal.h"

#define SHADOW_AGE_MASK (MM_SHADOW_WORKINGSET - 1)

/**
 * mm__workingset_age_nonresident() - @nr pages left memory or were activated
 * @sim: the simulator
 * @nid: the node
 * @nr: pages
 *
 * Kernel: mm/workingset.c workingset_age_nonresident().
 */
void mm__workingset_age_nonresident(struct mm_sim *sim, int nid, uint64_t nr)
{
    sim->nodes[nid].lruvec.nonresident_age += nr;
}

/**
 * mm__workingset_eviction() - the shadow entry of a folio being evicted
 * @sim: the simulator
 * @folio: the folio, off the LRU, about to be freed
 *
 * Kernel: mm/workingset.c workingset_eviction().
 * Return: the shadow (MM_SHADOW | MM_SHADOW_WORKINGSET | age).
 */
uint64_t mm__workingset_eviction(struct mm_sim *sim,
                                 const struct mm_folio *folio)
{
    int nid = mm__pfn_to_nid(sim, folio->pfn);
    uint64_t age = sim->nodes[nid].lruvec.nonresident_age & SHADOW_AGE_MASK;
    mm__workingset_age_nonresident(sim, nid, 1ull << folio->order);
    return MM_SHADOW | age |
           ((folio->pgflags & MM_PG_WORKINGSET) ? MM_SHADOW_WORKINGSET : 0);
}

/* What the working set could have used instead of the refaulting page. */
static uint64_t workingset_size(const struct mm_sim *sim, int nid, bool file)
{
    uint64_t size = mm__lruvec_size(sim, nid, MM_LRU_ACTIVE_FILE);
    if (!file)
        size += mm__lruvec_size(sim, nid, MM_LRU_INACTIVE_FILE);
    if (mm__nr_swap_pages(sim)) {
        size += mm__lruvec_size(sim, nid, MM_LRU_ACTIVE_ANON);
        if (file)
            size += mm__lruvec_size(sim, nid, MM_LRU_INACTIVE_ANON);
    }
    return size;
}

/**
 * mm__workingset_refault() - a page evicted with @shadow is read back
 * @sim: the simulator
 * @folio: the new folio (on its inactive list)
 * @shadow: the shadow entry found where it was
 *
 * Kernel: mm/workingset.c workingset_refault() (the folio is moved to the
 * active list here, since the model added it to the LRU already).
 */
void mm__workingset_refault(struct mm_sim *sim, struct mm_folio *folio,
                            uint64_t shadow)
{
    bool file = mm__folio_is_file_lru(folio);
    int nid = mm__pfn_to_nid(sim, folio->pfn);
    struct mm_pgdat *pgdat = &sim->nodes[nid];
    int64_t nr = (int64_t)(1ull << folio->order);
    uint64_t distance = (pgdat->lruvec.nonresident_age -
                         (shadow & SHADOW_AGE_MASK)) & SHADOW_AGE_MASK;
    mm__mod_node_page_state(pgdat, file ? MM_WORKINGSET_REFAULT_FILE
                                        : MM_WORKINGSET_REFAULT_ANON, nr);
    if (distance > workingset_size(sim, nid, file))
        return;
    if (folio->lru != MM_LRU_NONE && !(folio->lru & MM_LRU_ACTIVE)) {
        enum mm_lru_list lru = (enum mm_lru_list)(folio->lru | MM_LRU_ACTIVE);
        mm__lruvec_del_folio(sim, folio);
        folio->pgflags |= MM_PG_ACTIVE;
        mm__lruvec_add_folio(sim, folio, lru, false);
    }
    mm__workingset_age_nonresident(sim, nid, (uint64_t)nr);
    mm__mod_node_page_state(pgdat, file ? MM_WORKINGSET_ACTIVATE_FILE
                                        : MM_WORKINGSET_ACTIVATE_ANON, nr);
    if (!(shadow & MM_SHADOW_WORKINGSET))
        return;
    folio->pgflags |= MM_PG_WORKINGSET;
    mm__lru_note_cost(sim, nid, file, (uint64_t)nr);
    mm__mod_node_page_state(pgdat, file ? MM_WORKINGSET_RESTORE_FILE
                                        : MM_WORKINGSET_RESTORE_ANON, nr);
}

/**
 * mm__snapshot_refaults() - remember the activations seen by this reclaim
 * @sim: the simulator
 * @nid: the node
 *
 * The next reclaim deactivates a list whose refault activations changed
 * since (prepare_scan_count).
 * Kernel: mm/vmscan.c snapshot_refaults().
 */
void mm__snapshot_refaults(struct mm_sim *sim, int nid)
{
    struct mm_pgdat *pgdat = &sim->nodes[nid];
    pgdat->lruvec.refaults[0] =
        mm__node_page_state(pgdat, MM_WORKINGSET_ACTIVATE_ANON);
    pgdat->lruvec.refaults[1] =
        mm__node_page_state(pgdat, MM_WORKINGSET_ACTIVATE_FILE);
}
