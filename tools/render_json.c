/*
 * render_json.c - the report as JSON, schema in docs/report-json.md.
 * One report is an object; a comparison is {"policies": [report, ...]}.
 * Numbers are integers (kB, ns, counts); strings are escaped per RFC 8259.
 * Reads struct mm_report only.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mmsim/trace.h"
#include "report.h"

static void jstr(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static const char *fate_name(enum report_fate f)
{
    static const char *const names[] = {"running", "exited", "signaled",
                                        "failed", "oom_killed"};
    return names[f];
}

static void proc(FILE *out, const struct mm_report *r,
                 const struct report_proc *p)
{
    char fate[160];
    fprintf(out, "{\"pid\":%" PRIu32 ",\"ppid\":%" PRIu32 ",\"comm\":", p->pid,
            p->ppid);
    jstr(out, p->comm);
    fprintf(out, ",\"rss_kb\":%" PRIu64 ",\"pss_kb\":%" PRIu64
                 ",\"uss_kb\":%" PRIu64 ",\"swap_kb\":%" PRIu64
                 ",\"rss_anon_kb\":%" PRIu64 ",\"peak_rss_kb\":%" PRIu64
                 ",\"minflt\":%" PRIu64 ",\"majflt\":%" PRIu64
                 ",\"vm_size_kb\":%" PRIu64 ",\"committed_kb\":%" PRIu64
                 ",\"t_start_ns\":%" PRIu64 ",\"t_end_ns\":%" PRIu64,
            p->rss_kb, p->pss_kb, p->uss_kb, p->swap_kb, p->rss_anon_kb,
            p->peak_rss_kb, p->minflt, p->majflt, p->vm_size_kb,
            p->committed_kb, p->t_start_ns, p->t_end_ns);
    fprintf(out, ",\"fate\":\"%s\",\"exit_code\":%d,\"fate_text\":",
            fate_name(p->fate), p->exit_code);
    jstr(out, report_fate_text(p, r, fate, sizeof(fate)));
    fputs(",\"rss_series_kb\":[", out);
    for (size_t i = 0; i < r->nr_samples; i++)
        fprintf(out, "%s%" PRIu64, i ? "," : "",
                p->rss_series ? p->rss_series[i] : 0);
    fputs("]}", out);
}

/* {"pgscan_kswapd": N, ...} */
static void counters(FILE *out, const uint64_t v[REPORT_NR_PRESSURE])
{
    for (int i = 0; i < REPORT_NR_PRESSURE; i++)
        fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "{",
                report_pressure_names[i], v[i]);
    fputc('}', out);
}

static void system_obj(FILE *out, const struct report_system *s)
{
    fprintf(out, "{\"mem_total_kb\":%" PRIu64 ",\"commit_limit_kb\":%" PRIu64
                 ",\"peak_committed_kb\":%" PRIu64
                 ",\"t_peak_committed_ns\":%" PRIu64 ",\"peak_used_kb\":%" PRIu64
                 ",\"min_free_kb\":%" PRIu64 ",\"t_min_free_ns\":%" PRIu64
                 ",\"wmark_min_kb\":%" PRIu64 ",\"wmark_low_kb\":%" PRIu64
                 ",\"wmark_high_kb\":%" PRIu64 ",\"swap_total_kb\":%" PRIu64
                 ",\"swap_used_kb\":%" PRIu64 ",\"oom_kills\":%" PRIu64
                 ",\"panicked\":%s"
                 ",\"enomem\":%" PRIu64 ",\"duration_ns\":%" PRIu64
                 ",\"peak_swap_used_kb\":%" PRIu64 ",\"pressure\":",
            s->mem_total_kb, s->commit_limit_kb, s->peak_committed_kb,
            s->t_peak_committed_ns, s->peak_used_kb, s->min_free_kb,
            s->t_min_free_ns, s->wmark_min_kb, s->wmark_low_kb,
            s->wmark_high_kb, s->swap_total_kb, s->swap_used_kb, s->oom_kills,
            s->panicked ? "true" : "false", s->nr_enomem, s->duration_ns,
            s->peak_swap_used_kb);
    counters(out, s->pressure);
    fputc('}', out);
}

static void event(FILE *out, const struct report_event *e)
{
    fprintf(out, "{\"t_ns\":%" PRIu64 ",\"pid\":%" PRIu32 ",\"comm\":", e->t_ns,
            e->pid);
    jstr(out, e->comm);
    fprintf(out, ",\"type\":\"enomem\",\"syscall\":\"%s\",\"length\":%" PRIu64
                 ",\"committed_kb\":%" PRIu64 ",\"limit_kb\":%" PRIu64
                 ",\"stack_id\":%" PRIu32 ",\"alloc\":",
            tr_ev_type_name(e->syscall), e->length, e->committed_kb,
            e->limit_kb, e->stack);
    if (e->alloc_type)
        fprintf(out, "{\"call\":\"%s\",\"size\":%" PRIu64 "}",
                tr_ev_type_name(e->alloc_type), e->alloc_size);
    else
        fputs("null", out);
    fputs(",\"stack\":[", out);
    for (uint32_t k = 0; k < e->nframes; k++) {
        if (k)
            fputc(',', out);
        jstr(out, e->frames[k]);
    }
    fputs("]}", out);
}

static void site(FILE *out, const struct report_site *s)
{
    fprintf(out, "{\"stack_id\":%" PRIu32 ",\"pid\":%" PRIu32
                 ",\"peak_bytes\":%" PRIu64 ",\"leaked_bytes\":%" PRIu64
                 ",\"allocations\":%" PRIu64 ",\"temporary\":%" PRIu64
                 ",\"total_bytes\":%" PRIu64 ",\"commit_peak_kb\":%" PRIu64
                 ",\"rss_peak_kb\":%" PRIu64 ",\"stack\":[",
            s->stack, s->pid, s->peak_bytes, s->leaked_bytes, s->allocations,
            s->temporary, s->total_bytes, s->commit_peak_kb, s->rss_peak_kb);
    for (uint32_t k = 0; k < s->nframes; k++) {
        if (k)
            fputc(',', out);
        jstr(out, s->frames[k]);
    }
    fputs("]}", out);
}

static void oom(FILE *out, const struct report_oom *o)
{
    fprintf(out, "{\"t_ns\":%" PRIu64 ",\"pid\":%" PRIu32 ",\"comm\":",
            o->t_ns, o->pid);
    jstr(out, o->comm);
    fprintf(out, ",\"trigger_pid\":%" PRIu32 ",\"trigger_comm\":",
            o->trigger_pid);
    jstr(out, o->trigger_comm);
    fprintf(out, ",\"trigger\":\"%s\",\"memcg\":%s,\"panic\":%s"
                 ",\"points\":%" PRId64 ",\"stack_id\":%" PRIu32 ",\"log\":",
            tr_ev_type_name(o->trigger_type), o->memcg ? "true" : "false",
            o->panic ? "true" : "false", o->points, o->stack);
    jstr(out, o->log ? o->log : "");
    fputs(",\"stack\":[", out);
    for (uint32_t k = 0; k < o->nframes; k++) {
        if (k)
            fputc(',', out);
        jstr(out, o->frames[k]);
    }
    fputs("]}", out);
}

static void sites(FILE *out, const struct mm_report *r)
{
    const struct report_sites_total *t = &r->sites_total;
    fputs(",\n\"sites\":[", out);
    for (size_t i = 0; i < r->nr_sites; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        site(out, &r->sites[i]);
    }
    fprintf(out, "],\n\"sites_total\":{\"sites\":%" PRIu64
                 ",\"allocations\":%" PRIu64 ",\"temporary\":%" PRIu64
                 ",\"peak_bytes\":%" PRIu64 ",\"t_peak_ns\":%" PRIu64
                 ",\"leaked_bytes\":%" PRIu64 ",\"total_bytes\":%" PRIu64
                 ",\"unknown_frees\":%" PRIu64 ",\"commit_sites\":%" PRIu64
                 ",\"commit_peak_kb\":%" PRIu64 ",\"rss_sites\":%" PRIu64
                 ",\"rss_peak_kb\":%" PRIu64 "}",
            t->nr_sites, t->allocations, t->temporary, t->peak_bytes,
            t->t_peak_ns, t->leaked_bytes, t->total_bytes, t->unknown_frees,
            t->commit_sites, t->commit_peak_kb, t->rss_sites, t->rss_peak_kb);
}

static void samples(FILE *out, const struct mm_report *r)
{
    fputs("[", out);
    for (size_t i = 0; i < r->nr_samples; i++) {
        const struct report_sample *s = &r->samples[i];
        fprintf(out, "%s{\"t_ns\":%" PRIu64 ",\"committed_kb\":%" PRIu64
                     ",\"limit_kb\":%" PRIu64 ",\"free_kb\":%" PRIu64
                     ",\"used_kb\":%" PRIu64 ",\"swap_used_kb\":%" PRIu64
                     ",\"wmark_min_kb\":%" PRIu64 ",\"wmark_low_kb\":%" PRIu64
                     ",\"wmark_high_kb\":%" PRIu64 ",\"pressure\":",
                i ? "," : "", s->t_ns, s->committed_kb, s->limit_kb,
                s->free_kb, s->used_kb, s->swap_used_kb, s->wmark_min_kb,
                s->wmark_low_kb, s->wmark_high_kb);
        counters(out, s->pressure);
        fputc('}', out);
    }
    fputs("]", out);
}

static void report(FILE *out, const struct mm_report *r)
{
    const struct report_replay *p = &r->replay;
    fputs("{\"policy\":", out);
    jstr(out, r->policy);
    fputs(",\"processes\":[", out);
    for (size_t i = 0; i < r->nr_procs; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        proc(out, r, &r->procs[i]);
    }
    fputs("],\n\"system\":", out);
    system_obj(out, &r->system);
    fputs(",\n\"events\":[", out);
    for (size_t i = 0; i < r->nr_events; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        event(out, &r->events[i]);
    }
    fputs("],\n\"oom\":[", out);
    for (size_t i = 0; i < r->nr_ooms; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        oom(out, &r->ooms[i]);
    }
    fputs("],\n\"samples\":", out);
    samples(out, r);
    sites(out, r);
    fprintf(out, ",\n\"replay\":{\"events\":%" PRIu64 ",\"faults\":%" PRIu64
                 ",\"faults_unplaced\":%" PRIu64 ",\"model_errors\":%" PRIu64
                 ",\"unsupported\":%" PRIu64 ",\"skipped_killed\":%" PRIu64
                 ",\"skipped_panic\":%" PRIu64 ",\"complete\":%s"
                 ",\"incomplete_capture\":",
            p->events, p->faults, p->faults_unplaced, p->model_errors,
            p->unsupported, p->skipped_killed, p->skipped_panic,
            p->complete ? "true" : "false");
    if (p->incomplete)
        jstr(out, p->incomplete_capture);
    else
        fputs("null", out);
    fputs("}}", out);
}

/**
 * render_json() - write reports as JSON (docs/report-json.md)
 * @reps: the reports
 * @n: 1 for a report object, more for {"policies": [...]}
 * @out: the stream
 *
 * Return: 0 or -1 on a write error.
 */
int render_json(const struct mm_report *const *reps, size_t n, FILE *out)
{
    if (n == 1) {
        report(out, reps[0]);
    } else {
        fputs("{\"policies\":[\n", out);
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputs(",\n", out);
            report(out, reps[i]);
        }
        fputs("]}", out);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
