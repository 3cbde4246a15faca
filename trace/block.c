/*
 * block.c - the version 2 event block: a chunk's events stored column by
 * column, each field coded against what the same thread did last
 * (docs/trace-format.md, "Event block"). This file holds what the writer
 * and the reader share (the column of each field, the thread slots and
 * their pointer rings) and the writer's encoder; block_dec.c decodes.
 *
 * Why: the threads of a program interleave in the trace, so the previous
 * event is a poor predictor of the next one; the same thread's last time
 * and its recent heap pointers are good ones. A free usually releases one
 * of the thread's recent allocations and malloc usually returns one of its
 * recent frees, so most pointers become a small distance into a ring.
 * Columns keep values of one distribution together for zstd.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * How each field of each kind of event is coded (struct tr__blk_field),
 * indexed by tr__blk_fields(): row 0 for every event that is not an
 * allocator call, then one row per allocator call type (64-70). Pointer
 * arguments (a[0] of free, realloc, reallocarray, malloc_usable_size) are
 * looked up among the thread's recent allocations, pointer results (ret of
 * the allocating calls) among its recent frees.
 */
#define F_STACK {TR__COL_STACK, -1, -1}
#define F_SIZE {TR__COL_SIZE, -1, -1}
#define F_OTHER {TR__COL_OTHER, -1, -1}
#define F_FREED {TR__COL_PTR, TR__RING_ALLOC, TR__RING_FREED} /* a[0] freed */
#define F_ASKED {TR__COL_PTR, TR__RING_ALLOC, -1}   /* a[0], kept */
#define F_GIVEN {TR__COL_PTR, TR__RING_FREED, TR__RING_ALLOC} /* ret */
#define ALLOC_ROW(a0, ret)                                                 \
    {F_STACK, a0,      F_SIZE,  ret,     F_OTHER, F_OTHER, F_OTHER,        \
     F_OTHER, F_SIZE,  F_SIZE,  F_SIZE,  F_SIZE,  F_OTHER, F_OTHER}

const struct tr__blk_field tr__blk_field_rows[8][TR__EB_NR] = {
    {F_STACK, F_OTHER, F_OTHER, F_OTHER, F_OTHER, F_OTHER, F_OTHER,
     F_OTHER, F_OTHER, F_OTHER, F_OTHER, F_OTHER, F_OTHER, F_OTHER},
    ALLOC_ROW(F_SIZE, F_GIVEN),  /* malloc */
    ALLOC_ROW(F_SIZE, F_GIVEN),  /* calloc */
    ALLOC_ROW(F_FREED, F_GIVEN), /* realloc */
    ALLOC_ROW(F_FREED, F_SIZE),  /* free */
    ALLOC_ROW(F_SIZE, F_GIVEN),  /* memalign and the aligned family */
    ALLOC_ROW(F_FREED, F_GIVEN), /* reallocarray */
    ALLOC_ROW(F_ASKED, F_SIZE),  /* malloc_usable_size */
};
_Static_assert(TR_EV_MALLOC == 64 && TR_EV_CALLOC == 65 &&
                   TR_EV_REALLOC == 66 && TR_EV_FREE == 67 &&
                   TR_EV_MEMALIGN == 68 && TR_EV_REALLOCARRAY == 69 &&
                   TR_EV_USABLE_SIZE == 70,
               "the rows follow the allocator call types");

/** tr__blk_alloc() - allocate a block state's slots; 0 or MM_ENOMEM. */
int tr__blk_alloc(struct tr__blk *b)
{
    b->slots = malloc(TR__SLOTS * sizeof(*b->slots));
    return b->slots ? 0 : MM_ENOMEM;
}

/** tr__blk_free() - free a block state's slots. */
void tr__blk_free(struct tr__blk *b)
{
    free(b->slots);
    b->slots = NULL;
}

/**
 * tr__blk_reset() - start a block: no slots, time predicted from @first_ts
 * @b: the state
 * @first_ts: the chunk header's first timestamp
 */
void tr__blk_reset(struct tr__blk *b, uint64_t first_ts)
{
    b->t_ns = first_ts;
    b->events = 0;
    b->nr_slots = 0;
    b->cur = -1;
}

/**
 * tr__blk_new_slot() - give (@tid, @pid) a slot for the current event
 * @b: the state
 * @tid: the thread
 * @pid: its process
 *
 * The next free slot, or when all TR__SLOTS are taken the least recently
 * used one. The slot starts with the previous event's time, pointer 0 and
 * empty rings.
 *
 * Return: the slot's index.
 */
uint32_t tr__blk_new_slot(struct tr__blk *b, uint32_t tid, uint32_t pid)
{
    uint32_t i = b->nr_slots;

    if (i < TR__SLOTS) {
        b->nr_slots++;
    } else {
        i = 0;
        for (uint32_t j = 1; j < TR__SLOTS; j++)
            if (b->slots[j].last_use < b->slots[i].last_use)
                i = j;
    }
    struct tr__slot *s = &b->slots[i];
    s->tid = tid;
    s->pid = pid;
    s->t_ns = b->t_ns;
    s->ptr = 0;
    s->last_use = b->events;
    s->count[TR__RING_ALLOC] = s->count[TR__RING_FREED] = 0;
    return i;
}

/** tr__blk_push() - remember @ptr as the newest entry of ring @ring. */
void tr__blk_push(struct tr__slot *s, int ring, uint64_t ptr)
{
    s->ring[ring][s->count[ring]++ % TR__RING] = ptr;
}

/*
 * What the time column stores for @ev: an allocator call's time in units
 * minus the slot's last time in whole units (rounded down), or for any
 * other event the difference in ns (tr__blk_decode() inverts it).
 */
static int64_t time_delta(const struct tr__blk *b, const struct tr__slot *s,
                          const struct tr_event *ev)
{
    if (b->unit > 1 && tr__blk_is_alloc(ev->type))
        return (int64_t)(ev->t_ns / b->unit) - (int64_t)(s->t_ns / b->unit);
    return (int64_t)(ev->t_ns - s->t_ns);
}

/* ---- the encoder --------------------------------------------------- */

/**
 * tr__blk_enc_init() - allocate an encoder whose columns hold @cap bytes
 * @e: the encoder
 * @cap: the chunk buffer's size (a block never exceeds it)
 * @unit: the time resolution of allocator calls in ns (at least 1); their
 *        times are rounded down to multiples of it by the caller
 *
 * Return: 0 or MM_ENOMEM (tr__blk_enc_free() cleans up either way).
 */
int tr__blk_enc_init(struct tr__blk_enc *e, uint32_t cap, uint64_t unit)
{
    int ok = 1;

    memset(e, 0, sizeof(*e));
    for (int i = 0; i < TR__NR_COLS; i++)
        ok &= (e->col[i] = malloc(cap)) != NULL;
    e->index = calloc(TR__SLOTS, sizeof(*e->index));
    if (!ok || !e->index || tr__blk_alloc(&e->b))
        return MM_ENOMEM;
    tr__blk_reset(&e->b, 0);
    e->b.unit = unit;
    return 0;
}

/** tr__blk_enc_free() - free what tr__blk_enc_init() allocated. */
void tr__blk_enc_free(struct tr__blk_enc *e)
{
    for (int i = 0; i < TR__NR_COLS; i++)
        free(e->col[i]);
    free(e->index);
    tr__blk_free(&e->b);
}

/** tr__blk_enc_reset() - empty the columns and start a new block. */
void tr__blk_enc_reset(struct tr__blk_enc *e, uint64_t first_ts)
{
    memset(e->len, 0, sizeof(e->len));
    e->total = 0;
    tr__blk_reset(&e->b, first_ts);
}

static void put(struct tr__blk_enc *e, enum tr__col c, uint64_t v)
{
    size_t n = tr__put_varint(e->col[c] + e->len[c], v);

    e->len[c] += (uint32_t)n;
    e->total += (uint32_t)n;
}

/* The slot of the event's thread; a change of slot is coded in the thread
 * column and sets the mask's tid bit. */
static uint32_t enc_slot(struct tr__blk_enc *e, const struct tr_event *ev,
                         uint32_t *mask)
{
    struct tr__blk *b = &e->b;
    uint32_t i = (uint32_t)b->cur;

    if (b->cur >= 0 && b->slots[i].tid == ev->tid &&
        b->slots[i].pid == ev->pid) {
        b->slots[i].last_use = b->events;
        return i;
    }
    *mask |= TR__EB_TID;
    for (i = 0; i < b->nr_slots; i++)
        if (b->slots[i].tid == ev->tid && b->slots[i].pid == ev->pid) {
            put(e, TR__COL_THREAD, i + 1);
            b->slots[i].last_use = b->events;
            return i;
        }
    put(e, TR__COL_THREAD, 0);
    put(e, TR__COL_THREAD, ev->tid);
    put(e, TR__COL_THREAD, ev->pid);
    return tr__blk_new_slot(b, ev->tid, ev->pid);
}

static uint32_t idx_hash(uint64_t p)
{
    return (uint32_t)(((p >> 4) * 0x9e3779b97f4a7c15ull) >> 53) &
           (TR__INDEX - 1);
}

/* A heap pointer: a ring distance when the ring has it, else a difference
 * from the thread's last pointer. Updates the slot as the decoder will. */
static uint64_t enc_ptr(struct tr__blk_enc *e, uint32_t si,
                        const struct tr__blk_field *f, unsigned bit,
                        uint64_t p, uint32_t *mask)
{
    struct tr__slot *s = &e->b.slots[si];
    int push = f->push, r = f->ring;
    uint64_t out;
    uint32_t pos = e->index[si][r][idx_hash(p)], n = s->count[r];
    if (pos < n && n - pos <= TR__RING && s->ring[r][pos % TR__RING] == p) {
        *mask |= bit == 1 ? TR__EB_A0_REF : TR__EB_RET_REF;
        out = n - 1 - pos;
    } else {
        out = tr__zigzag((int64_t)(p - s->ptr));
    }
    s->ptr = p;
    if (push >= 0) {
        e->index[si][push][idx_hash(p)] = s->count[push];
        tr__blk_push(s, push, p);
    }
    return out;
}

/**
 * tr__blk_encode() - append one event to the block's columns
 * @e: the encoder; the caller made room for TR__BLK_EVENT_MAX bytes
 * @ev: the event; an allocator call's time a multiple of the block's unit
 */
void tr__blk_encode(struct tr__blk_enc *e, const struct tr_event *ev)
{
    const struct tr__blk_field *f = tr__blk_fields(ev->type);
    uint64_t v[TR__EB_NR];
    uint32_t m = 0, si = enc_slot(e, ev, &m);
    struct tr__slot *s = &e->b.slots[si];

    tr__event_values(ev, v);
    v[3] = (uint64_t)ev->ret; /* zigzagged below unless it is a pointer */
    for (unsigned i = 0; i < TR__EB_NR; i++) {
        if (i == 4 || i == 5 || !v[i])
            continue;
        m |= 1u << i;
        if (f[i].ring >= 0)
            v[i] = enc_ptr(e, si, &f[i], i, v[i], &m);
        else if (i == 3)
            v[i] = tr__zigzag(ev->ret);
    }
    put(e, TR__COL_HEAD, ev->type);
    put(e, TR__COL_HEAD, m);
    put(e, TR__COL_TIME, tr__zigzag(time_delta(&e->b, s, ev)));
    for (unsigned i = 0; i < TR__EB_NR; i++)
        if (i != 4 && i != 5 && (m & (1u << i)))
            put(e, (enum tr__col)f[i].col, v[i]);
    s->t_ns = e->b.t_ns = ev->t_ns;
    e->b.cur = (int32_t)si;
    e->b.events++;
}

/**
 * tr__blk_finish() - write the block as one record
 * @e: the encoder, with at least one event
 * @out: room for e->total + TR__BLK_HDR_MAX bytes
 *
 * Return: bytes written: tag, length, event count, column count, time
 * unit, the column lengths, the columns.
 */
size_t tr__blk_finish(struct tr__blk_enc *e, uint8_t *out)
{
    uint8_t head[TR__BLK_HDR_MAX];
    size_t hn = tr__put_varint(head, e->b.events);
    size_t n;

    hn += tr__put_varint(head + hn, TR__NR_COLS);
    hn += tr__put_varint(head + hn, e->b.unit);
    for (int i = 0; i < TR__NR_COLS; i++)
        hn += tr__put_varint(head + hn, e->len[i]);
    n = tr__put_varint(out, TR__REC_BLOCK);
    n += tr__put_varint(out + n, hn + e->total);
    memcpy(out + n, head, hn);
    n += hn;
    for (int i = 0; i < TR__NR_COLS; i++) {
        memcpy(out + n, e->col[i], e->len[i]);
        n += e->len[i];
    }
    return n;
}
