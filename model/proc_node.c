/*
 * proc_node.c - the per-node sysfs files of the simulated kernel:
 * /sys/devices/system/node/nodeN/meminfo and .../nodeN/numastat, which
 * `mmsim proc` names node/nodeN/meminfo and node/nodeN/numastat.
 *
 * Callers: model/proc.c mm_proc_render(), with the same struct
 * mm__proc_view as the /proc renderers. Lines for memory the model does not
 * track print what their counters hold (0 unless counted), as in
 * proc_meminfo.c.
 *
 * Kernel: drivers/base/node.c node_read_meminfo(), node_read_numastat();
 * mm/hugetlb.c hugetlb_report_node_meminfo(). 6.1: "FileHugePages:" and
 * "FilePmdMapped:" one column short; 6.12 and later aligned (checked on
 * the 6.18 machine, which also prints no Unaccepted line; Debian 6.12's
 * CONFIG_UNACCEPTED_MEMORY line is left out as /proc/meminfo leaves it).
 */
#include "internal.h"

#define K(pages) ((unsigned long long)(pages) << (MM_PAGE_SHIFT - 10))

static void line(struct mm_buf *out, unsigned nid, const char *label,
                 unsigned long long kb)
{
    mm_buf_printf(out, "Node %u %-16s%8llu kB\n", nid, label, kb);
}

static uint64_t node_zone_sum(const struct mm__proc_node *pn,
                              enum mm_zone_stat_item item)
{
    uint64_t sum = 0;
    for (int z = 0; z < MM_NR_ZONES; z++)
        sum += pn->zones[z].stat[item];
    return sum;
}

/* si_meminfo_node(): the node's managed and free pages. */
static void node_mem(const struct mm__proc_node *pn, uint64_t *total,
                     uint64_t *free)
{
    *total = 0;
    for (int z = 0; z < MM_NR_ZONES; z++)
        *total += pn->zones[z].shape.managed;
    *free = node_zone_sum(pn, MM_NR_FREE_PAGES);
}

static void meminfo_lru(const struct mm__proc_node *pn, unsigned nid,
                        struct mm_buf *out)
{
    const uint64_t *s = pn->stat;
    uint64_t total, free;
    node_mem(pn, &total, &free);
    line(out, nid, "MemTotal:", K(total));
    line(out, nid, "MemFree:", K(free));
    line(out, nid, "MemUsed:", K(total - free));
    line(out, nid, "SwapCached:", K(s[MM_NR_SWAPCACHED]));
    line(out, nid, "Active:", K(s[MM_NR_ACTIVE_ANON] + s[MM_NR_ACTIVE_FILE]));
    line(out, nid, "Inactive:",
         K(s[MM_NR_INACTIVE_ANON] + s[MM_NR_INACTIVE_FILE]));
    line(out, nid, "Active(anon):", K(s[MM_NR_ACTIVE_ANON]));
    line(out, nid, "Inactive(anon):", K(s[MM_NR_INACTIVE_ANON]));
    line(out, nid, "Active(file):", K(s[MM_NR_ACTIVE_FILE]));
    line(out, nid, "Inactive(file):", K(s[MM_NR_INACTIVE_FILE]));
    line(out, nid, "Unevictable:", K(s[MM_NR_UNEVICTABLE]));
    line(out, nid, "Mlocked:", K(node_zone_sum(pn, MM_NR_MLOCK)));
}

static void meminfo_kernel(const struct mm__proc_node *pn, unsigned nid,
                           struct mm_buf *out)
{
    const uint64_t *s = pn->stat;
    uint64_t srec = s[MM_NR_SLAB_RECLAIMABLE];
    uint64_t sunrec = s[MM_NR_SLAB_UNRECLAIMABLE];
    line(out, nid, "Dirty:", K(s[MM_NR_DIRTY]));
    line(out, nid, "Writeback:", K(s[MM_NR_WRITEBACK]));
    line(out, nid, "FilePages:", K(s[MM_NR_FILE_PAGES]));
    line(out, nid, "Mapped:", K(s[MM_NR_MAPPED]));
    line(out, nid, "AnonPages:", K(s[MM_NR_ANON_PAGES]));
    line(out, nid, "Shmem:", K(s[MM_NR_SHMEM]));
    line(out, nid, "KernelStack:", s[MM_NR_KERNEL_STACK]); /* counts kB */
    line(out, nid, "PageTables:", K(s[MM_NR_PAGE_TABLE_PAGES]));
    line(out, nid, "SecPageTables:", K(s[MM_NR_SEC_PAGE_TABLE_PAGES]));
    line(out, nid, "NFS_Unstable:", 0);
    line(out, nid, "Bounce:", K(node_zone_sum(pn, MM_NR_BOUNCE)));
    line(out, nid, "WritebackTmp:", K(s[MM_NR_WRITEBACK_TEMP]));
    line(out, nid, "KReclaimable:", K(srec + s[MM_NR_KERNEL_MISC_RECLAIMABLE]));
    line(out, nid, "Slab:", K(srec + sunrec));
    line(out, nid, "SReclaimable:", K(srec));
    line(out, nid, "SUnreclaim:", K(sunrec));
}

static void meminfo_huge(const struct mm__proc_view *v,
                         const struct mm__proc_node *pn, unsigned nid,
                         struct mm_buf *out)
{
    const uint64_t *s = pn->stat;
    bool short_col = v->kernel < MM_KERNEL(6, 12);
    line(out, nid, "AnonHugePages:", K(s[MM_NR_ANON_TRANSPARENT_HUGEPAGES] << 9));
    line(out, nid, "ShmemHugePages:", K(s[MM_NR_SHMEM_HUGEPAGES] << 9));
    line(out, nid, "ShmemPmdMapped:", K(s[MM_NR_SHMEM_PMDMAPPED] << 9));
    mm_buf_printf(out, short_col ? "Node %u FileHugePages: %8llu kB\n"
                                 : "Node %u FileHugePages:  %8llu kB\n",
                  nid, K(s[MM_NR_FILE_HUGEPAGES] << 9));
    mm_buf_printf(out, short_col ? "Node %u FilePmdMapped: %8llu kB\n"
                                 : "Node %u FilePmdMapped:  %8llu kB\n",
                  nid, K(s[MM_NR_FILE_PMDMAPPED] << 9));
    mm_buf_printf(out, "Node %u HugePages_Total: %5llu\n"
                       "Node %u HugePages_Free:  %5llu\n"
                       "Node %u HugePages_Surp:  %5llu\n",
                  nid, (unsigned long long)pn->nr_huge_pages, nid,
                  (unsigned long long)pn->nr_huge_pages, nid, 0ull);
}

/**
 * mm__proc_node_meminfo() - render /sys/devices/system/node/nodeN/meminfo
 * @v: the view of the simulator
 * @nid: the node (below v->nr_nodes)
 * @out: appended to
 *
 * Every hugetlb page of the pool is free (the model does not map hugetlb).
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_node_meminfo(const struct mm__proc_view *v, unsigned nid,
                          struct mm_buf *out)
{
    const struct mm__proc_node *pn = &v->nodes[nid];
    meminfo_lru(pn, nid, out);
    meminfo_kernel(pn, nid, out);
    meminfo_huge(v, pn, nid, out);
    return out->err;
}

/**
 * mm__proc_node_numastat() - render /sys/devices/system/node/nodeN/numastat
 * @v: the view of the simulator
 * @nid: the node (below v->nr_nodes)
 * @out: appended to
 *
 * The node's zones summed (sum_zone_numa_event_state()); the names differ
 * from /proc/vmstat's for the last three counters.
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_node_numastat(const struct mm__proc_view *v, unsigned nid,
                           struct mm_buf *out)
{
    static const char *const names[MM_NR_NUMA_STAT_ITEMS] = {
        [MM_NUMA_HIT] = "numa_hit", [MM_NUMA_MISS] = "numa_miss",
        [MM_NUMA_FOREIGN] = "numa_foreign",
        [MM_NUMA_INTERLEAVE] = "interleave_hit",
        [MM_NUMA_LOCAL] = "local_node", [MM_NUMA_OTHER] = "other_node",
    };
    for (int i = 0; i < MM_NR_NUMA_STAT_ITEMS; i++) {
        uint64_t sum = 0;
        for (int z = 0; z < MM_NR_ZONES; z++)
            sum += v->nodes[nid].zones[z].numa[i];
        mm_buf_printf(out, "%s %llu\n", names[i], (unsigned long long)sum);
    }
    return out->err;
}
