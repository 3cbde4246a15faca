/*
 * test_reclaim_random.c - randomised consistency of reclaim and swap: a
 * seeded stream of mmap (private/shared anonymous, private/shared file),
 * munmap, mremap, madvise(DONTNEED/FREE), fork, exit, read and write
 * faults and clock advances, on 4 processes that together want several
 * times the machine's RAM (32 MiB, 32 MiB of swap), so kswapd, direct reclaim,
 * swap-out, swap-in and allocation failures all happen. Every 64 steps the
 * invariants are checked: each LRU list's pages equal its counters; RSS
 * and swapents equal the present and swap entries of the page tables; each
 * slot's count equals the entries that hold it; SwapFree equals the free
 * slots. At the end, after every exit, no anonymous page, swap slot or
 * anonymous LRU page is left and every frame not in the page cache is free.
 */
#include <stdlib.h>

#include "reclaim_util.h"

#define SPAN (64ull << 20)
#define NPROC 4
#define SWAP 8192ull

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

/* Pages on the lists match the counters; folios know their list. */
static void check_lru(const struct mm_sim *sim)
{
    for (int lru = 0; lru < MM_NR_LRU_LISTS; lru++) {
        uint64_t pages = 0;
        for (const struct mm_folio *f =
                 sim->nodes[0].lruvec.lists[lru].head; f; f = f->lru_next) {
            assert_int_equal(f->lru, lru);
            pages += 1ull << f->order;
        }
        assert_int_equal(pages, lru_pages(sim, (enum mm_lru_list)lru));
    }
}

/* RSS and swapents against the page table; swap references per slot. */
static void check_mm(const struct mm_sim *sim, const struct mm_mm *mm,
                     uint32_t *refs)
{
    uint64_t rss = 0, swapents = 0;
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&mm->ptes, &pos))) {
        if (!mm__pte_present(s->value)) {
            swapents++;
            refs[MM_PTE_SWP_SLOT(s->value)]++;
        } else if (!(s->value & MM_PTE_ZERO)) {
            assert_non_null(mm__folio_of(sim, MM_PTE_PFN(s->value)));
            rss++;
        }
    }
    assert_int_equal(rss, mm->rss_anon + mm->rss_file + mm->rss_shmem);
    assert_int_equal(swapents, mm->swapents);
}

static void check_all(const struct mm_sim *sim)
{
    check_lru(sim);
    uint32_t *refs = calloc(SWAP + 1, sizeof(*refs));
    assert_non_null(refs);
    for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
         n = mm__avl_next(&sim->tasks, n))
        check_mm(sim, mm_container_of(n, struct mm_task, node)->mm, refs);
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&sim->files, &pos))) {
        const struct mm_file *f = (const struct mm_file *)(uintptr_t)s->value;
        size_t p2 = 0;
        const struct mm_hmap_slot *e;
        while ((e = mm__hmap_next(&f->pages, &p2)))
            if (e->value & MM_SHMEM_SWAPPED)
                refs[e->value & ~MM_SHMEM_SWAPPED]++;
    }
    uint64_t used = 0;
    for (uint32_t slot = 1; slot <= SWAP; slot++) {
        assert_int_equal(mm__swap_count(sim, slot), refs[slot]);
        if (slot <= sim->swap.hwm && sim->swap.map[slot])
            used++;
    }
    assert_int_equal(used, SWAP - mm__nr_swap_pages(sim));
    free(refs);
}

static void random_map(struct mm_sim *sim, uint32_t pid, uint64_t base)
{
    uint64_t len = (1 + rnd(2048)) * MM_PAGE_SIZE;
    uint64_t kind = rnd(40); /* 0-33 private anon, 34-36 shared anon, file */
    bool shared = (kind >= 34 && kind <= 36) || kind == 39;
    struct mm_map_req req = {
        .addr = base + rnd(SPAN / MM_PAGE_SIZE - 2048) * MM_PAGE_SIZE,
        .len = len, .prot = R_RW,
        .flags = MM_MAP_FIXED | (shared ? MM_MAP_SHARED : MM_MAP_PRIVATE),
    };
    if (kind < 37)
        req.flags |= MM_MAP_ANONYMOUS;
    else
        req.dev = 0xfe00, req.ino = 1 + rnd(3), req.pgoff = rnd(256);
    mm_mmap(sim, pid, &req);
}

/* A page inside the VMA at or after @addr (or the first VMA). */
static uint64_t in_vma(const struct mm_sim *sim, uint32_t pid, uint64_t addr)
{
    const struct mm_mm *mm = mm__task_find(sim, pid)->mm;
    const struct mm_vma *vma = mm__vma_first_after(mm, addr);
    if (!vma && mm->vmas.root)
        vma = mm_container_of(mm__avl_first(&mm->vmas), struct mm_vma, node);
    return vma ? vma->start + rnd(mm__vma_pages(vma)) * MM_PAGE_SIZE : addr;
}

static void random_step(struct mm_sim *sim, uint64_t step)
{
    uint32_t pid = 1 + (uint32_t)rnd(NPROC);
    uint64_t base = R_BASE + (uint64_t)pid * SPAN;
    uint64_t addr = base + rnd(SPAN / MM_PAGE_SIZE) * MM_PAGE_SIZE;
    unsigned op = (unsigned)rnd(1000);
    mm_sim_set_time(sim, step * 2000);
    if (!mm__task_find(sim, pid)) {
        assert_int_equal(mm_task_new(sim, pid), 0);
    } else if (op < 960) {
        int rc = mm_fault(sim, pid, in_vma(sim, pid, addr), rnd(4) != 0);
        assert_true(rc == 0 || rc == MM_EFAULT || rc == MM_ENOMEM);
    } else if (op < 970) {
        random_map(sim, pid, base);
    } else if (op < 975) {
        mm_munmap(sim, pid, addr, (1 + rnd(64)) * MM_PAGE_SIZE);
    } else if (op < 980) {
        mm_madvise(sim, pid, addr, (1 + rnd(64)) * MM_PAGE_SIZE,
                   rnd(2) ? MM_MADV_DONTNEED : MM_MADV_FREE);
    } else if (op < 985) {
        struct mm_mremap_req req = {
            .old_addr = addr, .old_len = MM_PAGE_SIZE * (1 + rnd(16)),
            .new_len = MM_PAGE_SIZE * (1 + rnd(16)),
            .flags = MM_MREMAP_MAYMOVE | MM_MREMAP_FIXED,
            .new_addr = base + rnd(SPAN / MM_PAGE_SIZE - 32) * MM_PAGE_SIZE};
        mm_mremap(sim, pid, &req);
    } else if (op < 999) {
        uint32_t child = 1 + (uint32_t)rnd(NPROC);
        if (child != pid && !mm__task_find(sim, child))
            mm_fork(sim, pid, child);
    } else if (!rnd(10)) {
        assert_int_equal(mm_exit(sim, pid), 0);
    }
}

static void test_random_pressure(void **state)
{
    (void)state;
    struct mm_machine m;
    int err;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192); /* 32 MiB */
    m.swap_pages = SWAP;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    uint64_t free0 = free_pages(sim);
    for (uint64_t step = 1; step <= 150000; step++) {
        random_step(sim, step);
        if (step % 64 == 0)
            check_all(sim);
    }
    assert_true(ev(sim, MM_PSWPOUT) > 0 && ev(sim, MM_PSWPIN) > 0);
    assert_true(ev(sim, MM_PGSTEAL_FILE) > 0);
    assert_true(ev(sim, MM_PGSTEAL_KSWAPD) > 0 && ev(sim, MM_PGSTEAL_DIRECT) > 0);
    for (uint32_t pid = 1; pid <= NPROC; pid++)
        if (mm__task_find(sim, pid))
            assert_int_equal(mm_exit(sim, pid), 0);
    check_all(sim);
    assert_int_equal(mm__nr_swap_pages(sim), SWAP);
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_ANON_PAGES), 0);
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_SHMEM), 0);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON) +
                     lru_pages(sim, MM_LRU_ACTIVE_ANON), 0);
    assert_int_equal(free_pages(sim) +
                     mm__global_node_page_state(sim, MM_NR_FILE_PAGES), free0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_pressure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
