/*
 * Unit tests for model/memory_resident.c: faults counted without memory,
 * the recording machine's warm page cache, recorded faults counted as the
 * kernel counts them, kernel-named mappings ([vdso], [vvar]), and the
 * machine's residency applied without faults (present pages, anonymous
 * copies of read pages, pages other processes map).
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull /* 64 KiB aligned */
#define P 4096ull
#define RX (MM_PROT_READ | MM_PROT_EXEC)

static struct mm_fault_counters counters(const struct mm_sim *sim)
{
    struct mm_fault_counters c;
    mm_fault_counters(sim, &c);
    return c;
}

static struct mm_smaps rollup(const struct mm_sim *sim, uint32_t pid)
{
    struct mm_smaps s;
    assert_int_equal(mm_smaps_rollup(sim, pid, &s), 0);
    return s;
}

static struct mm_sim *boot_proc(void)
{
    struct mm_sim *sim = aspace_boot(MM_KERNEL(6, 18), MM_THP_NEVER);
    aspace_proc(sim, 1);
    return sim;
}

static void test_fault_account(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(mm_fault_account(sim, 1, false, 5), 0);
    assert_int_equal(mm_fault_account(sim, 1, true, 2), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 5);
    assert_int_equal(pstats(sim, 1).maj_flt, 2);
    assert_int_equal(counters(sim).pgfault, 7);
    assert_int_equal(counters(sim).pgmajfault, 2);
    assert_int_equal(pstats(sim, 1).rss_anon + pstats(sim, 1).rss_file, 0);
    assert_int_equal(mm_fault_account(sim, 9, false, 1), MM_ESRCH);
    mm_sim_free(sim);
}

/* Cold cache: a major fault (read-around of 32 pages, then fault-around).
 * Warm: the window's 16 pages are cached, the fault is minor and
 * fault-around maps all 16. */
static void test_filemap_warm(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_file(sim, 1, A, 32 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(mm_filemap_warm(sim, 1, A + 5 * P), 0);
    assert_int_equal(pstats(sim, 1).rss_file, 0); /* cached, not mapped */
    assert_int_equal(mm_fault(sim, 1, A + 5 * P, false), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 1);
    assert_int_equal(pstats(sim, 1).maj_flt, 0);
    assert_int_equal(pstats(sim, 1).rss_file, 16);
    /* the next window is cold */
    assert_int_equal(mm_fault(sim, 1, A + 20 * P, false), 0);
    assert_int_equal(pstats(sim, 1).maj_flt, 1);
    /* anonymous memory is left alone */
    assert_int_equal(map_anon(sim, 1, A + MIB, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_filemap_warm(sim, 1, A + MIB), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    mm_sim_free(sim);
}

/* The recorded cache of the sup_cache_holes workload: pages 0-7 and 16-39
 * of a 64-page file cached. A fault on page 0 and one on page 32 are minor
 * and fault-around maps only the cached half of each 16-page window; the
 * hole's pages stay out of the cache. Clamped to the mapping. */
static void test_filemap_cached(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_file(sim, 1, A, 64 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(mm_filemap_cached(sim, 1, A, 8), 0);
    assert_int_equal(mm_filemap_cached(sim, 1, A + 16 * P, 24), 0);
    assert_int_equal(mm_filemap_cached(sim, 1, A + 63 * P, 100), 0);
    assert_int_equal(pstats(sim, 1).rss_file, 0); /* cached, not mapped */
    assert_int_equal(mm_fault(sim, 1, A, false), 0);
    assert_int_equal(mm_fault(sim, 1, A + 32 * P, false), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    assert_int_equal(pstats(sim, 1).maj_flt, 0);
    assert_int_equal(pstats(sim, 1).rss_file, 16);
    assert_int_equal(mm_filemap_cached(sim, 2, A, 1), MM_ESRCH);
    mm_sim_free(sim);
}

/* mm_fault() treats a fault on a page mapped as needed as spurious; the
 * kernel counted the recorded one. */
static void test_fault_recorded_counts(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fault_recorded(sim, 1, A, true), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 1);
    assert_int_equal(mm_fault_recorded(sim, 1, A, true), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    assert_int_equal(counters(sim).pgfault, 2);
    assert_int_equal(pstats(sim, 1).rss_anon, 1);
    assert_int_equal(mm_fault_recorded(sim, 1, A - P, false), MM_EFAULT);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    mm_sim_free(sim);
}

static int map_special(struct mm_sim *sim, uint64_t addr, uint32_t prot,
                       uint32_t path)
{
    struct mm_map_req req = {.addr = addr, .len = 2 * P, .prot = prot,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS,
                             .path = path, .special = true};
    return mm_vma_insert(sim, 1, &req);
}

/* [vdso]: the kernel's page, in RssFile, not copied by fork; [vvar]: a PFN
 * map, in no counter. Both faults count. */
static void test_special_mappings(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_special(sim, A, RX, 4), 0);        /* [vdso] */
    assert_int_equal(map_special(sim, A + 4 * P, RO, 2), 0); /* [vvar] */
    assert_int_equal(mm_fault_recorded(sim, 1, A + 8, false), 0);
    assert_int_equal(mm_fault_recorded(sim, 1, A + 4 * P, false), 0);
    assert_int_equal(pstats(sim, 1).min_flt, 2);
    assert_int_equal(pstats(sim, 1).rss_file, 1);
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(pstats(sim, 2).rss_file + pstats(sim, 2).rss_anon, 0);
    /* the child's fault maps the same kernel page: shared by both */
    assert_int_equal(mm_fault_recorded(sim, 2, A + 8, false), 0);
    assert_int_equal(rollup(sim, 2).shared_clean, P);
    mm_sim_free(sim);
}

/* Pages the machine had present become present without a fault; a file
 * page others map is shared for USS unless the machine says exclusive. */
static void test_resident_file(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_file(sim, 1, A, 4 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    unsigned present = MM_RES_PRESENT | MM_RES_FILE;
    assert_int_equal(mm_resident_set(sim, 1, A, 2, present), 0);
    assert_int_equal(pstats(sim, 1).rss_file, 2);
    assert_int_equal(pstats(sim, 1).min_flt + pstats(sim, 1).maj_flt, 0);
    assert_int_equal(counters(sim).pgfault, 0);
    assert_int_equal(rollup(sim, 1).shared_clean, 2 * P);
    assert_int_equal(rollup(sim, 1).private_clean, 0);
    assert_int_equal(mm_resident_set(sim, 1, A, 1,
                                     present | MM_RES_EXCLUSIVE), 0);
    assert_int_equal(rollup(sim, 1).private_clean, P);
    /* absent on the machine: left alone */
    assert_int_equal(mm_resident_set(sim, 1, A, 2, 0), 0);
    assert_int_equal(pstats(sim, 1).rss_file, 2);
    assert_int_equal(mm_resident_set(sim, 9, A, 1, present), MM_ESRCH);
    mm_sim_free(sim);
}

/* Two processes map a file page in the model, the machine says one alone
 * does: the other's mapping goes. */
static void test_resident_exclusive_unmaps_others(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    aspace_proc(sim, 2);
    assert_int_equal(map_file(sim, 1, A, 4 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(map_file(sim, 2, A, 4 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    unsigned present = MM_RES_PRESENT | MM_RES_FILE;
    assert_int_equal(mm_resident_set(sim, 1, A, 1, present), 0);
    assert_int_equal(mm_resident_set(sim, 2, A, 2, present), 0);
    assert_int_equal(rollup(sim, 1).shared_clean, P);
    assert_int_equal(mm_resident_set(sim, 1, A, 1,
                                     present | MM_RES_EXCLUSIVE), 0);
    assert_int_equal(rollup(sim, 1).private_clean, P);
    assert_int_equal(pstats(sim, 2).rss_file, 1); /* its second page stays */
    assert_int_equal(pstats(sim, 2).min_flt, 0);
    mm_sim_free(sim);
}

static void test_resident_anon(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_anon(sim, 1, A, 8 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_resident_set(sim, 1, A, 3,
                                     MM_RES_PRESENT | MM_RES_EXCLUSIVE), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 3);
    assert_int_equal(pstats(sim, 1).min_flt, 0);
    assert_int_equal(counters(sim).pgfault, 0);
    assert_int_equal(rollup(sim, 1).pss_anon >> 12, 3 * P);
    /* the zero page on a machine that has one: no RSS */
    assert_int_equal(mm_resident_set(sim, 1, A + 4 * P, 1,
                                     MM_RES_PRESENT | MM_RES_ZERO), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 3);
    /* outside every mapping: nothing */
    assert_int_equal(mm_resident_set(sim, 1, A + MIB, 1, MM_RES_PRESENT), 0);
    assert_false(mm_addr_mapped(sim, 1, A + MIB));
    assert_true(mm_addr_mapped(sim, 1, A + 7 * P));
    mm_sim_free(sim);
}

/* A read replayed as a write made a private copy; the machine held the
 * file page: the copy goes, the cache page is mapped. */
static void test_resident_replaces_copy(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_proc();
    assert_int_equal(map_file(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 1);
    assert_int_equal(mm_resident_set(sim, 1, A, 1,
                                     MM_RES_PRESENT | MM_RES_FILE), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 0);
    assert_int_equal(pstats(sim, 1).rss_file, 1);
    assert_int_equal(pstats(sim, 1).min_flt + pstats(sim, 1).maj_flt, 1);
    /* an anonymous copy the machine also has stays */
    assert_int_equal(mm_fault(sim, 1, A + P, true), 0);
    assert_int_equal(mm_resident_set(sim, 1, A + P, 1, MM_RES_PRESENT), 0);
    assert_int_equal(pstats(sim, 1).rss_anon, 1);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_account),
        cmocka_unit_test(test_filemap_warm),
        cmocka_unit_test(test_filemap_cached),
        cmocka_unit_test(test_fault_recorded_counts),
        cmocka_unit_test(test_special_mappings),
        cmocka_unit_test(test_resident_file),
        cmocka_unit_test(test_resident_exclusive_unmaps_others),
        cmocka_unit_test(test_resident_anon),
        cmocka_unit_test(test_resident_replaces_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
