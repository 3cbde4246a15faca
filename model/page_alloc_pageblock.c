/*
 * page_alloc_pageblock.c - per-pageblock state of the buddy allocator.
 *
 * Mechanism: each 2 MiB pageblock has a migratetype (MOVABLE at boot, as
 * memmap_init() sets it; changed when an allocation of another type claims
 * the block) that decides which free list its freed pages join and what
 * /proc/pagetypeinfo counts. Stored sparsely: only blocks that are not
 * MOVABLE are in a hash map. Also kept per pageblock: the pages allocated
 * with MM_MIGRATE_MOVABLE, the model's stand-in for the PageLRU() /
 * __PageMovable() pages move_freepages_block() counts when it decides
 * whether a steal may claim the whole block.
 *
 * Callers: page_alloc_buddy.c (steal, free), page_alloc.c (allocation
 * accounting), sim.c (background memory), vmstat.c readers.
 *
 * Kernel: mm/page_alloc.c get_pfnblock_flags_mask(), set_pageblock_migratetype();
 * mm/vmstat.c pagetypeinfo_showblockcount_print(). 6.1-6.18.
 */
#include "internal.h"

#define PAGEBLOCK_NR (1ull << MM_PAGEBLOCK_ORDER)

/**
 * mm__pageblock_mt() - get_pageblock_migratetype() of the block holding @pfn
 * @zone: the zone
 * @pfn: a PFN in it
 *
 * Return: the pageblock's migratetype (MOVABLE unless changed).
 */
enum mm_migratetype mm__pageblock_mt(const struct mm_zone *zone, uint64_t pfn)
{
    uint64_t v;
    if (mm__hmap_get(&zone->pageblock_mt, pfn >> MM_PAGEBLOCK_ORDER, &v))
        return (enum mm_migratetype)v;
    return MM_MIGRATE_MOVABLE;
}

/**
 * mm__set_pageblock_mt() - set_pageblock_migratetype() for @pfn's pageblock
 * @sim: the simulator (host allocation failures are recorded in it)
 * @zone: the zone
 * @pfn: a PFN in the pageblock
 * @mt: the new type
 */
void mm__set_pageblock_mt(struct mm_sim *sim, struct mm_zone *zone,
                          uint64_t pfn, enum mm_migratetype mt)
{
    uint64_t pb = pfn >> MM_PAGEBLOCK_ORDER;
    if (mt == MM_MIGRATE_MOVABLE)
        mm__hmap_del(&zone->pageblock_mt, pb);
    else if (mm__hmap_put(&zone->pageblock_mt, pb, mt))
        sim->host_err = MM_ENOMEM;
}

/**
 * mm__pageblocks_of_type() - pageblocks of one type, for /proc/pagetypeinfo
 * @zone: the zone
 * @mt: the migratetype
 *
 * Kernel: mm/vmstat.c pagetypeinfo_showblockcount_print().
 * Return: number of pageblocks of type @mt (MOVABLE: all the others).
 */
uint64_t mm__pageblocks_of_type(const struct mm_zone *zone,
                                enum mm_migratetype mt)
{
    uint64_t counts[MM_MIGRATE_TYPES] = {0}, other = 0;
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&zone->pageblock_mt, &pos)) != NULL)
        if (s->value < MM_MIGRATE_TYPES)
            counts[s->value]++;
    for (int t = 0; t < MM_MIGRATE_TYPES; t++)
        if (t != MM_MIGRATE_MOVABLE)
            other += counts[t];
    if (mt != MM_MIGRATE_MOVABLE)
        return counts[mt];
    uint64_t total = mm__zone_pageblocks(zone);
    return total > other ? total - other : 0;
}

/**
 * mm__pageblock_movable_pages() - pages of @pfn's pageblock allocated MOVABLE
 * @zone: the zone
 * @pfn: a PFN in the pageblock
 *
 * Return: the count (what move_freepages_block() counts as PageLRU pages).
 */
uint64_t mm__pageblock_movable_pages(const struct mm_zone *zone, uint64_t pfn)
{
    uint64_t v = 0;
    mm__hmap_get(&zone->pageblock_movable, pfn >> MM_PAGEBLOCK_ORDER, &v);
    return v;
}

/**
 * mm__account_movable() - count pages allocated MOVABLE per pageblock
 * @sim: the simulator
 * @zone: the zone of @pfn
 * @pfn: first page of the block
 * @order: its order
 * @add: true on allocation, false on free
 *
 * Stands in for PageLRU()/__PageMovable() in move_freepages_block().
 */
void mm__account_movable(struct mm_sim *sim, struct mm_zone *zone,
                         uint64_t pfn, unsigned order, bool add)
{
    uint64_t left = 1ull << order;
    while (left) {
        uint64_t pb = pfn >> MM_PAGEBLOCK_ORDER;
        uint64_t n = left < PAGEBLOCK_NR ? left : PAGEBLOCK_NR;
        uint64_t v = mm__pageblock_movable_pages(zone, pfn);
        v = add ? v + n : (v > n ? v - n : 0);
        if (v == 0)
            mm__hmap_del(&zone->pageblock_movable, pb);
        else if (mm__hmap_put(&zone->pageblock_movable, pb, v))
            sim->host_err = MM_ENOMEM;
        left -= n;
        pfn += n;
    }
}
