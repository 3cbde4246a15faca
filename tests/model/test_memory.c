/*
 * Unit tests for model/memory.c, memory_pt.c, filemap.c: zero page then
 * write, COW after fork, PSS of a page shared three ways, the shared page
 * cache (major then minor, fault-around), shmem, THP, MADV_DONTNEED/FREE,
 * page-table counting, and frames returned to the buddy allocator.
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull
#define P 4096ull
#define H (2 * MIB)

static uint64_t free_pages(const struct mm_sim *sim)
{
    uint64_t n = 0;
    for (int t = 0; t < MM_NR_ZONES; t++)
        n += mm__zone_free_pages(&sim->nodes[0].zones[t]);
    return n;
}

static struct mm_fault_counters counters(const struct mm_sim *sim)
{
    struct mm_fault_counters c;
    mm_fault_counters(sim, &c);
    return c;
}

/* Reference 4.1, verified on 6.18: 4096 reads, then 4096 writes. */
static void test_zero_page_then_write(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    uint64_t before = free_pages(sim);
    assert_int_equal(map_anon(sim, 1, A, 4096 * P, RW, MM_MAP_PRIVATE), 0);
    for (uint64_t i = 0; i < 4096; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P + 8, false), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 4096);
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    assert_int_equal(free_pages(sim), before);
    for (uint64_t i = 0; i < 4096; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 8192);
    assert_int_equal(pstats(sim, 1).rss_anon * 4, 16384);
    assert_int_equal(counters(sim).pgfault, 8192);
    assert_int_equal(mm_fault(sim, 1, A, true), 0); /* present: spurious */
    assert_int_equal(counters(sim).pgfault, 8192);
    assert_int_equal(mm_fault(sim, 1, A - P, false), MM_EFAULT);
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(free_pages(sim), before);
    mm_sim_free(sim);
}

/* Live on the development machine (pvm_no_zero_page=1): 4096 reads take
 * 4096 faults and add 16384 kB RssAnon; the writes then take none. */
static void test_no_zero_page_machine(void **state)
{
    (void)state;
    struct mm_machine m;
    int err;
    machine_16g(&m, MM_KERNEL(6, 18), MM_THP_MADVISE);
    m.no_zero_page = true;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4096 * P, RW, MM_MAP_PRIVATE), 0);
    for (uint64_t i = 0; i < 4096; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, false), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 4096);
    assert_int_equal(pstats(sim, 1).rss_anon * 4, 16384);
    for (uint64_t i = 0; i < 4096; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 4096);
    mm_sim_free(sim);
}

static void test_cow_after_fork(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    uint64_t before = free_pages(sim);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(pstats(sim, 2).rss_anon, 1);
    assert_int_equal(free_pages(sim), before); /* shared, not copied */
    assert_int_equal(mm_fault(sim, 2, A, true), 0); /* first writer copies */
    assert_int_equal(free_pages(sim), before - 1);
    assert_int_equal(counters(sim).pgreuse, 0);
    assert_int_equal(pstats(sim, 2).rss_anon, 1);
    assert_int_equal(mm_fault(sim, 1, A, true), 0); /* sole owner reuses */
    assert_int_equal(counters(sim).pgreuse, 1);
    assert_int_equal(free_pages(sim), before - 1);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    assert_int_equal(pstats(sim, 2).min_flt, 1);
    mm_sim_free(sim);
}

/* (4096 << 12) / 3 per page, summed over the pages, shifted at print. */
static void test_pss_shared_by_three(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 1000 * P, RW, MM_MAP_PRIVATE), 0);
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(mm_fork(sim, 1, 3), 0);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 3, &s), 0);
    assert_true(s.pss == 1000ull * ((4096ull << 12) / 3));
    assert_true(s.pss >> 12 == 1365333); /* per-page shifting: 1365000 */
    assert_true(s.resident == 1000 * P);
    assert_true(s.shared_dirty == 1000 * P);
    assert_true(s.private_clean + s.private_dirty == 0); /* USS */
    assert_true(s.pss_anon == s.pss);
    assert_int_equal(mm_exit(sim, 2), 0);
    assert_int_equal(mm_exit(sim, 3), 0);
    assert_int_equal(mm_smaps_rollup(sim, 1, &s), 0);
    assert_true(s.pss >> 12 == 1000 * P);
    assert_true(s.private_dirty == 1000 * P);
    mm_sim_free(sim);
}

static void test_page_cache_shared_major_minor(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    aspace_proc(sim, 2);
    assert_int_equal(map_file(sim, 1, A, 64 * P, RO, MM_MAP_PRIVATE, 42, 0), 0);
    assert_int_equal(map_file(sim, 2, A + H, 64 * P, RO, MM_MAP_PRIVATE, 42, 0),
                     0);
    uint64_t before = free_pages(sim);
    assert_int_equal(mm_fault(sim, 1, A, false), 0); /* miss: major */
    assert_int_equal(pstats(sim, 1).maj_flt, 1);
    assert_int_equal(pstats(sim, 1).rss_file, 16); /* retry: fault-around */
    assert_int_equal(counters(sim).pgmajfault, 1);
    assert_int_equal(counters(sim).pgfault, 1);
    assert_int_equal(free_pages(sim), before - 32); /* read-around, 128 KiB */
    assert_int_equal(mm_fault(sim, 1, A + P, false), 0); /* mapped already */
    assert_int_equal(pstats(sim, 1).min_flt, 0);
    assert_int_equal(mm_fault(sim, 1, A + 16 * P, false), 0); /* cached */
    assert_int_equal(pstats(sim, 1).min_flt, 1);
    assert_int_equal(pstats(sim, 1).rss_file, 32);
    assert_int_equal(mm_fault(sim, 2, A + H + 5 * P, false), 0);
    assert_int_equal(pstats(sim, 2).maj_flt, 0);
    assert_int_equal(pstats(sim, 2).min_flt, 1);
    assert_int_equal(pstats(sim, 2).rss_file, 16);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 2, &s), 0);
    assert_true(s.pss_file == 16 * (P << 12) / 2);
    assert_true(s.shared_clean == 16 * P);
    assert_int_equal(counters(sim).pgfault, 3);
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(mm_exit(sim, 2), 0);
    assert_int_equal(free_pages(sim), before - 32); /* still cached */
    struct mm_page_counts pc;
    mm_page_counts(sim, &pc);
    assert_true(pc.file == 32 && pc.anon == 0 && pc.shmem == 0);
    mm_sim_free(sim);
}

/* Fault-around's window when the VMA starts inside the aligned 16-page
 * block: 16 pages from the VMA's start, past the block (do_fault_around()
 * clamps the start and counts 16 from there). Live on 6.18, a 64-page
 * mapping of a cached file starting 14 pages into a 2 MiB-aligned region:
 * a read of its page 0 maps pages 0-15; of its page 3 (block-aligned at
 * page 2) pages 2-17; starting 510 pages in, a read of page 0 maps pages
 * 0-1 (the page table ends); starting 500 pages in, a read of page 60 maps
 * 60-63 (the VMA ends). */
static void test_fault_around_window_from_vma_start(void **state)
{
    (void)state;
    static const struct {
        uint64_t skew, touch, first, n;
    } c[] = {{14, 0, 0, 16}, {14, 3, 2, 16}, {510, 0, 0, 2}, {500, 60, 60, 4}};
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
        aspace_proc(sim, 1);
        uint64_t start = A + c[i].skew * P;
        assert_int_equal(map_file(sim, 1, start, 64 * P, RO, MM_MAP_PRIVATE,
                                  42, 0), 0);
        assert_int_equal(mm_filemap_cached(sim, 1, start, 64), 0);
        assert_int_equal(mm_fault(sim, 1, start + c[i].touch * P, false), 0);
        assert_int_equal(pstats(sim, 1).min_flt, 1);
        assert_int_equal(pstats(sim, 1).rss_file, c[i].n);
        /* the window's pages are mapped: reading them is spurious */
        assert_int_equal(mm_fault(sim, 1, start + c[i].first * P, false), 0);
        assert_int_equal(mm_fault(sim, 1,
                                  start + (c[i].first + c[i].n - 1) * P,
                                  false), 0);
        assert_int_equal(pstats(sim, 1).min_flt, 1);
        mm_sim_free(sim);
    }
}

/* 6.1 counted the retried attempt of a major fault in pgfault too. */
static void test_major_fault_pgfault_61(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 1), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_file(sim, 1, A, 64 * P, RO, MM_MAP_PRIVATE, 42, 0), 0);
    assert_int_equal(mm_fault(sim, 1, A + 40 * P, false), 0);
    assert_int_equal(counters(sim).pgfault, 2);
    assert_int_equal(counters(sim).pgmajfault, 1);
    assert_int_equal(pstats(sim, 1).maj_flt, 1);
    assert_int_equal(pstats(sim, 1).min_flt, 0);
    assert_int_equal(pstats(sim, 1).rss_file, 16);
    mm_sim_free(sim);
}

static void test_private_file_write_is_anon(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_file(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 4);
    assert_int_equal(mm_fault(sim, 1, A, true), 0); /* do_cow_fault */
    assert_int_equal(pstats(sim, 1).maj_flt, 1);
    assert_int_equal(pstats(sim, 1).rss_anon, 1);
    assert_int_equal(pstats(sim, 1).rss_file, 0);
    assert_int_equal(mm_fault(sim, 1, A + P, false), 0); /* cached: minor */
    assert_int_equal(pstats(sim, 1).rss_file, 3); /* fault-around */
    assert_int_equal(mm_fault(sim, 1, A + P, true), 0); /* COW of file page */
    assert_int_equal(pstats(sim, 1).rss_file, 2);
    assert_int_equal(pstats(sim, 1).rss_anon, 2);
    mm_sim_free(sim);
}

static void test_shmem_shared_with_child(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_SHARED), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(pstats(sim, 1).rss_shmem, 1);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 4); /* one object */
    assert_int_equal(pstats(sim, 2).rss_shmem, 0); /* not copied: no anon_vma */
    assert_int_equal(mm_fault(sim, 2, A, false), 0);
    assert_int_equal(pstats(sim, 2).rss_shmem, 1);
    assert_int_equal(pstats(sim, 2).maj_flt, 0);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 2, &s), 0);
    assert_true(s.pss_shmem == (P << 12) / 2);
    struct mm_page_counts pc;
    mm_page_counts(sim, &pc);
    assert_true(pc.file == 1 && pc.shmem == 1 && pc.anon == 0);
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 4);
    assert_int_equal(mm_exit(sim, 2), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 0); /* object freed */
    mm_page_counts(sim, &pc);
    assert_true(pc.file == 0 && pc.shmem == 0);
    mm_sim_free(sim);
}

/* Reference 4.5, verified: 4 MiB MADV_HUGEPAGE write = 2 faults. */
static void test_thp_madvise_write(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_MADVISE);
    aspace_proc(sim, 1);
    uint64_t before = free_pages(sim);
    assert_int_equal(map_anon(sim, 1, A, 2 * H, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_madvise(sim, 1, A, 2 * H, MM_MADV_HUGEPAGE), 0);
    for (uint64_t off = 0; off < 2 * H; off += P)
        assert_int_equal(mm_fault(sim, 1, A + off, true), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    assert_int_equal(pstats(sim, 1).rss_anon * 4, 4096);
    assert_int_equal(counters(sim).thp_fault_alloc, 2);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 1, &s), 0);
    assert_true(s.anonymous_thp >> 10 == 4096);
    /* one deposited PTE table per THP, one PMD and one PUD table */
    assert_int_equal(pstats(sim, 1).pgtables_bytes, 4 * P);
    assert_int_equal(mm_madvise(sim, 1, A + H - P, 2 * P, MM_MADV_DONTNEED), 0);
    assert_int_equal(mm_smaps_rollup(sim, 1, &s), 0);
    assert_true(s.anonymous_thp == 0); /* both PMDs split */
    assert_int_equal(pstats(sim, 1).rss_anon, 1022);
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(free_pages(sim), before);
    mm_sim_free(sim);
}

static void test_thp_zero_then_write_and_never(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_ALWAYS);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, H, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fault(sim, 1, A + 5 * P, false), 0); /* huge zero */
    assert_int_equal(mm_fault(sim, 1, A + 9 * P, false), 0); /* present */
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    assert_int_equal(mm_fault(sim, 1, A + 9 * P, true), 0); /* split, 4 KiB */
    assert_int_equal(pstats(sim, 1).rss_anon, 1);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    assert_int_equal(counters(sim).thp_fault_alloc, 0);
    assert_int_equal(mm_madvise(sim, 1, A, H, MM_MADV_NOHUGEPAGE), 0);
    assert_int_equal(map_anon(sim, 1, A + 4 * H, H, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_madvise(sim, 1, A + 4 * H, H, MM_MADV_NOHUGEPAGE), 0);
    for (uint64_t off = 0; off < H; off += P)
        assert_int_equal(mm_fault(sim, 1, A + 4 * H + off, true), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 2 + 512);
    mm_sim_free(sim);
}

static void test_dontneed_and_free(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 8 * P, RW, MM_MAP_PRIVATE), 0);
    for (uint64_t i = 0; i < 8; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
    assert_int_equal(mm_madvise(sim, 1, A, 4 * P, MM_MADV_DONTNEED), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 4);
    assert_int_equal(pstats(sim, 1).hiwater_rss, 8);
    assert_int_equal(mm_madvise(sim, 1, A + 4 * P, 2 * P, MM_MADV_FREE), 0);
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, 1, &s), 0);
    assert_true(s.lazyfree == 2 * P);
    assert_true(s.private_clean == 2 * P && s.private_dirty == 2 * P);
    assert_int_equal(mm_fault(sim, 1, A, false), 0); /* zero page again */
    assert_int_equal(pstats(sim, 1).rss_anon, 4);
    mm_sim_free(sim);
}

static void test_pgtables_counted_and_freed(void **state)
{
    (void)state;
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * H, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(pstats(sim, 1).pgtables_bytes, 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(pstats(sim, 1).pgtables_bytes, 3 * P); /* PTE PMD PUD */
    assert_int_equal(mm_fault(sim, 1, A + 3 * H, true), 0);
    assert_int_equal(pstats(sim, 1).pgtables_bytes, 4 * P);
    assert_int_equal(mm_munmap(sim, 1, A + 2 * H, 2 * H), 0);
    assert_int_equal(pstats(sim, 1).pgtables_bytes, 3 * P);
    assert_int_equal(mm_munmap(sim, 1, A, 2 * H), 0);
    assert_int_equal(pstats(sim, 1).pgtables_bytes, 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_page_then_write),
        cmocka_unit_test(test_no_zero_page_machine),
        cmocka_unit_test(test_cow_after_fork),
        cmocka_unit_test(test_pss_shared_by_three),
        cmocka_unit_test(test_page_cache_shared_major_minor),
        cmocka_unit_test(test_fault_around_window_from_vma_start),
        cmocka_unit_test(test_major_fault_pgfault_61),
        cmocka_unit_test(test_private_file_write_is_anon),
        cmocka_unit_test(test_shmem_shared_with_child),
        cmocka_unit_test(test_thp_madvise_write),
        cmocka_unit_test(test_thp_zero_then_write_and_never),
        cmocka_unit_test(test_dontneed_and_free),
        cmocka_unit_test(test_pgtables_counted_and_freed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
