/*
 * The reader against damaged input: a file cut at every byte, random cuts
 * and flipped bytes, wrong magic, a newer version, unknown records, lost
 * definitions, data after the end. The reader must never crash, must
 * return every chunk that is intact, and must say what it lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "util.h"

/* Where each chunk ends and how many events come before that. */
struct chunk_map {
    size_t header_end;
    size_t nr;
    size_t start[256];
    size_t end[256];
    uint32_t events[256];
    uint16_t kind[256];
};

static void map_chunks(const uint8_t *p, size_t len, struct chunk_map *m)
{
    size_t off = TR__FILE_HDR_LEN + tr__get_le32(p + 12);

    memset(m, 0, sizeof(*m));
    m->header_end = off;
    while (off < len) {
        struct tr__chunk_hdr h;
        assert_int_equal(tr__chunk_hdr_decode(p + off, &h), 0);
        assert_true(m->nr < 256);
        m->start[m->nr] = off;
        off += TR__CHUNK_HDR_LEN + h.stored_len;
        m->end[m->nr] = off;
        m->events[m->nr] = h.nr_events;
        m->kind[m->nr++] = h.kind;
    }
    assert_int_equal(off, len);
}

/* Events of the chunks that end at or before @cut. */
static size_t events_before(const struct chunk_map *m, size_t cut)
{
    size_t n = 0;

    for (size_t i = 0; i < m->nr && m->end[i] <= cut; i++)
        n += m->events[i];
    return n;
}

static void assert_prefix(const struct collect *got, const struct collect *all)
{
    assert_true(got->nr_events <= all->nr_events);
    if (got->nr_events)
        assert_memory_equal(got->events, all->events,
                            got->nr_events * sizeof(got->events[0]));
}

static uint8_t *sample_file(const char *name, uint64_t n, uint64_t per_chunk,
                            size_t *len)
{
    const char *path = tmp_path(name);

    write_sample(path, 11, n, per_chunk);
    return slurp(path, len);
}

static void check_cut(const uint8_t *data, size_t len, size_t cut,
                      const struct chunk_map *m, const struct collect *all)
{
    struct collect c;
    struct tr_read_stats st;
    int rc = collect_bytes(data, cut, &c, &st);

    if (cut < TR__MAGIC_LEN) {
        assert_int_equal(rc, MM_EINVAL);
        assert_string_equal(st.error, "not an mmsim trace (too short)");
    } else if (cut == len) {
        assert_int_equal(rc, 0);
        assert_int_equal(c.warnings, 0);
        assert_true(st.complete);
    } else {
        assert_int_equal(rc, 0);
        assert_true(c.warnings >= 1);
        assert_true(st.damaged);
        assert_false(st.complete);
        assert_int_equal(c.header_seen, cut >= m->header_end);
        assert_int_equal(c.nr_events, events_before(m, cut));
        assert_prefix(&c, all);
        if (cut >= m->header_end)
            assert_non_null(strstr(c.last_warning, "truncated at byte"));
    }
    collect_free(&c);
}

/* Every cut of a small multi-chunk trace. */
static void test_cut_at_every_byte(void **state)
{
    struct collect all;
    struct chunk_map m;
    size_t len;

    (void)state;
    uint8_t *data = sample_file("small.trace", 60, 10, &len);
    map_chunks(data, len, &m);
    assert_int_equal(m.nr, 7); /* six data chunks and the end chunk */
    assert_int_equal(collect_bytes(data, len, &all, NULL), 0);
    assert_int_equal(all.nr_events, 60);
    for (size_t cut = 0; cut <= len; cut++)
        check_cut(data, len, cut, &m, &all);
    /* A cut inside a chunk names the place and the reason. */
    struct collect c;
    size_t cut = m.start[2] + 70;
    collect_bytes(data, cut, &c, NULL);
    char want[80];
    snprintf(want, sizeof(want), "truncated at byte %zu: last chunk "
             "incomplete", cut);
    assert_string_equal(c.last_warning, want);
    collect_free(&c);
    collect_free(&all);
    free(data);
}

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Random cuts of a larger trace. */
static void test_random_cuts(void **state)
{
    struct collect all;
    struct chunk_map m;
    size_t len;
    uint64_t seed = 1;

    (void)state;
    uint8_t *data = sample_file("large.trace", 10000, 500, &len);
    map_chunks(data, len, &m);
    assert_int_equal(collect_bytes(data, len, &all, NULL), 0);
    for (int i = 0; i < 300; i++)
        check_cut(data, len, (size_t)(rng_next(&seed) % len), &m, &all);
    collect_free(&all);
    free(data);
}

/* Events of the chunks no flipped byte falls in. */
static size_t events_intact(const struct chunk_map *m, const size_t *flips,
                            int nflips)
{
    size_t n = 0;

    for (size_t i = 0; i < m->nr; i++) {
        int hit = 0;
        for (int k = 0; k < nflips; k++)
            hit |= flips[k] >= m->start[i] && flips[k] < m->end[i];
        n += hit ? 0 : m->events[i];
    }
    return n;
}

static void check_flips(uint8_t *data, size_t len, const struct chunk_map *m,
                        uint64_t *seed)
{
    size_t flips[4];
    uint8_t saved[4];
    int n = 1 + (int)(rng_next(seed) % 4);
    struct collect c;
    struct tr_read_stats st;

    for (int k = 0; k < n; k++) {
        flips[k] = 12 + (size_t)(rng_next(seed) % (len - 12));
        saved[k] = data[flips[k]];
        data[flips[k]] ^= (uint8_t)(1 + rng_next(seed) % 255);
    }
    assert_int_equal(collect_bytes(data, len, &c, &st), 0);
    assert_true(c.warnings >= 1);
    assert_true(st.damaged);
    assert_int_equal(c.nr_events, events_intact(m, flips, n));
    for (int k = n - 1; k >= 0; k--)
        data[flips[k]] = saved[k];
    collect_free(&c);
}

/* Flipped bytes anywhere after the version: only hit chunks are lost. */
static void test_flipped_bytes(void **state)
{
    struct chunk_map m;
    size_t len;
    uint64_t seed = 99;

    (void)state;
    uint8_t *data = sample_file("flip.trace", 10000, 500, &len);
    map_chunks(data, len, &m);
    for (int i = 0; i < 300; i++)
        check_flips(data, len, &m, &seed);
    free(data);
}

static void test_wrong_magic(void **state)
{
    struct collect c;
    struct tr_read_stats st;
    size_t len;

    (void)state;
    uint8_t *data = sample_file("magic.trace", 10, 0, &len);
    data[1] = 'X';
    assert_int_equal(collect_bytes(data, len, &c, &st), MM_EINVAL);
    assert_string_equal(st.error, "not an mmsim trace (bad magic)");
    assert_int_equal(c.nr_events, 0);
    const char text[] = "MemTotal:       16384000 kB\n";
    assert_int_equal(collect_bytes((const uint8_t *)text, sizeof(text) - 1,
                                   &c, &st), MM_EINVAL);
    assert_int_equal(collect_bytes(data, 0, &c, &st), MM_EINVAL);
    assert_string_equal(st.error, "not an mmsim trace (too short)");
    free(data);
}

static void test_newer_version(void **state)
{
    struct collect c;
    struct tr_read_stats st;
    size_t len;
    char want[128];

    (void)state;
    uint8_t *data = sample_file("newer.trace", 10, 0, &len);
    tr__put_le32(data + 8, TR_VERSION + 1);
    assert_int_equal(collect_bytes(data, len, &c, &st), MM_ENOTSUP);
    snprintf(want, sizeof(want), "trace format version %u is newer than "
             "this mmsim reads (version %u)", TR_VERSION + 1, TR_VERSION);
    assert_string_equal(st.error, want);
    assert_int_equal(st.version, TR_VERSION + 1);
    assert_false(c.header_seen);
    tr__put_le32(data + 8, 0);
    assert_int_equal(collect_bytes(data, len, &c, &st), MM_ENOTSUP);
    assert_non_null(strstr(st.error, "version 0 is older"));
    free(data);
}

/* Append a raw chunk holding @payload to @out at @off; returns new off. */
static size_t put_chunk(uint8_t *out, size_t off, struct tr__chunk_hdr *h,
                        const uint8_t *payload, size_t plen)
{
    h->codec = TR__CODEC_RAW;
    h->stored_len = h->raw_len = (uint32_t)plen;
    h->payload_crc = tr__crc32c(0, payload, plen);
    tr__chunk_hdr_encode(out + off, h);
    memcpy(out + off + TR__CHUNK_HDR_LEN, payload, plen);
    return off + TR__CHUNK_HDR_LEN + plen;
}

static size_t put_unknown(uint8_t *p, uint64_t tag, size_t blen)
{
    size_t n = tr__put_varint(p, tag);

    n += tr__put_varint(p + n, blen);
    memset(p + n, 0xab, blen);
    return n + blen;
}

/*
 * Version 1 coded an event as its own record (tag 1): type, mask, time
 * difference, then the fields of the mask. The test's event, by hand.
 */
static size_t put_v1_event(uint8_t *p, const struct tr_event *ev)
{
    uint8_t body[64];
    size_t n = tr__put_varint(body, ev->type);

    n += tr__put_varint(body + n, TR__EB_A0 | TR__EB_RET | TR__EB_TID |
                                      TR__EB_PID);
    n += tr__put_varint(body + n, 0); /* the chunk's first time stamp */
    n += tr__put_varint(body + n, ev->a[0]);
    n += tr__put_varint(body + n, tr__zigzag(ev->ret));
    n += tr__put_varint(body + n, ev->tid);
    n += tr__put_varint(body + n, ev->pid);
    size_t h = tr__put_varint(p, TR__REC_EVENT);
    h += tr__put_varint(p + h, n);
    memcpy(p + h, body, n);
    return h + n;
}

/* The event of the hand-made traces, coded as @version codes events. */
static size_t put_event(uint8_t *p, uint32_t version, const struct tr_event *ev)
{
    struct tr__blk_enc e;
    size_t n;

    if (version == 1)
        return put_v1_event(p, ev);
    assert_int_equal(tr__blk_enc_init(&e, TR_CHUNK_MIN, 1), 0);
    tr__blk_enc_reset(&e, ev->t_ns);
    tr__blk_encode(&e, ev);
    n = tr__blk_finish(&e, p);
    tr__blk_enc_free(&e);
    return n;
}

/*
 * A hand-made trace of format @version: unknown records among known ones,
 * in both places. Tag 6 is unknown to version 1 (version 2 made it the
 * event block), so it is skipped in a version 1 end chunk.
 */
static void check_unknown_tags(uint32_t version, uint64_t tag)
{
    static uint8_t file[4096];
    uint8_t payload[512], body[64];
    struct tr_event ev = {.t_ns = 10, .type = TR_EV_MALLOC, .pid = 1,
                          .tid = 1, .a = {64}, .ret = 0x1000};
    struct collect c;
    struct tr_read_stats st;
    size_t n = 0, off;

    size_t blen = put_unknown(body, 99, 3); /* an unknown header field */
    memcpy(file, TR__FILE_MAGIC, TR__MAGIC_LEN);
    tr__put_le32(file + 8, version);
    tr__put_le32(file + 12, (uint32_t)blen);
    memcpy(file + TR__FILE_HDR_LEN, body, blen);
    tr__put_le32(file + 16, tr__crc32c(tr__crc32c(0, file + 8, 8), body, blen));
    off = TR__FILE_HDR_LEN + blen;
    n += put_unknown(payload + n, 77, 5);
    n += put_event(payload + n, version, &ev);
    n += put_unknown(payload + n, 1000000, 0);
    struct tr__chunk_hdr h = {.kind = TR__CHUNK_DATA, .nr_events = 1,
                              .nr_records = 3, .first_ts = 10,
                              .first_string = 1, .first_stack = 1,
                              .first_module = 1};
    off = put_chunk(file, off, &h, payload, n);
    n = put_unknown(payload, tag, 2);
    n += tr__put_varint(payload + n, TR__REC_END);
    n += tr__put_varint(payload + n, 5);
    memcpy(payload + n, "\x01\x01\x00\x00\x00", 5);
    h = (struct tr__chunk_hdr){.kind = TR__CHUNK_END, .seq = 1,
                               .nr_records = 2, .first_string = 1,
                               .first_stack = 1, .first_module = 1};
    off = put_chunk(file, off, &h, payload, n + 5);
    assert_int_equal(collect_bytes(file, off, &c, &st), 0);
    assert_int_equal(c.warnings, 0);
    assert_int_equal(st.version, version);
    assert_int_equal(st.unknown_records, 4);
    assert_int_equal(c.nr_events, 1);
    assert_memory_equal(&c.events[0], &ev, sizeof(ev));
    assert_true(st.complete);
    collect_free(&c);
}

static void test_unknown_tags_skipped(void **state)
{
    (void)state;
    check_unknown_tags(1, 6);
    check_unknown_tags(2, 7);
}

/* Damage the chunk that defines stacks: later uses are counted as lost. */
static void test_lost_definitions_reported(void **state)
{
    struct chunk_map m;
    struct collect c;
    struct tr_read_stats st;
    size_t len;

    (void)state;
    uint8_t *data = sample_file("lost.trace", 3000, 1000, &len);
    map_chunks(data, len, &m);
    data[m.start[0] + TR__CHUNK_HDR_LEN + 10] ^= 0x40;
    assert_int_equal(collect_bytes(data, len, &c, &st), 0);
    assert_int_equal(c.nr_events, 2000);
    assert_int_equal(st.bad_chunks, 1);
    assert_true(st.lost_refs > 0);
    assert_true(st.lost_refs < 2000);
    assert_non_null(strstr(c.all_warnings, "chunk at byte"));
    assert_non_null(strstr(c.all_warnings, "definitions were lost"));
    assert_non_null(strstr(c.all_warnings, "end chunk: the writer wrote 3000"
                                           " events in 3 chunks, 2000 events"
                                           " in 2 chunks were read"));
    collect_free(&c);
    free(data);
}

static void test_data_after_end(void **state)
{
    struct collect c;
    struct tr_read_stats st;
    size_t len;

    (void)state;
    uint8_t *data = sample_file("after.trace", 100, 0, &len);
    uint8_t *more = malloc(len + 3);
    memcpy(more, data, len);
    memcpy(more + len, "abc", 3);
    assert_int_equal(collect_bytes(more, len + 3, &c, &st), 0);
    assert_int_equal(c.nr_events, 100);
    assert_int_equal(c.warnings, 1);
    char want[80];
    snprintf(want, sizeof(want), "data after the end chunk at byte %zu "
             "ignored", len);
    assert_string_equal(c.last_warning, want);
    collect_free(&c);
    free(more);
    free(data);
}

static int teardown(void **state)
{
    (void)state;
    tmp_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_at_every_byte),
        cmocka_unit_test(test_random_cuts),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_newer_version),
        cmocka_unit_test(test_unknown_tags_skipped),
        cmocka_unit_test(test_lost_definitions_reported),
        cmocka_unit_test(test_data_after_end),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
