/*
 * bench_size - trace size and speed.
 *
 * usage: bench_size [EVENTS [PATH]]   a realistic synthetic stream (mostly
 *                                     malloc/free with call stacks, some
 *                                     mmaps of files); default 1000000
 *                                     events, a temporary file removed
 *                                     afterwards unless PATH is given
 *        bench_size --recode IN OUT [LEVEL]
 *                                     rewrite a recorded trace with this
 *                                     writer (zstd LEVEL, default the
 *                                     writer's), to compare encodings and
 *                                     writer speed on real data
 *
 * Prints bytes per event and write and read throughput. --recode loads
 * IN into memory first, so the write figure is the writer alone (encoding,
 * compression, write(2)): CPU ns per event of this process, and wall ns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A record of the input trace, kept in memory in the order it was read. */
struct item {
    int kind; /* 1 event, 2 string, 3 stack, 4 module */
    uint32_t n;
    struct tr_event ev;
    void *data; /* string bytes, frames or the module */
};

struct loaded {
    struct tr_header h;
    struct tr_kv *kv;
    struct item *items;
    size_t nr, cap;
    uint64_t events;
};

static void *dup_bytes(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);

    if (!q)
        abort();
    if (n)
        memcpy(q, p, n);
    return q;
}

static const char *dup_str(const char *s)
{
    return s ? dup_bytes(s, strlen(s) + 1) : NULL;
}

static struct item *add(struct loaded *l, int kind)
{
    if (l->nr == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->items = realloc(l->items, l->cap * sizeof(*l->items));
        if (!l->items)
            abort();
    }
    l->items[l->nr] = (struct item){.kind = kind};
    return &l->items[l->nr++];
}

static int ld_header(void *arg, uint32_t version, const struct tr_header *h)
{
    struct loaded *l = arg;

    (void)version;
    l->h = *h;
    l->h.tool = dup_str(h->tool);
    l->h.kernel_release = dup_str(h->kernel_release);
    l->h.hostname = dup_str(h->hostname);
    l->h.thp_enabled = dup_str(h->thp_enabled);
    l->h.thp_defrag = dup_str(h->thp_defrag);
    l->h.sysctl_vm = dup_str(h->sysctl_vm);
    l->h.meminfo = dup_str(h->meminfo);
    l->h.zoneinfo = dup_str(h->zoneinfo);
    l->h.cmdline = h->cmdline ? dup_bytes(h->cmdline, h->cmdline_len) : NULL;
    l->kv = dup_bytes(h->extra, h->nr_extra * sizeof(*h->extra));
    for (uint32_t i = 0; i < h->nr_extra; i++) {
        l->kv[i].name = dup_str(h->extra[i].name);
        l->kv[i].value = dup_str(h->extra[i].value);
    }
    l->h.extra = l->kv;
    return 0;
}

static int ld_event(void *arg, const struct tr_event *ev)
{
    struct loaded *l = arg;

    add(l, 1)->ev = *ev;
    l->events++;
    return 0;
}

static int ld_string(void *arg, uint32_t id, const char *s, size_t len)
{
    struct item *it = add(arg, 2);

    (void)id;
    it->n = (uint32_t)len;
    it->data = dup_bytes(s, len);
    return 0;
}

static int ld_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    struct item *it = add(arg, 3);

    (void)id;
    it->n = n;
    it->data = dup_bytes(ips, n * sizeof(*ips));
    return 0;
}

static int ld_module(void *arg, uint32_t id, const struct tr_module *m)
{
    (void)id;
    add(arg, 4)->data = dup_bytes(m, sizeof(*m));
    return 0;
}

static int write_item(struct tr_writer *w, const struct item *it)
{
    uint32_t id;

    switch (it->kind) {
    case 1: return tr_writer_event(w, &it->ev);
    case 2: return tr_writer_string(w, it->data, it->n, &id);
    case 3: return tr_writer_stack(w, it->data, it->n, &id);
    }
    return tr_writer_module(w, it->data, &id);
}

static int write_all(const struct loaded *l, const char *out, int level)
{
    struct tr_writer_opts o = {.flags = TR_W_REPLACE, .zstd_level = level};
    struct tr_writer *w;
    int rc = tr_writer_open(&w, out, &l->h, &o);

    for (size_t i = 0; rc == 0 && i < l->nr; i++)
        rc = write_item(w, &l->items[i]);
    int crc = tr_writer_close(w);
    return rc ? rc : crc;
}

static int count_event(void *arg, const struct tr_event *ev)
{
    (void)ev;
    (*(uint64_t *)arg)++;
    return 0;
}

static int recode(const char *in, const char *out, int level)
{
    static const struct tr_consumer load = {ld_header, ld_event, ld_string,
                                            ld_stack, ld_module, NULL};
    static const struct tr_consumer count = {.on_event = count_event};
    struct loaded l = {0};
    struct tr_read_stats st;
    uint64_t n = 0;
    size_t len;

    if (tr_read_file(in, &load, &l, &st) || st.damaged || !l.events) {
        fprintf(stderr, "bench_size: cannot load '%s'\n", in);
        return 1;
    }
    double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_s(CLOCK_MONOTONIC);
    int rc = write_all(&l, out, level);
    double c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t1 = clock_s(CLOCK_MONOTONIC);
    rc = rc ? rc : tr_read_file(out, &count, &n, &st);
    double c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (rc || n != l.events) {
        fprintf(stderr, "bench_size: recoding failed (%d)\n", rc);
        return 1;
    }
    free(slurp(out, &len));
    printf("events %llu  file %zu bytes  %.3f bytes/event\n",
           (unsigned long long)n, len, (double)len / (double)n);
    printf("write %.0f ns/event CPU (%.0f wall)  read %.0f ns/event CPU\n",
           (c1 - c0) * 1e9 / (double)n, (t1 - t0) * 1e9 / (double)n,
           (c2 - c1) * 1e9 / (double)n);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "--recode") == 0)
        return recode(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 0);

    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
    const char *path = argc > 2 ? argv[2] : tmp_path("bench.trace");
    struct collect c;
    struct tr_read_stats st;
    size_t len;

    double t0 = clock_s(CLOCK_MONOTONIC);
    struct tr_writer_stats ws = write_sample(path, 3, n, 0);
    double t1 = clock_s(CLOCK_MONOTONIC);
    free(slurp(path, &len));
    int rc = collect_file(path, &c, &st);
    double t2 = clock_s(CLOCK_MONOTONIC);
    if (rc || c.nr_events != n) {
        fprintf(stderr, "bench_size: read back failed\n");
        return 1;
    }
    printf("events %llu  stacks %u  strings %u  chunks %u\n",
           (unsigned long long)n, ws.stacks, ws.strings, ws.chunks);
    printf("file %zu bytes  %.2f bytes/event\n", len, (double)len / (double)n);
    printf("write %.0f ns/event  read %.0f ns/event (the generator's and the "
           "collector's costs included)\n",
           (t1 - t0) * 1e9 / (double)n, (t2 - t1) * 1e9 / (double)n);
    collect_free(&c);
    if (argc <= 2)
        tmp_cleanup();
    return 0;
}
