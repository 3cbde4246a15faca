/*
 * cli_layout.c - lay out nodes and zones for a machine given by its RAM per
 * node, the way an x86_64 guest of QEMU's default `pc` machine, booted with
 * `-kernel` (PVH), sees them under a Debian 6.1 kernel.
 *
 * Physical map (QEMU hw/i386/pc_piix.c, the guest's e820): RAM below 4 GiB
 * is all of it under 3.5 GiB, else 3 GiB; the rest starts at 4 GiB. Nodes
 * take consecutive slices of RAM in address order. Not usable: PFN 0 (the
 * kernel trims it), PFNs 0x9f..0xff (EBDA, VGA, BIOS) and the last 32 pages
 * below 4 GiB (QEMU's e820 reserves them). Zones: DMA < 16 MiB, DMA32
 * < 4 GiB, Normal above (arch/x86/mm/init.c zone_sizes_init()).
 *
 * managed = present - boot reservations. The reservations are a model
 * fitted to real guests (docs/machine.md has the measurements): the first
 * MiB; the kernel image and early allocations (bottom-up in node 0); the
 * 64 MiB swiotlb when RAM reaches above 4 GiB (at the top of the RAM below
 * 4 GiB, on the node that holds it); and, top-down from each
 * node's highest zone, the struct page array (512 pages per populated
 * 128 MiB section), 62 pages of per-CPU area per CPU, NODE_DATA and small
 * allocations, and, on one-node machines, the dentry and inode hash tables
 * (NUMA kernels allocate those later with vmalloc: hashdist).
 */
#include <stdio.h>

#include "cli_config.h"

#define PFN_4G (1ull << 20)
#define MIB (1ull << (20 - MM_PAGE_SHIFT))        /* pages in 1 MiB */
#define SECTION_PAGES (128 * MIB)                 /* SECTION_SIZE_BITS 27 */
#define MEMMAP_PER_SECTION (SECTION_PAGES * 64 / MM_PAGE_SIZE)
#define MAX_PFN_LIMIT (1ull << 34)                /* 64 TiB, 4-level paging */
#define NODE_MIN_PAGES (64 * MIB)

/* Fitted on Debian 6.1.0-56 guests, 512M..8G, 1..4 CPUs, 1..2 nodes. */
#define BOOT_LOW_PAGES 11124     /* kernel image and early data, node 0 */
#define SWIOTLB_PAGES (16384 + 194) /* 64 MiB bounce buffer + metadata */
#define PERCPU_PAGES 62          /* "percpu: Embedded 62 pages/cpu" */
#define MISC_ONE_NODE 254
#define MISC_NODE0 241
#define MISC_OTHER_NODE 57

struct range {
    uint64_t lo, hi; /* PFNs, hi exclusive */
};

/* Global RAM map: below-4G RAM ends at low; holes are all below it. */
struct ram_map {
    uint64_t low, high;          /* pages below / above 4 GiB */
    struct range holes[3];
};

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static void ram_map_init(struct ram_map *map, uint64_t total)
{
    map->low = total >= 3584 * MIB ? 3072 * MIB : total;
    map->high = total - map->low;
    map->holes[0] = (struct range){0, 1};
    map->holes[1] = (struct range){0x9f, 0x100};
    map->holes[2] = (struct range){map->low - 32, map->low};
}

/* RAM pages of [lo, hi) that are not holes. */
static uint64_t usable(const struct ram_map *map, uint64_t lo, uint64_t hi)
{
    if (lo >= hi)
        return 0;
    uint64_t n = hi - lo;
    for (int i = 0; i < 3; i++) {
        uint64_t a = max64(lo, map->holes[i].lo);
        uint64_t b = min64(hi, map->holes[i].hi);
        if (a < b)
            n -= b - a;
    }
    return n;
}

/* The PFN ranges of a node's slice [off, off + pages) of RAM. */
static int node_ranges(const struct ram_map *map, uint64_t off,
                       uint64_t pages, struct range r[2])
{
    int n = 0;
    uint64_t end = off + pages;
    if (off < map->low)
        r[n++] = (struct range){off, min64(end, map->low)};
    if (end > map->low)
        r[n++] = (struct range){PFN_4G + max64(off, map->low) - map->low,
                                PFN_4G + end - map->low};
    return n;
}

static uint64_t node_usable(const struct ram_map *map, const struct range *r,
                            int nr, uint64_t lo, uint64_t hi)
{
    uint64_t n = 0;
    for (int i = 0; i < nr; i++)
        n += usable(map, max64(lo, r[i].lo), min64(hi, r[i].hi));
    return n;
}

/* First and last+1 usable PFN of a node (holes only trim the ends). */
static struct range node_extent(const struct ram_map *map,
                                const struct range *r, int nr)
{
    struct range e = {r[0].lo, r[nr - 1].hi};
    for (int i = 0; i < 3; i++)
        if (e.lo >= map->holes[i].lo && e.lo < map->holes[i].hi)
            e.lo = map->holes[i].hi;
    for (int i = 2; i >= 0; i--)
        if (e.hi > map->holes[i].lo && e.hi <= map->holes[i].hi)
            e.hi = map->holes[i].lo;
    return e;
}

static void set_zone(const struct ram_map *map, const struct range *r, int nr,
                     uint64_t lo, uint64_t hi, struct mm_zone_shape *zs)
{
    if (lo >= hi)
        return;
    zs->start_pfn = lo;
    zs->spanned = hi - lo;
    zs->present = zs->managed = node_usable(map, r, nr, lo, hi);
}

/* Zone spans of a node; from PFN @zmp on (if not 0) its memory is
 * ZONE_MOVABLE (mm/mm_init.c adjust_zone_range_for_zone_movable()). */
static void node_zones(const struct ram_map *map, const struct range *r,
                       int nr, uint64_t zmp, struct mm_node_shape *node)
{
    static const uint64_t bounds[] = {0, 4096, PFN_4G, MAX_PFN_LIMIT};
    struct range e = node_extent(map, r, nr);
    for (int z = MM_ZONE_DMA; z <= MM_ZONE_NORMAL; z++) {
        uint64_t lo = max64(bounds[z], e.lo), hi = min64(bounds[z + 1], e.hi);
        if (zmp && lo < zmp && hi > zmp)
            hi = zmp;
        else if (zmp && lo >= zmp)
            continue;
        set_zone(map, r, nr, lo, hi, &node->zones[z]);
    }
    if (zmp)
        set_zone(map, r, nr, zmp, e.hi, &node->zones[MM_ZONE_MOVABLE]);
}

/* The node's memory ranges without the holes (memblock.memory). */
static void mem_ranges(const struct ram_map *map, const struct range *r,
                       int nr, struct cli_mem_ranges *out)
{
    out->nr = 0;
    for (int i = 0; i < nr; i++) {
        uint64_t lo = r[i].lo;
        for (int h = 0; h <= 3 && lo < r[i].hi; h++) {
            uint64_t hlo = h < 3 ? max64(map->holes[h].lo, lo) : r[i].hi;
            uint64_t hhi = h < 3 ? min64(map->holes[h].hi, r[i].hi) : r[i].hi;
            if (h < 3 && hlo >= hhi)
                continue;
            if (hlo > lo) {
                out->r[out->nr].lo = lo;
                out->r[out->nr++].hi = min64(hlo, r[i].hi);
            }
            lo = max64(lo, hhi);
        }
    }
}

/* mm/mm_init.c calc_memmap_size(): the boot-time struct page estimate. */
static uint64_t memmap_estimate(const struct mm_zone_shape *z)
{
    uint64_t pages = z->spanned;
    if (z->spanned > z->present + (z->present >> 4))
        pages = z->present;
    return (pages * 64 + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
}

static uint64_t roundup_pow2(uint64_t x)
{
    uint64_t p = 1;
    while (p < x)
        p <<= 1;
    return p;
}

/* Pages of one mm/mm_init.c alloc_large_system_hash() table of 8-byte
 * buckets, one per 2^scale bytes of kernel memory. */
static uint64_t hash_pages(uint64_t kernel_pages, unsigned scale)
{
    uint64_t n = (kernel_pages + MIB - 1) / MIB * MIB;
    n >>= scale - MM_PAGE_SHIFT;
    uint64_t bytes = roundup_pow2(n) * 8;
    return bytes < MM_PAGE_SIZE ? 1 : bytes / MM_PAGE_SIZE;
}

/* Dentry (scale 13) and inode (scale 14) hashes of fs/dcache.c and
 * fs/inode.c, taken from memblock on one-node machines. */
static uint64_t vfs_hash_pages(const struct mm_machine *m)
{
    uint64_t kernel_pages = 0;
    for (unsigned n = 0; n < m->nr_nodes; n++)
        for (int z = 0; z < MM_NR_ZONES; z++) {
            const struct mm_zone_shape *zs = &m->nodes[n].zones[z];
            kernel_pages += zs->present - min64(zs->present,
                                                memmap_estimate(zs));
        }
    return hash_pages(kernel_pages, 13) + hash_pages(kernel_pages, 14);
}

/* 128 MiB sections of the node that hold RAM: each gets a 2 MiB memmap. */
static uint64_t node_sections(const struct ram_map *map,
                              const struct range *r, int nr)
{
    uint64_t n = 0;
    for (int i = 0; i < nr; i++)
        for (uint64_t s = r[i].lo / SECTION_PAGES;
             s * SECTION_PAGES < r[i].hi; s++)
            n += node_usable(map, r, nr, s * SECTION_PAGES,
                             (s + 1) * SECTION_PAGES) > 0;
    return n;
}

/* Take @pages from the node's zones, highest first (memblock top-down). */
static int reserve_top_down(struct mm_node_shape *node, uint64_t pages)
{
    for (int z = MM_ZONE_MOVABLE; z >= MM_ZONE_DMA && pages; z--) {
        struct mm_zone_shape *zs = &node->zones[z];
        uint64_t take = min64(pages, zs->managed);
        zs->managed -= take;
        pages -= take;
    }
    return pages ? MM_ENOMEM : 0;
}

static int take(struct mm_zone_shape *zone, uint64_t pages)
{
    if (zone->managed < pages)
        return MM_ENOMEM;
    zone->managed -= pages;
    return 0;
}

/* The first MiB and the kernel image (node 0), and the swiotlb, which
 * sits at the top of the RAM below 4 GiB, on whichever node holds it. */
static int reserve_low(struct mm_machine *m, const struct ram_map *map,
                       unsigned *node)
{
    struct mm_node_shape *n0 = &m->nodes[0];
    /* arch/x86/kernel/setup.c: the first 1 MiB is always reserved */
    uint64_t first_mib = n0->zones[MM_ZONE_DMA].present < 158
                             ? n0->zones[MM_ZONE_DMA].present : 158;
    n0->zones[MM_ZONE_DMA].managed -= first_mib;
    *node = 0;
    if (take(&n0->zones[MM_ZONE_DMA32], BOOT_LOW_PAGES))
        return MM_ENOMEM;
    if (!map->high)
        return 0;
    uint64_t top = map->low - 33; /* last usable PFN below 4 GiB */
    for (unsigned n = 0; n < m->nr_nodes; n++) {
        struct mm_zone_shape *z = &m->nodes[n].zones[MM_ZONE_DMA32];
        if (z->present && top >= z->start_pfn &&
            top < z->start_pfn + z->spanned)
            return *node = n, take(z, SWIOTLB_PAGES);
    }
    return MM_ENOMEM;
}

static int check_input(const struct cli_layout *in, uint64_t *total,
                       struct cli_err *err)
{
    char what[96];
    *total = 0;
    for (unsigned n = 0; n < in->nr_nodes; n++) {
        if (in->node_pages[n] < NODE_MIN_PAGES) {
            snprintf(what, sizeof(what), "node %u has less than 64M of RAM",
                     n);
            return cli_err_set(err, "--machine", what, "mem", 3);
        }
        *total += in->node_pages[n];
        if (*total > MAX_PFN_LIMIT - PFN_4G)
            return cli_err_set(err, "--machine",
                               "more RAM than x86_64 4-level paging maps "
                               "(64T)", "mem", 3);
    }
    return 0;
}

/* ZONE_MOVABLE comes out of Normal, or DMA32 when nothing is above 4G. */
static void find_movable(const struct ram_map *map,
                         const struct cli_layout *in,
                         const struct range r[][2], const int *nr,
                         uint64_t *zmp)
{
    struct cli_mem_ranges ranges[MM_MAX_NUMNODES];
    for (unsigned n = 0; n < in->nr_nodes; n++)
        mem_ranges(map, r[n], nr[n], &ranges[n]);
    cli_zone_movable_pfns(ranges, in->nr_nodes, in->kernelcore,
                          in->movablecore, map->high ? PFN_4G : 4096, zmp);
}

static int too_small(unsigned node, struct cli_err *err)
{
    char what[96];
    snprintf(what, sizeof(what),
             "node %u is too small for the kernel's boot reservations", node);
    return cli_err_set(err, "--machine", what, "mem", 3);
}

/**
 * cli_layout_build() - nodes, zones and their spanned/present/managed pages
 * for RAM given per node
 * @in: RAM and CPUs per node
 * @m: filled in: nr_nodes, nodes[] (zones, nr_cpus)
 * @err: set when a node is too small or the machine too large
 *
 * Mirrors what a Debian 6.1 guest of QEMU's pc machine shows in
 * /proc/zoneinfo; the reservation constants are measured, not derived
 * (docs/machine.md). Kernel: arch/x86/mm/init.c zone_sizes_init(),
 * mm/mm_init.c free_area_init(), mm/memblock.c memblock_free_all().
 *
 * Return: 0 or MM_EINVAL with @err set.
 */
int cli_layout_build(const struct cli_layout *in, struct mm_machine *m,
                     struct cli_err *err)
{
    uint64_t total, off = 0, zmp[MM_MAX_NUMNODES] = {0};
    if (check_input(in, &total, err))
        return MM_EINVAL;
    struct ram_map map;
    ram_map_init(&map, total);
    struct range r[MM_MAX_NUMNODES][2];
    int nr[MM_MAX_NUMNODES];
    uint64_t sections[MM_MAX_NUMNODES];
    for (unsigned n = 0; n < in->nr_nodes; n++) {
        nr[n] = node_ranges(&map, off, in->node_pages[n], r[n]);
        off += in->node_pages[n];
    }
    if (in->kernelcore || in->movablecore)
        find_movable(&map, in, r, nr, zmp);
    m->nr_nodes = in->nr_nodes;
    for (unsigned n = 0; n < in->nr_nodes; n++) {
        node_zones(&map, r[n], nr[n], zmp[n], &m->nodes[n]);
        m->nodes[n].nr_cpus = in->node_cpus[n];
        sections[n] = node_sections(&map, r[n], nr[n]);
    }
    uint64_t hash = m->nr_nodes == 1 ? vfs_hash_pages(m) : 0;
    unsigned failed;
    if (reserve_low(m, &map, &failed))
        return too_small(failed, err);
    for (unsigned n = 0; n < m->nr_nodes; n++) {
        uint64_t misc = m->nr_nodes == 1 ? MISC_ONE_NODE + hash
                        : n == 0         ? MISC_NODE0
                                         : MISC_OTHER_NODE;
        if (reserve_top_down(&m->nodes[n],
                             sections[n] * MEMMAP_PER_SECTION +
                                 PERCPU_PAGES * m->nodes[n].nr_cpus + misc))
            return too_small(n, err);
    }
    return 0;
}
