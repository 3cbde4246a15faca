/*
 * replay_sample.c - the system view of one column over time, and verdicts.
 *
 * After every event the column's peaks are updated (Committed_AS, used
 * memory, the tightest free pages and the watermarks of that moment): these
 * are exact, not sampled. For charts, points are kept at most every
 * sample_step_ns; when REPORT_MAX_SAMPLES are full, every other point is
 * dropped and the step doubles, so any length of trace gives a bounded
 * series that spans all of it.
 *
 * Pressure: the reclaim, swap and OOM counters of /proc/vmstat are read
 * after every event (cheap: resolved indexes); a point is always kept when
 * the OOM kill count rises, so kills are marked at their time. Swap in use
 * (SwapTotal - SwapFree, si_swapinfo()) is read after every event too: its
 * peak is exact.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define KB(pages) ((pages) * (MM_PAGE_SIZE / 1024))
#define FIRST_STEP_NS 1000000ull /* 1 ms */

/**
 * replay_sample_init() - resolve the vm event counters the samples read
 * @rp: the replay
 */
void replay_sample_init(struct replay *rp)
{
    static const char *const stalls[5] = {
        "allocstall_dma", "allocstall_dma32", "allocstall_normal",
        "allocstall_movable", "allocstall_device"};
    for (int i = 0; i < REPORT_NR_PRESSURE; i++)
        rp->ev_index[i] = mm_vm_event_index(report_pressure_names[i]);
    for (int i = 0; i < 5; i++)
        rp->ev_allocstall[i] = mm_vm_event_index(stalls[i]);
}

static void pressure(const struct replay *rp, const struct mm_sim *sim,
                     uint64_t out[REPORT_NR_PRESSURE])
{
    for (int i = 0; i < REPORT_NR_PRESSURE; i++)
        out[i] = mm_vm_event_read(sim, rp->ev_index[i]);
    out[RP_ALLOCSTALL] = 0;
    for (int i = 0; i < 5; i++)
        out[RP_ALLOCSTALL] += mm_vm_event_read(sim, rp->ev_allocstall[i]);
}

/* Swap in use: SwapTotal - SwapFree (si_swapinfo()). */
static void swap_point(struct replay_col *c, struct report_sample *s)
{
    struct report_system *sys = &c->rep.system;
    uint64_t total = 0, avail = 0;
    mm_swap_info(c->sim, &total, &avail);
    s->swap_used_kb = total > avail ? KB(total - avail) : 0;
    sys->swap_total_kb = KB(total);
    sys->swap_used_kb = s->swap_used_kb;
    if (s->swap_used_kb > sys->peak_swap_used_kb)
        sys->peak_swap_used_kb = s->swap_used_kb;
}

static void peaks(struct replay *rp, struct replay_col *c, uint64_t t,
                  struct report_sample *s)
{
    struct report_system *sys = &c->rep.system;
    struct mm_sysinfo si;
    mm_si_meminfo(c->sim, &si);
    memset(s, 0, sizeof(*s));
    pressure(rp, c->sim, s->pressure);
    swap_point(c, s);
    memcpy(sys->pressure, s->pressure, sizeof(sys->pressure));
    s->wmark_min_kb = KB(si.wmark_min);
    s->wmark_low_kb = KB(si.wmark_low);
    s->wmark_high_kb = KB(si.wmark_high);
    s->t_ns = t > rp->t0 ? t - rp->t0 : 0;
    s->committed_kb = KB(mm_vm_memory_committed(c->sim));
    s->limit_kb = KB(mm_vm_commit_limit(c->sim));
    s->free_kb = KB(si.freeram);
    s->used_kb = KB(si.totalram - si.freeram);
    sys->mem_total_kb = KB(si.totalram);
    sys->commit_limit_kb = s->limit_kb;
    if (s->committed_kb > sys->peak_committed_kb || !sys->t_peak_committed_ns) {
        sys->peak_committed_kb = s->committed_kb;
        sys->t_peak_committed_ns = s->t_ns;
    }
    if (s->used_kb > sys->peak_used_kb)
        sys->peak_used_kb = s->used_kb;
    if (s->free_kb < sys->min_free_kb || !sys->min_free_kb) {
        sys->min_free_kb = s->free_kb;
        sys->t_min_free_ns = s->t_ns;
        sys->wmark_min_kb = KB(si.wmark_min);
        sys->wmark_low_kb = KB(si.wmark_low);
        sys->wmark_high_kb = KB(si.wmark_high);
    }
}

static void thin(struct mm_report *r)
{
    size_t n = 0;
    for (size_t p = 0; p < r->nr_procs; p++) {
        uint64_t *s = r->procs[p].rss_series;
        size_t k = 0;
        for (size_t i = 0; s && i < r->nr_samples; i += 2)
            s[k++] = s[i];
        if (s) /* dead processes must read 0 at later points */
            memset(s + k, 0, (REPORT_MAX_SAMPLES - k) * sizeof(*s));
    }
    for (size_t i = 0; i < r->nr_samples; i += 2)
        r->samples[n++] = r->samples[i];
    r->nr_samples = n;
    r->sample_step_ns *= 2;
}

/* RSS of every live process at sample @idx (series cleared past it, so a
 * thinned series reads 0 where nothing was measured). */
static void rss_points(struct replay_col *c, size_t idx)
{
    for (size_t k = 0; k < c->cap_tasks; k++) {
        struct replay_task *t = &c->tasks[k];
        struct mm_proc_stats ps;
        if (!t->pid || t->gone || mm_proc_stats(c->sim, t->pid, &ps))
            continue;
        struct report_proc *p = replay_proc_of(c, t);
        if (!p->rss_series &&
            !(p->rss_series = calloc(REPORT_MAX_SAMPLES, sizeof(uint64_t))))
            continue;
        memset(p->rss_series + idx, 0,
               (REPORT_MAX_SAMPLES - idx) * sizeof(uint64_t));
        p->rss_series[idx] = KB(ps.rss_anon + ps.rss_file + ps.rss_shmem);
    }
}

/**
 * replay_sample() - update the column's peaks and maybe keep a point
 * @rp: the replay
 * @c: the column
 * @t: event time (monotonic ns)
 * @force: keep this point whatever the step (start, end, verdicts)
 */
void replay_sample(struct replay *rp, struct replay_col *c, uint64_t t,
                   bool force)
{
    struct mm_report *r = &c->rep;
    struct report_sample s;
    if (!c->sim)
        return;
    peaks(rp, c, t, &s);
    if (!r->sample_step_ns)
        r->sample_step_ns = FIRST_STEP_NS;
    const struct report_sample *last =
        r->nr_samples ? &r->samples[r->nr_samples - 1] : NULL;
    if (last && s.pressure[RP_OOM_KILL] > last->pressure[RP_OOM_KILL])
        force = true; /* mark OOM kills at their time */
    if (!force && last && s.t_ns < last->t_ns + r->sample_step_ns)
        return;
    if (r->nr_samples == REPORT_MAX_SAMPLES)
        thin(r);
    rss_points(c, r->nr_samples);
    r->samples[r->nr_samples++] = s;
}

static struct report_event *new_event(struct mm_report *r)
{
    if (r->nr_events == r->cap_events) {
        size_t cap = r->cap_events ? r->cap_events * 2 : 16;
        struct report_event *e = realloc(r->events, cap * sizeof(*e));
        if (!e)
            return NULL;
        r->events = e;
        r->cap_events = cap;
    }
    struct report_event *e = &r->events[r->nr_events++];
    memset(e, 0, sizeof(*e));
    return e;
}

static void pend(struct replay *rp, struct replay_col *c, uint32_t tid,
                 size_t event)
{
    struct replay_pending *p =
        realloc(rp->pending, (rp->nr_pending + 1) * sizeof(*p));
    if (!p)
        return;
    rp->pending = p;
    p[rp->nr_pending++] = (struct replay_pending){
        tid, (uint32_t)(c - rp->cols), event};
}

/**
 * replay_verdict() - the simulated kernel refused what the real one granted
 * @rp: the replay
 * @c: the column
 * @ev: the request
 * @err: the model's answer
 * @length: bytes asked for
 *
 * The first refusal of a process sets its fate (docs/replay.md).
 */
void replay_verdict(struct replay *rp, struct replay_col *c,
                    const struct tr_event *ev, int err, uint64_t length)
{
    struct mm_report *r = &c->rep;
    struct report_event *e = new_event(r);
    struct replay_task *t = replay_task_get(c, ev->pid, true);
    r->system.nr_enomem++;
    if (!e)
        return;
    *e = (struct report_event){
        .t_ns = ev->t_ns - rp->t0, .pid = ev->pid, .syscall = ev->type,
        .err = err, .length = length, .stack = ev->stack,
        .committed_kb = KB(mm_vm_memory_committed(c->sim)),
        .limit_kb = KB(mm_vm_commit_limit(c->sim)),
    };
    if (t) {
        struct report_proc *p = replay_proc_of(c, t);
        memcpy(e->comm, p->comm, sizeof(e->comm));
        if (!t->failed) {
            t->failed = true;
            p->fate = REPORT_FATE_FAILED;
            p->first_verdict = (uint32_t)r->nr_events;
        }
    }
    if (ev->flags & TR_F_IN_ALLOC)
        pend(rp, c, ev->tid, r->nr_events - 1);
    replay_sample(rp, c, ev->t_ns, true);
}

static uint64_t alloc_size(const struct tr_event *ev)
{
    switch (ev->type) {
    case TR_EV_CALLOC:
        return ev->a[0] * ev->a[1];
    case TR_EV_REALLOC:
    case TR_EV_MEMALIGN:
        return ev->a[1];
    case TR_EV_REALLOCARRAY:
        return ev->a[1] * ev->a[2];
    }
    return ev->a[0];
}

/**
 * replay_note_alloc() - an allocator event: it is the call that the pending
 * verdicts of its thread were made from (event.h: allocator events follow
 * the kernel requests they made)
 * @rp: the replay
 * @ev: any event (others are ignored)
 */
void replay_note_alloc(struct replay *rp, const struct tr_event *ev)
{
    if (ev->type < TR_EV_MALLOC || ev->type > TR_EV_USABLE_SIZE)
        return;
    size_t n = 0;
    for (size_t i = 0; i < rp->nr_pending; i++) {
        struct replay_pending *p = &rp->pending[i];
        if (p->tid != ev->tid) {
            rp->pending[n++] = *p;
            continue;
        }
        struct report_event *e = &rp->cols[p->col].rep.events[p->event];
        e->alloc_type = ev->type;
        e->alloc_size = alloc_size(ev);
        if (!e->stack)
            e->stack = ev->stack;
    }
    rp->nr_pending = n;
}
