/*
 * codec.c - the byte-level primitives of the trace format: CRC-32C,
 * LEB128 varints, zigzag, little-endian fields, the chunk header layout and
 * the version 1 event record (read only). Shared by the writer and the reader so both sides
 * agree by construction; docs/trace-format.md is the specification.
 */
#include <string.h>

#include "internal.h"

/* CRC-32C (Castagnoli) table, reflected polynomial 0x82F63B78. */
static const uint32_t crc_table[256] = {
    0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4, 0xc79a971f, 0x35f1141c,
    0x26a1e7e8, 0xd4ca64eb, 0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
    0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24, 0x105ec76f, 0xe235446c,
    0xf165b798, 0x030e349b, 0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
    0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54, 0x5d1d08bf, 0xaf768bbc,
    0xbc267848, 0x4e4dfb4b, 0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
    0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35, 0xaa64d611, 0x580f5512,
    0x4b5fa6e6, 0xb93425e5, 0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
    0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45, 0xf779deae, 0x05125dad,
    0x1642ae59, 0xe4292d5a, 0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
    0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595, 0x417b1dbc, 0xb3109ebf,
    0xa0406d4b, 0x522bee48, 0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
    0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687, 0x0c38d26c, 0xfe53516f,
    0xed03a29b, 0x1f682198, 0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
    0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38, 0xdbfc821c, 0x2997011f,
    0x3ac7f2eb, 0xc8ac71e8, 0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
    0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096, 0xa65c047d, 0x5437877e,
    0x4767748a, 0xb50cf789, 0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
    0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46, 0x7198540d, 0x83f3d70e,
    0x90a324fa, 0x62c8a7f9, 0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
    0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36, 0x3cdb9bdd, 0xceb018de,
    0xdde0eb2a, 0x2f8b6829, 0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
    0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93, 0x082f63b7, 0xfa44e0b4,
    0xe9141340, 0x1b7f9043, 0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
    0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3, 0x55326b08, 0xa759e80b,
    0xb4091bff, 0x466298fc, 0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
    0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033, 0xa24bb5a6, 0x502036a5,
    0x4370c551, 0xb11b4652, 0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
    0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d, 0xef087a76, 0x1d63f975,
    0x0e330a81, 0xfc588982, 0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
    0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622, 0x38cc2a06, 0xcaa7a905,
    0xd9f75af1, 0x2b9cd9f2, 0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
    0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530, 0x0417b1db, 0xf67c32d8,
    0xe52cc12c, 0x1747422f, 0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
    0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0, 0xd3d3e1ab, 0x21b862a8,
    0x32e8915c, 0xc083125f, 0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
    0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90, 0x9e902e7b, 0x6cfbad78,
    0x7fab5e8c, 0x8dc0dd8f, 0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
    0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1, 0x69e9f0d5, 0x9b8273d6,
    0x88d28022, 0x7ab90321, 0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
    0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81, 0x34f4f86a, 0xc69f7b69,
    0xd5cf889d, 0x27a40b9e, 0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
    0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

/**
 * tr__crc32c() - CRC-32C of @len bytes, continuing from @crc
 * @crc: 0 for a fresh checksum, or a previous result to extend it
 * @data: the bytes
 * @len: their number
 *
 * Return: the checksum (the standard CRC-32C: "123456789" gives 0xE3069283).
 */
uint32_t tr__crc32c(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

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
