/*
 * proc_buddyinfo.c - /proc/buddyinfo and /proc/pagetypeinfo of the
 * simulated kernel: free blocks per order (and per migratetype), and
 * pageblocks per migratetype, for populated zones.
 * Kernel: mm/vmstat.c frag_show_print(), pagetypeinfo_showfree_print(),
 * pagetypeinfo_showblockcount_print(). The kernel stops counting a free
 * list at 100000 entries and prints ">100000"; the model prints the count.
 */
#include "internal.h"

#define NR_TYPES MM__NR_PROC_MIGRATETYPES

/**
 * mm__proc_buddyinfo() - render /proc/buddyinfo
 * @v: the view of the simulator
 * @out: appended to
 *
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_buddyinfo(const struct mm__proc_view *v, struct mm_buf *out)
{
    for (unsigned n = 0; n < v->nr_nodes; n++) {
        for (int zi = 0; zi < MM_NR_ZONES; zi++) {
            const struct mm__proc_zone *z = &v->nodes[n].zones[zi];
            if (!z->shape.present)
                continue;
            mm_buf_printf(out, "Node %u, zone %8s ", n,
                          mm__zone_name((enum mm_zone_type)zi));
            for (int o = 0; o < MM_NR_PAGE_ORDERS; o++) {
                uint64_t blocks = 0;
                for (int t = 0; t < NR_TYPES; t++)
                    blocks += z->nr_free[o][t];
                mm_buf_printf(out, "%6llu ", (unsigned long long)blocks);
            }
            mm_buf_printf(out, "\n");
        }
    }
    return out->err;
}

static void print_free(const struct mm__proc_view *v, struct mm_buf *out)
{
    mm_buf_printf(out, "%-43s ", "Free pages count per migrate type at order");
    for (int o = 0; o < MM_NR_PAGE_ORDERS; o++)
        mm_buf_printf(out, "%6d ", o);
    mm_buf_printf(out, "\n");
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int zi = 0; zi < MM_NR_ZONES; zi++) {
            const struct mm__proc_zone *z = &v->nodes[n].zones[zi];
            if (!z->shape.present)
                continue;
            for (int t = 0; t < NR_TYPES; t++) {
                mm_buf_printf(out, "Node %4u, zone %8s, type %12s ", n,
                              mm__zone_name((enum mm_zone_type)zi), mm__migratetype_name((unsigned)t));
                for (int o = 0; o < MM_NR_PAGE_ORDERS; o++)
                    mm_buf_printf(out, "%6llu ",
                                  (unsigned long long)z->nr_free[o][t]);
                mm_buf_printf(out, "\n");
            }
        }
}

static void print_blocks(const struct mm__proc_view *v, struct mm_buf *out)
{
    mm_buf_printf(out, "\n%-23s", "Number of blocks type ");
    for (int t = 0; t < NR_TYPES; t++)
        mm_buf_printf(out, "%12s ", mm__migratetype_name((unsigned)t));
    mm_buf_printf(out, "\n");
    for (unsigned n = 0; n < v->nr_nodes; n++)
        for (int zi = 0; zi < MM_NR_ZONES; zi++) {
            const struct mm__proc_zone *z = &v->nodes[n].zones[zi];
            if (!z->shape.present)
                continue;
            mm_buf_printf(out, "Node %u, zone %8s ", n,
                          mm__zone_name((enum mm_zone_type)zi));
            for (int t = 0; t < NR_TYPES; t++)
                mm_buf_printf(out, "%12llu ",
                              (unsigned long long)z->pageblocks[t]);
            mm_buf_printf(out, "\n");
        }
}

/**
 * mm__proc_pagetypeinfo() - render /proc/pagetypeinfo
 * @v: the view of the simulator
 * @out: appended to
 *
 * Return: 0 or MM_ENOMEM.
 */
int mm__proc_pagetypeinfo(const struct mm__proc_view *v, struct mm_buf *out)
{
    mm_buf_printf(out, "Page block order: %d\nPages per block:  %d\n\n",
                  MM_PAGEBLOCK_ORDER, 1 << MM_PAGEBLOCK_ORDER);
    print_free(v, out);
    print_blocks(v, out);
    return out->err;
}
