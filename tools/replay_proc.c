/*
 * replay_proc.c - the process table of one replay column: one report row
 * per process of the traced tree (by tgid), its parent, command, fate, and
 * its figures taken from the model at its exit (or at the end of the trace
 * for processes still running).
 *
 * A pid reused by the recorded system after its exit starts a new row.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

static size_t slot_of(const struct replay_col *c, uint32_t pid)
{
    size_t mask = c->cap_tasks - 1, i = (pid * 2654435761u) & mask;
    while (c->tasks[i].pid && c->tasks[i].pid != pid)
        i = (i + 1) & mask;
    return i;
}

static int grow_tasks(struct replay_col *c)
{
    size_t cap = c->cap_tasks ? c->cap_tasks * 2 : 64;
    struct replay_task *old = c->tasks;
    size_t old_cap = c->cap_tasks;
    c->tasks = calloc(cap, sizeof(*c->tasks));
    if (!c->tasks) {
        c->tasks = old;
        return MM_ENOMEM;
    }
    c->cap_tasks = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].pid)
            c->tasks[slot_of(c, old[i].pid)] = old[i];
    free(old);
    return 0;
}

/**
 * replay_task_get() - the column's entry for process @pid
 * @c: the column
 * @pid: tgid
 * @create: add an entry (and a report row) if there is none
 *
 * Return: the entry, or NULL (absent, or out of memory).
 */
struct replay_task *replay_task_get(struct replay_col *c, uint32_t pid,
                                    bool create)
{
    if (c->cap_tasks) {
        struct replay_task *t = &c->tasks[slot_of(c, pid)];
        if (t->pid || !create)
            return t->pid ? t : NULL;
    }
    if (!create || !pid)
        return NULL;
    struct mm_report *r = &c->rep;
    if ((c->nr_tasks + 1) * 2 > c->cap_tasks && grow_tasks(c))
        return NULL;
    if (r->nr_procs == r->cap_procs) {
        size_t cap = r->cap_procs ? r->cap_procs * 2 : 16;
        struct report_proc *p = realloc(r->procs, cap * sizeof(*p));
        if (!p)
            return NULL;
        r->procs = p;
        r->cap_procs = cap;
    }
    struct replay_task *t = &c->tasks[slot_of(c, pid)];
    *t = (struct replay_task){.pid = pid, .idx = (uint32_t)r->nr_procs};
    r->procs[r->nr_procs++] = (struct report_proc){.pid = pid};
    c->nr_tasks++;
    return t;
}

/** replay_proc_of() - the report row of @t. */
struct report_proc *replay_proc_of(struct replay_col *c,
                                   const struct replay_task *t)
{
    return &c->rep.procs[t->idx];
}

/* A pid seen again after its exit: forget the old entry, keep its row. */
static void forget_if_gone(struct replay_col *c, uint32_t pid)
{
    struct replay_task *t = replay_task_get(c, pid, false);
    if (!t || !t->gone)
        return;
    /* re-insert the rest of the cluster after removing t */
    t->pid = 0;
    c->nr_tasks--;
    size_t mask = c->cap_tasks - 1, i = ((size_t)(t - c->tasks) + 1) & mask;
    while (c->tasks[i].pid) {
        struct replay_task moved = c->tasks[i];
        c->tasks[i].pid = 0;
        c->tasks[slot_of(c, moved.pid)] = moved;
        i = (i + 1) & mask;
    }
}

/**
 * replay_proc_start() - a process appears (fork, vfork, or a first exec)
 * @rp: the replay
 * @c: the column
 * @pid: its tgid
 * @ppid: the parent's tgid (0 when unknown: the traced program itself)
 * @t: event time
 */
void replay_proc_start(struct replay *rp, struct replay_col *c, uint32_t pid,
                       uint32_t ppid, uint64_t t)
{
    if (ppid)
        forget_if_gone(c, pid);
    struct replay_task *task = replay_task_get(c, pid, false);
    if (task)
        return; /* exec of a known process */
    task = replay_task_get(c, pid, true);
    if (!task)
        return;
    struct report_proc *p = replay_proc_of(c, task);
    p->ppid = ppid;
    p->t_start_ns = t - rp->t0;
    struct replay_task *parent = ppid ? replay_task_get(c, ppid, false) : NULL;
    if (parent)
        memcpy(p->comm, replay_proc_of(c, parent)->comm, sizeof(p->comm));
}

/** replay_proc_comm() - the command name after an exec of @path. */
void replay_proc_comm(struct replay *rp, struct replay_col *c, uint32_t pid,
                      uint32_t path)
{
    struct replay_task *t = replay_task_get(c, pid, false);
    const char *name = replay_string(rp, path);
    if (t && name)
        mm_comm_from_path(name, replay_proc_of(c, t)->comm);
}

/**
 * replay_proc_measure() - take @t's figures from the model now
 * @c: the column
 * @t: the process (still in the model)
 */
void replay_proc_measure(struct replay_col *c, struct replay_task *t)
{
    struct report_proc *p = replay_proc_of(c, t);
    struct mm_proc_stats ps;
    struct mm_smaps sm;
    if (mm_proc_stats(c->sim, t->pid, &ps) || mm_smaps_rollup(c->sim, t->pid, &sm))
        return;
    uint64_t rss = ps.rss_anon + ps.rss_file + ps.rss_shmem;
    p->rss_kb = rss * 4;
    p->rss_anon_kb = ps.rss_anon * 4;
    p->pss_kb = (sm.pss >> 12) / 1024;
    p->pss_anon_kb = (sm.pss_anon >> 12) / 1024;
    p->uss_kb = (sm.private_clean + sm.private_dirty) / 1024;
    p->swap_kb = sm.swap / 1024;
    p->vm_size_kb = ps.total_vm * 4;
    p->committed_kb = ps.committed * 4;
    p->minflt = ps.min_flt;
    p->majflt = ps.maj_flt;
    replay_proc_peak(c, t);
    p->measured = true;
}

/** replay_proc_peak() - raise @t's peak RSS to the model's high-water mark. */
void replay_proc_peak(struct replay_col *c, struct replay_task *t)
{
    struct report_proc *p = replay_proc_of(c, t);
    struct mm_proc_stats ps;
    if (mm_proc_stats(c->sim, t->pid, &ps))
        return;
    uint64_t rss = ps.rss_anon + ps.rss_file + ps.rss_shmem;
    uint64_t peak = (ps.hiwater_rss > rss ? ps.hiwater_rss : rss) * 4;
    if (peak > p->peak_rss_kb)
        p->peak_rss_kb = peak;
}

/**
 * replay_proc_exit() - @pid exits: figures at exit, then its fate
 * @rp: the replay
 * @c: the column
 * @pid: tgid
 * @ev: the exit event (a[0]: wait status)
 */
void replay_proc_exit(struct replay *rp, struct replay_col *c, uint32_t pid,
                      const struct tr_event *ev)
{
    struct replay_task *t = replay_task_get(c, pid, true);
    if (!t)
        return;
    struct report_proc *p = replay_proc_of(c, t);
    if (!p->has_host) /* else measured when the real figures were read */
        replay_proc_measure(c, t);
    t->gone = true;
    p->t_end_ns = ev->t_ns - rp->t0;
    int st = (int)ev->a[0];
    if (p->fate == REPORT_FATE_FAILED)
        return; /* the refusal is what the simulated kernel changed */
    if ((st & 0x7f) == 0) {
        p->fate = REPORT_FATE_EXITED;
        p->exit_code = (st >> 8) & 0xff;
    } else {
        p->fate = REPORT_FATE_SIGNALED;
        p->exit_code = st & 0x7f;
    }
}

/**
 * replay_proc_host() - keep the real kernel's figures of a process at its
 * exit (TR_EV_HOST_STAT), for the fidelity check, and take the model's at
 * the same moment: the recorder reads them at the exit stop, and other
 * processes may exit (in the trace) before this one's exit event, which
 * changes what is shared
 * @c: the column
 * @ev: the event (a[] as in include/mmsim/event.h)
 *
 * Return: 0 or MM_ENOMEM.
 */
int replay_proc_host(struct replay_col *c, const struct tr_event *ev)
{
    struct replay_task *t = replay_task_get(c, ev->pid, true);
    if (!t)
        return MM_ENOMEM;
    struct report_proc *p = replay_proc_of(c, t);
    replay_proc_measure(c, t); /* the same moment as the real figures */
    p->has_host = true;
    p->host = (struct report_host){
        .rss_kb = ev->a[0], .rss_anon_kb = ev->a[1], .minflt = ev->a[2],
        .majflt = ev->a[3], .pss_anon_kb = ev->a[4], .uss_kb = ev->a[5],
    };
    return 0;
}
