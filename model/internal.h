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

    /* physical memory: model/mmzone.c, model/page_alloc.c */

    /* commit accounting: model/overcommit.c */

    /* address spaces, tasks, faults: model/mmap.c, model/fork.c, model/memory.c */
};

/* ---- model/proc.c, model/proc_*.c ------------------------------------- */

/*
 * What the /proc renderers print, gathered from the simulator by
 * mm__proc_view_fill() (model/proc.c) so that the formatting can be tested
 * on its own. Counters are looked up by their /proc/vmstat name; a name the
 * model does not count prints 0, as on a freshly booted kernel.
 */
#define MM__NR_MIGRATETYPES 5 /* Unmovable Movable Reclaimable HighAtomic Isolate */

struct mm__proc_stat {
    const char *name;
    uint64_t value;
};

struct mm__proc_stats {
    const struct mm__proc_stat *v;
    size_t n;
};

struct mm__proc_zone {
    struct mm_zone_shape shape;
    uint64_t free;                       /* NR_FREE_PAGES */
    uint64_t boost;
    uint64_t wmark[4];                   /* min, low, high, promo */
    uint64_t protection[MM_NR_ZONES];    /* lowmem_reserve[] */
    uint64_t nr_free[MM_NR_PAGE_ORDERS][MM__NR_MIGRATETYPES]; /* blocks */
    uint64_t pageblocks[MM__NR_MIGRATETYPES];
    struct mm__proc_stats stats;         /* zone and NUMA counters */
};

struct mm__proc_node {
    struct mm__proc_zone zones[MM_NR_ZONES];
    struct mm__proc_stats stats;         /* node counters */
    bool unreclaimable;
};

struct mm__proc_view {
    unsigned kernel;                     /* MM_KERNEL(major, minor) */
    unsigned nr_nodes;
    unsigned nr_cpus;                    /* online CPUs, all nodes */
    unsigned node_cpus[MM_MAX_NUMNODES];
    int pcp_high_fraction;               /* vm.percpu_pagelist_high_fraction */
    const struct mm__proc_node *nodes;
    struct mm__proc_stats events;        /* vm_event_item counters */
    uint64_t swap_total, swap_free;      /* pages */
    uint64_t committed, commit_limit;    /* pages */
    uint64_t hugetlb_total, hugetlb_free; /* 2 MiB pages */
    uint64_t dirty_threshold, dirty_bg_threshold;
    uint64_t memmap_boot_pages;          /* struct pages allocated at boot */
};

/* A /proc/vmstat name and the kernels that print it. */
enum mm__proc_since { MM__PN_ALL, MM__PN_OLD, MM__PN_NEW };
struct mm__proc_name {
    const char *name;
    enum mm__proc_since when; /* OLD: 6.1 only; NEW: 6.18 on */
};

extern const struct mm__proc_name mm__proc_zone_names[];
extern const size_t mm__proc_nr_zone_names;
extern const struct mm__proc_name mm__proc_numa_names[];
extern const size_t mm__proc_nr_numa_names;
extern const struct mm__proc_name mm__proc_node_names[];
extern const size_t mm__proc_nr_node_names;
extern const struct mm__proc_name mm__proc_event_names[];
extern const size_t mm__proc_nr_event_names;

bool mm__proc_name_shown(const struct mm__proc_name *n, unsigned kernel);
uint64_t mm__proc_stat(const struct mm__proc_stats *s, const char *name);
uint64_t mm__proc_node_sum(const struct mm__proc_view *v, const char *name);
uint64_t mm__proc_zone_sum(const struct mm__proc_view *v, const char *name);
uint64_t mm__proc_zone_stat(const struct mm__proc_zone *z, const char *name);
const char *mm__proc_zone_name(int zone);
bool mm__proc_zone_populated(const struct mm__proc_zone *z);

int mm__proc_meminfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_vmstat(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_zoneinfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_buddyinfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_pagetypeinfo(const struct mm__proc_view *v, struct mm_buf *out);

#endif /* MMSIM_MODEL_INTERNAL_H */
