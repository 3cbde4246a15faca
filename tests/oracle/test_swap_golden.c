/*
 * test_swap_golden.c - the model under swap pressure against a real Debian
 * 6.1 guest (tests/oracle/golden/256m-swap-touch: 256 MiB of RAM, 256 MiB
 * of swap, sets/swaptouch.probes).
 *
 * In the guest, probes/toucher.c mapped 4 MiB private anonymous chunks and
 * wrote one byte in every page until 276 MiB were touched (69 chunks); it
 * completed, and /proc/vmstat's pswpout rose by the amount in
 * vmstat_before.txt / vmstat_after.txt. This test boots the model on the
 * guest's zones (zoneinfo.txt), with the guest's free pages before the run
 * (vmstat_before.txt nr_free_pages: the rest is the guest's background), its
 * swap size (swap.txt SwapTotal) and its sysctls, replays the same mmaps
 * and write faults, and requires: no allocation fails, the toucher's pages
 * are all accounted (resident + swapped = touched), and the model's pswpout
 * is within 25% of the kernel's.
 *
 * Usage: test_swap_golden GOLDEN_DIR (the golden directory of all cases)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define CASE "256m-swap-touch"
#define CHUNK_PAGES 1024ull /* 4 MiB */
#define CHUNKS 69           /* 276 MiB: the toucher's last line */
#define BASE 0x7f0000000000ull

static const char *golden_dir;

static const char *const zone_names[MM_NR_ZONES] = {
    "DMA", "DMA32", "Normal", "Movable", "Device",
};

static FILE *open_case(const char *file)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/%s/%s", golden_dir, CASE, file);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

/* The value of "key value" (vmstat), "key: value kB" (meminfo) or
 * "key = value" (sysctl -a) lines. */
static uint64_t file_value(const char *file, const char *key)
{
    char line[512];
    size_t klen = strlen(key);
    FILE *f = open_case(file);
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0 &&
            (line[klen] == ' ' || line[klen] == ':')) {
            const char *v = line + klen;
            while (*v == ' ' || *v == ':' || *v == '=')
                v++;
            fclose(f);
            return strtoull(v, NULL, 10);
        }
    }
    fclose(f);
    fail_msg("%s: no %s", file, key);
    return 0;
}

static int zone_index(const char *name)
{
    for (int z = 0; z < MM_NR_ZONES; z++)
        if (strcmp(zone_names[z], name) == 0)
            return z;
    return -1;
}

/* Zone shapes of the guest's /proc/zoneinfo. */
static void parse_zoneinfo(struct mm_machine *m)
{
    char line[512], name[32];
    unsigned node;
    unsigned long long v;
    struct mm_zone_shape *z = NULL;
    FILE *f = open_case("zoneinfo.txt");
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "Node %u, zone %31s", &node, name) == 2) {
            int t = zone_index(name);
            assert_true(t >= 0 && node < MM_MAX_NUMNODES);
            z = &m->nodes[node].zones[t];
            m->nr_nodes = node + 1 > m->nr_nodes ? node + 1 : m->nr_nodes;
        } else if (z && sscanf(line, " spanned %llu", &v) == 1) {
            z->spanned = v;
        } else if (z && sscanf(line, " present %llu", &v) == 1) {
            z->present = v;
        } else if (z && sscanf(line, " managed %llu", &v) == 1) {
            z->managed = v;
        } else if (z && sscanf(line, " start_pfn: %llu", &v) == 1) {
            z->start_pfn = v;
        }
    }
    fclose(f);
}

static struct mm_sim *boot_guest(void)
{
    struct mm_machine m;
    memset(&m, 0, sizeof(m));
    parse_zoneinfo(&m);
    assert_int_equal(m.nr_nodes, 1);
    m.nodes[0].nr_cpus = 2;
    m.kernel = MM_KERNEL(6, 1);
    m.thp = MM_THP_ALWAYS; /* Debian's default; off below 512 MiB anyway */
    m.swap_pages = file_value("swap.txt", "SwapTotal") >> 2;
    uint64_t free_before = file_value("vmstat_before.txt", "nr_free_pages");
    m.bg_used_pages[0] = mm_totalram_pages(&m) - free_before;
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    assert_int_equal(mm__global_zone_page_state(sim, MM_NR_FREE_PAGES),
                     free_before);
    /* the guest's value (the model's boot computes 1835 from these zones) */
    char value[32];
    snprintf(value, sizeof(value), "%llu", (unsigned long long)
             file_value("sysctl.txt", "vm.min_free_kbytes"));
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.min_free_kbytes", value), 0);
    return sim;
}

/* The toucher: 69 chunks of 4 MiB, each page written once, in order;
 * @step_ns of trace time per touch. */
static void run_toucher(struct mm_sim *sim, uint64_t step_ns)
{
    uint64_t t = 0;
    assert_int_equal(mm_task_new(sim, 1), 0);
    for (uint64_t c = 0; c < CHUNKS; c++) {
        uint64_t addr = BASE - (c + 1) * CHUNK_PAGES * MM_PAGE_SIZE;
        struct mm_map_req req = {
            .addr = addr, .len = CHUNK_PAGES * MM_PAGE_SIZE,
            .prot = MM_PROT_READ | MM_PROT_WRITE,
            .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS,
        };
        assert_int_equal(mm_mmap(sim, 1, &req), 0);
        for (uint64_t p = 0; p < CHUNK_PAGES; p++) {
            mm_sim_set_time(sim, t += step_ns);
            assert_int_equal(mm_fault(sim, 1, addr + p * MM_PAGE_SIZE, true), 0);
        }
    }
}

static void check_run(uint64_t step_ns)
{
    struct mm_sim *sim = boot_guest();
    run_toucher(sim, step_ns);
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, 1, &st), 0);
    assert_int_equal(st.rss_anon + st.swapents, CHUNKS * CHUNK_PAGES);
    assert_int_equal(sim->nr_alloc_fail, 0);
    struct mm_reclaim_state rs;
    mm_reclaim_state(sim, &rs);
    uint64_t kernel = file_value("vmstat_after.txt", "pswpout") -
                      file_value("vmstat_before.txt", "pswpout");
    print_message("step %llu ns: pswpout model %llu kernel %llu; steal kswapd "
                  "%llu direct %llu; scan kswapd %llu direct %llu; "
                  "allocstall %llu; free %llu\n",
                  (unsigned long long)step_ns, (unsigned long long)rs.pswpout,
                  (unsigned long long)kernel,
                  (unsigned long long)rs.pgsteal_kswapd,
                  (unsigned long long)rs.pgsteal_direct,
                  (unsigned long long)rs.pgscan_kswapd,
                  (unsigned long long)rs.pgscan_direct,
                  (unsigned long long)rs.allocstall,
                  (unsigned long long)mm__global_zone_page_state(
                      sim, MM_NR_FREE_PAGES));
    assert_true(rs.pswpout * 4 >= kernel * 3);
    assert_true(rs.pswpout * 4 <= kernel * 5);
    assert_int_equal(rs.pswpout, st.swapents);
    assert_int_equal(mm_exit(sim, 1), 0);
    assert_int_equal(mm__nr_swap_pages(sim), sim->swap.pages);
    mm_sim_free(sim);
}

/* The clock never advances: kswapd never runs, all reclaim is direct. */
static void test_toucher_direct(void **state)
{
    (void)state;
    check_run(0);
}

/* 0.5 us per touch (2 GiB/s of first touches): kswapd at its default
 * 1 GiB/s takes part and direct reclaim still happens. */
static void test_toucher_kswapd(void **state)
{
    (void)state;
    check_run(500);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_swap_golden GOLDEN_DIR\n");
        return 2;
    }
    golden_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toucher_direct),
        cmocka_unit_test(test_toucher_kswapd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
