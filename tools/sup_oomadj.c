/*
 * sup_oomadj.c - oom_score_adj of each traced process, as it changes.
 *
 * A write to /proc/PID/oom_score_adj is a write(2) the seccomp filter does
 * not trace (tracing every write or openat would put a ptrace stop on the
 * program's I/O). Instead the supervisor keeps /proc/PID/oom_score_adj open
 * for each process and reads it (one pread, about 4 us on this VM) at the
 * stops it takes for one of the process's threads (fork, clone, exec and
 * exit events always, other stops at most once a millisecond), at the
 * address space's exit and on the 10 ms tick; a value different from the
 * last one recorded becomes TR_EV_OOM_SCORE_ADJ (a[0] the value, signed).
 * The first read of a process (at its exec, or its first stop after fork)
 * records its initial value.
 *
 * Limits: a change is stamped with the time it was seen, not the time it
 * was written: at the next stop of the process if that comes 1 ms or more
 * after the previous read, else up to 1 ms (or one tick, 10 ms, when the
 * tick runs: fault sampling or the fast path) later, so memory syscalls
 * and page faults of that interval are replayed with the old value. Values written and
 * overwritten between two reads are not seen. A vfork child sharing its
 * parent's address space is not read until it execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "sup.h"

#define SUP_OOMADJ_EVERY_NS 1000000u /* 1 ms */

static int sup_oomadj_read(struct sup_mm *mm)
{
    char buf[32];
    if (mm->oom_fd < 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%u/oom_score_adj", mm->pid);
        mm->oom_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (mm->oom_fd < 0)
            return -errno;
    }
    ssize_t n = pread(mm->oom_fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return n < 0 ? -errno : -EIO;
    buf[n] = 0;
    char *end;
    long v = strtol(buf, &end, 10);
    if (end == buf || v < -1000 || v > 1000)
        return -EINVAL;
    return (int)v + 1000; /* 0..2000 */
}

/**
 * sup_oomadj_poll() - record @t's process's oom_score_adj if it changed
 * since it was last recorded (or was never recorded).
 * @r: the recording.
 * @t: a task of the process, stopped or not.
 */
void sup_oomadj_poll(struct sup_run *r, struct sup_task *t)
{
    struct sup_mm *mm = t->mm;
    if (!mm || (uint32_t)t->tgid != mm->pid)
        return; /* before the first exec, or a vfork child */
    mm->oom_read_ns = sup_now_ns();
    int v = sup_oomadj_read(mm);
    if (v < 0 || (mm->oom_known && v - 1000 == mm->oom_adj))
        return;
    mm->oom_known = 1;
    mm->oom_adj = v - 1000;
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_OOM_SCORE_ADJ, t);
    ev.a[0] = (uint64_t)(int64_t)mm->oom_adj;
    sup_emit(r, &ev, NULL);
}

/**
 * sup_oomadj_stop() - sup_oomadj_poll() at a ptrace stop of @t: always at
 * a fork, clone, exec or exit event (so a child copies the right value and
 * the last value is seen), at other stops at most once per
 * SUP_OOMADJ_EVERY_NS per process (a read costs about 4 us here, a fifth
 * of a ptrace stop; a program in a loop of memory syscalls would pay it on
 * each).
 * @r: the recording.
 * @t: the stopped task.
 * @event: the PTRACE_EVENT_* of the stop, 0 for none.
 */
void sup_oomadj_stop(struct sup_run *r, struct sup_task *t, int event)
{
    if (!t->mm)
        return;
    if (event && event != PTRACE_EVENT_SECCOMP && event != PTRACE_EVENT_STOP)
        sup_oomadj_poll(r, t);
    else if (sup_now_ns() - t->mm->oom_read_ns >= SUP_OOMADJ_EVERY_NS)
        sup_oomadj_poll(r, t);
}

/**
 * sup_oomadj_poll_all() - sup_oomadj_poll() for every traced process (the
 * periodic tick).
 * @r: the recording.
 */
void sup_oomadj_poll_all(struct sup_run *r)
{
    for (size_t b = 0; b < 1024; b++)
        for (struct sup_task *t = r->tasks.bucket[b]; t; t = t->hnext)
            if (t->tid == t->tgid && !t->exiting)
                sup_oomadj_poll(r, t);
}
