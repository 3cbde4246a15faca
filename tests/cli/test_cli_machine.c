/*
 * Tests of the --machine spec grammar and the zone layout
 * (tools/cli_machine.c, tools/cli_layout.c). Expected zone sizes are the
 * /proc/zoneinfo of real Debian 6.1.0-56 guests of QEMU's pc machine
 * (PVH -kernel boot) of the same RAM, CPUs and nodes; the files are in
 * tests/data/zoneinfo-6.1-qemu-*.txt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli_config.h"

static struct mm_machine machine;

static const struct mm_zone_shape *zone(const char *spec, unsigned node,
                                        int z)
{
    struct cli_err err;
    int rc = cli_machine_parse_spec(spec, MM_KERNEL(6, 18), &machine, &err);
    if (rc)
        print_error("%s: %s: '%s'\n", err.where, err.problem, err.input);
    assert_int_equal(rc, 0);
    return &machine.nodes[node].zones[z];
}

static void expect_zone(const struct mm_zone_shape *z, uint64_t start,
                        uint64_t spanned, uint64_t present, uint64_t managed)
{
    assert_int_equal(z->start_pfn, start);
    assert_int_equal(z->spanned, spanned);
    assert_int_equal(z->present, present);
    assert_int_equal(z->managed, managed);
}

static void test_qemu_512m(void **state)
{
    (void)state;
    expect_zone(zone("mem=512M,cpus=2", 0, MM_ZONE_DMA), 1, 4095, 3998, 3840);
    expect_zone(zone("mem=512M,cpus=2", 0, MM_ZONE_DMA32), 4096, 126944,
                126944, 113202);
    assert_int_equal(machine.nodes[0].zones[MM_ZONE_NORMAL].spanned, 0);
    assert_int_equal(machine.nr_nodes, 1);
    assert_int_equal(machine.thp, MM_THP_NEVER); /* below 512M managed */
}

static void test_qemu_1g_by_cpus(void **state)
{
    (void)state;
    expect_zone(zone("mem=1G,cpus=1", 0, MM_ZONE_DMA32), 4096, 258016,
                258016, 242096);
    expect_zone(zone("mem=1G,cpus=2", 0, MM_ZONE_DMA32), 4096, 258016,
                258016, 242034);
    expect_zone(zone("mem=1G,cpus=4", 0, MM_ZONE_DMA32), 4096, 258016,
                258016, 241910);
    assert_int_equal(machine.thp, MM_THP_ALWAYS);
    /* free pages when init_user_reserve() runs: managed - 4250 */
    zone("mem=1G,cpus=2", 0, MM_ZONE_DMA32);
    assert_int_equal(machine.boot_free_pages, 3840 + 242034 - 4250);
}

static void test_qemu_2g(void **state)
{
    (void)state;
    expect_zone(zone("mem=2G,cpus=2", 0, MM_ZONE_DMA32), 4096, 520160,
                520160, 499698);
}

static void test_qemu_above_4g(void **state)
{
    (void)state;
    /* 3.5 GiB and more: 3 GiB below the PCI hole, the rest from 4 GiB */
    expect_zone(zone("mem=3584M,cpus=2", 0, MM_ZONE_DMA32), 4096, 1044480,
                782304, 754602);
    expect_zone(zone("mem=3584M,cpus=2", 0, MM_ZONE_NORMAL), 1048576, 131072,
                131072, 114822);
    expect_zone(zone("mem=4608M,cpus=2", 0, MM_ZONE_DMA32), 4096, 1044480,
                782304, 754602);
    expect_zone(zone("mem=4608M,cpus=2", 0, MM_ZONE_NORMAL), 1048576, 393216,
                393216, 371334);
    /* the 8G guest had one page more reserved than the model: 1274501 */
    expect_zone(zone("mem=8G,cpus=2", 0, MM_ZONE_NORMAL), 1048576, 1310720,
                1310720, 1274502);
}

static void test_qemu_two_nodes(void **state)
{
    (void)state;
    /* real: node 0 DMA32 managed 113501, node 1 128873 */
    expect_zone(zone("mem=1G,nodes=2,cpus=2", 0, MM_ZONE_DMA32), 4096,
                126976, 126976, 113501);
    expect_zone(zone("mem=1G,nodes=2,cpus=2", 1, MM_ZONE_DMA32), 131072,
                131040, 131040, 128873);
    assert_int_equal(machine.nr_nodes, 2);
    assert_int_equal(machine.nodes[0].nr_cpus, 1);
    assert_int_equal(machine.nodes[1].nr_cpus, 1);
    assert_int_equal(machine.distance[0][1], 20);
    assert_int_equal(machine.distance[1][1], 10);
    assert_int_equal(machine.nodes[1].zones[MM_ZONE_DMA].spanned, 0);
}

/* kernelcore=/movablecore=: real guests booted with the same option
 * (tests/data/zoneinfo-6.1-qemu-*core*.txt) */
static void test_qemu_movable(void **state)
{
    (void)state;
    const char *spec = "mem=4608M,cpus=2,kernelcore=1G";
    expect_zone(zone(spec, 0, MM_ZONE_DMA32), 4096, 1044480, 782304, 754602);
    assert_int_equal(machine.nodes[0].zones[MM_ZONE_NORMAL].spanned, 0);
    expect_zone(zone(spec, 0, MM_ZONE_MOVABLE), 1048576, 393216, 393216,
                371334);
    /* below 4G ZONE_MOVABLE comes out of DMA32; real managed: 377802 and
     * 121896 (194 pages of boot data the model puts in the other zone) */
    spec = "mem=2G,cpus=2,movablecore=512M";
    expect_zone(zone(spec, 0, MM_ZONE_DMA32), 4096, 389120, 389120, 377996);
    expect_zone(zone(spec, 0, MM_ZONE_MOVABLE), 393216, 131040, 131040,
                121702);
    spec = "mem=2G,nodes=2,cpus=2,movablecore=512M";
    expect_zone(zone(spec, 0, MM_ZONE_DMA32), 4096, 193536, 193536,
                182218 + 194);
    expect_zone(zone(spec, 0, MM_ZONE_MOVABLE), 197632, 64512, 64512,
                60307 - 194);
    expect_zone(zone(spec, 1, MM_ZONE_DMA32), 262144, 196608, 196608,
                196608);
    expect_zone(zone(spec, 1, MM_ZONE_MOVABLE), 458752, 65504, 65504, 61289);
    spec = "mem=2G:4G,cpus=1:1,kernelcore=1536M";
    expect_zone(zone(spec, 0, MM_ZONE_DMA32), 4096, 520192, 520192, 500573);
    expect_zone(zone(spec, 1, MM_ZONE_DMA32), 524288, 524288, 262112,
                245728 - 194);
    expect_zone(zone(spec, 1, MM_ZONE_MOVABLE), 1048576, 786432, 786432,
                769735 + 194);
    /* kernelcore at least the whole machine: no ZONE_MOVABLE */
    assert_int_equal(zone("mem=1G,kernelcore=2G", 0,
                          MM_ZONE_MOVABLE)->spanned, 0);
    assert_int_equal(zone("mem=1G,movablecore=2G", 0,
                          MM_ZONE_DMA32)->spanned, 258016);
}

static void test_other_keys(void **state)
{
    (void)state;
    zone("mem=1G:3G,cpus=2:0,distance=10:31:21:10,swap=1G,hugetlb=64M,"
         "thp=madvise,kernel=6.1", 0, 0);
    assert_int_equal(machine.nr_nodes, 2);
    assert_int_equal(machine.nodes[0].nr_cpus, 2);
    assert_int_equal(machine.nodes[1].nr_cpus, 0);
    assert_int_equal(machine.distance[0][1], 31);
    assert_int_equal(machine.distance[1][0], 21);
    assert_int_equal(machine.swap_pages, 262143); /* one header page */
    assert_int_equal(machine.hugetlb_pages, 16384);
    assert_int_equal(machine.thp, MM_THP_MADVISE);
    assert_int_equal(machine.kernel, MM_KERNEL(6, 1));
    /* node 1: 3G from RAM offset 1G: 2G below the hole, 1G above 4G */
    /* node 1 holds the top of the RAM below 4G, so the swiotlb */
    expect_zone(&machine.nodes[1].zones[MM_ZONE_DMA32], 262144, 786432,
                524256, 524256 - 16384 - 194);
    /* its memmap (24 sections) and NODE_DATA come from the top: Normal */
    expect_zone(&machine.nodes[1].zones[MM_ZONE_NORMAL], 1048576, 262144,
                262144, 262144 - 24 * 512 - 57);
}

static void test_defaults(void **state)
{
    (void)state;
    zone("mem=2G,nodes=3", 0, 0);
    assert_int_equal(machine.nr_nodes, 3);
    for (unsigned n = 0; n < 3; n++)
        assert_int_equal(machine.nodes[n].nr_cpus, 1);
    /* 524288 pages over 3 nodes: the remainder goes to node 0 */
    assert_int_equal(machine.nodes[1].zones[MM_ZONE_DMA32].start_pfn,
                     174764);
    assert_int_equal(machine.kernel, MM_KERNEL(6, 18));
    assert_int_equal(machine.swap_pages, 0);
    assert_int_equal(machine.memcg_max_pages, 0); /* no memory cgroup */
    zone("mem=256M,memcg=96M", 0, 0);
    assert_int_equal(machine.memcg_max_pages, 24576); /* memory.max 96M */
    zone("mem=256M,memcg=100001", 0, 0);
    assert_int_equal(machine.memcg_max_pages, 24); /* rounded down */
    assert_int_equal(machine.kswapd_rate, 0); /* the model's default */
    zone("mem=256M,kswapd_rate=64M", 0, 0);
    assert_int_equal(machine.kswapd_rate, 16384); /* pages per second */
    zone("mem=2G,cpus=5,nodes=2,kernel=6.12", 0, 0);
    assert_int_equal(machine.nodes[0].nr_cpus, 3);
    assert_int_equal(machine.nodes[1].nr_cpus, 2);
    assert_int_equal(machine.kernel, MM_KERNEL(6, 12));
}

static void test_sizes(void **state)
{
    (void)state;
    uint64_t b;
    assert_int_equal(cli_parse_size("4G", 2, &b), 0);
    assert_int_equal(b, 4ull << 30);
    assert_int_equal(cli_parse_size("512MiB", 6, &b), 0);
    assert_int_equal(b, 512ull << 20);
    assert_int_equal(cli_parse_size("3kB", 3, &b), 0);
    assert_int_equal(b, 3072);
    assert_int_equal(cli_parse_size("4096", 4, &b), 0);
    assert_int_equal(b, 4096);
    assert_int_equal(cli_parse_size("16777215T", 9, &b), 0);
    assert_int_equal(cli_parse_size("16777216T", 9, &b), MM_EOVERFLOW);
    assert_int_equal(cli_parse_size("99999999999999999999", 20, &b),
                     MM_EOVERFLOW);
    assert_int_equal(cli_parse_size("", 0, &b), MM_EINVAL);
    assert_int_equal(cli_parse_size("G", 1, &b), MM_EINVAL);
    assert_int_equal(cli_parse_size("4X", 2, &b), MM_EINVAL);
    assert_int_equal(cli_parse_size("4GG", 3, &b), MM_EINVAL);
    assert_int_equal(cli_parse_size("-4G", 3, &b), MM_EINVAL);
}

struct bad_spec {
    const char *spec, *problem, *input;
};

static void test_bad_specs(void **state)
{
    (void)state;
    static const struct bad_spec bad[] = {
        {"", "empty machine spec", ""},
        {"mem", "expected key=value", "mem"},
        {"mem=4G,,swap=1G", "expected key=value", ""},
        {"ram=4G", "unknown key (mem, nodes, cpus, distance, swap, hugetlb, "
                   "thp, kernel, kernelcore, movablecore, memcg, kswapd_rate)",
         "ram=4G"},
        {"mem=1G,kswapd_rate=1K", "kswapd_rate must be at least 4K (a page "
                                  "per second)", "kswapd_rate=1K"},
        {"mem=4G,movablecore=x", "not a size", "movablecore=x"},
        {"mem=1G,memcg=x", "not a size", "memcg=x"},
        {"mem=256M,memcg=1G", "memcg larger than the memory",
         "mem=256M,memcg=1G"},
        {"mem=1G,memcg=100", "memcg smaller than one page", "mem=1G,memcg=100"},
        {"mem=4G,kernelcore=1Q", "not a size", "kernelcore=1Q"},
        {"mem=4G,mem=2G", "key given twice", "mem=2G"},
        {"mem=4Q", "not a size (like 512M, 4G)", "mem=4Q"},
        {"mem=99999999999T", "size too large", "mem=99999999999T"},
        {"swap=1G", "mem= is required", "swap=1G"},
        {"mem=1000", "mem is not a multiple of 4K (the page size)",
         "mem=1000"},
        {"mem=32M", "node 0 has less than 64M of RAM", "mem"},
        {"mem=1G,nodes=64", "node 0 has less than 64M of RAM", "mem"},
        {"mem=65T", "more RAM than x86_64 4-level paging maps (64T)", "mem"},
        {"mem=4G,nodes=0", "nodes must be 1..64", "nodes=0"},
        {"mem=4G,nodes=65", "nodes must be 1..64", "nodes=65"},
        {"mem=1G:1G,nodes=3", "mem list length differs from the node count",
         "mem=1G:1G,nodes=3"},
        {"mem=1G:1G,cpus=1:1:1",
         "cpus list length differs from the node count",
         "mem=1G:1G,cpus=1:1:1"},
        {"mem=1G,cpus=0", "cpus must be 1..8192", "mem=1G,cpus=0"},
        {"mem=1G:1G,cpus=0:0", "the machine needs at least one CPU",
         "mem=1G:1G,cpus=0:0"},
        {"mem=1G,cpus=x", "not a number", "cpus=x"},
        {"mem=2G,nodes=2,distance=10", "distance between nodes must be "
                                       "11..254", "mem=2G,nodes=2,distance=10"},
        {"mem=2G,nodes=2,distance=255", "distance between nodes must be "
                                        "11..254",
         "mem=2G,nodes=2,distance=255"},
        {"mem=2G,nodes=2,distance=10:20:20", "distance needs 1 value or "
                                             "nodes*nodes values",
         "mem=2G,nodes=2,distance=10:20:20"},
        {"mem=2G,nodes=2,distance=11:20:20:10",
         "a node's distance to itself must be 10",
         "mem=2G,nodes=2,distance=11:20:20:10"},
        {"mem=1G,thp=sometimes", "thp must be always, madvise or never",
         "thp=sometimes"},
        {"mem=1G,kernel=5.15", "the model emulates kernels 6.1 to 6.18",
         "kernel=5.15"},
        {"mem=1G,kernel=6.19", "the model emulates kernels 6.1 to 6.18",
         "kernel=6.19"},
        {"mem=1G,kernel=6", "kernel must look like 6.1 or 6.18", "kernel=6"},
        {"mem=1G,hugetlb=3M", "hugetlb must be a multiple of 2M (the huge "
                              "page size)", "hugetlb=3M"},
        {"mem=1G,hugetlb=2G", "hugetlb pool larger than the memory",
         "mem=1G,hugetlb=2G"},
        {"mem=1G,swap=4K", "swap smaller than two pages", "mem=1G,swap=4K"},
        {"mem=64M,cpus=100", "node 0 is too small for the kernel's boot reservations",
         "mem"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cli_err err;
        int rc = cli_machine_parse_spec(bad[i].spec, MM_KERNEL(6, 18),
                                        &machine, &err);
        if (rc == 0 || strcmp(err.problem, bad[i].problem) ||
            strcmp(err.input, bad[i].input))
            fail_msg("spec '%s': rc %d, got '%s' '%s'", bad[i].spec, rc,
                     rc ? err.problem : "", rc ? err.input : "");
        assert_string_equal(err.where, "--machine");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_512m),
        cmocka_unit_test(test_qemu_1g_by_cpus),
        cmocka_unit_test(test_qemu_2g),
        cmocka_unit_test(test_qemu_above_4g),
        cmocka_unit_test(test_qemu_two_nodes),
        cmocka_unit_test(test_qemu_movable),
        cmocka_unit_test(test_other_keys),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_bad_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
