/*
 * sup_exit.c - the exit of an address space: at the exit stop of its last
 * task, the real kernel's figures, what is resident and the verification,
 * read once the other processes' changes are in the trace before them.
 *
 * The last task of an address space is held at its exit stop until the
 * stops other tasks have queued are handled, no exec or copying fork is
 * under way and no process let go from its exit stop is still unmapping
 * (at most SUP_HOLD_MAX_NS); exits held together are all read before any
 * of them is let go.
 */
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include "sup.h"

/* The longest an exit is held for the others (sup_release_held()). */
#define SUP_HOLD_MAX_NS 1000000000ull

static int sup_is_last_of_mm(struct sup_run *r, struct sup_task *t,
                             unsigned long status)
{
    int others = sup_mm_only_tgid(&r->tasks, t->mm, t->tgid, t);
    if (others <= 0)
        return others == 0;
    /* A group exit (exit_group, or a fatal signal) kills the others with
     * SIGKILL, and the kernel does not stop them at PTRACE_EVENT_EXIT. */
    struct user_regs_struct regs;
    if (WIFSIGNALED((int)status))
        return 1;
    if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) < 0)
        return 0;
    return regs.orig_rax == SYS_exit_group;
}

/* The address space of @t (at its exit stop) is about to go: record what
 * is resident and the process's attributes, and verify it. */
static void sup_finish_read(struct sup_run *r, struct sup_task *t)
{
    sup_perf_reconcile(r, t, 0, UINT64_MAX);
    sup_proc_attrs(r, t);
    sup_fast_drain(r);
    sup_host_stat(r, t);
    if (sup_fast_lost(r, t))
        t->mm->lost_inflight = 1;
    if (r->verify) {
        struct tr_event ev;
        int ok = sup_verify_check(r->verify, t->tgid, t->tid,
                                  t->mm->lost_inflight
                                      ? "a syscall's result was lost"
                                      : NULL);
        sup_event_init(&ev, TR_EV_VERIFY, t);
        ev.a[0] = ok == 1;
        sup_emit(r, &ev, NULL);
    }
}

/* Let @t (its figures read) go on from its exit stop: its address space
 * is torn down from now until it is reaped. */
static void sup_let_go(struct sup_run *r, struct sup_task *t)
{
    t->dying = 1;
    r->dying++;
    sup_resume(t->tid, PTRACE_CONT, 0);
}

/* Hold @t (last task of its address space, at its exit stop) until the
 * stops other tasks have already queued are handled: an exec or an exit
 * that happened before this exit but is reported after it changes what
 * this process shares, and its figures are read at the finish. */
static void sup_hold(struct sup_run *r, struct sup_task *t)
{
    if (!r->held)
        r->held_since_ns = sup_now_ns();
    t->held_next = r->held;
    r->held = t;
}

/**
 * sup_mm_settled() - nobody owns @mm any more: a finish deferred while
 * another thread's syscall was in flight is held like any other exit.
 * @r: the recording.
 * @mm: the address space, or NULL.
 */
void sup_mm_settled(struct sup_run *r, struct sup_mm *mm)
{
    if (mm && mm->verify_task && !mm->owner) {
        struct sup_task *t = mm->verify_task;
        mm->verify_task = NULL;
        sup_hold(r, t);
    }
}

/**
 * sup_release_held() - finish every held exit once nothing is queued, no
 * exec or copying fork is under way and no process let go from its exit
 * stop is still unmapping (its teardown changes what the held ones share:
 * a cc1 read while its twin was half unmapped had USS -50 %), or after
 * SUP_HOLD_MAX_NS whatever happens.
 * @r: the recording.
 * @queue_empty: no stop was waiting (else only the time limit is checked).
 */
void sup_release_held(struct sup_run *r, int queue_empty)
{
    struct timespec poll = {0, 200000};
    int waiting = !queue_empty || r->dying || sup_host_change_under_way(r);
    if (waiting && sup_now_ns() - r->held_since_ns < SUP_HOLD_MAX_NS) {
        if (queue_empty)
            nanosleep(&poll, NULL);
        return;
    }
    /* Every held exit's figures first, then let them all go: one let go
     * earlier would be unmapping while the next one's figures are read. */
    for (struct sup_task *t = r->held; t; t = t->held_next)
        sup_finish_read(r, t);
    while (r->held) {
        struct sup_task *t = r->held;
        r->held = t->held_next;
        t->held_next = NULL;
        sup_let_go(r, t);
    }
    r->held_stops = 0;
}

/**
 * sup_unhold() - forget @t's held exit (it died at its exit stop).
 * @r: the recording.
 * @t: the task.
 */
void sup_unhold(struct sup_run *r, struct sup_task *t)
{
    for (struct sup_task **p = &r->held; *p; p = &(*p)->held_next)
        if (*p == t) {
            *p = t->held_next;
            return;
        }
}

/**
 * sup_on_exit() - @t is at PTRACE_EVENT_EXIT: let it go, or, as the last
 * task of its address space, hold it for the figures.
 * @r: the recording.
 * @t: the task.
 */
void sup_on_exit(struct sup_run *r, struct sup_task *t)
{
    unsigned long status = 0;
    ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &status);
    sup_perf_drain(r, t);
    sup_perf_account(r, t);
    int last = t->mm && !t->mm->verified && sup_is_last_of_mm(r, t, status);
    t->exiting = 1;
    if (!last) {
        sup_resume(t->tid, PTRACE_CONT, 0);
        return;
    }
    t->mm->verified = 1;
    if (t->mm->owner && t->mm->owner != t)
        t->mm->verify_task = t; /* held at its exit stop until settled */
    else
        sup_hold(r, t);
}

