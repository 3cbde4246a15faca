/*
 * render_compare.c - several reports side by side (mmsim compare, mmsim run
 * --compare): one column per policy, rows for the first refusal (when,
 * where, stack), the number of refusals, peak commit vs limit, peak RSS,
 * OOM kills and each process's fate; then the one-line summary per policy.
 * Reads struct mm_report only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mmsim/trace.h"
#include "report.h"

#define COLW 40

static void human(uint64_t kb, char *buf, size_t len)
{
    if (kb >= 1024 * 1024)
        snprintf(buf, len, "%.1f GiB", (double)kb / (1024.0 * 1024.0));
    else if (kb >= 1024)
        snprintf(buf, len, "%.1f MiB", (double)kb / 1024.0);
    else
        snprintf(buf, len, "%" PRIu64 " kB", kb);
}

static void first_failure(const struct mm_report *r, char *buf, size_t len)
{
    char size[32];
    if (!r->nr_events) {
        snprintf(buf, len, "none");
        return;
    }
    const struct report_event *e = &r->events[0];
    human((e->length + 1023) / 1024, size, sizeof(size));
    snprintf(buf, len, "%.3f s %s(%" PRIu32 ") %s %s", (double)e->t_ns / 1e9,
             e->comm, e->pid, tr_ev_type_name(e->syscall), size);
}

static uint64_t peak_rss(const struct mm_report *r)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < r->nr_procs; i++)
        sum += r->procs[i].peak_rss_kb;
    return sum;
}

typedef void (*cell_fn)(const struct mm_report *r, size_t row, char *buf,
                        size_t len);

static void row(FILE *out, const char *label, const struct mm_report *const *reps,
                size_t n, size_t arg, cell_fn fn)
{
    char buf[256];
    fprintf(out, "%-22s", label);
    for (size_t i = 0; i < n; i++) {
        fn(reps[i], arg, buf, sizeof(buf));
        fprintf(out, " | %-*.*s", COLW, COLW, buf);
    }
    fputc('\n', out);
}

static void c_policy(const struct mm_report *r, size_t a, char *b, size_t l)
{
    (void)a;
    snprintf(b, l, "%s", r->policy[0] ? r->policy : "(as configured)");
}
static void c_first(const struct mm_report *r, size_t a, char *b, size_t l)
{
    (void)a;
    first_failure(r, b, l);
}
static void c_stack(const struct mm_report *r, size_t a, char *b, size_t l)
{
    const struct report_event *e = r->nr_events ? &r->events[0] : NULL;
    snprintf(b, l, "%s", e && a < e->nframes ? e->frames[a]
                         : e && !a && e->alloc_type ? "(allocator call)"
                                                    : "");
}
static void c_count(const struct mm_report *r, size_t a, char *b, size_t l)
{
    (void)a;
    snprintf(b, l, "%" PRIu64, r->system.nr_enomem);
}
static void c_commit(const struct mm_report *r, size_t a, char *b, size_t l)
{
    char x[32], y[32];
    (void)a;
    human(r->system.peak_committed_kb, x, sizeof(x));
    human(r->system.commit_limit_kb, y, sizeof(y));
    snprintf(b, l, "%s of %s", x, y);
}
static void c_rss(const struct mm_report *r, size_t a, char *b, size_t l)
{
    (void)a;
    human(peak_rss(r), b, l);
}
static void c_oom(const struct mm_report *r, size_t a, char *b, size_t l)
{
    (void)a;
    snprintf(b, l, "%" PRIu64, r->system.oom_kills);
}
static void c_fate(const struct mm_report *r, size_t a, char *b, size_t l)
{
    if (a < r->nr_procs)
        report_fate_text(&r->procs[a], r, b, l);
    else
        snprintf(b, l, "-");
}

/* The sentence a user wants, per policy. */
static void summary(FILE *out, const struct mm_report *r)
{
    char size[32], commit[32], limit[32];
    human(r->system.peak_committed_kb, commit, sizeof(commit));
    human(r->system.commit_limit_kb, limit, sizeof(limit));
    fprintf(out, "%s: ", r->policy[0] ? r->policy : "(as configured)");
    if (!r->nr_events) {
        fprintf(out, "no failures, peak commit %s of %s\n", commit, limit);
        return;
    }
    const struct report_event *e = &r->events[0];
    human((e->length + 1023) / 1024, size, sizeof(size));
    fprintf(out, "%s (pid %" PRIu32 ") gets ENOMEM at %.3f s for a %s %s",
            e->comm, e->pid, (double)e->t_ns / 1e9, size,
            tr_ev_type_name(e->syscall));
    if (e->alloc_type)
        fprintf(out, " from %s(%" PRIu64 ")", tr_ev_type_name(e->alloc_type),
                e->alloc_size);
    if (e->nframes)
        fprintf(out, " at %s", e->frames[0]);
    fprintf(out, "; %" PRIu64 " failure%s, Committed_AS %" PRIu64
                 " kB of CommitLimit %" PRIu64 " kB then\n",
            r->system.nr_enomem, r->system.nr_enomem == 1 ? "" : "s",
            e->committed_kb, e->limit_kb);
}

/**
 * render_compare_text() - reports side by side, then one summary line each
 * @reps: the reports, same trace, one per policy (same process order)
 * @n: how many
 * @out: the stream
 * @colour: unused (the table is plain); kept for the renderers' signature
 *
 * Return: 0 or -1 on a write error.
 */
int render_compare_text(const struct mm_report *const *reps, size_t n,
                        FILE *out, bool colour)
{
    (void)colour;
    if (n && reps[0]->replay.incomplete)
        fprintf(out, "incomplete capture: %s\n",
                reps[0]->replay.incomplete_capture);
    row(out, "policy", reps, n, 0, c_policy);
    row(out, "first failure", reps, n, 0, c_first);
    size_t frames = 0;
    for (size_t i = 0; i < n; i++)
        if (reps[i]->nr_events && reps[i]->events[0].nframes > frames)
            frames = reps[i]->events[0].nframes;
    for (size_t k = 0; k < frames || k < 1; k++)
        row(out, k ? "" : "  stack", reps, n, k, c_stack);
    row(out, "failures (ENOMEM)", reps, n, 0, c_count);
    row(out, "peak commit / limit", reps, n, 0, c_commit);
    row(out, "peak RSS (sum)", reps, n, 0, c_rss);
    row(out, "OOM kills", reps, n, 0, c_oom);
    for (size_t p = 0; p < reps[0]->nr_procs; p++) {
        char label[40];
        snprintf(label, sizeof(label), "%.15s %" PRIu32, reps[0]->procs[p].comm,
                 reps[0]->procs[p].pid);
        row(out, label, reps, n, p, c_fate);
    }
    fputc('\n', out);
    for (size_t i = 0; i < n; i++)
        summary(out, reps[i]);
    return ferror(out) ? -1 : 0;
}
