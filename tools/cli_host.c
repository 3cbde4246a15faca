/*
 * cli_host.c - `--machine host`: this machine's shape, read from
 * /proc/zoneinfo (nodes, zones), /sys/devices/system/node (per-node
 * MemTotal, CPUs, distances, memory in use), /proc/meminfo (MemTotal,
 * Committed_AS, the hugetlb pool), /proc/swaps, the THP mode and the
 * kernel release. The parsing is in cli_zoneinfo.c and cli_hostparse.c;
 * this file only reads files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli_config.h"

#define NODE_DIR "/sys/devices/system/node/node%u/%s"

/**
 * cli_read_file() - read a whole file (also /proc and /sys files, whose
 * size is not known in advance) into a NUL-terminated buffer
 * @where: what the file is for, for the error ("--sysctl-file")
 * @path: the file
 * @text: set to a malloc'd buffer the caller frees
 * @len: bytes read
 * @err: `WHERE: cannot read FILE: reason: 'FILE'` on failure
 *
 * Return: 0 or MM_EIO / MM_ENOMEM with @err set.
 */
int cli_read_file(const char *where, const char *path, char **text,
                  size_t *len, struct cli_err *err)
{
    char problem[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 4096, n = 0;
    char *buf = fd < 0 ? NULL : malloc(cap);
    ssize_t got = 0;
    while (buf && (got = read(fd, buf + n, cap - n - 1)) > 0) {
        n += (size_t)got;
        char *bigger = n + 1 == cap ? realloc(buf, cap *= 2) : buf;
        if (!bigger)
            free(buf);
        buf = bigger;
    }
    int saved = fd < 0 || got < 0 ? errno : buf ? 0 : ENOMEM;
    if (fd >= 0)
        close(fd);
    if (saved) {
        free(buf);
        snprintf(problem, sizeof(problem), "cannot read file: %s",
                 strerror(saved));
        cli_err_set(err, where, problem, path, strlen(path));
        return saved == ENOMEM ? MM_ENOMEM : MM_EIO;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* The node's memory in use by others: what free(1) calls used. */
static uint64_t node_used_pages(const char *text)
{
    uint64_t total = 0, free_kb = 0, file = 0, srec = 0;
    cli_meminfo_get(text, "MemTotal", &total);
    cli_meminfo_get(text, "MemFree", &free_kb);
    cli_meminfo_get(text, "FilePages", &file);
    cli_meminfo_get(text, "SReclaimable", &srec);
    uint64_t avail = free_kb + file + srec;
    return total > avail ? (total - avail) / 4 : 0;
}

static int host_distance(struct mm_machine *m, unsigned node, const char *t)
{
    const char *p = t;
    for (unsigned j = 0; j < m->nr_nodes; j++) {
        char *end;
        unsigned long d = strtoul(p, &end, 10);
        if (end == p || d > 255)
            return MM_EINVAL;
        m->distance[node][j] = (uint8_t)d;
        p = end;
    }
    return 0;
}

static int host_node_file(unsigned node, const char *file, char **text,
                          struct cli_err *err)
{
    char path[128];
    size_t len;
    snprintf(path, sizeof(path), NODE_DIR, node, file);
    return cli_read_file("--machine host", path, text, &len, err);
}

/* CPUs, distances, MemTotal and used memory of one NUMA node. */
static int host_node(struct mm_machine *m, unsigned node, struct cli_err *err)
{
    char *info = NULL, *dist = NULL, *cpus = NULL;
    uint64_t total = 0;
    int rc = host_node_file(node, "meminfo", &info, err);
    if (!rc)
        rc = host_node_file(node, "distance", &dist, err);
    if (!rc)
        rc = host_node_file(node, "cpulist", &cpus, err);
    if (!rc && (cli_meminfo_get(info, "MemTotal", &total) ||
                host_distance(m, node, dist) ||
                cli_cpulist_count(cpus, &m->nodes[node].nr_cpus)))
        rc = cli_err_set(err, "--machine host",
                         "unexpected sysfs node file format", "node", 4);
    if (!rc) {
        cli_host_fold_deferred(m, node, total / 4);
        m->bg_used_pages[node] = node_used_pages(info);
    }
    free(info);
    free(dist);
    free(cpus);
    return rc;
}

static uint64_t node_managed(const struct mm_machine *m, unsigned node)
{
    uint64_t sum = 0;
    for (int z = 0; z < MM_NR_ZONES; z++)
        sum += m->nodes[node].zones[z].managed;
    return sum;
}

/* MemTotal (what is still missing from the zones after the per-node fold
 * goes to the first nodes with room), Committed_AS, the hugetlb pool. */
static int host_meminfo(struct mm_machine *m, struct cli_err *err)
{
    char *text;
    size_t len;
    uint64_t total = 0, committed = 0, huge = 0, huge_kb = 0, managed = 0;
    int rc = cli_read_file("--machine host", "/proc/meminfo", &text, &len,
                           err);
    if (rc)
        return rc;
    if (cli_meminfo_get(text, "MemTotal", &total) ||
        cli_meminfo_get(text, "Committed_AS", &committed))
        rc = cli_err_set(err, "--machine host",
                         "no MemTotal or Committed_AS", "/proc/meminfo", 13);
    cli_meminfo_get(text, "HugePages_Total", &huge);
    cli_meminfo_get(text, "Hugepagesize", &huge_kb);
    free(text);
    for (unsigned n = 0; n < m->nr_nodes; n++)
        managed += node_managed(m, n);
    for (unsigned n = 0; n < m->nr_nodes && total / 4 > managed; n++) {
        uint64_t before = node_managed(m, n);
        cli_host_fold_deferred(m, n, before + total / 4 - managed);
        managed += node_managed(m, n) - before;
    }
    m->bg_committed_pages = committed / 4;
    m->hugetlb_pages = huge * (huge_kb / 4);
    return rc;
}

static int host_misc(struct mm_machine *m, struct cli_err *err)
{
    char *text;
    size_t len;
    uint64_t swap_kb = 0;
    int rc = cli_read_file("--machine host", "/proc/swaps", &text, &len, err);
    if (rc)
        return rc;
    rc = cli_swaps_total(text, &swap_kb);
    free(text);
    if (rc)
        return cli_err_set(err, "--machine host", "malformed line",
                           "/proc/swaps", 11);
    m->swap_pages = swap_kb / 4;
    /* without THP support the file is absent: THP is then never */
    m->thp = MM_THP_NEVER;
    if (!cli_read_file("--machine host",
                       "/sys/kernel/mm/transparent_hugepage/enabled", &text,
                       &len, NULL)) {
        cli_thp_parse(text, &m->thp);
        free(text);
    }
    if (!cli_read_file("--machine host", "/proc/cmdline", &text, &len, NULL)) {
        m->no_zero_page = cli_cmdline_no_zero_page(text);
        free(text);
    }
    struct utsname u;
    unsigned kernel = CLI_KERNEL_MAX;
    if (uname(&u) == 0)
        cli_uname_kernel(u.release, &kernel);
    m->kernel = cli_kernel_clamp(kernel);
    return 0;
}

/**
 * cli_host_machine() - this machine's shape, as `--machine host`
 * @m: filled in (zeroed first)
 * @err: set on failure, naming the file
 *
 * MemTotal of the model is the sum of the zones' managed pages. On a host
 * that counts in MemTotal pages not yet handed to the buddy allocator
 * (lazy deferred init), the missing pages are added to the zones (see
 * cli_host_fold_deferred()), so the model's MemTotal and CommitLimit equal
 * the host's. Without /sys/devices/system/node the host is one node with
 * all online CPUs.
 *
 * Return: 0 or a negative MM_E* value with @err set.
 */
int cli_host_machine(struct mm_machine *m, struct cli_err *err)
{
    char *text;
    size_t len;
    int rc = cli_read_file("--machine host", "/proc/zoneinfo", &text, &len,
                           err);
    if (rc)
        return rc;
    rc = cli_zoneinfo_parse(text, len, "/proc/zoneinfo", m, err);
    free(text);
    bool numa = access("/sys/devices/system/node/node0", F_OK) == 0;
    for (unsigned n = 0; !rc && numa && n < m->nr_nodes; n++)
        rc = host_node(m, n, err);
    if (!numa) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        m->nodes[0].nr_cpus = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (!rc)
        rc = host_meminfo(m, err);
    if (!rc)
        rc = host_misc(m, err);
    return rc;
}
