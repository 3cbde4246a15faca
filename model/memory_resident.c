/*
 * memory_resident.c - state the recording machine had that the model is
 * told rather than derives: a fault the recorded process took in an
 * address space that no longer exists, and page-cache pages the recording
 * machine already held.
 *
 * Callers: the replay (tools/replay_apply.c) when it replays a recording on
 * the machine it was made on (the fidelity check, docs/replay.md).
 *
 * Mirrors mm/memory.c mm_account_fault() (the counting half of a fault) and
 * mm/filemap.c filemap_add_folio() (a page in the cache, here without the
 * read that put it there). Simplified: a warm file's pages are those of the
 * fault-around window of each fault (64 KiB, clamped to the VMA), as the
 * model does not know file sizes; the real cache of a recently used file
 * holds all of it, which is what fault-around maps from.
 */
#include "internal.h"

#define WARM_WINDOW_PAGES 16ull /* fault_around_bytes = 64 KiB */

/**
 * mm_fault_account() - count a fault of process @pid that changed no
 * memory the model still has: it was taken in the address space an exec
 * has since replaced (the task's counters survive exec).
 * @sim: the simulator
 * @pid: tgid
 * @major: a major fault
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: mm/memory.c mm_account_fault().
 */
int mm_fault_account(struct mm_sim *sim, uint32_t pid, bool major)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    sim->vm_events[MM_PGFAULT]++;
    if (major) {
        sim->vm_events[MM_PGMAJFAULT]++;
        task->maj_flt++;
    } else {
        task->min_flt++;
    }
    return 0;
}

/**
 * mm_filemap_warm() - the page cache holds the file pages around @addr in
 * @pid's address space, as it did on the recording machine, so a fault
 * there is minor and fault-around finds its neighbours
 * @sim: the simulator
 * @pid: tgid
 * @addr: an address in a file mapping (others are left alone)
 *
 * Counts no fault and maps nothing; shmem objects are left alone (their
 * pages exist only once written).
 * Return: 0, MM_ESRCH, or MM_ENOMEM.
 * Kernel: mm/filemap.c filemap_add_folio() for each page of the window.
 */
int mm_filemap_warm(struct mm_sim *sim, uint32_t pid, uint64_t addr)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    struct mm_vma *vma = mm__vma_find(task->mm, addr);
    if (!vma || vma->start > addr || !vma->file || vma->file->shmem)
        return 0;
    uint64_t win = addr & ~((WARM_WINDOW_PAGES << MM_PAGE_SHIFT) - 1);
    uint64_t start = win < vma->start ? vma->start : win;
    uint64_t end = win + (WARM_WINDOW_PAGES << MM_PAGE_SHIFT);
    end = end > vma->end ? vma->end : end;
    for (uint64_t a = start; a < end; a += MM_PAGE_SIZE) {
        uint64_t idx = vma->pgoff + ((a - vma->start) >> MM_PAGE_SHIFT);
        int rc = mm__filemap_add(sim, vma->file, idx);
        if (rc)
            return rc;
    }
    return 0;
}
