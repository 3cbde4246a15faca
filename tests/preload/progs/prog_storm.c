/*
 * 32 threads allocate, reallocate and free into a shared slot array, so
 * most blocks are freed by another thread than the one that allocated them.
 * Each block carries its size and a fill pattern that is checked before it
 * is released. The output (per-thread sums of requested sizes, and the
 * count of corrupted blocks, which must be 0) does not depend on thread
 * interleaving.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 32
#define NSLOTS 1024
#define ITERS 3000

static _Atomic(unsigned char *) slots[NSLOTS];
static atomic_int corrupt;
static unsigned long long sums[NTHREADS];

static unsigned next_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void check_release(unsigned char *p)
{
    size_t n;

    memcpy(&n, p, sizeof(n));
    for (size_t i = sizeof(n); i < n; i++)
        if (p[i] != (unsigned char)n)
            atomic_fetch_add(&corrupt, 1);
    if (n % 4 == 0) { /* from the block, not a thread's seed: deterministic */
        p = realloc(p, n * 2);
        free(p);
    } else {
        free(p);
    }
}

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = id * 7919u + 1;

    for (int i = 0; i < ITERS; i++) {
        size_t n = sizeof(size_t) + next_rand(&seed) % 2000;
        unsigned char *p = malloc(n), *old;

        memcpy(p, &n, sizeof(n));
        memset(p + sizeof(n), (unsigned char)n, n - sizeof(n));
        sums[id] += n;
        old = atomic_exchange(&slots[next_rand(&seed) % NSLOTS], p);
        if (old != NULL)
            check_release(old);
    }
    return NULL;
}

int main(void)
{
    pthread_t th[NTHREADS];

    for (unsigned i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NSLOTS; i++)
        if (slots[i] != NULL)
            check_release(slots[i]);
    for (int i = 0; i < NTHREADS; i++)
        printf("thread %d requested %llu bytes\n", i, sums[i]);
    printf("corrupt blocks: %d\n", atomic_load(&corrupt));
    return atomic_load(&corrupt) != 0;
}
