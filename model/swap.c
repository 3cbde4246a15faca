/*
 * swap.c - the LRU lists: where a folio goes when it is allocated, when it
 * is used again, and the per-node cost record that steers reclaim between
 * anonymous and file pages.
 *
 * Mechanism: every folio the fault path allocates is added to the inactive
 * list of its type (anon: anonymous and shmem, which are swap backed; file:
 * page cache) on its node, at the head. Reclaim (model/vmscan.c) takes
 * folios from the tail. folio_mark_accessed() is the two-step promotion
 * of an access the kernel sees without a page table (first access marks
 * PG_referenced, the second activates); folio_activate() moves a folio to
 * the active list. lru_note_cost() records the I/O reclaim caused per type,
 * halving both records when they exceed a quarter of the LRU pages.
 *
 * Callers: model/memory.c (allocation, release), model/vmscan.c.
 *
 * Kernel: mm/swap.c folio_add_lru(), lru_add_fn(), folio_mark_accessed(),
 * folio_activate(), lru_note_cost(); include/linux/mm_inline.h
 * lruvec_add_folio(), lruvec_del_folio(), folio_lru_list(),
 * folio_is_file_lru(). 6.1, classic two-list LRU (MGLRU is off by default
 * on Debian 6.1).
 *
 * Simplified: no per-CPU folio batches (lru_add_drain), so a folio is on its
 * list as soon as it is added; no memory cgroups (one lruvec per node);
 * pages of VM_LOCKED mappings are moved to the unevictable list when
 * reclaim meets them (as for pages mlocked after the fault) rather than at
 * the fault, and munlock does not move them back.
 */
#include "internal.h"

static uint64_t folio_pages(const struct mm_folio *folio)
{
    return 1ull << folio->order;
}

/**
 * mm__folio_is_file_lru() - whether @folio belongs on the file lists
 * @folio: the folio
 *
 * Shmem pages are swap backed and live on the anon lists.
 * Kernel: include/linux/mm_inline.h folio_is_file_lru().
 * Return: true for page-cache folios of regular files.
 */
bool mm__folio_is_file_lru(const struct mm_folio *folio)
{
    return folio->kind == MM_FOLIO_FILE;
}

static int folio_nid(const struct mm_sim *sim, const struct mm_folio *folio)
{
    return mm__pfn_to_nid(sim, folio->pfn);
}

/**
 * mm__folio_lruvec() - the lruvec @folio belongs to (its node's)
 * @sim: the simulator
 * @folio: the folio
 *
 * Kernel: include/linux/memcontrol.h folio_lruvec() without memcg.
 * Return: the node's lruvec.
 */
struct mm_lruvec *mm__folio_lruvec(struct mm_sim *sim,
                                   const struct mm_folio *folio)
{
    return &sim->nodes[folio_nid(sim, folio)].lruvec;
}

/* update_lru_size(): the node and zone counters of list @lru. */
static void update_lru_size(struct mm_sim *sim, const struct mm_folio *folio,
                            enum mm_lru_list lru, int64_t nr)
{
    struct mm_zone *zone = mm__pfn_zone(sim, folio->pfn);
    mm__mod_node_page_state(&sim->nodes[zone->nid],
                            (enum mm_node_stat_item)(MM_NR_INACTIVE_ANON + lru), nr);
    mm__mod_zone_page_state(
        zone, (enum mm_zone_stat_item)(MM_NR_ZONE_INACTIVE_ANON + lru), nr);
}

/**
 * mm__lruvec_add_folio() - put @folio on list @lru of its node
 * @sim: the simulator
 * @folio: a folio on no list
 * @lru: the list
 * @tail: add at the tail (next to be reclaimed) instead of the head
 *
 * Kernel: include/linux/mm_inline.h lruvec_add_folio(),
 * lruvec_add_folio_tail().
 */
void mm__lruvec_add_folio(struct mm_sim *sim, struct mm_folio *folio,
                          enum mm_lru_list lru, bool tail)
{
    struct mm_lru_head *h = &mm__folio_lruvec(sim, folio)->lists[lru];
    folio->lru = (uint8_t)lru;
    if (tail) {
        folio->lru_next = NULL;
        folio->lru_prev = h->tail;
        if (h->tail)
            h->tail->lru_next = folio;
        else
            h->head = folio;
        h->tail = folio;
    } else {
        folio->lru_prev = NULL;
        folio->lru_next = h->head;
        if (h->head)
            h->head->lru_prev = folio;
        else
            h->tail = folio;
        h->head = folio;
    }
    update_lru_size(sim, folio, lru, (int64_t)folio_pages(folio));
}

/**
 * mm__lruvec_del_folio() - take @folio off its list (no-op when on none)
 * @sim: the simulator
 * @folio: the folio
 *
 * Kernel: include/linux/mm_inline.h lruvec_del_folio().
 */
void mm__lruvec_del_folio(struct mm_sim *sim, struct mm_folio *folio)
{
    if (folio->lru == MM_LRU_NONE)
        return;
    struct mm_lru_head *h = &mm__folio_lruvec(sim, folio)->lists[folio->lru];
    if (folio->lru_prev)
        folio->lru_prev->lru_next = folio->lru_next;
    else
        h->head = folio->lru_next;
    if (folio->lru_next)
        folio->lru_next->lru_prev = folio->lru_prev;
    else
        h->tail = folio->lru_prev;
    update_lru_size(sim, folio, (enum mm_lru_list)folio->lru,
                    -(int64_t)folio_pages(folio));
    folio->lru = MM_LRU_NONE;
    folio->lru_prev = folio->lru_next = NULL;
}

/**
 * mm__folio_add_lru() - a new folio joins the inactive list of its type
 * @sim: the simulator
 * @folio: a newly allocated folio
 *
 * Kernel: mm/swap.c folio_add_lru() -> lru_add_fn() (6.1: new anon and
 * file folios start inactive).
 */
void mm__folio_add_lru(struct mm_sim *sim, struct mm_folio *folio)
{
    folio->pgflags &= (uint8_t)~(MM_PG_ACTIVE | MM_PG_REFERENCED);
    mm__lruvec_add_folio(sim, folio, mm__folio_is_file_lru(folio)
                                         ? MM_LRU_INACTIVE_FILE
                                         : MM_LRU_INACTIVE_ANON, false);
}

/**
 * mm__folio_activate() - move an inactive folio to the head of its active list
 * @sim: the simulator
 * @folio: the folio
 *
 * Counts pgactivate. Unevictable folios and folios on no list stay.
 * Kernel: mm/swap.c folio_activate() -> folio_activate_fn().
 */
void mm__folio_activate(struct mm_sim *sim, struct mm_folio *folio)
{
    if (folio->lru == MM_LRU_NONE || folio->lru == MM_LRU_UNEVICTABLE ||
        (folio->lru & MM_LRU_ACTIVE))
        return;
    enum mm_lru_list lru = (enum mm_lru_list)(folio->lru | MM_LRU_ACTIVE);
    mm__lruvec_del_folio(sim, folio);
    folio->pgflags |= MM_PG_ACTIVE;
    mm__lruvec_add_folio(sim, folio, lru, false);
    sim->vm_events[MM_PGACTIVATE] += folio_pages(folio);
}

/**
 * mm__folio_mark_accessed() - an access seen without a page table
 * @sim: the simulator
 * @folio: the folio
 *
 * inactive,unreferenced -> inactive,referenced -> active,unreferenced ->
 * active,referenced.
 * Kernel: mm/swap.c folio_mark_accessed() (classic LRU).
 */
void mm__folio_mark_accessed(struct mm_sim *sim, struct mm_folio *folio)
{
    if (!(folio->pgflags & MM_PG_REFERENCED)) {
        folio->pgflags |= MM_PG_REFERENCED;
    } else if (folio->lru != MM_LRU_UNEVICTABLE &&
               !(folio->pgflags & MM_PG_ACTIVE)) {
        mm__folio_activate(sim, folio);
        folio->pgflags &= (uint8_t)~MM_PG_REFERENCED;
        mm__workingset_age_nonresident(sim, folio_nid(sim, folio),
                                       folio_pages(folio)); /* activation */
    }
}

/**
 * mm__lruvec_size() - pages on list @lru of node @nid
 * @sim: the simulator
 * @nid: the node
 * @lru: the list
 *
 * Kernel: mm/vmscan.c lruvec_lru_size() with every zone eligible.
 * Return: pages.
 */
uint64_t mm__lruvec_size(const struct mm_sim *sim, int nid,
                         enum mm_lru_list lru)
{
    return mm__node_page_state(&sim->nodes[nid],
                               (enum mm_node_stat_item)(MM_NR_INACTIVE_ANON + lru));
}

/**
 * mm__lru_note_cost() - record reclaim I/O of one type on node @nid
 * @sim: the simulator
 * @nid: the node
 * @file: file (true) or anon (false)
 * @pages: pages written (swap out, writeback) or refaulted
 *
 * Both records halve once their sum exceeds a quarter of the node's
 * evictable LRU pages, so recent events weigh more.
 * Kernel: mm/swap.c lru_note_cost() (6.1).
 */
void mm__lru_note_cost(struct mm_sim *sim, int nid, bool file, uint64_t pages)
{
    struct mm_lruvec *lv = &sim->nodes[nid].lruvec;
    if (file)
        lv->file_cost += pages;
    else
        lv->anon_cost += pages;
    uint64_t lrusize = 0;
    for (int lru = 0; lru < MM_LRU_UNEVICTABLE; lru++)
        lrusize += mm__lruvec_size(sim, nid, (enum mm_lru_list)lru);
    if (lv->file_cost + lv->anon_cost > lrusize / 4) {
        lv->file_cost /= 2;
        lv->anon_cost /= 2;
    }
}
