/*
 * Unit tests for model/vmstat.c: the item lists per kernel version (counts
 * and positions from vmstat_text[] of Debian 6.1 and 6.12), the accessors
 * the /proc renderers use (buddyinfo columns of the live machine at boot,
 * per-migratetype counts, protection, names), and summed counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "machine_util.h"

static size_t shown(enum mm_stat_class cls, unsigned kernel)
{
    size_t n = 0;
    for (size_t i = 0; i < mm__stat_count(cls); i++)
        n += mm__stat_shown(mm__stat_desc(cls, i), kernel);
    return n;
}

static size_t shown_all(unsigned kernel)
{
    size_t n = 0;
    for (int c = 0; c < MM_NR_STAT_CLASSES; c++)
        n += shown((enum mm_stat_class)c, kernel);
    return n;
}

/* Index of @name among the items @kernel prints in @cls, or -1. */
static int position(enum mm_stat_class cls, unsigned kernel, const char *name)
{
    int pos = 0;
    for (size_t i = 0; i < mm__stat_count(cls); i++) {
        const struct mm_stat_desc *d = mm__stat_desc(cls, i);
        if (!mm__stat_shown(d, kernel))
            continue;
        if (!strcmp(d->name, name))
            return pos;
        pos++;
    }
    return -1;
}

static void test_item_lists(void **state)
{
    (void)state;
    /* /proc/vmstat lines before "nr_unstable 0" */
    assert_int_equal(shown_all(MM_KERNEL(6, 1)), 172);
    assert_int_equal(shown_all(MM_KERNEL(6, 12)), 184);
    /* the 6.18 sample's 191 plus nr_unaccepted (Debian config) */
    assert_int_equal(shown_all(MM_KERNEL(6, 18)), 192);
    assert_int_equal(shown(MM_STAT_ZONE, MM_KERNEL(6, 1)), 11);
    assert_int_equal(shown(MM_STAT_NUMA, MM_KERNEL(6, 1)), 6);
    assert_int_equal(position(MM_STAT_ZONE, MM_KERNEL(6, 18), "nr_free_pages_blocks"), 1);
    assert_int_equal(position(MM_STAT_ZONE, MM_KERNEL(6, 12), "nr_free_pages_blocks"), -1);
    assert_int_equal(position(MM_STAT_ZONE, MM_KERNEL(6, 1), "nr_bounce"), 8);
    assert_int_equal(position(MM_STAT_ZONE, MM_KERNEL(6, 18), "nr_bounce"), -1);
    /* pgdemote_kswapd: a vm event in 6.1, a node stat in 6.12 */
    assert_int_equal(position(MM_STAT_EVENT, MM_KERNEL(6, 1), "pgdemote_kswapd"), 30);
    assert_int_equal(position(MM_STAT_EVENT, MM_KERNEL(6, 12), "pgdemote_kswapd"), -1);
    assert_true(position(MM_STAT_NODE, MM_KERNEL(6, 12), "pgdemote_kswapd") > 0);
    assert_string_equal(mm__stat_desc(MM_STAT_NUMA, MM_NUMA_INTERLEAVE)->name,
                        "numa_interleave");
    assert_string_equal(mm__stat_desc(MM_STAT_NODE, MM_NR_ANON_PAGES)->name,
                        "nr_anon_pages");
    assert_string_equal(mm__stat_desc(MM_STAT_EVENT, MM_PGFAULT)->name, "pgfault");
    assert_null(mm__stat_desc(MM_STAT_EVENT, MM_NR_VM_EVENT_ITEMS));
    assert_int_equal(mm__stat_count(MM_STAT_WRITEBACK), 2);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mm__zone_name(MM_ZONE_DMA32), "DMA32");
    assert_string_equal(mm__zone_name(MM_ZONE_DEVICE), "Device");
    assert_string_equal(mm__migratetype_name(MM_MIGRATE_HIGHATOMIC), "HighAtomic");
    assert_string_equal(mm__migratetype_name(MM_MIGRATE_TYPES), "Isolate");
}

static void test_live_machine_views(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_live618(&m);
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    assert_int_equal(mm__nr_nodes(sim), 1);
    assert_null(mm__node(sim, 1));
    const struct mm_zone *dma = mm__node_zone(sim, 0, MM_ZONE_DMA);
    const struct mm_zone *dma32 = mm__node_zone(sim, 0, MM_ZONE_DMA32);
    const struct mm_zone *normal = mm__node_zone(sim, 0, MM_ZONE_NORMAL);
    const uint64_t want_dma[11] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3};
    /* managed 772808 at the top of DMA32: from PFN 275768 */
    const uint64_t want_dma32[11] = {0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 754};
    for (unsigned o = 0; o < MM_NR_PAGE_ORDERS; o++) {
        assert_int_equal(mm__zone_nr_free(dma, o), want_dma[o]);
        assert_int_equal(mm__zone_nr_free(dma32, o), want_dma32[o]);
        assert_int_equal(mm__zone_nr_free_mt(dma32, o, MM_MIGRATE_MOVABLE),
                         want_dma32[o]);
        assert_int_equal(mm__zone_nr_free_mt(dma32, o, MM_MIGRATE_TYPES), 0);
    }
    assert_int_equal(mm__zone_nr_free(normal, 10), 704);
    assert_int_equal(mm__zone_page_state(dma, MM_NR_FREE_PAGES), 3840);
    assert_int_equal(mm__zone_page_state(dma32, MM_NR_FREE_PAGES_BLOCKS),
                     512 + 754 * 1024);
    assert_int_equal(mm__global_zone_page_state(sim, MM_NR_FREE_PAGES),
                     3840 + 772808 + 720896);
    assert_int_equal(mm__zone_protection(dma, MM_ZONE_NORMAL), 5834);
    /* 2 * fls(2 CPUs) * (1 + fls(772808 >> 15)) = 2 * 2 * 6 (sample: 24) */
    assert_int_equal(mm__zone_stat_threshold(sim, dma32), 24);
    assert_int_equal(mm__zone_stat_threshold(sim, dma), 4);
    /* pagetypeinfo block counts: present rounded up to pageblocks */
    assert_int_equal(mm__pageblocks_of_type(dma, MM_MIGRATE_MOVABLE), 8);
    assert_int_equal(mm__pageblocks_of_type(dma32, MM_MIGRATE_MOVABLE), 1528);
    mm_sim_free(sim);
}

static void test_counters(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 12), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G, 8192);
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    struct mm_alloc_ctx ac = {1, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, NULL, 0};
    uint64_t pfn;
    assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), 0);
    ac.preferred_nid = 0;
    assert_int_equal(mm__alloc_pages(sim, &ac, &pfn), 0);
    assert_int_equal(mm__global_numa_event_state(sim, MM_NUMA_HIT), 2);
    assert_int_equal(mm__node_numa_event_state(mm__node(sim, 1), MM_NUMA_LOCAL), 1);
    assert_int_equal(mm__vm_event(sim, MM_PGALLOC_NORMAL), 1);
    mm__count_vm_events(sim, MM_PGFAULT, 3);
    assert_int_equal(mm__vm_event(sim, MM_PGFAULT), 3);
    struct mm_pgdat *n0 = &sim->nodes[0];
    mm__mod_node_page_state(n0, MM_NR_ANON_PAGES, 5);
    mm__mod_node_page_state(&sim->nodes[1], MM_NR_ANON_PAGES, -7);
    assert_int_equal(mm__node_page_state(n0, MM_NR_ANON_PAGES), 5);
    assert_int_equal(mm__node_page_state(&sim->nodes[1], MM_NR_ANON_PAGES), 0);
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_ANON_PAGES), 0);
    mm__mod_zone_page_state(&n0->zones[MM_ZONE_DMA32], MM_NR_MLOCK, 2);
    assert_int_equal(mm__global_zone_page_state(sim, MM_NR_MLOCK), 2);
    mm__mod_global_page_state(sim, MM_NR_MEMMAP_PAGES, 64);
    assert_int_equal(mm__global_page_state(sim, MM_NR_MEMMAP_PAGES), 64);
    mm_sim_free(sim);
}

/* The public getter: names resolve to the enum's index, reads follow the
 * counter, unknown names and indexes are refused or read 0. */
static void test_public_event_getter(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 12), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, 8192);
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    assert_int_equal(mm_vm_event_index("pgscan_kswapd"), MM_PGSCAN_KSWAPD);
    assert_int_equal(mm_vm_event_index("oom_kill"), MM_OOM_KILL);
    assert_int_equal(mm_vm_event_index("pswpout"), MM_PSWPOUT);
    assert_int_equal(mm_vm_event_index("nr_free_pages"), MM_ENOENT);
    assert_int_equal(mm_vm_event_index(NULL), MM_ENOENT);
    mm__count_vm_events(sim, MM_PGSCAN_DIRECT, 17);
    assert_int_equal(mm_vm_event_read(sim, mm_vm_event_index("pgscan_direct")), 17);
    assert_int_equal(mm_vm_event_read(sim, -1), 0);
    assert_int_equal(mm_vm_event_read(sim, MM_NR_VM_EVENT_ITEMS), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_lists),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_live_machine_views),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_public_event_getter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
