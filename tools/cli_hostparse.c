/*
 * cli_hostparse.c - pure parsers for the host files `--machine host` reads:
 * /proc/meminfo (and the per-node meminfo of sysfs), /proc/swaps, sysfs
 * cpulists, the THP mode file and uname's release string. The reading is
 * in cli_host.c.
 */
#include <string.h>

#include "cli_config.h"

static bool digits_u64(const char **pp, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *pp = p;
    *out = v;
    return true;
}

/**
 * cli_meminfo_get() - the value of "KEY:   N kB" in meminfo text
 * @text: NUL-terminated /proc/meminfo or /sys/.../nodeN/meminfo text (the
 *        "Node N " prefix of the latter is skipped)
 * @key: "MemTotal", "Committed_AS", ...
 * @kb: the number
 *
 * Return: 0, MM_ENOENT if the key is absent, MM_EINVAL if malformed.
 */
int cli_meminfo_get(const char *text, const char *key, uint64_t *kb)
{
    size_t klen = strlen(key);
    for (const char *l = text; *l; ) {
        const char *p = l;
        if (strncmp(p, "Node ", 5) == 0) {
            uint64_t node;
            p += 5;
            if (!digits_u64(&p, &node) || *p++ != ' ')
                return MM_EINVAL;
        }
        if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
            p += klen + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            return digits_u64(&p, kb) ? 0 : MM_EINVAL;
        }
        const char *nl = strchr(l, '\n');
        if (!nl)
            break;
        l = nl + 1;
    }
    return MM_ENOENT;
}

/**
 * cli_swaps_total() - sum of the Size column of /proc/swaps, in kB
 * @text: NUL-terminated; the first line is the header
 * @kb: the sum (0 with no swap)
 *
 * Return: 0 or MM_EINVAL for a line without a third numeric column.
 */
int cli_swaps_total(const char *text, uint64_t *kb)
{
    const char *l = strchr(text, '\n');
    *kb = 0;
    while (l && *++l) {
        const char *p = l;
        for (int col = 0; col < 2; col++) {
            while (*p && *p != ' ' && *p != '\t' && *p != '\n')
                p++;
            while (*p == ' ' || *p == '\t')
                p++;
        }
        uint64_t size;
        if (!digits_u64(&p, &size) || *kb + size < *kb)
            return MM_EINVAL;
        *kb += size;
        l = strchr(l, '\n');
    }
    return 0;
}

/**
 * cli_cpulist_count() - number of CPUs in a sysfs cpulist ("0-3,8,10-11")
 * @text: NUL-terminated; an empty list (memory-only node) counts 0
 * @count: the number of CPUs
 *
 * Return: 0 or MM_EINVAL.
 */
int cli_cpulist_count(const char *text, unsigned *count)
{
    const char *p = text;
    uint64_t n = 0;
    while (*p && *p != '\n') {
        uint64_t a, b;
        if (!digits_u64(&p, &a))
            return MM_EINVAL;
        b = a;
        if (*p == '-' && (p++, !digits_u64(&p, &b)))
            return MM_EINVAL;
        if (b < a || b - a >= 1u << 20)
            return MM_EINVAL;
        n += b - a + 1;
        if (*p == ',')
            p++;
        else if (*p && *p != '\n')
            return MM_EINVAL;
    }
    *count = (unsigned)(n > 1u << 20 ? 1u << 20 : n);
    return 0;
}

/**
 * cli_thp_parse() - the selected mode of transparent_hugepage/enabled
 * @text: "always [madvise] never"
 * @mode: the bracketed one
 *
 * Return: 0 or MM_EINVAL.
 */
int cli_thp_parse(const char *text, enum mm_thp_mode *mode)
{
    static const struct { const char *word; enum mm_thp_mode mode; } w[] = {
        {"[always]", MM_THP_ALWAYS},
        {"[madvise]", MM_THP_MADVISE},
        {"[never]", MM_THP_NEVER},
    };
    for (int i = 0; i < 3; i++)
        if (strstr(text, w[i].word))
            return *mode = w[i].mode, 0;
    return MM_EINVAL;
}

/**
 * cli_cmdline_no_zero_page() - whether a kernel command line forbids the
 * shared zero page for anonymous read faults (mm_forbids_zeropage())
 * @cmdline: the text of /proc/cmdline
 *
 * Vendor kernels such as the PVM guests mmsim is developed on take
 * `pvm_no_zero_page=1`; there an anonymous read allocates a page.
 *
 * Return: true if a whole word of @cmdline is `pvm_no_zero_page=1`.
 */
bool cli_cmdline_no_zero_page(const char *cmdline)
{
    static const char word[] = "pvm_no_zero_page=1";
    for (const char *p = cmdline; (p = strstr(p, word)); p += sizeof(word) - 1) {
        bool starts = p == cmdline || p[-1] == ' ' || p[-1] == '\t';
        char end = p[sizeof(word) - 1];
        if (starts && (end == '\0' || end == ' ' || end == '\n' || end == '\t'))
            return true;
    }
    return false;
}

/**
 * cli_uname_kernel() - MM_KERNEL(major, minor) from a release string
 * @release: "6.18.44-fc-v769", "6.1.0-56-amd64"
 * @kernel: the version, not clamped
 *
 * Return: 0 or MM_EINVAL.
 */
int cli_uname_kernel(const char *release, unsigned *kernel)
{
    const char *p = release;
    uint64_t major, minor;
    if (!digits_u64(&p, &major) || *p++ != '.' || !digits_u64(&p, &minor) ||
        major > 99 || minor > 999)
        return MM_EINVAL;
    *kernel = MM_KERNEL(major, minor);
    return 0;
}

/**
 * cli_host_fold_deferred() - make a node's managed pages add up to the
 * node's MemTotal
 * @m: the machine read from zoneinfo
 * @node: the node
 * @node_total: the node's totalram, in pages
 *
 * A kernel that hands memory to the buddy allocator lazily (deferred
 * struct page init that finishes on demand) counts pages in MemTotal that
 * no zone manages yet. A stock kernel finishes that work at boot, so the
 * model takes the finished state: the missing pages are added to the
 * node's highest zones, up to their present pages.
 */
void cli_host_fold_deferred(struct mm_machine *m, unsigned node,
                            uint64_t node_total)
{
    struct mm_node_shape *n = &m->nodes[node];
    uint64_t managed = 0;
    for (int z = 0; z < MM_NR_ZONES; z++)
        managed += n->zones[z].managed;
    uint64_t missing = node_total > managed ? node_total - managed : 0;
    for (int z = MM_ZONE_MOVABLE; z >= MM_ZONE_DMA && missing; z--) {
        struct mm_zone_shape *zs = &n->zones[z];
        uint64_t room = zs->present - zs->managed;
        uint64_t add = missing < room ? missing : room;
        zs->managed += add;
        missing -= add;
    }
}
