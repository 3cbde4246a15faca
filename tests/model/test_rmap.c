/*
 * test_rmap.c - the reverse map (model/rmap.c) and the LRU entry points of
 * model/swap.c: anchors follow fork, mremap and munmap; folio_referenced
 * counts and clears young PTEs in every mapping; try_to_unmap removes all
 * mappings; page-cache reclaim drops clean file pages (refault = major
 * fault), writes dirty shared ones back first, and swaps shmem;
 * folio_mark_accessed promotes on the second call.
 */
#include "reclaim_util.h"

static uint64_t scan(struct mm_sim *sim, enum mm_lru_list lru)
{
    struct mm_scan_control sc = {.priority = MM_DEF_PRIORITY, .may_swap = true,
                                 .nr_to_reclaim = MM_SWAP_CLUSTER_MAX};
    return mm__shrink_inactive_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc, lru);
}

/* After fork a page has two anchors; referenced counts both young PTEs
 * (so the first look already activates: referenced_ptes > 1). */
static void test_fork_two_anchors(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 1);
    assert_int_equal(touch(sim, 1, 0, true), 0);
    struct mm_folio *folio = folio_at(sim, 1, 0);
    assert_int_equal(folio->nr_rmap, 1);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(folio->nr_rmap, 2);
    uint64_t flags;
    assert_int_equal(mm__folio_referenced(sim, folio, &flags), 2);
    assert_true(flags & MM_VM_WRITE);
    assert_int_equal(mm__folio_referenced(sim, folio, &flags), 0);
    assert_int_equal(touch(sim, 1, 0, false), 0); /* access: young again */
    assert_int_equal(touch(sim, 2, 0, false), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_int_equal(ev(sim, MM_PGACTIVATE), 1);
    assert_int_equal(folio->lru, MM_LRU_ACTIVE_ANON);
    assert_int_equal(mm_exit(sim, 2), 0);
    assert_int_equal(folio->nr_rmap, 1);
    assert_int_equal(folio->total_map, 1);
    mm_sim_free(sim);
}

/* try_to_unmap() with a slot: both PTEs become the same swap entry. */
static void test_unmap_shared_swaps_both(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 1);
    assert_int_equal(touch(sim, 1, 0, true), 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0); /* 2 young: active */
    struct mm_scan_control sc = {.priority = MM_DEF_PRIORITY, .may_swap = true};
    mm__shrink_active_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc, MM_LRU_ACTIVE_ANON);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 1); /* referenced, old */
    assert_int_equal(ev(sim, MM_PSWPOUT), 1);
    uint64_t a = pte_at(sim, 1, 0), b = pte_at(sim, 2, 0);
    assert_true(a & MM_PTE_SWAP);
    assert_int_equal(a, b);
    assert_int_equal(mm__swap_count(sim, (uint32_t)MM_PTE_SWP_SLOT(a)), 2);
    assert_int_equal(pstats(sim, 1).swapents + pstats(sim, 2).swapents, 2);
    mm_sim_free(sim);
}

/* mremap moves the anchor with the PTE: reclaim still finds it. */
static void test_mremap_moves_anchor(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 2);
    assert_int_equal(touch(sim, 1, 0, true), 0);
    struct mm_folio *folio = folio_at(sim, 1, 0);
    uint64_t to = R_BASE + (1ull << 30);
    struct mm_mremap_req req = {.old_addr = R_BASE, .old_len = 2 * MM_PAGE_SIZE,
                                .new_len = 2 * MM_PAGE_SIZE,
                                .flags = MM_MREMAP_MAYMOVE | MM_MREMAP_FIXED,
                                .new_addr = to};
    assert_int_equal(mm_mremap(sim, 1, &req), 0);
    assert_int_equal(folio->nr_rmap, 1);
    assert_int_equal(folio->rmap.one.vpn, to >> 12);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 1);
    const struct mm_task *t = mm__task_find(sim, 1);
    uint64_t pte;
    assert_true(mm__hmap_get(&t->mm->ptes, to >> 12, &pte));
    assert_true(pte & MM_PTE_SWAP);
    assert_int_equal(mm_fault(sim, 1, to, false), 0);
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 1);
    mm_sim_free(sim);
}

static void map_file(struct mm_sim *sim, uint32_t flags, uint32_t prot)
{
    struct mm_map_req req = {.addr = R_BASE, .len = 16 * MM_PAGE_SIZE,
                             .prot = prot, .flags = flags, .dev = 0xfe00,
                             .ino = 9};
    assert_int_equal(mm_task_new(sim, 1), 0);
    assert_int_equal(mm_mmap(sim, 1, &req), 0);
}

/* Clean file pages are dropped (pgsteal_file, no write); the next touch
 * reads them again: a major fault. Dirty shared pages are written first. */
static void test_file_pages_dropped_and_written(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    map_file(sim, MM_MAP_SHARED, R_RW);
    assert_int_equal(touch(sim, 1, 0, false), 0); /* major: reads 16 pages */
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 1);
    assert_int_equal(touch(sim, 1, 1, true), 0);  /* dirties page 1 */
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_FILE), 16);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_FILE), 0);  /* mapped: young */
    /* referenced, old: RECLAIM_CLEAN drops the clean ones, keeps the
     * dirty one (unmapped now); the next look writes it back and drops it */
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_FILE), 15);
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_WRITTEN), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_FILE), 1);
    assert_int_equal(ev(sim, MM_PGSTEAL_FILE), 16);
    assert_int_equal(ev(sim, MM_PSWPOUT), 0);
    const struct mm_pgdat *pg = &sim->nodes[0];
    assert_int_equal(mm__node_page_state(pg, MM_NR_VMSCAN_WRITE), 1);
    assert_int_equal(mm__node_page_state(pg, MM_NR_WRITTEN), 1);
    assert_int_equal(pstats(sim, 1).rss_file, 0);
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_FILE_PAGES), 0);
    assert_int_equal(touch(sim, 1, 5, false), 0);
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 2);
    mm_sim_free(sim);
}

/* Shared anonymous (shmem) pages go to swap; the index keeps the slot and
 * the next fault reads it back (major). */
static void test_shmem_swapped(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(64);
    struct mm_map_req req = {.addr = R_BASE, .len = 2 * MM_PAGE_SIZE,
                             .prot = R_RW,
                             .flags = MM_MAP_SHARED | MM_MAP_ANONYMOUS};
    assert_int_equal(mm_task_new(sim, 1), 0);
    assert_int_equal(mm_mmap(sim, 1, &req), 0);
    assert_int_equal(touch(sim, 1, 0, true), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 1);
    assert_int_equal(ev(sim, MM_PSWPOUT), 1);
    assert_int_equal(pte_at(sim, 1, 0), 0); /* no swap PTE: the index has it */
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_SHMEM), 0);
    uint64_t total, free;
    mm_swap_info(sim, &total, &free);
    assert_int_equal(free, 63);
    assert_int_equal(touch(sim, 1, 0, false), 0);
    assert_int_equal(ev(sim, MM_PSWPIN), 1);
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 1);
    mm_swap_info(sim, &total, &free);
    assert_int_equal(free, 64);
    assert_int_equal(mm_exit(sim, 1), 0);
    mm_sim_free(sim);
}

/* folio_mark_accessed(): referenced first, activated on the second. */
static void test_mark_accessed_promotes(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    reclaim_proc(sim, 1, 1);
    assert_int_equal(touch(sim, 1, 0, true), 0);
    struct mm_folio *folio = folio_at(sim, 1, 0);
    assert_int_equal(folio->lru, MM_LRU_INACTIVE_ANON);
    mm__folio_mark_accessed(sim, folio);
    assert_int_equal(folio->lru, MM_LRU_INACTIVE_ANON);
    assert_true(folio->pgflags & MM_PG_REFERENCED);
    mm__folio_mark_accessed(sim, folio);
    assert_int_equal(folio->lru, MM_LRU_ACTIVE_ANON);
    assert_false(folio->pgflags & MM_PG_REFERENCED);
    assert_int_equal(ev(sim, MM_PGACTIVATE), 1);
    assert_int_equal(lru_pages(sim, MM_LRU_ACTIVE_ANON), 1);
    assert_int_equal(mm__zone_page_state(&sim->nodes[0].zones[MM_ZONE_DMA32],
                                         MM_NR_ZONE_ACTIVE_ANON), 1);
    mm_sim_free(sim);
}

/* A page in a VM_LOCKED mapping is moved to the unevictable list. */
static void test_mlocked_culled(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 1);
    assert_int_equal(mm_mlock(sim, 1, R_BASE, MM_PAGE_SIZE, 0), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_int_equal(lru_pages(sim, MM_LRU_UNEVICTABLE), 1);
    assert_int_equal(ev(sim, MM_PSWPOUT), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_two_anchors),
        cmocka_unit_test(test_unmap_shared_swaps_both),
        cmocka_unit_test(test_mremap_moves_anchor),
        cmocka_unit_test(test_file_pages_dropped_and_written),
        cmocka_unit_test(test_shmem_swapped),
        cmocka_unit_test(test_mark_accessed_promotes),
        cmocka_unit_test(test_mlocked_culled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
