/*
 * bench_alloc - the page allocator's cost per operation: N order-0 MOVABLE
 * allocations on a simulated 1 TiB, 2-node machine, then N frees, with the
 * CPU time per operation and the peak RSS (the per-allocation state the
 * model keeps must stay small).
 *
 * Usage: bench_alloc [N]   (default 2000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "internal.h"

#define PFN_4G (1ull << 20)

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static struct mm_sim *boot_1t(void)
{
    static struct mm_machine m;
    const uint64_t half = 1ull << 27, normal0 = half - 786432;
    m.nr_nodes = 2;
    m.kernel = MM_KERNEL(6, 18);
    m.thp = MM_THP_MADVISE;
    m.nodes[0].nr_cpus = m.nodes[1].nr_cpus = 8;
    m.nodes[0].zones[MM_ZONE_DMA] = (struct mm_zone_shape){1, 4095, 3998, 3840};
    m.nodes[0].zones[MM_ZONE_DMA32] =
        (struct mm_zone_shape){4096, 1044480, 782336, 772808};
    m.nodes[0].zones[MM_ZONE_NORMAL] =
        (struct mm_zone_shape){PFN_4G, normal0, normal0, normal0};
    m.nodes[1].zones[MM_ZONE_NORMAL] =
        (struct mm_zone_shape){PFN_4G + normal0, half, half, half};
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    if (!sim)
        fprintf(stderr, "bench_alloc: boot: %s\n", mm_strerror(err));
    return sim;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
    struct mm_sim *sim = boot_1t();
    uint64_t *pfns = n > 0 ? malloc((size_t)n * sizeof(*pfns)) : NULL;
    if (!sim || !pfns) {
        fprintf(stderr, "bench_alloc: need a positive count: '%s'\n",
                argc > 1 ? argv[1] : "");
        return 2;
    }
    struct mm_alloc_ctx ac = {0, MM_ZONE_MOVABLE, 0, MM_MIGRATE_MOVABLE, NULL, 0};
    double t0 = cpu_ms();
    for (long i = 0; i < n; i++)
        if (mm__alloc_pages(sim, &ac, &pfns[i])) {
            fprintf(stderr, "bench_alloc: allocation %ld failed\n", i);
            return 1;
        }
    double t1 = cpu_ms();
    for (long i = 0; i < n; i++)
        mm__free_pages(sim, pfns[i], 0);
    double t2 = cpu_ms();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%ld order-0 pages: alloc %.0f ns, free %.0f ns CPU per page, peak RSS"
           " %ld KiB, bad frees %llu\n", n, (t1 - t0) * 1e6 / (double)n,
           (t2 - t1) * 1e6 / (double)n, ru.ru_maxrss,
           (unsigned long long)sim->nr_bad_free);
    int bad = sim->nr_bad_free != 0;
    mm_sim_free(sim);
    free(pfns);
    return bad;
}
