/*
 * test_workingset.c - refault detection (model/workingset.c, mm/workingset.c
 * 6.1): evictions leave shadow entries carrying the node's nonresident age;
 * a page read back within the working set's size is activated
 * (workingset_activate_*), one that had been active is restored
 * (workingset_restore_*), every read back counts (workingset_refault_*).
 */
#include <stdlib.h>
#include <string.h>

#include "reclaim_util.h"

#define FILE_BASE (R_BASE + (1ull << 30))

static uint64_t scan(struct mm_sim *sim, enum mm_lru_list lru)
{
    struct mm_scan_control sc = {.priority = MM_DEF_PRIORITY, .may_swap = true,
                                 .nr_to_reclaim = MM_SWAP_CLUSTER_MAX};
    return mm__shrink_inactive_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc, lru);
}

static uint64_t node(const struct mm_sim *sim, enum mm_node_stat_item i)
{
    return mm__node_page_state(&sim->nodes[0], i);
}

/* A read fault on a 32-page private file mapping reads all 32 pages. */
static void file_pages(struct mm_sim *sim, uint32_t pid, uint64_t ino)
{
    struct mm_map_req req = {.addr = FILE_BASE, .len = 32 * MM_PAGE_SIZE,
                             .prot = MM_PROT_READ, .flags = MM_MAP_PRIVATE,
                             .dev = 0xfe00, .ino = ino};
    assert_int_equal(mm_mmap(sim, pid, &req), 0);
    assert_int_equal(mm_fault(sim, pid, FILE_BASE, false), 0);
}

/* Four anonymous pages swapped out: shadows with ages 0..3 (each eviction
 * ages the node by one), 32 inactive file pages beside them. A refault of
 * page 3 has distance 4 - 3 = 1, within the working set the inactive file
 * pages could have given up (32): activated. */
static void test_anon_refault_activates(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 4);
    for (uint64_t p = 0; p < 4; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    file_pages(sim, 1, 5);
    assert_int_equal(lru_pages(sim, MM_LRU_INACTIVE_FILE), 32);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 4);
    assert_int_equal(sim->nodes[0].lruvec.nonresident_age, 4);
    assert_int_equal(touch(sim, 1, 3, false), 0);
    assert_int_equal(node(sim, MM_WORKINGSET_REFAULT_ANON), 1);
    assert_int_equal(node(sim, MM_WORKINGSET_ACTIVATE_ANON), 1);
    assert_int_equal(node(sim, MM_WORKINGSET_RESTORE_ANON), 0);
    assert_int_equal(folio_at(sim, 1, 3)->lru, MM_LRU_ACTIVE_ANON);
    assert_int_equal(sim->nodes[0].lruvec.nonresident_age, 5);
    assert_int_equal(ev(sim, MM_PGACTIVATE), 0); /* not an LRU promotion */
    struct mm_buf b = {0};
    assert_int_equal(mm_proc_render(sim, "vmstat", &b), 0);
    assert_non_null(strstr(b.data, "\nworkingset_refault_anon 1\n"));
    assert_non_null(strstr(b.data, "\nworkingset_activate_anon 1\n"));
    mm_buf_free(&b);
    mm_sim_free(sim);
}

/* Without file pages and without active anon pages the working set has no
 * room: the refault is counted, the page stays inactive. A page that had
 * been active (PG_workingset from its deactivation) is restored when it
 * refaults within the working set, and its refault is reclaim cost. */
static void test_refault_distance_and_restore(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(1024);
    reclaim_proc(sim, 1, 2);
    for (uint64_t p = 0; p < 2; p++)
        assert_int_equal(touch(sim, 1, p, true), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 0);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 2);
    assert_int_equal(touch(sim, 1, 0, false), 0); /* distance 2 > 0 */
    assert_int_equal(node(sim, MM_WORKINGSET_REFAULT_ANON), 1);
    assert_int_equal(node(sim, MM_WORKINGSET_ACTIVATE_ANON), 0);
    assert_int_equal(folio_at(sim, 1, 0)->lru, MM_LRU_INACTIVE_ANON);
    /* page 0 active, deactivated (workingset), evicted, refaulted */
    mm__folio_activate(sim, folio_at(sim, 1, 0));
    struct mm_scan_control sc = {.priority = MM_DEF_PRIORITY, .may_swap = true};
    mm__shrink_active_list(sim, 0, MM_SWAP_CLUSTER_MAX, &sc, MM_LRU_ACTIVE_ANON);
    assert_true(folio_at(sim, 1, 0)->pgflags & MM_PG_WORKINGSET);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_ANON), 1); /* old, referenced */
    file_pages(sim, 1, 6); /* room in the working set: 32 file pages */
    uint64_t cost = sim->nodes[0].lruvec.anon_cost;
    assert_int_equal(touch(sim, 1, 0, false), 0);
    assert_int_equal(node(sim, MM_WORKINGSET_REFAULT_ANON), 2);
    assert_int_equal(node(sim, MM_WORKINGSET_ACTIVATE_ANON), 1);
    assert_int_equal(node(sim, MM_WORKINGSET_RESTORE_ANON), 1);
    assert_int_equal(sim->nodes[0].lruvec.anon_cost, cost + 1);
    mm_sim_free(sim);
}

/* Dropped file pages leave shadows at their indexes; reading them again
 * is a major fault and a refault per page read. */
static void test_file_refault(void **state)
{
    (void)state;
    struct mm_sim *sim = reclaim_boot(0);
    assert_int_equal(mm_task_new(sim, 1), 0);
    file_pages(sim, 1, 7);
    /* fault-around mapped 16 (young: kept once), 16 were never mapped */
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_FILE), 16);
    assert_int_equal(scan(sim, MM_LRU_INACTIVE_FILE), 16);
    assert_int_equal(mm__global_node_page_state(sim, MM_NR_FILE_PAGES), 0);
    assert_int_equal(mm_fault(sim, 1, FILE_BASE + 5 * MM_PAGE_SIZE, false), 0);
    assert_int_equal(ev(sim, MM_PGMAJFAULT), 2);
    assert_int_equal(node(sim, MM_WORKINGSET_REFAULT_FILE), 32);
    assert_int_equal(node(sim, MM_WORKINGSET_ACTIVATE_FILE), 0);
    assert_int_equal(mm_exit(sim, 1), 0);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anon_refault_activates),
        cmocka_unit_test(test_refault_distance_and_restore),
        cmocka_unit_test(test_file_refault),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
