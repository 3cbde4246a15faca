/*
 * proc.c - the system-wide /proc views of the simulated kernel: meminfo,
 * vmstat, buddyinfo, pagetypeinfo, zoneinfo. This file gathers what they
 * print from the simulator into a struct mm__proc_view and dispatches on
 * the path; the formats are in proc_meminfo.c, proc_vmstat.c,
 * proc_zoneinfo.c and proc_buddyinfo.c, byte-compatible with the kernel's
 * (fs/proc/meminfo.c, mm/vmstat.c) for the emulated version.
 */
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
