/*
 * fork.c - the process table and the life of an address space: fork with
 * copy-on-write, vfork and threads sharing an mm, exec replacing it, exit
 * releasing it.
 *
 * Mirrors kernel/fork.c (dup_mm, dup_mmap, mmput; dup_mmap lives in
 * mm/mmap.c from 6.16), fs/exec.c (exec_mmap) and mm/mmap.c exit_mmap().
 * Callers: the replay through mm_task_new/mm_fork/mm_vfork/mm_exec/mm_exit.
 * Tasks are kept by tgid: threads are not tasks here, they share the tgid's
 * mm and their faults are counted on it.
 *
 * Simplified: the child's counters are rebuilt from the VMAs it receives
 * (the kernel copies the parent's and subtracts VM_DONTCOPY VMAs: the same
 * numbers); the task's memory policy is inherited (model/mempolicy.c), VMA
 * policies travel with the VMAs; no userfaultfd, KSM or uprobes state is
 * copied.
 */
#include <stdlib.h>

#include "internal.h"

/**
 * mm__task_find() - the task with thread group id @tgid
 * @sim: the simulator
 * @tgid: the process id
 *
 * Return: the task or NULL.
 * Kernel: kernel/pid.c find_task_by_vpid().
 */
struct mm_task *mm__task_find(const struct mm_sim *sim, uint32_t tgid)
{
    struct mm_avl_node *n = mm__avl_find(&sim->tasks, tgid);
    return n ? mm_container_of(n, struct mm_task, node) : NULL;
}

/**
 * mm__mm_alloc() - an empty address space with one user
 *
 * Return: the mm or NULL (host out of memory).
 * Kernel: kernel/fork.c mm_alloc().
 */
struct mm_mm *mm__mm_alloc(void)
{
    struct mm_mm *mm = calloc(1, sizeof(*mm));
    if (mm)
        mm->users = 1;
    return mm;
}

static void exit_mmap(struct mm_sim *sim, struct mm_mm *mm)
{
    struct mm_avl_node *n;
    while ((n = mm__avl_first(&mm->vmas)))
        mm__remove_vma(sim, mm, mm_container_of(n, struct mm_vma, node));
    mm__free_pgtables(mm, 0, UINT64_MAX);
    mm__hmap_destroy(&mm->ptes);
    mm__hmap_destroy(&mm->pgtables);
}

/**
 * mm__mmput() - drop one user of @mm; the last one tears it down
 * @sim: the simulator
 * @mm: the address space (may be NULL)
 *
 * Tear-down zaps every page, returns every VM_ACCOUNT charge and drops the
 * references to files and shared anonymous objects (whose own charge goes
 * when their last mapping does).
 * Kernel: kernel/fork.c mmput(); mm/mmap.c exit_mmap().
 */
void mm__mmput(struct mm_sim *sim, struct mm_mm *mm)
{
    if (!mm || --mm->users)
        return;
    exit_mmap(sim, mm);
    free(mm);
}

static struct mm_task *task_add(struct mm_sim *sim, uint32_t tgid)
{
    if (mm__task_find(sim, tgid))
        return NULL;
    struct mm_task *task = calloc(1, sizeof(*task));
    if (!task)
        return NULL;
    task->node.key = tgid;
    task->seq = ++sim->oom.task_seq; /* model/oom_kill.c: creation order */
    mm__avl_insert(&sim->tasks, &task->node);
    return task;
}

static void task_del(struct mm_sim *sim, struct mm_task *task)
{
    mm__avl_erase(&sim->tasks, task->node.key);
    mm__mmput(sim, task->mm);
    free(task);
}

/**
 * mm_task_new() - a process that exists before the trace begins (attach)
 * @sim: the simulator
 * @pid: its tgid
 *
 * It gets an empty address space; its VMAs come as mm_vma_insert() calls.
 * Return: 0, MM_EEXIST, MM_ENOMEM (host).
 */
int mm_task_new(struct mm_sim *sim, uint32_t pid)
{
    if (mm__task_find(sim, pid))
        return MM_EEXIST;
    struct mm_task *task = task_add(sim, pid);
    if (!task)
        return MM_ENOMEM;
    task->mm = mm__mm_alloc();
    if (!task->mm) {
        task_del(sim, task);
        return MM_ENOMEM;
    }
    return 0;
}

/* Copy one VMA into the child; charge it again if it carries VM_ACCOUNT. */
static int dup_vma(struct mm_sim *sim, const struct mm_task *parent,
                   struct mm_mm *mm, const struct mm_vma *src)
{
    if ((src->flags & MM_VM_ACCOUNT) &&
        mm__vm_enough_memory(sim, parent, mm__vma_pages(src)))
        return MM_ENOMEM;
    struct mm_vma *vma = malloc(sizeof(*vma));
    if (!vma) {
        if (src->flags & MM_VM_ACCOUNT)
            mm__vm_acct_memory(sim, -(int64_t)mm__vma_pages(src));
        return MM_ENOMEM;
    }
    *vma = *src;
    vma->node = (struct mm_avl_node){0};
    vma->flags &= ~(uint64_t)MM_VM_LOCKED;
    if (vma->file)
        vma->file->vmas++;
    /* anon_vma_fork(): the child's VMA gets its own anon_vma */
    vma->anon_vma = 0;
    if (src->anon_vma && !(src->flags & MM_VM_WIPEONFORK))
        vma->anon_vma = ++sim->anon_vma_seq;
    mm__vma_link(mm, vma);
    mm__vm_stat_account(mm, vma->flags, (int64_t)mm__vma_pages(vma));
    if (src->flags & MM_VM_WIPEONFORK)
        return 0;
    return mm__copy_page_range(sim, mm, parent->mm, src);
}

static int dup_mmap(struct mm_sim *sim, const struct mm_task *parent,
                    struct mm_mm *mm)
{
    const struct mm_mm *old = parent->mm;
    mm->start_code = old->start_code;
    mm->end_code = old->end_code;
    mm->start_brk = old->start_brk;
    mm->brk = old->brk;
    mm->start_stack = old->start_stack;
    mm->gate_start = old->gate_start;
    mm->gate_end = old->gate_end;
    mm->gate_path = old->gate_path;
    for (struct mm_avl_node *n = mm__avl_first(&old->vmas); n;
         n = mm__avl_next(&old->vmas, n)) {
        const struct mm_vma *src = mm_container_of(n, struct mm_vma, node);
        if (src->flags & MM_VM_DONTCOPY)
            continue;
        int err = dup_vma(sim, parent, mm, src);
        if (err)
            return err;
    }
    mm->hiwater_rss = mm->rss_anon + mm->rss_file + mm->rss_shmem;
    mm->hiwater_vm = mm->total_vm;
    return 0;
}

/**
 * mm_fork() - fork(2)/clone(2) without CLONE_VM
 * @sim: the simulator
 * @parent: tgid of the caller
 * @child: tgid of the new process
 *
 * The child gets a copy of every VMA except VM_DONTCOPY ones; each
 * VM_ACCOUNT VMA is charged again (against the parent's mm, so mode 2 can
 * refuse the fork); anonymous pages become shared copy-on-write, except in
 * VM_WIPEONFORK VMAs, which start empty.
 * Return: 0, MM_ENOMEM (refused: nothing changes), MM_ESRCH, MM_EEXIST.
 * Kernel: kernel/fork.c dup_mm(), dup_mmap().
 */
int mm_fork(struct mm_sim *sim, uint32_t parent, uint32_t child)
{
    struct mm_task *p = mm__task_find(sim, parent);
    if (!p || !p->mm)
        return MM_ESRCH;
    if (mm__task_find(sim, child))
        return MM_EEXIST;
    struct mm_mm *mm = mm__mm_alloc();
    if (!mm)
        return MM_ENOMEM;
    int err = dup_mmap(sim, p, mm);
    if (err) {
        mm__mmput(sim, mm);
        return err;
    }
    struct mm_task *c = task_add(sim, child);
    if (!c) {
        mm__mmput(sim, mm);
        return MM_ENOMEM;
    }
    c->mm = mm;
    c->comm = p->comm;
    c->cap_sys_admin = p->cap_sys_admin;
    c->oom_score_adj = p->oom_score_adj; /* signal->oom_score_adj is copied */
    mm__mpol_fork(c, p);
    return 0;
}

/**
 * mm_vfork() - vfork(2) or clone(CLONE_VM) into a new process
 * @sim: the simulator
 * @parent: tgid of the caller
 * @child: tgid of the new process, which shares the parent's mm
 *
 * Return: 0, MM_ESRCH, MM_EEXIST, MM_ENOMEM (host).
 * Kernel: kernel/fork.c copy_mm() with CLONE_VM.
 */
int mm_vfork(struct mm_sim *sim, uint32_t parent, uint32_t child)
{
    struct mm_task *p = mm__task_find(sim, parent);
    if (!p || !p->mm)
        return MM_ESRCH;
    if (mm__task_find(sim, child))
        return MM_EEXIST;
    struct mm_task *c = task_add(sim, child);
    if (!c)
        return MM_ENOMEM;
    c->mm = p->mm;
    c->mm->users++;
    c->comm = p->comm;
    c->cap_sys_admin = p->cap_sys_admin;
    c->oom_score_adj = p->oom_score_adj; /* signal->oom_score_adj is copied */
    mm__mpol_fork(c, p);
    return 0;
}

static void set_layout(struct mm_task *task, const struct mm_exec_req *req)
{
    struct mm_mm *mm = task->mm;
    mm->start_brk = req->start_brk;
    mm->brk = req->brk ? req->brk : req->start_brk;
    mm->start_stack = req->start_stack;
    mm->start_code = req->start_code;
    mm->end_code = req->end_code;
    task->comm = req->path;
}

/**
 * mm_exec() - execve(2): a new, empty address space replaces the old one
 * @sim: the simulator
 * @pid: tgid (created if the trace has not seen it)
 * @req: the new break, stack, text range and path
 *
 * The VMAs of the new image follow as mm_vma_insert() calls. The old mm
 * loses a user (a vfork parent keeps it).
 * Return: 0, MM_ENOMEM (host).
 * Kernel: fs/exec.c exec_mmap(), begin_new_exec().
 */
int mm_exec(struct mm_sim *sim, uint32_t pid, const struct mm_exec_req *req)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        task = task_add(sim, pid);
    struct mm_mm *mm = task ? mm__mm_alloc() : NULL;
    if (!mm)
        return MM_ENOMEM;
    mm__mmput(sim, task->mm);
    task->mm = mm;
    set_layout(task, req);
    return 0;
}

/**
 * mm_set_layout() - the break, stack and text of an attached process
 * @sim: the simulator
 * @pid: tgid (from mm_task_new)
 * @req: start_brk and the current brk, start_stack, start_code/end_code,
 *       exec path (/proc/PID/stat fields 26-28, 47; brk from [heap])
 *
 * Return: 0 or MM_ESRCH.
 */
int mm_set_layout(struct mm_sim *sim, uint32_t pid, const struct mm_exec_req *req)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    set_layout(task, req);
    return 0;
}

/**
 * mm_exit() - the process exits; its address space goes with its last user
 * @sim: the simulator
 * @pid: tgid
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: kernel/exit.c exit_mm() → mmput().
 */
int mm_exit(struct mm_sim *sim, uint32_t pid)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    task_del(sim, task);
    return 0;
}

/**
 * mm_set_cap_sys_admin() - record whether @pid has CAP_SYS_ADMIN
 * @sim: the simulator
 * @pid: tgid
 * @cap: the capability (in the initial user namespace)
 *
 * Decides whether mode 2 leaves it the admin reserve.
 * Return: 0 or MM_ESRCH.
 * Kernel: security/commoncap.c cap_vm_enough_memory().
 */
int mm_set_cap_sys_admin(struct mm_sim *sim, uint32_t pid, bool cap)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    task->cap_sys_admin = cap;
    return 0;
}

/**
 * mm_task_pids() - the live processes, in ascending tgid order
 * @sim: the simulator
 * @pids: filled with up to @max tgids (may be NULL when @max is 0)
 * @max: room in @pids
 *
 * Return: the number of processes (may exceed @max: call again with room).
 */
size_t mm_task_pids(const struct mm_sim *sim, uint32_t *pids, size_t max)
{
    size_t n = 0;
    for (const struct mm_avl_node *node = mm__avl_first(&sim->tasks); node;
         node = mm__avl_next(&sim->tasks, node), n++)
        if (n < max)
            pids[n] = (uint32_t)node->key;
    return n;
}

/**
 * mm_aspace_destroy() - release every task, address space and page cache
 * @sim: the simulator (called by its teardown)
 */
void mm_aspace_destroy(struct mm_sim *sim)
{
    struct mm_avl_node *n;
    while ((n = mm__avl_first(&sim->tasks)))
        task_del(sim, mm_container_of(n, struct mm_task, node));
    mm__filemap_destroy(sim);
}
