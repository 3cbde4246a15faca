/*
 * mremap.c - resizing and moving mappings: shrink, grow in place, move
 * (MREMAP_MAYMOVE, MREMAP_FIXED) and MREMAP_DONTUNMAP.
 *
 * Mirrors mm/mremap.c of 6.1-6.18 (mremap syscall, vma_to_resize,
 * mremap_to, move_vma). Callers: the replay through mm_mremap(). Whether
 * the kernel moved the mapping is read from the result address the trace
 * recorded.
 *
 * Charging (VM_ACCOUNT mappings only): growing charges the added pages,
 * DONTUNMAP charges the whole new length (the old VMA keeps its charge),
 * a plain move transfers the charge. Simplified: old_len == 0 (duplicating
 * a shared mapping) is MM_ENOSYS; a refused move leaves the state unchanged
 * (the kernel may already have unmapped the MREMAP_FIXED destination).
 */
#include <stdlib.h>

#include "internal.h"

static uint64_t page_align(uint64_t x)
{
    return (x + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
}

static int grow_in_place(struct mm_sim *sim, struct mm_task *task,
                         struct mm_vma *vma, uint64_t new_end)
{
    struct mm_mm *mm = task->mm;
    struct mm_vma *next = mm__vma_next(mm, vma);
    if (next && next->start < new_end)
        return MM_ENOMEM;
    uint64_t delta = (new_end - vma->end) >> MM_PAGE_SHIFT;
    if ((vma->flags & MM_VM_ACCOUNT) && mm__vm_enough_memory(sim, task, delta))
        return MM_ENOMEM;
    vma->end = new_end;
    mm__vm_stat_account(mm, vma->flags, (int64_t)delta);
    mm__vma_try_merge(sim, mm, vma);
    return 0;
}

static uint64_t move_charge(const struct mm_vma *vma,
                            const struct mm_mremap_req *r, uint64_t old_len,
                            uint64_t new_len)
{
    if (!(vma->flags & MM_VM_ACCOUNT))
        return 0;
    if (r->flags & MM_MREMAP_DONTUNMAP)
        return new_len >> MM_PAGE_SHIFT;
    return new_len > old_len ? (new_len - old_len) >> MM_PAGE_SHIFT : 0;
}

/* copy_vma(): the new VMA at the destination, same object and offset. */
static struct mm_vma *copy_vma(struct mm_mm *mm, const struct mm_vma *src,
                               uint64_t addr, uint64_t len)
{
    struct mm_vma *vma = malloc(sizeof(*vma));
    if (!vma)
        return NULL;
    *vma = *src;
    vma->node = (struct mm_avl_node){0};
    vma->start = addr;
    vma->end = addr + len;
    /* a never-faulted anonymous VMA takes the offset of its new place */
    if (!vma->file && !vma->anon_vma)
        vma->pgoff = addr >> MM_PAGE_SHIFT;
    if (vma->file)
        vma->file->vmas++;
    mm__vma_link(mm, vma);
    mm__vm_stat_account(mm, vma->flags, (int64_t)(len >> MM_PAGE_SHIFT));
    return vma;
}

static int move_vma(struct mm_sim *sim, struct mm_task *task,
                    const struct mm_mremap_req *r, uint64_t old_len,
                    uint64_t new_len)
{
    struct mm_mm *mm = task->mm;
    struct mm_vma *vma = mm__vma_find(mm, r->old_addr);
    uint64_t charge = move_charge(vma, r, old_len, new_len);
    uint64_t hiwater_vm = mm->hiwater_vm;
    if (mm->vmas.count + 3 >= (uint64_t)sim->vm.max_map_count)
        return MM_ENOMEM;
    if (charge && mm__vm_enough_memory(sim, task, charge))
        return MM_ENOMEM;
    mm__do_munmap(sim, mm, r->new_addr, r->new_addr + new_len);
    if (new_len < old_len) {
        mm__do_munmap(sim, mm, r->old_addr + new_len, r->old_addr + old_len);
        old_len = new_len;
    }
    mm__vma_isolate(sim, mm, r->old_addr, r->old_addr + old_len, false);
    vma = mm__vma_find(mm, r->old_addr);
    struct mm_vma *moved = copy_vma(mm, vma, r->new_addr, new_len);
    if (!moved)
        return MM_ENOMEM;
    mm__move_page_range(sim, mm, r->old_addr, r->new_addr, old_len);
    if (!(r->flags & MM_MREMAP_DONTUNMAP)) {
        vma->flags &= ~(uint64_t)MM_VM_ACCOUNT; /* the charge moved along */
        mm__remove_vma(sim, mm, vma);
        mm__free_pgtables(mm, r->old_addr, r->old_addr + old_len);
    }
    mm__vma_try_merge(sim, mm, moved);
    mm->hiwater_vm = hiwater_vm; /* move_vma() hides the transient peak */
    return 0;
}

/**
 * mm_mremap() - mremap(2), with the address the kernel returned
 * @sim: the simulator
 * @pid: tgid
 * @r: old_addr, old_len, new_len, flags and the result address
 *
 * Return: 0; MM_ENOMEM when refused (commit, no room to grow in place,
 * vm.max_map_count); MM_EFAULT when the old range is not inside one VMA;
 * MM_EINVAL; MM_ENOSYS for old_len == 0.
 * Kernel: mm/mremap.c SYSCALL_DEFINE5(mremap).
 */
int mm_mremap(struct mm_sim *sim, uint32_t pid, const struct mm_mremap_req *r)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    uint64_t old_len = page_align(r->old_len), new_len = page_align(r->new_len);
    if (r->old_addr & (MM_PAGE_SIZE - 1) || r->new_addr & (MM_PAGE_SIZE - 1) ||
        !new_len)
        return MM_EINVAL;
    if (!old_len)
        return MM_ENOSYS;
    struct mm_vma *vma = mm__vma_find(task->mm, r->old_addr);
    if (!vma || r->old_addr + old_len > vma->end)
        return MM_EFAULT;
    bool move = (r->flags & (MM_MREMAP_FIXED | MM_MREMAP_DONTUNMAP)) ||
                r->new_addr != r->old_addr;
    /* mremap_to(): the old and new ranges must not overlap */
    if (move && r->old_addr + old_len > r->new_addr &&
        r->new_addr + new_len > r->old_addr)
        return MM_EINVAL;
    if (move)
        return move_vma(sim, task, r, old_len, new_len);
    if (new_len <= old_len)
        return mm__do_munmap(sim, task->mm, r->old_addr + new_len,
                             r->old_addr + old_len);
    if (r->old_addr + old_len != vma->end)
        return MM_ENOMEM;
    return grow_in_place(sim, task, vma, r->old_addr + new_len);
}
