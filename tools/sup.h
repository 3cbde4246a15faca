/*
 * tools/sup.h - the supervisor of `mmsim record`: declarations shared by the
 * tools/sup_*.c files.
 *
 * The supervisor runs a program under a seccomp filter that sends every
 * kernel-level memory request to it through ptrace (SECCOMP_RET_TRACE), follows
 * every fork, vfork, clone and exec of the traced tree, and turns what it sees
 * into struct tr_event records handed to a sink. An optional verifier rebuilds
 * each address space from those events and compares it with /proc/PID/maps
 * when the address space goes away.
 *
 * Files: sup_filter.c (the BPF program), sup_spawn.c (fork, seize, exec),
 * sup_loop.c (the waitpid loop and its stops), sup_task.c (task and address
 * space bookkeeping), sup_mm.c (one traced memory syscall per address space
 * at a time), sup_sys.c (syscall -> event), sup_maps.c (/proc/PID/maps
 * snapshots), sup_vmaset.c (a VMA tracker), sup_verify.c (--verify),
 * sup_perf.c (page-fault sampling and residency reconciliation),
 * sup_module.c (module records with build IDs).
 */
#ifndef MMSIM_TOOLS_SUP_H
#define MMSIM_TOOLS_SUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mmsim/event.h"

struct tr_ring_mmlock;
struct tr_module;

/*
 * Where events go. event() gets each event once, in the order of its
 * address space; str is the text of ev->str (a path or a VMA name) or NULL,
 * and the sink sets ev->str to its own id for it. Return 0 or -errno; an
 * error stops the recording.
 */
struct sup_sink {
    void *ctx;
    int (*event)(void *ctx, struct tr_event *ev, const char *str);
    /* Intern a call stack (innermost frame first); NULL: stacks dropped. */
    int (*stack)(void *ctx, const uint64_t *ips, uint32_t n, uint32_t *id);
    /* A module record; path is the file, the sink sets m->path to its id.
     * NULL: no module map. */
    int (*module)(void *ctx, struct tr_module *m, const char *path);
};

/* ---- sup_filter.c ---- */

/* An instruction-pointer range the filter lets memory syscalls through from
 * (the in-process fast path's stub); lo == hi means none. */
struct sup_ip_range {
    uint64_t lo, hi;
};

int sup_filter_install(const struct sup_ip_range *fast);
int sup_filter_is_traced(long nr);

/* ---- sup_spawn.c ---- */

struct sup_child {
    pid_t pid;
    int err_fd; /* read end: the child's errno if its exec failed */
    int go_fd;  /* preload-only: closing it lets the child exec */
};

int sup_spawn(char *const argv[], const struct sup_ip_range *fast,
              struct sup_child *child);
int sup_spawn_exec_errno(const struct sup_child *child);

/* ---- sup_task.c ---- */

struct sup_task;

/* One address space (a struct mm_struct of the traced tree). */
struct sup_mm {
    uint32_t pid;             /* tgid of the process that owns it */
    int refs;                 /* tasks using it */
    struct sup_task *owner;   /* task past its seccomp stop, or NULL */
    struct sup_task *parked;  /* tasks waiting at their seccomp stop */
    int lost_inflight;        /* a syscall's result was lost at exit */
    int verified;
    int pagemap_fd;           /* /proc/PID/pagemap, opened on first use */
    struct sup_task *verify_task; /* at its exit stop, waiting for owner */
    int oom_fd;               /* /proc/PID/oom_score_adj, or -1 */
    int oom_known, oom_adj;   /* the value last recorded (sup_oomadj.c) */
    uint64_t oom_read_ns;     /* when it was last read */
};

/* One traced thread. */
struct sup_task {
    pid_t tid, tgid;
    struct sup_mm *mm;        /* NULL before the first exec */
    struct sup_task *hnext;   /* hash chain */
    struct sup_task *park_next;
    int seen_stop;            /* its first (attach) stop has been reported */
    int known;                /* its creation event has been processed */
    int in_syscall;           /* past its seccomp stop, before the exit stop */
    int in_exec;              /* resumed from an execve's seccomp stop, its
                                 exec or syscall-exit stop not seen yet */
    int exiting;              /* reached PTRACE_EVENT_EXIT */
    uint64_t nr, args[6];     /* the syscall at its seccomp stop */
    uint64_t clone_flags;
    int perf_fd;
    void *perf_ring;
    uint64_t perf_seen;       /* samples and lost samples accounted */
    uint64_t flt_unsampled;   /* faults no sample shows (sup_hoststat.c) */
    struct sup_task *held_next; /* in sup_run.held: its exit is finished
                                   once the other tasks' stops are seen */
    int dying;                /* let go from its exit stop, not reaped */
    uint64_t ctid;            /* fork child: where the kernel writes its
                                 tid before it first runs (CHILD_SETTID) */
    struct tr_ring_mmlock *ring_lk; /* the ring's mm lock, held for it */
    int lock_wait;            /* owns its mm, waits for the ring's lock */
    uint64_t pre_snap_ns;     /* preload-only capture: its last snapshot */
    int modules_copied;       /* sharing another process's address space:
                                 its module records written (sup_module.c) */
};

struct sup_tasks {
    struct sup_task *bucket[1024];
    int nr;
};

struct sup_task *sup_task_find(struct sup_tasks *ts, pid_t tid);
struct sup_task *sup_task_add(struct sup_tasks *ts, pid_t tid);
void sup_task_del(struct sup_tasks *ts, struct sup_task *t);
void sup_task_rename(struct sup_tasks *ts, struct sup_task *t, pid_t tid);
struct sup_mm *sup_mm_new(uint32_t pid);
void sup_mm_attach(struct sup_task *t, struct sup_mm *mm);
void sup_mm_detach(struct sup_task *t);
int sup_mm_only_tgid(struct sup_tasks *ts, const struct sup_mm *mm,
                     pid_t tgid, const struct sup_task *except);

/* ---- sup_mm.c ---- */

int sup_mm_acquire(struct sup_task *t);
struct sup_task *sup_mm_release(struct sup_task *t);
struct sup_task *sup_mm_forget(struct sup_task *t);

/* ---- sup_maps.c ---- */

/* One line of /proc/PID/maps. */
struct sup_maps_line {
    uint64_t start, end, off, dev, ino;
    uint32_t prot;   /* PROT_READ | PROT_WRITE | PROT_EXEC */
    int shared;      /* 's' */
    char name[4096]; /* path or [special] name, "" for none */
};

int sup_maps_parse_line(const char *line, struct sup_maps_line *out);
void sup_maps_vma_event(struct tr_event *ev, const struct sup_maps_line *l);
int sup_maps_read(pid_t tid, int (*fn)(void *, const struct sup_maps_line *),
                  void *arg);
int sup_stat_brk_stack(pid_t tid, uint64_t *start_brk, uint64_t *start_stack);
struct sup_run;
int sup_maps_emit_exec(struct sup_run *r, struct sup_task *t);
uint64_t sup_now_ns(void);

/* ---- sup_vmaset.c ---- */

enum sup_vma_kind {
    SUP_VMA_ANON,    /* named [heap] / [stack] by the kernel's rules */
    SUP_VMA_FILE,    /* name is a path; dev/ino known */
    SUP_VMA_SPECIAL, /* a kernel-named area ([vdso], [vvar], ...) */
    SUP_VMA_SHMEM,   /* name known, dev/ino not (shared anonymous) */
};

struct sup_vma {
    uint64_t start, end, off, dev, ino;
    uint32_t prot;
    uint8_t shared, kind, dontfork, pad;
    char *name; /* owned; NULL for SUP_VMA_ANON */
};

/* The VMAs of one address space, sorted by start, never overlapping. */
struct sup_vmaset {
    struct sup_vma *v;
    size_t nr, cap;
    uint64_t start_brk, brk, start_stack;
    int refs;
    int uncertain;  /* an event the tracker cannot model was seen */
};

struct sup_vmaset *sup_vmaset_new(void);
void sup_vmaset_put(struct sup_vmaset *s);
struct sup_vmaset *sup_vmaset_fork(const struct sup_vmaset *s);
int sup_vmaset_unmap(struct sup_vmaset *s, uint64_t start, uint64_t end);
int sup_vmaset_map(struct sup_vmaset *s, const struct sup_vma *vma);
const struct sup_vma *sup_vmaset_find(const struct sup_vmaset *s,
                                      uint64_t addr);
int sup_vmaset_protect(struct sup_vmaset *s, uint64_t start, uint64_t end,
                       uint32_t prot, int prefix_only);
int sup_vmaset_set_dontfork(struct sup_vmaset *s, uint64_t start,
                            uint64_t end, int on);
int sup_vmaset_mremap(struct sup_vmaset *s, const uint64_t a[5], uint64_t ret);
int sup_vmaset_brk(struct sup_vmaset *s, uint64_t newbrk);
int sup_vmaset_apply(struct sup_vmaset *s, const struct tr_event *ev,
                     const char *str);

/* ---- sup_vmacmp.c ---- */

/* One normalised row: what /proc/PID/maps shows, after merging. */
struct sup_row {
    uint64_t start, end, off, dev, ino;
    uint32_t prot;
    int shared;
    int wild_id;     /* dev/ino unknown to the tracker */
    char name[4096];
};

struct sup_rows {
    struct sup_row *r;
    size_t nr, cap;
};

int sup_rows_from_set(const struct sup_vmaset *s, struct sup_rows *out);
int sup_rows_from_maps(pid_t tid, struct sup_rows *out);
void sup_rows_free(struct sup_rows *rows);
int sup_rows_compare(const struct sup_rows *want, const struct sup_rows *got,
                     FILE *diff);

/* ---- sup_verify.c ---- */

struct sup_verify;

struct sup_verify *sup_verify_new(void);
void sup_verify_free(struct sup_verify *v);
void sup_verify_event(void *v, struct tr_event *ev, const char *str);
int sup_verify_check(struct sup_verify *v, pid_t pid, pid_t tid,
                     const char *why_not);
int sup_verify_report(struct sup_verify *v, FILE *out);
const struct sup_vmaset *sup_verify_set(struct sup_verify *v, uint32_t pid);

/* ---- sup_loop.c ---- */

struct sup_perf;
struct sup_fast;

/* One recording: the traced tree and where its events go. */
struct sup_run {
    struct sup_tasks tasks;
    struct sup_sink *sink;
    struct sup_verify *verify;  /* NULL without --verify */
    struct sup_perf *perf;      /* NULL without fault sampling */
    struct sup_fast *fast;      /* NULL without the in-process fast path */
    int lock_waiters;           /* tasks with lock_wait set */
    unsigned lock_spins;        /* retries since the lock was last free */
    struct sup_child child;
    int status;                 /* wait status of the program */
    int have_status;
    int error;                  /* first sink error (negative errno) */
    struct sup_task *held;      /* at their exit stop, finish pending */
    unsigned held_stops;        /* stops handled while some are held */
    uint64_t held_since_ns;     /* when the oldest held exit was held */
    int dying;                  /* tasks let go from their exit stop and
                                   not yet reaped: their memory is going */
    uint64_t nr_stops, nr_events;
    uint64_t by_type[128];      /* events emitted, by type */
    struct sup_modules *mods;   /* build ID cache (sup_module.c) */
    struct sup_preload *pre;    /* preload-only capture (sup_preload.c) */
    int no_cachestat;           /* the kernel has no cachestat (sup_cache.c) */
};

int sup_run_loop(struct sup_run *r);
void sup_emit(struct sup_run *r, struct tr_event *ev, const char *str);
void sup_resume(pid_t tid, int req, int sig);
void sup_event_init(struct tr_event *ev, uint32_t type,
                    const struct sup_task *t);

/* ---- sup_sys.c ---- */

void sup_sys_exit(struct sup_run *r, struct sup_task *t, int64_t ret);
void sup_proc_attrs(struct sup_run *r, struct sup_task *t);

/* ---- sup_cache.c ---- */

void sup_cache_vma(struct sup_run *r, struct sup_task *t,
                   const struct sup_maps_line *l);
void sup_cache_mmap(struct sup_run *r, struct sup_task *t, uint64_t addr,
                    uint64_t len, uint64_t fd, uint64_t off);

/* ---- sup_perf.c ---- */

struct sup_perf *sup_perf_new(int exclude_kernel);
void sup_perf_free(struct sup_perf *p);
int sup_perf_open(struct sup_perf *p, struct sup_task *t);
void sup_perf_close(struct sup_perf *p, struct sup_task *t);
void sup_perf_drain(struct sup_run *r, struct sup_task *t);
void sup_perf_drain_until(struct sup_run *r, struct sup_task *t,
                          uint64_t until);
void sup_perf_drain_all_until(struct sup_run *r, uint64_t until);
void sup_perf_drain_all(struct sup_run *r);
void sup_perf_account(struct sup_run *r, struct sup_task *t);
void sup_perf_reconcile(struct sup_run *r, struct sup_task *t,
                        uint64_t start, uint64_t end);

/* ---- sup_hoststat.c ---- */

void sup_host_stat(struct sup_run *r, struct sup_task *t);
void sup_host_exec_faults(struct sup_run *r, struct sup_task *t);
void sup_host_resident(struct sup_run *r, struct sup_task *t, int fd,
                       uint64_t start, uint64_t npages, uint32_t flags);
int sup_host_change_under_way(struct sup_run *r);
void sup_host_child_clone(const struct sup_task *parent, struct sup_task *c);
void sup_host_child_first_run(struct sup_run *r, struct sup_task *c);

/* ---- sup_fast.c ---- */

struct sup_fast *sup_fast_new(uint32_t nslots, int *err);
void sup_fast_free(struct sup_fast *f);
int sup_fast_fd(const struct sup_fast *f);
void sup_fast_doorbell(struct sup_fast *f, int sig);
void sup_fast_drain(struct sup_run *r);
int sup_fast_lock(struct sup_run *r, struct sup_task *t);
uint32_t sup_fast_number(struct sup_run *r, struct sup_task *t);
void sup_fast_reap(struct sup_run *r, struct sup_task *t, int any);
int sup_fast_lost(struct sup_run *r, const struct sup_task *t);
struct tr_ring_mmlock *sup_fast_trylock_mm(struct sup_run *r, uint32_t tgid);
void sup_fast_exit_wait(struct sup_run *r);
void sup_fast_exit_ack(struct sup_run *r, uint32_t pid);

/* ---- sup_module.c ---- */

struct sup_modules;
void sup_modules_free(struct sup_modules *m);
long sup_module_scan(struct sup_run *r, struct sup_task *t, uint64_t addr);
void sup_module_sysexit(struct sup_run *r, struct sup_task *t, int64_t ret);
void sup_module_fast(struct sup_run *r, const struct tr_event *ev);
void sup_module_sharing(struct sup_run *r, struct sup_task *t);

/* ---- sup_oomadj.c ---- */

void sup_oomadj_poll(struct sup_run *r, struct sup_task *t);
void sup_oomadj_stop(struct sup_run *r, struct sup_task *t, int event);
void sup_oomadj_poll_all(struct sup_run *r);

/* ---- sup_recon.c ---- */

int sup_recon_snapshot(struct sup_run *r, struct sup_task *t);
int sup_recon_diff(struct sup_run *r, struct sup_task *t,
                   const struct sup_vmaset *set);

/* ---- sup_preload.c ---- */

struct sup_preload;
int sup_preload_wanted(int err);
const char *sup_preload_reason(int err, char *buf, size_t len);
int sup_preload_spawn(struct sup_run *r, char *const argv[]);
int sup_preload_loop(struct sup_run *r, const char *reason);
int sup_preload_event(struct sup_run *r, const struct tr_event *ev);
void sup_preload_exiting(struct sup_run *r, uint32_t pid);
int sup_preload_keep(struct sup_run *r, const struct tr_event *ev);

/* ---- sup_exit.c ---- */

void sup_on_exit(struct sup_run *r, struct sup_task *t);
void sup_mm_settled(struct sup_run *r, struct sup_mm *mm);
void sup_release_held(struct sup_run *r, int queue_empty);
void sup_unhold(struct sup_run *r, struct sup_task *t);

#endif /* MMSIM_TOOLS_SUP_H */
