/*
 * cli_options.c - the machine and sysctl options every simulating verb
 * takes: --machine SPEC|zoneinfo:FILE|host, -s vm.KEY=VALUE,
 * --sysctl-file FILE and --numa-policy MODE[:NODES]. Settings are applied in this order: the host's
 * /proc/sys/vm values (with --machine host), every --sysctl-file, every
 * -s, each group in command-line order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "cli_config.h"

const char cli_config_help[] =
    "machine and sysctls:\n"
    "  --machine host          this machine, read from /proc and /sys "
    "(default)\n"
    "  --machine zoneinfo:FILE the nodes and zones of a saved "
    "/proc/zoneinfo\n"
    "  --machine SPEC          e.g. mem=4G,swap=2G,nodes=2,cpus=4; keys:\n"
    "      mem=SIZE[:SIZE...]  RAM, split evenly over nodes, or one size "
    "per node\n"
    "      nodes=N             NUMA nodes (1..64)\n"
    "      cpus=N[:N...]       CPUs, spread over nodes, or per node\n"
    "      distance=D|D:D:...  remote distance (11..254), or the full "
    "matrix\n"
    "      swap=SIZE           swap device size (0 = none)\n"
    "      hugetlb=SIZE        persistent 2M hugetlb pool\n"
    "      thp=always|madvise|never, kernel=6.1..6.18\n"
    "      kernelcore=SIZE, movablecore=SIZE   ZONE_MOVABLE, as the boot "
    "options\n"
    "      memcg=SIZE          memory.max of one memory cgroup holding the "
    "workload\n"
    "      kswapd_rate=SIZE    what kswapd reclaims per second of trace "
    "time (1G)\n"
    "    zoneinfo:FILE, host and recorded also take a trailing ,memcg=SIZE.\n"
    "    SIZE: a number of bytes with an optional K, M, G or T suffix.\n"
    "    Zones are laid out as in an x86_64 QEMU guest (docs/machine.md).\n"
    "  -s vm.KEY=VALUE         set a vm.* sysctl (repeatable; also KEY=VALUE"
    ")\n"
    "  --sysctl-file FILE      sysctl.conf-format file (repeatable)\n"
    "  --oom-score-adj NAME=ADJ  oom_score_adj (-1000..1000) of processes "
    "named NAME,\n"
    "                          whatever the trace says (repeatable)\n"
    "  settings apply in order: host values (--machine host), files, -s.\n"
    "  --numa-policy MODE[=static|relative][:NODES]\n"
    "                          replays: every exec'd program starts with this "
    "task\n"
    "                          policy, as under numactl (MODE: default, local,"
    "\n"
    "                          preferred, bind, interleave, preferred-many,\n"
    "                          weighted-interleave; NODES: 0-3,5 or all)\n";

static int add_item(struct cli_config *cfg, enum cli_sysctl_src src,
                    const char *text)
{
    struct cli_sysctl_item *items =
        realloc(cfg->items, (cfg->nr_items + 1) * sizeof(*items));
    if (!items)
        return MM_ENOMEM;
    cfg->items = items;
    items[cfg->nr_items++] = (struct cli_sysctl_item){src, text};
    return 0;
}

/**
 * cli_oom_adj_parse() - "NAME=ADJ" of --oom-score-adj
 * @arg: the text
 * @out: NAME (cut to 15 characters, as comm is) and ADJ
 * @why: the problem, on error
 *
 * Return: 0 or MM_EINVAL.
 */
int cli_oom_adj_parse(const char *arg, struct cli_oom_adj *out,
                      const char **why)
{
    const char *eq = strrchr(arg, '=');
    char *end;
    if (!eq || eq == arg)
        return *why = "expected NAME=ADJ", MM_EINVAL;
    long adj = strtol(eq + 1, &end, 10);
    if (end == eq + 1 || *end)
        return *why = "ADJ is not a number", MM_EINVAL;
    if (adj < MM_OOM_SCORE_ADJ_MIN || adj > MM_OOM_SCORE_ADJ_MAX)
        return *why = "oom_score_adj must be -1000..1000", MM_EINVAL;
    size_t n = (size_t)(eq - arg) < 15 ? (size_t)(eq - arg) : 15;
    memcpy(out->comm, arg, n);
    out->comm[n] = '\0';
    out->adj = (int)adj;
    return 0;
}

static int add_oom_adj(struct cli_config *cfg, const char *v)
{
    struct cli_oom_adj one;
    const char *why = NULL;
    if (cli_oom_adj_parse(v, &one, &why)) {
        fprintf(stderr, "mmsim: --oom-score-adj: %s: '%s'\n", why, v);
        return -CLI_EXIT_ERROR;
    }
    struct cli_oom_adj *tab =
        realloc(cfg->oom_adj, (cfg->nr_oom_adj + 1) * sizeof(*tab));
    if (!tab)
        return -CLI_EXIT_ERROR;
    cfg->oom_adj = tab;
    tab[cfg->nr_oom_adj++] = one;
    return 1;
}

/**
 * cli_config_oom_adj() - the --oom-score-adj for a process named @comm
 * @cfg: the options
 * @comm: the process's comm
 *
 * Return: the last override given for that name, or NULL.
 */
const struct cli_oom_adj *cli_config_oom_adj(const struct cli_config *cfg,
                                             const char *comm)
{
    for (size_t i = cfg->nr_oom_adj; comm && comm[0] && i-- > 0;)
        if (strcmp(cfg->oom_adj[i].comm, comm) == 0)
            return &cfg->oom_adj[i];
    return NULL;
}

/* "--opt VALUE" or "--opt=VALUE"; NULL if argv[*i] is not @opt. */
static const char *opt_value(const char *opt, int argc, char **argv, int *i,
                             bool *missing)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];
    if (strncmp(a, opt, n) != 0)
        return NULL;
    if (a[n] == '=' && opt[1] == '-')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int numa_option(struct cli_config *cfg, const char *v)
{
    struct cli_err err;
    if (cli_numa_policy_parse(v, &cfg->numa_mode, &cfg->numa_nodes, &err)) {
        cli_err_print(&err);
        return -CLI_EXIT_USAGE;
    }
    cfg->numa_policy = v;
    return 1;
}

/**
 * cli_config_option() - consume argv[*i] if it is a machine/sysctl option
 * @cfg: the options seen so far
 * @argc: argument count
 * @argv: arguments
 * @i: index of the current argument; advanced past a consumed value
 *
 * Return: 1 if consumed, 0 if not such an option, CLI_EXIT_USAGE negated
 * (-2) when the option lacks its value (a message is printed).
 */
int cli_config_option(struct cli_config *cfg, int argc, char **argv, int *i)
{
    static const char *const opts[] = {"--machine", "-s", "--sysctl-file",
                                       "--oom-score-adj", "--numa-policy"};
    for (int k = 0; k < 5; k++) {
        bool missing = false;
        const char *v = opt_value(opts[k], argc, argv, i, &missing);
        if (missing) {
            fprintf(stderr, "mmsim: %s needs a value\n", opts[k]);
            return -CLI_EXIT_USAGE;
        }
        if (!v)
            continue;
        if (k == 4)
            return numa_option(cfg, v);
        if (k == 0)
            cfg->machine = v;
        else if (k == 3)
            return add_oom_adj(cfg, v);
        else if (add_item(cfg, k == 2 ? CLI_SYSCTL_FILE : CLI_SYSCTL_ARG, v))
            return -CLI_EXIT_USAGE;
        return 1;
    }
    return 0;
}

/** cli_config_free() - release what cli_config_option() collected. */
void cli_config_free(struct cli_config *cfg)
{
    free(cfg->items);
    free(cfg->oom_adj);
    *cfg = (struct cli_config){0};
}

/* "zoneinfo:FILE,memcg=SIZE" and "host,memcg=SIZE": the suffix's value,
 * and the length of what precedes it; NULL when there is none. */
static const char *memcg_suffix(const char *machine, size_t *base_len)
{
    const char *s = NULL;
    for (const char *p = machine; (p = strstr(p, ",memcg=")); p++)
        s = p;
    *base_len = s ? (size_t)(s - machine) : strlen(machine);
    return s ? s + strlen(",memcg=") : NULL;
}

/**
 * cli_machine_is() - whether --machine names @name ("host", "recorded"),
 * with or without a ",memcg=SIZE" suffix
 * @machine: the --machine value (not NULL)
 * @name: the word
 *
 * Return: true if it does.
 */
bool cli_machine_is(const char *machine, const char *name)
{
    size_t n;
    memcg_suffix(machine, &n);
    return n == strlen(name) && strncmp(machine, name, n) == 0;
}

/** cli_config_is_host() - whether the machine is `host` (the default). */
bool cli_config_is_host(const struct cli_config *cfg)
{
    return !cfg->machine || cli_machine_is(cfg->machine, "host");
}

/**
 * cli_machine_memcg_suffix() - apply the ",memcg=SIZE" suffix of a
 * zoneinfo:, host or recorded --machine value
 * @machine: the --machine value
 * @m: the machine, its zones set
 * @err: what is wrong
 *
 * Return: 0 (also without a suffix) or a negative MM_E* value.
 */
int cli_machine_memcg_suffix(const char *machine, struct mm_machine *m,
                             struct cli_err *err)
{
    size_t n;
    uint64_t bytes;
    const char *v = memcg_suffix(machine, &n), *why = NULL;
    if (!v)
        return 0;
    int rc = cli_parse_size(v, strlen(v), &bytes);
    if (rc)
        why = rc == MM_EOVERFLOW ? "size too large" : "not a size";
    else
        rc = cli_machine_memcg(bytes, m, &why);
    return rc ? cli_err_set(err, "--machine", why, v - 6, strlen(v) + 6) : 0;
}

static unsigned host_kernel(void)
{
    struct utsname u;
    unsigned kernel = CLI_KERNEL_MAX;
    if (uname(&u) == 0)
        cli_uname_kernel(u.release, &kernel);
    return cli_kernel_clamp(kernel);
}

/* --machine zoneinfo:FILE[,memcg=SIZE] */
static int zoneinfo_machine(const char *arg, struct mm_machine *m,
                            struct cli_err *err)
{
    char *text;
    size_t len, n;
    memcg_suffix(arg, &n);
    char *path = strndup(arg, n);
    if (!path)
        return cli_err_set(err, "--machine", "out of memory", arg, strlen(arg));
    int rc = cli_read_file("--machine", path, &text, &len, err);
    if (!rc) {
        rc = cli_zoneinfo_parse(text, len, path, m, err);
        free(text);
    }
    free(path);
    return rc ? rc : cli_machine_memcg_suffix(arg, m, err);
}

/**
 * cli_config_machine() - build the machine the options describe
 * @cfg: the options
 * @m: the machine
 *
 * Prints the one-line error itself.
 * Return: 0 or CLI_EXIT_ERROR.
 */
int cli_config_machine(const struct cli_config *cfg, struct mm_machine *m)
{
    struct cli_err err;
    int rc;
    if (cli_config_is_host(cfg)) {
        rc = cli_host_machine(m, &err);
        if (!rc && cfg->machine)
            rc = cli_machine_memcg_suffix(cfg->machine, m, &err);
    } else if (strncmp(cfg->machine, "zoneinfo:", 9) == 0) {
        rc = zoneinfo_machine(cfg->machine + 9, m, &err);
    } else {
        rc = cli_machine_parse_spec(cfg->machine, host_kernel(), m, &err);
    }
    if (rc)
        cli_err_print(&err);
    return rc ? CLI_EXIT_ERROR : 0;
}

/* Write the host's value of one knob; 1 if the host has no such file. */
static int apply_host_knob(const struct mm_sysctl_desc *d, int pass,
                           cli_sysctl_fn fn, void *ctx)
{
    char path[128], *text, problem[160];
    size_t len;
    snprintf(path, sizeof(path), "/proc/sys/vm/%s", d->name);
    if (cli_read_file("--machine host", path, &text, &len, NULL))
        return 1; /* not on this kernel, or write-only */
    while (len && text[len - 1] == '\n')
        text[--len] = '\0';
    /* ratio/bytes pairs zero each other: write the zero one first; a
     * *_bytes knob refuses 0, which there only means "not in use" */
    bool zero_pair = d->clears && strcmp(text, "0") == 0;
    int rc = 0;
    if (zero_pair == (pass == 0)) {
        struct cli_sysctl_line l = {.name = d->name, .value = text};
        rc = fn(ctx, &l, problem, sizeof(problem));
        if (rc && zero_pair)
            rc = 0;
        if (rc)
            fprintf(stderr, "mmsim: %s: %s: '%s'\n", path, problem, text);
    }
    free(text);
    return rc ? -1 : 0;
}

/* The host's /proc/sys/vm value of every knob the model knows. */
static int apply_host(cli_sysctl_fn fn, void *ctx)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < mm_sysctl_count(); i++)
            if (apply_host_knob(mm_sysctl_at(i), pass, fn, ctx) < 0)
                return CLI_EXIT_ERROR;
    return 0;
}

static int apply_arg(const char *arg, cli_sysctl_fn fn, void *ctx)
{
    char copy[4096], problem[160];
    struct cli_sysctl_line l = {0};
    const char *why = NULL;
    snprintf(copy, sizeof(copy), "%s", arg);
    if (strlen(arg) >= sizeof(copy))
        why = "argument too long";
    else if (!cli_sysctl_split(copy, &l, &why) &&
             fn(ctx, &l, problem, sizeof(problem)))
        why = problem;
    if (why)
        fprintf(stderr, "mmsim: -s: %s: '%s'\n", why, arg);
    return why ? CLI_EXIT_ERROR : 0;
}

static int apply_file(const char *path, cli_sysctl_fn fn, void *ctx)
{
    struct cli_err err;
    char *text;
    size_t len;
    int rc = cli_read_file("--sysctl-file", path, &text, &len, &err);
    if (!rc) {
        rc = cli_sysctl_conf_parse(text, len, path, fn, ctx, &err);
        free(text);
    }
    if (rc)
        cli_err_print(&err);
    return rc ? CLI_EXIT_ERROR : 0;
}

/**
 * cli_config_sysctls() - apply every sysctl setting of the options
 * @cfg: the options
 * @host: whether to start with the host's /proc/sys/vm values
 * @fn: writes one value (into knobs or a simulator)
 * @ctx: passed to @fn
 *
 * Order: host values, then --sysctl-file files, then -s arguments, each in
 * command-line order. Prints the one-line error itself.
 * Return: 0 or CLI_EXIT_ERROR at the first refused setting.
 */
int cli_config_sysctls(const struct cli_config *cfg, bool host,
                       cli_sysctl_fn fn, void *ctx)
{
    int rc = host ? apply_host(fn, ctx) : 0;
    for (size_t i = 0; !rc && i < cfg->nr_items; i++)
        if (cfg->items[i].src == CLI_SYSCTL_FILE)
            rc = apply_file(cfg->items[i].text, fn, ctx);
    for (size_t i = 0; !rc && i < cfg->nr_items; i++)
        if (cfg->items[i].src == CLI_SYSCTL_ARG)
            rc = apply_arg(cfg->items[i].text, fn, ctx);
    return rc;
}

/** cli_err_print() - print @err on stderr as one line. */
void cli_err_print(const struct cli_err *err)
{
    fprintf(stderr, "mmsim: %s: %s: '%s'\n", err->where, err->problem,
            err->input);
}
