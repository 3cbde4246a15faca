/*
 * Unit tests of the renderers (tools/render_*.c), on reports built here:
 * they read only struct mm_report, so pressure the model cannot produce
 * yet (reclaim, swap, OOM kills) is rendered from a report that has it:
 * the text report's pressure section, the HTML reclaim/swap charts and OOM
 * markers, the JSON pressure objects; HTML escaping of every byte that
 * could open a tag or end an attribute; no pressure section without
 * pressure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmsim/event.h"
#include "render_html.h"
#include "report.h"

/* Render into a string with @fn; the caller frees it. */
static char *rendered(int (*fn)(const struct mm_report *const *, size_t,
                                FILE *),
                      const struct mm_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    const struct mm_report *reps[1] = {r};
    assert_int_equal(fn(reps, 1, f), 0);
    fclose(f);
    return buf;
}

static int text_plain(const struct mm_report *const *reps, size_t n, FILE *f)
{
    return render_text(reps, n, f, false);
}

/* A report of one process "<x>&" with three samples: reclaim from the
 * second on, one OOM kill at the third, 512 kB of swap in use. */
static void pressured(struct mm_report *r)
{
    static uint64_t rss[3] = {100, 200, 50};
    static struct report_proc proc = {.pid = 7, .comm = "<x>&",
                                      .fate = REPORT_FATE_SIGNALED,
                                      .exit_code = 9};
    memset(r, 0, sizeof(*r));
    proc.rss_series = rss;
    r->procs = &proc;
    r->nr_procs = 1;
    r->nr_samples = 3;
    for (int i = 0; i < 3; i++) {
        struct report_sample *s = &r->samples[i];
        s->t_ns = (uint64_t)i * 1000000;
        s->free_kb = 1000 - 100 * (uint64_t)i;
        s->committed_kb = 10 * (uint64_t)i;
        s->limit_kb = 500;
        s->pressure[RP_PGSCAN_KSWAPD] = 32 * (uint64_t)i;
        s->pressure[RP_PSWPOUT] = i ? 128 : 0;
        s->pressure[RP_OOM_KILL] = i == 2;
        s->swap_used_kb = i ? 512 : 0;
    }
    static struct report_oom kill = {.t_ns = 2000000, .pid = 7,
                                     .comm = "<x>&", .trigger_pid = 7,
                                     .trigger_comm = "<x>&",
                                     .trigger_type = TR_EV_FAULT};
    r->ooms = &kill;
    r->nr_ooms = 1;
    r->system = (struct report_system){.duration_ns = 2000000,
                                       .oom_kills = 1,
                                       .peak_swap_used_kb = 512,
                                       .swap_used_kb = 512};
    memcpy(r->system.pressure, r->samples[2].pressure,
           sizeof(r->system.pressure));
}

static void test_text_pressure(void **state)
{
    (void)state;
    struct mm_report r;
    pressured(&r);
    assert_true(report_has_pressure(&r));
    char *t = rendered(text_plain, &r);
    assert_non_null(strstr(t, "\nPressure (counts since boot"));
    assert_non_null(strstr(t, "  pgscan_kswapd                 64\n"));
    assert_non_null(strstr(t, "  pswpout                      128\n"));
    assert_non_null(strstr(t, "  oom_kill                       1\n"));
    assert_non_null(strstr(t, "  peak swap used               512 kB\n"));
    free(t);
    struct mm_report quiet = {0};
    assert_false(report_has_pressure(&quiet));
    t = rendered(text_plain, &quiet);
    assert_null(strstr(t, "Pressure"));
    free(t);
}

static void test_html_pressure(void **state)
{
    (void)state;
    struct mm_report r;
    pressured(&r);
    char *h = rendered(render_html, &r);
    assert_non_null(strstr(h, "Reclaim, swap and OOM counters"));
    assert_non_null(strstr(h, ">Swap used</text>"));
    /* the kill is marked at its time, the names escaped */
    assert_non_null(strstr(h, "class=\"oom\"><title>OOM kill at 0.002 s: "
                              "&lt;x&gt;&amp; (pid 7), for &lt;x&gt;&amp; (pid 7)"));
    assert_non_null(strstr(h, "&lt;x&gt;&amp;"));
    assert_null(strstr(h, "<x>"));
    assert_null(strstr(h, "<script"));
    free(h);
    struct mm_report quiet = {0};
    h = rendered(render_html, &quiet);
    assert_null(strstr(h, "Reclaim, swap"));
    free(h);
}

static void test_json_pressure(void **state)
{
    (void)state;
    struct mm_report r;
    pressured(&r);
    char *j = rendered(render_json, &r);
    assert_non_null(strstr(j, "\"peak_swap_used_kb\":512,\"pressure\":"
                              "{\"pgscan_kswapd\":64,\"pgscan_direct\":0,"));
    assert_non_null(strstr(j, "\"swap_used_kb\":512,\"wmark_min_kb\":0"));
    assert_non_null(strstr(j, "\"oom_kill\":1}"));
    free(j);
}

static void test_escape(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    render_html_esc(f, "<a href=\"x\" onclick='y'>&\x01\x7f</a>");
    fclose(f);
    assert_string_equal(buf, "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;"
                             "&amp;&#xFFFD;&#xFFFD;&lt;/a&gt;");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_pressure),
        cmocka_unit_test(test_html_pressure),
        cmocka_unit_test(test_json_pressure),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
