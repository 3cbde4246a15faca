/*
 * memory_swap.c - the fault on a swap entry: the page comes back from the
 * swap cache or from the swap device.
 *
 * Mechanism: a fault on a PTE holding a swap entry looks the slot up in the
 * swap cache (a minor fault) or reads the page (a major fault: pgmajfault,
 * pswpin, pgpgin), maps it and drops the entry's reference to the slot.
 * The page stays in the swap cache unless should_try_to_free_swap() says
 * its slot is not worth keeping; a write to a page others still share
 * copies it.
 *
 * Callers: model/memory.c (handle_fault). Kernel: mm/memory.c
 * do_swap_page(), should_try_to_free_swap(); mm/swap_state.c
 * swapin_readahead() without the readahead. 6.1-6.18.
 *
 * A page read back is checked against the shadow entry its eviction left
 * (model/workingset.c).
 *
 * Simplified: only the faulting page is read (no swap readahead, so no
 * swap_ra counters); an exclusive page swapped in for a write never enters
 * the swap cache (the kernel adds it and deletes it again at once).
 */
#include "internal.h"

/* What do_swap_page() asks of swapin_folio(). */
struct swapin_req {
    const struct mm_vma *vma;
    uint64_t addr;
    uint32_t slot;
    bool uncached; /* leaves the swap cache at once: do not add it */
};

/* The folio caching the slot, or a new one read from swap (a major fault). */
static int swapin_folio(struct mm_sim *sim, const struct swapin_req *req,
                        struct mm_folio **out, int *major)
{
    *out = mm__swap_cache_get(sim, req->slot);
    if (*out)
        return 0;
    /* read_swap_cache_async() allocates with the VMA's policy */
    int err = mm__swapin_alloc(sim, req->vma, req->addr, out);
    if (!err && !req->uncached)
        err = mm__add_to_swap_cache(sim, *out, req->slot);
    if (err) {
        if (*out)
            mm__folio_release(sim, *out);
        return MM_ENOMEM;
    }
    mm__count_major(sim, major);
    sim->vm_events[MM_PSWPIN]++;
    sim->vm_events[MM_PGPGIN] += MM_PAGE_SIZE >> 10;
    uint64_t shadow = mm__swap_shadow(sim, req->slot, 0);
    if (shadow)
        mm__workingset_refault(sim, *out, shadow);
    return 0;
}

/**
 * mm__do_swap_page() - a fault on a swap entry
 * @sim: the simulator
 * @mm: the address space
 * @vma: the VMA
 * @vpn: the faulting page
 * @pte: its swap entry
 * @write: a write access
 *
 * The page comes from the swap cache (minor) or is read from the device
 * (major: pgmajfault, pswpin). It stays in the swap cache, its slot
 * allocated (SwapCached), unless swap is more than half full, the VMA is
 * locked, or a write makes the copy on swap stale. A write to a page
 * others still share (after fork) copies it.
 * Kernel: mm/memory.c do_swap_page(), should_try_to_free_swap().
 * Return: MM_FAULT_MINOR, MM_FAULT_MAJOR or MM_ENOMEM.
 */
int mm__do_swap_page(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                     uint64_t vpn, uint64_t pte, bool write)
{
    uint32_t slot = (uint32_t)MM_PTE_SWP_SLOT(pte);
    struct mm_folio *folio = mm__swap_cache_get(sim, slot);
    int major = MM_FAULT_MINOR;
    bool exclusive = mm__swap_count(sim, slot) == 1 &&
                     (!folio || !folio->total_map);
    /* should_try_to_free_swap() */
    bool free_swap = write || mm__vm_swap_full(sim) ||
                     (vma->flags & MM_VM_LOCKED);
    struct swapin_req req = {vma, vpn << 12, slot, free_swap && exclusive};
    if (swapin_folio(sim, &req, &folio, &major))
        return MM_ENOMEM;
    unsigned bits = MM_PTE_YOUNG;
    if (write && exclusive) {
        bits |= MM_PTE_WRITE | MM_PTE_DIRTY;
        folio->dirty = true;
    }
    mm__map_page(mm, vpn, folio, folio->swap ? slot - folio->swap : 0, bits);
    mm->swapents--;
    mm__swap_free(sim, slot);
    if (free_swap)
        mm__folio_free_swap(sim, folio);
    if (write && !exclusive) {
        int ret = mm__wp_page_copy(sim, mm, vma, vpn);
        return ret < 0 ? ret : major;
    }
    return major;
}

