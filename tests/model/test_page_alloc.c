/*
 * Unit tests for model/page_alloc.c: the fast path at the low watermark,
 * spilling to a remote node with the NUMA counters that produces, the slow
 * path at min and the failure after it, ALLOC_NOFRAGMENT steering an
 * unmovable request away from fragmenting Normal, and malformed requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"
#include "machine_util.h"

static struct mm_sim *boot(const struct mm_machine *m)
{
    int err = -1;
    struct mm_sim *sim = mm_sim_new(m, &err);
    assert_int_equal(err, 0);
    return sim;
}

static int alloc_on(struct mm_sim *sim, int nid, enum mm_zone_type highest,
                    unsigned order, enum mm_migratetype mt, uint64_t *pfn)
{
    struct mm_alloc_ctx ac = {nid, highest, order, mt, NULL, 0};
    return mm__alloc_pages(sim, &ac, pfn);
}

/* Node 0: DMA32 8192 pages; node 1: Normal 8192 pages. min 128, low 160. */
static struct mm_sim *boot_two_nodes(void)
{
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 12), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G, 8192);
    m.nodes[1].nr_cpus = 1;
    return boot(&m);
}

static void test_spill_to_remote_node(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_two_nodes();
    struct mm_zone *z0 = &sim->nodes[0].zones[MM_ZONE_DMA32];
    struct mm_zone *z1 = &sim->nodes[1].zones[MM_ZONE_NORMAL];
    assert_int_equal(z0->watermark[MM_WMARK_LOW], 160);
    uint64_t pfn;
    for (uint64_t i = 0; i < 7; i++) {
        assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 10,
                                  MM_MIGRATE_MOVABLE, &pfn), 0);
        assert_int_equal(pfn, 4096 + i * 1024);
    }
    /* 1024 free - 1023 <= 160: the fast path moves on to node 1 */
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 10, MM_MIGRATE_MOVABLE,
                              &pfn), 0);
    assert_int_equal(pfn, PFN_4G);
    assert_int_equal(z0->numa_stat[MM_NUMA_HIT], 7);
    assert_int_equal(z0->numa_stat[MM_NUMA_LOCAL], 7);
    assert_int_equal(z0->numa_stat[MM_NUMA_FOREIGN], 1);
    assert_int_equal(z0->numa_stat[MM_NUMA_MISS], 0);
    assert_int_equal(z1->numa_stat[MM_NUMA_MISS], 1);
    assert_int_equal(z1->numa_stat[MM_NUMA_OTHER], 1);
    assert_int_equal(z1->numa_stat[MM_NUMA_HIT], 0);
    assert_int_equal(z1->numa_stat[MM_NUMA_FOREIGN], 0);
    /* a task on node 1 allocating there: hit + local on node 1 */
    assert_int_equal(alloc_on(sim, 1, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE,
                              &pfn), 0);
    assert_int_equal(z1->numa_stat[MM_NUMA_HIT], 1);
    assert_int_equal(z1->numa_stat[MM_NUMA_LOCAL], 1);
    assert_int_equal(sim->vm_events[MM_PGALLOC_DMA32], 7 * 1024);
    assert_int_equal(sim->vm_events[MM_PGALLOC_NORMAL], 1025);
    /* numa_stat=0 zeroes the counters and stops counting */
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.numa_stat", "0"), 0);
    assert_int_equal(z1->numa_stat[MM_NUMA_HIT], 0);
    assert_int_equal(alloc_on(sim, 1, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE,
                              &pfn), 0);
    assert_int_equal(z1->numa_stat[MM_NUMA_HIT], 0);
    mm_sim_free(sim);
}

/* One DMA32 zone of 8192 pages: min 181, low 226. */
static void test_slow_path_at_min_then_enomem(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192);
    struct mm_sim *sim = boot(&m);
    struct mm_zone *z = &sim->nodes[0].zones[MM_ZONE_DMA32];
    assert_int_equal(z->watermark[MM_WMARK_MIN], 181);
    assert_int_equal(z->watermark[MM_WMARK_LOW], 226);
    uint64_t pfn;
    for (int i = 0; i < 7; i++)
        assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 10,
                                  MM_MIGRATE_MOVABLE, &pfn), 0);
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 9, MM_MIGRATE_MOVABLE, &pfn), 0);
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 8, MM_MIGRATE_MOVABLE, &pfn), 0);
    int ok = 0;
    while (alloc_on(sim, 0, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, &pfn) == 0)
        ok++;
    /* 256 free: order-0 pages while free > 181 (the last 45 via the slow path) */
    assert_int_equal(ok, 256 - 181);
    assert_int_equal(z->vm_stat[MM_NR_FREE_PAGES], 181);
    assert_int_equal(sim->nr_alloc_fail, 1);
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, &pfn),
                     MM_ENOMEM);
    assert_int_equal(sim->nr_alloc_fail, 2);
    mm_sim_free(sim);
}

/* Preferred zone Normal: unmovable requests do not split small Normal blocks. */
static void test_nofragment_prefers_whole_pageblocks(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 4096);
    zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G, 4096);
    struct mm_sim *sim = boot(&m);
    uint64_t pfn;
    for (int i = 0; i < 3; i++)
        assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 10,
                                  MM_MIGRATE_MOVABLE, &pfn), 0);
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 9, MM_MIGRATE_MOVABLE, &pfn), 0);
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 8, MM_MIGRATE_MOVABLE, &pfn), 0);
    assert_int_equal(pfn, PFN_4G + 3584);
    /* Normal: one MOVABLE order-8 block left, free 256 > low */
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_NORMAL, 0, MM_MIGRATE_UNMOVABLE, &pfn), 0);
    assert_int_equal(pfn, 4096);
    struct mm_zone *normal = &sim->nodes[0].zones[MM_ZONE_NORMAL];
    assert_int_equal(mm__pageblocks_of_type(normal, MM_MIGRATE_UNMOVABLE), 0);
    assert_int_equal(mm__pageblock_mt(&sim->nodes[0].zones[MM_ZONE_DMA32], 4096),
                     MM_MIGRATE_UNMOVABLE);
    mm_sim_free(sim);
}

static void test_bad_requests(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_two_nodes();
    uint64_t pfn;
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 11, MM_MIGRATE_MOVABLE, &pfn),
                     MM_EINVAL);
    assert_int_equal(alloc_on(sim, 2, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, &pfn),
                     MM_EINVAL);
    assert_int_equal(alloc_on(sim, 0, MM_ZONE_MOVABLE, 0, MM_MIGRATE_HIGHATOMIC, &pfn),
                     MM_EINVAL);
    /* interleave is resolved before the page allocator */
    struct mm_mempolicy il = {.mode = MM_MPOL_INTERLEAVE, .nodes = 3};
    struct mm_alloc_ctx ac = {0, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, &il, 0};
    assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), MM_EINVAL);
    struct mm_mempolicy local = {.mode = MM_MPOL_LOCAL};
    ac.policy = &local;
    assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), 0);
    assert_int_equal(mm__pfn_to_nid(sim, pfn), 0);
    /* GFP_DMA allocation with no DMA zone anywhere */
    assert_int_equal(alloc_on(sim, 1, MM_ZONE_DMA, 0, MM_MIGRATE_MOVABLE, &pfn),
                     MM_ENOMEM);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spill_to_remote_node),
        cmocka_unit_test(test_slow_path_at_min_then_enomem),
        cmocka_unit_test(test_nofragment_prefers_whole_pageblocks),
        cmocka_unit_test(test_bad_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
