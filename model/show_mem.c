/*
 * show_mem.c - a summary of free memory and watermarks across every zone,
 * for tools that sample the system view while a trace is replayed
 * (tools/replay*.c). Read-only; no mechanism lives here.
 * Kernel: mm/show_mem.c si_meminfo(), mm/page_alloc.c wmark_pages() summed
 * the way show_free_areas() lists them per zone.
 */
#include "internal.h"

/**
 * mm_si_meminfo() - total and free RAM and the zones' summed watermarks
 * @sim: the simulator
 * @out: filled in, in pages
 *
 * Sums over populated zones of every node; watermarks include any boost.
 * Kernel: mm/show_mem.c si_meminfo() (totalram, freeram).
 */
void mm_si_meminfo(const struct mm_sim *sim, struct mm_sysinfo *out)
{
    *out = (struct mm_sysinfo){0};
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int zi = 0; zi < MM_NR_ZONES; zi++) {
            const struct mm_zone *z = &sim->nodes[n].zones[zi];
            if (!z->managed)
                continue;
            out->totalram += z->managed;
            out->freeram += mm__zone_free_pages(z);
            out->wmark_min += mm__wmark_pages(z, MM_WMARK_MIN);
            out->wmark_low += mm__wmark_pages(z, MM_WMARK_LOW);
            out->wmark_high += mm__wmark_pages(z, MM_WMARK_HIGH);
        }
}
