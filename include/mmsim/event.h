/*
 * mmsim events: what the recorder captures and the model replays.
 *
 * This header is the contract between preload/ (the shim), tools/ (the
 * supervisor, the trace writer and reader, the replay) and model/. It holds
 * only plain data: no functions, no dependencies beyond <stdint.h>.
 *
 * One event is one thing the kernel or the allocator did, with the arguments
 * it was given and the result it returned, stamped with CLOCK_MONOTONIC. The
 * events of one address space are in the order the kernel executed them.
 *
 * Allocator nesting: a kernel request made from inside an allocator call
 * carries TR_F_IN_ALLOC and comes before that allocator call's own event
 * (allocator events are emitted when the call returns, with its result).
 * So the next allocator event of the same tid is the call that made it.
 */
#ifndef MMSIM_EVENT_H
#define MMSIM_EVENT_H

#include <stdint.h>

/*
 * Event types. Argument slots a[0..5] are listed per type; ret is the value
 * the kernel (or allocator) returned, negative errno for a failed syscall.
 * Values are part of the trace format: append only, never renumber.
 */
enum tr_ev_type {
    TR_EV_NONE = 0,

    /* Kernel-level memory requests, arguments as the syscall received them. */
    TR_EV_MMAP = 1,        /* addr len prot flags fd pgoff; ret addr; dev ino */
    TR_EV_MUNMAP = 2,      /* addr len */
    TR_EV_MREMAP = 3,      /* old_addr old_len new_len flags new_addr; ret addr */
    TR_EV_BRK = 4,         /* requested break; ret the new break */
    TR_EV_MPROTECT = 5,    /* addr len prot */
    TR_EV_MADVISE = 6,     /* addr len advice */
    TR_EV_SHMAT = 7,       /* shmid addr shmflg; a[3] segment size; ret addr */
    TR_EV_SHMDT = 8,       /* addr */
    TR_EV_MLOCK = 9,       /* addr len; a[2] mlock2 flags */
    TR_EV_MUNLOCK = 10,    /* addr len */
    TR_EV_MLOCKALL = 11,   /* flags */
    TR_EV_MUNLOCKALL = 12, /* - */
    TR_EV_PKEY_MPROTECT = 13,   /* addr len prot pkey */
    TR_EV_REMAP_FILE_PAGES = 14, /* addr size prot pgoff flags */
    TR_EV_PROCESS_MADVISE = 15, /* pidfd target pid in a[0], addr len advice */
    TR_EV_MSEAL = 16,      /* addr len flags */
    TR_EV_MAP_SHADOW_STACK = 17, /* addr size flags; ret addr */
    TR_EV_SHMGET = 18,     /* key size shmflg; ret shmid */
    TR_EV_SET_MEMPOLICY = 19, /* mode nodemask(first 64 nodes) maxnode */
    TR_EV_MBIND = 20,      /* addr len mode nodemask maxnode flags */
    TR_EV_MIGRATE_PAGES = 21, /* pid maxnode old_nodes new_nodes */

    /* Process events. pid is the tgid the event belongs to. */
    TR_EV_FORK = 32,       /* child tgid, clone flags (no CLONE_VM) */
    TR_EV_VFORK = 33,      /* child tgid, clone flags (CLONE_VM|CLONE_VFORK) */
    TR_EV_THREAD = 34,     /* new tid, clone flags (CLONE_VM|CLONE_THREAD) */
    TR_EV_EXEC = 35,       /* start_brk, stack top; str: path. VMA records follow */
    TR_EV_VMA = 36,        /* start end prot flags pgoff; dev ino; str: path */
    TR_EV_EXIT = 37,       /* wait status as waitpid() gives it */
    TR_EV_THREAD_EXIT = 38, /* tid */
    TR_EV_MAPS_END = 39,   /* end of the VMA records after EXEC / attach */

    /* Touches: which pages became resident, and how. */
    TR_EV_FAULT = 48,      /* addr, TR_FAULT_* flags */
    TR_EV_RESIDENT = 49,   /* addr npages TR_RES_* state (reconciliation) */
    TR_EV_CACHED = 50,     /* addr npages TR_CACHE_* state: the recording
                              machine's page cache for the file mapped there,
                              as the mapping was made */

    /* Allocator calls, emitted when the call returns. */
    TR_EV_MALLOC = 64,     /* size; ret ptr */
    TR_EV_CALLOC = 65,     /* nmemb size; ret ptr */
    TR_EV_REALLOC = 66,    /* old ptr size; ret ptr */
    TR_EV_FREE = 67,       /* ptr */
    TR_EV_MEMALIGN = 68,   /* alignment size; ret ptr (also aligned_alloc,
                              posix_memalign, valloc, pvalloc: a[2] says) */
    TR_EV_REALLOCARRAY = 69, /* old ptr nmemb size; ret ptr */
    TR_EV_USABLE_SIZE = 70, /* ptr; ret usable size */

    /* Process attributes the model needs. */
    TR_EV_OOM_SCORE_ADJ = 80, /* value written to /proc/PID/oom_score_adj */
    TR_EV_RLIMIT = 81,     /* resource soft hard */
    TR_EV_CRED = 82,       /* uid, TR_CRED_* flags */
    TR_EV_PRCTL = 83,      /* option arg2 arg3 (THP_DISABLE and friends) */

    /* Recorder bookkeeping. */
    TR_EV_LOST = 96,       /* count of events lost (ring overflow), reason */
    TR_EV_INCOMPLETE = 97, /* capture is incomplete from here; str: reason */
    TR_EV_VERIFY = 98,     /* --verify result at exit: 1 EXACT, 0 differs */
    TR_EV_HOST_STAT = 99,  /* the real kernel's figures at the process's exit,
                              the shim's [anon:mmsim] memory subtracted:
                              VmRSS kB, RssAnon kB, minflt, majflt,
                              Pss_Anon kB, USS kB (Private_Clean+Dirty) */
};

/* Flags in tr_event.flags. */
enum tr_ev_flags {
    TR_F_IN_ALLOC = 1u << 0,   /* made from inside an allocator call */
    TR_F_FAST_PATH = 1u << 1,  /* captured by the in-process fast path */
    TR_F_TRACED = 1u << 2,     /* captured by the ptrace safety net */
    TR_F_INFERRED = 1u << 3,   /* reconstructed, not observed */
};

/* a[1] of TR_EV_FAULT. */
enum tr_fault_flags {
    TR_FAULT_WRITE = 1u << 0,   /* known to be a write access */
    TR_FAULT_KNOWN = 1u << 1,   /* the read/write bit is known */
    TR_FAULT_KERNEL = 1u << 2,  /* taken in kernel mode (copy_to_user...) */
};

/* a[2] of TR_EV_RESIDENT: PAGEMAP_SCAN categories of the range. */
enum tr_res_state {
    TR_RES_PRESENT = 1u << 0,
    TR_RES_ZERO_PAGE = 1u << 1, /* mapped to the (huge) zero page */
    TR_RES_HUGE = 1u << 2,
    TR_RES_SWAPPED = 1u << 3,
    TR_RES_EXCLUSIVE = 1u << 4, /* pagemap bit 56 */
    TR_RES_WRITTEN = 1u << 5,
    TR_RES_FILE = 1u << 6,      /* a page-cache page (PAGE_IS_FILE) */
};

/* a[2] of TR_EV_CACHED. */
enum tr_cache_state {
    TR_CACHE_PRESENT = 1u << 0, /* every page of the range was cached */
    TR_CACHE_UNKNOWN = 1u << 1, /* the file could not be asked (cachestat
                                   refused or missing for it) */
};

/* a[2] of TR_EV_MEMALIGN: which entry point. */
enum tr_memalign_kind {
    TR_ALIGN_MEMALIGN,
    TR_ALIGN_POSIX_MEMALIGN,
    TR_ALIGN_ALIGNED_ALLOC,
    TR_ALIGN_VALLOC,
    TR_ALIGN_PVALLOC,
};

/* a[1] of TR_EV_CRED. */
enum tr_cred_flags {
    TR_CRED_CAP_SYS_ADMIN = 1u << 0,    /* in the init user namespace */
    TR_CRED_CAP_SYS_RESOURCE = 1u << 1,
};

/*
 * One event in memory. The trace codec stores it compactly; readers hand
 * consumers this struct. str is an interned string id (path of a file
 * mapping or an exec), stack an interned call-stack id; 0 means none.
 */
struct tr_event {
    uint64_t t_ns;  /* CLOCK_MONOTONIC */
    uint32_t type;  /* enum tr_ev_type */
    uint32_t flags; /* enum tr_ev_flags */
    uint32_t pid;   /* tgid: the address space */
    uint32_t tid;
    uint32_t stack;
    uint32_t str;
    uint64_t a[6];
    int64_t ret;
    uint64_t dev; /* file identity of a file mapping */
    uint64_t ino;
};

#endif /* MMSIM_EVENT_H */
