/*
 * mlock.c - locking mappings in memory and pre-faulting them: mlock(2),
 * mlock2(MLOCK_ONFAULT), munlock(2), mlockall(2), munlockall(2), and the
 * population that mlock, MAP_POPULATE, MAP_LOCKED and a locked brk do.
 *
 * Mirrors mm/mlock.c (do_mlock, apply_vma_lock_flags, mlock_fixup,
 * apply_mlockall_flags) and mm/gup.c (__mm_populate,
 * populate_vma_page_range) of 6.1-6.18. Callers: the replay through the
 * public calls; mmap.c for MAP_POPULATE/MAP_LOCKED and brk.
 *
 * Population faults pages in as get_user_pages() does: write faults for
 * private writable mappings, read faults otherwise, none for PROT_NONE,
 * VM_LOCKONFAULT or hugetlb. Those faults count in pgfault and in the
 * task's min_flt/maj_flt (mm_account_fault without regs) but produce no
 * perf event, so a trace never shows them: the model must make them.
 * Simplified: RLIMIT_MEMLOCK and the unevictable LRU are not modelled; a
 * locked range with a hole is refused as a whole (the kernel may have
 * locked the VMAs below the hole).
 */
#include "internal.h"

#define MM_MLOCK_ONFAULT 1u
#define MM_MCL_CURRENT 1
#define MM_MCL_FUTURE 2
#define MM_MCL_ONFAULT 4
#define LOCKED_MASK ((uint64_t)(MM_VM_LOCKED | MM_VM_LOCKONFAULT))

/**
 * mm__populate() - fault in every page of [@start, @end) as GUP would
 * @sim: the simulator
 * @task: the task whose mm is populated
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Return: 0 or MM_ENOMEM (no frame).
 * Kernel: mm/gup.c __mm_populate(), populate_vma_page_range().
 */
int mm__populate(struct mm_sim *sim, struct mm_task *task, uint64_t start,
                 uint64_t end)
{
    struct mm_mm *mm = task->mm;
    for (struct mm_vma *v = mm__vma_first_after(mm, start); v && v->start < end;
         v = mm__vma_next(mm, v)) {
        if (!(v->flags & MM_VM_PROT_MASK) ||
            (v->flags & (MM_VM_LOCKONFAULT | MM_VM_HUGETLB)))
            continue;
        bool write = (v->flags & (MM_VM_WRITE | MM_VM_SHARED)) == MM_VM_WRITE;
        uint64_t s = v->start > start ? v->start : start;
        uint64_t e = v->end < end ? v->end : end;
        for (uint64_t a = s; a < e; a += MM_PAGE_SIZE) {
            int err = mm__handle_fault(sim, task, v, a, write);
            if (err)
                return err;
        }
    }
    return 0;
}

/* mlock_fixup(): special and hugetlb VMAs are never marked locked. */
static void lock_range(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                       uint64_t end, uint64_t lock)
{
    for (struct mm_vma *v = mm__vma_first_after(mm, start); v && v->start < end;
         v = mm__vma_next(mm, v))
        if (!v->special && !(v->flags & MM_VM_HUGETLB))
            mm__vma_set_flags(sim, mm, v, (v->flags & ~LOCKED_MASK) | lock);
    mm__vma_merge_range(sim, mm, start, end);
}

static int lock_request(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                        uint64_t len, uint64_t lock)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    uint64_t start = addr & ~(MM_PAGE_SIZE - 1);
    uint64_t end = (addr + len + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
    if (end < start)
        return MM_EINVAL;
    if (end == start)
        return 0;
    if (!mm__range_mapped(task->mm, start, end))
        return MM_ENOMEM;
    int err = mm__vma_isolate(sim, task->mm, start, end, false);
    if (err)
        return err;
    lock_range(sim, task->mm, start, end, lock);
    if ((lock & MM_VM_LOCKED) && !(lock & MM_VM_LOCKONFAULT))
        return mm__populate(sim, task, start, end);
    return 0;
}

/**
 * mm_mlock() - mlock(2) / mlock2(2)
 * @sim: the simulator
 * @pid: tgid
 * @addr: start (rounded down to a page)
 * @len: length (the end is rounded up)
 * @flags: mlock2 flags: MLOCK_ONFAULT (1) locks without populating
 *
 * Return: 0; MM_ENOMEM for a hole, too many VMAs or no frame while
 * populating; MM_EINVAL.
 * Kernel: mm/mlock.c do_mlock().
 */
int mm_mlock(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len,
             unsigned flags)
{
    uint64_t lock = MM_VM_LOCKED;
    if (flags & MM_MLOCK_ONFAULT)
        lock |= MM_VM_LOCKONFAULT;
    return lock_request(sim, pid, addr, len, lock);
}

/**
 * mm_munlock() - munlock(2)
 * @sim: the simulator
 * @pid: tgid
 * @addr: start
 * @len: length
 *
 * Return: 0, MM_ENOMEM (hole or too many VMAs), MM_EINVAL.
 * Kernel: mm/mlock.c SYSCALL_DEFINE2(munlock).
 */
int mm_munlock(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len)
{
    return lock_request(sim, pid, addr, len, 0);
}

/**
 * mm_mlockall() - mlockall(2)
 * @sim: the simulator
 * @pid: tgid
 * @flags: MCL_CURRENT (1), MCL_FUTURE (2), MCL_ONFAULT (4)
 *
 * MCL_FUTURE makes later mappings and brk growth locked (and populated
 * unless MCL_ONFAULT); MCL_CURRENT locks and populates every VMA now.
 * Return: 0, MM_EINVAL, MM_ENOMEM (no frame while populating), MM_ESRCH.
 * Kernel: mm/mlock.c apply_mlockall_flags().
 */
int mm_mlockall(struct mm_sim *sim, uint32_t pid, int flags)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    if (!(flags & (MM_MCL_CURRENT | MM_MCL_FUTURE)) ||
        (flags & ~(MM_MCL_CURRENT | MM_MCL_FUTURE | MM_MCL_ONFAULT)))
        return MM_EINVAL;
    uint64_t lock = MM_VM_LOCKED;
    if (flags & MM_MCL_ONFAULT)
        lock |= MM_VM_LOCKONFAULT;
    task->mm->def_flags = (flags & MM_MCL_FUTURE) ? lock : 0;
    if (!(flags & MM_MCL_CURRENT))
        return 0;
    lock_range(sim, task->mm, 0, UINT64_MAX, lock);
    return (lock & MM_VM_LOCKONFAULT) ? 0
                                      : mm__populate(sim, task, 0, UINT64_MAX);
}

/**
 * mm_munlockall() - munlockall(2): unlock everything, clear MCL_FUTURE
 * @sim: the simulator
 * @pid: tgid
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: mm/mlock.c SYSCALL_DEFINE0(munlockall).
 */
int mm_munlockall(struct mm_sim *sim, uint32_t pid)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    task->mm->def_flags = 0;
    lock_range(sim, task->mm, 0, UINT64_MAX, 0);
    return 0;
}
