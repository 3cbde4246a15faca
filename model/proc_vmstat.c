/*
 * proc_vmstat.c - /proc/vmstat of the simulated kernel: zone, NUMA and node
 * counters summed over the machine, the dirty thresholds, the global
 * counters, the events, and the constant "nr_unstable 0", each with the
 * names the emulated version prints (model/vmstat_items.h).
 * Kernel: mm/vmstat.c vmstat_start(), vmstat_show().
 */
#include "internal.h"

static uint64_t value(const struct mm__proc_view *v, enum mm_stat_class cls,
                      size_t i)
{
    switch (cls) {
    case MM_STAT_ZONE: return mm__proc_zone_sum(v, (enum mm_zone_stat_item)i);
    case MM_STAT_NUMA: return mm__proc_numa_sum(v, (enum mm_numa_stat_item)i);
    case MM_STAT_NODE: return mm__proc_node_sum(v, (enum mm_node_stat_item)i);
    case MM_STAT_WRITEBACK: return v->writeback[i];
    case MM_STAT_GLOBAL: return v->global[i];
    case MM_STAT_EVENT: return v->events[i];
    default: return 0;
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
    for (int cls = 0; cls < MM_NR_STAT_CLASSES; cls++)
        for (size_t i = 0; i < mm__stat_count((enum mm_stat_class)cls); i++) {
            const struct mm_stat_desc *d =
                mm__stat_desc((enum mm_stat_class)cls, i);
            if (mm__stat_shown(d, v->kernel))
                mm_buf_printf(out, "%s %llu\n", d->name,
                              (unsigned long long)value(
                                  v, (enum mm_stat_class)cls, i));
        }
    /* vmstat_show(): NFS_Unstable is gone but the line is kept */
    mm_buf_printf(out, "nr_unstable 0\n");
    return out->err;
}
