/*
 * Tests of model/oom_kill.c, oom_kill_log.c and memcontrol.c: badness
 * arithmetic, ties, -1000, oom_score, panic_on_oom, oom_kill_allocating_task,
 * the kill freeing memory, the log text, the memory cgroup limit.
 *
 * The machine: one node, one DMA32 zone of 32768 managed pages (128 MiB,
 * THP off below 512 MiB), no swap: totalpages = 32768, totalpages / 1000 =
 * 32. A region of N touched pages in one 2 MiB span costs N pages of RSS
 * and 3 page-table pages (PTE, PMD, PUD tables: 12288 pgtables_bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "machine_util.h"

#define TOTAL 32768ull
#define BASE 0x40000000ull /* 1 GiB: each task's region starts here */

static struct mm_sim *boot_kernel(uint64_t memcg_pages, unsigned kernel)
{
    struct mm_machine m;
    machine_init(&m, kernel, MM_THP_NEVER);
    zone_plain(&m, 0, MM_ZONE_DMA32, 4096, TOTAL);
    m.memcg_max_pages = memcg_pages;
    int err = 1;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    return sim;
}

static struct mm_sim *boot(uint64_t memcg_pages)
{
    return boot_kernel(memcg_pages, MM_KERNEL(6, 1));
}

static const char *names(void *ctx, uint32_t id)
{
    (void)ctx;
    return id == 7 ? "/probes/toucher" : id == 8 ? "/usr/bin/hog" : NULL;
}

/* A process named by path id @comm with an anonymous region of @pages. */
static void proc(struct mm_sim *sim, uint32_t pid, uint32_t comm,
                 uint64_t pages)
{
    struct mm_exec_req ex = {.start_brk = 0x600000, .start_stack = 0x7ff000000,
                             .path = comm};
    assert_int_equal(mm_exec(sim, pid, &ex), 0);
    struct mm_map_req req = {.addr = BASE, .len = pages << 12,
                             .prot = MM_PROT_READ | MM_PROT_WRITE,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS};
    assert_int_equal(mm_mmap(sim, pid, &req), 0);
}

/* Write-touch pages [from, to) of @pid's region; the first error stops. */
static int touch(struct mm_sim *sim, uint32_t pid, uint64_t from, uint64_t to)
{
    for (uint64_t i = from; i < to; i++) {
        int rc = mm_fault(sim, pid, BASE + (i << 12), true);
        if (rc)
            return rc;
    }
    return 0;
}

static int64_t badness(const struct mm_sim *sim, uint32_t pid)
{
    int64_t p;
    assert_int_equal(mm_oom_badness(sim, pid, 0, &p), 0);
    return p;
}

static uint64_t score(const struct mm_sim *sim, uint32_t pid)
{
    uint64_t s;
    assert_int_equal(mm_oom_score(sim, pid, &s), 0);
    return s;
}

static void test_badness_arithmetic(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    proc(sim, 10, 7, 512);
    assert_int_equal(touch(sim, 10, 0, 100), 0);
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, 10, &st), 0);
    assert_int_equal(st.rss_anon, 100);
    assert_int_equal(st.pgtables_bytes, 12288);
    assert_int_equal(badness(sim, 10), 103);
    assert_int_equal(score(sim, 10), 668); /* (1000 + 103000/32768) * 2/3 */
    assert_int_equal(mm_set_oom_score_adj(sim, 10, 500), 0);
    assert_int_equal(badness(sim, 10), 103 + 500 * 32);
    assert_int_equal(score(sim, 10), 994); /* (1000 + 491) * 2/3 */
    assert_int_equal(mm_set_oom_score_adj(sim, 10, -500), 0);
    assert_int_equal(badness(sim, 10), 103 - 16000);
    /* -15897000 / 32768 truncates to -485: (1000 - 485) * 2/3 */
    assert_int_equal(score(sim, 10), 343);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, -1000), 0);
    assert_true(badness(sim, 10) == INT64_MIN);
    assert_int_equal(score(sim, 10), 0);
    int64_t p;
    assert_int_equal(mm_oom_badness(sim, 10, 96000, &p), 0); /* memcg-style */
    assert_true(p == INT64_MIN);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, 1001), MM_EINVAL);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, -1001), MM_EINVAL);
    assert_int_equal(mm_set_oom_score_adj(sim, 99, 0), MM_ESRCH);
    struct mm_buf b = {0};
    assert_int_equal(mm_proc_render(sim, "10/oom_score_adj", &b), 0);
    assert_string_equal(b.data, "-1000\n");
    mm_buf_free(&b);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, 0), 0);
    assert_int_equal(mm_proc_render(sim, "10/oom_score", &b), 0);
    assert_string_equal(b.data, "668\n");
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_adj_inherited_on_fork(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    proc(sim, 10, 7, 16);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, 300), 0);
    assert_int_equal(mm_fork(sim, 10, 11), 0);
    assert_int_equal(mm_vfork(sim, 10, 12), 0);
    int adj;
    assert_int_equal(mm_oom_score_adj(sim, 11, &adj), 0);
    assert_int_equal(adj, 300);
    assert_int_equal(mm_oom_score_adj(sim, 12, &adj), 0);
    assert_int_equal(adj, 300);
    struct mm_exec_req ex = {.path = 8};
    assert_int_equal(mm_exec(sim, 11, &ex), 0); /* exec keeps it */
    assert_int_equal(mm_oom_score_adj(sim, 11, &adj), 0);
    assert_int_equal(adj, 300);
    mm_sim_free(sim);
}

/* A (pid @a) holds @a_pages; B (pid @b) touches until the OOM killer acts. */
static void race(struct mm_sim *sim, uint32_t a, uint64_t a_pages, uint32_t b)
{
    proc(sim, a, 7, TOTAL);
    proc(sim, b, 7, TOTAL);
    assert_int_equal(touch(sim, a, 0, a_pages), 0);
    for (uint64_t i = 0; i < TOTAL && !mm_oom_kills(sim) &&
                         !mm_oom_panicked(sim); i++)
        if (mm_fault(sim, b, BASE + (i << 12), true))
            break;
}

static void test_kill_largest_frees_memory(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    race(sim, 10, 20000, 11);
    assert_int_equal(mm_oom_kills(sim), 1);
    assert_true(mm_task_oom_killed(sim, 10));
    assert_false(mm_task_oom_killed(sim, 11));
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, 10, &st), MM_ESRCH); /* reaped */
    const struct mm_oom_report *r = mm_oom_log_at(sim, 0);
    assert_non_null(r);
    assert_int_equal(r->outcome, MM_OOM_KILLED);
    assert_int_equal(r->pid, 11);
    assert_int_equal(r->victim.pid, 10);
    assert_int_equal(r->victim.rss_anon, 20000);
    /* 20000 pages span 40 PTE tables, one PMD and one PUD table */
    assert_int_equal(r->victim.pgtables_bytes, 42 * 4096);
    assert_int_equal(r->victim_points, 20042);
    assert_int_equal(r->nr_tasks, 2);
    /* B's fault got its page after the kill and B goes on */
    assert_int_equal(mm_proc_stats(sim, 11, &st), 0);
    uint64_t b_rss = st.rss_anon;
    assert_int_equal(touch(sim, 11, b_rss, b_rss + 5000), 0);
    struct mm_sysinfo si;
    mm_si_meminfo(sim, &si);
    assert_true(si.freeram > 10000);
    mm_sim_free(sim);
}

static void test_tie_goes_to_later_task(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    /* pid 20 is created before pid 10: the scan order is creation order */
    proc(sim, 20, 7, TOTAL);
    proc(sim, 10, 7, TOTAL);
    proc(sim, 30, 7, TOTAL);
    assert_int_equal(touch(sim, 20, 0, 12000), 0);
    assert_int_equal(touch(sim, 10, 0, 12000), 0);
    assert_int_equal(badness(sim, 20), badness(sim, 10));
    for (uint64_t i = 0; i < TOTAL && !mm_oom_kills(sim); i++)
        mm_fault(sim, 30, BASE + (i << 12), true);
    assert_true(mm_task_oom_killed(sim, 10));
    assert_false(mm_task_oom_killed(sim, 20));
    const struct mm_oom_report *r = mm_oom_log_at(sim, 0);
    assert_int_equal(r->tasks[0].pid, 20); /* table in creation order */
    assert_int_equal(r->tasks[1].pid, 10);
    assert_int_equal(r->tasks[2].pid, 30);
    mm_sim_free(sim);
}

static void test_minus_1000_never_chosen(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    proc(sim, 10, 7, TOTAL);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, -1000), 0);
    race(sim, 10, 25000, 11);
    /* B, far smaller, is the only candidate: it is killed by its own
     * fault, which fails, and it is reaped when the fault returns */
    assert_int_equal(mm_oom_kills(sim), 1);
    assert_true(mm_task_oom_killed(sim, 11));
    assert_false(mm_task_oom_killed(sim, 10));
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, 11, &st), MM_ESRCH);
    assert_int_equal(mm_proc_stats(sim, 10, &st), 0);
    assert_int_equal(st.rss_anon, 25000);
    /* now only the -1000 task is left: nothing to kill, the kernel panics */
    assert_int_equal(touch(sim, 10, 25000, TOTAL), MM_ENOMEM);
    assert_true(mm_oom_panicked(sim));
    assert_int_equal(mm_oom_log_at(sim, 1)->outcome, MM_OOM_NO_VICTIM);
    assert_int_equal(mm_fault(sim, 10, BASE, true), MM_ESHUTDOWN);
    struct mm_buf b = {0};
    assert_int_equal(mm_oom_report_render(sim, mm_oom_log_at(sim, 1), &b,
                                          names, NULL), 0);
    assert_non_null(strstr(b.data, "Out of memory and no killable processes...\n"
                           "Kernel panic - not syncing: System is deadlocked on memory\n"));
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_panic_on_oom(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.panic_on_oom", "1"), 0);
    race(sim, 10, 20000, 11);
    assert_true(mm_oom_panicked(sim));
    assert_int_equal(mm_oom_kills(sim), 0);
    assert_false(mm_task_oom_killed(sim, 10));
    assert_int_equal(mm_oom_log_at(sim, 0)->outcome, MM_OOM_PANIC);
    assert_int_equal(mm_fault(sim, 11, BASE, true), MM_ESHUTDOWN);
    struct mm_buf b = {0};
    mm_oom_log_render(sim, &b, names, NULL);
    assert_non_null(strstr(b.data, "Kernel panic - not syncing: Out of memory: "
                                   "system-wide panic_on_oom is enabled\n"));
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_panic_on_oom_memcg(void **state)
{
    (void)state;
    /* 1: a memcg OOM does not panic, it kills */
    struct mm_sim *sim = boot(4000);
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.panic_on_oom", "1"), 0);
    race(sim, 10, 3000, 11);
    assert_false(mm_oom_panicked(sim));
    assert_true(mm_task_oom_killed(sim, 10));
    mm_sim_free(sim);
    /* 2: compulsory, memcg included */
    sim = boot(4000);
    assert_int_equal(mm_sim_sysctl_write(sim, "vm.panic_on_oom", "2"), 0);
    race(sim, 10, 3000, 11);
    assert_true(mm_oom_panicked(sim));
    assert_int_equal(mm_oom_kills(sim), 0);
    struct mm_buf b = {0};
    mm_oom_log_render(sim, &b, names, NULL);
    assert_non_null(strstr(b.data, "compulsory panic_on_oom is enabled"));
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_kill_allocating_task(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    assert_int_equal(mm_sim_sysctl_write(sim, "oom_kill_allocating_task", "1"), 0);
    race(sim, 10, 20000, 11);
    assert_true(mm_task_oom_killed(sim, 11)); /* the smaller, allocating one */
    assert_false(mm_task_oom_killed(sim, 10));
    const struct mm_oom_report *r = mm_oom_log_at(sim, 0);
    assert_int_equal(r->outcome, MM_OOM_KILLED_ALLOCATING);
    struct mm_buf b = {0};
    mm_oom_log_render(sim, &b, names, NULL);
    assert_non_null(strstr(b.data, "Out of memory (oom_kill_allocating_task): "
                                   "Killed process 11 (toucher)"));
    mm_buf_free(&b);
    mm_sim_free(sim);
    /* -1000 exempts the allocating task: the scan runs instead */
    sim = boot(0);
    assert_int_equal(mm_sim_sysctl_write(sim, "oom_kill_allocating_task", "1"), 0);
    proc(sim, 11, 7, TOTAL);
    assert_int_equal(mm_set_oom_score_adj(sim, 11, -1000), 0);
    race(sim, 10, 20000, 11);
    assert_true(mm_task_oom_killed(sim, 10));
    assert_int_equal(mm_oom_log_at(sim, 0)->outcome, MM_OOM_KILLED);
    mm_sim_free(sim);
}

static void test_log_text(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    proc(sim, 10, 7, TOTAL);
    assert_int_equal(mm_set_oom_score_adj(sim, 10, 0), 0);
    race(sim, 10, 20000, 11);
    const struct mm_oom_report *r = mm_oom_log_at(sim, 0);
    char want[1024];
    snprintf(want, sizeof(want),
             "toucher invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|"
             "__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0\n"
             "Tasks state (memory values in pages):\n"
             "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents "
             "oom_score_adj name\n"
             "[     10]     0    10    32768    20000   172032        0         "
             "    0 toucher\n"
             "[     11]     0    11    32768 %8llu %8llu        0             0 "
             "toucher\n"
             "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
             "mems_allowed=0,global_oom,task_memcg=/,task=toucher,pid=10,uid=0\n"
             "Out of memory: Killed process 10 (toucher) total-vm:131072kB, "
             "anon-rss:80000kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
             "pgtables:168kB oom_score_adj:0\n",
             (unsigned long long)r->tasks[1].rss,
             (unsigned long long)r->tasks[1].pgtables_bytes);
    struct mm_buf b = {0};
    assert_int_equal(mm_oom_log_render(sim, &b, names, NULL), 0);
    assert_string_equal(b.data, want);
    mm_buf_free(&b);
    mm_sim_free(sim);
}

/* 6.12 and later print rss_anon, rss_file, rss_shmem; vmstat counts it */
static void test_log_text_618(void **state)
{
    (void)state;
    struct mm_sim *sim = boot_kernel(0, MM_KERNEL(6, 18));
    race(sim, 10, 20000, 11);
    struct mm_buf b = {0};
    assert_int_equal(mm_oom_log_render(sim, &b, names, NULL), 0);
    assert_non_null(strstr(b.data, "[  pid  ]   uid  tgid total_vm      rss "
                           "rss_anon rss_file rss_shmem pgtables_bytes swapents "
                           "oom_score_adj name\n"
                           "[     10]     0    10    32768    20000    20000"
                           "        0         0   172032        0         "
                           "    0 toucher\n"));
    mm_buf_free(&b);
    assert_int_equal(mm_proc_render(sim, "vmstat", &b), 0);
    assert_non_null(strstr(b.data, "\noom_kill 1\n"));
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_memcg_limit(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(4000);
    proc(sim, 10, 8, TOTAL);
    proc(sim, 11, 7, TOTAL);
    assert_int_equal(mm_set_oom_score_adj(sim, 11, 500), 0);
    assert_int_equal(touch(sim, 11, 0, 1500), 0);
    assert_int_equal(touch(sim, 10, 0, 2500), 0);
    struct mm_memcg_stats ms;
    mm_memcg_stats(sim, &ms);
    assert_int_equal(ms.usage, 4000);
    /* the next charge goes over memory.max: B (1500 + 3 PTE + PMD + PUD
     * tables + 500 * 4) beats A (2500 + 5 + 2), though the global badness
     * would pick A */
    assert_int_equal(touch(sim, 10, 2500, 2501), 0);
    assert_true(mm_task_oom_killed(sim, 11));
    mm_memcg_stats(sim, &ms);
    assert_int_equal(ms.usage, 2501);
    assert_int_equal(ms.peak, 4000);
    /* nothing reclaimable (anon, no swap): a "max" event per attempt, the
     * first, one after draining the stock, then MAX_RECLAIM_RETRIES (16)
     * more, as the 6.1 guest's memory.events showed: max 18, oom 1 */
    assert_int_equal(ms.events_max, 18);
    assert_int_equal(ms.events_oom, 1);
    assert_int_equal(ms.events_oom_kill, 1);
    const struct mm_oom_report *r = mm_oom_log_at(sim, 0);
    assert_true(r->memcg);
    assert_int_equal(r->totalpages, 4000);
    assert_int_equal(r->victim_points, 1505 + 2000);
    assert_int_equal(r->gfp_mask, 0xcc0);
    struct mm_buf b = {0};
    mm_oom_log_render(sim, &b, names, NULL);
    assert_non_null(strstr(b.data, "hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), "
                                   "order=0, oom_score_adj=0\n"));
    assert_non_null(strstr(b.data, "constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                                   "cpuset=/,mems_allowed=0,oom_memcg=/mmsim,"
                                   "task_memcg=/mmsim,task=toucher,pid=11,uid=0\n"
                                   "Memory cgroup out of memory: Killed process 11"));
    mm_buf_free(&b);
    /* A alone at the limit: it is the victim of its own charge */
    assert_int_equal(touch(sim, 10, 2501, 5000), MM_ENOMEM);
    assert_true(mm_task_oom_killed(sim, 10));
    mm_memcg_stats(sim, &ms);
    assert_int_equal(ms.usage, 0);
    assert_int_equal(mm_oom_kills(sim), 2);
    mm_sim_free(sim);
}

static void test_victim_of_its_own_populate(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(0);
    assert_int_equal(mm_sim_sysctl_write(sim, "oom_kill_allocating_task", "1"), 0);
    proc(sim, 10, 7, 16);
    proc(sim, 11, 7, TOTAL);
    /* 10 asks for more than the machine has, populated at mmap time: the
     * OOM killer takes the allocating task itself, mid-populate, and the
     * mmap still succeeds (a populate failure does not fail it) */
    struct mm_map_req req = {.addr = 0x80000000, .len = TOTAL << 12,
                             .prot = MM_PROT_READ | MM_PROT_WRITE,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS |
                                      MM_MAP_POPULATE};
    assert_int_equal(mm_mmap(sim, 10, &req), 0);
    assert_int_equal(mm_oom_kills(sim), 1);
    assert_true(mm_task_oom_killed(sim, 10));
    struct mm_proc_stats st;
    assert_int_equal(mm_proc_stats(sim, 10, &st), 0); /* not reaped yet */
    assert_true(st.rss_anon > 20000);
    /* 11's fault finds memory short: the reaper frees 10 first; no second
     * victim is needed */
    assert_int_equal(touch(sim, 11, 0, 20000), 0);
    assert_int_equal(mm_oom_kills(sim), 1);
    assert_int_equal(mm_proc_stats(sim, 10, &st), MM_ESRCH);
    assert_int_equal(mm_oom_log_count(sim), 1);
    mm_sim_free(sim);
}

/* The value of a /proc/vmstat line. */
static uint64_t vmstat(const struct mm_sim *sim, const char *name)
{
    struct mm_buf b = {0};
    char pat[64];
    unsigned long long v = UINT64_MAX;
    assert_int_equal(mm_proc_render(sim, "vmstat", &b), 0);
    snprintf(pat, sizeof(pat), "\n%s ", name);
    const char *p = strstr(b.data, pat);
    if (p)
        sscanf(p + strlen(pat), "%llu", &v);
    mm_buf_free(&b);
    return v;
}

static void test_memcg_reclaims_cache_first(void **state)
{
    (void)state;
    struct mm_sim *sim = boot(4000);
    proc(sim, 10, 7, TOTAL);
    /* 1000 page-cache pages, read through a mapping then unmapped: clean,
     * charged to the memcg, reclaimable */
    struct mm_map_req f = {.addr = 0x10000000, .len = 1000 << 12,
                           .prot = MM_PROT_READ, .flags = MM_MAP_PRIVATE,
                           .dev = 0xfe01, .ino = 5, .path = 8};
    assert_int_equal(mm_mmap(sim, 10, &f), 0);
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(mm_fault(sim, 10, f.addr + (i << 12), false), 0);
    assert_int_equal(mm_munmap(sim, 10, f.addr, f.len), 0);
    struct mm_memcg_stats ms;
    mm_memcg_stats(sim, &ms);
    assert_int_equal(ms.usage, 1000);
    /* 3500 anonymous pages go over memory.max: the limit reclaim drops
     * cache, nobody is killed */
    assert_int_equal(touch(sim, 10, 0, 3500), 0);
    assert_int_equal(mm_oom_kills(sim), 0);
    mm_memcg_stats(sim, &ms);
    assert_true(ms.usage <= 4000);
    assert_true(ms.events_max > 0);
    assert_int_equal(ms.events_oom, 0);
    /* memcg reclaim is not in the global direct-reclaim counters (6.1) */
    assert_int_equal(vmstat(sim, "pgsteal_direct"), 0);
    assert_int_equal(vmstat(sim, "allocstall_movable"), 0);
    assert_true(vmstat(sim, "pgsteal_file") >= 500);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_badness_arithmetic),
        cmocka_unit_test(test_adj_inherited_on_fork),
        cmocka_unit_test(test_kill_largest_frees_memory),
        cmocka_unit_test(test_tie_goes_to_later_task),
        cmocka_unit_test(test_minus_1000_never_chosen),
        cmocka_unit_test(test_panic_on_oom),
        cmocka_unit_test(test_panic_on_oom_memcg),
        cmocka_unit_test(test_kill_allocating_task),
        cmocka_unit_test(test_log_text),
        cmocka_unit_test(test_log_text_618),
        cmocka_unit_test(test_memcg_limit),
        cmocka_unit_test(test_victim_of_its_own_populate),
        cmocka_unit_test(test_memcg_reclaims_cache_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
