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

struct mm_folio;
struct mm_zone;

/* int_sqrt() (lib/math/int_sqrt.c): floor of the square root, integers
 * only (min_free_kbytes, the inactive list's ratio). */
static inline uint64_t mm__int_sqrt(uint64_t x)
{
    uint64_t r = 0, bit = 1ull << 62;
    while (bit > x)
        bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

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
uint64_t *mm__hmap_ref(const struct mm_hmap *map, uint64_t key);
void mm__hmap_prefetch(const struct mm_hmap *map, uint64_t key);
bool mm__hmap_del(struct mm_hmap *map, uint64_t key);
const struct mm_hmap_slot *mm__hmap_next(const struct mm_hmap *map,
                                         size_t *pos);

/* ---- model/overcommit.c ---------------------------------------------- */

#define MM_COMMIT_LOG_MAX 64

/* One rate-limited "__vm_enough_memory: ..." warning the kernel would log. */
struct mm_commit_fail {
    uint64_t t_ns;
    uint32_t pid;
    uint32_t comm;  /* interned string id of the task's exec path */
    uint64_t pages; /* the refused request */
};

/* Bounded record of the kernel's failure log (pr_warn_ratelimited). */
struct mm_commit_log {
    struct mm_commit_fail entries[MM_COMMIT_LOG_MAX]; /* oldest first */
    unsigned count;       /* entries used */
    uint64_t failures;    /* every refusal, logged or not */
    uint64_t suppressed;  /* refusals the rate limit dropped */
    uint64_t rs_begin_ns; /* start of the current ratelimit interval */
    unsigned rs_printed;  /* messages printed in it */
};

struct mm_task;
int mm__vm_enough_memory(struct mm_sim *sim, const struct mm_task *task,
                         uint64_t pages);
void mm__vm_acct_memory(struct mm_sim *sim, int64_t pages);

/* ---- model/mempolicy.c, model/mempolicy_alloc.c --------------------- */

/*
 * struct mempolicy, held by value: a VMA's or task's policy with mode
 * MM_MPOL_DEFAULT is the kernel's NULL vm_policy / mempolicy (none set).
 */
struct mm_mempolicy {
    enum mm_mpol_mode mode;
    unsigned flags;       /* MM_MPOL_F_STATIC_NODES | _RELATIVE_NODES | _NUMA_BALANCING */
    uint64_t nodes;       /* effective nodemask: bit n = node n */
    uint64_t user_nodes;  /* w.user_nodemask: the mask as given (static/relative) */
};

struct mm_sim;
struct mm_vma;
struct mm_task;
bool mm__mpol_equal(const struct mm_mempolicy *a, const struct mm_mempolicy *b);
void mm__mpol_fork(struct mm_task *child, const struct mm_task *parent);
int mm__alloc_user_pages(struct mm_sim *sim, const struct mm_vma *vma,
                         uint64_t addr, unsigned order, uint32_t gfp,
                         uint64_t *pfn);
struct mm_alloc_ctx;
int mm__policy_node(const struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                    int *nid, uint64_t *nodemask);

/* ---- model/vma.c ----------------------------------------------------- */

/* VMA flag bits, with the kernel's values (include/linux/mm.h). */
enum mm_vm_flags {
    MM_VM_READ = 0x1,
    MM_VM_WRITE = 0x2,
    MM_VM_EXEC = 0x4,
    MM_VM_SHARED = 0x8,
    MM_VM_MAYSHARE = 0x80,
    MM_VM_GROWSDOWN = 0x100,
    MM_VM_LOCKED = 0x2000,
    MM_VM_SEQ_READ = 0x8000,
    MM_VM_RAND_READ = 0x10000,
    MM_VM_DONTCOPY = 0x20000,
    MM_VM_DONTEXPAND = 0x40000,
    MM_VM_LOCKONFAULT = 0x80000,
    MM_VM_ACCOUNT = 0x100000,
    MM_VM_NORESERVE = 0x200000,
    MM_VM_HUGETLB = 0x400000,
    MM_VM_WIPEONFORK = 0x2000000,
    MM_VM_HUGEPAGE = 0x20000000,
    MM_VM_NOHUGEPAGE = 0x40000000,
};
#define MM_VM_PROT_MASK (MM_VM_READ | MM_VM_WRITE | MM_VM_EXEC)
#define MM_VM_STACK MM_VM_GROWSDOWN

struct mm_file;

/* struct vm_area_struct: one mapping, keyed in mm->vmas by start. */
struct mm_vma {
    struct mm_avl_node node;
    uint64_t start, end;   /* bytes, page aligned, end exclusive */
    uint64_t pgoff;        /* vm_pgoff, pages */
    uint64_t flags;        /* enum mm_vm_flags */
    uint64_t anon_vma;     /* 0: none yet (never faulted anon); else an id */
    struct mm_file *file;  /* page cache or shmem object; NULL = anon */
    uint32_t path;         /* interned path id for maps; 0 none */
    bool special;          /* kernel-named ([vdso], [vvar]): never merged */
    struct mm_mempolicy policy; /* vm_policy (mbind); DEFAULT = none */
};

/* struct mm_struct: what /proc/PID/status and statm read. */
struct mm_mm {
    struct mm_avl_tree vmas;
    unsigned users;        /* tasks sharing it (vfork children) */
    uint64_t total_vm, locked_vm, pinned_vm, data_vm, exec_vm, stack_vm;
    uint64_t hiwater_vm, hiwater_rss;
    uint64_t rss_anon, rss_file, rss_shmem, swapents;
    uint64_t start_code, end_code, start_brk, brk, start_stack;
    struct mm_hmap ptes;     /* vpn -> MM_PTE_* encoded entry */
    struct mm_hmap pgtables; /* MM_PGT_KEY(level, index) -> MM_PGT_* */
    uint64_t def_flags;      /* VM_LOCKED[|VM_LOCKONFAULT] after MCL_FUTURE */
    uint64_t gate_start, gate_end; /* [vsyscall], outside the VMA tree */
    uint32_t gate_path;
};

struct mm_vma *mm__vma_find(const struct mm_mm *mm, uint64_t addr);
struct mm_vma *mm__vma_first_after(const struct mm_mm *mm, uint64_t addr);
struct mm_vma *mm__vma_next(const struct mm_mm *mm, const struct mm_vma *vma);
struct mm_vma *mm__vma_prev(const struct mm_mm *mm, const struct mm_vma *vma);
void mm__vm_stat_account(struct mm_mm *mm, uint64_t flags, int64_t npages);
int mm__vma_link(struct mm_mm *mm, struct mm_vma *vma);
void mm__vma_unlink(struct mm_mm *mm, struct mm_vma *vma);
struct mm_vma *mm__vma_split(struct mm_sim *sim, struct mm_mm *mm,
                             struct mm_vma *vma, uint64_t addr);
struct mm_vma *mm__vma_try_merge(struct mm_sim *sim, struct mm_mm *mm,
                                 struct mm_vma *vma);
void mm__vma_free(struct mm_sim *sim, struct mm_vma *vma);
unsigned mm__vma_splits_needed(const struct mm_mm *mm, uint64_t start,
                               uint64_t end);
int mm__vma_isolate(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                    uint64_t end, bool munmap);
bool mm__range_mapped(const struct mm_mm *mm, uint64_t start, uint64_t end);
static inline uint64_t mm__vma_pages(const struct mm_vma *vma)
{
    return (vma->end - vma->start) >> MM_PAGE_SHIFT;
}

/* ---- model/mmap.c ---------------------------------------------------- */

int mm__do_munmap(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                  uint64_t end);
void mm__remove_vma(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma);
bool mm__accountable_mapping(uint64_t flags);

/* ---- model/fork.c ---------------------------------------------------- */

/* struct task_struct, reduced to what the memory model needs. */
struct mm_task {
    struct mm_avl_node node; /* key = tgid */
    struct mm_mm *mm;
    uint64_t min_flt, maj_flt;
    uint32_t comm;           /* interned exec path id */
    bool cap_sys_admin;
    /* model/oom_kill.c */
    uint64_t seq;            /* creation order: for_each_process() order */
    int oom_score_adj;       /* signal->oom_score_adj, inherited on fork */
    bool oom_killed;         /* SIGKILLed by the OOM killer (a zombie once reaped) */
    /* model/mempolicy.c: task policy, interleave cursor, the CPU's node */
    struct mm_mempolicy mempolicy;
    int il_prev;             /* last node of task interleave */
    int numa_node;           /* numa_node_id() where it runs */
    /* model/memory.c: expand_stack()'s limit (fork.c sets and copies it) */
    uint64_t rlimit_stack;   /* RLIMIT_STACK soft limit, bytes */
};

struct mm_task *mm__task_find(const struct mm_sim *sim, uint32_t tgid);
struct mm_mm *mm__mm_alloc(void);
void mm__mmput(struct mm_sim *sim, struct mm_mm *mm);

/* ---- model/filemap.c ------------------------------------------------- */

/* A page cache: one per (dev, ino) file, or one per shared anon object. */
struct mm_file {
    uint64_t dev, ino;
    uint64_t key;        /* its key in sim->files */
    bool shmem;          /* shared anon / tmpfs: RssShmem, swap backed */
    bool named;          /* a shmem object the trace names (00:01, ino) */
    unsigned vmas;       /* VMAs referring to it */
    uint64_t charged;    /* shmem_acct_size pages, returned on release */
    struct mm_hmap pages; /* page index -> pfn */
};

struct mm_file *mm__file_get(struct mm_sim *sim, uint64_t dev, uint64_t ino);
struct mm_file *mm__shmem_new(struct mm_sim *sim);
struct mm_file *mm__shmem_named(struct mm_sim *sim, uint64_t ino);
#define MM_SHMEM_DEV 1ull /* 00:01, the kernel's internal shm mount */
void mm__file_put(struct mm_sim *sim, struct mm_file *file);
void mm__file_remove_range(struct mm_sim *sim, struct mm_file *file,
                           uint64_t first, uint64_t end);
void mm__filemap_destroy(struct mm_sim *sim);
void mm__filemap_remove_folio(struct mm_sim *sim, struct mm_folio *folio,
                              uint64_t shadow);
int mm__shmem_writepage(struct mm_sim *sim, struct mm_folio *folio,
                        uint64_t shadow);
/* A shmem index whose page is in swap holds this bit | the slot. */
#define MM_SHMEM_SWAPPED (1ull << 63)

/* ---- model/memory.c -------------------------------------------------- */

/* Page table entries in mm->ptes: pfn << 12 | flags. */
enum mm_pte_bits {
    MM_PTE_PRESENT = 1u << 0,
    MM_PTE_WRITE = 1u << 1,
    MM_PTE_DIRTY = 1u << 2,
    MM_PTE_ZERO = 1u << 3, /* the (huge) zero page: no frame, no RSS */
    MM_PTE_HUGE = 1u << 4, /* part of a PMD mapping of 512 pages */
    MM_PTE_YOUNG = 1u << 5, /* accessed since reclaim last looked (pte_young) */
    MM_PTE_SWAP = 1u << 6, /* not present: a swap entry, slot << 12 */
};
#define MM_PTE_PFN(pte) ((pte) >> 12)
#define MM_PTE_SWP_SLOT(pte) ((pte) >> 12)
#define MM_SWP_PTE(slot) (((uint64_t)(slot) << 12) | MM_PTE_SWAP)
/* A present entry: a frame or the zero page (which has no PRESENT bit). */
static inline bool mm__pte_present(uint64_t pte)
{
    return !(pte & MM_PTE_SWAP);
}
void mm__fault_around_range(const struct mm_vma *vma, uint64_t addr,
                            uint64_t nr, uint64_t *start, uint64_t *end);

/* What mm->pgtables holds per table. */
#define MM_PGT_KEY(level, index) (((uint64_t)(level) << 56) | (index))
enum mm_pgt_kind { MM_PGT_TABLE = 1, MM_PGT_PMD_MAPPED = 2 };

enum mm_folio_kind { MM_FOLIO_ANON, MM_FOLIO_FILE, MM_FOLIO_SHMEM };

struct mm_mm;

/* One reverse-map anchor: page i of the folio may be mapped at vpn + i of
 * mm (model/rmap.c); count = PTEs of the folio mapped through it. */
struct mm_rmap_anchor {
    struct mm_mm *mm;
    uint64_t vpn;
    uint64_t count;
};

/* struct folio, for allocated frames only: mapcount per 4 KiB page. */
struct mm_folio {
    uint64_t pfn;       /* head */
    unsigned order;
    enum mm_folio_kind kind;
    bool dirty;         /* folio dirty (set when a dirty PTE is zapped) */
    bool lazyfree;      /* MADV_FREE'd, clean anon */
    uint8_t lru;        /* enum mm_lru_list, MM_LRU_NONE when off the LRU */
    uint8_t pgflags;    /* MM_PG_* (model/swap.c) */
    uint32_t swap;      /* first swap slot while in the swap cache; 0 none */
    struct mm_file *file; /* owning cache; NULL for anon */
    uint64_t index;     /* page index in file */
    uint64_t total_map; /* sum of mapcount[] */
    struct mm_folio *lru_prev, *lru_next; /* toward the head / the tail */
    uint32_t nr_rmap;   /* anchors: 0, 1 (inline in rmap_one), or more */
    uint32_t rmap_cap;  /* capacity of rmap_many */
    union {
        struct mm_rmap_anchor one;    /* nr_rmap == 1 (count unused) */
        struct mm_rmap_anchor *many;  /* nr_rmap > 1 */
    } rmap;
    bool mapped_elsewhere; /* a page cache folio processes outside the
                              model map too (memory_resident.c) */
    uint32_t mapcount[];
};


struct mm_folio *mm__folio_of(const struct mm_sim *sim, uint64_t pfn);
void mm__rss_add(struct mm_mm *mm, const struct mm_folio *folio, int64_t n);
void mm__ensure_pgtables(struct mm_mm *mm, uint64_t vpn, enum mm_pgt_kind kind);
void mm__map_page(struct mm_mm *mm, uint64_t vpn, struct mm_folio *folio,
                  unsigned idx, unsigned bits);
void mm__split_pmd(struct mm_mm *mm, uint64_t vpn);
void mm__unmap_pte(struct mm_sim *sim, struct mm_mm *mm, uint64_t vpn);
int mm__handle_fault(struct mm_sim *sim, struct mm_task *task,
                     struct mm_vma *vma, uint64_t addr, bool write);
int mm__filemap_add(struct mm_sim *sim, struct mm_file *file, uint64_t idx);

int mm__swapin_alloc(struct mm_sim *sim, const struct mm_vma *vma,
                     uint64_t addr, struct mm_folio **out);
void mm__count_major(struct mm_sim *sim, int *major);
int mm__wp_page_copy(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                     uint64_t vpn);
/* What a fault handler returns besides errors (memory.c enum fault_result). */
#define MM_FAULT_MINOR 0
#define MM_FAULT_MAJOR 1

/* ---- model/memory_swap.c ---------------------------------------------- */

int mm__do_swap_page(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                     uint64_t vpn, uint64_t pte, bool write);

/* ---- model/huge_memory.c ---------------------------------------------- */

struct mm_folio *mm__split_huge_page(struct mm_sim *sim, struct mm_folio *huge);

/* ---- model/rmap.c ---------------------------------------------------- */

int mm__rmap_add(struct mm_folio *folio, struct mm_mm *mm, uint64_t base_vpn);
void mm__rmap_remove(struct mm_folio *folio, struct mm_mm *mm,
                     uint64_t base_vpn);
void mm__rmap_free(struct mm_folio *folio);
unsigned mm__folio_referenced(struct mm_sim *sim, struct mm_folio *folio,
                              uint64_t *vm_flags);
bool mm__folio_pte_dirty(struct mm_sim *sim, struct mm_folio *folio);
bool mm__try_to_unmap(struct mm_sim *sim, struct mm_folio *folio);
void mm__rmap_prefetch(const struct mm_sim *sim, const struct mm_folio *folio);

/* ---- model/swap.c (LRU lists) ----------------------------------------- */

/* enum lru_list: the order matches NR_INACTIVE_ANON.. and NR_ZONE_INACTIVE_ANON.. */
enum mm_lru_list {
    MM_LRU_INACTIVE_ANON,
    MM_LRU_ACTIVE_ANON,
    MM_LRU_INACTIVE_FILE,
    MM_LRU_ACTIVE_FILE,
    MM_LRU_UNEVICTABLE,
    MM_NR_LRU_LISTS,
    MM_LRU_NONE = 0xff,
};
#define MM_LRU_ACTIVE 1
#define MM_LRU_FILE 2

/* Page flags the LRU needs (PG_referenced, PG_workingset). */
enum mm_pg_flags {
    MM_PG_REFERENCED = 1u << 0,
    MM_PG_WORKINGSET = 1u << 1,
    MM_PG_ACTIVE = 1u << 2,
};

struct mm_lru_head {
    struct mm_folio *head, *tail; /* list_add() at head; reclaim takes the tail */
};

/* struct lruvec (one per node; no memcg) */
struct mm_lruvec {
    struct mm_lru_head lists[MM_NR_LRU_LISTS];
    uint64_t anon_cost, file_cost;  /* decayed reclaim I/O cost */
    uint64_t refaults[2];           /* WORKINGSET_ACTIVATE_* at the last reclaim */
    uint64_t nonresident_age;       /* evictions + activations (workingset.c) */
};

bool mm__folio_is_file_lru(const struct mm_folio *folio);
void mm__folio_add_lru(struct mm_sim *sim, struct mm_folio *folio);
void mm__lruvec_del_folio(struct mm_sim *sim, struct mm_folio *folio);
void mm__lruvec_add_folio(struct mm_sim *sim, struct mm_folio *folio,
                          enum mm_lru_list lru, bool tail);
void mm__folio_activate(struct mm_sim *sim, struct mm_folio *folio);
void mm__folio_mark_accessed(struct mm_sim *sim, struct mm_folio *folio);
void mm__lru_note_cost(struct mm_sim *sim, int nid, bool file, uint64_t pages);
struct mm_lruvec *mm__folio_lruvec(struct mm_sim *sim,
                                   const struct mm_folio *folio);
uint64_t mm__lruvec_size(const struct mm_sim *sim, int nid,
                         enum mm_lru_list lru);

/* ---- model/swapfile.c, model/swap_state.c ------------------------------ */

/* The one swap area (struct swap_info_struct): slot 0 is the header. */
struct mm_swap_info {
    uint64_t pages;      /* usable slots, 1..pages */
    uint64_t inuse;      /* slots allocated (SwapTotal - SwapFree) */
    uint32_t *map;       /* swap_map: PTE references per slot, + HAS_CACHE */
    uint64_t hwm;        /* slots 1..hwm have been handed out */
    uint64_t cap_map;
    uint64_t *shadow;    /* per slot: shadow entry of the evicted page, or 0 */
    uint32_t *free;      /* freed slots at or below hwm (a stack) */
    size_t nr_free, cap_free;
    struct mm_hmap cache; /* swap cache: slot -> struct mm_folio * */
};
#define MM_SWAP_HAS_CACHE 0x80000000u

int mm__get_swap_pages(struct mm_sim *sim, unsigned order, uint32_t *slot);
void mm__swap_duplicate(struct mm_sim *sim, uint32_t slot);
void mm__swap_free(struct mm_sim *sim, uint32_t slot);
void mm__swap_slot_put_cache(struct mm_sim *sim, uint32_t slot);
uint64_t mm__nr_swap_pages(const struct mm_sim *sim);
bool mm__vm_swap_full(const struct mm_sim *sim);
uint32_t mm__swap_count(const struct mm_sim *sim, uint32_t slot);
uint64_t mm__swap_shadow(struct mm_sim *sim, uint32_t slot, uint64_t set);
void mm__swapfile_destroy(struct mm_sim *sim);
int mm__add_to_swap_cache(struct mm_sim *sim, struct mm_folio *folio,
                          uint32_t slot);
void mm__delete_from_swap_cache(struct mm_sim *sim, struct mm_folio *folio);
struct mm_folio *mm__swap_cache_get(const struct mm_sim *sim, uint32_t slot);
bool mm__folio_free_swap(struct mm_sim *sim, struct mm_folio *folio);

/* ---- model/workingset.c ------------------------------------------------ */

/* A shadow entry: where an evicted page was (swap slot, page-cache index). */
#define MM_SHADOW (1ull << 62)
#define MM_SHADOW_WORKINGSET (1ull << 61) /* the page was PG_workingset */

void mm__workingset_age_nonresident(struct mm_sim *sim, int nid, uint64_t nr);
uint64_t mm__workingset_eviction(struct mm_sim *sim,
                                 const struct mm_folio *folio);
void mm__workingset_refault(struct mm_sim *sim, struct mm_folio *folio,
                            uint64_t shadow);
void mm__snapshot_refaults(struct mm_sim *sim, int nid);

/* ---- model/vmscan.c, model/vmscan_kswapd.c ---------------------------- */

#define MM_SWAP_CLUSTER_MAX 32u
#define MM_DEF_PRIORITY 12
#define MM_MAX_RECLAIM_RETRIES 16

/* struct scan_control: one reclaim pass's inputs and running totals. */
struct mm_scan_control {
    uint64_t nr_to_reclaim;      /* stop once this many are reclaimed */
    enum mm_zone_type reclaim_idx; /* highest zone whose pages count */
    int priority;                /* scan lru_size >> priority per round */
    bool kswapd;                 /* current_is_kswapd(): the counters */
    bool memcg;                  /* cgroup_reclaim(): the memcg's limit */
    bool may_swap;               /* may reclaim anonymous pages */
    bool force_deactivate;       /* age active lists regardless */
    bool skipped_deactivate;     /* an active list was left unaged */
    bool cache_trim_mode;        /* plenty of inactive file: file only */
    bool file_is_tiny;           /* file + free below the high watermarks */
    unsigned may_deactivate;     /* 1 << 0 anon, 1 << 1 file */
    uint64_t anon_cost, file_cost; /* the lruvec's, at the pass start */
    uint64_t nr_scanned;         /* inactive pages isolated */
    uint64_t nr_reclaimed;       /* pages freed */
    uint64_t nodemask;           /* nodes it may shrink (MPOL_BIND); 0 = all */
    bool no_unmap;               /* !may_unmap: keep mapped folios (node reclaim) */
    bool no_writepage;           /* !may_writepage: keep what must be written */
};

/* kswapd of one node (pgdat->kswapd_* fields). */
struct mm_kswapd {
    bool awake;
    bool in_sweep;                    /* a balance_pgdat() ran out of credit */
    unsigned order;                   /* kswapd_order */
    enum mm_zone_type highest_zoneidx; /* kswapd_highest_zoneidx */
    unsigned failures;                /* kswapd_failures */
    uint64_t last_ns;                 /* trace time it last ran up to */
    uint64_t credit;                  /* pages it may still reclaim (rate x time) */
};

void mm__get_scan_count(struct mm_sim *sim, int nid,
                        const struct mm_scan_control *sc, uint64_t nr[4]);
bool mm__inactive_is_low(const struct mm_sim *sim, int nid,
                         enum mm_lru_list inactive_lru);
void mm__shrink_node(struct mm_sim *sim, int nid, struct mm_scan_control *sc);
uint64_t mm__shrink_inactive_list(struct mm_sim *sim, int nid,
                                  uint64_t nr_to_scan,
                                  struct mm_scan_control *sc,
                                  enum mm_lru_list lru);
void mm__shrink_active_list(struct mm_sim *sim, int nid, uint64_t nr_to_scan,
                            struct mm_scan_control *sc, enum mm_lru_list lru);
/* model/vmscan_node.c: zone_reclaim_mode (node_reclaim() results) */
enum {
    MM_NODE_RECLAIM_NOSCAN = -2,
    MM_NODE_RECLAIM_FULL = -1,
    MM_NODE_RECLAIM_SOME = 0,
    MM_NODE_RECLAIM_SUCCESS = 1,
};
bool mm__node_reclaim_allowed(const struct mm_sim *sim,
                              const struct mm_zone *preferred,
                              const struct mm_zone *zone);
int mm__node_reclaim(struct mm_sim *sim, int nid, const struct mm_alloc_ctx *req);
uint64_t mm__try_to_free_pages(struct mm_sim *sim, int nid,
                               enum mm_zone_type highest_zoneidx,
                               uint64_t nodemask);
uint64_t mm__try_to_free_mem_cgroup_pages(struct mm_sim *sim, uint64_t nr_pages,
                                          bool may_swap);
void mm__wakeup_kswapd(struct mm_sim *sim, struct mm_zone *zone,
                       unsigned order, enum mm_zone_type highest_zoneidx);
bool mm__pgdat_balanced(const struct mm_sim *sim, int nid, unsigned order,
                        enum mm_zone_type highest_zoneidx);
void mm__kswapd_run(struct mm_sim *sim);
uint64_t mm__zone_reclaimable_pages(const struct mm_sim *sim,
                                    const struct mm_zone *zone);

/* ---- model/mprotect.c ------------------------------------------------ */

void mm__vma_set_flags(struct mm_sim *sim, struct mm_mm *mm, struct mm_vma *vma,
                       uint64_t newflags);
void mm__vma_merge_range(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                         uint64_t end);

/* ---- model/mlock.c --------------------------------------------------- */

int mm__populate(struct mm_sim *sim, struct mm_task *task, uint64_t start,
                 uint64_t end);
void mm__folio_release(struct mm_sim *sim, struct mm_folio *folio);
void mm__zap_range(struct mm_sim *sim, struct mm_mm *mm,
                   const struct mm_vma *vma, uint64_t start, uint64_t end);
void mm__free_pgtables(struct mm_mm *mm, uint64_t start, uint64_t end);
int mm__copy_page_range(struct mm_sim *sim, struct mm_mm *dst,
                        struct mm_mm *src, const struct mm_vma *vma);
void mm__move_page_range(struct mm_sim *sim, struct mm_mm *mm,
                         uint64_t old_addr, uint64_t new_addr, uint64_t len);
void mm__change_protection(struct mm_sim *sim, struct mm_mm *mm,
                           const struct mm_vma *vma);
void mm__madvise_free(struct mm_sim *sim, struct mm_mm *mm,
                      const struct mm_vma *vma, uint64_t start, uint64_t end);
size_t mm__collect_ptes(const struct mm_mm *mm, uint64_t start, uint64_t end,
                        uint64_t **vpns);
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

/*
 * What the caller asks of the page allocator (struct alloc_context + gfp).
 * mm__policy_node() turns preferred_nid and policy into the node whose
 * zonelist is walked and the allowed nodes; interleave is resolved before
 * (model/mempolicy_alloc.c passes the chosen node as a PREFERRED policy).
 */
struct mm_alloc_ctx {
    int preferred_nid;                  /* numa_node_id() of the allocating task */
    enum mm_zone_type highest_zoneidx;  /* gfp_zone(): MM_ZONE_MOVABLE for user pages */
    unsigned order;
    enum mm_migratetype migratetype;    /* MM_MIGRATE_MOVABLE for user pages */
    const struct mm_mempolicy *policy;  /* NULL = MPOL_DEFAULT */
    uint32_t gfp_mask;  /* MM_GFP_* (model/oom_kill.c); 0: no reclaim, no OOM */
};

/* One free buddy block: in its zone's PFN index and on one free list. */
struct mm_free_block {
    uint64_t pfn;                       /* first PFN */
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
    struct mm_hmap free_blocks;         /* first PFN -> struct mm_free_block * */
    struct mm_hmap pageblock_mt;        /* pageblock -> type, when not MOVABLE */
    struct mm_hmap pageblocks;          /* pageblock -> allocation records */
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
    uint64_t nr_huge_pages;             /* hugetlb pool pages (2 MiB) here */
    int64_t node_stat[MM_NR_NODE_STAT_ITEMS];
    struct mm_lruvec lruvec;            /* model/swap.c, model/vmscan.c */
    struct mm_kswapd kswapd;            /* model/vmscan_kswapd.c */
};

int mm__mmzone_validate(const struct mm_machine *m);
int mm__mmzone_init(struct mm_sim *sim);
void mm__mmzone_destroy(struct mm_sim *sim);
struct mm_zone *mm__pfn_zone(const struct mm_sim *sim, uint64_t pfn);
int mm__pfn_to_nid(const struct mm_sim *sim, uint64_t pfn);
enum mm_zone_type mm__pfn_to_zone(const struct mm_sim *sim, uint64_t pfn);
uint8_t mm__node_distance(const struct mm_sim *sim, int a, int b);
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

struct mm_free_block *mm__free_block_at(const struct mm_zone *zone, uint64_t pfn);
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
int mm__pageblock_record_alloc(struct mm_zone *zone, uint64_t pfn,
                               unsigned order, enum mm_migratetype mt);
int mm__pageblock_take_alloc(struct mm_zone *zone, uint64_t pfn, unsigned order);
int mm__pageblock_split_alloc(struct mm_zone *zone, uint64_t pfn, unsigned order);
void mm__pageblock_destroy(struct mm_zone *zone);
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
int mm__alloc_pages_thisnode(struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                             uint64_t *pfn);
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

/* ---- model/oom_kill.c, oom_kill_log.c, memcontrol.c ---------------------- */

/* gfp bits the model uses, with 6.1's values (include/linux/gfp_types.h). */
#define MM_GFP_HIGHMEM 0x02u
#define MM_GFP_MOVABLE 0x08u
#define MM_GFP_IO 0x40u
#define MM_GFP_FS 0x80u
#define MM_GFP_ZERO 0x100u
#define MM_GFP_DIRECT_RECLAIM 0x400u
#define MM_GFP_KSWAPD_RECLAIM 0x800u
#define MM_GFP_NOWARN 0x2000u
#define MM_GFP_RETRY_MAYFAIL 0x4000u
#define MM_GFP_NOFAIL 0x8000u
#define MM_GFP_NORETRY 0x10000u
#define MM_GFP_COMP 0x40000u
#define MM_GFP_NOMEMALLOC 0x80000u
#define MM_GFP_HARDWALL 0x100000u
#define MM_GFP_THISNODE 0x200000u
#define MM_GFP_KERNEL (MM_GFP_DIRECT_RECLAIM | MM_GFP_KSWAPD_RECLAIM | \
                       MM_GFP_IO | MM_GFP_FS)
#define MM_GFP_HIGHUSER_MOVABLE (MM_GFP_KERNEL | MM_GFP_HARDWALL | \
                                 MM_GFP_HIGHMEM | MM_GFP_MOVABLE)
#define MM_GFP_TRANSHUGE_LIGHT ((MM_GFP_HIGHUSER_MOVABLE | MM_GFP_COMP | \
                                 MM_GFP_NOMEMALLOC | MM_GFP_NOWARN) & \
                                ~(MM_GFP_DIRECT_RECLAIM | MM_GFP_KSWAPD_RECLAIM))

/* The OOM killer's state: its log, the task allocating, a panic. */
struct mm_oom_state {
    uint64_t task_seq;         /* last mm_task.seq handed out */
    uint64_t events;           /* out_of_memory() invocations that acted */
    uint64_t events_dropped;   /* events beyond MM_OOM_LOG_MAX */
    unsigned nr_log;
    struct mm_oom_report log[MM_OOM_LOG_MAX];
    bool panicked;             /* panic(): the simulation is over */
    enum mm_oom_outcome panic_outcome;
    int panic_kind;            /* panic_on_oom 1 or 2; 0 = "deadlocked" */
};

/* The one memory cgroup every traced task is in (cgroup v2 memory.max). */
struct mm_memcg {
    uint64_t max;              /* pages; 0 = no limit configured */
    uint64_t usage, peak;      /* memory.current, memory.peak (pages) */
    uint64_t events_max, events_oom, events_oom_kill; /* memory.events */
    uint64_t reclaimed;        /* pages its limit reclaim freed (pgsteal) */
};

/* What out_of_memory() is asked (struct oom_control, caller part). */
struct mm_oom_control {
    uint32_t gfp_mask;
    unsigned order;
    bool memcg;                /* charge over memory.max, not the allocator */
    uint64_t nodemask;         /* the allocation's (MPOL_BIND); 0: none (NULL) */
};

bool mm__out_of_memory(struct mm_sim *sim, const struct mm_oom_control *oc);
bool mm__alloc_may_oom(struct mm_sim *sim, const struct mm_alloc_ctx *ac);
int64_t mm__oom_badness(const struct mm_sim *sim, const struct mm_task *task,
                        uint64_t totalpages);
void mm__oom_reap_current(struct mm_sim *sim, struct mm_task *task);
void mm__oom_fill_task(const struct mm_task *task, struct mm_oom_task *row);
void mm__oom_log_add(struct mm_sim *sim, const struct mm_oom_report *r);
int mm__memcg_try_charge(struct mm_sim *sim, uint64_t nr_pages, uint32_t gfp);
void mm__memcg_uncharge(struct mm_sim *sim, uint64_t nr_pages);

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
    uint64_t vm_events[MM_NR_VM_EVENT_ITEMS]; /* summed over CPUs */
    int64_t global_stat[MM_NR_GLOBAL_STAT_ITEMS];
    struct mm_zone **zone_by_pfn;    /* zones with managed pages, by PFN */
    unsigned nr_zone_by_pfn;
    int host_err;                    /* sticky MM_ENOMEM from the host's malloc */
    uint64_t nr_alloc_fail;          /* allocations that failed at min (no reclaim yet) */
    uint64_t nr_bad_free;            /* frees of blocks not allocated (model bugs) */

    /* commit accounting: model/overcommit.c */
    int64_t vm_committed;            /* vm_committed_as of the workload, pages */
    struct mm_commit_log commit_log; /* __vm_enough_memory failures */

    /* address spaces, tasks, faults: model/mmap.c, model/fork.c, model/memory.c */
    struct mm_avl_tree tasks;  /* struct mm_task by tgid */
    struct mm_hmap frames;     /* pfn -> struct mm_folio * (allocated frames) */
    struct mm_hmap files;      /* file key -> struct mm_file * (page cache) */
    uint64_t anon_vma_seq;     /* last anon_vma id handed out */
    uint64_t shmem_ino_seq;    /* last inode number of a shared anon object */

    /* the kernel's current: the task whose fault is allocating, or NULL
     * (its NUMA policy and node: model/mempolicy*.c; the OOM killer) */
    struct mm_task *current;

    /* reclaim and swap: model/vmscan*.c, model/swap.c, model/swapfile.c */
    struct mm_swap_info swap;  /* the swap area of machine.swap_pages */
    uint64_t kswapd_rate;      /* pages kswapd reclaims per second of trace time */
    bool in_reclaim;           /* PF_MEMALLOC: reclaim's own allocations skip it */
    /* OOM killer and memory cgroup: model/oom_kill*.c, model/memcontrol.c */
    struct mm_oom_state oom;
    struct mm_memcg memcg;
};

/* ---- model/proc.c, model/proc_*.c ------------------------------------- */

/*
 * What the /proc renderers print, gathered from the simulator by
 * model/proc.c so that the formatting can be tested on its own (with the
 * values of real /proc files). Counters are indexed by the enums of
 * vmstat_items.h; which of them a kernel version prints is mm__stat_shown().
 */
#define MM__NR_PROC_MIGRATETYPES (MM_MIGRATE_TYPES + 1) /* + Isolate */

struct mm__proc_zone {
    struct mm_zone_shape shape;
    uint64_t boost;
    uint64_t wmark[MM_NR_WMARK];          /* min, low, high, promo */
    uint64_t protection[MM_NR_ZONES];     /* lowmem_reserve[] */
    uint64_t nr_free[MM_NR_PAGE_ORDERS][MM__NR_PROC_MIGRATETYPES]; /* blocks */
    uint64_t pageblocks[MM__NR_PROC_MIGRATETYPES];
    uint64_t stat[MM_NR_ZONE_STAT_ITEMS]; /* nr_free_pages is [0] */
    uint64_t numa[MM_NR_NUMA_STAT_ITEMS];
};

struct mm__proc_node {
    struct mm__proc_zone zones[MM_NR_ZONES];
    uint64_t stat[MM_NR_NODE_STAT_ITEMS];
    bool unreclaimable;
    uint64_t nr_huge_pages;               /* hugetlb pool pages (2 MiB) here */
};

struct mm__proc_view {
    unsigned kernel;                      /* MM_KERNEL(major, minor) */
    unsigned nr_nodes;
    unsigned nr_cpus;                     /* online CPUs, all nodes */
    unsigned node_cpus[MM_MAX_NUMNODES];
    int pcp_high_fraction;                /* vm.percpu_pagelist_high_fraction */
    const struct mm__proc_node *nodes;
    uint64_t writeback[MM_NR_WRITEBACK_STAT_ITEMS]; /* dirty thresholds */
    uint64_t global[MM_NR_GLOBAL_STAT_ITEMS];
    uint64_t events[MM_NR_VM_EVENT_ITEMS];
    uint64_t swap_total, swap_free;       /* pages */
    uint64_t committed, commit_limit;     /* pages */
    uint64_t hugetlb_total, hugetlb_free; /* 2 MiB pages */
};

uint64_t mm__proc_node_sum(const struct mm__proc_view *v,
                           enum mm_node_stat_item item);
uint64_t mm__proc_zone_sum(const struct mm__proc_view *v,
                           enum mm_zone_stat_item item);
uint64_t mm__proc_numa_sum(const struct mm__proc_view *v,
                           enum mm_numa_stat_item item);

/* model/buf.c */
void mm__buf_nodelist(struct mm_buf *buf, uint64_t mask);

int mm__proc_meminfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_vmstat(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_zoneinfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_buddyinfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_pagetypeinfo(const struct mm__proc_view *v, struct mm_buf *out);
int mm__proc_node_meminfo(const struct mm__proc_view *v, unsigned nid,
                          struct mm_buf *out);
int mm__proc_node_numastat(const struct mm__proc_view *v, unsigned nid,
                           struct mm_buf *out);

#endif /* MMSIM_MODEL_INTERNAL_H */
