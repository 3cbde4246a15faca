/*
 * sup_loop.c - the supervisor's waitpid loop.
 *
 * Stops and what is done at each:
 *   seccomp stop (a memory syscall, fork/clone/clone3 without CLONE_VM,
 *     prctl(PR_SET_VMA)): read the syscall, take the address space
 *     (sup_mm.c) or park, resume with PTRACE_SYSCALL;
 *   syscall-exit stop: read the result, emit the event, hand the address
 *     space to the next parked task, PTRACE_CONT;
 *   PTRACE_EVENT_FORK/VFORK/CLONE: the new task's address space and event;
 *   PTRACE_EVENT_EXEC: a fresh address space from /proc (sup_maps.c);
 *   PTRACE_EVENT_EXIT: the last stop with the address space still there:
 *     verification, residency and the real kernel's figures, once the
 *     stops other tasks have queued meanwhile are handled (sup_exit.c);
 *   PTRACE_EVENT_STOP: a new task's attach stop, or a group-stop (held with
 *     PTRACE_LISTEN so job control keeps working);
 *   anything else is a signal-delivery-stop: the signal is re-injected.
 * A new task's first stop may be reported before its parent's clone event;
 * it is held until that event tells whose task it is.
 */
#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include "sup.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif


/**
 * sup_resume() - let a stopped task go on (ptrace @req with signal @sig);
 * a task already gone is no error.
 * @tid: the task.
 * @req: PTRACE_CONT, PTRACE_SYSCALL or PTRACE_LISTEN.
 * @sig: the signal to deliver, or 0.
 */
void sup_resume(pid_t tid, int req, int sig)
{
    if (ptrace(req, tid, 0, (void *)(long)sig) < 0 && errno != ESRCH)
        fprintf(stderr, "mmsim: record: ptrace resume %d: %s\n", (int)tid,
                strerror(errno));
}

/**
 * sup_event_init() - start an event of @type for task @t, stamped now.
 * @ev: the event to fill.
 * @type: enum tr_ev_type.
 * @t: the task it belongs to (pid = its tgid).
 */
void sup_event_init(struct tr_event *ev, uint32_t type,
                    const struct sup_task *t)
{
    memset(ev, 0, sizeof(*ev));
    ev->t_ns = sup_now_ns();
    ev->type = type;
    ev->flags = TR_F_TRACED;
    ev->pid = (uint32_t)t->tgid;
    ev->tid = (uint32_t)t->tid;
}

/**
 * sup_emit() - hand one event to the verifier and the sink.
 * @r: the recording.
 * @ev: the event (its str is set by the sink).
 * @str: the text of ev->str, or NULL.
 */
void sup_emit(struct sup_run *r, struct tr_event *ev, const char *str)
{
    if (r->pre && sup_preload_event(r, ev))
        return; /* held back, emitted later (sup_preload.c) */
    r->nr_events++;
    r->by_type[ev->type & 127]++;
    if (r->verify)
        sup_verify_event(r->verify, ev, str);
    if (!r->sink)
        return;
    int rc = r->sink->event(r->sink->ctx, ev, str);
    if (rc < 0 && r->error == 0)
        r->error = rc;
}

/* @t owns its address space and its syscall is about to run: what a munmap
 * or madvise may drop is recorded first (sup_perf.c). */
static void sup_let_run(struct sup_run *r, struct sup_task *t)
{
    int run = sup_fast_lock(r, t);
    if (run == !!t->lock_wait) {
        t->lock_wait = !run;
        r->lock_waiters += run ? -1 : 1;
    }
    if (!run)
        return; /* a fast-path call holds the lock: retried by the loop */
    if (t->nr == SYS_munmap || t->nr == SYS_madvise)
        sup_perf_reconcile(r, t, t->args[0], t->args[0] + t->args[1]);
    sup_resume(t->tid, PTRACE_SYSCALL, 0);
}

static void sup_run_next(struct sup_run *r, struct sup_task *next)
{
    if (next)
        sup_let_run(r, next);
}

static int sup_get_info(pid_t tid, struct __ptrace_syscall_info *info)
{
    memset(info, 0, sizeof(*info));
    long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(*info), info);
    return n > 0 ? 0 : -1;
}

static uint64_t sup_peek_u64(pid_t tid, uint64_t addr)
{
    errno = 0;
    long v = ptrace(PTRACE_PEEKDATA, tid, (void *)addr, 0);
    return errno ? 0 : (uint64_t)v;
}

static void sup_foreign_abi(struct sup_run *r, struct sup_task *t,
                            const struct __ptrace_syscall_info *info)
{
    struct tr_event ev;
    char why[96];
    snprintf(why, sizeof(why),
             "syscall %llu of a non-x86_64 ABI (arch 0x%x) not decoded",
             (unsigned long long)info->seccomp.nr, info->arch);
    sup_event_init(&ev, TR_EV_INCOMPLETE, t);
    sup_emit(r, &ev, why);
    if (t->mm)
        t->mm->lost_inflight = 1;
    sup_resume(t->tid, PTRACE_CONT, 0);
}

/* A clone with CLONE_UNTRACED would give a child that keeps the filter but
 * has no tracer: clear the flag, so the child is followed like any other.
 * The kernel runs the filter again on the changed arguments. */
static void sup_clear_untraced(struct sup_task *t)
{
    if (t->nr == SYS_clone && (t->args[0] & CLONE_UNTRACED)) {
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) == 0) {
            regs.rdi &= ~(unsigned long long)CLONE_UNTRACED;
            ptrace(PTRACE_SETREGS, t->tid, 0, &regs);
        }
        t->args[0] &= ~(uint64_t)CLONE_UNTRACED;
    } else if (t->nr == SYS_clone3) {
        uint64_t flags = sup_peek_u64(t->tid, t->args[0]);
        if (flags & CLONE_UNTRACED)
            ptrace(PTRACE_POKEDATA, t->tid, (void *)t->args[0],
                   (void *)(flags & ~(uint64_t)CLONE_UNTRACED));
    }
}

/* Whether the syscall at @t's seccomp stop is a clone sharing the address
 * space (a thread, vfork): it copies nothing, so it takes no lock. */
static int sup_is_vm_clone(struct sup_task *t)
{
    if (t->nr == SYS_clone)
        return (t->args[0] & CLONE_VM) != 0;
    if (t->nr == SYS_clone3)
        return (sup_peek_u64(t->tid, t->args[0]) & CLONE_VM) != 0;
    return 0;
}

static void sup_on_seccomp(struct sup_run *r, struct sup_task *t)
{
    struct __ptrace_syscall_info info;
    if (sup_get_info(t->tid, &info) < 0 ||
        info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
        sup_resume(t->tid, PTRACE_CONT, 0);
        return;
    }
    sup_perf_drain(r, t);
    if (info.arch != AUDIT_ARCH_X86_64 || info.seccomp.nr >= 0x40000000u) {
        sup_foreign_abi(r, t, &info);
        return;
    }
    t->nr = info.seccomp.nr;
    memcpy(t->args, info.seccomp.args, sizeof(t->args));
    if (t->nr == SYS_execve || t->nr == SYS_execveat) {
        t->in_exec = 1; /* until its exec stop, or the exit stop of a failure */
        sup_resume(t->tid, PTRACE_SYSCALL, 0);
        return;
    }
    sup_clear_untraced(t);
    if (!t->mm || sup_is_vm_clone(t)) {
        sup_resume(t->tid, PTRACE_CONT, 0);
        return;
    }
    t->in_syscall = 1;
    if (sup_mm_acquire(t))
        sup_let_run(r, t);
}

static void sup_on_sysexit(struct sup_run *r, struct sup_task *t)
{
    struct __ptrace_syscall_info info;
    if (t->in_exec) { /* the exec failed */
        t->in_exec = 0;
        sup_resume(t->tid, PTRACE_CONT, 0);
        return;
    }
    if (t->in_syscall && sup_get_info(t->tid, &info) == 0 &&
        info.op == PTRACE_SYSCALL_INFO_EXIT) {
        sup_fast_number(r, t);
        sup_module_sharing(r, t);
        sup_sys_exit(r, t, info.exit.rval);
        sup_module_sysexit(r, t, info.exit.rval);
    }
    t->in_syscall = 0;
    sup_run_next(r, sup_mm_release(t));
    sup_mm_settled(r, t->mm);
    sup_resume(t->tid, PTRACE_CONT, 0);
}

static uint64_t sup_clone_flags(struct sup_task *t)
{
    uint64_t nr = t->nr, a0 = t->args[0];
    if (!t->in_syscall) {
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) < 0)
            return 0;
        nr = regs.orig_rax;
        a0 = regs.rdi;
    }
    if (nr == SYS_fork)
        return SIGCHLD;
    if (nr == SYS_vfork)
        return CLONE_VM | CLONE_VFORK | SIGCHLD;
    if (nr == SYS_clone3)
        return sup_peek_u64(t->tid, a0);
    return a0;
}

static void sup_new_task(struct sup_run *r, struct sup_task *t,
                         struct sup_task *c, uint64_t flags)
{
    struct tr_event ev;
    uint32_t type = (flags & CLONE_THREAD) ? TR_EV_THREAD
                    : (flags & CLONE_VM)   ? TR_EV_VFORK
                                           : TR_EV_FORK;
    c->known = 1;
    c->clone_flags = flags;
    sup_host_child_clone(t, c);
    c->tgid = (flags & CLONE_THREAD) ? t->tgid : c->tid;
    if (t->mm) {
        struct sup_mm *mm = (flags & CLONE_VM) ? t->mm : sup_mm_new(c->tid);
        if (mm)
            sup_mm_attach(c, mm);
    }
    sup_event_init(&ev, type, t);
    ev.a[0] = (uint64_t)c->tid;
    ev.a[1] = flags;
    sup_emit(r, &ev, NULL);
    if (type == TR_EV_FORK && c->mm)
        sup_module_scan(r, c, 0);
    sup_perf_open(r->perf, c);
}

static void sup_on_clone(struct sup_run *r, struct sup_task *t)
{
    unsigned long msg = 0;
    ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
    pid_t ctid = (pid_t)msg;
    struct sup_task *c = sup_task_find(&r->tasks, ctid);
    if (!c)
        c = sup_task_add(&r->tasks, ctid);
    if (c) {
        sup_fast_number(r, t);
        sup_new_task(r, t, c, sup_clone_flags(t));
    }
    /* The copy of the address space is made: other syscalls may go on. */
    if (t->in_syscall) {
        t->in_syscall = 0;
        sup_run_next(r, sup_mm_release(t));
    }
    sup_resume(t->tid, PTRACE_CONT, 0);
    if (c && c->seen_stop) {
        sup_host_child_first_run(r, c);
        sup_resume(c->tid, PTRACE_CONT, 0);
    }
}

static void sup_on_exec(struct sup_run *r, struct sup_task *t)
{
    unsigned long former = 0;
    ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former);
    struct sup_task *f = sup_task_find(&r->tasks, (pid_t)former);
    if (f && f != t) {
        /* A non-leader thread exec'd: it takes over the leader's id and the
         * old leader vanishes without an exit report. */
        pid_t id = t->tid;
        sup_run_next(r, sup_mm_forget(t));
        sup_perf_close(r->perf, t);
        sup_task_del(&r->tasks, t);
        sup_task_rename(&r->tasks, f, id);
        t = f;
    }
    t->tgid = t->tid;
    t->in_syscall = 0;
    t->in_exec = 0;
    sup_run_next(r, sup_mm_forget(t));
    sup_fast_reap(r, t, 1);
    struct sup_mm *mm = sup_mm_new((uint32_t)t->tgid);
    if (mm)
        sup_mm_attach(t, mm);
    sup_maps_emit_exec(r, t);
    sup_module_scan(r, t, 0);
    sup_proc_attrs(r, t);
    sup_host_exec_faults(r, t);
    if (t->perf_fd < 0)
        sup_perf_open(r->perf, t);
    sup_resume(t->tid, PTRACE_CONT, 0);
}

static void sup_on_stop(struct sup_run *r, struct sup_task *t, int sig)
{
    if (!t->seen_stop) {
        t->seen_stop = 1;
        if (t->known) {
            sup_host_child_first_run(r, t);
            sup_resume(t->tid, PTRACE_CONT, 0);
        }
        return;
    }
    if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
        sup_resume(t->tid, PTRACE_LISTEN, 0);
    else
        sup_resume(t->tid, PTRACE_CONT, 0);
}

static void sup_gone(struct sup_run *r, struct sup_task *t, pid_t pid, int st)
{
    if (pid == r->child.pid) {
        r->status = st;
        r->have_status = 1;
    }
    if (!t)
        return;
    if (t->mm) {
        struct tr_event ev;
        int leader = t->tid == t->tgid;
        sup_event_init(&ev, leader ? TR_EV_EXIT : TR_EV_THREAD_EXIT, t);
        ev.a[0] = leader ? (uint64_t)(unsigned)st : (uint64_t)t->tid;
        sup_emit(r, &ev, NULL);
    }
    struct sup_mm *mm = t->mm;
    if (mm && mm->owner == t && t->in_syscall && sup_filter_is_traced((long)t->nr)) {
        struct tr_event ev;
        sup_event_init(&ev, TR_EV_INCOMPLETE, t);
        ev.a[0] = t->nr;
        sup_emit(r, &ev, "a memory syscall's result was lost: its thread "
                         "was killed during the call");
    }
    if (t->lock_wait)
        r->lock_waiters--;
    if (t->dying)
        r->dying--;
    sup_unhold(r, t);
    sup_run_next(r, sup_mm_forget(t));
    sup_fast_reap(r, t, 0);
    if (mm && mm->verify_task == t)
        mm->verify_task = NULL;
    int settle = mm && mm->verify_task; /* which holds a reference */
    sup_perf_close(r->perf, t);
    sup_task_del(&r->tasks, t);
    if (settle)
        sup_mm_settled(r, mm);
}

static void sup_on_event(struct sup_run *r, struct sup_task *t, int event)
{
    switch (event) {
    case PTRACE_EVENT_SECCOMP:
        sup_on_seccomp(r, t);
        break;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
        sup_on_clone(r, t);
        break;
    case PTRACE_EVENT_EXEC:
        sup_on_exec(r, t);
        break;
    case PTRACE_EVENT_EXIT:
        sup_on_exit(r, t);
        break;
    default:
        sup_resume(t->tid, PTRACE_CONT, 0);
    }
}

static void sup_dispatch(struct sup_run *r, pid_t pid, int st)
{
    struct sup_task *t = sup_task_find(&r->tasks, pid);
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
        sup_gone(r, t, pid, st);
        return;
    }
    if (!WIFSTOPPED(st))
        return;
    if (!t && !(t = sup_task_add(&r->tasks, pid)))
        return;
    int sig = WSTOPSIG(st), event = (unsigned)st >> 16;
    sup_oomadj_stop(r, t, event);
    if (event == PTRACE_EVENT_STOP)
        sup_on_stop(r, t, sig);
    else if (sig == (SIGTRAP | 0x80))
        sup_on_sysexit(r, t);
    else if (sig == SIGTRAP && event)
        sup_on_event(r, t, event);
    else
        sup_resume(t->tid, PTRACE_CONT, sig);
}

/* Tasks that own their address space but found its ring lock held by a
 * fast-path call: that call ends without us, so try again shortly. */
static void sup_lock_retry(struct sup_run *r)
{
    /* Back off to 1 ms while a holder stays stopped (job control). */
    struct timespec pause = {0, ++r->lock_spins < 1000 ? 20000 : 1000000};
    sup_fast_drain(r);
    for (int b = 0; b < 1024 && r->lock_waiters; b++)
        for (struct sup_task *t = r->tasks.bucket[b]; t; t = t->hnext)
            if (t->lock_wait)
                sup_let_run(r, t);
    if (r->lock_waiters)
        nanosleep(&pause, NULL);
    else
        r->lock_spins = 0;
}

/**
 * sup_run_loop() - supervise the spawned program and everything it starts
 * until the last traced task is gone.
 * @r: the recording; r->child is the spawned program (sup_spawn()).
 *
 * Return: 0 when every task has gone (r->status holds the program's wait
 * status), or a negative errno.
 */
int sup_run_loop(struct sup_run *r)
{
    struct sup_task *t = sup_task_add(&r->tasks, r->child.pid);
    if (!t)
        return -ENOMEM;
    t->seen_stop = 1;
    t->known = 1;
    while (r->tasks.nr > 0) {
        int st;
        int nohang = r->lock_waiters || r->held ? WNOHANG : 0;
        pid_t pid = waitpid(-1, &st, __WALL | nohang);
        if (r->held && (pid == 0 || (++r->held_stops & 15) == 0))
            sup_release_held(r, pid == 0);
        if (pid == 0) {
            if (r->lock_waiters)
                sup_lock_retry(r);
            else
                sup_fast_drain(r); /* an exit is held: producers go on */
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR) {
                sup_perf_drain_all(r); /* the periodic wake-up */
                sup_oomadj_poll_all(r);
                sup_fast_drain(r);
                continue;
            }
            return errno == ECHILD ? 0 : -errno;
        }
        r->nr_stops++;
        sup_fast_drain(r);
        sup_dispatch(r, pid, st);
    }
    return 0;
}
