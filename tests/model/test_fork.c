/*
 * Unit tests for model/fork.c: fork re-charges VM_ACCOUNT VMAs (and mode 2
 * refuses it), DONTFORK and WIPEONFORK, exit returns every charge and
 * frame, exec replaces the address space, vfork shares it, RLIMIT_STACK
 * bounds stack growth and is inherited.
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull
#define P 4096ull

static void test_fork_recharges_and_exit_returns(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A + 64 * MIB, 64 * MIB, RO,
                              MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(committed_kb(sim), 2 * 65536);
    assert_int_equal(pstats(sim, 2).total_vm, 2 * 16384);
    assert_int_equal(pstats(sim, 2).hiwater_vm, 2 * 16384);
    assert_int_equal(mm_fork(sim, 1, 2), MM_EEXIST);
    uint32_t pids[4] = {0};
    assert_int_equal(mm_task_pids(sim, pids, 1), 2);
    assert_int_equal(mm_task_pids(sim, pids, 4), 2);
    assert_true(pids[0] == 1 && pids[1] == 2);
    assert_int_equal(mm_exit(sim, 2), 0);
    assert_int_equal(committed_kb(sim), 65536);
    assert_int_equal(mm_exit(sim, 2), MM_ESRCH);
    mm_sim_free(sim);
}

static void test_fork_refused_in_mode2(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    sim->vm.overcommit_ratio = 0;
    sim->vm.overcommit_kbytes = 4 * (2048 + 30000);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 16384 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    uint64_t rss_before = pstats(sim, 1).rss_anon;
    /* 16384 + 16384 >= 30000 - min(16384 / 32, 131072 / 4) */
    assert_int_equal(mm_fork(sim, 1, 2), MM_ENOMEM);
    assert_null(mm__task_find(sim, 2));
    assert_int_equal(mm_vm_memory_committed(sim), 16384);
    assert_int_equal(pstats(sim, 1).rss_anon, rss_before);
    assert_int_equal(mm_fault(sim, 1, A, true), 0); /* still exclusive */
    assert_int_equal(pstats(sim, 1).min_flt, 1);
    mm_sim_free(sim);
}

static void test_dontfork_and_wipeonfork(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A + MIB, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A + 2 * MIB, 4 * P, RW, MM_MAP_PRIVATE),
                     0);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * MIB, true), 0);
    assert_int_equal(mm_madvise(sim, 1, A, 4 * P, MM_MADV_DONTFORK), 0);
    assert_int_equal(mm_madvise(sim, 1, A + MIB, 4 * P, MM_MADV_WIPEONFORK), 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    struct mm_proc_stats c = pstats(sim, 2);
    assert_int_equal(c.map_count, 2);
    assert_int_equal(c.total_vm, 8);
    assert_int_equal(c.rss_anon, 1); /* only the plain VMA's page */
    assert_int_equal(committed_kb(sim), 4 * (12 + 8));
    assert_null(mm__vma_find(mm__task_find(sim, 2)->mm, A));
    assert_int_equal(mm_fault(sim, 2, A + MIB, false), 0); /* wiped: zero */
    assert_int_equal(pstats(sim, 2).rss_anon, 1);
    mm_sim_free(sim);
}

static void test_exec_and_vfork(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_vfork(sim, 1, 2), 0);
    assert_ptr_equal(mm__task_find(sim, 1)->mm, mm__task_find(sim, 2)->mm);
    assert_int_equal(committed_kb(sim), 65536); /* shared mm: no charge */
    struct mm_exec_req ex = {.start_brk = 0x600000, .start_stack = A - 16};
    assert_int_equal(mm_exec(sim, 2, &ex), 0);
    assert_int_equal(pstats(sim, 2).total_vm, 0);
    assert_int_equal(pstats(sim, 1).total_vm, 16384); /* parent keeps it */
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    assert_int_equal(committed_kb(sim), 0);
    mm_sim_free(sim);
}

/* Attach: two processes whose snapshots name the same shmem inode. */
static void test_attach_named_shmem_and_layout(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    struct mm_map_req shm = {.addr = A, .len = 4 * P, .prot = RW,
                             .flags = MM_MAP_SHARED, .dev = 1, .ino = 1055,
                             .path = 4};
    struct mm_map_req heap = {.addr = 0x600000, .len = 8 * P, .prot = RW,
                              .flags = MM_MAP_PRIVATE};
    for (uint32_t pid = 1; pid <= 2; pid++) {
        aspace_proc(sim, pid);
        assert_int_equal(mm_vma_insert(sim, pid, &shm), 0);
    }
    assert_int_equal(mm_vm_memory_committed(sim), 0); /* pre-existing */
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(mm_fault(sim, 2, A + 8, false), 0);
    assert_int_equal(pstats(sim, 2).rss_shmem, 1);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 2, &s), 0);
    assert_true(s.pss_shmem == (P << 12) / 2);
    struct mm_exec_req lay = {.start_brk = 0x600000, .brk = 0x607123,
                              .start_stack = A - 64};
    assert_int_equal(mm_vma_insert(sim, 1, &heap), 0);
    assert_int_equal(mm_set_layout(sim, 1, &lay), 0);
    uint64_t brk;
    assert_int_equal(mm_brk(sim, 1, 0x609000, &brk), 0); /* +1 page */
    assert_int_equal(pstats(sim, 1).data_vm, 9);
    assert_int_equal(pstats(sim, 1).map_count, 2); /* merged into the heap */
    assert_int_equal(mm_set_layout(sim, 7, &lay), MM_ESRCH);
    mm_sim_free(sim);
}

/* A stack VMA grows on faults below it up to RLIMIT_STACK (the whole VMA,
 * acct_stack_growth()), never further: a fault 1 GiB below it is a SIGSEGV,
 * not a 1 GiB stack. The limit is inherited on fork. */
static void test_stack_growth_limited_by_rlimit(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    struct mm_map_req stk = {.addr = A - 32 * P, .len = 32 * P, .prot = RW,
                             .flags = MM_MAP_PRIVATE | MM_MAP_GROWSDOWN};
    assert_int_equal(mm_vma_insert(sim, 1, &stk), 0);
    uint64_t base = committed_kb(sim);
    /* 8 MiB in all: the lowest page the default limit allows */
    assert_int_equal(mm_fault(sim, 1, A - 8 * MIB, true), 0);
    assert_int_equal(committed_kb(sim), base + 8192 - 128);
    assert_int_equal(mm_fault(sim, 1, A - 8 * MIB - 1, true), MM_EFAULT);
    assert_int_equal(mm_fault(sim, 1, A - 1024 * MIB, true), MM_EFAULT);
    assert_int_equal(committed_kb(sim), base + 8192 - 128);
    assert_int_equal(mm_set_rlimit_stack(sim, 1, 16 * MIB), 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(mm_fault(sim, 2, A - 16 * MIB, true), 0);
    assert_int_equal(mm_fault(sim, 2, A - 16 * MIB - P, true), MM_EFAULT);
    assert_int_equal(mm_set_rlimit_stack(sim, 9, 0), MM_ESRCH);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_recharges_and_exit_returns),
        cmocka_unit_test(test_fork_refused_in_mode2),
        cmocka_unit_test(test_dontfork_and_wipeonfork),
        cmocka_unit_test(test_exec_and_vfork),
        cmocka_unit_test(test_attach_named_shmem_and_layout),
        cmocka_unit_test(test_stack_growth_limited_by_rlimit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
