/*
 * overcommit.c - commit accounting: Committed_AS, CommitLimit and the
 * overcommit policy (vm.overcommit_memory 0 GUESS, 1 ALWAYS, 2 NEVER).
 *
 * Mirrors mm/util.c (__vm_enough_memory, vm_commit_limit,
 * vm_memory_committed) and mm/mmap.c (init_user_reserve,
 * init_admin_reserve), identical in 6.1 and 6.18 except the wording of the
 * failure message. Callers: mmap.c, mprotect.c, mremap.c, fork.c and
 * filemap.c (shared anonymous objects) whenever the kernel would call
 * security_vm_enough_memory_mm(), and the /proc/meminfo renderer through
 * the accessors.
 *
 * Simplified: the per-CPU counter is exact (the kernel's batch only blurs
 * the mode-2 test by a few pages); CAP_SYS_ADMIN is the task's recorded
 * capability, no LSM may veto it; the failure log is data in the sim, rate
 * limited like pr_warn_ratelimited (10 per 5 s of trace time).
 */
#include "internal.h"

#define RATELIMIT_INTERVAL_NS (5ull * 1000000000ull) /* DEFAULT_RATELIMIT_INTERVAL */
#define RATELIMIT_BURST 10u                          /* DEFAULT_RATELIMIT_BURST */

/**
 * mm_totalram_pages() - managed pages of every zone of every node
 * @m: the machine
 *
 * Return: totalram_pages(), what MemTotal shows.
 * Kernel: include/linux/mm.h totalram_pages().
 */
uint64_t mm_totalram_pages(const struct mm_machine *m)
{
    uint64_t total = 0;
    for (unsigned n = 0; n < m->nr_nodes && n < MM_MAX_NUMNODES; n++)
        for (int z = 0; z < MM_NR_ZONES; z++)
            total += m->nodes[n].zones[z].managed;
    return total;
}

/**
 * mm_init_reserves() - boot-time user_reserve_kbytes and admin_reserve_kbytes
 * @vm: knobs to set
 * @m: the machine; boot_free_pages (0 = all managed) is NR_FREE_PAGES then
 *
 * 3% of the free memory, capped at 128 MiB (user) and 8 MiB (admin).
 * Kernel: mm/mmap.c init_user_reserve(), init_admin_reserve().
 */
void mm_init_reserves(struct mm_vm_knobs *vm, const struct mm_machine *m)
{
    uint64_t free_pages = m->boot_free_pages ? m->boot_free_pages
                                             : mm_totalram_pages(m);
    uint64_t free_kbytes = free_pages << (MM_PAGE_SHIFT - 10);
    uint64_t share = free_kbytes / 32;
    vm->user_reserve_kbytes = share < (1ull << 17) ? share : 1ull << 17;
    vm->admin_reserve_kbytes = share < (1ull << 13) ? share : 1ull << 13;
}

/**
 * mm_vm_commit_limit() - CommitLimit in pages
 * @sim: the simulator
 *
 * overcommit_kbytes replaces the ratio term (hugetlb is then not
 * subtracted); the ratio term is unsigned arithmetic, so a negative ratio
 * wraps exactly as in the kernel.
 * Return: the limit in pages.
 * Kernel: mm/util.c vm_commit_limit().
 */
uint64_t mm_vm_commit_limit(const struct mm_sim *sim)
{
    uint64_t allowed;
    if (sim->vm.overcommit_kbytes)
        allowed = sim->vm.overcommit_kbytes >> (MM_PAGE_SHIFT - 10);
    else
        allowed = (mm_totalram_pages(&sim->machine) -
                   sim->machine.hugetlb_pages) *
                  (uint64_t)(int64_t)sim->vm.overcommit_ratio / 100;
    return allowed + sim->machine.swap_pages;
}

/**
 * mm_vm_memory_committed() - Committed_AS in pages
 * @sim: the simulator
 *
 * The workload's charges plus the machine's background load, clamped at 0.
 * Return: pages.
 * Kernel: mm/util.c vm_memory_committed().
 */
uint64_t mm_vm_memory_committed(const struct mm_sim *sim)
{
    int64_t v = sim->vm_committed + (int64_t)sim->machine.bg_committed_pages;
    return v > 0 ? (uint64_t)v : 0;
}

/**
 * mm__vm_acct_memory() - add to (or, negative, take from) Committed_AS
 * @sim: the simulator
 * @pages: signed page count
 *
 * Kernel: include/linux/mman.h vm_acct_memory(), vm_unacct_memory().
 */
void mm__vm_acct_memory(struct mm_sim *sim, int64_t pages)
{
    sim->vm_committed += pages;
}

static void log_failure(struct mm_sim *sim, const struct mm_task *task,
                        uint64_t pages)
{
    struct mm_commit_log *log = &sim->commit_log;
    log->failures++;
    if (!log->rs_begin_ns || sim->now_ns >= log->rs_begin_ns +
                                                 RATELIMIT_INTERVAL_NS) {
        log->rs_begin_ns = sim->now_ns ? sim->now_ns : 1;
        log->rs_printed = 0;
    }
    if (log->rs_printed >= RATELIMIT_BURST) {
        log->suppressed++;
        return;
    }
    log->rs_printed++;
    if (log->count == MM_COMMIT_LOG_MAX) {
        memmove(log->entries, log->entries + 1,
                sizeof(log->entries[0]) * (MM_COMMIT_LOG_MAX - 1));
        log->count--;
    }
    log->entries[log->count++] = (struct mm_commit_fail){
        .t_ns = sim->now_ns,
        .pid = task ? (uint32_t)task->node.key : 0,
        .comm = task ? task->comm : 0,
        .pages = pages,
    };
}

static bool never_allows(const struct mm_sim *sim, const struct mm_task *task)
{
    int64_t allowed = (int64_t)mm_vm_commit_limit(sim);
    if (!task || !task->cap_sys_admin)
        allowed -= (int64_t)(sim->vm.admin_reserve_kbytes >>
                             (MM_PAGE_SHIFT - 10));
    if (task && task->mm) {
        int64_t reserve = (int64_t)(sim->vm.user_reserve_kbytes >>
                                    (MM_PAGE_SHIFT - 10));
        int64_t share = (int64_t)(task->mm->total_vm / 32);
        allowed -= share < reserve ? share : reserve;
    }
    return (int64_t)mm_vm_memory_committed(sim) < allowed;
}

/**
 * mm__vm_enough_memory() - charge @pages to Committed_AS if policy allows
 * @sim: the simulator
 * @task: the task whose mm is charged (its total_vm feeds the user
 *        reserve, its capability the admin reserve); NULL for none
 * @pages: pages to charge
 *
 * Charges first, then decides: mode 1 always succeeds; mode 0 refuses only a
 * single request larger than RAM + swap; mode 2 requires the new total to be
 * strictly below CommitLimit minus the reserves. A refusal takes the charge
 * back and is recorded in the failure log.
 * Return: 0 or MM_ENOMEM.
 * Kernel: mm/util.c __vm_enough_memory().
 */
int mm__vm_enough_memory(struct mm_sim *sim, const struct mm_task *task,
                         uint64_t pages)
{
    mm__vm_acct_memory(sim, (int64_t)pages);
    switch (sim->vm.overcommit_memory) {
    case 1:
        return 0;
    case 0:
        if (pages <= mm_totalram_pages(&sim->machine) +
                         sim->machine.swap_pages)
            return 0;
        break;
    default:
        if (never_allows(sim, task))
            return 0;
        break;
    }
    log_failure(sim, task, pages);
    mm__vm_acct_memory(sim, -(int64_t)pages);
    return MM_ENOMEM;
}

/**
 * mm_commit_log_render() - the kernel log lines of recorded refusals
 * @sim: the simulator
 * @buf: output
 * @name: turns an interned string id into a path (may return NULL)
 * @ctx: passed to @name
 *
 * One line per logged refusal, worded as the emulated kernel words it
 * (6.1: "no enough memory"; >= 6.10: with the size in bytes), preceded by
 * "callbacks suppressed" when the rate limit dropped some. comm is the
 * last path component of the exec path, cut to 15 characters (TASK_COMM_LEN).
 * Return: 0 or MM_ENOMEM.
 * Kernel: mm/util.c __vm_enough_memory() pr_warn_ratelimited.
 */
int mm_commit_log_render(const struct mm_sim *sim, struct mm_buf *buf,
                         mm_name_fn name, void *ctx)
{
    const struct mm_commit_log *log = &sim->commit_log;
    bool bytes = sim->machine.kernel >= MM_KERNEL(6, 10);
    for (unsigned i = 0; i < log->count; i++) {
        const struct mm_commit_fail *f = &log->entries[i];
        char comm[16];
        mm_comm_from_path(name ? name(ctx, f->comm) : NULL, comm);
        if (bytes)
            mm_buf_printf(buf, "__vm_enough_memory: pid: %u, comm: %s, "
                          "bytes: %llu not enough memory for the allocation\n",
                          f->pid, comm,
                          (unsigned long long)(f->pages << MM_PAGE_SHIFT));
        else
            mm_buf_printf(buf, "__vm_enough_memory: pid: %u, comm: %s, "
                          "no enough memory for the allocation\n",
                          f->pid, comm);
    }
    if (log->suppressed)
        mm_buf_printf(buf, "__vm_enough_memory: %llu callbacks suppressed\n",
                      (unsigned long long)log->suppressed);
    return buf->err;
}

/**
 * mm_comm_from_path() - task comm from an exec path
 * @path: the path (NULL or empty gives "")
 * @comm: 16 bytes out: last component, at most 15 characters
 *
 * Kernel: fs/exec.c __set_task_comm(kbasename(filename)).
 */
void mm_comm_from_path(const char *path, char comm[16])
{
    const char *base = path ? path : "";
    for (const char *p = base; *p; p++)
        if (*p == '/')
            base = p + 1;
    size_t n = strlen(base);
    if (n > 15)
        n = 15;
    memcpy(comm, base, n);
    comm[n] = '\0';
}
