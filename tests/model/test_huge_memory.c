/*
 * test_huge_memory.c - reclaim of anonymous THPs (model/huge_memory.c and
 * the large-folio path of vmscan_lru.c): swapped whole when the swap area
 * has a free run of 512 slots (thp_swpout, pswpout 512, the PMD split into
 * swap PTEs), split into base pages when it has not (thp_split_page; the
 * head is swapped, the tails stay mapped and queue at the inactive tail).
 */
#include "reclaim_util.h"

#define THP 512ull

/* 1 GiB of DMA32 (THP needs 512 MiB of RAM), THP always. */
static struct mm_sim *thp_boot(uint64_t swap)
{
    struct mm_machine m;
    int err = 1;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_ALWAYS);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 262144);
    m.swap_pages = swap;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    reclaim_proc(sim, 1, 2 * THP);
    assert_int_equal(touch(sim, 1, 0, true), 0);
    assert_int_equal(ev(sim, MM_THP_FAULT_ALLOC), 1);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON), THP);
    return sim;
}

static uint64_t scan(struct mm_sim *sim)
{
    struct mm_scan_control sc = {.priority = MM_DEF_PRIORITY, .may_swap = true,
                                 .nr_to_reclaim = MM_SWAP_CLUSTER_MAX};
    return mm__shrink_inactive_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc,
                                    MM_LRU_INACTIVE_ANON);
}

static void test_thp_swapped_whole(void **state)
{
    (void)state;
    struct mm_sim *sim = thp_boot(4096);
    assert_int_equal(scan(sim), 0); /* the PMD was young: one reference */
    assert_int_equal(ev(sim, MM_PGSCAN_DIRECT), THP);
    assert_int_equal(scan(sim), THP);
    assert_int_equal(ev(sim, MM_THP_SWPOUT), 1);
    assert_int_equal(ev(sim, MM_PSWPOUT), THP);
    assert_int_equal(ev(sim, MM_THP_SPLIT_PMD), 1);
    assert_int_equal(ev(sim, MM_THP_SPLIT_PAGE), 0);
    assert_int_equal(pstats(sim, 1).swapents, THP);
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    assert_true(pte_at(sim, 1, 7) & MM_PTE_SWAP);
    assert_int_equal(touch(sim, 1, 7, false), 0); /* one page comes back */
    assert_int_equal(ev(sim, MM_PSWPIN), 1);
    assert_int_equal(pstats(sim, 1).rss_anon, 1);
    assert_int_equal(mm_exit(sim, 1), 0);
    mm_sim_free(sim);
}

static void test_thp_split_when_no_run(void **state)
{
    (void)state;
    struct mm_sim *sim = thp_boot(300);
    assert_int_equal(scan(sim), 0);
    assert_int_equal(scan(sim), 1); /* split; the head is swapped */
    assert_int_equal(ev(sim, MM_THP_SPLIT_PAGE), 1);
    assert_int_equal(ev(sim, MM_PSWPOUT), 1);
    assert_int_equal(pstats(sim, 1).swapents, 1);
    assert_int_equal(pstats(sim, 1).rss_anon, THP - 1);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON), THP - 1);
    /* the tails were looked at with the THP: old and unreferenced, so the
     * next pass swaps 32 of them at once */
    assert_int_equal(scan(sim), MM_SWAP_CLUSTER_MAX);
    assert_int_equal(pstats(sim, 1).swapents, 1 + MM_SWAP_CLUSTER_MAX);
    assert_true(mm__pte_present(pte_at(sim, 1, THP - 1)));
    assert_int_equal(touch(sim, 1, THP - 1, true), 0); /* still mapped */
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thp_swapped_whole),
        cmocka_unit_test(test_thp_split_when_no_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
