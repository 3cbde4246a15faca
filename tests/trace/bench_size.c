/*
 * bench_size - trace size and speed on a realistic synthetic stream:
 * mostly malloc/free with call stacks, some mmaps of files.
 *
 * usage: bench_size [EVENTS [PATH]]   (default 1000000 events, a temporary
 * file that is removed afterwards unless PATH is given)
 * Prints bytes per event, the chunk count, and write and read throughput.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
    const char *path = argc > 2 ? argv[2] : tmp_path("bench.trace");
    struct collect c;
    struct tr_read_stats st;
    size_t len;

    double t0 = now();
    struct tr_writer_stats ws = write_sample(path, 3, n, 0);
    double t1 = now();
    free(slurp(path, &len));
    int rc = collect_file(path, &c, &st);
    double t2 = now();
    if (rc || c.nr_events != n) {
        fprintf(stderr, "bench_size: read back failed\n");
        return 1;
    }
    printf("events %llu  stacks %u  strings %u  chunks %u\n",
           (unsigned long long)n, ws.stacks, ws.strings, ws.chunks);
    printf("file %zu bytes  %.2f bytes/event\n", len, (double)len / (double)n);
    printf("write %.0f ns/event  read %.0f ns/event\n",
           (t1 - t0) * 1e9 / (double)n, (t2 - t1) * 1e9 / (double)n);
    collect_free(&c);
    if (argc <= 2)
        tmp_cleanup();
    return 0;
}
