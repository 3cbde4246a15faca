/* Unit tests for model/hashmap.c: put/get/overwrite, backward-shift delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

static void test_put_get_overwrite(void **state)
{
    (void)state;
    struct mm_hmap map = {0};
    uint64_t v = 0;
    assert_false(mm__hmap_get(&map, 1, &v));
    assert_int_equal(mm__hmap_put(&map, 1, 100), 0);
    assert_int_equal(mm__hmap_put(&map, 1, 200), 0);
    assert_true(mm__hmap_get(&map, 1, &v));
    assert_int_equal(v, 200);
    assert_int_equal(map.count, 1);
    mm__hmap_destroy(&map);
}

static void test_many_keys_and_deletes(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct mm_hmap map = {0};
    for (uint64_t k = 0; k < N; k++)
        assert_int_equal(mm__hmap_put(&map, k << 12, k), 0);
    assert_int_equal(map.count, N);
    for (uint64_t k = 0; k < N; k += 3)
        assert_true(mm__hmap_del(&map, k << 12));
    assert_false(mm__hmap_del(&map, 0));
    for (uint64_t k = 0; k < N; k++) {
        uint64_t v;
        bool present = mm__hmap_get(&map, k << 12, &v);
        assert_true(present == (k % 3 != 0));
        if (present)
            assert_int_equal(v, k);
    }
    size_t pos = 0, seen = 0;
    while (mm__hmap_next(&map, &pos))
        seen++;
    assert_int_equal(seen, map.count);
    mm__hmap_destroy(&map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_overwrite),
        cmocka_unit_test(test_many_keys_and_deletes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
