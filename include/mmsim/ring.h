/*
 * mmsim shared ring: how the shim inside every traced process hands its
 * events to the supervisor.
 *
 * Producers: every thread of every traced process (preload/, the shim).
 * Consumer: one thread of the supervisor (the `mmsim` process).
 *
 * The ring is one memfd, created and sealed by the supervisor before it
 * starts the program, inherited by every traced process:
 *
 *   - the supervisor creates it (tr_ring_create()), maps it, and passes the
 *     fd number in the environment variable TR_RING_ENV (no FD_CLOEXEC), so
 *     the fd survives fork and exec and the shim of each new image re-attaches
 *     (tr_ring_attach_fd()) after execve;
 *   - the mapping itself is MAP_SHARED, so fork children keep writing into the
 *     same ring even if they close every fd; only the *next* exec needs the fd;
 *   - the shim validates the fd before trusting it: a memfd (it has seals),
 *     with exactly the seals TR_RING_SEALS, whose size is the size its header
 *     announces, with the right magic and version. Anything else (the variable
 *     unset, garbage, a program that dup2'd over that fd number, closed it, or
 *     a leftover variable outside mmsim) is ignored: the shim then records
 *     nothing and the supervisor's ptrace path still sees every kernel call.
 *
 * Layout: a header page (struct tr_ring_hdr), the mm lock table, then
 * nslots fixed-size slots (struct tr_ring_slot, 128 bytes). nslots is a power
 * of two. Positions are 64-bit counters that never wrap in practice; the slot
 * of position p is p & (nslots - 1).
 *
 * Slot protocol (a bounded multi-producer queue with a sequence word per
 * slot, as in D. Vyukov's bounded MPMC queue, the word counted from the
 * start of the position's lap, lap(p) = p & ~(nslots - 1), so that a ring of
 * zeroes is a formatted empty ring and its pages are touched only when used):
 *
 *   slot.seq == lap(p)            free for the producer of position p (or
 *                                 reserved by it and not yet committed);
 *   slot.seq == lap(p) + 1        position p is committed: the consumer may
 *                                 read;
 *   slot.seq == lap(p) + nslots   the consumer released it: free for
 *                                 position p + nslots (the next lap).
 *
 *   producer: reserve p by CAS on hdr.head (p -> p + 1) once slot.seq ==
 *             lap(p); fill the payload; commit with CAS slot.seq lap(p) ->
 *             lap(p) + 1.
 *   consumer: at position p = hdr.tail, read when slot.seq == lap(p) + 1,
 *             then store slot.seq = lap(p) + nslots and hdr.tail = p + 1.
 *
 * Reserved but uncommitted: slot.seq == lap(p) while hdr.head > p. The window
 * between reservation and commit is a 128-byte copy (the payload is built on
 * the producer's stack first), so the consumer waits for it. It must not wait
 * forever: a producer can be stopped (a ptrace stop, SIGSTOP) or its process
 * killed inside the window. The consumer keeps serving other work and retries;
 * when the producer's process is known dead, or after TR_RING_ABANDON_NS, it
 * may call tr_ring_abandon(): the slot is released (CAS p -> p + nslots), the
 * position counted lost, and the late producer's commit CAS then fails, so
 * it knows its event is gone. Residual risk, documented: a producer stalled
 * before its payload copy for longer than the abandon delay *and* a full lap
 * of the ring could overwrite the next lap's record; keep the delay long.
 *
 * Doorbell: a producer that finds the ring half full (checked at every
 * quarter of the ring) or full sends the consumer hdr.bell_sig, once until
 * the consumer has drained (hdr.bell_rung), so a busy program does not wait
 * for the consumer's next timer tick.
 *
 * Overflow: a producer never blocks indefinitely. When the ring is full it
 * spins briefly (TR_RING_FULL_SPINS pauses) watching hdr.tail, then waits on
 * a futex (hdr.space) for at most TR_RING_FULL_WAIT_NS, woken by the
 * consumer after it frees a batch of slots (tr_ring_wake()); after that it
 * drops the event and counts it (hdr.lost_total, and a per-process count in
 * the shim which it reports as a TR_EV_LOST event, in order, with the next
 * event it manages to put). A timeout alone does not stop later waits: a
 * starved consumer (too little CPU) costs one dropped event per thread and
 * timeout, not every event until it runs again. Only when the consumer is
 * gone (hdr.consumer_pid, set by the supervisor, no longer exists, or was
 * never set) does the
 * producer mark the ring stalled (hdr.stalled_tail = tail + 1) and drop
 * without waiting until the tail moves, so a dead consumer costs one
 * timeout. The wait is a plain syscall: safe in a signal handler, and no
 * thread of the traced program drains the ring, so waiting cannot block
 * the consumer (the supervisor never waits for a producer: it abandons a
 * pending slot after TR_RING_ABANDON_NS).
 *
 * Consuming well: drain everything committed in one batch, call
 * tr_ring_wake(), and only then wait (a timer, or the next ptrace stop).
 * Never spin on the slot at the tail while it is empty or pending: that
 * slot is the one a producer is writing, and polling it makes its cache
 * lines bounce between the two CPUs on every event.
 *
 * Order: ring order is the order of reservations. Kernel-level events of one
 * address space are additionally numbered by the per-address-space lock
 * (below): slot.mmseq. The consumer orders one address space's kernel events
 * by mmseq, not by ring position. Allocator events carry in mmseq the value
 * of that counter when they were emitted ("after kernel event mmseq"); their
 * order per thread is ring order.
 *
 * The mm lock (CAPTURE-NOTES §3 and §8): at most one memory syscall per
 * address space may be in flight between "issued" and "logged", or events of
 * two threads could be recorded in a different order than the kernel ran
 * them. The table has TR_RING_MMLOCKS entries indexed by tgid & (n - 1);
 * processes whose tgids collide share a lock (correct, merely serialised).
 *
 *   - shim fast path: tr_mmlock_lock(), issue the syscall, put the event
 *     with mmseq = tr_mmlock_next_seq(), tr_mmlock_unlock();
 *   - supervisor, at the seccomp stop of a traced memory syscall of tgid P:
 *     tr_mmlock_trylock(lk, tid | TR_MMLOCK_TRACED, P); if busy, leave the
 *     thread stopped and retry later (never spin inside the event loop: the
 *     holder may itself be waiting for a ptrace continue). Hold it until the
 *     syscall-exit stop, take the event's number with tr_mmlock_next_seq(),
 *     then tr_mmlock_unlock(). Before numbering, drain the ring: every
 *     fast-path event of P numbered earlier is committed already (a holder
 *     commits before it unlocks).
 *   - nesting: a signal handler can interrupt a thread inside its fast-path
 *     call (lock held) and make a memory syscall itself. The shim handles
 *     its own nested fast-path calls without re-locking; if the nested call
 *     is traced instead (a raw syscall), the supervisor finds the lock held
 *     by the very tid it has stopped: it then proceeds without the lock
 *     (waiting would deadlock) and numbers the event as usual.
 *   - a holder that dies with the lock: the supervisor, which sees the exit,
 *     calls tr_mmlock_reap(lk, tgid). A waiting shim thread also checks, after
 *     TR_MMLOCK_STALE_NS, whether the holder's process still exists and
 *     takes the lock over if not (standalone runs have no supervisor).
 *
 * vfork: the child shares the parent's memory but has its own tgid, hence
 * (usually) another lock; vfork children normally only exec or _exit.
 *
 * Everything here is header-only (static inline) so that preload/ and tools/
 * share one implementation without a library between them. Functions use
 * only raw syscalls and atomics: they are async-signal-safe and never
 * allocate.
 */
#ifndef MMSIM_RING_H
#define MMSIM_RING_H

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mmsim/event.h"

/* Environment variable holding the decimal fd number of the ring. */
#define TR_RING_ENV "MMSIM_RING_FD"
/* "MMSIMRNG" */
#define TR_RING_MAGIC 0x474e524d49534d4dULL
#define TR_RING_VERSION 4u
/* Seals the supervisor sets; the shim requires exactly these. */
#define TR_RING_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)
#define TR_RING_SLOT_SIZE 128u
#define TR_RING_MIN_SLOTS 64u
#define TR_RING_MAX_SLOTS (1u << 24)
#define TR_RING_MMLOCKS 4096u
/* Longest a producer waits for space before dropping an event. */
#define TR_RING_FULL_WAIT_NS 100000000LL
/* Pause instructions a producer spins on a full ring before sleeping. */
#define TR_RING_FULL_SPINS 256
/* Suggested delay before the consumer abandons an uncommitted slot. */
#define TR_RING_ABANDON_NS 2000000000LL

/*
 * The fast path's syscall stub: one page at this fixed address whose
 * instruction-pointer range the supervisor's seccomp filter ALLOWs for memory
 * syscalls (CAPTURE-NOTES §8). Every other memory syscall is traced.
 */
#define TR_FASTPATH_STUB_ADDR 0x100000000000ULL
#define TR_FASTPATH_STUB_SIZE 4096ULL

/* What a slot holds. */
enum tr_slot_kind {
    TR_SLOT_EVENT = 1, /* payload: struct tr_event */
    TR_SLOT_STACK = 2, /* payload: struct tr_ring_stack (a stack definition) */
    TR_SLOT_EXIT = 3,  /* payload: struct tr_event, pid/tid/t_ns only: the
                          process is exiting and waits for exit_ack (below) */
    TR_SLOT_ALLOC = 4, /* payload: struct tr_ring_alloc (an allocator call) */
};

/*
 * Exit handshake (only when the supervisor sets TR_RING_F_EXIT_WAIT in
 * hdr.flags: the preload-only capture, which has no exit stop). The shim's
 * destructor puts a TR_SLOT_EXIT record and waits, at most
 * TR_RING_EXIT_WAIT_NS, until hdr.exit_ack[pid % TR_RING_EXIT_ACKS] == pid
 * (a futex), so the supervisor can read /proc/PID/maps before the address
 * space goes. The supervisor stores the pid there and wakes the word once it
 * is done. Two processes exiting at once with the same slot: one of them may
 * wait until its timeout.
 */
#define TR_RING_F_EXIT_WAIT 1u
#define TR_RING_EXIT_ACKS 8u
#define TR_RING_EXIT_WAIT_NS 100000000LL

/* a[1] of TR_EV_LOST from the ring (flags without TR_F_TRACED; the
 * supervisor's own, TR_F_TRACED, use a[1] 1 for fault samples): why events
 * were lost. a[0] is the count. */
enum tr_lost_reason {
    TR_LOST_RING_FULL = 1, /* no space within TR_RING_FULL_WAIT_NS */
    TR_LOST_REENTRANT = 2, /* allocator call from inside the shim (a signal
                              handler interrupting it): passed through */
    TR_LOST_ABANDONED = 3, /* reserved, never committed (consumer gave up) */
    TR_LOST_STACK = 4,     /* a stack definition (not an event) that did not
                              fit: events naming that id lose their stack */
};

/*
 * A stack definition. Stack ids are per process (tgid) and start at 1; the
 * shim assigns them and sends each distinct stack once per process, before
 * any event that uses the id is reserved (an id becomes visible to the
 * process's other threads only after its definition is committed). A stack
 * deeper than TR_RING_STACK_IPS frames takes several records with the same
 * (pid, id) and increasing first; the records of one stack come from one
 * thread in order, but other threads' slots may sit between them. ip[0] is
 * the innermost frame (the caller of the allocator function), raw addresses.
 * After fork the child starts a fresh id space (the shim resets its table in
 * the child), so ids never need the parent's definitions; after exec the
 * new image starts a fresh id space too (same pid: a definition whose
 * first is 0 replaces any earlier one with that id).
 */
#define TR_RING_STACK_IPS 12
struct tr_ring_stack {
    uint32_t pid;
    uint32_t id;
    uint16_t first; /* index of ip[0] in the whole stack */
    uint16_t depth; /* frames in the whole stack */
    uint16_t n;     /* frames in this record */
    uint16_t pad;
    uint64_t ip[TR_RING_STACK_IPS];
};

/*
 * An allocator event in the slot's first cache line: 16 bytes of protocol
 * and these 48. Most events are allocator calls; a full struct tr_event
 * would make each of them cost two cache lines, each written by the
 * producer and read by the consumer on another CPU. Calls whose event needs
 * a[2] or a[3] (the aligned allocators, reallocarray) use TR_SLOT_EVENT.
 * tr_ring_alloc_event() turns it back into the event.
 */
struct tr_ring_alloc {
    uint64_t t_ns;
    uint16_t type; /* enum tr_ev_type */
    uint16_t flags;
    uint32_t pid;
    uint32_t tid;
    uint32_t stack;
    uint64_t a0;
    uint64_t a1;
    int64_t ret;
};

/* One slot: 16 bytes of protocol, 112 of payload. */
struct tr_ring_slot {
    _Atomic uint64_t seq; /* see the slot protocol above */
    uint32_t kind;        /* enum tr_slot_kind */
    uint32_t mmseq;       /* per-address-space order, see above */
    union {
        struct tr_event ev;
        struct tr_ring_stack stack;
        struct tr_ring_alloc alloc;
        uint8_t raw[112];
    } u;
};

_Static_assert(offsetof(struct tr_ring_slot, u) + sizeof(struct tr_ring_alloc)
                   <= 64, "an allocator slot fits one cache line");

/**
 * tr_ring_alloc_fits() - can @ev travel as a struct tr_ring_alloc?
 * @ev: an allocator event.
 *
 * Return: 1 if every field it has is one tr_ring_alloc keeps.
 */
static inline int tr_ring_alloc_fits(const struct tr_event *ev)
{
    return ev->type <= UINT16_MAX && ev->flags <= UINT16_MAX &&
           ev->a[2] == 0 && ev->a[3] == 0 && ev->a[4] == 0 && ev->a[5] == 0 &&
           ev->str == 0 && ev->dev == 0 && ev->ino == 0;
}

/**
 * tr_ring_alloc_pack() - the compact form of @ev (tr_ring_alloc_fits()).
 * @ev: the event.
 * @out: receives it.
 */
static inline void tr_ring_alloc_pack(const struct tr_event *ev,
                                      struct tr_ring_alloc *out)
{
    *out = (struct tr_ring_alloc){
        .t_ns = ev->t_ns, .type = (uint16_t)ev->type,
        .flags = (uint16_t)ev->flags, .pid = ev->pid, .tid = ev->tid,
        .stack = ev->stack, .a0 = ev->a[0], .a1 = ev->a[1], .ret = ev->ret};
}

/**
 * tr_ring_alloc_event() - the event a TR_SLOT_ALLOC record stands for.
 * @a: the record.
 * @ev: receives the event (fields it does not carry are 0).
 */
static inline void tr_ring_alloc_event(const struct tr_ring_alloc *a,
                                       struct tr_event *ev)
{
    *ev = (struct tr_event){
        .t_ns = a->t_ns, .type = a->type, .flags = a->flags, .pid = a->pid,
        .tid = a->tid, .stack = a->stack, .a = {a->a0, a->a1}, .ret = a->ret};
}

/* One entry of the mm lock table. */
#define TR_MMLOCK_TID_MASK 0x3fffffffu
#define TR_MMLOCK_TRACED (1u << 30)  /* held by the supervisor for tid */
#define TR_MMLOCK_WAITERS (1u << 31) /* someone sleeps on the futex */
#define TR_MMLOCK_STALE_NS 1000000000LL
struct tr_ring_mmlock {
    _Atomic uint32_t word;  /* 0 free; holder tid | TR_MMLOCK_* bits */
    _Atomic uint32_t tgid;  /* holder's process, set after acquiring */
    _Atomic uint32_t seq;   /* kernel events numbered so far (mmseq) */
    uint32_t pad;
};

/* The header, at offset 0; slots start at hdr.slots_off. */
struct tr_ring_hdr {
    uint64_t magic;
    uint32_t version;
    uint32_t slot_size;    /* TR_RING_SLOT_SIZE */
    uint32_t nslots;       /* power of two */
    uint32_t nmmlocks;     /* TR_RING_MMLOCKS */
    uint64_t mmlocks_off;  /* byte offset of the mm lock table */
    uint64_t slots_off;    /* byte offset of slot 0 */
    uint64_t total_size;   /* size of the memfd */
    uint32_t consumer_pid; /* the supervisor; 0 unknown (see overflow) */
    uint8_t pad0[64 - 52];
    _Atomic uint64_t head; /* next position to reserve (producers) */
    uint8_t pad1[56];
    _Atomic uint64_t tail; /* next position to read (consumer) */
    _Atomic uint32_t space;        /* futex: bumped when slots are freed */
    _Atomic uint32_t full_waiters; /* producers sleeping on space */
    uint32_t flags;                /* TR_RING_F_*, set by the supervisor */
    _Atomic uint32_t exit_ack[TR_RING_EXIT_ACKS]; /* exit handshake */
    uint8_t pad2[48 - 4 - 4 * TR_RING_EXIT_ACKS];
    _Atomic uint64_t lost_total;   /* events dropped, all reasons */
    _Atomic uint64_t stalled_tail; /* tail at the last timed-out wait + 1 */
    uint32_t bell_sig;          /* the consumer's doorbell signal, 0: none */
    _Atomic uint32_t bell_rung; /* 1 from a ring until the consumer drains */
};

_Static_assert(sizeof(struct tr_ring_slot) == TR_RING_SLOT_SIZE, "slot size");
_Static_assert(sizeof(struct tr_event) <= 112, "event fits a slot");
_Static_assert(sizeof(struct tr_ring_stack) == 112, "stack record size");
_Static_assert(sizeof(struct tr_ring_hdr) <= 4096, "header fits its page");
_Static_assert(offsetof(struct tr_ring_hdr, head) == 64, "head on its own line");
_Static_assert(offsetof(struct tr_ring_hdr, tail) == 128, "tail on its own line");

/**
 * tr_ring_bytes() - size of a ring with @nslots slots.
 * @nslots: number of slots, a power of two.
 *
 * Return: the memfd size in bytes (a multiple of 4096).
 */
static inline uint64_t tr_ring_bytes(uint32_t nslots)
{
    uint64_t locks = 4096 + (uint64_t)TR_RING_MMLOCKS *
                                sizeof(struct tr_ring_mmlock);
    return locks + (uint64_t)nslots * TR_RING_SLOT_SIZE;
}

/**
 * tr_ring_slot_at() - the slot of position @pos.
 * @h: the mapped ring.
 * @pos: a ring position.
 *
 * Return: the slot (no check of its state).
 */
/* The first position of @pos's lap: what its slot's seq is counted from. */
static inline uint64_t tr_ring__lap(const struct tr_ring_hdr *h, uint64_t pos)
{
    return pos & ~(uint64_t)(h->nslots - 1);
}

static inline struct tr_ring_slot *tr_ring_slot_at(struct tr_ring_hdr *h,
                                                   uint64_t pos)
{
    char *base = (char *)h + h->slots_off;
    return (struct tr_ring_slot *)(base +
                                   (pos & (h->nslots - 1)) * TR_RING_SLOT_SIZE);
}

/**
 * tr_ring_mmlock() - the mm lock entry of process @tgid.
 * @h: the mapped ring.
 * @tgid: the process (address space).
 *
 * Return: the entry (shared with colliding tgids).
 */
static inline struct tr_ring_mmlock *tr_ring_mmlock(struct tr_ring_hdr *h,
                                                    uint32_t tgid)
{
    struct tr_ring_mmlock *t =
        (struct tr_ring_mmlock *)((char *)h + h->mmlocks_off);
    return &t[tgid & (h->nmmlocks - 1)];
}

/**
 * tr_ring_init() - format a mapped, zeroed ring (supervisor side).
 * @mem: the mapping, tr_ring_bytes(@nslots) bytes, zero-filled.
 * @nslots: number of slots, a power of two in
 *          [TR_RING_MIN_SLOTS, TR_RING_MAX_SLOTS].
 *
 * Return: 0, or -EINVAL for a bad @nslots.
 */
static inline int tr_ring_init(void *mem, uint32_t nslots)
{
    struct tr_ring_hdr *h = (struct tr_ring_hdr *)mem;

    if (nslots < TR_RING_MIN_SLOTS || nslots > TR_RING_MAX_SLOTS ||
        (nslots & (nslots - 1)) != 0)
        return -EINVAL;
    h->version = TR_RING_VERSION;
    h->slot_size = TR_RING_SLOT_SIZE;
    h->nslots = nslots;
    h->nmmlocks = TR_RING_MMLOCKS;
    h->mmlocks_off = 4096;
    h->slots_off = tr_ring_bytes(nslots) - (uint64_t)nslots * TR_RING_SLOT_SIZE;
    h->total_size = tr_ring_bytes(nslots);
    /* The slots stay zero: free for lap 0 (the slot protocol above). */
    atomic_store_explicit(&h->head, 0, memory_order_relaxed);
    atomic_store_explicit(&h->tail, 0, memory_order_relaxed);
    /* The magic last: a reader that sees it sees a formatted ring. */
    __atomic_store_n(&h->magic, TR_RING_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

/**
 * tr_ring_create() - create, size, format and seal a ring memfd.
 * @nslots: number of slots (see tr_ring_init()).
 * @out: receives the mapping (MAP_SHARED, read-write).
 *
 * The fd is created without FD_CLOEXEC: the caller passes its number in
 * TR_RING_ENV to the program it starts.
 *
 * Return: the fd, or a negative errno.
 */
static inline int tr_ring_create(uint32_t nslots, struct tr_ring_hdr **out)
{
    uint64_t size = tr_ring_bytes(nslots);
    int fd, err;
    void *m;

    *out = NULL;
    if (nslots < TR_RING_MIN_SLOTS || nslots > TR_RING_MAX_SLOTS ||
        (nslots & (nslots - 1)) != 0)
        return -EINVAL;
    fd = (int)syscall(SYS_memfd_create, "mmsim-ring", MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size) != 0)
        goto fail;
    m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        goto fail;
    tr_ring_init(m, nslots);
    if (fcntl(fd, F_ADD_SEALS, TR_RING_SEALS) != 0) {
        err = -errno;
        munmap(m, size);
        close(fd);
        return err;
    }
    *out = (struct tr_ring_hdr *)m;
    return fd;
fail:
    err = -errno;
    close(fd);
    return err;
}

static inline long tr_ring__futex(_Atomic uint32_t *w, int op, uint32_t val,
                                  long long timeout_ns)
{
    struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};

    return syscall(SYS_futex, (uint32_t *)w, op, val,
                   timeout_ns > 0 ? &ts : NULL, NULL, 0);
}

static inline long long tr_ring__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Is the consumer known to be still there? Not ours to signal (EPERM)
 * counts as alive; unknown (0) or ESRCH as gone. Keeps errno (a producer
 * may be a signal handler).
 */
static inline int tr_ring__consumer_alive(struct tr_ring_hdr *h)
{
    pid_t pid = (pid_t)h->consumer_pid;
    int saved = errno, alive;

    if (pid <= 0)
        return 0;
    alive = syscall(SYS_kill, pid, 0) == 0 || errno != ESRCH;
    errno = saved;
    return alive;
}

/*
 * The doorbell: the consumer drains at its own pace (a timer, ptrace stops),
 * so a producer that finds the ring half full or full tells it, once until
 * it drains, with the signal it asked for (hdr.bell_sig). Without that the
 * program would wait for the consumer's next timer tick each time it fills
 * the ring. A signal the program is not allowed to send only loses the
 * hurry: the timer still drains.
 */
static inline void tr_ring__ring_bell(struct tr_ring_hdr *h)
{
    int saved;

    if (h->bell_sig == 0 || h->consumer_pid == 0 ||
        atomic_load_explicit(&h->bell_rung, memory_order_relaxed) ||
        atomic_exchange_explicit(&h->bell_rung, 1, memory_order_relaxed))
        return;
    saved = errno;
    syscall(SYS_kill, (pid_t)h->consumer_pid, (int)h->bell_sig);
    errno = saved;
}

/* At every quarter of the ring: ring the bell if it is half full. */
static inline void tr_ring__check_fill(struct tr_ring_hdr *h, uint64_t p)
{
    if ((p & (h->nslots / 4 - 1)) == 0 &&
        p - atomic_load_explicit(&h->tail, memory_order_relaxed) >=
            h->nslots / 2)
        tr_ring__ring_bell(h);
}

/* Spin briefly for the consumer to move: 1 if it did. */
static inline int tr_ring__spin(struct tr_ring_hdr *h, uint64_t tail)
{
    for (int i = 0; i < TR_RING_FULL_SPINS; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (atomic_load_explicit(&h->tail, memory_order_acquire) != tail)
            return 1;
    }
    return 0;
}

/*
 * Wait for the consumer to free slots. Returns 1 if it may be worth trying
 * again, 0 if the producer should drop the event.
 */
static inline int tr_ring__wait_space(struct tr_ring_hdr *h, long long *spent)
{
    uint64_t tail = atomic_load_explicit(&h->tail, memory_order_acquire);
    uint32_t sp;
    long long t0;

    if (atomic_load_explicit(&h->stalled_tail, memory_order_relaxed) ==
        tail + 1)
        return 0; /* the consumer is gone: it never moves again */
    if (*spent >= TR_RING_FULL_WAIT_NS) {
        if (!tr_ring__consumer_alive(h))
            atomic_store_explicit(&h->stalled_tail, tail + 1,
                                  memory_order_relaxed);
        return 0;
    }
    tr_ring__ring_bell(h);
    if (*spent == 0 && tr_ring__spin(h, tail))
        return 1;
    sp = atomic_load_explicit(&h->space, memory_order_acquire);
    atomic_fetch_add_explicit(&h->full_waiters, 1, memory_order_seq_cst);
    t0 = tr_ring__now_ns();
    if (atomic_load_explicit(&h->tail, memory_order_seq_cst) == tail)
        tr_ring__futex(&h->space, FUTEX_WAIT, sp,
                       TR_RING_FULL_WAIT_NS - *spent);
    atomic_fetch_sub_explicit(&h->full_waiters, 1, memory_order_relaxed);
    *spent += tr_ring__now_ns() - t0 + 1;
    return 1;
}

/**
 * tr_ring_reserve() - reserve the next slot (producer).
 * @h: the mapped ring.
 * @pos: receives the reserved position.
 *
 * Waits at most TR_RING_FULL_WAIT_NS when the ring is full; on failure the
 * event is counted in hdr.lost_total and the caller counts it for its own
 * TR_EV_LOST report.
 *
 * Return: the slot, to be filled and passed to tr_ring_commit(), or NULL.
 */
static inline struct tr_ring_slot *tr_ring_reserve(struct tr_ring_hdr *h,
                                                   uint64_t *pos)
{
    uint64_t p = atomic_load_explicit(&h->head, memory_order_relaxed);
    long long spent = 0;

    for (;;) {
        struct tr_ring_slot *s = tr_ring_slot_at(h, p);
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        int64_t dif = (int64_t)(seq - tr_ring__lap(h, p));

        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(
                    &h->head, &p, p + 1, memory_order_relaxed,
                    memory_order_relaxed)) {
                /* Slots are used in order: fetch a later one early. */
                __builtin_prefetch(tr_ring_slot_at(h, p + 8), 1);
                tr_ring__check_fill(h, p);
                *pos = p;
                return s;
            }
        } else if (dif < 0) {
            if (!tr_ring__wait_space(h, &spent)) {
                atomic_fetch_add_explicit(&h->lost_total, 1,
                                          memory_order_relaxed);
                return NULL;
            }
            p = atomic_load_explicit(&h->head, memory_order_relaxed);
        } else {
            p = atomic_load_explicit(&h->head, memory_order_relaxed);
        }
    }
}

/**
 * tr_ring_commit() - publish a filled slot (producer).
 * @h: the mapped ring.
 * @s: the slot from tr_ring_reserve().
 * @pos: its position.
 *
 * Return: 0, or -1 if the consumer abandoned the slot meanwhile (the event
 * is lost and was already counted by the consumer).
 */
static inline int tr_ring_commit(const struct tr_ring_hdr *h,
                                 struct tr_ring_slot *s, uint64_t pos)
{
    uint64_t want = tr_ring__lap(h, pos);

    return atomic_compare_exchange_strong_explicit(
               &s->seq, &want, want + 1, memory_order_release,
               memory_order_relaxed)
               ? 0
               : -1;
}

/**
 * tr_ring_put() - copy one record into the ring (producer).
 * @h: the mapped ring.
 * @kind: enum tr_slot_kind.
 * @mmseq: the per-address-space number (see the header comment).
 * @payload: the record, at most 112 bytes.
 * @len: its size.
 *
 * Return: 0, or -1 if the record was lost (counted in hdr.lost_total).
 */
static inline int tr_ring_put(struct tr_ring_hdr *h, uint32_t kind,
                              uint32_t mmseq, const void *payload, size_t len)
{
    uint64_t pos;
    struct tr_ring_slot *s = tr_ring_reserve(h, &pos);

    if (s == NULL)
        return -1;
    s->kind = kind;
    s->mmseq = mmseq;
    memcpy(s->u.raw, payload, len);
    /* An allocator record leaves the second cache line alone. */
    if (len < sizeof(s->u.raw) && kind != TR_SLOT_ALLOC)
        memset(s->u.raw + len, 0, sizeof(s->u.raw) - len);
    return tr_ring_commit(h, s, pos);
}

#include "mmsim/ring_attach.h"
#include "mmsim/ring_consumer.h"
#include "mmsim/ring_mmlock.h"

#endif /* MMSIM_RING_H */
