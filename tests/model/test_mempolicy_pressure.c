/*
 * Unit tests of NUMA policies under memory pressure (model/mempolicy*.c
 * with model/vmscan.c and model/oom_kill.c): direct reclaim for MPOL_BIND
 * shrinks only the policy's nodes; PREFERRED_MANY's first pass does not
 * reclaim; an OOM for a BIND allocation is CONSTRAINT_MEMORY_POLICY and
 * spares tasks bound elsewhere.
 */
#include "numa_util.h"

/* Direct reclaim for a BIND {1} allocation shrinks node 1 only: node 0's
 * page cache (4096 pages read by another task) stays. */
static void test_bind_reclaims_its_nodes_only(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    uint64_t F = A + 0x100000000ull;
    aspace_proc(sim, 100);
    aspace_proc(sim, 200);
    assert_int_equal(map_file(sim, 200, F, 4096 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    for (uint64_t i = 0; i < 4096; i += 32)
        assert_int_equal(mm_fault(sim, 200, F + (i + 16) * P, false), 0);
    const struct mm_pgdat *n0 = mm__node(sim, 0), *n1 = mm__node(sim, 1);
    assert_int_equal(mm__node_page_state(n0, MM_NR_FILE_PAGES), 4096);
    assert_int_equal(map_file(sim, 100, F, 2 * NODE_PAGES * P, RO,
                              MM_MAP_PRIVATE, 8, 0), 0);
    assert_int_equal(mm_set_mempolicy(sim, 100, MM_MPOL_BIND, 2, 65), 0);
    for (uint64_t i = 0; i < 2 * NODE_PAGES; i += 32)
        assert_int_equal(mm_fault(sim, 100, F + (i + 16) * P, false), 0);
    assert_true(mm__vm_event(sim, MM_PGSTEAL_DIRECT) > 0);
    assert_int_equal(mm__node_page_state(n0, MM_NR_FILE_PAGES), 4096);
    assert_true(mm__node_page_state(n1, MM_NR_FILE_PAGES) < NODE_PAGES);
    mm_sim_free(sim);
}

/* An OOM for a BIND {1} allocation on a node-0-heavy machine:
 * CONSTRAINT_MEMORY_POLICY, totalpages = node 1's present pages, and the
 * biggest task, bound to node 0 only, is not a candidate. */
static void test_oom_memory_policy_constraint(void **state)
{
    (void)state;
    struct mm_machine m = numa_machine(2, MM_KERNEL(6, 1));
    zone_plain(&m, 0, MM_ZONE_NORMAL, PFN_4G, 4 * NODE_PAGES);
    zone_plain(&m, 1, MM_ZONE_NORMAL, PFN_4G + 4 * NODE_PAGES, NODE_PAGES);
    struct mm_sim *sim = boot_numa(&m);
    uint64_t per[2] = {0};
    for (uint32_t pid = 100; pid <= 300; pid += 100) {
        aspace_proc(sim, pid);
        assert_int_equal(map_anon(sim, pid, A, 3 * NODE_PAGES * P, RW,
                                  MM_MAP_PRIVATE), 0);
    }
    assert_int_equal(mm_set_mempolicy(sim, 200, MM_MPOL_BIND, 1, 65), 0);
    assert_int_equal(fault_until_enomem(sim, 200, A, 2 * NODE_PAGES, per),
                     2 * NODE_PAGES);
    assert_int_equal(mm_fault(sim, 300, A, true), 0);
    assert_int_equal(mm_set_mempolicy(sim, 100, MM_MPOL_BIND, 2, 65), 0);
    assert_int_equal(fault_until_enomem(sim, 100, A, 2 * NODE_PAGES, per),
                     NODE_PAGES - wmark(sim, 1, MM_WMARK_MIN));
    assert_int_equal(mm_oom_log_count(sim), 1);
    const struct mm_oom_report *r = mm_oom_log_at(sim, 0);
    assert_int_equal(r->constraint, MM_CONSTRAINT_MEMORY_POLICY);
    assert_int_equal(r->totalpages, NODE_PAGES);
    assert_int_equal(r->nodemask, 2);
    assert_int_equal(r->victim.pid, 100);
    assert_true(mm_task_oom_killed(sim, 100));
    assert_false(mm_task_oom_killed(sim, 200));
    struct mm_buf b = {0};
    assert_int_equal(mm_oom_log_render(sim, &b, NULL, NULL), 0);
    assert_non_null(strstr(b.data, "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,"
                                   "nodemask=1,cpuset=/,mems_allowed=0-1,"));
    mm_buf_free(&b);
    mm_sim_free(sim);
}

/* PREFERRED_MANY's first pass does not reclaim: with node 1 at min but
 * holding page cache, the page comes from node 0; BIND {1} instead
 * reclaims node 1's page cache and stays there. */
static void test_preferred_many_first_pass_no_reclaim(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    uint64_t F = A + 0x100000000ull, pfn;
    assert_int_equal(map_file(sim, 1, F, 64 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 2, 65), 0);
    assert_int_equal(mm_fault(sim, 1, F, false), 0); /* 32 pages read */
    uint64_t cache1 = mm__node_page_state(mm__node(sim, 1), MM_NR_FILE_PAGES);
    assert_int_equal(cache1, 32);
    struct mm_alloc_ctx ac = {1, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, NULL, 0};
    while (nfree(sim, 1) > wmark(sim, 1, MM_WMARK_MIN))
        assert_int_equal(mm__alloc_pages_thisnode(sim, &ac, &pfn), 0);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED_MANY, 2, 65), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(page_nid(sim, 1, A), 0);
    assert_int_equal(mm__node_page_state(mm__node(sim, 1), MM_NR_FILE_PAGES), 32);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 2, 65), 0);
    assert_int_equal(mm_fault(sim, 1, A + P, true), 0);
    assert_int_equal(page_nid(sim, 1, A + P), 1);
    assert_true(mm__node_page_state(mm__node(sim, 1), MM_NR_FILE_PAGES) < 32);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_reclaims_its_nodes_only),
        cmocka_unit_test(test_oom_memory_policy_constraint),
        cmocka_unit_test(test_preferred_many_first_pass_no_reclaim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
