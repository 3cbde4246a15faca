/*
 * test_oom_golden.c - the model's OOM victims against the real kernel's
 * (tests/oracle/golden/256m-oom-* and 256m-memcg-*: Debian 6.1 guests of
 * 256 MiB without swap where two probes/toucher.c processes grow until one
 * is killed; see tests/oracle/README.md).
 *
 * For each case the machine is the guest's, read with the zoneinfo reader
 * of --machine zoneinfo: from the golden zoneinfo.txt, with the memory the
 * guest already used when the probes began (managed - free of each zone)
 * as background, the guest's min_free_kbytes, watermark_scale_factor and
 * lowmem_reserve_ratio, and for the memcg cases the guest's memory.max as
 * the model's memory cgroup limit. The workload is replayed through direct
 * model calls in the order the guest's console shows it (oom.txt: one
 * "touched_mib" line per chunk a toucher completed): each toucher is exec'd
 * with a small image (text read from a file both share, a few data and
 * stack pages), writes its oom_score_adj, then maps and write-touches one
 * private anonymous chunk of its step size per line. After the last line
 * before the kernel's kill message the touchers go on one chunk each in
 * turn, the way sched_yield() interleaves them, until the model's OOM
 * killer acts; the survivor then finishes its target.
 *
 * Asserted: exactly one kill, of the toucher the kernel killed, and the
 * survivor completes. Printed: the model's task table next to the golden's
 * (rss, pgtables_bytes) for the record.
 *
 * Usage: test_oom_golden GOLDEN_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_config.h"
#include "internal.h"

#define MIB_PAGES 256ull
#define TEXT_PAGES 160ull
#define COMM_ID 7u
#define CHUNK_BASE 0x7f0000000000ull

static const char *golden_dir;

struct oom_case {
    const char *name;
    unsigned target_a, target_b; /* MiB, from the case's probes file */
};

static const struct oom_case cases[] = {
    {"256m-oom-b0", 160, 160},     {"256m-oom-bm500", 160, 160},
    {"256m-oom-bp500", 160, 160},  {"256m-oom-bm1000", 160, 160},
    {"256m-memcg-b0", 80, 40},     {"256m-memcg-bp500", 80, 40},
};

struct toucher {
    char name;                 /* 'A' or 'B' */
    uint32_t pid;              /* the guest's pid, used as is */
    int adj;
    unsigned step, target;     /* MiB */
    unsigned done;             /* MiB completed in the model */
    bool started, dead;
};

struct run {
    struct mm_sim *sim;
    struct toucher t[2];
    uint64_t next_chunk;       /* top-down chunk placement */
};

static char *slurp(const char *name, const char *file, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", golden_dir, name, file);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1u << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1u << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char *names(void *ctx, uint32_t id)
{
    (void)ctx;
    return id == COMM_ID ? "/probes/toucher" : NULL;
}

static void apply(struct mm_sim *sim, const char *sysctl, const char *key)
{
    char pat[64], value[128];
    snprintf(pat, sizeof(pat), "vm.%s = ", key);
    const char *p = strstr(sysctl, pat);
    assert_non_null(p);
    p += strlen(pat);
    size_t n = strcspn(p, "\n");
    assert_true(n < sizeof(value));
    memcpy(value, p, n);
    value[n] = '\0';
    assert_int_equal(mm_sim_sysctl_write(sim, key, value), 0);
}

/* Background: what each zone of the guest did not have free. */
static void background(const char *zi, struct mm_machine *m)
{
    const char *p = zi;
    while ((p = strstr(p, "Node "))) {
        unsigned nid;
        char zone[16];
        unsigned long free_pages, managed;
        if (sscanf(p, "Node %u, zone %15s", &nid, zone) != 2)
            break;
        const char *f = strstr(p, "pages free"), *g = strstr(p, "managed");
        assert_non_null(f);
        assert_non_null(g);
        assert_int_equal(sscanf(f, "pages free %lu", &free_pages), 1);
        assert_int_equal(sscanf(g, "managed %lu", &managed), 1);
        if (managed > free_pages)
            m->bg_used_pages[nid] += managed - free_pages;
        p++;
    }
}

static struct mm_sim *boot(const char *name, uint64_t memcg_bytes)
{
    size_t zlen, slen;
    char *zi = slurp(name, "zoneinfo.txt", &zlen);
    char *sys = slurp(name, "sysctl.txt", &slen);
    static struct mm_machine m;
    struct cli_err cerr = {0};
    assert_int_equal(cli_zoneinfo_parse(zi, zlen, name, &m, &cerr), 0);
    background(zi, &m);
    m.memcg_max_pages = memcg_bytes >> MM_PAGE_SHIFT;
    int err;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    apply(sim, sys, "min_free_kbytes");
    apply(sim, sys, "watermark_scale_factor");
    apply(sim, sys, "lowmem_reserve_ratio");
    free(zi);
    free(sys);
    return sim;
}

static int map(struct mm_sim *sim, uint32_t pid, uint64_t addr, uint64_t pages,
               uint32_t prot, uint32_t flags, uint64_t ino)
{
    struct mm_map_req req = {.addr = addr, .len = pages << 12, .prot = prot,
                             .flags = flags, .dev = ino ? 0xfe01 : 0,
                             .ino = ino, .path = ino ? COMM_ID : 0};
    return mm_mmap(sim, pid, &req);
}

/* exec of the static toucher, its first touches and the adj write. */
static void start(struct run *r, struct toucher *t)
{
    struct mm_sim *sim = r->sim;
    struct mm_exec_req ex = {.start_brk = 0x4c8000, .start_stack = 0x7ffffffde000,
                             .start_code = 0x401000, .end_code = 0x4a0000,
                             .path = COMM_ID};
    assert_int_equal(mm_exec(sim, t->pid, &ex), 0);
    assert_int_equal(map(sim, t->pid, 0x400000, TEXT_PAGES, MM_PROT_READ |
                         MM_PROT_EXEC, MM_MAP_PRIVATE, 42), 0);
    assert_int_equal(map(sim, t->pid, 0x4c0000, 8, MM_PROT_READ | MM_PROT_WRITE,
                         MM_MAP_PRIVATE | MM_MAP_ANONYMOUS, 0), 0);
    assert_int_equal(map(sim, t->pid, 0x7ffffffde000, 33, MM_PROT_READ |
                         MM_PROT_WRITE, MM_MAP_PRIVATE | MM_MAP_ANONYMOUS |
                         MM_MAP_GROWSDOWN, 0), 0);
    for (uint64_t i = 0; i < TEXT_PAGES; i++)
        mm_fault(sim, t->pid, 0x400000 + (i << 12), false);
    for (uint64_t i = 0; i < 3; i++)
        mm_fault(sim, t->pid, 0x4c0000 + (i << 12), true);
    mm_fault(sim, t->pid, 0x7ffffffff000 - 4096, true);
    mm_fault(sim, t->pid, 0x7ffffffff000 - 8192, true);
    assert_int_equal(mm_set_oom_score_adj(sim, t->pid, t->adj), 0);
    t->started = true;
}

/* One chunk: mmap step MiB, write one byte per page; false if killed. */
static bool chunk(struct run *r, struct toucher *t)
{
    uint64_t pages = t->step * MIB_PAGES;
    r->next_chunk -= pages << 12;
    if (map(r->sim, t->pid, r->next_chunk, pages, MM_PROT_READ | MM_PROT_WRITE,
            MM_MAP_PRIVATE | MM_MAP_ANONYMOUS, 0))
        return false;
    for (uint64_t i = 0; i < pages; i++)
        if (mm_fault(r->sim, t->pid, r->next_chunk + (i << 12), true))
            break;
    for (int k = 0; k < 2; k++)
        if (mm_task_oom_killed(r->sim, r->t[k].pid))
            r->t[k].dead = true;
    if (t->dead)
        return false;
    t->done += t->step;
    return true;
}

static struct toucher *by_name(struct run *r, char name)
{
    return &r->t[name == 'A' ? 0 : 1];
}

/* The pid and adj of each toucher from its "start" line. */
static void parse_starts(struct run *r, const char *log)
{
    const char *p = log;
    while ((p = strstr(p, "toucher "))) {
        char name;
        unsigned pid;
        int adj;
        if (sscanf(p, "toucher %c pid=%u adj=%d start", &name, &pid, &adj) == 3) {
            by_name(r, name)->pid = pid;
            by_name(r, name)->adj = adj;
        }
        p++;
    }
}

/* Lines of oom.txt before the kernel's kill message, in order. */
static void replay_log(struct run *r, const char *log)
{
    const char *line = log;
    parse_starts(r, log);
    for (; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
        char name;
        unsigned pid, mib;
        int adj;
        if (strstr(line, "Killed process") &&
            strstr(line, "Killed process") < strchr(line, '\n'))
            return;
        if (sscanf(line, "toucher %c pid=%u adj=%d start", &name, &pid, &adj) == 3) {
            /* fork order is pid order here: a toucher with a lower pid
             * whose line comes later was created first */
            for (int k = 0; k < 2; k++)
                if (!r->t[k].started && r->t[k].pid < pid)
                    start(r, &r->t[k]);
            if (!by_name(r, name)->started)
                start(r, by_name(r, name));
        } else if (sscanf(line, "toucher %c pid=%*u touched_mib=%u", &name,
                          &mib) == 2) {
            struct toucher *t = by_name(r, name);
            if (!t->step)
                t->step = mib;
            if (!t->dead && t->done < mib)
                chunk(r, t);
        }
    }
}

/* After the log: one chunk each in turn until all are done or dead. */
static void run_on(struct run *r)
{
    for (bool more = true; more;) {
        more = false;
        for (int k = 0; k < 2; k++) {
            struct toucher *t = &r->t[k];
            if (t->started && !t->dead && t->done < t->target) {
                chunk(r, t);
                more = true;
            }
        }
    }
}

static uint32_t golden_victim(const char *kernel_log)
{
    const char *p = strstr(kernel_log, "Killed process ");
    assert_non_null(p);
    return (uint32_t)strtoul(p + strlen("Killed process "), NULL, 10);
}

static void print_table(const struct mm_sim *sim, const char *golden)
{
    const char *g = strstr(golden, "Tasks state");
    const char *end = g ? strstr(g, "oom-kill:") : NULL;
    if (g && end)
        printf("  golden:\n%.*s", (int)(end - g), g);
    struct mm_buf b = {0};
    if (mm_oom_log_count(sim))
        mm_oom_report_render(sim, mm_oom_log_at(sim, 0), &b, names, NULL);
    printf("  model:\n%s", b.data ? b.data : "(no OOM event)\n");
    mm_buf_free(&b);
}

/* "max N oom N oom_kill N" from the guest's memory.events lines. */
static const char *golden_events(const char *log)
{
    static char out[96];
    unsigned long mx = 0, oom = 0, kill = 0;
    const char *p = strstr(log, "memory.events max ");
    const char *q = strstr(log, "memory.events oom ");
    const char *k = strstr(log, "memory.events oom_kill ");
    if (p)
        sscanf(p, "memory.events max %lu", &mx);
    if (q)
        sscanf(q, "memory.events oom %lu", &oom);
    if (k)
        sscanf(k, "memory.events oom_kill %lu", &kill);
    snprintf(out, sizeof(out), "max %lu oom %lu oom_kill %lu", mx, oom, kill);
    return out;
}

static void check_case(const struct oom_case *c)
{
    size_t llen, klen;
    char *log = slurp(c->name, "oom.txt", &llen);
    char *klog = slurp(c->name, "oom-kernel.txt", &klen);
    const char *max = strstr(log, "memory.max ");
    uint64_t memcg = max ? strtoull(max + strlen("memory.max "), NULL, 10) : 0;
    struct run r = {.sim = boot(c->name, memcg), .next_chunk = CHUNK_BASE};
    r.t[0] = (struct toucher){.name = 'A', .target = c->target_a};
    r.t[1] = (struct toucher){.name = 'B', .target = c->target_b};
    replay_log(&r, log);
    run_on(&r);
    uint32_t victim = golden_victim(klog);
    printf("%s: kernel killed %u; model killed:%s%s; oom_kill %llu\n", c->name,
           victim, r.t[0].dead ? " A" : "", r.t[1].dead ? " B" : "",
           (unsigned long long)mm_oom_kills(r.sim));
    print_table(r.sim, klog);
    assert_int_equal(mm_oom_kills(r.sim), 1);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(r.t[k].dead, r.t[k].pid == victim);
        if (!r.t[k].dead)
            assert_int_equal(r.t[k].done, r.t[k].target);
    }
    assert_int_equal(mm_oom_log_at(r.sim, 0)->memcg, memcg != 0);
    if (memcg) {
        struct mm_memcg_stats ms;
        mm_memcg_stats(r.sim, &ms);
        printf("  memory.events: max %llu oom %llu oom_kill %llu "
               "(the guest's: %s)\n", (unsigned long long)ms.events_max,
               (unsigned long long)ms.events_oom,
               (unsigned long long)ms.events_oom_kill, golden_events(log));
    }
    mm_sim_free(r.sim);
    free(log);
    free(klog);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_oom_golden GOLDEN_DIR\n");
        return 2;
    }
    golden_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
