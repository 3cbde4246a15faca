/*
 * sup_preload.c - the preload-only capture: what `mmsim record` and `mmsim
 * run` fall back to when ptrace is not available (mmsim is itself traced,
 * by strace -f or gdb, or a security policy forbids ptrace).
 *
 * The program runs without the seccomp filter and without a tracer, with
 * the shim preloaded (when it is found): allocator calls with their stacks
 * and glibc's memory syscalls once the fast path is active come through
 * the ring as usual. Everything else the kernel did (the loader's mappings,
 * file mmaps, calls before the fast path is active, static programs) is
 * seen only through /proc: every 10 ms each known process is reconciled
 * with its /proc/PID/maps (sup_recon.c) while its address-space lock is held
 * (no fast-path call in flight), an exec is recognised by a new start_brk
 * or start_stack and recorded as a snapshot; new processes are found by
 * their parent in /proc/PID/stat (every 200 ms, or at the next tick when
 * the ring names a process not known yet) and recorded as an inferred fork;
 * the ring is drained every millisecond, so a process waiting in its exit
 * handshake (the shim's destructor) is reconciled and let go within about
 * a millisecond; processes are gone when /proc says so (mmsim is their
 * child subreaper,
 * so orphans are reaped by it with their status). The trace starts with a
 * TR_EV_INCOMPLETE event giving the reason, and every report says so.
 *
 * Page faults: each thread gets its perf page-fault event when it is first
 * seen in /proc/PID/task (at the process's next reconciliation). Every
 * 10 ms the samples are drained first, then the maps are read (every
 * sampled fault's mapping existed before that), and the faults (and exits)
 * are held back until the reconciliation has recorded those mappings.
 *
 * Not seen: anything between two reads (ranges mapped and unmapped in
 * between, the order of calls, failed calls), processes that live less
 * than one discovery interval and do not load the shim, page faults of a
 * thread before it is first seen, changes after a process's last read when
 * it exits without exit() (no exit handshake), and the verifier cannot
 * check (no exit stop).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmsim/ring.h"
#include "mmsim/ring_mmlock.h"
#include "sup.h"

/* A /proc scan reads every process's stat (measured: 2.6 ms for 95
 * processes on a loaded 2-CPU VM): every 20 ticks (200 ms), or at the next
 * tick when the ring names an unknown process. */
#define PRE_DISCOVER_TICKS 20
#define PRE_TICK_NS 10000000u /* reconciliation every 10 ms */

#define PRE_EXITING_MAX 64

struct sup_preload;
static void pre_release(struct sup_run *r, uint32_t pid);

struct sup_preload {
    pid_t self;
    int unknown_seen;  /* the ring named a process not known yet */
    unsigned ticks;
    int child_gone;
    uint32_t exiting[PRE_EXITING_MAX]; /* waiting in their exit handshake */
    int nr_exiting;
    int holding;                 /* a tick: faults and exits held back */
    struct tr_event *held;
    size_t nr_held, cap_held;
};

/* kernel.yama.ptrace_scope, or -1 without Yama. */
static int pre_yama(void)
{
    int v = -1;
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/**
 * sup_preload_wanted() - whether the error of sup_spawn() means that ptrace
 * is not available here (then the preload-only capture is used).
 * @err: a negative errno.
 *
 * Return: 1 if so.
 */
int sup_preload_wanted(int err)
{
    return err == -EPERM || err == -EACCES || err == -ENOSYS;
}

/**
 * sup_preload_reason() - why ptrace cannot be used, in words.
 * @err: the error of PTRACE_SEIZE (negative errno).
 * @buf: receives the text.
 * @len: its size.
 *
 * Return: @buf.
 */
const char *sup_preload_reason(int err, char *buf, size_t len)
{
    char line[256], comm[64] = "?";
    int tracer = 0;
    FILE *f = fopen("/proc/self/status", "re");
    while (f && fgets(line, sizeof(line), f))
        sscanf(line, "TracerPid: %d", &tracer);
    if (f)
        fclose(f);
    if (tracer > 0) {
        snprintf(line, sizeof(line), "/proc/%d/comm", tracer);
        if ((f = fopen(line, "re"))) {
            if (fgets(comm, sizeof(comm), f))
                comm[strcspn(comm, "\n")] = 0;
            fclose(f);
        }
        snprintf(buf, len, "ptrace is not available: mmsim is itself "
                           "traced (by %s, pid %d)", comm, tracer);
    } else if (pre_yama() == 3) {
        snprintf(buf, len, "ptrace is not available: kernel.yama.ptrace_scope"
                           " is 3 (no process may ptrace)");
    } else {
        snprintf(buf, len, "ptrace is not available: PTRACE_SEIZE failed "
                           "(%s): a security policy forbids it here",
                 strerror(-err));
    }
    return buf;
}

static void pre_child(char *const argv[], int sync_fd, int err_fd)
{
    char c;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    while (read(sync_fd, &c, 1) < 0 && errno == EINTR)
        ; /* the parent opens our fault event first */
    close(sync_fd);
    execvp(argv[0], argv);
    int e = errno;
    if (write(err_fd, &e, sizeof(e)) < 0)
        _exit(126);
    _exit(127);
}

static struct sup_task *pre_add(struct sup_run *r, pid_t pid);

/**
 * sup_preload_spawn() - start @argv without filter or tracer, with its
 * page-fault event open from before its exec (when r->perf is set); it
 * execs only when sup_preload_loop() starts (so none of it runs before
 * the trace exists).
 * @r: the recording; r->child is filled with its pid and exec-error pipe,
 *     and it is the first task of r->tasks.
 * @argv: the program and its arguments (looked up in PATH).
 *
 * Return: 0, or a negative errno if it could not be started.
 */
int sup_preload_spawn(struct sup_run *r, char *const argv[])
{
    int errp[2], sync[2];
    if (pipe2(errp, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(sync, O_CLOEXEC) < 0) {
        int e = -errno;
        close(errp[0]), close(errp[1]);
        return e;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(errp[0]), close(sync[1]);
        pre_child(argv, sync[0], errp[1]);
    }
    int e = pid < 0 ? -errno : 0;
    close(errp[1]), close(sync[0]);
    if (pid < 0) {
        close(errp[0]), close(sync[1]);
        return e;
    }
    struct sup_task *t = pre_add(r, pid);
    if (t)
        sup_perf_open(r->perf, t);
    r->child.pid = pid;
    r->child.err_fd = errp[0];
    r->child.go_fd = sync[1]; /* it waits until the loop starts */
    return 0;
}

/* Let the child exec (sup_preload_spawn()) and wait until it has. */
static void pre_go(struct sup_child *c)
{
    struct pollfd p = {c->err_fd, POLLIN, 0};
    close(c->go_fd);
    c->go_fd = -1;
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
}

/* State ('R', 'Z'...) and parent of @pid from /proc/PID/stat; 0 if gone. */
static char pre_stat(pid_t pid, pid_t *ppid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *p = strrchr(buf, ')');
    char state = 0;
    int parent = 0;
    if (!p || sscanf(p + 1, " %c %d", &state, &parent) != 2)
        return 0;
    if (ppid)
        *ppid = parent;
    return state;
}

static struct sup_task *pre_add(struct sup_run *r, pid_t pid)
{
    struct sup_task *t = sup_task_add(&r->tasks, pid);
    struct sup_mm *mm = t ? sup_mm_new((uint32_t)pid) : NULL;
    if (mm) {
        t->known = t->seen_stop = 1;
        sup_mm_attach(t, mm);
    }
    return t;
}

/* Its threads, each with its page-fault event (opened when the thread is
 * first seen: its faults before that are not sampled). */
static void pre_threads(struct sup_run *r, struct sup_task *t)
{
    char path[64];
    struct dirent *e;
    if (!r->perf)
        return;
    sup_perf_open(r->perf, t);
    snprintf(path, sizeof(path), "/proc/%d/task", (int)t->tid);
    DIR *d = opendir(path);
    while (d && (e = readdir(d))) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0 || sup_task_find(&r->tasks, tid))
            continue;
        struct sup_task *nt = sup_task_add(&r->tasks, tid);
        if (!nt)
            break;
        nt->tgid = t->tgid;
        nt->known = nt->seen_stop = 1;
        sup_mm_attach(nt, t->mm);
        sup_perf_open(r->perf, nt);
    }
    if (d)
        closedir(d);
}

/* A thread (not a process leader): forgotten once it is gone.
 * Return: 0 if @t was freed, else 1. */
static int pre_thread_check(struct sup_run *r, struct sup_task *t)
{
    if (syscall(SYS_tgkill, t->tgid, t->tid, 0) == 0 || errno != ESRCH)
        return 1;
    sup_perf_drain(r, t);
    sup_perf_close(r->perf, t);
    sup_task_del(&r->tasks, t);
    return 0;
}

static void pre_gone(struct sup_run *r, struct sup_task *t, int status,
                     int known_status)
{
    struct tr_event ev;
    for (int b = 0; r->perf && b < 1024; b++) /* its faults come first */
        for (struct sup_task *u = r->tasks.bucket[b]; u; u = u->hnext)
            if (u->tgid == t->tgid)
                sup_perf_drain(r, u);
    sup_perf_close(r->perf, t);
    sup_event_init(&ev, TR_EV_EXIT, t);
    ev.a[0] = (uint64_t)(unsigned)status;
    if (!known_status)
        ev.flags = TR_F_INFERRED;
    sup_emit(r, &ev, NULL);
    sup_task_del(&r->tasks, t);
}

/* A new process whose parent is @parent (NULL: an orphan, parent unknown):
 * an inferred fork; an exec since is found by sup_preload's check. */
static void pre_found(struct sup_run *r, pid_t pid, struct sup_task *parent)
{
    struct sup_task *t = pre_add(r, pid);
    if (!t)
        return;
    if (parent && sup_verify_set(r->verify, (uint32_t)parent->tgid)) {
        struct tr_event ev;
        sup_event_init(&ev, TR_EV_FORK, parent);
        ev.flags = TR_F_INFERRED;
        ev.a[0] = (uint64_t)pid;
        ev.a[1] = SIGCHLD;
        sup_emit(r, &ev, NULL);
    } else {
        sup_recon_snapshot(r, t);
    }
}

/* One pass over /proc: processes whose parent is known (or is mmsim).
 * Return: how many were found. */
static int pre_scan(struct sup_run *r)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)atoi(e->d_name), ppid = 0;
        if (sup_task_find(&r->tasks, pid))
            continue;
        char state = pre_stat(pid, &ppid);
        if (state == 0 || state == 'Z' || state == 'X')
            continue; /* gone already: nothing to find (its exit is seen) */
        struct sup_task *parent = sup_task_find(&r->tasks, ppid);
        if (parent || ppid == r->pre->self) {
            pre_found(r, pid, parent);
            found++;
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* Reconcile one process with /proc: gone, exec'd, or changed.
 * Return: 0 if @t was freed (the process is gone), else 1. */
static int pre_check(struct sup_run *r, struct sup_task *t)
{
    pid_t ppid = 0;
    char state = pre_stat(t->tid, &ppid);
    if (state == 0 || state == 'Z' || state == 'X') {
        if (state != 0 && ppid == r->pre->self)
            return 1; /* mmsim's own child: waitpid() has its status */
        pre_gone(r, t, 0, 0);
        return 0;
    }
    pre_threads(r, t);
    const struct sup_vmaset *set = sup_verify_set(r->verify, (uint32_t)t->tgid);
    uint64_t start_brk = 0, start_stack = 0;
    if (sup_stat_brk_stack(t->tid, &start_brk, &start_stack) < 0 ||
        (!start_brk && !start_stack))
        return 1; /* gone, or exiting: seen at the next tick */
    if (!set || set->start_brk != start_brk || set->start_stack != start_stack) {
        sup_recon_snapshot(r, t); /* first sight, or an exec since */
        return 1;
    }
    struct tr_ring_mmlock *lk = sup_fast_trylock_mm(r, (uint32_t)t->tgid);
    if (r->fast && !lk)
        return 1; /* a fast-path call is in flight: next tick */
    sup_fast_drain(r);
    sup_recon_diff(r, t, set);
    if (lk)
        tr_mmlock_unlock(lk);
    return 1;
}

/**
 * sup_preload_exiting() - process @pid is waiting in its exit handshake:
 * reconciled at the end of this tick, then let go.
 * @r: the recording.
 * @pid: the process.
 */
void sup_preload_exiting(struct sup_run *r, uint32_t pid)
{
    struct sup_preload *pre = r->pre;
    if (pre->nr_exiting < PRE_EXITING_MAX)
        pre->exiting[pre->nr_exiting++] = pid;
    else
        sup_fast_exit_ack(r, pid);
}

/* The processes in their exit handshake: found (if new), reconciled while
 * their maps are still there, let go. */
static void pre_exits(struct sup_run *r)
{
    struct sup_preload *pre = r->pre;
    while (pre->nr_exiting > 0) {
        uint32_t pid = pre->exiting[--pre->nr_exiting];
        struct sup_task *t = sup_task_find(&r->tasks, (pid_t)pid);
        if (!t) {
            pre_scan(r);
            char state = pre_stat((pid_t)pid, NULL);
            if (!(t = sup_task_find(&r->tasks, (pid_t)pid)) && state &&
                state != 'Z' && state != 'X')
                pre_found(r, (pid_t)pid, NULL);
            t = sup_task_find(&r->tasks, (pid_t)pid);
        }
        if (t && pre_check(r, t))
            sup_oomadj_poll(r, t);
        sup_fast_exit_ack(r, pid);
    }
}

static void pre_tick(struct sup_run *r)
{
    struct sup_preload *pre = r->pre;
    struct sup_task *all[1024];
    size_t n = 0;
    pre->holding = 1; /* the faults so far hit mappings read below */
    sup_perf_drain_all(r);
    sup_fast_drain(r);
    if (pre->unknown_seen || ++pre->ticks % PRE_DISCOVER_TICKS == 0) {
        pre->unknown_seen = 0;
        for (int pass = 0; pass < 8 && pre_scan(r) > 0; pass++)
            ;
    }
    for (int b = 0; b < 1024; b++)
        for (struct sup_task *t = r->tasks.bucket[b]; t && n < 1024;
             t = t->hnext)
            all[n++] = t;
    for (size_t i = 0; i < n; i++)
        if (all[i]->tid == all[i]->tgid)
            pre_check(r, all[i]);
        else
            pre_thread_check(r, all[i]);
    pre_exits(r);
    pre->holding = 0;
    pre_release(r, 0);
    sup_oomadj_poll_all(r);
}

/* Emit the held events of @pid (0: all), in order. */
static void pre_release(struct sup_run *r, uint32_t pid)
{
    struct sup_preload *pre = r->pre;
    size_t k = 0;
    int was = pre->holding;
    pre->holding = 0;
    for (size_t i = 0; i < pre->nr_held; i++)
        if (!pid || pre->held[i].pid == pid)
            sup_emit(r, &pre->held[i], NULL);
        else
            pre->held[k++] = pre->held[i];
    pre->nr_held = k;
    pre->holding = was;
}

static int pre_hold(struct sup_preload *pre, const struct tr_event *ev)
{
    if (pre->nr_held == pre->cap_held) {
        size_t cap = pre->cap_held ? 2 * pre->cap_held : 4096;
        struct tr_event *h = realloc(pre->held, cap * sizeof(*h));
        if (!h)
            return 0;
        pre->held = h;
        pre->cap_held = cap;
    }
    pre->held[pre->nr_held++] = *ev;
    return 1;
}

/**
 * sup_preload_event() - an event is being recorded: note a process the
 * ring names before /proc showed it (a scan follows at the next tick);
 * during a tick, hold back page faults and exits until the tick's
 * reconciliation has recorded the mappings they hit (an exec snapshot
 * first lets the process's held events go).
 * @r: the recording.
 * @ev: the event.
 *
 * Return: 1 if the event is held (emitted later), else 0.
 */
int sup_preload_event(struct sup_run *r, const struct tr_event *ev)
{
    struct sup_preload *pre = r->pre;
    if (ev->pid && !sup_task_find(&r->tasks, (pid_t)ev->pid))
        pre->unknown_seen = 1;
    if (!pre->holding)
        return 0;
    if (ev->type == TR_EV_EXEC)
        pre_release(r, ev->pid);
    if (ev->type != TR_EV_FAULT && ev->type != TR_EV_EXIT &&
        ev->type != TR_EV_LOST)
        return 0;
    return pre_hold(pre, ev);
}

/**
 * sup_preload_keep() - whether a ring record is recorded: a kernel-level
 * record of the fast path is dropped when its process is not known yet, or
 * when it is older than the process's last snapshot (its effect is in the
 * maps read then). A process that exec'd since its last snapshot gets a new
 * one first, so a record of the new image never lands on the old one.
 * @r: the recording.
 * @ev: the record.
 *
 * Return: 1 to record it, 0 to drop it.
 */
int sup_preload_keep(struct sup_run *r, const struct tr_event *ev)
{
    if (!(ev->flags & TR_F_FAST_PATH) || ev->type >= TR_EV_FORK)
        return 1; /* allocator records are kept */
    struct sup_task *t = sup_task_find(&r->tasks, (pid_t)ev->pid);
    if (!t)
        return 0;
    const struct sup_vmaset *set = sup_verify_set(r->verify, ev->pid);
    uint64_t start_brk = 0, start_stack = 0;
    if (sup_stat_brk_stack(t->tid, &start_brk, &start_stack) == 0 &&
        (start_brk || start_stack) &&
        (!set || set->start_brk != start_brk || set->start_stack != start_stack))
        sup_recon_snapshot(r, t);
    return ev->t_ns > t->pre_snap_ns;
}

static void pre_reaped(struct sup_run *r, pid_t pid, int st)
{
    struct sup_task *t = sup_task_find(&r->tasks, pid);
    if (pid == r->child.pid) {
        r->status = st;
        r->have_status = 1;
        r->pre->child_gone = 1;
    }
    if (t)
        pre_gone(r, t, st, 1);
}

static int pre_exec_failed(const struct sup_child *c)
{
    struct pollfd p = {c->err_fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/**
 * sup_preload_loop() - record the program started by sup_preload_spawn()
 * (see the file comment) until it and every process found are gone.
 * @r: the recording (r->verify is created here if absent: its tracker is
 *     the reconciliation's reference).
 * @reason: why the capture is incomplete, recorded first.
 *
 * Return: 0, or a negative errno.
 */
int sup_preload_loop(struct sup_run *r, const char *reason)
{
    struct sup_preload pre = {.self = getpid()};
    struct timespec ms = {0, 1000000};
    if (!r->verify && !(r->verify = sup_verify_new()))
        return -ENOMEM;
    r->pre = &pre;
    sup_fast_exit_wait(r);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct sup_task *t = sup_task_find(&r->tasks, r->child.pid);
    if (!t && !(t = pre_add(r, r->child.pid)))
        return -ENOMEM;
    struct tr_event ev;
    pre_go(&r->child);
    sup_event_init(&ev, TR_EV_INCOMPLETE, t);
    ev.flags = TR_F_INFERRED;
    sup_emit(r, &ev, reason);
    if (!pre_exec_failed(&r->child)) {
        pre_threads(r, t); /* its faults from (about) its first instruction */
        sup_recon_snapshot(r, t);
    }
    /* Every 1 ms the ring is drained and exiting processes are let go
     * (an exit handshake costs at most that); every 10 ms all of /proc. */
    uint64_t next = sup_now_ns() + PRE_TICK_NS;
    while (!pre.child_gone || r->tasks.nr > 0) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid > 0) {
            pre_reaped(r, pid, st);
            continue;
        }
        if (sup_now_ns() >= next) {
            pre_tick(r);
            next = sup_now_ns() + PRE_TICK_NS;
            continue;
        }
        sup_fast_drain(r);
        pre_exits(r);
        nanosleep(&ms, NULL);
    }
    sup_fast_drain(r);
    pre_exits(r);
    free(pre.held);
    r->pre = NULL;
    return 0;
}
