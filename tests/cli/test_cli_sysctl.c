/*
 * Tests of the -s and sysctl.conf parsers (tools/cli_sysctl.c), writing
 * into struct mm_vm_knobs through mm_sysctl_write(), and of the host file
 * parsers (tools/cli_hostparse.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_config.h"

struct sink {
    struct mm_vm_knobs vm;
    unsigned writes;
};

static int write_knob(void *ctx, const struct cli_sysctl_line *l,
                      char *problem, size_t len)
{
    struct sink *s = ctx;
    int rc = mm_sysctl_write(&s->vm, l->name, l->value, NULL);
    if (rc)
        cli_sysctl_problem(rc, l, problem, len);
    else
        s->writes++;
    return rc;
}

static void test_split(void **state)
{
    (void)state;
    static const struct { const char *in, *name, *value; } ok[] = {
        {"vm.swappiness=10", "swappiness", "10"},
        {"swappiness=10", "swappiness", "10"},
        {"vm/swappiness=10", "swappiness", "10"},
        {"  vm.swappiness \t=  10 \r", "swappiness", "10"},
        {"vm.lowmem_reserve_ratio = 256 256 32 0 0", "lowmem_reserve_ratio",
         "256 256 32 0 0"},
        {"vm.x=", "x", ""},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char buf[128];
        struct cli_sysctl_line l;
        const char *why;
        snprintf(buf, sizeof(buf), "%s", ok[i].in);
        assert_int_equal(cli_sysctl_split(buf, &l, &why), 0);
        assert_string_equal(l.name, ok[i].name);
        assert_string_equal(l.value, ok[i].value);
    }
    static const struct { const char *in, *why; } bad[] = {
        {"vm.swappiness", "expected vm.KEY=VALUE"},
        {"=10", "missing sysctl name before '='"},
        {"vm.=10", "missing knob name after 'vm.'"},
        {"kernel.pid_max=10", "only vm.* sysctls are simulated"},
        {"net/core/x=1", "only vm.* sysctls are simulated"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[128];
        struct cli_sysctl_line l;
        const char *why = NULL;
        snprintf(buf, sizeof(buf), "%s", bad[i].in);
        assert_int_equal(cli_sysctl_split(buf, &l, &why), MM_EINVAL);
        assert_string_equal(why, bad[i].why);
    }
}

static void test_conf_ok(void **state)
{
    (void)state;
    static const char conf[] =
        "# comment\n"
        "; another\n"
        "\n"
        "   \t\n"
        "vm.overcommit_memory = 2\n"
        "  vm.overcommit_ratio=80\r\n"
        "-vm.no_such_knob = 1\n"
        "-vm.swappiness = 500\n"
        "vm/swappiness\t=\t7";
    struct sink s;
    struct cli_err err;
    mm_vm_knobs_default(&s.vm);
    s.writes = 0;
    assert_int_equal(cli_sysctl_conf_parse(conf, sizeof(conf) - 1, "p.conf",
                                           write_knob, &s, &err), 0);
    assert_int_equal(s.writes, 3);
    assert_int_equal(s.vm.overcommit_memory, 2);
    assert_int_equal(s.vm.overcommit_ratio, 80);
    assert_int_equal(s.vm.swappiness, 7);
}

static void test_conf_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *where, *problem, *input; } bad[] = {
        {"vm.swappiness = 201\n", "p.conf:1",
         "invalid value for vm.swappiness (0..200)", "vm.swappiness = 201"},
        {"\n# x\nvm.nope = 1\n", "p.conf:3", "unknown sysctl vm.nope",
         "vm.nope = 1"},
        {"vm.swappiness\n", "p.conf:1", "expected vm.KEY=VALUE",
         "vm.swappiness"},
        {"kernel.panic = 1\n", "p.conf:1", "only vm.* sysctls are simulated",
         "kernel.panic = 1"},
        {"-vm.swappiness\n", "p.conf:1", "expected vm.KEY=VALUE",
         "-vm.swappiness"},
        {"vm.overcommit_memory = two\n", "p.conf:1",
         "invalid value for vm.overcommit_memory (0..2)",
         "vm.overcommit_memory = two"},
        {"vm.overcommit_kbytes = -1\n", "p.conf:1",
         "invalid value for vm.overcommit_kbytes (>= 0)",
         "vm.overcommit_kbytes = -1"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sink s;
        struct cli_err err;
        mm_vm_knobs_default(&s.vm);
        int rc = cli_sysctl_conf_parse(bad[i].text, strlen(bad[i].text),
                                       "p.conf", write_knob, &s, &err);
        if (rc == 0 || strcmp(err.where, bad[i].where) ||
            strcmp(err.problem, bad[i].problem) ||
            strcmp(err.input, bad[i].input))
            fail_msg("case %zu: rc %d '%s' '%s' '%s'", i, rc,
                     rc ? err.where : "", rc ? err.problem : "",
                     rc ? err.input : "");
    }
}

static void test_host_parsers(void **state)
{
    (void)state;
    static const char meminfo[] = "MemTotal:       24683620 kB\n"
                                  "Committed_AS:      67196 kB\n"
                                  "HugePages_Total:       3\n";
    static const char node[] = "Node 0 MemTotal:        6121248 kB\n"
                               "Node 0 MemFree:         5156176 kB\n";
    uint64_t v;
    assert_int_equal(cli_meminfo_get(meminfo, "MemTotal", &v), 0);
    assert_int_equal(v, 24683620);
    assert_int_equal(cli_meminfo_get(meminfo, "Committed_AS", &v), 0);
    assert_int_equal(v, 67196);
    assert_int_equal(cli_meminfo_get(meminfo, "HugePages_Total", &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(cli_meminfo_get(meminfo, "MemFree", &v), MM_ENOENT);
    assert_int_equal(cli_meminfo_get(node, "MemFree", &v), 0);
    assert_int_equal(v, 5156176);
    assert_int_equal(cli_meminfo_get("MemTotal: x kB\n", "MemTotal", &v),
                     MM_EINVAL);
    assert_int_equal(cli_swaps_total("Filename\tType\tSize\tUsed\tPriority\n",
                                     &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cli_swaps_total(
        "Filename Type Size Used Priority\n"
        "/dev/vda                                partition\t1048572\t0\t-2\n"
        "/swapfile file 2097148 10 -3\n", &v), 0);
    assert_int_equal(v, 1048572 + 2097148);
    assert_int_equal(cli_swaps_total("h\n/x file big 0 -1\n", &v), MM_EINVAL);
    unsigned n;
    assert_int_equal(cli_cpulist_count("0-3,8,10-11\n", &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(cli_cpulist_count("\n", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(cli_cpulist_count("3-1\n", &n), MM_EINVAL);
    assert_int_equal(cli_cpulist_count("0;1\n", &n), MM_EINVAL);
    enum mm_thp_mode t;
    assert_int_equal(cli_thp_parse("always [madvise] never\n", &t), 0);
    assert_int_equal(t, MM_THP_MADVISE);
    assert_int_equal(cli_thp_parse("[always] madvise never\n", &t), 0);
    assert_int_equal(t, MM_THP_ALWAYS);
    assert_int_equal(cli_thp_parse("always madvise never\n", &t), MM_EINVAL);
    unsigned k;
    assert_int_equal(cli_uname_kernel("6.18.44-fc-v769", &k), 0);
    assert_int_equal(k, MM_KERNEL(6, 18));
    assert_int_equal(cli_uname_kernel("6.1.0-56-amd64", &k), 0);
    assert_int_equal(k, MM_KERNEL(6, 1));
    assert_int_equal(cli_uname_kernel("six", &k), MM_EINVAL);
    assert_int_equal(cli_kernel_clamp(MM_KERNEL(5, 10)), MM_KERNEL(6, 1));
    assert_int_equal(cli_kernel_clamp(MM_KERNEL(7, 2)), MM_KERNEL(6, 18));
    assert_true(cli_cmdline_no_zero_page("console=ttyS0 pvm_no_zero_page=1\n"));
    assert_true(cli_cmdline_no_zero_page("pvm_no_zero_page=1 quiet"));
    assert_false(cli_cmdline_no_zero_page("pvm_no_zero_page=10 quiet\n"));
    assert_false(cli_cmdline_no_zero_page("xpvm_no_zero_page=1\n"));
    assert_false(cli_cmdline_no_zero_page("console=ttyS0 quiet\n"));
}

/* Lazy deferred init: MemTotal counts pages no zone manages yet. */
static void test_fold_deferred(void **state)
{
    (void)state;
    struct mm_machine m = {.nr_nodes = 1};
    m.nodes[0].zones[MM_ZONE_DMA] = (struct mm_zone_shape){1, 4095, 3998,
                                                            3840};
    m.nodes[0].zones[MM_ZONE_DMA32] =
        (struct mm_zone_shape){4096, 1044480, 782336, 772808};
    m.nodes[0].zones[MM_ZONE_NORMAL] =
        (struct mm_zone_shape){1048576, 5505024, 5505024, 458752};
    cli_host_fold_deferred(&m, 0, 24683620 / 4);
    assert_int_equal(m.nodes[0].zones[MM_ZONE_NORMAL].managed,
                     24683620 / 4 - 3840 - 772808);
    assert_int_equal(m.nodes[0].zones[MM_ZONE_DMA32].managed, 772808);
    /* more than fits in Normal spills into DMA32, up to present */
    cli_host_fold_deferred(&m, 0, 24683620 / 4 + 110767 + 9528 + 5);
    assert_int_equal(m.nodes[0].zones[MM_ZONE_NORMAL].managed, 5505024);
    assert_int_equal(m.nodes[0].zones[MM_ZONE_DMA32].managed, 782336);
    assert_int_equal(m.nodes[0].zones[MM_ZONE_DMA].managed, 3845);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_conf_ok),
        cmocka_unit_test(test_conf_errors),
        cmocka_unit_test(test_host_parsers),
        cmocka_unit_test(test_fold_deferred),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
