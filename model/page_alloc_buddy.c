/*
 * page_alloc_buddy.c - the buddy allocator of one zone: free lists, split,
 * merge, and stealing between migratetypes.
 *
 * Mechanism: each zone keeps free_area[order 0..10], one list per
 * migratetype, nr_free in blocks. Allocation takes the smallest order with a
 * block of the wanted type (__rmqueue_smallest) and splits it, returning the
 * lowest-addressed part and putting each upper half on the next lower order
 * (expand). When the type has nothing, __rmqueue_fallback steals the largest
 * block of a fallback type, possibly claiming its whole pageblock and boosting
 * the watermark. Freeing merges with the buddy (pfn ^ (1 << order)) while it
 * is free at the same order (__free_one_page). List discipline mirrors the
 * kernel: take from the head; expand adds at the head; frees add at the tail
 * when a merge one order up looks likely, or when boot memory is released.
 *
 * Callers: page_alloc.c (rmqueue, free), sim.c at boot (memblock release).
 *
 * Kernel: mm/page_alloc.c of 6.1 (__rmqueue_smallest, expand, __rmqueue,
 * __rmqueue_fallback, find_suitable_fallback, can_steal_fallback,
 * steal_suitable_fallback, move_freepages_block, boost_watermark,
 * __free_one_page, buddy_merge_likely, __free_pages_memory in mm/memblock.c).
 * Rules unchanged up to 6.18 except the fallback rewrite of ~6.10
 * (try_to_claim_block), which the model does not switch on yet.
 *
 * Simplified: cost scales with free blocks, not RAM: free blocks live in a
 * per-zone AVL tree keyed by PFN plus intrusive lists, their descriptors in
 * a recycling pool; pageblock state is in page_alloc_pageblock.c. No CMA,
 * no ISOLATE, no page guards, no shuffling, no compaction capture.
 */
#include <stdlib.h>

#include "internal.h"

#define MAX_ORDER_NR (MM_NR_PAGE_ORDERS - 1) /* highest order: 10 */
#define PAGEBLOCK_NR (1ull << MM_PAGEBLOCK_ORDER)
#define POOL_CHUNK 4096u

/* fallbacks[]: the types a type steals from, in order (6.1). */
static const enum mm_migratetype fallbacks[MM_MIGRATE_PCPTYPES][2] = {
    [MM_MIGRATE_UNMOVABLE] = {MM_MIGRATE_RECLAIMABLE, MM_MIGRATE_MOVABLE},
    [MM_MIGRATE_MOVABLE] = {MM_MIGRATE_RECLAIMABLE, MM_MIGRATE_UNMOVABLE},
    [MM_MIGRATE_RECLAIMABLE] = {MM_MIGRATE_UNMOVABLE, MM_MIGRATE_MOVABLE},
};

/* ---- descriptor pool ---------------------------------------------------- */

static int pool_grow(struct mm_block_pool *pool)
{
    if (pool->nr_chunks == pool->cap_chunks) {
        size_t cap = pool->cap_chunks ? pool->cap_chunks * 2 : 16;
        void *p = realloc(pool->chunks, cap * sizeof(*pool->chunks));
        if (!p)
            return MM_ENOMEM;
        pool->chunks = p;
        pool->cap_chunks = cap;
    }
    struct mm_free_block *chunk = malloc(POOL_CHUNK * sizeof(*chunk));
    if (!chunk)
        return MM_ENOMEM;
    pool->chunks[pool->nr_chunks++] = chunk;
    for (unsigned i = 0; i < POOL_CHUNK; i++) {
        chunk[i].next = pool->spare;
        pool->spare = &chunk[i];
    }
    pool->nr_spare += POOL_CHUNK;
    return 0;
}

/**
 * mm__block_pool_reserve() - make sure @n descriptors can be taken
 * @pool: the pool
 * @n: how many
 *
 * Called before an operation that must not fail half-way.
 * Return: 0 or MM_ENOMEM.
 */
int mm__block_pool_reserve(struct mm_block_pool *pool, size_t n)
{
    while (pool->nr_spare < n) {
        int err = pool_grow(pool);
        if (err)
            return err;
    }
    return 0;
}

/** mm__block_pool_destroy() - free every descriptor chunk of @pool. */
void mm__block_pool_destroy(struct mm_block_pool *pool)
{
    for (size_t i = 0; i < pool->nr_chunks; i++)
        free(pool->chunks[i]);
    free(pool->chunks);
    *pool = (struct mm_block_pool){0};
}

static struct mm_free_block *block_get(struct mm_block_pool *pool)
{
    if (mm__block_pool_reserve(pool, 1))
        return NULL;
    struct mm_free_block *b = pool->spare;
    pool->spare = b->next;
    pool->nr_spare--;
    return b;
}

static void block_put(struct mm_block_pool *pool, struct mm_free_block *b)
{
    b->next = pool->spare;
    pool->spare = b;
    pool->nr_spare++;
}

/* ---- free lists ------------------------------------------------------- */

static void list_add(struct mm_free_list *l, struct mm_free_block *b, bool tail)
{
    if (tail) {
        b->prev = l->tail;
        b->next = NULL;
        *(l->tail ? &l->tail->next : &l->head) = b;
        l->tail = b;
    } else {
        b->next = l->head;
        b->prev = NULL;
        *(l->head ? &l->head->prev : &l->tail) = b;
        l->head = b;
    }
    l->nr++;
}

static void list_del(struct mm_free_list *l, struct mm_free_block *b)
{
    *(b->prev ? &b->prev->next : &l->head) = b->next;
    *(b->next ? &b->next->prev : &l->tail) = b->prev;
    l->nr--;
}

static struct mm_free_list *block_list(struct mm_zone *zone,
                                       const struct mm_free_block *b)
{
    return &zone->free_area[b->order].free_list[b->mt];
}

/* add_to_free_list() / add_to_free_list_tail() */
static int add_to_free_list(struct mm_sim *sim, struct mm_zone *zone,
                            uint64_t pfn, unsigned order,
                            enum mm_migratetype mt, bool tail)
{
    struct mm_free_block *b = block_get(&sim->block_pool);
    if (!b)
        return MM_ENOMEM;
    b->node.key = pfn;
    b->order = (uint8_t)order;
    b->mt = (uint8_t)mt;
    if (mm__avl_insert(&zone->free_blocks, &b->node)) {
        block_put(&sim->block_pool, b);
        return MM_EEXIST;
    }
    list_add(block_list(zone, b), b, tail);
    zone->free_area[order].nr_free++;
    if (order >= MM_PAGEBLOCK_ORDER) /* account_freepages() (6.15+) */
        zone->vm_stat[MM_NR_FREE_PAGES_BLOCKS] += (int64_t)1 << order;
    return 0;
}

/* del_page_from_free_list() */
static void del_from_free_list(struct mm_sim *sim, struct mm_zone *zone,
                               struct mm_free_block *b)
{
    list_del(block_list(zone, b), b);
    zone->free_area[b->order].nr_free--;
    if (b->order >= MM_PAGEBLOCK_ORDER)
        zone->vm_stat[MM_NR_FREE_PAGES_BLOCKS] -= (int64_t)1 << b->order;
    mm__avl_erase(&zone->free_blocks, b->node.key);
    block_put(&sim->block_pool, b);
}

/* move_to_free_list(): list_move_tail onto the @mt list, same order. */
static void move_to_free_list(struct mm_zone *zone, struct mm_free_block *b,
                              enum mm_migratetype mt)
{
    list_del(block_list(zone, b), b);
    b->mt = (uint8_t)mt;
    list_add(block_list(zone, b), b, true);
}

static struct mm_free_block *find_free_block(const struct mm_zone *zone,
                                             uint64_t pfn, unsigned order)
{
    struct mm_avl_node *n = mm__avl_find(&zone->free_blocks, pfn);
    if (!n)
        return NULL;
    struct mm_free_block *b = mm_container_of(n, struct mm_free_block, node);
    return b->order == order ? b : NULL;
}

/* ---- allocation --------------------------------------------------------- */

/* expand(): keep the low part, give upper halves back at lower orders. */
static void expand(struct mm_sim *sim, struct mm_zone *zone, uint64_t pfn,
                   unsigned low, unsigned high, enum mm_migratetype mt)
{
    uint64_t size = 1ull << high;
    while (high > low) {
        high--;
        size >>= 1;
        if (add_to_free_list(sim, zone, pfn + size, high, mt, false))
            sim->host_err = MM_ENOMEM;
    }
}

/* __rmqueue_smallest() */
static bool rmqueue_smallest(struct mm_sim *sim, struct mm_zone *zone,
                             unsigned order, enum mm_migratetype mt,
                             uint64_t *pfn)
{
    for (unsigned o = order; o < MM_NR_PAGE_ORDERS; o++) {
        struct mm_free_block *b = zone->free_area[o].free_list[mt].head;
        if (!b)
            continue;
        *pfn = b->node.key;
        del_from_free_list(sim, zone, b);
        expand(sim, zone, *pfn, order, o, mt);
        return true;
    }
    return false;
}

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
    struct mm_avl_node *n = mm__avl_ceil(&zone->free_blocks, start);
    while (n && n->key <= end) {
        struct mm_free_block *b = mm_container_of(n, struct mm_free_block, node);
        n = mm__avl_next(&zone->free_blocks, n);
        move_to_free_list(zone, b, mt);
        moved += 1ull << b->order;
    }
    return moved;
}

/*
 * The part of steal_suitable_fallback() that may take the whole pageblock.
 * Return: false when only the found block itself changes list ("single_page").
 */
static bool steal_pageblock(struct mm_sim *sim, struct mm_zone *zone,
                            const struct mm_free_block *b, unsigned flags,
                            enum mm_migratetype start, bool whole)
{
    uint64_t pfn = b->node.key, movable, alike;
    enum mm_migratetype old = mm__pageblock_mt(zone, pfn);
    if (old == MM_MIGRATE_HIGHATOMIC)
        return false;
    if (b->order >= MM_PAGEBLOCK_ORDER) {
        /* change_pageblock_range(): take ownership of every pageblock */
        for (uint64_t i = 0; i < 1ull << (b->order - MM_PAGEBLOCK_ORDER); i++)
            mm__set_pageblock_mt(sim, zone, pfn + i * PAGEBLOCK_NR, start);
        return false;
    }
    if (boost_watermark(sim, zone) && (flags & MM_ALLOC_KSWAPD))
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
                                    struct mm_free_block *b, unsigned flags,
                                    enum mm_migratetype start, bool whole)
{
    if (!steal_pageblock(sim, zone, b, flags, start, whole))
        move_to_free_list(zone, b, start);
}

/* __rmqueue_fallback(): steal the largest suitable block of another type. */
static bool rmqueue_fallback(struct mm_sim *sim, struct mm_zone *zone,
                             unsigned order, enum mm_migratetype start,
                             unsigned flags)
{
    int co, min_order = (int)order, fmt = -1;
    bool can_steal = false;
    if (order < MM_PAGEBLOCK_ORDER && (flags & MM_ALLOC_NOFRAGMENT))
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
    steal_suitable_fallback(sim, zone, b, flags, start, can_steal);
    return true;
}

/**
 * mm__rmqueue() - take a block of 2^@order pages off a zone's free lists
 * @sim: the simulator
 * @zone: the zone
 * @order: the order
 * @mt: the wanted migratetype (one of the first three)
 * @flags: MM_ALLOC_* flags (NOFRAGMENT, KSWAPD, HIGHATOMIC, OOM, NON_BLOCK)
 * @pfn: set to the first PFN on success
 *
 * Updates NR_FREE_PAGES; the caller counts events and statistics. No
 * watermark check here.
 *
 * Kernel: mm/page_alloc.c rmqueue_buddy() and __rmqueue() (no pcp, no CMA).
 * Return: true if a block was taken.
 */
bool mm__rmqueue(struct mm_sim *sim, struct mm_zone *zone, unsigned order,
                 enum mm_migratetype mt, unsigned flags, uint64_t *pfn)
{
    bool ok = false;
    if (flags & MM_ALLOC_HIGHATOMIC)
        ok = rmqueue_smallest(sim, zone, order, MM_MIGRATE_HIGHATOMIC, pfn);
    while (!ok) {
        ok = rmqueue_smallest(sim, zone, order, mt, pfn);
        if (ok || !rmqueue_fallback(sim, zone, order, mt, flags))
            break;
    }
    if (!ok && (flags & (MM_ALLOC_OOM | MM_ALLOC_NON_BLOCK)))
        ok = rmqueue_smallest(sim, zone, order, MM_MIGRATE_HIGHATOMIC, pfn);
    if (ok)
        zone->vm_stat[MM_NR_FREE_PAGES] -= (int64_t)1 << order;
    return ok;
}

/* ---- freeing ------------------------------------------------------------ */

/* buddy_merge_likely(): is the block one order up about to be whole? */
static bool buddy_merge_likely(const struct mm_zone *zone, uint64_t pfn,
                               uint64_t buddy_pfn, unsigned order)
{
    if (order >= MAX_ORDER_NR - 1)
        return false;
    uint64_t higher = buddy_pfn & pfn;
    return find_free_block(zone, higher ^ (1ull << (order + 1)), order + 1);
}

static bool mt_mergeable(enum mm_migratetype mt)
{
    return mt < MM_MIGRATE_PCPTYPES;
}

/**
 * mm__free_one_page() - give a block back, merging with free buddies
 * @sim: the simulator
 * @zone: the zone holding the block
 * @pfn: first PFN, aligned to 2^@order
 * @order: the order
 * @mt: the migratetype list it goes to (its pageblock's type)
 * @to_tail: FPI_TO_TAIL (boot memory)
 *
 * Kernel: mm/page_alloc.c __free_one_page().
 * Return: 0; MM_EEXIST if the block overlaps a free one; MM_ENOMEM.
 */
int mm__free_one_page(struct mm_sim *sim, struct mm_zone *zone, uint64_t pfn,
                      unsigned order, enum mm_migratetype mt, bool to_tail)
{
    uint64_t buddy_pfn = 0;
    if (find_free_block(zone, pfn, order))
        return MM_EEXIST;
    zone->vm_stat[MM_NR_FREE_PAGES] += (int64_t)1 << order;
    while (order < MAX_ORDER_NR) {
        buddy_pfn = pfn ^ (1ull << order);
        struct mm_free_block *buddy = find_free_block(zone, buddy_pfn, order);
        if (!buddy)
            break;
        if (order >= MM_PAGEBLOCK_ORDER) {
            enum mm_migratetype bmt = mm__pageblock_mt(zone, buddy_pfn);
            if (mt != bmt && (!mt_mergeable(mt) || !mt_mergeable(bmt)))
                break;
        }
        del_from_free_list(sim, zone, buddy);
        pfn &= buddy_pfn;
        order++;
    }
    if (!to_tail)
        to_tail = buddy_merge_likely(zone, pfn, buddy_pfn, order);
    return add_to_free_list(sim, zone, pfn, order, mt, to_tail);
}

/**
 * mm__buddy_free_range() - release [start, end) to the buddy allocator at boot
 * @sim: the simulator
 * @zone: the zone that manages the range
 * @start: first PFN
 * @end: PFN after the last
 *
 * Frees the largest naturally aligned blocks, in ascending order, to the
 * tails of the lists, as memblock_free_all() does.
 *
 * Kernel: mm/memblock.c __free_pages_memory(), mm/page_alloc.c
 * __free_pages_core().
 * Return: 0 or MM_ENOMEM.
 */
int mm__buddy_free_range(struct mm_sim *sim, struct mm_zone *zone,
                         uint64_t start, uint64_t end)
{
    while (start < end) {
        unsigned order = MAX_ORDER_NR;
        if (start && (unsigned)__builtin_ctzll(start) < order)
            order = (unsigned)__builtin_ctzll(start);
        while (start + (1ull << order) > end)
            order--;
        int err = mm__free_one_page(sim, zone, start, order,
                                    mm__pageblock_mt(zone, start), true);
        if (err)
            return err;
        start += 1ull << order;
    }
    return 0;
}

/**
 * mm__zone_free_pages() - NR_FREE_PAGES of a zone
 * @zone: the zone
 *
 * Return: free pages (never negative in the model).
 */
uint64_t mm__zone_free_pages(const struct mm_zone *zone)
{
    int64_t v = zone->vm_stat[MM_NR_FREE_PAGES];
    return v > 0 ? (uint64_t)v : 0;
}
