/*
 * reader.c - the streaming trace reader: file header, then chunk after
 * chunk through a read(2) window that never holds more than one chunk, so
 * memory is bounded by TR_CHUNK_MAX whatever the trace's size.
 *
 * Damage is survived, never fatal: a chunk whose header or payload checksum
 * fails is skipped and reading resumes at the next chunk magic whose header
 * checks; a checksummed chunk that does not decode is skipped whole; a cut
 * file yields every complete chunk and then a warning. Each of these is
 * reported through on_warning with the byte offset. Only a file that is not
 * a trace at all, a format version this code does not read, or an I/O or
 * memory error stop a read with an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "internal.h"

#define WINDOW_MIN (64u << 10)

struct rd {
    int fd;
    const struct tr_consumer *c;
    void *arg;
    struct tr_read_stats *st;
    uint8_t *buf;    /* the window: file bytes [base, base + end) */
    size_t cap;
    size_t pos;      /* next byte to look at */
    size_t end;
    uint64_t base;   /* file offset of buf[0] */
    int eof;
    int err;         /* fatal: MM_EIO, MM_ENOMEM */
    int read_errno;  /* errno of a failed read(2) */
    uint8_t *raw;    /* decompressed payload */
    size_t raw_cap;
    ZSTD_DCtx *dctx;
    uint32_t next_seq;
    int rc;          /* what tr_read_fd() returns after STEP_STOP */
    struct tr__ids ids;
    struct tr__dec dec;
};

static uint64_t offset_of(const struct rd *r)
{
    return r->base + r->pos;
}

static void warn(struct rd *r, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct rd *r, uint64_t off, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->st->warnings++;
    r->st->damaged = 1;
    if (r->c->on_warning)
        r->c->on_warning(r->arg, off, msg);
}

static int fail(struct rd *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct rd *r, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->st->error, sizeof(r->st->error), fmt, ap);
    va_end(ap);
    return err;
}

/* Double the window (at most to @need): it grows only as data arrives. */
static int grow_window(struct rd *r, size_t need)
{
    size_t cap = r->cap ? r->cap * 2 : WINDOW_MIN;

    if (cap > need)
        cap = need > WINDOW_MIN ? need : WINDOW_MIN;
    uint8_t *b = realloc(r->buf, cap);
    if (!b) {
        r->err = MM_ENOMEM;
        return -1;
    }
    r->buf = b;
    r->cap = cap;
    return 0;
}

/* Make @need bytes available at pos if the file has them; return avail. */
static size_t fill(struct rd *r, size_t need)
{
    if (r->end - r->pos >= need || r->eof)
        return r->end - r->pos;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->base += r->pos;
        r->end -= r->pos;
        r->pos = 0;
    }
    while (r->end < need && !r->eof) {
        if (r->end == r->cap && grow_window(r, need)) {
            r->eof = 1;
            break;
        }
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0) {
                r->err = MM_EIO;
                r->read_errno = errno;
            }
            r->eof = 1;
        } else {
            r->end += (size_t)n;
            r->st->bytes += (uint64_t)n;
        }
    }
    return r->end - r->pos;
}

static int header_at_pos(struct rd *r)
{
    struct tr__chunk_hdr h;

    return fill(r, TR__CHUNK_HDR_LEN) >= TR__CHUNK_HDR_LEN &&
           tr__chunk_hdr_decode(r->buf + r->pos, &h) == 0;
}

/*
 * Advance to the next chunk magic whose header checks, or to a magic too
 * close to the end of the file to hold a header, or to the end of the file.
 */
static void scan_to_chunk(struct rd *r)
{
    for (;;) {
        size_t avail = fill(r, WINDOW_MIN);
        const uint8_t *m = avail < TR__MAGIC_LEN ? NULL :
            memmem(r->buf + r->pos, avail, TR__CHUNK_MAGIC, TR__MAGIC_LEN);
        if (!m) {
            if (r->eof || r->err) {
                r->pos = r->end;
                return;
            }
            r->pos = r->end - (TR__MAGIC_LEN - 1);
            continue;
        }
        r->pos = (size_t)(m - r->buf);
        if (fill(r, TR__CHUNK_HDR_LEN) < TR__CHUNK_HDR_LEN ||
            header_at_pos(r))
            return;
        r->pos++;
    }
}

/* Skip a damaged chunk starting at @off and say where reading resumes. */
static void skip_damaged(struct rd *r, uint64_t off, const char *why)
{
    r->st->bad_chunks++;
    r->pos = (size_t)(off - r->base) + 1;
    scan_to_chunk(r);
    if (r->pos < r->end)
        warn(r, off, "chunk at byte %llu damaged (%s): skipped to byte %llu",
             (unsigned long long)off, why,
             (unsigned long long)offset_of(r));
    else
        warn(r, off, "chunk at byte %llu damaged (%s): no good chunk after "
             "it, skipped to the end at byte %llu", (unsigned long long)off,
             why, (unsigned long long)offset_of(r));
}

/* Remember ids [first, last] as lost; the list is made on first use. */
static void add_lost(struct rd *r, struct tr__lost **l, uint32_t *n,
                     uint32_t first, uint32_t last)
{
    if (!*l && !(*l = calloc(TR__LOST_MAX, sizeof(**l)))) {
        r->err = MM_ENOMEM;
        return;
    }
    if (*n < TR__LOST_MAX)
        (*l)[(*n)++] = (struct tr__lost){first, last};
    else
        (*l)[*n - 1].last = last; /* past the cap, ranges blur together */
}

/* Append " kind a..b" to @out when the range [a, b) is not empty. */
static void put_range(char *out, size_t size, const char *kind, uint32_t a,
                      uint32_t b)
{
    size_t used = strlen(out);

    if (b > a)
        snprintf(out + used, size - used, "%s %s %u..%u",
                 used ? "," : "; definitions lost:", kind, a, b - 1);
}

static void warn_lost_chunks(struct rd *r, const struct tr__chunk_hdr *h,
                             uint64_t off)
{
    char defs[160] = "", which[32];

    put_range(defs, sizeof(defs), "strings", r->ids.next_string,
              h->first_string);
    put_range(defs, sizeof(defs), "stacks", r->ids.next_stack,
              h->first_stack);
    put_range(defs, sizeof(defs), "modules", r->ids.next_module,
              h->first_module);
    if (h->seq - r->next_seq == 1)
        snprintf(which, sizeof(which), "chunk %u", r->next_seq);
    else
        snprintf(which, sizeof(which), "chunks %u..%u", r->next_seq,
                 h->seq - 1);
    warn(r, off, "%s lost before byte %llu%s", which,
         (unsigned long long)off, defs);
}

/* Account for chunks and definitions lost before the chunk @h. */
static int check_gaps(struct rd *r, const struct tr__chunk_hdr *h,
                      uint64_t off)
{
    struct tr__ids *ids = &r->ids;

    if (h->seq < r->next_seq || h->first_string < ids->next_string ||
        h->first_stack < ids->next_stack ||
        h->first_module < ids->next_module)
        return -1;
    if (h->seq > r->next_seq)
        warn_lost_chunks(r, h, off);
    if (h->first_string > ids->next_string)
        add_lost(r, &ids->lost_strings, &ids->nr_lost_strings,
                 ids->next_string, h->first_string - 1);
    if (h->first_stack > ids->next_stack)
        add_lost(r, &ids->lost_stacks, &ids->nr_lost_stacks,
                 ids->next_stack, h->first_stack - 1);
    ids->next_string = h->first_string;
    ids->next_stack = h->first_stack;
    ids->next_module = h->first_module;
    r->next_seq = h->seq + 1;
    return 0;
}

static int decompress(struct rd *r, const struct tr__chunk_hdr *h,
                      const uint8_t *stored, const uint8_t **out)
{
    if (h->codec == TR__CODEC_RAW) {
        *out = stored;
        return 0;
    }
    if (!r->dctx && !(r->dctx = ZSTD_createDCtx())) {
        r->err = MM_ENOMEM;
        return -1;
    }
    if (ZSTD_getFrameContentSize(stored, h->stored_len) != h->raw_len)
        return -1;
    if (h->raw_len > r->raw_cap) {
        uint8_t *p = realloc(r->raw, h->raw_len);
        if (!p) {
            r->err = MM_ENOMEM;
            return -1;
        }
        r->raw = p;
        r->raw_cap = h->raw_len;
    }
    size_t n = ZSTD_decompressDCtx(r->dctx, r->raw, h->raw_len, stored,
                                   h->stored_len);
    *out = r->raw;
    return ZSTD_isError(n) || n != h->raw_len ? -1 : 0;
}

/* Compare the end chunk's totals with what was read. */
static void check_totals(struct rd *r, uint64_t off)
{
    const struct tr__totals *t = &r->dec.totals;

    if (!r->dec.have_totals) {
        warn(r, off, "end chunk at byte %llu has no totals",
             (unsigned long long)off);
        return;
    }
    if (t->chunks != r->st->chunks || t->events != r->st->events)
        warn(r, off, "end chunk: the writer wrote %llu events in %llu "
             "chunks, %llu events in %u chunks were read",
             (unsigned long long)t->events, (unsigned long long)t->chunks,
             (unsigned long long)r->st->events, r->st->chunks);
    if (!r->st->damaged)
        r->st->complete = 1;
}

static void chunk_skipped(struct rd *r, uint64_t off, const char *why)
{
    r->st->bad_chunks++;
    warn(r, off, "chunk at byte %llu undecodable (%s): skipped",
         (unsigned long long)off, why);
}

/* What a reading step tells its caller. */
enum step {
    STEP_GO,   /* go on */
    STEP_END,  /* the trace ended (cleanly or not) */
    STEP_STOP, /* stop now and return r->rc: an error or a callback's value */
    STEP_RESYNC, /* what is at pos is damaged: go on at the next chunk */
};

static enum step stop_with(struct rd *r, int rc)
{
    r->rc = rc;
    return STEP_STOP;
}

/*
 * Decode a checksummed chunk: check pass, then delivery pass. Its framing
 * is trusted (both checksums matched), so a bad payload skips just it.
 */
static enum step deliver_chunk(struct rd *r, const struct tr__chunk_hdr *h,
                               uint64_t off)
{
    const uint8_t *stored = r->buf + r->pos + TR__CHUNK_HDR_LEN, *raw;

    if (check_gaps(r, h, off)) {
        chunk_skipped(r, off, "out of sequence");
        return STEP_GO;
    }
    if (decompress(r, h, stored, &raw)) {
        if (r->err)
            return stop_with(r, r->err);
        chunk_skipped(r, off, "payload does not decompress");
        return STEP_GO;
    }
    struct tr__chunk_in in = {h, raw, off};
    if (tr__chunk_decode(&r->dec, &in, 0) < 0) {
        chunk_skipped(r, off, r->dec.why);
        return STEP_GO;
    }
    if (tr__chunk_decode(&r->dec, &in, 1) > 0)
        return stop_with(r, r->dec.stop);
    if (h->kind == TR__CHUNK_END) {
        check_totals(r, off);
        return STEP_END;
    }
    r->st->chunks++;
    r->st->events += h->nr_events;
    return STEP_GO;
}

static void warn_truncated(struct rd *r, const char *what)
{
    uint64_t at = r->base + r->end;

    warn(r, at, "truncated at byte %llu: %s", (unsigned long long)at, what);
}

static void check_after_end(struct rd *r)
{
    if (fill(r, 1) > 0)
        warn(r, offset_of(r), "data after the end chunk at byte %llu "
             "ignored", (unsigned long long)offset_of(r));
}

/* Read the chunk at pos. */
static enum step read_chunk(struct rd *r)
{
    struct tr__chunk_hdr h;
    size_t avail = fill(r, TR__CHUNK_HDR_LEN);
    uint64_t off = offset_of(r);

    if (r->err)
        return stop_with(r, r->err);
    if (avail == 0) {
        warn_truncated(r, "end chunk missing (recording interrupted?)");
        return STEP_END;
    }
    if (avail < TR__CHUNK_HDR_LEN) {
        warn_truncated(r, "last chunk incomplete");
        return STEP_END;
    }
    if (tr__chunk_hdr_decode(r->buf + r->pos, &h)) {
        skip_damaged(r, off, "bad chunk header");
        return STEP_GO;
    }
    size_t total = TR__CHUNK_HDR_LEN + (size_t)h.stored_len;
    if (fill(r, total) < total) {
        warn_truncated(r, "last chunk incomplete");
        return r->err ? stop_with(r, r->err) : STEP_END;
    }
    if (tr__crc32c(0, r->buf + r->pos + TR__CHUNK_HDR_LEN, h.stored_len) !=
        h.payload_crc) {
        skip_damaged(r, off, "bad payload checksum");
        return STEP_GO;
    }
    enum step s = deliver_chunk(r, &h, off);
    r->pos += total;
    if (s == STEP_END)
        check_after_end(r);
    return s;
}

/* Check and deliver the header body at pos; STEP_GO if it was damaged. */
static enum step read_header_body(struct rd *r, uint32_t version)
{
    uint32_t len = tr__get_le32(r->buf + r->pos + 12);
    size_t total = TR__FILE_HDR_LEN + (size_t)len;

    if (len > TR_HEADER_MAX) {
        warn(r, 12, "file header damaged (body length %u): machine facts "
             "lost", len);
        return STEP_RESYNC;
    }
    if (fill(r, total) < total) {
        warn_truncated(r, "file header incomplete");
        return STEP_END;
    }
    const uint8_t *fh = r->buf + r->pos, *body = fh + TR__FILE_HDR_LEN;
    if (tr__crc32c(tr__crc32c(0, fh + 8, 8), body, len) !=
        tr__get_le32(fh + 16)) {
        warn(r, 0, "file header damaged (bad checksum): machine facts lost");
        return STEP_RESYNC;
    }
    int rc = tr__header_deliver(body, len, version, r->c, r->arg,
                                &r->st->unknown_records);
    r->pos += total;
    if (rc == -1)
        warn(r, 0, "file header malformed: machine facts lost");
    else if (rc)
        return stop_with(r, rc);
    return STEP_GO;
}

/* Magic, version, then the body; a damaged body is skipped. */
static enum step read_file_header(struct rd *r)
{
    size_t avail = fill(r, TR__FILE_HDR_LEN);

    if (r->err)
        return stop_with(r, r->err);
    if (avail < TR__MAGIC_LEN || memcmp(r->buf, TR__FILE_MAGIC, TR__MAGIC_LEN))
        return stop_with(r, fail(r, MM_EINVAL, "not an mmsim trace (%s)",
                                 avail < TR__MAGIC_LEN ? "too short"
                                                       : "bad magic"));
    if (avail < 12) {
        warn_truncated(r, "file header incomplete");
        return STEP_END;
    }
    uint32_t v = tr__get_le32(r->buf + 8);
    r->st->version = r->dec.version = v;
    if (v > TR_VERSION)
        return stop_with(r, fail(r, MM_ENOTSUP, "trace format version %u is "
                                 "newer than this mmsim reads (version %u)",
                                 v, TR_VERSION));
    if (v < TR_VERSION_MIN)
        return stop_with(r, fail(r, MM_ENOTSUP, "trace format version %u is "
                                 "older than this mmsim reads (versions "
                                 "%u..%u)", v, TR_VERSION_MIN, TR_VERSION));
    if (avail < TR__FILE_HDR_LEN) {
        warn_truncated(r, "file header incomplete");
        return STEP_END;
    }
    enum step s = read_header_body(r, v);
    if (s == STEP_RESYNC) {
        r->pos = TR__FILE_HDR_LEN;
        scan_to_chunk(r);
        s = STEP_GO;
    }
    return s;
}

static int rd_init(struct rd *r)
{
    r->ids.next_string = r->ids.next_stack = r->ids.next_module = 1;
    r->dec.frames = malloc(TR_STACK_MAX * sizeof(uint64_t));
    r->dec.strbuf = malloc(TR_STRING_MAX + 1);
    r->dec.c = r->c;
    r->dec.arg = r->arg;
    r->dec.ids = &r->ids;
    if (!r->dec.frames || !r->dec.strbuf || tr__blk_alloc(&r->dec.blk))
        return fail(r, MM_ENOMEM, "out of memory");
    return 0;
}

static void rd_free(struct rd *r)
{
    free(r->ids.lost_strings);
    free(r->ids.lost_stacks);
    free(r->dec.frames);
    free(r->dec.strbuf);
    tr__blk_free(&r->dec.blk);
    free(r->buf);
    free(r->raw);
    ZSTD_freeDCtx(r->dctx);
}

static void finish_stats(struct rd *r)
{
    r->st->unknown_records += r->dec.unknown;
    r->st->lost_refs = r->dec.lost_refs;
    if (r->dec.lost_refs)
        warn(r, offset_of(r), "%llu events use strings or stacks whose "
             "definitions were lost with damaged chunks",
             (unsigned long long)r->dec.lost_refs);
}

int tr_read_fd(int fd, const struct tr_consumer *c, void *arg,
               struct tr_read_stats *st)
{
    struct tr_read_stats local;
    struct rd r = {.fd = fd, .c = c, .arg = arg, .st = st ? st : &local};
    enum step s;

    memset(r.st, 0, sizeof(*r.st));
    if (rd_init(&r)) {
        rd_free(&r);
        return MM_ENOMEM;
    }
    s = read_file_header(&r);
    while (s == STEP_GO)
        s = read_chunk(&r);
    finish_stats(&r);
    if (s == STEP_STOP && r.rc == MM_EIO)
        fail(&r, MM_EIO, "read error at byte %llu: %s",
             (unsigned long long)(r.base + r.end), strerror(r.read_errno));
    else if (s == STEP_STOP && r.rc == MM_ENOMEM)
        fail(&r, MM_ENOMEM, "out of memory");
    rd_free(&r);
    return s == STEP_STOP ? r.rc : 0;
}

int tr_read_file(const char *path, const struct tr_consumer *c, void *arg,
                 struct tr_read_stats *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        int rc = errno == ENOENT ? MM_ENOENT
               : errno == EACCES ? MM_EACCES : MM_EIO;
        if (st) {
            memset(st, 0, sizeof(*st));
            snprintf(st->error, sizeof(st->error), "cannot open: %s",
                     strerror(errno));
        }
        return rc;
    }
    int rc = tr_read_fd(fd, c, arg, st);
    close(fd);
    return rc;
}
