/*
 * cli_machine.c - the spec grammar of `--machine`:
 *
 *   mem=4G,swap=2G,nodes=2,cpus=4,thp=madvise,kernel=6.1
 *
 * Items are key=value separated by ','; per-node lists use ':'
 * (mem=1G:3G, cpus=2:0, distance=10:21:21:10); kernelcore= and
 * movablecore= carve ZONE_MOVABLE as the boot options do. The spec is turned into
 * node sizes and handed to cli_layout_build(), which lays the zones out as
 * an x86_64 QEMU guest would have them. docs/machine.md is the reference.
 */
#include <stdio.h>
#include <string.h>

#include "cli_config.h"

#define SPEC_WHERE "--machine"
#define MAX_LIST (MM_MAX_NUMNODES * MM_MAX_NUMNODES)
#define MIB_PAGES (1ull << (20 - MM_PAGE_SHIFT))

/* What the items said, before they are combined into a machine. */
struct spec {
    uint64_t mem[MM_MAX_NUMNODES];  /* bytes */
    unsigned nr_mem;
    unsigned nodes;                 /* 0 = not given */
    uint64_t cpus[MM_MAX_NUMNODES];
    unsigned nr_cpus;
    uint64_t dist[MAX_LIST];
    unsigned nr_dist;
    uint64_t swap, hugetlb;         /* bytes */
    uint64_t kernelcore, movablecore; /* bytes */
    uint64_t memcg;                 /* bytes; memory.max of the workload */
    uint64_t kswapd_rate;           /* bytes kswapd reclaims per second */
    int thp;                        /* -1 = not given */
    unsigned kernel;                /* 0 = not given */
    unsigned seen;                  /* bit per key, for duplicates */
};

struct spec_key {
    const char *name;
    int (*parse)(struct spec *s, const char *val, size_t len,
                 const char **why);
};

static int size_suffix_shift(char c)
{
    switch (c) {
    case 'K': case 'k': return 10;
    case 'M': case 'm': return 20;
    case 'G': case 'g': return 30;
    case 'T': case 't': return 40;
    default: return -1;
    }
}

static bool parse_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (s == end || *s < '0' || *s > '9')
        return false;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return true;
}

/**
 * cli_parse_size() - a size with an optional K/M/G/T suffix (powers of
 * 1024), optionally followed by "B" or "iB": "4G", "512MiB", "65536"
 * @text: the text (not NUL-terminated)
 * @len: its length
 * @bytes: the size in bytes
 *
 * Return: 0, MM_EINVAL for malformed text, MM_EOVERFLOW past 2^64-1.
 */
int cli_parse_size(const char *text, size_t len, uint64_t *bytes)
{
    const char *p = text, *end = text + len;
    uint64_t v;
    if (!parse_u64(&p, end, &v))
        return (p < end && *p >= '0' && *p <= '9') ? MM_EOVERFLOW : MM_EINVAL;
    int shift = 0;
    if (p < end && (shift = size_suffix_shift(*p)) >= 0) {
        p++;
        if (end - p >= 2 && p[0] == 'i' && p[1] == 'B')
            p += 2;
        else if (p < end && *p == 'B')
            p++;
    } else {
        shift = 0;
    }
    if (p != end)
        return MM_EINVAL;
    if (shift && v > (UINT64_MAX >> shift))
        return MM_EOVERFLOW;
    *bytes = v << shift;
    return 0;
}

/**
 * cli_kernel_parse() - "6.1", "6.18": a kernel version in the range the
 * model emulates
 * @text: the text (not NUL-terminated)
 * @len: its length
 * @kernel: MM_KERNEL(major, minor)
 *
 * Return: 0, MM_EINVAL if malformed, MM_ERANGE if outside 6.1..6.18.
 */
int cli_kernel_parse(const char *text, size_t len, unsigned *kernel)
{
    const char *p = text, *end = text + len;
    uint64_t major, minor;
    if (!parse_u64(&p, end, &major) || p == end || *p++ != '.' ||
        !parse_u64(&p, end, &minor) || p != end)
        return MM_EINVAL;
    if (major > 99 || minor > 999)
        return MM_ERANGE;
    unsigned k = MM_KERNEL(major, minor);
    if (k < CLI_KERNEL_MIN || k > CLI_KERNEL_MAX)
        return MM_ERANGE;
    *kernel = k;
    return 0;
}

/** cli_kernel_clamp() - the nearest version in 6.1..6.18 to @kernel. */
unsigned cli_kernel_clamp(unsigned kernel)
{
    if (kernel < CLI_KERNEL_MIN)
        return CLI_KERNEL_MIN;
    return kernel > CLI_KERNEL_MAX ? CLI_KERNEL_MAX : kernel;
}

/* A ':'-separated list of sizes (sizes=true) or plain integers. */
static int parse_list(const char *val, size_t len, bool sizes, uint64_t *out,
                      unsigned max, unsigned *n, const char **why)
{
    const char *p = val, *end = val + len;
    *n = 0;
    for (;;) {
        const char *sep = memchr(p, ':', (size_t)(end - p));
        const char *e = sep ? sep : end;
        if (*n == max)
            return *why = "too many values in the list", MM_EINVAL;
        int rc = sizes ? cli_parse_size(p, (size_t)(e - p), &out[*n]) : 0;
        const char *q = p;
        if (!sizes && (!parse_u64(&q, e, &out[*n]) || q != e))
            rc = MM_EINVAL;
        if (rc)
            return *why = rc == MM_EOVERFLOW ? "size too large"
                          : sizes ? "not a size (like 512M, 4G)"
                                  : "not a number",
                   rc;
        (*n)++;
        if (!sep)
            return 0;
        p = sep + 1;
    }
}

static int key_mem(struct spec *s, const char *v, size_t n, const char **why)
{
    return parse_list(v, n, true, s->mem, MM_MAX_NUMNODES, &s->nr_mem, why);
}

static int key_cpus(struct spec *s, const char *v, size_t n, const char **why)
{
    return parse_list(v, n, false, s->cpus, MM_MAX_NUMNODES, &s->nr_cpus,
                      why);
}

static int key_distance(struct spec *s, const char *v, size_t n,
                        const char **why)
{
    return parse_list(v, n, false, s->dist, MAX_LIST, &s->nr_dist, why);
}

static int key_nodes(struct spec *s, const char *v, size_t n, const char **why)
{
    uint64_t x;
    const char *p = v;
    if (!parse_u64(&p, v + n, &x) || p != v + n)
        return *why = "not a number", MM_EINVAL;
    if (x < 1 || x > MM_MAX_NUMNODES)
        return *why = "nodes must be 1..64", MM_ERANGE;
    s->nodes = (unsigned)x;
    return 0;
}

static int key_swap(struct spec *s, const char *v, size_t n, const char **why)
{
    int rc = cli_parse_size(v, n, &s->swap);
    if (rc)
        *why = rc == MM_EOVERFLOW ? "size too large" : "not a size";
    return rc;
}

static int parse_size_key(const char *v, size_t n, uint64_t *bytes,
                          const char **why)
{
    int rc = cli_parse_size(v, n, bytes);
    if (rc)
        *why = rc == MM_EOVERFLOW ? "size too large" : "not a size";
    return rc;
}

static int key_kernelcore(struct spec *s, const char *v, size_t n,
                          const char **why)
{
    return parse_size_key(v, n, &s->kernelcore, why);
}

static int key_movablecore(struct spec *s, const char *v, size_t n,
                           const char **why)
{
    return parse_size_key(v, n, &s->movablecore, why);
}

static int key_memcg(struct spec *s, const char *v, size_t n,
                     const char **why)
{
    return parse_size_key(v, n, &s->memcg, why);
}

static int key_kswapd_rate(struct spec *s, const char *v, size_t n,
                           const char **why)
{
    int rc = parse_size_key(v, n, &s->kswapd_rate, why);
    if (!rc && s->kswapd_rate < MM_PAGE_SIZE)
        return *why = "kswapd_rate must be at least 4K (a page per second)",
               MM_EINVAL;
    return rc;
}

static int key_hugetlb(struct spec *s, const char *v, size_t n,
                       const char **why)
{
    int rc = cli_parse_size(v, n, &s->hugetlb);
    if (rc)
        return *why = rc == MM_EOVERFLOW ? "size too large" : "not a size", rc;
    if (s->hugetlb % (2ull << 20))
        return *why = "hugetlb must be a multiple of 2M (the huge page size)",
               MM_EINVAL;
    return 0;
}

static int key_thp(struct spec *s, const char *v, size_t n, const char **why)
{
    static const char *const names[] = {"never", "madvise", "always"};
    for (int i = 0; i < 3; i++)
        if (strlen(names[i]) == n && memcmp(v, names[i], n) == 0)
            return s->thp = i, 0;
    return *why = "thp must be always, madvise or never", MM_EINVAL;
}

static int key_kernel(struct spec *s, const char *v, size_t n,
                      const char **why)
{
    int rc = cli_kernel_parse(v, n, &s->kernel);
    if (rc)
        *why = rc == MM_ERANGE ? "the model emulates kernels 6.1 to 6.18"
                               : "kernel must look like 6.1 or 6.18";
    return rc;
}

static const struct spec_key spec_keys[] = {
    {"mem", key_mem},       {"nodes", key_nodes},     {"cpus", key_cpus},
    {"distance", key_distance}, {"swap", key_swap},   {"hugetlb", key_hugetlb},
    {"thp", key_thp},       {"kernel", key_kernel},
    {"kernelcore", key_kernelcore}, {"movablecore", key_movablecore},
    {"memcg", key_memcg},   {"kswapd_rate", key_kswapd_rate},
};

static int parse_item(struct spec *s, const char *item, size_t len,
                      struct cli_err *err)
{
    const char *eq = memchr(item, '=', len);
    if (!eq)
        return cli_err_set(err, SPEC_WHERE, "expected key=value", item, len);
    size_t klen = (size_t)(eq - item);
    for (size_t i = 0; i < sizeof(spec_keys) / sizeof(spec_keys[0]); i++) {
        const struct spec_key *k = &spec_keys[i];
        if (strlen(k->name) != klen || memcmp(k->name, item, klen) != 0)
            continue;
        if (s->seen & (1u << i))
            return cli_err_set(err, SPEC_WHERE, "key given twice", item, len);
        s->seen |= 1u << i;
        const char *why = NULL;
        if (k->parse(s, eq + 1, len - klen - 1, &why))
            return cli_err_set(err, SPEC_WHERE, why, item, len);
        return 0;
    }
    return cli_err_set(err, SPEC_WHERE,
                       "unknown key (mem, nodes, cpus, distance, swap, "
                       "hugetlb, thp, kernel, kernelcore, movablecore, memcg, "
                       "kswapd_rate)",
                       item, len);
}

/* nodes= wins; else the length of a per-node list; else 1. */
static int spec_nodes(const struct spec *s, unsigned *nodes, const char **why)
{
    unsigned n = s->nodes;
    unsigned lists[2] = {s->nr_mem > 1 ? s->nr_mem : 0,
                         s->nr_cpus > 1 ? s->nr_cpus : 0};
    for (int i = 0; i < 2; i++) {
        if (!lists[i])
            continue;
        if (n && n != lists[i])
            return *why = i ? "cpus list length differs from the node count"
                            : "mem list length differs from the node count",
                   MM_EINVAL;
        n = lists[i];
    }
    *nodes = n ? n : 1;
    return 0;
}

static int spec_mem(const struct spec *s, struct cli_layout *lay,
                    const char **why)
{
    if (!s->nr_mem)
        return *why = "mem= is required", MM_EINVAL;
    for (unsigned i = 0; i < s->nr_mem; i++)
        if (s->mem[i] % MM_PAGE_SIZE)
            return *why = "mem is not a multiple of 4K (the page size)",
                   MM_EINVAL;
    if (s->nr_mem == 1) {
        uint64_t pages = s->mem[0] / MM_PAGE_SIZE;
        for (unsigned i = 0; i < lay->nr_nodes; i++)
            lay->node_pages[i] = pages / lay->nr_nodes +
                                 (i == 0 ? pages % lay->nr_nodes : 0);
    } else {
        for (unsigned i = 0; i < lay->nr_nodes; i++)
            lay->node_pages[i] = s->mem[i] / MM_PAGE_SIZE;
    }
    return 0;
}

static int spec_cpus(const struct spec *s, struct cli_layout *lay,
                     const char **why)
{
    unsigned n = lay->nr_nodes;
    uint64_t total = s->nr_cpus == 1 ? s->cpus[0] : n, sum = 0;
    if (s->nr_cpus > 1) {
        for (unsigned i = 0; i < n; i++) {
            if (s->cpus[i] > 8192)
                return *why = "more than 8192 CPUs on a node", MM_ERANGE;
            lay->node_cpus[i] = (unsigned)s->cpus[i];
            sum += s->cpus[i];
        }
        if (!sum)
            return *why = "the machine needs at least one CPU", MM_EINVAL;
        return 0;
    }
    if (total < 1 || total > 8192)
        return *why = "cpus must be 1..8192", MM_ERANGE;
    for (unsigned i = 0; i < n; i++)
        lay->node_cpus[i] = (unsigned)(total / n + (i < total % n));
    return 0;
}

/* SLIT rules (drivers/acpi/numa/srat.c slit_valid): 10 on the diagonal,
 * more than 10 elsewhere; 255 means unreachable and is refused here. */
static int spec_distance(const struct spec *s, struct mm_machine *m,
                         const char **why)
{
    unsigned n = m->nr_nodes;
    if (s->nr_dist > 1 && s->nr_dist != n * n)
        return *why = "distance needs 1 value or nodes*nodes values",
               MM_EINVAL;
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++) {
            uint64_t d = s->nr_dist > 1 ? s->dist[i * n + j]
                         : i == j ? 10 : s->nr_dist ? s->dist[0] : 20;
            if (i == j && d != 10)
                return *why = "a node's distance to itself must be 10",
                       MM_EINVAL;
            if (i != j && (d <= 10 || d > 254))
                return *why = "distance between nodes must be 11..254",
                       MM_ERANGE;
            m->distance[i][j] = (uint8_t)d;
        }
    }
    return 0;
}

static uint64_t total_managed(const struct mm_machine *m)
{
    uint64_t sum = 0;
    for (unsigned n = 0; n < m->nr_nodes; n++)
        for (int z = 0; z < MM_NR_ZONES; z++)
            sum += m->nodes[n].zones[z].managed;
    return sum;
}

/* Swap, hugetlb, THP and kernel: everything after the zones exist. */
static int spec_rest(const struct spec *s, unsigned default_kernel,
                     struct mm_machine *m, const char **why)
{
    uint64_t managed = total_managed(m);
    /* mkswap keeps one page for the swap header */
    m->swap_pages = s->swap >= 2 * MM_PAGE_SIZE ? s->swap / MM_PAGE_SIZE - 1
                                                : 0;
    if (s->swap && !m->swap_pages)
        return *why = "swap smaller than two pages", MM_EINVAL;
    m->hugetlb_pages = s->hugetlb / MM_PAGE_SIZE;
    if (m->hugetlb_pages >= managed)
        return *why = "hugetlb pool larger than the memory", MM_EINVAL;
    /* mm/huge_memory.c hugepage_init(): THP off below 512 MiB of RAM;
     * above, Debian's CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS. */
    if (s->thp >= 0)
        m->thp = (enum mm_thp_mode)s->thp;
    else
        m->thp = managed < 512 * MIB_PAGES ? MM_THP_NEVER : MM_THP_ALWAYS;
    m->kernel = s->kernel ? s->kernel : cli_kernel_clamp(default_kernel);
    m->kswapd_rate = s->kswapd_rate / MM_PAGE_SIZE; /* 0: the model's default */
    return cli_machine_memcg(s->memcg, m, why);
}

/**
 * cli_machine_memcg() - set the memory cgroup limit of a machine
 * @bytes: memory.max in bytes (rounded down to pages, as the kernel's
 *         page_counter does); 0 = no memory cgroup limit
 * @m: the machine (its zones already set)
 * @why: the problem, on error
 *
 * Return: 0 or MM_EINVAL (under one page, or more than the machine's RAM).
 */
int cli_machine_memcg(uint64_t bytes, struct mm_machine *m, const char **why)
{
    m->memcg_max_pages = bytes / MM_PAGE_SIZE;
    if (bytes && !m->memcg_max_pages)
        return *why = "memcg smaller than one page", MM_EINVAL;
    if (m->memcg_max_pages > total_managed(m))
        return *why = "memcg larger than the memory", MM_EINVAL;
    return 0;
}

static int spec_build(const struct spec *s, unsigned default_kernel,
                      struct mm_machine *m, const char *spec,
                      struct cli_err *err)
{
    struct cli_layout lay = {0};
    const char *why = NULL;
    if (spec_nodes(s, &lay.nr_nodes, &why) || spec_mem(s, &lay, &why) ||
        spec_cpus(s, &lay, &why))
        return cli_err_set(err, SPEC_WHERE, why, spec, strlen(spec));
    lay.kernelcore = s->kernelcore / MM_PAGE_SIZE;
    lay.movablecore = s->movablecore / MM_PAGE_SIZE;
    int rc = cli_layout_build(&lay, m, err);
    if (rc)
        return rc;
    if (spec_distance(s, m, &why) || spec_rest(s, default_kernel, m, &why))
        return cli_err_set(err, SPEC_WHERE, why, spec, strlen(spec));
    return 0;
}

/**
 * cli_machine_parse_spec() - build a machine from a spec string
 * @spec: "mem=4G,swap=2G,nodes=2" (grammar in docs/machine.md)
 * @default_kernel: the version emulated when the spec has no kernel=
 * @m: the machine, zeroed and filled in
 * @err: what is wrong, naming the item (or the spec, for combinations)
 *
 * Return: 0 or a negative MM_E* value with @err set.
 */
int cli_machine_parse_spec(const char *spec, unsigned default_kernel,
                           struct mm_machine *m, struct cli_err *err)
{
    struct spec s = {.thp = -1};
    size_t len = strlen(spec);
    if (!len)
        return cli_err_set(err, SPEC_WHERE, "empty machine spec", spec, 0);
    for (const char *p = spec; p <= spec + len;) {
        const char *comma = memchr(p, ',', (size_t)(spec + len - p));
        const char *e = comma ? comma : spec + len;
        int rc = parse_item(&s, p, (size_t)(e - p), err);
        if (rc)
            return rc;
        p = e + 1;
    }
    memset(m, 0, sizeof(*m));
    return spec_build(&s, default_kernel, m, spec, err);
}
