/*
 * test_mpol_golden.c - the model's NUMA placement against Debian 6.1's
 * (tests/oracle/golden/numa2-mpol/mpol.txt, written by probes/mpolprobe.c
 * in the 2-node guest, running on CPU 0 of node 0, NUMA balancing off).
 *
 * For each probe case the model gets the same calls at the same addresses:
 * a task policy (set_mempolicy) or a VMA policy (mbind) on 64 fresh private
 * anonymous pages, then a write to each. The node of every page must be the
 * kernel's (the probe's nodes= string, from move_pages(2)). The numastat
 * deltas of the kernel also count its own allocations during the case
 * (page tables, which follow the task policy, and slab pages for reading
 * the sysfs files), which the model does not make: each of the kernel's
 * twelve counters must be zero where the model's is, and otherwise at
 * least the model's and at most KERNEL_EXTRA above it.
 *
 * Spill: from the free pages of each node just before (the probe's free0,
 * free1), 240 MiB written under the default policy fill node 0 down to its
 * low watermarks (DMA32, then DMA above its lowmem reserve) and spill to
 * node 1. The kernel's split differs from the model's by its page tables
 * and per-CPU lists: within SPILL_TOLERANCE pages.
 *
 * Usage: test_mpol_golden GOLDEN_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define NPAGES 64
#define KERNEL_EXTRA 8
#define SPILL_TOLERANCE 240 /* 0.4% of the 61440 pages */

static const char *golden_dir;

/* The probe's cases (probes/mpolprobe.c main()). */
static const struct {
    const char *name;
    int task_mode, vma_mode;
    uint64_t mask;
} cases[] = {
    {"default", MM_MPOL_DEFAULT, -1, 0},
    {"local", MM_MPOL_LOCAL, -1, 0},
    {"bind1", MM_MPOL_BIND, -1, 2},
    {"preferred1", MM_MPOL_PREFERRED, -1, 2},
    {"prefmany1", MM_MPOL_PREFERRED_MANY, -1, 2},
    {"interleave01", MM_MPOL_INTERLEAVE, -1, 3},
    {"mbind_interleave01", MM_MPOL_DEFAULT, MM_MPOL_INTERLEAVE, 3},
    {"mbind_bind1", MM_MPOL_DEFAULT, MM_MPOL_BIND, 2},
};

/* The numa2 guest's zones (golden/numa2-mpol/zoneinfo.txt). */
static struct mm_machine guest(void)
{
    struct mm_machine m;
    memset(&m, 0, sizeof(m));
    m.nr_nodes = 2;
    m.kernel = MM_KERNEL(6, 1);
    m.thp = MM_THP_ALWAYS; /* hugepage_init() turns it off below 512 MiB */
    m.nodes[0].nr_cpus = m.nodes[1].nr_cpus = 1;
    m.nodes[0].zones[MM_ZONE_DMA] = (struct mm_zone_shape){1, 4095, 3998, 3840};
    m.nodes[0].zones[MM_ZONE_DMA32] = (struct mm_zone_shape){4096, 61440, 61440, 48989};
    m.nodes[1].zones[MM_ZONE_DMA32] = (struct mm_zone_shape){65536, 65504, 65504, 64361};
    return m;
}

static struct mm_sim *boot(const struct mm_machine *m)
{
    int err = 1;
    struct mm_sim *sim = mm_sim_new(m, &err);
    assert_int_equal(err, 0);
    return sim;
}

/* The golden line of a case, or NULL. */
static char *golden_line(const char *name, char *buf, size_t len)
{
    char path[2048], key[96];
    snprintf(path, sizeof(path), "%s/numa2-mpol/mpol.txt", golden_dir);
    snprintf(key, sizeof(key), "mpol %s ", name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *found = NULL;
    while (!found && fgets(buf, (int)len, f))
        if (strncmp(buf, key, strlen(key)) == 0)
            found = buf;
    fclose(f);
    return found;
}

static void numa_state(const struct mm_sim *sim, uint64_t out[2][6])
{
    for (int n = 0; n < 2; n++)
        for (int i = 0; i < 6; i++)
            out[n][i] = mm__node_numa_event_state(mm__node(sim, n),
                                                  (enum mm_numa_stat_item)i);
}

static void check_counters(const char *line, uint64_t model[2][6])
{
    for (int n = 0; n < 2; n++) {
        char key[8];
        snprintf(key, sizeof(key), " d%d=", n);
        const char *p = strstr(line, key);
        assert_non_null(p);
        p += strlen(key);
        for (int i = 0; i < 6; i++) {
            uint64_t real = strtoull(p, (char **)&p, 10);
            p++;
            if (model[n][i] == 0)
                assert_int_equal(real, 0);
            assert_in_range(real, model[n][i], model[n][i] + KERNEL_EXTRA);
        }
    }
}

/* One case in @sim for task 1: the probe's calls, then node by node. */
static void run_case(struct mm_sim *sim, size_t k, const char *line)
{
    uint64_t vpn = strtoull(strstr(line, "vpn0=") + 5, NULL, 10);
    uint64_t addr = vpn << 12, before[2][6], after[2][6];
    struct mm_map_req map = {.addr = addr, .len = NPAGES * 4096,
                             .prot = MM_PROT_READ | MM_PROT_WRITE,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS |
                                      MM_MAP_FIXED};
    assert_int_equal(mm_mmap(sim, 1, &map), 0);
    uint64_t tmask = cases[k].task_mode == MM_MPOL_DEFAULT ? 0 : cases[k].mask;
    assert_int_equal(mm_set_mempolicy(sim, 1, cases[k].task_mode, tmask, 65), 0);
    if (cases[k].vma_mode >= 0) {
        struct mm_mbind_req r = {addr, NPAGES * 4096, cases[k].vma_mode,
                                 cases[k].mask, 65, 0};
        assert_int_equal(mm_mbind(sim, 1, &r), 0);
    }
    numa_state(sim, before);
    char nodes[NPAGES + 1];
    const struct mm_mm *mm = mm__task_find(sim, 1)->mm;
    for (int i = 0; i < NPAGES; i++) {
        uint64_t pte;
        assert_int_equal(mm_fault(sim, 1, addr + (uint64_t)i * 4096, true), 0);
        assert_true(mm__hmap_get(&mm->ptes, vpn + (uint64_t)i, &pte));
        nodes[i] = (char)('0' + mm__pfn_to_nid(sim, MM_PTE_PFN(pte)));
    }
    nodes[NPAGES] = 0;
    numa_state(sim, after);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_DEFAULT, 0, 0), 0);
    char want[NPAGES + 1];
    assert_int_equal(sscanf(strstr(line, "nodes="), "nodes=%64s", want), 1);
    assert_string_equal(nodes, want);
    for (int n = 0; n < 2; n++)
        for (int i = 0; i < 6; i++)
            after[n][i] -= before[n][i];
    check_counters(line, after);
}

static void test_placement(void **state)
{
    (void)state;
    struct mm_machine m = guest();
    struct mm_sim *sim = boot(&m);
    assert_int_equal(mm_task_new(sim, 1), 0);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char buf[512];
        const char *line = golden_line(cases[k].name, buf, sizeof(buf));
        assert_non_null(line);
        run_case(sim, k, line);
    }
    mm_sim_free(sim);
}

static void test_spill(void **state)
{
    (void)state;
    char buf[512];
    const char *line = golden_line("spill", buf, sizeof(buf));
    assert_non_null(line);
    unsigned long mib, real0, real1, free0, free1;
    assert_int_equal(sscanf(line, "mpol spill mib=%lu node0=%lu node1=%lu "
                            "free0=%lu free1=%lu", &mib, &real0, &real1,
                            &free0, &free1), 5);
    struct mm_machine m = guest();
    m.bg_used_pages[0] = 3840 + 48989 - free0;
    m.bg_used_pages[1] = 64361 - free1;
    struct mm_sim *sim = boot(&m);
    assert_int_equal(mm_task_new(sim, 1), 0);
    uint64_t n = (uint64_t)mib << 8, addr = 0x7f0000000000ull, count[2] = {0};
    struct mm_map_req map = {.addr = addr, .len = n * 4096,
                             .prot = MM_PROT_READ | MM_PROT_WRITE,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS |
                                      MM_MAP_NORESERVE};
    assert_int_equal(mm_mmap(sim, 1, &map), 0);
    const struct mm_mm *mm = mm__task_find(sim, 1)->mm;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pte;
        assert_int_equal(mm_fault(sim, 1, addr + i * 4096, true), 0);
        assert_true(mm__hmap_get(&mm->ptes, (addr >> 12) + i, &pte));
        count[mm__pfn_to_nid(sim, MM_PTE_PFN(pte))]++;
    }
    printf("spill: kernel node0=%lu node1=%lu, model node0=%llu node1=%llu\n",
           real0, real1, (unsigned long long)count[0],
           (unsigned long long)count[1]);
    assert_in_range(real0, count[0] - SPILL_TOLERANCE, count[0] + SPILL_TOLERANCE);
    assert_int_equal(real0 + real1, count[0] + count[1]);
    mm_sim_free(sim);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_mpol_golden GOLDEN_DIR\n");
        return 2;
    }
    golden_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_spill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
