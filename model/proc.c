/*
 * proc.c - the system-wide /proc views of the simulated kernel: meminfo,
 * vmstat, buddyinfo, pagetypeinfo, zoneinfo and sys/vm/KNOB, and the
 * per-node sysfs meminfo and numastat (proc_node.c). This file
 * gathers what they print from the simulator into a struct mm__proc_view
 * (counters through model/vmstat.c, commit figures through
 * model/overcommit.c) and dispatches on the path; the formats are in
 * proc_meminfo.c, proc_vmstat.c, proc_zoneinfo.c and proc_buddyinfo.c,
 * byte-compatible with the emulated kernel's (fs/proc/meminfo.c,
 * mm/vmstat.c). Callers: tools/cmd_proc.c, tools/cmd_sysctl.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/** mm__proc_node_sum() - a node counter summed over nodes
 * (global_node_page_state()). */
uint64_t mm__proc_node_sum(const struct mm__proc_view *v,
                           enum mm_node_stat_item item)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        sum += v->nodes[n].stat[item];
    return sum;
}

/** mm__proc_zone_sum() - a zone counter summed over all zones
 * (global_zone_page_state()). */
uint64_t mm__proc_zone_sum(const struct mm__proc_view *v,
                           enum mm_zone_stat_item item)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int z = 0; z < MM_NR_ZONES; z++)
            sum += v->nodes[n].zones[z].stat[item];
    return sum;
}

/** mm__proc_numa_sum() - a NUMA event summed over all zones
 * (global_numa_event_state()). */
uint64_t mm__proc_numa_sum(const struct mm__proc_view *v,
                           enum mm_numa_stat_item item)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int z = 0; z < MM_NR_ZONES; z++)
            sum += v->nodes[n].zones[z].numa[item];
    return sum;
}

static void fill_zone(const struct mm_zone *z, struct mm__proc_zone *pz)
{
    pz->shape = (struct mm_zone_shape){z->start_pfn, z->spanned, z->present,
                                       z->managed};
    pz->boost = z->watermark_boost;
    for (int w = 0; w < MM_NR_WMARK; w++)
        pz->wmark[w] = z->watermark[w];
    for (int j = 0; j < MM_NR_ZONES; j++)
        pz->protection[j] = mm__zone_protection(z, (enum mm_zone_type)j);
    for (unsigned o = 0; o < MM_NR_PAGE_ORDERS; o++)
        for (unsigned t = 0; t < MM_MIGRATE_TYPES; t++)
            pz->nr_free[o][t] = mm__zone_nr_free_mt(z, o, t);
    for (int t = 0; t < MM_MIGRATE_TYPES && mm__populated_zone(z); t++)
        pz->pageblocks[t] = mm__pageblocks_of_type(z, (enum mm_migratetype)t);
    for (int i = 0; i < MM_NR_ZONE_STAT_ITEMS; i++)
        pz->stat[i] = mm__zone_page_state(z, (enum mm_zone_stat_item)i);
    for (int i = 0; i < MM_NR_NUMA_STAT_ITEMS; i++)
        pz->numa[i] = mm__zone_numa_event_state(z, (enum mm_numa_stat_item)i);
}

static void fill_node(const struct mm_pgdat *pg, struct mm__proc_node *pn)
{
    for (int z = 0; z < MM_NR_ZONES; z++)
        fill_zone(&pg->zones[z], &pn->zones[z]);
    for (int i = 0; i < MM_NR_NODE_STAT_ITEMS; i++)
        pn->stat[i] = mm__node_page_state(pg, (enum mm_node_stat_item)i);
    pn->nr_huge_pages = pg->nr_huge_pages;
}

/*
 * The global dirty thresholds /proc/vmstat prints, for a task that is not
 * real-time. Kernel: mm/page-writeback.c global_dirtyable_memory(),
 * domain_dirty_limits().
 */
static void dirty_limits(const struct mm_sim *sim, struct mm__proc_view *v)
{
    uint64_t free = mm__proc_zone_sum(v, MM_NR_FREE_PAGES);
    uint64_t avail = free - (free < sim->totalreserve_pages
                                 ? free : sim->totalreserve_pages);
    avail += mm__proc_node_sum(v, MM_NR_INACTIVE_FILE) +
             mm__proc_node_sum(v, MM_NR_ACTIVE_FILE) + 1;
    uint64_t ratio = (uint64_t)sim->vm.dirty_ratio * MM_PAGE_SIZE / 100;
    uint64_t bg_ratio =
        (uint64_t)sim->vm.dirty_background_ratio * MM_PAGE_SIZE / 100;
    uint64_t thresh = sim->vm.dirty_bytes
        ? (sim->vm.dirty_bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE
        : ratio * avail / MM_PAGE_SIZE;
    uint64_t bg = sim->vm.dirty_background_bytes
        ? (sim->vm.dirty_background_bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE
        : bg_ratio * avail / MM_PAGE_SIZE;
    if (thresh > UINT32_MAX)
        thresh = UINT32_MAX;
    if (bg >= thresh)
        bg = thresh / 2;
    v->writeback[MM_NR_DIRTY_THRESHOLD] = thresh;
    v->writeback[MM_NR_DIRTY_BACKGROUND_THRESHOLD] = bg;
}

/* struct pages allocated at boot: 2 MiB per populated 128 MiB section
 * (the sparse vmemmap), when the model has not counted them itself. */
static uint64_t memmap_boot_pages(const struct mm_sim *sim)
{
    uint64_t pages = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        uint64_t present = 0;
        for (int z = 0; z < MM_NR_ZONES; z++)
            present += sim->nodes[n].zones[z].present;
        pages += (present + (1u << 15) - 1) >> 15 << 9;
    }
    return pages;
}

static void fill_globals(const struct mm_sim *sim, struct mm__proc_view *v)
{
    const struct mm_machine *m = &sim->machine;
    v->kernel = m->kernel;
    v->nr_nodes = sim->nr_nodes;
    v->pcp_high_fraction = sim->vm.percpu_pagelist_high_fraction;
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        v->node_cpus[n] = sim->nodes[n].nr_cpus;
        v->nr_cpus += sim->nodes[n].nr_cpus;
    }
    for (int i = 0; i < MM_NR_GLOBAL_STAT_ITEMS; i++)
        v->global[i] = mm__global_page_state(sim, (enum mm_global_stat_item)i);
    if (!v->global[MM_NR_MEMMAP_BOOT_PAGES])
        v->global[MM_NR_MEMMAP_BOOT_PAGES] = memmap_boot_pages(sim);
    for (int i = 0; i < MM_NR_VM_EVENT_ITEMS; i++)
        v->events[i] = mm__vm_event(sim, (enum mm_vm_event_item)i);
    mm_swap_info(sim, &v->swap_total, &v->swap_free);
    v->hugetlb_total = v->hugetlb_free = m->hugetlb_pages >> 9;
    v->commit_limit = mm_vm_commit_limit(sim);
    v->committed = mm_vm_memory_committed(sim);
}

/* Gather everything the renderers print from @sim; free v->nodes after. */
static int view_fill(const struct mm_sim *sim, struct mm__proc_view *v)
{
    memset(v, 0, sizeof(*v));
    struct mm__proc_node *nodes = calloc(sim->nr_nodes, sizeof(*nodes));
    if (!nodes)
        return MM_ENOMEM;
    for (unsigned i = 0; i < sim->nr_nodes; i++)
        fill_node(&sim->nodes[i], &nodes[i]);
    v->nodes = nodes;
    fill_globals(sim, v);
    dirty_limits(sim, v);
    return 0;
}

typedef int (*render_fn)(const struct mm__proc_view *v, struct mm_buf *out);

static const struct {
    const char *path;
    render_fn render;
} views[] = {
    {"buddyinfo", mm__proc_buddyinfo},
    {"meminfo", mm__proc_meminfo},
    {"pagetypeinfo", mm__proc_pagetypeinfo},
    {"vmstat", mm__proc_vmstat},
    {"zoneinfo", mm__proc_zoneinfo},
};

static int render_sysctl(const struct mm_sim *sim, const char *name,
                         struct mm_buf *out)
{
    if (strchr(name, '/') || strchr(name, '.'))
        return MM_ENOENT;
    int rc = mm_sysctl_read(&sim->vm, name, out);
    if (!rc)
        rc = mm_buf_printf(out, "\n");
    return rc;
}

/* "PID/status", "PID/statm", "PID/smaps_rollup" (model/proc_pid*.c). */
static int render_pid(const struct mm_sim *sim, const char *path,
                      struct mm_buf *out)
{
    static const struct {
        const char *file;
        int (*render)(const struct mm_sim *, uint32_t, struct mm_buf *);
    } files[] = {
        {"oom_score", mm_render_pid_oom_score},
        {"oom_score_adj", mm_render_pid_oom_score_adj},
        {"smaps_rollup", mm_render_pid_smaps_rollup},
        {"statm", mm_render_pid_statm},
        {"status", mm_render_pid_status},
    };
    uint64_t pid = 0;
    const char *p = path;
    for (; *p >= '0' && *p <= '9' && pid <= UINT32_MAX; p++)
        pid = pid * 10 + (uint64_t)(*p - '0');
    if (p == path || *p != '/' || pid > UINT32_MAX)
        return MM_ENOENT;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (strcmp(p + 1, files[i].file) == 0)
            return files[i].render(sim, (uint32_t)pid, out);
    return MM_ENOENT;
}

/* "node/nodeN/meminfo", "node/nodeN/numastat" (model/proc_node.c). */
static int render_node(const struct mm_sim *sim, const char *path,
                       struct mm_buf *out)
{
    unsigned nid = 0;
    const char *p = path;
    for (; *p >= '0' && *p <= '9' && nid < MM_MAX_NUMNODES; p++)
        nid = nid * 10 + (unsigned)(*p - '0');
    if (p == path || *p != '/' || nid >= sim->nr_nodes)
        return MM_ENOENT;
    bool meminfo = strcmp(p + 1, "meminfo") == 0;
    if (!meminfo && strcmp(p + 1, "numastat") != 0)
        return MM_ENOENT;
    struct mm__proc_view v;
    int rc = view_fill(sim, &v);
    if (!rc)
        rc = meminfo ? mm__proc_node_meminfo(&v, nid, out)
                     : mm__proc_node_numastat(&v, nid, out);
    free((void *)v.nodes);
    return rc;
}

/**
 * mm_proc_render() - a /proc file of the simulated kernel, as the emulated
 * kernel version prints it
 * @sim: the simulator
 * @path: relative to /proc: "buddyinfo", "meminfo", "pagetypeinfo",
 *        "vmstat", "zoneinfo", "sys/vm/NAME", or "PID/status",
 *        "PID/statm", "PID/smaps_rollup"; and the sysfs files
 *        "node/nodeN/meminfo", "node/nodeN/numastat"
 * @out: the text is appended
 *
 * Return: 0, MM_ENOENT for a path the model has no view for, MM_ESRCH for
 * a process the model does not have, MM_ENOMEM.
 */
int mm_proc_render(const struct mm_sim *sim, const char *path,
                   struct mm_buf *out)
{
    if (strncmp(path, "node/node", 9) == 0)
        return render_node(sim, path + 9, out);
    if (strncmp(path, "sys/vm/", 7) == 0)
        return render_sysctl(sim, path + 7, out);
    if (*path >= '0' && *path <= '9')
        return render_pid(sim, path, out);
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
        if (strcmp(path, views[i].path) != 0)
            continue;
        struct mm__proc_view v;
        int rc = view_fill(sim, &v);
        if (!rc)
            rc = views[i].render(&v, out);
        free((void *)v.nodes);
        return rc;
    }
    return MM_ENOENT;
}
