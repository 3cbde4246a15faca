/*
 * rel_alloc.c - `rel_alloc N`: N malloc/free pairs (sizes 16 B to 4 KiB
 * in a fixed cycle, a few live at once) and, every 4096th pair, a 1 MiB
 * block (above glibc's mmap threshold: an mmap and a munmap, or heap
 * growth once the threshold has adapted). Prints a checksum of what it
 * wrote, so a run that mangles memory prints otherwise, and on stderr its
 * own peak RSS (getrusage: ru_maxrss, kB), the shim's memory included when
 * it runs under `mmsim record --fast-path`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define REL_LIVE 64

int main(int argc, char **argv)
{
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    unsigned char *live[REL_LIVE] = {0};
    unsigned long long sum = 0;
    for (unsigned long long i = 0; i < n; i++) {
        size_t len = (i & 4095) == 4095 ? (1u << 20) : 16 + (i * 37) % 4081;
        unsigned slot = (unsigned)(i % REL_LIVE);
        free(live[slot]);
        live[slot] = malloc(len);
        if (!live[slot]) {
            fprintf(stderr, "rel_alloc: malloc(%zu) failed\n", len);
            return 1;
        }
        live[slot][0] = (unsigned char)i;
        live[slot][len - 1] = (unsigned char)(i >> 8);
        sum += live[slot][0] + live[slot][len - 1];
    }
    for (unsigned s = 0; s < REL_LIVE; s++)
        free(live[s]);
    printf("%llu allocations, checksum %llu\n", n, sum);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "rel_alloc: maxrss_kb %ld\n", ru.ru_maxrss);
    return 0;
}
