/*
 * Round trips through the trace writer and reader: every event type with
 * every field, extreme values, the header's facts, interned strings and
 * stacks (deduplicated), modules, and many chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmsim/trace.h"
#include "util.h"

static const uint32_t all_types[] = {
    TR_EV_NONE, TR_EV_MMAP, TR_EV_MUNMAP, TR_EV_MREMAP, TR_EV_BRK,
    TR_EV_MPROTECT, TR_EV_MADVISE, TR_EV_SHMAT, TR_EV_SHMDT, TR_EV_MLOCK,
    TR_EV_MUNLOCK, TR_EV_MLOCKALL, TR_EV_MUNLOCKALL, TR_EV_PKEY_MPROTECT,
    TR_EV_REMAP_FILE_PAGES, TR_EV_PROCESS_MADVISE, TR_EV_MSEAL,
    TR_EV_MAP_SHADOW_STACK, TR_EV_SHMGET, TR_EV_SET_MEMPOLICY, TR_EV_MBIND,
    TR_EV_MIGRATE_PAGES, TR_EV_FORK, TR_EV_VFORK, TR_EV_THREAD, TR_EV_EXEC,
    TR_EV_VMA, TR_EV_EXIT, TR_EV_THREAD_EXIT, TR_EV_MAPS_END, TR_EV_FAULT,
    TR_EV_RESIDENT, TR_EV_MALLOC, TR_EV_CALLOC, TR_EV_REALLOC, TR_EV_FREE,
    TR_EV_MEMALIGN, TR_EV_REALLOCARRAY, TR_EV_USABLE_SIZE,
    TR_EV_OOM_SCORE_ADJ, TR_EV_RLIMIT, TR_EV_CRED, TR_EV_PRCTL, TR_EV_LOST,
    TR_EV_INCOMPLETE, TR_EV_VERIFY,
};
#define NR_TYPES (sizeof(all_types) / sizeof(all_types[0]))

/* Every field set, each to a value derived from @i and the field. */
static void full_event(uint32_t type, uint32_t i, uint32_t str,
                       uint32_t stack, struct tr_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->t_ns = 5000000000ull + i * 1000;
    ev->type = type;
    ev->flags = TR_F_IN_ALLOC | TR_F_TRACED | (i << 8);
    ev->pid = 100 + i % 3;
    ev->tid = 200 + i;
    ev->stack = stack;
    ev->str = str;
    for (int k = 0; k < 6; k++)
        ev->a[k] = 0x7f0000000000ull + i * 0x10000 + (uint64_t)k;
    ev->ret = (i % 2) ? -12 : (int64_t)(0x7f0000001000ull + i);
    ev->dev = 0x800 + i;
    ev->ino = 123456789ull + i;
}

/* Extremes: max values, zero values, time going backwards. */
static size_t odd_events(struct tr_event *ev, uint32_t str, uint32_t stack)
{
    memset(ev, 0, 4 * sizeof(*ev));
    ev[0].t_ns = UINT64_MAX;
    ev[0].type = UINT32_MAX;
    ev[0].flags = UINT32_MAX;
    ev[0].pid = UINT32_MAX;
    ev[0].tid = UINT32_MAX;
    ev[0].str = str;
    ev[0].stack = stack;
    for (int k = 0; k < 6; k++)
        ev[0].a[k] = UINT64_MAX - (uint64_t)k;
    ev[0].ret = INT64_MIN;
    ev[0].dev = ev[0].ino = UINT64_MAX;
    ev[1].t_ns = 0;         /* backwards by 2^64 - 1 */
    ev[1].type = TR_EV_MUNMAP;
    ev[2].t_ns = 7;
    ev[2].type = TR_EV_BRK;
    ev[2].ret = INT64_MAX;
    ev[2].pid = 1;          /* pid changes, tid stays 0 */
    ev[3].t_ns = 3;
    ev[3].type = TR_EV_EXIT;
    ev[3].a[5] = 1;         /* only the last argument */
    ev[3].ret = -1;
    return 4;
}

/* A consumer that checks definitions as they arrive. */
struct defs {
    char strings[8][64];
    uint32_t nr_strings;
    uint64_t stack[TR_STACK_MAX];
    uint32_t stack_n[4];
    uint64_t stack_first[4];
    uint64_t stack_last[4];
    uint32_t nr_stacks;
    struct tr_module mod;
    uint32_t mod_id;
    struct tr_event events[NR_TYPES + 8];
    uint32_t nr_events;
    struct tr_header hdr;
    char cmdline[64];
    char extra_name[2][32];
    char extra_value[2][64];
    char sysctl[128];
    uint32_t warnings;
};

static int d_header(void *arg, uint32_t version, const struct tr_header *h)
{
    struct defs *d = arg;

    assert_int_equal(version, TR_VERSION);
    d->hdr = *h;
    assert_true(h->cmdline_len <= sizeof(d->cmdline));
    memcpy(d->cmdline, h->cmdline, h->cmdline_len);
    snprintf(d->sysctl, sizeof(d->sysctl), "%s", h->sysctl_vm);
    assert_int_equal(h->nr_extra, 2);
    for (int i = 0; i < 2; i++) {
        snprintf(d->extra_name[i], 32, "%s", h->extra[i].name);
        snprintf(d->extra_value[i], 64, "%s", h->extra[i].value);
    }
    assert_string_equal(h->kernel_release, "6.18.0-test");
    assert_string_equal(h->hostname, "testhost");
    assert_string_equal(h->thp_enabled, "always [madvise] never");
    assert_string_equal(h->meminfo,
                        "MemTotal:       16384000 kB\nMemFree:         "
                        "8000000 kB\n");
    assert_string_equal(h->zoneinfo,
                        "Node 0, zone      DMA\n  pages free     3840\n");
    assert_string_equal(h->tool, "mmsim test");
    return 0;
}

static int d_event(void *arg, const struct tr_event *ev)
{
    struct defs *d = arg;

    assert_true(d->nr_events < NR_TYPES + 8);
    d->events[d->nr_events++] = *ev;
    return 0;
}

static int d_string(void *arg, uint32_t id, const char *s, size_t len)
{
    struct defs *d = arg;

    assert_int_equal(id, d->nr_strings + 1);
    assert_int_equal(strlen(s), len);
    snprintf(d->strings[d->nr_strings++], 64, "%s", s);
    return 0;
}

static int d_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    struct defs *d = arg;

    assert_int_equal(id, d->nr_stacks + 1);
    d->stack_n[d->nr_stacks] = n;
    d->stack_first[d->nr_stacks] = ips[0];
    d->stack_last[d->nr_stacks] = ips[n - 1];
    if (n == TR_STACK_MAX)
        memcpy(d->stack, ips, n * sizeof(*ips));
    d->nr_stacks++;
    return 0;
}

static int d_module(void *arg, uint32_t id, const struct tr_module *m)
{
    struct defs *d = arg;

    d->mod = *m;
    d->mod_id = id;
    return 0;
}

static void d_warning(void *arg, uint64_t off, const char *msg)
{
    (void)off;
    print_error("unexpected warning: %s\n", msg);
    ((struct defs *)arg)->warnings++;
}

static const struct tr_consumer defs_consumer = {
    d_header, d_event, d_string, d_stack, d_module, d_warning,
};

/* Write the definitions; return the ids used by the events. */
static void write_defs(struct tr_writer *w, uint32_t *str, uint32_t *stack,
                       uint64_t *big)
{
    uint64_t one = 0xffffffffffffffffull, two[2] = {0x401000, 0x400ff0};
    uint32_t id;
    struct tr_module m = {.t_ns = 99, .pid = 100, .base = 0x7f0000000000ull,
                          .size = 0x21000, .offset = 0x1000,
                          .build_id_len = 20};

    assert_int_equal(tr_writer_string(w, "/usr/lib/libc.so.6", 18, str), 0);
    assert_int_equal(tr_writer_string(w, "", 0, &id), 0);
    assert_int_equal(id, 2);
    assert_int_equal(tr_writer_string(w, "/usr/lib/libc.so.6", 18, &id), 0);
    assert_int_equal(id, *str); /* deduplicated */
    assert_int_equal(tr_writer_stack(w, two, 2, stack), 0);
    assert_int_equal(tr_writer_stack(w, &one, 1, &id), 0);
    assert_int_equal(id, 2);
    for (uint32_t i = 0; i < TR_STACK_MAX; i++)
        big[i] = (i % 2) ? 0x7fff00000000ull - i : i;
    assert_int_equal(tr_writer_stack(w, big, TR_STACK_MAX, &id), 0);
    assert_int_equal(id, 3);
    assert_int_equal(tr_writer_stack(w, two, 2, &id), 0);
    assert_int_equal(id, *stack);
    for (int i = 0; i < 20; i++)
        m.build_id[i] = (uint8_t)(0xa0 + i);
    m.path = *str;
    assert_int_equal(tr_writer_module(w, &m, &id), 0);
    assert_int_equal(id, 1);
}

static void check_defs(const struct defs *d, const uint64_t *big)
{
    assert_int_equal(d->nr_strings, 2);
    assert_string_equal(d->strings[0], "/usr/lib/libc.so.6");
    assert_string_equal(d->strings[1], "");
    assert_int_equal(d->nr_stacks, 3);
    assert_int_equal(d->stack_n[0], 2);
    assert_int_equal(d->stack_first[0], 0x401000);
    assert_int_equal(d->stack_last[0], 0x400ff0);
    assert_int_equal(d->stack_first[1], 0xffffffffffffffffull);
    assert_memory_equal(d->stack, big, TR_STACK_MAX * sizeof(*big));
    assert_int_equal(d->mod_id, 1);
    assert_int_equal(d->mod.t_ns, 99);
    assert_int_equal(d->mod.pid, 100);
    assert_int_equal(d->mod.path, 1);
    assert_int_equal(d->mod.base, 0x7f0000000000ull);
    assert_int_equal(d->mod.size, 0x21000);
    assert_int_equal(d->mod.offset, 0x1000);
    assert_int_equal(d->mod.build_id_len, 20);
    assert_int_equal(d->mod.build_id[19], 0xa0 + 19);
    assert_memory_equal(d->cmdline, "./prog\0--size\0" "1G", 17);
    assert_int_equal(d->hdr.cmdline_len, 17);
    assert_int_equal(d->hdr.page_size, 4096);
    assert_int_equal(d->hdr.start_realtime_ns, 1763780000123456789ull);
    assert_int_equal(d->hdr.start_monotonic_ns, 987654321000ull);
    assert_string_equal(d->extra_name[0], "/proc/swaps");
    assert_string_equal(d->extra_value[1], "1");
    assert_string_equal(d->sysctl, "overcommit_memory=0\novercommit_ratio=50\n");
}

static void test_every_event_and_field(void **state)
{
    static uint64_t big[TR_STACK_MAX];
    static struct tr_event want[NR_TYPES + 8];
    static struct defs d;
    struct tr_header h;
    struct tr_writer *w;
    struct tr_read_stats st;
    uint32_t str, stack, n = 0;

    (void)state;
    sample_header(&h);
    const char *path = tmp_path("every.trace");
    assert_int_equal(tr_writer_open(&w, path, &h, NULL), 0);
    write_defs(w, &str, &stack, big);
    for (uint32_t i = 0; i < NR_TYPES; i++) {
        full_event(all_types[i], i, str, stack, &want[n]);
        assert_int_equal(tr_writer_event(w, &want[n++]), 0);
        if (i == NR_TYPES / 2)
            assert_int_equal(tr_writer_flush(w), 0);
    }
    n += (uint32_t)odd_events(&want[n], 2, 3);
    for (uint32_t i = NR_TYPES; i < n; i++)
        assert_int_equal(tr_writer_event(w, &want[i]), 0);
    assert_int_equal(tr_writer_close(w), 0);

    memset(&d, 0, sizeof(d));
    assert_int_equal(tr_read_file(path, &defs_consumer, &d, &st), 0);
    assert_int_equal(d.warnings, 0);
    assert_int_equal(d.nr_events, n);
    for (uint32_t i = 0; i < n; i++)
        assert_memory_equal(&d.events[i], &want[i], sizeof(want[i]));
    check_defs(&d, big);
    assert_int_equal(st.chunks, 2);
    assert_int_equal(st.events, n);
    assert_true(st.complete);
    assert_false(st.damaged);
    assert_int_equal(st.unknown_records, 0);
}

/* Many chunks: the buffer fills on its own; everything comes back. */
static void test_many_chunks(void **state)
{
    struct collect c;
    struct tr_read_stats st;

    (void)state;
    const char *path = tmp_path("many.trace");
    struct tr_writer_stats ws = write_sample(path, 7, 300000, 0);
    assert_true(ws.chunks >= 2);
    assert_int_equal(collect_file(path, &c, &st), 0);
    assert_int_equal(c.warnings, 0);
    assert_int_equal(c.nr_events, 300000);
    assert_int_equal(st.chunks, ws.chunks);
    assert_int_equal(c.stacks, ws.stacks);
    assert_int_equal(c.strings, ws.strings);
    assert_true(st.complete);
    for (uint64_t i = 0; i < 300000; i += 997) {
        struct tr_event ev = c.events[i];
        struct tr_event want;
        sample_event(7, i, &want);
        want.stack = ev.stack;
        want.str = ev.str;
        want.dev = ev.dev;
        want.ino = ev.ino;
        assert_memory_equal(&ev, &want, sizeof(want));
    }
    collect_free(&c);
}

/* A header with nothing but the page size still round-trips. */
static void test_minimal_header(void **state)
{
    struct tr_header h = {.page_size = 65536};
    struct tr_writer *w;
    struct collect c;
    struct tr_read_stats st;

    (void)state;
    const char *path = tmp_path("minimal.trace");
    assert_int_equal(tr_writer_open(&w, path, &h, NULL), 0);
    assert_int_equal(tr_writer_close(w), 0);
    assert_int_equal(collect_file(path, &c, &st), 0);
    assert_true(c.header_seen);
    assert_int_equal(c.page_size, 65536);
    assert_string_equal(c.kernel_release, "");
    assert_int_equal(c.nr_events, 0);
    assert_int_equal(c.warnings, 0);
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
        cmocka_unit_test(test_every_event_and_field),
        cmocka_unit_test(test_many_chunks),
        cmocka_unit_test(test_minimal_header),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
