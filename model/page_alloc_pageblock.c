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
 * whether a steal may claim the whole block, and the head of every
 * allocated block (its order and type), so that a free can be checked and
 * returned to the right counts. Records exist only for pageblocks that hold
 * allocated pages: 520 bytes per 2 MiB in use.
 *
 * Callers: page_alloc_buddy.c (steal, free), page_alloc.c (allocation
 * accounting), sim.c (background memory), vmstat.c readers.
 *
 * Kernel: mm/page_alloc.c get_pfnblock_flags_mask(), set_pageblock_migratetype();
 * mm/vmstat.c pagetypeinfo_showblockcount_print(). 6.1-6.18.
 */
#include <stdlib.h>

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

/*
 * Allocated blocks of one pageblock: the head byte of each allocated block
 * (1 + order, migratetype << 4; 0 = no block starts here) and page counts.
 * Exists only while the pageblock holds allocated pages.
 */
struct mm_pageblock_state {
    uint32_t allocated; /* pages allocated, any type */
    uint32_t movable;   /* pages allocated MOVABLE */
    uint8_t head[1u << MM_PAGEBLOCK_ORDER];
};

#define HEAD(order, mt) ((uint8_t)((order) + 1 + ((unsigned)(mt) << 4)))
#define HEAD_ORDER(h) (((h) & 0xfu) - 1)
#define HEAD_MT(h) ((enum mm_migratetype)((h) >> 4))

static struct mm_pageblock_state *pb_state(const struct mm_zone *zone,
                                           uint64_t pfn)
{
    uint64_t v;
    if (!mm__hmap_get(&zone->pageblocks, pfn >> MM_PAGEBLOCK_ORDER, &v))
        return NULL;
    return (struct mm_pageblock_state *)(uintptr_t)v;
}

static struct mm_pageblock_state *pb_state_get(struct mm_zone *zone, uint64_t pfn)
{
    struct mm_pageblock_state *st = pb_state(zone, pfn);
    if (st)
        return st;
    st = calloc(1, sizeof(*st));
    if (st && mm__hmap_put(&zone->pageblocks, pfn >> MM_PAGEBLOCK_ORDER,
                           (uint64_t)(uintptr_t)st)) {
        free(st);
        st = NULL;
    }
    return st;
}

/* Add @add (or remove) the pages of a block to each pageblock it covers. */
static int pb_count(struct mm_zone *zone, uint64_t pfn, unsigned order,
                    enum mm_migratetype mt, bool add)
{
    for (uint64_t left = 1ull << order; left;) {
        uint64_t n = left < PAGEBLOCK_NR ? left : PAGEBLOCK_NR;
        struct mm_pageblock_state *st = add ? pb_state_get(zone, pfn)
                                            : pb_state(zone, pfn);
        if (!st)
            return MM_ENOMEM;
        st->allocated = add ? st->allocated + (uint32_t)n : st->allocated - (uint32_t)n;
        if (mt == MM_MIGRATE_MOVABLE)
            st->movable = add ? st->movable + (uint32_t)n : st->movable - (uint32_t)n;
        if (!st->allocated) {
            mm__hmap_del(&zone->pageblocks, pfn >> MM_PAGEBLOCK_ORDER);
            free(st);
        }
        left -= n;
        pfn += n;
    }
    return 0;
}

/**
 * mm__pageblock_record_alloc() - remember an allocated block
 * @zone: its zone
 * @pfn: first PFN
 * @order: order
 * @mt: the migratetype it was allocated as
 *
 * Return: 0 or MM_ENOMEM (nothing recorded).
 */
int mm__pageblock_record_alloc(struct mm_zone *zone, uint64_t pfn,
                               unsigned order, enum mm_migratetype mt)
{
    if (pb_count(zone, pfn, order, mt, true))
        return MM_ENOMEM;
    pb_state(zone, pfn)->head[pfn & (PAGEBLOCK_NR - 1)] = HEAD(order, mt);
    return 0;
}

/**
 * mm__pageblock_take_alloc() - forget an allocated block that is being freed
 * @zone: its zone
 * @pfn: first PFN
 * @order: the order it was allocated (or split) with
 *
 * Return: 0; MM_EINVAL if no block of that order is allocated at @pfn.
 */
int mm__pageblock_take_alloc(struct mm_zone *zone, uint64_t pfn, unsigned order)
{
    struct mm_pageblock_state *st = pb_state(zone, pfn);
    uint8_t *head = st ? &st->head[pfn & (PAGEBLOCK_NR - 1)] : NULL;
    if (!head || !*head || HEAD_ORDER(*head) != order)
        return MM_EINVAL;
    enum mm_migratetype mt = HEAD_MT(*head);
    *head = 0;
    return pb_count(zone, pfn, order, mt, false);
}

/**
 * mm__pageblock_split_alloc() - make each page of an allocated block its own
 * @zone: its zone
 * @pfn: first PFN
 * @order: its order
 *
 * Kernel: split_page().
 * Return: 0; MM_EINVAL if no block of that order is allocated at @pfn.
 */
int mm__pageblock_split_alloc(struct mm_zone *zone, uint64_t pfn, unsigned order)
{
    struct mm_pageblock_state *st = pb_state(zone, pfn);
    uint8_t *head = st ? &st->head[pfn & (PAGEBLOCK_NR - 1)] : NULL;
    if (!head || !*head || HEAD_ORDER(*head) != order)
        return MM_EINVAL;
    enum mm_migratetype mt = HEAD_MT(*head);
    for (uint64_t i = 0; i < 1ull << order; i++)
        pb_state(zone, pfn + i)->head[(pfn + i) & (PAGEBLOCK_NR - 1)] = HEAD(0, mt);
    return 0;
}

/**
 * mm__pageblock_destroy() - free every pageblock record of a zone
 * @zone: the zone
 */
void mm__pageblock_destroy(struct mm_zone *zone)
{
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&zone->pageblocks, &pos)) != NULL)
        free((void *)(uintptr_t)s->value);
    mm__hmap_destroy(&zone->pageblocks);
    mm__hmap_destroy(&zone->pageblock_mt);
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
    const struct mm_pageblock_state *st = pb_state(zone, pfn);
    return st ? st->movable : 0;
}
