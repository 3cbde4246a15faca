/*
 * Unit tests of the shim's insert-only maps (preload/pre_map.c): values
 * found for every key also once most keys have spilled from the near tier
 * to the far one, nothing found for absent keys, a claimed but unpublished
 * key read as 0 and claimable by nobody else, one claimer per key among
 * racing threads, and an empty map after pre_map_forget().
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../preload/pre_internal.h"

#define NKEYS 20000 /* far more than the near tier's 1024 slots */
#define NTHREADS 4

static uint64_t key_of(uint64_t i)
{
    return i * 0x10001 + 7; /* never 0 */
}

static int put(struct pre_map *m, uint64_t key, uint64_t val)
{
    int claimed;
    struct pre_map_ent *e = pre_map_claim(m, key, &claimed);

    if (e != NULL && claimed)
        pre_map_publish(e, val);
    return e == NULL ? -1 : claimed;
}

static void test_many_keys(void **state)
{
    static struct pre_map m = {.far_bits = 16};
    (void)state;
    for (uint64_t i = 0; i < NKEYS; i++)
        assert_int_equal(put(&m, key_of(i), i + 1), 1);
    for (uint64_t i = 0; i < NKEYS; i++)
        assert_int_equal(pre_map_get(&m, key_of(i)), i + 1);
    for (uint64_t i = NKEYS; i < 2 * NKEYS; i++)
        assert_int_equal(pre_map_get(&m, key_of(i)), 0);
    /* A second claim finds the key, and leaves its value alone. */
    assert_int_equal(put(&m, key_of(5), 999), 0);
    assert_int_equal(pre_map_get(&m, key_of(5)), 6);
}

static void test_unpublished(void **state)
{
    static struct pre_map m = {.far_bits = 12};
    int claimed;
    struct pre_map_ent *e = pre_map_claim(&m, 42, &claimed), *again;
    (void)state;
    assert_non_null(e);
    assert_int_equal(claimed, 1);
    assert_int_equal(pre_map_get(&m, 42), 0);
    again = pre_map_claim(&m, 42, &claimed);
    assert_ptr_equal(again, e);
    assert_int_equal(claimed, 0);
    assert_int_equal(pre_map_value(again), 0);
    pre_map_publish(e, 7);
    assert_int_equal(pre_map_get(&m, 42), 7);
}

static struct pre_map shared = {.far_bits = 16};
static _Atomic uint64_t claims[NKEYS];

static void *racer(void *arg)
{
    uint64_t me = (uintptr_t)arg;

    for (uint64_t i = 0; i < NKEYS; i++) {
        uint64_t k = (i * 7 + me * 1013) % NKEYS;

        if (put(&shared, key_of(k), k + 1) == 1)
            atomic_fetch_add(&claims[k], 1);
    }
    return NULL;
}

static void test_racing_claims(void **state)
{
    pthread_t th[NTHREADS];
    (void)state;
    for (uintptr_t t = 0; t < NTHREADS; t++)
        pthread_create(&th[t], NULL, racer, (void *)t);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    for (uint64_t k = 0; k < NKEYS; k++) {
        assert_int_equal(atomic_load(&claims[k]), 1);
        assert_int_equal(pre_map_get(&shared, key_of(k)), k + 1);
    }
}

static void test_forget(void **state)
{
    static struct pre_map m = {.far_bits = 12};
    (void)state;
    for (uint64_t i = 0; i < 3000; i++)
        put(&m, key_of(i), i + 1);
    pre_map_forget(&m);
    for (uint64_t i = 0; i < 3000; i++)
        assert_int_equal(pre_map_get(&m, key_of(i)), 0);
    assert_int_equal(put(&m, key_of(1), 5), 1);
    assert_int_equal(pre_map_get(&m, key_of(1)), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_unpublished),
        cmocka_unit_test(test_racing_claims),
        cmocka_unit_test(test_forget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
