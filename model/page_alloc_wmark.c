/*
 * page_alloc_wmark.c - watermarks, lowmem reserves, min_free_kbytes.
 *
 * Mechanism: min_free_kbytes (the sqrt rule on nr_free_buffer_pages, and
 * khugepaged's raise when THP is enabled) is split among the zones in
 * proportion to their managed pages to give each zone's min watermark; low,
 * high and promo follow at a distance of max(min/4, managed *
 * watermark_scale_factor / 10000). lowmem_reserve[] protects lower zones from
 * allocations that could have used a higher zone. totalreserve_pages sums
 * what each zone keeps back. __zone_watermark_ok decides whether a zone may
 * serve an allocation.
 *
 * Callers: sim.c at boot and after sysctl writes (min_free_kbytes,
 * watermark_scale_factor, lowmem_reserve_ratio); page_alloc.c (watermark
 * test); page_alloc_buddy.c (boost reads the high watermark).
 *
 * Kernel: mm/page_alloc.c calculate_min_free_kbytes(), init_per_zone_wmark_min(),
 * __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
 * calculate_totalreserve_pages(), nr_free_zone_pages(), __zone_watermark_ok();
 * mm/khugepaged.c set_recommended_min_free_kbytes(); mm/huge_memory.c
 * hugepage_init(). 6.1 to 6.18; the one rule that changed is switched on
 * machine.kernel: from 6.6 (UNVERIFIED: the patch may be in 6.5) ZONE_MOVABLE
 * is left out of the lowmem total and gets a small clamped min like HighMem.
 *
 * Simplified: no per-CPU pageset high/batch recompute (the model has no pcp
 * lists); memory hotplug is absent, so boot is the only automatic recompute.
 */
#include "internal.h"

#define PAGEBLOCK_NR (1ull << MM_PAGEBLOCK_ORDER)
#define SWAP_CLUSTER_MAX 32ull

/* Movable is treated like HighMem (small clamped min) from this version. */
#define MOVABLE_WMARK_CHANGE MM_KERNEL(6, 6)

static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
    return x / d * n + x % d * n / d;
}

static bool movable_like_highmem(const struct mm_sim *sim,
                                 const struct mm_zone *z)
{
    return z->idx == MM_ZONE_MOVABLE && sim->machine.kernel >= MOVABLE_WMARK_CHANGE;
}

/**
 * mm__wmark_pages() - a watermark including the current boost
 * @zone: the zone
 * @w: which watermark
 *
 * Kernel: include/linux/mmzone.h wmark_pages().
 * Return: pages.
 */
uint64_t mm__wmark_pages(const struct mm_zone *zone, enum mm_wmark w)
{
    return zone->watermark[w] + zone->watermark_boost;
}

static void set_zone_wmarks(const struct mm_sim *sim, struct mm_zone *z,
                            uint64_t pages_min, uint64_t lowmem)
{
    uint64_t share = lowmem ? pages_min * z->managed / lowmem : 0;
    if (movable_like_highmem(sim, z)) {
        uint64_t min_pages = z->managed / 1024;
        if (min_pages < SWAP_CLUSTER_MAX)
            min_pages = SWAP_CLUSTER_MAX;
        if (min_pages > 128)
            min_pages = 128;
        z->watermark[MM_WMARK_MIN] = min_pages;
    } else {
        z->watermark[MM_WMARK_MIN] = share;
    }
    uint64_t gap = mult_frac(z->managed, (uint64_t)sim->vm.watermark_scale_factor,
                             10000);
    if (share >> 2 > gap)
        gap = share >> 2;
    z->watermark_boost = 0;
    z->watermark[MM_WMARK_LOW] = z->watermark[MM_WMARK_MIN] + gap;
    z->watermark[MM_WMARK_HIGH] = z->watermark[MM_WMARK_LOW] + gap;
    z->watermark[MM_WMARK_PROMO] = z->watermark[MM_WMARK_HIGH] + gap;
}

/**
 * mm__setup_per_zone_wmarks() - recompute every zone's watermarks
 * @sim: the simulator
 *
 * Also clears watermark boosts and recomputes totalreserve_pages.
 *
 * Kernel: mm/page_alloc.c __setup_per_zone_wmarks().
 */
void mm__setup_per_zone_wmarks(struct mm_sim *sim)
{
    uint64_t pages_min = (uint64_t)sim->vm.min_free_kbytes >> (MM_PAGE_SHIFT - 10);
    uint64_t lowmem = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++) {
            const struct mm_zone *z = &sim->nodes[n].zones[t];
            if (!movable_like_highmem(sim, z))
                lowmem += z->managed;
        }
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++)
            set_zone_wmarks(sim, &sim->nodes[n].zones[t], pages_min, lowmem);
    mm__calculate_totalreserve_pages(sim);
}

/**
 * mm__calculate_totalreserve_pages() - pages no user allocation can get
 * @sim: the simulator
 *
 * Per zone: min(managed, high watermark + largest lowmem_reserve[j >= zone]).
 *
 * Kernel: mm/page_alloc.c calculate_totalreserve_pages().
 */
void mm__calculate_totalreserve_pages(struct mm_sim *sim)
{
    sim->totalreserve_pages = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        struct mm_pgdat *pgdat = &sim->nodes[n];
        pgdat->totalreserve_pages = 0;
        for (int i = 0; i < MM_NR_ZONES; i++) {
            const struct mm_zone *z = &pgdat->zones[i];
            uint64_t max = 0;
            for (int j = i; j < MM_NR_ZONES; j++)
                if (z->lowmem_reserve[j] > max)
                    max = z->lowmem_reserve[j];
            max += z->watermark[MM_WMARK_HIGH];
            if (max > z->managed)
                max = z->managed;
            pgdat->totalreserve_pages += max;
        }
        sim->totalreserve_pages += pgdat->totalreserve_pages;
    }
}

/**
 * mm__setup_per_zone_lowmem_reserve() - recompute lowmem_reserve[] (protection)
 * @sim: the simulator
 *
 * lowmem_reserve[i][j] = (managed of zones i+1..j) / lowmem_reserve_ratio[i],
 * 0 when the ratio is 0 or zone i has no managed pages. Then
 * totalreserve_pages.
 *
 * Kernel: mm/page_alloc.c setup_per_zone_lowmem_reserve().
 */
void mm__setup_per_zone_lowmem_reserve(struct mm_sim *sim)
{
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        struct mm_pgdat *pgdat = &sim->nodes[n];
        for (int i = 0; i < MM_NR_ZONES - 1; i++) {
            struct mm_zone *z = &pgdat->zones[i];
            int ratio = sim->vm.lowmem_reserve_ratio[i];
            bool clear = ratio <= 0 || z->managed == 0;
            uint64_t managed = 0;
            for (int j = i + 1; j < MM_NR_ZONES; j++) {
                managed += pgdat->zones[j].managed;
                z->lowmem_reserve[j] = clear ? 0 : managed / (uint64_t)ratio;
            }
        }
    }
    mm__calculate_totalreserve_pages(sim);
}

/**
 * mm__nr_free_buffer_pages() - managed pages above the high watermark
 * @sim: the simulator
 *
 * Sum over the zones up to ZONE_NORMAL (gfp_zone(GFP_USER)) of one node's
 * zonelist, which holds every node's zones, of managed - high.
 *
 * Kernel: mm/page_alloc.c nr_free_buffer_pages(), nr_free_zone_pages().
 * Return: pages.
 */
uint64_t mm__nr_free_buffer_pages(const struct mm_sim *sim)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t <= MM_ZONE_NORMAL; t++) {
            const struct mm_zone *z = &sim->nodes[n].zones[t];
            uint64_t high = mm__wmark_pages(z, MM_WMARK_HIGH);
            if (mm__populated_zone(z) && z->managed > high)
                sum += z->managed - high;
        }
    return sum;
}

/**
 * mm__calculate_min_free_kbytes() - the sqrt rule
 * @sim: the simulator
 *
 * min_free_kbytes = clamp(int_sqrt(lowmem_kB * 16), 128, 262144), unless the
 * user wrote a value at least as large (user_min_free_kbytes wins).
 *
 * Kernel: mm/page_alloc.c calculate_min_free_kbytes().
 */
void mm__calculate_min_free_kbytes(struct mm_sim *sim)
{
    uint64_t lowmem_kb = mm__nr_free_buffer_pages(sim) * (MM_PAGE_SIZE >> 10);
    uint64_t v = mm__int_sqrt(lowmem_kb * 16);
    if ((int64_t)v > (int64_t)sim->vm.user_min_free_kbytes) {
        if (v < 128)
            v = 128;
        if (v > 262144)
            v = 262144;
        sim->vm.min_free_kbytes = (int)v;
    }
}

/**
 * mm__set_recommended_min_free_kbytes() - khugepaged's raise for THP
 * @sim: the simulator; sim->thp is the effective THP mode
 *
 * With THP enabled (always or madvise): 2 + MIGRATE_PCPTYPES^2 = 11
 * pageblocks per populated zone up to ZONE_NORMAL, at most 5% of
 * nr_free_buffer_pages(); raises min_free_kbytes only. With THP never it
 * falls back to the sqrt rule. Then the watermarks are recomputed.
 *
 * Kernel: mm/khugepaged.c set_recommended_min_free_kbytes().
 */
void mm__set_recommended_min_free_kbytes(struct mm_sim *sim)
{
    if (sim->thp == MM_THP_NEVER) {
        mm__calculate_min_free_kbytes(sim);
        mm__setup_per_zone_wmarks(sim);
        return;
    }
    uint64_t nr_zones = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t <= MM_ZONE_NORMAL; t++)
            nr_zones += mm__populated_zone(&sim->nodes[n].zones[t]);
    uint64_t rec = PAGEBLOCK_NR * nr_zones * 2;
    rec += PAGEBLOCK_NR * nr_zones * MM_MIGRATE_PCPTYPES * MM_MIGRATE_PCPTYPES;
    uint64_t cap = mm__nr_free_buffer_pages(sim) / 20;
    if (rec > cap)
        rec = cap;
    rec <<= MM_PAGE_SHIFT - 10;
    if (rec > (uint64_t)sim->vm.min_free_kbytes)
        sim->vm.min_free_kbytes = (int)rec;
    mm__setup_per_zone_wmarks(sim);
}

/**
 * mm__init_per_zone_wmark_min() - boot-time watermark setup
 * @sim: the simulator, zones sized, sim->thp set
 *
 * postcore_initcall init_per_zone_wmark_min(): sqrt rule (watermarks still
 * 0), watermarks, lowmem reserves; then hugepage_init() ->
 * start_stop_khugepaged() applies the THP rule when THP is enabled, with
 * nr_free_buffer_pages() now net of the high watermarks.
 *
 * Kernel: mm/page_alloc.c init_per_zone_wmark_min(), mm/huge_memory.c
 * hugepage_init().
 */
void mm__init_per_zone_wmark_min(struct mm_sim *sim)
{
    mm__calculate_min_free_kbytes(sim);
    mm__setup_per_zone_wmarks(sim);
    mm__setup_per_zone_lowmem_reserve(sim);
    if (sim->thp != MM_THP_NEVER)
        mm__set_recommended_min_free_kbytes(sim);
}

/**
 * mm__zone_watermark_ok() - may @z serve an allocation at @mark?
 * @z: the zone
 * @order: allocation order
 * @mark: the watermark in pages (boost included by the caller)
 * @highest_zoneidx: gfp_zone() of the request; selects lowmem_reserve[]
 * @alloc_flags: MM_ALLOC_* flags
 *
 * free - (2^order - 1) - reserved highatomic must exceed mark (lowered for
 * MIN_RESERVE/NON_BLOCK/OOM) plus lowmem_reserve[highest_zoneidx]; for
 * order > 0 some free list of order >= @order must also hold a block of a
 * PCP type (or HIGHATOMIC when allowed).
 *
 * Kernel: mm/page_alloc.c __zone_watermark_ok() (Debian 6.1 flag names).
 * Return: true when it may.
 */
bool mm__zone_watermark_ok(const struct mm_zone *z, unsigned order, uint64_t mark,
                           enum mm_zone_type highest_zoneidx, unsigned alloc_flags)
{
    int64_t min = (int64_t)mark;
    int64_t free_pages = z->vm_stat[MM_NR_FREE_PAGES] - (((int64_t)1 << order) - 1);
    if (!(alloc_flags & MM_ALLOC_RESERVES))
        free_pages -= (int64_t)z->nr_reserved_highatomic;
    if (alloc_flags & MM_ALLOC_MIN_RESERVE) {
        min -= min / 2;
        if (alloc_flags & MM_ALLOC_NON_BLOCK)
            min -= min / 4;
    }
    if (alloc_flags & MM_ALLOC_OOM)
        min -= min / 2;
    if (free_pages <= min + (int64_t)z->lowmem_reserve[highest_zoneidx])
        return false;
    if (!order)
        return true;
    for (unsigned o = order; o < MM_NR_PAGE_ORDERS; o++) {
        const struct mm_free_area *area = &z->free_area[o];
        if (!area->nr_free)
            continue;
        for (int mt = 0; mt < MM_MIGRATE_PCPTYPES; mt++)
            if (area->free_list[mt].head)
                return true;
        if ((alloc_flags & (MM_ALLOC_HIGHATOMIC | MM_ALLOC_OOM)) &&
            area->free_list[MM_MIGRATE_HIGHATOMIC].head)
            return true;
    }
    return false;
}

/**
 * mm__si_mem_available() - MemAvailable, in pages
 * @sim: the simulator
 *
 * Free pages minus totalreserve_pages, plus the page cache and reclaimable
 * kernel memory (slab, misc) that could go without trouble: each loses
 * min(half of itself, the sum of the zones' low watermarks).
 *
 * Kernel: si_mem_available(), mm/page_alloc.c (6.1), mm/show_mem.c (6.12+).
 * Return: pages, at least 0.
 */
uint64_t mm__si_mem_available(const struct mm_sim *sim)
{
    uint64_t wmark_low = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++)
            wmark_low += mm__wmark_pages(&sim->nodes[n].zones[t], MM_WMARK_LOW);
    int64_t avail = (int64_t)mm__global_zone_page_state(sim, MM_NR_FREE_PAGES) -
                    (int64_t)sim->totalreserve_pages;
    uint64_t pagecache = mm__global_node_page_state(sim, MM_NR_ACTIVE_FILE) +
                         mm__global_node_page_state(sim, MM_NR_INACTIVE_FILE);
    pagecache -= pagecache / 2 < wmark_low ? pagecache / 2 : wmark_low;
    uint64_t rec = mm__global_node_page_state(sim, MM_NR_SLAB_RECLAIMABLE) +
                   mm__global_node_page_state(sim, MM_NR_KERNEL_MISC_RECLAIMABLE);
    rec -= rec / 2 < wmark_low ? rec / 2 : wmark_low;
    avail += (int64_t)(pagecache + rec);
    return avail > 0 ? (uint64_t)avail : 0;
}

/* zone_batchsize(): ~0.1% of the zone or 1 MiB, /4, as 2^n - 1; at least 1. */
static uint64_t zone_batchsize(const struct mm_zone *zone)
{
    uint64_t batch = zone->managed >> 10;
    if (batch > (1u << 20) / MM_PAGE_SIZE)
        batch = (1u << 20) / MM_PAGE_SIZE;
    batch /= 4;
    if (batch < 1)
        batch = 1;
    uint64_t v = batch + batch / 2, pow2 = 1;
    while (pow2 * 2 <= v)
        pow2 *= 2;
    return pow2 - 1 > 0 ? pow2 - 1 : 1;
}

/* zone_highsize(): the pages a zone's pcp lists may hold, per CPU. */
static uint64_t zone_highsize(const struct mm_sim *sim, const struct mm_zone *zone,
                              uint64_t batch, uint64_t fraction)
{
    uint64_t total = fraction ? zone->managed / fraction
                              : mm__wmark_pages(zone, MM_WMARK_LOW);
    uint64_t cpus = sim->nodes[zone->nid].nr_cpus;
    for (unsigned n = 0; !cpus && n < sim->nr_nodes; n++)
        cpus += sim->nodes[n].nr_cpus; /* memory-only node: all CPUs */
    uint64_t high = total / (cpus ? cpus : 1);
    return high > batch << 2 ? high : batch << 2;
}

/**
 * mm__zone_pcp_sizes() - the per-CPU pageset sizes zoneinfo prints
 * @sim: the simulator
 * @zone: the zone
 * @out: batch; high_min (the 6.1 "high", and the 6.7+ starting value);
 *       high_max (6.7+ auto-tuning ceiling: managed/8 per CPU)
 *
 * The model keeps no pages on pcp lists; these are the limits the kernel
 * would use, recomputed with the watermarks.
 *
 * Kernel: mm/page_alloc.c zone_batchsize(), zone_highsize(),
 * zone_set_pageset_high_and_batch().
 */
void mm__zone_pcp_sizes(const struct mm_sim *sim, const struct mm_zone *zone,
                        struct mm_pcp_sizes *out)
{
    uint64_t fraction = (uint64_t)sim->vm.percpu_pagelist_high_fraction;
    out->batch = zone_batchsize(zone);
    out->high_min = zone_highsize(sim, zone, out->batch, fraction);
    out->high_max = fraction ? out->high_min
                             : zone_highsize(sim, zone, out->batch, 8);
}
