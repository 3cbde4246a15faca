/*
 * bench_reclaim - replay speed under heavy memory pressure: N touch events
 * (write faults, each preceded by a clock advance as the replay does) on a
 * 256 MiB machine with 2 GiB of swap, by one process sweeping a 1 GiB
 * anonymous mapping over and over. After the first sweep nearly every
 * touch is a swap-in (a major fault) that needs reclaim to swap another
 * page out, with kswapd (at its default rate) and direct reclaim both at
 * work. Prints events/s (per second of CPU time, which a loaded machine
 * does not distort, and of wall time) and the reclaim counters.
 *
 * Usage: bench_reclaim [N] [NS_PER_EVENT]  (defaults 10000000 and 100)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "internal.h"

#define WS_PAGES (1ull << 18) /* 1 GiB */
#define BASE 0x7f0000000000ull

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: the figure to trust on a loaded machine. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static struct mm_sim *boot_256m(void)
{
    static struct mm_machine m;
    m.nr_nodes = 1;
    m.kernel = MM_KERNEL(6, 1);
    m.thp = MM_THP_ALWAYS;
    m.nodes[0].nr_cpus = 2;
    m.nodes[0].zones[MM_ZONE_DMA] = (struct mm_zone_shape){1, 4095, 3998, 3840};
    m.nodes[0].zones[MM_ZONE_DMA32] =
        (struct mm_zone_shape){4096, 61405, 61405, 60000};
    m.swap_pages = 2 * WS_PAGES;
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    if (!sim)
        fprintf(stderr, "bench_reclaim: boot: %s\n", mm_strerror(err));
    return sim;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000000;
    long step = argc > 2 ? strtol(argv[2], NULL, 10) : 100;
    struct mm_sim *sim = boot_256m();
    if (!sim || n <= 0 || step < 0) {
        fprintf(stderr, "bench_reclaim: usage: bench_reclaim [N] [NS_PER_EVENT]\n");
        return 2;
    }
    struct mm_map_req req = {.addr = BASE, .len = WS_PAGES * MM_PAGE_SIZE,
                             .prot = MM_PROT_READ | MM_PROT_WRITE,
                             .flags = MM_MAP_PRIVATE | MM_MAP_ANONYMOUS};
    if (mm_task_new(sim, 1) || mm_mmap(sim, 1, &req)) {
        fprintf(stderr, "bench_reclaim: cannot set up the process\n");
        return 1;
    }
    uint64_t t = 0, failed = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (long i = 0; i < n; i++) {
        mm_sim_set_time(sim, t += (uint64_t)step);
        uint64_t page = (uint64_t)i % WS_PAGES;
        if (mm_fault(sim, 1, BASE + page * MM_PAGE_SIZE, true))
            failed++;
    }
    double dt = now_s() - t0, dc = cpu_s() - c0;
    struct mm_reclaim_state rs;
    mm_reclaim_state(sim, &rs);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_reclaim: %ld touch events: %.0f events/s of CPU time "
           "(%.2f s), %.0f events/s of wall time (%.2f s); failed %" PRIu64
           ", peak RSS %ld MiB\n", n, (double)n / dc, dc, (double)n / dt, dt,
           failed, ru.ru_maxrss / 1024);
    printf("  pswpin %" PRIu64 " pswpout %" PRIu64 " pgmajfault %" PRIu64
           " allocstall %" PRIu64 "\n  pgscan kswapd %" PRIu64 " direct %"
           PRIu64 ", pgsteal kswapd %" PRIu64 " direct %" PRIu64
           ", swap free %" PRIu64 " of %" PRIu64 "\n",
           rs.pswpin, rs.pswpout, rs.pgmajfault, rs.allocstall,
           rs.pgscan_kswapd, rs.pgscan_direct, rs.pgsteal_kswapd,
           rs.pgsteal_direct, rs.swap_free, rs.swap_total);
    mm_sim_free(sim);
    return failed ? 1 : 0;
}
