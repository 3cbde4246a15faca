/*
 * Call stacks of allocator calls: capture with libunwind's unw_backtrace,
 * intern, and send each distinct stack to the ring once per process.
 *
 * Called by the interposers (pre_alloc.c) with the interposer's return
 * address; frames inside the shim are dropped by finding that address in
 * the captured array. Stacks are raw instruction pointers: symbolisation
 * happens offline with the module map, never here.
 *
 * Interning, cheapest first:
 *   1. a per-thread direct-mapped cache (hash of the IP array -> id), in TLS,
 *      tagged with the process generation so a fork child does not reuse
 *      its parent's ids;
 *   2. a per-process open-addressing table in arena memory, claimed with a
 *      CAS on the hash; the claimer assigns the id, puts the definition
 *      (struct tr_ring_stack records) into the ring, and only then publishes
 *      the id, so no other thread can use an id before its definition;
 *      a thread that finds an entry claimed but unpublished defines its own
 *      duplicate id instead of waiting (never block: signal handlers);
 *   3. if the table is full, a fresh id is defined for every such capture.
 * Two different stacks with the same 64-bit hash share an id (probability
 * negligible; accepted to keep the per-thread cache to one compare).
 * If a definition cannot be put (ring full), its id is never used: the event
 * gets stack 0 (unknown; the loss is reported as TR_EV_LOST, reason
 * TR_LOST_STACK), the table
 * entry stays unpublished and later captures define the stack afresh.
 *
 * Fork: the child drops the table (pre_stack_fork_child) and starts a new id
 * space; the parent's table pages stay unused in the child.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdatomic.h>

#include "pre_internal.h"

#define MAX_DEPTH 64
#define SKIP_MAX 8
#define TCACHE_SIZE 256
#define TABLE_BITS 16
#define TABLE_PROBES 64

struct tcache_ent {
    uint64_t hash;
    uint32_t id;
    uint32_t gen;
};

struct table_ent {
    _Atomic uint64_t hash; /* 0: empty */
    _Atomic uint32_t id;   /* 0: claimed, definition not yet published */
    uint32_t pad;
};

static PRE_TLS struct tcache_ent tcache[TCACHE_SIZE];
static _Atomic(struct table_ent *) table;
static _Atomic uint32_t next_id;

static uint64_t hash_ips(void *const *ips, int n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;

    for (int i = 0; i < n; i++) {
        h ^= (uint64_t)(uintptr_t)ips[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h | 1; /* never 0, the empty marker */
}

/* Put the definition of @id; returns 0 if every record went in. */
static int define(uint32_t id, void *const *ips, int n)
{
    struct tr_ring_stack rec = {.id = id, .depth = (uint16_t)n};
    int err = 0;

    for (int first = 0; first < n || first == 0; first += TR_RING_STACK_IPS) {
        int k = n - first < TR_RING_STACK_IPS ? n - first : TR_RING_STACK_IPS;

        rec.first = (uint16_t)first;
        rec.n = (uint16_t)k;
        for (int i = 0; i < TR_RING_STACK_IPS; i++)
            rec.ip[i] = i < k ? (uint64_t)(uintptr_t)ips[first + i] : 0;
        err |= pre_put_stack(&rec);
        if (n == 0)
            break;
    }
    return err;
}

static uint32_t define_new(void *const *ips, int n)
{
    uint32_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed) + 1;

    return define(id, ips, n) == 0 ? id : 0;
}

static struct table_ent *get_table(void)
{
    struct table_ent *t = atomic_load_explicit(&table, memory_order_acquire);
    struct table_ent *none = NULL;

    if (t != NULL)
        return t;
    t = pre_arena_alloc(sizeof(struct table_ent) << TABLE_BITS);
    if (t == NULL)
        return NULL;
    /* A loser's table is left unused (arena memory is never freed). */
    if (!atomic_compare_exchange_strong(&table, &none, t))
        t = none;
    return t;
}

static uint32_t intern(uint64_t hash, void *const *ips, int n)
{
    struct table_ent *t = get_table();
    uint64_t mask = (1u << TABLE_BITS) - 1;

    if (t == NULL)
        return define_new(ips, n);
    for (uint64_t i = 0; i < TABLE_PROBES; i++) {
        struct table_ent *e = &t[(hash + i) & mask];
        uint64_t h = atomic_load_explicit(&e->hash, memory_order_acquire);

        if (h == 0 && atomic_compare_exchange_strong(&e->hash, &h, hash)) {
            uint32_t id = define_new(ips, n);

            if (id != 0)
                atomic_store_explicit(&e->id, id, memory_order_release);
            return id;
        }
        if (h == hash) {
            uint32_t id = atomic_load_explicit(&e->id, memory_order_acquire);

            return id != 0 ? id : define_new(ips, n);
        }
    }
    return define_new(ips, n);
}

/**
 * pre_stack_id() - the interned id of the current call stack.
 * @caller: the return address of the interposer (first frame kept).
 *
 * Return: the stack id (>= 1) for this process, whose definition is in the
 * ring before this returns; 0 if the definition could not be put.
 */
uint32_t pre_stack_id(void *caller)
{
    void *ips[MAX_DEPTH + SKIP_MAX];
    int n = unw_backtrace(ips, MAX_DEPTH + SKIP_MAX);
    int skip = 0;
    uint32_t gen = atomic_load_explicit(&pre_gen, memory_order_relaxed);
    uint64_t hash;
    struct tcache_ent *c;
    uint32_t id;

    while (skip < n && skip < SKIP_MAX && ips[skip] != caller)
        skip++;
    if (skip == n || skip == SKIP_MAX)
        skip = 0;
    n -= skip;
    if (n > MAX_DEPTH)
        n = MAX_DEPTH;
    hash = hash_ips(ips + skip, n);
    c = &tcache[hash & (TCACHE_SIZE - 1)];
    if (c->hash == hash && c->gen == gen)
        return c->id;
    id = intern(hash, ips + skip, n);
    if (id != 0) { /* 0: definition lost, do not cache */
        c->id = id;
        c->hash = hash;
        c->gen = gen;
    }
    return id;
}

/**
 * pre_stack_fork_child() - start a fresh stack id space in a fork child.
 *
 * Runs in the child right after fork (single-threaded there).
 */
void pre_stack_fork_child(void)
{
    atomic_store(&table, NULL);
    atomic_store(&next_id, 0);
}
