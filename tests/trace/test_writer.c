/*
 * The trace writer's file handling and argument checks: it refuses an
 * existing path and a symlink, creates mode 0600, replaces only when asked
 * (and then removes a symlink, never its target), and rejects bad ids,
 * sizes and options with the documented codes, and rounds times to its
 * time resolution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmsim/trace.h"
#include "util.h"

static void test_creates_mode_0600(void **state)
{
    struct tr_header h = {.page_size = 4096};
    struct tr_writer *w;
    struct stat sb;

    (void)state;
    mode_t old = umask(022);
    const char *path = tmp_path("mode.trace");
    assert_int_equal(tr_writer_open(&w, path, &h, NULL), 0);
    assert_int_equal(tr_writer_close(w), 0);
    umask(old);
    assert_int_equal(lstat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0600);
}

static void test_refuses_existing_file(void **state)
{
    struct tr_header h = {.page_size = 4096};
    struct tr_writer *w = (void *)1;
    size_t len;

    (void)state;
    const char *path = tmp_path("exists.trace");
    spit(path, (const uint8_t *)"keep me", 7);
    assert_int_equal(tr_writer_open(&w, path, &h, NULL), MM_EEXIST);
    assert_null(w);
    uint8_t *data = slurp(path, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(data, "keep me", 7);
    free(data);
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    assert_int_equal(tr_writer_open(&w, path, &h, &o), 0);
    assert_int_equal(tr_writer_close(w), 0);
    struct collect c;
    assert_int_equal(collect_file(path, &c, NULL), 0);
    assert_true(c.header_seen);
    assert_int_equal(c.warnings, 0);
}

static void test_never_follows_symlink(void **state)
{
    struct tr_header h = {.page_size = 4096};
    struct tr_writer *w;
    struct stat sb;
    size_t len;
    char target[1024], link[1024], dangling[1024];

    (void)state;
    snprintf(target, sizeof(target), "%s", tmp_path("target"));
    snprintf(link, sizeof(link), "%s", tmp_path("link.trace"));
    snprintf(dangling, sizeof(dangling), "%s", tmp_path("dangling.trace"));
    spit(target, (const uint8_t *)"victim", 6);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(symlink(tmp_path("nowhere"), dangling), 0);
    assert_int_equal(tr_writer_open(&w, link, &h, NULL), MM_EEXIST);
    assert_int_equal(tr_writer_open(&w, dangling, &h, NULL), MM_EEXIST);
    assert_int_equal(lstat(tmp_path("nowhere"), &sb), -1);
    /* Replacing removes the link and creates a file in its place. */
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    assert_int_equal(tr_writer_open(&w, link, &h, &o), 0);
    assert_int_equal(tr_writer_close(w), 0);
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    uint8_t *data = slurp(target, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(data, "victim", 6);
    free(data);
}

static void test_missing_directory(void **state)
{
    struct tr_header h = {0};
    struct tr_writer *w;

    (void)state;
    assert_int_equal(tr_writer_open(&w, tmp_path("no/such.trace"), &h, NULL),
                     MM_ENOENT);
}

static void test_bad_options(void **state)
{
    struct tr_header h = {0};
    struct tr_writer *w;
    struct tr_writer_opts small = {.chunk_bytes = TR_CHUNK_MIN - 1};
    struct tr_writer_opts big = {.chunk_bytes = TR_CHUNK_MAX + 1};
    struct tr_writer_opts level = {.zstd_level = 1000};
    struct tr_writer_opts res = {.time_res_ns = TR_TIME_RES_MAX + 1};

    (void)state;
    assert_int_equal(tr_writer_open(&w, tmp_path("o1"), &h, &small),
                     MM_EINVAL);
    assert_int_equal(tr_writer_open(&w, tmp_path("o2"), &h, &big), MM_EINVAL);
    assert_int_equal(tr_writer_open(&w, tmp_path("o3"), &h, &level),
                     MM_EINVAL);
    assert_int_equal(tr_writer_open(&w, tmp_path("o4"), &h, &res), MM_EINVAL);
    assert_int_equal(access(tmp_path("o1"), F_OK), -1);
}

/*
 * A coarse time resolution rounds each allocator call's time down to a
 * multiple and keeps everything else, other events' times included,
 * whatever the order of the times and threads, across chunks.
 */
static void test_time_resolution(void **state)
{
    static const uint64_t t[] = {123456789, 123455001, 123999999, 7,
                                 5000000000ull, 123456000};
    struct tr_writer_opts o = {.flags = TR_W_REPLACE, .time_res_ns = 1000};
    struct tr_header h = {0};
    struct tr_writer *w;
    struct collect c;
    struct tr_read_stats st;
    uint32_t n = sizeof(t) / sizeof(t[0]);

    (void)state;
    assert_int_equal(tr_writer_open(&w, tmp_path("res.trace"), &h, &o), 0);
    for (uint32_t i = 0; i < n; i++) {
        struct tr_event ev = {.t_ns = t[i],
                              .type = i % 2 ? TR_EV_MMAP : TR_EV_MALLOC,
                              .pid = 1, .tid = 1 + i % 3, .a = {i + 1},
                              .ret = 0x10000 + 16 * i};
        assert_int_equal(tr_writer_event(w, &ev), 0);
        if (i == n / 2)
            assert_int_equal(tr_writer_flush(w), 0);
    }
    assert_int_equal(tr_writer_close(w), 0);
    assert_int_equal(collect_file(tmp_path("res.trace"), &c, &st), 0);
    assert_int_equal(c.nr_events, n);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(c.events[i].t_ns, i % 2 ? t[i] : t[i] - t[i] % 1000);
        assert_int_equal(c.events[i].tid, 1 + i % 3);
        assert_int_equal(c.events[i].a[0], i + 1);
        assert_int_equal(c.events[i].ret, 0x10000 + 16 * i);
    }
    assert_true(st.complete);
    collect_free(&c);
}

static void test_bad_records(void **state)
{
    static char longstr[TR_STRING_MAX + 1];
    static uint64_t ips[TR_STACK_MAX + 1];
    struct tr_header h = {0};
    struct tr_writer *w;
    struct tr_module m = {.path = 1, .build_id_len = TR_BUILD_ID_MAX + 1};
    struct tr_event ev = {.type = TR_EV_MALLOC, .stack = 1};
    uint32_t id;

    (void)state;
    assert_int_equal(tr_writer_open(&w, tmp_path("bad.trace"), &h, NULL), 0);
    assert_int_equal(tr_writer_string(w, longstr, sizeof(longstr), &id),
                     MM_ERANGE);
    assert_int_equal(tr_writer_stack(w, ips, 0, &id), MM_ERANGE);
    assert_int_equal(tr_writer_stack(w, ips, TR_STACK_MAX + 1, &id),
                     MM_ERANGE);
    assert_int_equal(tr_writer_event(w, &ev), MM_EINVAL); /* no stack 1 */
    ev.stack = 0;
    ev.str = 1;
    assert_int_equal(tr_writer_event(w, &ev), MM_EINVAL); /* no string 1 */
    assert_int_equal(tr_writer_module(w, &m, &id), MM_ERANGE);
    m.build_id_len = 0;
    assert_int_equal(tr_writer_module(w, &m, &id), MM_EINVAL);
    assert_int_equal(tr_writer_string(w, "x", 1, &id), 0);
    assert_int_equal(tr_writer_module(w, &m, &id), 0);
    assert_int_equal(tr_writer_event(w, &ev), 0);
    struct tr_writer_stats st;
    tr_writer_get_stats(w, &st);
    assert_int_equal(st.events, 1);
    assert_int_equal(st.strings, 1);
    assert_int_equal(st.modules, 1);
    assert_int_equal(tr_writer_close(w), 0);
    assert_int_equal(tr_writer_close(NULL), 0);
}

/* Ids are stable across chunks: a string interned early keeps its id. */
static void test_interning_across_chunks(void **state)
{
    struct tr_header h = {0};
    struct tr_writer *w;
    uint32_t a, b, again;
    uint64_t s1[3] = {1, 2, 3}, s2[3] = {1, 2, 4};

    (void)state;
    assert_int_equal(tr_writer_open(&w, tmp_path("ids.trace"), &h, NULL), 0);
    assert_int_equal(tr_writer_stack(w, s1, 3, &a), 0);
    assert_int_equal(tr_writer_flush(w), 0);
    assert_int_equal(tr_writer_stack(w, s2, 3, &b), 0);
    assert_int_equal(tr_writer_stack(w, s1, 3, &again), 0);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(again, 1);
    for (uint32_t i = 0; i < 5000; i++) {
        char s[32];
        int n = snprintf(s, sizeof(s), "/lib/%u", i % 1000);
        assert_int_equal(tr_writer_string(w, s, (size_t)n, &again), 0);
        assert_int_equal(again, i % 1000 + 1);
    }
    assert_int_equal(tr_writer_close(w), 0);
    struct collect c;
    struct tr_read_stats st;
    assert_int_equal(collect_file(tmp_path("ids.trace"), &c, &st), 0);
    assert_int_equal(c.stacks, 2);
    assert_int_equal(c.strings, 1000);
    assert_int_equal(c.stack_sum, 1 + 2 + 3 + 1 + 2 + 4);
    assert_int_equal(st.chunks, 2);
    assert_true(st.complete);
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
        cmocka_unit_test(test_creates_mode_0600),
        cmocka_unit_test(test_refuses_existing_file),
        cmocka_unit_test(test_never_follows_symlink),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_time_resolution),
        cmocka_unit_test(test_interning_across_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
