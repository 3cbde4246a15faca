/*
 * page_alloc_buddy.c - the buddy allocator of one zone: free lists, split,
 * merge, and stealing between migratetypes.
 *
 * Mechanism: each zone keeps free_area[order 0..10], one list per
 * migratetype, nr_free in blocks. Allocation takes the smallest order with a
 * block of the wanted type (__rmqueue_smallest) and splits it, returning the
 * lowest-addressed part and putting each upper half on the next lower order
 * (expand); when the type has nothing, page_alloc_fallback.c steals from
 * another type. Freeing merges with the buddy (pfn ^ (1 << order)) while it
 * is free at the same order (__free_one_page). List discipline mirrors the
 * kernel: take from the head; expand adds at the head; frees add at the tail
 * when a merge one order up looks likely, or when boot memory is released.
 *
 * Callers: page_alloc.c (rmqueue, free), page_alloc_fallback.c (list
 * primitives), sim.c at boot (memblock release).
 *
 * Kernel: mm/page_alloc.c (__rmqueue_smallest, expand, rmqueue_buddy,
 * __rmqueue, __free_one_page, buddy_merge_likely) and mm/memblock.c
 * __free_pages_memory, 6.1. From 6.12 (Debian 6.12.117 source) a merge at
 * pageblock order retypes the buddy's pageblocks to the freed block's type.
 *
 * Simplified: cost scales with free blocks, not RAM: free blocks are indexed
 * by first PFN in a per-zone hash map (the kernel's PageBuddy test) and
 * linked on intrusive lists, their descriptors in a recycling pool; pageblock state is in page_alloc_pageblock.c. No CMA,
 * no ISOLATE, no page guards, no shuffling, no compaction capture.
 */
#include <stdlib.h>

#include "internal.h"

#define MAX_ORDER_NR (MM_NR_PAGE_ORDERS - 1) /* highest order: 10 */
#define PAGEBLOCK_NR (1ull << MM_PAGEBLOCK_ORDER)
#define POOL_CHUNK 4096u

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
                            const struct mm_pages *p, bool tail)
{
    uint64_t pfn = p->pfn;
    unsigned order = p->order;
    enum mm_migratetype mt = p->mt;
    struct mm_free_block *b = block_get(&sim->block_pool);
    if (!b)
        return MM_ENOMEM;
    b->pfn = pfn;
    b->order = (uint8_t)order;
    b->mt = (uint8_t)mt;
    if (mm__hmap_put(&zone->free_blocks, pfn, (uint64_t)(uintptr_t)b)) {
        block_put(&sim->block_pool, b);
        return MM_ENOMEM;
    }
    list_add(block_list(zone, b), b, tail);
    zone->free_area[order].nr_free++;
    if (order >= MM_PAGEBLOCK_ORDER) /* account_freepages() (6.15+) */
        zone->vm_stat[MM_NR_FREE_PAGES_BLOCKS] += (int64_t)1 << order;
    return 0;
}

/**
 * mm__del_from_free_list() - del_page_from_free_list(): unlink a free block
 * @sim: the simulator (its descriptor goes back to the pool)
 * @zone: the zone
 * @b: the block; invalid afterwards
 */
void mm__del_from_free_list(struct mm_sim *sim, struct mm_zone *zone,
                            struct mm_free_block *b)
{
    list_del(block_list(zone, b), b);
    zone->free_area[b->order].nr_free--;
    if (b->order >= MM_PAGEBLOCK_ORDER)
        zone->vm_stat[MM_NR_FREE_PAGES_BLOCKS] -= (int64_t)1 << b->order;
    mm__hmap_del(&zone->free_blocks, b->pfn);
    block_put(&sim->block_pool, b);
}

/**
 * mm__move_to_free_list() - move_to_free_list(): to the tail of the @mt list
 * @zone: the zone
 * @b: a free block; keeps its order
 * @mt: the new list's migratetype
 */
void mm__move_to_free_list(struct mm_zone *zone, struct mm_free_block *b,
                           enum mm_migratetype mt)
{
    list_del(block_list(zone, b), b);
    b->mt = (uint8_t)mt;
    list_add(block_list(zone, b), b, true);
}

/**
 * mm__free_block_at() - the free block that starts at @pfn, if any
 * @zone: the zone
 * @pfn: a PFN
 *
 * Kernel: PageBuddy(pfn_to_page(pfn)) and buddy_order().
 * Return: the block or NULL.
 */
struct mm_free_block *mm__free_block_at(const struct mm_zone *zone, uint64_t pfn)
{
    uint64_t v;
    if (!mm__hmap_get(&zone->free_blocks, pfn, &v))
        return NULL;
    return (struct mm_free_block *)(uintptr_t)v;
}

static struct mm_free_block *find_free_block(const struct mm_zone *zone,
                                             uint64_t pfn, unsigned order)
{
    struct mm_free_block *b = mm__free_block_at(zone, pfn);
    return b && b->order == order ? b : NULL;
}

/* ---- allocation --------------------------------------------------------- */

/**
 * mm__expand() - expand(): keep the low 2^@low pages of a block
 * @sim: the simulator
 * @zone: the zone
 * @block: the block, already off the free lists; its upper halves go to the
 *         heads of the @block->mt lists
 * @low: order kept
 */
void mm__expand(struct mm_sim *sim, struct mm_zone *zone,
                const struct mm_pages *block, unsigned low)
{
    struct mm_pages half = *block;
    while (half.order > low) {
        half.order--;
        half.pfn = block->pfn + (1ull << half.order);
        if (add_to_free_list(sim, zone, &half, false))
            sim->host_err = MM_ENOMEM;
    }
}

/**
 * mm__rmqueue_smallest() - __rmqueue_smallest(): the smallest block of @mt
 * @sim: the simulator
 * @zone: the zone
 * @order: the order wanted
 * @mt: the list type
 * @pfn: set to the first PFN of the 2^@order pages taken
 *
 * Return: true if some order >= @order had a block of type @mt.
 */
bool mm__rmqueue_smallest(struct mm_sim *sim, struct mm_zone *zone,
                          unsigned order, enum mm_migratetype mt, uint64_t *pfn)
{
    for (unsigned o = order; o < MM_NR_PAGE_ORDERS; o++) {
        struct mm_free_block *b = zone->free_area[o].free_list[mt].head;
        if (!b)
            continue;
        struct mm_pages block = {b->pfn, o, mt};
        *pfn = block.pfn;
        mm__del_from_free_list(sim, zone, b);
        mm__expand(sim, zone, &block, order);
        return true;
    }
    return false;
}

/**
 * mm__rmqueue() - take 2^order pages off a zone's free lists
 * @sim: the simulator
 * @zone: the zone
 * @ctl: order, wanted migratetype (one of the first three), MM_ALLOC_*
 *       flags (NOFRAGMENT, KSWAPD, HIGHATOMIC, OOM, NON_BLOCK); ->pfn is
 *       set to the first PFN on success
 *
 * Updates NR_FREE_PAGES; the caller counts events and statistics. No
 * watermark check here.
 *
 * Kernel: mm/page_alloc.c rmqueue_buddy() and __rmqueue() (no pcp, no CMA).
 * Return: true if a block was taken.
 */
bool mm__rmqueue(struct mm_sim *sim, struct mm_zone *zone,
                 struct mm_rmqueue_ctl *ctl)
{
    bool ok = false;
    unsigned order = ctl->order;
    if (ctl->flags & MM_ALLOC_HIGHATOMIC)
        ok = mm__rmqueue_smallest(sim, zone, order, MM_MIGRATE_HIGHATOMIC, &ctl->pfn);
    if (!ok)
        ok = mm__rmqueue_smallest(sim, zone, order, ctl->mt, &ctl->pfn) ||
             mm__rmqueue_fallback(sim, zone, ctl);
    if (!ok && (ctl->flags & (MM_ALLOC_OOM | MM_ALLOC_NON_BLOCK)))
        ok = mm__rmqueue_smallest(sim, zone, order, MM_MIGRATE_HIGHATOMIC, &ctl->pfn);
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

/* 6.12 (Debian 6.12.117): a merged buddy's pageblocks take the freed type. */
static bool retype_buddy(const struct mm_sim *sim)
{
    return sim->machine.kernel >= MM_KERNEL(6, 12);
}

static void change_pageblock_range(struct mm_sim *sim, struct mm_zone *zone,
                                   uint64_t pfn, unsigned order,
                                   enum mm_migratetype mt)
{
    for (uint64_t i = 0; i < 1ull << (order - MM_PAGEBLOCK_ORDER); i++)
        mm__set_pageblock_mt(sim, zone, pfn + (i << MM_PAGEBLOCK_ORDER), mt);
}

static bool mt_mergeable(enum mm_migratetype mt)
{
    return mt < MM_MIGRATE_PCPTYPES;
}

/**
 * mm__free_one_page() - give a block back, merging with free buddies
 * @sim: the simulator
 * @zone: the zone holding the block
 * @pages: first PFN (aligned to 2^order), order, and the migratetype list it
 *         goes to (its pageblock's type)
 * @to_tail: FPI_TO_TAIL (boot memory)
 *
 * Kernel: mm/page_alloc.c __free_one_page().
 * Return: 0; MM_EEXIST if a free block starts at the same PFN; MM_ENOMEM.
 */
int mm__free_one_page(struct mm_sim *sim, struct mm_zone *zone,
                      const struct mm_pages *pages, bool to_tail)
{
    uint64_t buddy_pfn = 0, pfn = pages->pfn;
    unsigned order = pages->order;
    enum mm_migratetype mt = pages->mt;
    if (mm__free_block_at(zone, pfn))
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
        mm__del_from_free_list(sim, zone, buddy);
        if (order >= MM_PAGEBLOCK_ORDER && retype_buddy(sim) &&
            mm__pageblock_mt(zone, buddy_pfn) != mt)
            change_pageblock_range(sim, zone, buddy_pfn, order, mt);
        pfn &= buddy_pfn;
        order++;
    }
    if (!to_tail)
        to_tail = buddy_merge_likely(zone, pfn, buddy_pfn, order);
    struct mm_pages merged = {pfn, order, mt};
    return add_to_free_list(sim, zone, &merged, to_tail);
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
        struct mm_pages p = {start, order, mm__pageblock_mt(zone, start)};
        int err = mm__free_one_page(sim, zone, &p, true);
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
