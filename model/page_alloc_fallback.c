/*
 * page_alloc_fallback.c - stealing free memory of another migratetype.
 *
 * Mechanism: when a zone has no free block of the wanted migratetype, the
 * allocator takes one from a fallback type (UNMOVABLE <- RECLAIMABLE,
 * MOVABLE; MOVABLE <- RECLAIMABLE, UNMOVABLE; RECLAIMABLE <- UNMOVABLE,
 * MOVABLE), preferring the largest block (likely a mostly free pageblock)
 * and claiming the whole pageblock when the block is at least a pageblock or
 * when at least half of the pageblock is free or "alike". A steal below
 * pageblock order boosts the zone's watermarks (boost_watermark) so kswapd
 * reclaims the fragmentation away. Two versions, switched on
 * machine.kernel:
 *   6.1:  __rmqueue_fallback() picks a block and moves it (or its whole
 *         pageblock) to the wanted type's lists; __rmqueue retries
 *         __rmqueue_smallest. A MOVABLE request that cannot claim splits the
 *         smallest fallback block instead of the largest.
 *   6.12: __rmqueue_claim() tries to claim whole pageblocks, largest block
 *         first; failing that (and not under ALLOC_NOFRAGMENT)
 *         __rmqueue_steal() takes the smallest fallback block and leaves its
 *         remainder on the fallback type's lists. This is the code of Debian
 *         6.12.117 (upstream 6.15, backported); which 6.2-6.11 releases had
 *         it is UNVERIFIED, the model uses it from 6.12 on.
 *
 * Callers: page_alloc_buddy.c mm__rmqueue().
 *
 * Kernel: mm/page_alloc.c fallbacks[], can_steal_fallback(),
 * find_suitable_fallback(), boost_watermark(), steal_suitable_fallback(),
 * move_freepages_block(), __rmqueue_fallback() (6.1); try_to_steal_block(),
 * prep_move_freepages_block(), __rmqueue_claim(), __rmqueue_steal() (6.12).
 *
 * Simplified: "movable pages" in a pageblock (PageLRU or __PageMovable) are
 * the pages allocated MOVABLE (page_alloc_pageblock.c). No CMA, no
 * page_group_by_mobility_disabled (machines under ~100 MiB per node).
 */
#include "internal.h"

#define MAX_ORDER_NR (MM_NR_PAGE_ORDERS - 1) /* highest order: 10 */
#define PAGEBLOCK_NR (1ull << MM_PAGEBLOCK_ORDER)
#define CLAIM_STEAL_SPLIT MM_KERNEL(6, 12)

/* fallbacks[]: the types a type steals from, in order (6.1). */
static const enum mm_migratetype fallbacks[MM_MIGRATE_PCPTYPES][2] = {
    [MM_MIGRATE_UNMOVABLE] = {MM_MIGRATE_RECLAIMABLE, MM_MIGRATE_MOVABLE},
    [MM_MIGRATE_MOVABLE] = {MM_MIGRATE_RECLAIMABLE, MM_MIGRATE_UNMOVABLE},
    [MM_MIGRATE_RECLAIMABLE] = {MM_MIGRATE_UNMOVABLE, MM_MIGRATE_MOVABLE},
};

/* can_steal_fallback() */
static bool can_steal_fallback(unsigned order, enum mm_migratetype start_mt)
{
    if (order >= MM_PAGEBLOCK_ORDER)
        return true;
    return order >= MM_PAGEBLOCK_ORDER / 2 ||
           start_mt == MM_MIGRATE_RECLAIMABLE ||
           start_mt == MM_MIGRATE_UNMOVABLE;
}

/* find_suitable_fallback(area, order, mt, only_stealable = false, ...) */
static int find_suitable_fallback(const struct mm_free_area *area,
                                  unsigned order, enum mm_migratetype mt,
                                  bool *can_steal)
{
    if (area->nr_free == 0)
        return -1;
    *can_steal = false;
    for (int i = 0; i < 2; i++) {
        enum mm_migratetype f = fallbacks[mt][i];
        if (!area->free_list[f].head)
            continue;
        if (can_steal_fallback(order, mt))
            *can_steal = true;
        return (int)f;
    }
    return -1;
}

/* boost_watermark() */
static bool boost_watermark(struct mm_sim *sim, struct mm_zone *zone)
{
    uint64_t factor = (uint64_t)sim->vm.watermark_boost_factor;
    if (!factor || PAGEBLOCK_NR * 4 > zone->managed)
        return false;
    uint64_t high = zone->watermark[MM_WMARK_HIGH];
    /* mult_frac(high, factor, 10000) */
    uint64_t max_boost = high / 10000 * factor + high % 10000 * factor / 10000;
    if (!max_boost)
        return false;
    if (max_boost < PAGEBLOCK_NR)
        max_boost = PAGEBLOCK_NR;
    zone->watermark_boost += PAGEBLOCK_NR;
    if (zone->watermark_boost > max_boost)
        zone->watermark_boost = max_boost;
    return true;
}

/* move_freepages_block(): retype every free block in @pfn's pageblock. */
static uint64_t move_freepages_block(struct mm_zone *zone, uint64_t pfn,
                                     enum mm_migratetype mt, uint64_t *movable)
{
    uint64_t start = pfn & ~(PAGEBLOCK_NR - 1), end = start + PAGEBLOCK_NR - 1;
    uint64_t zend = zone->start_pfn + zone->spanned, moved = 0;
    *movable = 0;
    if (start < zone->start_pfn)
        start = pfn;
    if (end >= zend)
        return 0;
    *movable = mm__pageblock_movable_pages(zone, pfn);
    for (uint64_t p = start; p <= end;) {
        struct mm_free_block *b = mm__free_block_at(zone, p);
        if (!b) {
            p++;
            continue;
        }
        p += 1ull << b->order;
        mm__move_to_free_list(zone, b, mt);
        moved += 1ull << b->order;
    }
    return moved;
}

/*
 * The part of steal_suitable_fallback() that may take the whole pageblock.
 * Return: false when only the found block itself changes list ("single_page").
 */
static bool steal_pageblock(struct mm_sim *sim, struct mm_zone *zone,
                            const struct mm_free_block *b,
                            const struct mm_rmqueue_ctl *ctl, bool whole)
{
    uint64_t pfn = b->pfn, movable, alike;
    enum mm_migratetype start = ctl->mt;
    enum mm_migratetype old = mm__pageblock_mt(zone, pfn);
    if (old == MM_MIGRATE_HIGHATOMIC)
        return false;
    if (b->order >= MM_PAGEBLOCK_ORDER) {
        /* change_pageblock_range(): take ownership of every pageblock */
        for (uint64_t i = 0; i < 1ull << (b->order - MM_PAGEBLOCK_ORDER); i++)
            mm__set_pageblock_mt(sim, zone, pfn + i * PAGEBLOCK_NR, start);
        return false;
    }
    if (boost_watermark(sim, zone) && (ctl->flags & MM_ALLOC_KSWAPD))
        zone->boosted = true;
    if (!whole)
        return false;
    uint64_t free_pages = move_freepages_block(zone, pfn, start, &movable);
    if (!free_pages)
        return false; /* the pageblock crosses the zone's end */
    if (start == MM_MIGRATE_MOVABLE)
        alike = movable;
    else if (old == MM_MIGRATE_MOVABLE)
        alike = PAGEBLOCK_NR - (free_pages + movable);
    else
        alike = 0;
    if (free_pages + alike >= PAGEBLOCK_NR / 2)
        mm__set_pageblock_mt(sim, zone, pfn, start);
    return true;
}

/* steal_suitable_fallback() (6.1) */
static void steal_suitable_fallback(struct mm_sim *sim, struct mm_zone *zone,
                                    struct mm_free_block *b,
                                    const struct mm_rmqueue_ctl *ctl, bool whole)
{
    if (!steal_pageblock(sim, zone, b, ctl, whole))
        mm__move_to_free_list(zone, b, ctl->mt);
}

/* __rmqueue_fallback(): steal the largest suitable block of another type. */
static bool rmqueue_fallback(struct mm_sim *sim, struct mm_zone *zone,
                             const struct mm_rmqueue_ctl *ctl)
{
    unsigned order = ctl->order;
    enum mm_migratetype start = ctl->mt;
    int co, min_order = (int)order, fmt = -1;
    bool can_steal = false;
    if (order < MM_PAGEBLOCK_ORDER && (ctl->flags & MM_ALLOC_NOFRAGMENT))
        min_order = MM_PAGEBLOCK_ORDER;
    for (co = MAX_ORDER_NR; co >= min_order; co--) {
        fmt = find_suitable_fallback(&zone->free_area[co], (unsigned)co, start,
                                     &can_steal);
        if (fmt >= 0)
            break;
    }
    if (fmt < 0)
        return false;
    if (!can_steal && start == MM_MIGRATE_MOVABLE && co > (int)order) {
        /* find_smallest: splitting the smallest block fragments least */
        for (co = (int)order; co <= MAX_ORDER_NR; co++) {
            fmt = find_suitable_fallback(&zone->free_area[co], (unsigned)co,
                                         start, &can_steal);
            if (fmt >= 0)
                break;
        }
    }
    struct mm_free_block *b = zone->free_area[co].free_list[fmt].head;
    steal_suitable_fallback(sim, zone, b, ctl, can_steal);
    return true;
}


/* ---- 6.12: claim whole pageblocks, else steal a single block ------------ */

/* Free pages in [start, start + pageblock) and whether the block is in the zone. */
static bool prep_move_freepages_block(const struct mm_zone *zone, uint64_t pfn,
                                      uint64_t *start, uint64_t *nr_free)
{
    uint64_t zend = zone->start_pfn + zone->spanned;
    *start = pfn & ~(PAGEBLOCK_NR - 1);
    if (*start < zone->start_pfn || *start + PAGEBLOCK_NR - 1 >= zend)
        return false;
    *nr_free = 0;
    for (uint64_t p = *start; p < *start + PAGEBLOCK_NR;) {
        const struct mm_free_block *b = mm__free_block_at(zone, p);
        uint64_t n = b ? 1ull << b->order : 1;
        *nr_free += b ? n : 0;
        p += n;
    }
    return true;
}

/* __move_freepages_block(): every free block of the pageblock to @mt. */
static void move_block_free_pages(struct mm_sim *sim, struct mm_zone *zone,
                                  uint64_t start, enum mm_migratetype mt)
{
    for (uint64_t p = start; p < start + PAGEBLOCK_NR;) {
        struct mm_free_block *b = mm__free_block_at(zone, p);
        p += b ? 1ull << b->order : 1;
        if (b)
            mm__move_to_free_list(zone, b, mt);
    }
    mm__set_pageblock_mt(sim, zone, start, mt);
}

/* try_to_steal_block() (6.12): claim the pageblock or give up. */
static bool try_to_claim_block(struct mm_sim *sim, struct mm_zone *zone,
                               struct mm_free_block *b, struct mm_rmqueue_ctl *ctl)
{
    uint64_t bpfn = b->pfn, first, free_pages, alike;
    unsigned co = b->order;
    enum mm_migratetype start = ctl->mt;
    enum mm_migratetype old = mm__pageblock_mt(zone, bpfn);
    if (old == MM_MIGRATE_HIGHATOMIC)
        return false;
    if (co >= MM_PAGEBLOCK_ORDER) {
        struct mm_pages block = {bpfn, co, start};
        mm__del_from_free_list(sim, zone, b);
        for (uint64_t i = 0; i < 1ull << (co - MM_PAGEBLOCK_ORDER); i++)
            mm__set_pageblock_mt(sim, zone, bpfn + i * PAGEBLOCK_NR, start);
        mm__expand(sim, zone, &block, ctl->order);
        ctl->pfn = bpfn;
        return true;
    }
    if (boost_watermark(sim, zone) && (ctl->flags & MM_ALLOC_KSWAPD))
        zone->boosted = true;
    if (!prep_move_freepages_block(zone, bpfn, &first, &free_pages))
        return false;
    uint64_t movable = mm__pageblock_movable_pages(zone, first);
    if (start == MM_MIGRATE_MOVABLE)
        alike = movable;
    else if (old == MM_MIGRATE_MOVABLE)
        alike = PAGEBLOCK_NR - (free_pages + movable);
    else
        alike = 0;
    if (free_pages + alike < PAGEBLOCK_NR / 2)
        return false;
    move_block_free_pages(sim, zone, first, start);
    return mm__rmqueue_smallest(sim, zone, ctl->order, start, &ctl->pfn);
}

/* __rmqueue_claim() */
static bool rmqueue_claim(struct mm_sim *sim, struct mm_zone *zone,
                          struct mm_rmqueue_ctl *ctl)
{
    int min_order = (int)ctl->order;
    bool can_steal;
    if (ctl->order < MM_PAGEBLOCK_ORDER && (ctl->flags & MM_ALLOC_NOFRAGMENT))
        min_order = MM_PAGEBLOCK_ORDER;
    for (int co = MAX_ORDER_NR; co >= min_order; co--) {
        struct mm_free_area *area = &zone->free_area[co];
        int fmt = find_suitable_fallback(area, (unsigned)co, ctl->mt, &can_steal);
        if (fmt < 0)
            continue;
        if (!can_steal)
            break;
        if (try_to_claim_block(sim, zone, area->free_list[fmt].head, ctl))
            return true;
    }
    return false;
}

/* __rmqueue_steal(): the smallest fallback block; its rest keeps its type. */
static bool rmqueue_steal(struct mm_sim *sim, struct mm_zone *zone,
                          struct mm_rmqueue_ctl *ctl)
{
    bool can_steal;
    for (unsigned co = ctl->order; co < MM_NR_PAGE_ORDERS; co++) {
        struct mm_free_area *area = &zone->free_area[co];
        int fmt = find_suitable_fallback(area, co, ctl->mt, &can_steal);
        if (fmt < 0)
            continue;
        struct mm_free_block *b = area->free_list[fmt].head;
        struct mm_pages block = {b->pfn, co, (enum mm_migratetype)fmt};
        ctl->pfn = block.pfn;
        mm__del_from_free_list(sim, zone, b);
        mm__expand(sim, zone, &block, ctl->order);
        return true;
    }
    return false;
}

/**
 * mm__rmqueue_fallback() - allocate from another migratetype's free lists
 * @sim: the simulator
 * @zone: the zone
 * @ctl: order and type wanted (UNMOVABLE, MOVABLE or RECLAIMABLE), flags
 *       (NOFRAGMENT, KSWAPD); ->pfn set to the first PFN of the pages taken
 *
 * Called after __rmqueue_smallest() found nothing of type @mt.
 *
 * Kernel: mm/page_alloc.c __rmqueue() after its first __rmqueue_smallest():
 * 6.1 __rmqueue_fallback() + retry; 6.12 __rmqueue_claim(), __rmqueue_steal().
 * Return: true if pages were taken.
 */
bool mm__rmqueue_fallback(struct mm_sim *sim, struct mm_zone *zone,
                          struct mm_rmqueue_ctl *ctl)
{
    if (sim->machine.kernel >= CLAIM_STEAL_SPLIT)
        return rmqueue_claim(sim, zone, ctl) ||
               (!(ctl->flags & MM_ALLOC_NOFRAGMENT) &&
                rmqueue_steal(sim, zone, ctl));
    while (rmqueue_fallback(sim, zone, ctl))
        if (mm__rmqueue_smallest(sim, zone, ctl->order, ctl->mt, &ctl->pfn))
            return true;
    return false;
}
