/*
 * Call stacks of allocator calls: walk (pre_stack_walk.c), intern, and send
 * each distinct stack to the ring once per process.
 *
 * Stacks are raw instruction pointers starting at the interposer's caller:
 * symbolisation happens offline with the module map, never here. The walk
 * is the shim's own rule-cached one; a stack it cannot follow (a signal
 * frame, a thread on a stack of its own making) is taken with libunwind's
 * unw_backtrace, and the interposer's frames are dropped by finding its
 * return address among the first frames.
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
 * MMSIM_STACK_CHECK=1 in the environment: every walk is compared with
 * unw_backtrace, differences are reported on stderr, and each process
 * prints its figures when it exits (for tests and measurements only).
 *
 * Fork: the child drops the table (pre_stack_fork_child) and starts a new id
 * space; the parent's table pages stay unused in the child.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pre_internal.h"

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

/* The calling thread's stack bounds; lo == 1: unknown, do not walk. */
struct stack_bounds {
    uintptr_t lo, hi;
};

static PRE_TLS struct tcache_ent tcache[TCACHE_SIZE];
static PRE_TLS struct stack_bounds bounds;
static _Atomic(struct table_ent *) table;
static _Atomic uint32_t next_id;

static int stack_check;
static _Atomic uint64_t walked, fell_back, check_mismatches;

static void say(const char *msg)
{
    syscall(SYS_write, 2, msg, strlen(msg));
}

static void report_checks(void)
{
    char line[160];

    snprintf(line, sizeof(line),
             "mmsim-preload: pid %u: stacks walked %llu, by unw_backtrace "
             "%llu, walks differing from unw_backtrace %llu\n", pre_pid,
             (unsigned long long)atomic_load(&walked),
             (unsigned long long)atomic_load(&fell_back),
             (unsigned long long)atomic_load(&check_mismatches));
    say(line);
}


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

/* The thread's stack, found once per thread (pthread_getattr_np reads
 * /proc/self/maps for the main thread; its allocations pass through). */
static const struct stack_bounds *thread_bounds(void)
{
    uint32_t guard = pre_self.guard;
    pthread_attr_t attr;
    void *addr;
    size_t size;

    if (bounds.hi != 0 || bounds.lo == 1)
        return &bounds;
    bounds.lo = 1;
    pre_self.guard = 1; /* the shim's own allocations, not a lost event */
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            bounds.lo = (uintptr_t)addr;
            bounds.hi = (uintptr_t)addr + size;
        }
        pthread_attr_destroy(&attr);
    }
    pre_self.guard = guard;
    return &bounds;
}

/**
 * pre_stack_init() - per-image set-up of stack capture (from pre_init()).
 *
 * Finds the initialising thread's stack now, at start-up, rather than at
 * its first recorded allocation (which could be in a signal handler).
 */
void pre_stack_init(void)
{
    const char *check = getenv("MMSIM_STACK_CHECK");

    stack_check = check != NULL && strcmp(check, "1") == 0;
    if (stack_check)
        atexit(report_checks);
    thread_bounds();
}

/* unw_backtrace from the interposer's caller (its return address @ra). */
static int backtrace_from(void **ips, uintptr_t ra)
{
    void *all[PRE_WALK_DEPTH + SKIP_MAX];
    int n = unw_backtrace(all, PRE_WALK_DEPTH + SKIP_MAX);
    int skip = 0;

    while (skip < n && skip < SKIP_MAX && all[skip] != (void *)ra)
        skip++;
    if (skip == n || skip == SKIP_MAX)
        skip = 0;
    n -= skip;
    if (n > PRE_WALK_DEPTH)
        n = PRE_WALK_DEPTH;
    memcpy(ips, all + skip, (size_t)n * sizeof(*ips));
    return n;
}

/* MMSIM_STACK_CHECK: compare a walk with unw_backtrace's stack. */
static void check_walk(const struct pre_walk *w)
{
    void *ips[PRE_WALK_DEPTH];
    int n = backtrace_from(ips, w->ra);

    atomic_fetch_add_explicit(&walked, 1, memory_order_relaxed);
    if (n == w->n && memcmp(ips, w->ips, (size_t)n * sizeof(*ips)) == 0)
        return;
    if (atomic_fetch_add_explicit(&check_mismatches, 1,
                                  memory_order_relaxed) < 10)
        say("mmsim-preload: MMSIM_STACK_CHECK: a walked stack differs "
            "from unw_backtrace's\n");
}

/**
 * pre_stack_id() - the interned id of the current call stack.
 * @frame: the interposer's frame address (__builtin_frame_address(0) in a
 *         function with a frame pointer: the caller's rbp is saved there,
 *         the return address above it).
 *
 * Return: the stack id (>= 1) for this process, whose definition is in the
 * ring before this returns; 0 if the definition could not be put.
 */
uint32_t pre_stack_id(const void *frame)
{
    const uintptr_t *fp = frame;
    const struct stack_bounds *b = thread_bounds();
    uint32_t gen = atomic_load_explicit(&pre_gen, memory_order_relaxed);
    struct pre_walk w = {.cfa = (uintptr_t)frame + 16, .ra = fp[1],
                         .rbp = fp[0], .lo = b->lo, .hi = b->hi};
    struct tcache_ent *c;
    uint64_t hash;
    uint32_t id;

    if (pre_stack_walk(&w) != 0) {
        w.n = backtrace_from(w.ips, w.ra);
        if (stack_check)
            atomic_fetch_add_explicit(&fell_back, 1, memory_order_relaxed);
    } else if (stack_check) {
        check_walk(&w);
    }
    hash = hash_ips(w.ips, w.n);
    c = &tcache[hash & (TCACHE_SIZE - 1)];
    if (c->hash == hash && c->gen == gen)
        return c->id;
    id = intern(hash, w.ips, w.n);
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
    atomic_store(&walked, 0);
    atomic_store(&fell_back, 0);
    atomic_store(&check_mismatches, 0);
    atomic_store(&table, NULL);
    atomic_store(&next_id, 0);
}
