/*
 * Unit tests for model/page_alloc_wmark.c: min_free_kbytes (sqrt rule and
 * khugepaged's THP raise, THP off below 512 MiB), watermarks (the live 6.18
 * machine and the reference's 16 GiB worked example), the 6.1 vs 6.6+
 * Movable rule, lowmem_reserve (live example and the classic 8M/64M/256M
 * example on x86_64 zones), totalreserve_pages and __zone_watermark_ok.
 * Expected values are worked out by hand from the kernel's formulas
 * (KERNEL-MM-REFERENCE 2.4-2.7).
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

static void assert_wmarks(const struct mm_zone *z, uint64_t min, uint64_t low,
                          uint64_t high, uint64_t promo)
{
    assert_int_equal(z->watermark[MM_WMARK_MIN], min);
    assert_int_equal(z->watermark[MM_WMARK_LOW], low);
    assert_int_equal(z->watermark[MM_WMARK_HIGH], high);
    assert_int_equal(z->watermark[MM_WMARK_PROMO], promo);
}

static void assert_protection(const struct mm_zone *z, const uint64_t want[5])
{
    for (int j = 0; j < MM_NR_ZONES; j++)
        assert_int_equal(z->lowmem_reserve[j], want[j]);
}

static void test_live_618(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    assert_int_equal(sim->thp, MM_THP_MADVISE);
    assert_int_equal(sim->vm.min_free_kbytes, 67584);
    assert_wmarks(&z[MM_ZONE_DMA], 43, 53, 63, 73);
    assert_wmarks(&z[MM_ZONE_DMA32], 8719, 10898, 13077, 15256);
    assert_wmarks(&z[MM_ZONE_NORMAL], 8133, 10166, 12199, 14232);
    assert_wmarks(&z[MM_ZONE_MOVABLE], 32, 32, 32, 32);
    assert_wmarks(&z[MM_ZONE_DEVICE], 0, 0, 0, 0);
    const uint64_t dma[5] = {0, 3018, 5834, 5834, 5834};
    const uint64_t dma32[5] = {0, 0, 2816, 2816, 2816};
    const uint64_t none[5] = {0, 0, 0, 0, 0};
    assert_protection(&z[MM_ZONE_DMA], dma);
    assert_protection(&z[MM_ZONE_DMA32], dma32);
    assert_protection(&z[MM_ZONE_NORMAL], none);
    assert_protection(&z[MM_ZONE_MOVABLE], none);
    /* min(3840, 63 + 5834) + (13077 + 2816) + 12199 + min(0, 32) */
    assert_int_equal(sim->totalreserve_pages, 3840 + 15893 + 12199);
    assert_int_equal(sim->nodes[0].totalreserve_pages, 31932);
    mm_sim_free(sim);
}

/* An empty Movable zone gets min 0 on 6.1 (ORACLE-NOTES pitfall 4). */
static void test_live_machine_as_61(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    m.kernel = MM_KERNEL(6, 1);
    struct mm_sim *sim = boot(&m);
    assert_int_equal(sim->vm.min_free_kbytes, 67584);
    assert_wmarks(&sim->nodes[0].zones[MM_ZONE_MOVABLE], 0, 0, 0, 0);
    assert_wmarks(&sim->nodes[0].zones[MM_ZONE_DMA32], 8719, 10898, 13077, 15256);
    mm_sim_free(sim);
}

static void test_16g_thp_off(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_16g(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    assert_int_equal(sim->vm.min_free_kbytes, 16160);
    assert_wmarks(&z[MM_ZONE_DMA], 3, 6, 9, 12);
    /* gap = 727000 * 10 / 10000 = 727 beats 719 / 4 */
    assert_wmarks(&z[MM_ZONE_DMA32], 719, 1446, 2173, 2900);
    assert_wmarks(&z[MM_ZONE_NORMAL], 3316, 6666, 10016, 13366);
    mm_sim_free(sim);
}

static void test_16g_thp_on(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_16g(&m, MM_KERNEL(6, 12), MM_THP_ALWAYS);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    /* 512 * 3 zones * 11 pages = 16896 pages */
    assert_int_equal(sim->vm.min_free_kbytes, 67584);
    assert_wmarks(&z[MM_ZONE_DMA], 15, 18, 21, 24);
    assert_wmarks(&z[MM_ZONE_DMA32], 3010, 3762, 4514, 5266);
    assert_wmarks(&z[MM_ZONE_NORMAL], 13870, 17337, 20804, 24271);
    mm_sim_free(sim);
}

/* @dma32 and @normal managed pages next to the usual 3840-page DMA zone. */
static int min_free_for(uint64_t total, enum mm_thp_mode thp)
{
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 18), thp);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    uint64_t dma32 = total - 3840 < 782336 ? total - 3840 : 782336;
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, dma32);
    if (total > 3840 + dma32)
        zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G, total - 3840 - dma32);
    struct mm_sim *sim = boot(&m);
    int v = sim->vm.min_free_kbytes;
    mm_sim_free(sim);
    return v;
}

static void test_min_free_kbytes_sqrt(void **state)
{
    (void)state;
    /* int_sqrt(lowmem_kB * 16): 1 GiB 4096, 4 GiB 8192, 16 GiB 16384 */
    assert_int_equal(min_free_for(262144, MM_THP_NEVER), 4096);
    assert_int_equal(min_free_for(1048576, MM_THP_NEVER), 8192);
    assert_int_equal(min_free_for(4194304, MM_THP_NEVER), 16384);
    /* 256 MiB: 2048 (the kernel's own table) */
    assert_int_equal(min_free_for(65536, MM_THP_NEVER), 2048);
}

static void test_min_free_kbytes_thp(void **state)
{
    (void)state;
    /* 1 GiB, 2 zones: 11264 pages < 5% of (3819 + 256779): 45056 kB */
    assert_int_equal(min_free_for(262144, MM_THP_ALWAYS), 45056);
    /* 3 zones: 67584 kB, madvise counts as enabled */
    assert_int_equal(min_free_for(1048576, MM_THP_MADVISE), 67584);
    assert_int_equal(min_free_for(4194304, MM_THP_ALWAYS), 67584);
}

/* Below 512 MiB hugepage_init() turns THP off: the sqrt rule stays. */
static void test_thp_off_below_512m(void **state)
{
    (void)state;
    assert_int_equal(min_free_for(65536, MM_THP_ALWAYS), 2048);
    assert_int_equal(min_free_for(131071, MM_THP_ALWAYS),
                     min_free_for(131071, MM_THP_NEVER));
    /* exactly 512 MiB keeps THP: 2 zones, 5% of lowmem caps the raise */
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 18), MM_THP_ALWAYS);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 131072 - 3840);
    struct mm_sim *sim = boot(&m);
    assert_int_equal(sim->thp, MM_THP_ALWAYS);
    /* sqrt rule 2896 (min 724 pages): highs DMA 21+2*5 = 31, DMA32
     * 702+2*175 = 1052; nr_free_buffer_pages = 3809 + 126180 = 129989;
     * 11264 pages capped at 129989/20 = 6499 pages */
    assert_int_equal(sim->vm.min_free_kbytes, 25996);
    mm_sim_free(sim);
}

static void test_min_free_kbytes_1t(void **state)
{
    (void)state;
    struct mm_machine m;
    const uint64_t half = 1ull << 27; /* 512 GiB */
    machine_init(&m, MM_KERNEL(6, 18), MM_THP_ALWAYS);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 782336);
    zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G, half - 3840 - 782336);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G + half, half);
    struct mm_sim *sim = boot(&m);
    /* 2^28 pages: int_sqrt(2^30 * 16) = 2^17; THP's 4 zones ask only 90112 */
    assert_int_equal(sim->vm.min_free_kbytes, 131072);
    mm_sim_free(sim);
}

/* Movable: proportional min on 6.1; clamp(managed/1024, 32, 128) from 6.6. */
static void movable_machine(struct mm_machine *m, unsigned kernel)
{
    machine_init(m, kernel, MM_THP_NEVER);
    zone_set(m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone_plain(m, 0, MM_ZONE_DMA32, 4096, 262144);
    zone_plain(m, 0, MM_ZONE_NORMAL, PFN_4G, 262144);
    zone_plain(m, 0, MM_ZONE_MOVABLE, PFN_4G + 262144, 262144);
}

static void test_movable_61_vs_66(void **state)
{
    (void)state;
    struct mm_machine m;
    movable_machine(&m, MM_KERNEL(6, 1));
    struct mm_sim *sim = boot(&m);
    assert_int_equal(sim->vm.min_free_kbytes, 5813);
    assert_wmarks(&sim->nodes[0].zones[MM_ZONE_NORMAL], 481, 743, 1005, 1267);
    assert_wmarks(&sim->nodes[0].zones[MM_ZONE_MOVABLE], 481, 743, 1005, 1267);
    mm_sim_free(sim);
    movable_machine(&m, MM_KERNEL(6, 6));
    sim = boot(&m);
    assert_wmarks(&sim->nodes[0].zones[MM_ZONE_NORMAL], 721, 983, 1245, 1507);
    /* min 262144/1024 = 256 -> 128; the gap still uses the share (721) */
    assert_wmarks(&sim->nodes[0].zones[MM_ZONE_MOVABLE], 128, 390, 652, 914);
    mm_sim_free(sim);
}

/* The classic DMA 8M / NORMAL 64M / HIGHMEM 256M example, as DMA/DMA32/Normal. */
static void test_lowmem_reserve_classic(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 2048, 2048);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 16384);
    zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G, 65536);
    struct mm_sim *sim = boot(&m);
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.lowmem_reserve_ratio",
                                         "256 32 32 0 0"), 0);
    const struct mm_zone *z = sim->nodes[0].zones;
    const uint64_t dma[5] = {0, 64, 320, 320, 320};
    const uint64_t dma32[5] = {0, 0, 2048, 2048, 2048};
    assert_protection(&z[MM_ZONE_DMA], dma);
    assert_protection(&z[MM_ZONE_DMA32], dma32);
    /* ratio 0 clears a zone's reserves */
    assert_int_equal(mm_sim_sysctl_write(sim, "lowmem_reserve_ratio",
                                         "0 32 32 0 0"), 0);
    const uint64_t none[5] = {0};
    assert_protection(&z[MM_ZONE_DMA], none);
    assert_protection(&z[MM_ZONE_DMA32], dma32);
    mm_sim_free(sim);
}

static void test_watermark_ok_lowmem_reserve(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    struct mm_sim *sim = boot(&m);
    struct mm_zone *dma = &sim->nodes[0].zones[MM_ZONE_DMA];
    struct mm_zone *dma32 = &sim->nodes[0].zones[MM_ZONE_DMA32];
    /* DMA: 3840 free, min 43; user pages see reserve 5834 -> refused */
    assert_false(mm__zone_watermark_ok(dma, 0, 43, MM_ZONE_MOVABLE, 0));
    assert_false(mm__zone_watermark_ok(dma, 0, 43, MM_ZONE_NORMAL, 0));
    /* GFP_DMA32 sees reserve 3018: 3840 > 43 + 3018 */
    assert_true(mm__zone_watermark_ok(dma, 0, 43, MM_ZONE_DMA32, 0));
    assert_false(mm__zone_watermark_ok(dma, 0, 3840 - 3018, MM_ZONE_DMA32, 0));
    assert_true(mm__zone_watermark_ok(dma, 0, 43, MM_ZONE_DMA, 0));
    /* DMA32 for GFP_KERNEL: free must exceed min + 2816; exact boundary */
    dma32->vm_stat[MM_NR_FREE_PAGES] = 8719 + 2816;
    assert_false(mm__zone_watermark_ok(dma32, 0, 8719, MM_ZONE_NORMAL, 0));
    dma32->vm_stat[MM_NR_FREE_PAGES] = 8719 + 2816 + 1;
    assert_true(mm__zone_watermark_ok(dma32, 0, 8719, MM_ZONE_NORMAL, 0));
    /* order 1 needs 2^1 - 1 more pages */
    assert_false(mm__zone_watermark_ok(dma32, 1, 8719, MM_ZONE_NORMAL, 0));
    /* __GFP_HIGH (MIN_RESERVE) halves min: 8719 - 4359 = 4360 */
    dma32->vm_stat[MM_NR_FREE_PAGES] = 4360 + 2816 + 1;
    assert_true(mm__zone_watermark_ok(dma32, 0, 8719, MM_ZONE_NORMAL,
                                      MM_ALLOC_MIN_RESERVE));
    assert_false(mm__zone_watermark_ok(dma32, 0, 8719, MM_ZONE_NORMAL, 0));
    mm_sim_free(sim);
}

/* order > 0 also needs a free block of at least that order. */
static void test_watermark_ok_high_order(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    struct mm_sim *sim = boot(&m);
    struct mm_zone *dma = &sim->nodes[0].zones[MM_ZONE_DMA];
    assert_true(mm__zone_watermark_ok(dma, 10, 0, MM_ZONE_DMA, 0));
    uint64_t pfn;
    struct mm_alloc_ctx ac = {0, MM_ZONE_DMA, 10, MM_MIGRATE_MOVABLE, NULL, 0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), 0);
    /* 768 pages free in blocks of order 8 and 9: enough pages, no order 10 */
    assert_false(mm__zone_watermark_ok(dma, 10, 0, MM_ZONE_DMA, 0));
    assert_true(mm__zone_watermark_ok(dma, 9, 0, MM_ZONE_DMA, 0));
    mm_sim_free(sim);
}

/* MemAvailable on the live machine: free - totalreserve + half the cache. */
static void test_si_mem_available(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    struct mm_sim *sim = boot(&m);
    assert_int_equal(mm__si_mem_available(sim), 1497544 - 31932);
    struct mm_pgdat *n0 = &sim->nodes[0];
    mm__mod_node_page_state(n0, MM_NR_INACTIVE_FILE, 1000);
    mm__mod_node_page_state(n0, MM_NR_ACTIVE_FILE, 500);
    mm__mod_node_page_state(n0, MM_NR_SLAB_RECLAIMABLE, 101);
    assert_int_equal(mm__si_mem_available(sim), 1497544 - 31932 + 750 + 51);
    /* the cut is capped by the sum of low watermarks: 53+10898+10166+32 */
    mm__mod_node_page_state(n0, MM_NR_INACTIVE_FILE, 100000);
    assert_int_equal(mm__si_mem_available(sim),
                     1497544 - 31932 + 101500 - 21149 + 51);
    /* all free pages gone: the reserve makes it 0, not negative */
    sim->nodes[0].zones[MM_ZONE_DMA32].vm_stat[MM_NR_FREE_PAGES] = 0;
    sim->nodes[0].zones[MM_ZONE_NORMAL].vm_stat[MM_NR_FREE_PAGES] = 0;
    mm__mod_node_page_state(n0, MM_NR_INACTIVE_FILE, -101000);
    mm__mod_node_page_state(n0, MM_NR_ACTIVE_FILE, -500);
    assert_int_equal(mm__si_mem_available(sim), 0);
    mm_sim_free(sim);
}

static void assert_pcp(const struct mm_sim *sim, const struct mm_zone *z,
                       uint64_t batch, uint64_t high_min, uint64_t high_max)
{
    struct mm_pcp_sizes pcp;
    mm__zone_pcp_sizes(sim, z, &pcp);
    assert_int_equal(pcp.batch, batch);
    assert_int_equal(pcp.high_min, high_min);
    assert_int_equal(pcp.high_max, high_max);
}

/* zoneinfo pagesets of the live machine (2 CPUs): KERNEL-MM-REFERENCE 2.2. */
static void test_pcp_sizes(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    /* DMA32: low 10898 / 2 CPUs; high_max 772808 / 8 / 2 */
    assert_pcp(sim, &z[MM_ZONE_DMA32], 63, 5449, 48300);
    /* DMA: batch 1, high max(53 / 2, 4 * 1) */
    assert_pcp(sim, &z[MM_ZONE_DMA], 1, 26, 240);
    assert_int_equal(mm_sim_sysctl_write(sim, "percpu_pagelist_high_fraction", "8"), 0);
    assert_pcp(sim, &z[MM_ZONE_DMA32], 63, 48300, 48300);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_618),
        cmocka_unit_test(test_live_machine_as_61),
        cmocka_unit_test(test_16g_thp_off),
        cmocka_unit_test(test_16g_thp_on),
        cmocka_unit_test(test_min_free_kbytes_sqrt),
        cmocka_unit_test(test_min_free_kbytes_thp),
        cmocka_unit_test(test_thp_off_below_512m),
        cmocka_unit_test(test_min_free_kbytes_1t),
        cmocka_unit_test(test_movable_61_vs_66),
        cmocka_unit_test(test_lowmem_reserve_classic),
        cmocka_unit_test(test_watermark_ok_lowmem_reserve),
        cmocka_unit_test(test_watermark_ok_high_order),
        cmocka_unit_test(test_si_mem_available),
        cmocka_unit_test(test_pcp_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
