/*
 * rmap.c - the reverse map: from a folio to the page table entries that map
 * it, so that reclaim can test and clear their accessed bits and unmap the
 * folio from every address space.
 *
 * Mechanism: a folio keeps a list of anchors (mm, vpn): page i of the folio
 * may be mapped at vpn + i in that mm, and the anchor counts how many of the
 * folio's PTEs were mapped through it. A folio mapped once (the common case:
 * a private anonymous page, or a THP mapped by one PMD) keeps its single
 * anchor inline; a folio shared after fork or mapped by many processes gets
 * an array. An entry is trusted only when the PTE at vpn + i still holds the
 * folio's frame, so a stale anchor costs a lookup, never a wrong unmap.
 * mm__map_page()/mm__unmap_pte() (memory_pt.c) maintain the anchors; mremap
 * moves them.
 *
 * Callers: model/memory_pt.c, model/vmscan.c.
 *
 * Kernel: mm/rmap.c folio_referenced() -> folio_referenced_one(),
 * try_to_unmap() -> try_to_unmap_one(), the anon_vma / i_mmap walks.
 * 6.1-6.18.
 *
 * Simplified: the kernel finds mappings through anon_vma chains and the
 * file's i_mmap tree, keyed by VMA and page offset; the model records the
 * (mm, address) pairs themselves. A PMD-mapped THP counts one reference per
 * anchor, as its one PMD entry does; unmapping it for swap splits the PMD
 * (the kernel may also split the folio; the model swaps it whole).
 */
#include <stdlib.h>

#include "internal.h"

#define HPAGE_NR 512ull

static struct mm_rmap_anchor *anchors(struct mm_folio *folio)
{
    return folio->nr_rmap > 1 ? folio->rmap.many : &folio->rmap.one;
}

static struct mm_rmap_anchor *find_anchor(struct mm_folio *folio,
                                          const struct mm_mm *mm, uint64_t vpn)
{
    struct mm_rmap_anchor *a = anchors(folio);
    for (uint32_t i = 0; i < folio->nr_rmap; i++)
        if (a[i].mm == mm && a[i].vpn == vpn)
            return &a[i];
    return NULL;
}

/* Make room for one more anchor: inline -> array, or a bigger array. */
static int grow(struct mm_folio *folio)
{
    if (folio->nr_rmap == 0)
        return 0;
    if (folio->nr_rmap == 1) {
        struct mm_rmap_anchor *many = malloc(4 * sizeof(*many));
        if (!many)
            return MM_ENOMEM;
        many[0] = folio->rmap.one;
        folio->rmap.many = many;
        folio->rmap_cap = 4;
        return 0;
    }
    if (folio->nr_rmap < folio->rmap_cap)
        return 0;
    struct mm_rmap_anchor *many =
        realloc(folio->rmap.many, 2 * folio->rmap_cap * sizeof(*many));
    if (!many)
        return MM_ENOMEM;
    folio->rmap.many = many;
    folio->rmap_cap *= 2;
    return 0;
}

/**
 * mm__rmap_add() - record one more PTE of @folio mapped in @mm
 * @folio: the folio
 * @mm: the address space
 * @base_vpn: the virtual page where page 0 of the folio would be
 *
 * Kernel: mm/rmap.c folio_add_anon_rmap_ptes(), folio_add_file_rmap_ptes()
 * (the anon_vma / i_mmap link the model keeps per mapping).
 * Return: 0 or MM_ENOMEM (host out of memory; the mapping is unrecorded).
 */
int mm__rmap_add(struct mm_folio *folio, struct mm_mm *mm, uint64_t base_vpn)
{
    struct mm_rmap_anchor *a = find_anchor(folio, mm, base_vpn);
    if (a) {
        a->count++;
        return 0;
    }
    if (grow(folio))
        return MM_ENOMEM;
    folio->nr_rmap++;
    anchors(folio)[folio->nr_rmap - 1] =
        (struct mm_rmap_anchor){mm, base_vpn, 1};
    return 0;
}

/**
 * mm__rmap_remove() - one PTE of @folio in @mm is gone
 * @folio: the folio
 * @mm: the address space
 * @base_vpn: as given to mm__rmap_add()
 *
 * Kernel: mm/rmap.c folio_remove_rmap_ptes().
 */
void mm__rmap_remove(struct mm_folio *folio, struct mm_mm *mm,
                     uint64_t base_vpn)
{
    struct mm_rmap_anchor *a = find_anchor(folio, mm, base_vpn);
    if (!a || --a->count)
        return;
    struct mm_rmap_anchor *all = anchors(folio);
    *a = all[folio->nr_rmap - 1];
    folio->nr_rmap--;
    if (folio->nr_rmap == 1) {
        struct mm_rmap_anchor last = all[0];
        free(all);
        folio->rmap.one = last;
        folio->rmap_cap = 0;
    }
}

/**
 * mm__rmap_free() - drop the anchor array of a folio being freed
 * @folio: the folio
 */
void mm__rmap_free(struct mm_folio *folio)
{
    if (folio->nr_rmap > 1)
        free(folio->rmap.many);
    folio->nr_rmap = 0;
}

/* The PTE at @vpn if it maps page @i of @folio (NULL if not). */
static uint64_t *maps_page(const struct mm_mm *mm, uint64_t vpn,
                           const struct mm_folio *folio, uint64_t i)
{
    uint64_t *pte = mm__hmap_ref(&mm->ptes, vpn);
    if (!pte || !mm__pte_present(*pte) || (*pte & MM_PTE_ZERO) ||
        MM_PTE_PFN(*pte) != folio->pfn + i)
        return NULL;
    return pte;
}

/* folio_referenced_one() for one anchor: young PTEs cleared (a PMD = 1). */
static unsigned referenced_one(struct mm_folio *folio,
                               const struct mm_rmap_anchor *a,
                               uint64_t *vm_flags)
{
    unsigned young = 0, huge = 0;
    bool seen = false;
    uint64_t nr = 1ull << folio->order;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t *pte = maps_page(a->mm, a->vpn + i, folio, i);
        if (!pte)
            continue;
        if (!seen) {
            const struct mm_vma *vma = mm__vma_find(a->mm, (a->vpn + i) << 12);
            *vm_flags |= vma ? vma->flags : 0;
            seen = true;
        }
        if (!(*pte & MM_PTE_YOUNG))
            continue;
        *pte &= ~(uint64_t)MM_PTE_YOUNG;
        if (*pte & MM_PTE_HUGE)
            huge = 1;
        else
            young++;
    }
    return young + huge;
}

/**
 * mm__folio_referenced() - test and clear the accessed bits of @folio's PTEs
 * @sim: the simulator
 * @folio: the folio
 * @vm_flags: set to the union of the flags of the VMAs mapping it
 *
 * Kernel: mm/rmap.c folio_referenced() -> folio_referenced_one()
 * (ptep_clear_flush_young per PTE, one per PMD mapping).
 * Return: the number of young entries found (and now old).
 */
unsigned mm__folio_referenced(struct mm_sim *sim, struct mm_folio *folio,
                              uint64_t *vm_flags)
{
    (void)sim;
    unsigned referenced = 0;
    *vm_flags = 0;
    struct mm_rmap_anchor *a = anchors(folio);
    for (uint32_t k = 0; k < folio->nr_rmap; k++)
        referenced += referenced_one(folio, &a[k], vm_flags);
    return referenced;
}

/**
 * mm__folio_pte_dirty() - whether some PTE mapping @folio is dirty
 * @sim: the simulator
 * @folio: the folio
 *
 * Kernel: the pte_dirty() test of try_to_unmap_one() for lazyfree folios.
 * Return: true if written through a mapping since it was cleaned.
 */
bool mm__folio_pte_dirty(struct mm_sim *sim, struct mm_folio *folio)
{
    (void)sim;
    uint64_t nr = 1ull << folio->order, *pte;
    struct mm_rmap_anchor *a = anchors(folio);
    for (uint32_t k = 0; k < folio->nr_rmap; k++)
        for (uint64_t i = 0; i < nr; i++)
            if ((pte = maps_page(a[k].mm, a[k].vpn + i, folio, i)) &&
                (*pte & MM_PTE_DIRTY))
                return true;
    return false;
}

/* try_to_unmap_one() for page @i at @vpn of @mm: swap entry or nothing. */
static void unmap_one(struct mm_sim *sim, struct mm_folio *folio,
                      struct mm_mm *mm, uint64_t vpn, uint64_t i)
{
    uint64_t *ref = maps_page(mm, vpn, folio, i);
    if (!ref)
        return;
    uint64_t pte = *ref;
    if (pte & MM_PTE_HUGE) {
        mm__split_pmd(mm, vpn);
        sim->vm_events[MM_THP_SPLIT_PMD]++;
    }
    if (pte & MM_PTE_DIRTY)
        folio->dirty = true;
    if (folio->kind == MM_FOLIO_ANON && folio->swap) {
        uint32_t slot = folio->swap + (uint32_t)i;
        *mm__hmap_ref(&mm->ptes, vpn) = MM_SWP_PTE(slot);
        mm__swap_duplicate(sim, slot);
        mm->swapents++;
    } else {
        mm__hmap_del(&mm->ptes, vpn);
    }
    folio->mapcount[i]--;
    folio->total_map--;
    mm__rss_add(mm, folio, -1);
}

/**
 * mm__try_to_unmap() - remove every mapping of @folio
 * @sim: the simulator
 * @folio: an anonymous folio in the swap cache (its PTEs become swap
 *         entries), a lazily freed anonymous folio, or a page-cache folio
 *         (their PTEs are cleared)
 *
 * Dirty PTEs make the folio dirty. The caller has checked VM_LOCKED.
 * Kernel: mm/rmap.c try_to_unmap() -> try_to_unmap_one().
 * Return: true when nothing maps it any more.
 */
bool mm__try_to_unmap(struct mm_sim *sim, struct mm_folio *folio)
{
    uint64_t nr = 1ull << folio->order;
    while (folio->nr_rmap) {
        struct mm_rmap_anchor a = anchors(folio)[folio->nr_rmap - 1];
        for (uint64_t i = 0; i < nr; i++)
            unmap_one(sim, folio, a.mm, a.vpn + i, i);
        /* the anchor goes whole; whatever it still counted was stale */
        anchors(folio)[folio->nr_rmap - 1].count = 1;
        mm__rmap_remove(folio, a.mm, a.vpn);
    }
    return folio->total_map == 0;
}

/**
 * mm__rmap_prefetch() - start loading what a walk of @folio will read
 * @sim: the simulator
 * @folio: a folio about to be looked at by reclaim
 *
 * Its first mapping's PTE and its frame-map slot: reclaim isolates up to 32
 * folios and prefetches them all before the walks, so the cache misses of
 * the large maps overlap. A hint: no effect on results.
 */
void mm__rmap_prefetch(const struct mm_sim *sim, const struct mm_folio *folio)
{
    if (folio->nr_rmap == 1)
        mm__hmap_prefetch(&folio->rmap.one.mm->ptes, folio->rmap.one.vpn);
    mm__hmap_prefetch(&sim->frames, folio->pfn);
}
