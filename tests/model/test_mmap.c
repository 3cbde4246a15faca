/*
 * Unit tests for model/mmap.c, vma.c, mremap.c, mprotect.c: the
 * reference's "verified on 6.18" Committed_AS deltas, the 6.6 mprotect
 * un-charge switched on the version, brk refusal, VMA split and merge,
 * MAP_FIXED replacement, mremap, vm.max_map_count, VmData/VmStk/VmExe.
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull
#define P 4096ull

static size_t nr_vmas(const struct mm_sim *sim, uint32_t pid)
{
    return pstats(sim, pid).map_count;
}

static const struct mm_vma *vma_at(const struct mm_sim *sim, uint32_t pid,
                                   uint64_t addr)
{
    return mm__vma_find(mm__task_find(sim, pid)->mm, addr);
}

/* KERNEL-MM-REFERENCE 1.5: "Verified on 6.18 with a test program". */
static void test_verified_committed_deltas(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(committed_kb(sim), 65536);
    assert_int_equal(mm_munmap(sim, 1, A, 64 * MIB), 0);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RW,
                              MM_MAP_PRIVATE | MM_MAP_NORESERVE), 0);
    assert_int_equal(committed_kb(sim), 0);
    assert_int_equal(mm_munmap(sim, 1, A, 64 * MIB), 0);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RO, MM_MAP_PRIVATE), 0);
    assert_int_equal(committed_kb(sim), 0);
    assert_int_equal(mm_mprotect(sim, 1, A, 64 * MIB, RW), 0);
    assert_int_equal(committed_kb(sim), 65536);
    assert_int_equal(mm_mprotect(sim, 1, A, 64 * MIB, RO), 0);
    assert_int_equal(committed_kb(sim), 0);
    assert_int_equal(mm_munmap(sim, 1, A, 64 * MIB), 0);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RW, MM_MAP_SHARED), 0);
    assert_int_equal(committed_kb(sim), 65536);
    assert_int_equal(map_anon(sim, 1, A + 64 * MIB, 64 * MIB, RO,
                              MM_MAP_SHARED), 0);
    assert_int_equal(committed_kb(sim), 131072);
    assert_int_equal(mm_munmap(sim, 1, A, 64 * MIB), 0);
    assert_int_equal(committed_kb(sim), 65536);
    assert_int_equal(mm_munmap(sim, 1, A + 64 * MIB, 64 * MIB), 0);
    assert_int_equal(committed_kb(sim), 0);
    struct mm_exec_req ex = {.start_brk = 0x5000000, .start_stack = A - P};
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    uint64_t brk;
    assert_int_equal(mm_brk(sim, 1, 0x5000000 + 16 * MIB, &brk), 0);
    assert_true(brk == 0x5000000 + 16 * MIB);
    assert_int_equal(committed_kb(sim), 16384);
    assert_int_equal(mm_brk(sim, 1, 0x5000000 + 4 * MIB + 10, &brk), 0);
    assert_true(brk == 0x5000000 + 4 * MIB + 10);
    assert_int_equal(committed_kb(sim), 4100); /* rounded up to a page */
    mm_sim_free(sim);
}

/* RW -> RO of a never-faulted anonymous VMA: un-charged from 6.6 only. */
static void check_mprotect_uncharge(unsigned kernel, bool touch, uint64_t kb)
{
    struct mm_sim *sim = aspace_boot(kernel, MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 64 * MIB, RW, MM_MAP_PRIVATE), 0);
    if (touch)
        assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(mm_mprotect(sim, 1, A, 64 * MIB, RO), 0);
    assert_int_equal(committed_kb(sim), kb);
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(committed_kb(sim), 0);
    mm_sim_free(sim);
}

static void test_mprotect_uncharge_by_version(void **state)
{
    (void)state;
    check_mprotect_uncharge(MM_KERNEL(6, 18), false, 0);
    check_mprotect_uncharge(MM_KERNEL(6, 1), false, 65536);
    check_mprotect_uncharge(MM_KERNEL(6, 18), true, 65536);
}

static void test_brk_refusal_returns_old_break(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.overcommit_memory = 2;
    sim->vm.overcommit_ratio = 0;
    sim->vm.overcommit_kbytes = 4 * (2048 + 5000);
    struct mm_exec_req ex = {.start_brk = 0x5000000, .start_stack = A - P};
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    uint64_t brk = 0;
    /* allowed 5000 pages: 4999 pass, 5000 do not (strict <) */
    assert_int_equal(mm_brk(sim, 1, 0x5000000 + 5000 * P, &brk), MM_ENOMEM);
    assert_true(brk == 0x5000000);
    assert_int_equal(mm_brk(sim, 1, 0x5000000 + 4999 * P, &brk), 0);
    assert_true(brk == 0x5000000 + 4999 * P);
    assert_int_equal(mm_brk(sim, 1, 0x5000000 + 6000 * P, &brk), MM_ENOMEM);
    assert_true(brk == 0x5000000 + 4999 * P);
    assert_int_equal(mm_brk(sim, 1, 0, &brk), 0); /* the query */
    assert_true(brk == 0x5000000 + 4999 * P);
    assert_int_equal(pstats(sim, 1).data_vm, 4999);
    mm_sim_free(sim);
}

static void test_munmap_middle_splits(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 10 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_munmap(sim, 1, A + 4 * P, 2 * P), 0);
    assert_int_equal(nr_vmas(sim, 1), 2);
    assert_true(vma_at(sim, 1, A)->end == A + 4 * P);
    assert_true(vma_at(sim, 1, A + 6 * P)->start == A + 6 * P);
    assert_null(vma_at(sim, 1, A + 5 * P));
    assert_int_equal(vma_at(sim, 1, A + 6 * P)->pgoff, (A >> 12) + 6);
    assert_int_equal(mm_vm_memory_committed(sim), 8);
    assert_int_equal(pstats(sim, 1).total_vm, 8);
    assert_int_equal(pstats(sim, 1).hiwater_vm, 10);
    mm_sim_free(sim);
}

static void test_mprotect_middle_page_split_merge(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 3 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_mprotect(sim, 1, A + P, P, RO), 0);
    assert_int_equal(nr_vmas(sim, 1), 3);
    assert_int_equal(vma_at(sim, 1, A + P)->flags & MM_VM_PROT_MASK, RO);
    assert_int_equal(mm_vm_memory_committed(sim), 2); /* 6.18 un-charge */
    assert_int_equal(pstats(sim, 1).data_vm, 2);
    assert_int_equal(mm_mprotect(sim, 1, A + P, P, RW), 0);
    assert_int_equal(nr_vmas(sim, 1), 1);
    assert_true(vma_at(sim, 1, A)->end == A + 3 * P);
    assert_int_equal(mm_vm_memory_committed(sim), 3);
    assert_int_equal(mm_mprotect(sim, 1, A + 2 * P, 2 * P, RO), MM_ENOMEM);
    assert_int_equal(nr_vmas(sim, 1), 1); /* hole: nothing changed */
    mm_sim_free(sim);
}

static void test_map_fixed_over_two_vmas(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A + 4 * P, 4 * P, RO, MM_MAP_PRIVATE), 0);
    assert_int_equal(nr_vmas(sim, 1), 2);
    assert_int_equal(map_anon(sim, 1, A + 2 * P, 4 * P, RW,
                              MM_MAP_PRIVATE | MM_MAP_FIXED), 0);
    assert_int_equal(nr_vmas(sim, 1), 2); /* merged with the RW remainder */
    assert_true(vma_at(sim, 1, A)->end == A + 6 * P);
    assert_true(vma_at(sim, 1, A + 6 * P)->start == A + 6 * P);
    assert_int_equal(mm_vm_memory_committed(sim), 6);
    assert_int_equal(pstats(sim, 1).total_vm, 8);
    struct mm_map_req req = {.addr = A, .len = P, .prot = RW,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS |
                                      MM_MAP_FIXED_NOREPLACE};
    assert_int_equal(mm_mmap(sim, 1, &req), MM_EEXIST);
    mm_sim_free(sim);
}

static void test_mremap_grow_move_dontunmap(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fault(sim, 1, A + P, true), 0);
    struct mm_mremap_req r = {A, 4 * P, 8 * P, MM_MREMAP_MAYMOVE, A};
    assert_int_equal(mm_mremap(sim, 1, &r), 0);
    assert_true(vma_at(sim, 1, A)->end == A + 8 * P);
    assert_int_equal(mm_vm_memory_committed(sim), 8);
    uint64_t C = A + 64 * MIB;
    r = (struct mm_mremap_req){A, 8 * P, 8 * P, MM_MREMAP_MAYMOVE, C};
    assert_int_equal(mm_mremap(sim, 1, &r), 0);
    assert_null(vma_at(sim, 1, A));
    assert_true(vma_at(sim, 1, C)->end == C + 8 * P);
    assert_int_equal(mm_vm_memory_committed(sim), 8);
    assert_int_equal(pstats(sim, 1).total_vm, 8);
    assert_int_equal(pstats(sim, 1).hiwater_vm, 8);
    assert_int_equal(pstats(sim, 1).rss_anon, 1); /* the page moved along */
    assert_int_equal(mm_fault(sim, 1, C + P, true), 0); /* present: no fault */
    assert_int_equal(pstats(sim, 1).min_flt, 1);
    uint64_t D = C + 64 * MIB;
    r = (struct mm_mremap_req){C, 8 * P, 8 * P,
                               MM_MREMAP_MAYMOVE | MM_MREMAP_DONTUNMAP, D};
    assert_int_equal(mm_mremap(sim, 1, &r), 0);
    assert_non_null(vma_at(sim, 1, C));
    assert_non_null(vma_at(sim, 1, D));
    assert_int_equal(mm_vm_memory_committed(sim), 16);
    r = (struct mm_mremap_req){D, 8 * P, 2 * P, 0, D}; /* shrink */
    assert_int_equal(mm_mremap(sim, 1, &r), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 10);
    mm_sim_free(sim);
}

static void test_max_map_count(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    sim->vm.max_map_count = 2;
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 8 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_munmap(sim, 1, A + P, P), 0);
    assert_int_equal(nr_vmas(sim, 1), 2);
    assert_int_equal(mm_munmap(sim, 1, A + 3 * P, P), MM_ENOMEM);
    assert_int_equal(mm_mprotect(sim, 1, A + 3 * P, P, RO), MM_ENOMEM);
    assert_int_equal(mm_madvise(sim, 1, A + 3 * P, P, MM_MADV_DONTFORK),
                     MM_ENOMEM);
    assert_int_equal(nr_vmas(sim, 1), 2);
    assert_int_equal(mm_vm_memory_committed(sim), 7);
    assert_int_equal(mm_munmap(sim, 1, A + 7 * P, P), 0); /* tail: no check */
    mm_sim_free(sim);
}

static void test_madvise_flags_split_merge(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_madvise(sim, 1, A + P, P, MM_MADV_DONTFORK), 0);
    assert_int_equal(nr_vmas(sim, 1), 3);
    assert_true(vma_at(sim, 1, A + P)->flags & MM_VM_DONTCOPY);
    assert_int_equal(mm_madvise(sim, 1, A + P, P, MM_MADV_DOFORK), 0);
    assert_int_equal(nr_vmas(sim, 1), 1);
    assert_int_equal(mm_madvise(sim, 1, A, 8 * P, MM_MADV_HUGEPAGE), MM_ENOMEM);
    assert_true(vma_at(sim, 1, A)->flags & MM_VM_HUGEPAGE);
    assert_int_equal(map_file(sim, 1, A + 64 * MIB, P, RW, MM_MAP_SHARED, 5, 0),
                     0);
    assert_int_equal(mm_madvise(sim, 1, A + 64 * MIB, P, MM_MADV_WIPEONFORK),
                     MM_EINVAL);
    assert_int_equal(mm_madvise(sim, 1, A, P, 77), MM_ENOSYS);
    mm_sim_free(sim);
}

static void test_vm_stat_classes(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    struct mm_exec_req ex = {.start_brk = 0x600000, .start_stack = A - 8,
                             .start_code = 0x401000, .end_code = 0x402800,
                             .path = 3};
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    struct mm_map_req text = {.addr = 0x401000, .len = 3 * P,
                              .prot = MM_PROT_READ | MM_PROT_EXEC,
                              .flags = MM_MAP_PRIVATE, .dev = 0xfe00,
                              .ino = 9, .path = 3, .pgoff = 1};
    struct mm_map_req lib = text;
    lib.addr = 0x7f1000000000;
    lib.len = 5 * P;
    lib.ino = 10;
    struct mm_map_req stack = {.addr = A - 33 * P, .len = 33 * P, .prot = RW,
                               .flags = MM_MAP_PRIVATE | MM_MAP_GROWSDOWN};
    assert_int_equal(mm_vma_insert(sim, 1, &text), 0);
    assert_int_equal(mm_vma_insert(sim, 1, &lib), 0);
    assert_int_equal(mm_vma_insert(sim, 1, &stack), 0);
    assert_int_equal(map_anon(sim, 1, A + P, 2 * P, RW, MM_MAP_SHARED), 0);
    struct mm_proc_stats st = pstats(sim, 1);
    assert_int_equal(st.total_vm, 3 + 5 + 33 + 2);
    assert_int_equal(st.exec_vm, 8);
    assert_int_equal(st.stack_vm, 33);
    assert_int_equal(st.data_vm, 0); /* shared writable is not data */
    assert_int_equal(st.text_pages, 2); /* PAGE_ALIGN(end_code) - start */
    assert_int_equal(st.lib_pages, 6);
    assert_int_equal(mm_vm_memory_committed(sim), 33 + 2); /* stack, shmem */
    /* stack growth below the VMA is charged */
    assert_int_equal(mm_fault(sim, 1, A - 40 * P, true), 0);
    assert_int_equal(pstats(sim, 1).stack_vm, 40);
    assert_int_equal(mm_vm_memory_committed(sim), 40 + 2);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verified_committed_deltas),
        cmocka_unit_test(test_mprotect_uncharge_by_version),
        cmocka_unit_test(test_brk_refusal_returns_old_break),
        cmocka_unit_test(test_munmap_middle_splits),
        cmocka_unit_test(test_mprotect_middle_page_split_merge),
        cmocka_unit_test(test_map_fixed_over_two_vmas),
        cmocka_unit_test(test_mremap_grow_move_dontunmap),
        cmocka_unit_test(test_max_map_count),
        cmocka_unit_test(test_madvise_flags_split_merge),
        cmocka_unit_test(test_vm_stat_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
