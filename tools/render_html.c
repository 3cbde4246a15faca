/*
 * render_html.c - the report as one self-contained HTML file: an inline
 * style sheet, SVG charts (render_html_chart.c) and tables
 * (render_html_table.c); no script, no network, no external font. Charts:
 * RSS per process over time (one chart per policy), Committed_AS against
 * CommitLimit and free memory against the watermarks (one line per
 * policy), and, when reclaim, swap or the OOM killer acted, their counters
 * and swap use; refusals and OOM kills are marked on every chart.
 * Reads struct mm_report only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render_html.h"

#define MAX_PROC_LINES 12 /* processes drawn per RSS chart: the largest */
#define MAX_LINES 64

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "caption{font-weight:bold;text-align:left;padding:4px 0}"
    ".bad{color:#c00}tr.total{font-weight:bold}"
    ".plot{fill:#fafafa;stroke:#999}.grid{stroke:#e4e4e4}"
    ".ylab{font-size:11px;text-anchor:end}.xlab{font-size:11px;"
    "text-anchor:middle}.xlab.end{text-anchor:end}.title{font-size:14px;font-weight:bold}"
    ".enomem{stroke:#d00;stroke-width:2}.oom{stroke:#808;stroke-width:2;"
    "stroke-dasharray:3 2}"
    "ul.legend{list-style:none;padding:0;margin:0 0 1em 0;font-size:12px}"
    "ul.legend li{display:inline-block;margin-right:1.2em}"
    ".sw{display:inline-block;width:22px;height:0;border-top:3px solid;"
    "margin-right:4px;vertical-align:middle}.sw.dashed{border-top-style:"
    "dashed}.mark-enomem{border-color:#d00}.mark-oom{border-color:#808}"
    "figure.chart{margin:0 0 1em 0}ol.stack{font-family:monospace;"
    "font-size:12px;margin:2px 0}";

/**
 * render_html_esc() - write @s with &, <, >, " and ' as entities and
 * control characters as U+FFFD, so no recorded name can open a tag or end
 * an attribute
 * @out: the page
 * @s: the raw text (NULL writes nothing)
 */
void render_html_esc(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fputs("&#xFFFD;", out);
            else
                fputc(*p, out);
        }
    }
}

struct chart_build {
    struct html_chart c;
    struct html_line lines[MAX_LINES];
};

static void add_line(struct chart_build *b, const struct mm_report *r,
                     uint64_t *v, const char *what, unsigned colour,
                     bool dashed, bool prefix)
{
    if (b->c.nr_lines == MAX_LINES || !v) {
        free(v);
        return;
    }
    struct html_line *l = &b->lines[b->c.nr_lines++];
    *l = (struct html_line){.colour = colour, .dashed = dashed,
                            .n = r->nr_samples, .v = v};
    snprintf(l->label, sizeof(l->label), "%s%s%s",
             prefix ? (r->policy[0] ? r->policy : "(as configured)") : "",
             prefix ? ": " : "", what);
    /* the samples' times as a plain array */
    uint64_t *t = malloc((r->nr_samples ? r->nr_samples : 1) * sizeof(*t));
    for (size_t i = 0; t && i < r->nr_samples; i++)
        t[i] = r->samples[i].t_ns;
    l->t_ns = t;
    if (!t)
        l->n = 0;
}

static void draw(FILE *out, struct chart_build *b)
{
    render_html_chart(out, &b->c);
    for (size_t i = 0; i < b->c.nr_lines; i++) {
        free(b->lines[i].v);
        free((void *)b->lines[i].t_ns);
    }
    b->c.nr_lines = 0;
}

static int by_peak(const void *a, const void *b, void *arg)
{
    const struct report_proc *p = arg;
    uint64_t x = p[*(const size_t *)a].peak_rss_kb;
    uint64_t y = p[*(const size_t *)b].peak_rss_kb;
    return (x < y) - (x > y);
}

static void rss_chart(FILE *out, struct chart_build *b,
                      const struct mm_report *r, bool many)
{
    char title[320], what[48];
    size_t *idx = calloc(r->nr_procs ? r->nr_procs : 1, sizeof(*idx));
    size_t k = 0;
    for (size_t i = 0; idx && i < r->nr_procs; i++)
        if (r->procs[i].rss_series)
            idx[k++] = i;
    if (idx)
        qsort_r(idx, k, sizeof(*idx), by_peak, r->procs);
    for (size_t i = 0; i < k && i < MAX_PROC_LINES; i++) {
        const struct report_proc *p = &r->procs[idx[i]];
        uint64_t *v = malloc((r->nr_samples ? r->nr_samples : 1) * sizeof(*v));
        if (v)
            memcpy(v, p->rss_series, r->nr_samples * sizeof(*v));
        snprintf(what, sizeof(what), "%s (%" PRIu32 ")", p->comm, p->pid);
        add_line(b, r, v, what, (unsigned)i, false, false);
    }
    snprintf(title, sizeof(title), "RSS per process%s%s%s", many ? " - " : "",
             many ? r->policy : "",
             k > MAX_PROC_LINES ? " (the 12 largest peaks)" : "");
    b->c.title = title;
    b->c.unit = "kB";
    /* this policy's own refusals and kills only */
    const struct html_mark *all = b->c.marks;
    size_t nr_all = b->c.nr_marks;
    struct html_mark *own = NULL;
    b->c.nr_marks = render_html_marks(&r, 1, &own);
    b->c.marks = own;
    draw(out, b);
    b->c.marks = all;
    b->c.nr_marks = nr_all;
    free(own);
    free(idx);
}

#define FIELD(f) offsetof(struct report_sample, f)

static void system_charts(FILE *out, struct chart_build *b,
                          const struct mm_report *const *reps, size_t n)
{
    bool many = n > 1;
    b->c.unit = "kB";
    for (size_t i = 0; i < n; i++) {
        add_line(b, reps[i], render_html_series(reps[i], FIELD(committed_kb)),
                 "Committed_AS", (unsigned)i, false, many);
        add_line(b, reps[i], render_html_series(reps[i], FIELD(limit_kb)),
                 "CommitLimit", (unsigned)i, true, many);
    }
    b->c.title = "Committed_AS and CommitLimit";
    draw(out, b);
    for (size_t i = 0; i < n; i++) {
        add_line(b, reps[i], render_html_series(reps[i], FIELD(free_kb)),
                 "free", (unsigned)i, false, many);
        add_line(b, reps[i], render_html_series(reps[i], FIELD(wmark_min_kb)),
                 "watermark min", (unsigned)i, true, many);
        add_line(b, reps[i], render_html_series(reps[i], FIELD(wmark_low_kb)),
                 "watermark low", (unsigned)i, true, many);
        add_line(b, reps[i], render_html_series(reps[i], FIELD(wmark_high_kb)),
                 "watermark high", (unsigned)i, true, many);
    }
    b->c.title = "Free memory and the watermarks (summed over zones)";
    draw(out, b);
}

static void pressure_charts(FILE *out, struct chart_build *b,
                            const struct mm_report *const *reps, size_t n)
{
    bool many = n > 1;
    unsigned colour = 0;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < REPORT_NR_PRESSURE; k++)
            if (reps[i]->system.pressure[k])
                add_line(b, reps[i], render_html_pressure(reps[i], k),
                         report_pressure_names[k], colour++, false, many);
    b->c.title = "Reclaim, swap and OOM counters (cumulative)";
    b->c.unit = NULL;
    draw(out, b);
    for (size_t i = 0; i < n; i++)
        add_line(b, reps[i], render_html_series(reps[i], FIELD(swap_used_kb)),
                 "swap used", (unsigned)i, false, many);
    b->c.title = "Swap used";
    b->c.unit = "kB";
    draw(out, b);
}

static void charts(FILE *out, const struct mm_report *const *reps, size_t n)
{
    struct chart_build *b = calloc(1, sizeof(*b));
    if (!b)
        return;
    b->c.lines = b->lines;
    struct html_mark *marks = NULL;
    b->c.nr_marks = render_html_marks(reps, n, &marks);
    b->c.marks = marks;
    for (size_t i = 0; i < n; i++)
        if (reps[i]->system.duration_ns > b->c.t_max_ns)
            b->c.t_max_ns = reps[i]->system.duration_ns;
    fputs("<h2>Over time</h2>\n", out);
    for (size_t i = 0; i < n; i++)
        rss_chart(out, b, reps[i], n > 1);
    system_charts(out, b, reps, n);
    bool pressure = false;
    for (size_t i = 0; i < n; i++)
        pressure |= report_has_pressure(reps[i]);
    if (pressure)
        pressure_charts(out, b, reps, n);
    free(marks);
    free(b);
}

static void one_policy(FILE *out, const struct mm_report *r, bool many)
{
    if (many) {
        fputs("<h2>Policy ", out);
        render_html_esc(out, r->policy[0] ? r->policy : "(as configured)");
        fputs("</h2>\n", out);
    } else if (r->policy[0]) {
        fputs("<p>Policy: ", out);
        render_html_esc(out, r->policy);
        fputs("</p>\n", out);
    }
    render_html_procs(out, r);
    render_html_system(out, r);
    render_html_verdicts(out, r);
    render_html_sites(out, r);
}

/**
 * render_html() - write reports as one self-contained HTML page
 * @reps: the reports (one per policy)
 * @n: how many (>= 1); more than one adds the side-by-side table
 * @out: the stream
 *
 * Return: 0 or -1 on a write error.
 */
int render_html(const struct mm_report *const *reps, size_t n, FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>mmsim report</title><style>", out);
    fputs(style, out);
    fputs("</style></head>\n<body>\n<h1>mmsim report</h1>\n", out);
    if (reps[0]->replay.incomplete) {
        fputs("<p><strong>incomplete capture: ", out);
        render_html_esc(out, reps[0]->replay.incomplete_capture);
        fputs("</strong></p>\n", out);
    }
    if (n > 1)
        render_html_compare(out, reps, n);
    charts(out, reps, n);
    for (size_t i = 0; i < n; i++)
        one_policy(out, reps[i], n > 1);
    fputs("</body></html>\n", out);
    return ferror(out) ? -1 : 0;
}
