/*
 * reader_chunk.c - decoding one chunk's payload (already checksummed and
 * decompressed) into consumer calls.
 *
 * A chunk is decoded twice: a checking pass that delivers nothing, then, if
 * every record is well formed, a delivery pass. Events are event records
 * in version 1 files and event blocks (block_dec.c) from version 2 on. So a damaged chunk is
 * skipped whole and a consumer never sees half of one. Definitions must
 * take the next id in sequence; events may only use ids already defined.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* One pass over one chunk. */
struct pass {
    struct tr__dec *d;
    const struct tr__chunk_in *in;
    int deliver;
    uint32_t next_string;
    uint32_t next_stack;
    uint32_t next_module;
    uint32_t events;
    struct tr__ev_state ev_state; /* the event codec's chunk state */
};

enum { DEC_OK = 0, DEC_BAD = -1, DEC_STOP = 1 };

static int bad(struct pass *ps, const char *why, uint64_t v)
{
    snprintf(ps->d->why, sizeof(ps->d->why), "%s %llu", why,
             (unsigned long long)v);
    return DEC_BAD;
}

static int stop_if(struct pass *ps, int rc)
{
    if (rc) {
        ps->d->stop = rc;
        return DEC_STOP;
    }
    return DEC_OK;
}

static int is_lost(const struct tr__lost *l, uint32_t n, uint32_t id)
{
    for (uint32_t i = 0; i < n; i++)
        if (id >= l[i].first && id <= l[i].last)
            return 1;
    return 0;
}

/* Check the ids an event uses; count uses of ids lost with bad chunks. */
static int check_refs(struct pass *ps, const struct tr_event *ev)
{
    const struct tr__ids *ids = ps->d->ids;

    if (ev->stack >= ps->next_stack)
        return bad(ps, "event uses undefined stack id", ev->stack);
    if (ev->str >= ps->next_string)
        return bad(ps, "event uses undefined string id", ev->str);
    if (ps->deliver &&
        ((ev->stack && is_lost(ids->lost_stacks, ids->nr_lost_stacks,
                               ev->stack)) ||
         (ev->str && is_lost(ids->lost_strings, ids->nr_lost_strings,
                             ev->str))))
        ps->d->lost_refs++;
    return DEC_OK;
}

/* One decoded event: its ids checked, then delivered. */
static int take_event(struct pass *ps, const struct tr_event *ev)
{
    if (check_refs(ps, ev))
        return DEC_BAD;
    ps->events++;
    if (ps->deliver && ps->d->c->on_event)
        return stop_if(ps, ps->d->c->on_event(ps->d->arg, ev));
    return DEC_OK;
}

/* A version 1 event record. */
static int decode_event(struct pass *ps, struct tr__cur *c)
{
    struct tr_event ev;

    if (ps->d->version >= 2)
        return bad(ps, "event record in a version 2 chunk at offset",
                   (uint64_t)(c->p - ps->in->payload));
    if (tr__event_decode(c, &ps->ev_state, &ev))
        return bad(ps, "malformed event at chunk offset",
                   (uint64_t)(c->p - ps->in->payload));
    return take_event(ps, &ev);
}

/* A version 2 event block: every column must be used up exactly. */
static int decode_block(struct pass *ps, struct tr__cur *c)
{
    struct tr__cur cols[TR__NR_COLS];
    struct tr__blk *b = &ps->d->blk;
    uint32_t n;
    uint64_t unit;

    if (tr__blk_open(c, cols, &n, &unit))
        return bad(ps, "malformed event block at chunk offset",
                   (uint64_t)(c->p - ps->in->payload));
    tr__blk_reset(b, ps->in->hdr->first_ts);
    b->unit = unit;
    for (uint32_t i = 0; i < n; i++) {
        struct tr_event ev;
        if (tr__blk_decode(b, cols, &ev))
            return bad(ps, "malformed event in a block: event", i);
        int rc = take_event(ps, &ev);
        if (rc)
            return rc;
    }
    for (int i = 0; i < TR__NR_COLS; i++)
        if (cols[i].p != cols[i].end)
            return bad(ps, "bytes left in event block column", i);
    return DEC_OK;
}

static int decode_string(struct pass *ps, struct tr__cur *c)
{
    uint32_t id = tr__get_u32id(c);
    size_t len = (size_t)(c->end - c->p);

    if (c->err || id != ps->next_string)
        return bad(ps, "string definition out of sequence: id", id);
    if (len > TR_STRING_MAX)
        return bad(ps, "string too long:", len);
    ps->next_string++;
    if (!ps->deliver || !ps->d->c->on_string)
        return DEC_OK;
    memcpy(ps->d->strbuf, c->p, len);
    ps->d->strbuf[len] = '\0';
    return stop_if(ps, ps->d->c->on_string(ps->d->arg, id, ps->d->strbuf,
                                           len));
}

static int decode_stack(struct pass *ps, struct tr__cur *c)
{
    uint32_t id = tr__get_u32id(c), n = tr__get_u32id(c);
    uint64_t *ips = ps->d->frames;

    if (c->err || id != ps->next_stack)
        return bad(ps, "stack definition out of sequence: id", id);
    if (n == 0 || n > TR_STACK_MAX)
        return bad(ps, "stack with a bad frame count:", n);
    ips[0] = tr__get_varint(c);
    for (uint32_t i = 1; i < n; i++)
        ips[i] = ips[i - 1] + (uint64_t)tr__unzigzag(tr__get_varint(c));
    if (c->err)
        return bad(ps, "malformed stack id", id);
    ps->next_stack++;
    if (ps->deliver && ps->d->c->on_stack)
        return stop_if(ps, ps->d->c->on_stack(ps->d->arg, id, ips, n));
    return DEC_OK;
}

static int decode_module(struct pass *ps, struct tr__cur *c)
{
    struct tr_module m = {0};
    uint32_t id = tr__get_u32id(c);

    m.t_ns = tr__get_varint(c);
    m.pid = tr__get_u32id(c);
    m.path = tr__get_u32id(c);
    m.base = tr__get_varint(c);
    m.size = tr__get_varint(c);
    m.offset = tr__get_varint(c);
    m.build_id_len = tr__get_u32id(c);
    if (c->err || id != ps->next_module)
        return bad(ps, "module definition out of sequence: id", id);
    if (m.path == 0 || m.path >= ps->next_string)
        return bad(ps, "module uses undefined string id", m.path);
    if (m.build_id_len > TR_BUILD_ID_MAX ||
        m.build_id_len > (size_t)(c->end - c->p))
        return bad(ps, "module with a bad build ID length:", m.build_id_len);
    memcpy(m.build_id, c->p, m.build_id_len);
    ps->next_module++;
    if (ps->deliver && ps->d->c->on_module)
        return stop_if(ps, ps->d->c->on_module(ps->d->arg, id, &m));
    return DEC_OK;
}

static int decode_end(struct pass *ps, struct tr__cur *c)
{
    struct tr__totals *t = &ps->d->totals;

    if (ps->in->hdr->kind != TR__CHUNK_END)
        return bad(ps, "end record in a data chunk at record", 0);
    t->chunks = tr__get_varint(c);
    t->events = tr__get_varint(c);
    t->strings = tr__get_varint(c);
    t->stacks = tr__get_varint(c);
    t->modules = tr__get_varint(c);
    if (c->err)
        return bad(ps, "malformed end record", 0);
    ps->d->have_totals = 1;
    return DEC_OK;
}

static int decode_record(struct pass *ps, uint64_t tag, struct tr__cur *c)
{
    int is_end = ps->in->hdr->kind == TR__CHUNK_END;

    if (tag == TR__REC_BLOCK && ps->d->version < 2)
        tag = 0; /* unknown in version 1 */
    if (is_end && ((tag >= TR__REC_EVENT && tag < TR__REC_END) ||
                   tag == TR__REC_BLOCK))
        return bad(ps, "definition or event in the end chunk: tag", tag);
    switch (tag) {
    case TR__REC_EVENT: return decode_event(ps, c);
    case TR__REC_STRING: return decode_string(ps, c);
    case TR__REC_STACK: return decode_stack(ps, c);
    case TR__REC_MODULE: return decode_module(ps, c);
    case TR__REC_END: return decode_end(ps, c);
    case TR__REC_BLOCK: return decode_block(ps, c);
    }
    if (ps->deliver)
        ps->d->unknown++;
    return DEC_OK;
}

/**
 * tr__chunk_decode() - check or deliver one chunk's records
 * @d: the decoder (consumer, id state, scratch)
 * @in: the chunk: header, decompressed payload, file offset
 * @deliver: 0 to check only, 1 to call the consumer (after a good check)
 *
 * The caller has already moved d->ids past ids lost before this chunk. On
 * a good delivery pass the chunk's definitions are added to d->ids.
 *
 * Return: 0; -1 if the payload is malformed (d->why says how); 1 if a
 * callback asked to stop (its value is in d->stop).
 */
int tr__chunk_decode(struct tr__dec *d, const struct tr__chunk_in *in,
                     int deliver)
{
    struct pass ps = {d, in, deliver, d->ids->next_string,
                      d->ids->next_stack, d->ids->next_module, 0,
                      {.t_ns = in->hdr->first_ts}};
    struct tr__cur c = {in->payload, in->payload + in->hdr->raw_len, 0};
    uint32_t records = 0;

    while (c.p < c.end) {
        uint64_t tag = tr__get_varint(&c), len = tr__get_varint(&c);
        if (c.err || len > (uint64_t)(c.end - c.p))
            return bad(&ps, "record framing broken at record", records);
        struct tr__cur body = {c.p, c.p + len, 0};
        int rc = decode_record(&ps, tag, &body);
        if (rc)
            return rc;
        c.p += len;
        records++;
    }
    if (records != in->hdr->nr_records || ps.events != in->hdr->nr_events)
        return bad(&ps, "record or event count differs from the header:",
                   records);
    if (deliver) {
        d->ids->next_string = ps.next_string;
        d->ids->next_stack = ps.next_stack;
        d->ids->next_module = ps.next_module;
    }
    return DEC_OK;
}
