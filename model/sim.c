/*
 * sim.c - the simulator's lifecycle: boot, sysctl writes, teardown.
 *
 * Mechanism: boot validates the machine, sets the vm.* defaults, builds
 * nodes and zones, releases every managed page to the buddy allocator (as
 * memblock_free_all does), decides whether THP is on (hugepage_init turns it
 * off below 512 MiB of RAM), computes min_free_kbytes, watermarks,
 * lowmem_reserve and totalreserve_pages in the kernel's initcall order,
 * allocates the persistent hugetlb pool (machine.hugetlb_pages), and takes
 * the memory the rest of the machine already uses (machine.bg_used_pages,
 * which includes the pool) out of each node's free lists. sysctl writes go
 * through model/sysctl.c and then recompute what the knob feeds.
 *
 * Callers: tools (replay, run, proc), tests.
 *
 * Kernel: init/main.c start_kernel() -> mm_core_init()/memblock_free_all(),
 * postcore_initcall(init_per_zone_wmark_min), subsys_initcall(hugepage_init);
 * kernel/sysctl.c handlers min_free_kbytes_sysctl_handler(),
 * watermark_scale_factor_sysctl_handler(),
 * lowmem_reserve_ratio_sysctl_handler(), sysctl_vm_numa_stat_handler();
 * mm/hugetlb.c alloc_pool_huge_page() for the pool.
 *
 * Simplified: the background memory is taken as MOVABLE blocks from each
 * node's zones, highest zone first, and is never freed; the kernel's own
 * boot allocations are not modelled separately (they are part of it, or of
 * the managed/present difference).
 */
#include <stdlib.h>

#include "internal.h"

#define THP_MIN_RAM_PAGES (512ull << (20 - MM_PAGE_SHIFT)) /* hugepage_init() */
#define HPAGE_PMD_ORDER 9

static int release_boot_memory(struct mm_sim *sim)
{
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++) {
            struct mm_zone *z = &sim->nodes[n].zones[t];
            if (!z->managed)
                continue;
            int err = mm__buddy_free_range(sim, z, z->first_managed_pfn,
                                           z->start_pfn + z->spanned);
            if (err)
                return err;
            sim->totalram_pages += z->managed;
        }
    return 0;
}

/* Take up to @left pages from @z in the largest blocks that fit. */
static uint64_t take_from_zone(struct mm_sim *sim, struct mm_zone *z,
                               uint64_t left)
{
    uint64_t taken = 0;
    struct mm_rmqueue_ctl ctl = {MM_NR_PAGE_ORDERS - 1, MM_MIGRATE_MOVABLE, 0, 0};
    while (taken < left) {
        while ((1ull << ctl.order) > left - taken)
            ctl.order--;
        if (mm__rmqueue(sim, z, &ctl)) {
            if (mm__pageblock_record_alloc(z, ctl.pfn, ctl.order, ctl.mt))
                sim->host_err = MM_ENOMEM;
            taken += 1ull << ctl.order;
        } else if (ctl.order == 0) {
            break;
        } else {
            ctl.order--;
        }
    }
    z->bg_pages += taken;
    return taken;
}

/*
 * The persistent hugetlb pool: 2 MiB MOVABLE pages, one node after the other
 * (hstate_next_node_to_alloc), each on that node only; a node that cannot
 * give one is skipped, and the pool ends smaller when none can.
 */
static void alloc_hugetlb_pool(struct mm_sim *sim)
{
    uint64_t want = sim->machine.hugetlb_pages >> HPAGE_PMD_ORDER, got = 0;
    unsigned nid = 0, misses = 0;
    while (got < want && misses < sim->nr_nodes) {
        struct mm_alloc_ctx ac = {(int)nid, MM_ZONE_MOVABLE, HPAGE_PMD_ORDER,
                                  MM_MIGRATE_MOVABLE, NULL, 0};
        uint64_t pfn;
        if ((sim->node_mask >> nid & 1u) &&
            mm__alloc_pages_thisnode(sim, &ac, &pfn) == 0) {
            sim->nodes[nid].nr_huge_pages++;
            sim->nodes[nid].node_stat[MM_NR_HUGETLB] += 1 << HPAGE_PMD_ORDER;
            got++;
            misses = 0;
        } else {
            misses++;
        }
        nid = (nid + 1) % sim->nr_nodes;
    }
}

/* machine.bg_used_pages counts the hugetlb pool as used: not twice. */
static int take_background(struct mm_sim *sim)
{
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        uint64_t left = sim->machine.bg_used_pages[n];
        uint64_t huge = sim->nodes[n].nr_huge_pages << HPAGE_PMD_ORDER;
        left = left > huge ? left - huge : 0;
        for (int t = MM_NR_ZONES - 1; t >= 0 && left; t--)
            left -= take_from_zone(sim, &sim->nodes[n].zones[t], left);
        if (left)
            return MM_EINVAL; /* more than the node manages */
    }
    return sim->host_err;
}

static int boot(struct mm_sim *sim)
{
    int err = mm__mmzone_init(sim);
    if (!err)
        err = release_boot_memory(sim);
    if (err)
        return err;
    sim->thp = sim->machine.thp;
    if (sim->totalram_pages < THP_MIN_RAM_PAGES)
        sim->thp = MM_THP_NEVER;
    mm__init_per_zone_wmark_min(sim);
    mm_init_reserves(&sim->vm, &sim->machine);
    sim->swap.pages = sim->machine.swap_pages; /* model/swapfile.c */
    sim->kswapd_rate = sim->machine.kswapd_rate ? sim->machine.kswapd_rate
                                                : MM_KSWAPD_RATE_DEFAULT;
    alloc_hugetlb_pool(sim);
    return take_background(sim);
}

/**
 * mm_sim_new() - boot a simulated machine
 * @m: the machine shape (copied)
 * @err: set to 0 or a negative MM_E* value (may be NULL)
 *
 * Kernel: start_kernel() up to the mm initcalls (see the file header).
 * Return: the simulator, or NULL with *err = MM_EINVAL for a machine the
 * kernel could not have, MM_ENOMEM when the host is out of memory.
 */
struct mm_sim *mm_sim_new(const struct mm_machine *m, int *err)
{
    int e = mm__mmzone_validate(m);
    struct mm_sim *sim = NULL;
    if (!e) {
        sim = calloc(1, sizeof(*sim));
        e = sim ? 0 : MM_ENOMEM;
    }
    if (!e) {
        sim->machine = *m;
        sim->memcg.max = m->memcg_max_pages; /* model/memcontrol.c */
        mm_vm_knobs_default(&sim->vm);
        e = boot(sim);
    }
    if (e) {
        mm_sim_free(sim);
        sim = NULL;
    }
    if (err)
        *err = e;
    return sim;
}

/**
 * mm_sim_free() - release a simulator and everything it holds
 * @sim: the simulator (NULL is allowed)
 */
void mm_sim_free(struct mm_sim *sim)
{
    if (!sim)
        return;
    mm_aspace_destroy(sim);
    mm__swapfile_destroy(sim);
    for (unsigned n = 0; sim->nodes && n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++) {
            mm__pageblock_destroy(&sim->nodes[n].zones[t]);
            mm__hmap_destroy(&sim->nodes[n].zones[t].free_blocks);
        }
    mm__block_pool_destroy(&sim->block_pool);
    mm__mmzone_destroy(sim);
    free(sim);
}

/* sysctl_vm_numa_stat_handler(): turning it off zeroes every NUMA counter. */
static void numa_stat_changed(struct mm_sim *sim)
{
    if (sim->vm.numa_stat)
        return;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++)
            memset(sim->nodes[n].zones[t].numa_stat, 0,
                   sizeof(sim->nodes[n].zones[t].numa_stat));
}

/**
 * mm_sim_sysctl_write() - write a vm.* knob and apply its side effects
 * @sim: the simulator
 * @name: knob name ("min_free_kbytes", "vm.min_free_kbytes", "vm/...")
 * @value: the text written
 *
 * min_free_kbytes and watermark_scale_factor recompute the watermarks and
 * totalreserve_pages; lowmem_reserve_ratio recomputes the reserves; a
 * min_free_kbytes write becomes user_min_free_kbytes; numa_stat 1 -> 0
 * clears the NUMA counters.
 *
 * Kernel: the sysctl handlers named in the file header.
 * Return: 0, or what mm_sysctl_write() returns (MM_EINVAL, MM_ENOENT).
 */
int mm_sim_sysctl_write(struct mm_sim *sim, const char *name, const char *value)
{
    unsigned effects = 0;
    int old_numa_stat = sim->vm.numa_stat;
    int err = mm_sysctl_write(&sim->vm, name, value, &effects);
    if (err)
        return err;
    if (effects & MM_SYSCTL_EFFECT_MIN_FREE)
        sim->vm.user_min_free_kbytes = sim->vm.min_free_kbytes;
    if (effects & MM_SYSCTL_EFFECT_WMARK)
        mm__setup_per_zone_wmarks(sim);
    if (effects & MM_SYSCTL_EFFECT_LOWMEM_RESERVE)
        mm__setup_per_zone_lowmem_reserve(sim);
    if (sim->vm.numa_stat != old_numa_stat)
        numa_stat_changed(sim);
    return 0;
}
