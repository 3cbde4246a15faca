/*
 * model/internal.h - types and cross-file functions of the simulated kernel.
 *
 * Declarations are grouped under the name of the .c file that defines them.
 * Cross-file functions carry the mm__ prefix; the public API (mm_) is in
 * include/mmsim/mm.h. Every piece of state hangs off struct mm_sim.
 */
#ifndef MMSIM_MODEL_INTERNAL_H
#define MMSIM_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmsim/mm.h"

/* ---- model/avltree.c ------------------------------------------------- */

/* Embed in a struct and recover the struct with mm_container_of(). */
struct mm_avl_node {
    struct mm_avl_node *left, *right;
    uint64_t key;
    int height;
};

struct mm_avl_tree {
    struct mm_avl_node *root;
    size_t count;
};

#define mm_container_of(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

int mm__avl_insert(struct mm_avl_tree *tree, struct mm_avl_node *node);
struct mm_avl_node *mm__avl_erase(struct mm_avl_tree *tree, uint64_t key);
struct mm_avl_node *mm__avl_find(const struct mm_avl_tree *tree, uint64_t key);
struct mm_avl_node *mm__avl_floor(const struct mm_avl_tree *tree, uint64_t key);
struct mm_avl_node *mm__avl_ceil(const struct mm_avl_tree *tree, uint64_t key);
struct mm_avl_node *mm__avl_first(const struct mm_avl_tree *tree);
struct mm_avl_node *mm__avl_next(const struct mm_avl_tree *tree,
                                 const struct mm_avl_node *node);
struct mm_avl_node *mm__avl_prev(const struct mm_avl_tree *tree,
                                 const struct mm_avl_node *node);

/* ---- model/hashmap.c ------------------------------------------------- */

struct mm_hmap_slot {
    uint64_t key; /* UINT64_MAX = empty */
    uint64_t value;
};

/* Zero-initialised is a valid empty map. */
struct mm_hmap {
    struct mm_hmap_slot *slots;
    size_t cap;
    size_t count;
};

void mm__hmap_destroy(struct mm_hmap *map);
bool mm__hmap_get(const struct mm_hmap *map, uint64_t key, uint64_t *value);
int mm__hmap_put(struct mm_hmap *map, uint64_t key, uint64_t value);
bool mm__hmap_del(struct mm_hmap *map, uint64_t key);
const struct mm_hmap_slot *mm__hmap_next(const struct mm_hmap *map,
                                         size_t *pos);

/* ---- model/vmstat.c ---------------------------------------------------- */

#include "vmstat_items.h"

#define MM__STAT_ENUM(id, name, since, until) MM_##id,
enum mm_zone_stat_item { MM_ZONE_STAT_ITEMS(MM__STAT_ENUM) MM_NR_ZONE_STAT_ITEMS };
enum mm_numa_stat_item { MM_NUMA_STAT_ITEMS(MM__STAT_ENUM) MM_NR_NUMA_STAT_ITEMS };
enum mm_node_stat_item { MM_NODE_STAT_ITEMS(MM__STAT_ENUM) MM_NR_NODE_STAT_ITEMS };
enum mm_writeback_stat_item { MM_WRITEBACK_STAT_ITEMS(MM__STAT_ENUM) MM_NR_WRITEBACK_STAT_ITEMS };
enum mm_global_stat_item { MM_GLOBAL_STAT_ITEMS(MM__STAT_ENUM) MM_NR_GLOBAL_STAT_ITEMS };
enum mm_vm_event_item { MM_VM_EVENT_ITEMS(MM__STAT_ENUM) MM_NR_VM_EVENT_ITEMS };
#undef MM__STAT_ENUM

enum mm_stat_class {
    MM_STAT_ZONE,       /* enum mm_zone_stat_item */
    MM_STAT_NUMA,       /* enum mm_numa_stat_item */
    MM_STAT_NODE,       /* enum mm_node_stat_item */
    MM_STAT_WRITEBACK,  /* enum mm_writeback_stat_item */
    MM_STAT_GLOBAL,     /* enum mm_global_stat_item */
    MM_STAT_EVENT,      /* enum mm_vm_event_item */
    MM_NR_STAT_CLASSES
};

/* One counter's printed name and the kernels that print it. */
struct mm_stat_desc {
    const char *name;
    unsigned since, until; /* MM_KERNEL() values, 0 = unbounded */
};

/* ---- model/mmzone.c ---------------------------------------------------- */

struct mm_sim;

/* enum migratetype, without CMA (not configured) and ISOLATE (never used). */
enum mm_migratetype {
    MM_MIGRATE_UNMOVABLE,
    MM_MIGRATE_MOVABLE,
    MM_MIGRATE_RECLAIMABLE,
    MM_MIGRATE_HIGHATOMIC,
    MM_MIGRATE_TYPES
};
#define MM_MIGRATE_PCPTYPES 3 /* types with pcp lists: the first three */

/* enum zone_watermarks */
enum mm_wmark { MM_WMARK_MIN, MM_WMARK_LOW, MM_WMARK_HIGH, MM_WMARK_PROMO, MM_NR_WMARK };

/* Memory policy modes, values as in include/uapi/linux/mempolicy.h. */
enum mm_mpol_mode {
    MM_MPOL_DEFAULT,
    MM_MPOL_PREFERRED,
    MM_MPOL_BIND,
    MM_MPOL_INTERLEAVE,
    MM_MPOL_LOCAL,
    MM_MPOL_PREFERRED_MANY,
    MM_MPOL_WEIGHTED_INTERLEAVE,
};

/* struct mempolicy: what model/mempolicy.c will hang off tasks and VMAs. */
struct mm_mempolicy {
    enum mm_mpol_mode mode;
    uint64_t nodes;     /* nodemask: bit n = node n (MM_MAX_NUMNODES = 64) */
    int home_node;      /* -1 = none */
};

/* What the caller asks of the page allocator (struct alloc_context + gfp). */
struct mm_alloc_ctx {
    int preferred_nid;                  /* numa_node_id() of the allocating task */
    enum mm_zone_type highest_zoneidx;  /* gfp_zone(): MM_ZONE_MOVABLE for user pages */
    unsigned order;
    enum mm_migratetype migratetype;    /* MM_MIGRATE_MOVABLE for user pages */
    const struct mm_mempolicy *policy;  /* NULL = MPOL_DEFAULT */
};

/* One free buddy block: on its zone's pfn index and on one free list. */
struct mm_free_block {
    struct mm_avl_node node;            /* key = first PFN */
    struct mm_free_block *prev, *next;  /* free_area[order].free_list[mt] */
    uint8_t order;
    uint8_t mt;                         /* enum mm_migratetype of its list */
};

struct mm_free_list {
    struct mm_free_block *head, *tail;
    uint64_t nr;                        /* blocks on this list */
};

/* struct free_area: nr_free counts blocks, not pages. */
struct mm_free_area {
    struct mm_free_list free_list[MM_MIGRATE_TYPES];
    uint64_t nr_free;
};

/* Storage for free-block descriptors, recycled, grown in chunks. */
struct mm_block_pool {
    struct mm_free_block *spare;        /* singly linked through ->next */
    struct mm_free_block **chunks;
    size_t nr_spare;
    size_t nr_chunks, cap_chunks;
};

struct mm_zone {
    int nid;
    enum mm_zone_type idx;
    uint64_t start_pfn, spanned, present, managed;
    uint64_t first_managed_pfn;         /* managed pages: [this, end of span) */
    uint64_t watermark[MM_NR_WMARK];    /* _watermark[] */
    uint64_t watermark_boost;
    bool boosted;                       /* ZONE_BOOSTED_WATERMARK (for kswapd) */
    uint64_t lowmem_reserve[MM_NR_ZONES];
    uint64_t nr_reserved_highatomic;
    uint64_t bg_pages;                  /* taken at boot for machine.bg_used_pages */
    struct mm_free_area free_area[MM_NR_PAGE_ORDERS];
    struct mm_avl_tree free_blocks;     /* every free block, by PFN */
    struct mm_hmap pageblock_mt;        /* pageblock -> type, when not MOVABLE */
    struct mm_hmap pageblock_movable;   /* pageblock -> allocated movable pages */
    int64_t vm_stat[MM_NR_ZONE_STAT_ITEMS];
    uint64_t numa_stat[MM_NR_NUMA_STAT_ITEMS];
};

/* struct pglist_data */
struct mm_pgdat {
    int nid;
    unsigned nr_cpus;
    struct mm_zone zones[MM_NR_ZONES];
    struct mm_zone **zonelist;          /* ZONELIST_FALLBACK, NULL-terminated */
    int node_order[MM_MAX_NUMNODES];    /* fallback order of nodes */
    unsigned nr_node_order;
    uint64_t totalreserve_pages;
    int64_t node_stat[MM_NR_NODE_STAT_ITEMS];
};

int mm__mmzone_validate(const struct mm_machine *m);
int mm__mmzone_init(struct mm_sim *sim);
void mm__mmzone_destroy(struct mm_sim *sim);
struct mm_zone *mm__pfn_zone(const struct mm_sim *sim, uint64_t pfn);
int mm__pfn_to_nid(const struct mm_sim *sim, uint64_t pfn);
enum mm_zone_type mm__pfn_to_zone(const struct mm_sim *sim, uint64_t pfn);
uint8_t mm__node_distance(const struct mm_sim *sim, int a, int b);
int mm__policy_node(const struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                    int *nid, uint64_t *nodemask);
struct mm_zone *mm__first_zone(const struct mm_sim *sim, int nid,
                               enum mm_zone_type highest, uint64_t nodemask);
uint64_t mm__zone_pageblocks(const struct mm_zone *zone);

/* for_each_populated... over a zonelist: zones of nid's fallback list. */
static inline bool mm__zone_allowed(const struct mm_zone *z,
                                    enum mm_zone_type highest, uint64_t nodemask)
{
    return z->idx <= highest && (nodemask >> z->nid & 1u);
}

static inline bool mm__populated_zone(const struct mm_zone *z)
{
    return z->present != 0;
}

/* ---- model/page_alloc_buddy.c ------------------------------------------- */

/* 2^order pages at pfn; free parts of it belong on the @mt lists. */
struct mm_pages {
    uint64_t pfn;
    unsigned order;
    enum mm_migratetype mt;
};

/* One request to a zone's buddy lists (the arguments of rmqueue_buddy()). */
struct mm_rmqueue_ctl {
    unsigned order;          /* 2^order pages wanted */
    enum mm_migratetype mt;  /* the wanted type */
    unsigned flags;          /* MM_ALLOC_* */
    uint64_t pfn;            /* result: first PFN taken */
};

void mm__del_from_free_list(struct mm_sim *sim, struct mm_zone *zone,
                            struct mm_free_block *b);
void mm__move_to_free_list(struct mm_zone *zone, struct mm_free_block *b,
                           enum mm_migratetype mt);
void mm__expand(struct mm_sim *sim, struct mm_zone *zone,
                const struct mm_pages *block, unsigned low);
bool mm__rmqueue_smallest(struct mm_sim *sim, struct mm_zone *zone,
                          unsigned order, enum mm_migratetype mt, uint64_t *pfn);
int mm__buddy_free_range(struct mm_sim *sim, struct mm_zone *zone,
                         uint64_t start, uint64_t end);
int mm__free_one_page(struct mm_sim *sim, struct mm_zone *zone,
                      const struct mm_pages *pages, bool to_tail);
bool mm__rmqueue(struct mm_sim *sim, struct mm_zone *zone,
                 struct mm_rmqueue_ctl *ctl);
int mm__block_pool_reserve(struct mm_block_pool *pool, size_t n);
void mm__block_pool_destroy(struct mm_block_pool *pool);

uint64_t mm__zone_free_pages(const struct mm_zone *zone);

/* ---- model/page_alloc_fallback.c ------------------------------------------ */

bool mm__rmqueue_fallback(struct mm_sim *sim, struct mm_zone *zone,
                          struct mm_rmqueue_ctl *ctl);

/* ---- model/page_alloc_pageblock.c ---------------------------------------- */

enum mm_migratetype mm__pageblock_mt(const struct mm_zone *zone, uint64_t pfn);
void mm__set_pageblock_mt(struct mm_sim *sim, struct mm_zone *zone,
                          uint64_t pfn, enum mm_migratetype mt);
uint64_t mm__pageblock_movable_pages(const struct mm_zone *zone, uint64_t pfn);
void mm__account_movable(struct mm_sim *sim, struct mm_zone *zone,
                         uint64_t pfn, unsigned order, bool add);
uint64_t mm__pageblocks_of_type(const struct mm_zone *zone,
                                enum mm_migratetype mt);

/* ---- model/page_alloc_wmark.c ------------------------------------------- */

/* ALLOC_* flags that the model uses (mm/internal.h) */
#define MM_ALLOC_WMARK_MIN MM_WMARK_MIN
#define MM_ALLOC_WMARK_LOW MM_WMARK_LOW
#define MM_ALLOC_WMARK_HIGH MM_WMARK_HIGH
#define MM_ALLOC_NO_WATERMARKS 0x04u
#define MM_ALLOC_WMARK_MASK (MM_ALLOC_NO_WATERMARKS - 1)
#define MM_ALLOC_OOM 0x08u
#define MM_ALLOC_NON_BLOCK 0x10u
#define MM_ALLOC_MIN_RESERVE 0x20u
#define MM_ALLOC_HIGHATOMIC 0x200u
#define MM_ALLOC_KSWAPD 0x800u
#define MM_ALLOC_NOFRAGMENT 0x100u
#define MM_ALLOC_RESERVES (MM_ALLOC_NON_BLOCK | MM_ALLOC_MIN_RESERVE | \
                           MM_ALLOC_HIGHATOMIC | MM_ALLOC_OOM)

uint64_t mm__wmark_pages(const struct mm_zone *zone, enum mm_wmark w);
bool mm__zone_watermark_ok(const struct mm_zone *z, unsigned order, uint64_t mark,
                           enum mm_zone_type highest_zoneidx, unsigned alloc_flags);
void mm__setup_per_zone_wmarks(struct mm_sim *sim);
void mm__setup_per_zone_lowmem_reserve(struct mm_sim *sim);
void mm__calculate_totalreserve_pages(struct mm_sim *sim);
uint64_t mm__nr_free_buffer_pages(const struct mm_sim *sim);
void mm__calculate_min_free_kbytes(struct mm_sim *sim);
void mm__set_recommended_min_free_kbytes(struct mm_sim *sim);
void mm__init_per_zone_wmark_min(struct mm_sim *sim);
uint64_t mm__si_mem_available(const struct mm_sim *sim);

/* Per-CPU pageset limits (pcp->batch, high_min, high_max) for zoneinfo. */
struct mm_pcp_sizes {
    uint64_t batch, high_min, high_max;
};
void mm__zone_pcp_sizes(const struct mm_sim *sim, const struct mm_zone *zone,
                        struct mm_pcp_sizes *out);

/* ---- model/page_alloc.c ------------------------------------------------- */

int mm__alloc_pages(struct mm_sim *sim, const struct mm_alloc_ctx *ac, uint64_t *pfn);
void mm__free_pages(struct mm_sim *sim, uint64_t pfn, unsigned order);
int mm__split_page(struct mm_sim *sim, uint64_t pfn, unsigned order);

/* ---- model/vmstat.c (functions; the item lists are above) ---------------- */

size_t mm__stat_count(enum mm_stat_class cls);
const struct mm_stat_desc *mm__stat_desc(enum mm_stat_class cls, size_t item);
bool mm__stat_shown(const struct mm_stat_desc *d, unsigned kernel);
const char *mm__zone_name(enum mm_zone_type t);
const char *mm__migratetype_name(unsigned mt);
void mm__count_vm_events(struct mm_sim *sim, enum mm_vm_event_item item, uint64_t n);
void mm__mod_zone_page_state(struct mm_zone *zone, enum mm_zone_stat_item item,
                             int64_t delta);
void mm__mod_node_page_state(struct mm_pgdat *pgdat, enum mm_node_stat_item item,
                             int64_t delta);
void mm__mod_global_page_state(struct mm_sim *sim, enum mm_global_stat_item item,
                               int64_t delta);
uint64_t mm__zone_page_state(const struct mm_zone *zone, enum mm_zone_stat_item item);
uint64_t mm__node_page_state(const struct mm_pgdat *pgdat, enum mm_node_stat_item item);
uint64_t mm__zone_numa_event_state(const struct mm_zone *zone,
                                   enum mm_numa_stat_item item);
uint64_t mm__node_numa_event_state(const struct mm_pgdat *pgdat,
                                   enum mm_numa_stat_item item);
uint64_t mm__global_zone_page_state(const struct mm_sim *sim,
                                    enum mm_zone_stat_item item);
uint64_t mm__global_node_page_state(const struct mm_sim *sim,
                                    enum mm_node_stat_item item);
uint64_t mm__global_numa_event_state(const struct mm_sim *sim,
                                     enum mm_numa_stat_item item);
uint64_t mm__global_page_state(const struct mm_sim *sim, enum mm_global_stat_item item);
uint64_t mm__vm_event(const struct mm_sim *sim, enum mm_vm_event_item item);
unsigned mm__nr_nodes(const struct mm_sim *sim);
const struct mm_pgdat *mm__node(const struct mm_sim *sim, int nid);
const struct mm_zone *mm__node_zone(const struct mm_sim *sim, int nid,
                                    enum mm_zone_type t);
uint64_t mm__zone_nr_free(const struct mm_zone *zone, unsigned order);
uint64_t mm__zone_nr_free_mt(const struct mm_zone *zone, unsigned order, unsigned mt);
uint64_t mm__zone_protection(const struct mm_zone *zone, enum mm_zone_type j);
unsigned mm__zone_stat_threshold(const struct mm_sim *sim, const struct mm_zone *zone);

/* ---- model/sim.c ------------------------------------------------------ */

/*
 * The simulator: one object holds the whole simulated kernel. Each
 * mechanism keeps its state in its own block below, added by the file that
 * owns it; nothing in model/ lives outside this struct.
 */
struct mm_sim {
    struct mm_machine machine; /* the shape it booted with */
    struct mm_vm_knobs vm;     /* effective vm.* values (model/sysctl.c) */
    uint64_t now_ns;           /* the trace's clock; never the host's */

    /* physical memory: model/mmzone.c, model/page_alloc*.c, model/vmstat.c */
    struct mm_pgdat *nodes;          /* machine.nr_nodes entries */
    unsigned nr_nodes;
    uint64_t node_mask;              /* nodes with memory (N_MEMORY) */
    enum mm_thp_mode thp;            /* effective THP mode after hugepage_init */
    uint64_t totalram_pages;         /* sum of managed pages */
    uint64_t totalreserve_pages;
    struct mm_block_pool block_pool; /* free-block descriptors */
    struct mm_hmap allocated;        /* first PFN -> order | mt << 8 */
    uint64_t vm_events[MM_NR_VM_EVENT_ITEMS]; /* summed over CPUs */
    int64_t global_stat[MM_NR_GLOBAL_STAT_ITEMS];
    struct mm_zone **zone_by_pfn;    /* zones with managed pages, by PFN */
    unsigned nr_zone_by_pfn;
    int host_err;                    /* sticky MM_ENOMEM from the host's malloc */
    uint64_t nr_alloc_fail;          /* allocations that failed at min (no reclaim yet) */
    uint64_t nr_bad_free;            /* frees of blocks not allocated (model bugs) */

    /* commit accounting: model/overcommit.c */

    /* address spaces, tasks, faults: model/mmap.c, model/fork.c, model/memory.c */
};

#endif /* MMSIM_MODEL_INTERNAL_H */
