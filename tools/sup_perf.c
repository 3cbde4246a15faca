/*
 * sup_perf.c - first touches: per-task page-fault sampling and residency
 * reconciliation.
 *
 * Every traced task gets its own perf software event PAGE_FAULTS with
 * sample_period=1 and PERF_SAMPLE_TID|TIME|ADDR on CLOCK_MONOTONIC (the
 * events' clock), opened at its clone event (inherit=1 cannot be combined
 * with a per-task ring, measured: EINVAL). The event follows the task over
 * exec. Rings are drained at the task's stops and at its exit into
 * TR_EV_FAULT (a[0] address, a[1] TR_FAULT_KERNEL if taken in kernel mode);
 * a ring that overflowed between two stops yields TR_EV_LOST (a[0] count,
 * a[1] 1 = fault samples). Kernel-mode faults (copy_to_user into a fresh
 * buffer) are sampled only with exclude_kernel=0, allowed when privileged.
 *
 * A sample says a fault happened, not what it mapped (fault-around maps up
 * to 16 file pages, a THP fault 512, a read maps the zero page). So before a
 * munmap or madvise runs, and at the address space's exit, the range is
 * scanned with PAGEMAP_SCAN (Linux 6.7+) and what is resident is recorded as
 * TR_EV_RESIDENT (a[0] start, a[1] pages, a[2] TR_RES_* categories; present
 * runs are split by pagemap's exclusive bit, sup_hoststat.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"

/* PAGEMAP_SCAN (uapi linux/fs.h of 6.7+; the build headers may be older). */
struct sup_pm_region {
    uint64_t start, end, categories;
};
struct sup_pm_scan {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask;
    uint64_t return_mask;
};
#define SUP_PAGEMAP_SCAN _IOWR('f', 16, struct sup_pm_scan)
#define SUP_PAGE_IS_WRITTEN (1u << 1)
#define SUP_PAGE_IS_FILE (1u << 2)
#define SUP_PAGE_IS_PRESENT (1u << 3)
#define SUP_PAGE_IS_SWAPPED (1u << 4)
#define SUP_PAGE_IS_PFNZERO (1u << 5)
#define SUP_PAGE_IS_HUGE (1u << 6)

struct sup_perf {
    int exclude_kernel;
    size_t data_pages; /* power of two */
    int no_scan;       /* PAGEMAP_SCAN is not available */
};

/**
 * sup_perf_new() - fault sampling settings for a recording.
 * @exclude_kernel: 1 unless privileged (kernel-mode faults need it off).
 *
 * Return: the settings, or NULL when out of memory.
 */
struct sup_perf *sup_perf_new(int exclude_kernel)
{
    struct sup_perf *p = calloc(1, sizeof(*p));
    if (p) {
        p->exclude_kernel = exclude_kernel;
        /* 16384 samples, several 10 ms ticks of a thread that does
         * nothing but fault; the kernel allocates and clears every page of
         * a ring when it is mapped, per task (512 pages cost 0.3 ms). A
         * signal at half full is no cure: with O_ASYNC, perf signals
         * every sample (measured: 106k signals for 111k faults). */
        p->data_pages = exclude_kernel ? 8 : 128;
    }
    return p;
}

/**
 * sup_perf_free() - release the settings.
 * @p: the settings, or NULL.
 */
void sup_perf_free(struct sup_perf *p)
{
    free(p);
}

/**
 * sup_perf_open() - start sampling @t's page faults.
 * @p: the settings, or NULL (no sampling).
 * @t: a stopped task.
 *
 * Return: 0, or a negative errno (the task then goes unsampled).
 */
int sup_perf_open(struct sup_perf *p, struct sup_task *t)
{
    if (!p || t->perf_fd >= 0)
        return 0;
    struct perf_event_attr a = {
        .type = PERF_TYPE_SOFTWARE, .size = sizeof(a),
        .config = PERF_COUNT_SW_PAGE_FAULTS, .sample_period = 1,
        .sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR,
        .exclude_kernel = (uint64_t)p->exclude_kernel, .exclude_hv = 1,
        .use_clockid = 1, .clockid = CLOCK_MONOTONIC,
    };
    int fd = (int)syscall(SYS_perf_event_open, &a, t->tid, -1, -1,
                          PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = (p->data_pages + 1) * 4096;
    void *ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ring == MAP_FAILED) {
        int e = -errno;
        close(fd);
        return e;
    }
    t->perf_fd = fd;
    t->perf_ring = ring;
    return 0;
}

/**
 * sup_perf_close() - stop sampling @t (its ring must have been drained).
 * @p: the settings, or NULL.
 * @t: the task.
 */
void sup_perf_close(struct sup_perf *p, struct sup_task *t)
{
    if (!p || t->perf_fd < 0)
        return;
    munmap(t->perf_ring, (p->data_pages + 1) * 4096);
    close(t->perf_fd);
    t->perf_fd = -1;
    t->perf_ring = NULL;
}

/* Copy @len bytes at ring offset @off (wrapping) into @out. */
static void sup_ring_copy(const uint8_t *data, uint64_t size, uint64_t off,
                          void *out, size_t len)
{
    uint64_t at = off & (size - 1);
    size_t first = len < size - at ? len : (size_t)(size - at);
    memcpy(out, data + at, first);
    memcpy((uint8_t *)out + first, data, len - first);
}

static void sup_perf_record(struct sup_run *r, struct sup_task *t,
                            const struct perf_event_header *h,
                            const uint64_t *body)
{
    struct tr_event ev;
    if (h->type == PERF_RECORD_SAMPLE) {
        t->perf_seen++;
        sup_event_init(&ev, TR_EV_FAULT, t);
        ev.tid = (uint32_t)(body[0] >> 32);
        ev.t_ns = body[1];
        ev.a[0] = body[2];
        ev.a[1] = (h->misc & PERF_RECORD_MISC_CPUMODE_MASK) ==
                          PERF_RECORD_MISC_KERNEL
                      ? TR_FAULT_KERNEL
                      : 0;
    } else if (h->type == PERF_RECORD_LOST) {
        t->perf_seen += body[1];
        sup_event_init(&ev, TR_EV_LOST, t);
        ev.a[0] = body[1];
        ev.a[1] = 1;
    } else {
        return;
    }
    sup_emit(r, &ev, NULL);
}

/**
 * sup_perf_drain_until() - emit @t's sampled faults since its last drain
 * up to time @until (CLOCK_MONOTONIC ns); later ones stay in its ring.
 * @r: the recording.
 * @t: a task, stopped or running (the ring is lock-free).
 * @until: the time limit (UINT64_MAX: everything).
 */
void sup_perf_drain_until(struct sup_run *r, struct sup_task *t,
                          uint64_t until)
{
    if (!r->perf || !t->perf_ring || !t->mm)
        return;
    struct perf_event_mmap_page *meta = t->perf_ring;
    const uint8_t *data = (const uint8_t *)t->perf_ring + 4096;
    uint64_t size = r->perf->data_pages * 4096;
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = meta->data_tail;
    while (tail < head) {
        struct perf_event_header h;
        uint64_t body[8] = {0};
        sup_ring_copy(data, size, tail, &h, sizeof(h));
        if (h.size < sizeof(h))
            break;
        size_t blen = h.size - sizeof(h) < sizeof(body) ? h.size - sizeof(h)
                                                        : sizeof(body);
        sup_ring_copy(data, size, tail + sizeof(h), body, blen);
        if (h.type == PERF_RECORD_SAMPLE && body[1] > until)
            break; /* samples of one ring are in time order */
        sup_perf_record(r, t, &h, body);
        tail += h.size;
    }
    __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

/**
 * sup_perf_drain() - emit @t's sampled faults since its last drain.
 * @r: the recording.
 * @t: a task, stopped or running.
 */
void sup_perf_drain(struct sup_run *r, struct sup_task *t)
{
    sup_perf_drain_until(r, t, UINT64_MAX);
}

/**
 * sup_perf_drain_all() - drain the rings of every task, stopped or running
 * (the ring is lock-free; the supervisor wakes up for this periodically so
 * that a task faulting for long without a stop does not overflow its ring).
 * @r: the recording.
 */
void sup_perf_drain_all(struct sup_run *r)
{
    sup_perf_drain_all_until(r, UINT64_MAX);
}

/**
 * sup_perf_drain_all_until() - sup_perf_drain_until() for every task.
 * @r: the recording.
 * @until: the time limit.
 */
void sup_perf_drain_all_until(struct sup_run *r, uint64_t until)
{
    for (size_t b = 0; r->perf && b < 1024; b++)
        for (struct sup_task *t = r->tasks.bucket[b]; t; t = t->hnext)
            sup_perf_drain_until(r, t, until);
}

/**
 * sup_perf_account() - at a task's exit, compare the event's count of faults
 * with the samples seen: a ring that overflowed reports its loss only with
 * its next sample, which a task that exits never makes. The difference is
 * recorded as TR_EV_LOST (a[1] 1 = fault samples).
 * @r: the recording.
 * @t: the task, stopped at its exit, its ring drained.
 */
void sup_perf_account(struct sup_run *r, struct sup_task *t)
{
    uint64_t count = 0;
    if (!r->perf || t->perf_fd < 0 || !t->mm ||
        read(t->perf_fd, &count, sizeof(count)) != (ssize_t)sizeof(count) ||
        count <= t->perf_seen)
        return;
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_LOST, t);
    ev.a[0] = count - t->perf_seen;
    ev.a[1] = 1;
    t->perf_seen = count;
    sup_emit(r, &ev, NULL);
}

static uint32_t sup_res_flags(uint64_t c)
{
    return ((c & SUP_PAGE_IS_PRESENT) ? TR_RES_PRESENT : 0) |
           ((c & SUP_PAGE_IS_PFNZERO) ? TR_RES_ZERO_PAGE : 0) |
           ((c & SUP_PAGE_IS_HUGE) ? TR_RES_HUGE : 0) |
           ((c & SUP_PAGE_IS_SWAPPED) ? TR_RES_SWAPPED : 0) |
           ((c & SUP_PAGE_IS_WRITTEN) ? TR_RES_WRITTEN : 0) |
           ((c & SUP_PAGE_IS_FILE) ? TR_RES_FILE : 0);
}

static int sup_scan_once(struct sup_run *r, struct sup_task *t, int fd,
                         struct sup_pm_scan *arg, struct sup_pm_region *vec)
{
    long n = ioctl(fd, SUP_PAGEMAP_SCAN, arg);
    if (n < 0)
        return -errno;
    for (long i = 0; i < n; i++)
        sup_host_resident(r, t, fd, vec[i].start,
                          (vec[i].end - vec[i].start) / 4096,
                          sup_res_flags(vec[i].categories));
    return 0;
}

/**
 * sup_perf_reconcile() - record what is resident in [@start, @end) of @t's
 * address space (PAGEMAP_SCAN: present, zero page, huge, swapped).
 * @r: the recording.
 * @t: a stopped task.
 * @start: start address (rounded down to a page).
 * @end: end address (rounded up, clamped to the user address space).
 */
void sup_perf_reconcile(struct sup_run *r, struct sup_task *t, uint64_t start,
                        uint64_t end)
{
    struct sup_perf *p = r->perf;
    if (!p || p->no_scan || !t->mm)
        return;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)t->tid);
    if (t->mm->pagemap_fd < 0)
        t->mm->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
    int fd = t->mm->pagemap_fd;
    if (fd < 0)
        return;
    struct sup_pm_region vec[256];
    uint64_t top = 0x7ffffffff000ull;
    struct sup_pm_scan arg = {
        .size = sizeof(arg), .start = start & ~4095ull,
        .end = end > top ? top : (end + 4095) & ~4095ull,
        .vec = (uint64_t)(uintptr_t)vec, .vec_len = 256,
        .category_anyof_mask = SUP_PAGE_IS_PRESENT | SUP_PAGE_IS_SWAPPED,
        .return_mask = SUP_PAGE_IS_PRESENT | SUP_PAGE_IS_PFNZERO |
                       SUP_PAGE_IS_HUGE | SUP_PAGE_IS_SWAPPED |
                       SUP_PAGE_IS_FILE,
    };
    while (arg.start < arg.end) {
        int rc = sup_scan_once(r, t, fd, &arg, vec);
        if (rc == -ENOTTY || rc == -EINVAL)
            p->no_scan = rc == -ENOTTY;
        if (rc < 0 || arg.walk_end <= arg.start)
            break;
        arg.start = arg.walk_end;
    }
}
