/*
 * vma.c - the VMA set of an address space: lookup, split, merge, and the
 * per-mm VM counters (total_vm, data_vm, exec_vm, stack_vm).
 *
 * Mirrors mm/vma.c (6.12+; mm/mmap.c in 6.1): __split_vma(), vma_merge()
 * with can_vma_merge_before/after(), vm_stat_account(). Callers: mmap.c,
 * mremap.c, mprotect.c, fork.c. VMAs sit in an AVL tree keyed by start
 * (the kernel's maple tree), so each lookup, split or merge is O(log n).
 *
 * Simplified merge rule: two neighbouring VMAs merge when they touch, have
 * identical flags, the same backing object (file or shmem, or both
 * anonymous), the same path, contiguous vm_pgoff, equal memory policies
 * (mpol_equal), and anon_vma ids that are equal or of which one is unset. The kernel additionally refuses when the
 * VMA without an anon_vma would have to join a VMA whose anon_vma chain is
 * longer than one (forked VMAs); the model ignores chain lengths, and
 * userfaultfd contexts, which it does not model.
 */
#include <stdlib.h>

#include "internal.h"

static struct mm_vma *vma_of(const struct mm_avl_node *n)
{
    return n ? mm_container_of(n, struct mm_vma, node) : NULL;
}

/**
 * mm__vma_find() - the VMA containing @addr
 * @mm: the address space
 * @addr: a user address
 *
 * Return: the VMA or NULL.
 * Kernel: mm/mmap.c vma_lookup().
 */
struct mm_vma *mm__vma_find(const struct mm_mm *mm, uint64_t addr)
{
    struct mm_vma *vma = vma_of(mm__avl_floor(&mm->vmas, addr));
    return vma && vma->end > addr ? vma : NULL;
}

/**
 * mm__vma_first_after() - the first VMA that ends above @addr
 * @mm: the address space
 * @addr: a user address
 *
 * Return: the VMA or NULL.
 * Kernel: mm/mmap.c find_vma().
 */
struct mm_vma *mm__vma_first_after(const struct mm_mm *mm, uint64_t addr)
{
    struct mm_vma *vma = mm__vma_find(mm, addr);
    return vma ? vma : vma_of(mm__avl_ceil(&mm->vmas, addr));
}

/** mm__vma_next() - the VMA after @vma, or NULL. Kernel: vma_next(). */
struct mm_vma *mm__vma_next(const struct mm_mm *mm, const struct mm_vma *vma)
{
    return vma_of(mm__avl_next(&mm->vmas, &vma->node));
}

/** mm__vma_prev() - the VMA before @vma, or NULL. Kernel: vma_prev(). */
struct mm_vma *mm__vma_prev(const struct mm_mm *mm, const struct mm_vma *vma)
{
    return vma_of(mm__avl_prev(&mm->vmas, &vma->node));
}

/**
 * mm__vm_stat_account() - classify @npages of a VMA with @flags
 * @mm: the address space
 * @flags: the VMA's flags
 * @npages: pages added (positive) or removed (negative)
 *
 * total_vm counts everything; exec_vm VM_EXEC without VM_WRITE/VM_STACK;
 * stack_vm VM_STACK; data_vm private writable non-stack. hiwater_vm is
 * raised before total_vm falls, as the kernel does before unmapping.
 * Kernel: mm/mmap.c vm_stat_account(), update_hiwater_vm().
 */
void mm__vm_stat_account(struct mm_mm *mm, uint64_t flags, int64_t npages)
{
    if (npages < 0 && mm->hiwater_vm < mm->total_vm)
        mm->hiwater_vm = mm->total_vm;
    mm->total_vm += (uint64_t)npages;
    if ((flags & (MM_VM_EXEC | MM_VM_WRITE | MM_VM_STACK)) == MM_VM_EXEC)
        mm->exec_vm += (uint64_t)npages;
    else if (flags & MM_VM_STACK)
        mm->stack_vm += (uint64_t)npages;
    else if ((flags & (MM_VM_WRITE | MM_VM_SHARED | MM_VM_STACK)) ==
             MM_VM_WRITE)
        mm->data_vm += (uint64_t)npages;
    if (flags & MM_VM_LOCKED)
        mm->locked_vm += (uint64_t)npages;
}

/**
 * mm__vma_link() - insert @vma into @mm's tree (no accounting)
 * @mm: the address space
 * @vma: a VMA not overlapping any other
 *
 * Return: 0, or MM_EEXIST if a VMA already starts there.
 * Kernel: mm/vma.c vma_link().
 */
int mm__vma_link(struct mm_mm *mm, struct mm_vma *vma)
{
    vma->node.key = vma->start;
    return mm__avl_insert(&mm->vmas, &vma->node);
}

/** mm__vma_unlink() - take @vma out of @mm's tree (no accounting). */
void mm__vma_unlink(struct mm_mm *mm, struct mm_vma *vma)
{
    mm__avl_erase(&mm->vmas, vma->node.key);
}

/**
 * mm__vma_free() - release a VMA that is no longer in any tree
 * @sim: the simulator
 * @vma: the VMA; its file reference is dropped
 *
 * Kernel: mm/mmap.c remove_vma() / vm_area_free().
 */
void mm__vma_free(struct mm_sim *sim, struct mm_vma *vma)
{
    if (vma->file)
        mm__file_put(sim, vma->file);
    free(vma);
}

/**
 * mm__vma_split() - cut @vma at @addr
 * @sim: the simulator
 * @mm: the address space
 * @vma: the VMA, start < @addr < end
 * @addr: page-aligned split point
 *
 * The lower part keeps @vma; a new VMA gets [@addr, end) with vm_pgoff
 * advanced, the same anon_vma and a new reference to the same object.
 * Return: the upper VMA, or NULL when out of memory (host).
 * Kernel: mm/vma.c __split_vma().
 */
struct mm_vma *mm__vma_split(struct mm_sim *sim, struct mm_mm *mm,
                             struct mm_vma *vma, uint64_t addr)
{
    (void)sim;
    struct mm_vma *upper = malloc(sizeof(*upper));
    if (!upper)
        return NULL;
    *upper = *vma;
    upper->node = (struct mm_avl_node){0};
    upper->start = addr;
    upper->pgoff = vma->pgoff + ((addr - vma->start) >> MM_PAGE_SHIFT);
    if (upper->file)
        upper->file->vmas++;
    vma->end = addr;
    mm__vma_link(mm, upper);
    return upper;
}

static bool can_merge(const struct mm_vma *a, const struct mm_vma *b)
{
    if (a->end != b->start || a->special || b->special)
        return false;
    if (a->flags != b->flags || a->file != b->file || a->path != b->path)
        return false;
    if (!mm__mpol_equal(&a->policy, &b->policy))
        return false;
    if (b->pgoff != a->pgoff + mm__vma_pages(a))
        return false;
    return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* Fold @b into @a (a directly below b); @b is freed. */
static void merge_into(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *a,
                       struct mm_vma *b)
{
    a->end = b->end;
    if (!a->anon_vma)
        a->anon_vma = b->anon_vma;
    mm__vma_unlink(mm, b);
    mm__vma_free(sim, b);
}

/**
 * mm__vma_try_merge() - merge @vma with its neighbours where allowed
 * @sim: the simulator
 * @mm: the address space
 * @vma: a VMA just created or changed
 *
 * Return: the VMA that now covers @vma's range.
 * Kernel: mm/vma.c vma_merge_existing_range(), vma_merge_new_range()
 * (6.1: mm/mmap.c vma_merge()).
 */
struct mm_vma *mm__vma_try_merge(struct mm_sim *sim, struct mm_mm *mm,
                                 struct mm_vma *vma)
{
    struct mm_vma *prev = mm__vma_prev(mm, vma);
    if (prev && can_merge(prev, vma)) {
        merge_into(sim, mm, prev, vma);
        vma = prev;
    }
    struct mm_vma *next = mm__vma_next(mm, vma);
    if (next && can_merge(vma, next))
        merge_into(sim, mm, vma, next);
    return vma;
}

/**
 * mm__vma_splits_needed() - how many VMAs isolating [@start, @end) creates
 * @mm: the address space
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Return: 0, 1 or 2.
 */
unsigned mm__vma_splits_needed(const struct mm_mm *mm, uint64_t start,
                               uint64_t end)
{
    unsigned n = 0;
    const struct mm_vma *a = mm__vma_find(mm, start);
    if (a && a->start < start)
        n++;
    const struct mm_vma *b = mm__vma_find(mm, end);
    if (b && b->start < end)
        n++;
    return n;
}

/**
 * mm__vma_isolate() - split so [@start, @end) is covered by whole VMAs
 * @sim: the simulator
 * @mm: the address space
 * @start: page-aligned start
 * @end: page-aligned end
 * @munmap: apply munmap's vm.max_map_count rule instead of split_vma's
 *
 * Checked first so that a refusal changes nothing. split_vma() (mprotect,
 * madvise) needs map_count < max_map_count before each split; munmap checks
 * once, and only when the range lies strictly inside one VMA.
 * Return: 0 or MM_ENOMEM.
 * Kernel: mm/vma.c split_vma(), vms_gather_munmap_vmas().
 */
int mm__vma_isolate(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                    uint64_t end, bool munmap)
{
    uint64_t max = sim->vm.max_map_count < 0 ? 0 : (uint64_t)sim->vm.max_map_count;
    struct mm_vma *a = mm__vma_find(mm, start);
    if (munmap) {
        if (a && a->start < start && end < a->end && mm->vmas.count >= max)
            return MM_ENOMEM;
    } else {
        unsigned n = mm__vma_splits_needed(mm, start, end);
        if (n && mm->vmas.count + n > max)
            return MM_ENOMEM;
    }
    if (a && a->start < start && !mm__vma_split(sim, mm, a, start))
        return MM_ENOMEM;
    struct mm_vma *b = mm__vma_find(mm, end);
    if (b && b->start < end && !mm__vma_split(sim, mm, b, end))
        return MM_ENOMEM;
    return 0;
}

/**
 * mm__range_mapped() - whether [@start, @end) has no hole
 * @mm: the address space
 * @start: start
 * @end: end
 *
 * Return: true when every page of the range is in some VMA.
 */
bool mm__range_mapped(const struct mm_mm *mm, uint64_t start, uint64_t end)
{
    uint64_t at = start;
    while (at < end) {
        const struct mm_vma *vma = mm__vma_find(mm, at);
        if (!vma)
            return false;
        at = vma->end;
    }
    return true;
}
