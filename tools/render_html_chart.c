/*
 * render_html_chart.c - SVG line charts for the HTML report: time on x,
 * a size or a count on y, one polyline per series (solid or dashed), and
 * vertical markers for refusals (red) and OOM kills (purple), each with a
 * <title> tooltip. Pure SVG inside the page: no script, no external font.
 * Also the helpers that turn a report's samples into series and markers.
 * Reads struct mm_report only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/trace.h"
#include "render_html.h"

#define CW 900 /* chart width, px */
#define CH 260
#define ML 90  /* margins: left (labels), right, top, bottom */
#define MR 20
#define MT 30
#define MB 40
#define PW (CW - ML - MR)
#define PH (CH - MT - MB)

static const char *const palette[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#d62728",
};
#define NR_COLOURS (sizeof(palette) / sizeof(palette[0]))
#define MAX_MARKS 500 /* refusals marked per chart: the first ones */

/* A round upper bound: 1, 2 or 5 times a power of ten, at least @v. */
static uint64_t nice_max(uint64_t v)
{
    uint64_t p = 1;
    while (p <= v / 10)
        p *= 10;
    for (uint64_t m = 1; m <= 10; m++)
        if ((m == 1 || m == 2 || m == 5 || m == 10) && p * m >= v)
            return p * m;
    return v;
}

static void human(uint64_t v, const char *unit, char *buf, size_t len)
{
    bool kb = unit && strcmp(unit, "kB") == 0;
    if (kb && v >= 1024 * 1024)
        snprintf(buf, len, "%.1f GiB", (double)v / (1024.0 * 1024.0));
    else if (kb && v >= 1024)
        snprintf(buf, len, "%.1f MiB", (double)v / 1024.0);
    else
        snprintf(buf, len, "%" PRIu64 "%s%s", v, unit ? " " : "",
                 unit ? unit : "");
}

static double xpos(uint64_t t, uint64_t tmax)
{
    return ML + (tmax ? (double)t * PW / (double)tmax : 0.0);
}

static double ypos(uint64_t v, uint64_t vmax)
{
    return MT + PH - (vmax ? (double)v * PH / (double)vmax : 0.0);
}

static void axes(FILE *out, const struct html_chart *c, uint64_t vmax)
{
    char buf[48];
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                 "class=\"plot\"/>\n", ML, MT, PW, PH);
    for (int i = 0; i <= 4; i++) {
        uint64_t v = vmax / 4 * (uint64_t)i;
        double y = ypos(v, vmax);
        human(v, c->unit, buf, sizeof(buf));
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                     "class=\"grid\"/><text x=\"%d\" y=\"%.1f\" "
                     "class=\"ylab\">%s</text>\n",
                ML, ML + PW, y, y, ML - 6, y + 4, buf);
        double t = (double)c->t_max_ns * i / 4.0 / 1e9;
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"%s\">%.3f s</text>\n",
                ML + PW * i / 4.0, MT + PH + 16, i == 4 ? "xlab end" : "xlab",
                t);
    }
    fputs("<text x=\"12\" y=\"18\" class=\"title\">", out);
    render_html_esc(out, c->title);
    fputs("</text>\n", out);
}

static void polyline(FILE *out, const struct html_line *l, uint64_t tmax,
                     uint64_t vmax)
{
    fprintf(out, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" "
                 "stroke-width=\"1.5\"%s points=\"",
            palette[l->colour % NR_COLOURS],
            l->dashed ? " stroke-dasharray=\"6 4\"" : "");
    for (size_t i = 0; i < l->n; i++)
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", xpos(l->t_ns[i], tmax),
                ypos(l->v[i], vmax));
    fputs("\"><title>", out);
    render_html_esc(out, l->label);
    fputs("</title></polyline>\n", out);
}

static void marks(FILE *out, const struct html_chart *c)
{
    for (size_t i = 0; i < c->nr_marks; i++) {
        const struct html_mark *m = &c->marks[i];
        double x = xpos(m->t_ns, c->t_max_ns);
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                     "class=\"%s\"><title>",
                x, x, MT, MT + PH, m->oom ? "oom" : "enomem");
        render_html_esc(out, m->label);
        fputs("</title></line>\n", out);
    }
}

static void legend(FILE *out, const struct html_chart *c)
{
    fputs("<ul class=\"legend\">", out);
    for (size_t i = 0; i < c->nr_lines; i++) {
        const struct html_line *l = &c->lines[i];
        fprintf(out, "<li><span class=\"sw%s\" style=\"border-color:%s\">"
                     "</span>", l->dashed ? " dashed" : "",
                palette[l->colour % NR_COLOURS]);
        render_html_esc(out, l->label);
        fputs("</li>", out);
    }
    if (c->nr_marks)
        fputs("<li><span class=\"sw mark-enomem\"></span>ENOMEM</li>"
              "<li><span class=\"sw mark-oom\"></span>OOM kill</li>", out);
    fputs("</ul>\n", out);
}

/**
 * render_html_chart() - one SVG line chart with its legend
 * @out: the page
 * @c: the chart; lines with no points are skipped
 */
void render_html_chart(FILE *out, const struct html_chart *c)
{
    uint64_t vmax = 0;
    for (size_t i = 0; i < c->nr_lines; i++)
        for (size_t k = 0; k < c->lines[i].n; k++)
            if (c->lines[i].v[k] > vmax)
                vmax = c->lines[i].v[k];
    vmax = nice_max(vmax ? vmax : 1);
    fprintf(out, "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/"
                 "svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "role=\"img\">\n", CW, CH, CW, CH);
    axes(out, c, vmax);
    for (size_t i = 0; i < c->nr_lines; i++)
        if (c->lines[i].n)
            polyline(out, &c->lines[i], c->t_max_ns, vmax);
    marks(out, c);
    fputs("</svg>\n", out);
    legend(out, c);
    fputs("</figure>\n", out);
}

/**
 * render_html_series() - one uint64_t field of every sample of @r
 * @r: the report
 * @offset: offsetof(struct report_sample, field)
 *
 * Return: a malloc'd array of r->nr_samples values, or NULL.
 */
uint64_t *render_html_series(const struct mm_report *r, size_t offset)
{
    uint64_t *v = malloc((r->nr_samples ? r->nr_samples : 1) * sizeof(*v));
    for (size_t i = 0; v && i < r->nr_samples; i++)
        memcpy(&v[i], (const char *)&r->samples[i] + offset, sizeof(*v));
    return v;
}

/** render_html_pressure() - a pressure counter over the samples (malloc'd). */
uint64_t *render_html_pressure(const struct mm_report *r, int counter)
{
    return render_html_series(r, offsetof(struct report_sample, pressure) +
                                     (size_t)counter * sizeof(uint64_t));
}

static void oom_marks(const struct mm_report *r, struct html_mark *m,
                      size_t *k)
{
    for (size_t i = 0; i < r->nr_ooms && i < MAX_MARKS; i++, (*k)++) {
        const struct report_oom *o = &r->ooms[i];
        m[*k] = (struct html_mark){.t_ns = o->t_ns, .oom = true};
        if (o->panic)
            snprintf(m[*k].label, sizeof(m[*k].label), "%s%sOOM at %.3f s: "
                     "kernel panic (%s, pid %" PRIu32 ", allocating)",
                     r->policy, r->policy[0] ? ": " : "", (double)o->t_ns / 1e9,
                     o->trigger_comm, o->trigger_pid);
        else
            snprintf(m[*k].label, sizeof(m[*k].label), "%s%s%sOOM kill at "
                     "%.3f s: %s (pid %" PRIu32 "), for %s (pid %" PRIu32 ")",
                     r->policy, r->policy[0] ? ": " : "",
                     o->memcg ? "memory cgroup " : "", (double)o->t_ns / 1e9,
                     o->comm, o->pid, o->trigger_comm, o->trigger_pid);
    }
}

/**
 * render_html_marks() - markers for every refusal and OOM kill of @reps
 * @reps: the reports
 * @n: how many
 * @out: receives a malloc'd array (free it)
 *
 * Return: the number of markers.
 */
size_t render_html_marks(const struct mm_report *const *reps, size_t n,
                         struct html_mark **out)
{
    size_t cap = 1, k = 0;
    for (size_t i = 0; i < n; i++)
        cap += 2 * MAX_MARKS;
    struct html_mark *m = calloc(cap, sizeof(*m));
    *out = m;
    for (size_t i = 0; m && i < n; i++) {
        const struct mm_report *r = reps[i];
        for (size_t e = 0; e < r->nr_events && e < MAX_MARKS; e++, k++) {
            const struct report_event *ev = &r->events[e];
            m[k].t_ns = ev->t_ns;
            snprintf(m[k].label, sizeof(m[k].label),
                     "%s%sENOMEM at %.3f s: %s (pid %" PRIu32 ") %s of %" PRIu64
                     " bytes", r->policy, r->policy[0] ? ": " : "",
                     (double)ev->t_ns / 1e9, ev->comm, ev->pid,
                     tr_ev_type_name(ev->syscall), ev->length);
        }
        oom_marks(r, m, &k);
    }
    return m ? k : 0;
}
