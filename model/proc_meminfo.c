/*
 * proc_meminfo.c - /proc/meminfo of the simulated kernel, with the lines
 * the emulated version prints (6.1 Debian: HardwareCorrupted; 6.18 as on
 * the reference machine: Balloon, no HardwareCorrupted). Lines for memory
 * the model does not track (slab, kernel stacks, vmalloc, per-CPU, the
 * direct map) print what their counters hold: 0 unless the model counts
 * them (docs/proc-views.md lists them).
 * Kernel: fs/proc/meminfo.c meminfo_proc_show(), mm/show_mem.c
 * si_mem_available(), mm/page_alloc.c calculate_totalreserve_pages().
 */
#include "internal.h"

#define K(pages) ((unsigned long long)(pages) << (MM_PAGE_SHIFT - 10))
#define VMALLOC_TOTAL_KB 34359738367ull /* x86_64 4-level: 32 TiB - 1 kB */

static void line_kb(struct mm_buf *out, const char *label, uint64_t pages)
{
    mm_buf_printf(out, "%-16s%8llu kB\n", label, K(pages));
}

/* calculate_totalreserve_pages(): high watermark plus the largest lowmem
 * reserve of every zone, at most the zone. */
static uint64_t totalreserve(const struct mm__proc_view *v)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int zi = 0; zi < MM_NR_ZONES; zi++) {
            const struct mm__proc_zone *z = &v->nodes[n].zones[zi];
            uint64_t max = 0;
            for (int j = 0; j < MM_NR_ZONES; j++)
                if (z->protection[j] > max)
                    max = z->protection[j];
            max += z->wmark[2];
            sum += max < z->shape.managed ? max : z->shape.managed;
        }
    return sum;
}

/* si_mem_available(): free memory above the reserves, plus the part of
 * page cache and reclaimable slab that reclaim would give back. */
static uint64_t mem_available(const struct mm__proc_view *v)
{
    uint64_t wmark_low = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int zi = 0; zi < MM_NR_ZONES; zi++)
            wmark_low += v->nodes[n].zones[zi].wmark[1];
    int64_t avail = (int64_t)mm__proc_zone_sum(v, MM_NR_FREE_PAGES) -
                    (int64_t)totalreserve(v);
    uint64_t pc = mm__proc_node_sum(v, MM_NR_ACTIVE_FILE) +
                  mm__proc_node_sum(v, MM_NR_INACTIVE_FILE);
    avail += (int64_t)(pc - (pc / 2 < wmark_low ? pc / 2 : wmark_low));
    uint64_t rec = mm__proc_node_sum(v, MM_NR_SLAB_RECLAIMABLE) +
                   mm__proc_node_sum(v, MM_NR_KERNEL_MISC_RECLAIMABLE);
    avail += (int64_t)(rec - (rec / 2 < wmark_low ? rec / 2 : wmark_low));
    return avail < 0 ? 0 : (uint64_t)avail;
}

static uint64_t totalram(const struct mm__proc_view *v)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int zi = 0; zi < MM_NR_ZONES; zi++)
            sum += v->nodes[n].zones[zi].shape.managed;
    return sum;
}

static void meminfo_lru(const struct mm__proc_view *v, struct mm_buf *out)
{
    uint64_t file = mm__proc_node_sum(v, MM_NR_FILE_PAGES);
    uint64_t swapcached = mm__proc_node_sum(v, MM_NR_SWAPCACHED);
    uint64_t aa = mm__proc_node_sum(v, MM_NR_ACTIVE_ANON);
    uint64_t ia = mm__proc_node_sum(v, MM_NR_INACTIVE_ANON);
    uint64_t af = mm__proc_node_sum(v, MM_NR_ACTIVE_FILE);
    uint64_t inf = mm__proc_node_sum(v, MM_NR_INACTIVE_FILE);
    line_kb(out, "MemTotal:", totalram(v));
    line_kb(out, "MemFree:", mm__proc_zone_sum(v, MM_NR_FREE_PAGES));
    line_kb(out, "MemAvailable:", mem_available(v));
    line_kb(out, "Buffers:", 0);
    line_kb(out, "Cached:", file > swapcached ? file - swapcached : 0);
    line_kb(out, "SwapCached:", swapcached);
    line_kb(out, "Active:", aa + af);
    line_kb(out, "Inactive:", ia + inf);
    line_kb(out, "Active(anon):", aa);
    line_kb(out, "Inactive(anon):", ia);
    line_kb(out, "Active(file):", af);
    line_kb(out, "Inactive(file):", inf);
    line_kb(out, "Unevictable:", mm__proc_node_sum(v, MM_NR_UNEVICTABLE));
    line_kb(out, "Mlocked:", mm__proc_zone_sum(v, MM_NR_MLOCK));
    line_kb(out, "SwapTotal:", v->swap_total);
    line_kb(out, "SwapFree:", v->swap_free);
    line_kb(out, "Zswap:", 0);
    line_kb(out, "Zswapped:", 0);
}

static void meminfo_kernel(const struct mm__proc_view *v, struct mm_buf *out)
{
    uint64_t srec = mm__proc_node_sum(v, MM_NR_SLAB_RECLAIMABLE);
    uint64_t sunrec = mm__proc_node_sum(v, MM_NR_SLAB_UNRECLAIMABLE);
    line_kb(out, "Dirty:", mm__proc_node_sum(v, MM_NR_DIRTY));
    line_kb(out, "Writeback:", mm__proc_node_sum(v, MM_NR_WRITEBACK));
    line_kb(out, "AnonPages:", mm__proc_node_sum(v, MM_NR_ANON_PAGES));
    line_kb(out, "Mapped:", mm__proc_node_sum(v, MM_NR_MAPPED));
    line_kb(out, "Shmem:", mm__proc_node_sum(v, MM_NR_SHMEM));
    line_kb(out, "KReclaimable:",
            srec + mm__proc_node_sum(v, MM_NR_KERNEL_MISC_RECLAIMABLE));
    line_kb(out, "Slab:", srec + sunrec);
    line_kb(out, "SReclaimable:", srec);
    line_kb(out, "SUnreclaim:", sunrec);
    /* NR_KERNEL_STACK_KB counts kB, not pages */
    mm_buf_printf(out, "%-16s%8llu kB\n", "KernelStack:",
                  (unsigned long long)mm__proc_node_sum(v, MM_NR_KERNEL_STACK));
    line_kb(out, "PageTables:", mm__proc_node_sum(v, MM_NR_PAGE_TABLE_PAGES));
    line_kb(out, "SecPageTables:",
            mm__proc_node_sum(v, MM_NR_SEC_PAGE_TABLE_PAGES));
    line_kb(out, "NFS_Unstable:", 0);
    line_kb(out, "Bounce:", mm__proc_zone_sum(v, MM_NR_BOUNCE));
    line_kb(out, "WritebackTmp:", mm__proc_node_sum(v, MM_NR_WRITEBACK_TEMP));
    line_kb(out, "CommitLimit:", v->commit_limit);
    line_kb(out, "Committed_AS:", v->committed);
    mm_buf_printf(out, "%-16s%8llu kB\n", "VmallocTotal:", VMALLOC_TOTAL_KB);
    line_kb(out, "VmallocUsed:", 0);
    line_kb(out, "VmallocChunk:", 0);
    line_kb(out, "Percpu:", 0);
}

static void meminfo_huge(const struct mm__proc_view *v, struct mm_buf *out)
{
    static const struct {
        const char *label;
        enum mm_node_stat_item item;
    } thp[] = {
        {"AnonHugePages:", MM_NR_ANON_TRANSPARENT_HUGEPAGES},
        {"ShmemHugePages:", MM_NR_SHMEM_HUGEPAGES},
        {"ShmemPmdMapped:", MM_NR_SHMEM_PMDMAPPED},
        {"FileHugePages:", MM_NR_FILE_HUGEPAGES},
        {"FilePmdMapped:", MM_NR_FILE_PMDMAPPED},
    };
    bool v618 = v->kernel >= MM_KERNEL(6, 18);
    if (!v618)
        mm_buf_printf(out, "HardwareCorrupted: %5llu kB\n", 0ull);
    for (int i = 0; i < 5; i++) /* the counters count huge pages */
        line_kb(out, thp[i].label, mm__proc_node_sum(v, thp[i].item) << 9);
    if (v618)
        line_kb(out, "Balloon:", mm__proc_node_sum(v, MM_NR_BALLOON_PAGES));
    mm_buf_printf(out, "%-16s%8llu\n%-16s%8llu\n%-16s%8llu\n%-16s%8llu\n",
                  "HugePages_Total:", (unsigned long long)v->hugetlb_total,
                  "HugePages_Free:", (unsigned long long)v->hugetlb_free,
                  "HugePages_Rsvd:", 0ull, "HugePages_Surp:", 0ull);
    line_kb(out, "Hugepagesize:", 512);
    line_kb(out, "Hugetlb:", v->hugetlb_total << 9);
    line_kb(out, "DirectMap4k:", 0);
    line_kb(out, "DirectMap2M:", 0);
    line_kb(out, "DirectMap1G:", 0);
}

/**
 * mm__proc_meminfo() - render /proc/meminfo
 * @v: the view of the simulator
 * @out: appended to
 *
 * MemTotal is the zones' managed pages (totalram_pages()); MemAvailable
 * follows si_mem_available(); CommitLimit and Committed_AS come from the
 * commit accounting.
 *
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_meminfo(const struct mm__proc_view *v, struct mm_buf *out)
{
    meminfo_lru(v, out);
    meminfo_kernel(v, out);
    meminfo_huge(v, out);
    return out->err;
}
