/*
 * malloc/free microbenchmark: THREADS threads each do ITERS malloc+free
 * pairs of varying small sizes, called a few frames deep, keeping a small
 * working set alive so blocks are recycled realistically. Prints the wall
 * time of the timed loop, the wall time per malloc+free pair per thread,
 * and the CPU time per pair (threads' own CPU time, which other load on a
 * shared machine does not inflate).
 *
 * Usage: malloc_bench [threads [iters [depth]]]; depth (default 0) adds
 * that many frames between each thread's start and its loop, as a deep
 * program (an interpreter) has. The result line goes to stderr (so it
 * passes through tools that capture the program's stdout).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define KEEP 64

static long iters = 1000000;
static int depth;
static double cpu_total;
static pthread_mutex_t cpu_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

__attribute__((noinline)) static void *level3(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static void *level2(size_t n)
{
    return level3(n);
}

__attribute__((noinline)) static void *level1(size_t n)
{
    return level2(n);
}

static double thread_cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *loop(void *arg)
{
    double c0 = thread_cpu_s();
    void *keep[KEEP] = {0};
    unsigned s = (unsigned)(size_t)arg * 2654435761u + 1;

    for (long i = 0; i < iters; i++) {
        size_t n;
        int k;

        s = s * 1103515245u + 12345u;
        n = 16 + (s >> 16) % 512;
        k = (int)((s >> 8) % KEEP);
        free(keep[k]);
        keep[k] = level1(n);
    }
    for (int k = 0; k < KEEP; k++)
        free(keep[k]);
    c0 = thread_cpu_s() - c0;
    pthread_mutex_lock(&cpu_lock);
    cpu_total += c0;
    pthread_mutex_unlock(&cpu_lock);
    return NULL;
}

/* Recurse @d frames deep, then run the loop. */
__attribute__((noinline)) static void *deeper(void *arg, int d)
{
    void *r = d > 0 ? deeper(arg, d - 1) : loop(arg);

    __asm__ volatile("" ::: "memory"); /* not a tail call */
    return r;
}

static void *worker(void *arg)
{
    return deeper(arg, depth);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    pthread_t th[64];
    double t0, t1;

    if (argc > 2)
        iters = atol(argv[2]);
    if (argc > 3)
        depth = atoi(argv[3]);
    if (threads < 1 || threads > 64 || iters < 1 || depth < 0 || depth > 200)
        return 2;
    t0 = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, worker, (void *)(size_t)i);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    t1 = now_s();
    fprintf(stderr, "%d threads x %ld malloc+free: %.1f ms, %.1f ns per pair per thread, "
           "%.1f ns CPU per pair\n", threads, iters, (t1 - t0) * 1e3,
           (t1 - t0) * 1e9 / (double)iters,
           cpu_total * 1e9 / ((double)iters * threads));
    return 0;
}
