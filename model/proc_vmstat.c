/*
 * proc_vmstat.c - /proc/vmstat of the simulated kernel: zone, NUMA and node
 * counters summed over the machine, the dirty thresholds, then the event
 * counters, with the names the emulated version prints (proc_names.c).
 * Kernel: mm/vmstat.c vmstat_start(), vmstat_show().
 */
#include "internal.h"

static void print_list(const struct mm__proc_view *v,
                       const struct mm__proc_name *names, size_t n,
                       int source, struct mm_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!mm__proc_name_shown(&names[i], v->kernel))
            continue;
        const char *name = names[i].name;
        uint64_t value = source == 0 ? mm__proc_zone_sum(v, name)
                         : source == 1 ? mm__proc_node_sum(v, name)
                                       : mm__proc_stat(&v->events, name);
        mm_buf_printf(out, "%s %llu\n", name, (unsigned long long)value);
    }
}

/**
 * mm__proc_vmstat() - render /proc/vmstat
 * @v: the view of the simulator
 * @out: appended to
 *
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_vmstat(const struct mm__proc_view *v, struct mm_buf *out)
{
    print_list(v, mm__proc_zone_names, mm__proc_nr_zone_names, 0, out);
    print_list(v, mm__proc_numa_names, mm__proc_nr_numa_names, 0, out);
    print_list(v, mm__proc_node_names, mm__proc_nr_node_names, 1, out);
    mm_buf_printf(out, "nr_dirty_threshold %llu\n"
                       "nr_dirty_background_threshold %llu\n",
                  (unsigned long long)v->dirty_threshold,
                  (unsigned long long)v->dirty_bg_threshold);
    if (v->kernel >= MM_KERNEL(6, 18))
        mm_buf_printf(out, "nr_memmap_pages 0\nnr_memmap_boot_pages %llu\n",
                      (unsigned long long)v->memmap_boot_pages);
    print_list(v, mm__proc_event_names, mm__proc_nr_event_names, 2, out);
    return out->err;
}
