/*
 * cmd_proc.c - `mmsim proc PATH`: a /proc file of the simulated kernel
 * after boot and the given settings, in the emulated kernel's format:
 * meminfo, vmstat, buddyinfo, pagetypeinfo, zoneinfo, sys/vm/KNOB, and
 * PID/status, PID/statm, PID/smaps_rollup of a simulated process.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_config.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: mmsim proc PATH [--machine M] [-s vm.KEY=VALUE] "
                 "[--sysctl-file FILE]\n"
                 "                  [--trace TRACE [--at SECONDS|exit|PID:exit]]"
                 "\n\n"
                 "With --trace, the view after replaying TRACE up to --at "
                 "(default: its end);\nthen PATH may also be PID/status, "
                 "PID/statm, PID/smaps_rollup, PID/maps,\nPID/numa_maps, "
                 "PID/oom_score, PID/oom_score_adj.\n"
                 "Print a /proc file of the simulated kernel. PATH: "
                 "meminfo, vmstat, zoneinfo,\nbuddyinfo, pagetypeinfo, "
                 "sys/vm/KNOB, PID/status, PID/statm, PID/smaps_rollup,\n"
                 "node/nodeN/meminfo, node/nodeN/numastat (the sysfs files)\n"
                 "(a leading /proc/ is accepted; without a trace the model "
                 "has no processes).\n\n%s", cli_config_help);
}

/* --trace TRACE, --at WHEN: 1 consumed, 0 not these, -2 missing value */
static int trace_option(int argc, char **argv, int *i, const char **trace,
                        const char **at)
{
    const char **slot = !strcmp(argv[*i], "--trace") ? trace
                        : !strcmp(argv[*i], "--at")  ? at
                                                     : NULL;
    if (slot && *i + 1 >= argc) {
        fprintf(stderr, "mmsim: %s needs a value\n", argv[*i]);
        return -CLI_EXIT_USAGE;
    }
    if (slot)
        *slot = argv[++*i];
    return slot != NULL;
}

static int parse_args(int argc, char **argv, struct cli_config *cfg,
                      const char **path, const char **trace, const char **at)
{
    for (int i = 1; i < argc; i++) {
        int rc = cli_config_option(cfg, argc, argv, &i);
        if (!rc)
            rc = trace_option(argc, argv, &i, trace, at);
        if (rc < 0)
            return -rc;
        if (rc > 0)
            continue;
        if (argv[i][0] == '-' || *path) {
            fprintf(stderr, "mmsim: proc: unexpected argument '%s'\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
        *path = argv[i];
    }
    if (!*path) {
        fprintf(stderr, "mmsim: proc: which file? (e.g. zoneinfo)\n");
        return CLI_EXIT_USAGE;
    }
    if (strncmp(*path, "/proc/", 6) == 0)
        *path += 6;
    return 0;
}

static int render(struct mm_sim *sim, const char *path)
{
    struct mm_buf out = {0};
    int rc = mm_proc_render(sim, path, &out);
    if (rc)
        fprintf(stderr, "mmsim: proc: %s: '%s'\n",
                rc == MM_ENOENT   ? "no such view in the model"
                : rc == MM_ESRCH ? "no such process in the model"
                                 : mm_strerror(rc),
                path);
    else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
        rc = MM_EIO;
    mm_buf_free(&out);
    return rc ? CLI_EXIT_ERROR : 0;
}

/**
 * cmd_proc() - `mmsim proc PATH`
 * @argc: argument count (argv[0] is "proc")
 * @argv: arguments
 *
 * Return: exit status: 0, 1 (bad machine, setting or path), 2 (usage).
 */
int cmd_proc(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    struct cli_config cfg = {0};
    struct mm_sim *sim = NULL;
    const char *path = NULL, *trace = NULL, *at = NULL;
    int rc = parse_args(argc, argv, &cfg, &path, &trace, &at);
    if (!rc && trace)
        rc = cmd_proc_trace(&cfg, trace, at, path);
    else if (!rc && at) {
        fprintf(stderr, "mmsim: proc: --at needs --trace: '%s'\n", at);
        rc = CLI_EXIT_USAGE;
    } else if (!rc)
        rc = cli_config_boot(&cfg, &sim);
    if (!rc && !trace)
        rc = render(sim, path);
    mm_sim_free(sim);
    cli_config_free(&cfg);
    return rc;
}
