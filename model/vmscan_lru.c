/*
 * vmscan_lru.c - reclaim on one LRU list: isolate folios from the tail,
 * decide for each (activate, keep, or reclaim), write what must be written
 * (swap out, file writeback), unmap it and free it; and the aging of the
 * active lists.
 *
 * Mechanism (inactive list): a folio whose PTEs were used since the last
 * look is kept once with PG_referenced set and activated the second time
 * (or at once when several PTEs were young or it is executable file
 * memory); a folio in a VM_LOCKED mapping goes to the unevictable list; an
 * unreferenced anonymous folio gets a swap slot and the swap cache, its
 * PTEs become swap entries, it is written (pswpout) and freed; a lazily
 * freed (MADV_FREE) clean one is simply dropped; a file folio is unmapped,
 * written back first if dirty, and dropped from its page cache; a shmem
 * folio is written to swap and its cache index keeps the slot. Kept folios
 * go back to the head of their list, activated ones to the head of the
 * active list. (Active list): every folio isolated is deactivated to the
 * inactive head except referenced executable file folios, which get one
 * more trip around the active list; its PTEs' accessed bits are cleared
 * either way.
 *
 * Callers: model/vmscan.c. Kernel: mm/vmscan.c isolate_lru_folios(),
 * shrink_inactive_list(), shrink_folio_list(), folio_check_references(),
 * pageout(), __remove_mapping(), move_folios_to_lru(),
 * shrink_active_list(); mm/swap_state.c add_to_swap(); mm/shmem.c
 * shmem_writepage(). 6.1. A large anonymous folio is swapped whole when a
 * run of slots is free, else split (model/huge_memory.c).
 *
 * Simplified: writes complete at once (the kernel's are asynchronous: a
 * folio under writeback is kept and rotated to the tail when the write
 * completes, to be freed by a later scan, so it writes more pages than a
 * pass frees); dirty file folios are written by reclaim itself, not left to
 * the flusher threads; no swap readahead or workingset shadow entries.
 */
#include "internal.h"

enum folio_ref { REF_ACTIVATE, REF_KEEP, REF_RECLAIM, REF_RECLAIM_CLEAN, REF_CULL };
enum verdict { KEEP, ACTIVATE, CULL, FREED };

static uint64_t nr_pages(const struct mm_folio *folio)
{
    return 1ull << folio->order;
}

/* isolate_lru_folios(): up to @nr_to_scan pages from the tail of @lru. */
static unsigned isolate(struct mm_sim *sim, int nid, enum mm_lru_list lru,
                        uint64_t nr_to_scan, struct mm_folio **out,
                        uint64_t *scanned)
{
    struct mm_lru_head *h = &sim->nodes[nid].lruvec.lists[lru];
    unsigned n = 0;
    *scanned = 0;
    while (h->tail && *scanned < nr_to_scan && n < MM_SWAP_CLUSTER_MAX) {
        struct mm_folio *folio = h->tail;
        mm__lruvec_del_folio(sim, folio);
        *scanned += nr_pages(folio);
        out[n++] = folio;
    }
    for (unsigned i = 0; i < n; i++)
        mm__rmap_prefetch(sim, out[i]);
    return n;
}

/* folio_check_references() */
static enum folio_ref check_references(struct mm_sim *sim,
                                       struct mm_folio *folio)
{
    uint64_t vm_flags;
    unsigned ptes = mm__folio_referenced(sim, folio, &vm_flags);
    bool referenced = folio->pgflags & MM_PG_REFERENCED;
    folio->pgflags &= (uint8_t)~MM_PG_REFERENCED;
    if (vm_flags & MM_VM_LOCKED)
        return REF_CULL;
    if (ptes) {
        folio->pgflags |= MM_PG_REFERENCED;
        if (referenced || ptes > 1)
            return REF_ACTIVATE;
        if ((vm_flags & MM_VM_EXEC) && mm__folio_is_file_lru(folio))
            return REF_ACTIVATE;
        return REF_KEEP;
    }
    if (referenced && mm__folio_is_file_lru(folio))
        return REF_RECLAIM_CLEAN;
    return REF_RECLAIM;
}

/* pageout(): the write, counted as the kernel counts swap and file I/O. */
static void pageout(struct mm_sim *sim, struct mm_folio *folio,
                    uint64_t *nr_pageout)
{
    uint64_t nr = nr_pages(folio);
    struct mm_pgdat *pgdat = &sim->nodes[mm__pfn_to_nid(sim, folio->pfn)];
    if (folio->kind != MM_FOLIO_FILE)
        sim->vm_events[MM_PSWPOUT] += nr;
    if (folio->kind == MM_FOLIO_ANON && folio->order)
        sim->vm_events[MM_THP_SWPOUT]++;
    sim->vm_events[MM_PGPGOUT] += nr << (MM_PAGE_SHIFT - 10);
    mm__mod_node_page_state(pgdat, MM_NR_VMSCAN_WRITE, (int64_t)nr);
    mm__mod_node_page_state(pgdat, MM_NR_WRITTEN, (int64_t)nr);
    folio->dirty = false;
    *nr_pageout += nr;
}

/* add_to_swap(): slots and the swap cache for an anonymous folio. */
static bool add_to_swap(struct mm_sim *sim, struct mm_folio *folio)
{
    uint32_t slot;
    if (mm__get_swap_pages(sim, folio->order, &slot))
        return false;
    if (mm__add_to_swap_cache(sim, folio, slot)) {
        for (uint64_t i = 0; i < nr_pages(folio); i++)
            mm__swap_slot_put_cache(sim, slot + (uint32_t)i);
        return false;
    }
    folio->dirty = true; /* nothing on the device holds its data yet */
    return true;
}

/* add_to_swap(), splitting a large folio when no run of slots is free:
 * *pf is then its head page. */
static bool add_to_swap_split(struct mm_sim *sim, struct mm_folio **pf)
{
    if (add_to_swap(sim, *pf))
        return true;
    if (!(*pf)->order || !mm__nr_swap_pages(sim))
        return false;
    struct mm_folio *head = mm__split_huge_page(sim, *pf);
    if (!head)
        return false;
    *pf = head;
    return add_to_swap(sim, head);
}

/* The anonymous part of shrink_folio_list(): lazyfree drop or swap out. */
static enum verdict reclaim_anon(struct mm_sim *sim, struct mm_folio **pf,
                                 uint64_t *nr_pageout)
{
    struct mm_folio *folio = *pf;
    if (folio->lazyfree && !mm__folio_pte_dirty(sim, folio)) {
        mm__try_to_unmap(sim, folio);
        sim->vm_events[MM_PGLAZYFREED] += nr_pages(folio);
        return FREED;
    }
    folio->lazyfree = false;
    if (!folio->swap && !add_to_swap_split(sim, pf))
        return ACTIVATE; /* activate_locked_split: swap is full */
    folio = *pf;
    if (!mm__try_to_unmap(sim, folio))
        return ACTIVATE;
    if (folio->dirty)
        pageout(sim, folio, nr_pageout);
    uint64_t shadow = mm__workingset_eviction(sim, folio);
    for (uint64_t i = 0; i < nr_pages(folio); i++)
        mm__swap_shadow(sim, folio->swap + (uint32_t)i, shadow);
    return FREED;
}

/* The file and shmem part: unmap, write if dirty, drop from the cache. */
static enum verdict reclaim_cache(struct mm_sim *sim, struct mm_folio *folio,
                                  enum folio_ref ref, uint64_t *nr_pageout)
{
    if (folio->kind == MM_FOLIO_SHMEM && !mm__nr_swap_pages(sim))
        return ACTIVATE;
    if (!mm__try_to_unmap(sim, folio))
        return ACTIVATE;
    if (folio->kind == MM_FOLIO_SHMEM) {
        if (mm__shmem_writepage(sim, folio,
                                mm__workingset_eviction(sim, folio)))
            return ACTIVATE;
        pageout(sim, folio, nr_pageout);
        return FREED;
    }
    if (folio->dirty && ref == REF_RECLAIM_CLEAN)
        return KEEP;
    if (folio->dirty)
        pageout(sim, folio, nr_pageout);
    mm__filemap_remove_folio(sim, folio, mm__workingset_eviction(sim, folio));
    return FREED;
}

/* Reclaiming @folio would write it: swap-backed (anon not lazily freed
 * clean, shmem) or a dirty file page. */
static bool needs_write(struct mm_sim *sim, struct mm_folio *folio)
{
    if (folio->kind == MM_FOLIO_ANON)
        return !folio->lazyfree || mm__folio_pte_dirty(sim, folio);
    return folio->kind == MM_FOLIO_SHMEM || folio->dirty ||
           mm__folio_pte_dirty(sim, folio);
}

/* shrink_folio_list() for one folio (*pf: a split leaves its head). */
static enum verdict shrink_folio(struct mm_sim *sim, struct mm_folio **pf,
                                 const struct mm_scan_control *sc,
                                 uint64_t *nr_pageout)
{
    struct mm_folio *folio = *pf;
    enum folio_ref ref = check_references(sim, folio);
    if (ref == REF_CULL)
        return CULL;
    if (sc->no_unmap && folio->total_map) /* !may_unmap (node reclaim) */
        return KEEP;
    if (ref == REF_ACTIVATE)
        return ACTIVATE;
    if (ref == REF_KEEP)
        return KEEP;
    if (sc->no_writepage && needs_write(sim, folio)) /* !may_writepage */
        return KEEP;
    if (folio->kind == MM_FOLIO_ANON)
        return sc->may_swap || folio->lazyfree
                   ? reclaim_anon(sim, pf, nr_pageout) : KEEP;
    return reclaim_cache(sim, folio, ref, nr_pageout);
}

/* move_folios_to_lru() for one folio, and the pgactivate count. */
static void putback(struct mm_sim *sim, struct mm_folio *folio, enum verdict v)
{
    enum mm_lru_list lru = mm__folio_is_file_lru(folio) ? MM_LRU_INACTIVE_FILE
                                                       : MM_LRU_INACTIVE_ANON;
    if (v == CULL) {
        folio->pgflags &= (uint8_t)~MM_PG_ACTIVE;
        sim->vm_events[MM_UNEVICTABLE_PGS_CULLED] += nr_pages(folio);
        mm__lruvec_add_folio(sim, folio, MM_LRU_UNEVICTABLE, false);
        return;
    }
    if (v == ACTIVATE) {
        folio->pgflags |= MM_PG_ACTIVE;
        sim->vm_events[MM_PGACTIVATE] += nr_pages(folio);
        lru = (enum mm_lru_list)(lru | MM_LRU_ACTIVE);
        mm__workingset_age_nonresident(sim, mm__pfn_to_nid(sim, folio->pfn),
                                       nr_pages(folio));
    }
    mm__lruvec_add_folio(sim, folio, lru, false);
}

/* Cgroup reclaim counts only the per-type events globally. */
static void count_scan(struct mm_sim *sim, const struct mm_scan_control *sc,
                       bool file, uint64_t scanned, uint64_t reclaimed)
{
    if (!sc->memcg) {
        sim->vm_events[sc->kswapd ? MM_PGSCAN_KSWAPD : MM_PGSCAN_DIRECT] +=
            scanned;
        sim->vm_events[sc->kswapd ? MM_PGSTEAL_KSWAPD : MM_PGSTEAL_DIRECT] +=
            reclaimed;
    }
    sim->vm_events[file ? MM_PGSCAN_FILE : MM_PGSCAN_ANON] += scanned;
    sim->vm_events[file ? MM_PGSTEAL_FILE : MM_PGSTEAL_ANON] += reclaimed;
}

/**
 * mm__shrink_inactive_list() - reclaim from the tail of an inactive list
 * @sim: the simulator
 * @nid: the node
 * @nr_to_scan: pages to isolate (at most SWAP_CLUSTER_MAX folios)
 * @sc: the pass: its counters are updated
 * @lru: MM_LRU_INACTIVE_ANON or MM_LRU_INACTIVE_FILE
 *
 * Counts pgscan_*, pgsteal_*, pgactivate and the write cost of the type
 * (lru_note_cost).
 * Kernel: mm/vmscan.c shrink_inactive_list() -> shrink_folio_list().
 * Return: pages freed.
 */
uint64_t mm__shrink_inactive_list(struct mm_sim *sim, int nid,
                                  uint64_t nr_to_scan,
                                  struct mm_scan_control *sc,
                                  enum mm_lru_list lru)
{
    struct mm_folio *folios[MM_SWAP_CLUSTER_MAX];
    uint64_t scanned, reclaimed = 0, nr_pageout = 0;
    unsigned n = isolate(sim, nid, lru, nr_to_scan, folios, &scanned);
    for (unsigned i = 0; i < n; i++) {
        enum verdict v = shrink_folio(sim, &folios[i], sc, &nr_pageout);
        if (v != FREED) {
            putback(sim, folios[i], v);
            continue;
        }
        reclaimed += nr_pages(folios[i]);
        mm__folio_release(sim, folios[i]);
    }
    bool file = lru & MM_LRU_FILE;
    count_scan(sim, sc, file, scanned, reclaimed);
    sc->nr_scanned += scanned;
    if (nr_pageout)
        mm__lru_note_cost(sim, nid, file, nr_pageout);
    return reclaimed;
}

/**
 * mm__shrink_active_list() - age the tail of an active list
 * @sim: the simulator
 * @nid: the node
 * @nr_to_scan: pages to isolate
 * @sc: the pass
 * @lru: MM_LRU_ACTIVE_ANON or MM_LRU_ACTIVE_FILE
 *
 * Counts pgrefill (pages scanned) and pgdeactivate.
 * Kernel: mm/vmscan.c shrink_active_list() (6.1).
 */
void mm__shrink_active_list(struct mm_sim *sim, int nid, uint64_t nr_to_scan,
                            struct mm_scan_control *sc, enum mm_lru_list lru)
{
    struct mm_folio *folios[MM_SWAP_CLUSTER_MAX];
    uint64_t scanned, deactivated = 0, vm_flags;
    unsigned n = isolate(sim, nid, lru, nr_to_scan, folios, &scanned);
    if (!sc->memcg)
        sim->vm_events[MM_PGREFILL] += scanned;
    for (unsigned i = 0; i < n; i++) {
        struct mm_folio *folio = folios[i];
        bool young = mm__folio_referenced(sim, folio, &vm_flags) != 0;
        if (vm_flags & MM_VM_LOCKED) {
            putback(sim, folio, CULL);
            continue;
        }
        if (young && (vm_flags & MM_VM_EXEC) && mm__folio_is_file_lru(folio)) {
            mm__lruvec_add_folio(sim, folio, lru, false);
            mm__workingset_age_nonresident(sim, nid, nr_pages(folio));
            continue;
        }
        folio->pgflags &= (uint8_t)~MM_PG_ACTIVE;
        folio->pgflags |= MM_PG_WORKINGSET;
        mm__lruvec_add_folio(sim, folio,
                             (enum mm_lru_list)(lru & ~MM_LRU_ACTIVE), false);
        deactivated += nr_pages(folio);
    }
    sim->vm_events[MM_PGDEACTIVATE] += deactivated;
}
