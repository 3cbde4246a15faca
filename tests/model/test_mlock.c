/*
 * Unit tests for model/mlock.c: mlock populates and locks (VmLck, Locked,
 * split and merge), MLOCK_ONFAULT does not populate, MAP_POPULATE faults
 * counted like GUP, mlockall(MCL_CURRENT|MCL_FUTURE) for later mmap and brk.
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull
#define P 4096ull

static void test_mlock_populates_and_locks(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 8 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_mlock(sim, 1, A + 2 * P + 100, 3 * P, 0), 0);
    struct mm_proc_stats st = pstats(sim, 1);
    assert_int_equal(st.map_count, 3);
    assert_int_equal(st.locked_vm, 4); /* 0x2064 + 3 pages: 4 pages */
    assert_int_equal(st.rss_anon, 4);
    assert_int_equal(st.min_flt, 4);
    struct mm_fault_counters c;
    mm_fault_counters(sim, &c);
    assert_int_equal(c.pgfault, 4);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 1, &s), 0);
    assert_true(s.pss_locked >> 12 == 4 * P);
    assert_int_equal(mm_munlock(sim, 1, A, 8 * P), 0);
    assert_int_equal(pstats(sim, 1).map_count, 1);
    assert_int_equal(pstats(sim, 1).locked_vm, 0);
    assert_int_equal(mm_mlock(sim, 1, A, 16 * P, 0), MM_ENOMEM); /* hole */
    assert_int_equal(mm_mlock(sim, 1, A, 8 * P, 1), 0); /* ONFAULT */
    assert_int_equal(pstats(sim, 1).rss_anon, 4);
    assert_int_equal(pstats(sim, 1).locked_vm, 8);
    mm_sim_free(sim);
}

static void test_map_populate(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 8 * P, RW,
                              MM_MAP_PRIVATE | MM_MAP_POPULATE), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 8);
    assert_int_equal(map_anon(sim, 1, A + MIB, 8 * P, RO,
                              MM_MAP_PRIVATE | MM_MAP_POPULATE), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 8); /* zero pages */
    assert_int_equal(pstats(sim, 1).min_flt, 16);
    assert_int_equal(map_anon(sim, 1, A + 2 * MIB, 8 * P, RW,
                              MM_MAP_SHARED | MM_MAP_POPULATE |
                                  MM_MAP_NONBLOCK), 0);
    assert_int_equal(pstats(sim, 1).rss_shmem, 0); /* NONBLOCK: none */
    assert_int_equal(map_anon(sim, 1, A + 3 * MIB, 8 * P, RW,
                              MM_MAP_SHARED | MM_MAP_LOCKED), 0);
    assert_int_equal(pstats(sim, 1).rss_shmem, 8); /* read faults: shmem */
    assert_int_equal(pstats(sim, 1).locked_vm, 8);
    mm_sim_free(sim);
}

static void test_mlockall_future(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    struct mm_exec_req ex = {.start_brk = 0x600000, .start_stack = A - 16};
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    assert_int_equal(map_anon(sim, 1, A, 2 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_mlockall(sim, 1, 0), MM_EINVAL);
    assert_int_equal(mm_mlockall(sim, 1, 1 | 2), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 2);
    assert_int_equal(map_anon(sim, 1, A + MIB, 3 * P, RW, MM_MAP_PRIVATE), 0);
    uint64_t brk;
    assert_int_equal(mm_brk(sim, 1, 0x600000 + 5 * P, &brk), 0);
    struct mm_proc_stats st = pstats(sim, 1);
    assert_int_equal(st.rss_anon, 2 + 3 + 5);
    assert_int_equal(st.locked_vm, 10);
    assert_int_equal(mm_munlockall(sim, 1), 0);
    assert_int_equal(pstats(sim, 1).locked_vm, 0);
    assert_int_equal(map_anon(sim, 1, A + 2 * MIB, 3 * P, RW, MM_MAP_PRIVATE),
                     0);
    assert_int_equal(pstats(sim, 1).rss_anon, 10);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlock_populates_and_locks),
        cmocka_unit_test(test_map_populate),
        cmocka_unit_test(test_mlockall_future),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
