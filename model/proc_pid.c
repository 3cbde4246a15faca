/*
 * proc_pid.c - per-process accounting and its /proc views: status (memory
 * lines), statm, smaps_rollup, maps; RSS, PSS, USS for reports.
 *
 * Mirrors fs/proc/task_mmu.c (task_mem, task_statm, smaps_account,
 * smaps_page_accumulate, __show_smap, show_smaps_rollup, show_map_vma) and
 * fs/proc/array.c (proc_pid_statm) of 6.1 and 6.18, byte for byte: the
 * "KSM:" rollup line is absent in 6.1 and present in 6.12 and 6.18; the
 * model switches at 6.4 (the patch "proc/ksm: add ksm stats to
 * /proc/pid/smaps" dates from spring 2023; release UNVERIFIED).
 * Callers: the tools' proc/report verbs.
 *
 * Referenced counts pages whose PTE is young or whose folio has
 * PG_referenced (reclaim clears the accessed bits it tests); Swap and
 * SwapPss count swap entries (SwapPss divides by the slot's users).
 * Simplified: KSM and hugetlb are 0, and so is the swap of shmem
 * mappings (shmem_swap_usage() is not modelled); the
 * text size comes from start_code/end_code when the trace gave them, else
 * from the executable's VM_EXEC mapping (at most a page more than the
 * kernel's end_code rounding); devices are decoded from the st_dev
 * encoding; a shared anonymous mapping shows "/dev/zero (deleted)" on
 * 00:01 with an inode number of the model's own. VmPTE counts the table
 * pages described in memory_pt.c.
 */
#include <stdlib.h>

#include "internal.h"

#define PSS_SHIFT 12

static const struct mm_task *task_of(const struct mm_sim *sim, uint32_t pid)
{
    const struct mm_task *task = mm__task_find(sim, pid);
    return task && task->mm ? task : NULL;
}

/* Bytes of text: PAGE_ALIGN(end_code) - start_code, or the exec mapping. */
static uint64_t text_bytes(const struct mm_task *task)
{
    const struct mm_mm *mm = task->mm;
    if (mm->end_code)
        return ((mm->end_code + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1)) -
               (mm->start_code & ~(MM_PAGE_SIZE - 1));
    for (struct mm_avl_node *n = mm__avl_first(&mm->vmas); n;
         n = mm__avl_next(&mm->vmas, n)) {
        const struct mm_vma *v = mm_container_of(n, struct mm_vma, node);
        if (task->comm && v->path == task->comm &&
            (v->flags & (MM_VM_EXEC | MM_VM_WRITE | MM_VM_STACK)) == MM_VM_EXEC)
            return v->end - v->start;
    }
    return 0;
}

static uint64_t committed_pages(const struct mm_mm *mm)
{
    uint64_t pages = 0;
    for (struct mm_avl_node *n = mm__avl_first(&mm->vmas); n;
         n = mm__avl_next(&mm->vmas, n)) {
        const struct mm_vma *v = mm_container_of(n, struct mm_vma, node);
        if (v->flags & MM_VM_ACCOUNT)
            pages += mm__vma_pages(v);
    }
    return pages;
}

/**
 * mm_get_mm_rss() - resident pages of a process (anon + file + shmem)
 * @sim: the simulator
 * @pid: tgid
 *
 * The cheap form of mm_proc_stats() for callers that read it per event.
 * Return: the pages, 0 for a process the model does not have.
 * Kernel: include/linux/mm.h get_mm_rss().
 */
uint64_t mm_get_mm_rss(const struct mm_sim *sim, uint32_t pid)
{
    const struct mm_task *task = task_of(sim, pid);
    if (!task)
        return 0;
    return task->mm->rss_anon + task->mm->rss_file + task->mm->rss_shmem;
}

/**
 * mm_proc_stats() - the counters of /proc/PID/status and statm
 * @sim: the simulator
 * @pid: tgid
 * @out: filled in; hiwater values already include the current ones
 *
 * Return: 0 or MM_ESRCH.
 * Kernel: fs/proc/task_mmu.c task_mem().
 */
int mm_proc_stats(const struct mm_sim *sim, uint32_t pid,
                  struct mm_proc_stats *out)
{
    const struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    const struct mm_mm *mm = task->mm;
    uint64_t rss = mm->rss_anon + mm->rss_file + mm->rss_shmem;
    uint64_t text = text_bytes(task), exec = mm->exec_vm << MM_PAGE_SHIFT;
    text = text < exec ? text : exec;
    *out = (struct mm_proc_stats){
        .total_vm = mm->total_vm,
        .hiwater_vm = mm->hiwater_vm > mm->total_vm ? mm->hiwater_vm
                                                    : mm->total_vm,
        .locked_vm = mm->locked_vm,
        .pinned_vm = mm->pinned_vm,
        .data_vm = mm->data_vm,
        .stack_vm = mm->stack_vm,
        .exec_vm = mm->exec_vm,
        .text_pages = text >> MM_PAGE_SHIFT,
        .lib_pages = (exec - text) >> MM_PAGE_SHIFT,
        .rss_anon = mm->rss_anon,
        .rss_file = mm->rss_file,
        .rss_shmem = mm->rss_shmem,
        .hiwater_rss = mm->hiwater_rss > rss ? mm->hiwater_rss : rss,
        .swapents = mm->swapents,
        .pgtables_bytes = mm->pgtables.count << MM_PAGE_SHIFT,
        .map_count = mm->vmas.count,
        .committed = committed_pages(mm),
        .min_flt = task->min_flt,
        .maj_flt = task->maj_flt,
    };
    return 0;
}

/* smaps_page_accumulate() for one 4 KiB page. */
static void account_page(struct mm_smaps *s, const struct mm_folio *folio,
                         uint64_t pte, const struct mm_vma *vma)
{
    uint32_t mc = folio->mapcount[MM_PTE_PFN(pte) - folio->pfn];
    uint64_t pss = (MM_PAGE_SIZE << PSS_SHIFT) / (mc >= 2 ? mc : 1);
    bool dirty = (pte & MM_PTE_DIRTY) || folio->dirty;
    s->resident += MM_PAGE_SIZE;
    if ((pte & MM_PTE_YOUNG) || (folio->pgflags & MM_PG_REFERENCED))
        s->referenced += MM_PAGE_SIZE;
    if (folio->kind == MM_FOLIO_ANON) {
        s->anonymous += MM_PAGE_SIZE;
        if (folio->lazyfree && !dirty)
            s->lazyfree += MM_PAGE_SIZE;
        if (pte & MM_PTE_HUGE)
            s->anonymous_thp += MM_PAGE_SIZE;
    }
    s->pss += pss;
    if (folio->kind == MM_FOLIO_ANON)
        s->pss_anon += pss;
    else if (folio->kind == MM_FOLIO_SHMEM)
        s->pss_shmem += pss;
    else
        s->pss_file += pss;
    if (vma->flags & MM_VM_LOCKED)
        s->pss_locked += pss;
    if (dirty)
        s->pss_dirty += pss;
    bool shared = mc >= 2 || folio->mapped_elsewhere;
    uint64_t *bucket = !shared ? (dirty ? &s->private_dirty : &s->private_clean)
                              : (dirty ? &s->shared_dirty : &s->shared_clean);
    *bucket += MM_PAGE_SIZE;
}

/* smaps_pte_entry() for a swap entry: Swap, and SwapPss shared by users. */
static void account_swap(const struct mm_sim *sim, uint64_t pte,
                         struct mm_smaps *s)
{
    uint32_t count = mm__swap_count(sim, (uint32_t)MM_PTE_SWP_SLOT(pte));
    s->swap += MM_PAGE_SIZE;
    s->swap_pss += (MM_PAGE_SIZE << 12) / (count >= 2 ? count : 1);
}

static void account_vma(const struct mm_sim *sim, const struct mm_mm *mm,
                        const struct mm_vma *vma, struct mm_smaps *s)
{
    uint64_t *vpns, pte;
    size_t n = mm__collect_ptes(mm, vma->start, vma->end, &vpns);
    for (size_t i = 0; i < n; i++) {
        mm__hmap_get(&mm->ptes, vpns[i], &pte);
        if (!mm__pte_present(pte)) {
            account_swap(sim, pte, s);
            continue;
        }
        const struct mm_folio *folio =
            (pte & MM_PTE_ZERO) ? NULL : mm__folio_of(sim, MM_PTE_PFN(pte));
        if (folio)
            account_page(s, folio, pte, vma);
    }
    free(vpns);
}

/**
 * mm_smaps_rollup() - the sums /proc/PID/smaps_rollup prints
 * @sim: the simulator
 * @pid: tgid
 * @out: filled in, bytes; pss fields keep PSS_SHIFT fixed point
 *
 * Each page adds (4096 << 12) / mapcount to Pss (truncating), summed over
 * all VMAs and shifted only when printed; a page mapped once is private.
 * USS = private_clean + private_dirty.
 * Return: 0 or MM_ESRCH.
 * Kernel: fs/proc/task_mmu.c smaps_account(), show_smaps_rollup().
 */
int mm_smaps_rollup(const struct mm_sim *sim, uint32_t pid,
                    struct mm_smaps *out)
{
    const struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    *out = (struct mm_smaps){0};
    const struct mm_mm *mm = task->mm;
    for (struct mm_avl_node *n = mm__avl_first(&mm->vmas); n;
         n = mm__avl_next(&mm->vmas, n)) {
        const struct mm_vma *v = mm_container_of(n, struct mm_vma, node);
        if (!out->first_start && !out->last_end)
            out->first_start = v->start;
        out->last_end = v->end;
        account_vma(sim, mm, v, out);
    }
    return 0;
}

static void put_kb(struct mm_buf *buf, const char *name, uint64_t pages)
{
    mm_buf_printf(buf, "%s:\t%8llu kB\n", name,
                  (unsigned long long)(pages << (MM_PAGE_SHIFT - 10)));
}

/**
 * mm_render_pid_status() - the memory lines of /proc/PID/status
 * @sim: the simulator
 * @pid: tgid
 * @buf: output (VmPeak through VmSwap, as the kernel prints them)
 *
 * Return: 0, MM_ESRCH, MM_ENOMEM (host).
 * Kernel: fs/proc/task_mmu.c task_mem().
 */
int mm_render_pid_status(const struct mm_sim *sim, uint32_t pid,
                         struct mm_buf *buf)
{
    struct mm_proc_stats st;
    int err = mm_proc_stats(sim, pid, &st);
    if (err)
        return err;
    put_kb(buf, "VmPeak", st.hiwater_vm);
    put_kb(buf, "VmSize", st.total_vm);
    put_kb(buf, "VmLck", st.locked_vm);
    put_kb(buf, "VmPin", st.pinned_vm);
    put_kb(buf, "VmHWM", st.hiwater_rss);
    put_kb(buf, "VmRSS", st.rss_anon + st.rss_file + st.rss_shmem);
    put_kb(buf, "RssAnon", st.rss_anon);
    put_kb(buf, "RssFile", st.rss_file);
    put_kb(buf, "RssShmem", st.rss_shmem);
    put_kb(buf, "VmData", st.data_vm);
    put_kb(buf, "VmStk", st.stack_vm);
    put_kb(buf, "VmExe", st.text_pages);
    put_kb(buf, "VmLib", st.lib_pages);
    mm_buf_printf(buf, "VmPTE:\t%8llu kB\n",
                  (unsigned long long)(st.pgtables_bytes >> 10));
    put_kb(buf, "VmSwap", st.swapents);
    return buf->err;
}

/**
 * mm_render_pid_statm() - /proc/PID/statm: seven fields in pages
 * @sim: the simulator
 * @pid: tgid
 * @buf: output
 *
 * size resident shared text lib(0) data+stack dt(0); text is not capped
 * by exec_vm here, unlike VmExe.
 * Return: 0, MM_ESRCH, MM_ENOMEM (host).
 * Kernel: fs/proc/task_mmu.c task_statm(); fs/proc/array.c proc_pid_statm().
 */
int mm_render_pid_statm(const struct mm_sim *sim, uint32_t pid,
                        struct mm_buf *buf)
{
    const struct mm_task *task = task_of(sim, pid);
    if (!task)
        return MM_ESRCH;
    const struct mm_mm *mm = task->mm;
    uint64_t shared = mm->rss_file + mm->rss_shmem;
    mm_buf_printf(buf, "%llu %llu %llu %llu 0 %llu 0\n",
                  (unsigned long long)mm->total_vm,
                  (unsigned long long)(shared + mm->rss_anon),
                  (unsigned long long)shared,
                  (unsigned long long)(text_bytes(task) >> MM_PAGE_SHIFT),
                  (unsigned long long)(mm->data_vm + mm->stack_vm));
    return buf->err;
}
