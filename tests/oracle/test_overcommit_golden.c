/*
 * test_overcommit_golden.c - the model's overcommit verdicts against the
 * real kernels' (tests/oracle/golden/<case>/overcommit.txt, written by
 * probes/ocprobe.c under Debian 6.1 guests and on the 6.18 host).
 *
 * Every probe run recorded the inputs of the kernel's rule at the moment
 * of its final trials (MemTotal, SwapTotal, Hugetlb, Committed_AS, its own
 * VmSize, CAP_SYS_ADMIN, overcommit_ratio/kbytes, both reserves), the
 * largest private writable anonymous mapping the kernel admitted (N) and
 * that N + 1 was refused. For each run this test boots the model on the
 * case's zones (golden zoneinfo.txt) with that swap, hugetlb pool and
 * background commit, writes the run's sysctls, and asks the model's
 * __vm_enough_memory for N (must admit) and N + 1 (must refuse) on behalf
 * of a task with that total_vm and capability; the model's CommitLimit
 * must equal the kernel's.
 *
 * The host's zones manage fewer pages than its MemTotal (memory is
 * initialised lazily there); the missing pages are added to each zone up to
 * its present pages, highest zone first, so that totalram is the kernel's.
 *
 * Usage: test_overcommit_golden GOLDEN_DIR
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define MAX_CASES 64
#define MAX_PROBES 16

static const char *const zone_names[MM_NR_ZONES] = {
    "DMA", "DMA32", "Normal", "Movable", "Device",
};

/* One ocprobe run: the inputs it printed and the kernel's verdict. */
struct probe {
    int mode, cap, ratio, has_largest;
    uint64_t committed_kb, vmsize_kb, memtotal_kb, commitlimit_kb;
    uint64_t swap_kb, hugetlb_kb, kbytes, admin_kb, user_kb, largest;
    char head[96]; /* the "ocprobe begin ..." line, for messages */
};

struct golden_case {
    char dir[1024];
    char name[256];
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0, cap = 0, n;

    if (!f)
        return NULL;
    do {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            text = realloc(text, cap);
            assert_non_null(text);
        }
        n = fread(text + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    fclose(f);
    text[len] = '\0';
    return text;
}

static int zone_index(const char *name)
{
    for (int z = 0; z < MM_NR_ZONES; z++)
        if (strcmp(zone_names[z], name) == 0)
            return z;
    return -1;
}

/* One "key value" line of a zone block into the zone's shape. */
static void zone_field(struct mm_zone_shape *z, const char *line)
{
    unsigned long long v;

    if (sscanf(line, " spanned %llu", &v) == 1)
        z->spanned = v;
    else if (sscanf(line, " present %llu", &v) == 1)
        z->present = v;
    else if (sscanf(line, " managed %llu", &v) == 1)
        z->managed = v;
    else if (sscanf(line, " start_pfn: %llu", &v) == 1)
        z->start_pfn = v;
}

/* Nodes and zones of a /proc/zoneinfo text. */
static void parse_zoneinfo(char *text, struct mm_machine *m)
{
    struct mm_zone_shape *zone = NULL;
    char name[32];
    unsigned node;

    memset(m, 0, sizeof(*m));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (sscanf(line, "Node %u, zone %31s", &node, name) == 2) {
            int z = zone_index(name);
            assert_true(z >= 0 && node < MM_MAX_NUMNODES);
            zone = &m->nodes[node].zones[z];
            if (node + 1 > m->nr_nodes)
                m->nr_nodes = node + 1;
        } else if (zone) {
            zone_field(zone, line);
        }
    }
    assert_true(m->nr_nodes > 0);
}

/* Grow managed up to present, highest zone first, until @total pages. */
static void fold_to_total(struct mm_machine *m, uint64_t total)
{
    uint64_t have = mm_totalram_pages(m);

    for (unsigned n = 0; n < m->nr_nodes && have < total; n++)
        for (int z = MM_NR_ZONES - 1; z >= 0 && have < total; z--) {
            struct mm_zone_shape *s = &m->nodes[n].zones[z];
            uint64_t room = s->present - s->managed;
            uint64_t add = room < total - have ? room : total - have;
            s->managed += add;
            have += add;
        }
}

static void machine_for_case(const char *dir, int kernel618, struct mm_machine *m)
{
    char path[1100];
    char *text;

    snprintf(path, sizeof(path), "%s/zoneinfo.txt", dir);
    text = slurp(path);
    assert_non_null(text);
    parse_zoneinfo(text, m);
    free(text);
    for (unsigned n = 0; n < m->nr_nodes; n++)
        m->nodes[n].nr_cpus = 1;
    m->kernel = kernel618 ? MM_KERNEL(6, 18) : MM_KERNEL(6, 1);
    m->thp = MM_THP_MADVISE;
}

static void probe_field(struct probe *p, const char *key, const char *val)
{
    static const struct {
        const char *key;
        size_t off;
    } u64s[] = {
        {"Committed_AS_kB", offsetof(struct probe, committed_kb)},
        {"VmSize_kB", offsetof(struct probe, vmsize_kb)},
        {"MemTotal_kB", offsetof(struct probe, memtotal_kb)},
        {"CommitLimit_kB", offsetof(struct probe, commitlimit_kb)},
        {"SwapTotal_kB", offsetof(struct probe, swap_kb)},
        {"Hugetlb_kB", offsetof(struct probe, hugetlb_kb)},
        {"overcommit_kbytes", offsetof(struct probe, kbytes)},
        {"admin_reserve_kbytes", offsetof(struct probe, admin_kb)},
        {"user_reserve_kbytes", offsetof(struct probe, user_kb)},
        {"largest_ok_pages", offsetof(struct probe, largest)},
    };

    for (size_t i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++)
        if (strcmp(key, u64s[i].key) == 0)
            *(uint64_t *)((char *)p + u64s[i].off) = strtoull(val, NULL, 10);
    if (strcmp(key, "cap_sys_admin") == 0)
        p->cap = atoi(val);
    else if (strcmp(key, "overcommit_ratio") == 0)
        p->ratio = atoi(val);
    else if (strcmp(key, "largest_ok_pages") == 0)
        p->has_largest = 1;
}

/* The probe runs of an overcommit.txt; returns how many. */
static int parse_probes(char *text, struct probe *out, int max)
{
    int n = 0;
    struct probe *p = NULL;

    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *eq = strchr(line, '=');
        if (strncmp(line, "ocprobe begin ", 14) == 0) {
            assert_true(n < max);
            p = &out[n++];
            memset(p, 0, sizeof(*p));
            snprintf(p->head, sizeof(p->head), "%s", line + 14);
            assert_int_equal(sscanf(line, "ocprobe begin mode=%d", &p->mode), 1);
        } else if (strncmp(line, "ocprobe ", 8) == 0) {
            p = NULL;
        } else if (p && eq) {
            *eq = '\0';
            probe_field(p, line, eq + 1);
        }
    }
    return n;
}

static void sysctl(struct mm_sim *sim, const char *name, uint64_t value)
{
    char text[32];

    snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
    assert_int_equal(mm_sim_sysctl_write(sim, name, text), 0);
}

static struct mm_sim *boot_for_probe(const struct mm_machine *shape,
                                     const struct probe *p)
{
    struct mm_machine m = *shape;
    struct mm_sim *sim;
    int err;

    fold_to_total(&m, p->memtotal_kb / 4);
    assert_int_equal(mm_totalram_pages(&m), p->memtotal_kb / 4);
    m.swap_pages = p->swap_kb / 4;
    m.hugetlb_pages = p->hugetlb_kb / 4;
    m.bg_committed_pages = p->committed_kb / 4;
    sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    sysctl(sim, "overcommit_memory", (uint64_t)p->mode);
    if (p->kbytes)
        sysctl(sim, "overcommit_kbytes", p->kbytes);
    else
        sysctl(sim, "overcommit_ratio", (uint64_t)p->ratio);
    sysctl(sim, "admin_reserve_kbytes", p->admin_kb);
    sysctl(sim, "user_reserve_kbytes", p->user_kb);
    return sim;
}

/* 1 when the model's verdicts and CommitLimit equal the kernel's. */
static int check_probe(const char *name, const struct mm_machine *shape,
                       const struct probe *p)
{
    struct mm_sim *sim = boot_for_probe(shape, p);
    struct mm_task task = {0};
    int ok_n, ok_next, good;
    uint64_t limit_kb = mm_vm_commit_limit(sim) * 4;

    task.mm = mm__mm_alloc();
    assert_non_null(task.mm);
    task.mm->total_vm = p->vmsize_kb / 4;
    task.cap_sys_admin = p->cap != 0;
    ok_n = mm__vm_enough_memory(sim, &task, p->largest) == 0;
    if (ok_n)
        mm__vm_acct_memory(sim, -(int64_t)p->largest);
    ok_next = mm__vm_enough_memory(sim, &task, p->largest + 1) == 0;
    good = ok_n && !ok_next && limit_kb == p->commitlimit_kb;
    if (!good)
        print_error("%s [%s]: kernel admits %llu pages, refuses %llu, CommitLimit "
                    "%llu kB; model: %llu %s, %llu %s, CommitLimit %llu kB\n",
                    name, p->head, (unsigned long long)p->largest,
                    (unsigned long long)p->largest + 1,
                    (unsigned long long)p->commitlimit_kb,
                    (unsigned long long)p->largest, ok_n ? "admitted" : "REFUSED",
                    (unsigned long long)p->largest + 1, ok_next ? "ADMITTED" : "refused",
                    (unsigned long long)limit_kb);
    mm__mmput(sim, task.mm);
    mm_sim_free(sim);
    return good;
}

static void test_case(void **state)
{
    const struct golden_case *gc = *state;
    struct probe probes[MAX_PROBES];
    struct mm_machine shape;
    char path[1100];
    char *text;
    int n, bad = 0, checked = 0;

    machine_for_case(gc->dir, strncmp(gc->name, "host-6.18", 9) == 0, &shape);
    snprintf(path, sizeof(path), "%s/overcommit.txt", gc->dir);
    text = slurp(path);
    assert_non_null(text);
    n = parse_probes(text, probes, MAX_PROBES);
    free(text);
    for (int i = 0; i < n; i++) {
        if (!probes[i].has_largest)
            continue; /* the kernel showed no clean boundary: nothing to compare */
        checked++;
        bad += !check_probe(gc->name, &shape, &probes[i]);
    }
    assert_true(checked > 0);
    assert_int_equal(bad, 0);
}

static int cmp_cases(const void *a, const void *b)
{
    return strcmp(((const struct golden_case *)a)->name,
                  ((const struct golden_case *)b)->name);
}

/* Golden case directories that hold an overcommit.txt, sorted by name. */
static int find_cases(const char *golden, struct golden_case *cases, int max)
{
    DIR *d = opendir(golden);
    struct dirent *e;
    int n = 0;
    char path[1400];
    FILE *f;

    if (!d)
        return 0;
    while ((e = readdir(d)) && n < max) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/overcommit.txt", golden, e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        fclose(f);
        snprintf(cases[n].dir, sizeof(cases[n].dir), "%s/%s", golden, e->d_name);
        snprintf(cases[n].name, sizeof(cases[n].name), "%s", e->d_name);
        n++;
    }
    closedir(d);
    qsort(cases, (size_t)n, sizeof(cases[0]), cmp_cases);
    return n;
}

int main(int argc, char **argv)
{
    static struct golden_case cases[MAX_CASES];
    static struct CMUnitTest tests[MAX_CASES];
    int n;

    if (argc != 2) {
        fprintf(stderr, "usage: test_overcommit_golden GOLDEN_DIR\n");
        return 2;
    }
    n = find_cases(argv[1], cases, MAX_CASES);
    if (n == 0) {
        fprintf(stderr, "test_overcommit_golden: no golden cases in %s\n", argv[1]);
        return 1;
    }
    for (int i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, test_case, NULL, NULL, &cases[i]};
    return _cmocka_run_group_tests("overcommit_golden", tests, (size_t)n, NULL, NULL);
}
