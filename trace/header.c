/*
 * header.c - the file header body: the recording machine's facts as a list
 * of tagged fields (tag, length, bytes). The writer encodes a struct
 * tr_header; the reader decodes the body into one and hands it to
 * on_header. Unknown field tags are skipped and counted.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Bytes one field takes: tag, length, value. */
static size_t field_size(size_t len)
{
    return 1 + 10 + len;
}

static size_t put_field(uint8_t *p, unsigned tag, const void *v, size_t len)
{
    size_t n = tr__put_varint(p, tag);

    n += tr__put_varint(p + n, len);
    if (len)
        memcpy(p + n, v, len);
    return n + len;
}

static size_t put_text(uint8_t *p, unsigned tag, const char *s)
{
    return s ? put_field(p, tag, s, strlen(s)) : 0;
}

static size_t put_num(uint8_t *p, unsigned tag, uint64_t v)
{
    uint8_t tmp[10];

    return put_field(p, tag, tmp, tr__put_varint(tmp, v));
}

static size_t text_size(const char *s)
{
    return s ? field_size(strlen(s)) : 0;
}

static size_t header_bound(const struct tr_header *h)
{
    size_t n = 4 * field_size(10) + field_size(h->cmdline_len);
    const char *texts[] = {h->tool, h->kernel_release, h->hostname,
                           h->thp_enabled, h->thp_defrag, h->sysctl_vm,
                           h->meminfo, h->zoneinfo};

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        n += text_size(texts[i]);
    for (uint32_t i = 0; i < h->nr_extra; i++)
        n += field_size(10 + strlen(h->extra[i].name) +
                        strlen(h->extra[i].value));
    return n;
}

static size_t put_extra(uint8_t *p, const struct tr_kv *kv)
{
    size_t nl = strlen(kv->name), vl = strlen(kv->value);
    size_t n = tr__put_varint(p, TR__H_EXTRA);
    uint8_t tmp[10];
    size_t tl = tr__put_varint(tmp, nl);

    n += tr__put_varint(p + n, tl + nl + vl);
    memcpy(p + n, tmp, tl);
    memcpy(p + n + tl, kv->name, nl);
    memcpy(p + n + tl + nl, kv->value, vl);
    return n + tl + nl + vl;
}

/**
 * tr__header_encode() - encode a header body
 * @h: the facts
 * @out: receives a malloc'd body (the caller frees it)
 * @len: receives its length
 *
 * Return: 0, MM_ENOMEM, or MM_ERANGE if the body exceeds TR_HEADER_MAX.
 */
int tr__header_encode(const struct tr_header *h, uint8_t **out, size_t *len)
{
    uint8_t *p = malloc(header_bound(h));
    size_t n = 0;

    if (!p)
        return MM_ENOMEM;
    n += put_text(p + n, TR__H_TOOL, h->tool);
    n += put_text(p + n, TR__H_KERNEL_RELEASE, h->kernel_release);
    n += put_text(p + n, TR__H_HOSTNAME, h->hostname);
    n += put_num(p + n, TR__H_PAGE_SIZE, h->page_size);
    n += put_text(p + n, TR__H_THP_ENABLED, h->thp_enabled);
    n += put_text(p + n, TR__H_THP_DEFRAG, h->thp_defrag);
    n += put_text(p + n, TR__H_SYSCTL_VM, h->sysctl_vm);
    n += put_text(p + n, TR__H_MEMINFO, h->meminfo);
    n += put_text(p + n, TR__H_ZONEINFO, h->zoneinfo);
    if (h->cmdline)
        n += put_field(p + n, TR__H_CMDLINE, h->cmdline, h->cmdline_len);
    n += put_num(p + n, TR__H_START_REALTIME, h->start_realtime_ns);
    n += put_num(p + n, TR__H_START_MONOTONIC, h->start_monotonic_ns);
    for (uint32_t i = 0; i < h->nr_extra; i++)
        n += put_extra(p + n, &h->extra[i]);
    if (n > TR_HEADER_MAX) {
        free(p);
        return MM_ERANGE;
    }
    *out = p;
    *len = n;
    return 0;
}

/* Decoding: text values are copied NUL-terminated into one arena. */
struct hdr_dec {
    struct tr_header h;
    struct tr_kv *extra;
    char *arena;
    size_t used;
    uint64_t unknown;
};

static char *copy_text(struct hdr_dec *d, const uint8_t *v, size_t len)
{
    char *s = d->arena + d->used;

    memcpy(s, v, len);
    s[len] = '\0';
    d->used += len + 1;
    return s;
}

static int decode_num(const uint8_t *v, size_t len, uint64_t *out)
{
    struct tr__cur c = {v, v + len, 0};

    *out = tr__get_varint(&c);
    return c.err || c.p != c.end ? -1 : 0;
}

static int decode_extra(struct hdr_dec *d, const uint8_t *v, size_t len)
{
    struct tr__cur c = {v, v + len, 0};
    uint64_t nl = tr__get_varint(&c);

    if (c.err || nl > (size_t)(c.end - c.p))
        return -1;
    struct tr_kv *kv = &d->extra[d->h.nr_extra++];
    kv->name = copy_text(d, c.p, nl);
    kv->value = copy_text(d, c.p + nl, (size_t)(c.end - c.p) - nl);
    return 0;
}

static int decode_field(struct hdr_dec *d, uint64_t tag, const uint8_t *v,
                        size_t len)
{
    struct tr_header *h = &d->h;
    uint64_t num;

    switch (tag) {
    case TR__H_TOOL: h->tool = copy_text(d, v, len); return 0;
    case TR__H_KERNEL_RELEASE: h->kernel_release = copy_text(d, v, len); return 0;
    case TR__H_HOSTNAME: h->hostname = copy_text(d, v, len); return 0;
    case TR__H_THP_ENABLED: h->thp_enabled = copy_text(d, v, len); return 0;
    case TR__H_THP_DEFRAG: h->thp_defrag = copy_text(d, v, len); return 0;
    case TR__H_SYSCTL_VM: h->sysctl_vm = copy_text(d, v, len); return 0;
    case TR__H_MEMINFO: h->meminfo = copy_text(d, v, len); return 0;
    case TR__H_ZONEINFO: h->zoneinfo = copy_text(d, v, len); return 0;
    case TR__H_CMDLINE:
        h->cmdline = copy_text(d, v, len);
        h->cmdline_len = len;
        return 0;
    case TR__H_EXTRA: return decode_extra(d, v, len);
    case TR__H_PAGE_SIZE:
        if (decode_num(v, len, &num) || num > UINT32_MAX)
            return -1;
        h->page_size = (uint32_t)num;
        return 0;
    case TR__H_START_REALTIME: return decode_num(v, len, &h->start_realtime_ns);
    case TR__H_START_MONOTONIC: return decode_num(v, len, &h->start_monotonic_ns);
    }
    d->unknown++;
    return 0;
}

/* Walk the fields; with @d->arena NULL only count them and check framing. */
static int walk_fields(struct hdr_dec *d, const uint8_t *body, size_t len,
                       uint32_t *nr_fields)
{
    struct tr__cur c = {body, body + len, 0};

    *nr_fields = 0;
    while (c.p < c.end) {
        uint64_t tag = tr__get_varint(&c);
        uint64_t flen = tr__get_varint(&c);
        if (c.err || flen > (size_t)(c.end - c.p))
            return -1;
        if (d->arena && decode_field(d, tag, c.p, flen))
            return -1;
        c.p += flen;
        (*nr_fields)++;
    }
    return 0;
}

/**
 * tr__header_deliver() - decode a header body and call on_header
 * @body: the body bytes (checksum already verified)
 * @len: their number
 * @version: the file's format version, passed on
 * @c: the consumer
 * @arg: its argument
 * @unknown: incremented by the number of unknown fields skipped
 *
 * Return: 0, the callback's non-zero value, -1 for a malformed body, or
 * MM_ENOMEM.
 */
int tr__header_deliver(const uint8_t *body, size_t len, uint32_t version,
                       const struct tr_consumer *c, void *arg,
                       uint64_t *unknown)
{
    struct hdr_dec d = {0};
    uint32_t nr;

    if (walk_fields(&d, body, len, &nr))
        return -1;
    d.arena = malloc(len + nr + 1);
    d.extra = calloc(nr + 1, sizeof(*d.extra));
    int rc = MM_ENOMEM;
    if (d.arena && d.extra) {
        d.h.extra = d.extra;
        rc = walk_fields(&d, body, len, &nr);
        *unknown += d.unknown;
        if (rc == 0 && c->on_header)
            rc = c->on_header(arg, version, &d.h);
    }
    free(d.arena);
    free(d.extra);
    return rc;
}
