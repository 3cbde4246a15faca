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

#endif /* MMSIM_MODEL_INTERNAL_H */
