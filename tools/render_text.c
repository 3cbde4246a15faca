/*
 * render_text.c - the report as aligned text tables, like smem and free:
 * the per-process table with a totals row, the system view, the verdicts
 * with their stacks, and the replay's own counters. Colour (bold headers,
 * red refusals) only when asked, i.e. when the output is a terminal.
 * Reads struct mm_report only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mmsim/trace.h"
#include "report.h"

struct style {
    const char *bold, *red, *off;
};

static void proc_header(FILE *out, const struct style *st)
{
    fprintf(out, "%s%7s %7s %-15s %8s %9s %9s %9s %9s %8s %6s %10s %9s  %s%s\n",
            st->bold, "PID", "PPID", "COMMAND", "Swap", "USS", "PSS", "RSS",
            "PeakRSS", "MinFlt", "MajFlt", "VmSize", "Commit", "Fate", st->off);
}

static void proc_row(FILE *out, const struct mm_report *r,
                     const struct report_proc *p, const struct style *st)
{
    char fate[160];
    report_fate_text(p, r, fate, sizeof(fate));
    bool bad = p->fate == REPORT_FATE_FAILED || p->fate == REPORT_FATE_OOM_KILLED;
    fprintf(out, "%7" PRIu32 " %7" PRIu32 " %-15s %8" PRIu64 " %9" PRIu64
                 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %6" PRIu64
                 " %10" PRIu64 " %9" PRIu64 "  %s%s%s\n",
            p->pid, p->ppid, p->comm[0] ? p->comm : "?", p->swap_kb, p->uss_kb,
            p->pss_kb, p->rss_kb, p->peak_rss_kb, p->minflt, p->majflt,
            p->vm_size_kb, p->committed_kb, bad ? st->red : "", fate,
            bad ? st->off : "");
}

static void procs(FILE *out, const struct mm_report *r, const struct style *st)
{
    struct report_proc tot = {0};
    fprintf(out, "Processes (kB; figures at exit, or at the end of the "
                 "trace for running ones)\n");
    proc_header(out, st);
    for (size_t i = 0; i < r->nr_procs; i++) {
        const struct report_proc *p = &r->procs[i];
        proc_row(out, r, p, st);
        tot.swap_kb += p->swap_kb;
        tot.uss_kb += p->uss_kb;
        tot.pss_kb += p->pss_kb;
        tot.rss_kb += p->rss_kb;
        tot.peak_rss_kb += p->peak_rss_kb;
        tot.minflt += p->minflt;
        tot.majflt += p->majflt;
        tot.vm_size_kb += p->vm_size_kb;
        tot.committed_kb += p->committed_kb;
    }
    fprintf(out, "%7s %7s %-15zu %8" PRIu64 " %9" PRIu64 " %9" PRIu64
                 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %6" PRIu64 " %10" PRIu64
                 " %9" PRIu64 "\n",
            "total", "", r->nr_procs, tot.swap_kb, tot.uss_kb, tot.pss_kb,
            tot.rss_kb, tot.peak_rss_kb, tot.minflt, tot.majflt,
            tot.vm_size_kb, tot.committed_kb);
}

static void system_view(FILE *out, const struct mm_report *r)
{
    const struct report_system *s = &r->system;
    fprintf(out, "\nSystem\n");
    fprintf(out, "  MemTotal            %12" PRIu64 " kB\n", s->mem_total_kb);
    fprintf(out, "  peak Committed_AS   %12" PRIu64 " kB at %.3f s "
                 "(CommitLimit %" PRIu64 " kB)\n",
            s->peak_committed_kb, (double)s->t_peak_committed_ns / 1e9,
            s->commit_limit_kb);
    fprintf(out, "  peak used           %12" PRIu64 " kB\n", s->peak_used_kb);
    fprintf(out, "  tightest free       %12" PRIu64 " kB at %.3f s "
                 "(watermarks min %" PRIu64 " low %" PRIu64 " high %" PRIu64
                 " kB)\n",
            s->min_free_kb, (double)s->t_min_free_ns / 1e9, s->wmark_min_kb,
            s->wmark_low_kb, s->wmark_high_kb);
    fprintf(out, "  swap used           %12" PRIu64 " kB of %" PRIu64 " kB\n",
            s->swap_used_kb, s->swap_total_kb);
    fprintf(out, "  OOM kills           %12" PRIu64 "%s\n", s->oom_kills,
            s->panicked ? " (then the kernel panicked)" : "");
    fprintf(out, "  ENOMEM              %12" PRIu64 "\n", s->nr_enomem);
    fprintf(out, "  duration            %12.3f s\n", (double)s->duration_ns / 1e9);
}

/* Only when reclaim, swap or the OOM killer acted (report_has_pressure()). */
static void pressure_view(FILE *out, const struct mm_report *r)
{
    const struct report_system *s = &r->system;
    if (!report_has_pressure(r))
        return;
    fprintf(out, "\nPressure (counts since boot, as /proc/vmstat names them)\n");
    for (int i = 0; i < REPORT_NR_PRESSURE; i++)
        fprintf(out, "  %-19s %12" PRIu64 "\n", report_pressure_names[i],
                s->pressure[i]);
    fprintf(out, "  peak swap used      %12" PRIu64 " kB\n", s->peak_swap_used_kb);
}

static void alloc_text(FILE *out, const struct report_event *e)
{
    if (e->alloc_type)
        fprintf(out, "    from %s(%" PRIu64 ")\n",
                tr_ev_type_name(e->alloc_type), e->alloc_size);
}

static void verdicts(FILE *out, const struct mm_report *r, const struct style *st)
{
    if (!r->nr_events)
        return;
    fprintf(out, "\n%sRefused by the simulated kernel%s (%zu)\n", st->red,
            st->off, r->nr_events);
    for (size_t i = 0; i < r->nr_events; i++) {
        const struct report_event *e = &r->events[i];
        fprintf(out, "  %.3f s  %s (pid %" PRIu32 "): %s of %" PRIu64
                     " bytes: %s; Committed_AS %" PRIu64 " kB, CommitLimit %"
                     PRIu64 " kB\n",
                (double)e->t_ns / 1e9, e->comm, e->pid,
                tr_ev_type_name(e->syscall), e->length,
                e->err == MM_ENOMEM ? "ENOMEM" : mm_err_name(e->err),
                e->committed_kb, e->limit_kb);
        alloc_text(out, e);
        for (uint32_t k = 0; k < e->nframes; k++)
            fprintf(out, "    #%-2u %s\n", k, e->frames[k]);
        if (!e->nframes && e->stack)
            fprintf(out, "    stack %" PRIu32 " (not symbolised)\n", e->stack);
    }
}

/* The OOM killer's acts: the kernel's lines, then the allocation's stack. */
static void ooms(FILE *out, const struct mm_report *r, const struct style *st)
{
    if (!r->nr_ooms)
        return;
    fprintf(out, "\n%sOOM killer%s (%zu)\n", st->red, st->off, r->nr_ooms);
    for (size_t i = 0; i < r->nr_ooms; i++) {
        const struct report_oom *o = &r->ooms[i];
        fprintf(out, "  %.3f s  %s (pid %" PRIu32 "): %s invoked the %sOOM "
                     "killer: %s\n",
                (double)o->t_ns / 1e9, o->trigger_comm, o->trigger_pid,
                tr_ev_type_name(o->trigger_type), o->memcg ? "memory cgroup " : "",
                o->panic ? "kernel panic" : o->pid ? "killed" : "nothing killed");
        for (const char *l = o->log; l && *l;) {
            const char *nl = strchr(l, '\n');
            int n = nl ? (int)(nl - l) : (int)strlen(l);
            fprintf(out, "    | %.*s\n", n, l);
            l += n + (nl != NULL);
        }
        for (uint32_t k = 0; k < o->nframes; k++)
            fprintf(out, "    #%-2u %s\n", k, o->frames[k]);
        if (!o->nframes && o->stack)
            fprintf(out, "    stack %" PRIu32 " (not symbolised)\n", o->stack);
    }
}

#define TOP_SITES 10

static void site_line(FILE *out, const struct report_site *s)
{
    fprintf(out, "  %12" PRIu64 " %12" PRIu64 " %9" PRIu64 " %9" PRIu64
                 " %10" PRIu64 " %9" PRIu64 "  ", s->peak_bytes,
            s->leaked_bytes, s->allocations, s->temporary, s->commit_peak_kb,
            s->rss_peak_kb);
    for (uint32_t k = 0; k < s->nframes && k < 3; k++)
        fprintf(out, "%s%s", k ? " < " : "", s->frames[k]);
    if (!s->nframes)
        fprintf(out, s->stack ? "stack %" PRIu32 " (not symbolised)"
                              : "(calls without a stack)", s->stack);
    fputc('\n', out);
}

/* Where heap memory comes from: heaptrack's figures per call site. */
static void sites(FILE *out, const struct mm_report *r)
{
    const struct report_sites_total *t = &r->sites_total;
    const struct report_site *top[TOP_SITES];
    if (!t->nr_sites && !t->commit_sites && !t->rss_sites)
        return;
    fprintf(out, "\nMemory by call site (every process)\n");
    if (!t->nr_sites)
        fprintf(out, "  heap: no allocator calls in the trace (mmsim "
                     "record --fast-path records them)\n");
    else
        fprintf(out, "  heap: %" PRIu64 " call sites, %" PRIu64 " allocations "
                     "(%" PRIu64 " temporary), %" PRIu64 " bytes; peak %" PRIu64
                     " bytes live at %.3f s; %" PRIu64 " bytes leaked\n",
                t->nr_sites, t->allocations, t->temporary, t->total_bytes,
                t->peak_bytes, (double)t->t_peak_ns / 1e9, t->leaked_bytes);
    fprintf(out, "  commit charge: %" PRIu64 " call sites, peak %" PRIu64
                 " kB; resident: %" PRIu64 " call sites, peak %" PRIu64
                 " kB\n", t->commit_sites, t->commit_peak_kb, t->rss_sites,
            t->rss_peak_kb);
    for (int k = 0; k < REPORT_NR_SITE_FIGURES; k++) {
        size_t n = report_top_sites(r, (enum report_site_figure)k, top,
                                    TOP_SITES);
        if (!n)
            continue;
        fprintf(out, "  by %s:\n  %12s %12s %9s %9s %10s %9s  %s\n",
                report_site_figure_names[k], "peak B", "leaked B", "allocs",
                "temp", "commit kB", "RSS kB", "call site (innermost first)");
        for (size_t i = 0; i < n; i++)
            site_line(out, top[i]);
    }
}

static void replay_counts(FILE *out, const struct mm_report *r)
{
    const struct report_replay *p = &r->replay;
    fprintf(out, "\nReplay: %" PRIu64 " events, %" PRIu64 " faults (%" PRIu64
                 " outside any simulated mapping), %" PRIu64
                 " requests the model could not apply, %" PRIu64
                 " of kinds it does not model%s\n",
            p->events, p->faults, p->faults_unplaced, p->model_errors,
            p->unsupported,
            p->complete ? "" : "; the trace is incomplete (cut or damaged): "
                               "figures cover what was read");
    if (p->skipped_killed || p->skipped_panic)
        fprintf(out, "  not applied: %" PRIu64 " events of OOM-killed "
                     "processes, %" PRIu64 " events after the kernel panicked\n",
                p->skipped_killed, p->skipped_panic);
}

/**
 * render_text() - write one report as text (a comparison has its own
 * renderer, render_compare_text())
 * @reps: the reports; only reps[0] is used
 * @n: number of reports (>= 1)
 * @out: the stream
 * @colour: use ANSI colours
 *
 * Return: 0 or -1 on a write error.
 */
int render_text(const struct mm_report *const *reps, size_t n, FILE *out,
                bool colour)
{
    struct style st = colour ? (struct style){"\033[1m", "\033[31m", "\033[0m"}
                             : (struct style){"", "", ""};
    const struct mm_report *r = reps[0];
    (void)n;
    if (r->replay.incomplete)
        fprintf(out, "%sincomplete capture: %s%s\n", st.red,
                r->replay.incomplete_capture, st.off);
    if (r->policy[0])
        fprintf(out, "Policy: %s\n", r->policy);
    procs(out, r, &st);
    system_view(out, r);
    pressure_view(out, r);
    verdicts(out, r, &st);
    ooms(out, r, &st);
    sites(out, r);
    replay_counts(out, r);
    return ferror(out) ? -1 : 0;
}
