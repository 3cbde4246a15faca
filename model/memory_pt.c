/*
 * memory_pt.c - page tables of the simulated address spaces: entries,
 * counted table pages (VmPTE), zapping, copying at fork, moving at mremap,
 * and protection changes.
 *
 * Mirrors mm/memory.c (zap_pte_range, copy_page_range, copy_present_pte),
 * mm/mremap.c (move_page_tables), mm/mprotect.c (change_pte_range) and the
 * page-table accounting of include/linux/mm.h (mm_inc_nr_ptes/pmds/puds).
 * Callers: memory.c (faults), mmap.c, mremap.c, mprotect.c, fork.c.
 *
 * Simplified: an entry per 4 KiB page in a hash map keyed by virtual page
 * number; a PMD mapping (THP, huge zero page) is 512 entries flagged
 * MM_PTE_HUGE. Table pages are counted as the kernel counts them (one PTE
 * table per touched 2 MiB, one PMD table per 1 GiB, one PUD table per
 * 512 GiB; a PMD-mapped THP keeps a deposited PTE table) and are freed at
 * munmap/exit once no VMA overlaps their span (free_pgtables), without the
 * kernel's floor/ceiling rounding details.
 */
#include <stdlib.h>

#include "internal.h"

#define HPAGE_NR 512ull

/**
 * mm__folio_of() - the folio owning frame @pfn
 * @sim: the simulator
 * @pfn: an allocated frame
 *
 * Return: the folio, or NULL for a frame the model did not allocate.
 * Kernel: include/linux/mm.h pfn_folio().
 */
struct mm_folio *mm__folio_of(const struct mm_sim *sim, uint64_t pfn)
{
    uint64_t v;
    if (!mm__hmap_get(&sim->frames, pfn, &v))
        return NULL;
    return (struct mm_folio *)(uintptr_t)v;
}

/**
 * mm__rss_add() - change the mm counter of @folio's kind by @n pages
 * @mm: the address space
 * @folio: the folio (anon, file or shmem)
 * @n: signed pages
 *
 * Kernel: include/linux/mm.h add_mm_counter(), mm_counter().
 */
void mm__rss_add(struct mm_mm *mm, const struct mm_folio *folio, int64_t n)
{
    if (folio->kind == MM_FOLIO_ANON)
        mm->rss_anon += (uint64_t)n;
    else if (folio->kind == MM_FOLIO_SHMEM)
        mm->rss_shmem += (uint64_t)n;
    else
        mm->rss_file += (uint64_t)n;
}

/**
 * mm__ensure_pgtables() - count the table pages mapping @vpn
 * @mm: the address space
 * @vpn: virtual page number
 * @kind: MM_PGT_TABLE or MM_PGT_PMD_MAPPED for the lowest level
 *
 * Kernel: mm/memory.c __pte_alloc(), __pmd_alloc(), __pud_alloc().
 */
void mm__ensure_pgtables(struct mm_mm *mm, uint64_t vpn, enum mm_pgt_kind kind)
{
    uint64_t v;
    uint64_t key = MM_PGT_KEY(0, vpn >> 9);
    if (!mm__hmap_get(&mm->pgtables, key, &v) || v != kind)
        mm__hmap_put(&mm->pgtables, key, kind);
    for (unsigned level = 1; level <= 2; level++) {
        key = MM_PGT_KEY(level, vpn >> (9 * (level + 1)));
        if (!mm__hmap_get(&mm->pgtables, key, &v))
            mm__hmap_put(&mm->pgtables, key, MM_PGT_TABLE);
    }
}

/**
 * mm__map_page() - install a PTE for page @idx of @folio at @vpn
 * @mm: the address space
 * @vpn: virtual page number
 * @folio: the folio
 * @idx: page index inside the folio
 * @bits: MM_PTE_* bits besides PRESENT
 *
 * The entry is young: it maps the page for the access that faulted.
 * Kernel: mm/memory.c set_pte_range() with folio_add_*_rmap_pte().
 */
void mm__map_page(struct mm_mm *mm, uint64_t vpn, struct mm_folio *folio,
                  unsigned idx, unsigned bits)
{
    mm__hmap_put(&mm->ptes, vpn, ((folio->pfn + idx) << 12) |
                                     MM_PTE_PRESENT | MM_PTE_YOUNG | bits);
    folio->mapcount[idx]++;
    folio->total_map++;
    mm__rmap_add(folio, mm, vpn - idx);
    mm__rss_add(mm, folio, 1);
    mm__ensure_pgtables(mm, vpn, (bits & MM_PTE_HUGE) ? MM_PGT_PMD_MAPPED
                                                      : MM_PGT_TABLE);
}

/**
 * mm__collect_ptes() - virtual page numbers with an entry in [start, end)
 * @mm: the address space
 * @start: start address
 * @end: end address
 * @vpns: out: a malloc'ed array the caller frees (NULL when none)
 *
 * Walks the range or the whole table, whichever is smaller.
 * Return: the number of entries.
 */
size_t mm__collect_ptes(const struct mm_mm *mm, uint64_t start, uint64_t end,
                        uint64_t **vpns)
{
    uint64_t first = start >> 12, last = end >> 12, v;
    size_t n = 0, cap = mm->ptes.count < last - first ? mm->ptes.count
                                                      : last - first;
    *vpns = cap ? malloc(cap * sizeof(**vpns)) : NULL;
    if (!*vpns)
        return 0;
    if (last - first <= 2 * mm->ptes.count) {
        for (uint64_t vpn = first; vpn < last && n < cap; vpn++)
            if (mm__hmap_get(&mm->ptes, vpn, &v))
                (*vpns)[n++] = vpn;
        return n;
    }
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&mm->ptes, &pos)) && n < cap)
        if (s->key >= first && s->key < last)
            (*vpns)[n++] = s->key;
    return n;
}

/**
 * mm__split_pmd() - turn the PMD mapping around @vpn into 512 PTEs
 * @mm: the address space
 * @vpn: any page of the 2 MiB block
 *
 * Kernel: mm/huge_memory.c __split_huge_pmd().
 */
void mm__split_pmd(struct mm_mm *mm, uint64_t vpn)
{
    uint64_t base = vpn & ~(HPAGE_NR - 1), pte;
    if (!mm__hmap_get(&mm->ptes, vpn, &pte) || !(pte & MM_PTE_HUGE))
        return;
    for (uint64_t i = 0; i < HPAGE_NR; i++)
        if (mm__hmap_get(&mm->ptes, base + i, &pte))
            mm__hmap_put(&mm->ptes, base + i, pte & ~(uint64_t)MM_PTE_HUGE);
    mm__hmap_put(&mm->pgtables, MM_PGT_KEY(0, base >> 9), MM_PGT_TABLE);
}

static void update_hiwater_rss(struct mm_mm *mm)
{
    uint64_t rss = mm->rss_anon + mm->rss_file + mm->rss_shmem;
    if (mm->hiwater_rss < rss)
        mm->hiwater_rss = rss;
}

/**
 * mm__unmap_pte() - drop the entry at @vpn and its folio mapping
 * @sim: the simulator
 * @mm: the address space
 * @vpn: virtual page number with an entry
 *
 * An anonymous folio whose last mapping goes is freed; a page-cache folio
 * stays cached (dirty if the PTE was dirty); a swap entry gives up its slot.
 * Kernel: mm/memory.c zap_present_ptes(), folio_remove_rmap_ptes(),
 * zap_nonpresent_ptes() -> free_swap_and_cache().
 */
void mm__unmap_pte(struct mm_sim *sim, struct mm_mm *mm, uint64_t vpn)
{
    uint64_t pte;
    if (!mm__hmap_get(&mm->ptes, vpn, &pte))
        return;
    mm__hmap_del(&mm->ptes, vpn);
    if (!mm__pte_present(pte)) { /* free_swap_and_cache() */
        mm->swapents--;
        mm__swap_free(sim, (uint32_t)MM_PTE_SWP_SLOT(pte));
        return;
    }
    if ((pte & MM_PTE_HUGE) && !(vpn & (HPAGE_NR - 1)))
        mm__hmap_del(&mm->pgtables, MM_PGT_KEY(0, vpn >> 9)); /* deposit */
    if (pte & MM_PTE_ZERO)
        return;
    struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if (!folio)
        return;
    uint64_t idx = MM_PTE_PFN(pte) - folio->pfn;
    folio->mapcount[idx]--;
    folio->total_map--;
    mm__rmap_remove(folio, mm, vpn - idx);
    mm__rss_add(mm, folio, -1);
    if ((pte & MM_PTE_DIRTY) && folio->kind != MM_FOLIO_ANON)
        folio->dirty = true;
    /* anon folios, and cache pages already dropped from their cache */
    if (!folio->total_map && (folio->kind == MM_FOLIO_ANON || !folio->file))
        mm__folio_release(sim, folio);
}

/**
 * mm__zap_range() - unmap every page in [@start, @end) of @vma
 * @sim: the simulator
 * @mm: the address space
 * @vma: the VMA the range lies in (unused beyond documentation)
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Raises hiwater_rss first, as the kernel does before RSS falls; splits PMD
 * mappings that straddle the range ends.
 * Kernel: mm/memory.c zap_page_range_single(), unmap_page_range().
 */
void mm__zap_range(struct mm_sim *sim, struct mm_mm *mm,
                   const struct mm_vma *vma, uint64_t start, uint64_t end)
{
    (void)vma;
    uint64_t *vpns;
    update_hiwater_rss(mm);
    if (start & ((HPAGE_NR << 12) - 1))
        mm__split_pmd(mm, start >> 12);
    if (end & ((HPAGE_NR << 12) - 1))
        mm__split_pmd(mm, end >> 12);
    size_t n = mm__collect_ptes(mm, start, end, &vpns);
    for (size_t i = 0; i < n; i++)
        mm__unmap_pte(sim, mm, vpns[i]);
    free(vpns);
}

static bool span_in_use(const struct mm_mm *mm, uint64_t key)
{
    unsigned level = (unsigned)(key >> 56);
    uint64_t index = key & ((1ull << 56) - 1);
    unsigned shift = 12 + 9 * (level + 1);
    uint64_t lo = index << shift, hi = (index + 1) << shift;
    const struct mm_vma *vma = mm__vma_first_after(mm, lo);
    return vma && vma->start < hi;
}

/* Tables of @level whose span meets [start, end) and that no VMA needs. */
static size_t dead_tables(const struct mm_mm *mm, unsigned level,
                          uint64_t start, uint64_t end, uint64_t *dead)
{
    unsigned shift = 12 + 9 * (level + 1);
    uint64_t first = start >> shift, last = (end - 1) >> shift, v;
    size_t n = 0;
    if (last - first < mm->pgtables.count) {
        for (uint64_t i = first; i <= last; i++) {
            uint64_t key = MM_PGT_KEY(level, i);
            if (mm__hmap_get(&mm->pgtables, key, &v) && !span_in_use(mm, key))
                dead[n++] = key;
        }
        return n;
    }
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&mm->pgtables, &pos))) {
        uint64_t index = s->key & ((1ull << 56) - 1);
        if ((s->key >> 56) == level && index >= first && index <= last &&
            !span_in_use(mm, s->key))
            dead[n++] = s->key;
    }
    return n;
}

/**
 * mm__free_pgtables() - free table pages no VMA needs any more
 * @mm: the address space
 * @start: start of the unmapped range
 * @end: end of the unmapped range (exclusive)
 *
 * Walks the range's table slots or the table set, whichever is smaller.
 * Kernel: mm/memory.c free_pgtables().
 */
void mm__free_pgtables(struct mm_mm *mm, uint64_t start, uint64_t end)
{
    if (end <= start || !mm->pgtables.count)
        return;
    uint64_t *dead = malloc(mm->pgtables.count * sizeof(*dead));
    if (!dead)
        return;
    for (unsigned level = 0; level <= 2; level++) {
        size_t n = dead_tables(mm, level, start, end, dead);
        for (size_t i = 0; i < n; i++)
            mm__hmap_del(&mm->pgtables, dead[i]);
    }
    free(dead);
}

static void copy_one(struct mm_sim *sim, struct mm_mm *dst, struct mm_mm *src,
                     uint64_t vpn, bool cow)
{
    uint64_t pte;
    mm__hmap_get(&src->ptes, vpn, &pte);
    if (!mm__pte_present(pte)) { /* copy_nonpresent_pte(): swap_duplicate */
        mm__swap_duplicate(sim, (uint32_t)MM_PTE_SWP_SLOT(pte));
        dst->swapents++;
        mm__hmap_put(&dst->ptes, vpn, pte);
        mm__ensure_pgtables(dst, vpn, MM_PGT_TABLE);
        return;
    }
    if (cow && !(pte & MM_PTE_ZERO)) {
        pte &= ~(uint64_t)MM_PTE_WRITE;
        mm__hmap_put(&src->ptes, vpn, pte);
    }
    if (!cow)
        pte &= ~(uint64_t)MM_PTE_DIRTY; /* pte_mkclean for shared */
    enum mm_pgt_kind kind = (pte & MM_PTE_HUGE) ? MM_PGT_PMD_MAPPED
                                                : MM_PGT_TABLE;
    if (pte & MM_PTE_ZERO) {
        mm__hmap_put(&dst->ptes, vpn, pte);
        mm__ensure_pgtables(dst, vpn, kind);
        return;
    }
    struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if (!folio)
        return;
    mm__map_page(dst, vpn, folio, (unsigned)(MM_PTE_PFN(pte) - folio->pfn),
                 (unsigned)(pte & (MM_PTE_WRITE | MM_PTE_DIRTY | MM_PTE_HUGE)));
}

/**
 * mm__copy_page_range() - share @vma's pages with the fork child
 * @sim: the simulator
 * @dst: the child's mm (its copy of @vma is linked)
 * @src: the parent's mm
 * @vma: the parent's VMA
 *
 * Only VMAs with an anon_vma are copied (the others fault again in the
 * child); private mappings become copy-on-write in both (write bit cleared,
 * mapcount raised), shared ones are mapped clean.
 * Return: 0.
 * Kernel: mm/memory.c copy_page_range(), copy_present_pte(); huge PMDs:
 * mm/huge_memory.c copy_huge_pmd().
 */
int mm__copy_page_range(struct mm_sim *sim, struct mm_mm *dst,
                        struct mm_mm *src, const struct mm_vma *vma)
{
    if (!vma->anon_vma)
        return 0;
    uint64_t *vpns;
    bool cow = !(vma->flags & MM_VM_SHARED);
    size_t n = mm__collect_ptes(src, vma->start, vma->end, &vpns);
    for (size_t i = 0; i < n; i++)
        copy_one(sim, dst, src, vpns[i], cow);
    free(vpns);
    return 0;
}

/* The folio of a moved present entry is now reached at @to. */
static void move_rmap(struct mm_sim *sim, struct mm_mm *mm, uint64_t pte,
                      uint64_t from, uint64_t to)
{
    if (!mm__pte_present(pte) || (pte & MM_PTE_ZERO))
        return;
    struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if (!folio)
        return;
    uint64_t idx = MM_PTE_PFN(pte) - folio->pfn;
    mm__rmap_remove(folio, mm, from - idx);
    mm__rmap_add(folio, mm, to - idx);
}

/**
 * mm__move_page_range() - move the entries of [@old_addr, +@len) to @new_addr
 * @sim: the simulator
 * @mm: the address space
 * @old_addr: source start
 * @new_addr: destination start
 * @len: bytes
 *
 * PMD mappings stay PMD mappings when source and destination are equally
 * aligned within 2 MiB, else they are split first.
 * Kernel: mm/mremap.c move_page_tables(), move_huge_pmd().
 */
void mm__move_page_range(struct mm_sim *sim, struct mm_mm *mm,
                         uint64_t old_addr, uint64_t new_addr, uint64_t len)
{
    uint64_t *vpns, pte, hmask = (HPAGE_NR << 12) - 1;
    mm__split_pmd(mm, old_addr >> 12);
    mm__split_pmd(mm, (old_addr + len) >> 12);
    size_t n = mm__collect_ptes(mm, old_addr, old_addr + len, &vpns);
    bool keep_huge = !((old_addr ^ new_addr) & hmask);
    for (size_t i = 0; i < n; i++)
        if (!keep_huge)
            mm__split_pmd(mm, vpns[i]);
    for (size_t i = 0; i < n; i++) {
        uint64_t to = vpns[i] - (old_addr >> 12) + (new_addr >> 12);
        mm__hmap_get(&mm->ptes, vpns[i], &pte);
        mm__hmap_del(&mm->ptes, vpns[i]);
        move_rmap(sim, mm, pte, vpns[i], to);
        if ((pte & MM_PTE_HUGE) && !(vpns[i] & (HPAGE_NR - 1)))
            mm__hmap_del(&mm->pgtables, MM_PGT_KEY(0, vpns[i] >> 9));
        mm__hmap_put(&mm->ptes, to, pte);
        mm__ensure_pgtables(mm, to, (pte & MM_PTE_HUGE) ? MM_PGT_PMD_MAPPED
                                                        : MM_PGT_TABLE);
    }
    free(vpns);
}

static bool may_upgrade(const struct mm_sim *sim, const struct mm_vma *vma,
                        uint64_t pte)
{
    if (!mm__pte_present(pte) || (pte & (MM_PTE_ZERO | MM_PTE_WRITE)))
        return false;
    const struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if (!folio)
        return false;
    if (vma->flags & MM_VM_SHARED)
        return folio->kind == MM_FOLIO_SHMEM; /* no write-notify on shmem */
    return folio->kind == MM_FOLIO_ANON && folio->total_map == 1;
}

/**
 * mm__change_protection() - bring @vma's entries in line with its flags
 * @sim: the simulator
 * @mm: the address space
 * @vma: a VMA whose protection just changed
 *
 * Losing VM_WRITE write-protects every entry; gaining it makes exclusive
 * anonymous pages (and shmem pages) writable at once, so they take no
 * write fault later.
 * Kernel: mm/mprotect.c change_pte_range() with MM_CP_TRY_CHANGE_WRITABLE,
 * can_change_pte_writable().
 */
void mm__change_protection(struct mm_sim *sim, struct mm_mm *mm,
                           const struct mm_vma *vma)
{
    uint64_t *vpns, pte;
    size_t n = mm__collect_ptes(mm, vma->start, vma->end, &vpns);
    bool writable = vma->flags & MM_VM_WRITE;
    for (size_t i = 0; i < n; i++) {
        mm__hmap_get(&mm->ptes, vpns[i], &pte);
        if (!mm__pte_present(pte))
            continue;
        if (!writable)
            pte &= ~(uint64_t)MM_PTE_WRITE;
        else if (may_upgrade(sim, vma, pte))
            pte |= MM_PTE_WRITE;
        mm__hmap_put(&mm->ptes, vpns[i], pte);
    }
    free(vpns);
}

/**
 * mm__madvise_free() - MADV_FREE: make exclusive anonymous pages lazily free
 * @sim: the simulator
 * @mm: the address space
 * @vma: a private anonymous VMA
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Their PTEs and folios become clean and the folios lazyfree (LazyFree in
 * smaps); reclaim may then drop them without swap. Shared pages are left;
 * swapped-out pages lose their swap copy (the range reads as zeroes).
 * Kernel: mm/madvise.c madvise_free_pte_range(), folio_mark_lazyfree().
 */
void mm__madvise_free(struct mm_sim *sim, struct mm_mm *mm,
                      const struct mm_vma *vma, uint64_t start, uint64_t end)
{
    (void)vma;
    uint64_t *vpns, pte;
    size_t n = mm__collect_ptes(mm, start, end, &vpns);
    for (size_t i = 0; i < n; i++) {
        mm__hmap_get(&mm->ptes, vpns[i], &pte);
        if (!mm__pte_present(pte)) { /* the swapped copy is dropped */
            mm__unmap_pte(sim, mm, vpns[i]);
            continue;
        }
        struct mm_folio *folio = (pte & MM_PTE_ZERO)
                                     ? NULL
                                     : mm__folio_of(sim, MM_PTE_PFN(pte));
        if (!folio || folio->kind != MM_FOLIO_ANON ||
            folio->total_map != (1ull << folio->order))
            continue;
        folio->lazyfree = true;
        folio->dirty = false;
        mm__hmap_put(&mm->ptes, vpns[i], pte & ~(uint64_t)MM_PTE_DIRTY);
    }
    free(vpns);
}
