/*
 * vmstat.c - counter storage and read access for the /proc renderers.
 *
 * Mechanism: the counters live where the kernel keeps them: zone items and
 * NUMA events per zone, node items per node, global items and vm events
 * once per simulator (the kernel's per-CPU event counters, already summed).
 * Their names and print order come from the X-macro lists in
 * vmstat_items.h; mm__stat_shown() says whether the emulated kernel version
 * prints an item. The readers clamp negative values to 0, as
 * zone_page_state() and node_page_state() do on SMP kernels. Also here:
 * iteration over nodes and zones and the free-area, watermark and
 * protection values that /proc/buddyinfo, /proc/pagetypeinfo and
 * /proc/zoneinfo print.
 *
 * Callers: every model file that counts something (increment helpers);
 * model/proc.c (the renderers).
 *
 * Kernel: mm/vmstat.c (vmstat_text[], zone_page_state(),
 * global_zone_page_state(), sum_zone_numa_event_state(), all_vm_events()),
 * include/linux/vmstat.h. 6.1 to 6.18 (item lists per version).
 *
 * Simplified: no per-CPU deltas or stat thresholds: every update is exact
 * at once (the kernel's readers may lag by up to a threshold per CPU).
 */
#include "internal.h"

#define MM__STAT_DESC(id, n, s, u) {.name = n, .since = s, .until = u},
static const struct mm_stat_desc zone_items[] = {MM_ZONE_STAT_ITEMS(MM__STAT_DESC)};
static const struct mm_stat_desc numa_items[] = {MM_NUMA_STAT_ITEMS(MM__STAT_DESC)};
static const struct mm_stat_desc node_items[] = {MM_NODE_STAT_ITEMS(MM__STAT_DESC)};
static const struct mm_stat_desc writeback_items[] = {
    MM_WRITEBACK_STAT_ITEMS(MM__STAT_DESC)};
static const struct mm_stat_desc global_items[] = {MM_GLOBAL_STAT_ITEMS(MM__STAT_DESC)};
static const struct mm_stat_desc event_items[] = {MM_VM_EVENT_ITEMS(MM__STAT_DESC)};
#undef MM__STAT_DESC

#define ITEMS(a) {a, sizeof(a) / sizeof(a[0])}
static const struct {
    const struct mm_stat_desc *desc;
    size_t count;
} classes[MM_NR_STAT_CLASSES] = {
    [MM_STAT_ZONE] = ITEMS(zone_items),
    [MM_STAT_NUMA] = ITEMS(numa_items),
    [MM_STAT_NODE] = ITEMS(node_items),
    [MM_STAT_WRITEBACK] = ITEMS(writeback_items),
    [MM_STAT_GLOBAL] = ITEMS(global_items),
    [MM_STAT_EVENT] = ITEMS(event_items),
};

static const char *const zone_names[MM_NR_ZONES] = {"DMA", "DMA32", "Normal",
                                                    "Movable", "Device"};

/* migratetype_names[] without CMA; the last is MIGRATE_ISOLATE. */
static const char *const migratetype_names[MM_MIGRATE_TYPES + 1] = {
    "Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"};

/**
 * mm__stat_count() - number of items in a class, all kernel versions
 * @cls: the class
 * Return: the count (the class's enum MM_NR_* value).
 */
size_t mm__stat_count(enum mm_stat_class cls)
{
    return cls < MM_NR_STAT_CLASSES ? classes[cls].count : 0;
}

/**
 * mm__stat_desc() - name and version range of one item
 * @cls: the class
 * @item: the item's enum value within the class
 * Return: the descriptor, or NULL out of range.
 */
const struct mm_stat_desc *mm__stat_desc(enum mm_stat_class cls, size_t item)
{
    if (cls >= MM_NR_STAT_CLASSES || item >= classes[cls].count)
        return NULL;
    return &classes[cls].desc[item];
}

/**
 * mm__stat_shown() - does kernel @kernel print this item?
 * @d: the item
 * @kernel: MM_KERNEL(major, minor)
 * Return: true if it is in that version's vmstat_text[].
 */
bool mm__stat_shown(const struct mm_stat_desc *d, unsigned kernel)
{
    return (!d->since || kernel >= d->since) && (!d->until || kernel <= d->until);
}

/** mm__zone_name() - the zone's name as /proc prints it ("DMA32"). */
const char *mm__zone_name(enum mm_zone_type t)
{
    return t < MM_NR_ZONES ? zone_names[t] : "?";
}

/**
 * mm__migratetype_name() - name as /proc/pagetypeinfo prints it
 * @mt: 0..MM_MIGRATE_TYPES; MM_MIGRATE_TYPES itself is "Isolate"
 */
const char *mm__migratetype_name(unsigned mt)
{
    return mt <= MM_MIGRATE_TYPES ? migratetype_names[mt] : "?";
}

/* ---- updates ------------------------------------------------------------ */

/** mm__count_vm_events() - count_vm_events(): add @n to a vm event. */
void mm__count_vm_events(struct mm_sim *sim, enum mm_vm_event_item item, uint64_t n)
{
    sim->vm_events[item] += n;
}

/** mm__mod_zone_page_state() - mod_zone_page_state(): add @delta. */
void mm__mod_zone_page_state(struct mm_zone *zone, enum mm_zone_stat_item item,
                             int64_t delta)
{
    zone->vm_stat[item] += delta;
}

/** mm__mod_node_page_state() - mod_node_page_state(): add @delta. */
void mm__mod_node_page_state(struct mm_pgdat *pgdat, enum mm_node_stat_item item,
                             int64_t delta)
{
    pgdat->node_stat[item] += delta;
}

/** mm__mod_global_page_state() - a global (vm_stat_item) counter: add @delta. */
void mm__mod_global_page_state(struct mm_sim *sim, enum mm_global_stat_item item,
                               int64_t delta)
{
    sim->global_stat[item] += delta;
}

/* ---- reads -------------------------------------------------------------- */

static uint64_t clamp0(int64_t v)
{
    return v > 0 ? (uint64_t)v : 0;
}

/** mm__zone_page_state() - zone_page_state(): a zone item, negatives as 0. */
uint64_t mm__zone_page_state(const struct mm_zone *zone, enum mm_zone_stat_item item)
{
    return clamp0(zone->vm_stat[item]);
}

/** mm__node_page_state() - node_page_state(): a node item, negatives as 0. */
uint64_t mm__node_page_state(const struct mm_pgdat *pgdat, enum mm_node_stat_item item)
{
    return clamp0(pgdat->node_stat[item]);
}

/** mm__zone_numa_event_state() - one zone's NUMA event count. */
uint64_t mm__zone_numa_event_state(const struct mm_zone *zone,
                                   enum mm_numa_stat_item item)
{
    return zone->numa_stat[item];
}

/** mm__node_numa_event_state() - a node's NUMA event: sum of its zones. */
uint64_t mm__node_numa_event_state(const struct mm_pgdat *pgdat,
                                   enum mm_numa_stat_item item)
{
    uint64_t sum = 0;
    for (int t = 0; t < MM_NR_ZONES; t++)
        sum += pgdat->zones[t].numa_stat[item];
    return sum;
}

/** mm__global_zone_page_state() - global_zone_page_state(): over all zones. */
uint64_t mm__global_zone_page_state(const struct mm_sim *sim,
                                    enum mm_zone_stat_item item)
{
    int64_t sum = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++)
            sum += sim->nodes[n].zones[t].vm_stat[item];
    return clamp0(sum);
}

/** mm__global_node_page_state() - global_node_page_state(): over all nodes. */
uint64_t mm__global_node_page_state(const struct mm_sim *sim,
                                    enum mm_node_stat_item item)
{
    int64_t sum = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        sum += sim->nodes[n].node_stat[item];
    return clamp0(sum);
}

/** mm__global_numa_event_state() - global_numa_event_state(): over all zones. */
uint64_t mm__global_numa_event_state(const struct mm_sim *sim,
                                     enum mm_numa_stat_item item)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        sum += mm__node_numa_event_state(&sim->nodes[n], item);
    return sum;
}

/** mm__global_page_state() - a global vm_stat_item value. */
uint64_t mm__global_page_state(const struct mm_sim *sim, enum mm_global_stat_item item)
{
    return clamp0(sim->global_stat[item]);
}

/** mm__vm_event() - a vm event, summed over CPUs (all_vm_events()). */
uint64_t mm__vm_event(const struct mm_sim *sim, enum mm_vm_event_item item)
{
    return sim->vm_events[item];
}

/**
 * mm_vm_event_index() - the index of a vm event counter by its vmstat name
 * @name: the name /proc/vmstat prints
 *
 * Kernel: mm/vmstat.c vmstat_text[] (the names of enum vm_event_item).
 * Return: the index, or MM_ENOENT.
 */
int mm_vm_event_index(const char *name)
{
    for (size_t i = 0; name && i < sizeof(event_items) / sizeof(event_items[0]); i++)
        if (strcmp(event_items[i].name, name) == 0)
            return (int)i;
    return MM_ENOENT;
}

/**
 * mm_vm_event_read() - a vm event counter by index
 * @sim: the simulator
 * @index: from mm_vm_event_index()
 *
 * Kernel: mm/vmstat.c all_vm_events() (one entry of it).
 * Return: the count, 0 out of range.
 */
uint64_t mm_vm_event_read(const struct mm_sim *sim, int index)
{
    if (index < 0 || index >= MM_NR_VM_EVENT_ITEMS)
        return 0;
    return mm__vm_event(sim, (enum mm_vm_event_item)index);
}

/* ---- nodes, zones, free areas ------------------------------------------- */

/** mm__nr_nodes() - number of nodes (node ids are 0..n-1, all online). */
unsigned mm__nr_nodes(const struct mm_sim *sim)
{
    return sim->nr_nodes;
}

/** mm__node() - node @nid, or NULL. */
const struct mm_pgdat *mm__node(const struct mm_sim *sim, int nid)
{
    return nid >= 0 && (unsigned)nid < sim->nr_nodes ? &sim->nodes[nid] : NULL;
}

/** mm__node_zone() - zone @t of node @nid, or NULL. */
const struct mm_zone *mm__node_zone(const struct mm_sim *sim, int nid,
                                    enum mm_zone_type t)
{
    const struct mm_pgdat *pgdat = mm__node(sim, nid);
    return pgdat && t < MM_NR_ZONES ? &pgdat->zones[t] : NULL;
}

/** mm__zone_nr_free() - free blocks of @order (a /proc/buddyinfo column). */
uint64_t mm__zone_nr_free(const struct mm_zone *zone, unsigned order)
{
    return order < MM_NR_PAGE_ORDERS ? zone->free_area[order].nr_free : 0;
}

/**
 * mm__zone_nr_free_mt() - free blocks of @order on one migratetype's list
 * @zone: the zone
 * @order: 0..10
 * @mt: 0..MM_MIGRATE_TYPES (ISOLATE: always 0 in the model)
 *
 * Kernel: mm/vmstat.c pagetypeinfo_showfree_print().
 */
uint64_t mm__zone_nr_free_mt(const struct mm_zone *zone, unsigned order, unsigned mt)
{
    if (order >= MM_NR_PAGE_ORDERS || mt >= MM_MIGRATE_TYPES)
        return 0;
    return zone->free_area[order].free_list[mt].nr;
}

/** mm__zone_protection() - lowmem_reserve[@j] (zoneinfo "protection:"). */
uint64_t mm__zone_protection(const struct mm_zone *zone, enum mm_zone_type j)
{
    return j < MM_NR_ZONES ? zone->lowmem_reserve[j] : 0;
}

static unsigned fls64(uint64_t x)
{
    return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

/**
 * mm__zone_stat_threshold() - "vm stats threshold" of a zone in zoneinfo
 * @sim: the simulator (CPU count)
 * @zone: the zone
 *
 * 2 * fls(online CPUs) * (1 + fls(managed in 128 MiB units)), at most 125.
 * The model applies counter updates at once; this is only what zoneinfo
 * prints.
 *
 * Kernel: mm/vmstat.c calculate_normal_threshold() (6.1-6.18).
 * Return: the threshold.
 */
unsigned mm__zone_stat_threshold(const struct mm_sim *sim, const struct mm_zone *zone)
{
    uint64_t cpus = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        cpus += sim->nodes[n].nr_cpus;
    unsigned t = 2 * fls64(cpus ? cpus : 1) *
                 (1 + fls64(zone->managed >> (27 - MM_PAGE_SHIFT)));
    return t < 125 ? t : 125;
}
