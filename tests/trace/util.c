/*
 * tests/trace/util.c - the trace tests' shared helpers (see util.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

static int c_header(void *arg, uint32_t version, const struct tr_header *h)
{
    struct collect *c = arg;

    c->header_seen = 1;
    c->version = version;
    snprintf(c->kernel_release, sizeof(c->kernel_release), "%s",
             h->kernel_release ? h->kernel_release : "");
    c->page_size = h->page_size;
    return 0;
}

static int c_event(void *arg, const struct tr_event *ev)
{
    struct collect *c = arg;

    if (c->nr_events == c->cap_events) {
        c->cap_events = c->cap_events ? c->cap_events * 2 : 256;
        c->events = realloc(c->events, c->cap_events * sizeof(*ev));
        if (!c->events)
            abort();
    }
    c->events[c->nr_events++] = *ev;
    return 0;
}

static int c_string(void *arg, uint32_t id, const char *s, size_t len)
{
    struct collect *c = arg;

    (void)s;
    (void)len;
    c->strings++;
    c->last_string = id;
    return 0;
}

static int c_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    struct collect *c = arg;

    c->stacks++;
    c->last_stack = id;
    for (uint32_t i = 0; i < n; i++)
        c->stack_sum += ips[i];
    return 0;
}

static int c_module(void *arg, uint32_t id, const struct tr_module *m)
{
    (void)id;
    (void)m;
    ((struct collect *)arg)->modules++;
    return 0;
}

static void c_warning(void *arg, uint64_t off, const char *msg)
{
    struct collect *c = arg;
    size_t used = strlen(c->all_warnings);

    (void)off;
    c->warnings++;
    snprintf(c->last_warning, sizeof(c->last_warning), "%s", msg);
    snprintf(c->all_warnings + used, sizeof(c->all_warnings) - used, "%s\n",
             msg);
}

const struct tr_consumer collect_consumer = {
    c_header, c_event, c_string, c_stack, c_module, c_warning,
};

int collect_file(const char *path, struct collect *c, struct tr_read_stats *st)
{
    memset(c, 0, sizeof(*c));
    return tr_read_file(path, &collect_consumer, c, st);
}

int collect_bytes(const uint8_t *data, size_t len, struct collect *c,
                  struct tr_read_stats *st)
{
    int fd = memfd_create("trace", MFD_CLOEXEC);

    if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
        abort();
    lseek(fd, 0, SEEK_SET);
    memset(c, 0, sizeof(*c));
    int rc = tr_read_fd(fd, &collect_consumer, c, st);
    close(fd);
    return rc;
}

void collect_free(struct collect *c)
{
    free(c->events);
    c->events = NULL;
}

static char tmp_root[512];

const char *tmp_dir(void)
{
    if (!tmp_root[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(tmp_root, sizeof(tmp_root), "%s/mmsim-trace-XXXXXX",
                 t && *t ? t : "/tmp");
        if (!mkdtemp(tmp_root))
            abort();
    }
    return tmp_root;
}

const char *tmp_path(const char *name)
{
    static char path[1024];

    snprintf(path, sizeof(path), "%s/%s", tmp_dir(), name);
    return path;
}

void tmp_cleanup(void)
{
    char cmd[600];

    if (!tmp_root[0])
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_root);
    tmp_root[0] = '\0';
}

uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");

    if (!f)
        abort();
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
        abort();
    fclose(f);
    *len = (size_t)n;
    return p;
}

void spit(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

void sample_header(struct tr_header *h)
{
    static const struct tr_kv extra[] = {
        {"/proc/swaps", "Filename Type Size Used Priority\n"},
        {"numa_nodes", "1"},
    };
    static const char cmdline[] = "./prog\0--size\0" "1G";

    memset(h, 0, sizeof(*h));
    h->tool = "mmsim test";
    h->kernel_release = "6.18.0-test";
    h->hostname = "testhost";
    h->page_size = 4096;
    h->thp_enabled = "always [madvise] never";
    h->thp_defrag = "always defer defer+madvise [madvise] never";
    h->sysctl_vm = "overcommit_memory=0\novercommit_ratio=50\n";
    h->meminfo = "MemTotal:       16384000 kB\nMemFree:         8000000 kB\n";
    h->zoneinfo = "Node 0, zone      DMA\n  pages free     3840\n";
    h->cmdline = cmdline;
    h->cmdline_len = sizeof(cmdline);
    h->start_realtime_ns = 1763780000123456789ull;
    h->start_monotonic_ns = 987654321000ull;
    h->extra = extra;
    h->nr_extra = 2;
}

/* splitmix64: a small deterministic generator. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Frames of call site @k: a realistic depth and module layout. */
static uint32_t site_frames(uint64_t k, uint64_t *ips)
{
    uint32_t n = 8 + (uint32_t)(mix(k) % 23);

    for (uint32_t i = 0; i < n; i++) {
        uint64_t r = mix(k * 131 + i);
        uint64_t base = i < 2 ? 0x7f3a12400000ull : 0x55d4c8a00000ull;
        ips[i] = base + (r % 0x40000);
    }
    return n;
}

void sample_event(uint64_t seed, uint64_t i, struct tr_event *ev)
{
    uint64_t r = mix(seed ^ (i * 0x2545F4914F6CDD1Dull));

    memset(ev, 0, sizeof(*ev));
    ev->t_ns = 1000000000ull + i * 700 + (r % 500);
    ev->pid = 4242;
    ev->tid = 4242 + (uint32_t)((r >> 8) % 4);
    if (r % 100 < 3) {
        ev->type = TR_EV_MMAP;
        ev->a[1] = 4096ull << ((r >> 16) % 12);
        ev->a[2] = 3;
        ev->a[3] = 0x22;
        ev->a[4] = (uint64_t)-1;
        ev->ret = (int64_t)(0x7f3a00000000ull + ((r >> 20) % 100000) * 4096);
    } else if (r % 100 < 52) {
        ev->type = TR_EV_MALLOC;
        ev->a[0] = 16 + (r >> 12) % 500;
        ev->ret = (int64_t)(0x55d4c9000000ull + ((r >> 24) % 65536) * 32);
    } else {
        ev->type = TR_EV_FREE;
        ev->a[0] = 0x55d4c9000000ull + ((r >> 24) % 65536) * 32;
    }
}

static void add_refs(struct tr_writer *w, uint64_t seed, uint64_t i,
                     struct tr_event *ev)
{
    uint64_t r = mix(seed + i * 77);
    uint64_t ips[64];
    char path[64];

    if (ev->type == TR_EV_MALLOC || ev->type == TR_EV_MMAP) {
        /* Skewed call sites: a few hot ones, a long tail. */
        uint64_t k = (r % 4 == 0) ? r % 2000 : r % 40;
        uint32_t n = site_frames(k, ips);
        if (tr_writer_stack(w, ips, n, &ev->stack))
            abort();
    }
    if (ev->type == TR_EV_MMAP && r % 3 == 0) {
        int len = snprintf(path, sizeof(path), "/usr/lib/lib%u.so",
                           (unsigned)(r % 20));
        if (tr_writer_string(w, path, (size_t)len, &ev->str))
            abort();
        ev->dev = 0x803;
        ev->ino = 1000 + r % 20;
    }
}

/* The program's own module, as the recorder logs it at exec. */
static void write_module(struct tr_writer *w)
{
    struct tr_module m = {.t_ns = 999999000, .pid = 4242,
                          .base = 0x55d4c8a00000ull, .size = 0x40000,
                          .build_id_len = 20};
    static const char path[] = "/usr/bin/sample";

    for (int i = 0; i < 20; i++)
        m.build_id[i] = (uint8_t)(i * 13 + 7);
    if (tr_writer_string(w, path, sizeof(path) - 1, &m.path) ||
        tr_writer_module(w, &m, NULL))
        abort();
}

struct tr_writer_stats write_sample(const char *path, uint64_t seed,
                                    uint64_t n, uint64_t per_chunk)
{
    struct tr_header h;
    struct tr_writer *w;
    struct tr_writer_stats st;
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};

    sample_header(&h);
    if (tr_writer_open(&w, path, &h, &o))
        abort();
    write_module(w);
    for (uint64_t i = 0; i < n; i++) {
        struct tr_event ev;
        sample_event(seed, i, &ev);
        add_refs(w, seed, i, &ev);
        if (tr_writer_event(w, &ev))
            abort();
        if (per_chunk && (i + 1) % per_chunk == 0 && tr_writer_flush(w))
            abort();
    }
    if (tr_writer_flush(w))
        abort();
    tr_writer_get_stats(w, &st);
    if (tr_writer_close(w))
        abort();
    return st;
}
