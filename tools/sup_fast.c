/*
 * sup_fast.c - the supervisor's side of the in-process fast path: the ring
 * the shim (preload/) logs into, and the per-address-space lock that orders
 * the shim's untraced memory syscalls with the traced ones (mmsim/ring.h,
 * CAPTURE-NOTES §3 and §8).
 *
 * The ring is drained at every ptrace stop and on the loop's periodic
 * wake-up. Kernel-level records (TR_F_FAST_PATH) go through sup_emit(), so
 * the verifier applies them like traced ones; allocator records go to the
 * sink with their stacks interned. A traced memory syscall holds its address
 * space's lock from its seccomp stop to its exit stop; the ring is drained
 * before its event is emitted, so every fast-path call the kernel ran before
 * it is emitted before it, and every later one after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/ring.h"
#include "sup.h"

#define SUP_FAST_STACK_MAX 256
#define SUP_FAST_PARTIALS 64
#define SUP_FAST_MAP_BITS 16

/* A stack being assembled from several ring records. */
struct sup_fast_partial {
    uint32_t pid, id, depth, have;
    uint64_t ip[SUP_FAST_STACK_MAX];
};

/* (pid, shim stack id) -> trace stack id; open addressing, 0 = empty. */
struct sup_fast_map {
    uint64_t *key;
    uint32_t *val;
    size_t cap, nr;
};

struct sup_fast {
    struct tr_ring_hdr *h;
    int fd;
    uint64_t pending_pos;    /* tail position found pending */
    uint64_t pending_since;  /* when, ns; 0 = not pending */
    struct sup_fast_map map;
    struct sup_fast_partial part[SUP_FAST_PARTIALS];
};

/* Records released between wake-ups of producers waiting for space. */
#define SUP_FAST_WAKE_EVERY 512

/**
 * sup_fast_new() - create the ring (a sealed memfd the program inherits).
 * @nslots: slots, a power of two (see tr_ring_init()).
 * @err: receives a negative errno on failure.
 *
 * Return: the fast path's state, or NULL.
 */
struct sup_fast *sup_fast_new(uint32_t nslots, int *err)
{
    struct sup_fast *f = calloc(1, sizeof(*f));
    if (!f) {
        *err = -ENOMEM;
        return NULL;
    }
    f->fd = tr_ring_create(nslots, &f->h);
    if (f->fd < 0) {
        *err = f->fd;
        free(f);
        return NULL;
    }
    /* Producers keep waiting for space while this process lives. */
    f->h->consumer_pid = (uint32_t)getpid();
    return f;
}

/** sup_fast_free() - unmap and close the ring. @f: may be NULL. */
void sup_fast_free(struct sup_fast *f)
{
    if (!f)
        return;
    munmap(f->h, f->h->total_size);
    close(f->fd);
    free(f->map.key);
    free(f->map.val);
    free(f);
}

/**
 * sup_fast_doorbell() - ask producers to send @sig when they fill the ring
 * @f: the ring
 * @sig: a signal whose handler interrupts the supervisor's wait, which
 *       then drains the ring (0: none)
 */
void sup_fast_doorbell(struct sup_fast *f, int sig)
{
    f->h->bell_sig = (uint32_t)sig;
}

/** sup_fast_fd() - the ring's fd, to pass in TR_RING_ENV. @f: the ring. */
int sup_fast_fd(const struct sup_fast *f)
{
    return f->fd;
}

static size_t sup_fast_slot(const struct sup_fast_map *m, uint64_t key)
{
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 40) & (m->cap - 1);
    while (m->key[i] && m->key[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int sup_fast_map_put(struct sup_fast_map *m, uint64_t key, uint32_t v)
{
    if (2 * (m->nr + 1) > m->cap) {
        struct sup_fast_map n = {0};
        n.cap = m->cap ? 2 * m->cap : (size_t)1 << SUP_FAST_MAP_BITS;
        n.key = calloc(n.cap, sizeof(*n.key));
        n.val = calloc(n.cap, sizeof(*n.val));
        if (!n.key || !n.val) {
            free(n.key);
            free(n.val);
            return -ENOMEM;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i]) {
                size_t j = sup_fast_slot(&n, m->key[i]);
                n.key[j] = m->key[i];
                n.val[j] = m->val[i];
                n.nr++;
            }
        free(m->key);
        free(m->val);
        *m = n;
    }
    size_t i = sup_fast_slot(m, key);
    if (!m->key[i])
        m->nr++;
    m->key[i] = key;
    m->val[i] = v;
    return 0;
}

static uint32_t sup_fast_map_get(const struct sup_fast_map *m, uint64_t key)
{
    if (!m->cap)
        return 0;
    size_t i = sup_fast_slot(m, key);
    return m->key[i] == key ? m->val[i] : 0;
}

static struct sup_fast_partial *sup_fast_partial(struct sup_fast *f,
                                                 const struct tr_ring_stack *s)
{
    struct sup_fast_partial *free_one = NULL;
    for (int i = 0; i < SUP_FAST_PARTIALS; i++) {
        struct sup_fast_partial *p = &f->part[i];
        if (p->depth && p->pid == s->pid && p->id == s->id)
            return p;
        if (!p->depth && !free_one)
            free_one = p;
    }
    return free_one;
}

/* One stack record: assemble, and intern the stack once it is whole. */
static void sup_fast_stack(struct sup_run *r, const struct tr_ring_stack *s)
{
    struct sup_fast *f = r->fast;
    struct sup_fast_partial *p = sup_fast_partial(f, s);
    uint32_t depth = s->depth < SUP_FAST_STACK_MAX ? s->depth
                                                   : SUP_FAST_STACK_MAX;
    if (!p || depth == 0 || s->n > TR_RING_STACK_IPS)
        return;
    if (s->first == 0) {
        p->pid = s->pid;
        p->id = s->id;
        p->depth = depth;
        p->have = 0;
    }
    for (uint32_t i = 0; i < s->n && s->first + i < depth; i++)
        p->ip[s->first + i] = s->ip[i];
    p->have += s->n;
    if (p->have < p->depth)
        return;
    uint32_t id = 0;
    if (r->sink && r->sink->stack &&
        r->sink->stack(r->sink->ctx, p->ip, p->depth, &id) == 0)
        sup_fast_map_put(&f->map, (uint64_t)p->pid << 32 | p->id, id);
    p->depth = 0;
}

static void sup_fast_record(struct sup_run *r, struct tr_ring_slot *s)
{
    if (s->kind == TR_SLOT_STACK) {
        sup_fast_stack(r, &s->u.stack);
        return;
    }
    if (s->kind == TR_SLOT_EXIT) {
        if (r->pre)
            sup_preload_exiting(r, s->u.ev.pid);
        else
            sup_fast_exit_ack(r, s->u.ev.pid);
        return;
    }
    struct tr_event ev;
    if (s->kind == TR_SLOT_ALLOC)
        tr_ring_alloc_event(&s->u.alloc, &ev);
    else if (s->kind == TR_SLOT_EVENT)
        ev = s->u.ev;
    else
        return;
    if (ev.stack)
        ev.stack = sup_fast_map_get(&r->fast->map,
                                    (uint64_t)ev.pid << 32 | ev.stack);
    ev.str = 0;
    if (r->pre && !sup_preload_keep(r, &ev))
        return;
    sup_emit(r, &ev, NULL);
    sup_module_fast(r, &ev);
}

/* Say that the ring lost an abandoned slot: the producer is unknown (its
 * record may be half written), so the loss is the program's first process's,
 * with the shim's flags (no TR_F_TRACED: a ring loss, reason 3). */
static void sup_fast_abandoned(struct sup_run *r)
{
    struct tr_event ev = {.t_ns = sup_now_ns(), .type = TR_EV_LOST,
                          .pid = (uint32_t)r->child.pid,
                          .tid = (uint32_t)r->child.pid,
                          .a = {1, TR_LOST_ABANDONED}};
    sup_emit(r, &ev, NULL);
}

/* The slot at the tail is reserved and not committed: give up on it after
 * TR_RING_ABANDON_NS (its producer stopped or died inside the window). */
static int sup_fast_pending(struct sup_run *r, struct sup_fast *f)
{
    uint64_t pos = atomic_load_explicit(&f->h->tail, memory_order_relaxed);
    uint64_t now = sup_now_ns();
    if (!f->pending_since || f->pending_pos != pos) {
        f->pending_pos = pos;
        f->pending_since = now;
        return 0;
    }
    if (now - f->pending_since < (uint64_t)TR_RING_ABANDON_NS)
        return 0;
    f->pending_since = 0;
    if (tr_ring_abandon(f->h) != 0)
        return 0;
    sup_fast_abandoned(r);
    return 1;
}

/**
 * sup_fast_drain() - emit every committed ring record, in ring order.
 * @r: the recording (r->fast set).
 */
void sup_fast_drain(struct sup_run *r)
{
    struct sup_fast *f = r->fast;
    struct tr_ring_slot *s;
    int n = 0, st;
    if (!f)
        return;
    while ((st = tr_ring_peek(f->h, &s)) != TR_RING_EMPTY) {
        if (st == TR_RING_PENDING) {
            if (!sup_fast_pending(r, f))
                break;
            continue;
        }
        f->pending_since = 0;
        sup_fast_record(r, s);
        tr_ring_release(f->h);
        /* Producers waiting for space go on while the rest is drained. */
        if ((++n & (SUP_FAST_WAKE_EVERY - 1)) == 0)
            tr_ring_wake(f->h);
    }
    if (n)
        tr_ring_wake(f->h);
    tr_ring_bell_reset(f->h);
}

/**
 * sup_fast_lock() - take @t's address-space lock for its traced syscall.
 * @r: the recording.
 * @t: a task at its seccomp stop that owns its sup_mm.
 *
 * A lock held by @t itself (a traced syscall from a signal handler that
 * interrupted its own fast-path call) is not waited for: the syscall goes on
 * without it (ring.h, "nesting").
 *
 * Return: 1 if @t may run now, 0 if another thread's fast-path call holds
 * the lock (retry later; never wait here).
 */
int sup_fast_lock(struct sup_run *r, struct sup_task *t)
{
    if (!r->fast || t->ring_lk)
        return 1;
    struct tr_ring_mmlock *lk = tr_ring_mmlock(r->fast->h, (uint32_t)t->tgid);
    if (tr_mmlock_trylock(lk, (uint32_t)t->tid | TR_MMLOCK_TRACED,
                          (uint32_t)t->tgid)) {
        t->ring_lk = lk;
        return 1;
    }
    uint32_t w = atomic_load_explicit(&lk->word, memory_order_relaxed);
    return (w & TR_MMLOCK_TID_MASK) == ((uint32_t)t->tid & TR_MMLOCK_TID_MASK);
}

/**
 * sup_fast_number() - drain the ring and number @t's traced event.
 * @r: the recording.
 * @t: a task at its syscall-exit stop (or fork event), holding the lock.
 *
 * Return: the event's per-address-space number, 0 without a lock.
 */
uint32_t sup_fast_number(struct sup_run *r, struct sup_task *t)
{
    sup_fast_drain(r);
    return t->ring_lk ? tr_mmlock_next_seq(t->ring_lk) : 0;
}

/**
 * sup_fast_reap() - free a lock a dead thread held.
 * @r: the recording.
 * @t: a task that has gone, or that exec'd.
 * @any: free it if any thread of @t's process holds it (exec: the others
 *       are gone), not only @t.
 */
void sup_fast_reap(struct sup_run *r, struct sup_task *t, int any)
{
    if (!r->fast)
        return;
    struct tr_ring_mmlock *lk = tr_ring_mmlock(r->fast->h, (uint32_t)t->tgid);
    if (any) {
        tr_mmlock_reap(lk, (uint32_t)t->tgid);
        return;
    }
    uint32_t w = atomic_load_explicit(&lk->word, memory_order_acquire);
    if ((w & TR_MMLOCK_TID_MASK) == ((uint32_t)t->tid & TR_MMLOCK_TID_MASK) &&
        atomic_load_explicit(&lk->tgid, memory_order_relaxed) ==
            (uint32_t)t->tgid &&
        atomic_compare_exchange_strong(&lk->word, &w, 0) &&
        (w & TR_MMLOCK_WAITERS))
        tr_ring__futex(&lk->word, FUTEX_WAKE, INT32_MAX, 0);
}

/**
 * sup_fast_lost() - is a fast-path call of @t's process cut off?
 * @r: the recording.
 * @t: the last task of its address space, at its exit stop (the ring is
 *     drained).
 *
 * Another thread of the process holds the lock without the supervisor: it
 * was killed between its syscall and its log record (a group exit), so that
 * call's effect is not in the recording.
 *
 * Return: 1 if so, else 0.
 */
int sup_fast_lost(struct sup_run *r, const struct sup_task *t)
{
    if (!r->fast)
        return 0;
    struct tr_ring_mmlock *lk = tr_ring_mmlock(r->fast->h, (uint32_t)t->tgid);
    uint32_t w = atomic_load_explicit(&lk->word, memory_order_acquire);
    return w != 0 && !(w & TR_MMLOCK_TRACED) &&
           (w & TR_MMLOCK_TID_MASK) != ((uint32_t)t->tid & TR_MMLOCK_TID_MASK) &&
           atomic_load_explicit(&lk->tgid, memory_order_relaxed) ==
               (uint32_t)t->tgid;
}

/**
 * sup_fast_trylock_mm() - take process @tgid's address-space lock for the
 * supervisor itself (the preload-only capture reading /proc/PID/maps while
 * no fast-path call of that process is between its syscall and its record).
 * @r: the recording.
 * @tgid: the process.
 *
 * Return: the lock, to release with tr_mmlock_unlock(); NULL without a ring
 * or when a fast-path call holds it.
 */
struct tr_ring_mmlock *sup_fast_trylock_mm(struct sup_run *r, uint32_t tgid)
{
    if (!r->fast)
        return NULL;
    struct tr_ring_mmlock *lk = tr_ring_mmlock(r->fast->h, tgid);
    uint32_t me = (uint32_t)getpid();
    /* Owned by mmsim's pid: if mmsim dies holding it (no EXITKILL without
     * ptrace), a waiting shim finds the owner gone and takes it over. */
    return tr_mmlock_trylock(lk, me | TR_MMLOCK_TRACED, me) ? lk : NULL;
}

/**
 * sup_fast_exit_wait() - ask the shims for the exit handshake (ring.h):
 * each process waits at exit until sup_fast_exit_ack() for it.
 * @r: the recording (nothing without a ring).
 */
void sup_fast_exit_wait(struct sup_run *r)
{
    if (r->fast)
        r->fast->h->flags |= TR_RING_F_EXIT_WAIT;
}

/**
 * sup_fast_exit_ack() - let process @pid, waiting in its exit handshake, go.
 * @r: the recording.
 * @pid: the process.
 */
void sup_fast_exit_ack(struct sup_run *r, uint32_t pid)
{
    if (!r->fast)
        return;
    _Atomic uint32_t *ack = &r->fast->h->exit_ack[pid % TR_RING_EXIT_ACKS];
    atomic_store_explicit(ack, pid, memory_order_release);
    tr_ring__futex(ack, FUTEX_WAKE, INT32_MAX, 0);
}
