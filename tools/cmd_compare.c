/*
 * cmd_compare.c - `mmsim compare TRACE --policy P --policy Q ...`: one pass
 * over a trace feeding one simulator per policy (each booted from the same
 * --machine and settings, then the policy's "k=v,k=v" written on top), and
 * the answers side by side (render_compare.c) or as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

#define MAX_POLICIES 16

struct compare_opts {
    struct cli_config cfg;
    const char *trace, *format, *out;
    const char *policies[MAX_POLICIES];
    size_t nr_policies;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mmsim compare TRACE --policy 'vm.K=V[,vm.K=V...]' "
            "[--policy ...]...\n"
            "                    [--machine M] [-s vm.KEY=VALUE] "
            "[--sysctl-file FILE]\n"
            "                    [--format text|json|html|folded] [-o FILE]\n\n"
            "Replay one trace under several policies in one pass and show "
            "them side by side:\nfirst refused request (when, where, stack), "
            "number of refusals, peak commit\nvs limit, peak RSS, OOM kills, "
            "each process's fate, and a one-line summary.\n"
            "Each policy's settings are written after --machine, "
            "--sysctl-file and -s.\nAt most %d policies.\n\n%s",
            MAX_POLICIES, cli_config_help);
}

static int parse(int argc, char **argv, struct compare_opts *o)
{
    for (int i = 1; i < argc; i++) {
        int rc = cli_config_option(&o->cfg, argc, argv, &i);
        if (rc < 0)
            return -rc;
        if (rc > 0)
            continue;
        const char **slot = !strcmp(argv[i], "-o")         ? &o->out
                            : !strcmp(argv[i], "--format") ? &o->format
                            : !strcmp(argv[i], "--policy") ? &o->policies[0]
                                                           : NULL;
        if (slot && i + 1 >= argc) {
            fprintf(stderr, "mmsim: %s needs a value\n", argv[i]);
            return CLI_EXIT_USAGE;
        }
        if (slot == &o->policies[0]) {
            if (o->nr_policies == MAX_POLICIES) {
                fprintf(stderr, "mmsim: compare: at most %d policies: '%s'\n",
                        MAX_POLICIES, argv[i + 1]);
                return CLI_EXIT_USAGE;
            }
            o->policies[o->nr_policies++] = argv[++i];
        } else if (slot) {
            *slot = argv[++i];
        } else if (argv[i][0] == '-' || o->trace) {
            fprintf(stderr, "mmsim: compare: unexpected argument: '%s'\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        } else {
            o->trace = argv[i];
        }
    }
    if (!o->trace || !o->nr_policies) {
        fprintf(stderr, "mmsim: compare: %s\n",
                o->trace ? "no --policy given" : "which trace?");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/**
 * cmd_compare() - `mmsim compare TRACE --policy ...`
 * @argc: argument count (argv[0] is "compare")
 * @argv: arguments
 *
 * Return: 0; 1 (unreadable or incomplete trace, unknown policy setting,
 * bad machine); 2 (usage).
 */
int cmd_compare(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    struct compare_opts o = {0};
    struct replay rp = {0};
    int rc = parse(argc, argv, &o);
    if (!rc)
        rc = cmd_report_format_ok(o.format, o.out);
    if (!rc)
        rc = replay_init(&rp, &o.cfg, o.policies, o.nr_policies);
    if (!rc) {
        rp.machine_recorded = !o.cfg.machine ||
                              cli_machine_is(o.cfg.machine, "recorded");
        rc = cmd_report_replay(o.trace, &rp, "compare");
    }
    if (!rc || rc == 3) {
        int wrc = cmd_report_write(&rp, o.format, o.out, NULL, stdout);
        rc = wrc ? wrc : rc == 3 ? CLI_EXIT_ERROR : 0;
    }
    for (size_t i = 0; i < rp.nr_cols; i++)
        report_free(&rp.cols[i].rep);
    replay_free(&rp);
    free(rp.cols);
    cli_config_free(&o.cfg);
    return rc;
}
