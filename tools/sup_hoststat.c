/*
 * sup_hoststat.c - what the real kernel says about a process at its exit,
 * for the fidelity check (the replay compares the model's figures with it).
 *
 * Called at the PTRACE_EVENT_EXIT stop of the last task of an address
 * space, while the address space is still there (sup_loop.c). Reads
 *   /proc/TID/status        VmRSS, RssAnon (kB; exact sums on 6.16+)
 *   /proc/TID/smaps_rollup  Pss_Anon, Private_Clean + Private_Dirty (USS)
 *   /proc/TGID/stat         minflt, majflt of the whole thread group
 *   /proc/TID/smaps         the shim's own mappings, named [anon:mmsim],
 *                           whose Rss, Anonymous, Pss_Anon and Private_*
 *                           are subtracted: they are the recorder's memory,
 *                           not the program's
 * and emits TR_EV_HOST_STAT (include/mmsim/event.h). Memory figures go
 * through TID (the thread at its exit stop: a thread group whose leader
 * exited first has no memory under the leader's id); fault counts through
 * TGID, whose stat sums every thread of the group, gone ones included.
 * A process whose files cannot be read gets no event.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sup.h"

/* kB figures of one /proc file or one set of mappings. */
struct sup_hs_mem {
    uint64_t rss, anon, pss_anon, uss;
};

/* Value of "Key:   N kB" if @line starts with @key, else -1. */
static int sup_hs_field(const char *line, const char *key, uint64_t *out)
{
    size_t n = strlen(key);
    unsigned long long v;
    if (strncmp(line, key, n) != 0 || line[n] != ':' ||
        sscanf(line + n + 1, "%llu", &v) != 1)
        return -1;
    *out = v;
    return 0;
}

/* Add the kB figures of an smaps-format @line to @m. */
static void sup_hs_smaps_line(const char *line, struct sup_hs_mem *m)
{
    uint64_t v;
    if (sup_hs_field(line, "Rss", &v) == 0)
        m->rss += v;
    else if (sup_hs_field(line, "Anonymous", &v) == 0)
        m->anon += v;
    else if (sup_hs_field(line, "Pss_Anon", &v) == 0)
        m->pss_anon += v;
    else if (sup_hs_field(line, "Private_Clean", &v) == 0 ||
             sup_hs_field(line, "Private_Dirty", &v) == 0)
        m->uss += v;
}

/* A mapping header of /proc/PID/smaps: "start-end perms off dev ino [name]". */
static int sup_hs_is_header(const char *line, int *is_shim)
{
    unsigned long long a, b;
    char perms[8];
    if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) != 3)
        return 0;
    *is_shim = strstr(line, "[anon:mmsim]") != NULL;
    return 1;
}

/* The shim's memory: the fields of every [anon:mmsim] mapping in smaps. */
static int sup_hs_shim(pid_t tid, struct sup_hs_mem *m)
{
    char path[64], line[4352];
    int in_shim = 0, hdr = 0;
    snprintf(path, sizeof(path), "/proc/%d/smaps", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (sup_hs_is_header(line, &hdr))
            in_shim = hdr;
        else if (in_shim)
            sup_hs_smaps_line(line, m);
    }
    fclose(f);
    return 0;
}

/* VmRSS and RssAnon of /proc/TID/status; Pss_Anon and USS of smaps_rollup. */
static int sup_hs_whole(pid_t tid, struct sup_hs_mem *m)
{
    char path[64], line[512];
    struct sup_hs_mem roll = {0};
    int got = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        got += sup_hs_field(line, "VmRSS", &m->rss) == 0 ||
               sup_hs_field(line, "RssAnon", &m->anon) == 0;
    fclose(f);
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)tid);
    if (got != 2 || !(f = fopen(path, "re")))
        return -1;
    while (fgets(line, sizeof(line), f))
        sup_hs_smaps_line(line, &roll);
    fclose(f);
    m->pss_anon = roll.pss_anon;
    m->uss = roll.uss;
    return 0;
}

/* minflt and majflt (fields 10 and 12) of /proc/TGID/stat. */
static int sup_hs_faults(pid_t tgid, uint64_t *minflt, uint64_t *majflt)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)tgid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* comm may hold spaces */
    unsigned long long mn, mj;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %llu %*u %llu",
                     &mn, &mj) != 2)
        return -1;
    *minflt = mn;
    *majflt = mj;
    return 0;
}

static uint64_t sup_hs_sub(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* Every fault sample and fast-path event of the other processes, emitted
 * now; returns how many events the recording has emitted in all. */
static uint64_t sup_hs_drain_others(struct sup_run *r)
{
    sup_perf_drain_all(r);
    sup_fast_drain(r);
    return r->nr_events;
}

/* @t's figures, read between two drains that find nothing new: the other
 * processes changed nothing that is not in the trace before this event
 * (a parent breaking COW with this one, a sibling unmapping). Read again,
 * four times at most, while they keep changing. The last read is followed
 * only by the faults sampled before it started: they are in its figures
 * (a busy sibling faulting pages of a library both map makes them shared),
 * and what comes later comes after it in the trace. */
static int sup_hs_read(struct sup_run *r, struct sup_task *t,
                       struct sup_hs_mem *all, struct sup_hs_mem *shim,
                       uint64_t *minflt, uint64_t *majflt)
{
    uint64_t before = sup_hs_drain_others(r);
    for (int tries = 0;; tries++) {
        uint64_t start = sup_now_ns();
        *all = (struct sup_hs_mem){0};
        *shim = (struct sup_hs_mem){0};
        if (sup_hs_whole(t->tid, all) < 0 || sup_hs_shim(t->tid, shim) < 0 ||
            sup_hs_faults(t->tgid, minflt, majflt) < 0)
            return -1;
        if (tries == 3) { /* kept: what comes from now on is after it */
            sup_perf_drain_all_until(r, start);
            return 0;
        }
        uint64_t after = sup_hs_drain_others(r);
        if (after == before)
            return 0;
        before = after;
    }
}

/**
 * sup_host_stat() - record the real kernel's figures of @t's process at
 * its exit, the shim's own memory subtracted (TR_EV_HOST_STAT).
 * @r: the recording.
 * @t: the last task of the address space, stopped at PTRACE_EVENT_EXIT.
 */
void sup_host_stat(struct sup_run *r, struct sup_task *t)
{
    struct sup_hs_mem all, shim;
    uint64_t minflt, majflt;
    if (sup_hs_read(r, t, &all, &shim, &minflt, &majflt) < 0)
        return;
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_HOST_STAT, t);
    ev.a[0] = sup_hs_sub(all.rss, shim.rss);
    ev.a[1] = sup_hs_sub(all.anon, shim.anon);
    ev.a[2] = minflt;
    ev.a[3] = majflt;
    ev.a[4] = sup_hs_sub(all.pss_anon, shim.pss_anon);
    ev.a[5] = sup_hs_sub(all.uss, shim.uss);
    sup_emit(r, &ev, NULL);
}

/* Whether @t is inside a fork that copies its address space: resumed from
 * the seccomp stop, the fork stop not seen yet (the copy may exist). */
static int sup_hs_in_fork(const struct sup_task *t)
{
    return t->in_syscall && t->mm && t->mm->owner == t &&
           (t->nr == SYS_fork || t->nr == SYS_clone || t->nr == SYS_clone3);
}

/**
 * sup_host_change_under_way() - whether a traced process is inside an exec
 * or a copying fork the supervisor let run and has not seen the end of: the
 * exec may have dropped an address space, the fork made a copy, and either
 * changes what other processes share. An exit's figures read meanwhile
 * would not match the order of the trace's events.
 * @r: the recording.
 *
 * Return: 1 if one is under way, else 0.
 */
int sup_host_change_under_way(struct sup_run *r)
{
    for (size_t b = 0; b < 1024; b++)
        for (struct sup_task *t = r->tasks.bucket[b]; t; t = t->hnext)
            if (t->in_exec || sup_hs_in_fork(t))
                return 1;
    return 0;
}

/**
 * sup_host_exec_faults() - at an exec stop, record the faults the process
 * took that no sample shows, as TR_EV_LOST (a[0] count, a[1] 1 = fault
 * samples): the kernel's get_user_pages() faults copying the arguments
 * into the new stack (counted in minflt, never sampled), and for the
 * traced program itself everything before its first exec stop, when its
 * sampling starts (the recorder's spawn code and the exec); and what is
 * resident in the new image (TR_EV_RESIDENT), as those faults left pages
 * no sample points to (the arguments, the auxiliary vector).
 * @r: the recording.
 * @t: the task, stopped at PTRACE_EVENT_EXEC (it is its process's only
 *     thread now; samples of threads gone before are counted apart and may
 *     make the figure too high for a threaded process that execs).
 */
void sup_host_exec_faults(struct sup_run *r, struct sup_task *t)
{
    uint64_t minflt, majflt;
    sup_perf_drain(r, t);
    sup_perf_reconcile(r, t, 0, UINT64_MAX); /* the pages those made */
    if (!r->perf || sup_hs_faults(t->tgid, &minflt, &majflt) < 0 ||
        minflt + majflt <= t->perf_seen + t->flt_unsampled)
        return;
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_LOST, t);
    ev.a[0] = minflt + majflt - t->perf_seen - t->flt_unsampled;
    ev.a[1] = 1;
    t->flt_unsampled += ev.a[0];
    sup_emit(r, &ev, NULL);
}

#define SUP_PM_EXCLUSIVE (1ull << 56) /* pagemap: mapped by one process */
#define SUP_PM_PRESENT (1ull << 63)

static void sup_hs_resident_run(struct sup_run *r, struct sup_task *t,
                                uint64_t start, uint64_t npages,
                                uint32_t flags)
{
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_RESIDENT, t);
    ev.a[0] = start;
    ev.a[1] = npages;
    ev.a[2] = flags;
    sup_emit(r, &ev, NULL);
}

/**
 * sup_host_resident() - record one PAGEMAP_SCAN region as TR_EV_RESIDENT,
 * split into runs by pagemap's exclusive bit (bit 56: the page is mapped by
 * this process only) when it is present, so the replay can tell pages this
 * process alone maps from pages other processes of the machine map too
 * (shared libraries: what USS leaves out).
 * @r: the recording.
 * @t: the task, stopped.
 * @fd: its /proc/PID/pagemap.
 * @start: the region's first address.
 * @npages: its length in pages.
 * @flags: its TR_RES_* categories.
 */
void sup_host_resident(struct sup_run *r, struct sup_task *t, int fd,
                       uint64_t start, uint64_t npages, uint32_t flags)
{
    uint64_t pm[512], run = 0;
    uint32_t run_flags = 0;
    if (!(flags & TR_RES_PRESENT)) {
        sup_hs_resident_run(r, t, start, npages, flags);
        return;
    }
    for (uint64_t i = 0; i < npages; i += 512) {
        uint64_t n = npages - i < 512 ? npages - i : 512;
        off_t off = (off_t)(((start >> 12) + i) * 8);
        ssize_t got = pread(fd, pm, n * 8, off);
        for (uint64_t k = 0; k < n; k++) {
            uint32_t f = flags;
            if (got == (ssize_t)(n * 8) && (pm[k] & SUP_PM_EXCLUSIVE))
                f |= TR_RES_EXCLUSIVE;
            if (run && f != run_flags) {
                sup_hs_resident_run(r, t, start + ((i + k - run) << 12), run,
                                    run_flags);
                run = 0;
            }
            run_flags = f;
            run++;
        }
    }
    if (run)
        sup_hs_resident_run(r, t, start + ((npages - run) << 12), run,
                            run_flags);
}

/**
 * sup_host_child_clone() - at a fork's clone event, where the kernel will
 * write the child's tid when the child first runs (CLONE_CHILD_SETTID:
 * glibc's fork passes its thread's tid field): a write to a page the fork
 * just made copy-on-write, taken before the child's fault sampling may
 * have started.
 * @parent: the forking task, stopped in its clone.
 * @c: the child (clone_flags set).
 */
void sup_host_child_clone(const struct sup_task *parent, struct sup_task *c)
{
    c->ctid = 0;
    if (!(c->clone_flags & CLONE_CHILD_SETTID) || (c->clone_flags & CLONE_VM) ||
        !parent->in_syscall)
        return;
    if (parent->nr == SYS_clone) {
        c->ctid = parent->args[3];
    } else if (parent->nr == 435 /* clone3: clone_args.child_tid */) {
        errno = 0;
        long v = ptrace(PTRACE_PEEKDATA, parent->tid,
                        (void *)(parent->args[0] + 16), 0);
        c->ctid = errno ? 0 : (uint64_t)v;
    }
}

/**
 * sup_host_child_first_run() - a new process's faults before its sampling
 * began: its perf event is opened at its parent's clone event, which the
 * child may outrun (its first run writes its tid, sup_host_child_clone()).
 * Recorded as that write (an inferred TR_EV_FAULT) and, for any other
 * such fault, as TR_EV_LOST (a[1] 1).
 * @r: the recording.
 * @c: the new task at its first stop, just before it is let run.
 */
void sup_host_child_first_run(struct sup_run *r, struct sup_task *c)
{
    uint64_t minflt, majflt, count = 0;
    if (!r->perf || !c->mm || c->tid != c->tgid)
        return;
    sup_perf_drain(r, c);
    uint64_t seen = c->perf_seen + c->flt_unsampled; /* in the trace */
    if (sup_hs_faults(c->tgid, &minflt, &majflt) < 0)
        return;
    uint64_t n = minflt + majflt > seen ? minflt + majflt - seen : 0;
    /* a fault its event counted without a sample would be reported again
     * at exit (sup_perf_account()): it is accounted here instead */
    if (c->perf_fd >= 0 &&
        read(c->perf_fd, &count, sizeof(count)) == (ssize_t)sizeof(count) &&
        count > c->perf_seen)
        c->perf_seen = count;
    c->flt_unsampled = seen + n > c->perf_seen ? seen + n - c->perf_seen : 0;
    struct tr_event ev;
    if (n && c->ctid) {
        sup_event_init(&ev, TR_EV_FAULT, c);
        ev.flags |= TR_F_INFERRED;
        ev.a[0] = c->ctid;
        ev.a[1] = TR_FAULT_WRITE | TR_FAULT_KNOWN | TR_FAULT_KERNEL;
        sup_emit(r, &ev, NULL);
        n--;
    }
    if (!n)
        return;
    sup_event_init(&ev, TR_EV_LOST, c);
    ev.a[0] = n;
    ev.a[1] = 1;
    sup_emit(r, &ev, NULL);
}
