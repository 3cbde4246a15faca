/*
 * Call stacks of allocator calls: walk (pre_stack_walk.c), intern, and send
 * each distinct stack to the ring once per process.
 *
 * Stacks are raw instruction pointers starting at the interposer's caller:
 * symbolisation happens offline with the module map, never here. The walk
 * is the shim's own rule-cached one; a stack it cannot follow (a signal
 * frame, a thread on a stack of its own making) is taken with libunwind's
 * unw_backtrace, and the interposer's frames are dropped by finding its
 * return address among the first frames. libunwind is loaded lazily
 * (pre_unwind.c); until it is, such a stack is kept as far as the walk
 * went: its outermost frame is the one the walk could not step past.
 *
 * Reuse: each thread keeps a direct-mapped cache of walks keyed by the
 * caller's frame (CFA, return address, and rbp if the walk used it). A walk
 * is a function of that key and of the stack words it read
 * (pre_stack_walk.c), so while those words hold the same values the stack
 * and its id are the same: a hot allocation site then costs one compare per
 * word instead of a walk and a hash. The caches are arena memory, one per
 * thread, and go to a free list when their thread exits (a pthread key's
 * destructor), so a program that starts many threads reuses them.
 *
 * Interning, cheapest first:
 *   1. a per-thread direct-mapped cache (hash of the IP array -> id), in TLS,
 *      tagged with the process generation so a fork child does not reuse
 *      its parent's ids;
 *   2. a per-process map (pre_map.c) from the hash to the id, claimed with a
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
 * MMSIM_STACK_CHECK=1 in the environment: libunwind is loaded at start-up,
 * every walk is compared with unw_backtrace and every reuse with a fresh
 * walk, differences are reported on stderr, and each process prints its
 * figures when it exits (for tests and measurements only).
 * MMSIM_STACK_STATS=1: only the figures, libunwind loaded as usual.
 *
 * Fork: the child drops the table (pre_stack_fork_child) and starts a new id
 * space; the parent's table pages stay unused in the child. So do its walk
 * caches (none of their entries is valid in the child): writing fresh
 * pages costs a zero-fill fault, writing the parent's a copy-on-write
 * fault, which also flushes the TLB.
 */
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
#define WCACHE_SIZE 32

struct tcache_ent {
    uint64_t hash;
    uint32_t id;
    uint32_t gen;
};

struct wcache_ent {
    uintptr_t cfa, ra, rbp; /* the caller's frame */
    uint32_t gen;
    uint32_t id; /* 0: empty */
    int rbp_used;
    int nchecks;
    uint64_t hash; /* of the instruction pointers */
    struct pre_walk_check check[PRE_WALK_CHECKS];
};

/* One thread's walk cache, and the scratch its walks record into. */
struct wcache {
    struct wcache *next_free;
    struct pre_walk_check scratch[PRE_WALK_CHECKS];
    struct wcache_ent ent[WCACHE_SIZE];
};

/* The calling thread's stack bounds; lo == 1: unknown, do not walk. */
struct stack_bounds {
    uintptr_t lo, hi;
};

static PRE_TLS struct tcache_ent tcache[TCACHE_SIZE];
static PRE_TLS struct stack_bounds bounds;
static PRE_TLS struct wcache *wcache;
static struct pre_map table = {.far_bits = 16}; /* hash -> id */
static _Atomic uint32_t next_id;

static pthread_key_t cache_key;
static int have_key;
static atomic_flag free_lock = ATOMIC_FLAG_INIT;
static struct wcache *free_caches;

static int stack_check, stack_stats;
static _Atomic uint64_t walked, reused, fell_back, cut_short, check_mismatches;

static void count(_Atomic uint64_t *n)
{
    if (stack_stats)
        atomic_fetch_add_explicit(n, 1, memory_order_relaxed);
}

static void say(const char *msg)
{
    syscall(SYS_write, 2, msg, strlen(msg));
}

static void report_checks(void)
{
    char line[160];

    snprintf(line, sizeof(line),
             "mmsim-preload: pid %u: stacks walked %llu, reused %llu, by "
             "unw_backtrace %llu, cut short %llu, differing %llu\n", pre_pid,
             (unsigned long long)atomic_load(&walked),
             (unsigned long long)atomic_load(&reused),
             (unsigned long long)atomic_load(&fell_back),
             (unsigned long long)atomic_load(&cut_short),
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

static uint32_t intern(uint64_t hash, void *const *ips, int n)
{
    int claimed;
    struct pre_map_ent *e = pre_map_claim(&table, hash, &claimed);
    uint32_t id;

    if (e == NULL)
        return define_new(ips, n);
    if (claimed) {
        id = define_new(ips, n);
        if (id != 0)
            pre_map_publish(e, id);
        return id;
    }
    id = (uint32_t)pre_map_value(e);
    return id != 0 ? id : define_new(ips, n);
}

/* Free-list operations never wait: a busy list is treated as empty (pop)
 * or the cache is left unused (push). */
static struct wcache *pop_free_cache(void)
{
    struct wcache *c;

    if (atomic_flag_test_and_set_explicit(&free_lock, memory_order_acquire))
        return NULL;
    c = free_caches;
    if (c != NULL)
        free_caches = c->next_free;
    atomic_flag_clear_explicit(&free_lock, memory_order_release);
    if (c != NULL)
        for (int i = 0; i < WCACHE_SIZE; i++)
            c->ent[i].id = 0;
    return c;
}

/* The pthread key's destructor: the exiting thread's cache is free. */
static void push_free_cache(void *arg)
{
    struct wcache *c = arg;

    wcache = NULL;
    if (atomic_flag_test_and_set_explicit(&free_lock, memory_order_acquire))
        return;
    c->next_free = free_caches;
    free_caches = c;
    atomic_flag_clear_explicit(&free_lock, memory_order_release);
}

/* The calling thread's walk cache; NULL if none could be had. */
static struct wcache *thread_cache(void)
{
    struct wcache *c = wcache;
    uint32_t guard;

    if (c != NULL || !have_key)
        return c;
    c = pop_free_cache();
    if (c == NULL)
        c = pre_arena_alloc(sizeof(*c));
    if (c == NULL)
        return NULL;
    wcache = c;
    guard = pre_self.guard;
    pre_self.guard = 1; /* the shim's own allocations, not a lost event */
    pthread_setspecific(cache_key, c);
    pre_self.guard = guard;
    return c;
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

static int env_on(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && strcmp(v, "1") == 0;
}

/**
 * pre_stack_init() - per-image set-up of stack capture (from pre_init()).
 *
 * Finds the initialising thread's stack now, at start-up, rather than at
 * its first recorded allocation (which could be in a signal handler).
 */
void pre_stack_init(void)
{
    stack_check = env_on("MMSIM_STACK_CHECK");
    stack_stats = stack_check || env_on("MMSIM_STACK_STATS");
    if (stack_stats)
        atexit(report_checks);
    if (stack_check) {
        pre_unwind_load();
        if (!pre_unwind_loaded())
            say("mmsim-preload: MMSIM_STACK_CHECK: libunwind not loaded\n");
    }
    have_key = pthread_key_create(&cache_key, push_free_cache) == 0;
    thread_bounds();
}

/* unw_backtrace from the interposer's caller (its return address @ra);
 * -1 if libunwind is not loaded. */
static int backtrace_from(void **ips, uintptr_t ra)
{
    void *all[PRE_WALK_DEPTH + SKIP_MAX];
    int n = pre_unwind_backtrace(all, PRE_WALK_DEPTH + SKIP_MAX);
    int skip = 0;

    if (n < 0)
        return -1;
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

static void mismatch(const char *what)
{
    char line[128];

    if (atomic_fetch_add_explicit(&check_mismatches, 1,
                                  memory_order_relaxed) >= 10)
        return;
    snprintf(line, sizeof(line), "mmsim-preload: MMSIM_STACK_CHECK: %s\n",
             what);
    say(line);
}

/* MMSIM_STACK_CHECK: compare a walk with unw_backtrace's stack. */
static void check_walk(const struct pre_walk *w)
{
    void *ips[PRE_WALK_DEPTH];
    int n = backtrace_from(ips, w->ra);

    if (n < 0)
        return; /* an allocation before the constructor loaded libunwind */
    if (n != w->n || memcmp(ips, w->ips, (size_t)n * sizeof(*ips)) != 0)
        mismatch("a walked stack differs from unw_backtrace's");
}

/* Load libunwind now if it is wanted and this call, whose stack @w was
 * walked to its end, is a safe moment (pre_unwind_safe). */
static void maybe_load_unwind(const struct pre_walk *w)
{
    if (pre_unwind_wanted() && w->n < PRE_WALK_DEPTH &&
        pre_unwind_safe(w->ips, w->n))
        pre_unwind_load();
}

/* Walk (or backtrace) @w's stack: sets w->n and w->ips; 0 if walked. A
 * stack neither can take is kept as far as the walk went. */
static int take_stack(struct pre_walk *w)
{
    int n;

    if (pre_stack_walk(w) == 0) {
        count(&walked);
        if (stack_check)
            check_walk(w);
        maybe_load_unwind(w);
        return 0;
    }
    n = backtrace_from(w->ips, w->ra);
    if (n >= 0) {
        w->n = n;
        count(&fell_back);
    } else {
        pre_unwind_want();
        count(&cut_short);
    }
    return -1;
}

/* The interned id of @w's stack; @hash gets the hash of its IPs. */
static uint32_t stack_id(const struct pre_walk *w, uint64_t *hash)
{
    uint32_t gen = atomic_load_explicit(&pre_gen, memory_order_relaxed);
    struct tcache_ent *c;
    uint32_t id;

    *hash = hash_ips(w->ips, w->n);
    c = &tcache[*hash & (TCACHE_SIZE - 1)];
    if (c->hash == *hash && c->gen == gen)
        return c->id;
    id = intern(*hash, w->ips, w->n);
    if (id != 0) { /* 0: definition lost, do not cache */
        c->id = id;
        c->hash = *hash;
        c->gen = gen;
    }
    return id;
}

static struct wcache_ent *cache_slot(struct wcache *c,
                                     const struct pre_walk *w)
{
    uint64_t h = (w->cfa ^ (w->ra * 0x9e3779b97f4a7c15ull)) >> 4;

    return &c->ent[(h ^ (h >> 17)) & (WCACHE_SIZE - 1)];
}

static int reusable(const struct wcache_ent *e, const struct pre_walk *w,
                    uint32_t gen)
{
    if (e->id == 0 || e->gen != gen || e->cfa != w->cfa || e->ra != w->ra ||
        (e->rbp_used && e->rbp != w->rbp))
        return 0;
    for (int i = 0; i < e->nchecks; i++)
        if (*(const volatile uintptr_t *)e->check[i].addr != e->check[i].val)
            return 0;
    return 1;
}

static void cache_fill(struct wcache_ent *e, const struct pre_walk *w,
                       uint32_t id, uint64_t hash, uint32_t gen)
{
    e->cfa = w->cfa;
    e->ra = w->ra;
    e->rbp = w->rbp;
    e->rbp_used = w->rbp_used;
    e->gen = gen;
    e->id = id;
    e->hash = hash;
    e->nchecks = w->nchecks;
    memcpy(e->check, w->check, (size_t)w->nchecks * sizeof(w->check[0]));
}

/* MMSIM_STACK_CHECK: compare a reused stack with a fresh walk. */
static void check_reuse(struct pre_walk *w, const struct wcache_ent *e)
{
    uint64_t hash;

    w->check = NULL;
    take_stack(w);
    stack_id(w, &hash);
    if (hash != e->hash)
        mismatch("a reused stack differs from a fresh walk");
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
    struct wcache *c = thread_cache();
    uint32_t gen = atomic_load_explicit(&pre_gen, memory_order_relaxed);
    struct pre_walk w = {.cfa = (uintptr_t)frame + 16, .ra = fp[1],
                         .rbp = fp[0], .lo = b->lo, .hi = b->hi,
                         .check = c ? c->scratch : NULL};
    struct wcache_ent *e = c ? cache_slot(c, &w) : NULL;
    uint64_t hash;
    uint32_t id;

    if (e != NULL && reusable(e, &w, gen)) {
        count(&reused);
        if (stack_check)
            check_reuse(&w, e);
        return e->id;
    }
    if (take_stack(&w) != 0)
        w.check = NULL; /* not a walk: nothing to reuse */
    id = stack_id(&w, &hash);
    if (e != NULL && w.check != NULL && w.nchecks >= 0 && id != 0)
        cache_fill(e, &w, id, hash, gen);
    return id;
}

/**
 * pre_stack_fork_child() - start a fresh stack id space in a fork child.
 *
 * Runs in the child right after fork (single-threaded there).
 */
void pre_stack_fork_child(void)
{
    atomic_flag_clear(&free_lock);
    free_caches = NULL;
    wcache = NULL;
    atomic_store(&walked, 0);
    atomic_store(&reused, 0);
    atomic_store(&fell_back, 0);
    atomic_store(&cut_short, 0);
    atomic_store(&check_mismatches, 0);
    pre_map_forget(&table);
    atomic_store(&next_id, 0);
}
