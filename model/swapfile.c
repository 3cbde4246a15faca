/*
 * swapfile.c - the swap area: slots, their reference counts, SwapTotal and
 * SwapFree.
 *
 * Mechanism: one swap area of machine.swap_pages usable slots (slot 0 is
 * the header mkswap writes, so slots are 1..pages). Reclaim takes a slot
 * per page it swaps out (2^order consecutive slots for a large folio). A
 * slot's count is the number of page table entries (and shmem index
 * entries) holding it, plus the SWAP_HAS_CACHE bit while a folio for it is
 * in the swap cache; the slot is free again when both are gone. fork()
 * duplicates the entries of the parent (swap_duplicate); munmap, exit and
 * swap-in drop them (swap_free).
 *
 * Callers: model/vmscan.c (add_to_swap), model/rmap.c (unmap), model/
 * memory.c (do_swap_page), model/memory_pt.c (zap, fork), model/filemap.c
 * (shmem). Kernel: mm/swapfile.c folio_alloc_swap()/get_swap_pages(),
 * swap_duplicate(), swap_free(), free_swap_and_cache(), swap_swapcount(),
 * si_swapinfo(); include/linux/swap.h vm_swap_full(). 6.1-6.18.
 *
 * Simplified: no clusters or per-CPU slot caches: freed slots are reused
 * last-freed first, new ones are handed out in order, which is what makes
 * the state grow with the swap actually used, not with the area's size. A
 * large folio needs its slots from the never-used tail of the area; count
 * continuation (counts above SWAP_MAP_MAX) is not needed with 31-bit
 * counts.
 */
#include <stdlib.h>

#include "internal.h"

static int map_reserve(struct mm_swap_info *si, uint64_t slots)
{
    if (slots <= si->cap_map)
        return 0;
    uint64_t cap = si->cap_map ? si->cap_map : 1024;
    while (cap < slots)
        cap *= 2;
    uint32_t *map = realloc(si->map, cap * sizeof(*map));
    if (!map)
        return MM_ENOMEM;
    si->map = map;
    uint64_t *shadow = realloc(si->shadow, cap * sizeof(*shadow));
    if (!shadow)
        return MM_ENOMEM;
    si->shadow = shadow;
    memset(map + si->cap_map, 0, (cap - si->cap_map) * sizeof(*map));
    memset(shadow + si->cap_map, 0, (cap - si->cap_map) * sizeof(*shadow));
    si->cap_map = cap;
    return 0;
}

/* A fresh run of @nr slots from the never-used tail. */
static int take_fresh(struct mm_swap_info *si, uint64_t nr, uint32_t *slot)
{
    if (si->hwm + nr > si->pages || map_reserve(si, si->hwm + nr + 1))
        return MM_ENOSPC;
    *slot = (uint32_t)(si->hwm + 1);
    si->hwm += nr;
    return 0;
}

/**
 * mm__get_swap_pages() - allocate 2^@order consecutive swap slots
 * @sim: the simulator
 * @order: folio order
 * @slot: set to the first slot
 *
 * The slots start with count 0 and SWAP_HAS_CACHE (the caller adds the
 * folio to the swap cache).
 * Kernel: mm/swapfile.c folio_alloc_swap() -> get_swap_pages().
 * Return: 0, MM_ENOSPC when the area has no such run.
 */
int mm__get_swap_pages(struct mm_sim *sim, unsigned order, uint32_t *slot)
{
    struct mm_swap_info *si = &sim->swap;
    uint64_t nr = 1ull << order;
    if (si->pages - si->inuse < nr)
        return MM_ENOSPC;
    if (order == 0 && si->nr_free)
        *slot = si->free[--si->nr_free];
    else if (take_fresh(si, nr, slot))
        return MM_ENOSPC;
    for (uint64_t i = 0; i < nr; i++)
        si->map[*slot + i] = MM_SWAP_HAS_CACHE;
    si->inuse += nr;
    return 0;
}

static void slot_release(struct mm_swap_info *si, uint32_t slot)
{
    if (si->nr_free == si->cap_free) {
        size_t cap = si->cap_free ? 2 * si->cap_free : 1024;
        uint32_t *f = realloc(si->free, cap * sizeof(*f));
        if (!f) /* host out of memory: the slot stays counted as used */
            return;
        si->free = f;
        si->cap_free = cap;
    }
    si->free[si->nr_free++] = slot;
    si->inuse--;
    si->shadow[slot] = 0;
}

/**
 * mm__swap_count() - PTE references of @slot (without the cache bit)
 * @sim: the simulator
 * @slot: a slot
 *
 * Kernel: mm/swapfile.c swap_swapcount().
 * Return: the count.
 */
uint32_t mm__swap_count(const struct mm_sim *sim, uint32_t slot)
{
    if (!slot || slot > sim->swap.hwm)
        return 0;
    return sim->swap.map[slot] & ~MM_SWAP_HAS_CACHE;
}

/**
 * mm__swap_shadow() - the shadow entry kept for @slot, replaced by @set
 * @sim: the simulator
 * @slot: an allocated slot
 * @set: the new shadow entry (0 to clear)
 *
 * Kernel: the shadow entries of the swap cache's address space
 * (__delete_from_swap_cache() stores, add_to_swap_cache() returns them).
 * Return: the previous shadow entry, or 0.
 */
uint64_t mm__swap_shadow(struct mm_sim *sim, uint32_t slot, uint64_t set)
{
    if (!slot || slot > sim->swap.hwm)
        return 0;
    uint64_t old = sim->swap.shadow[slot];
    sim->swap.shadow[slot] = set;
    return old;
}

/**
 * mm__swap_duplicate() - one more entry refers to @slot
 * @sim: the simulator
 * @slot: an allocated slot
 *
 * Kernel: mm/swapfile.c swap_duplicate() (fork's copy_nonpresent_pte) and
 * the reference try_to_unmap_one() takes for each swap PTE it installs.
 */
void mm__swap_duplicate(struct mm_sim *sim, uint32_t slot)
{
    if (slot && slot <= sim->swap.hwm)
        sim->swap.map[slot]++;
}

/**
 * mm__swap_free() - an entry referring to @slot is gone
 * @sim: the simulator
 * @slot: an allocated slot
 *
 * When the last entry goes and a folio still holds the slot in the swap
 * cache, that folio leaves the swap cache (it is unmapped or private to the
 * last user now) and the slot is freed.
 * Kernel: mm/swapfile.c swap_free(), free_swap_and_cache().
 */
void mm__swap_free(struct mm_sim *sim, uint32_t slot)
{
    struct mm_swap_info *si = &sim->swap;
    if (!slot || slot > si->hwm || !(si->map[slot] & ~MM_SWAP_HAS_CACHE))
        return;
    if (--si->map[slot] & ~MM_SWAP_HAS_CACHE)
        return;
    if (!si->map[slot]) {
        slot_release(si, slot);
        return;
    }
    struct mm_folio *folio = mm__swap_cache_get(sim, slot);
    if (folio && (!folio->total_map || mm__vm_swap_full(sim)))
        mm__folio_free_swap(sim, folio);
}

/**
 * mm__swap_slot_put_cache() - the swap cache lets go of @slot
 * @sim: the simulator
 * @slot: a slot with SWAP_HAS_CACHE
 *
 * Kernel: mm/swapfile.c put_swap_folio() / swapcache_free_entries().
 */
void mm__swap_slot_put_cache(struct mm_sim *sim, uint32_t slot)
{
    struct mm_swap_info *si = &sim->swap;
    if (!slot || slot > si->hwm)
        return;
    si->map[slot] &= ~MM_SWAP_HAS_CACHE;
    if (!si->map[slot])
        slot_release(si, slot);
}

/**
 * mm__nr_swap_pages() - free swap slots (SwapFree in pages)
 * @sim: the simulator
 *
 * Kernel: include/linux/swap.h get_nr_swap_pages().
 * Return: pages.
 */
uint64_t mm__nr_swap_pages(const struct mm_sim *sim)
{
    return sim->swap.pages - sim->swap.inuse;
}

/**
 * mm__vm_swap_full() - more than half of the swap area is used
 * @sim: the simulator
 *
 * Kernel: include/linux/swap.h vm_swap_full(): nr_swap_pages * 2 <
 * total_swap_pages.
 * Return: true when full by that rule.
 */
bool mm__vm_swap_full(const struct mm_sim *sim)
{
    return mm__nr_swap_pages(sim) * 2 < sim->swap.pages;
}

/**
 * mm__swapfile_destroy() - free the swap area's state (sim teardown)
 * @sim: the simulator
 */
void mm__swapfile_destroy(struct mm_sim *sim)
{
    free(sim->swap.map);
    free(sim->swap.shadow);
    free(sim->swap.free);
    mm__hmap_destroy(&sim->swap.cache);
    memset(&sim->swap, 0, sizeof(sim->swap));
}

/**
 * mm_swap_info() - SwapTotal and SwapFree in pages
 * @sim: the simulator
 * @total: set to the usable slots
 * @free: set to the free slots
 *
 * Kernel: mm/swapfile.c si_swapinfo().
 */
void mm_swap_info(const struct mm_sim *sim, uint64_t *total, uint64_t *free)
{
    *total = sim->swap.pages;
    *free = mm__nr_swap_pages(sim);
}
