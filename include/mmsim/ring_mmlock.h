/*
 * mmsim shared ring, part 2: the per-address-space lock ("mmlock") that
 * keeps fast-path memory syscalls and the supervisor's traced ones in the
 * kernel's order. The protocol is described in mmsim/ring.h (which
 * includes this file); the table lives in the ring (tr_ring_mmlock()).
 */
#ifndef MMSIM_RING_MMLOCK_H
#define MMSIM_RING_MMLOCK_H

#include "mmsim/ring.h"

/**
 * tr_mmlock_trylock() - take an mm lock without waiting.
 * @lk: the entry from tr_ring_mmlock().
 * @val: the holder's tid, plus TR_MMLOCK_TRACED for the supervisor.
 * @tgid: the holder's process.
 *
 * Return: 1 if taken, 0 if busy.
 */
static inline int tr_mmlock_trylock(struct tr_ring_mmlock *lk, uint32_t val,
                                    uint32_t tgid)
{
    uint32_t want = 0;

    if (!atomic_compare_exchange_strong_explicit(&lk->word, &want, val,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return 0;
    atomic_store_explicit(&lk->tgid, tgid, memory_order_relaxed);
    return 1;
}

/*
 * Take over a lock whose holder's process no longer exists. kill(pid, 0)
 * reports ESRCH for a dead process; a tgid reused by a new process keeps
 * the lock (its holder will release it, or the supervisor reaps it).
 */
static inline void tr_mmlock__check_stale(struct tr_ring_mmlock *lk,
                                          uint32_t seen)
{
    uint32_t owner = atomic_load_explicit(&lk->tgid, memory_order_relaxed);

    if (owner != 0 && kill((pid_t)owner, 0) != 0 && errno == ESRCH)
        atomic_compare_exchange_strong_explicit(&lk->word, &seen, 0,
                                                memory_order_acq_rel,
                                                memory_order_relaxed);
}

/**
 * tr_mmlock_lock() - take an mm lock, waiting on its futex (shim side).
 * @lk: the entry from tr_ring_mmlock().
 * @tid: the caller's tid.
 * @tgid: the caller's process.
 *
 * Spins briefly, then sleeps with TR_MMLOCK_WAITERS set. After
 * TR_MMLOCK_STALE_NS of waiting it checks whether the holder's process
 * still exists and takes the lock over if it does not.
 */
static inline void tr_mmlock_lock(struct tr_ring_mmlock *lk, uint32_t tid,
                                  uint32_t tgid)
{
    long long waited = 0;

    for (int i = 0; i < 100; i++) {
        if (tr_mmlock_trylock(lk, tid, tgid))
            return;
        __builtin_ia32_pause();
    }
    for (;;) {
        uint32_t w = atomic_load_explicit(&lk->word, memory_order_relaxed);

        if (w == 0) {
            /* Keep the waiters bit: others may still sleep. */
            if (tr_mmlock_trylock(lk, tid | TR_MMLOCK_WAITERS, tgid))
                return;
            continue;
        }
        if (!(w & TR_MMLOCK_WAITERS) &&
            !atomic_compare_exchange_strong_explicit(
                &lk->word, &w, w | TR_MMLOCK_WAITERS, memory_order_relaxed,
                memory_order_relaxed))
            continue;
        tr_ring__futex(&lk->word, FUTEX_WAIT, w | TR_MMLOCK_WAITERS, 10000000);
        waited += 10000000;
        if (waited >= TR_MMLOCK_STALE_NS)
            tr_mmlock__check_stale(lk, w | TR_MMLOCK_WAITERS);
    }
}

/**
 * tr_mmlock_next_seq() - number the next kernel event of this address space.
 * @lk: a lock the caller holds.
 *
 * Return: the event's mmseq (1, 2, ...; 0 is never used).
 */
static inline uint32_t tr_mmlock_next_seq(struct tr_ring_mmlock *lk)
{
    uint32_t v = atomic_load_explicit(&lk->seq, memory_order_relaxed) + 1;

    if (v == 0)
        v = 1;
    atomic_store_explicit(&lk->seq, v, memory_order_relaxed);
    return v;
}

/**
 * tr_mmlock_unlock() - release an mm lock and wake sleepers.
 * @lk: a lock the caller holds.
 */
static inline void tr_mmlock_unlock(struct tr_ring_mmlock *lk)
{
    uint32_t w = atomic_exchange_explicit(&lk->word, 0, memory_order_release);

    if (w & TR_MMLOCK_WAITERS)
        tr_ring__futex(&lk->word, FUTEX_WAKE, INT32_MAX, 0);
}

/**
 * tr_mmlock_reap() - release a lock held by a process that exited.
 * @lk: the entry.
 * @tgid: the dead process.
 *
 * For the supervisor at a process's exit. Does nothing if someone else
 * holds the lock.
 */
static inline void tr_mmlock_reap(struct tr_ring_mmlock *lk, uint32_t tgid)
{
    uint32_t w = atomic_load_explicit(&lk->word, memory_order_acquire);

    if (w != 0 && atomic_load_explicit(&lk->tgid, memory_order_relaxed) == tgid &&
        atomic_compare_exchange_strong_explicit(&lk->word, &w, 0,
                                                memory_order_acq_rel,
                                                memory_order_relaxed) &&
        (w & TR_MMLOCK_WAITERS))
        tr_ring__futex(&lk->word, FUTEX_WAKE, INT32_MAX, 0);
}

#endif /* MMSIM_RING_MMLOCK_H */
