/*
 * sup_arena.c - threads growing and trimming malloc arenas: the non-main
 * heaps grow one mprotect at a time and shrink with munmap/madvise; the main
 * arena grows with brk and is trimmed; large blocks are mmapped and
 * realloc'd with mremap. Prints a checksum, so runs can be compared.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NTHREADS = 4, NBLOCKS = 2000 };

static void *sup_worker(void *arg)
{
    size_t seed = (size_t)arg, sum = 0;
    char **b = calloc(NBLOCKS, sizeof(*b));
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < NBLOCKS; i++) {
            size_t n = 64 + (seed * 7919 + (size_t)i * 104729) % 4000;
            b[i] = malloc(n);
            memset(b[i], i & 0xff, n);
            sum += n;
        }
        for (int i = NBLOCKS - 1; i >= 0; i--)
            free(b[i]);
        malloc_trim(0);
    }
    char *big = malloc(1 << 20);
    big = realloc(big, 3 << 20);
    big[(3 << 20) - 1] = 1;
    free(big);
    free(b);
    return (void *)sum;
}

int main(void)
{
    pthread_t t[NTHREADS];
    size_t total = 0;
    for (size_t i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, sup_worker, (void *)(i + 1));
    void *main_sum = sup_worker((void *)0);
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (size_t)r;
    }
    printf("arena total %zu main %zu\n", total, (size_t)main_sum);
    return 0;
}
