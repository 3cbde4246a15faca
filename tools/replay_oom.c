/*
 * replay_oom.c - the simulated OOM killer in a replay: oom_score_adj from
 * the trace and from --oom-score-adj, the kills and panics the model
 * reports, and what becomes of the victims.
 *
 * After every event the column looks at the model's OOM log and oom_kill
 * counter. Each new OOM event becomes a struct report_oom carrying the
 * kernel's log lines and the event whose allocation invoked the killer
 * (its process, type and stack). Every process the model killed gets the
 * fate "killed by the OOM killer", its figures as the kill line gives
 * them, and is removed from the model (mm_exit); its later events are
 * counted and not applied (docs/replay.md). After a panic no event is
 * applied any more. --oom-score-adj NAME=ADJ replaces the value of every
 * process whose comm is NAME: at its exec or fork, and over the trace's
 * own oom_score_adj writes.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define KB(pages) ((pages) * (MM_PAGE_SIZE / 1024))

static size_t unborn_find(const struct replay_col *c, uint32_t pid)
{
    size_t i = 0;
    while (i < c->nr_unborn && c->unborn[i] != pid)
        i++;
    return i;
}

/* A process the killed one (or an unborn one) forked after the kill. */
static void unborn_add(struct replay_col *c, uint32_t pid)
{
    if (unborn_find(c, pid) < c->nr_unborn)
        return;
    if (c->nr_unborn == c->cap_unborn) {
        size_t cap = c->cap_unborn ? c->cap_unborn * 2 : 16;
        uint32_t *u = realloc(c->unborn, cap * sizeof(*u));
        if (!u)
            return;
        c->unborn = u;
        c->cap_unborn = cap;
    }
    c->unborn[c->nr_unborn++] = pid;
}

/* A fork that is applied makes @pid a live process again (pid reuse). */
static void unborn_del(struct replay_col *c, uint32_t pid)
{
    size_t i = unborn_find(c, pid);
    if (i < c->nr_unborn)
        c->unborn[i] = c->unborn[--c->nr_unborn];
}

/**
 * replay_oom_skip() - should @ev not be applied (an OOM-killed process, a
 * process it would have forked afterwards, or a panicked kernel)? Counts
 * what it skips.
 * @c: the column
 * @ev: the event
 *
 * Return: true to skip.
 */
bool replay_oom_skip(struct replay_col *c, const struct tr_event *ev)
{
    if (c->rep.system.panicked) {
        c->rep.replay.skipped_panic++;
        return true;
    }
    const struct replay_task *t = replay_task_get(c, ev->pid, false);
    bool fork = ev->type == TR_EV_FORK || ev->type == TR_EV_VFORK;
    bool dead = (t && t->killed) ||
                (c->nr_unborn && unborn_find(c, ev->pid) < c->nr_unborn);
    if (!dead) {
        if (fork && c->nr_unborn)
            unborn_del(c, (uint32_t)ev->a[0]);
        return false; /* a pid reused by a new process is forgotten first */
    }
    if (fork)
        unborn_add(c, (uint32_t)ev->a[0]);
    c->rep.replay.skipped_killed++;
    return true;
}

static struct report_oom *new_oom(struct mm_report *r)
{
    if (r->nr_ooms == r->cap_ooms) {
        size_t cap = r->cap_ooms ? r->cap_ooms * 2 : 8;
        struct report_oom *o = realloc(r->ooms, cap * sizeof(*o));
        if (!o)
            return NULL;
        r->ooms = o;
        r->cap_ooms = cap;
    }
    struct report_oom *o = &r->ooms[r->nr_ooms++];
    memset(o, 0, sizeof(*o));
    return o;
}

/* One model OOM event -> one report_oom, triggered by @ev. */
static void add_oom(struct replay *rp, struct replay_col *c,
                    const struct tr_event *ev, const struct mm_oom_report *m)
{
    struct report_oom *o = new_oom(&c->rep);
    if (!o)
        return;
    bool kill = m->outcome == MM_OOM_KILLED || m->outcome == MM_OOM_KILLED_ALLOCATING;
    o->t_ns = ev->t_ns - rp->t0;
    o->pid = kill ? m->victim.pid : 0;
    o->trigger_pid = ev->pid;
    o->trigger_type = ev->type;
    o->stack = ev->stack;
    o->points = m->victim_points;
    o->memcg = m->memcg;
    o->panic = !kill && (m->outcome == MM_OOM_PANIC || !m->memcg);
    mm_comm_from_path(replay_string(rp, m->victim.comm), o->comm);
    mm_comm_from_path(replay_string(rp, m->comm), o->trigger_comm);
    struct mm_buf b = {0};
    if (!mm_oom_report_render(c->sim, m, &b, replay_string, rp))
        o->log = b.data; /* the buffer's storage is plain malloc'd text */
    else
        mm_buf_free(&b);
}

/* The report_oom that killed @pid: the latest naming it, else the latest. */
static uint32_t oom_of(const struct mm_report *r, uint32_t pid)
{
    for (size_t i = r->nr_ooms; i-- > 0;)
        if (r->ooms[i].pid == pid)
            return (uint32_t)i + 1;
    return (uint32_t)r->nr_ooms;
}

/* @t was killed: its fate, its figures from the kill line, out of the model. */
static void victim(struct replay *rp, struct replay_col *c,
                   struct replay_task *t, const struct tr_event *ev)
{
    struct report_proc *p = replay_proc_of(c, t);
    p->fate = REPORT_FATE_OOM_KILLED;
    p->oom = oom_of(&c->rep, t->pid);
    p->t_end_ns = ev->t_ns - rp->t0;
    for (size_t i = 0; i < mm_oom_log_count(c->sim); i++) {
        const struct mm_oom_report *m = mm_oom_log_at(c->sim, i);
        if (m->victim.pid != t->pid || m->outcome == MM_OOM_PANIC ||
            m->outcome == MM_OOM_NO_VICTIM)
            continue;
        p->rss_kb = KB(m->victim.rss);
        p->rss_anon_kb = KB(m->victim.rss_anon);
        p->vm_size_kb = KB(m->victim.total_vm);
        p->swap_kb = KB(m->victim.swapents);
        p->pss_kb = p->uss_kb = 0; /* reaped: nothing left to share */
        if (p->rss_kb > p->peak_rss_kb)
            p->peak_rss_kb = p->rss_kb;
        p->measured = true;
    }
    t->killed = true;
    t->gone = true;
    mm_exit(c->sim, t->pid);
}

/**
 * replay_oom_check() - after @ev: report what the OOM killer did
 * @rp: the replay
 * @c: the column
 * @ev: the event just applied (its allocation invoked the killer)
 */
void replay_oom_check(struct replay *rp, struct replay_col *c,
                      const struct tr_event *ev)
{
    size_t logs = mm_oom_log_count(c->sim);
    uint64_t kills = mm_oom_kills(c->sim);
    if (logs == c->oom_logs_seen && kills == c->oom_kills_seen &&
        !mm_oom_panicked(c->sim))
        return;
    for (; c->oom_logs_seen < logs; c->oom_logs_seen++)
        add_oom(rp, c, ev, mm_oom_log_at(c->sim, c->oom_logs_seen));
    c->oom_kills_seen = kills;
    c->rep.system.oom_kills = kills;
    for (size_t k = 0; k < c->cap_tasks; k++) {
        struct replay_task *t = &c->tasks[k];
        if (t->pid && !t->gone && mm_task_oom_killed(c->sim, t->pid))
            victim(rp, c, t, ev);
    }
    if (mm_oom_panicked(c->sim))
        c->rep.system.panicked = true;
}

/* The override for @pid's command, if any. */
static const struct cli_oom_adj *override_of(struct replay_col *c, uint32_t pid,
                                             const struct cli_config *cfg)
{
    struct replay_task *t = replay_task_get(c, pid, false);
    return t && cfg ? cli_config_oom_adj(cfg, replay_proc_of(c, t)->comm) : NULL;
}

/**
 * replay_oom_override() - apply --oom-score-adj to @pid (after its exec or
 * fork gave it a command name)
 * @rp: the replay
 * @c: the column
 * @pid: the process
 */
void replay_oom_override(struct replay *rp, struct replay_col *c, uint32_t pid)
{
    const struct cli_oom_adj *o = override_of(c, pid, rp->cfg);
    if (o)
        mm_set_oom_score_adj(c->sim, pid, o->adj);
}

/**
 * replay_oom_adj_event() - the process wrote /proc/self/oom_score_adj
 * @rp: the replay
 * @c: the column
 * @ev: TR_EV_OOM_SCORE_ADJ (a[0]: the value, signed)
 *
 * Return: what mm_set_oom_score_adj() returns; an --oom-score-adj for the
 * process's command wins over the recorded value.
 */
int replay_oom_adj_event(struct replay *rp, struct replay_col *c,
                         const struct tr_event *ev)
{
    const struct cli_oom_adj *o = override_of(c, ev->pid, rp->cfg);
    int64_t adj = o ? o->adj : (int64_t)ev->a[0];
    if (adj < MM_OOM_SCORE_ADJ_MIN || adj > MM_OOM_SCORE_ADJ_MAX)
        return MM_EINVAL;
    return mm_set_oom_score_adj(c->sim, ev->pid, (int)adj);
}
