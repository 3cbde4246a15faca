/*
 * Unit tests for model/mmzone.c: build_zonelists() node order with the
 * kernel's penalties and node_load round-robin, zones high -> low within a
 * node, PFN -> zone/node lookups, the preferred zone, and machine shapes
 * the kernel could not have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"
#include "machine_util.h"

#define NODE_PAGES 8192ull

/* @n nodes with one Normal zone each (node 0 also DMA32), all with CPUs. */
static void numa_machine(struct mm_machine *m, unsigned n)
{
    machine_init(m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(m, 0, MM_ZONE_DMA32, 4096, NODE_PAGES);
    for (unsigned i = 0; i < n; i++) {
        zone_plain(m, i, MM_ZONE_NORMAL, PFN_4G + i * NODE_PAGES, NODE_PAGES);
        m->nodes[i].nr_cpus = 1;
    }
}

static struct mm_sim *boot(const struct mm_machine *m)
{
    int err = -1;
    struct mm_sim *sim = mm_sim_new(m, &err);
    assert_int_equal(err, 0);
    return sim;
}

static void assert_order(const struct mm_sim *sim, int nid, const int *want,
                         unsigned n)
{
    assert_int_equal(sim->nodes[nid].nr_node_order, n);
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(sim->nodes[nid].node_order[i], want[i]);
}

static void test_zonelist_three_nodes(void **state)
{
    (void)state;
    struct mm_machine m;
    numa_machine(&m, 3);
    const uint8_t d[3][3] = {{10, 20, 30}, {20, 10, 20}, {30, 20, 10}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            m.distance[i][j] = d[i][j];
    struct mm_sim *sim = boot(&m);
    /* node 1: node 2 (20 + 0 + 1, load 1) beats node 0 (20 + 1 + 1, load 0) */
    const int o0[] = {0, 1, 2}, o1[] = {1, 2, 0}, o2[] = {2, 1, 0};
    assert_order(sim, 0, o0, 3);
    assert_order(sim, 1, o1, 3);
    assert_order(sim, 2, o2, 3);
    /* node 0's zonelist: own Normal, own DMA32, then node 1, node 2 */
    struct mm_zone **zl = sim->nodes[0].zonelist;
    assert_ptr_equal(zl[0], &sim->nodes[0].zones[MM_ZONE_NORMAL]);
    assert_ptr_equal(zl[1], &sim->nodes[0].zones[MM_ZONE_DMA32]);
    assert_ptr_equal(zl[2], &sim->nodes[1].zones[MM_ZONE_NORMAL]);
    assert_ptr_equal(zl[3], &sim->nodes[2].zones[MM_ZONE_NORMAL]);
    assert_null(zl[4]);
    mm_sim_free(sim);
}

/* Equal distances: node_load spreads the first remote node round-robin. */
static void test_zonelist_round_robin(void **state)
{
    (void)state;
    struct mm_machine m;
    numa_machine(&m, 4); /* no SLIT: 10 local, 20 remote */
    struct mm_sim *sim = boot(&m);
    const int o0[] = {0, 1, 2, 3}, o1[] = {1, 2, 3, 0}, o2[] = {2, 3, 0, 1},
              o3[] = {3, 0, 1, 2};
    assert_order(sim, 0, o0, 4);
    assert_order(sim, 1, o1, 4);
    assert_order(sim, 2, o2, 4);
    assert_order(sim, 3, o3, 4);
    mm_sim_free(sim);
}

/* CPU-less nodes are preferred ("headless" nodes get no penalty). */
static void test_zonelist_cpuless_preferred(void **state)
{
    (void)state;
    struct mm_machine m;
    numa_machine(&m, 3);
    m.nodes[2].nr_cpus = 0;
    struct mm_sim *sim = boot(&m);
    const int o0[] = {0, 2, 1};
    assert_order(sim, 0, o0, 3);
    mm_sim_free(sim);
}

/* A memoryless node still lists itself first, then the nodes with memory. */
static void test_zonelist_memoryless_node(void **state)
{
    (void)state;
    struct mm_machine m;
    numa_machine(&m, 2);
    m.nr_nodes = 3;
    m.nodes[2].nr_cpus = 1;
    struct mm_sim *sim = boot(&m);
    const int o2[] = {2, 0, 1};
    assert_order(sim, 2, o2, 3);
    assert_ptr_equal(sim->nodes[2].zonelist[0], &sim->nodes[0].zones[MM_ZONE_NORMAL]);
    assert_int_equal(sim->node_mask, 3);
    mm_sim_free(sim);
}

static void test_pfn_lookup(void **state)
{
    (void)state;
    struct mm_machine m;
    numa_machine(&m, 2);
    zone_set(&m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    struct mm_sim *sim = boot(&m);
    assert_int_equal(mm__pfn_to_zone(sim, 256), MM_ZONE_DMA);
    assert_int_equal(mm__pfn_to_zone(sim, 255), MM_NR_ZONES); /* reserved */
    assert_int_equal(mm__pfn_to_nid(sim, 255), -1);
    assert_int_equal(mm__pfn_to_zone(sim, 4096 + NODE_PAGES - 1), MM_ZONE_DMA32);
    assert_int_equal(mm__pfn_to_zone(sim, 4096 + NODE_PAGES), MM_NR_ZONES);
    assert_int_equal(mm__pfn_to_nid(sim, PFN_4G), 0);
    assert_int_equal(mm__pfn_to_nid(sim, PFN_4G + NODE_PAGES), 1);
    assert_int_equal(mm__pfn_to_zone(sim, PFN_4G + NODE_PAGES), MM_ZONE_NORMAL);
    assert_int_equal(mm__pfn_to_nid(sim, PFN_4G + 2 * NODE_PAGES), -1);
    /* preferred zone: GFP_DMA32 from node 1 lands on node 0's DMA32 */
    assert_ptr_equal(mm__first_zone(sim, 1, MM_ZONE_DMA32, UINT64_MAX),
                     &sim->nodes[0].zones[MM_ZONE_DMA32]);
    assert_ptr_equal(mm__first_zone(sim, 1, MM_ZONE_MOVABLE, UINT64_MAX),
                     &sim->nodes[1].zones[MM_ZONE_NORMAL]);
    mm_sim_free(sim);
}

static void assert_rejected(const struct mm_machine *m)
{
    int err = 0;
    assert_null(mm_sim_new(m, &err));
    assert_int_equal(err, MM_EINVAL);
}

static void test_impossible_machines(void **state)
{
    (void)state;
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    m.nr_nodes = 0;
    assert_rejected(&m);                           /* no node */
    numa_machine(&m, 1);
    m.nr_nodes = MM_MAX_NUMNODES + 1;
    assert_rejected(&m);                           /* too many nodes */
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    assert_rejected(&m);                           /* no memory at all */
    zone_set(&m, 0, MM_ZONE_DMA32, 4096, 100, 100, 101);
    assert_rejected(&m);                           /* managed > present */
    zone_set(&m, 0, MM_ZONE_DMA32, 4096, 100, 101, 100);
    assert_rejected(&m);                           /* present > spanned */
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA, 1, 4096);
    assert_rejected(&m);                           /* DMA beyond 16 MiB */
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4000, 1000);
    assert_rejected(&m);                           /* DMA32 below 16 MiB */
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, PFN_4G - 10, 11);
    assert_rejected(&m);                           /* DMA32 beyond 4 GiB */
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G - 1, 10);
    assert_rejected(&m);                           /* Normal below 4 GiB */
    numa_machine(&m, 2);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G + 100, NODE_PAGES);
    assert_rejected(&m);                           /* nodes overlap */
    numa_machine(&m, 1);
    zone_set(&m, 0, MM_ZONE_DEVICE, 1ull << 30, 512, 512, 0);
    assert_rejected(&m);                           /* device memory present */
    numa_machine(&m, 2);
    m.distance[0][0] = 20;
    m.distance[0][1] = m.distance[1][0] = 20;
    m.distance[1][1] = 10;
    assert_rejected(&m);                           /* local distance not 10 */
    m.distance[0][0] = 10;
    m.distance[0][1] = 10;
    assert_rejected(&m);                           /* remote as close as local */
    numa_machine(&m, 1);
    m.bg_used_pages[0] = 2 * NODE_PAGES + 1;
    assert_rejected(&m);                           /* background above node size */
    numa_machine(&m, 1);
    m.kernel = MM_KERNEL(5, 15);
    assert_rejected(&m);                           /* kernel older than the model */
    numa_machine(&m, 1);
    m.thp = (enum mm_thp_mode)3;
    assert_rejected(&m);
}

static void test_possible_machine_accepted(void **state)
{
    (void)state;
    struct mm_machine m;
    numa_machine(&m, 2);
    zone_set(&m, 1, MM_ZONE_DEVICE, 1ull << 30, 512, 0, 0);
    int err = -1;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    assert_int_equal(err, 0);
    mm_sim_free(sim);
    mm_sim_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zonelist_three_nodes),
        cmocka_unit_test(test_zonelist_round_robin),
        cmocka_unit_test(test_zonelist_cpuless_preferred),
        cmocka_unit_test(test_zonelist_memoryless_node),
        cmocka_unit_test(test_pfn_lookup),
        cmocka_unit_test(test_impossible_machines),
        cmocka_unit_test(test_possible_machine_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
