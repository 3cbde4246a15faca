/*
 * cli_numa.c - the --numa-policy option: MODE[=FLAGS][:NODELIST], the
 * grammar of the kernel's mpol_parse_str() (tmpfs mpol=) with the mode
 * names numactl users know as aliases.
 *
 * MODE: default, local, prefer|preferred, bind, interleave,
 * prefer-many|preferred-many, weighted-interleave. FLAGS: static or
 * relative (MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES). NODELIST: node
 * numbers and ranges ("0-3,5") or "all". Whether the nodes exist is
 * checked against the simulated machine when it boots (mm_mpol_check()),
 * since the machine is not known while options are read. Pure: no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_config.h"

#define WHERE "--numa-policy"

static const struct {
    const char *name;
    enum mm_mpol_mode mode;
} mode_names[] = {
    {"default", MM_MPOL_DEFAULT},
    {"local", MM_MPOL_LOCAL},
    {"prefer", MM_MPOL_PREFERRED},
    {"preferred", MM_MPOL_PREFERRED},
    {"bind", MM_MPOL_BIND},
    {"interleave", MM_MPOL_INTERLEAVE},
    {"prefer-many", MM_MPOL_PREFERRED_MANY},
    {"preferred-many", MM_MPOL_PREFERRED_MANY},
    {"weighted-interleave", MM_MPOL_WEIGHTED_INTERLEAVE},
};

static bool lookup_mode(const char *s, size_t len, int *mode)
{
    for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
        if (strlen(mode_names[i].name) == len &&
            strncmp(mode_names[i].name, s, len) == 0) {
            *mode = (int)mode_names[i].mode;
            return true;
        }
    return false;
}

/* One decimal node number below MM_MAX_NUMNODES; advances *s. */
static bool parse_node(const char **s, const char *end, unsigned *node)
{
    unsigned v = 0;
    const char *p = *s;
    if (p == end || *p < '0' || *p > '9')
        return false;
    while (p < end && *p >= '0' && *p <= '9' && v < MM_MAX_NUMNODES)
        v = v * 10 + (unsigned)(*p++ - '0');
    if (v >= MM_MAX_NUMNODES || (p < end && *p >= '0' && *p <= '9'))
        return false;
    *s = p;
    *node = v;
    return true;
}

/* nodelist_parse(): "0-3,5", or "all" (every node; the model keeps those
 * with memory). */
static bool parse_nodelist(const char *s, const char *end, uint64_t *nodes)
{
    *nodes = 0;
    if ((size_t)(end - s) == 3 && strncmp(s, "all", 3) == 0) {
        *nodes = UINT64_MAX;
        return true;
    }
    while (s < end) {
        unsigned lo, hi;
        if (!parse_node(&s, end, &lo))
            return false;
        hi = lo;
        if (s < end && *s == '-' && (++s, !parse_node(&s, end, &hi)))
            return false;
        if (hi < lo || (s < end && *s++ != ','))
            return false;
        for (unsigned n = lo; n <= hi; n++)
            *nodes |= 1ull << n;
        if (s == end && s[-1] == ',')
            return false;
    }
    return *nodes != 0;
}

static bool parse_flags(const char *s, size_t len, int *mode)
{
    if (len == 6 && strncmp(s, "static", 6) == 0)
        *mode |= MM_MPOL_F_STATIC_NODES;
    else if (len == 8 && strncmp(s, "relative", 8) == 0)
        *mode |= MM_MPOL_F_RELATIVE_NODES;
    else
        return false;
    return true;
}

/**
 * cli_numa_policy_parse() - the value of --numa-policy
 * @text: e.g. "interleave:0-3", "bind=static:1", "local"
 * @mode: set to enum mm_mpol_mode | enum mm_mpol_flags
 * @nodes: set to the nodemask (0 when no list was given)
 * @err: the error, if any
 *
 * Return: 0 or MM_EINVAL.
 */
int cli_numa_policy_parse(const char *text, int *mode, uint64_t *nodes,
                          struct cli_err *err)
{
    size_t len = strlen(text);
    const char *end = text + len, *colon = memchr(text, ':', len);
    const char *mode_end = colon ? colon : end;
    const char *eq = memchr(text, '=', (size_t)(mode_end - text));
    *nodes = 0;
    if (!lookup_mode(text, (size_t)((eq ? eq : mode_end) - text), mode))
        return cli_err_set(err, WHERE, "unknown mode (default, local, "
                           "preferred, bind, interleave, preferred-many, "
                           "weighted-interleave)", text, len);
    if (eq && !parse_flags(eq + 1, (size_t)(mode_end - eq - 1), mode))
        return cli_err_set(err, WHERE, "unknown flag (static, relative)",
                           text, len);
    if (colon && !parse_nodelist(colon + 1, end, nodes))
        return cli_err_set(err, WHERE, "bad node list (e.g. 0-3,5 or all; "
                           "nodes 0..63)", text, len);
    return 0;
}
