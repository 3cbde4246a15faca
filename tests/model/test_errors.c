/* Unit tests for model/errors.c: every MM_E* value has a name and message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mmsim/mm.h"

static void test_names_and_messages(void **state)
{
    (void)state;
    assert_int_equal(MM_ENOMEM, -12);
    assert_string_equal(mm_err_name(MM_ENOMEM), "ENOMEM");
    assert_string_equal(mm_strerror(MM_ENOMEM), "cannot allocate memory");
    assert_string_equal(mm_strerror(MM_ERANGE), "value out of range");
    assert_string_equal(mm_strerror(0), "success");
    assert_string_equal(mm_strerror(-9999), "unknown error");
    assert_string_equal(mm_err_name(-9999), "EUNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
