/*
 * Unit tests for model/overcommit.c: CommitLimit (ratio, kbytes, hugetlb,
 * negative ratio wrap), boot reserves, the three policies at their exact
 * boundaries, MAP_NORESERVE per mode, and the failure log per version.
 */
#include "aspace_util.h"

#define BASE 0x100000000000ull

static void test_commit_limit_ratio_kbytes_hugetlb(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    assert_int_equal(mm_vm_commit_limit(sim), TOTALRAM_16G * 50 / 100);
    sim->machine.hugetlb_pages = 1000;
    sim->machine.swap_pages = 256;
    assert_int_equal(mm_vm_commit_limit(sim),
                     (TOTALRAM_16G - 1000) * 50 / 100 + 256);
    sim->vm.overcommit_kbytes = 4000000; /* hugetlb not subtracted */
    sim->vm.overcommit_ratio = 0;
    assert_int_equal(mm_vm_commit_limit(sim), 1000000 + 256);
    mm_sim_free(sim);
}

/* Live 6.18: MemTotal 24683656 kB, no swap, ratio -5. */
static void test_negative_ratio_wraps(void **state)
{
    (void)state;
    struct mm_machine m;
    int err;
    machine_init(&m, MM_KERNEL(6, 18), MM_THP_NEVER);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone_set(&m, 0, MM_ZONE_DMA32, 4096, 1044480, 782336, 772808);
    zone_set(&m, 0, MM_ZONE_NORMAL, PFN_4G, 5505024, 5505024, 5394266);
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    sim->vm.overcommit_ratio = 50;
    assert_int_equal(mm_vm_commit_limit(sim) * 4, 12341828);
    sim->vm.overcommit_ratio = -5;
    assert_true(mm_vm_commit_limit(sim) * 4 == 737869762947147880ull);
    mm_sim_free(sim);
}

static void test_boot_reserves(void **state)
{
    (void)state;
    struct mm_vm_knobs vm = {0};
    struct mm_machine m;
    machine_16g(&m, MM_KERNEL(6, 18), MM_THP_NEVER);
    mm_init_reserves(&vm, &m); /* 16 GiB free: both capped */
    assert_int_equal(vm.user_reserve_kbytes, 131072);
    assert_int_equal(vm.admin_reserve_kbytes, 8192);
    m.boot_free_pages = 803248; /* 3212992 kB free: live value 100406 */
    mm_init_reserves(&vm, &m);
    assert_int_equal(vm.user_reserve_kbytes, 100406);
    assert_int_equal(vm.admin_reserve_kbytes, 8192);
    m.boot_free_pages = 10000;
    mm_init_reserves(&vm, &m);
    assert_int_equal(vm.user_reserve_kbytes, 1250);
    assert_int_equal(vm.admin_reserve_kbytes, 1250);
}

/* Mode 2: Committed_AS + request must stay strictly below the allowance. */
static void check_never_boundary(bool admin, uint64_t allowed)
{
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    aspace_proc(sim, 10);
    assert_int_equal(mm_set_cap_sys_admin(sim, 10, admin), 0);
    assert_int_equal(map_anon(sim, 10, BASE, allowed << 12, RW, MM_MAP_PRIVATE),
                     MM_ENOMEM);
    assert_int_equal(mm_vm_memory_committed(sim), 0);
    assert_int_equal(pstats(sim, 10).total_vm, 0);
    assert_int_equal(sim->commit_log.failures, 1);
    assert_int_equal(map_anon(sim, 10, BASE, (allowed - 1) << 12, RW,
                              MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_vm_memory_committed(sim), allowed - 1);
    mm_sim_free(sim);
}

static void test_never_boundary_admin_reserve(void **state)
{
    (void)state;
    uint64_t limit = TOTALRAM_16G * 50 / 100;
    check_never_boundary(false, limit - 8192 / 4);
    check_never_boundary(true, limit);
}

/* min(total_vm / 32, user_reserve / 4) with the caller's total_vm. */
static void check_user_reserve(uint64_t total_vm, uint64_t reserve)
{
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    aspace_proc(sim, 10);
    assert_int_equal(map_anon(sim, 10, BASE, total_vm << 12, MM_PROT_READ,
                              MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 0);
    uint64_t allowed = TOTALRAM_16G * 50 / 100 - 2048 - reserve;
    uint64_t at = BASE + (total_vm << 12);
    assert_int_equal(map_anon(sim, 10, at, allowed << 12, RW, MM_MAP_PRIVATE),
                     MM_ENOMEM);
    assert_int_equal(map_anon(sim, 10, at, (allowed - 1) << 12, RW,
                              MM_MAP_PRIVATE), 0);
    mm_sim_free(sim);
}

static void test_never_user_reserve_min_rule(void **state)
{
    (void)state;
    check_user_reserve(32000, 1000);       /* total_vm / 32 */
    check_user_reserve(1280000, 131072 / 4); /* capped by user_reserve / 4 */
}

static void test_never_counts_background(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    sim->machine.bg_committed_pages = 1000000;
    aspace_proc(sim, 10);
    uint64_t allowed = TOTALRAM_16G * 50 / 100 - 2048 - 1000000;
    assert_int_equal(map_anon(sim, 10, BASE, allowed << 12, RW, MM_MAP_PRIVATE),
                     MM_ENOMEM);
    assert_int_equal(map_anon(sim, 10, BASE, (allowed - 1) << 12, RW,
                              MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 1000000 + allowed - 1);
    mm_sim_free(sim);
}

static void test_guess_and_always(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->machine.swap_pages = 100;
    aspace_proc(sim, 10);
    uint64_t big = TOTALRAM_16G + 100;
    assert_int_equal(map_anon(sim, 10, BASE, (big + 1) << 12, RW,
                              MM_MAP_PRIVATE), MM_ENOMEM);
    assert_int_equal(map_anon(sim, 10, BASE, big << 12, RW, MM_MAP_PRIVATE), 0);
    /* GUESS looks at the single request only: a second one passes too */
    assert_int_equal(map_anon(sim, 10, BASE + (big << 12), big << 12, RW,
                              MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 2 * big);
    sim->vm.overcommit_memory = 1;
    assert_int_equal(map_anon(sim, 10, BASE + (4 * big << 12),
                              (big + 1) << 12, RW, MM_MAP_PRIVATE), 0);
    mm_sim_free(sim);
}

static void test_noreserve_mode0_vs_mode2(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 10);
    assert_int_equal(map_anon(sim, 10, BASE, 64 * MIB, RW,
                              MM_MAP_PRIVATE | MM_MAP_NORESERVE), 0);
    assert_int_equal(committed_kb(sim), 0);
    sim->vm.overcommit_memory = 2;
    assert_int_equal(map_anon(sim, 10, BASE + 64 * MIB, 64 * MIB, RW,
                              MM_MAP_PRIVATE | MM_MAP_NORESERVE), 0);
    assert_int_equal(committed_kb(sim), 65536);
    mm_sim_free(sim);
}

static void fail_once(unsigned kernel, struct mm_buf *buf)
{
    struct mm_sim *sim = aspace_boot(kernel, MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    struct mm_exec_req ex = {.start_brk = 0x600000, .path = 7};
    assert_int_equal(mm_exec(sim, 13629, &ex), 0);
    assert_int_equal(map_anon(sim, 13629, BASE, 13630951424ull, RW,
                              MM_MAP_PRIVATE), MM_ENOMEM);
    assert_int_equal(mm_commit_log_render(sim, buf, NULL, NULL), 0);
    mm_sim_free(sim);
}

static const char *name_t2(void *ctx, uint32_t id)
{
    (void)ctx;
    return id == 7 ? "/tmp/t2" : NULL;
}

static void test_failure_log_per_version(void **state)
{
    (void)state;
    struct mm_buf b618 = {0}, b61 = {0};
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    struct mm_exec_req ex = {.start_brk = 0x600000, .path = 7};
    assert_int_equal(mm_exec(sim, 13629, &ex), 0);
    assert_int_equal(map_anon(sim, 13629, BASE, 13630951424ull, RW,
                              MM_MAP_PRIVATE), MM_ENOMEM);
    assert_int_equal(mm_commit_log_render(sim, &b618, name_t2, NULL), 0);
    assert_string_equal(b618.data,
                        "__vm_enough_memory: pid: 13629, comm: t2, bytes: "
                        "13630951424 not enough memory for the allocation\n");
    mm_sim_free(sim);
    fail_once(MM_KERNEL(6, 1), &b61);
    assert_string_equal(b61.data, "__vm_enough_memory: pid: 13629, comm: , "
                                  "no enough memory for the allocation\n");
    mm_buf_free(&b618);
    mm_buf_free(&b61);
}

static void test_failure_log_ratelimit(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    aspace_proc(sim, 10);
    sim->now_ns = 1000;
    for (int i = 0; i < 12; i++)
        assert_int_equal(map_anon(sim, 10, BASE, 1ull << 44, RW,
                                  MM_MAP_PRIVATE), MM_ENOMEM);
    assert_int_equal(sim->commit_log.count, 10);
    assert_int_equal(sim->commit_log.suppressed, 2);
    sim->now_ns += 5000000000ull; /* a new 5 s interval */
    assert_int_equal(map_anon(sim, 10, BASE, 1ull << 44, RW, MM_MAP_PRIVATE),
                     MM_ENOMEM);
    assert_int_equal(sim->commit_log.count, 11);
    assert_int_equal(sim->commit_log.failures, 13);
    mm_sim_free(sim);
}

static void test_comm_from_path(void **state)
{
    (void)state;
    char comm[16];
    mm_comm_from_path("/usr/bin/a-very-long-program-name", comm);
    assert_string_equal(comm, "a-very-long-pro");
    mm_comm_from_path(NULL, comm);
    assert_string_equal(comm, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_limit_ratio_kbytes_hugetlb),
        cmocka_unit_test(test_negative_ratio_wraps),
        cmocka_unit_test(test_boot_reserves),
        cmocka_unit_test(test_never_boundary_admin_reserve),
        cmocka_unit_test(test_never_user_reserve_min_rule),
        cmocka_unit_test(test_never_counts_background),
        cmocka_unit_test(test_guess_and_always),
        cmocka_unit_test(test_noreserve_mode0_vs_mode2),
        cmocka_unit_test(test_failure_log_per_version),
        cmocka_unit_test(test_failure_log_ratelimit),
        cmocka_unit_test(test_comm_from_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
