/*
 * Unit tests for model/vmscan_node.c (vm.zone_reclaim_mode): a task on
 * node 0 of 2 whose node is full of page cache. Mode 0 spills its next
 * pages to node 1; mode 1 reclaims node 0's unmapped page cache and keeps
 * them local (zone_reclaim_success); mapped page cache is left alone
 * without RECLAIM_UNMAP (4) and reclaimed with it; a node at distance
 * above 30 from the preferred one is not reclaimed; a remote node with
 * CPUs is not scanned.
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull
#define F (A + 0x100000000ull)
#define P 4096ull
#define NODE_PAGES 16384ull

static struct mm_sim *boot2cpu(uint8_t distance, const char *mode,
                               unsigned cpus0)
{
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 12), MM_THP_NEVER);
    for (unsigned i = 0; i < 2; i++) {
        zone_plain(&m, i, MM_ZONE_NORMAL, PFN_4G + i * NODE_PAGES, NODE_PAGES);
        m.nodes[i].nr_cpus = 1;
    }
    m.distance[0][0] = m.distance[1][1] = 10;
    m.distance[0][1] = m.distance[1][0] = distance;
    m.nodes[0].nr_cpus = cpus0;
    int err = 1;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    assert_int_equal(mm_sim_sysctl_write(sim, "zone_reclaim_mode", mode), 0);
    return sim;
}

static struct mm_sim *boot2(uint8_t distance, const char *mode)
{
    return boot2cpu(distance, mode, 1);
}

static struct mm_zone *zone_of(struct mm_sim *sim, int nid)
{
    return &sim->nodes[nid].zones[MM_ZONE_NORMAL];
}

static uint64_t nfree(struct mm_sim *sim, int nid)
{
    return mm__zone_free_pages(zone_of(sim, nid));
}

static uint64_t file_pages(struct mm_sim *sim, int nid)
{
    return mm__node_page_state(mm__node(sim, nid), MM_NR_FILE_PAGES);
}

static int page_nid(struct mm_sim *sim, uint32_t pid, uint64_t addr)
{
    uint64_t pte;
    struct mm_task *t = mm__task_find(sim, pid);
    if (!mm__hmap_get(&t->mm->ptes, addr >> 12, &pte) || !(pte & MM_PTE_PRESENT))
        return -1;
    return mm__pfn_to_nid(sim, MM_PTE_PFN(pte));
}

/* Task 1 reads a file (read-around: 32 pages per major fault; @touch_all
 * maps every page) until node 0 is 64 pages above its low watermark. */
static void fill_node0(struct mm_sim *sim, bool touch_all)
{
    uint64_t low = zone_of(sim, 0)->watermark[MM_WMARK_LOW];
    aspace_proc(sim, 1);
    assert_int_equal(map_file(sim, 1, F, NODE_PAGES * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    for (uint64_t i = 0; nfree(sim, 0) > low + 64 + 32; i += 32)
        for (uint64_t j = 0; j < (touch_all ? 32 : 1); j++)
            assert_int_equal(mm_fault(sim, 1, F + (i + j) * P, false), 0);
    assert_int_equal(file_pages(sim, 1), 0);
    assert_int_equal(map_anon(sim, 1, A, 256 * P, RW, MM_MAP_PRIVATE), 0);
}

/* 256 anonymous pages: how many landed on node 0. */
static uint64_t fault_anon(struct mm_sim *sim)
{
    uint64_t on0 = 0;
    for (uint64_t i = 0; i < 256; i++) {
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
        on0 += page_nid(sim, 1, A + i * P) == 0;
    }
    return on0;
}

static void test_mode0_spills(void **state)
{
    (void)state;
    struct mm_sim *sim = boot2(20, "0");
    fill_node0(sim, false);
    uint64_t cache = file_pages(sim, 0), room = nfree(sim, 0) -
                     zone_of(sim, 0)->watermark[MM_WMARK_LOW];
    assert_int_equal(fault_anon(sim), room);
    assert_int_equal(file_pages(sim, 0), cache);
    assert_int_equal(mm__vm_event(sim, MM_ZONE_RECLAIM_SUCCESS), 0);
    mm_sim_free(sim);
}

static void test_mode1_reclaims_unmapped_cache(void **state)
{
    (void)state;
    struct mm_sim *sim = boot2(20, "1");
    fill_node0(sim, false);
    uint64_t cache = file_pages(sim, 0), mapped = pstats(sim, 1).rss_file;
    assert_true(mapped > 0 && mapped < cache);
    assert_int_equal(fault_anon(sim), 256);
    assert_int_equal(pstats(sim, 1).rss_file, mapped); /* no RECLAIM_UNMAP */
    assert_true(file_pages(sim, 0) < cache);
    assert_true(mm__vm_event(sim, MM_ZONE_RECLAIM_SUCCESS) > 0);
    assert_int_equal(mm__vm_event(sim, MM_ZONE_RECLAIM_FAILED), 0);
    assert_int_equal(mm__vm_event(sim, MM_PGSTEAL_DIRECT), cache - file_pages(sim, 0));
    mm_sim_free(sim);
}

/* As if reclaim had looked at everything once: no young PTEs, no
 * PG_referenced. */
static void age_everything(struct mm_sim *sim)
{
    struct mm_mm *mm = mm__task_find(sim, 1)->mm;
    size_t pos = 0;
    const struct mm_hmap_slot *slot;
    while ((slot = mm__hmap_next(&mm->ptes, &pos)))
        mm__hmap_put(&mm->ptes, slot->key, slot->value & ~(uint64_t)MM_PTE_YOUNG);
    pos = 0;
    while ((slot = mm__hmap_next(&sim->frames, &pos))) {
        struct mm_folio *f = (struct mm_folio *)(uintptr_t)slot->value;
        f->pgflags &= (uint8_t)~MM_PG_REFERENCED;
    }
}

/* Half the cache mapped and old: mode 1 scans (the unmapped half is over
 * min_unmapped_pages) but leaves the mapped pages mapped; mode 5 unmaps
 * them too. */
static uint64_t rss_file_after(const char *mode)
{
    struct mm_sim *sim = boot2(20, mode);
    fill_node0(sim, false);
    age_everything(sim);
    assert_int_equal(fault_anon(sim), 256);
    assert_true(mm__vm_event(sim, MM_ZONE_RECLAIM_SUCCESS) > 0);
    uint64_t rss = pstats(sim, 1).rss_file;
    mm_sim_free(sim);
    return rss;
}

static void test_unmap_bit(void **state)
{
    (void)state;
    struct mm_sim *sim = boot2(20, "1");
    fill_node0(sim, false);
    uint64_t mapped = pstats(sim, 1).rss_file;
    mm_sim_free(sim);
    assert_int_equal(rss_file_after("1"), mapped);
    assert_true(rss_file_after("5") < mapped);
}

/* Node 0 full of dirty pages of a shared file mapping, aged: 256 pages
 * placed on node 0 with @mode. */
static uint64_t local_with_dirty_cache(const char *mode)
{
    struct mm_sim *sim = boot2(20, mode);
    uint64_t low = zone_of(sim, 0)->watermark[MM_WMARK_LOW];
    aspace_proc(sim, 1);
    assert_int_equal(map_file(sim, 1, F, NODE_PAGES * P, RW, MM_MAP_SHARED, 9, 0), 0);
    for (uint64_t i = 0; nfree(sim, 0) > low + 96; i++)
        assert_int_equal(mm_fault(sim, 1, F + i * P, true), 0);
    assert_int_equal(map_anon(sim, 1, A, 256 * P, RW, MM_MAP_PRIVATE), 0);
    age_everything(sim);
    uint64_t on0 = fault_anon(sim);
    mm_sim_free(sim);
    return on0;
}

/* Without RECLAIM_WRITE (2) dirty pages are not written: mode 5 soon runs
 * out of clean pages and spills; mode 7 writes them and stays local. */
static void test_write_bit(void **state)
{
    (void)state;
    assert_true(local_with_dirty_cache("5") < 256);
    assert_int_equal(local_with_dirty_cache("7"), 256);
}

/* Every cache page mapped: nothing over min_unmapped_pages (FULL) for
 * mode 1, so the pages spill; mode 5 (ZONE|UNMAP) may unmap and keeps
 * them local. */
static void test_mapped_cache_needs_unmap(void **state)
{
    (void)state;
    struct mm_sim *sim = boot2(20, "1");
    fill_node0(sim, true);
    uint64_t room = nfree(sim, 0) - zone_of(sim, 0)->watermark[MM_WMARK_LOW];
    uint64_t cache = file_pages(sim, 0);
    assert_int_equal(fault_anon(sim), room);
    assert_int_equal(file_pages(sim, 0), cache);
    assert_int_equal(mm__vm_event(sim, MM_ZONE_RECLAIM_FAILED), 0);
    mm_sim_free(sim);
    sim = boot2(20, "5");
    fill_node0(sim, true);
    assert_int_equal(fault_anon(sim), 256);
    mm_sim_free(sim);
}

/* Node 0 without CPUs holds page cache; both nodes sit at their low
 * watermarks; the task runs on node 1, which has nothing to reclaim. Node 0 is
 * reclaimed for it at distance 20, not at 40 (> RECLAIM_DISTANCE), where
 * the slow path takes node 1 below low instead. */
static void check_distance(uint8_t distance, int want_nid)
{
    struct mm_sim *sim = boot2cpu(distance, "1", 0);
    fill_node0(sim, false);
    uint64_t pfn;
    for (int n = 0; n < 2; n++) { /* both nodes at low, with no LRU pages */
        struct mm_alloc_ctx ac = {n, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE,
                                  NULL, 0};
        while (nfree(sim, n) > zone_of(sim, n)->watermark[MM_WMARK_LOW])
            assert_int_equal(mm__alloc_pages_thisnode(sim, &ac, &pfn), 0);
    }
    assert_true(file_pages(sim, 0) > 0);
    uint64_t before = mm__vm_event(sim, MM_ZONE_RECLAIM_SUCCESS);
    assert_int_equal(mm_task_set_numa_node(sim, 1, 1), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(page_nid(sim, 1, A), want_nid);
    assert_int_equal(mm__vm_event(sim, MM_ZONE_RECLAIM_SUCCESS) - before,
                     want_nid == 0);
    mm_sim_free(sim);
}

static void test_reclaim_distance(void **state)
{
    (void)state;
    check_distance(20, 0);
    check_distance(40, 1);
}

/* A task on node 1 preferring node 0 (full of cache): node 0 has a CPU
 * and is not the task's, so it is not scanned (NOSCAN) and the pages
 * spill to node 1. */
static void test_remote_node_with_cpus_not_scanned(void **state)
{
    (void)state;
    struct mm_sim *sim = boot2(20, "1");
    fill_node0(sim, false);
    uint64_t room = nfree(sim, 0) - zone_of(sim, 0)->watermark[MM_WMARK_LOW];
    assert_int_equal(mm_task_set_numa_node(sim, 1, 1), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED, 1, 65), 0);
    assert_int_equal(fault_anon(sim), room);
    assert_int_equal(mm__vm_event(sim, MM_ZONE_RECLAIM_SUCCESS), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode0_spills),
        cmocka_unit_test(test_mode1_reclaims_unmapped_cache),
        cmocka_unit_test(test_mapped_cache_needs_unmap),
        cmocka_unit_test(test_unmap_bit),
        cmocka_unit_test(test_write_bit),
        cmocka_unit_test(test_reclaim_distance),
        cmocka_unit_test(test_remote_node_with_cpus_not_scanned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
