/*
 * Fidelity test of the watermark rules against real kernels: for every
 * golden case the oracle captured (Debian 6.1 under QEMU, and the 6.18
 * host), the machine is read from the golden /proc/zoneinfo, the case's
 * min_free_kbytes, watermark_scale_factor and lowmem_reserve_ratio are
 * written (the guest forced the same recompute), and every zone's min, low,
 * high and protection, the per-CPU pageset batch and high limits and the
 * vm stats threshold must equal what the kernel printed.
 * Runs from the tests/ directory (meson workdir).
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
#include "internal.h"

static unsigned pcp_checked; /* zones whose pagesets were compared */

static const char *const cases[] = {
    "256m-oom-b0", "256m-oom-bm1000", "256m-oom-bm500", "256m-oom-bp500",
    "256m-swap-touch", "4608m-defaults", "4608m-ockbytes", "4608m-ocratio",
    "4608m-wmark", "512m-defaults", "512m-hugetlb", "512m-ockbytes",
    "512m-ocratio", "512m-swap", "512m-wmark", "host-6.18",
    "numa2-defaults", "numa2-ockbytes", "numa2-ocratio", "numa2-wmark",
};

static char *slurp(const char *dir, const char *file, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "oracle/golden/%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1u << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1u << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Apply "vm.KEY = VALUE" from the golden sysctl.txt. */
static void apply(struct mm_sim *sim, const char *sysctl, const char *key)
{
    char pat[64], value[128];
    snprintf(pat, sizeof(pat), "\nvm.%s = ", key);
    const char *p = strstr(sysctl, pat);
    assert_non_null(p);
    p += strlen(pat);
    size_t n = strcspn(p, "\n");
    assert_true(n < sizeof(value));
    memcpy(value, p, n);
    value[n] = '\0';
    assert_int_equal(mm_sim_sysctl_write(sim, key, value), 0);
}

/* The first CPU's pageset of a zone block: batch and the 6.1 "high" or the
 * 6.18 high_min/high_max (6.18's "high" auto-tunes at run time). */
static void check_pcp(const struct mm_sim *sim, const char *block,
                      const struct mm_zone *z)
{
    const char *end = strstr(block, "\nNode ");
    const char *p = strstr(block, "              high:");
    if (!p || (end && p > end))
        return; /* unpopulated zone: no pagesets */
    struct mm_pcp_sizes pcp;
    mm__zone_pcp_sizes(sim, z, &pcp);
    unsigned long high, batch, hmin, hmax;
    assert_int_equal(sscanf(p, " high: %lu batch: %lu", &high, &batch), 2);
    assert_int_equal(pcp.batch, batch);
    pcp_checked++;
    unsigned threshold;
    const char *t = strstr(p, "vm stats threshold:");
    assert_non_null(t);
    assert_int_equal(sscanf(t, "vm stats threshold: %u", &threshold), 1);
    assert_int_equal(mm__zone_stat_threshold(sim, z), threshold);
    if (sscanf(p, " high: %*u batch: %*u high_min: %lu high_max: %lu",
               &hmin, &hmax) == 2) {
        assert_int_equal(pcp.high_min, hmin);
        assert_int_equal(pcp.high_max, hmax);
    } else {
        assert_int_equal(pcp.high_min, high);
    }
}

/* Compare one zone block of the golden zoneinfo with the model's zone. */
static void check_zone(const char *block, const struct mm_zone *z)
{
    unsigned long min, low, high, prot[MM_NR_ZONES];
    const char *p = strstr(block, "        min ");
    assert_non_null(p);
    assert_int_equal(sscanf(p, " min %lu low %lu high %lu", &min, &low, &high), 3);
    p = strstr(block, "protection: (");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "protection: (%lu, %lu, %lu, %lu, %lu)", &prot[0],
                            &prot[1], &prot[2], &prot[3], &prot[4]), 5);
    assert_int_equal(mm__wmark_pages(z, MM_WMARK_MIN), min);
    assert_int_equal(mm__wmark_pages(z, MM_WMARK_LOW), low);
    assert_int_equal(mm__wmark_pages(z, MM_WMARK_HIGH), high);
    for (int j = 0; j < MM_NR_ZONES; j++)
        assert_int_equal(z->lowmem_reserve[j], prot[j]);
}

static void check_case(const char *name)
{
    size_t zlen, slen;
    char *zi = slurp(name, "zoneinfo.txt", &zlen);
    char *sys = slurp(name, "sysctl.txt", &slen);
    static struct mm_machine m;
    struct cli_err cerr = {0};
    assert_int_equal(cli_zoneinfo_parse(zi, zlen, name, &m, &cerr), 0);
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    apply(sim, sys, "watermark_scale_factor");
    apply(sim, sys, "min_free_kbytes");
    apply(sim, sys, "lowmem_reserve_ratio");
    apply(sim, sys, "percpu_pagelist_high_fraction");
    unsigned zones = 0;
    for (const char *p = strstr(zi, "Node "); p; p = strstr(p + 1, "\nNode ")) {
        unsigned nid;
        char zname[16];
        assert_int_equal(sscanf(p + (*p == '\n'), "Node %u, zone %15s", &nid, zname), 2);
        int t = 0;
        while (t < MM_NR_ZONES && strcmp(mm__zone_name((enum mm_zone_type)t), zname))
            t++;
        assert_true(t < MM_NR_ZONES);
        const struct mm_zone *z = mm__node_zone(sim, (int)nid, (enum mm_zone_type)t);
        check_zone(p + 1, z);
        check_pcp(sim, p + 1, z);
        zones++;
    }
    assert_int_equal(zones, sim->nr_nodes * MM_NR_ZONES);
    mm_sim_free(sim);
    free(zi);
    free(sys);
}

static void test_goldens(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case %s\n", cases[i]);
        check_case(cases[i]);
    }
    print_message("pagesets compared in %u zones\n", pcp_checked);
    assert_true(pcp_checked >= 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goldens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
