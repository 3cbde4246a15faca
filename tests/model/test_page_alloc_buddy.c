/*
 * Unit tests for model/page_alloc_buddy.c: boot release in maximal aligned
 * blocks, split (lowest part returned, upper halves one order down), merge
 * with the buddy at pfn ^ (1 << order), the migratetype fallback order and
 * pageblock claiming, and the watermark boost on a small steal.
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
    assert_non_null(sim);
    return sim;
}

/* One node, one DMA32 zone of @pages pages starting at PFN 4096. */
static struct mm_sim *boot_dma32_k(uint64_t pages, unsigned kernel)
{
    struct mm_machine m;
    machine_init(&m, kernel, MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, pages);
    return boot(&m);
}

static struct mm_sim *boot_dma32(uint64_t pages)
{
    return boot_dma32_k(pages, MM_KERNEL(6, 1));
}

static struct mm_zone *dma32(struct mm_sim *sim)
{
    return &sim->nodes[0].zones[MM_ZONE_DMA32];
}

static void assert_buddyinfo(const struct mm_zone *z, const uint64_t want[11])
{
    for (int o = 0; o < MM_NR_PAGE_ORDERS; o++)
        assert_int_equal(z->free_area[o].nr_free, want[o]);
}

static uint64_t alloc(struct mm_sim *sim, unsigned order, enum mm_migratetype mt)
{
    struct mm_alloc_ctx ac = {0, MM_ZONE_MOVABLE, order, mt, NULL, 0};
    uint64_t pfn = UINT64_MAX;
    assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), 0);
    return pfn;
}

static void test_boot_blocks(void **state)
{
    (void)state;
    struct mm_machine m;
    /* DMA managed 3840 at the top of 1..4095: 256 + 512 + 3 x 1024 */
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = &sim->nodes[0].zones[MM_ZONE_DMA];
    const uint64_t want[11] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3};
    assert_buddyinfo(z, want);
    assert_int_equal(z->vm_stat[MM_NR_FREE_PAGES], 3840);
    assert_int_equal(z->free_area[8].free_list[MM_MIGRATE_MOVABLE].head->pfn, 256);
    mm_sim_free(sim);
}

static void test_split_and_merge(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_dma32(4096);
    struct mm_zone *z = dma32(sim);
    const uint64_t boot_info[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4};
    assert_buddyinfo(z, boot_info);

    assert_int_equal(alloc(sim, 0, MM_MIGRATE_MOVABLE), 4096);
    const uint64_t split[11] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3};
    assert_buddyinfo(z, split);
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_MOVABLE), 4097);
    assert_int_equal(alloc(sim, 1, MM_MIGRATE_MOVABLE), 4098);
    assert_int_equal(alloc(sim, 2, MM_MIGRATE_MOVABLE), 4100);
    const uint64_t after[11] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3};
    assert_buddyinfo(z, after);
    assert_int_equal(z->vm_stat[MM_NR_FREE_PAGES], 4096 - 8);

    mm__free_pages(sim, 4097, 0); /* buddy 4096 allocated: no merge */
    const uint64_t f1[11] = {1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3};
    assert_buddyinfo(z, f1);
    mm__free_pages(sim, 4098, 1); /* buddy 4096/1 not free: stays order 1 */
    const uint64_t f2[11] = {1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 3};
    assert_buddyinfo(z, f2);
    mm__free_pages(sim, 4096, 0); /* 4096+4097 -> 4096/1 + 4098/1 -> 4096/2 */
    const uint64_t f3[11] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 3};
    assert_buddyinfo(z, f3);
    mm__free_pages(sim, 4100, 2); /* merges all the way back to order 10 */
    assert_buddyinfo(z, boot_info);
    assert_int_equal(z->vm_stat[MM_NR_FREE_PAGES], 4096);
    assert_int_equal(sim->vm_events[MM_PGFREE], 8);
    assert_int_equal(sim->vm_events[MM_PGALLOC_DMA32], 8);
    assert_int_equal(sim->nr_bad_free, 0);
    mm_sim_free(sim);
}

static void test_bad_free_counted(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_dma32(4096);
    uint64_t pfn = alloc(sim, 1, MM_MIGRATE_MOVABLE);
    mm__free_pages(sim, pfn, 0);      /* wrong order */
    mm__free_pages(sim, pfn + 1, 0);  /* not a block start */
    mm__free_pages(sim, 1, 0);        /* outside every zone */
    assert_int_equal(sim->nr_bad_free, 3);
    mm__free_pages(sim, pfn, 1);
    mm__free_pages(sim, pfn, 1);      /* double free */
    assert_int_equal(sim->nr_bad_free, 4);
    assert_int_equal(dma32(sim)->vm_stat[MM_NR_FREE_PAGES], 4096);
    mm_sim_free(sim);
}

static void test_split_page_then_free(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_dma32(4096);
    uint64_t pfn = alloc(sim, 2, MM_MIGRATE_MOVABLE);
    assert_int_equal(mm__split_page(sim, pfn, 2), 0);
    assert_int_equal(mm__split_page(sim, pfn + 1, 2), MM_EINVAL);
    for (uint64_t i = 0; i < 4; i++)
        mm__free_pages(sim, pfn + i, 0);
    const uint64_t boot_info[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4};
    assert_buddyinfo(dma32(sim), boot_info);
    assert_int_equal(sim->nr_bad_free, 0);
    mm_sim_free(sim);
}

/* UNMOVABLE with only MOVABLE free: claims a whole order-10 block (2 pageblocks). */
static void test_fallback_claims_large_block(void **state)
{
    struct mm_sim *sim = boot_dma32_k(4096, *(unsigned *)*state);
    struct mm_zone *z = dma32(sim);
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_UNMOVABLE), 4096);
    assert_int_equal(mm__pageblock_mt(z, 4096), MM_MIGRATE_UNMOVABLE);
    assert_int_equal(mm__pageblock_mt(z, 4608), MM_MIGRATE_UNMOVABLE);
    assert_int_equal(mm__pageblock_mt(z, 5120), MM_MIGRATE_MOVABLE);
    for (int o = 0; o < 10; o++)
        assert_int_equal(z->free_area[o].free_list[MM_MIGRATE_UNMOVABLE].nr, 1);
    assert_int_equal(z->free_area[10].free_list[MM_MIGRATE_MOVABLE].nr, 3);
    assert_int_equal(z->watermark_boost, 0); /* >= pageblock order: no boost */
    /* MOVABLE keeps to its own blocks */
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_MOVABLE), 5120);
    /* RECLAIMABLE tries UNMOVABLE first, but looks at the largest order first:
     * order 10 only has MOVABLE, so it takes a whole MOVABLE block. */
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_RECLAIMABLE), 6144);
    assert_int_equal(mm__pageblock_mt(z, 6144), MM_MIGRATE_RECLAIMABLE);
    assert_int_equal(mm__pageblocks_of_type(z, MM_MIGRATE_UNMOVABLE), 2);
    assert_int_equal(mm__pageblocks_of_type(z, MM_MIGRATE_RECLAIMABLE), 2);
    assert_int_equal(mm__pageblocks_of_type(z, MM_MIGRATE_MOVABLE), 4);
    mm_sim_free(sim);
}

/* Same order: UNMOVABLE's first fallback is RECLAIMABLE, then MOVABLE. */
static void test_fallback_order(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_dma32(4096);
    struct mm_zone *z = dma32(sim);
    assert_int_equal(alloc(sim, 10, MM_MIGRATE_RECLAIMABLE), 4096);
    assert_int_equal(alloc(sim, 10, MM_MIGRATE_MOVABLE), 5120);
    /* free the RECLAIMABLE block: back on the RECLAIMABLE list at order 10 */
    mm__free_pages(sim, 4096, 10);
    assert_int_equal(z->free_area[10].free_list[MM_MIGRATE_RECLAIMABLE].nr, 1);
    assert_int_equal(z->free_area[10].free_list[MM_MIGRATE_MOVABLE].nr, 2);
    assert_int_equal(alloc(sim, 10, MM_MIGRATE_UNMOVABLE), 4096);
    assert_int_equal(mm__pageblock_mt(z, 4096), MM_MIGRATE_UNMOVABLE);
    mm_sim_free(sim);
}

/* A steal below pageblock order: whole-pageblock claim and watermark boost. */
static void test_small_steal_boosts(void **state)
{
    struct mm_sim *sim = boot_dma32_k(8192, *(unsigned *)*state);
    struct mm_zone *z = dma32(sim);
    /* min_free_kbytes 724 -> min 181, gap max(45, 8) -> low 226, high 271 */
    assert_int_equal(z->watermark[MM_WMARK_HIGH], 271);
    for (uint64_t i = 0; i < 7; i++)
        assert_int_equal(alloc(sim, 10, MM_MIGRATE_MOVABLE), 4096 + i * 1024);
    assert_int_equal(alloc(sim, 9, MM_MIGRATE_MOVABLE), 11264);
    assert_int_equal(alloc(sim, 8, MM_MIGRATE_MOVABLE), 11776);
    /* left: one MOVABLE order-8 block at 12032 */
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_UNMOVABLE), 12032);
    /* free 256 + alike 512 - 256 - 256 movable = 256 >= 256: block claimed */
    assert_int_equal(mm__pageblock_mt(z, 12032), MM_MIGRATE_UNMOVABLE);
    /* max(512, mult_frac(271, 15000, 10000) = 406) = 512 */
    assert_int_equal(z->watermark_boost, 512);
    /* rmqueue() clears ZONE_BOOSTED_WATERMARK and wakes kswapd */
    assert_false(z->boosted);
    assert_true(sim->nodes[0].kswapd.awake);
    assert_int_equal(mm__wmark_pages(z, MM_WMARK_LOW), 226 + 512);
    mm_sim_free(sim);
}

/* A steal in a tiny zone: too small to boost; the pageblock is claimed. */
static void test_small_zone_steal_no_boost(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 256, 256);
    struct mm_sim *sim = boot(&m);
    struct mm_zone *z = &sim->nodes[0].zones[MM_ZONE_DMA];
    struct mm_alloc_ctx ac = {0, MM_ZONE_NORMAL, 0, MM_MIGRATE_UNMOVABLE, NULL, 0};
    uint64_t pfn;
    assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), 0);
    assert_int_equal(pfn, 3840);
    assert_int_equal(mm__pageblock_mt(z, 3840), MM_MIGRATE_UNMOVABLE);
    assert_int_equal(z->watermark_boost, 0);
    mm_sim_free(sim);
}


/* Watermarks at 0 (min_free_kbytes 0, scale factor 1) so tiny zones serve. */
static void no_watermarks(struct mm_sim *sim)
{
    assert_int_equal(mm_sim_sysctl_write(sim, "min_free_kbytes", "0"), 0);
    assert_int_equal(mm_sim_sysctl_write(sim, "watermark_scale_factor", "1"), 0);
}

/* Leave only an UNMOVABLE order-3 block (5112) free in a 4096-page zone. */
static struct mm_sim *only_small_unmovable(unsigned kernel)
{
    struct mm_sim *sim = boot_dma32_k(4096, kernel);
    no_watermarks(sim);
    uint64_t want = 4096;
    for (unsigned o = 9; o >= 3; o--) {
        assert_int_equal(alloc(sim, o, MM_MIGRATE_UNMOVABLE), want);
        want += 1ull << o;
    }
    for (int i = 0; i < 3; i++)
        alloc(sim, 10, MM_MIGRATE_MOVABLE);
    assert_int_equal(dma32(sim)->free_area[3].free_list[MM_MIGRATE_UNMOVABLE].nr, 1);
    assert_int_equal(dma32(sim)->vm_stat[MM_NR_FREE_PAGES], 8);
    return sim;
}

/* 6.1: the stolen block moves to the MOVABLE lists before it is split. */
static void test_movable_steal_61(void **state)
{
    (void)state;
    struct mm_sim *sim = only_small_unmovable(MM_KERNEL(6, 1));
    struct mm_zone *z = dma32(sim);
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_MOVABLE), 5112);
    for (int o = 0; o < 3; o++) {
        assert_int_equal(z->free_area[o].free_list[MM_MIGRATE_MOVABLE].nr, 1);
        assert_int_equal(z->free_area[o].free_list[MM_MIGRATE_UNMOVABLE].nr, 0);
    }
    assert_int_equal(mm__pageblock_mt(z, 5112), MM_MIGRATE_UNMOVABLE);
    mm_sim_free(sim);
}

/* 6.12: __rmqueue_steal leaves the remainder on the UNMOVABLE lists. */
static void test_movable_steal_612(void **state)
{
    (void)state;
    struct mm_sim *sim = only_small_unmovable(MM_KERNEL(6, 12));
    struct mm_zone *z = dma32(sim);
    assert_int_equal(alloc(sim, 0, MM_MIGRATE_MOVABLE), 5112);
    for (int o = 0; o < 3; o++) {
        assert_int_equal(z->free_area[o].free_list[MM_MIGRATE_UNMOVABLE].nr, 1);
        assert_int_equal(z->free_area[o].free_list[MM_MIGRATE_MOVABLE].nr, 0);
    }
    assert_int_equal(mm__pageblock_mt(z, 5112), MM_MIGRATE_UNMOVABLE);
    mm_sim_free(sim);
}

/*
 * Buddies of different types merging at pageblock order: 6.12 retypes the
 * buddy's pageblock to the freed block's type, 6.1 leaves it.
 */
static void merge_across_types(unsigned kernel, enum mm_migratetype want)
{
    struct mm_sim *sim = boot_dma32_k(4096, kernel);
    struct mm_zone *z = dma32(sim);
    no_watermarks(sim);
    assert_int_equal(alloc(sim, 9, MM_MIGRATE_UNMOVABLE), 4096);
    for (int i = 0; i < 3; i++)
        alloc(sim, 10, MM_MIGRATE_MOVABLE);
    /* the only free block, 4608/9 UNMOVABLE, is claimed for RECLAIMABLE */
    assert_int_equal(alloc(sim, 9, MM_MIGRATE_RECLAIMABLE), 4608);
    assert_int_equal(mm__pageblock_mt(z, 4608), MM_MIGRATE_RECLAIMABLE);
    mm__free_pages(sim, 4608, 9);
    mm__free_pages(sim, 4096, 9); /* UNMOVABLE, merges with RECLAIMABLE 4608 */
    assert_int_equal(z->free_area[10].free_list[MM_MIGRATE_UNMOVABLE].nr, 1);
    assert_int_equal(mm__pageblock_mt(z, 4608), want);
    mm_sim_free(sim);
}

static void test_merge_retype(void **state)
{
    (void)state;
    merge_across_types(MM_KERNEL(6, 1), MM_MIGRATE_RECLAIMABLE);
    merge_across_types(MM_KERNEL(6, 12), MM_MIGRATE_UNMOVABLE);
}

static unsigned k61 = MM_KERNEL(6, 1), k612 = MM_KERNEL(6, 12), k618 = MM_KERNEL(6, 18);

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_blocks),
        cmocka_unit_test(test_split_and_merge),
        cmocka_unit_test(test_bad_free_counted),
        cmocka_unit_test(test_split_page_then_free),
        cmocka_unit_test_prestate(test_fallback_claims_large_block, &k61),
        cmocka_unit_test_prestate(test_fallback_claims_large_block, &k612),
        cmocka_unit_test(test_fallback_order),
        cmocka_unit_test_prestate(test_small_steal_boosts, &k61),
        cmocka_unit_test_prestate(test_small_steal_boosts, &k618),
        cmocka_unit_test(test_movable_steal_61),
        cmocka_unit_test(test_movable_steal_612),
        cmocka_unit_test(test_merge_retype),
        cmocka_unit_test(test_small_zone_steal_no_boost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
