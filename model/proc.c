/*
 * proc.c - the system-wide /proc views of the simulated kernel: meminfo,
 * vmstat, buddyinfo, pagetypeinfo, zoneinfo. This file gathers what they
 * print from the simulator into a struct mm__proc_view and dispatches on
 * the path; the formats are in proc_meminfo.c, proc_vmstat.c,
 * proc_zoneinfo.c and proc_buddyinfo.c, byte-compatible with the kernel's
 * (fs/proc/meminfo.c, mm/vmstat.c) for the emulated version.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const zone_names[MM_NR_ZONES] = {
    "DMA", "DMA32", "Normal", "Movable", "Device",
};

/** mm__proc_zone_name() - the kernel's name of zone type @zone. */
const char *mm__proc_zone_name(int zone)
{
    return zone_names[zone];
}

/** mm__proc_zone_populated() - present pages; Kernel: populated_zone(). */
bool mm__proc_zone_populated(const struct mm__proc_zone *z)
{
    return z->shape.present != 0;
}

/**
 * mm__proc_stat() - the counter named @name in @s
 * Return: its value, 0 when the model does not count it.
 */
uint64_t mm__proc_stat(const struct mm__proc_stats *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return s->v[i].value;
    return 0;
}

/** mm__proc_node_sum() - a node counter summed over nodes
 * (global_node_page_state()). */
uint64_t mm__proc_node_sum(const struct mm__proc_view *v, const char *name)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        sum += mm__proc_stat(&v->nodes[n].stats, name);
    return sum;
}

/**
 * mm__proc_zone_stat() - a zone counter: nr_free_pages is the buddy's free
 * pages, nr_free_pages_blocks those in free blocks of at least a pageblock
 * (6.15+ defrag_mode accounting), the rest as counted by the model.
 * Return: the value, 0 when not counted.
 */
uint64_t mm__proc_zone_stat(const struct mm__proc_zone *z, const char *name)
{
    if (strcmp(name, "nr_free_pages") == 0)
        return z->free;
    if (strcmp(name, "nr_free_pages_blocks") != 0)
        return mm__proc_stat(&z->stats, name);
    uint64_t pages = 0;
    for (int o = MM_PAGEBLOCK_ORDER; o < MM_NR_PAGE_ORDERS; o++)
        for (int t = 0; t < MM__NR_MIGRATETYPES; t++)
            pages += z->nr_free[o][t] << o;
    return pages;
}

/** mm__proc_zone_sum() - a zone counter summed over all zones
 * (global_zone_page_state()). */
uint64_t mm__proc_zone_sum(const struct mm__proc_view *v, const char *name)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int z = 0; z < MM_NR_ZONES; z++)
            sum += mm__proc_zone_stat(&v->nodes[n].zones[z], name);
    return sum;
}

/* The view and the counter arrays it points into, in one allocation. */
struct view_store {
    struct mm__proc_view view;
    struct mm__proc_stat events[MM_NR_VM_EVENT_ITEMS];
    struct mm__proc_node *nodes;
    struct mm__proc_stat *node_stats; /* nr_nodes * MM_NR_NODE_STAT_ITEMS */
    struct mm__proc_stat *zone_stats; /* per zone: zone then NUMA items */
};

#define ZONE_STATS (MM_NR_ZONE_STAT_ITEMS + MM_NR_NUMA_STAT_ITEMS)
#define NAME_OF(id, name, since, until) name,
static const char *const zone_stat_names[] = {
    MM_ZONE_STAT_ITEMS(NAME_OF) MM_NUMA_STAT_ITEMS(NAME_OF)};
static const char *const node_stat_names[] = {MM_NODE_STAT_ITEMS(NAME_OF)};
static const char *const event_names[] = {MM_VM_EVENT_ITEMS(NAME_OF)};
#undef NAME_OF

static uint64_t clamp0(int64_t v)
{
    return v < 0 ? 0 : (uint64_t)v;
}

static void fill_zone(const struct mm_zone *z, struct mm__proc_zone *pz,
                      struct mm__proc_stat *stats)
{
    pz->shape = (struct mm_zone_shape){z->start_pfn, z->spanned, z->present,
                                       z->managed};
    pz->free = clamp0(z->vm_stat[MM_NR_FREE_PAGES]);
    pz->boost = z->watermark_boost;
    for (int w = 0; w < MM_NR_WMARK; w++)
        pz->wmark[w] = z->watermark[w];
    memcpy(pz->protection, z->lowmem_reserve, sizeof(pz->protection));
    for (int o = 0; o < MM_NR_PAGE_ORDERS; o++)
        for (int t = 0; t < MM_MIGRATE_TYPES; t++)
            pz->nr_free[o][t] = z->free_area[o].free_list[t].nr;
    for (int t = 0; t < MM_MIGRATE_TYPES && mm__populated_zone(z); t++)
        pz->pageblocks[t] = mm__pageblocks_of_type(z, (enum mm_migratetype)t);
    for (int i = 0; i < MM_NR_ZONE_STAT_ITEMS; i++)
        stats[i] = (struct mm__proc_stat){zone_stat_names[i],
                                          clamp0(z->vm_stat[i])};
    for (int i = 0; i < MM_NR_NUMA_STAT_ITEMS; i++)
        stats[MM_NR_ZONE_STAT_ITEMS + i] = (struct mm__proc_stat){
            zone_stat_names[MM_NR_ZONE_STAT_ITEMS + i], z->numa_stat[i]};
    pz->stats = (struct mm__proc_stats){stats, ZONE_STATS};
}

static void fill_node(const struct mm_pgdat *pg, struct mm__proc_node *pn,
                      struct mm__proc_stat *node_stats,
                      struct mm__proc_stat *zone_stats)
{
    for (int z = 0; z < MM_NR_ZONES; z++)
        fill_zone(&pg->zones[z], &pn->zones[z], zone_stats + z * ZONE_STATS);
    for (int i = 0; i < MM_NR_NODE_STAT_ITEMS; i++)
        node_stats[i] = (struct mm__proc_stat){node_stat_names[i],
                                               clamp0(pg->node_stat[i])};
    pn->stats = (struct mm__proc_stats){node_stats, MM_NR_NODE_STAT_ITEMS};
}

/*
 * The global dirty thresholds /proc/vmstat prints, for a task that is not
 * real-time. Kernel: mm/page-writeback.c global_dirtyable_memory(),
 * domain_dirty_limits().
 */
static void dirty_limits(const struct mm_sim *sim, struct mm__proc_view *v)
{
    uint64_t free = mm__proc_zone_sum(v, "nr_free_pages");
    uint64_t avail = free - (free < sim->totalreserve_pages
                                 ? free : sim->totalreserve_pages);
    avail += mm__proc_node_sum(v, "nr_inactive_file") +
             mm__proc_node_sum(v, "nr_active_file") + 1;
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
    v->dirty_threshold = thresh;
    v->dirty_bg_threshold = bg;
}

static void fill_globals(const struct mm_sim *sim, struct view_store *st)
{
    struct mm__proc_view *v = &st->view;
    const struct mm_machine *m = &sim->machine;
    v->kernel = m->kernel;
    v->nr_nodes = sim->nr_nodes;
    v->pcp_high_fraction = sim->vm.percpu_pagelist_high_fraction;
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        v->node_cpus[n] = sim->nodes[n].nr_cpus;
        v->nr_cpus += sim->nodes[n].nr_cpus;
        uint64_t present = 0;
        for (int z = 0; z < MM_NR_ZONES; z++)
            present += sim->nodes[n].zones[z].present;
        /* one 2 MiB struct page array per populated 128 MiB section */
        v->memmap_boot_pages += (present + (1u << 15) - 1) >> 15 << 9;
    }
    for (int i = 0; i < MM_NR_VM_EVENT_ITEMS; i++)
        st->events[i] = (struct mm__proc_stat){event_names[i],
                                               sim->vm_events[i]};
    v->events = (struct mm__proc_stats){st->events, MM_NR_VM_EVENT_ITEMS};
    v->swap_total = v->swap_free = m->swap_pages;
    v->hugetlb_total = v->hugetlb_free = m->hugetlb_pages >> 9;
}

static void view_free(struct view_store *st)
{
    free(st->nodes);
    free(st->node_stats);
    free(st->zone_stats);
}

/* Gather everything the renderers print from @sim. */
static int view_fill(const struct mm_sim *sim, struct view_store *st)
{
    unsigned n = sim->nr_nodes;
    memset(st, 0, sizeof(*st));
    st->nodes = calloc(n, sizeof(*st->nodes));
    st->node_stats = calloc((size_t)n * MM_NR_NODE_STAT_ITEMS + 1,
                            sizeof(*st->node_stats));
    st->zone_stats = calloc((size_t)n * MM_NR_ZONES * ZONE_STATS,
                            sizeof(*st->zone_stats));
    if (!st->nodes || !st->node_stats || !st->zone_stats) {
        view_free(st);
        return MM_ENOMEM;
    }
    for (unsigned i = 0; i < n; i++)
        fill_node(&sim->nodes[i], &st->nodes[i],
                  st->node_stats + (size_t)i * MM_NR_NODE_STAT_ITEMS,
                  st->zone_stats + (size_t)i * MM_NR_ZONES * ZONE_STATS);
    st->view.nodes = st->nodes;
    fill_globals(sim, st);
    dirty_limits(sim, &st->view);
    return 0;
}

typedef int (*render_fn)(const struct mm__proc_view *v, struct mm_buf *out);

static const struct {
    const char *path;
    render_fn render;
} views[] = {
    {"buddyinfo", mm__proc_buddyinfo},
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

/**
 * mm_proc_render() - a /proc file of the simulated kernel, as the emulated
 * kernel version prints it
 * @sim: the simulator
 * @path: relative to /proc: "buddyinfo", "pagetypeinfo", "vmstat",
 *        "zoneinfo", or "sys/vm/NAME"
 * @out: the text is appended
 *
 * Return: 0, MM_ENOENT for a path the model has no view for, MM_ENOMEM.
 */
int mm_proc_render(const struct mm_sim *sim, const char *path,
                   struct mm_buf *out)
{
    if (strncmp(path, "sys/vm/", 7) == 0)
        return render_sysctl(sim, path + 7, out);
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
        if (strcmp(path, views[i].path) != 0)
            continue;
        struct view_store st;
        int rc = view_fill(sim, &st);
        if (!rc)
            rc = views[i].render(&st.view, out);
        view_free(&st);
        return rc;
    }
    return MM_ENOENT;
}
