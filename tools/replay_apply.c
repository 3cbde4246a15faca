/*
 * replay_apply.c - one trace event -> the model call the kernel made.
 *
 * Kernel-level requests are replayed with the result the real kernel
 * returned: the address it chose for an mmap or mremap, the break it set.
 * Requests the real kernel refused changed nothing and are not replayed.
 * When the simulated kernel refuses a request the real one granted
 * (ENOMEM), replay_verdict() records it, and the rule of docs/replay.md
 * applies: the process's fate becomes "failed allocation", and its later
 * events are still applied as recorded, so every other process keeps its
 * recorded demand (what the program would have done after the failure is
 * not knowable from the recording).
 */
#include <string.h>
#include <sys/resource.h>

#include "replay.h"

static bool is_special_name(const char *name)
{
    return name && name[0] == '[' && strcmp(name, "[heap]") != 0 &&
           strcmp(name, "[stack]") != 0 && strncmp(name, "[anon:", 6) != 0;
}

static int do_mmap(struct replay *rp, struct replay_col *c,
                   const struct tr_event *ev)
{
    const char *name = replay_string(rp, ev->str);
    struct mm_map_req req = {
        .addr = (uint64_t)ev->ret, .len = ev->a[1], .prot = (uint32_t)ev->a[2],
        .flags = (uint32_t)ev->a[3], .pgoff = ev->a[5] >> MM_PAGE_SHIFT,
        .dev = ev->dev, .ino = ev->ino, .path = ev->str,
    };
    if (ev->type == TR_EV_VMA) {
        req.addr = ev->a[0];
        req.len = ev->a[1] - ev->a[0];
        req.pgoff = ev->a[4] >> MM_PAGE_SHIFT;
        req.special = is_special_name(name);
        if (name && strcmp(name, "[stack]") == 0)
            req.flags |= MM_MAP_GROWSDOWN;
        return mm_vma_insert(c->sim, ev->pid, &req);
    }
    return mm_mmap(c->sim, ev->pid, &req);
}

static int do_brk(struct replay_col *c, const struct tr_event *ev,
                  uint64_t *length)
{
    uint64_t result = 0;
    struct replay_task *t = replay_task_get(c, ev->pid, false);
    if (ev->a[0] == 0 || (uint64_t)ev->ret != ev->a[0])
        return 0; /* a query, or the real kernel kept the old break */
    int rc = mm_brk(c->sim, ev->pid, ev->a[0], &result);
    if (!rc && result != ev->a[0])
        rc = MM_ENOMEM;
    *length = t && ev->a[0] > t->brk ? ev->a[0] - t->brk : 0;
    if (t && !rc)
        t->brk = ev->a[0];
    return rc;
}

static int do_mremap(struct replay_col *c, const struct tr_event *ev)
{
    struct mm_mremap_req req = {
        .old_addr = ev->a[0], .old_len = ev->a[1], .new_len = ev->a[2],
        .flags = (uint32_t)ev->a[3], .new_addr = (uint64_t)ev->ret,
    };
    return mm_mremap(c->sim, ev->pid, &req);
}

/* A fault timed before its process's last exec stop: the exec loads the
 * new image (stack, bss) before the stop is reported, so a fault inside a
 * mapping of the new image is the new image's; any other belongs to the
 * image the exec replaced, drained after the exec (docs/replay.md), and
 * only counts in the task's fault counters, which survive exec. */
static int do_stale_fault(struct replay_col *c, const struct tr_event *ev,
                          bool write)
{
    if (!mm_addr_mapped(c->sim, ev->pid, ev->a[0])) {
        c->rep.replay.faults_unplaced++;
        mm_fault_account(c->sim, ev->pid, false, 1);
        return 0;
    }
    int rc = mm_fault_recorded(c->sim, ev->pid, ev->a[0], write);
    if (rc == MM_EFAULT && write)
        rc = mm_fault_recorded(c->sim, ev->pid, ev->a[0], false);
    if (rc == MM_EFAULT || rc == MM_ESRCH || rc == MM_ENOTSUP) {
        c->rep.replay.faults_unplaced++;
        return 0;
    }
    return rc;
}

/* A fault outside every mapping of the model: held for the next exec
 * (replay_pending_faults()), or, when that cannot be, counted: the kernel
 * counted it, in a mapping the model does not have (the preload shim's
 * own memory is not in the trace). A fault the real kernel refused
 * (SIGSEGV) would be counted wrongly; recorded programs rarely take them. */
static void hold_unplaced(struct replay_col *c, struct replay_task *t,
                          const struct tr_event *ev, bool write)
{
    if (t && t->nr_pend < 8) {
        t->pend_write |= (uint8_t)((write ? 1u : 0u) << t->nr_pend);
        t->pend_addr[t->nr_pend++] = ev->a[0];
    } else {
        mm_fault_account(c->sim, ev->pid, false, 1);
    }
}

/* Unknown read/write bit (perf samples do not say): try a write, as most
 * first touches of writable memory are; a write the mapping does not allow
 * is retried as a read (docs/replay.md). With a warm page cache (replaying
 * on the recording machine) a file page is in the cache before its fault,
 * as it was there. */
static int do_fault(struct replay *rp, struct replay_col *c,
                    const struct tr_event *ev)
{
    struct replay_task *t = replay_task_get(c, ev->pid, false);
    bool known = ev->a[1] & TR_FAULT_KNOWN;
    c->rep.replay.faults++;
    bool write = known ? (ev->a[1] & TR_FAULT_WRITE) != 0 : true;
    if (rp->warm_cache && !rp->cache_recorded)
        mm_filemap_warm(c->sim, ev->pid, ev->a[0]);
    if (t && ev->t_ns < t->t_exec)
        return do_stale_fault(c, ev, write);
    replay_commit_before(c, ev->pid);
    int rc = mm_fault_recorded(c->sim, ev->pid, ev->a[0], write);
    if (rc == MM_EFAULT && !known)
        rc = mm_fault_recorded(c->sim, ev->pid, ev->a[0], false);
    replay_commit_request(c, ev, rc);
    if (rc == MM_EFAULT || rc == MM_ESRCH || rc == MM_ENOTSUP) {
        c->rep.replay.faults_unplaced++;
        if (rc == MM_EFAULT)
            hold_unplaced(c, t, ev, write);
        return 0;
    }
    return rc;
}

/* At the end of an exec's mappings (@exec): the held faults that fit the
 * new image were its loading (replayed there, no longer unplaced); the
 * others, and all of them at the process's exit, are counted only
 * (hold_unplaced()). */
static void replay_pending_faults(struct replay_col *c, uint32_t pid,
                                  bool exec)
{
    struct replay_task *t = replay_task_get(c, pid, false);
    for (uint8_t i = 0; t && i < t->nr_pend; i++) {
        struct tr_event ev = {.pid = pid, .a = {t->pend_addr[i]}};
        if (!exec || !mm_addr_mapped(c->sim, pid, ev.a[0])) {
            mm_fault_account(c->sim, pid, false, 1);
            continue;
        }
        c->rep.replay.faults_unplaced--;
        do_stale_fault(c, &ev, (t->pend_write >> i) & 1);
    }
    if (t)
        t->nr_pend = t->pend_write = 0;
}

/* The real kernel's figures at the exit stop: the model's are taken now,
 * and the address space goes now, as it does on the machine when the
 * recorder lets the process go on from that stop (its exit event comes
 * only when it is reaped: other exits read meanwhile no longer share its
 * pages). `mmsim proc --at PID:exit` stops here, the address space still
 * there: the process's last state, the one these figures are taken of. */
static int do_host_stat(struct replay *rp, struct replay_col *c,
                        const struct tr_event *ev)
{
    replay_pending_faults(c, ev->pid, false);
    int rc = replay_proc_host(c, ev);
    struct replay_task *t = replay_task_get(c, ev->pid, false);
    if (rc || !t || t->mm_gone)
        return rc;
    if (ev->pid == rp->stop_exit_pid) {
        rp->stopped = true; /* every column gets this event, then none */
        return 0;
    }
    replay_commit_exit(c, ev->pid);
    t->mm_gone = mm_exit(c->sim, ev->pid) == 0;
    return 0;
}

/* A PAGEMAP_SCAN range of the recording machine: applied when replaying
 * on that machine (rp->reconcile), otherwise only counted. */
static void do_resident(struct replay *rp, struct replay_col *c,
                        const struct tr_event *ev)
{
    static const struct {
        uint32_t tr;
        unsigned mm;
    } map[] = {
        {TR_RES_PRESENT, MM_RES_PRESENT}, {TR_RES_ZERO_PAGE, MM_RES_ZERO},
        {TR_RES_FILE, MM_RES_FILE}, {TR_RES_EXCLUSIVE, MM_RES_EXCLUSIVE},
    };
    unsigned flags = 0;
    c->rep.replay.resident_ranges++;
    if (!rp->reconcile)
        return;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (ev->a[2] & map[i].tr)
            flags |= map[i].mm;
    mm_resident_set(c->sim, ev->pid, ev->a[0], ev->a[1], flags);
}

/* What the recording machine's page cache held of a file as it was mapped
 * (the recorder's cachestat): the model's cache starts so when replaying on
 * that machine. A file the recorder could not ask is taken as cached. */
static int do_cached(struct replay *rp, struct replay_col *c,
                     const struct tr_event *ev)
{
    rp->cache_recorded = true;
    if (!rp->warm_cache)
        return 0;
    int rc = mm_filemap_cached(c->sim, ev->pid, ev->a[0], ev->a[1]);
    return rc == MM_ESRCH ? 0 : rc;
}

/* set_mempolicy / mbind with the node masks the recorder read
 * (tools/sup_sys.c); a thread's call sets its whole process's policy. */
static int do_mempolicy(struct replay_col *c, const struct tr_event *ev)
{
    if (ev->type == TR_EV_SET_MEMPOLICY)
        return mm_set_mempolicy(c->sim, ev->pid, (int)ev->a[0], ev->a[1],
                                ev->a[2]);
    struct mm_mbind_req req = {
        .start = ev->a[0], .len = ev->a[1], .mode = (int)ev->a[2],
        .nodemask = ev->a[3], .maxnode = ev->a[4], .flags = (unsigned)ev->a[5],
    };
    return mm_mbind(c->sim, ev->pid, &req);
}

/* --numa-policy: each program starts with it, as under numactl. */
static int impose_numa_policy(struct replay *rp, struct replay_col *c,
                              uint32_t pid)
{
    const struct cli_config *cfg = rp->cfg;
    if (!cfg || !cfg->numa_policy)
        return 0;
    return mm_set_mempolicy(c->sim, pid, cfg->numa_mode, cfg->numa_nodes, 65);
}

/* The exit event (at the reap): figures and fate; the address space goes
 * unless it went when the real figures were read (do_host_stat()). */
static int do_exit(struct replay *rp, struct replay_col *c,
                   const struct tr_event *ev)
{
    struct replay_task *t = replay_task_get(c, ev->pid, false);
    bool gone = t && t->mm_gone;
    replay_pending_faults(c, ev->pid, false);
    replay_proc_exit(rp, c, ev->pid, ev);
    if (gone)
        return 0;
    replay_commit_exit(c, ev->pid);
    return mm_exit(c->sim, ev->pid);
}

static int do_process(struct replay *rp, struct replay_col *c,
                      const struct tr_event *ev)
{
    uint32_t child = (uint32_t)ev->a[0];
    int rc = 0;
    switch (ev->type) {
    case TR_EV_FORK:
        rc = mm_fork(c->sim, ev->pid, child);
        if (rc == MM_ENOMEM) /* the real child exists: give it a place */
            mm_task_new(c->sim, child);
        else if (!rc)
            replay_commit_fork(c, ev->pid, child);
        replay_proc_start(rp, c, child, ev->pid, ev->t_ns);
        replay_oom_override(rp, c, child);
        break;
    case TR_EV_VFORK:
        rc = mm_vfork(c->sim, ev->pid, child);
        replay_proc_start(rp, c, child, ev->pid, ev->t_ns);
        replay_oom_override(rp, c, child);
        break;
    case TR_EV_EXEC: {
        struct mm_exec_req req = {.start_brk = ev->a[0],
                                  .start_stack = ev->a[1], .path = ev->str};
        replay_proc_start(rp, c, ev->pid, 0, ev->t_ns);
        replay_commit_exit(c, ev->pid);
        rc = mm_exec(c->sim, ev->pid, &req);
        if (!rc)
            rc = impose_numa_policy(rp, c, ev->pid);
        replay_proc_comm(rp, c, ev->pid, ev->str);
        replay_oom_override(rp, c, ev->pid);
        struct replay_task *t = replay_task_get(c, ev->pid, false);
        if (t) {
            t->brk = ev->a[0];
            t->t_exec = ev->t_ns;
            t->gap = false;
        }
        break;
    }
    case TR_EV_MAPS_END:
        replay_pending_faults(c, ev->pid, true);
        break;
    case TR_EV_EXIT:
        rc = do_exit(rp, c, ev);
        break;
    case TR_EV_CRED:
        rc = mm_set_cap_sys_admin(c->sim, ev->pid,
                                  ev->a[1] & TR_CRED_CAP_SYS_ADMIN);
        break;
    case TR_EV_RLIMIT: /* resource soft hard: the stack's limits its growth */
        if (ev->a[0] == RLIMIT_STACK)
            rc = mm_set_rlimit_stack(c->sim, ev->pid, ev->a[1]);
        break;
    }
    return rc;
}

/* A kernel-level request the real kernel granted: replay it; 0 or the
 * model's answer; *length is the size asked for. */
static int do_request(struct replay *rp, struct replay_col *c,
                      const struct tr_event *ev, uint64_t *length)
{
    *length = ev->a[1];
    if (ev->ret < 0)
        return 0;
    switch (ev->type) {
    case TR_EV_VMA:
        *length = ev->a[1] - ev->a[0]; /* start end */
        return do_mmap(rp, c, ev);
    case TR_EV_MMAP:
        return do_mmap(rp, c, ev);
    case TR_EV_MUNMAP:
        return mm_munmap(c->sim, ev->pid, ev->a[0], ev->a[1]);
    case TR_EV_MREMAP:
        *length = ev->a[2];
        return do_mremap(c, ev);
    case TR_EV_BRK:
        return do_brk(c, ev, length);
    case TR_EV_MPROTECT:
    case TR_EV_PKEY_MPROTECT:
        return mm_mprotect(c->sim, ev->pid, ev->a[0], ev->a[1],
                           (uint32_t)ev->a[2]);
    case TR_EV_MADVISE:
        return mm_madvise(c->sim, ev->pid, ev->a[0], ev->a[1], (int)ev->a[2]);
    case TR_EV_SET_MEMPOLICY:
    case TR_EV_MBIND:
        return do_mempolicy(c, ev);
    }
    c->rep.replay.unsupported++;
    return 0;
}

/* Since a TR_EV_INCOMPLETE of the process (note_incomplete()), the model's
 * view of it may lack what the real kernel had. */
static bool has_gap(struct replay_col *c, uint32_t pid)
{
    struct replay_task *t = replay_task_get(c, pid, false);
    return t && t->gap;
}

static bool is_request(uint32_t type)
{
    return (type >= TR_EV_MMAP && type <= TR_EV_MIGRATE_PAGES) ||
           type == TR_EV_VMA;
}

/* The recorder says its capture is incomplete (no ptrace, a lost result,
 * an address space it could not read): every report made from the trace
 * says so, with the first reason, and the process has a gap (has_gap()). */
static void note_incomplete(struct replay *rp, struct replay_col *c,
                            const struct tr_event *ev)
{
    const char *why = replay_string(rp, ev->str);
    struct report_replay *p = &c->rep.replay;
    struct replay_task *t = replay_task_get(c, ev->pid, false);
    if (t)
        t->gap = true;
    if (!p->incomplete++)
        snprintf(p->incomplete_capture, sizeof(p->incomplete_capture), "%s",
                 why ? why : "reason not recorded");
}

/**
 * replay_apply() - apply one event to one column's simulator
 * @rp: the replay (tables)
 * @c: the column
 * @ev: the event
 *
 * Refusals become verdicts; other model errors are counted (the model
 * lacks something the real kernel did) and the replay goes on.
 * Return: 0 (errors of the model are outcomes, not failures of the replay).
 */
int replay_apply(struct replay *rp, struct replay_col *c,
                 const struct tr_event *ev)
{
    uint64_t length = 0;
    int rc = 0;
    c->rep.replay.events++;
    mm_sim_set_time(c->sim, ev->t_ns); /* kswapd works on the trace clock */
    if (replay_oom_skip(c, ev))
        return 0; /* an OOM-killed process, or after a panic */
    if (ev->type == TR_EV_FAULT)
        rc = do_fault(rp, c, ev);
    else if (ev->type == TR_EV_RESIDENT)
        do_resident(rp, c, ev);
    else if (ev->type == TR_EV_CACHED)
        rc = do_cached(rp, c, ev);
    else if (ev->type == TR_EV_HOST_STAT)
        rc = do_host_stat(rp, c, ev);
    else if (ev->type == TR_EV_LOST && ev->a[1] == 1 &&
             (ev->flags & TR_F_TRACED)) /* not the shim's ring losses */
        mm_fault_account(c->sim, ev->pid, false, ev->a[0]); /* unsampled */
    else if (is_request(ev->type)) {
        /* a refusal leaves the model as it was: the verdict reads
         * Committed_AS and CommitLimit of that moment */
        replay_commit_before(c, ev->pid);
        rc = do_request(rp, c, ev, &length);
        /* refused on a view lacking what the kernel had: the model's
         * error, not a verdict */
        if (rc == MM_ENOMEM && has_gap(c, ev->pid))
            rc = MM_EFAULT;
        replay_commit_request(c, ev, rc);
        if (rc == MM_ENOMEM)
            replay_verdict(rp, c, ev, rc, length);
    } else if (ev->type >= TR_EV_FORK && ev->type <= TR_EV_MAPS_END) {
        rc = do_process(rp, c, ev);
        if (rc == MM_ENOMEM && ev->type == TR_EV_FORK)
            replay_verdict(rp, c, ev, rc, 0);
    } else if (ev->type == TR_EV_CRED || ev->type == TR_EV_RLIMIT) {
        rc = do_process(rp, c, ev);
    } else if (ev->type == TR_EV_OOM_SCORE_ADJ) {
        rc = replay_oom_adj_event(rp, c, ev);
    } else if (ev->type >= TR_EV_MALLOC && ev->type <= TR_EV_USABLE_SIZE) {
        replay_commit_alloc(c, ev);
    } else if (ev->type == TR_EV_INCOMPLETE) {
        note_incomplete(rp, c, ev);
    }
    if (rc && rc != MM_ENOMEM)
        c->rep.replay.model_errors++;
    else
        c->rep.replay.applied++;
    replay_oom_check(rp, c, ev);
    replay_sample(rp, c, ev->t_ns, false);
    return 0;
}
