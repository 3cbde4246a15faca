/*
 * Unit tests for model/mempolicy.c and mempolicy_alloc.c: the errors of
 * set_mempolicy(2) and mbind(2); placement under each policy on 2- and
 * 4-node machines (spill order by SLIT distance, BIND failing while other
 * nodes have memory, PREFERRED_MANY's two passes, interleave static by
 * page offset and round robin for page cache, THP's local-node attempt);
 * VMA split/merge by policy; fork inheritance; STATIC/RELATIVE node masks;
 * and the NUMA counters (numa_hit/miss/foreign, interleave, local/other)
 * after known sequences, as zone_statistics() counts them.
 */
#include "numa_util.h"

static void test_set_mempolicy_errors(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 1));
    aspace_proc(sim, 1);
    assert_int_equal(mm_set_mempolicy(sim, 9, MM_MPOL_LOCAL, 0, 0), MM_ESRCH);
    /* MPOL_WEIGHTED_INTERLEAVE is MPOL_MAX on 6.1 */
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_WEIGHTED_INTERLEAVE, 3, 65),
                     MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, -1, 3, 65), MM_EINVAL);
    int both = MM_MPOL_BIND | MM_MPOL_F_STATIC_NODES | MM_MPOL_F_RELATIVE_NODES;
    assert_int_equal(mm_set_mempolicy(sim, 1, both, 3, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_INTERLEAVE |
                                      MM_MPOL_F_NUMA_BALANCING, 3, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND |
                                      MM_MPOL_F_NUMA_BALANCING, 3, 65), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_DEFAULT, 1, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_LOCAL, 1, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 0, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED |
                                      MM_MPOL_F_STATIC_NODES, 0, 65), MM_EINVAL);
    /* no node with memory in the mask; maxnode 2 keeps node 0 only */
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 4, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 2, 2), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 2, 3), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 2, 32770), MM_EINVAL);
    /* PREFERRED with an empty mask is LOCAL */
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED, 0, 65), 0);
    assert_int_equal(mm__task_find(sim, 1)->mempolicy.mode, MM_MPOL_LOCAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_DEFAULT, 0, 0), 0);
    assert_int_equal(mm__task_find(sim, 1)->mempolicy.mode, MM_MPOL_DEFAULT);
    assert_int_equal(mm_mpol_check(sim, MM_MPOL_INTERLEAVE, 3), 0);
    assert_int_equal(mm_mpol_check(sim, MM_MPOL_INTERLEAVE, 0), MM_EINVAL);
    assert_int_equal(mm_task_set_numa_node(sim, 1, 2), MM_EINVAL);
    assert_int_equal(mm_task_set_numa_node(sim, 1, 1), 0);
    mm_sim_free(sim);
}

/* Default policy on node 0 of 4: node 0, then 2, 3, 1 (distance order) at
 * the low watermark, then the same order at min, then failure. */
static void test_default_spills_by_distance(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(4, MM_KERNEL(6, 12));
    const int order[4] = {0, 2, 3, 1};
    for (int i = 0; i < 4; i++)
        assert_ptr_equal(sim->nodes[0].zonelist[i], zone_of(sim, order[i]));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * NODE_PAGES * P, RW, MM_MAP_PRIVATE), 0);
    uint64_t per[4] = {0}, low_total = 0, min_total = 0;
    for (int n = 0; n < 4; n++) {
        low_total += NODE_PAGES - wmark(sim, n, MM_WMARK_LOW);
        min_total += NODE_PAGES - wmark(sim, n, MM_WMARK_MIN);
    }
    /* the fast path fills every node down to low before any goes below */
    uint64_t addr = A, step[4];
    for (int i = 0; i < 4; i++) {
        step[i] = NODE_PAGES - wmark(sim, order[i], MM_WMARK_LOW);
        assert_int_equal(fault_until_enomem(sim, 1, addr, step[i], per), step[i]);
        assert_int_equal(per[order[i]], step[i]);
        assert_int_equal(page_nid(sim, 1, addr), order[i]);
        addr += step[i] * P;
    }
    assert_int_equal(fault_until_enomem(sim, 1, addr, NODE_PAGES, per),
                     min_total - low_total);
    for (int n = 0; n < 4; n++)
        assert_int_equal(nfree(sim, n), wmark(sim, n, MM_WMARK_MIN));
    /* zone_statistics: preferred zone node 0, local node 0 */
    assert_int_equal(numa(sim, 0, MM_NUMA_HIT), per[0]);
    assert_int_equal(numa(sim, 0, MM_NUMA_LOCAL), per[0]);
    assert_int_equal(numa(sim, 0, MM_NUMA_FOREIGN), per[1] + per[2] + per[3]);
    for (int n = 1; n < 4; n++) {
        assert_int_equal(numa(sim, n, MM_NUMA_MISS), per[n]);
        assert_int_equal(numa(sim, n, MM_NUMA_OTHER), per[n]);
        assert_int_equal(numa(sim, n, MM_NUMA_HIT), 0);
    }
    mm_sim_free(sim);
}

/* BIND to node 1 from a task on node 0: only node 1, then ENOMEM while
 * node 0 is untouched; every allocation is a hit on node 1, and other.
 * (The OOM killer then kills the task: it is the only candidate.) */
static void test_bind_fails_when_its_nodes_are_full(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 1));
    aspace_proc(sim, 100);
    aspace_proc(sim, 200);
    assert_int_equal(map_anon(sim, 100, A, 2 * NODE_PAGES * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 200, A, P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_set_mempolicy(sim, 100, MM_MPOL_BIND, 2, 65), 0);
    uint64_t per[2] = {0};
    uint64_t got = fault_until_enomem(sim, 100, A, 2 * NODE_PAGES, per);
    assert_int_equal(got, NODE_PAGES - wmark(sim, 1, MM_WMARK_MIN));
    assert_int_equal(per[0], 0);
    assert_int_equal(nfree(sim, 0), NODE_PAGES);
    assert_int_equal(numa(sim, 1, MM_NUMA_HIT), got);
    assert_int_equal(numa(sim, 1, MM_NUMA_OTHER), got);
    assert_int_equal(numa(sim, 1, MM_NUMA_LOCAL), 0);
    assert_int_equal(numa(sim, 0, MM_NUMA_FOREIGN), 0);
    /* a task with the default policy is served by node 0 */
    assert_int_equal(mm_fault(sim, 200, A, true), 0);
    assert_int_equal(page_nid(sim, 200, A), 0);
    mm_sim_free(sim);
}

/* PREFERRED node 1: node 1's zonelist (1, then 0), no mask. */
static void test_preferred_spills_from_its_node(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 2 * NODE_PAGES * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED, 2, 65), 0);
    uint64_t per[2] = {0};
    uint64_t n1 = NODE_PAGES - wmark(sim, 1, MM_WMARK_LOW);
    assert_int_equal(fault_until_enomem(sim, 1, A, n1 + 10, per), n1 + 10);
    assert_int_equal(per[1], n1);
    assert_int_equal(per[0], 10);
    assert_int_equal(numa(sim, 1, MM_NUMA_HIT), n1);
    assert_int_equal(numa(sim, 1, MM_NUMA_OTHER), n1);
    assert_int_equal(numa(sim, 1, MM_NUMA_FOREIGN), 10);
    assert_int_equal(numa(sim, 0, MM_NUMA_MISS), 10);
    assert_int_equal(numa(sim, 0, MM_NUMA_LOCAL), 10);
    mm_sim_free(sim);
}

/* PREFERRED_MANY {2,3} from node 0 of 4: pass 1 drains 2 then 3 down to
 * min (no direct reclaim, so it may fail), pass 2 walks node 0's list. */
static void test_preferred_many_two_passes(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(4, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * NODE_PAGES * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED_MANY, 0xc, 65), 0);
    uint64_t per[4] = {0};
    uint64_t low2 = NODE_PAGES - wmark(sim, 2, MM_WMARK_LOW);
    uint64_t low3 = NODE_PAGES - wmark(sim, 3, MM_WMARK_LOW);
    uint64_t min2 = NODE_PAGES - wmark(sim, 2, MM_WMARK_MIN);
    uint64_t min3 = NODE_PAGES - wmark(sim, 3, MM_WMARK_MIN);
    uint64_t got = fault_until_enomem(sim, 1, A, low2 + low3, per);
    assert_int_equal(per[2], low2);
    assert_int_equal(per[3], low3);
    got += fault_until_enomem(sim, 1, A + got * P, min2 + min3 - got, per);
    assert_int_equal(per[2], min2);
    assert_int_equal(per[3], min3);
    assert_int_equal(per[0] + per[1], 0);
    /* pass 2 now: node 0 first */
    assert_int_equal(mm_fault(sim, 1, A + got * P, true), 0);
    assert_int_equal(page_nid(sim, 1, A + got * P), 0);
    /* pass 1's preferred zone is node 2's: 3's pages are misses */
    assert_int_equal(numa(sim, 2, MM_NUMA_HIT), min2);
    assert_int_equal(numa(sim, 3, MM_NUMA_MISS), min3);
    assert_int_equal(numa(sim, 2, MM_NUMA_FOREIGN), min3);
    assert_int_equal(numa(sim, 0, MM_NUMA_HIT), 1);
    assert_int_equal(numa(sim, 0, MM_NUMA_LOCAL), 1);
    mm_sim_free(sim);
}

/* Task interleave {0,1,3}: anonymous faults by page offset (the 6.1 index
 * truncated to 32 bits), page cache round robin from the first node. */
static void check_interleave(unsigned kernel, int first)
{
    struct mm_sim *sim = boot_nodes(4, kernel);
    const int nodes[3] = {0, 1, 3};
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 30 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_INTERLEAVE, 0xb, 65), 0);
    for (uint64_t i = 0; i < 30; i++) {
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
        assert_int_equal(page_nid(sim, 1, A + i * P), nodes[(first + i) % 3]);
    }
    for (int k = 0; k < 3; k++) {
        assert_int_equal(numa(sim, nodes[k], MM_NUMA_INTERLEAVE), 10);
        assert_int_equal(numa(sim, nodes[k], MM_NUMA_HIT), 10);
    }
    assert_int_equal(numa(sim, 2, MM_NUMA_HIT), 0);
    assert_int_equal(numa(sim, 0, MM_NUMA_LOCAL), 10);
    assert_int_equal(numa(sim, 1, MM_NUMA_OTHER), 10);
    /* a major file fault reads 32 pages around it: round robin 0,1,3,0.. */
    uint64_t F = A + 0x100000000ull;
    assert_int_equal(map_file(sim, 1, F, 64 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(mm_fault(sim, 1, F + 40 * P, false), 0);
    /* pages 24..55 read in order; fault-around mapped 32..47 */
    assert_int_equal(page_nid(sim, 1, F + 32 * P), 3);
    assert_int_equal(page_nid(sim, 1, F + 33 * P), 0);
    assert_int_equal(page_nid(sim, 1, F + 40 * P), 1);
    assert_int_equal(numa(sim, 0, MM_NUMA_INTERLEAVE), 10 + 11);
    assert_int_equal(numa(sim, 1, MM_NUMA_INTERLEAVE), 10 + 11);
    assert_int_equal(numa(sim, 3, MM_NUMA_INTERLEAVE), 10 + 10);
    mm_sim_free(sim);
}

static void test_interleave(void **state)
{
    (void)state;
    /* A >> 12 = 0x7f0000000: 6.1 uses 0xf0000000 % 3 = 0; 6.12 uses 1 */
    check_interleave(MM_KERNEL(6, 1), 0);
    check_interleave(MM_KERNEL(6, 12), 1);
}

/* mbind splits at the range's ends, a second identical mbind changes
 * nothing, the same policy next to it merges, MPOL_DEFAULT merges back;
 * once faulted, the parts have their own anon_vmas and stay apart (as in
 * the kernel, where anon_vma_compatible() also requires equal policies). */
static void test_mbind_split_merge(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 16 * P, RW, MM_MAP_PRIVATE), 0);
    struct mm_mbind_req r = {A + 4 * P, 4 * P, MM_MPOL_BIND, 2, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), 0);
    assert_int_equal(pstats(sim, 1).map_count, 3);
    assert_int_equal(mm_mbind(sim, 1, &r), 0);
    assert_int_equal(pstats(sim, 1).map_count, 3);
    struct mm_mbind_req next = {A + 8 * P, 2 * P, MM_MPOL_BIND, 2, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &next), 0);
    assert_int_equal(pstats(sim, 1).map_count, 3);
    assert_int_equal(mm__vma_find(mm__task_find(sim, 1)->mm, A + 9 * P)->start,
                     A + 4 * P);
    struct mm_mbind_req def = {A, 16 * P, MM_MPOL_DEFAULT, 0, 0, 0};
    assert_int_equal(mm_mbind(sim, 1, &def), 0);
    assert_int_equal(pstats(sim, 1).map_count, 1);
    assert_int_equal(mm_mbind(sim, 1, &r), 0);
    for (uint64_t i = 0; i < 16; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
    assert_int_equal(page_nid(sim, 1, A + 3 * P), 0);
    assert_int_equal(page_nid(sim, 1, A + 4 * P), 1);
    assert_int_equal(page_nid(sim, 1, A + 7 * P), 1);
    assert_int_equal(page_nid(sim, 1, A + 8 * P), 0);
    assert_int_equal(mm_mbind(sim, 1, &next), 0);
    assert_int_equal(pstats(sim, 1).map_count, 4);
    assert_int_equal(mm_mbind(sim, 1, &def), 0);
    assert_int_equal(pstats(sim, 1).map_count, 3);
    mm_sim_free(sim);
}

static void test_mbind_errors(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A + 8 * P, 4 * P, RW, MM_MAP_PRIVATE), 0);
    struct mm_mbind_req r = {A + 1, P, MM_MPOL_BIND, 2, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), MM_EINVAL);
    r = (struct mm_mbind_req){A, P, MM_MPOL_BIND, 2, 65, 8 /* MPOL_MF_LAZY */};
    assert_int_equal(mm_mbind(sim, 1, &r), MM_EINVAL);
    r = (struct mm_mbind_req){A, 0, MM_MPOL_BIND, 0, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), 0); /* empty range first */
    r = (struct mm_mbind_req){A, 12 * P, MM_MPOL_BIND, 2, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), MM_EFAULT); /* hole */
    r = (struct mm_mbind_req){A + 4 * P, 4 * P, MM_MPOL_DEFAULT, 0, 0, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), MM_EFAULT); /* only a hole */
    r = (struct mm_mbind_req){A, 12 * P, MM_MPOL_DEFAULT, 0, 0, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), 0); /* DEFAULT: holes allowed */
    /* STRICT: a page already on node 0 is outside {1} */
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    r = (struct mm_mbind_req){A, 4 * P, MM_MPOL_BIND, 2, 65, MM_MPOL_MF_STRICT};
    assert_int_equal(mm_mbind(sim, 1, &r), MM_EIO);
    assert_int_equal(pstats(sim, 1).map_count, 2);
    r.flags = MM_MPOL_MF_STRICT | MM_MPOL_MF_MOVE;
    assert_int_equal(mm_mbind(sim, 1, &r), 0);
    assert_int_equal(page_nid(sim, 1, A), 0); /* not migrated */
    assert_int_equal(mm_mbind(sim, 7, &r), MM_ESRCH);
    mm_sim_free(sim);
}

/* The task policy and VMA policies survive fork. */
static void test_fork_inherits(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A + 8 * P, 4 * P, RW, MM_MAP_PRIVATE), 0);
    struct mm_mbind_req r = {A + 8 * P, 4 * P, MM_MPOL_BIND, 1, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_PREFERRED, 2, 65), 0);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(mm_fault(sim, 2, A, true), 0);
    assert_int_equal(page_nid(sim, 2, A), 1);
    assert_int_equal(mm_fault(sim, 2, A + 8 * P, true), 0);
    assert_int_equal(page_nid(sim, 2, A + 8 * P), 0); /* the VMA's BIND {0} */
    mm_sim_free(sim);
}

/* RELATIVE_NODES map onto the nodes with memory; STATIC keeps the mask. */
static void test_static_relative(void **state)
{
    (void)state;
    struct mm_machine m = numa_machine(4, MM_KERNEL(6, 12));
    m.nodes[1].zones[MM_ZONE_NORMAL] = (struct mm_zone_shape){0};
    struct mm_sim *sim = boot_numa(&m);
    assert_int_equal(sim->node_mask, 0xd);
    aspace_proc(sim, 1);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND, 2, 65), MM_EINVAL);
    int rel = MM_MPOL_BIND | MM_MPOL_F_RELATIVE_NODES;
    assert_int_equal(mm_set_mempolicy(sim, 1, rel, 2, 65), 0);
    assert_int_equal(mm__task_find(sim, 1)->mempolicy.nodes, 4);
    assert_int_equal(mm_set_mempolicy(sim, 1, rel, 0xf, 65), 0);
    assert_int_equal(mm__task_find(sim, 1)->mempolicy.nodes, 0xd);
    int stat = MM_MPOL_BIND | MM_MPOL_F_STATIC_NODES;
    assert_int_equal(mm_set_mempolicy(sim, 1, stat, 2, 65), MM_EINVAL);
    assert_int_equal(mm_set_mempolicy(sim, 1, stat, 6, 65), 0);
    const struct mm_mempolicy *p = &mm__task_find(sim, 1)->mempolicy;
    assert_int_equal(p->nodes, 4);
    assert_int_equal(p->user_nodes, 6);
    /* equal nodes, different user masks: not the same policy */
    struct mm_mempolicy q = *p;
    q.user_nodes = 4;
    assert_false(mm__mpol_equal(p, &q));
    mm_sim_free(sim);
}

/* THP: node 0 too full for 512 pages; an ordinary VMA falls back to a
 * small page (which spills to node 1), a MADV_HUGEPAGE one takes the THP
 * from node 1. */
static void test_thp_local_node_first(void **state)
{
    (void)state;
    struct mm_machine m = numa_machine(2, MM_KERNEL(6, 12));
    m.thp = MM_THP_ALWAYS;
    for (int n = 0; n < 2; n++)
        m.nodes[n].zones[MM_ZONE_NORMAL] = (struct mm_zone_shape){
            PFN_4G + (uint64_t)n * 262144, 262144, 262144, 262144};
    struct mm_sim *sim = boot_numa(&m);
    /* __GFP_THISNODE|__GFP_NORETRY still goes down to min on its node */
    uint64_t pfn, free0 = nfree(sim, 0), min0 = wmark(sim, 0, MM_WMARK_MIN);
    struct mm_alloc_ctx ac = {0, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, NULL, 0};
    for (uint64_t i = 0; i < free0 - min0 - 300; i++)
        assert_int_equal(mm__alloc_pages_thisnode(sim, &ac, &pfn), 0);
    assert_int_equal(nfree(sim, 0), min0 + 300);
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * MIB, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    struct mm_fault_counters c;
    mm_fault_counters(sim, &c);
    assert_int_equal(c.thp_fault_fallback, 1);
    assert_int_equal(page_nid(sim, 1, A), 1); /* the small page spills */
    assert_int_equal(mm_madvise(sim, 1, A + 2 * MIB, 2 * MIB, MM_MADV_HUGEPAGE), 0);
    assert_int_equal(mm_fault(sim, 1, A + 2 * MIB, true), 0);
    mm_fault_counters(sim, &c);
    assert_int_equal(c.thp_fault_alloc, 1);
    assert_int_equal(page_nid(sim, 1, A + 2 * MIB), 1);
    /* one count per allocation: the small page and the THP */
    assert_int_equal(numa(sim, 1, MM_NUMA_MISS), 2);
    assert_int_equal(numa(sim, 0, MM_NUMA_FOREIGN), 2);
    mm_sim_free(sim);
}

/* 6.12: weighted interleave (weights 1) places as interleave, and only
 * MPOL_INTERLEAVE counts interleave_hit. */
static void test_weighted_interleave(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(2, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_WEIGHTED_INTERLEAVE, 3, 65), 0);
    for (uint64_t i = 0; i < 4; i++) {
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
        assert_int_equal(page_nid(sim, 1, A + i * P), (int)(i % 2));
    }
    assert_int_equal(numa(sim, 0, MM_NUMA_INTERLEAVE), 0);
    assert_int_equal(numa(sim, 1, MM_NUMA_HIT), 2);
    mm_sim_free(sim);
}

/* The task's CPU node decides local allocation and local/other. */
static void test_numa_node_of_task(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_nodes(4, MM_KERNEL(6, 12));
    aspace_proc(sim, 1);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(mm_task_set_numa_node(sim, 1, 3), 0);
    assert_int_equal(mm_fault(sim, 1, A, true), 0);
    assert_int_equal(page_nid(sim, 1, A), 3);
    assert_int_equal(numa(sim, 3, MM_NUMA_LOCAL), 1);
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(mm_fault(sim, 2, A + P, true), 0);
    assert_int_equal(page_nid(sim, 2, A + P), 3);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_mempolicy_errors),
        cmocka_unit_test(test_default_spills_by_distance),
        cmocka_unit_test(test_bind_fails_when_its_nodes_are_full),
        cmocka_unit_test(test_preferred_spills_from_its_node),
        cmocka_unit_test(test_preferred_many_two_passes),
        cmocka_unit_test(test_interleave),
        cmocka_unit_test(test_mbind_split_merge),
        cmocka_unit_test(test_mbind_errors),
        cmocka_unit_test(test_fork_inherits),
        cmocka_unit_test(test_static_relative),
        cmocka_unit_test(test_thp_local_node_first),
        cmocka_unit_test(test_weighted_interleave),
        cmocka_unit_test(test_numa_node_of_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
