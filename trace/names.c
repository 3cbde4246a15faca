/*
 * names.c - printable names of event types, for dump and reports.
 * Indexed by enum tr_ev_type (include/mmsim/event.h).
 */
#include "internal.h"

static const char *const type_names[] = {
    [TR_EV_NONE] = "none",
    [TR_EV_MMAP] = "mmap",
    [TR_EV_MUNMAP] = "munmap",
    [TR_EV_MREMAP] = "mremap",
    [TR_EV_BRK] = "brk",
    [TR_EV_MPROTECT] = "mprotect",
    [TR_EV_MADVISE] = "madvise",
    [TR_EV_SHMAT] = "shmat",
    [TR_EV_SHMDT] = "shmdt",
    [TR_EV_MLOCK] = "mlock",
    [TR_EV_MUNLOCK] = "munlock",
    [TR_EV_MLOCKALL] = "mlockall",
    [TR_EV_MUNLOCKALL] = "munlockall",
    [TR_EV_PKEY_MPROTECT] = "pkey_mprotect",
    [TR_EV_REMAP_FILE_PAGES] = "remap_file_pages",
    [TR_EV_PROCESS_MADVISE] = "process_madvise",
    [TR_EV_MSEAL] = "mseal",
    [TR_EV_MAP_SHADOW_STACK] = "map_shadow_stack",
    [TR_EV_SHMGET] = "shmget",
    [TR_EV_SET_MEMPOLICY] = "set_mempolicy",
    [TR_EV_MBIND] = "mbind",
    [TR_EV_MIGRATE_PAGES] = "migrate_pages",
    [TR_EV_FORK] = "fork",
    [TR_EV_VFORK] = "vfork",
    [TR_EV_THREAD] = "thread",
    [TR_EV_EXEC] = "exec",
    [TR_EV_VMA] = "vma",
    [TR_EV_EXIT] = "exit",
    [TR_EV_THREAD_EXIT] = "thread_exit",
    [TR_EV_MAPS_END] = "maps_end",
    [TR_EV_FAULT] = "fault",
    [TR_EV_RESIDENT] = "resident",
    [TR_EV_CACHED] = "cached",
    [TR_EV_MALLOC] = "malloc",
    [TR_EV_CALLOC] = "calloc",
    [TR_EV_REALLOC] = "realloc",
    [TR_EV_FREE] = "free",
    [TR_EV_MEMALIGN] = "memalign",
    [TR_EV_REALLOCARRAY] = "reallocarray",
    [TR_EV_USABLE_SIZE] = "malloc_usable_size",
    [TR_EV_OOM_SCORE_ADJ] = "oom_score_adj",
    [TR_EV_RLIMIT] = "rlimit",
    [TR_EV_CRED] = "cred",
    [TR_EV_PRCTL] = "prctl",
    [TR_EV_LOST] = "lost",
    [TR_EV_INCOMPLETE] = "incomplete",
    [TR_EV_VERIFY] = "verify",
    [TR_EV_HOST_STAT] = "host_stat",
};

const char *tr_ev_type_name(uint32_t type)
{
    if (type >= sizeof(type_names) / sizeof(type_names[0]))
        return NULL;
    return type_names[type];
}
