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
 * fault-around window of each fault (64 KiB, mm__fault_around_range()), as the
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

/* The cache pages behind [@start, @end) of the file VMA @vma. */
static int filemap_add_range(struct mm_sim *sim, const struct mm_vma *vma,
                             uint64_t start, uint64_t end)
{
    for (uint64_t a = start; a < end; a += MM_PAGE_SIZE) {
        uint64_t idx = vma->pgoff + ((a - vma->start) >> MM_PAGE_SHIFT);
        int rc = mm__filemap_add(sim, vma->file, idx);
        if (rc)
            return rc;
    }
    return 0;
}

/* The file VMA of @pid at @addr whose cache may be filled, or NULL. */
static struct mm_vma *cache_vma(struct mm_sim *sim, uint32_t pid,
                                uint64_t addr, int *rc)
{
    struct mm_task *task = mm__task_find(sim, pid);
    *rc = task && task->mm ? 0 : MM_ESRCH;
    struct mm_vma *vma = *rc ? NULL : mm__vma_find(task->mm, addr);
    if (!vma || vma->start > addr || !vma->file || vma->file->shmem)
        return NULL;
    return vma;
}

/**
 * mm_filemap_warm() - the page cache holds the file pages around @addr in
 * @pid's address space, as it did on the recording machine, so a fault
 * there is minor and fault-around finds its neighbours (for traces that do
 * not say what the cache held: mm_filemap_cached())
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
    int rc;
    struct mm_vma *vma = cache_vma(sim, pid, addr, &rc);
    if (!vma)
        return rc;
    uint64_t start, end;
    mm__fault_around_range(vma, addr, WARM_WINDOW_PAGES, &start, &end);
    return filemap_add_range(sim, vma, start, end);
}

/**
 * mm_filemap_cached() - the recording machine's page cache held the pages
 * of the file mapped at [@addr, @addr + @npages pages) in @pid (recorded
 * as the mapping was made): the model's cache holds them too, so faults
 * there are minor and fault-around maps them; the file's other pages stay
 * as the model has them
 * @sim: the simulator
 * @pid: tgid
 * @addr: page-aligned start, in one file mapping (others are left alone)
 * @npages: pages, clamped to the mapping
 *
 * Counts no fault and maps nothing; shmem objects are left alone.
 * Return: 0, MM_ESRCH, or MM_ENOMEM.
 * Kernel: mm/filemap.c filemap_add_folio() for each page.
 */
int mm_filemap_cached(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                      uint64_t npages)
{
    int rc;
    struct mm_vma *vma = cache_vma(sim, pid, addr, &rc);
    if (!vma)
        return rc;
    uint64_t room = (vma->end - addr) >> MM_PAGE_SHIFT;
    uint64_t n = npages < room ? npages : room;
    return filemap_add_range(sim, vma, addr, addr + (n << MM_PAGE_SHIFT));
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

/* Declared here, defined with the residency helpers below. */
static int map_special_page(struct mm_sim *sim, struct mm_mm *mm,
                            const struct mm_vma *vma, uint64_t addr);

/* A fault in a kernel-named mapping: an executable one ([vdso]) maps the
 * kernel's page, counted in RssFile and never copied at fork (no
 * anon_vma); the others ([vvar], [vvar_vclock]) are PFN maps whose pages
 * count nowhere. The model's fault path would give both an anonymous
 * page. */
static int special_fault(struct mm_sim *sim, struct mm_task *task,
                         const struct mm_vma *vma, uint64_t addr)
{
    uint64_t pte;
    mm_fault_account(sim, (uint32_t)task->node.key, false, 1);
    if (!(vma->flags & MM_VM_EXEC) ||
        mm__hmap_get(&task->mm->ptes, addr >> MM_PAGE_SHIFT, &pte))
        return 0;
    return map_special_page(sim, task->mm, vma, addr);
}

/**
 * mm_fault_recorded() - a fault the recorded process took at @addr: as
 * mm_fault(), and counted even when the model finds the page already
 * mapped as needed (the model's own fault-around or a lost sample's page
 * can be ahead of the real kernel's; the real kernel counted the fault);
 * faults in kernel-named mappings map the kernel's page ([vdso]) or
 * nothing ([vvar])
 * @sim: the simulator
 * @pid: tgid
 * @addr: the faulting address
 * @write: a write access
 *
 * Return: as mm_fault().
 * Kernel: mm/memory.c handle_mm_fault(): mm_account_fault() counts every
 * completed fault, one that finds the entry already there included;
 * mm/mmap.c special_mapping_fault(); vvar: vmf_insert_pfn().
 */
int mm_fault_recorded(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                      bool write)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    struct mm_vma *vma = mm__vma_find(task->mm, addr);
    if (vma && vma->special && !write)
        return special_fault(sim, task, vma, addr);
    uint64_t before = task->min_flt + task->maj_flt;
    int rc = mm_fault(sim, pid, addr, write);
    if (rc == 0 && task->min_flt + task->maj_flt == before)
        mm_fault_account(sim, pid, false, 1);
    return rc;
}

/* Counters a fault moves, to undo for a page made present without one. */
struct fault_counts {
    uint64_t min_flt, maj_flt, pgfault, pgmajfault, pgreuse;
};

static void counts_save(const struct mm_sim *sim, const struct mm_task *task,
                        struct fault_counts *c)
{
    *c = (struct fault_counts){
        task->min_flt, task->maj_flt, sim->vm_events[MM_PGFAULT],
        sim->vm_events[MM_PGMAJFAULT], sim->vm_events[MM_PGREUSE],
    };
}

static void counts_restore(struct mm_sim *sim, struct mm_task *task,
                           const struct fault_counts *c)
{
    task->min_flt = c->min_flt;
    task->maj_flt = c->maj_flt;
    sim->vm_events[MM_PGFAULT] = c->pgfault;
    sim->vm_events[MM_PGMAJFAULT] = c->pgmajfault;
    sim->vm_events[MM_PGREUSE] = c->pgreuse;
}

/* Map page @idx of @file's cache (added if absent) at @addr, read-only
 * and clean, as fault-around or a large folio's mapping would. */
static int map_cached_index(struct mm_sim *sim, struct mm_mm *mm,
                            struct mm_file *file, uint64_t idx, uint64_t addr)
{
    uint64_t pfn;
    int rc = mm__filemap_add(sim, file, idx);
    if (rc || !mm__hmap_get(&file->pages, idx, &pfn))
        return rc ? rc : MM_ENOMEM;
    struct mm_folio *folio = mm__folio_of(sim, pfn);
    if (folio)
        mm__map_page(mm, addr >> MM_PAGE_SHIFT, folio,
                     (unsigned)(pfn - folio->pfn), 0);
    return 0;
}

/* The cached page of a file VMA at @addr. */
static int map_cache_page(struct mm_sim *sim, struct mm_mm *mm,
                          struct mm_vma *vma, uint64_t addr)
{
    uint64_t idx = vma->pgoff + ((addr - vma->start) >> MM_PAGE_SHIFT);
    return map_cached_index(sim, mm, vma->file, idx, addr);
}

/* Device number standing for the kernel's own pages behind kernel-named
 * mappings ([vdso]): one cache per name, shared by every process. */
#define SPECIAL_DEV (~0ull)

/* A kernel-named mapping's page ([vdso]): the kernel's page, counted in
 * RssFile and shared by every process, not a private anonymous page. */
static int map_special_page(struct mm_sim *sim, struct mm_mm *mm,
                            const struct mm_vma *vma, uint64_t addr)
{
    struct mm_file *file = mm__file_get(sim, SPECIAL_DEV, vma->path);
    if (!file)
        return MM_ENOMEM;
    file->vmas--; /* no VMA holds it: caches persist */
    return map_cached_index(sim, mm, file, (addr - vma->start) >> MM_PAGE_SHIFT,
                            addr);
}

/* A page present on the recording machine, absent in the model. */
static int make_present(struct mm_sim *sim, struct mm_task *task,
                        struct mm_vma *vma, uint64_t addr, unsigned flags)
{
    uint64_t vpn = addr >> MM_PAGE_SHIFT;
    if ((flags & MM_RES_ZERO) && !vma->file) {
        mm__hmap_put(&task->mm->ptes, vpn, MM_PTE_ZERO);
        mm__ensure_pgtables(task->mm, vpn, MM_PGT_TABLE);
        return 0;
    }
    if (vma->special && !vma->file && (flags & MM_RES_FILE))
        return map_special_page(sim, task->mm, vma, addr);
    if (vma->file && !vma->file->shmem && (flags & MM_RES_FILE))
        return map_cache_page(sim, task->mm, vma, addr);
    /* an anonymous page (or a shmem one): the fault path makes it, and
     * its counters are put back, as no fault is known to have made it */
    struct fault_counts saved;
    counts_save(sim, task, &saved);
    if (vma->file && !vma->file->shmem)
        mm__filemap_add(sim, vma->file,
                        vma->pgoff + ((addr - vma->start) >> MM_PAGE_SHIFT));
    int rc = mm__handle_fault(sim, task, vma, addr, !vma->file ||
                              !vma->file->shmem);
    counts_restore(sim, task, &saved);
    return rc;
}

/* The machine says this page of an order-0 page-cache folio is mapped by
 * @mm alone: the model's mappings of it in other processes are ahead of
 * the machine (its fault-around maps pages the real one did not) and go. */
static void unmap_others(struct mm_sim *sim, const struct mm_mm *mm,
                         struct mm_folio *folio)
{
    for (unsigned guard = 0; folio->mapcount[0] > 1 && guard < 64; guard++) {
        const struct mm_rmap_anchor *all =
            folio->nr_rmap == 1 ? &folio->rmap.one : folio->rmap.many;
        const struct mm_rmap_anchor *other = NULL;
        for (uint32_t i = 0; i < folio->nr_rmap && !other; i++)
            if (all[i].mm != mm)
                other = &all[i];
        if (!other)
            return;
        mm__unmap_pte(sim, other->mm, other->vpn);
    }
}

/* Whether a page-cache folio is mapped by other processes: the machine's
 * word for a page the model maps once (processes outside the model, such
 * as every process using the same library), and for a page the machine
 * maps in this process only. */
static void set_elsewhere(struct mm_sim *sim, struct mm_mm *mm, uint64_t vpn,
                          bool exclusive)
{
    uint64_t pte;
    if (!mm__hmap_get(&mm->ptes, vpn, &pte) || !mm__pte_present(pte) ||
        (pte & MM_PTE_ZERO))
        return; /* none, a swap entry (model/swapfile.c), the zero page */
    struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if (!folio || folio->kind != MM_FOLIO_FILE)
        return;
    uint32_t *mc = &folio->mapcount[MM_PTE_PFN(pte) - folio->pfn];
    if (exclusive && *mc > 1 && !folio->order)
        unmap_others(sim, mm, folio);
    if (*mc == 1)
        folio->mapped_elsewhere = !exclusive;
}

/* The model holds a private anonymous page where the machine has the
 * cache page or the zero page (the fault it replayed as a write was a
 * read: the recorder cannot tell them apart), or the kernel's page of a
 * kernel-named mapping (the model's fault path gives those anonymous
 * pages). */
static bool wrongly_copied(const struct mm_sim *sim, const struct mm_vma *vma,
                           uint64_t pte, unsigned flags)
{
    if (!mm__pte_present(pte) || (pte & MM_PTE_ZERO))
        return false; /* a swap entry holds no frame */
    const struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(pte));
    if (!folio || folio->kind != MM_FOLIO_ANON)
        return false;
    if ((vma->file && !vma->file->shmem) || vma->special)
        return flags & MM_RES_FILE;
    return !vma->file && (flags & MM_RES_ZERO);
}

/**
 * mm_resident_set() - what the recording machine's page tables held in
 * [@start, @start + @npages pages) of @pid (PAGEMAP_SCAN): pages present
 * there and absent in the model become present (a file VMA's cached page
 * mapped, an anonymous page allocated, the zero page), without counting a
 * fault; a page-cache page the model maps once is marked as mapped by
 * other processes of the machine too unless the machine says it is
 * exclusive (what USS leaves out), and the model's mappings of it in
 * other processes go when the machine says it is exclusive (the model's
 * fault-around was ahead of the machine's). A private anonymous copy the model
 * made where the machine has the cache page or the zero page (a read
 * replayed as a write) is replaced by it. Pages the model has and the
 * machine does not are left alone.
 * @sim: the simulator
 * @pid: tgid
 * @start: page-aligned start
 * @npages: pages
 * @flags: enum mm_res_flags of the whole range
 *
 * Return: 0, MM_ESRCH, or MM_ENOMEM.
 * Kernel: the state mm/memory.c leaves (filemap_map_pages(),
 * do_anonymous_page()) and fs/proc/task_mmu.c pagemap's exclusive bit.
 */
int mm_resident_set(struct mm_sim *sim, uint32_t pid, uint64_t start,
                    uint64_t npages, unsigned flags)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    if (!(flags & MM_RES_PRESENT))
        return 0;
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pte, addr = start + (i << MM_PAGE_SHIFT);
        struct mm_vma *vma = mm__vma_find(task->mm, addr);
        if (!vma || (vma->flags & MM_VM_HUGETLB))
            continue;
        bool has = mm__hmap_get(&task->mm->ptes, addr >> MM_PAGE_SHIFT, &pte);
        if (has && wrongly_copied(sim, vma, pte, flags)) {
            mm__unmap_pte(sim, task->mm, addr >> MM_PAGE_SHIFT);
            has = false;
        }
        if (!has) {
            int rc = make_present(sim, task, vma, addr, flags);
            if (rc)
                return rc;
        }
        set_elsewhere(sim, task->mm, addr >> MM_PAGE_SHIFT,
                      flags & MM_RES_EXCLUSIVE);
    }
    return 0;
}
