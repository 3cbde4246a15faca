/*
 * Helpers for the reclaim and swap tests (header-only, static): a small
 * one-zone machine with round watermarks, a process, anonymous pages.
 *
 * The machine: one node, DMA32 only, 16384 managed pages (64 MiB), kernel
 * 6.1, THP off, min_free_kbytes written as 1024: pages_min = 256, and the
 * gap max(256 / 4, 16384 * 10 / 10000) = 64, so min 256, low 320, high
 * 384; no lowmem_reserve (no higher zone).
 */
#ifndef MMSIM_TESTS_RECLAIM_UTIL_H
#define MMSIM_TESTS_RECLAIM_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"
#include "machine_util.h"

#define R_MANAGED 16384ull
#define R_MIN 256ull
#define R_LOW 320ull
#define R_HIGH 384ull
#define R_BASE 0x7f0000000000ull
#define R_RW (MM_PROT_READ | MM_PROT_WRITE)

static inline struct mm_sim *reclaim_boot(uint64_t swap_pages)
{
    struct mm_machine m;
    int err = 1;
    machine_init(&m, MM_KERNEL(6, 1), MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, R_MANAGED);
    m.swap_pages = swap_pages;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    assert_int_equal(mm_sim_sysctl_write(sim, "min_free_kbytes", "1024"), 0);
    const struct mm_zone *z = &sim->nodes[0].zones[MM_ZONE_DMA32];
    assert_int_equal(z->watermark[MM_WMARK_MIN], R_MIN);
    assert_int_equal(z->watermark[MM_WMARK_LOW], R_LOW);
    assert_int_equal(z->watermark[MM_WMARK_HIGH], R_HIGH);
    return sim;
}

/* Process @pid with a private anonymous read-write mapping of @pages. */
static inline void reclaim_proc(struct mm_sim *sim, uint32_t pid,
                                uint64_t pages)
{
    struct mm_map_req req = {.addr = R_BASE, .len = pages * MM_PAGE_SIZE,
                             .prot = R_RW,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS};
    assert_int_equal(mm_task_new(sim, pid), 0);
    assert_int_equal(mm_mmap(sim, pid, &req), 0);
}

static inline int touch(struct mm_sim *sim, uint32_t pid, uint64_t page,
                        bool write)
{
    return mm_fault(sim, pid, R_BASE + page * MM_PAGE_SIZE, write);
}

static inline struct mm_proc_stats pstats(const struct mm_sim *sim,
                                          uint32_t pid)
{
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, pid, &st), 0);
    return st;
}

static inline uint64_t free_pages(const struct mm_sim *sim)
{
    return mm__global_zone_page_state(sim, MM_NR_FREE_PAGES);
}

static inline uint64_t ev(const struct mm_sim *sim, enum mm_vm_event_item i)
{
    return sim->vm_events[i];
}

static inline uint64_t lru_pages(const struct mm_sim *sim, enum mm_lru_list l)
{
    return mm__lruvec_size(sim, 0, l);
}

/* The folio mapped at page @page of @pid's mapping. */
static inline struct mm_folio *folio_at(const struct mm_sim *sim, uint32_t pid,
                                        uint64_t page)
{
    const struct mm_task *t = mm__task_find(sim, pid);
    uint64_t pte;
    assert_true(mm__hmap_get(&t->mm->ptes, (R_BASE >> 12) + page, &pte));
    assert_true(mm__pte_present(pte));
    return mm__folio_of(sim, MM_PTE_PFN(pte));
}

static inline uint64_t pte_at(const struct mm_sim *sim, uint32_t pid,
                              uint64_t page)
{
    const struct mm_task *t = mm__task_find(sim, pid);
    uint64_t pte = 0;
    mm__hmap_get(&t->mm->ptes, (R_BASE >> 12) + page, &pte);
    return pte;
}

#endif /* MMSIM_TESTS_RECLAIM_UTIL_H */
