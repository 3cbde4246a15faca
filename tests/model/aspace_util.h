/*
 * Helpers for the address-space tests (header-only, static): boot a
 * 16 GiB machine, make a process, map and read back commit figures.
 */
#ifndef MMSIM_TESTS_ASPACE_UTIL_H
#define MMSIM_TESTS_ASPACE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"
#include "machine_util.h"

#define MIB (1ull << 20)
#define PAGES(bytes) ((bytes) >> 12)
/* machine_16g: managed pages of DMA + DMA32 + Normal */
#define TOTALRAM_16G (3840ull + 727000ull + 3350000ull)

static inline struct mm_sim *aspace_boot(unsigned kernel, enum mm_thp_mode thp)
{
    struct mm_machine m;
    int err = 1;
    machine_16g(&m, kernel, thp);
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    assert_non_null(sim);
    return sim;
}

/* A process with an empty address space (as after attach). */
static inline void aspace_proc(struct mm_sim *sim, uint32_t pid)
{
    assert_int_equal(mm_task_new(sim, pid), 0);
}

static inline int map_anon(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                           uint64_t len, uint32_t prot, uint32_t flags)
{
    struct mm_map_req req = {.addr = addr, .len = len, .prot = prot,
                             .flags = flags | MM_MAP_ANONYMOUS};
    return mm_mmap(sim, pid, &req);
}

static inline int map_file(struct mm_sim *sim, uint32_t pid, uint64_t addr,
                           uint64_t len, uint32_t prot, uint32_t flags,
                           uint64_t ino, uint64_t pgoff)
{
    struct mm_map_req req = {.addr = addr, .len = len, .prot = prot,
                             .flags = flags, .pgoff = pgoff,
                             .dev = 0xfe00, .ino = ino, .path = (uint32_t)ino};
    return mm_mmap(sim, pid, &req);
}

/* Committed_AS in kB, as /proc/meminfo prints it. */
static inline uint64_t committed_kb(const struct mm_sim *sim)
{
    return mm_vm_memory_committed(sim) << 2;
}

static inline struct mm_proc_stats pstats(const struct mm_sim *sim,
                                          uint32_t pid)
{
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, pid, &st), 0);
    return st;
}

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ

#endif /* MMSIM_TESTS_ASPACE_UTIL_H */
