/*
 * swap_state.c - the swap cache: folios that have a swap slot, found by the
 * slot, and what /proc/meminfo shows as SwapCached.
 *
 * Mechanism: reclaim adds an anonymous folio to the swap cache when it gives
 * it slots (add_to_swap), and takes it out when the folio is freed; a
 * swap-in adds the folio it reads, and keeps it there (the slot stays
 * allocated, SwapCached counts it) until the slot is no longer worth
 * keeping (folio_free_swap).
 *
 * Callers: model/vmscan.c, model/memory.c, model/swapfile.c.
 * Kernel: mm/swap_state.c add_to_swap_cache(), __delete_from_swap_cache(),
 * delete_from_swap_cache(), swap_cache_get_folio(); mm/swapfile.c
 * folio_free_swap(). 6.1-6.18.
 *
 * Simplified: no swap readahead, so the swap cache only ever holds folios
 * that are mapped or being reclaimed.
 */
#include "internal.h"

/* Swap-cache pages count in NR_FILE_PAGES too (meminfo's Cached subtracts
 * SwapCached again), as __add_to_swap_cache() counts them. */
static void count_swapcache(struct mm_sim *sim, const struct mm_folio *folio,
                            int64_t sign)
{
    int nid = mm__pfn_to_nid(sim, folio->pfn);
    int64_t nr = sign * (int64_t)(1ull << folio->order);
    mm__mod_node_page_state(&sim->nodes[nid], MM_NR_SWAPCACHED, nr);
    mm__mod_node_page_state(&sim->nodes[nid], MM_NR_FILE_PAGES, nr);
}

/**
 * mm__add_to_swap_cache() - @folio now caches slots @slot..+2^order-1
 * @sim: the simulator
 * @folio: an anonymous folio not in the swap cache
 * @slot: its first slot, allocated (SWAP_HAS_CACHE is set here)
 *
 * Kernel: mm/swap_state.c add_to_swap_cache().
 * Return: 0 or MM_ENOMEM (host).
 */
int mm__add_to_swap_cache(struct mm_sim *sim, struct mm_folio *folio,
                          uint32_t slot)
{
    uint64_t nr = 1ull << folio->order;
    for (uint64_t i = 0; i < nr; i++)
        if (mm__hmap_put(&sim->swap.cache, slot + i,
                         (uint64_t)(uintptr_t)folio)) {
            while (i--)
                mm__hmap_del(&sim->swap.cache, slot + i);
            return MM_ENOMEM;
        }
    for (uint64_t i = 0; i < nr; i++)
        sim->swap.map[slot + i] |= MM_SWAP_HAS_CACHE;
    folio->swap = slot;
    count_swapcache(sim, folio, 1);
    return 0;
}

/**
 * mm__delete_from_swap_cache() - @folio leaves the swap cache
 * @sim: the simulator
 * @folio: a folio in the swap cache
 *
 * Its slots lose SWAP_HAS_CACHE; those no entry refers to are freed.
 * Kernel: mm/swap_state.c delete_from_swap_cache() -> put_swap_folio().
 */
void mm__delete_from_swap_cache(struct mm_sim *sim, struct mm_folio *folio)
{
    if (!folio->swap)
        return;
    uint64_t nr = 1ull << folio->order;
    uint32_t slot = folio->swap;
    folio->swap = 0;
    count_swapcache(sim, folio, -1);
    for (uint64_t i = 0; i < nr; i++) {
        mm__hmap_del(&sim->swap.cache, slot + i);
        mm__swap_slot_put_cache(sim, slot + (uint32_t)i);
    }
}

/**
 * mm__swap_cache_get() - the folio caching @slot
 * @sim: the simulator
 * @slot: a slot
 *
 * Kernel: mm/swap_state.c swap_cache_get_folio().
 * Return: the folio or NULL.
 */
struct mm_folio *mm__swap_cache_get(const struct mm_sim *sim, uint32_t slot)
{
    uint64_t v;
    return mm__hmap_get(&sim->swap.cache, slot, &v)
               ? (struct mm_folio *)(uintptr_t)v : NULL;
}

/**
 * mm__folio_free_swap() - drop @folio's slots if no entry refers to them
 * @sim: the simulator
 * @folio: a folio in the swap cache
 *
 * Kernel: mm/swapfile.c folio_free_swap() (folio_swapped() must be false).
 * Return: true if the folio left the swap cache.
 */
bool mm__folio_free_swap(struct mm_sim *sim, struct mm_folio *folio)
{
    if (!folio->swap)
        return false;
    for (uint64_t i = 0; i < (1ull << folio->order); i++)
        if (mm__swap_count(sim, folio->swap + (uint32_t)i))
            return false;
    mm__delete_from_swap_cache(sim, folio);
    return true;
}
