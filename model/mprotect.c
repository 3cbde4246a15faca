/*
 * mprotect.c - changing existing mappings in place: mprotect(2) with its
 * commit charging, and madvise(2).
 *
 * Mirrors mm/mprotect.c (do_mprotect_pkey, mprotect_fixup) and
 * mm/madvise.c (madvise_behavior_valid, madvise_update_vma,
 * madvise_dontneed_free, madvise_remove), 6.1 to 6.18. Callers: the replay
 * through mm_mprotect() and mm_madvise().
 *
 * Simplified: mprotect checks the whole range (holes, vm.max_map_count,
 * commit) before changing anything, so a refusal leaves every VMA as it was
 * (the kernel may already have changed the VMAs below the failing one;
 * success cases are identical). MADV_REMOVE punches the hole in the object
 * and unmaps it from the calling process only. MADV_WILLNEED is accepted
 * without modelling readahead; advice values not listed are MM_ENOSYS.
 */
#include "internal.h"

static uint64_t page_align(uint64_t x)
{
    return (x + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
}

static uint64_t overlap_pages(const struct mm_vma *v, uint64_t start,
                              uint64_t end)
{
    uint64_t s = v->start > start ? v->start : start;
    uint64_t e = v->end < end ? v->end : end;
    return (e - s) >> MM_PAGE_SHIFT;
}

static bool needs_charge(uint64_t oldflags, uint64_t newflags)
{
    return (newflags & MM_VM_WRITE) &&
           !(oldflags & (MM_VM_ACCOUNT | MM_VM_WRITE | MM_VM_HUGETLB |
                         MM_VM_SHARED | MM_VM_NORESERVE));
}

/* >= 6.6: a never-faulted anonymous VMA made read-only returns its charge. */
static bool drops_charge(const struct mm_sim *sim, const struct mm_vma *vma,
                         uint64_t newflags)
{
    return sim->machine.kernel >= MM_KERNEL(6, 6) &&
           !(newflags & MM_VM_WRITE) && (vma->flags & MM_VM_ACCOUNT) &&
           !vma->file && !vma->anon_vma;
}

/**
 * mm__vma_set_flags() - give @vma new flags, re-classifying its pages
 * @sim: the simulator
 * @mm: the address space
 * @vma: the VMA
 * @newflags: its new VM_* flags
 *
 * Kernel: mm/vma.c vma_modify_flags() with vm_stat_account() as callers do.
 */
void mm__vma_set_flags(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                       uint64_t newflags)
{
    int64_t pages = (int64_t)mm__vma_pages(vma);
    mm__vm_stat_account(mm, vma->flags, -pages);
    mm__vm_stat_account(mm, newflags, pages);
    bool prot_changed = (vma->flags ^ newflags) & MM_VM_PROT_MASK;
    vma->flags = newflags;
    if (prot_changed)
        mm__change_protection(sim, mm, vma);
}

/**
 * mm__vma_merge_range() - merge the VMAs from just below @start to @end
 * @sim: the simulator
 * @mm: the address space
 * @start: start of the changed range
 * @end: end of the changed range
 *
 * Kernel: the vma_merge() attempts of mprotect_fixup(), madvise_update_vma(),
 * mlock_fixup().
 */
void mm__vma_merge_range(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                         uint64_t end)
{
    struct mm_vma *v = mm__vma_first_after(mm, start ? start - 1 : 0);
    while (v && v->start <= end) {
        v = mm__vma_try_merge(sim, mm, v);
        v = mm__vma_next(mm, v);
    }
}

static void mprotect_apply(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                           uint64_t end, uint64_t prot)
{
    for (struct mm_vma *v = mm__vma_find(mm, start); v && v->start < end;
         v = mm__vma_next(mm, v)) {
        uint64_t newflags = (v->flags & ~(uint64_t)MM_VM_PROT_MASK) | prot;
        if (needs_charge(v->flags, newflags))
            newflags |= MM_VM_ACCOUNT;
        else if (drops_charge(sim, v, newflags)) {
            newflags &= ~(uint64_t)MM_VM_ACCOUNT;
            mm__vm_acct_memory(sim, -(int64_t)mm__vma_pages(v));
        }
        mm__vma_set_flags(sim, mm, v, newflags);
    }
    mm__vma_merge_range(sim, mm, start, end);
}

/**
 * mm_mprotect() - mprotect(2)
 * @sim: the simulator
 * @pid: tgid
 * @addr: page-aligned start
 * @len: length (rounded up to pages)
 * @prot: MM_PROT_* bits
 *
 * Making a private mapping writable charges it (VM_ACCOUNT) unless it was
 * already charged, shared, NORESERVE or hugetlb; from 6.6 making a
 * never-faulted private anonymous VMA read-only returns its charge.
 * Return: 0; MM_ENOMEM for a hole in the range, a refused charge or too
 * many VMAs (state unchanged); MM_EINVAL.
 * Kernel: mm/mprotect.c do_mprotect_pkey(), mprotect_fixup().
 */
int mm_mprotect(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len,
                uint32_t prot)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    if (addr & (MM_PAGE_SIZE - 1) || page_align(len) < len)
        return MM_EINVAL;
    struct mm_mm *mm = task->mm;
    uint64_t end = addr + page_align(len), charge = 0;
    if (end == addr)
        return 0;
    if (!mm__range_mapped(mm, addr, end))
        return MM_ENOMEM;
    prot &= MM_VM_PROT_MASK;
    for (const struct mm_vma *v = mm__vma_find(mm, addr); v && v->start < end;
         v = mm__vma_next(mm, v))
        if (needs_charge(v->flags, (v->flags & ~(uint64_t)MM_VM_PROT_MASK) | prot))
            charge += overlap_pages(v, addr, end);
    unsigned splits = mm__vma_splits_needed(mm, addr, end);
    if (splits && mm->vmas.count + splits > (uint64_t)sim->vm.max_map_count)
        return MM_ENOMEM;
    if (charge && mm__vm_enough_memory(sim, task, charge))
        return MM_ENOMEM;
    /* charged as one sum: VM_ACCOUNT is set per VMA in mprotect_apply() */
    mm__vma_isolate(sim, mm, addr, end, false);
    mprotect_apply(sim, mm, addr, end, prot);
    return 0;
}

/* The VM_* change an advice makes, or false if it changes no flags. */
static bool advice_flags(int advice, uint64_t *set, uint64_t *clear)
{
    static const struct {
        int advice;
        uint64_t set, clear;
    } table[] = {
        {MM_MADV_NORMAL, 0, MM_VM_SEQ_READ | MM_VM_RAND_READ},
        {MM_MADV_RANDOM, MM_VM_RAND_READ, MM_VM_SEQ_READ},
        {MM_MADV_SEQUENTIAL, MM_VM_SEQ_READ, MM_VM_RAND_READ},
        {MM_MADV_DONTFORK, MM_VM_DONTCOPY, 0},
        {MM_MADV_DOFORK, 0, MM_VM_DONTCOPY},
        {MM_MADV_WIPEONFORK, MM_VM_WIPEONFORK, 0},
        {MM_MADV_KEEPONFORK, 0, MM_VM_WIPEONFORK},
        {MM_MADV_HUGEPAGE, MM_VM_HUGEPAGE, MM_VM_NOHUGEPAGE},
        {MM_MADV_NOHUGEPAGE, MM_VM_NOHUGEPAGE, MM_VM_HUGEPAGE},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].advice == advice) {
            *set = table[i].set;
            *clear = table[i].clear;
            return true;
        }
    return false;
}

static int madvise_update(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                          uint64_t end, int advice)
{
    uint64_t set = 0, clear = 0;
    advice_flags(advice, &set, &clear);
    for (const struct mm_vma *v = mm__vma_first_after(mm, start);
         v && v->start < end; v = mm__vma_next(mm, v))
        if (advice == MM_MADV_WIPEONFORK && (v->file || (v->flags & MM_VM_SHARED)))
            return MM_EINVAL;
    int err = mm__vma_isolate(sim, mm, start, end, false);
    if (err)
        return err;
    for (struct mm_vma *v = mm__vma_first_after(mm, start);
         v && v->start < end; v = mm__vma_next(mm, v))
        mm__vma_set_flags(sim, mm, v, (v->flags & ~clear) | set);
    mm__vma_merge_range(sim, mm, start, end);
    return 0;
}

/* MADV_DONTNEED / MADV_FREE / MADV_REMOVE on the part of @v in range. */
static int madvise_pages(struct mm_sim *sim, struct mm_mm *mm,
                         struct mm_vma *v, uint64_t start, uint64_t end,
                         int advice)
{
    uint64_t s = v->start > start ? v->start : start;
    uint64_t e = v->end < end ? v->end : end;
    if (v->flags & (MM_VM_LOCKED | MM_VM_HUGETLB))
        return MM_EINVAL;
    if (advice == MM_MADV_DONTNEED) {
        mm__zap_range(sim, mm, v, s, e);
        return 0;
    }
    if (advice == MM_MADV_FREE) {
        if (v->file || (v->flags & MM_VM_SHARED))
            return MM_EINVAL;
        mm__madvise_free(sim, mm, v, s, e);
        return 0;
    }
    if (!v->file)
        return MM_EINVAL;
    if (!(v->flags & MM_VM_SHARED))
        return MM_EACCES;
    mm__zap_range(sim, mm, v, s, e);
    uint64_t first = v->pgoff + ((s - v->start) >> MM_PAGE_SHIFT);
    mm__file_remove_range(sim, v->file, first,
                          first + ((e - s) >> MM_PAGE_SHIFT));
    return 0;
}

/**
 * mm_madvise() - madvise(2)
 * @sim: the simulator
 * @pid: tgid
 * @addr: page-aligned start
 * @len: length (rounded up to pages)
 * @advice: MM_MADV_*
 *
 * DONTNEED unmaps (anonymous pages are freed, the next touch faults a zero
 * page), FREE marks exclusive anonymous pages lazily freeable, REMOVE
 * punches a hole in a shared mapping's object; the fork and huge-page
 * advices and the readahead hints change VMA flags (splitting and merging
 * VMAs as /proc/PID/maps shows).
 * Return: 0; MM_ENOMEM if part of the range is unmapped (the mapped parts
 * are still advised) or splitting exceeds vm.max_map_count; MM_EINVAL,
 * MM_EACCES as the kernel; MM_ENOSYS for advice the model lacks.
 * Kernel: mm/madvise.c do_madvise(), madvise_vma_behavior().
 */
int mm_madvise(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len,
               int advice)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    uint64_t set, clear, end = addr + page_align(len);
    bool flag_advice = advice_flags(advice, &set, &clear);
    if (!flag_advice && advice != MM_MADV_DONTNEED && advice != MM_MADV_FREE &&
        advice != MM_MADV_REMOVE && advice != MM_MADV_WILLNEED)
        return MM_ENOSYS;
    if (addr & (MM_PAGE_SIZE - 1) || end < addr)
        return MM_EINVAL;
    if (end == addr)
        return 0;
    struct mm_mm *mm = task->mm;
    int hole = mm__range_mapped(mm, addr, end) ? 0 : MM_ENOMEM;
    if (flag_advice) {
        int err = madvise_update(sim, mm, addr, end, advice);
        return err ? err : hole;
    }
    if (advice == MM_MADV_WILLNEED)
        return hole;
    for (struct mm_vma *v = mm__vma_first_after(mm, addr); v && v->start < end;
         v = mm__vma_next(mm, v)) {
        int err = madvise_pages(sim, mm, v, addr, end, advice);
        if (err)
            return err;
    }
    return hole;
}
