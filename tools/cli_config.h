/*
 * tools/cli_config.h - how users describe a machine and its vm.* sysctls:
 * the --machine option (a spec string, zoneinfo:FILE, host), -s and
 * --sysctl-file. Parsers are pure functions on in-memory text that return
 * errors as values (struct cli_err), so they can be unit-tested and fuzzed;
 * the file and /proc readers are thin wrappers around them.
 */
#ifndef MMSIM_TOOLS_CLI_CONFIG_H
#define MMSIM_TOOLS_CLI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmsim/mm.h"

/* One input error, printed as `mmsim: WHERE: PROBLEM: 'INPUT'`. */
struct cli_err {
    char where[256];   /* "--machine", "FILE:LINE", "-s" */
    char problem[160];
    char input[256];   /* the offending text, truncated with "..." */
};

/* Oldest and newest kernel the model emulates. */
#define CLI_KERNEL_MIN MM_KERNEL(6, 1)
#define CLI_KERNEL_MAX MM_KERNEL(6, 18)

/* tools/cli_err.c */
int cli_err_set(struct cli_err *err, const char *where, const char *problem,
                const char *input, size_t input_len);
void cli_err_print(const struct cli_err *err);

/* tools/cli_machine.c: the spec grammar of --machine */
int cli_parse_size(const char *text, size_t len, uint64_t *bytes);
int cli_machine_parse_spec(const char *spec, unsigned default_kernel,
                           struct mm_machine *m, struct cli_err *err);
int cli_kernel_parse(const char *text, size_t len, unsigned *kernel);
unsigned cli_kernel_clamp(unsigned kernel);
int cli_machine_memcg(uint64_t bytes, struct mm_machine *m, const char **why);

/* tools/cli_layout.c: node sizes -> zones, as an x86_64 QEMU guest */
struct cli_layout {
    unsigned nr_nodes;
    uint64_t node_pages[MM_MAX_NUMNODES]; /* RAM per node, 4 KiB pages */
    unsigned node_cpus[MM_MAX_NUMNODES];
    uint64_t kernelcore, movablecore;     /* pages; 0 = not given */
};
int cli_layout_build(const struct cli_layout *in, struct mm_machine *m,
                     struct cli_err *err);

/* tools/cli_movable.c: ZONE_MOVABLE for kernelcore= / movablecore= */
struct cli_mem_ranges {
    unsigned nr;
    struct {
        uint64_t lo, hi; /* PFNs, hi exclusive */
    } r[6];
};
void cli_zone_movable_pfns(const struct cli_mem_ranges *nodes,
                           unsigned nr_nodes, uint64_t kernelcore,
                           uint64_t movablecore, uint64_t usable_start,
                           uint64_t *zmp);

/* tools/cli_zoneinfo.c: the /proc/zoneinfo parser */
int cli_zoneinfo_parse(const char *text, size_t len, const char *name,
                       struct mm_machine *m, struct cli_err *err);

/* tools/cli_host.c and cli_hostparse.c: --machine host */
int cli_meminfo_get(const char *text, const char *key, uint64_t *kb);
int cli_swaps_total(const char *text, uint64_t *kb);
int cli_cpulist_count(const char *text, unsigned *count);
int cli_thp_parse(const char *text, enum mm_thp_mode *mode);
int cli_uname_kernel(const char *release, unsigned *kernel);
bool cli_cmdline_no_zero_page(const char *cmdline);
void cli_host_fold_deferred(struct mm_machine *m, unsigned node,
                            uint64_t node_total);
int cli_read_file(const char *where, const char *path, char **text,
                  size_t *len, struct cli_err *err);
int cli_host_machine(struct mm_machine *m, struct cli_err *err);

/* tools/cli_sysctl.c: -s and sysctl.conf */
struct cli_sysctl_line {
    const char *name;  /* NUL-terminated, trimmed */
    const char *value; /* NUL-terminated, trimmed */
    bool ignore_errors; /* a leading '-' in sysctl.conf */
};
/*
 * Called per assignment; returns 0, or an MM_E* code with @problem filled in
 * (the caller adds where and the input line).
 */
typedef int (*cli_sysctl_fn)(void *ctx, const struct cli_sysctl_line *line,
                             char *problem, size_t problem_len);
int cli_sysctl_split(char *arg, struct cli_sysctl_line *out, const char **why);
int cli_sysctl_conf_parse(const char *text, size_t len, const char *name,
                          cli_sysctl_fn fn, void *ctx, struct cli_err *err);

/* tools/cli_options.c: --machine, -s and --sysctl-file of a verb */
enum cli_sysctl_src { CLI_SYSCTL_ARG, CLI_SYSCTL_FILE };
struct cli_sysctl_item {
    enum cli_sysctl_src src;
    const char *text; /* the -s argument or the file name */
};
/* --oom-score-adj NAME=ADJ: the value for processes whose comm is NAME. */
struct cli_oom_adj {
    char comm[16];                /* NAME cut as the kernel cuts comm */
    int adj;
};
struct cli_config {
    const char *machine;          /* NULL = host */
    struct cli_sysctl_item *items; /* in command-line order */
    size_t nr_items;
    struct cli_oom_adj *oom_adj;  /* later ones win for the same name */
    size_t nr_oom_adj;
    const char *numa_policy;      /* --numa-policy text; NULL = none */
    int numa_mode;                /* its mode | flags (cli_numa.c) */
    uint64_t numa_nodes;          /* its nodemask */
};
int cli_config_option(struct cli_config *cfg, int argc, char **argv, int *i);
void cli_config_free(struct cli_config *cfg);
int cli_config_machine(const struct cli_config *cfg, struct mm_machine *m);
int cli_config_sysctls(const struct cli_config *cfg, bool host,
                       cli_sysctl_fn fn, void *ctx);
void cli_sysctl_problem(int rc, const struct cli_sysctl_line *line,
                        char *buf, size_t len);
bool cli_config_is_host(const struct cli_config *cfg);
bool cli_machine_is(const char *machine, const char *name);
int cli_machine_memcg_suffix(const char *machine, struct mm_machine *m,
                             struct cli_err *err);
int cli_oom_adj_parse(const char *arg, struct cli_oom_adj *out,
                      const char **why);
const struct cli_oom_adj *cli_config_oom_adj(const struct cli_config *cfg,
                                             const char *comm);
extern const char cli_config_help[];

/* tools/cli_numa.c: --numa-policy MODE[=FLAGS][:NODELIST] */
int cli_numa_policy_parse(const char *text, int *mode, uint64_t *nodes,
                          struct cli_err *err);

/* tools/cli_boot.c */
struct mm_sim;
int cli_config_boot(const struct cli_config *cfg, struct mm_sim **sim);
int cli_sim_sysctl_write(void *ctx, const struct cli_sysctl_line *line,
                         char *problem, size_t len);

#endif /* MMSIM_TOOLS_CLI_CONFIG_H */
