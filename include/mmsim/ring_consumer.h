/*
 * mmsim shared ring, part 3: the consumer side (the supervisor): reading
 * committed records in order, releasing them, waking producers that wait
 * for space, and giving up on a slot whose producer died. The protocol is
 * described in mmsim/ring.h (which includes this file).
 */
#ifndef MMSIM_RING_CONSUMER_H
#define MMSIM_RING_CONSUMER_H

#include "mmsim/ring.h"

/* What tr_ring_peek() found at the consumer's position. */
enum tr_ring_state {
    TR_RING_EMPTY = 0,   /* nothing reserved */
    TR_RING_READY = 1,   /* a committed record */
    TR_RING_PENDING = 2, /* reserved, not yet committed */
};

/**
 * tr_ring_peek() - look at the record at the consumer's position.
 * @h: the mapped ring.
 * @out: receives the slot when TR_RING_READY.
 *
 * Return: enum tr_ring_state. After READY, copy what is needed from the
 * slot, then call tr_ring_release().
 */
static inline int tr_ring_peek(struct tr_ring_hdr *h, struct tr_ring_slot **out)
{
    uint64_t p = atomic_load_explicit(&h->tail, memory_order_relaxed);
    struct tr_ring_slot *s = tr_ring_slot_at(h, p);
    uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);

    if (seq == tr_ring__lap(h, p) + 1) {
        *out = s;
        return TR_RING_READY;
    }
    if (atomic_load_explicit(&h->head, memory_order_acquire) > p)
        return TR_RING_PENDING;
    return TR_RING_EMPTY;
}

/**
 * tr_ring_wake() - wake producers waiting for space (consumer).
 * @h: the mapped ring.
 *
 * Call after each batch of tr_ring_release() calls (and when going idle):
 * release itself does not make the syscall, so a batch costs one wake-up.
 */
static inline void tr_ring_wake(struct tr_ring_hdr *h)
{
    /* Orders the batch's tail stores before the load of full_waiters,
     * against the producer's increment and then load of tail
     * (tr_ring__wait_space()): one of the two sees the other's write. */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&h->full_waiters, memory_order_seq_cst) != 0) {
        atomic_fetch_add_explicit(&h->space, 1, memory_order_release);
        tr_ring__futex(&h->space, FUTEX_WAKE, INT32_MAX, 0);
    }
}

/**
 * tr_ring_bell_reset() - after a drain: the next producer to fill the ring
 * may ring the doorbell again (consumer).
 * @h: the mapped ring.
 */
static inline void tr_ring_bell_reset(struct tr_ring_hdr *h)
{
    if (atomic_load_explicit(&h->bell_rung, memory_order_relaxed))
        atomic_store_explicit(&h->bell_rung, 0, memory_order_relaxed);
}

/* A plain store: the fence a waiting producer needs is tr_ring_wake()'s,
 * once per batch, not one per record. */
static inline void tr_ring__advance(struct tr_ring_hdr *h, uint64_t p)
{
    atomic_store_explicit(&h->tail, p + 1, memory_order_release);
}

/**
 * tr_ring_release() - free the record returned by tr_ring_peek() (consumer).
 * @h: the mapped ring.
 */
static inline void tr_ring_release(struct tr_ring_hdr *h)
{
    uint64_t p = atomic_load_explicit(&h->tail, memory_order_relaxed);

    atomic_store_explicit(&tr_ring_slot_at(h, p)->seq,
                          tr_ring__lap(h, p) + h->nslots, memory_order_release);
    tr_ring__advance(h, p);
}

/**
 * tr_ring_abandon() - give up on a PENDING slot (consumer).
 * @h: the mapped ring.
 *
 * Only when the producer is known dead or after TR_RING_ABANDON_NS; see the
 * header comment for the residual risk.
 *
 * Return: 0 if abandoned (counted in hdr.lost_total, the consumer reports a
 * TR_EV_LOST with TR_LOST_ABANDONED), -1 if the producer committed first
 * (peek again).
 */
static inline int tr_ring_abandon(struct tr_ring_hdr *h)
{
    uint64_t p = atomic_load_explicit(&h->tail, memory_order_relaxed);
    uint64_t want = tr_ring__lap(h, p);

    if (!atomic_compare_exchange_strong_explicit(
            &tr_ring_slot_at(h, p)->seq, &want, want + h->nslots,
            memory_order_acq_rel, memory_order_relaxed))
        return -1;
    atomic_fetch_add_explicit(&h->lost_total, 1, memory_order_relaxed);
    tr_ring__advance(h, p);
    return 0;
}

#endif /* MMSIM_RING_CONSUMER_H */
