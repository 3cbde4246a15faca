/*
 * CRC-32C: the check value, and the CPU's instruction against the table on
 * every length and alignment from 0 to 64 bytes and on long random buffers,
 * fresh and continued from a previous checksum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void test_check_value(void **state)
{
    (void)state;
    assert_int_equal(tr__crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(tr__crc32c_sw(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(tr__crc32c(0, "", 0), 0);
    /* Continuing equals checksumming the concatenation. */
    assert_int_equal(tr__crc32c(tr__crc32c(0, "1234", 4), "56789", 5),
                     0xE3069283u);
}

static void test_same_as_table(void **state)
{
    static uint8_t buf[1 << 16];
    uint64_t x = 0x9e3779b97f4a7c15ull;

    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    for (size_t off = 0; off < 16; off++)
        for (size_t len = 0; len <= 64; len++) {
            assert_int_equal(tr__crc32c(0, buf + off, len),
                             tr__crc32c_sw(0, buf + off, len));
            assert_int_equal(tr__crc32c(0x12345678u, buf + off, len),
                             tr__crc32c_sw(0x12345678u, buf + off, len));
        }
    for (size_t len = 1000; len <= sizeof(buf) - 8; len *= 4)
        assert_int_equal(tr__crc32c(7, buf + 3, len),
                         tr__crc32c_sw(7, buf + 3, len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_same_as_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
