/* Unit tests for model/buf.c: appends, growth, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mmsim/mm.h"

static void test_append_and_grow(void **state)
{
    (void)state;
    struct mm_buf buf = {0};
    assert_int_equal(mm_buf_printf(&buf, "%-10s%8d kB\n", "MemTotal:", 42), 0);
    assert_string_equal(buf.data, "MemTotal:       42 kB\n");
    for (int i = 0; i < 1000; i++)
        mm_buf_printf(&buf, "%04d", i);
    assert_int_equal(buf.err, 0);
    assert_int_equal(buf.len, 22 + 4000);
    assert_int_equal(memcmp(buf.data + buf.len - 4, "0999", 4), 0);
    mm_buf_free(&buf);
    assert_null(buf.data);
    assert_int_equal(buf.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
