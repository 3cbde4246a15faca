/*
 * Tests of the /proc/zoneinfo parser (tools/cli_zoneinfo.c) on real files:
 * the 6.18 development machine and Debian 6.1 QEMU guests (tests/data/),
 * and on malformed text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_config.h"

static struct mm_machine machine;

static void parse_file(const char *path)
{
    char *text;
    size_t len;
    struct cli_err err;
    assert_int_equal(cli_read_file("test", path, &text, &len, &err), 0);
    int rc = cli_zoneinfo_parse(text, len, path, &machine, &err);
    free(text);
    if (rc)
        fail_msg("%s: %s: '%s'", err.where, err.problem, err.input);
}

static void expect_zone(unsigned node, int z, uint64_t start,
                        uint64_t spanned, uint64_t present, uint64_t managed)
{
    const struct mm_zone_shape *s = &machine.nodes[node].zones[z];
    assert_int_equal(s->start_pfn, start);
    assert_int_equal(s->spanned, spanned);
    assert_int_equal(s->present, present);
    assert_int_equal(s->managed, managed);
}

static void test_host_618(void **state)
{
    (void)state;
    parse_file("data/zoneinfo-6.18.txt");
    assert_int_equal(machine.nr_nodes, 1);
    expect_zone(0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    expect_zone(0, MM_ZONE_DMA32, 4096, 1044480, 782336, 772808);
    expect_zone(0, MM_ZONE_NORMAL, 1048576, 5505024, 5505024, 720896);
    expect_zone(0, MM_ZONE_MOVABLE, 0, 0, 0, 0);
    assert_int_equal(machine.nodes[0].nr_cpus, 2);
    assert_int_equal(machine.kernel, MM_KERNEL(6, 18)); /* high_min lines */
    assert_int_equal(machine.distance[0][0], 10);
}

static void test_qemu_61(void **state)
{
    (void)state;
    parse_file("data/zoneinfo-6.1-qemu-4608M.txt");
    assert_int_equal(machine.kernel, MM_KERNEL(6, 1)); /* no promo line */
    expect_zone(0, MM_ZONE_DMA32, 4096, 1044480, 782304, 754602);
    expect_zone(0, MM_ZONE_NORMAL, 1048576, 393216, 393216, 371334);
    parse_file("data/zoneinfo-6.1-qemu-1G-numa.txt");
    assert_int_equal(machine.nr_nodes, 2);
    expect_zone(0, MM_ZONE_DMA32, 4096, 126976, 126976, 113501);
    expect_zone(1, MM_ZONE_DMA32, 131072, 131040, 131040, 128873);
    expect_zone(1, MM_ZONE_DMA, 0, 0, 0, 0);
    assert_int_equal(machine.nodes[0].nr_cpus + machine.nodes[1].nr_cpus, 2);
    assert_int_equal(machine.distance[0][1], 20);
}

/* The spec layout reproduces what the parser reads from the real guests. */
static void test_spec_matches_guest(void **state)
{
    (void)state;
    static const struct { const char *file, *spec; } pairs[] = {
        {"data/zoneinfo-6.1-qemu-512M.txt", "mem=512M,cpus=2"},
        {"data/zoneinfo-6.1-qemu-1G.txt", "mem=1G,cpus=2"},
        {"data/zoneinfo-6.1-qemu-4608M.txt", "mem=4608M,cpus=2"},
        {"data/zoneinfo-6.1-qemu-1G-numa.txt", "mem=1G,nodes=2,cpus=2"},
        {"data/zoneinfo-6.1-qemu-4608M-kernelcore1G.txt",
         "mem=4608M,cpus=2,kernelcore=1G"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct mm_machine spec;
        struct cli_err err;
        parse_file(pairs[i].file);
        assert_int_equal(cli_machine_parse_spec(pairs[i].spec,
                                                MM_KERNEL(6, 1), &spec,
                                                &err), 0);
        assert_int_equal(spec.nr_nodes, machine.nr_nodes);
        for (unsigned n = 0; n < spec.nr_nodes; n++)
            assert_memory_equal(spec.nodes[n].zones, machine.nodes[n].zones,
                                sizeof(spec.nodes[n].zones));
    }
}

struct bad_text {
    const char *text, *where, *problem, *input;
};

static void test_bad_text(void **state)
{
    (void)state;
    static const struct bad_text bad[] = {
        {"", "f", "no zone with managed pages", ""},
        {"        spanned 4\n", "f:1", "zone field before any zone header",
         "        spanned 4"},
        {"Node 0, zone DMA\n  spanned x\n", "f:2", "not a number",
         "  spanned x"},
        {"Node 0, zone DMA\n  spanned 99999999999999999999\n", "f:2",
         "not a number", "  spanned 99999999999999999999"},
        {"Node 0, zone HighMem\n", "f:1",
         "not an x86_64 zone (DMA, DMA32, Normal, Movable, Device)",
         "Node 0, zone HighMem"},
        {"Node 64, zone DMA\n", "f:1", "node number above 63",
         "Node 64, zone DMA"},
        {"Node x, zone DMA\n", "f:1", "malformed zone header",
         "Node x, zone DMA"},
        {"Node 0 zone DMA\n", "f:1", "malformed zone header",
         "Node 0 zone DMA"},
        {"Node 0, zone DMA\nNode 0, zone DMA\n", "f:2", "zone listed twice",
         "Node 0, zone DMA"},
        {"Node 0, zone DMA\n spanned 10\n present 10\n", "f",
         "zone lacks spanned, present or managed", "Node 0, zone DMA"},
        {"Node 0, zone DMA\n spanned 10\n present 11\n managed 1\n"
         "start_pfn: 1\n", "f", "needs managed <= present <= spanned",
         "Node 0, zone DMA"},
        {"Node 0, zone DMA\n spanned 10\n present 10\n managed 1\n", "f",
         "populated zone without start_pfn", "Node 0, zone DMA"},
        {"Node 0, zone DMA\n spanned 5000\n present 10\n managed 1\n"
         "start_pfn: 1\n", "f", "zone outside its x86_64 PFN range",
         "Node 0, zone DMA"},
        {"Node 1, zone DMA\n spanned 10\n present 10\n managed 1\n"
         "start_pfn: 1\n", "f", "node ids have a gap: node missing",
         "Node 0, zone DMA"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cli_err err;
        int rc = cli_zoneinfo_parse(bad[i].text, strlen(bad[i].text), "f",
                                    &machine, &err);
        if (rc == 0 || strcmp(err.where, bad[i].where) ||
            strcmp(err.problem, bad[i].problem) ||
            strcmp(err.input, bad[i].input))
            fail_msg("case %zu: rc %d: '%s' '%s' '%s'", i, rc,
                     rc ? err.where : "", rc ? err.problem : "",
                     rc ? err.input : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_618),
        cmocka_unit_test(test_qemu_61),
        cmocka_unit_test(test_spec_matches_guest),
        cmocka_unit_test(test_bad_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
