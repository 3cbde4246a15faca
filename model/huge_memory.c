/*
 * huge_memory.c - splitting an anonymous THP into base pages when reclaim
 * cannot swap it out whole.
 *
 * Mechanism: reclaim swaps a large anonymous folio whole when the swap area
 * has a free run of 2^order slots; when it has not, the folio is split: its
 * PMD mappings become PTE mappings, the block becomes 2^order order-0
 * allocations, and each page becomes a folio of its own that inherits the
 * page's mappings (reverse-map anchors, mapcount), the folio's flags and
 * its LRU list. The head continues through reclaim; the tails go to the
 * tail of the inactive list, next in line, as the kernel puts them on the
 * list reclaim is working through.
 *
 * Callers: model/vmscan_lru.c. Kernel: mm/huge_memory.c
 * split_huge_page_to_list() -> __split_huge_page(), __split_huge_pmd();
 * counter thp_split_page. 6.1.
 *
 * Simplified: only anonymous folios outside the swap cache are split; the
 * deferred split queue and partially mapped THPs are not modelled.
 */
#include <stdlib.h>

#include "internal.h"

static struct mm_folio *new_page_folio(const struct mm_folio *huge, uint64_t i)
{
    struct mm_folio *f = calloc(1, sizeof(*f) + sizeof(uint32_t));
    if (!f)
        return NULL;
    f->pfn = huge->pfn + i;
    f->kind = huge->kind;
    f->dirty = huge->dirty;
    f->lazyfree = huge->lazyfree;
    f->pgflags = huge->pgflags;
    f->lru = MM_LRU_NONE;
    f->mapcount[0] = huge->mapcount[i];
    f->total_map = huge->mapcount[i];
    return f;
}

/* Split every PMD mapping of @huge into PTEs (the bits move to each PTE). */
static void split_pmds(struct mm_sim *sim, struct mm_folio *huge)
{
    const struct mm_rmap_anchor *a =
        huge->nr_rmap > 1 ? huge->rmap.many : &huge->rmap.one;
    for (uint32_t k = 0; k < huge->nr_rmap; k++) {
        uint64_t pte;
        if (mm__hmap_get(&a[k].mm->ptes, a[k].vpn, &pte) &&
            (pte & MM_PTE_HUGE)) {
            mm__split_pmd(a[k].mm, a[k].vpn);
            sim->vm_events[MM_THP_SPLIT_PMD]++;
        }
    }
}

/* The anchors of page @i: every mapping of @huge where page i is mapped. */
static int copy_anchors(const struct mm_folio *huge, struct mm_folio *f,
                        uint64_t i)
{
    const struct mm_rmap_anchor *a =
        huge->nr_rmap > 1 ? huge->rmap.many : &huge->rmap.one;
    for (uint32_t k = 0; k < huge->nr_rmap; k++) {
        uint64_t pte;
        if (mm__hmap_get(&a[k].mm->ptes, a[k].vpn + i, &pte) &&
            mm__pte_present(pte) && !(pte & MM_PTE_ZERO) &&
            MM_PTE_PFN(pte) == huge->pfn + i &&
            mm__rmap_add(f, a[k].mm, a[k].vpn + i))
            return MM_ENOMEM;
    }
    return 0;
}

static void free_page_folios(struct mm_folio **pages, uint64_t n)
{
    for (uint64_t j = 0; j < n; j++) {
        if (pages[j])
            mm__rmap_free(pages[j]);
        free(pages[j]);
    }
    free(pages);
}

/**
 * mm__split_huge_page() - split an isolated anonymous large folio
 * @sim: the simulator
 * @huge: a large anonymous folio off the LRU, not in the swap cache
 *
 * Kernel: mm/huge_memory.c split_huge_page_to_list().
 * Return: the folio of the head page (still off the LRU), or NULL when the
 * host is out of memory (then @huge is left as it was).
 */
struct mm_folio *mm__split_huge_page(struct mm_sim *sim, struct mm_folio *huge)
{
    uint64_t nr = 1ull << huge->order;
    struct mm_folio **pages = calloc(nr, sizeof(*pages));
    if (!pages)
        return NULL;
    for (uint64_t i = 0; i < nr; i++)
        if (!(pages[i] = new_page_folio(huge, i)) ||
            copy_anchors(huge, pages[i], i)) {
            free_page_folios(pages, i + 1);
            return NULL;
        }
    if (mm__split_page(sim, huge->pfn, huge->order)) {
        free_page_folios(pages, nr);
        return NULL;
    }
    split_pmds(sim, huge);
    for (uint64_t i = 0; i < nr; i++)
        mm__hmap_put(&sim->frames, huge->pfn + i, (uint64_t)(uintptr_t)pages[i]);
    enum mm_lru_list lru = (huge->pgflags & MM_PG_ACTIVE) ? MM_LRU_ACTIVE_ANON
                                                          : MM_LRU_INACTIVE_ANON;
    for (uint64_t i = nr - 1; i >= 1; i--)
        mm__lruvec_add_folio(sim, pages[i], lru, true);
    struct mm_folio *head = pages[0];
    sim->vm_events[MM_THP_SPLIT_PAGE]++;
    mm__rmap_free(huge);
    free(huge);
    free(pages);
    return head;
}
