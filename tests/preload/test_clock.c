/*
 * Unit tests of the shim's clock (preload/pre_clock.c): pre_now_ns() read
 * between two clock_gettime(CLOCK_MONOTONIC) calls lies between them (with
 * 1 us of slack for the TSC conversion), from the first call on and after
 * its rate is measured, in several threads; it never goes back by more
 * than that slack within a thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "../../preload/pre_internal.h"

#define SLACK_NS 1000u

static uint64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Compare for @ms milliseconds; return the number of bad readings. */
static void *compare(void *arg)
{
    uint64_t end = mono() + (uint64_t)(uintptr_t)arg * 1000000u, last = 0;
    uintptr_t bad = 0;
    for (uint64_t a = mono(); a < end; a = mono()) {
        uint64_t t = pre_now_ns(), b = mono();
        if (t + SLACK_NS < a || t > b + SLACK_NS || t + SLACK_NS < last)
            bad++;
        last = t;
    }
    return (void *)bad;
}

static void test_clock_one_thread(void **state)
{
    (void)state;
    assert_int_equal((uintptr_t)compare((void *)(uintptr_t)30), 0);
}

static void test_clock_threads(void **state)
{
    pthread_t th[4];
    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, compare,
                                        (void *)(uintptr_t)30), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_int_equal((uintptr_t)bad, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_one_thread),
        cmocka_unit_test(test_clock_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
