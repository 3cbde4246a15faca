/*
 * Shim life cycle: attaching to the ring, process and thread identity,
 * fork handling, and putting events into the ring.
 *
 * Called from every interposer (pre_alloc.c) and from the fast path
 * (pre_fastpath.c). Initialisation runs at the first allocator call or in
 * the constructor, whichever comes first; the first allocator call can come
 * before any constructor (another library's constructor, or ld.so's own
 * users of malloc once libc is relocated).
 *
 * Ring attachment (include/mmsim/ring.h): the fd number comes from
 * TR_RING_ENV; an invalid or missing ring leaves pre_ring NULL and the shim
 * then passes every call straight through. The mapping is shared, so fork
 * children keep it even if they close every fd; exec re-runs this file's
 * initialisation in the new image from the inherited fd.
 *
 * Lost events: when an event cannot be put (ring full), the count is kept
 * per reason and reported as a TR_EV_LOST event, in order, just before the
 * next event this process manages to put, or at exit (destructor).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pre_internal.h"

PRE_HIDDEN struct tr_ring_hdr *pre_ring;
PRE_HIDDEN uint32_t pre_pid;
PRE_HIDDEN _Atomic uint32_t pre_gen = 1;
PRE_HIDDEN PRE_TLS struct pre_thread pre_self;

enum { INIT_NONE, INIT_BUSY, INIT_DONE };
static _Atomic int init_state;

#define NREASONS 5
static _Atomic uint64_t lost[NREASONS];
static _Atomic uint32_t any_lost;

static void fork_child(void)
{
    pre_pid = (uint32_t)syscall(SYS_getpid);
    atomic_fetch_add(&pre_gen, 1);
    for (int i = 0; i < NREASONS; i++)
        atomic_store(&lost[i], 0);
    atomic_store(&any_lost, 0);
    pre_self.fp_depth = 0;
    pre_stack_fork_child();
}

static void attach(void)
{
    int fd = tr_ring_parse_fd(getenv(TR_RING_ENV));
    struct tr_ring_hdr *h;

    if (fd < 0)
        return;
    h = tr_ring_attach_fd(fd);
    if (h == NULL)
        return;
    pre_ring = h;
}

/**
 * pre_init() - attach to the ring once per process image.
 *
 * Safe to call from any thread and repeatedly; a caller that finds
 * initialisation in progress on another thread (or below itself on the
 * same thread) returns at once, and its call is passed through unrecorded.
 */
void pre_init(void)
{
    int want = INIT_NONE;

    if (atomic_load_explicit(&init_state, memory_order_acquire) == INIT_DONE)
        return;
    if (!atomic_compare_exchange_strong(&init_state, &want, INIT_BUSY))
        return;
    pre_self.guard++;
    pre_pid = (uint32_t)syscall(SYS_getpid);
    attach();
    if (pre_ring != NULL) {
        pthread_atfork(NULL, NULL, fork_child);
        pre_stack_init();
    }
    pre_self.guard--;
    atomic_store_explicit(&init_state, INIT_DONE, memory_order_release);
}

__attribute__((constructor)) static void pre_constructor(void)
{
    pre_init();
}

/**
 * pre_tid() - the calling thread's tid, cached per thread.
 *
 * The cache is tagged with the process generation, so the thread that
 * called fork() re-reads its new tid in the child.
 *
 * Return: the tid.
 */
uint32_t pre_tid(void)
{
    uint32_t gen = atomic_load_explicit(&pre_gen, memory_order_relaxed);

    if (pre_self.tid == 0 || pre_self.gen != gen) {
        pre_self.tid = (uint32_t)syscall(SYS_gettid);
        pre_self.gen = gen;
    }
    return pre_self.tid;
}

/**
 * pre_count_lost() - count one event that could not be recorded.
 * @reason: enum tr_lost_reason.
 */
void pre_count_lost(uint32_t reason)
{
    atomic_fetch_add_explicit(&lost[reason % NREASONS], 1,
                              memory_order_relaxed);
    atomic_store_explicit(&any_lost, 1, memory_order_release);
}

static int put_raw(uint32_t kind, uint32_t mmseq, const void *rec, size_t len)
{
    return tr_ring_put(pre_ring, kind, mmseq, rec, len);
}

/* Report the losses counted so far as TR_EV_LOST events. */
static void flush_lost(const struct tr_event *like)
{
    atomic_store_explicit(&any_lost, 0, memory_order_relaxed);
    for (uint32_t r = 1; r < NREASONS; r++) {
        uint64_t n = atomic_exchange_explicit(&lost[r], 0, memory_order_acq_rel);
        struct tr_event ev = {.t_ns = like->t_ns, .type = TR_EV_LOST,
                              .pid = like->pid, .tid = like->tid,
                              .a = {n, r}};

        if (n == 0)
            continue;
        if (put_raw(TR_SLOT_EVENT, 0, &ev, sizeof(ev)) != 0) {
            atomic_fetch_add_explicit(&lost[r], n, memory_order_relaxed);
            atomic_store_explicit(&any_lost, 1, memory_order_relaxed);
        }
    }
}

/**
 * pre_emit() - stamp and put one event into the ring.
 * @ev: the event; pid, tid and (if zero) t_ns are filled in here.
 * @mmseq: the per-address-space number (kernel events), or 0 for allocator
 *         events, which get the address space's current number instead (and
 *         travel as a one-cache-line TR_SLOT_ALLOC record when they fit).
 *
 * A failure is counted and reported later (see the file comment).
 */
void pre_emit(struct tr_event *ev, uint32_t mmseq)
{
    if (pre_ring == NULL)
        return;
    ev->pid = pre_pid;
    ev->tid = pre_tid();
    if (ev->t_ns == 0)
        ev->t_ns = pre_now_ns();
    if (atomic_load_explicit(&any_lost, memory_order_relaxed))
        flush_lost(ev);
    if (mmseq == 0) { /* an allocator event */
        mmseq = atomic_load_explicit(&tr_ring_mmlock(pre_ring, pre_pid)->seq,
                                     memory_order_relaxed);
        if (tr_ring_alloc_fits(ev)) {
            struct tr_ring_alloc a;

            tr_ring_alloc_pack(ev, &a);
            if (put_raw(TR_SLOT_ALLOC, mmseq, &a, sizeof(a)) != 0)
                pre_count_lost(TR_LOST_RING_FULL);
            return;
        }
    }
    if (put_raw(TR_SLOT_EVENT, mmseq, ev, sizeof(*ev)) != 0)
        pre_count_lost(TR_LOST_RING_FULL);
}

/*
 * The exit handshake of include/mmsim/ring.h: tell the supervisor this
 * process is exiting and give it, boundedly, the time to read its maps.
 */
static void exit_handshake(const struct tr_event *like)
{
    _Atomic uint32_t *ack = &pre_ring->exit_ack[pre_pid % TR_RING_EXIT_ACKS];
    uint64_t end = pre_now_ns() + (uint64_t)TR_RING_EXIT_WAIT_NS;
    uint32_t seen = atomic_load_explicit(ack, memory_order_acquire);

    if (seen == pre_pid || put_raw(TR_SLOT_EXIT, 0, like, sizeof(*like)))
        return;
    for (uint64_t now = pre_now_ns(); now < end; now = pre_now_ns()) {
        seen = atomic_load_explicit(ack, memory_order_acquire);
        if (seen == pre_pid)
            return;
        tr_ring__futex(ack, FUTEX_WAIT, seen, (long long)(end - now));
    }
}

/*
 * At exit, report losses that no later event carried (the process may
 * have lost its last events and then emitted nothing more), and do the
 * exit handshake when the supervisor asks for it.
 */
__attribute__((destructor)) static void pre_destructor(void)
{
    struct tr_event like = {0};

    if (pre_ring == NULL)
        return;
    like.pid = pre_pid;
    like.tid = pre_tid();
    like.t_ns = pre_now_ns();
    if (atomic_load(&any_lost))
        flush_lost(&like);
    if (pre_ring->flags & TR_RING_F_EXIT_WAIT)
        exit_handshake(&like);
}

/**
 * pre_put_stack() - put one stack-definition record into the ring.
 * @rec: the record (pid filled in here).
 *
 * Return: 0, or -1 if it was lost (counted).
 */
int pre_put_stack(const struct tr_ring_stack *rec)
{
    struct tr_ring_stack r = *rec;

    if (pre_ring == NULL)
        return -1;
    r.pid = pre_pid;
    if (put_raw(TR_SLOT_STACK, 0, &r, sizeof(r)) != 0) {
        pre_count_lost(TR_LOST_STACK);
        return -1;
    }
    return 0;
}
