/*
 * oom_kill.c - the OOM killer: badness, victim selection, the kill, the
 * oom_reaper's tear-down, vm.panic_on_oom and vm.oom_kill_allocating_task.
 *
 * Mechanism: when an allocation that may invoke the OOM killer (order <= 3,
 * direct reclaim allowed, no __GFP_RETRY_MAYFAIL/THISNODE, a zone at least
 * Normal allowed) still fails after reclaim, out_of_memory() runs. It first
 * lets an already killed allocating task die; then sets the constraint and
 * totalpages (RAM + swap, or the memory cgroup's limit), panics when
 * panic_on_oom says so, kills the allocating task when
 * oom_kill_allocating_task says so, and otherwise kills the task with the
 * highest oom_badness(): rss + swap entries + page-table pages, plus
 * oom_score_adj * (totalpages / 1000). A task with oom_score_adj -1000, init
 * and tasks without an mm are never chosen; a task scanned later wins a tie
 * (the scan is in creation order, for_each_process()). The victim and every
 * other process sharing its mm are killed; the victim's address space is
 * torn down at once, as the oom_reaper and the exit would.
 *
 * Callers: mm__alloc_may_oom() from the page allocator's slow path
 * (model/page_alloc.c), mm__memcg_try_charge() (model/memcontrol.c).
 * The log and its text are model/oom_kill_log.c.
 *
 * Kernel: mm/oom_kill.c oom_badness(), constrained_alloc(),
 * oom_evaluate_task(), select_bad_process(), check_panic_on_oom(),
 * out_of_memory(), oom_kill_process(), __oom_kill_process(), oom_reaper;
 * mm/page_alloc.c __alloc_pages_may_oom(); fs/proc/base.c
 * proc_oom_score(), oom_score_adj_write(). Identical rules in 6.1 and 6.18.
 *
 * An allocation under MPOL_BIND whose nodes are not all the nodes with
 * memory is CONSTRAINT_MEMORY_POLICY: totalpages is swap plus the present
 * pages of its nodes, and tasks whose own MPOL_BIND mask misses those nodes
 * are not candidates (mempolicy_in_oom_domain()).
 *
 * Simplified: no cpusets, so CONSTRAINT_CPUSET never happens; no kernel
 * threads, oom notifiers, oom_task_origin (swapoff, KSM) or
 * memory.oom.group. The uid is 0. The reaper frees everything at once
 * (the kernel reaps anonymous memory, the exit the rest, moments later).
 * A killed task whose own fault is allocating is reaped when that fault
 * returns (mm__oom_reap_current()), or, killed during a populate (mlock,
 * MAP_POPULATE), at the next OOM, before anything else is killed: the
 * kernel would wait for it; its allocation fails. vfork children
 * are not told from CLONE_VM processes (in_vfork() is not modelled).
 */
#include "internal.h"

#define PAGE_ALLOC_COSTLY_ORDER 3

/* oom_unkillable_task(): global init; the model has no kernel threads. */
static bool oom_unkillable_task(const struct mm_task *task)
{
    return task->node.key == 1;
}

/**
 * mm__oom_badness() - how bad it is to keep @task
 * @sim: the simulator (unused: the rule needs only the task)
 * @task: the candidate
 * @totalpages: RAM + swap pages, or the memory cgroup's limit
 *
 * Return: INT64_MIN (LONG_MIN) for a task that must not be chosen, else
 * rss + swap entries + page-table pages + oom_score_adj * (totalpages/1000).
 * Kernel: mm/oom_kill.c oom_badness().
 */
int64_t mm__oom_badness(const struct mm_sim *sim, const struct mm_task *task,
                        uint64_t totalpages)
{
    (void)sim;
    if (oom_unkillable_task(task) || !task->mm ||
        task->oom_score_adj == MM_OOM_SCORE_ADJ_MIN)
        return INT64_MIN;
    const struct mm_mm *mm = task->mm;
    int64_t points = (int64_t)(mm->rss_anon + mm->rss_file + mm->rss_shmem +
                               mm->swapents + mm->pgtables.count);
    return points + (int64_t)task->oom_score_adj * (int64_t)(totalpages / 1000);
}

/* totalram_pages() + total_swap_pages */
static uint64_t global_totalpages(const struct mm_sim *sim)
{
    return sim->totalram_pages + sim->machine.swap_pages;
}

/* constrained_alloc(): memcg limit, the policy's nodes, or RAM + swap. */
static enum mm_oom_constraint constrained_alloc(const struct mm_sim *sim,
                                                const struct mm_oom_control *oc,
                                                uint64_t *totalpages)
{
    if (oc->memcg) {
        *totalpages = sim->memcg.max ? sim->memcg.max : 1;
        return MM_CONSTRAINT_MEMCG;
    }
    if (oc->nodemask && (sim->node_mask & ~oc->nodemask)) {
        *totalpages = sim->machine.swap_pages;
        for (unsigned nid = 0; nid < sim->nr_nodes; nid++)
            for (int t = 0; oc->nodemask >> nid & 1u && t < MM_NR_ZONES; t++)
                *totalpages += sim->nodes[nid].zones[t].present;
        return MM_CONSTRAINT_MEMORY_POLICY;
    }
    *totalpages = global_totalpages(sim);
    return MM_CONSTRAINT_NONE;
}

/* A victim not yet reaped: the kernel waits for it (abort the scan). */
static bool oom_victim_pending(const struct mm_task *task)
{
    return task->oom_killed && task->mm;
}

/*
 * select_bad_process(): highest badness; at equal points the task created
 * later wins (oom_evaluate_task() skips only points < chosen_points).
 * Return: the victim, NULL when none, or *abort when a victim is pending.
 */
/* oom_cpuset_eligible(): under CONSTRAINT_MEMORY_POLICY a task bound
 * (MPOL_BIND) elsewhere cannot free the allocation's nodes. */
static bool oom_eligible(const struct mm_task *t, const struct mm_oom_report *r)
{
    return r->constraint != MM_CONSTRAINT_MEMORY_POLICY ||
           t->mempolicy.mode != MM_MPOL_BIND || (t->mempolicy.nodes & r->nodemask);
}

static struct mm_task *select_bad_process(const struct mm_sim *sim,
                                          struct mm_oom_report *r, bool *abort)
{
    struct mm_task *chosen = NULL;
    int64_t *points = &r->victim_points;
    *abort = false;
    for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
         n = mm__avl_next(&sim->tasks, n)) {
        struct mm_task *t = mm_container_of(n, struct mm_task, node);
        if (oom_unkillable_task(t) || !oom_eligible(t, r))
            continue;
        if (oom_victim_pending(t)) {
            *abort = true;
            return NULL;
        }
        int64_t p = mm__oom_badness(sim, t, r->totalpages);
        if (p == INT64_MIN)
            continue;
        if (!chosen || p > *points || (p == *points && t->seq > chosen->seq)) {
            chosen = t;
            *points = p;
        }
    }
    return chosen;
}

/* Take the mm of every killed task sharing @mm: the reaper and exit_mm(). */
static void oom_reap_mm(struct mm_sim *sim, struct mm_mm *mm)
{
    for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
         n = mm__avl_next(&sim->tasks, n)) {
        struct mm_task *t = mm_container_of(n, struct mm_task, node);
        if (t->mm == mm && t->oom_killed) {
            t->mm = NULL;
            mm__mmput(sim, mm);
        }
    }
}

/**
 * mm__oom_reap_current() - reap a task killed while its own fault allocated
 * @sim: the simulator
 * @task: the task whose fault has returned
 *
 * Kernel: the SIGKILL delivered on return to user space; exit_mm().
 */
void mm__oom_reap_current(struct mm_sim *sim, struct mm_task *task)
{
    if (task->oom_killed && task->mm)
        oom_reap_mm(sim, task->mm);
}

/* Is @mm in use by the fault being handled? Then reaping waits for it. */
static bool mm_busy(const struct mm_sim *sim, const struct mm_mm *mm)
{
    return sim->current && sim->current->mm == mm;
}

/*
 * __oom_kill_process(): SIGKILL the victim and every other process using
 * its mm (not init), count oom_kill, reap. Return: memory was freed.
 */
static bool oom_kill_process(struct mm_sim *sim, struct mm_oom_report *r,
                             struct mm_task *victim)
{
    struct mm_mm *mm = victim->mm;
    mm__oom_fill_task(victim, &r->victim);
    mm__count_vm_events(sim, MM_OOM_KILL, 1);
    if (r->memcg)
        sim->memcg.events_oom_kill++;
    bool pinned = false;
    for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
         n = mm__avl_next(&sim->tasks, n)) {
        struct mm_task *t = mm_container_of(n, struct mm_task, node);
        if (t->mm != mm)
            continue;
        if (oom_unkillable_task(t))
            pinned = true; /* "has mm pinned by": MMF_OOM_SKIP, no reaping */
        else
            t->oom_killed = true;
    }
    if (pinned || mm_busy(sim, mm))
        return false;
    oom_reap_mm(sim, mm);
    return true;
}

/*
 * The oom_reaper's deferred work: victims killed while their own fault or
 * populate was allocating keep their mm until that returns; once it has,
 * reap them. Return: something was freed.
 */
static bool reap_pending(struct mm_sim *sim)
{
    bool freed = false;
    for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
         n = mm__avl_next(&sim->tasks, n)) {
        struct mm_task *t = mm_container_of(n, struct mm_task, node);
        if (oom_victim_pending(t) && !mm_busy(sim, t->mm) &&
            !oom_unkillable_task(t)) {
            oom_reap_mm(sim, t->mm);
            freed = true;
        }
    }
    return freed;
}

/* check_panic_on_oom(): 1 panics for an unconstrained OOM only, 2 always. */
static bool check_panic_on_oom(struct mm_sim *sim, struct mm_oom_report *r)
{
    int mode = sim->vm.panic_on_oom;
    if (!mode || (mode != 2 && r->constraint != MM_CONSTRAINT_NONE))
        return false;
    r->outcome = MM_OOM_PANIC;
    sim->oom.panicked = true;
    sim->oom.panic_kind = mode;
    return true;
}

/* The allocating task is eligible for oom_kill_allocating_task. */
static bool kill_allocating(const struct mm_sim *sim,
                            const struct mm_oom_control *oc)
{
    const struct mm_task *cur = sim->current;
    return !oc->memcg && sim->vm.oom_kill_allocating_task && cur && cur->mm &&
           !oom_unkillable_task(cur) &&
           cur->oom_score_adj != MM_OOM_SCORE_ADJ_MIN;
}

/* The report's header: who allocated what, under which constraint. */
static void report_header(struct mm_sim *sim, const struct mm_oom_control *oc,
                          struct mm_oom_report *r)
{
    const struct mm_task *cur = sim->current;
    r->t_ns = sim->now_ns;
    r->pid = cur ? (uint32_t)cur->node.key : 0;
    r->comm = cur ? cur->comm : 0;
    r->oom_score_adj = cur ? cur->oom_score_adj : 0;
    r->gfp_mask = oc->gfp_mask;
    r->order = oc->order;
    r->memcg = oc->memcg;
    r->nodemask = oc->nodemask;
    r->constraint = constrained_alloc(sim, oc, &r->totalpages);
}

/* dump_tasks(): eligible tasks with an mm, in creation order. */
static void dump_tasks(const struct mm_sim *sim, struct mm_oom_report *r)
{
    uint64_t last = 0;
    for (;;) {
        const struct mm_task *next = NULL;
        for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
             n = mm__avl_next(&sim->tasks, n)) {
            const struct mm_task *t = mm_container_of(n, struct mm_task, node);
            if (t->seq > last && (!next || t->seq < next->seq))
                next = t;
        }
        if (!next)
            return;
        last = next->seq;
        if (oom_unkillable_task(next) || !next->mm || !oom_eligible(next, r))
            continue;
        if (r->nr_tasks < MM_OOM_DUMP_MAX)
            mm__oom_fill_task(next, &r->tasks[r->nr_tasks++]);
        else
            r->tasks_omitted++;
    }
}

/* The victim when oom_kill_allocating_task or the scan picks one. */
static struct mm_task *pick_victim(struct mm_sim *sim,
                                   const struct mm_oom_control *oc,
                                   struct mm_oom_report *r, bool *abort)
{
    *abort = false;
    if (kill_allocating(sim, oc) && oom_eligible(sim->current, r)) {
        r->outcome = MM_OOM_KILLED_ALLOCATING;
        r->victim_points = mm__oom_badness(sim, sim->current, r->totalpages);
        return sim->current;
    }
    r->outcome = MM_OOM_KILLED;
    return select_bad_process(sim, r, abort);
}

/**
 * mm__out_of_memory() - kill something so that an allocation can succeed
 * @sim: the simulator
 * @oc: the failed request (gfp, order, memcg or global)
 *
 * Return: true when a victim's memory was freed and the caller should try
 * again; false when nothing was freed (no victim, the victim is the
 * allocating task itself, a pending victim, or a panic).
 * Kernel: mm/oom_kill.c out_of_memory().
 */
bool mm__out_of_memory(struct mm_sim *sim, const struct mm_oom_control *oc)
{
    struct mm_task *cur = sim->current;
    if (sim->oom.panicked || (cur && cur->oom_killed))
        return false; /* task_will_free_mem(current): it is dying */
    if (!oc->memcg && !(oc->gfp_mask & MM_GFP_FS))
        return false;
    if (reap_pending(sim))
        return true; /* a dying victim's memory came back: try again */
    struct mm_oom_report r = {0};
    report_header(sim, oc, &r);
    if (sim->vm.oom_dump_tasks)
        dump_tasks(sim, &r);
    if (check_panic_on_oom(sim, &r)) {
        mm__oom_log_add(sim, &r);
        return false;
    }
    bool abort, freed = false;
    struct mm_task *victim = pick_victim(sim, oc, &r, &abort);
    if (abort)
        return false; /* a victim is still dying: wait for it (no log) */
    if (victim) {
        freed = oom_kill_process(sim, &r, victim);
    } else {
        r.outcome = MM_OOM_NO_VICTIM;
        if (!oc->memcg) {
            sim->oom.panicked = true; /* "System is deadlocked on memory" */
            sim->oom.panic_kind = 0;
        }
    }
    mm__oom_log_add(sim, &r);
    return freed;
}

/**
 * mm__alloc_may_oom() - the OOM step of the allocator's slow path
 * @sim: the simulator
 * @ac: the failed request
 *
 * Return: true when the OOM killer freed memory (retry the allocation).
 * Kernel: mm/page_alloc.c __alloc_pages_may_oom() (the high-watermark
 * retry it makes first only catches a parallel kill: none here).
 */
bool mm__alloc_may_oom(struct mm_sim *sim, const struct mm_alloc_ctx *ac)
{
    uint32_t gfp = ac->gfp_mask;
    if (!(gfp & MM_GFP_DIRECT_RECLAIM) ||
        (gfp & (MM_GFP_NORETRY | MM_GFP_RETRY_MAYFAIL | MM_GFP_THISNODE)))
        return false;
    if (ac->order > PAGE_ALLOC_COSTLY_ORDER ||
        ac->highest_zoneidx < MM_ZONE_NORMAL)
        return false;
    /* oc->nodemask = ac->nodemask: policy_nodemask() of MPOL_BIND */
    const struct mm_mempolicy *pol = ac->policy;
    uint64_t mask = pol && pol->mode == MM_MPOL_BIND ? pol->nodes : 0;
    struct mm_oom_control oc = {gfp, ac->order, false, mask};
    return mm__out_of_memory(sim, &oc);
}

/**
 * mm_set_oom_score_adj() - write /proc/PID/oom_score_adj
 * @sim: the simulator
 * @pid: tgid
 * @adj: -1000..1000
 *
 * Return: 0, MM_EINVAL out of range, MM_ESRCH.
 * Kernel: fs/proc/base.c oom_score_adj_write() (the CAP_SYS_RESOURCE
 * check against oom_score_adj_min is the recording's business).
 */
int mm_set_oom_score_adj(struct mm_sim *sim, uint32_t pid, int adj)
{
    if (adj < MM_OOM_SCORE_ADJ_MIN || adj > MM_OOM_SCORE_ADJ_MAX)
        return MM_EINVAL;
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    task->oom_score_adj = adj;
    return 0;
}

/**
 * mm_oom_score_adj() - read /proc/PID/oom_score_adj
 * @sim: the simulator
 * @pid: tgid
 * @adj: set to the value
 *
 * Return: 0 or MM_ESRCH.
 */
int mm_oom_score_adj(const struct mm_sim *sim, uint32_t pid, int *adj)
{
    const struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    *adj = task->oom_score_adj;
    return 0;
}

/**
 * mm_oom_badness() - oom_badness() of @pid against @totalpages
 * @sim: the simulator
 * @pid: tgid
 * @totalpages: normaliser (0: RAM + swap, as a global OOM uses)
 * @points: set to the badness (INT64_MIN: never chosen)
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: mm/oom_kill.c oom_badness().
 */
int mm_oom_badness(const struct mm_sim *sim, uint32_t pid,
                   uint64_t totalpages, int64_t *points)
{
    const struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    *points = mm__oom_badness(sim, task, totalpages ? totalpages
                                                    : global_totalpages(sim));
    return 0;
}

/**
 * mm_oom_score() - /proc/PID/oom_score
 * @sim: the simulator
 * @pid: tgid
 * @score: set to (1000 + badness * 1000 / totalpages) * 2 / 3, or 0 for a
 *         task that is never chosen (totalpages: RAM + swap, always)
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: fs/proc/base.c proc_oom_score().
 */
int mm_oom_score(const struct mm_sim *sim, uint32_t pid, uint64_t *score)
{
    int64_t badness;
    uint64_t total = global_totalpages(sim);
    int err = mm_oom_badness(sim, pid, total, &badness);
    if (err)
        return err;
    *score = 0;
    if (badness != INT64_MIN && total)
        *score = (uint64_t)((1000 + badness * 1000 / (int64_t)total) * 2 / 3);
    return 0;
}

/**
 * mm_task_oom_killed() - was @pid killed by the OOM killer?
 * @sim: the simulator
 * @pid: tgid
 *
 * Return: true for a killed task (until mm_exit() removes it).
 */
bool mm_task_oom_killed(const struct mm_sim *sim, uint32_t pid)
{
    const struct mm_task *task = mm__task_find(sim, pid);
    return task && task->oom_killed;
}

/**
 * mm_oom_panicked() - has the simulated kernel panicked (panic_on_oom, or
 * a global OOM with nothing to kill)? It then refuses further work.
 * @sim: the simulator
 *
 * Return: true after a panic.
 */
bool mm_oom_panicked(const struct mm_sim *sim)
{
    return sim->oom.panicked;
}
