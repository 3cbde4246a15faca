/*
 * test_vmaset.c - the verifier's VMA tracker (tools/sup_vmaset*.c) and its
 * comparison rules (tools/sup_vmacmp.c), on hand-made events whose effect on
 * /proc/PID/maps follows from the kernel's rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "sup.h"

#define PG 4096ull
#define BASE 0x7f0000000000ull

static struct tr_event ev_of(uint32_t type, uint64_t a0, uint64_t a1,
                             uint64_t a2, uint64_t a3, int64_t ret)
{
    struct tr_event ev = {.type = type, .a = {a0, a1, a2, a3}, .ret = ret};
    return ev;
}

static void map_file(struct sup_vmaset *s, uint64_t at, uint64_t pages,
                     uint64_t off)
{
    struct tr_event ev = ev_of(TR_EV_MMAP, at, pages * PG, PROT_READ,
                               MAP_PRIVATE | MAP_FIXED, (int64_t)at);
    ev.a[5] = off;
    ev.dev = makedev(8, 1);
    ev.ino = 42;
    assert_int_equal(sup_vmaset_apply(s, &ev, "/lib/x.so"), 0);
}

static void test_munmap_splits_file_offsets(void **state)
{
    (void)state;
    struct sup_vmaset *s = sup_vmaset_new();
    map_file(s, BASE, 8, 0x2000);
    struct tr_event un = ev_of(TR_EV_MUNMAP, BASE + 2 * PG, 3 * PG, 0, 0, 0);
    sup_vmaset_apply(s, &un, NULL);
    assert_int_equal(s->nr, 2);
    assert_int_equal(s->v[0].end, BASE + 2 * PG);
    assert_int_equal(s->v[1].start, BASE + 5 * PG);
    assert_int_equal(s->v[1].off, 0x2000 + 5 * PG);
    sup_vmaset_put(s);
}

static void test_failed_mprotect_applies_prefix(void **state)
{
    (void)state;
    struct sup_vmaset *s = sup_vmaset_new();
    struct tr_event m = ev_of(TR_EV_MMAP, 0, 8 * PG, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, (int64_t)BASE);
    sup_vmaset_apply(s, &m, NULL);
    struct tr_event un = ev_of(TR_EV_MUNMAP, BASE + 4 * PG, PG, 0, 0, 0);
    sup_vmaset_apply(s, &un, NULL);
    /* mprotect(BASE+2, 4 pages) meets the hole at BASE+4: ENOMEM, but the
     * two pages before the hole were changed. */
    struct tr_event mp = ev_of(TR_EV_MPROTECT, BASE + 2 * PG, 4 * PG,
                               PROT_READ, 0, -ENOMEM);
    sup_vmaset_apply(s, &mp, NULL);
    assert_int_equal(s->nr, 3);
    assert_int_equal(s->v[1].start, BASE + 2 * PG);
    assert_int_equal(s->v[1].end, BASE + 4 * PG);
    assert_int_equal(s->v[1].prot, PROT_READ);
    assert_int_equal(s->v[2].prot, PROT_READ | PROT_WRITE);
    sup_vmaset_put(s);
}

static void test_brk_heap_named_and_trimmed(void **state)
{
    (void)state;
    struct sup_vmaset *s = sup_vmaset_new();
    s->start_brk = s->brk = 0x555500001000ull;
    struct tr_event b = ev_of(TR_EV_BRK, 0x555500001000ull + 0x21800, 0, 0, 0,
                              0x555500001000ll + 0x21800);
    sup_vmaset_apply(s, &b, NULL);
    assert_int_equal(s->nr, 1);
    assert_int_equal(s->v[0].end, 0x555500001000ull + 0x22000);
    b.ret = 0x555500001000ll + 0x1000;
    sup_vmaset_apply(s, &b, NULL);
    assert_int_equal(s->v[0].end, 0x555500002000ull);
    struct sup_rows rows = {0};
    assert_int_equal(sup_rows_from_set(s, &rows), 0);
    assert_string_equal(rows.r[0].name, "[heap]");
    sup_rows_free(&rows);
    sup_vmaset_put(s);
}

static void test_mremap_move_keeps_offset(void **state)
{
    (void)state;
    struct sup_vmaset *s = sup_vmaset_new();
    map_file(s, BASE, 4, 0);
    uint64_t a[5] = {BASE + PG, 2 * PG, 3 * PG, MREMAP_MAYMOVE, 0};
    assert_int_equal(sup_vmaset_mremap(s, a, BASE + 100 * PG), 0);
    const struct sup_vma *v = sup_vmaset_find(s, BASE + 100 * PG);
    assert_non_null(v);
    assert_int_equal(v->end, BASE + 103 * PG);
    assert_int_equal(v->off, PG);
    assert_null(sup_vmaset_find(s, BASE + PG));
    assert_non_null(sup_vmaset_find(s, BASE + 3 * PG));
    sup_vmaset_put(s);
}

static void test_fork_drops_dontfork(void **state)
{
    (void)state;
    struct sup_vmaset *s = sup_vmaset_new();
    struct tr_event m = ev_of(TR_EV_MMAP, 0, 4 * PG, PROT_READ,
                              MAP_PRIVATE | MAP_ANONYMOUS, (int64_t)BASE);
    sup_vmaset_apply(s, &m, NULL);
    struct tr_event adv = ev_of(TR_EV_MADVISE, BASE + PG, PG, MADV_DONTFORK,
                                0, 0);
    sup_vmaset_apply(s, &adv, NULL);
    struct sup_vmaset *c = sup_vmaset_fork(s);
    assert_int_equal(c->nr, 2);
    assert_null(sup_vmaset_find(c, BASE + PG));
    sup_vmaset_put(c);
    sup_vmaset_put(s);
}

static void push(struct sup_rows *rows, uint64_t start, uint64_t end,
                 const char *name)
{
    struct sup_vmaset *s = sup_vmaset_new();
    struct sup_vma v = {.start = start, .end = end, .prot = PROT_READ};
    sup_vmaset_map(s, &v);
    s->start_stack = strcmp(name, "[stack]") == 0 ? end - 8 : 0;
    sup_rows_from_set(s, rows);
    sup_vmaset_put(s);
}

static void test_compare_merges_and_tolerates_stack(void **state)
{
    (void)state;
    struct sup_rows want = {0}, got = {0};
    push(&want, BASE, BASE + 2 * PG, "");
    push(&want, BASE + 2 * PG, BASE + 4 * PG, ""); /* merged with the above */
    push(&want, BASE + 100 * PG, BASE + 132 * PG, "[stack]");
    push(&got, BASE, BASE + 4 * PG, "");
    push(&got, BASE + 90 * PG, BASE + 132 * PG, "[stack]"); /* grew */
    assert_int_equal(want.nr, 2);
    assert_int_equal(sup_rows_compare(&want, &got, NULL), 0);
    got.r[0].prot = PROT_READ | PROT_WRITE;
    assert_int_equal(sup_rows_compare(&want, &got, NULL), 1);
    sup_rows_free(&want);
    sup_rows_free(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_munmap_splits_file_offsets),
        cmocka_unit_test(test_failed_mprotect_applies_prefix),
        cmocka_unit_test(test_brk_heap_named_and_trimmed),
        cmocka_unit_test(test_mremap_move_keeps_offset),
        cmocka_unit_test(test_fork_drops_dontfork),
        cmocka_unit_test(test_compare_merges_and_tolerates_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
