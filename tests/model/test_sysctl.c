/*
 * Unit tests for model/sysctl.c: defaults, the kernel's parsing rules
 * (checked against the real 6.18 kernel's /proc/sys/vm), ranges, the paired
 * knobs that zero each other, and lowmem_reserve_ratio never failing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mmsim/mm.h"

static struct mm_vm_knobs vm;

static int setup(void **state)
{
    (void)state;
    mm_vm_knobs_default(&vm);
    return 0;
}

static void assert_reads(const char *name, const char *expect)
{
    struct mm_buf buf = {0};
    assert_int_equal(mm_sysctl_read(&vm, name, &buf), 0);
    assert_string_equal(buf.data, expect);
    mm_buf_free(&buf);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_reads("overcommit_memory", "0");
    assert_reads("overcommit_ratio", "50");
    assert_reads("max_map_count", "65530");
    assert_reads("watermark_scale_factor", "10");
    assert_reads("watermark_boost_factor", "15000");
    assert_reads("lowmem_reserve_ratio", "256\t256\t32\t0\t0");
    assert_reads("swappiness", "60");
    assert_reads("page-cluster", "3");
    assert_reads("dirty_ratio", "20");
    assert_reads("numa_zonelist_order", "Node");
    assert_int_equal(vm.user_min_free_kbytes, -1);
}

static void test_name_forms(void **state)
{
    (void)state;
    assert_int_equal(mm_sysctl_write(&vm, "vm.swappiness", "10", NULL), 0);
    assert_int_equal(vm.swappiness, 10);
    assert_int_equal(mm_sysctl_write(&vm, "vm/swappiness", "11", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "swappiness", "12", NULL), 0);
    assert_int_equal(vm.swappiness, 12);
    assert_int_equal(mm_sysctl_write(&vm, "vm.nosuch", "1", NULL), MM_ENOENT);
    assert_int_equal(mm_sysctl_write(&vm, "kernel.swappiness", "1", NULL),
                     MM_ENOENT);
}

/* Each case was written to /proc/sys/vm/oom_dump_tasks on Linux 6.18. */
static void test_int_parsing_like_the_kernel(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int err;
        int value;
    } cases[] = {
        {"1 2", 0, 1},     {" 0 ", 0, 0},       {"+1", MM_EINVAL, 0},
        {"0x10", 0, 16},   {"1abc", MM_EINVAL, 16}, {"  7", 0, 7},
        {"-3", 0, -3},     {"99999999999", MM_EINVAL, -3},
        {"010", 0, 8},     {"08", MM_EINVAL, 8},  {"", MM_EINVAL, 8},
        {"2147483647", 0, 2147483647}, {"-2147483648", 0, -2147483647 - 1},
        {"2147483648", MM_EINVAL, -2147483647 - 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(mm_sysctl_write(&vm, "oom_dump_tasks", cases[i].text,
                                         NULL), cases[i].err);
        assert_int_equal(vm.oom_dump_tasks, cases[i].value);
    }
}

static void test_ulong_parsing(void **state)
{
    (void)state;
    const char *name = "admin_reserve_kbytes";
    assert_int_equal(mm_sysctl_write(&vm, name, "-1", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, name, "abc", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, name, "18446744073709551615", NULL), 0);
    assert_true(vm.admin_reserve_kbytes == UINT64_MAX);
    assert_int_equal(mm_sysctl_write(&vm, name, "18446744073709551616", NULL),
                     MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, name, "5 6", NULL), 0);
    assert_int_equal(vm.admin_reserve_kbytes, 5);
}

static void test_ranges(void **state)
{
    (void)state;
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_memory", "3", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_memory", "-1", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_memory", "2", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "swappiness", "201", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "swappiness", "200", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "watermark_scale_factor", "0", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "watermark_scale_factor", "3001", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "watermark_scale_factor", "3000", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "min_free_kbytes", "-1", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "panic_on_oom", "3", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "percpu_pagelist_high_fraction", "7", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "percpu_pagelist_high_fraction", "8", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "percpu_pagelist_high_fraction", "0", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "dirty_bytes", "8191", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "dirty_background_bytes", "0", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "numa_zonelist_order", "Zone", NULL), MM_EINVAL);
    assert_int_equal(mm_sysctl_write(&vm, "numa_zonelist_order", "node", NULL), 0);
    /* Any int: negative ratios are accepted (CommitLimit then wraps). */
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_ratio", "-5", NULL), 0);
    assert_int_equal(vm.overcommit_ratio, -5);
}

static void test_paired_knobs_zero_each_other(void **state)
{
    (void)state;
    unsigned effects = 0;
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_kbytes", "0", &effects), 0);
    assert_int_equal(vm.overcommit_ratio, 0); /* even when writing 0 */
    assert_int_equal(effects, MM_SYSCTL_EFFECT_COMMIT);
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_kbytes", "1048576", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "overcommit_ratio", "80", NULL), 0);
    assert_int_equal(vm.overcommit_kbytes, 0);
    assert_int_equal(mm_sysctl_write(&vm, "dirty_bytes", "8192", NULL), 0);
    assert_int_equal(vm.dirty_ratio, 0);
    assert_int_equal(mm_sysctl_write(&vm, "dirty_background_ratio", "5", NULL), 0);
    assert_int_equal(mm_sysctl_write(&vm, "dirty_background_bytes", "1", NULL), 0);
    assert_int_equal(vm.dirty_background_ratio, 0);
}

static void test_min_free_kbytes_records_user_value(void **state)
{
    (void)state;
    unsigned effects = 0;
    assert_int_equal(mm_sysctl_write(&vm, "min_free_kbytes", "90112", &effects), 0);
    assert_int_equal(vm.user_min_free_kbytes, 90112);
    assert_int_equal(effects, MM_SYSCTL_EFFECT_WMARK | MM_SYSCTL_EFFECT_MIN_FREE);
}

/* Live: `-1 256 32 0 0` -> `0 256 32 0 0`, and `abc` is accepted unchanged. */
static void test_lowmem_reserve_ratio_never_fails(void **state)
{
    (void)state;
    assert_int_equal(mm_sysctl_write(&vm, "lowmem_reserve_ratio", "-1 256 32 0 0", NULL), 0);
    assert_reads("lowmem_reserve_ratio", "0\t256\t32\t0\t0");
    assert_int_equal(mm_sysctl_write(&vm, "lowmem_reserve_ratio", "abc", NULL), 0);
    assert_reads("lowmem_reserve_ratio", "0\t256\t32\t0\t0");
    assert_int_equal(mm_sysctl_write(&vm, "lowmem_reserve_ratio", "128 64 x", NULL), 0);
    assert_reads("lowmem_reserve_ratio", "128\t64\t32\t0\t0");
}

static void test_table_is_sorted_and_findable(void **state)
{
    (void)state;
    size_t n = mm_sysctl_count();
    assert_true(n >= 28);
    for (size_t i = 0; i < n; i++) {
        const struct mm_sysctl_desc *d = mm_sysctl_at(i);
        assert_ptr_equal(mm_sysctl_find(d->name), d);
        if (i)
            assert_true(strcmp(mm_sysctl_at(i - 1)->name, d->name) < 0);
    }
    assert_null(mm_sysctl_at(n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_name_forms, setup),
        cmocka_unit_test_setup(test_int_parsing_like_the_kernel, setup),
        cmocka_unit_test_setup(test_ulong_parsing, setup),
        cmocka_unit_test_setup(test_ranges, setup),
        cmocka_unit_test_setup(test_paired_knobs_zero_each_other, setup),
        cmocka_unit_test_setup(test_min_free_kbytes_records_user_value, setup),
        cmocka_unit_test_setup(test_lowmem_reserve_ratio_never_fails, setup),
        cmocka_unit_test_setup(test_table_is_sorted_and_findable, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
