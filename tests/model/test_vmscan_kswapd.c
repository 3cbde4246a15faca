/*
 * test_vmscan_kswapd.c - kswapd on the trace clock (model/vmscan_kswapd.c):
 * woken by the allocation that fails the low watermark, balancing the node
 * until a zone passes its high watermark, at most machine.kswapd_rate pages
 * per second of trace time, giving up after 16 fruitless runs; and
 * allocations faster than that rate reclaiming directly.
 */
#include "reclaim_util.h"

#define SEC 1000000000ull

static bool kswapd_awake(const struct mm_sim *sim)
{
    return sim->nodes[0].kswapd.awake;
}

/* Fill until free == low: the fast path (low watermark) still served all. */
static uint64_t fill_to_low(struct mm_sim *sim)
{
    uint64_t p = 0;
    for (; free_pages(sim) > R_LOW; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    assert_int_equal(p, R_MANAGED - R_LOW);
    assert_false(kswapd_awake(sim));
    assert_int_equal(ev(sim, MM_PAGEOUTRUN), 0);
    return p;
}

/* __zone_watermark_ok fails at free <= low: that allocation wakes kswapd
 * (wake_all_kswapds) and is served at min; kswapd then reclaims until
 * free > high and sleeps. */
static void test_wake_at_low_stop_at_high(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(4096);
    reclaim_proc(sim, 1, R_MANAGED);
    uint64_t p = fill_to_low(sim);
    assert_int_equal(touch(sim, 1, p, true), 0);
    assert_true(kswapd_awake(sim));
    assert_int_equal(free_pages(sim), R_LOW - 1);
    assert_false(mm__pgdat_balanced(sim, 0, 0, MM_ZONE_MOVABLE));
    mm_sim_set_time(sim, SEC); /* a second: far more than it needs */
    assert_false(kswapd_awake(sim));
    /* the first sweep only finds first-touch references (PG_referenced
     * set, kept); the second reclaims */
    assert_int_equal(sim->nodes[0].kswapd.failures, 0);
    assert_int_equal(ev(sim, MM_PAGEOUTRUN), 2);
    assert_true(mm__pgdat_balanced(sim, 0, 0, MM_ZONE_MOVABLE));
    assert_true(free_pages(sim) > R_HIGH);
    uint64_t stolen = ev(sim, MM_PGSTEAL_KSWAPD);
    assert_int_equal(free_pages(sim), R_LOW - 1 + stolen);
    assert_int_equal(ev(sim, MM_PSWPOUT), stolen);
    assert_int_equal(ev(sim, MM_PGSCAN_DIRECT), 0);
    assert_int_equal(ev(sim, MM_ALLOCSTALL_MOVABLE), 0);
    /* balanced: the next allocations take the fast path and wake nobody */
    assert_int_equal(touch(sim, 1, p + 1, true), 0);
    assert_false(kswapd_awake(sim));
    mm_sim_free(sim);
}

/* kswapd_rate 1000 pages/s: 10 ms of trace time is 10 pages of credit,
 * below one SWAP_CLUSTER_MAX batch, so it does nothing yet. */
static void test_rate_limits_kswapd(void **state)
{
    (void)state;
    struct mm_machine m;
    int err;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, R_MANAGED);
    m.swap_pages = 4096;
    m.kswapd_rate = 1000;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(mm_sim_sysctl_write(sim, "min_free_kbytes", "1024"), 0);
    reclaim_proc(sim, 1, R_MANAGED);
    uint64_t p = fill_to_low(sim);
    assert_int_equal(touch(sim, 1, p, true), 0);
    assert_true(kswapd_awake(sim));
    mm_sim_set_time(sim, SEC / 100);
    assert_int_equal(ev(sim, MM_PGSCAN_KSWAPD), 0);
    assert_true(kswapd_awake(sim));
    mm_sim_set_time(sim, 2 * SEC);
    assert_true(ev(sim, MM_PGSTEAL_KSWAPD) > 0);
    assert_true(ev(sim, MM_PGSTEAL_KSWAPD) <= 2000);
    mm_sim_free(sim);
}

/* Allocating faster than kswapd reclaims (1 ns per page against 1 GiB/s)
 * falls to min: direct reclaim and allocation stalls, kswapd helping. */
static void test_fast_allocation_outpaces_kswapd(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(4 * R_MANAGED);
    reclaim_proc(sim, 1, 2 * R_MANAGED);
    for (uint64_t p = 0; p < 2 * R_MANAGED; p++) {
        mm_sim_set_time(sim, 1000 * (p + 1));
        assert_int_equal(touch(sim, 1, p, true), 0);
    }
    assert_true(ev(sim, MM_ALLOCSTALL_MOVABLE) > 0);
    assert_true(ev(sim, MM_PGSTEAL_DIRECT) > 0);
    assert_true(ev(sim, MM_PGSTEAL_KSWAPD) > 0);
    struct mm_proc_stats st = pstats(sim, 1);
    assert_int_equal(st.rss_anon + st.swapents, 2 * R_MANAGED);
    assert_int_equal(ev(sim, MM_PSWPOUT), st.swapents);
    mm_sim_free(sim);
}

/* Without swap nothing is reclaimable: kswapd sweeps (pageoutrun) until
 * MAX_RECLAIM_RETRIES (16) sweeps failed, then the node is hopeless and
 * the allocations at low no longer wake it. */
static void test_hopeless_node_not_woken(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    reclaim_proc(sim, 1, R_MANAGED);
    uint64_t p = fill_to_low(sim);
    assert_int_equal(touch(sim, 1, p++, true), 0);
    assert_true(kswapd_awake(sim));
    mm_sim_set_time(sim, SEC);
    assert_false(kswapd_awake(sim));
    assert_int_equal(sim->nodes[0].kswapd.failures, MM_MAX_RECLAIM_RETRIES);
    assert_int_equal(ev(sim, MM_PAGEOUTRUN), MM_MAX_RECLAIM_RETRIES);
    assert_int_equal(touch(sim, 1, p, true), 0);
    assert_false(kswapd_awake(sim));
    assert_int_equal(ev(sim, MM_PGSCAN_KSWAPD), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_at_low_stop_at_high),
        cmocka_unit_test(test_rate_limits_kswapd),
        cmocka_unit_test(test_fast_allocation_outpaces_kswapd),
        cmocka_unit_test(test_hopeless_node_not_woken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
