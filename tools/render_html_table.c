/*
 * render_html_table.c - the tables of the HTML report, the same content as
 * the text report's: the per-process table with totals, the system view,
 * the refusals with their stacks, and for comparisons the side-by-side
 * table and the summary line of each policy. Every string from the trace
 * or the command line is escaped. Reads struct mm_report only.
 */
#include <inttypes.h>
#include <string.h>

#include "mmsim/trace.h"
#include "render_html.h"

static const char *type_name(uint32_t type)
{
    const char *s = tr_ev_type_name(type);
    return s ? s : "?";
}

static void num_cell(FILE *out, uint64_t v)
{
    fprintf(out, "<td class=\"n\">%" PRIu64 "</td>", v);
}

static void text_cell(FILE *out, const char *s, const char *cls)
{
    fprintf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "",
            cls ? "\"" : "");
    render_html_esc(out, s);
    fputs("</td>", out);
}

static void proc_row(FILE *out, const struct mm_report *r,
                     const struct report_proc *p)
{
    char fate[160];
    const uint64_t v[] = {p->swap_kb, p->uss_kb, p->pss_kb, p->rss_kb,
                          p->peak_rss_kb, p->minflt, p->majflt,
                          p->vm_size_kb, p->committed_kb};
    fputs("<tr>", out);
    num_cell(out, p->pid);
    num_cell(out, p->ppid);
    text_cell(out, p->comm[0] ? p->comm : "?", NULL);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        num_cell(out, v[i]);
    report_fate_text(p, r, fate, sizeof(fate));
    text_cell(out, fate, p->fate == REPORT_FATE_FAILED ? "bad" : NULL);
    fputs("</tr>\n", out);
}

/** render_html_procs() - the per-process table with a totals row. */
void render_html_procs(FILE *out, const struct mm_report *r)
{
    uint64_t tot[9] = {0};
    fputs("<table class=\"procs\"><caption>Processes (kB; figures at exit, or "
          "at the end of the trace for running ones)</caption>\n<tr><th>PID"
          "</th><th>PPID</th><th>Command</th><th>Swap</th><th>USS</th><th>PSS"
          "</th><th>RSS</th><th>Peak RSS</th><th>MinFlt</th><th>MajFlt</th>"
          "<th>VmSize</th><th>Commit</th><th>Fate</th></tr>\n", out);
    for (size_t i = 0; i < r->nr_procs; i++) {
        const struct report_proc *p = &r->procs[i];
        const uint64_t v[9] = {p->swap_kb, p->uss_kb, p->pss_kb, p->rss_kb,
                               p->peak_rss_kb, p->minflt, p->majflt,
                               p->vm_size_kb, p->committed_kb};
        proc_row(out, r, p);
        for (int k = 0; k < 9; k++)
            tot[k] += v[k];
    }
    fprintf(out, "<tr class=\"total\"><td>total</td><td></td><td>%zu "
                 "processes</td>", r->nr_procs);
    for (int k = 0; k < 9; k++)
        num_cell(out, tot[k]);
    fputs("<td></td></tr>\n</table>\n", out);
}

static void sys_row(FILE *out, const char *label, const char *fmt, uint64_t a,
                    double t)
{
    fprintf(out, "<tr><th>%s</th><td>", label);
    fprintf(out, fmt, a, t);
    fputs("</td></tr>\n", out);
}

/** render_html_system() - the system view, and pressure when there was. */
void render_html_system(FILE *out, const struct mm_report *r)
{
    const struct report_system *s = &r->system;
    fputs("<table class=\"system\"><caption>System</caption>\n", out);
    sys_row(out, "MemTotal", "%" PRIu64 " kB", s->mem_total_kb, 0);
    sys_row(out, "CommitLimit", "%" PRIu64 " kB", s->commit_limit_kb, 0);
    sys_row(out, "peak Committed_AS", "%" PRIu64 " kB at %.3f s",
            s->peak_committed_kb, (double)s->t_peak_committed_ns / 1e9);
    sys_row(out, "peak used", "%" PRIu64 " kB", s->peak_used_kb, 0);
    sys_row(out, "tightest free", "%" PRIu64 " kB at %.3f s", s->min_free_kb,
            (double)s->t_min_free_ns / 1e9);
    fprintf(out, "<tr><th>watermarks then</th><td>min %" PRIu64 " low %" PRIu64
                 " high %" PRIu64 " kB</td></tr>\n",
            s->wmark_min_kb, s->wmark_low_kb, s->wmark_high_kb);
    fprintf(out, "<tr><th>swap used</th><td>%" PRIu64 " kB of %" PRIu64
                 " kB (peak %" PRIu64 " kB)</td></tr>\n",
            s->swap_used_kb, s->swap_total_kb, s->peak_swap_used_kb);
    sys_row(out, "OOM kills", "%" PRIu64, s->oom_kills, 0);
    sys_row(out, "ENOMEM", "%" PRIu64, s->nr_enomem, 0);
    fprintf(out, "<tr><th>duration</th><td>%.3f s</td></tr>\n",
            (double)s->duration_ns / 1e9);
    if (report_has_pressure(r))
        for (int i = 0; i < REPORT_NR_PRESSURE; i++)
            sys_row(out, report_pressure_names[i], "%" PRIu64, s->pressure[i],
                    0);
    fputs("</table>\n", out);
}

static void verdict(FILE *out, const struct report_event *e)
{
    fprintf(out, "<li><span class=\"bad\">%.3f s</span> ", (double)e->t_ns / 1e9);
    render_html_esc(out, e->comm);
    fprintf(out, " (pid %" PRIu32 "): %s of %" PRIu64 " bytes: %s; "
                 "Committed_AS %" PRIu64 " kB, CommitLimit %" PRIu64 " kB",
            e->pid, type_name(e->syscall), e->length,
            e->err == MM_ENOMEM ? "ENOMEM" : mm_err_name(e->err),
            e->committed_kb, e->limit_kb);
    if (e->alloc_type)
        fprintf(out, "<br>from %s(%" PRIu64 ")", type_name(e->alloc_type),
                e->alloc_size);
    if (e->nframes) {
        fputs("<ol class=\"stack\" start=\"0\">", out);
        for (uint32_t k = 0; k < e->nframes; k++) {
            fputs("<li>", out);
            render_html_esc(out, e->frames[k]);
            fputs("</li>", out);
        }
        fputs("</ol>", out);
    } else if (e->stack) {
        fprintf(out, "<br>stack %" PRIu32 " (not symbolised)", e->stack);
    }
    fputs("</li>\n", out);
}

/** render_html_verdicts() - every refusal with its stack (none: nothing). */
void render_html_verdicts(FILE *out, const struct mm_report *r)
{
    if (!r->nr_events)
        return;
    fprintf(out, "<h3>Refused by the simulated kernel (%zu)</h3>\n<ul "
                 "class=\"verdicts\">\n", r->nr_events);
    for (size_t i = 0; i < r->nr_events; i++)
        verdict(out, &r->events[i]);
    fputs("</ul>\n", out);
}

static uint64_t peak_rss_sum(const struct mm_report *r)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < r->nr_procs; i++)
        sum += r->procs[i].peak_rss_kb;
    return sum;
}

static void first_failure(FILE *out, const struct mm_report *r)
{
    if (!r->nr_events) {
        fputs("<td>none</td>", out);
        return;
    }
    const struct report_event *e = &r->events[0];
    fprintf(out, "<td class=\"bad\">%.3f s ", (double)e->t_ns / 1e9);
    render_html_esc(out, e->comm);
    fprintf(out, " (%" PRIu32 ") %s %" PRIu64 " bytes", e->pid,
            type_name(e->syscall), e->length);
    if (e->alloc_type)
        fprintf(out, " from %s(%" PRIu64 ")", type_name(e->alloc_type),
                e->alloc_size);
    if (e->nframes) {
        fputs(" at ", out);
        render_html_esc(out, e->frames[0]);
    }
    fputs("</td>", out);
}

static void compare_numbers(FILE *out, const struct mm_report *const *reps,
                            size_t n)
{
    fputs("<tr><th>failures (ENOMEM)</th>", out);
    for (size_t i = 0; i < n; i++)
        num_cell(out, reps[i]->system.nr_enomem);
    fputs("</tr>\n<tr><th>peak commit / limit (kB)</th>", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "<td class=\"n\">%" PRIu64 " / %" PRIu64 "</td>",
                reps[i]->system.peak_committed_kb,
                reps[i]->system.commit_limit_kb);
    fputs("</tr>\n<tr><th>peak RSS, sum (kB)</th>", out);
    for (size_t i = 0; i < n; i++)
        num_cell(out, peak_rss_sum(reps[i]));
    fputs("</tr>\n<tr><th>OOM kills</th>", out);
    for (size_t i = 0; i < n; i++)
        num_cell(out, reps[i]->system.oom_kills);
    fputs("</tr>\n", out);
}

/** render_html_compare() - policies side by side, one column each. */
void render_html_compare(FILE *out, const struct mm_report *const *reps,
                         size_t n)
{
    char fate[160];
    fputs("<table class=\"compare\"><caption>Policies side by side</caption>\n"
          "<tr><th>policy</th>", out);
    for (size_t i = 0; i < n; i++)
        text_cell(out, reps[i]->policy[0] ? reps[i]->policy : "(as configured)",
                  "policy");
    fputs("</tr>\n<tr><th>first failure</th>", out);
    for (size_t i = 0; i < n; i++)
        first_failure(out, reps[i]);
    fputs("</tr>\n", out);
    compare_numbers(out, reps, n);
    for (size_t p = 0; p < reps[0]->nr_procs; p++) {
        fputs("<tr><th>", out);
        render_html_esc(out, reps[0]->procs[p].comm);
        fprintf(out, " %" PRIu32 "</th>", reps[0]->procs[p].pid);
        for (size_t i = 0; i < n; i++)
            text_cell(out, p < reps[i]->nr_procs
                               ? report_fate_text(&reps[i]->procs[p], reps[i],
                                                  fate, sizeof(fate))
                               : "-", NULL);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

#define TOP_SITES 10

static void site_row(FILE *out, const struct report_site *s)
{
    fputs("<tr>", out);
    num_cell(out, s->peak_bytes);
    num_cell(out, s->leaked_bytes);
    num_cell(out, s->allocations);
    num_cell(out, s->temporary);
    num_cell(out, s->commit_peak_kb);
    num_cell(out, s->rss_peak_kb);
    fputs("<td><ol class=\"stack\" start=\"0\">", out);
    for (uint32_t k = 0; k < s->nframes; k++) {
        fputs("<li>", out);
        render_html_esc(out, s->frames[k]);
        fputs("</li>", out);
    }
    if (!s->nframes)
        fprintf(out, "<li>%s %" PRIu32 "</li>",
                s->stack ? "stack (not symbolised)" : "calls without a stack",
                s->stack);
    fputs("</ol></td></tr>\n", out);
}

/** render_html_sites() - heap by call site: totals, top sites per figure. */
void render_html_sites(FILE *out, const struct mm_report *r)
{
    const struct report_sites_total *t = &r->sites_total;
    const struct report_site *top[TOP_SITES];
    if (!t->nr_sites && !t->commit_sites && !t->rss_sites)
        return;
    fprintf(out, "<h3>Memory by call site</h3>\n<p>Heap: %" PRIu64 " call "
                 "sites, %" PRIu64 " allocations (%" PRIu64 " temporary), %"
                 PRIu64 " bytes; peak %" PRIu64 " bytes live at %.3f s; %"
                 PRIu64 " bytes leaked. Commit charge: %" PRIu64 " call sites, "
                 "peak %" PRIu64 " kB. Resident: %" PRIu64 " call sites, peak %"
                 PRIu64 " kB.</p>\n", t->nr_sites, t->allocations,
            t->temporary, t->total_bytes, t->peak_bytes,
            (double)t->t_peak_ns / 1e9, t->leaked_bytes, t->commit_sites,
            t->commit_peak_kb, t->rss_sites, t->rss_peak_kb);
    for (int k = 0; k < REPORT_NR_SITE_FIGURES; k++) {
        size_t n = report_top_sites(r, (enum report_site_figure)k, top,
                                    TOP_SITES);
        if (!n)
            continue;
        fprintf(out, "<table class=\"sites\"><caption>Top call sites by %s"
                     "</caption>\n<tr><th>peak B</th><th>leaked B</th><th>"
                     "allocations</th><th>temporary</th><th>commit kB</th><th>RSS kB</th><th>call stack "
                     "(innermost first)</th></tr>\n",
                report_site_figure_names[k]);
        for (size_t i = 0; i < n; i++)
            site_row(out, top[i]);
        fputs("</table>\n", out);
    }
}
