/*
 * tools/render_html.h - the pieces of the HTML report (render_html.c: the
 * page and escaping; render_html_chart.c: SVG line charts;
 * render_html_table.c: the tables). Internal to those files.
 *
 * Every string that came from the traced program or the command line
 * (command names, paths, symbol names, policy strings) goes through
 * render_html_esc() before it reaches the page.
 */
#ifndef MMSIM_TOOLS_RENDER_HTML_H
#define MMSIM_TOOLS_RENDER_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* One polyline: n points (t_ns[i], v[i]). */
struct html_line {
    char label[400];      /* raw text; escaped when written */
    unsigned colour;      /* index into the palette */
    bool dashed;
    size_t n;
    const uint64_t *t_ns;
    uint64_t *v;          /* owned by the chart's caller */
};

/* A vertical marker: a refusal (ENOMEM) or an OOM kill. */
struct html_mark {
    uint64_t t_ns;
    bool oom;
    char label[400];      /* raw text; escaped when written */
};

struct html_chart {
    const char *title;    /* raw text */
    const char *unit;     /* "kB" */
    struct html_line *lines;
    size_t nr_lines;
    const struct html_mark *marks;
    size_t nr_marks;
    uint64_t t_max_ns;    /* right end of the time axis */
};

/* render_html.c */
void render_html_esc(FILE *out, const char *s);

/* render_html_chart.c */
void render_html_chart(FILE *out, const struct html_chart *c);
uint64_t *render_html_series(const struct mm_report *r, size_t offset);
uint64_t *render_html_pressure(const struct mm_report *r, int counter);
size_t render_html_marks(const struct mm_report *const *reps, size_t n,
                         struct html_mark **out);

/* render_html_table.c */
void render_html_procs(FILE *out, const struct mm_report *r);
void render_html_system(FILE *out, const struct mm_report *r);
void render_html_verdicts(FILE *out, const struct mm_report *r);
void render_html_sites(FILE *out, const struct mm_report *r);
void render_html_compare(FILE *out, const struct mm_report *const *reps,
                         size_t n);

#endif /* MMSIM_TOOLS_RENDER_HTML_H */
