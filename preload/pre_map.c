/*
 * The shim's insert-only hash maps (u64 key -> u64 value), shared by the
 * unwind rule table (pre_stack_walk.c) and the stack interning table
 * (pre_stack.c).
 *
 * Lock-free and async-signal-safe: a key is claimed with a CAS on an empty
 * slot, and its value is published afterwards (0 until then: "claimed, not
 * yet published", which each caller treats in its own way). Keys are never
 * removed, so a lookup that meets an empty slot knows the key is absent.
 *
 * Two tiers, for the page faults: a table spread over 1 MiB touches a new
 * page with almost every key, and every process (every fork child too,
 * copy-on-write) pays a fault for each. Keys go to a small near tier
 * (PRE_MAP_NEAR_BITS: 16 KiB) and only when a key's neighbourhood there is
 * full to the far tier, mapped then. A key is in the far tier only if its
 * near neighbourhood is full, so a lookup goes there only in that case.
 * A near neighbourhood is one cache line (PRE_MAP_NEAR_PROBES slots), so a
 * lookup of a far key reads one line there first: with a neighbourhood of
 * 32 slots, 8 lines, cc1 spent as much time in lookups as in its own code.
 */
#include "pre_internal.h"

#define PRE_MAP_NEAR_BITS 10
#define PRE_MAP_NEAR_PROBES 4 /* one 64-byte line */
#define PRE_MAP_FAR_PROBES 32
#define PRE_MAP_ALIGN 64

struct pre_map_ent {
    _Atomic uint64_t key; /* 0: empty */
    _Atomic uint64_t val; /* 0: claimed, not yet published */
};

static unsigned tier_bits(const struct pre_map *m, int tier)
{
    return tier == 0 ? PRE_MAP_NEAR_BITS : m->far_bits;
}

/* The tier's table, mapped on first use; NULL if it could not be. */
static struct pre_map_ent *tier_table(struct pre_map *m, int tier)
{
    struct pre_map_ent *t = atomic_load_explicit(&m->tier[tier],
                                                 memory_order_acquire);
    struct pre_map_ent *none = NULL;

    uintptr_t at;

    if (t != NULL)
        return t;
    at = (uintptr_t)pre_arena_alloc((sizeof(*t) << tier_bits(m, tier)) +
                                    PRE_MAP_ALIGN);
    if (at == 0)
        return NULL;
    t = (struct pre_map_ent *)((at + PRE_MAP_ALIGN - 1) &
                               ~(uintptr_t)(PRE_MAP_ALIGN - 1));
    if (!atomic_compare_exchange_strong(&m->tier[tier], &none, t))
        t = none; /* a loser's table stays unused (arena memory) */
    return t;
}

/* The @i-th slot of @key's neighbourhood, which starts at the beginning of
 * a cache line. */
static struct pre_map_ent *slot(struct pre_map_ent *t, unsigned bits,
                                uint64_t key, uint64_t i)
{
    uint64_t h = (key * 0x9e3779b97f4a7c15ull) >> (64 - bits);

    return &t[((h & ~(uint64_t)(PRE_MAP_NEAR_PROBES - 1)) + i) &
              ((1ull << bits) - 1)];
}

/*
 * Look for @key in one tier, claiming an empty slot for it if @claim.
 * Return: its entry (*@claimed set if this call claimed it), or NULL with
 * *@full set if the neighbourhood has no room for it (and no copy of it).
 */
static struct pre_map_ent *tier_find(struct pre_map *m, int tier,
                                     uint64_t key, int claim, int *claimed,
                                     int *full)
{
    struct pre_map_ent *t = tier_table(m, tier);
    unsigned bits = tier_bits(m, tier);
    uint64_t probes = tier == 0 ? PRE_MAP_NEAR_PROBES : PRE_MAP_FAR_PROBES;

    *full = 0;
    if (t == NULL)
        return NULL;
    for (uint64_t i = 0; i < probes; i++) {
        struct pre_map_ent *e = slot(t, bits, key, i);
        uint64_t k = atomic_load_explicit(&e->key, memory_order_acquire);

        if (k == 0 && !claim)
            return NULL;
        if (k == 0 && atomic_compare_exchange_strong(&e->key, &k, key)) {
            *claimed = 1;
            return e;
        }
        if (k == key)
            return e;
    }
    *full = 1;
    return NULL;
}

static struct pre_map_ent *find(struct pre_map *m, uint64_t key, int claim,
                                int *claimed)
{
    struct pre_map_ent *e;
    int full;

    *claimed = 0;
    e = tier_find(m, 0, key, claim, claimed, &full);
    if (e == NULL && full)
        e = tier_find(m, 1, key, claim, claimed, &full);
    return e;
}

/**
 * pre_map_get() - the value of @key.
 * @m: the map.
 * @key: the key (not 0).
 *
 * Return: its value; 0 if absent or claimed but not yet published.
 */
uint64_t pre_map_get(struct pre_map *m, uint64_t key)
{
    int claimed;
    struct pre_map_ent *e = find(m, key, 0, &claimed);

    return e ? atomic_load_explicit(&e->val, memory_order_acquire) : 0;
}

/**
 * pre_map_claim() - find @key, or claim a slot for it.
 * @m: the map.
 * @key: the key (not 0).
 * @claimed: set to 1 if this call claimed the slot: the caller then
 *           publishes the value with pre_map_publish().
 *
 * Return: the key's slot, or NULL if there is no room for it.
 */
struct pre_map_ent *pre_map_claim(struct pre_map *m, uint64_t key,
                                  int *claimed)
{
    return find(m, key, 1, claimed);
}

/** pre_map_value() - a slot's value (0: not published). @e: the slot. */
uint64_t pre_map_value(struct pre_map_ent *e)
{
    return atomic_load_explicit(&e->val, memory_order_acquire);
}

/** pre_map_publish() - publish a claimed slot's value. @e: it. @val: not 0. */
void pre_map_publish(struct pre_map_ent *e, uint64_t val)
{
    atomic_store_explicit(&e->val, val, memory_order_release);
}

/**
 * pre_map_forget() - start empty (a fork child dropping its parent's keys).
 * @m: the map. The old tables stay mapped, unused.
 */
void pre_map_forget(struct pre_map *m)
{
    atomic_store(&m->tier[0], NULL);
    atomic_store(&m->tier[1], NULL);
}
