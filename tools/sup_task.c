/*
 * sup_task.c - the supervisor's tasks (traced threads) and address spaces.
 *
 * Tasks are kept in a hash by tid. An address space (struct sup_mm) is
 * shared by the threads of a process and by a vfork (or any CLONE_VM)
 * child until that child execs; it is freed with its last task.
 */
#include <stdlib.h>
#include <unistd.h>

#include "sup.h"

static unsigned sup_hash(pid_t tid)
{
    return (unsigned)tid % 1024u;
}

/**
 * sup_task_find() - the task with thread id @tid.
 * @ts: the task table.
 * @tid: thread id.
 *
 * Return: the task, or NULL if it is not known.
 */
struct sup_task *sup_task_find(struct sup_tasks *ts, pid_t tid)
{
    for (struct sup_task *t = ts->bucket[sup_hash(tid)]; t; t = t->hnext)
        if (t->tid == tid)
            return t;
    return NULL;
}

/**
 * sup_task_add() - add a task for @tid (tgid unknown until its creation
 * event: a new task's first stop may be reported before its parent's).
 * @ts: the task table.
 * @tid: thread id.
 *
 * Return: the new task, or NULL when out of memory.
 */
struct sup_task *sup_task_add(struct sup_tasks *ts, pid_t tid)
{
    struct sup_task *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->tid = tid;
    t->tgid = tid;
    t->perf_fd = -1;
    t->hnext = ts->bucket[sup_hash(tid)];
    ts->bucket[sup_hash(tid)] = t;
    ts->nr++;
    return t;
}

static void sup_task_unlink(struct sup_tasks *ts, struct sup_task *t)
{
    struct sup_task **pp = &ts->bucket[sup_hash(t->tid)];
    while (*pp && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = t->hnext;
}

/**
 * sup_task_del() - forget a task that has gone (its address space reference
 * is dropped too).
 * @ts: the task table.
 * @t: the task.
 */
void sup_task_del(struct sup_tasks *ts, struct sup_task *t)
{
    sup_task_unlink(ts, t);
    sup_mm_forget(t);
    sup_mm_detach(t);
    ts->nr--;
    free(t);
}

/**
 * sup_task_rename() - give @t a new thread id (a non-leader thread that
 * execs takes over the thread-group id).
 * @ts: the task table.
 * @t: the task.
 * @tid: its new id.
 */
void sup_task_rename(struct sup_tasks *ts, struct sup_task *t, pid_t tid)
{
    sup_task_unlink(ts, t);
    t->tid = tid;
    t->hnext = ts->bucket[sup_hash(tid)];
    ts->bucket[sup_hash(tid)] = t;
}

/**
 * sup_mm_new() - a new, unreferenced address space of process @pid.
 * @pid: the tgid that owns it.
 *
 * Return: the address space, or NULL when out of memory.
 */
struct sup_mm *sup_mm_new(uint32_t pid)
{
    struct sup_mm *mm = calloc(1, sizeof(*mm));
    if (mm) {
        mm->pid = pid;
        mm->pagemap_fd = -1;
        mm->oom_fd = -1;
    }
    return mm;
}

/**
 * sup_mm_attach() - make @t use @mm (dropping the one it used).
 * @t: the task.
 * @mm: the address space.
 */
void sup_mm_attach(struct sup_task *t, struct sup_mm *mm)
{
    sup_mm_detach(t);
    t->mm = mm;
    mm->refs++;
}

/**
 * sup_mm_detach() - drop @t's address space, freeing it with its last user.
 * @t: the task.
 */
void sup_mm_detach(struct sup_task *t)
{
    struct sup_mm *mm = t->mm;
    if (!mm)
        return;
    t->mm = NULL;
    if (--mm->refs > 0)
        return;
    if (mm->pagemap_fd >= 0)
        close(mm->pagemap_fd);
    if (mm->oom_fd >= 0)
        close(mm->oom_fd);
    free(mm);
}

/**
 * sup_mm_only_tgid() - whether every live task of @mm other than @except
 * belongs to @tgid and has not reached its exit stop.
 * @ts: the task table.
 * @mm: the address space.
 * @tgid: the process.
 * @except: the task asking.
 *
 * Return: -1 if a task of another process shares @mm, else the number of
 * other live tasks of @tgid in it.
 */
int sup_mm_only_tgid(struct sup_tasks *ts, const struct sup_mm *mm,
                     pid_t tgid, const struct sup_task *except)
{
    int n = 0;
    for (size_t b = 0; b < 1024; b++)
        for (struct sup_task *t = ts->bucket[b]; t; t = t->hnext) {
            if (t == except || t->mm != mm || t->exiting)
                continue;
            if (t->tgid != tgid)
                return -1;
            n++;
        }
    return n;
}
