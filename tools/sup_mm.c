/*
 * sup_mm.c - per-address-space serialisation of traced memory syscalls.
 *
 * waitpid() may report the exit stops of concurrent memory syscalls of two
 * threads in another order than the kernel ran them (measured: an arena trim
 * munmap in one thread and a thread-stack mmap reusing the range in another
 * were applied in the wrong order). So at most one traced syscall per address
 * space is let past its seccomp stop; the others wait at that stop, where
 * they hold no kernel lock, in arrival order. The owner releases at its exit
 * stop (or, for fork, at its PTRACE_EVENT_FORK stop, once the copy is made).
 */
#include "mmsim/ring.h"
#include "sup.h"

/* The ring's lock goes with the ownership (sup_fast.c). */
static void sup_mm_unlock_ring(struct sup_task *t)
{
    if (t->ring_lk) {
        tr_mmlock_unlock(t->ring_lk);
        t->ring_lk = NULL;
    }
}

/**
 * sup_mm_acquire() - let @t's traced syscall run, or park it.
 * @t: a task at its seccomp stop, with an address space.
 *
 * Return: 1 if @t owns its address space now and may be resumed; 0 if it was
 * parked and will be handed ownership by sup_mm_release().
 */
int sup_mm_acquire(struct sup_task *t)
{
    struct sup_mm *mm = t->mm;
    if (!mm->owner || mm->owner == t) {
        mm->owner = t;
        return 1;
    }
    t->park_next = NULL;
    struct sup_task **pp = &mm->parked;
    while (*pp)
        pp = &(*pp)->park_next;
    *pp = t;
    return 0;
}

static struct sup_task *sup_mm_next(struct sup_mm *mm)
{
    struct sup_task *n = mm->parked;
    mm->owner = n;
    if (n) {
        mm->parked = n->park_next;
        n->park_next = NULL;
    }
    return n;
}

/**
 * sup_mm_release() - end @t's ownership of its address space.
 * @t: the owner.
 *
 * Return: the parked task that owns the address space now (the caller
 * resumes it with PTRACE_SYSCALL), or NULL.
 */
struct sup_task *sup_mm_release(struct sup_task *t)
{
    struct sup_mm *mm = t->mm;
    sup_mm_unlock_ring(t);
    if (!mm || mm->owner != t)
        return NULL;
    return sup_mm_next(mm);
}

/**
 * sup_mm_forget() - take a task that has gone out of the queue. If it owned
 * its address space mid-syscall, the result of that syscall was never seen:
 * the address space is marked so its verification says so.
 * @t: the task.
 *
 * Return: the parked task that owns the address space now, or NULL.
 */
struct sup_task *sup_mm_forget(struct sup_task *t)
{
    struct sup_mm *mm = t->mm;
    sup_mm_unlock_ring(t);
    if (!mm)
        return NULL;
    for (struct sup_task **pp = &mm->parked; *pp; pp = &(*pp)->park_next)
        if (*pp == t) {
            *pp = t->park_next;
            break;
        }
    if (mm->owner != t)
        return NULL;
    if (t->in_syscall && sup_filter_is_traced((long)t->nr))
        mm->lost_inflight = 1;
    return sup_mm_next(mm);
}
