/*
 * proc_pid_numa.c - /proc/PID/numa_maps of the simulated kernel: per VMA
 * its memory policy, what backs it, and its resident pages by node.
 *
 * Callers: tools (mmsim proc PID/numa_maps --trace), with the trace's
 * string table for file names. Kernel: fs/proc/task_mmu.c show_numa_map(),
 * gather_stats(), can_gather_numa_stats(); mm/mempolicy.c mpol_to_str().
 * The same in 6.1 and 6.12 (6.12 adds "weighted interleave").
 *
 * Simplified: the gate VMA ([vsyscall]) is not listed, as on the reference
 * machine. Writeback is never in progress (writes complete at once in the
 * model), so writeback= never shows.
 */
#include <stdlib.h>

#include "internal.h"

/* What gather_stats() collects for one VMA. */
struct numa_stats {
    uint64_t pages, anon, active, dirty, swapcache, mapcount_max;
    uint64_t node[MM_MAX_NUMNODES];
};

static const char *const mode_names[] = {
    [MM_MPOL_DEFAULT] = "default", [MM_MPOL_PREFERRED] = "prefer",
    [MM_MPOL_BIND] = "bind", [MM_MPOL_INTERLEAVE] = "interleave",
    [MM_MPOL_LOCAL] = "local", [MM_MPOL_PREFERRED_MANY] = "prefer (many)",
    [MM_MPOL_WEIGHTED_INTERLEAVE] = "weighted interleave",
};

/* mpol_to_str(); the built-in default and per-node policies are "default". */
static void print_policy(struct mm_buf *out, const struct mm_mempolicy *pol)
{
    mm_buf_printf(out, " %s", mode_names[pol->mode]);
    if (pol->flags & MM_MPOL_MODE_FLAGS) {
        mm_buf_printf(out, "=");
        if (pol->flags & MM_MPOL_F_STATIC_NODES)
            mm_buf_printf(out, "static");
        else if (pol->flags & MM_MPOL_F_RELATIVE_NODES)
            mm_buf_printf(out, "relative");
        if (pol->flags & MM_MPOL_F_NUMA_BALANCING)
            mm_buf_printf(out, "%sbalancing",
                          (pol->flags & (MM_MPOL_F_STATIC_NODES |
                                         MM_MPOL_F_RELATIVE_NODES)) ? "|" : "");
    }
    if (pol->mode != MM_MPOL_DEFAULT && pol->mode != MM_MPOL_LOCAL && pol->nodes) {
        mm_buf_printf(out, ":");
        mm__buf_nodelist(out, pol->nodes);
    }
}

/* seq_file_path() with "\n\t= " escaped as octal. */
static void print_path(struct mm_buf *out, const char *path)
{
    mm_buf_printf(out, " file=");
    for (const char *c = path; *c; c++) {
        if (*c == '\n' || *c == '\t' || *c == '=' || *c == ' ')
            mm_buf_printf(out, "\\%03o", (unsigned)(unsigned char)*c);
        else
            mm_buf_printf(out, "%c", *c);
    }
}

/* gather_stats() for the present, normal pages of @vma. */
static void gather(const struct mm_sim *sim, const struct mm_mm *mm,
                   const struct mm_vma *vma, struct numa_stats *st)
{
    uint64_t *vpns, pte;
    size_t n = mm__collect_ptes(mm, vma->start, vma->end, &vpns);
    for (size_t i = 0; i < n; i++) {
        mm__hmap_get(&mm->ptes, vpns[i], &pte);
        const struct mm_folio *f = (pte & MM_PTE_PRESENT) && !(pte & MM_PTE_ZERO)
                                       ? mm__folio_of(sim, MM_PTE_PFN(pte)) : NULL;
        int nid = f ? mm__pfn_to_nid(sim, MM_PTE_PFN(pte)) : -1;
        if (nid < 0)
            continue;
        uint32_t mc = f->mapcount[MM_PTE_PFN(pte) - f->pfn];
        st->pages++;
        st->dirty += (pte & MM_PTE_DIRTY) || f->dirty;
        st->anon += f->kind == MM_FOLIO_ANON;
        st->swapcache += f->swap != 0;
        st->active += (f->pgflags & MM_PG_ACTIVE) || f->lru == MM_LRU_UNEVICTABLE;
        st->mapcount_max = mc > st->mapcount_max ? mc : st->mapcount_max;
        st->node[nid]++;
    }
    free(vpns);
}

static void print_stats(const struct mm_sim *sim, const struct mm_vma *vma,
                        const struct numa_stats *st, struct mm_buf *out)
{
    if (st->anon)
        mm_buf_printf(out, " anon=%llu", (unsigned long long)st->anon);
    if (st->dirty)
        mm_buf_printf(out, " dirty=%llu", (unsigned long long)st->dirty);
    if (st->pages != st->anon && st->pages != st->dirty)
        mm_buf_printf(out, " mapped=%llu", (unsigned long long)st->pages);
    if (st->mapcount_max > 1)
        mm_buf_printf(out, " mapmax=%llu", (unsigned long long)st->mapcount_max);
    if (st->swapcache)
        mm_buf_printf(out, " swapcache=%llu", (unsigned long long)st->swapcache);
    if (st->active < st->pages && !(vma->flags & MM_VM_HUGETLB))
        mm_buf_printf(out, " active=%llu", (unsigned long long)st->active);
    for (unsigned nid = 0; nid < sim->nr_nodes; nid++)
        if ((sim->node_mask >> nid & 1u) && st->node[nid])
            mm_buf_printf(out, " N%u=%llu", nid, (unsigned long long)st->node[nid]);
    mm_buf_printf(out, " kernelpagesize_kB=%u",
                  (vma->flags & MM_VM_HUGETLB) ? 2048u : 4u);
}

/* show_numa_map() for one VMA. */
static void show_numa_map(const struct mm_sim *sim, const struct mm_task *task,
                          const struct mm_vma *vma, struct mm_buf *out,
                          mm_name_fn name, void *ctx)
{
    const struct mm_mm *mm = task->mm;
    const char *path = vma->file && name ? name(ctx, vma->path) : NULL;
    mm_buf_printf(out, "%08llx", (unsigned long long)vma->start);
    print_policy(out, vma->policy.mode != MM_MPOL_DEFAULT ? &vma->policy
                                                          : &task->mempolicy);
    if (path)
        print_path(out, path);
    else if (!vma->file && vma->start <= mm->brk && vma->end >= mm->start_brk)
        mm_buf_printf(out, " heap");
    else if (!vma->file && vma->start <= mm->start_stack &&
             vma->end >= mm->start_stack)
        mm_buf_printf(out, " stack");
    if (vma->flags & MM_VM_HUGETLB)
        mm_buf_printf(out, " huge");
    struct numa_stats st = {0};
    gather(sim, mm, vma, &st);
    if (st.pages)
        print_stats(sim, vma, &st, out);
    mm_buf_printf(out, "\n");
}

/**
 * mm_render_pid_numa_maps() - /proc/PID/numa_maps
 * @sim: the simulator
 * @pid: tgid
 * @buf: the text is appended
 * @name: turns a VMA's interned path into text (NULL: no file names)
 * @ctx: passed to @name
 *
 * Kernel: fs/proc/task_mmu.c show_numa_map().
 * Return: 0, MM_ESRCH, MM_ENOMEM.
 */
int mm_render_pid_numa_maps(const struct mm_sim *sim, uint32_t pid,
                            struct mm_buf *buf, mm_name_fn name, void *ctx)
{
    const struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    for (const struct mm_avl_node *n = mm__avl_first(&task->mm->vmas); n;
         n = mm__avl_next(&task->mm->vmas, n))
        show_numa_map(sim, task, mm_container_of(n, struct mm_vma, node), buf,
                      name, ctx);
    return buf->err;
}
