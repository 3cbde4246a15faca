/*
 * report.c - helpers on struct mm_report shared by the renderers and the
 * verbs: release, the fate of a process as text, sorting the rows.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/trace.h"
#include "report.h"

const char *const report_pressure_names[REPORT_NR_PRESSURE] = {
    [RP_PGSCAN_KSWAPD] = "pgscan_kswapd", [RP_PGSCAN_DIRECT] = "pgscan_direct",
    [RP_PGSTEAL_KSWAPD] = "pgsteal_kswapd", [RP_PGSTEAL_DIRECT] = "pgsteal_direct",
    [RP_ALLOCSTALL] = "allocstall", [RP_PSWPIN] = "pswpin",
    [RP_PSWPOUT] = "pswpout", [RP_OOM_KILL] = "oom_kill",
};

/**
 * report_has_pressure() - did reclaim, swap or the OOM killer act?
 * @r: the report
 *
 * Return: true if any pressure counter or swap use is non-zero: the
 * renderers then show the pressure section and the reclaim/swap chart.
 */
bool report_has_pressure(const struct mm_report *r)
{
    if (r->system.peak_swap_used_kb || r->system.swap_used_kb)
        return true;
    for (int i = 0; i < REPORT_NR_PRESSURE; i++)
        if (r->system.pressure[i])
            return true;
    return false;
}

const char *const report_site_figure_names[REPORT_NR_SITE_FIGURES] = {
    [RS_PEAK] = "peak", [RS_LEAKED] = "leaked",
    [RS_ALLOCATIONS] = "allocations", [RS_TEMPORARY] = "temporary",
    [RS_COMMIT] = "commit", [RS_RSS] = "rss",
};

/** report_site_figure() - figure @k of call site @s. */
uint64_t report_site_figure(const struct report_site *s,
                            enum report_site_figure k)
{
    switch (k) {
    case RS_PEAK: return s->peak_bytes;
    case RS_LEAKED: return s->leaked_bytes;
    case RS_ALLOCATIONS: return s->allocations;
    case RS_COMMIT: return s->commit_peak_kb;
    case RS_RSS: return s->rss_peak_kb;
    default: return s->temporary;
    }
}

static int by_figure(const void *a, const void *b, void *arg)
{
    enum report_site_figure k = *(const enum report_site_figure *)arg;
    const struct report_site *x = *(const struct report_site *const *)a;
    const struct report_site *y = *(const struct report_site *const *)b;
    uint64_t fx = report_site_figure(x, k), fy = report_site_figure(y, k);
    if (fx != fy)
        return (fx < fy) - (fx > fy);
    return (x->stack > y->stack) - (x->stack < y->stack);
}

/**
 * report_top_sites() - the call sites with the largest non-zero figure @k
 * @r: the report
 * @k: the figure
 * @out: receives up to @max pointers into r->sites, largest first
 * @max: room in @out
 *
 * Return: how many were written.
 */
size_t report_top_sites(const struct mm_report *r, enum report_site_figure k,
                        const struct report_site **out, size_t max)
{
    const struct report_site **v = malloc((r->nr_sites + 1) * sizeof(*v));
    size_t n = 0;
    if (!v)
        return 0;
    for (size_t i = 0; i < r->nr_sites; i++)
        if (report_site_figure(&r->sites[i], k))
            v[n++] = &r->sites[i];
    qsort_r(v, n, sizeof(*v), by_figure, &k);
    n = n < max ? n : max;
    memcpy(out, v, n * sizeof(*v));
    free(v);
    return n;
}

/** report_free() - release what a replay allocated in @r. */
void report_free(struct mm_report *r)
{
    for (size_t i = 0; i < r->nr_events; i++) {
        for (uint32_t k = 0; k < r->events[i].nframes; k++)
            free(r->events[i].frames[k]);
        free(r->events[i].frames);
    }
    free(r->events);
    for (size_t i = 0; i < r->nr_ooms; i++) {
        for (uint32_t k = 0; k < r->ooms[i].nframes; k++)
            free(r->ooms[i].frames[k]);
        free(r->ooms[i].frames);
        free(r->ooms[i].log);
    }
    free(r->ooms);
    r->ooms = NULL;
    for (size_t i = 0; i < r->nr_sites; i++) {
        for (uint32_t k = 0; k < r->sites[i].nframes; k++)
            free(r->sites[i].frames[k]);
        free(r->sites[i].frames);
    }
    free(r->sites);
    r->sites = NULL;
    r->nr_sites = 0;
    for (size_t i = 0; i < r->nr_procs; i++)
        free(r->procs[i].rss_series);
    free(r->procs);
    r->events = NULL;
    r->procs = NULL;
}

/* "killed by the OOM killer at T s (invoked by a fault of pid N)" */
static void oom_fate_text(const struct report_proc *p,
                          const struct mm_report *r, char *buf, size_t len)
{
    const struct report_oom *o =
        p->oom && p->oom <= r->nr_ooms ? &r->ooms[p->oom - 1] : NULL;
    if (!o) {
        snprintf(buf, len, "killed by the OOM killer");
        return;
    }
    snprintf(buf, len, "killed by the %sOOM killer at %.3f s (invoked by a "
             "%s of pid %u)", o->memcg ? "memory cgroup " : "",
             (double)o->t_ns / 1e9, tr_ev_type_name(o->trigger_type),
             o->trigger_pid);
}

/**
 * report_fate_text() - "exited 0", "killed by signal 9", "running",
 * "failed allocation at 1.234 s: mmap 1.0 GiB"
 * @p: the process
 * @r: its report (for the verdict)
 * @buf: where the text is written
 * @len: size of @buf
 *
 * Return: @buf.
 */
const char *report_fate_text(const struct report_proc *p,
                             const struct mm_report *r, char *buf, size_t len)
{
    const struct report_event *e =
        p->first_verdict ? &r->events[p->first_verdict - 1] : NULL;
    switch (p->fate) {
    case REPORT_FATE_EXITED:
        snprintf(buf, len, "exited %d", p->exit_code);
        break;
    case REPORT_FATE_SIGNALED:
        snprintf(buf, len, "killed by signal %d", p->exit_code);
        break;
    case REPORT_FATE_FAILED:
        snprintf(buf, len, "failed allocation at %.3f s: %s %llu kB",
                 e ? (double)e->t_ns / 1e9 : 0.0,
                 e ? tr_ev_type_name(e->syscall) : "?",
                 e ? (unsigned long long)(e->length + 1023) / 1024 : 0ull);
        break;
    case REPORT_FATE_OOM_KILLED:
        oom_fate_text(p, r, buf, len);
        break;
    default:
        snprintf(buf, len, "running");
    }
    return buf;
}

const char report_sort_columns[] =
    "pid, ppid, comm, swap, uss, pss, rss, peak, minflt, majflt, vmsize, "
    "commit";

static uint64_t key_of(const struct report_proc *p, const char *sort_key)
{
    static const struct {
        const char *name;
        size_t off;
    } keys[] = {
        {"swap", offsetof(struct report_proc, swap_kb)},
        {"uss", offsetof(struct report_proc, uss_kb)},
        {"pss", offsetof(struct report_proc, pss_kb)},
        {"rss", offsetof(struct report_proc, rss_kb)},
        {"peak", offsetof(struct report_proc, peak_rss_kb)},
        {"minflt", offsetof(struct report_proc, minflt)},
        {"majflt", offsetof(struct report_proc, majflt)},
        {"vmsize", offsetof(struct report_proc, vm_size_kb)},
        {"commit", offsetof(struct report_proc, committed_kb)},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(sort_key, keys[i].name) == 0)
            return *(const uint64_t *)((const char *)p + keys[i].off);
    return strcmp(sort_key, "ppid") == 0 ? p->ppid : p->pid;
}

static int cmp(const void *a, const void *b, void *arg)
{
    const char *sort_key = arg;
    const struct report_proc *x = a, *y = b;
    if (strcmp(sort_key, "comm") == 0) {
        int c = strcmp(x->comm, y->comm);
        return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
    }
    uint64_t kx = key_of(x, sort_key), ky = key_of(y, sort_key);
    bool asc = strcmp(sort_key, "pid") == 0 || strcmp(sort_key, "ppid") == 0;
    if (kx != ky)
        return asc ? (kx > ky) - (kx < ky) : (kx < ky) - (kx > ky);
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/**
 * report_sort() - order the rows by @column (numbers largest first, pid,
 * ppid and comm ascending); fate references follow
 * @r: the report
 * @column: one of report_sort_columns
 *
 * Return: 0, or -1 for an unknown column.
 */
int report_sort(struct mm_report *r, const char *column)
{
    char list[sizeof(report_sort_columns) + 3];
    char want[32];
    snprintf(list, sizeof(list), ", %s,", report_sort_columns);
    snprintf(want, sizeof(want), ", %s,", column);
    if (strlen(column) > 20 || !strstr(list, want))
        return -1;
    /* first_verdict indexes events[], which do not move */
    if (r->nr_procs)
        qsort_r(r->procs, r->nr_procs, sizeof(*r->procs), cmp, (void *)column);
    return 0;
}
