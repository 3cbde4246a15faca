/*
 * Internal interfaces of the preload shim (libmmsim-preload.so).
 *
 * The shim runs inside every traced process. It never calls the program's
 * malloc for itself (its memory comes from pre_arena.c), keeps per-thread
 * state in initial-exec TLS, and writes events into the ring shared with the
 * supervisor (include/mmsim/ring.h). Declarations are grouped by the file
 * that defines them.
 */
#ifndef MMSIM_PRE_INTERNAL_H
#define MMSIM_PRE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mmsim/event.h"
#include "mmsim/ring.h"

#define PRE_TLS __thread __attribute__((tls_model("initial-exec")))
#define PRE_HIDDEN __attribute__((visibility("hidden")))

/* Per-thread state. Zero-initialised: a new thread needs no set-up. */
struct pre_thread {
    uint32_t tid;       /* cached gettid(); 0 until first needed */
    uint32_t gen;       /* process generation the tid belongs to */
    uint32_t guard;     /* >0: inside the shim; allocator calls pass through */
    uint32_t in_alloc;  /* >0: inside a real allocator call */
    uint32_t fp_depth;  /* >0: inside a fast-path call holding the mm lock */
    uint32_t ncalls;    /* allocator calls, for lazy fast-path activation */
};

PRE_HIDDEN extern PRE_TLS struct pre_thread pre_self;

/* ---- preload/pre_init.c ---- */
PRE_HIDDEN extern struct tr_ring_hdr *pre_ring; /* NULL: not recording */
PRE_HIDDEN extern uint32_t pre_pid;             /* this process's tgid */
PRE_HIDDEN extern _Atomic uint32_t pre_gen;     /* bumped in fork children */
PRE_HIDDEN void pre_init(void);
PRE_HIDDEN uint32_t pre_tid(void);
PRE_HIDDEN uint64_t pre_now_ns(void);
PRE_HIDDEN void pre_emit(struct tr_event *ev, uint32_t mmseq);
PRE_HIDDEN void pre_count_lost(uint32_t reason);
PRE_HIDDEN int pre_put_stack(const struct tr_ring_stack *rec);

/* ---- preload/pre_arena.c ---- */
PRE_HIDDEN void *pre_arena_alloc(size_t size);
PRE_HIDDEN void *pre_arena_map(void *addr, size_t len, int prot, int flags);
PRE_HIDDEN void pre_arena_rename(void *addr, size_t len, int prot);

/* ---- preload/pre_map.c ---- */
struct pre_map_ent;

/* An insert-only u64 -> u64 map; zero-initialised but for far_bits. */
struct pre_map {
    _Atomic(struct pre_map_ent *) tier[2]; /* near, far; mapped on use */
    unsigned far_bits;                     /* log2 of the far tier's slots */
};

PRE_HIDDEN uint64_t pre_map_get(struct pre_map *m, uint64_t key);
PRE_HIDDEN struct pre_map_ent *pre_map_claim(struct pre_map *m, uint64_t key,
                                             int *claimed);
PRE_HIDDEN uint64_t pre_map_value(struct pre_map_ent *e);
PRE_HIDDEN void pre_map_publish(struct pre_map_ent *e, uint64_t val);
PRE_HIDDEN void pre_map_forget(struct pre_map *m);

/* ---- preload/pre_stack.c ---- */
PRE_HIDDEN uint32_t pre_stack_id(const void *frame);
PRE_HIDDEN void pre_stack_fork_child(void);
PRE_HIDDEN void pre_stack_init(void);

/* ---- preload/pre_cfi.c ---- */
/* How to find the caller's frame at one code address (pre_stack_walk.c):
 * in RULE_SP and RULE_BP the return address is at CFA - 8 and the
 * caller's rsp is the CFA. */
enum pre_rule_kind {
    PRE_RULE_NONE,   /* not learnt yet (the rule table's empty value) */
    PRE_RULE_SP,     /* CFA = rsp + cfa_off */
    PRE_RULE_BP,     /* CFA = rbp + cfa_off */
    PRE_RULE_END,    /* the outermost frame: no caller */
    PRE_RULE_OTHER,  /* anything else: the walk cannot go on */
};

#define PRE_RBP_UNCHANGED 0x7fff

struct pre_rule {
    uint8_t kind;    /* enum pre_rule_kind */
    int16_t rbp_off; /* PRE_RBP_UNCHANGED, or where rbp was saved from the CFA */
    int32_t cfa_off;
};

PRE_HIDDEN int pre_cfi_rule(uintptr_t addr, struct pre_rule *r);

/* ---- preload/pre_unwind.c ---- */
PRE_HIDDEN int pre_unwind_backtrace(void **ips, int max);
PRE_HIDDEN void pre_unwind_want(void);
PRE_HIDDEN int pre_unwind_wanted(void);
PRE_HIDDEN int pre_unwind_loaded(void);
PRE_HIDDEN int pre_unwind_safe(void *const *ips, int n);
PRE_HIDDEN void pre_unwind_load(void);
PRE_HIDDEN int pre_unwind_owns(const void *ip);

/* ---- preload/pre_stack_walk.c ---- */
#define PRE_WALK_DEPTH 64   /* frames kept */
#define PRE_WALK_CHECKS 128 /* stack words a reusable walk may have read */

struct pre_walk_check {
    uintptr_t addr; /* a stack word the walk read */
    uintptr_t val;  /* what it held */
};

/* One walk: the interposer's frame, the thread's stack, the result. */
struct pre_walk {
    uintptr_t cfa;    /* the interposer's CFA: the caller's rsp at the call */
    uintptr_t ra;     /* the interposer's return address */
    uintptr_t rbp;    /* the caller's rbp at the call */
    uintptr_t lo, hi; /* the thread's stack */
    int n;            /* instruction pointers, innermost first */
    int nchecks;      /* words read, or -1: too many to keep */
    int rbp_used;     /* the walk depended on rbp */
    struct pre_walk_check *check; /* PRE_WALK_CHECKS, or NULL: not kept */
    void *ips[PRE_WALK_DEPTH];
};

PRE_HIDDEN int pre_stack_walk(struct pre_walk *w);

/* ---- preload/pre_fastpath.c ---- */
PRE_HIDDEN void pre_fastpath_maybe_activate(void);
PRE_HIDDEN void pre_fastpath_activate(void);
PRE_HIDDEN int pre_fastpath_active(void);

#endif /* MMSIM_PRE_INTERNAL_H */
