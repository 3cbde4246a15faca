/*
 * mmap.c - creating and removing mappings: mmap, munmap, brk, and the VMAs
 * the kernel creates without a syscall (exec, attach snapshots).
 *
 * Mirrors mm/mmap.c (do_mmap, mmap_region, do_munmap, brk, do_brk_flags,
 * accountable_mapping) of 6.1 and their 6.12+ homes in mm/vma.c. Callers:
 * the replay, through the public mm_mmap/mm_munmap/mm_brk/mm_vma_insert.
 * The address is the one the real kernel chose (the syscall's result), so
 * no get_unmapped_area search is modelled; whatever already lies there is
 * replaced, as with MAP_FIXED.
 *
 * Simplified: a refused mmap over existing mappings leaves them in place,
 * as 6.12+ does (6.1 had already unmapped them). RLIMIT_AS/RLIMIT_DATA,
 * mmap_min_addr, mempolicies and
 * hugetlbfs reservations are not modelled (MAP_HUGETLB mappings are never
 * charged, as in the kernel, and cannot be faulted). MAP_POPULATE,
 * MAP_LOCKED and mlockall(MCL_FUTURE) populate through mlock.c.
 */
#include <stdlib.h>

#include "internal.h"

#define STACK_GUARD_GAP (256ull << MM_PAGE_SHIFT) /* stack_guard_gap default */
#define TASK_SIZE_MAX 0x7ffffffff000ull

static uint64_t page_align(uint64_t x)
{
    return (x + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
}

/**
 * mm__accountable_mapping() - whether a new mapping with @flags is charged
 * @flags: VM_* flags of the mapping
 *
 * Private writable mappings without VM_NORESERVE, not hugetlb.
 * Return: true if VM_ACCOUNT applies.
 * Kernel: mm/mmap.c (6.1) / mm/vma.c (6.13+) accountable_mapping().
 */
bool mm__accountable_mapping(uint64_t flags)
{
    return (flags & (MM_VM_NORESERVE | MM_VM_SHARED | MM_VM_WRITE |
                     MM_VM_HUGETLB)) == MM_VM_WRITE;
}

/**
 * mm__remove_vma() - unmap all of @vma and free it
 * @sim: the simulator
 * @mm: its address space
 * @vma: the VMA, linked in @mm
 *
 * Zaps its pages, returns its VM_ACCOUNT charge and its VM counters.
 * Kernel: mm/vma.c vms_complete_munmap_vmas(), remove_vma().
 */
void mm__remove_vma(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma)
{
    uint64_t pages = mm__vma_pages(vma);
    mm__zap_range(sim, mm, vma, vma->start, vma->end);
    if (vma->flags & MM_VM_ACCOUNT)
        mm__vm_acct_memory(sim, -(int64_t)pages);
    mm__vm_stat_account(mm, vma->flags, -(int64_t)pages);
    mm__vma_unlink(mm, vma);
    mm__vma_free(sim, vma);
}

/**
 * mm__do_munmap() - remove every mapping in [@start, @end)
 * @sim: the simulator
 * @mm: the address space
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Return: 0, or MM_ENOMEM when a split would exceed vm.max_map_count
 * (nothing is changed then).
 * Kernel: mm/vma.c do_vmi_munmap() (6.1: mm/mmap.c do_mas_munmap()).
 */
int mm__do_munmap(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                  uint64_t end)
{
    int err = mm__vma_isolate(sim, mm, start, end, true);
    if (err)
        return err;
    struct mm_vma *vma = mm__vma_first_after(mm, start);
    while (vma && vma->start < end) {
        struct mm_vma *next = mm__vma_next(mm, vma);
        mm__remove_vma(sim, mm, vma);
        vma = next;
    }
    mm__free_pgtables(mm, start, end);
    return 0;
}

static struct mm_task *task_of(struct mm_sim *sim, uint32_t pid)
{
    struct mm_task *task = mm__task_find(sim, pid);
    return task && task->mm ? task : NULL;
}

static uint64_t calc_vm_flags(const struct mm_sim *sim, uint32_t prot,
                              uint32_t flags)
{
    uint64_t vm = prot & MM_VM_PROT_MASK;
    if ((flags & 3) == MM_MAP_SHARED || (flags & 3) == MM_MAP_SHARED_VALIDATE)
        vm |= MM_VM_SHARED | MM_VM_MAYSHARE;
    if (flags & MM_MAP_GROWSDOWN)
        vm |= MM_VM_GROWSDOWN;
    if (flags & MM_MAP_LOCKED)
        vm |= MM_VM_LOCKED;
    if (flags & MM_MAP_HUGETLB)
        vm |= MM_VM_HUGETLB;
    /* do_mmap: MAP_NORESERVE is ignored when overcommit is NEVER */
    if ((flags & MM_MAP_NORESERVE) && sim->vm.overcommit_memory != 2)
        vm |= MM_VM_NORESERVE;
    return vm;
}

/* VM_ACCOUNT pages of [start, end): the charge a replacing mapping inherits. */
static uint64_t accounted_in(const struct mm_mm *mm, uint64_t start,
                             uint64_t end)
{
    uint64_t pages = 0;
    for (const struct mm_vma *v = mm__vma_first_after(mm, start);
         v && v->start < end; v = mm__vma_next(mm, v)) {
        if (!(v->flags & MM_VM_ACCOUNT))
            continue;
        uint64_t s = v->start > start ? v->start : start;
        uint64_t e = v->end < end ? v->end : end;
        pages += (e - s) >> MM_PAGE_SHIFT;
    }
    return pages;
}

static struct mm_vma *vma_new(uint64_t start, uint64_t end, uint64_t flags)
{
    struct mm_vma *vma = calloc(1, sizeof(*vma));
    if (vma) {
        vma->start = start;
        vma->end = end;
        vma->flags = flags;
        vma->pgoff = start >> MM_PAGE_SHIFT;
    }
    return vma;
}

/* Attach the backing object: a file's page cache or a new shmem object. */
static int attach_object(struct mm_sim *sim, struct mm_vma *vma,
                         const struct mm_map_req *req)
{
    vma->path = req->path;
    if (req->dev == MM_SHMEM_DEV) {
        vma->pgoff = req->pgoff;
        vma->file = mm__shmem_named(sim, req->ino);
    } else if (req->dev || req->ino) {
        vma->pgoff = req->pgoff;
        vma->file = mm__file_get(sim, req->dev, req->ino);
    } else if (vma->flags & MM_VM_SHARED) {
        vma->pgoff = 0; /* shmem_zero_setup: offset into the new object */
        vma->file = mm__shmem_new(sim);
    } else {
        return 0;
    }
    return vma->file ? 0 : MM_ENOMEM;
}

/* shmem_acct_size(): a shared anonymous object is charged in full. */
static int shmem_charge(struct mm_sim *sim, const struct mm_task *task,
                        struct mm_vma *vma)
{
    if (!vma->file || !vma->file->shmem || vma->file->named ||
        (vma->flags & MM_VM_NORESERVE))
        return 0;
    uint64_t pages = mm__vma_pages(vma);
    int err = mm__vm_enough_memory(sim, task, pages);
    if (!err)
        vma->file->charged = pages;
    return err;
}

/* Charge a new VMA: VM_ACCOUNT (minus what it inherits) or its shmem object. */
static int charge_new(struct mm_sim *sim, const struct mm_task *task,
                      struct mm_vma *vma, uint64_t inherited)
{
    if (mm__accountable_mapping(vma->flags)) {
        uint64_t charge = mm__vma_pages(vma) - inherited;
        if (charge && mm__vm_enough_memory(sim, task, charge))
            return MM_ENOMEM;
        vma->flags |= MM_VM_ACCOUNT;
        return 0;
    }
    return shmem_charge(sim, task, vma);
}

/* Unmap [start, end) whose charge the new VMA took over (not unaccounted). */
static void replace_range(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                          uint64_t end, bool keep_charge)
{
    uint64_t inherited = accounted_in(mm, start, end);
    mm__do_munmap(sim, mm, start, end);
    if (keep_charge)
        mm__vm_acct_memory(sim, (int64_t)inherited);
}

static int mmap_region(struct mm_sim *sim, struct mm_task *task,
                       struct mm_vma *vma, bool merge)
{
    struct mm_mm *mm = task->mm;
    uint64_t inherited = accounted_in(mm, vma->start, vma->end);
    const struct mm_vma *old = mm__vma_find(mm, vma->start);
    if (old && old->start < vma->start && vma->end < old->end &&
        mm->vmas.count >= (uint64_t)sim->vm.max_map_count)
        return MM_ENOMEM; /* munmap's split check, as vms_gather_munmap_vmas */
    if (!mm__accountable_mapping(vma->flags))
        inherited = 0;
    int err = charge_new(sim, task, vma, inherited);
    if (err)
        return err;
    replace_range(sim, mm, vma->start, vma->end, inherited != 0);
    mm__vma_link(mm, vma);
    mm__vm_stat_account(mm, vma->flags, (int64_t)mm__vma_pages(vma));
    if (merge)
        mm__vma_try_merge(sim, mm, vma);
    return 0;
}

static int check_range(uint64_t addr, uint64_t len)
{
    if (addr & (MM_PAGE_SIZE - 1) || !len)
        return MM_EINVAL;
    if (page_align(len) < len || addr + page_align(len) < addr)
        return MM_EINVAL;
    return 0;
}

/**
 * mm_mmap() - a successful-or-refused mmap(2) at the address the kernel chose
 * @sim: the simulator
 * @pid: tgid of the caller
 * @req: the call's arguments and result address
 *
 * Return: 0; MM_ENOMEM when the simulated kernel refuses (commit policy or
 * vm.max_map_count), state unchanged; MM_EEXIST for MAP_FIXED_NOREPLACE over
 * a mapping; MM_EINVAL, MM_ESRCH for bad input.
 * Kernel: mm/mmap.c do_mmap(), mmap_region().
 */
int mm_mmap(struct mm_sim *sim, uint32_t pid, const struct mm_map_req *req)
{
    struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    int err = check_range(req->addr, req->len);
    if (err)
        return err;
    struct mm_mm *mm = task->mm;
    uint64_t end = req->addr + page_align(req->len);
    if (mm->vmas.count > (uint64_t)sim->vm.max_map_count)
        return MM_ENOMEM;
    struct mm_vma *old = mm__vma_first_after(mm, req->addr);
    if ((req->flags & MM_MAP_FIXED_NOREPLACE) && old && old->start < end)
        return MM_EEXIST;
    uint64_t vm_flags = calc_vm_flags(sim, req->prot, req->flags) |
                        mm->def_flags;
    struct mm_vma *vma = vma_new(req->addr, end, vm_flags);
    if (!vma)
        return MM_ENOMEM;
    err = attach_object(sim, vma, req);
    if (!err)
        err = mmap_region(sim, task, vma, true);
    if (err) {
        mm__vma_free(sim, vma);
        return err;
    }
    /* vm_mmap_pgoff(): mm_populate(); its failure does not fail the mmap */
    if ((vm_flags & MM_VM_LOCKED) ||
        (req->flags & (MM_MAP_POPULATE | MM_MAP_NONBLOCK)) == MM_MAP_POPULATE)
        mm__populate(sim, task, req->addr, end);
    return 0;
}

/**
 * mm_munmap() - munmap(2)
 * @sim: the simulator
 * @pid: tgid
 * @addr: page-aligned start
 * @len: length (rounded up to pages)
 *
 * Return: 0, MM_ENOMEM (a split beyond vm.max_map_count), MM_EINVAL.
 * Kernel: mm/mmap.c __vm_munmap().
 */
int mm_munmap(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len)
{
    struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    int err = check_range(addr, len);
    return err ? err : mm__do_munmap(sim, task->mm, addr,
                                     addr + page_align(len));
}

/* do_brk_flags(): a VM_ACCOUNT data mapping, merged with the heap below. */
static int do_brk_flags(struct mm_sim *sim, struct mm_task *task,
                        uint64_t addr, uint64_t len)
{
    struct mm_vma *vma = vma_new(addr, addr + len,
                                 MM_VM_READ | MM_VM_WRITE | MM_VM_ACCOUNT |
                                     task->mm->def_flags);
    if (!vma)
        return MM_ENOMEM;
    int err = MM_ENOMEM;
    if (task->mm->vmas.count <= (uint64_t)sim->vm.max_map_count)
        err = mm__vm_enough_memory(sim, task, len >> MM_PAGE_SHIFT);
    if (err) {
        free(vma);
        return err;
    }
    mm__vma_link(task->mm, vma);
    mm__vm_stat_account(task->mm, vma->flags, (int64_t)(len >> MM_PAGE_SHIFT));
    mm__vma_try_merge(sim, task->mm, vma);
    return 0;
}

static bool brk_collides(const struct mm_mm *mm, uint64_t oldbrk,
                         uint64_t newbrk)
{
    const struct mm_vma *next = mm__vma_first_after(mm, oldbrk);
    if (!next)
        return newbrk > TASK_SIZE_MAX;
    uint64_t gap = next->start;
    if (next->flags & MM_VM_GROWSDOWN)
        gap = gap > STACK_GUARD_GAP ? gap - STACK_GUARD_GAP : 0;
    return newbrk + MM_PAGE_SIZE > gap;
}

/**
 * mm_brk() - the brk(2) syscall
 * @sim: the simulator
 * @pid: tgid
 * @brk: the requested break
 * @result: the break the syscall returns: @brk on success, the old break
 *          when the simulated kernel refuses (the syscall's only failure)
 *
 * Return: 0 when the break moved (or stayed by request), MM_ENOMEM when it
 * was refused (*@result is then the old break), MM_ESRCH.
 * Kernel: mm/mmap.c SYSCALL_DEFINE1(brk).
 */
int mm_brk(struct mm_sim *sim, uint32_t pid, uint64_t brk, uint64_t *result)
{
    struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    struct mm_mm *mm = task->mm;
    *result = mm->brk;
    if (brk < mm->start_brk)
        return brk == 0 ? 0 : MM_ENOMEM; /* brk(0) is the query */
    uint64_t newbrk = page_align(brk), oldbrk = page_align(mm->brk);
    if (newbrk == oldbrk || brk <= mm->brk) {
        if (newbrk < oldbrk && mm__do_munmap(sim, mm, newbrk, oldbrk))
            return MM_ENOMEM;
        mm->brk = brk;
        *result = brk;
        return 0;
    }
    if (brk_collides(mm, oldbrk, newbrk) ||
        do_brk_flags(sim, task, oldbrk, newbrk - oldbrk))
        return MM_ENOMEM;
    mm->brk = brk;
    *result = brk;
    if (mm->def_flags & MM_VM_LOCKED)
        mm__populate(sim, task, oldbrk, newbrk);
    return 0;
}

static int insert_gate(struct mm_mm *mm, const struct mm_map_req *req)
{
    mm->gate_start = req->addr;
    mm->gate_end = req->addr + page_align(req->len);
    mm->gate_path = req->path;
    return 0;
}

/**
 * mm_vma_insert() - a VMA the kernel created without a syscall
 * @sim: the simulator
 * @pid: tgid
 * @req: the VMA as /proc/PID/maps lists it (addr, len, prot, MAP_SHARED or
 *       MAP_PRIVATE, MAP_GROWSDOWN for the stack, file identity, path,
 *       special for kernel-named VMAs such as [vdso])
 *
 * Used after exec (ELF segments, stack, vdso) and for snapshots at attach.
 * Charged like the kernel charges them (writable private segments and the
 * stack carry VM_ACCOUNT); never merged, since the trace lists the VMAs as
 * the kernel kept them. The [vsyscall] gate area lies above the user
 * address space and is kept outside the VMA set, as the kernel does.
 * Return: 0, MM_ENOMEM (refused charge), MM_EINVAL, MM_ESRCH.
 * Kernel: mm/mmap.c insert_vm_struct(); fs/exec.c setup_arg_pages().
 */
int mm_vma_insert(struct mm_sim *sim, uint32_t pid, const struct mm_map_req *req)
{
    struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    int err = check_range(req->addr, req->len);
    if (err)
        return err;
    if (req->addr >= TASK_SIZE_MAX)
        return insert_gate(task->mm, req);
    uint64_t end = req->addr + page_align(req->len);
    struct mm_vma *vma = vma_new(req->addr, end,
                                 calc_vm_flags(sim, req->prot, req->flags));
    if (!vma)
        return MM_ENOMEM;
    vma->special = req->special;
    err = attach_object(sim, vma, req);
    if (!err && !req->special)
        err = mmap_region(sim, task, vma, false);
    else if (!err) {
        replace_range(sim, task->mm, vma->start, vma->end, false);
        mm__vma_link(task->mm, vma);
        mm__vm_stat_account(task->mm, vma->flags, (int64_t)mm__vma_pages(vma));
    }
    if (err)
        mm__vma_free(sim, vma);
    return err;
}
