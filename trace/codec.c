/*
 * codec.c - the byte-level primitives of the trace format: LEB128
 * varints, zigzag, little-endian fields, the chunk header layout and the
 * version 1 event record (read only); CRC-32C is in crc32c.c. Shared by
 * the writer and the reader so both sides agree by construction;
 * docs/trace-format.md is the specification.
 */
#include <string.h>

#include "internal.h"

/**
 * tr__hash() - 64-bit FNV-1a with a final mix, for the intern tables
 * @data: the bytes
 * @len: their number
 *
 * Return: the hash.
 */
uint64_t tr__hash(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/** tr__put_varint() - LEB128 @v into @p (up to 10 bytes); returns bytes. */
size_t tr__put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/** tr__zigzag() - map a signed value to unsigned, small magnitudes small. */
uint64_t tr__zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/** tr__unzigzag() - inverse of tr__zigzag(). */
int64_t tr__unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/**
 * tr__get_varint() - decode one LEB128 value at the cursor
 * @c: the cursor; c->err is set on a truncated or over-long (> 10 bytes,
 *     or > 64 bits) encoding, and 0 is returned
 *
 * Return: the value.
 */
uint64_t tr__get_varint(struct tr__cur *c)
{
    uint64_t v = 0;

    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (c->err || c->p >= c->end) {
            c->err = 1;
            return 0;
        }
        uint8_t b = *c->p++;
        if (shift == 63 && b > 1) {
            c->err = 1;
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    c->err = 1;
    return 0;
}

/** tr__get_u32id() - a varint that must fit 32 bits (ids, counts). */
uint32_t tr__get_u32id(struct tr__cur *c)
{
    uint64_t v = tr__get_varint(c);

    if (v > UINT32_MAX) {
        c->err = 1;
        return 0;
    }
    return (uint32_t)v;
}

/** tr__put_le16() - store @v little-endian. */
void tr__put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/** tr__put_le32() - store @v little-endian. */
void tr__put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/** tr__put_le64() - store @v little-endian. */
void tr__put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/** tr__get_le16() - load a little-endian 16-bit value. */
uint16_t tr__get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/** tr__get_le32() - load a little-endian 32-bit value. */
uint32_t tr__get_le32(const uint8_t *p)
{
    uint32_t v = 0;

    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/** tr__get_le64() - load a little-endian 64-bit value. */
uint64_t tr__get_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/**
 * tr__chunk_hdr_encode() - lay out a chunk header, with both checksums
 * @out: TR__CHUNK_HDR_LEN bytes
 * @h: the fields (payload_crc already computed)
 */
void tr__chunk_hdr_encode(uint8_t *out, const struct tr__chunk_hdr *h)
{
    memcpy(out, TR__CHUNK_MAGIC, TR__MAGIC_LEN);
    tr__put_le16(out + 8, h->kind);
    tr__put_le16(out + 10, h->codec);
    tr__put_le32(out + 12, h->seq);
    tr__put_le32(out + 16, h->stored_len);
    tr__put_le32(out + 20, h->raw_len);
    tr__put_le32(out + 24, h->nr_events);
    tr__put_le32(out + 28, h->nr_records);
    tr__put_le64(out + 32, h->first_ts);
    tr__put_le32(out + 40, h->first_string);
    tr__put_le32(out + 44, h->first_stack);
    tr__put_le32(out + 48, h->first_module);
    tr__put_le32(out + 52, h->payload_crc);
    tr__put_le32(out + 56, 0);
    tr__put_le32(out + 60, tr__crc32c(0, out, 60));
}

/**
 * tr__chunk_hdr_decode() - parse and check a chunk header
 * @in: TR__CHUNK_HDR_LEN bytes
 * @h: receives the fields
 *
 * Return: 0 if the magic, the header checksum and the field ranges are
 * right; -1 otherwise (the header cannot be trusted to frame a chunk).
 */
int tr__chunk_hdr_decode(const uint8_t *in, struct tr__chunk_hdr *h)
{
    if (memcmp(in, TR__CHUNK_MAGIC, TR__MAGIC_LEN) != 0 ||
        tr__get_le32(in + 60) != tr__crc32c(0, in, 60))
        return -1;
    h->kind = tr__get_le16(in + 8);
    h->codec = tr__get_le16(in + 10);
    h->seq = tr__get_le32(in + 12);
    h->stored_len = tr__get_le32(in + 16);
    h->raw_len = tr__get_le32(in + 20);
    h->nr_events = tr__get_le32(in + 24);
    h->nr_records = tr__get_le32(in + 28);
    h->first_ts = tr__get_le64(in + 32);
    h->first_string = tr__get_le32(in + 40);
    h->first_stack = tr__get_le32(in + 44);
    h->first_module = tr__get_le32(in + 48);
    h->payload_crc = tr__get_le32(in + 52);
    if (h->kind != TR__CHUNK_DATA && h->kind != TR__CHUNK_END)
        return -1;
    if (h->codec != TR__CODEC_RAW && h->codec != TR__CODEC_ZSTD)
        return -1;
    if (h->stored_len > TR_CHUNK_MAX || h->raw_len > TR_CHUNK_MAX)
        return -1;
    if (h->codec == TR__CODEC_RAW && h->stored_len != h->raw_len)
        return -1;
    return 0;
}

/**
 * tr__event_values() - an event's fields as stored, in mask order
 * @ev: the event
 * @v: TR__EB_NR values; index i belongs to mask bit i
 */
void tr__event_values(const struct tr_event *ev, uint64_t *v)
{
    v[0] = ev->stack;
    v[1] = ev->a[0];
    v[2] = ev->a[1];
    v[3] = tr__zigzag(ev->ret);
    v[4] = ev->tid;
    v[5] = ev->pid;
    v[6] = ev->flags;
    v[7] = ev->str;
    for (int i = 2; i < 6; i++)
        v[6 + i] = ev->a[i];
    v[12] = ev->dev;
    v[13] = ev->ino;
}

/**
 * tr__values_event() - fill @ev from values in mask order
 * @v: TR__EB_NR values, as tr__event_values() gives them
 * @ev: receives the fields (t_ns and type are left alone)
 *
 * Return: 0, or -1 if a 32-bit field does not fit.
 */
int tr__values_event(const uint64_t *v, struct tr_event *ev)
{
    if (v[0] > UINT32_MAX || v[4] > UINT32_MAX || v[5] > UINT32_MAX ||
        v[6] > UINT32_MAX || v[7] > UINT32_MAX)
        return -1;
    ev->stack = (uint32_t)v[0];
    ev->a[0] = v[1];
    ev->a[1] = v[2];
    ev->ret = tr__unzigzag(v[3]);
    ev->tid = (uint32_t)v[4];
    ev->pid = (uint32_t)v[5];
    ev->flags = (uint32_t)v[6];
    ev->str = (uint32_t)v[7];
    for (int i = 2; i < 6; i++)
        ev->a[i] = v[6 + i];
    ev->dev = v[12];
    ev->ino = v[13];
    return 0;
}

/**
 * tr__event_decode() - decode a version 1 event record's body
 * @c: cursor over the body
 * @s: the chunk's codec state, updated
 * @ev: receives the event
 *
 * Return: 0, or -1 if the body is malformed (c->err is also set then).
 */
int tr__event_decode(struct tr__cur *c, struct tr__ev_state *s,
                     struct tr_event *ev)
{
    uint64_t type = tr__get_varint(c), m = tr__get_varint(c);
    uint64_t v[TR__EB_NR] = {[4] = s->tid, [5] = s->pid};

    memset(ev, 0, sizeof(*ev));
    ev->t_ns = s->t_ns + (uint64_t)tr__unzigzag(tr__get_varint(c));
    if (m >> TR__EB_NR || type > UINT32_MAX)
        c->err = 1;
    for (unsigned i = 0; i < TR__EB_NR && !c->err; i++)
        if (m & (1u << i))
            v[i] = tr__get_varint(c);
    if (c->err || tr__values_event(v, ev)) {
        c->err = 1;
        return -1;
    }
    ev->type = (uint32_t)type;
    s->t_ns = ev->t_ns;
    s->pid = ev->pid;
    s->tid = ev->tid;
    return 0;
}
