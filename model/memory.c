/*
 * memory.c - page faults: anonymous (zero page, allocation, COW), file
 * (page cache, fault-around, read-around, major vs minor), shared anonymous
 * (shmem), transparent huge pages, and the fault counters.
 *
 * Mirrors mm/memory.c (handle_mm_fault, do_anonymous_page, do_wp_page,
 * wp_page_copy, do_read_fault, do_cow_fault, do_shared_fault,
 * do_fault_around, mm_account_fault), mm/huge_memory.c
 * (do_huge_pmd_anonymous_page, do_huge_pmd_wp_page), mm/filemap.c
 * (filemap_fault, do_sync_mmap_readahead), mm/shmem.c shmem_swapin_folio,
 * and mm/mmap.c expand_stack; do_swap_page is in memory_swap.c.
 * Callers: the replay through mm_fault(); the page-table helpers of
 * memory_pt.c.
 *
 * With machine.no_zero_page (mm_forbids_zeropage(), e.g. a vendor kernel's
 * pvm_no_zero_page=1) anonymous reads allocate at once, mapped writable in
 * a writable VMA, so the later write takes no fault (checked live).
 *
 * Frames come from the buddy allocator under the faulting task's NUMA
 * policy (model/mempolicy_alloc.c); a failed allocation (after the page
 * allocator's reclaim) is reported as MM_ENOMEM for the caller to run the
 * OOM path.
 *
 * Simplified: every new folio joins the inactive LRU list of its type and
 * every new PTE is young (the access that faulted it); an access the trace
 * shows to a page that is already mapped marks its PTE young (and dirty for
 * a write). Swap-in reads only the faulting page (no swap readahead). Read-around on a major
 * file fault reads ra_pages = 32 pages centred on the fault (VM_RAND_READ:
 * only the page; VM_SEQ_READ: 32 pages from the fault), clamped to the VMA
 * because the model does not know file sizes; the mmap_miss heuristic is
 * not modelled. Fault-around maps up to 16 cached pages (64 KiB window,
 * aligned, or from the VMA's start when the VMA starts inside the aligned
 * block, clamped to the VMA's end and the page table) as 6.1-6.18 do, also
 * right after a major fault (the fault is retried once the page is read:
 * checked live on 6.18, 16 pages mapped by one major fault). The read-around
 * of a real 6.18 can be far larger with large-folio filesystems (up to
 * 2 MiB folios observed on the development machine). Private
 * tmpfs file mappings are treated as ordinary file pages. A fault the model
 * finds already satisfied (a present page with the needed permission) is
 * spurious and not counted. Faults are never retried, so the 6.4 change
 * to pgfault counting of retries makes no difference here.
 */
#include <stdlib.h>

#include "internal.h"

#define HPAGE_NR 512ull
#define FAULT_AROUND_PAGES 16ull /* fault_around_bytes = 64 KiB */
#define RA_PAGES 32ull           /* VM_READAHEAD_PAGES = 128 KiB */
#define STACK_GUARD_GAP (256ull << MM_PAGE_SHIFT)

enum fault_result {
    FAULT_MINOR = MM_FAULT_MINOR,
    FAULT_MAJOR = MM_FAULT_MAJOR,
};

/*
 * Kernel: __lruvec_stat_mod_folio() on NR_ANON_MAPPED, NR_FILE_PAGES and
 * NR_SHMEM of the folio's node. Simplified: an anonymous folio counts from
 * allocation to free, which is when the model maps and unmaps it.
 */
static void count_folio(struct mm_sim *sim, const struct mm_folio *folio,
                        int64_t sign)
{
    int64_t nr = sign * (int64_t)(1ull << folio->order);
    struct mm_pgdat *pgdat = &sim->nodes[mm__pfn_to_nid(sim, folio->pfn)];
    if (folio->kind == MM_FOLIO_ANON) {
        mm__mod_node_page_state(pgdat, MM_NR_ANON_PAGES, nr);
        return;
    }
    mm__mod_node_page_state(pgdat, MM_NR_FILE_PAGES, nr);
    if (folio->kind == MM_FOLIO_SHMEM)
        mm__mod_node_page_state(pgdat, MM_NR_SHMEM, nr);
}

/* gfp masks of 6.1's fault paths (vma_alloc_folio() adds __GFP_COMP) */
#define GFP_ANON (MM_GFP_HIGHUSER_MOVABLE | MM_GFP_COMP | MM_GFP_ZERO)
#define GFP_COPY (MM_GFP_HIGHUSER_MOVABLE | MM_GFP_COMP)
#define GFP_READAHEAD (GFP_COPY | MM_GFP_NORETRY | MM_GFP_NOWARN)
#define GFP_TRANSHUGE (MM_GFP_TRANSHUGE_LIGHT | MM_GFP_DIRECT_RECLAIM)

/* vma_alloc_folio() (@vma set) or folio_alloc() for the page cache (NULL):
 * the NUMA policy picks the node (model/mempolicy_alloc.c). */
static int alloc_folio(struct mm_sim *sim, const struct mm_vma *vma,
                       uint64_t addr, unsigned order, uint32_t gfp,
                       enum mm_folio_kind kind, struct mm_folio **out)
{
    uint64_t pfn, nr = 1ull << order;
    struct mm_folio *folio = calloc(1, sizeof(*folio) + nr * sizeof(uint32_t));
    if (!folio || mm__alloc_user_pages(sim, vma, addr, order, gfp, &pfn)) {
        free(folio);
        return MM_ENOMEM;
    }
    if (mm__memcg_try_charge(sim, nr, gfp)) { /* model/memcontrol.c */
        mm__free_pages(sim, pfn, order);
        free(folio);
        return MM_ENOMEM;
    }
    folio->pfn = pfn;
    folio->order = order;
    folio->kind = kind;
    folio->lru = MM_LRU_NONE;
    for (uint64_t i = 0; i < nr; i++)
        mm__hmap_put(&sim->frames, pfn + i, (uint64_t)(uintptr_t)folio);
    count_folio(sim, folio, 1);
    mm__folio_add_lru(sim, folio);
    *out = folio;
    return 0;
}

/**
 * mm__folio_release() - free @folio's frames and its descriptor
 * @sim: the simulator
 * @folio: a folio nobody maps any more (or a cache page being dropped)
 *
 * It leaves its LRU list and the swap cache first.
 * Kernel: mm/swap.c folios_put() → free_unref_folios().
 */
void mm__folio_release(struct mm_sim *sim, struct mm_folio *folio)
{
    mm__lruvec_del_folio(sim, folio);
    mm__delete_from_swap_cache(sim, folio);
    mm__rmap_free(folio);
    count_folio(sim, folio, -1);
    mm__memcg_uncharge(sim, 1ull << folio->order);
    for (uint64_t i = 0; i < (1ull << folio->order); i++)
        mm__hmap_del(&sim->frames, folio->pfn + i);
    mm__free_pages(sim, folio->pfn, folio->order);
    free(folio);
}

static void anon_vma_prepare(struct mm_sim *sim, struct mm_vma *vma)
{
    if (!vma->anon_vma)
        vma->anon_vma = ++sim->anon_vma_seq;
}

static bool thp_eligible(const struct mm_sim *sim, const struct mm_vma *vma,
                         uint64_t addr)
{
    uint64_t haddr = addr & ~((HPAGE_NR << 12) - 1);
    if (vma->file || (vma->flags & (MM_VM_NOHUGEPAGE | MM_VM_SHARED)))
        return false;
    if (sim->thp == MM_THP_NEVER ||
        (sim->thp == MM_THP_MADVISE && !(vma->flags & MM_VM_HUGEPAGE)))
        return false;
    return haddr >= vma->start && haddr + (HPAGE_NR << 12) <= vma->end;
}

/* do_huge_pmd_anonymous_page(); 1 if handled, 0 to fall back to PTEs. */
static int do_huge_anonymous(struct mm_sim *sim, struct mm_mm *mm,
                             struct mm_vma *vma, uint64_t addr, bool write)
{
    uint64_t base = (addr >> 12) & ~(HPAGE_NR - 1);
    anon_vma_prepare(sim, vma);
    if (!write && !sim->machine.no_zero_page) {
        for (uint64_t i = 0; i < HPAGE_NR; i++)
            mm__hmap_put(&mm->ptes, base + i, MM_PTE_ZERO | MM_PTE_HUGE);
        mm__ensure_pgtables(mm, base, MM_PGT_PMD_MAPPED);
        return 1;
    }
    struct mm_folio *folio;
    /* vma_thp_gfp_mask() under the default defrag=madvise */
    uint32_t gfp = (vma->flags & MM_VM_HUGEPAGE) ? GFP_TRANSHUGE
                                                 : MM_GFP_TRANSHUGE_LIGHT;
    if (alloc_folio(sim, vma, base << 12, 9, gfp, MM_FOLIO_ANON, &folio)) {
        sim->vm_events[MM_THP_FAULT_FALLBACK]++;
        return 0;
    }
    sim->vm_events[MM_THP_FAULT_ALLOC]++;
    for (unsigned i = 0; i < HPAGE_NR; i++)
        mm__map_page(mm, base + i, folio, i,
                     MM_PTE_WRITE | MM_PTE_DIRTY | MM_PTE_HUGE);
    return 1;
}

static bool pmd_none(const struct mm_mm *mm, uint64_t vpn)
{
    uint64_t v;
    return !mm__hmap_get(&mm->pgtables, MM_PGT_KEY(0, vpn >> 9), &v);
}

/* do_anonymous_page(): zero page on read, a new zeroed page on write. */
static int do_anonymous_page(struct mm_sim *sim, struct mm_mm *mm,
                             struct mm_vma *vma, uint64_t addr, bool write)
{
    uint64_t vpn = addr >> 12;
    if (thp_eligible(sim, vma, addr) && pmd_none(mm, vpn) &&
        do_huge_anonymous(sim, mm, vma, addr, write))
        return FAULT_MINOR;
    if (!write && !sim->machine.no_zero_page) {
        mm__hmap_put(&mm->ptes, vpn, MM_PTE_ZERO);
        mm__ensure_pgtables(mm, vpn, MM_PGT_TABLE);
        return FAULT_MINOR;
    }
    anon_vma_prepare(sim, vma);
    struct mm_folio *folio;
    if (alloc_folio(sim, vma, addr, 0, GFP_ANON, MM_FOLIO_ANON, &folio))
        return MM_ENOMEM;
    /* a new page in a writable VMA is mapped writable and dirty, read or not */
    mm__map_page(mm, vpn, folio, 0,
                 (vma->flags & MM_VM_WRITE) ? MM_PTE_WRITE | MM_PTE_DIRTY : 0);
    return FAULT_MINOR;
}

static struct mm_folio *cache_lookup(const struct mm_sim *sim,
                                     const struct mm_file *file, uint64_t idx)
{
    uint64_t pfn;
    if (!mm__hmap_get(&file->pages, idx, &pfn) ||
        (pfn & (MM_SHMEM_SWAPPED | MM_SHADOW)))
        return NULL;
    return mm__folio_of(sim, pfn);
}

/* Insert page @idx of @file; @vma (shmem only) gives the NUMA policy, else
 * the task's applies. */
static int cache_insert(struct mm_sim *sim, struct mm_file *file,
                        const struct mm_vma *vma, uint64_t idx, uint32_t gfp,
                        struct mm_folio **out)
{
    enum mm_folio_kind kind = file->shmem ? MM_FOLIO_SHMEM : MM_FOLIO_FILE;
    uint64_t addr = vma ? vma->start + ((idx - vma->pgoff) << 12) : 0;
    int err = alloc_folio(sim, vma, addr, 0, gfp, kind, out);
    if (err)
        return err;
    uint64_t old = 0;
    mm__hmap_get(&file->pages, idx, &old);
    (*out)->file = file;
    (*out)->index = idx;
    mm__hmap_put(&file->pages, idx, (*out)->pfn);
    if (old & MM_SHADOW) /* filemap_add_folio(): a refault */
        mm__workingset_refault(sim, *out, old);
    return 0;
}

/* Page cache pages follow the task policy, shmem pages the VMA's. */
static int cache_add(struct mm_sim *sim, const struct mm_vma *vma, uint64_t idx,
                     uint32_t gfp, struct mm_folio **out)
{
    return cache_insert(sim, vma->file, vma->file->shmem ? vma : NULL, idx,
                        gfp, out);
}

/* do_sync_mmap_readahead(): read pages around @idx into the cache. */
static void read_around(struct mm_sim *sim, const struct mm_vma *vma,
                        uint64_t idx)
{
    uint64_t lo = vma->pgoff, hi = vma->pgoff + mm__vma_pages(vma);
    uint64_t start = idx, end = idx + 1;
    if (vma->flags & MM_VM_SEQ_READ)
        end = idx + RA_PAGES;
    else if (!(vma->flags & MM_VM_RAND_READ)) {
        start = idx > RA_PAGES / 2 ? idx - RA_PAGES / 2 : 0;
        end = start + RA_PAGES;
    }
    start = start < lo ? lo : start;
    end = end > hi ? hi : end;
    for (uint64_t i = start; i < end; i++) {
        struct mm_folio *folio;
        if (!cache_lookup(sim, vma->file, i) &&
            cache_add(sim, vma, i, GFP_READAHEAD, &folio))
            return;
    }
}

/* A fault that waits for I/O: pgmajfault; the I/O drops the mmap lock and
 * the fault is retried, and before 6.4 each attempt counted in pgfault. */
static void count_major(struct mm_sim *sim, int *major)
{
    *major = FAULT_MAJOR;
    sim->vm_events[MM_PGMAJFAULT]++;
    if (sim->machine.kernel < MM_KERNEL(6, 4))
        sim->vm_events[MM_PGFAULT]++;
}

/* shmem_swapin_folio(): read a shmem page back from its swap slot. */
static int shmem_swapin(struct mm_sim *sim, const struct mm_vma *vma,
                        uint64_t idx, uint64_t slot, struct mm_folio **out,
                        int *major)
{
    int err = cache_add(sim, vma, idx, GFP_COPY, out);
    if (err)
        return err;
    count_major(sim, major);
    sim->vm_events[MM_PSWPIN]++;
    sim->vm_events[MM_PGPGIN] += MM_PAGE_SIZE >> 10;
    uint64_t shadow = mm__swap_shadow(sim, (uint32_t)slot, 0);
    if (shadow)
        mm__workingset_refault(sim, *out, shadow);
    mm__swap_free(sim, (uint32_t)slot);
    return 0;
}

/* filemap_fault()/shmem_fault(): the cache page, reading it if needed. */
static int get_cache_page(struct mm_sim *sim, const struct mm_vma *vma,
                          uint64_t idx, struct mm_folio **out, int *major)
{
    uint64_t v;
    *out = cache_lookup(sim, vma->file, idx);
    if (*out)
        return 0;
    if (vma->file->shmem && mm__hmap_get(&vma->file->pages, idx, &v))
        return shmem_swapin(sim, vma, idx, v & ~MM_SHMEM_SWAPPED, out, major);
    if (vma->file->shmem)
        return cache_add(sim, vma, idx, GFP_COPY, out); /* no I/O: minor */
    count_major(sim, major);
    read_around(sim, vma, idx);
    *out = cache_lookup(sim, vma->file, idx);
    return *out ? 0 : cache_add(sim, vma, idx, GFP_COPY, out);
}

/**
 * mm__fault_around_range() - the window fault-around maps for a fault at
 * @addr in @vma: @nr pages from the @nr-aligned block holding @addr, or
 * from the VMA's start when the VMA starts inside that block (the window
 * then still spans @nr pages, past the block), ending at the VMA's end or
 * at the end of @addr's page table if sooner
 * @vma: the faulting VMA
 * @addr: the faulting address
 * @nr: fault_around_pages (a power of two)
 * @start: the window's first address
 * @end: its end (exclusive)
 *
 * Kernel: mm/memory.c do_fault_around() (6.1: start_pgoff and end_pgoff;
 * 6.5+: from_pte and to_pte).
 */
void mm__fault_around_range(const struct mm_vma *vma, uint64_t addr,
                            uint64_t nr, uint64_t *start, uint64_t *end)
{
    uint64_t win = addr & ~((nr << MM_PAGE_SHIFT) - 1);
    uint64_t pmd_end = (addr | ((HPAGE_NR << MM_PAGE_SHIFT) - 1)) + 1;
    *start = win < vma->start ? vma->start : win;
    *end = *start + (nr << MM_PAGE_SHIFT);
    *end = *end > vma->end ? vma->end : *end;
    *end = *end > pmd_end ? pmd_end : *end;
}

/* do_fault_around(): map cached, not yet mapped pages in the window. */
static void fault_around(struct mm_sim *sim, struct mm_mm *mm,
                         const struct mm_vma *vma, uint64_t addr)
{
    uint64_t start, end;
    mm__fault_around_range(vma, addr, FAULT_AROUND_PAGES, &start, &end);
    for (uint64_t a = start; a < end; a += MM_PAGE_SIZE) {
        uint64_t pte, idx = vma->pgoff + ((a - vma->start) >> 12);
        struct mm_folio *folio = cache_lookup(sim, vma->file, idx);
        if (folio && !mm__hmap_get(&mm->ptes, a >> 12, &pte))
            mm__map_page(mm, a >> 12, folio, 0, 0);
    }
}

static uint64_t file_index(const struct mm_vma *vma, uint64_t addr)
{
    return vma->pgoff + ((addr - vma->start) >> 12);
}

/* do_read_fault / do_shared_fault / do_cow_fault. */
static int do_file_fault(struct mm_sim *sim, struct mm_mm *mm,
                         struct mm_vma *vma, uint64_t addr, bool write)
{
    uint64_t vpn = addr >> 12, pte;
    int major = FAULT_MINOR;
    if (!write) {
        fault_around(sim, mm, vma, addr);
        if (mm__hmap_get(&mm->ptes, vpn, &pte))
            return FAULT_MINOR;
    }
    struct mm_folio *page, *copy;
    int err = get_cache_page(sim, vma, file_index(vma, addr), &page, &major);
    if (err)
        return err;
    if (!write && major) { /* the retry maps the fault-around window */
        fault_around(sim, mm, vma, addr);
        if (mm__hmap_get(&mm->ptes, vpn, &pte))
            return FAULT_MAJOR;
    }
    if (!write || (vma->flags & MM_VM_SHARED)) {
        mm__map_page(mm, vpn, page, 0,
                     write ? MM_PTE_WRITE | MM_PTE_DIRTY : 0);
        return major;
    }
    anon_vma_prepare(sim, vma);
    if (alloc_folio(sim, vma, addr, 0, GFP_COPY, MM_FOLIO_ANON, &copy))
        return MM_ENOMEM;
    mm__map_page(mm, vpn, copy, 0, MM_PTE_WRITE | MM_PTE_DIRTY);
    return major;
}

/* wp_page_copy(): a private copy replaces the mapped page (or zero page). */
static int wp_page_copy(struct mm_sim *sim, struct mm_mm *mm,
                        struct mm_vma *vma, uint64_t vpn)
{
    struct mm_folio *copy;
    anon_vma_prepare(sim, vma);
    if (alloc_folio(sim, vma, vpn << 12, 0, GFP_COPY, MM_FOLIO_ANON, &copy))
        return MM_ENOMEM;
    mm__unmap_pte(sim, mm, vpn);
    mm__map_page(mm, vpn, copy, 0, MM_PTE_WRITE | MM_PTE_DIRTY);
    return FAULT_MINOR;
}

/* do_huge_pmd_wp_page(): reuse an exclusive THP, else split the PMD. */
static bool huge_wp_reuse(struct mm_sim *sim, struct mm_mm *mm, uint64_t vpn,
                          const struct mm_folio *folio)
{
    uint64_t base = vpn & ~(HPAGE_NR - 1), pte;
    if (folio && folio->total_map == HPAGE_NR) {
        for (uint64_t i = 0; i < HPAGE_NR; i++) {
            mm__hmap_get(&mm->ptes, base + i, &pte);
            mm__hmap_put(&mm->ptes, base + i, pte | MM_PTE_WRITE);
        }
        return true;
    }
    (void)sim;
    mm__split_pmd(mm, vpn);
    return false;
}

/* do_wp_page(): write to a present, write-protected entry. */
static int do_wp_page(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                      uint64_t vpn, uint64_t pte)
{
    if (pte & MM_PTE_ZERO) {
        mm__split_pmd(mm, vpn);
        return wp_page_copy(sim, mm, vma, vpn);
    }
    struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if ((pte & MM_PTE_HUGE) && huge_wp_reuse(sim, mm, vpn, folio))
        return FAULT_MINOR;
    bool reuse = folio && ((vma->flags & MM_VM_SHARED) ||
                           (folio->kind == MM_FOLIO_ANON && folio->total_map == 1));
    if (!reuse)
        return wp_page_copy(sim, mm, vma, vpn);
    if (!(vma->flags & MM_VM_SHARED))
        sim->vm_events[MM_PGREUSE]++;
    if (folio->swap) /* reused: its swap copy is stale now */
        mm__folio_free_swap(sim, folio);
    mm__hmap_put(&mm->ptes, vpn,
                 pte | MM_PTE_WRITE | MM_PTE_DIRTY | MM_PTE_YOUNG);
    return FAULT_MINOR;
}

/**
 * mm__swapin_alloc() - a page for a swap-in at @addr of @vma
 * @sim: the simulator
 * @vma: the faulting VMA (its memory policy places the page)
 * @addr: the faulting address
 * @out: the new anonymous folio
 *
 * Kernel: mm/swap_state.c read_swap_cache_async() -> folio_alloc().
 * Return: 0 or MM_ENOMEM.
 */
int mm__swapin_alloc(struct mm_sim *sim, const struct mm_vma *vma,
                     uint64_t addr, struct mm_folio **out)
{
    return alloc_folio(sim, vma, addr, 0, GFP_COPY, MM_FOLIO_ANON, out);
}

/**
 * mm__count_major() - count a fault that waited for I/O (pgmajfault, and
 * before 6.4 the retry in pgfault)
 * @sim: the simulator
 * @major: set to the major-fault result
 */
void mm__count_major(struct mm_sim *sim, int *major)
{
    count_major(sim, major);
}

/**
 * mm__wp_page_copy() - break COW at @vpn: a private copy replaces the page
 * @sim: the simulator
 * @mm: the address space
 * @vma: the VMA
 * @vpn: the page
 *
 * Kernel: mm/memory.c wp_page_copy().
 * Return: a minor-fault result or MM_ENOMEM.
 */
int mm__wp_page_copy(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                     uint64_t vpn)
{
    return wp_page_copy(sim, mm, vma, vpn);
}

/* expand_stack(): grow a VM_GROWSDOWN VMA down to @addr, charging it;
 * acct_stack_growth() refuses a stack larger than RLIMIT_STACK. */
static struct mm_vma *expand_stack(struct mm_sim *sim, struct mm_task *task,
                                   uint64_t addr)
{
    struct mm_mm *mm = task->mm;
    struct mm_vma *vma = mm__vma_first_after(mm, addr);
    if (!vma || !(vma->flags & MM_VM_GROWSDOWN) || vma->start <= addr)
        return vma && vma->start <= addr ? vma : NULL;
    struct mm_vma *prev = mm__vma_prev(mm, vma);
    uint64_t start = addr & ~(MM_PAGE_SIZE - 1);
    if (prev && prev->end + STACK_GUARD_GAP > start)
        return NULL;
    uint64_t grow = (vma->start - start) >> 12;
    if (vma->end - start > task->rlimit_stack)
        return NULL;
    if (mm__vm_enough_memory(sim, task, grow))
        return NULL;
    mm__vma_unlink(mm, vma);
    vma->start = start;
    vma->pgoff -= grow;
    mm__vma_link(mm, vma);
    mm__vm_stat_account(mm, vma->flags, (int64_t)grow);
    return vma;
}

static bool access_ok(const struct mm_vma *vma, bool write)
{
    if (write)
        return vma->flags & MM_VM_WRITE;
    return vma->flags & MM_VM_PROT_MASK;
}

/* @pte: the entry at @addr, or 0 for none. */
static int handle_fault(struct mm_sim *sim, struct mm_mm *mm,
                        struct mm_vma *vma, uint64_t addr, uint64_t pte,
                        bool write)
{
    uint64_t vpn = addr >> 12;
    if (pte && !mm__pte_present(pte))
        return mm__do_swap_page(sim, mm, vma, vpn, pte, write);
    if (pte)
        return do_wp_page(sim, mm, vma, vpn, pte);
    if (vma->file)
        return do_file_fault(sim, mm, vma, addr, write);
    return do_anonymous_page(sim, mm, vma, addr, write);
}

/**
 * mm_fault() - a page fault of process @pid at @addr
 * @sim: the simulator
 * @pid: tgid (faults of its threads count on it)
 * @addr: the faulting address
 * @write: a write access
 *
 * Counts pgfault (also for a failed allocation), pgmajfault for page-cache
 * misses, pgreuse for COW reuse, and the task's min_flt/maj_flt for faults
 * that succeed.
 * Return: 0 (handled or spurious), MM_EFAULT (SIGSEGV: no VMA, no
 * permission, refused stack growth), MM_ENOMEM (no frame: the caller runs
 * the OOM path), MM_ENOTSUP (hugetlb), MM_ESRCH.
 * Kernel: mm/memory.c handle_mm_fault(), mm_account_fault().
 */
int mm_fault(struct mm_sim *sim, uint32_t pid, uint64_t addr, bool write)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (sim->oom.panicked) /* model/oom_kill.c */
        return MM_ESHUTDOWN;
    if (!task || !task->mm)
        return MM_ESRCH;
    struct mm_vma *vma = expand_stack(sim, task, addr);
    if (!vma || !access_ok(vma, write))
        return MM_EFAULT;
    if (vma->flags & MM_VM_HUGETLB)
        return MM_ENOTSUP;
    int ret = mm__handle_fault(sim, task, vma, addr, write);
    mm__oom_reap_current(sim, task); /* killed by its own fault's OOM */
    return ret;
}

/**
 * mm__handle_fault() - resolve a fault the caller has checked
 * @sim: the simulator
 * @task: the faulting task
 * @vma: the VMA containing @addr, permitting the access
 * @addr: the address
 * @write: a write access
 *
 * Also the path of get_user_pages() population (mlock, MAP_POPULATE):
 * those faults count in pgfault and the task's counters too.
 * Return: 0 (handled or spurious) or MM_ENOMEM.
 * Kernel: mm/memory.c handle_mm_fault(), mm_account_fault().
 */
int mm__handle_fault(struct mm_sim *sim, struct mm_task *task,
                     struct mm_vma *vma, uint64_t addr, bool write)
{
    uint64_t *ref = mm__hmap_ref(&task->mm->ptes, addr >> 12);
    uint64_t pte = ref ? *ref : 0;
    if (ref && mm__pte_present(pte) && (!write || (pte & MM_PTE_WRITE))) {
        /* no fault, but the trace saw an access: the hardware's A/D bits */
        *ref |= MM_PTE_YOUNG | (write ? MM_PTE_DIRTY : 0);
        return 0;
    }
    if (task->oom_killed) /* model/oom_kill.c: a fatal signal is pending */
        return MM_ENOMEM;
    sim->vm_events[MM_PGFAULT]++;
    struct mm_task *prev = sim->current;
    sim->current = task; /* its policy and node; the OOM killer's current */
    int ret = handle_fault(sim, task->mm, vma, addr, pte, write);
    sim->current = prev;
    if (ret < 0)
        return ret;
    if (ret == FAULT_MAJOR)
        task->maj_flt++;
    else
        task->min_flt++;
    return 0;
}

/**
 * mm_page_counts() - pages held by anonymous, page-cache and shmem folios
 * @sim: the simulator
 * @out: filled in
 *
 * Kernel: the NR_ANON_MAPPED, NR_FILE_PAGES, NR_SHMEM node counters summed
 * over nodes (see count_folio()).
 */
void mm_page_counts(const struct mm_sim *sim, struct mm_page_counts *out)
{
    *out = (struct mm_page_counts){
        .anon = mm__global_node_page_state(sim, MM_NR_ANON_PAGES),
        .file = mm__global_node_page_state(sim, MM_NR_FILE_PAGES),
        .shmem = mm__global_node_page_state(sim, MM_NR_SHMEM),
    };
}

/**
 * mm_fault_counters() - the fault path's vmstat events
 * @sim: the simulator
 * @out: filled in
 */
void mm_fault_counters(const struct mm_sim *sim, struct mm_fault_counters *out)
{
    *out = (struct mm_fault_counters){
        .pgfault = sim->vm_events[MM_PGFAULT],
        .pgmajfault = sim->vm_events[MM_PGMAJFAULT],
        .pgreuse = sim->vm_events[MM_PGREUSE],
        .thp_fault_alloc = sim->vm_events[MM_THP_FAULT_ALLOC],
        .thp_fault_fallback = sim->vm_events[MM_THP_FAULT_FALLBACK],
    };
}

/**
 * mm__filemap_add() - bring page @idx of @file into the page cache without
 * I/O accounting, if it is not there (memory_resident.c: the recording
 * machine had it cached)
 * @sim: the simulator
 * @file: the page cache
 * @idx: page index
 *
 * Return: 0 or MM_ENOMEM.
 * Kernel: mm/filemap.c filemap_add_folio().
 */
int mm__filemap_add(struct mm_sim *sim, struct mm_file *file, uint64_t idx)
{
    struct mm_folio *folio;
    if (cache_lookup(sim, file, idx))
        return 0;
    return cache_insert(sim, file, NULL, idx, GFP_COPY, &folio);
}
