/*
 * test_swapfile.c - swap out and swap in (model/swapfile.c, swap_state.c,
 * the swap paths of memory.c and vmscan_lru.c): pswpout/pswpin, the major
 * fault of a swap-in (counted twice in 6.1's pgfault: the I/O retries the
 * fault), the swap cache (SwapCached) after a read swap-in, the reuse on a
 * later write, a clean swap-cache page dropped without a second write, fork
 * duplicating swap entries, munmap and exit freeing them, and the /proc
 * lines: SwapTotal, SwapFree, SwapCached, Active/Inactive, VmSwap, Swap,
 * MemAvailable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reclaim_util.h"

#define SWAP 1024ull

static uint64_t swap_free(const struct mm_sim *sim)
{
    uint64_t total, free;
    mm_swap_info(sim, &total, &free);
    assert_int_equal(total, SWAP);
    return free;
}

static uint64_t scan_anon(struct mm_sim *sim)
{
    struct mm_scan_control sc = {.priority = MM_DEF_PRIORITY, .may_swap = true,
                                 .nr_to_reclaim = MM_SWAP_CLUSTER_MAX};
    return mm__shrink_inactive_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc,
                                    MM_LRU_INACTIVE_ANON);
}

/* Four written pages, swapped out by two looks of reclaim. */
static struct mm_sim *four_swapped(void)
{
    struct mm_sim *sim = reclaim_boot(SWAP);
    reclaim_proc(sim, 1, 4);
    for (uint64_t p = 0; p < 4; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    assert_int_equal(scan_anon(sim), 0); /* first look: referenced */
    assert_int_equal(scan_anon(sim), 4);
    assert_int_equal(ev(sim, MM_PSWPOUT), 4);
    assert_int_equal(ev(sim, MM_PGPGOUT), 16); /* kB */
    assert_int_equal(pstats(sim, 1).swapents, 4);
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    assert_int_equal(swap_free(sim), SWAP - 4);
    return sim;
}

static uint64_t swapcached(const struct mm_sim *sim)
{
    return mm__global_node_page_state(sim, MM_NR_SWAPCACHED);
}

static void test_swap_in_is_major(void **state)
{
    (void)state;
    struct mm_sim *sim = four_swapped();
    assert_int_equal(touch(sim, 1, 0, false), 0);
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 1);
    assert_int_equal(ev(sim, MM_PSWPIN), 1);
    assert_int_equal(ev(sim, MM_PGFAULT), 4 + 2); /* 6.1: the retry too */
    assert_int_equal(pstats(sim, 1).maj_flt, 1);
    assert_int_equal(pstats(sim, 1).swapents, 3);
    /* a read keeps the slot: the page is in the swap cache, mapped
     * read-only */
    assert_int_equal(swapcached(sim), 1);
    assert_int_equal(swap_free(sim), SWAP - 4);
    assert_false(pte_at(sim, 1, 0) & MM_PTE_WRITE);
    /* the write reuses the page and frees the now stale slot */
    assert_int_equal(touch(sim, 1, 0, true), 0);
    assert_int_equal(ev(sim, MM_PGREUSE), 1);
    assert_int_equal(swapcached(sim), 0);
    assert_int_equal(swap_free(sim), SWAP - 3);
    /* a write swap-in of an exclusive page never enters the swap cache */
    assert_int_equal(touch(sim, 1, 1, true), 0);
    assert_int_equal(ev(sim, MM_PSWPIN), 2);
    assert_int_equal(swapcached(sim), 0);
    assert_int_equal(swap_free(sim), SWAP - 2);
    assert_int_equal(pstats(sim, 1).maj_flt, 2);
    mm_sim_free(sim);
}

/* A page read back and not written is clean against its slot: reclaim
 * drops it again without writing (pswpout unchanged). */
static void test_clean_swapcache_not_rewritten(void **state)
{
    (void)state;
    struct mm_sim *sim = four_swapped();
    uint64_t slot = MM_PTE_SWP_SLOT(pte_at(sim, 1, 2));
    assert_int_equal(touch(sim, 1, 2, false), 0);
    assert_int_equal(scan_anon(sim), 0);
    assert_int_equal(scan_anon(sim), 1);
    assert_int_equal(ev(sim, MM_PSWPOUT), 4);
    assert_int_equal(swapcached(sim), 0);
    assert_int_equal(pstats(sim, 1).swapents, 4);
    assert_int_equal(swap_free(sim), SWAP - 4);
    assert_int_equal(MM_PTE_SWP_SLOT(pte_at(sim, 1, 2)), slot);
    mm_sim_free(sim);
}

/* fork copies swap entries (swap_duplicate); the first reader reads from
 * the device, the other finds the page in the swap cache (minor). */
static void test_fork_duplicates_swap(void **state)
{
    (void)state;
    struct mm_sim *sim = four_swapped();
    uint64_t slot = MM_PTE_SWP_SLOT(pte_at(sim, 1, 0));
    assert_int_equal(mm__swap_count(sim, (uint32_t)slot), 1);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(pstats(sim, 2).swapents, 4);
    assert_int_equal(mm__swap_count(sim, (uint32_t)slot), 2);
    struct mm_smaps sm;
    assert_int_equal(mm_smaps_rollup(sim, 2, &sm), 0);
    assert_int_equal(sm.swap, 4 * MM_PAGE_SIZE);
    assert_int_equal(sm.swap_pss, (4 * MM_PAGE_SIZE << 12) / 2);
    assert_int_equal(touch(sim, 2, 0, false), 0);
    assert_int_equal(touch(sim, 1, 0, false), 0);
    assert_int_equal(ev(sim, MM_PSWPIN), 1);
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 1);
    assert_int_equal(pstats(sim, 1).maj_flt, 0);
    assert_int_equal(mm_exit(sim, 2), 0);
    uint64_t slot1 = MM_PTE_SWP_SLOT(pte_at(sim, 1, 1));
    assert_int_equal(mm__swap_count(sim, (uint32_t)slot1), 1);
    assert_int_equal(swap_free(sim), SWAP - 4);
    assert_int_equal(mm_munmap(sim, 1, R_BASE, 4 * MM_PAGE_SIZE), 0);
    assert_int_equal(pstats(sim, 1).swapents, 0);
    assert_int_equal(swap_free(sim), SWAP);
    assert_int_equal(swapcached(sim), 0);
    mm_sim_free(sim);
}

/* The value of a "Key:   N kB" line. */
static uint64_t kb(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    assert_non_null(p);
    return strtoull(p + strlen(key), NULL, 10);
}

static void test_proc_lines(void **state)
{
    (void)state;
    struct mm_sim *sim = four_swapped();
    assert_int_equal(touch(sim, 1, 0, false), 0);
    struct mm_buf b = {0};
    assert_int_equal(mm_proc_render(sim, "meminfo", &b), 0);
    assert_int_equal(kb(b.data, "SwapTotal:"), SWAP * 4);
    assert_int_equal(kb(b.data, "SwapFree:"), (SWAP - 4) * 4);
    assert_int_equal(kb(b.data, "SwapCached:"), 4);
    assert_int_equal(kb(b.data, "\nCached:"), 0); /* NR_FILE_PAGES - SwapCached */
    assert_int_equal(kb(b.data, "Inactive(anon):"), 4);
    assert_int_equal(kb(b.data, "Active(anon):"), 0);
    mm_buf_free(&b);
    assert_int_equal(mm_proc_render(sim, "1/status", &b), 0);
    assert_int_equal(kb(b.data, "VmSwap:"), 12);
    assert_int_equal(kb(b.data, "RssAnon:"), 4);
    mm_buf_free(&b);
    assert_int_equal(mm_proc_render(sim, "1/smaps_rollup", &b), 0);
    assert_int_equal(kb(b.data, "\nSwap:"), 12);
    mm_buf_free(&b);
    assert_int_equal(mm_proc_render(sim, "vmstat", &b), 0);
    assert_int_equal(kb(b.data, "\npswpout "), 4);
    assert_int_equal(kb(b.data, "\npswpin "), 1);
    assert_int_equal(kb(b.data, "\nnr_inactive_anon "), 1);
    mm_buf_free(&b);
    mm_sim_free(sim);
}

/*
 * si_mem_available(): free - totalreserve_pages + pagecache -
 * min(pagecache / 2, Σ low watermarks). One major read fault on a file
 * mapping reads 32 pages around it (16 before, clamped at 0: pages 0-31),
 * all on the inactive file list.
 */
static void test_mem_available(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    struct mm_map_req req = {.addr = R_BASE, .len = 64 * MM_PAGE_SIZE,
                             .prot = MM_PROT_READ, .flags = MM_MAP_PRIVATE,
                             .dev = 0xfe00, .ino = 7};
    assert_int_equal(mm_task_new(sim, 1), 0);
    assert_int_equal(mm_mmap(sim, 1, &req), 0);
    assert_int_equal(touch(sim, 1, 0, false), 0);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_FILE), 32);
    uint64_t low = 0;
    for (int z = 0; z < MM_NR_ZONES; z++)
        low += mm__wmark_pages(&sim->nodes[0].zones[z], MM_WMARK_LOW);
    uint64_t pc = 32 - (16 < low ? 16 : low);
    uint64_t want = free_pages(sim) - sim->totalreserve_pages + pc;
    assert_int_equal(mm__si_mem_available(sim), want);
    struct mm_buf b = {0};
    assert_int_equal(mm_proc_render(sim, "meminfo", &b), 0);
    assert_int_equal(kb(b.data, "MemAvailable:"), want * 4);
    assert_int_equal(kb(b.data, "Inactive(file):"), 32 * 4);
    mm_buf_free(&b);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap_in_is_major),
        cmocka_unit_test(test_clean_swapcache_not_rewritten),
        cmocka_unit_test(test_fork_duplicates_swap),
        cmocka_unit_test(test_proc_lines),
        cmocka_unit_test(test_mem_available),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
