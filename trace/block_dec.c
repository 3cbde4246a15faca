/*
 * block_dec.c - decoding a version 2 event block (block.c writes them):
 * the block's framing into column cursors, then one event at a time with
 * the same thread slots and pointer rings the writer kept. Every value is
 * checked; a bad one fails the event and so the chunk.
 */
#include <string.h>

#include "internal.h"

/**
 * tr__blk_open() - parse a block's header into column cursors
 * @body: cursor over the record's body
 * @cols: receives TR__NR_COLS cursors
 * @n: receives the number of events (at least 1)
 * @unit: receives the time unit in ns (1 to TR_TIME_RES_MAX)
 *
 * Bytes after the last column are ignored, as after any record's fields.
 * Return: 0, or -1 if the header or the column lengths are malformed.
 */
int tr__blk_open(struct tr__cur *body, struct tr__cur *cols, uint32_t *n,
                 uint64_t *unit)
{
    uint64_t len[TR__NR_COLS];
    uint64_t nc;

    *n = tr__get_u32id(body);
    nc = tr__get_varint(body);
    *unit = tr__get_varint(body);
    if (body->err || *n == 0 || nc != TR__NR_COLS || *unit == 0 ||
        *unit > TR_TIME_RES_MAX)
        return -1;
    for (int i = 0; i < TR__NR_COLS; i++)
        len[i] = tr__get_varint(body);
    if (body->err)
        return -1;
    const uint8_t *p = body->p;
    for (int i = 0; i < TR__NR_COLS; i++) {
        if (len[i] > (uint64_t)(body->end - p))
            return -1;
        cols[i] = (struct tr__cur){p, p + len[i], 0};
        p += len[i];
    }
    return 0;
}

/* The event's slot: the previous event's, or the thread column's. */
static struct tr__slot *dec_slot(struct tr__blk *b, struct tr__cur *c,
                                 uint64_t mask)
{
    uint32_t i;

    if (!(mask & TR__EB_TID)) {
        if (b->cur < 0)
            return NULL; /* the block's first event names its thread */
        i = (uint32_t)b->cur;
    } else {
        uint32_t ref = tr__get_u32id(c);
        if (ref == 0) {
            uint32_t tid = tr__get_u32id(c), pid = tr__get_u32id(c);
            if (c->err)
                return NULL;
            i = tr__blk_new_slot(b, tid, pid);
        } else if (ref <= b->nr_slots) {
            i = ref - 1;
        } else {
            return NULL;
        }
    }
    if (c->err)
        return NULL;
    b->cur = (int32_t)i;
    b->slots[i].last_use = b->events;
    return &b->slots[i];
}

/* A heap pointer from a ring distance or a difference; updates the slot. */
static int dec_ptr(struct tr__slot *s, int ring, int push, uint64_t raw,
                   int ref, uint64_t *p)
{
    if (ref) {
        uint32_t n = s->count[ring];
        if (raw >= n || raw >= TR__RING)
            return -1;
        *p = s->ring[ring][(n - 1 - raw) % TR__RING];
    } else {
        *p = s->ptr + (uint64_t)tr__unzigzag(raw);
    }
    s->ptr = *p;
    if (push >= 0)
        tr__blk_push(s, push, *p);
    return 0;
}

/* The mask's ref bits may only mark fields that are present pointers. */
static int refs_valid(const struct tr__blk_field *f, uint64_t m)
{
    if ((m & TR__EB_A0_REF) && (!(m & TR__EB_A0) || f[1].ring < 0))
        return 0;
    if ((m & TR__EB_RET_REF) && (!(m & TR__EB_RET) || f[3].ring < 0))
        return 0;
    return 1;
}

/* The fields of the mask, each from its column, pointers through rings. */
static int dec_fields(struct tr__slot *s, struct tr__cur *cols,
                      const struct tr__blk_field *f, uint64_t m, uint64_t *v)
{
    for (unsigned i = 0; i < TR__EB_NR; i++) {
        if (i == 4 || i == 5 || !(m & (1u << i)))
            continue;
        struct tr__cur *c = &cols[f[i].col];
        uint64_t raw = tr__get_varint(c);
        if (c->err)
            return -1;
        v[i] = raw;
        if (f[i].ring < 0)
            continue;
        int ref = (m & (i == 1 ? TR__EB_A0_REF : TR__EB_RET_REF)) != 0;
        if (dec_ptr(s, f[i].ring, f[i].push, raw, ref, &v[i]))
            return -1;
        if (i == 3)
            v[i] = tr__zigzag((int64_t)v[i]);
    }
    return 0;
}

/**
 * tr__blk_decode() - decode the block's next event
 * @b: the block state (tr__blk_reset() at the block's start)
 * @cols: the column cursors from tr__blk_open()
 * @ev: receives the event
 *
 * Return: 0, or -1 if the event is malformed.
 */
int tr__blk_decode(struct tr__blk *b, struct tr__cur *cols, struct tr_event *ev)
{
    uint64_t type = tr__get_varint(&cols[TR__COL_HEAD]);
    uint64_t m = tr__get_varint(&cols[TR__COL_HEAD]);
    uint64_t v[TR__EB_NR] = {0};

    if (cols[TR__COL_HEAD].err || type > UINT32_MAX || m >> 16 ||
        (m & TR__EB_PID))
        return -1;
    const struct tr__blk_field *f = tr__blk_fields((uint32_t)type);
    if (!refs_valid(f, m))
        return -1;
    struct tr__slot *s = dec_slot(b, &cols[TR__COL_THREAD], m);
    if (!s)
        return -1;
    memset(ev, 0, sizeof(*ev));
    uint64_t dt = tr__get_varint(&cols[TR__COL_TIME]);
    if (cols[TR__COL_TIME].err ||
        dec_fields(s, cols, f, m, v))
        return -1;
    v[4] = s->tid;
    v[5] = s->pid;
    if (tr__values_event(v, ev))
        return -1;
    ev->type = (uint32_t)type;
    if (b->unit > 1 && tr__blk_is_alloc(ev->type))
        ev->t_ns = (s->t_ns / b->unit + (uint64_t)tr__unzigzag(dt)) * b->unit;
    else
        ev->t_ns = s->t_ns + (uint64_t)tr__unzigzag(dt);
    s->t_ns = b->t_ns = ev->t_ns;
    b->events++;
    return 0;
}
