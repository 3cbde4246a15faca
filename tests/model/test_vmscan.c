/*
 * test_vmscan.c - the reclaim rules of model/vmscan.c and vmscan_lru.c
 * with values worked out from the kernel's rules (mm/vmscan.c, 6.1):
 * get_scan_count's split by swappiness and cost, inactive_is_low, the
 * two-reference promotion of folio_check_references, deactivation by
 * shrink_active_list, swappiness 0 on the classic LRU, direct reclaim.
 */
#include "reclaim_util.h"

/* Sizes of the four evictable lists, set directly for get_scan_count. */
static void set_lists(struct mm_sim *sim, int64_t ia, int64_t aa, int64_t inf,
                      int64_t af)
{
    int64_t *st = sim->nodes[0].node_stat;
    st[MM_NR_INACTIVE_ANON] = ia;
    st[MM_NR_ACTIVE_ANON] = aa;
    st[MM_NR_INACTIVE_FILE] = inf;
    st[MM_NR_ACTIVE_FILE] = af;
}

static struct mm_scan_control pass(int priority)
{
    return (struct mm_scan_control){.priority = priority, .may_swap = true,
                                    .nr_to_reclaim = MM_SWAP_CLUSTER_MAX};
}

/* SCAN_FRACT without recorded cost: ap = swappiness, fp = 200 - swappiness. */
static void test_scan_count_swappiness(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    uint64_t nr[4];
    struct mm_scan_control sc = pass(2);
    set_lists(sim, 40000, 0, 40000, 0);
    mm__get_scan_count(sim, 0, &sc, nr);
    /* (40000 >> 2) * 60 / 200 and * 140 / 200 */
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON], 3000);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE], 7000);
    assert_int_equal(mm_sim_sysctl_write(sim, "swappiness", "200"), 0);
    mm__get_scan_count(sim, 0, &sc, nr);
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON], 10000);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE], 0);
    assert_int_equal(mm_sim_sysctl_write(sim, "swappiness", "0"), 0);
    mm__get_scan_count(sim, 0, &sc, nr);
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON], 0);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE], 10000);
    mm_sim_free(sim);
}

/* The cost terms: anon_cost 100, file_cost 300 -> A = 500, F = 700,
 * T = 1200, ap = 60 * 1201 / 501 = 143, fp = 140 * 1201 / 701 = 239. */
static void test_scan_count_cost(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    uint64_t nr[4];
    struct mm_scan_control sc = pass(2);
    sc.anon_cost = 100;
    sc.file_cost = 300;
    set_lists(sim, 40000, 4000, 40000, 8000);
    mm__get_scan_count(sim, 0, &sc, nr);
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON], 10000 * 143 / 382);
    assert_int_equal(nr[MM_LRU_ACTIVE_ANON], 1000 * 143 / 382);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE], 10000 * 239 / 382);
    assert_int_equal(nr[MM_LRU_ACTIVE_FILE], 2000 * 239 / 382);
    mm_sim_free(sim);
}

/* The balances that are not a fraction: no swap, priority 0, tiny file
 * (anon even at swappiness 0), cache trim mode. */
static void test_scan_count_balances(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    uint64_t nr[4];
    struct mm_scan_control sc = pass(0);
    set_lists(sim, 400, 40, 800, 80);
    mm__get_scan_count(sim, 0, &sc, nr); /* SCAN_EQUAL */
    assert_int_equal(nr[0] + nr[1] + nr[2] + nr[3], 1320);
    assert_int_equal(mm_sim_sysctl_write(sim, "swappiness", "0"), 0);
    sc = pass(3);
    sc.file_is_tiny = true;
    mm__get_scan_count(sim, 0, &sc, nr); /* SCAN_ANON */
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON], 50);
    assert_int_equal(nr[MM_LRU_ACTIVE_ANON], 5);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE] + nr[MM_LRU_ACTIVE_FILE], 0);
    sc.file_is_tiny = false;
    sc.cache_trim_mode = true;
    mm__get_scan_count(sim, 0, &sc, nr); /* SCAN_FILE */
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON] + nr[MM_LRU_ACTIVE_ANON], 0);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE], 100);
    mm_sim_free(sim);
    sim = reclaim_boot(0); /* no swap: file only, whatever the swappiness */
    set_lists(sim, 400, 40, 800, 80);
    sc = pass(3);
    sc.file_is_tiny = true;
    mm__get_scan_count(sim, 0, &sc, nr);
    assert_int_equal(nr[MM_LRU_INACTIVE_ANON] + nr[MM_LRU_ACTIVE_ANON], 0);
    assert_int_equal(nr[MM_LRU_INACTIVE_FILE], 100);
    mm_sim_free(sim);
}

/* inactive * int_sqrt(10 * GiB) < active. */
static void test_inactive_is_low(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    set_lists(sim, 1000, 1001, 0, 0); /* < 1 GiB: ratio 1 */
    assert_true(mm__inactive_is_low(sim, 0, MM_LRU_INACTIVE_ANON));
    set_lists(sim, 1001, 1001, 0, 0);
    assert_false(mm__inactive_is_low(sim, 0, MM_LRU_INACTIVE_ANON));
    /* 2640000 pages = 10 GiB: ratio int_sqrt(100) = 10 */
    set_lists(sim, 0, 0, 240000, 2400000);
    assert_false(mm__inactive_is_low(sim, 0, MM_LRU_INACTIVE_FILE));
    set_lists(sim, 0, 0, 239999, 2400001);
    assert_true(mm__inactive_is_low(sim, 0, MM_LRU_INACTIVE_FILE));
    set_lists(sim, 0, 0, 0, 0);
    mm_sim_free(sim);
}

static uint64_t scan_inactive_anon(struct mm_sim *sim)
{
    struct mm_scan_control sc = pass(MM_DEF_PRIORITY);
    return mm__shrink_inactive_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc,
                                    MM_LRU_INACTIVE_ANON);
}

/*
 * folio_check_references(): a folio with one young PTE and no
 * PG_referenced is kept and marked; the next look activates it if it was
 * used again, and reclaims it (swap out) if not.
 */
static void test_second_reference_promotes(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 4);
    for (uint64_t p = 0; p < 4; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON), 4);
    assert_int_equal(scan_inactive_anon(sim), 0);
    assert_int_equal(ev(sim, MM_PGSCAN_DIRECT), 4);
    assert_int_equal(ev(sim, MM_PGACTIVATE), 0);
    assert_true(folio_at(sim, 1, 2)->pgflags & MM_PG_REFERENCED);
    assert_false(pte_at(sim, 1, 2) & MM_PTE_YOUNG);
    assert_int_equal(touch(sim, 1, 1, false), 0); /* used again */
    assert_true(pte_at(sim, 1, 1) & MM_PTE_YOUNG);
    assert_int_equal(scan_inactive_anon(sim), 3);
    assert_int_equal(ev(sim, MM_PGACTIVATE), 1);
    assert_int_equal(ev(sim, MM_PSWPOUT), 3);
    assert_int_equal(ev(sim, MM_PGSTEAL_DIRECT), 3);
    assert_int_equal(ev(sim, MM_PGSCAN_ANON), 8);
    assert_int_equal(lru_pages(sim, MM_LRU_ACTIVE_ANON), 1);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_true(pte_at(sim, 1, 0) & MM_PTE_SWAP);
    assert_true(mm__pte_present(pte_at(sim, 1, 1)));
    mm_sim_free(sim);
}

/* shrink_active_list(): anonymous folios are deactivated, used or not;
 * pgrefill counts the scan, pgdeactivate the moves. */
static void test_active_list_deactivates(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 2);
    for (uint64_t p = 0; p < 2; p++) {
        assert_int_equal(touch(sim, 1, p, true), 0);
        mm__folio_activate(sim, folio_at(sim, 1, p));
    }
    assert_int_equal(ev(sim, MM_PGACTIVATE), 2);
    assert_int_equal(lru_pages(sim, MM_LRU_ACTIVE_ANON), 2);
    struct mm_scan_control sc = pass(MM_DEF_PRIORITY);
    mm__shrink_active_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc, MM_LRU_ACTIVE_ANON);
    assert_int_equal(ev(sim, MM_PGREFILL), 2);
    assert_int_equal(ev(sim, MM_PGDEACTIVATE), 2);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_ANON), 2);
    assert_true(folio_at(sim, 1, 0)->pgflags & MM_PG_WORKINGSET);
    assert_false(pte_at(sim, 1, 0) & MM_PTE_YOUNG); /* the look cleared it */
    mm_sim_free(sim);
}

/* Fill to the min watermark, then one more page: direct reclaim. */
static void fill_to_min(struct mm_sim *sim, uint64_t *next)
{
    uint64_t p = 0;
    for (; free_pages(sim) > R_MIN; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    assert_int_equal(ev(sim, MM_ALLOCSTALL_MOVABLE), 0);
    assert_int_equal(p, R_MANAGED - R_MIN);
    *next = p;
}

/* Below min the allocation reclaims directly (allocstall_movable: user
 * pages are ZONE_MOVABLE allocations) at least SWAP_CLUSTER_MAX pages. */
static void test_direct_reclaim_below_min(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(4096);
    uint64_t p;
    reclaim_proc(sim, 1, R_MANAGED);
    fill_to_min(sim, &p);
    assert_int_equal(touch(sim, 1, p, true), 0);
    assert_int_equal(ev(sim, MM_ALLOCSTALL_MOVABLE), 1);
    uint64_t stolen = ev(sim, MM_PGSTEAL_DIRECT);
    assert_true(stolen >= MM_SWAP_CLUSTER_MAX);
    assert_int_equal(ev(sim, MM_PSWPOUT), stolen);
    assert_int_equal(free_pages(sim), R_MIN + stolen - 1);
    assert_int_equal(pstats(sim, 1).swapents, stolen);
    assert_int_equal(ev(sim, MM_PGSCAN_KSWAPD), 0);
    assert_int_equal(sim->nr_alloc_fail, 0);
    mm_sim_free(sim);
}

/* vm.swappiness = 0 on the classic LRU: with no page cache, file + free
 * falls below the high watermark (file_is_tiny) and anon is swapped. */
static void test_swappiness_zero_still_swaps(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(4096);
    assert_int_equal(mm_sim_sysctl_write(sim, "swappiness", "0"), 0);
    uint64_t p;
    reclaim_proc(sim, 1, R_MANAGED);
    fill_to_min(sim, &p);
    assert_int_equal(touch(sim, 1, p, true), 0);
    assert_true(ev(sim, MM_PSWPOUT) >= MM_SWAP_CLUSTER_MAX);
    assert_int_equal(sim->nr_alloc_fail, 0);
    mm_sim_free(sim);
}

/* Without swap, anonymous memory cannot be reclaimed: the allocation that
 * falls below min fails at the slow path's failure site, once. */
static void test_no_swap_fails_at_min(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    uint64_t p;
    reclaim_proc(sim, 1, R_MANAGED);
    fill_to_min(sim, &p);
    assert_int_equal(touch(sim, 1, p, true), MM_ENOMEM);
    assert_int_equal(sim->nr_alloc_fail, 1);
    assert_int_equal(ev(sim, MM_ALLOCSTALL_MOVABLE), 1);
    assert_int_equal(ev(sim, MM_PGSTEAL_DIRECT), 0);
    assert_int_equal(free_pages(sim), R_MIN);
    mm_sim_free(sim);
}

/* A charge over memory.max reclaims from the cgroup first: with swap the
 * workload outgrows its limit by swapping, without allocation stalls (cgroup
 * reclaim counts only in pgscan_anon/pgsteal_anon globally). */
static void test_memcg_limit_swaps(void **state)
{
    (void)state;
    struct mm_machine m;
    int err;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, R_MANAGED);
    m.swap_pages = 4096;
    m.memcg_max_pages = 2000;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    reclaim_proc(sim, 1, 3000);
    for (uint64_t p = 0; p < 3000; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    struct mm_memcg_stats ms;
    mm_memcg_stats(sim, &ms);
    assert_true(ms.usage <= 2000);
    assert_int_equal(ms.events_oom, 0);
    struct mm_proc_stats st = pstats(sim, 1);
    assert_int_equal(st.rss_anon + st.swapents, 3000);
    assert_int_equal(ms.usage, st.rss_anon);
    assert_int_equal(ev(sim, MM_PSWPOUT), st.swapents);
    assert_int_equal(ev(sim, MM_PGSTEAL_ANON), st.swapents);
    assert_int_equal(ev(sim, MM_ALLOCSTALL_MOVABLE), 0);
    assert_int_equal(ev(sim, MM_PGSCAN_DIRECT) + ev(sim, MM_PGSCAN_KSWAPD), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_count_swappiness),
        cmocka_unit_test(test_scan_count_cost),
        cmocka_unit_test(test_scan_count_balances),
        cmocka_unit_test(test_inactive_is_low),
        cmocka_unit_test(test_second_reference_promotes),
        cmocka_unit_test(test_active_list_deactivates),
        cmocka_unit_test(test_direct_reclaim_below_min),
        cmocka_unit_test(test_swappiness_zero_still_swaps),
        cmocka_unit_test(test_no_swap_fails_at_min),
        cmocka_unit_test(test_memcg_limit_swaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
