/*
 * Unit tests for model/sim.c: sysctl writes that recompute watermarks and
 * reserves (min_free_kbytes, watermark_scale_factor, lowmem_reserve_ratio),
 * refused writes that change nothing, and the background memory taken at
 * boot.
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

static void assert_wmarks(const struct mm_zone *z, uint64_t min, uint64_t low,
                          uint64_t high)
{
    assert_int_equal(z->watermark[MM_WMARK_MIN], min);
    assert_int_equal(z->watermark[MM_WMARK_LOW], low);
    assert_int_equal(z->watermark[MM_WMARK_HIGH], high);
}

static void test_min_free_kbytes_write(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_16g(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    assert_int_equal(sim->vm.min_free_kbytes, 16160);
    assert_int_equal(sim->vm.user_min_free_kbytes, -1);
    assert_wmarks(&z[MM_ZONE_DMA32], 719, 1446, 2173);
    /* writing the THP-on value gives the THP-on watermarks */
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.min_free_kbytes", "67584"), 0);
    assert_int_equal(sim->vm.user_min_free_kbytes, 67584);
    assert_wmarks(&z[MM_ZONE_DMA32], 3010, 3762, 4514);
    assert_wmarks(&z[MM_ZONE_NORMAL], 13870, 17337, 20804);
    /* DMA min(3840, 21 + 4077000/256) + DMA32 (4514 + 3350000/256) + 20804 */
    assert_int_equal(z[MM_ZONE_DMA].lowmem_reserve[MM_ZONE_NORMAL], 15925);
    assert_int_equal(sim->totalreserve_pages, 3840 + 4514 + 13085 + 20804);
    /* refused: negative; nothing changes */
    assert_int_equal(mm_sim_sysctl_write(sim, "min_free_kbytes", "-1"), MM_EINVAL);
    assert_int_equal(sim->vm.min_free_kbytes, 67584);
    assert_wmarks(&z[MM_ZONE_DMA32], 3010, 3762, 4514);
    mm_sim_free(sim);
}

static void test_watermark_scale_factor_write(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_16g(&m, MM_KERNEL(6, 18), MM_THP_ALWAYS);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    assert_int_equal(mm_sim_sysctl_write(sim, "vm/watermark_scale_factor", "200"), 0);
    /* gap = managed * 200 / 10000: DMA32 14540, Normal 67000, DMA 76 */
    assert_wmarks(&z[MM_ZONE_DMA], 15, 91, 167);
    assert_wmarks(&z[MM_ZONE_DMA32], 3010, 17550, 32090);
    assert_wmarks(&z[MM_ZONE_NORMAL], 13870, 80870, 147870);
    assert_int_equal(z[MM_ZONE_NORMAL].watermark[MM_WMARK_PROMO], 214870);
    assert_int_equal(mm_sim_sysctl_write(sim, "watermark_scale_factor", "0"),
                     MM_EINVAL);
    assert_int_equal(mm_sim_sysctl_write(sim, "watermark_scale_factor", "3001"),
                     MM_EINVAL);
    assert_wmarks(&z[MM_ZONE_DMA32], 3010, 17550, 32090);
    assert_int_equal(mm_sim_sysctl_write(sim, "no_such_knob", "1"), MM_ENOENT);
    mm_sim_free(sim);
}

static void test_lowmem_reserve_write(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    struct mm_sim *sim = boot(&m);
    const struct mm_zone *z = sim->nodes[0].zones;
    uint64_t before = sim->totalreserve_pages;
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.lowmem_reserve_ratio",
                                         "-1 128 32 0 0"), 0);
    assert_int_equal(z[MM_ZONE_DMA].lowmem_reserve[MM_ZONE_NORMAL], 0);
    /* DMA32: 720896 / 128 */
    assert_int_equal(z[MM_ZONE_DMA32].lowmem_reserve[MM_ZONE_MOVABLE], 5632);
    /* DMA: min(3840, 63 + 0) = 63 instead of 3840; DMA32 gains 2816 */
    assert_int_equal(sim->totalreserve_pages, before - 3840 + 63 + 2816);
    mm_sim_free(sim);
}

/* machine.bg_used_pages comes out of each node's free memory at boot. */
static void test_background_memory(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 18), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192);
    zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G, 4096);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G + 4096, 4096);
    m.bg_used_pages[0] = 5000; /* Normal first (4096), then 904 from DMA32 */
    m.bg_used_pages[1] = 1;
    struct mm_sim *sim = boot(&m);
    const struct mm_pgdat *n0 = &sim->nodes[0], *n1 = &sim->nodes[1];
    assert_int_equal(n0->zones[MM_ZONE_NORMAL].bg_pages, 4096);
    assert_int_equal(n0->zones[MM_ZONE_NORMAL].vm_stat[MM_NR_FREE_PAGES], 0);
    assert_int_equal(n0->zones[MM_ZONE_DMA32].bg_pages, 904);
    assert_int_equal(n0->zones[MM_ZONE_DMA32].vm_stat[MM_NR_FREE_PAGES], 8192 - 904);
    assert_int_equal(n1->zones[MM_ZONE_NORMAL].vm_stat[MM_NR_FREE_PAGES], 4095);
    /* watermarks come from managed pages, not free ones */
    assert_int_equal(sim->totalram_pages, 16384);
    assert_int_equal(sim->vm.min_free_kbytes, 1024);
    assert_int_equal(sim->vm_events[MM_PGALLOC_NORMAL], 0);
    mm_sim_free(sim);
}

/* machine.hugetlb_pages: 2 MiB pages node after node, out of the buddy. */
static void test_hugetlb_pool(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 18), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G, 8192);
    m.hugetlb_pages = 3 * 512;
    m.bg_used_pages[0] = 2048; /* includes node 0's two huge pages */
    struct mm_sim *sim = boot(&m);
    assert_int_equal(sim->nodes[0].nr_huge_pages, 2);
    assert_int_equal(sim->nodes[1].nr_huge_pages, 1);
    assert_int_equal(sim->nodes[1].node_stat[MM_NR_HUGETLB], 512);
    assert_int_equal(sim->nodes[0].zones[MM_ZONE_DMA32].vm_stat[MM_NR_FREE_PAGES],
                     8192 - 2048);
    assert_int_equal(sim->nodes[0].zones[MM_ZONE_DMA32].bg_pages, 1024);
    assert_int_equal(sim->nodes[1].zones[MM_ZONE_NORMAL].vm_stat[MM_NR_FREE_PAGES],
                     8192 - 512);
    mm_sim_free(sim);
}

/* A pool larger than the node can give ends where the watermark stops it. */
static void test_hugetlb_pool_too_big(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 18), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 4096);
    m.hugetlb_pages = 16 * 512;
    struct mm_sim *sim = boot(&m);
    /* min 128: the 8th needs 512 - 511 > 128 */
    assert_int_equal(sim->nodes[0].nr_huge_pages, 7);
    assert_int_equal(sim->nodes[0].zones[MM_ZONE_DMA32].vm_stat[MM_NR_FREE_PAGES],
                     512);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_free_kbytes_write),
        cmocka_unit_test(test_watermark_scale_factor_write),
        cmocka_unit_test(test_lowmem_reserve_write),
        cmocka_unit_test(test_background_memory),
        cmocka_unit_test(test_hugetlb_pool),
        cmocka_unit_test(test_hugetlb_pool_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
