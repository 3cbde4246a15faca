/*
 * writer.c - the trace writer: creates the file safely, writes the header,
 * buffers records in a fixed-size chunk buffer and writes each full buffer
 * as one checksummed, zstd-compressed chunk with write(2). Strings and
 * stacks are interned so each distinct one is written once, before its
 * first use. Not thread-safe: one writer per thread, or the caller locks.
 *
 * Memory is allocated at open (the chunk and compression buffers) and when
 * the intern tables grow; the per-event path does not allocate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "internal.h"

struct tr_writer {
    int fd;
    int err;              /* first error; sticky */
    uint8_t *buf;         /* TR__CHUNK_HDR_LEN + cap: header room, records */
    uint32_t cap;
    uint32_t len;         /* record bytes buffered */
    uint8_t *zbuf;        /* TR__CHUNK_HDR_LEN + zcap */
    size_t zcap;
    ZSTD_CCtx *cctx;
    int level;
    uint64_t time_res; /* allocator calls' times are rounded down to it */
    struct tr__chunk_hdr ch; /* the chunk being filled */
    struct tr__blk_enc blk;  /* the chunk's events, in columns */
    struct tr__intern strings;
    struct tr__intern stacks;
    struct tr_writer_stats st;
    uint8_t frames[TR_STACK_MAX * 10]; /* a stack record's frames */
};

static int errno_to_mm(int e)
{
    switch (e) {
    case EEXIST:
    case ELOOP:
    case EISDIR:
        return MM_EEXIST;
    case ENOENT:
    case ENOTDIR:
        return MM_ENOENT;
    case EACCES:
    case EPERM:
    case EROFS:
        return MM_EACCES;
    case ENOSPC:
    case EDQUOT:
        return MM_ENOSPC;
    case ENOMEM:
        return MM_ENOMEM;
    }
    return MM_EIO;
}

/* write(2) all of @len bytes; a regular file never blocks for long. */
static int write_all(struct tr_writer *w, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len && !w->err) {
        ssize_t n = write(w->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            w->err = n < 0 ? errno_to_mm(errno) : MM_EIO;
        else {
            p += n;
            len -= (size_t)n;
            w->st.bytes += (uint64_t)n;
        }
    }
    return w->err;
}

static int create_file(const char *path, uint32_t flags)
{
    const int oflags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(path, oflags, 0600);

    if (fd < 0 && errno == EEXIST && (flags & TR_W_REPLACE)) {
        /* unlink() removes a symlink itself, never its target. */
        if (unlink(path) != 0)
            return errno_to_mm(errno);
        fd = open(path, oflags, 0600);
    }
    if (fd < 0)
        return errno_to_mm(errno);
    if (fchmod(fd, 0600) != 0) {
        int rc = errno_to_mm(errno);
        close(fd);
        return rc;
    }
    return fd;
}

static void chunk_reset(struct tr_writer *w)
{
    w->ch = (struct tr__chunk_hdr){
        .kind = TR__CHUNK_DATA,
        .seq = w->st.chunks,
        .first_string = w->st.strings + 1,
        .first_stack = w->st.stacks + 1,
        .first_module = w->st.modules + 1,
    };
    w->len = 0;
    tr__blk_enc_reset(&w->blk, 0);
}

static int writer_alloc(struct tr_writer *w, const struct tr_writer_opts *o)
{
    w->cap = o->chunk_bytes ? o->chunk_bytes : TR_CHUNK_DEFAULT;
    if (w->cap < TR_CHUNK_MIN || w->cap > TR_CHUNK_MAX)
        return MM_EINVAL;
    w->level = o->zstd_level ? o->zstd_level : TR_ZSTD_LEVEL;
    if (w->level < ZSTD_minCLevel() || w->level > ZSTD_maxCLevel())
        return MM_EINVAL;
    w->zcap = ZSTD_compressBound(w->cap);
    w->buf = malloc(TR__CHUNK_HDR_LEN + (size_t)w->cap);
    w->zbuf = malloc(TR__CHUNK_HDR_LEN + w->zcap);
    w->cctx = ZSTD_createCCtx();
    w->time_res = o->time_res_ns ? o->time_res_ns : 1;
    if (w->time_res > TR_TIME_RES_MAX)
        return MM_EINVAL;
    if (tr__blk_enc_init(&w->blk, w->cap, w->time_res))
        return MM_ENOMEM;
    return w->buf && w->zbuf && w->cctx ? 0 : MM_ENOMEM;
}

static int write_file_header(struct tr_writer *w, const struct tr_header *h)
{
    uint8_t fh[TR__FILE_HDR_LEN], *body;
    size_t len;
    int rc = tr__header_encode(h, &body, &len);

    if (rc)
        return rc;
    memcpy(fh, TR__FILE_MAGIC, TR__MAGIC_LEN);
    tr__put_le32(fh + 8, TR_VERSION);
    tr__put_le32(fh + 12, (uint32_t)len);
    tr__put_le32(fh + 16, tr__crc32c(tr__crc32c(0, fh + 8, 8), body, len));
    if (write_all(w, fh, sizeof(fh)) == 0)
        write_all(w, body, len);
    free(body);
    return w->err;
}

static void writer_free(struct tr_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    ZSTD_freeCCtx(w->cctx);
    free(w->buf);
    free(w->zbuf);
    tr__blk_enc_free(&w->blk);
    tr__intern_free(&w->strings);
    tr__intern_free(&w->stacks);
    free(w);
}

int tr_writer_open(struct tr_writer **out, const char *path,
                   const struct tr_header *hdr,
                   const struct tr_writer_opts *opts)
{
    static const struct tr_writer_opts defaults;
    static const struct tr_header no_facts;
    struct tr_writer *w = calloc(1, sizeof(*w));
    int rc;

    *out = NULL;
    if (!w)
        return MM_ENOMEM;
    w->fd = -1;
    rc = writer_alloc(w, opts ? opts : &defaults);
    if (rc == 0 && (w->fd = create_file(path, opts ? opts->flags : 0)) < 0)
        rc = w->fd;
    if (rc == 0)
        rc = write_file_header(w, hdr ? hdr : &no_facts);
    if (rc) {
        writer_free(w);
        return rc;
    }
    chunk_reset(w);
    *out = w;
    return 0;
}

static uint8_t *rec_start(struct tr_writer *w)
{
    return w->buf + TR__CHUNK_HDR_LEN + w->len;
}

/*
 * Compress (or store, if that is no smaller) and write the chunk: its
 * definition records, then its events as one block record.
 */
static int write_chunk(struct tr_writer *w)
{
    uint8_t *out = w->buf;

    if (w->ch.nr_events) {
        w->len += (uint32_t)tr__blk_finish(&w->blk, rec_start(w));
        w->ch.nr_records++;
    }
    size_t z = ZSTD_compressCCtx(w->cctx, w->zbuf + TR__CHUNK_HDR_LEN,
                                 w->zcap, w->buf + TR__CHUNK_HDR_LEN, w->len,
                                 w->level);

    w->ch.codec = TR__CODEC_RAW;
    w->ch.raw_len = w->ch.stored_len = w->len;
    if (!ZSTD_isError(z) && z < w->len) {
        out = w->zbuf;
        w->ch.codec = TR__CODEC_ZSTD;
        w->ch.stored_len = (uint32_t)z;
    }
    w->ch.payload_crc =
        tr__crc32c(0, out + TR__CHUNK_HDR_LEN, w->ch.stored_len);
    tr__chunk_hdr_encode(out, &w->ch);
    return write_all(w, out, TR__CHUNK_HDR_LEN + (size_t)w->ch.stored_len);
}

int tr_writer_flush(struct tr_writer *w)
{
    if (w->err || (w->ch.nr_records == 0 && w->ch.nr_events == 0))
        return w->err;
    if (write_chunk(w) == 0) {
        w->st.chunks++;
        chunk_reset(w);
    }
    return w->err;
}

/*
 * Make room for a record or an event of up to @need bytes, flushing if
 * full: the records, the block's columns and its header fit the buffer.
 */
static int reserve(struct tr_writer *w, size_t need)
{
    if (w->err)
        return w->err;
    if ((size_t)w->len + w->blk.total + TR__BLK_HDR_MAX + need > w->cap)
        return tr_writer_flush(w);
    return 0;
}

/* Frame a body already built at @body (outside the buffer) as a record. */
static void put_record(struct tr_writer *w, unsigned tag, const uint8_t *body,
                       size_t blen, const void *tail, size_t tlen)
{
    uint8_t *p = rec_start(w);
    size_t n = tr__put_varint(p, tag);

    n += tr__put_varint(p + n, blen + tlen);
    memcpy(p + n, body, blen);
    if (tlen)
        memcpy(p + n + blen, tail, tlen);
    w->len += (uint32_t)(n + blen + tlen);
    w->ch.nr_records++;
}

int tr_writer_string(struct tr_writer *w, const char *s, size_t len,
                     uint32_t *id)
{
    uint8_t head[10];

    if (len > TR_STRING_MAX)
        return MM_ERANGE;
    if (tr__intern_lookup(&w->strings, s, (uint32_t)len, id))
        return w->err;
    if (reserve(w, 2 + 10 + 10 + len))
        return w->err;
    uint32_t nid = w->st.strings + 1;
    int rc = tr__intern_add(&w->strings, s, (uint32_t)len, nid);
    if (rc)
        return rc;
    put_record(w, TR__REC_STRING, head, tr__put_varint(head, nid), s, len);
    w->st.strings = nid;
    *id = nid;
    return 0;
}

static size_t encode_frames(uint8_t *p, const uint64_t *ips, uint32_t n)
{
    size_t len = tr__put_varint(p, ips[0]);

    for (uint32_t i = 1; i < n; i++)
        len += tr__put_varint(p + len,
                              tr__zigzag((int64_t)(ips[i] - ips[i - 1])));
    return len;
}

int tr_writer_stack(struct tr_writer *w, const uint64_t *ips, uint32_t n,
                    uint32_t *id)
{
    uint8_t head[20];
    uint32_t klen = n * (uint32_t)sizeof(*ips);

    if (n == 0 || n > TR_STACK_MAX)
        return MM_ERANGE;
    if (tr__intern_lookup(&w->stacks, ips, klen, id))
        return w->err;
    if (reserve(w, 2 + 10 + 20 + (size_t)n * 10))
        return w->err;
    uint32_t nid = w->st.stacks + 1;
    int rc = tr__intern_add(&w->stacks, ips, klen, nid);
    if (rc)
        return rc;
    size_t hl = tr__put_varint(head, nid);
    hl += tr__put_varint(head + hl, n);
    size_t fl = encode_frames(w->frames, ips, n);
    put_record(w, TR__REC_STACK, head, hl, w->frames, fl);
    w->st.stacks = nid;
    *id = nid;
    return 0;
}

int tr_writer_module(struct tr_writer *w, const struct tr_module *m,
                     uint32_t *id)
{
    uint8_t body[8 * 10];
    size_t n = 0;

    if (m->build_id_len > TR_BUILD_ID_MAX)
        return MM_ERANGE;
    if (m->path == 0 || m->path > w->st.strings)
        return MM_EINVAL;
    if (reserve(w, 2 + 10 + sizeof(body) + m->build_id_len))
        return w->err;
    uint32_t nid = w->st.modules + 1;
    const uint64_t f[] = {nid, m->t_ns, m->pid, m->path, m->base,
                          m->size, m->offset, m->build_id_len};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        n += tr__put_varint(body + n, f[i]);
    put_record(w, TR__REC_MODULE, body, n, m->build_id, m->build_id_len);
    w->st.modules = nid;
    if (id)
        *id = nid;
    return 0;
}

int tr_writer_event(struct tr_writer *w, const struct tr_event *ev)
{
    struct tr_event coarse;

    if (ev->str > w->st.strings || ev->stack > w->st.stacks)
        return MM_EINVAL;
    if (reserve(w, TR__BLK_EVENT_MAX))
        return w->err;
    if (w->time_res > 1 && tr__blk_is_alloc(ev->type)) {
        coarse = *ev;
        coarse.t_ns -= coarse.t_ns % w->time_res;
        ev = &coarse;
    }
    if (w->ch.nr_events == 0) {
        w->ch.first_ts = ev->t_ns;
        tr__blk_enc_reset(&w->blk, ev->t_ns);
    }
    tr__blk_encode(&w->blk, ev);
    w->ch.nr_events++;
    w->st.events++;
    return 0;
}

/* The end chunk: an END record with the totals, stored uncompressed. */
static int write_end(struct tr_writer *w)
{
    uint8_t body[5 * 10];
    size_t n = 0;
    const uint64_t f[] = {w->st.chunks, w->st.events, w->st.strings,
                          w->st.stacks, w->st.modules};

    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        n += tr__put_varint(body + n, f[i]);
    put_record(w, TR__REC_END, body, n, NULL, 0);
    w->ch.kind = TR__CHUNK_END;
    w->ch.raw_len = w->ch.stored_len = w->len;
    w->ch.codec = TR__CODEC_RAW;
    w->ch.payload_crc = tr__crc32c(0, w->buf + TR__CHUNK_HDR_LEN, w->len);
    tr__chunk_hdr_encode(w->buf, &w->ch);
    return write_all(w, w->buf, TR__CHUNK_HDR_LEN + (size_t)w->len);
}

int tr_writer_close(struct tr_writer *w)
{
    if (!w)
        return 0;
    if (tr_writer_flush(w) == 0)
        write_end(w);
    if (close(w->fd) != 0 && !w->err)
        w->err = errno_to_mm(errno);
    w->fd = -1;
    int rc = w->err;
    writer_free(w);
    return rc;
}

void tr_writer_get_stats(const struct tr_writer *w, struct tr_writer_stats *st)
{
    *st = w->st;
}
