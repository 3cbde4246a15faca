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
 * mm_fault_account() - count @nr faults of process @pid whose effect on
 * memory the model does not have: taken in the address space an exec has
 * since replaced (the task's counters survive exec), or known only by
 * their number (the kernel's own get_user_pages() faults, samples lost)
 * @sim: the simulator
 * @pid: tgid
 * @major: major faults
 * @nr: how many
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: mm/memory.c mm_account_fault().
 */
int mm_fault_account(struct mm_sim *sim, uint32_t pid, bool major,
                     uint64_t nr)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    sim->vm_events[MM_PGFAULT] += nr;
    if (major) {
        sim->vm_events[MM_PGMAJFAULT] += nr;
        task->maj_flt += nr;
    } else {
        task->min_flt += nr;
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

/**
 * mm_addr_mapped() - whether @addr lies inside a VMA of @pid (a stack's
 * room to grow does not count)
 * @sim: the simulator
 * @pid: tgid
 * @addr: a user address
 *
 * Return: true when a VMA contains @addr.
 * Kernel: mm/mmap.c vma_lookup().
 */
bool mm_addr_mapped(const struct mm_sim *sim, uint32_t pid, uint64_t addr)
{
    struct mm_task *task = mm__task_find(sim, pid);
    return task && task->mm && mm__vma_find(task->mm, addr);
}

/**
 * mm_fault_recorded() - a fault the recorded process took at @addr: as
 * mm_fault(), and counted even when the model finds the page already
 * mapped as needed (the model's own fault-around or a lost sample's page
 * can be ahead of the real kernel's; the real kernel counted the fault)
 * @sim: the simulator
 * @pid: tgid
 * @addr: the faulting address
 * @write: a write access
 *
 * Return: as mm_fault().
 * Kernel: mm/memory.c handle_mm_fault(): mm_account_fault() counts every
 * completed fault, one that finds the entry already there included.
 */
int mm_fault_recorded(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                      bool write)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    uint64_t before = task->min_flt + task->maj_flt;
    int rc = mm_fault(sim, pid, addr, write);
    if (rc == 0 && task->min_flt + task->maj_flt == before)
        mm_fault_account(sim, pid, false, 1);
    return rc;
}
