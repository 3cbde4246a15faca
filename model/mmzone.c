/*
 * mmzone.c - nodes, zones and zonelists of the simulated machine.
 *
 * Mechanism: turns a struct mm_machine into pg_data_t-like nodes holding
 * x86_64 zones (DMA, DMA32, Normal, Movable, Device) with their spanned,
 * present and managed sizes; builds each node's fallback zonelist the way
 * build_zonelists() does (own node first, then the other nodes with memory by
 * SLIT distance, with the "node below us" and "node with CPUs" penalties and
 * the node_load round-robin tie-break; within a node populated zones from
 * the highest to the lowest); answers PFN -> zone/node. The start node and
 * nodemask of an allocation come from model/mempolicy.c.
 *
 * Callers: sim.c at boot (validate, init, destroy); page_alloc*.c (zonelists,
 * PFN lookups); vmstat.c accessors for the /proc renderers.
 *
 * Kernel: mm/mm_init.c (6.12: zone sizes, memmap_init), mm/page_alloc.c
 * build_zonelists(), find_next_best_node(), build_zonerefs_node();
 * arch/x86/mm/init.c zone_sizes_init() for the boundaries. Identical
 * 6.1-6.18.
 *
 * Simplified: the machine gives sizes, not an e820 map. Holes and memory the
 * kernel reserved at boot (memmap, kernel image) are placed at the bottom of
 * each zone's span, so managed pages are the top `managed` PFNs of the span
 * (this reproduces the real DMA zone's free blocks: 256+512+3x1024 pages).
 * Zones may not overlap (the kernel allows interleaved Movable spans with
 * movable_node; the model does not).
 */
#include <stdlib.h>

#include "internal.h"

#define MAX_DMA_PFN 4096ull           /* 16 MiB */
#define MAX_DMA32_PFN (1ull << 20)    /* 4 GiB */
#define MAX_PHYS_PFN (1ull << 40)     /* MAX_PHYSMEM_BITS 52 (5-level paging) */
#define LOCAL_DISTANCE 10
#define REMOTE_DISTANCE 20
#define PENALTY_FOR_NODE_WITH_CPUS 1

/* The PFN range each zone type may occupy on x86_64. */
static const uint64_t zone_lo[MM_NR_ZONES] = {0, MAX_DMA_PFN, MAX_DMA32_PFN,
                                              MAX_DMA_PFN, 0};
static const uint64_t zone_hi[MM_NR_ZONES] = {MAX_DMA_PFN, MAX_DMA32_PFN,
                                              MAX_PHYS_PFN, MAX_PHYS_PFN,
                                              MAX_PHYS_PFN};

static bool zone_shape_ok(const struct mm_zone_shape *z, enum mm_zone_type t)
{
    if (z->managed > z->present || z->present > z->spanned)
        return false;
    if (z->spanned == 0)
        return true;
    if (t == MM_ZONE_DEVICE && z->present != 0)
        return false; /* ZONE_DEVICE memory is never present RAM */
    return z->start_pfn >= zone_lo[t] && z->spanned <= zone_hi[t] &&
           z->start_pfn <= zone_hi[t] - z->spanned;
}

static bool spans_overlap(const struct mm_zone_shape *a,
                          const struct mm_zone_shape *b)
{
    if (a->spanned == 0 || b->spanned == 0)
        return false;
    return a->start_pfn < b->start_pfn + b->spanned &&
           b->start_pfn < a->start_pfn + a->spanned;
}

static bool machine_zones_disjoint(const struct mm_machine *m)
{
    unsigned n = m->nr_nodes * MM_NR_ZONES;
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (spans_overlap(&m->nodes[i / MM_NR_ZONES].zones[i % MM_NR_ZONES],
                              &m->nodes[j / MM_NR_ZONES].zones[j % MM_NR_ZONES]))
                return false;
    return true;
}

/* An all-zero SLIT means "none given": 10 local, 20 remote (numa_set_distance). */
static bool distances_given(const struct mm_machine *m)
{
    for (unsigned i = 0; i < m->nr_nodes; i++)
        for (unsigned j = 0; j < m->nr_nodes; j++)
            if (m->distance[i][j])
                return true;
    return false;
}

/* slit_valid(): local distance 10, remote distances above it. */
static bool distances_ok(const struct mm_machine *m)
{
    if (!distances_given(m))
        return true;
    for (unsigned i = 0; i < m->nr_nodes; i++)
        for (unsigned j = 0; j < m->nr_nodes; j++) {
            uint8_t d = m->distance[i][j];
            if (i == j ? d != LOCAL_DISTANCE : d <= LOCAL_DISTANCE)
                return false;
        }
    return true;
}

static bool node_shapes_ok(const struct mm_machine *m, uint64_t *managed)
{
    *managed = 0;
    for (unsigned n = 0; n < m->nr_nodes; n++) {
        uint64_t node_managed = 0;
        for (int t = 0; t < MM_NR_ZONES; t++) {
            if (!zone_shape_ok(&m->nodes[n].zones[t], (enum mm_zone_type)t))
                return false;
            node_managed += m->nodes[n].zones[t].managed;
        }
        if (m->bg_used_pages[n] > node_managed)
            return false;
        *managed += node_managed;
    }
    return true;
}

/**
 * mm__mmzone_validate() - refuse machine shapes the kernel could not have
 * @m: the machine
 *
 * Checks: 1..MM_MAX_NUMNODES nodes; managed <= present <= spanned in every
 * zone; each zone inside its x86_64 PFN range (DMA below 16 MiB, DMA32 below
 * 4 GiB, Normal above, Movable above DMA); ZONE_DEVICE never present; no two
 * zones overlapping; some managed memory; a SLIT that is either all zero
 * (defaults) or valid; background use within each node; a THP mode and a
 * kernel version the model knows (6.1 or later).
 *
 * Kernel: arch/x86/mm/init.c zone_sizes_init(), drivers/acpi/numa slit_valid().
 * Return: 0 or MM_EINVAL.
 */
int mm__mmzone_validate(const struct mm_machine *m)
{
    uint64_t managed;
    if (m->nr_nodes == 0 || m->nr_nodes > MM_MAX_NUMNODES)
        return MM_EINVAL;
    if (m->thp > MM_THP_ALWAYS || m->kernel < MM_KERNEL(6, 1))
        return MM_EINVAL;
    if (!node_shapes_ok(m, &managed) || managed == 0)
        return MM_EINVAL;
    if (!machine_zones_disjoint(m) || !distances_ok(m))
        return MM_EINVAL;
    return 0;
}

/**
 * mm__node_distance() - node_distance(a, b) from the machine's SLIT
 * @sim: the simulator
 * @a: node
 * @b: node
 *
 * Kernel: arch/x86/mm/numa.c __node_distance().
 * Return: the distance; 10/20 when the machine gave no SLIT.
 */
uint8_t mm__node_distance(const struct mm_sim *sim, int a, int b)
{
    uint8_t d = sim->machine.distance[a][b];
    if (d)
        return d;
    return a == b ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

static void init_zone(struct mm_zone *z, int nid, enum mm_zone_type t,
                      const struct mm_zone_shape *shape)
{
    z->nid = nid;
    z->idx = t;
    z->start_pfn = shape->start_pfn;
    z->spanned = shape->spanned;
    z->present = shape->present;
    z->managed = shape->managed;
    z->first_managed_pfn = shape->start_pfn + shape->spanned - shape->managed;
}

/*
 * find_next_best_node(): the closest unused node with memory, penalising
 * nodes below @node and nodes with CPUs, ties broken by node_load.
 */
static int find_next_best_node(const struct mm_sim *sim, int node,
                               uint64_t *used, const int *node_load)
{
    int best = -1;
    long min_val = 0;
    if (!(*used >> node & 1u)) {
        *used |= 1ull << node;
        return node;
    }
    for (int n = 0; n < (int)sim->nr_nodes; n++) {
        if (!(sim->node_mask >> n & 1u) || (*used >> n & 1u))
            continue;
        long val = mm__node_distance(sim, node, n);
        val += n < node;
        if (sim->nodes[n].nr_cpus)
            val += PENALTY_FOR_NODE_WITH_CPUS;
        val = val * MM_MAX_NUMNODES + node_load[n];
        if (best < 0 || val < min_val) {
            min_val = val;
            best = n;
        }
    }
    if (best >= 0)
        *used |= 1ull << best;
    return best;
}

/* build_zonerefs_node() for each node in order: populated zones high->low. */
static int fill_zonelist(struct mm_sim *sim, struct mm_pgdat *pgdat)
{
    size_t nr = 0;
    pgdat->zonelist = calloc(sim->nr_nodes * MM_NR_ZONES + 1,
                             sizeof(*pgdat->zonelist));
    if (!pgdat->zonelist)
        return MM_ENOMEM;
    for (unsigned i = 0; i < pgdat->nr_node_order; i++) {
        struct mm_pgdat *node = &sim->nodes[pgdat->node_order[i]];
        for (int t = MM_NR_ZONES - 1; t >= 0; t--)
            if (mm__populated_zone(&node->zones[t]))
                pgdat->zonelist[nr++] = &node->zones[t];
    }
    pgdat->zonelist[nr] = NULL;
    return 0;
}

/* build_zonelists(); node_load persists across nodes, as in the kernel. */
static int build_zonelists(struct mm_sim *sim, struct mm_pgdat *pgdat,
                           int *node_load)
{
    int local = pgdat->nid, prev = local, node;
    uint64_t used = 0;
    pgdat->nr_node_order = 0;
    while ((node = find_next_best_node(sim, local, &used, node_load)) >= 0) {
        if (mm__node_distance(sim, local, node) !=
            mm__node_distance(sim, local, prev))
            node_load[node] += 1;
        pgdat->node_order[pgdat->nr_node_order++] = node;
        prev = node;
    }
    return fill_zonelist(sim, pgdat);
}

static int cmp_zone_start(const void *a, const void *b)
{
    const struct mm_zone *za = *(const struct mm_zone *const *)a;
    const struct mm_zone *zb = *(const struct mm_zone *const *)b;
    return za->start_pfn < zb->start_pfn ? -1 : za->start_pfn > zb->start_pfn;
}

/* A PFN-sorted index of the zones that have managed pages. */
static int index_zones(struct mm_sim *sim)
{
    sim->zone_by_pfn = calloc(sim->nr_nodes * MM_NR_ZONES,
                              sizeof(*sim->zone_by_pfn));
    if (!sim->zone_by_pfn)
        return MM_ENOMEM;
    sim->nr_zone_by_pfn = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++)
            if (sim->nodes[n].zones[t].managed)
                sim->zone_by_pfn[sim->nr_zone_by_pfn++] = &sim->nodes[n].zones[t];
    qsort(sim->zone_by_pfn, sim->nr_zone_by_pfn, sizeof(*sim->zone_by_pfn),
          cmp_zone_start);
    return 0;
}

static void init_nodes(struct mm_sim *sim)
{
    const struct mm_machine *m = &sim->machine;
    sim->node_mask = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        struct mm_pgdat *pgdat = &sim->nodes[n];
        pgdat->nid = (int)n;
        pgdat->nr_cpus = m->nodes[n].nr_cpus;
        for (int t = 0; t < MM_NR_ZONES; t++) {
            init_zone(&pgdat->zones[t], (int)n, (enum mm_zone_type)t,
                      &m->nodes[n].zones[t]);
            if (mm__populated_zone(&pgdat->zones[t]))
                sim->node_mask |= 1ull << n; /* N_MEMORY */
        }
    }
}

/**
 * mm__mmzone_init() - create nodes, zones and zonelists from sim->machine
 * @sim: the simulator; sim->machine already validated
 *
 * Zones start with empty free lists; page_alloc gives them their memory.
 *
 * Kernel: mm/page_alloc.c free_area_init() (zone sizes) and
 * __build_all_zonelists() (node_load reset once, nodes in id order).
 * Return: 0 or MM_ENOMEM.
 */
int mm__mmzone_init(struct mm_sim *sim)
{
    int node_load[MM_MAX_NUMNODES] = {0};
    sim->nr_nodes = sim->machine.nr_nodes;
    sim->nodes = calloc(sim->nr_nodes, sizeof(*sim->nodes));
    if (!sim->nodes)
        return MM_ENOMEM;
    init_nodes(sim);
    for (unsigned n = 0; n < sim->nr_nodes; n++) {
        int err = build_zonelists(sim, &sim->nodes[n], node_load);
        if (err)
            return err;
    }
    return index_zones(sim);
}

/**
 * mm__mmzone_destroy() - free what mm__mmzone_init() allocated
 * @sim: the simulator (nodes may be NULL after a failed init)
 */
void mm__mmzone_destroy(struct mm_sim *sim)
{
    for (unsigned n = 0; sim->nodes && n < sim->nr_nodes; n++)
        free(sim->nodes[n].zonelist);
    free(sim->nodes);
    free(sim->zone_by_pfn);
    sim->nodes = NULL;
    sim->zone_by_pfn = NULL;
}

/**
 * mm__pfn_zone() - the zone whose managed memory holds @pfn
 * @sim: the simulator
 * @pfn: a page frame number
 *
 * Kernel: page_zone(pfn_to_page(pfn)).
 * Return: the zone, or NULL for a PFN outside every zone's managed range.
 */
struct mm_zone *mm__pfn_zone(const struct mm_sim *sim, uint64_t pfn)
{
    size_t lo = 0, hi = sim->nr_zone_by_pfn;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct mm_zone *z = sim->zone_by_pfn[mid];
        if (pfn < z->first_managed_pfn)
            hi = mid;
        else if (pfn >= z->start_pfn + z->spanned)
            lo = mid + 1;
        else
            return z;
    }
    return NULL;
}

/**
 * mm__pfn_to_nid() - the node of a managed PFN
 * @sim: the simulator
 * @pfn: page frame number
 *
 * Kernel: page_to_nid() / pfn_to_nid().
 * Return: the node id, or -1 if no zone manages @pfn.
 */
int mm__pfn_to_nid(const struct mm_sim *sim, uint64_t pfn)
{
    const struct mm_zone *z = mm__pfn_zone(sim, pfn);
    return z ? z->nid : -1;
}

/**
 * mm__pfn_to_zone() - the zone type of a managed PFN
 * @sim: the simulator
 * @pfn: page frame number
 *
 * Kernel: page_zonenum().
 * Return: the zone type, or MM_NR_ZONES if no zone manages @pfn.
 */
enum mm_zone_type mm__pfn_to_zone(const struct mm_sim *sim, uint64_t pfn)
{
    const struct mm_zone *z = mm__pfn_zone(sim, pfn);
    return z ? z->idx : MM_NR_ZONES;
}

/**
 * mm__first_zone() - the preferred zone: first eligible zone of a zonelist
 * @sim: the simulator
 * @nid: whose zonelist
 * @highest: highest zone index allowed (gfp_zone())
 * @nodemask: allowed nodes
 *
 * Kernel: include/linux/mmzone.h first_zones_zonelist().
 * Return: the zone or NULL.
 */
struct mm_zone *mm__first_zone(const struct mm_sim *sim, int nid,
                               enum mm_zone_type highest, uint64_t nodemask)
{
    for (struct mm_zone **z = sim->nodes[nid].zonelist; *z; z++)
        if (mm__zone_allowed(*z, highest, nodemask))
            return *z;
    return NULL;
}

/**
 * mm__zone_pageblocks() - pageblocks /proc/pagetypeinfo counts for a zone
 * @zone: the zone
 *
 * The kernel steps through the span a pageblock at a time and counts the
 * blocks backed by memory; with the model's holes-at-the-bottom layout that
 * is the present pages rounded up to whole pageblocks.
 *
 * Kernel: mm/vmstat.c pagetypeinfo_showblockcount_print().
 * Return: number of pageblocks.
 */
uint64_t mm__zone_pageblocks(const struct mm_zone *zone)
{
    uint64_t per = 1ull << MM_PAGEBLOCK_ORDER;
    return (zone->present + per - 1) / per;
}
