/*
 * bench_malloc4 - 4 threads each make N malloc/free pairs of mixed sizes
 * (16 B to 192 KiB: small chunks, arena growth and trim, and mmapped chunks
 * above glibc's 128 KiB threshold), keeping 64 blocks live. The recorder's
 * fast-path benchmark (tests/bench/fastpath.sh). Prints the bytes requested.
 *
 * Usage: bench_malloc4 [N]   (default 200000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long iters = 200000;

static void *worker(void *arg)
{
    unsigned s = (unsigned)(unsigned long)arg * 2654435761u + 1;
    void *live[64] = {0};
    unsigned long long total = 0;
    for (long i = 0; i < iters; i++) {
        s = s * 1103515245u + 12345u;
        unsigned k = (s >> 8) & 63;
        size_t n = (s >> 16) % 97 == 0 ? 65536 + (s >> 12) % 131072
                                        : 16 + (s >> 14) % 2048;
        free(live[k]);
        live[k] = malloc(n);
        if (live[k])
            memset(live[k], 1, n < 64 ? n : 64);
        total += n;
    }
    for (int k = 0; k < 64; k++)
        free(live[k]);
    return (void *)(unsigned long)(total & 0xffffffff);
}

int main(int argc, char **argv)
{
    pthread_t th[4];
    unsigned long long sum = 0;
    if (argc > 1)
        iters = atol(argv[1]);
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        sum += (unsigned long)r;
    }
    printf("%llu\n", sum);
    return 0;
}
