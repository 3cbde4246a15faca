/*
 * bench_boot - boot a simulated 1 TiB, 2-node machine and report the time
 * and the peak RSS it cost, to check that the model's cost scales with the
 * workload and not with the simulated RAM (target: < 1 s, < 64 MiB).
 *
 * Usage: bench_boot [GiB]   (default 1024; a multiple of 2 GiB, at least 8)
 * Prints one line: "boot <GiB> GiB 2 nodes: <ms> ms wall, <ms> ms CPU, peak
 * RSS <KiB> KiB, <n> free blocks" and exits 1 when a target is missed. The
 * time target applies to CPU time (user + system): wall time on a shared
 * build machine measures the other jobs too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "internal.h"

#define PFN_4G (1ull << 20)

static void zone(struct mm_machine *m, unsigned nid, enum mm_zone_type t,
                 uint64_t start, uint64_t spanned, uint64_t present,
                 uint64_t managed)
{
    m->nodes[nid].zones[t] = (struct mm_zone_shape){start, spanned, present,
                                                    managed};
}

/* Two nodes of @gib/2 GiB each; node 0 has DMA, DMA32 and a 1 GiB hole. */
static void make_machine(struct mm_machine *m, uint64_t gib)
{
    uint64_t half = gib / 2 << (30 - MM_PAGE_SHIFT);
    m->nr_nodes = 2;
    m->kernel = MM_KERNEL(6, 18);
    m->thp = MM_THP_MADVISE;
    m->nodes[0].nr_cpus = m->nodes[1].nr_cpus = 32;
    zone(m, 0, MM_ZONE_DMA, 1, 4095, 3998, 3840);
    zone(m, 0, MM_ZONE_DMA32, 4096, 1044480, 782336, 772808);
    uint64_t normal0 = half - 786432; /* node 0 RAM above 4 GiB */
    zone(m, 0, MM_ZONE_NORMAL, PFN_4G, normal0, normal0, normal0 - 65536);
    zone(m, 1, MM_ZONE_NORMAL, PFN_4G + normal0, half, half, half - 65536);
    m->distance[0][0] = m->distance[1][1] = 10;
    m->distance[0][1] = m->distance[1][0] = 21;
}

static double cpu_ms(const struct rusage *ru)
{
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    uint64_t gib = argc > 1 ? strtoull(argv[1], NULL, 10) : 1024;
    if (gib < 8 || gib % 2) {
        fprintf(stderr, "bench_boot: size: need an even number of GiB >= 8: '%s'\n",
                argv[1]);
        return 2;
    }
    static struct mm_machine m;
    make_machine(&m, gib);
    struct rusage r0, ru;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_ms();
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    double ms = now_ms() - t0;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = cpu_ms(&ru) - cpu_ms(&r0);
    if (!sim) {
        fprintf(stderr, "bench_boot: boot: %s\n", mm_strerror(err));
        return 1;
    }
    size_t blocks = 0;
    for (unsigned n = 0; n < sim->nr_nodes; n++)
        for (int t = 0; t < MM_NR_ZONES; t++)
            blocks += sim->nodes[n].zones[t].free_blocks.count;
    printf("boot %llu GiB 2 nodes: %.1f ms wall, %.1f ms CPU, peak RSS %ld KiB,"
           " %zu free blocks, min_free_kbytes %d\n", (unsigned long long)gib,
           ms, cpu, ru.ru_maxrss, blocks, sim->vm.min_free_kbytes);
    mm_sim_free(sim);
    return cpu < 1000.0 && ru.ru_maxrss < 64 * 1024 ? 0 : 1;
}
