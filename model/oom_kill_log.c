/*
 * oom_kill_log.c - what the OOM killer logs: the bounded record of OOM
 * events, its text in the emulated kernel's words, and the
 * /proc/PID/oom_score and oom_score_adj views.
 *
 * One event is what dump_header() and __oom_kill_process() print: the
 * "invoked oom-killer" line, the task table (6.1: pid, uid, tgid,
 * total_vm, rss, pgtables_bytes, swapents, oom_score_adj, name; from 6.11
 * also rss_anon, rss_file, rss_shmem), the oom-kill summary line and the
 * "Killed process" line, or the panic. The first MM_OOM_LOG_MAX events are
 * kept in full, later ones only counted (the kernel rate-limits the header,
 * never the kill line: every kill is in the oom_kill counter).
 *
 * Callers: model/oom_kill.c records; the tools render (report, run).
 *
 * Kernel: mm/oom_kill.c dump_header(), dump_task(), dump_tasks(),
 * dump_oom_summary(), __oom_kill_process(), check_panic_on_oom(),
 * out_of_memory(); lib/vsprintf.c format_flags() (%pGg) with
 * include/trace/events/mmflags.h __def_gfpflag_names; fs/proc/base.c
 * proc_oom_score(), oom_score_adj_read().
 *
 * Simplified: no call trace, no Mem-Info block (its counters are in the
 * /proc views), uid 0; the memory cgroup is named "/mmsim"; the 6.11
 * switch of the task table columns is taken from the reference (6.1 and
 * 6.12 sources checked, the release in between UNVERIFIED).
 */
#include "internal.h"

#define K(pages) ((unsigned long long)(pages) << (MM_PAGE_SHIFT - 10))
#define MEMCG_NAME "/mmsim"

/**
 * mm__oom_fill_task() - a task table row of @task (it must have an mm)
 * @task: the task
 * @row: filled in
 *
 * Kernel: mm/oom_kill.c dump_task().
 */
void mm__oom_fill_task(const struct mm_task *task, struct mm_oom_task *row)
{
    const struct mm_mm *mm = task->mm;
    *row = (struct mm_oom_task){
        .pid = (uint32_t)task->node.key,
        .tgid = (uint32_t)task->node.key,
        .comm = task->comm,
        .oom_score_adj = task->oom_score_adj,
    };
    if (!mm)
        return;
    row->total_vm = mm->total_vm;
    row->rss_anon = mm->rss_anon;
    row->rss_file = mm->rss_file;
    row->rss_shmem = mm->rss_shmem;
    row->rss = mm->rss_anon + mm->rss_file + mm->rss_shmem;
    row->pgtables_bytes = mm->pgtables.count << MM_PAGE_SHIFT;
    row->swapents = mm->swapents;
}

/**
 * mm__oom_log_add() - keep one OOM event (the first MM_OOM_LOG_MAX)
 * @sim: the simulator
 * @r: the event
 */
void mm__oom_log_add(struct mm_sim *sim, const struct mm_oom_report *r)
{
    sim->oom.events++;
    if (sim->oom.nr_log < MM_OOM_LOG_MAX)
        sim->oom.log[sim->oom.nr_log++] = *r;
    else
        sim->oom.events_dropped++;
}

/**
 * mm_oom_kills() - the oom_kill counter of /proc/vmstat
 * @sim: the simulator
 *
 * Return: processes killed so far.
 */
uint64_t mm_oom_kills(const struct mm_sim *sim)
{
    return sim->vm_events[MM_OOM_KILL];
}

/**
 * mm_oom_log_count() - OOM events kept in the log
 * @sim: the simulator
 *
 * Return: at most MM_OOM_LOG_MAX.
 */
size_t mm_oom_log_count(const struct mm_sim *sim)
{
    return sim->oom.nr_log;
}

/**
 * mm_oom_log_at() - the @i-th OOM event, oldest first
 * @sim: the simulator
 * @i: index below mm_oom_log_count()
 *
 * Return: the event or NULL.
 */
const struct mm_oom_report *mm_oom_log_at(const struct mm_sim *sim, size_t i)
{
    return i < sim->oom.nr_log ? &sim->oom.log[i] : NULL;
}

static const struct {
    uint32_t mask;
    const char *name;
} gfp_names[] = {
    /* composites first, then single flags, in __def_gfpflag_names order */
    {MM_GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
    {MM_GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
    {MM_GFP_KERNEL | MM_GFP_HARDWALL | MM_GFP_HIGHMEM, "GFP_HIGHUSER"},
    {MM_GFP_KERNEL | MM_GFP_HARDWALL, "GFP_USER"},
    {MM_GFP_KERNEL, "GFP_KERNEL"},
    {MM_GFP_HIGHMEM, "__GFP_HIGHMEM"},
    {MM_GFP_IO, "__GFP_IO"},
    {MM_GFP_FS, "__GFP_FS"},
    {MM_GFP_NOWARN, "__GFP_NOWARN"},
    {MM_GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
    {MM_GFP_NOFAIL, "__GFP_NOFAIL"},
    {MM_GFP_NORETRY, "__GFP_NORETRY"},
    {MM_GFP_COMP, "__GFP_COMP"},
    {MM_GFP_ZERO, "__GFP_ZERO"},
    {MM_GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"},
    {MM_GFP_HARDWALL, "__GFP_HARDWALL"},
    {MM_GFP_THISNODE, "__GFP_THISNODE"},
    {MM_GFP_MOVABLE, "__GFP_MOVABLE"},
    {MM_GFP_DIRECT_RECLAIM | MM_GFP_KSWAPD_RECLAIM, "__GFP_RECLAIM"},
    {MM_GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
    {MM_GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
};

/* "%#x(%pGg)": the mask, then its flag names as format_flags() joins them. */
static void print_gfp(struct mm_buf *buf, uint32_t gfp)
{
    uint32_t left = gfp;
    bool first = true;
    mm_buf_printf(buf, "%#x(", gfp);
    for (size_t i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]) && left;
         i++) {
        if ((left & gfp_names[i].mask) != gfp_names[i].mask)
            continue;
        mm_buf_printf(buf, "%s%s", first ? "" : "|", gfp_names[i].name);
        left &= ~gfp_names[i].mask;
        first = false;
    }
    if (left)
        mm_buf_printf(buf, "%s%#x", first ? "" : "|", left);
    mm_buf_printf(buf, ")");
}

static void comm_of(mm_name_fn name, void *ctx, uint32_t id, char comm[16])
{
    mm_comm_from_path(name && id ? name(ctx, id) : NULL, comm);
}

static void print_task(struct mm_buf *buf, const struct mm_oom_task *t,
                       bool split, const char *comm)
{
    mm_buf_printf(buf, "[%7u] %5u %5u %8llu %8llu ", t->pid, t->uid, t->tgid,
                  (unsigned long long)t->total_vm, (unsigned long long)t->rss);
    if (split)
        mm_buf_printf(buf, "%8llu %8llu %9llu ",
                      (unsigned long long)t->rss_anon,
                      (unsigned long long)t->rss_file,
                      (unsigned long long)t->rss_shmem);
    mm_buf_printf(buf, "%8llu %8llu         %5d %s\n",
                  (unsigned long long)t->pgtables_bytes,
                  (unsigned long long)t->swapents, t->oom_score_adj, comm);
}

/* dump_tasks() */
static void print_tasks(struct mm_buf *buf, const struct mm_oom_report *r,
                        bool split, mm_name_fn name, void *ctx)
{
    mm_buf_printf(buf, "Tasks state (memory values in pages):\n");
    mm_buf_printf(buf, "[  pid  ]   uid  tgid total_vm      rss %s"
                  "pgtables_bytes swapents oom_score_adj name\n",
                  split ? "rss_anon rss_file rss_shmem " : "");
    for (unsigned i = 0; i < r->nr_tasks; i++) {
        char comm[16];
        comm_of(name, ctx, r->tasks[i].comm, comm);
        print_task(buf, &r->tasks[i], split, comm);
    }
    if (r->tasks_omitted)
        mm_buf_printf(buf, "(mmsim: %u more tasks not kept)\n", r->tasks_omitted);
}

/* dump_oom_summary() */
static void print_summary(const struct mm_sim *sim, struct mm_buf *buf,
                          const struct mm_oom_report *r, const char *comm)
{
    static const char *const constraint[] = {
        "CONSTRAINT_NONE", "CONSTRAINT_CPUSET", "CONSTRAINT_MEMORY_POLICY",
        "CONSTRAINT_MEMCG"};
    mm_buf_printf(buf, "oom-kill:constraint=%s,nodemask=",
                  constraint[r->constraint]);
    if (r->nodemask)
        mm__buf_nodelist(buf, r->nodemask);
    else
        mm_buf_printf(buf, "(null)");
    mm_buf_printf(buf, ",cpuset=/,mems_allowed=");
    mm__buf_nodelist(buf, sim->node_mask);
    if (r->memcg)
        mm_buf_printf(buf, ",oom_memcg=" MEMCG_NAME ",task_memcg=" MEMCG_NAME);
    else
        mm_buf_printf(buf, ",global_oom,task_memcg=%s",
                      sim->machine.memcg_max_pages ? MEMCG_NAME : "/");
    mm_buf_printf(buf, ",task=%s,pid=%u,uid=%u\n", comm, r->victim.pid,
                  r->victim.uid);
}

/* The "Killed process" line of __oom_kill_process(). */
static void print_kill(struct mm_buf *buf, const struct mm_oom_report *r,
                       const char *comm)
{
    const char *msg = r->outcome == MM_OOM_KILLED_ALLOCATING
                          ? "Out of memory (oom_kill_allocating_task)"
                      : r->memcg ? "Memory cgroup out of memory"
                                 : "Out of memory";
    const struct mm_oom_task *v = &r->victim;
    mm_buf_printf(buf, "%s: Killed process %u (%s) total-vm:%llukB, "
                  "anon-rss:%llukB, file-rss:%llukB, shmem-rss:%llukB, "
                  "UID:%u pgtables:%llukB oom_score_adj:%d\n",
                  msg, v->pid, comm, K(v->total_vm), K(v->rss_anon),
                  K(v->rss_file), K(v->rss_shmem), v->uid,
                  (unsigned long long)(v->pgtables_bytes >> 10),
                  v->oom_score_adj);
}

/* The panic that ends the event, if any. */
static void print_end(const struct mm_sim *sim, struct mm_buf *buf,
                      const struct mm_oom_report *r)
{
    if (r->outcome == MM_OOM_PANIC) {
        mm_buf_printf(buf, "Kernel panic - not syncing: Out of memory: %s "
                      "panic_on_oom is enabled\n",
                      sim->vm.panic_on_oom == 2 ? "compulsory" : "system-wide");
        return;
    }
    mm_buf_printf(buf, "Out of memory and no killable processes...\n");
    if (!r->memcg)
        mm_buf_printf(buf, "Kernel panic - not syncing: System is deadlocked "
                      "on memory\n");
}

/**
 * mm_oom_report_render() - one OOM event as the emulated kernel logs it
 * @sim: the simulator (kernel version, knobs, nodes)
 * @r: the event (from mm_oom_log_at())
 * @buf: output
 * @name: turns an interned exec path id into text (may be NULL)
 * @ctx: passed to @name
 *
 * Return: 0 or MM_ENOMEM.
 * Kernel: mm/oom_kill.c dump_header(), __oom_kill_process().
 */
int mm_oom_report_render(const struct mm_sim *sim,
                         const struct mm_oom_report *r, struct mm_buf *buf,
                         mm_name_fn name, void *ctx)
{
    char comm[16];
    comm_of(name, ctx, r->comm, comm);
    mm_buf_printf(buf, "%s invoked oom-killer: gfp_mask=", comm);
    print_gfp(buf, r->gfp_mask);
    mm_buf_printf(buf, ", order=%u, oom_score_adj=%d\n", r->order,
                  r->oom_score_adj);
    if (sim->vm.oom_dump_tasks)
        print_tasks(buf, r, sim->machine.kernel >= MM_KERNEL(6, 11), name, ctx);
    if (r->outcome == MM_OOM_KILLED || r->outcome == MM_OOM_KILLED_ALLOCATING) {
        comm_of(name, ctx, r->victim.comm, comm);
        print_summary(sim, buf, r, comm);
        print_kill(buf, r, comm);
    } else {
        print_end(sim, buf, r);
    }
    return buf->err;
}

/**
 * mm_oom_log_render() - every kept OOM event, oldest first
 * @sim: the simulator
 * @buf: output
 * @name: as for mm_oom_report_render()
 * @ctx: passed to @name
 *
 * Return: 0 or MM_ENOMEM.
 */
int mm_oom_log_render(const struct mm_sim *sim, struct mm_buf *buf,
                      mm_name_fn name, void *ctx)
{
    for (unsigned i = 0; i < sim->oom.nr_log; i++)
        mm_oom_report_render(sim, &sim->oom.log[i], buf, name, ctx);
    if (sim->oom.events_dropped)
        mm_buf_printf(buf, "(mmsim: %llu more OOM events not kept)\n",
                      (unsigned long long)sim->oom.events_dropped);
    return buf->err;
}

/**
 * mm_render_pid_oom_score() - /proc/PID/oom_score
 * @sim: the simulator
 * @pid: tgid
 * @buf: output
 *
 * Return: 0, MM_ESRCH, MM_ENOMEM.
 * Kernel: fs/proc/base.c proc_oom_score().
 */
int mm_render_pid_oom_score(const struct mm_sim *sim, uint32_t pid,
                            struct mm_buf *buf)
{
    uint64_t score;
    int err = mm_oom_score(sim, pid, &score);
    if (err)
        return err;
    return mm_buf_printf(buf, "%llu\n", (unsigned long long)score);
}

/**
 * mm_render_pid_oom_score_adj() - /proc/PID/oom_score_adj
 * @sim: the simulator
 * @pid: tgid
 * @buf: output
 *
 * Return: 0, MM_ESRCH, MM_ENOMEM.
 * Kernel: fs/proc/base.c oom_score_adj_read().
 */
int mm_render_pid_oom_score_adj(const struct mm_sim *sim, uint32_t pid,
                                struct mm_buf *buf)
{
    int adj;
    int err = mm_oom_score_adj(sim, pid, &adj);
    if (err)
        return err;
    return mm_buf_printf(buf, "%d\n", adj);
}
