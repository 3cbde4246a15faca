/*
 * bench_size - trace size and speed on a realistic synthetic stream:
 * mostly malloc/free with call stacks, some mmaps of files.
 *
 * usage: bench_size [EVENTS [PATH]]   (default 1000000 events, a temporary
 * file that is removed afterwards unless PATH is given)
 *        bench_size --recode IN OUT    (rewrite a trace with this writer,
 *                                       to compare encodings on real data)
 * Prints bytes per event, the chunk count, and write and read throughput.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Recoding: every record read from IN is written again to OUT. */
static int re_header(void *arg, uint32_t version, const struct tr_header *h)
{
    struct tr_writer **w = arg;
    struct tr_writer_opts o = {TR_W_REPLACE, 0, 0};

    (void)version;
    return tr_writer_open(w, getenv("RECODE_OUT"), h, &o);
}

static int re_event(void *arg, const struct tr_event *ev)
{
    return tr_writer_event(*(struct tr_writer **)arg, ev);
}

static int re_string(void *arg, uint32_t id, const char *s, size_t len)
{
    uint32_t nid;
    int rc = tr_writer_string(*(struct tr_writer **)arg, s, len, &nid);

    return rc ? rc : nid != id;
}

static int re_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    uint32_t nid;
    int rc = tr_writer_stack(*(struct tr_writer **)arg, ips, n, &nid);

    return rc ? rc : nid != id;
}

static int re_module(void *arg, uint32_t id, const struct tr_module *m)
{
    uint32_t nid;
    int rc = tr_writer_module(*(struct tr_writer **)arg, m, &nid);

    return rc ? rc : nid != id;
}

static int recode(const char *in, const char *out)
{
    static const struct tr_consumer c = {re_header, re_event, re_string,
                                         re_stack, re_module, NULL};
    struct tr_writer *w = NULL;
    struct tr_read_stats st;
    size_t len;

    setenv("RECODE_OUT", out, 1);
    int rc = tr_read_file(in, &c, &w, &st);
    if (tr_writer_close(w) || rc || st.damaged) {
        fprintf(stderr, "bench_size: recoding failed (%d)\n", rc);
        return 1;
    }
    free(slurp(out, &len));
    printf("events %llu  file %zu bytes  %.2f bytes/event\n",
           (unsigned long long)st.events, len,
           (double)len / (double)st.events);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--recode") == 0)
        return recode(argv[2], argv[3]);

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
