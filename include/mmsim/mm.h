/*
 * mmsim public model API: the simulated Linux memory-management subsystem.
 *
 * Everything hangs off one struct mm_sim. The model is pure: no I/O, no
 * clocks, no globals, integers only. The same machine, the same sysctl writes
 * and the same events give byte-identical results.
 *
 * Errors are negative MM_E* values from MM_ERRNO_MAP; 0 is success. A refusal
 * by the simulated kernel (ENOMEM from a simulated mmap) is an outcome that
 * the caller asked about, reported through the same values.
 */
#ifndef MMSIM_MM_H
#define MMSIM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error table: name, Linux errno value, message. */
#define MM_ERRNO_MAP(X)                                                     \
    X(EPERM, 1, "operation not permitted")                                  \
    X(ENOENT, 2, "no such entry")                                           \
    X(ESRCH, 3, "no such process")                                          \
    X(EIO, 5, "input/output error")                                         \
    X(ENOMEM, 12, "cannot allocate memory")                                 \
    X(EACCES, 13, "permission denied")                                      \
    X(EFAULT, 14, "bad address")                                            \
    X(EBUSY, 16, "resource busy")                                           \
    X(EEXIST, 17, "already exists")                                         \
    X(EINVAL, 22, "invalid argument")                                       \
    X(ENOSPC, 28, "no space left")                                          \
    X(ERANGE, 34, "value out of range")                                     \
    X(ENOSYS, 38, "not implemented by the model")                           \
    X(EOVERFLOW, 75, "value too large")                                     \
    X(ESHUTDOWN, 108, "the simulated kernel has panicked")                  \
    X(ENOTSUP, 95, "not supported by the model")

enum mm_errno {
#define MM__ERRNO_ENUM(name, value, msg) MM_##name = -(value),
    MM_ERRNO_MAP(MM__ERRNO_ENUM)
#undef MM__ERRNO_ENUM
};

/**
 * mm_strerror() - message for an MM_E* value
 * @err: a negative MM_E* value (or 0)
 *
 * Return: a static string; "unknown error" for values not in the table.
 */
const char *mm_strerror(int err);

/**
 * mm_err_name() - symbolic name for an MM_E* value ("ENOMEM")
 * @err: a negative MM_E* value
 *
 * Return: a static string; "EUNKNOWN" for values not in the table.
 */
const char *mm_err_name(int err);

/* ---- machine shape ---------------------------------------------------- */

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE (1ull << MM_PAGE_SHIFT)
#define MM_MAX_NUMNODES 64
#define MM_NR_PAGE_ORDERS 11 /* orders 0..10 (MAX_PAGE_ORDER = 10) */
#define MM_PAGEBLOCK_ORDER 9

/* enum zone_type on x86_64 with DMA, DMA32 and ZONE_DEVICE configured. */
enum mm_zone_type {
    MM_ZONE_DMA,
    MM_ZONE_DMA32,
    MM_ZONE_NORMAL,
    MM_ZONE_MOVABLE,
    MM_ZONE_DEVICE,
    MM_NR_ZONES
};

/* /sys/kernel/mm/transparent_hugepage/enabled */
enum mm_thp_mode { MM_THP_NEVER, MM_THP_MADVISE, MM_THP_ALWAYS };

/* Kernel version the model emulates, e.g. MM_KERNEL(6, 1). */
#define MM_KERNEL(major, minor) ((unsigned)(major) * 1000u + (unsigned)(minor))

struct mm_zone_shape {
    uint64_t start_pfn; /* first PFN of the zone's span */
    uint64_t spanned;   /* pages in the span, holes included */
    uint64_t present;   /* RAM pages in the span */
    uint64_t managed;   /* pages given to the buddy allocator */
};

struct mm_node_shape {
    struct mm_zone_shape zones[MM_NR_ZONES];
    unsigned nr_cpus; /* CPUs on this node (0 for a memory-only node) */
};

/*
 * A machine: what --machine host, zoneinfo:FILE or a spec string produce.
 * The background fields describe memory the rest of a real system already
 * uses, so a simulated request meets the headroom a real one would.
 */
struct mm_machine {
    unsigned nr_nodes;
    struct mm_node_shape nodes[MM_MAX_NUMNODES];
    uint8_t distance[MM_MAX_NUMNODES][MM_MAX_NUMNODES]; /* SLIT, 10 = local */
    uint64_t swap_pages;    /* total_swap_pages */
    uint64_t hugetlb_pages; /* persistent hugetlb pages, in base pages */
    enum mm_thp_mode thp;
    unsigned kernel;        /* MM_KERNEL(major, minor) */
    /* NR_FREE_PAGES when init_{user,admin}_reserve ran; 0 = all managed. */
    uint64_t boot_free_pages;
    uint64_t bg_committed_pages;                /* others' Committed_AS */
    uint64_t bg_used_pages[MM_MAX_NUMNODES];    /* others' used memory, hugetlb pool included */
    /* mm_forbids_zeropage(): anonymous reads allocate (vendor kernels with
     * pvm_no_zero_page=1 on the command line, as the development machine) */
    bool no_zero_page;
    /* pages kswapd reclaims per second of trace time (0: the default,
     * MM_KSWAPD_RATE_DEFAULT); see docs/reclaim.md */
    uint64_t kswapd_rate;
    /* memory.max of the one memory cgroup every traced task is in, pages;
     * 0 = no memory cgroup limit (model/memcontrol.c) */
    uint64_t memcg_max_pages;
};
#define MM_KSWAPD_RATE_DEFAULT 262144ull /* 1 GiB/s of 4 KiB pages */

/* ---- vm.* sysctl values ---------------------------------------------- */

/*
 * The effective value of every vm.* knob the model knows, named exactly as
 * in /proc/sys/vm. Defaults, ranges and write quirks live in model/sysctl.c;
 * machine-dependent defaults (min_free_kbytes, the reserves) are computed at
 * boot by the mechanism that owns them.
 */
struct mm_vm_knobs {
    /* overcommit (mm/util.c) */
    int overcommit_memory;          /* 0 GUESS, 1 ALWAYS, 2 NEVER */
    int overcommit_ratio;
    uint64_t overcommit_kbytes;
    uint64_t admin_reserve_kbytes;
    uint64_t user_reserve_kbytes;
    int max_map_count;
    /* watermarks and reserves (mm/page_alloc.c) */
    int min_free_kbytes;
    int user_min_free_kbytes;       /* last value written; -1 = never */
    int watermark_scale_factor;
    int watermark_boost_factor;
    int lowmem_reserve_ratio[MM_NR_ZONES];
    int percpu_pagelist_high_fraction;
    /* NUMA (mm/vmscan.c node_reclaim, mm/page_alloc.c zone_statistics) */
    int zone_reclaim_mode;
    int min_unmapped_ratio;
    int min_slab_ratio;
    int numa_stat;
    /* reclaim and swap (mm/vmscan.c, mm/swap.c) */
    int swappiness;
    int page_cluster;
    int vfs_cache_pressure;
    /* OOM (mm/oom_kill.c) */
    int panic_on_oom;
    int oom_kill_allocating_task;
    int oom_dump_tasks;
    /* writeback (mm/page-writeback.c) */
    int dirty_ratio;
    int dirty_background_ratio;
    uint64_t dirty_bytes;
    uint64_t dirty_background_bytes;
    int dirty_expire_centisecs;
    int dirty_writeback_centisecs;
};

/* ---- output buffer ---------------------------------------------------- */

/*
 * A growable text buffer: the model renders /proc views and reports into
 * one, the tools write it out. A failed allocation sets err and makes every
 * later append a no-op, so callers check once at the end.
 */
struct mm_buf {
    char *data; /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    int err;    /* 0 or MM_ENOMEM */
};

/**
 * mm_buf_printf() - append formatted text
 * @buf: the buffer (zero-initialised is empty)
 * @fmt: printf format
 *
 * Return: 0 or MM_ENOMEM (also recorded in @buf->err).
 */
int mm_buf_printf(struct mm_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** mm_buf_free() - release the storage; the buffer is empty after. */
void mm_buf_free(struct mm_buf *buf);

/* ---- vm.* sysctl table (model/sysctl.c) ------------------------------ */

/* What else a successful write requires the simulator to recompute. */
enum mm_sysctl_effect {
    MM_SYSCTL_EFFECT_WMARK = 1u << 0,           /* setup_per_zone_wmarks() */
    MM_SYSCTL_EFFECT_LOWMEM_RESERVE = 1u << 1,  /* ..._lowmem_reserve() */
    MM_SYSCTL_EFFECT_MIN_FREE = 1u << 2,        /* user_min_free_kbytes */
    MM_SYSCTL_EFFECT_COMMIT = 1u << 3,          /* commit limit/policy */
};

enum mm_sysctl_kind {
    MM_SYSCTL_INT,        /* proc_dointvec[_minmax] */
    MM_SYSCTL_ULONG,      /* proc_doulongvec_minmax */
    MM_SYSCTL_INT_VECTOR, /* lowmem_reserve_ratio: one int per zone */
    MM_SYSCTL_ZONELIST_ORDER, /* numa_zonelist_order: a string, no state */
};

/* One knob: its /proc/sys/vm name, where its value lives, its range. */
struct mm_sysctl_desc {
    const char *name;
    enum mm_sysctl_kind kind;
    size_t offset;     /* into struct mm_vm_knobs */
    int64_t min;       /* inclusive; checked when has_min */
    int64_t max;       /* inclusive; checked when has_max */
    bool has_min, has_max;
    unsigned effects;  /* enum mm_sysctl_effect */
    const char *clears; /* knob a successful write zeroes (ratio/bytes pairs) */
    bool (*valid)(int64_t value); /* extra handler check, NULL if none */
    const char *doc;   /* one line for `mmsim sysctl --doc` */
};

/**
 * mm_vm_knobs_default() - the kernel's boot defaults (x86_64)
 * @vm: filled in. Machine-dependent values (min_free_kbytes and the admin
 *      and user reserves) are 0 here; the simulator computes them at boot.
 */
void mm_vm_knobs_default(struct mm_vm_knobs *vm);

/**
 * mm_sysctl_write() - write a value as `echo VALUE > /proc/sys/vm/NAME` would
 * @vm: the knobs
 * @name: "overcommit_memory", "vm.overcommit_memory" or "vm/overcommit_memory"
 * @value: the text written
 * @effects: set to the knob's enum mm_sysctl_effect bits on success (may be NULL)
 *
 * Return: 0; MM_EINVAL when the kernel's handler would refuse the value
 * (the kernel reports out-of-range values as EINVAL too); MM_ENOENT for a
 * name that is not a vm.* knob the model knows.
 */
int mm_sysctl_write(struct mm_vm_knobs *vm, const char *name,
                    const char *value, unsigned *effects);

/**
 * mm_sysctl_read() - the knob's value as `cat /proc/sys/vm/NAME` prints it,
 * without the trailing newline
 * Return: 0, MM_ENOENT for an unknown name, or MM_ENOMEM from @out.
 */
int mm_sysctl_read(const struct mm_vm_knobs *vm, const char *name,
                   struct mm_buf *out);

/** mm_sysctl_count() - number of knobs in the table. */
size_t mm_sysctl_count(void);

/** mm_sysctl_at() - the @i-th knob, in /proc/sys/vm (alphabetical) order. */
const struct mm_sysctl_desc *mm_sysctl_at(size_t i);

/** mm_sysctl_find() - the knob named @name (prefix forms as above), or NULL. */
const struct mm_sysctl_desc *mm_sysctl_find(const char *name);

/* ---- address spaces, overcommit, faults, per-process views ------------
 * model/overcommit.c, vma.c, mmap.c, mremap.c, mprotect.c, fork.c,
 * memory.c, filemap.c, proc_pid.c. Processes are named by tgid; each call
 * takes what one trace event carries. A refusal by the simulated kernel is
 * MM_ENOMEM and leaves the state as it was.
 */

struct mm_sim;

/* Turns an interned string id of the trace into text (NULL: unknown). */
typedef const char *(*mm_name_fn)(void *ctx, uint32_t id);

/* mmap(2), mremap(2), madvise(2) constants (x86_64 uapi values). */
enum mm_prot { MM_PROT_READ = 1, MM_PROT_WRITE = 2, MM_PROT_EXEC = 4 };
enum mm_map_flags {
    MM_MAP_SHARED = 0x1,
    MM_MAP_PRIVATE = 0x2,
    MM_MAP_SHARED_VALIDATE = 0x3,
    MM_MAP_FIXED = 0x10,
    MM_MAP_ANONYMOUS = 0x20,
    MM_MAP_GROWSDOWN = 0x100,
    MM_MAP_LOCKED = 0x2000,
    MM_MAP_NORESERVE = 0x4000,
    MM_MAP_POPULATE = 0x8000,
    MM_MAP_NONBLOCK = 0x10000,
    MM_MAP_HUGETLB = 0x40000,
    MM_MAP_FIXED_NOREPLACE = 0x100000,
};
enum mm_mremap_flags {
    MM_MREMAP_MAYMOVE = 1,
    MM_MREMAP_FIXED = 2,
    MM_MREMAP_DONTUNMAP = 4,
};
enum mm_madvise_advice {
    MM_MADV_NORMAL = 0,
    MM_MADV_RANDOM = 1,
    MM_MADV_SEQUENTIAL = 2,
    MM_MADV_WILLNEED = 3,
    MM_MADV_DONTNEED = 4,
    MM_MADV_FREE = 8,
    MM_MADV_REMOVE = 9,
    MM_MADV_DONTFORK = 10,
    MM_MADV_DOFORK = 11,
    MM_MADV_HUGEPAGE = 14,
    MM_MADV_NOHUGEPAGE = 15,
    MM_MADV_WIPEONFORK = 18,
    MM_MADV_KEEPONFORK = 19,
};

/* A mapping as mmap(2) (or /proc/PID/maps, for mm_vma_insert) gives it. */
struct mm_map_req {
    uint64_t addr;     /* where the real kernel placed it (the result) */
    uint64_t len;      /* bytes, rounded up to pages */
    uint32_t prot;     /* MM_PROT_* */
    uint32_t flags;    /* MM_MAP_* */
    uint64_t pgoff;    /* file offset in pages */
    uint64_t dev, ino; /* file identity (st_dev encoding); 0, 0 = anonymous */
    uint32_t path;     /* interned path shown in maps; 0 none */
    bool special;      /* mm_vma_insert: kernel-named ([vdso], [vvar]) */
};

/* mremap(2): arguments and the address the real kernel returned. */
struct mm_mremap_req {
    uint64_t old_addr, old_len, new_len;
    uint32_t flags;    /* MM_MREMAP_* */
    uint64_t new_addr; /* the result */
};

/* What exec(2) sets up before the VMA records follow. */
struct mm_exec_req {
    uint64_t start_brk;   /* initial program break */
    uint64_t brk;         /* current break (attach); 0 = start_brk */
    uint64_t start_stack; /* initial stack pointer region */
    uint64_t start_code, end_code; /* text (/proc/PID/stat 26, 27); 0 = unknown */
    uint32_t path;        /* interned exec path: comm is its last component */
};

int mm_mmap(struct mm_sim *sim, uint32_t pid, const struct mm_map_req *req);
int mm_munmap(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len);
int mm_mremap(struct mm_sim *sim, uint32_t pid, const struct mm_mremap_req *req);
int mm_mprotect(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len,
                uint32_t prot);
int mm_madvise(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len,
               int advice);
int mm_brk(struct mm_sim *sim, uint32_t pid, uint64_t brk, uint64_t *result);
int mm_mlock(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len,
             unsigned flags);
int mm_munlock(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t len);
int mm_mlockall(struct mm_sim *sim, uint32_t pid, int flags);
int mm_munlockall(struct mm_sim *sim, uint32_t pid);
int mm_vma_insert(struct mm_sim *sim, uint32_t pid, const struct mm_map_req *req);
int mm_task_new(struct mm_sim *sim, uint32_t pid);
int mm_fork(struct mm_sim *sim, uint32_t parent, uint32_t child);
int mm_vfork(struct mm_sim *sim, uint32_t parent, uint32_t child);
int mm_exec(struct mm_sim *sim, uint32_t pid, const struct mm_exec_req *req);
int mm_exit(struct mm_sim *sim, uint32_t pid);
int mm_set_layout(struct mm_sim *sim, uint32_t pid, const struct mm_exec_req *req);
int mm_set_cap_sys_admin(struct mm_sim *sim, uint32_t pid, bool cap);
/* RLIMIT_STACK of a new task: _STK_LIM, 8 MiB (include/uapi/linux/resource.h) */
#define MM_RLIMIT_STACK_DEFAULT (8ull << 20)
int mm_set_rlimit_stack(struct mm_sim *sim, uint32_t pid, uint64_t bytes);
size_t mm_task_pids(const struct mm_sim *sim, uint32_t *pids, size_t max);
int mm_fault(struct mm_sim *sim, uint32_t pid, uint64_t addr, bool write);
/* model/memory_resident.c: what the recording machine had, told the model */
int mm_fault_account(struct mm_sim *sim, uint32_t pid, bool major,
                     uint64_t nr);
int mm_filemap_warm(struct mm_sim *sim, uint32_t pid, uint64_t addr);
int mm_filemap_cached(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                      uint64_t npages);
bool mm_addr_mapped(const struct mm_sim *sim, uint32_t pid, uint64_t addr);
int mm_fault_recorded(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                      bool write);
/* What the recording machine's page tables held (mm_resident_set()). */
enum mm_res_flags {
    MM_RES_PRESENT = 1u << 0,
    MM_RES_ZERO = 1u << 1,      /* the zero page */
    MM_RES_FILE = 1u << 2,      /* a page-cache page, not an anonymous one */
    MM_RES_EXCLUSIVE = 1u << 3, /* mapped by this process only */
};
int mm_resident_set(struct mm_sim *sim, uint32_t pid, uint64_t start,
                    uint64_t npages, unsigned flags);
void mm_aspace_destroy(struct mm_sim *sim);

/* NUMA memory policies (model/mempolicy.c): uapi values. */
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

/* Mode flags or'ed into the mode argument (MPOL_F_*). */
enum mm_mpol_flags {
    MM_MPOL_F_NUMA_BALANCING = 1 << 13,
    MM_MPOL_F_RELATIVE_NODES = 1 << 14,
    MM_MPOL_F_STATIC_NODES = 1 << 15,
};
#define MM_MPOL_MODE_FLAGS \
    (MM_MPOL_F_STATIC_NODES | MM_MPOL_F_RELATIVE_NODES | MM_MPOL_F_NUMA_BALANCING)

/* mbind(2) flags (MPOL_MF_*). */
enum mm_mbind_flags {
    MM_MPOL_MF_STRICT = 1 << 0,
    MM_MPOL_MF_MOVE = 1 << 1,
    MM_MPOL_MF_MOVE_ALL = 1 << 2,
};

/* mbind(2) as the trace carries it: the first 64 bits of the node mask. */
struct mm_mbind_req {
    uint64_t start, len;
    int mode;          /* enum mm_mpol_mode | enum mm_mpol_flags */
    uint64_t nodemask; /* nodes 0..63 */
    uint64_t maxnode;  /* as passed: bits in the mask + 1 */
    unsigned flags;    /* enum mm_mbind_flags */
};

int mm_set_mempolicy(struct mm_sim *sim, uint32_t pid, int mode,
                     uint64_t nodemask, uint64_t maxnode);
int mm_mbind(struct mm_sim *sim, uint32_t pid, const struct mm_mbind_req *req);
int mm_mpol_check(const struct mm_sim *sim, int mode, uint64_t nodemask);
int mm_task_set_numa_node(struct mm_sim *sim, uint32_t pid, int nid);

/* Overcommit (model/overcommit.c). */
uint64_t mm_totalram_pages(const struct mm_machine *m);
void mm_init_reserves(struct mm_vm_knobs *vm, const struct mm_machine *m);
uint64_t mm_vm_commit_limit(const struct mm_sim *sim);
uint64_t mm_vm_memory_committed(const struct mm_sim *sim);
int mm_commit_log_render(const struct mm_sim *sim, struct mm_buf *buf,
                         mm_name_fn name, void *ctx);
void mm_comm_from_path(const char *path, char comm[16]);

/* Per-process figures, in pages unless named otherwise. */
struct mm_proc_stats {
    uint64_t total_vm, hiwater_vm, locked_vm, pinned_vm;
    uint64_t data_vm, stack_vm, exec_vm, text_pages, lib_pages;
    uint64_t rss_anon, rss_file, rss_shmem, hiwater_rss, swapents;
    uint64_t pgtables_bytes;
    uint64_t map_count;
    uint64_t committed;     /* pages of its VM_ACCOUNT mappings */
    uint64_t min_flt, maj_flt;
};

/* smaps_rollup sums, bytes; pss* are fixed point (<< 12, PSS_SHIFT). */
struct mm_smaps {
    uint64_t resident, pss, pss_dirty, pss_anon, pss_file, pss_shmem;
    uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
    uint64_t referenced, anonymous, ksm, lazyfree, anonymous_thp;
    uint64_t swap, swap_pss, pss_locked;
    uint64_t first_start, last_end; /* the [rollup] header range */
};

/* Fault counters of /proc/vmstat the fault path maintains. */
struct mm_fault_counters {
    uint64_t pgfault, pgmajfault, pgreuse;
    uint64_t thp_fault_alloc, thp_fault_fallback;
};

/* System-wide page counts of the fault path (pages), for /proc/meminfo. */
struct mm_page_counts {
    uint64_t anon;     /* pages of anonymous folios (AnonPages) */
    uint64_t file;     /* page cache pages, shmem and swap cache included
                        * (NR_FILE_PAGES: Cached + SwapCached) */
    uint64_t shmem;    /* shared anonymous pages (Shmem) */
};

void mm_page_counts(const struct mm_sim *sim, struct mm_page_counts *out);
uint64_t mm_get_mm_rss(const struct mm_sim *sim, uint32_t pid);
int mm_proc_stats(const struct mm_sim *sim, uint32_t pid,
                  struct mm_proc_stats *out);
int mm_smaps_rollup(const struct mm_sim *sim, uint32_t pid,
                    struct mm_smaps *out);
void mm_fault_counters(const struct mm_sim *sim, struct mm_fault_counters *out);
int mm_render_pid_status(const struct mm_sim *sim, uint32_t pid,
                         struct mm_buf *buf);
int mm_render_pid_statm(const struct mm_sim *sim, uint32_t pid,
                        struct mm_buf *buf);
int mm_render_pid_smaps_rollup(const struct mm_sim *sim, uint32_t pid,
                               struct mm_buf *buf);
int mm_render_pid_maps(const struct mm_sim *sim, uint32_t pid,
                       struct mm_buf *buf, mm_name_fn name, void *ctx);
int mm_render_pid_numa_maps(const struct mm_sim *sim, uint32_t pid,
                            struct mm_buf *buf, mm_name_fn name, void *ctx);
/* ---- the simulator (model/sim.c) -------------------------------------- */

struct mm_sim;

/**
 * mm_sim_new() - boot a simulated machine: zones, buddy allocator,
 * min_free_kbytes, watermarks, lowmem_reserve, vm.* defaults
 * @m: the machine shape (copied)
 * @err: set to 0, MM_EINVAL for a shape the kernel could not have, or
 *       MM_ENOMEM (may be NULL)
 *
 * Return: the simulator or NULL.
 */
struct mm_sim *mm_sim_new(const struct mm_machine *m, int *err);

/** mm_sim_free() - release a simulator (NULL is allowed). */
void mm_sim_free(struct mm_sim *sim);

/**
 * mm_sim_sysctl_write() - write a vm.* knob as root would, then recompute
 * what depends on it (watermarks, lowmem reserves, ...)
 * @sim: the simulator
 * @name: "min_free_kbytes", "vm.min_free_kbytes" or "vm/min_free_kbytes"
 * @value: the text written
 *
 * Return: 0, MM_EINVAL for a value the kernel refuses, MM_ENOENT for an
 * unknown knob.
 */
int mm_sim_sysctl_write(struct mm_sim *sim, const char *name, const char *value);

/* ---- free memory summary (model/show_mem.c) --------------------------- */

/* Pages over every populated zone; watermarks include any boost. */
struct mm_sysinfo {
    uint64_t totalram, freeram;
    uint64_t wmark_min, wmark_low, wmark_high;
};

void mm_si_meminfo(const struct mm_sim *sim, struct mm_sysinfo *out);

/* ---- reclaim and swap (model/vmscan*.c, model/swapfile.c) -------------- */

/* Pressure figures for reports: pages, or events as /proc/vmstat counts them. */
struct mm_reclaim_state {
    unsigned kswapd_awake;           /* nodes whose kswapd is running */
    uint64_t swap_total, swap_free, swap_cached;
    uint64_t pgscan_kswapd, pgscan_direct, pgsteal_kswapd, pgsteal_direct;
    uint64_t allocstall;             /* direct reclaim entries, all zones */
    uint64_t pswpin, pswpout, pgmajfault;
};

/**
 * mm_sim_set_time() - advance the simulated clock to the trace time of the
 * next event; awake kswapd threads reclaim for the time that passed
 * (machine.kswapd_rate pages per second)
 * @sim: the simulator
 * @now_ns: trace time in nanoseconds (earlier values are ignored)
 */
void mm_sim_set_time(struct mm_sim *sim, uint64_t now_ns);

/** mm_reclaim_state() - kswapd, swap and reclaim counters now. */
void mm_reclaim_state(const struct mm_sim *sim, struct mm_reclaim_state *out);

/** mm_swap_info() - SwapTotal and SwapFree in pages (si_swapinfo()). */
void mm_swap_info(const struct mm_sim *sim, uint64_t *total, uint64_t *free);

/* ---- /proc views (model/proc.c) ---------------------------------------- */

/**
 * mm_proc_render() - a /proc file of the simulated kernel, byte-compatible
 * with the emulated kernel version's
 * @sim: the simulator
 * @path: relative to /proc: "buddyinfo", "meminfo", "pagetypeinfo",
 *        "vmstat", "zoneinfo", "sys/vm/NAME", or "PID/status",
 *        "PID/statm", "PID/smaps_rollup"; "node/nodeN/meminfo" and
 *        "node/nodeN/numastat" are /sys/devices/system/node/nodeN/ files
 * @out: the text is appended
 *
 * Return: 0, MM_ENOENT for a path the model has no view for, MM_ESRCH for
 * a process the model does not have, MM_ENOMEM.
 */
int mm_proc_render(const struct mm_sim *sim, const char *path,
                   struct mm_buf *out);

/* ---- the OOM killer and the memory cgroup (model/oom_kill*.c,
 * model/memcontrol.c) ---------------------------------------------------- */

#define MM_OOM_SCORE_ADJ_MIN (-1000)
#define MM_OOM_SCORE_ADJ_MAX 1000
#define MM_OOM_LOG_MAX 16  /* OOM events kept in full; later ones counted */
#define MM_OOM_DUMP_MAX 16 /* task table rows kept per event */

/* enum oom_constraint, in the kernel's order. */
enum mm_oom_constraint {
    MM_CONSTRAINT_NONE,
    MM_CONSTRAINT_CPUSET,
    MM_CONSTRAINT_MEMORY_POLICY,
    MM_CONSTRAINT_MEMCG,
};

/* How one invocation of out_of_memory() ended. */
enum mm_oom_outcome {
    MM_OOM_KILLED,            /* "Out of memory: Killed process ..." */
    MM_OOM_KILLED_ALLOCATING, /* vm.oom_kill_allocating_task: current */
    MM_OOM_PANIC,             /* vm.panic_on_oom: the kernel panicked */
    MM_OOM_NO_VICTIM,         /* no killable task (global: panic) */
};

/* One row of the task table (dump_task()); memory values in pages. */
struct mm_oom_task {
    uint32_t pid, tgid, uid;
    uint32_t comm;            /* interned exec path id */
    uint64_t total_vm, rss, rss_anon, rss_file, rss_shmem;
    uint64_t pgtables_bytes, swapents;
    int oom_score_adj;
};

/* One OOM event as the kernel logs it (dump_header + the kill line). */
struct mm_oom_report {
    uint64_t t_ns;
    uint32_t pid;             /* the allocating task (current), 0 = none */
    uint32_t comm;
    int oom_score_adj;        /* current's */
    uint32_t gfp_mask;        /* kernel bit values of the emulated version */
    unsigned order;
    enum mm_oom_constraint constraint;
    enum mm_oom_outcome outcome;
    uint64_t totalpages;      /* what badness was normalised by */
    bool memcg;               /* a memory cgroup OOM */
    uint64_t nodemask;        /* the allocation's nodemask (MPOL_BIND); 0: (null) */
    struct mm_oom_task victim;  /* KILLED*: its figures when killed */
    int64_t victim_points;    /* its oom_badness() */
    unsigned nr_tasks;        /* rows kept in tasks[] */
    unsigned tasks_omitted;   /* rows beyond MM_OOM_DUMP_MAX */
    struct mm_oom_task tasks[MM_OOM_DUMP_MAX];
};

int mm_set_oom_score_adj(struct mm_sim *sim, uint32_t pid, int adj);
int mm_oom_score_adj(const struct mm_sim *sim, uint32_t pid, int *adj);
int mm_oom_badness(const struct mm_sim *sim, uint32_t pid,
                   uint64_t totalpages, int64_t *points);
int mm_oom_score(const struct mm_sim *sim, uint32_t pid, uint64_t *score);
bool mm_task_oom_killed(const struct mm_sim *sim, uint32_t pid);
uint64_t mm_oom_kills(const struct mm_sim *sim);
size_t mm_oom_log_count(const struct mm_sim *sim);
const struct mm_oom_report *mm_oom_log_at(const struct mm_sim *sim, size_t i);
bool mm_oom_panicked(const struct mm_sim *sim);
int mm_oom_report_render(const struct mm_sim *sim,
                         const struct mm_oom_report *r, struct mm_buf *buf,
                         mm_name_fn name, void *ctx);
int mm_oom_log_render(const struct mm_sim *sim, struct mm_buf *buf,
                      mm_name_fn name, void *ctx);
int mm_render_pid_oom_score(const struct mm_sim *sim, uint32_t pid,
                            struct mm_buf *buf);
int mm_render_pid_oom_score_adj(const struct mm_sim *sim, uint32_t pid,
                                struct mm_buf *buf);

/* memory.current / memory.max / memory.events of the one memcg (pages). */
struct mm_memcg_stats {
    uint64_t max, usage, peak;
    uint64_t events_max, events_oom, events_oom_kill;
};

void mm_memcg_stats(const struct mm_sim *sim, struct mm_memcg_stats *out);
/* ---- vm event counters (model/vmstat.c) -------------------------------- */

/**
 * mm_vm_event_index() - the index of a /proc/vmstat event counter by name
 * @name: as /proc/vmstat prints it ("pgscan_kswapd", "oom_kill")
 *
 * Resolve once, then read cheaply with mm_vm_event_read().
 * Return: the index (>= 0), or MM_ENOENT for a name that is no vm event.
 */
int mm_vm_event_index(const char *name);

/**
 * mm_vm_event_read() - a vm event counter, summed over CPUs
 * @sim: the simulator
 * @index: from mm_vm_event_index()
 *
 * Return: the count, 0 for an index out of range.
 */
uint64_t mm_vm_event_read(const struct mm_sim *sim, int index);

#endif /* MMSIM_MM_H */
