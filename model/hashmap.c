/*
 * hashmap.c - an open-addressing map from uint64_t keys to uint64_t values.
 *
 * Used where the kernel indexes by number: page tables (virtual page ->
 * PTE), per-frame state (PFN -> descriptor), the page cache (file, index).
 * Linear probing with backward-shift deletion (no tombstones), power-of-two
 * capacity, load factor at most 3/4. Key UINT64_MAX is reserved as "empty".
 * Memory is O(entries): nothing is preallocated for the simulated RAM size.
 */
#include <stdlib.h>

#include "internal.h"

#define HMAP_EMPTY UINT64_MAX
#define HMAP_MIN_CAP 16u

static uint64_t hash64(uint64_t key)
{
    /* splitmix64 finaliser: good spread for sequential page numbers. */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ull;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebull;
    key ^= key >> 31;
    return key;
}

static size_t slot_of(const struct mm_hmap *map, uint64_t key)
{
    return (size_t)hash64(key) & (map->cap - 1);
}

static int rehash(struct mm_hmap *map, size_t cap)
{
    struct mm_hmap_slot *old = map->slots;
    size_t old_cap = map->cap;
    struct mm_hmap_slot *slots = malloc(cap * sizeof(*slots));
    if (!slots)
        return MM_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].key = HMAP_EMPTY;
    map->slots = slots;
    map->cap = cap;
    map->count = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key != HMAP_EMPTY)
            mm__hmap_put(map, old[i].key, old[i].value);
    free(old);
    return 0;
}

/**
 * mm__hmap_destroy() - free a map's storage; it is empty and reusable after.
 */
void mm__hmap_destroy(struct mm_hmap *map)
{
    free(map->slots);
    map->slots = NULL;
    map->cap = map->count = 0;
}

static struct mm_hmap_slot *lookup(const struct mm_hmap *map, uint64_t key)
{
    if (!map->cap)
        return NULL;
    for (size_t i = slot_of(map, key);; i = (i + 1) & (map->cap - 1)) {
        if (map->slots[i].key == key)
            return &map->slots[i];
        if (map->slots[i].key == HMAP_EMPTY)
            return NULL;
    }
}

/**
 * mm__hmap_get() - look up @key
 * @map: the map
 * @key: any value but UINT64_MAX
 * @value: where to store the value if found (may be NULL)
 *
 * Return: true if @key is present.
 */
bool mm__hmap_get(const struct mm_hmap *map, uint64_t key, uint64_t *value)
{
    const struct mm_hmap_slot *slot = lookup(map, key);
    if (slot && value)
        *value = slot->value;
    return slot != NULL;
}

/**
 * mm__hmap_put() - insert or overwrite @key
 * @map: the map
 * @key: any value but UINT64_MAX
 * @value: the value
 *
 * Return: 0, or MM_ENOMEM when growing the table failed (map unchanged).
 */
/**
 * mm__hmap_ref() - the stored value of @key, to read or update in place
 * @map: the map
 * @key: the key
 *
 * The pointer is valid until the next put or del on @map.
 * Return: a pointer to the value, or NULL when @key is absent.
 */
uint64_t *mm__hmap_ref(const struct mm_hmap *map, uint64_t key)
{
    struct mm_hmap_slot *slot = lookup(map, key);
    return slot ? &slot->value : NULL;
}

/**
 * mm__hmap_prefetch() - start loading the slot where @key would be
 * @map: the map
 * @key: the key
 *
 * A hint only: callers about to look up many scattered keys issue these
 * first so that the memory loads overlap.
 */
void mm__hmap_prefetch(const struct mm_hmap *map, uint64_t key)
{
    if (map->cap)
        __builtin_prefetch(&map->slots[slot_of(map, key)]);
}

int mm__hmap_put(struct mm_hmap *map, uint64_t key, uint64_t value)
{
    if ((map->count + 1) * 4 > map->cap * 3) {
        int err = rehash(map, map->cap ? map->cap * 2 : HMAP_MIN_CAP);
        if (err)
            return err;
    }
    size_t i = slot_of(map, key);
    while (map->slots[i].key != HMAP_EMPTY && map->slots[i].key != key)
        i = (i + 1) & (map->cap - 1);
    if (map->slots[i].key == HMAP_EMPTY)
        map->count++;
    map->slots[i].key = key;
    map->slots[i].value = value;
    return 0;
}

/**
 * mm__hmap_del() - remove @key
 * Return: true if it was present.
 */
bool mm__hmap_del(struct mm_hmap *map, uint64_t key)
{
    struct mm_hmap_slot *slot = lookup(map, key);
    if (!slot)
        return false;
    size_t mask = map->cap - 1, hole = (size_t)(slot - map->slots);
    /* Backward shift: pull later members of the probe run into the hole. */
    for (size_t i = (hole + 1) & mask; map->slots[i].key != HMAP_EMPTY;
         i = (i + 1) & mask) {
        size_t home = slot_of(map, map->slots[i].key);
        bool movable = hole <= i ? (home <= hole || home > i)
                                 : (home <= hole && home > i);
        if (movable) {
            map->slots[hole] = map->slots[i];
            hole = i;
        }
    }
    map->slots[hole].key = HMAP_EMPTY;
    map->count--;
    return true;
}

/**
 * mm__hmap_next() - iterate: the first occupied slot at or after *@pos
 * @map: the map (must not be modified during iteration)
 * @pos: cursor, start at 0; advanced past the returned slot
 *
 * Return: the slot, or NULL at the end. Order is the table's, which is
 * deterministic for a given sequence of operations.
 */
const struct mm_hmap_slot *mm__hmap_next(const struct mm_hmap *map, size_t *pos)
{
    for (; *pos < map->cap; (*pos)++)
        if (map->slots[*pos].key != HMAP_EMPTY)
            return &map->slots[(*pos)++];
    return NULL;
}
