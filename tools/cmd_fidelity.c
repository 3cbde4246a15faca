/*
 * cmd_fidelity.c - `mmsim fidelity TRACE`: the model's figures of every
 * process at its exit next to what the real kernel reported for the same
 * run (TR_EV_HOST_STAT, recorded by the supervisor at each exit stop, the
 * shim's own [anon:mmsim] memory subtracted).
 *
 * One row per process that has real figures: RSS, RssAnon, minor faults,
 * Pss_Anon and USS, model and real, and the error (model - real) / real in
 * percent. The machine defaults to `host` (this machine and its vm.*
 * values): the check asks whether the model, on the machine the program
 * ran on, does what that machine's kernel did. The table is plain text with
 * one row per line and fixed columns, so scripts (tests/fidelity/) read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mmsim fidelity TRACE [--model-only] [--machine M] "
            "[-s vm.KEY=VALUE]\n"
            "                      [--sysctl-file FILE]\n\n"
            "Replay a recorded trace and print, for every process, the "
            "model's RSS,\nRssAnon, minor faults, Pss_Anon and USS at its "
            "exit next to the real kernel's\nfigures of the same run (as the "
            "recorder read them at the exit stop), with\nthe error "
            "(model - real) / real in percent.\n\n"
            "The replay starts from the recording machine's state: its "
            "page cache holds\nwhat the machine's held of each file as it "
            "was mapped (cachestat), and what\nits page tables held when "
            "the recorder looked\n(before munmap and madvise, and at exit: "
            "PAGEMAP_SCAN, and which file pages\nother processes map too) "
            "is applied.\n\n"
            "  --model-only        do not apply what the page tables held: "
            "the model's\n"
            "                      own fault rules alone decide what is "
            "resident\n"
            "  --machine host      this machine and its sysctls (default); "
            "`recorded`: the\n"
            "                      recording machine from the trace "
            "header\n\n%s",
            cli_config_help);
}

static int parse(int argc, char **argv, struct cli_config *cfg,
                 const char **trace, bool *model_only)
{
    for (int i = 1; i < argc; i++) {
        int rc = cli_config_option(cfg, argc, argv, &i);
        if (rc < 0)
            return -rc;
        if (rc > 0)
            continue;
        if (strcmp(argv[i], "--model-only") == 0) {
            *model_only = true;
            continue;
        }
        if (argv[i][0] == '-' || *trace) {
            fprintf(stderr, "mmsim: fidelity: unexpected argument: '%s'\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
        *trace = argv[i];
    }
    if (!*trace) {
        fprintf(stderr, "mmsim: fidelity: which trace? "
                        "(mmsim fidelity TRACE)\n");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* (model - real) / real in percent; 0 when both are 0. */
static double err_pct(uint64_t model, uint64_t real)
{
    if (real == 0)
        return model == 0 ? 0.0 : 100.0;
    return ((double)model - (double)real) * 100.0 / (double)real;
}

static void print_pair(FILE *out, uint64_t model, uint64_t real)
{
    fprintf(out, " %9llu %9llu %+7.2f", (unsigned long long)model,
            (unsigned long long)real, err_pct(model, real));
}

static void print_row(FILE *out, const struct report_proc *p)
{
    fprintf(out, "%7u %-15s", p->pid, p->comm[0] ? p->comm : "?");
    print_pair(out, p->rss_kb, p->host.rss_kb);
    print_pair(out, p->rss_anon_kb, p->host.rss_anon_kb);
    print_pair(out, p->minflt, p->host.minflt);
    print_pair(out, p->pss_anon_kb, p->host.pss_anon_kb);
    print_pair(out, p->uss_kb, p->host.uss_kb);
    fputc('\n', out);
}

/* Return: the number of rows printed. */
static size_t print_table(FILE *out, const struct mm_report *r)
{
    static const char *const cols[] = {"rss_kb", "anon_kb", "minflt",
                                       "pss_anon", "uss_kb"};
    size_t rows = 0;
    fprintf(out, "%7s %-15s", "pid", "comm");
    for (size_t i = 0; i < 5; i++)
        fprintf(out, " %9s %9s %7s", cols[i], "real", "err%");
    fputc('\n', out);
    for (size_t i = 0; i < r->nr_procs; i++) {
        const struct report_proc *p = &r->procs[i];
        if (!p->has_host || !p->measured)
            continue;
        print_row(out, p);
        rows++;
    }
    return rows;
}

static void print_replay(FILE *out, const struct mm_report *r, bool model_only)
{
    const struct report_replay *s = &r->replay;
    fprintf(out, "# replay (%s): %llu events, %llu faults, %llu unplaced, %llu "
                 "resident ranges, %llu model errors, %llu unsupported\n",
            model_only ? "model only" : "resident ranges applied",
            (unsigned long long)s->events, (unsigned long long)s->faults,
            (unsigned long long)s->faults_unplaced,
            (unsigned long long)s->resident_ranges,
            (unsigned long long)s->model_errors,
            (unsigned long long)s->unsupported);
}

/**
 * cmd_fidelity() - `mmsim fidelity TRACE`
 * @argc: argument count (argv[0] is "fidelity")
 * @argv: arguments
 *
 * Return: 0; 1 (unreadable or incomplete trace, no process with real
 * figures, bad machine or setting); 2 (usage).
 */
int cmd_fidelity(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    struct cli_config cfg = {0};
    struct replay rp = {0};
    const char *trace = NULL;
    bool model_only = false;
    int rc = parse(argc, argv, &cfg, &trace, &model_only);
    if (!rc)
        rc = replay_init(&rp, &cfg, NULL, 0);
    if (!rc) {
        rp.machine_recorded = cfg.machine && !strcmp(cfg.machine, "recorded");
        rp.warm_cache = true;
        rp.reconcile = !model_only;
        rc = cmd_report_replay(trace, &rp, "fidelity");
    }
    if (!rc || rc == 3) {
        struct mm_report *r = &rp.cols[0].rep;
        print_replay(stdout, r, model_only);
        if (!print_table(stdout, r)) {
            fprintf(stderr, "mmsim: fidelity: no process has the real "
                            "kernel's figures (recorded before they were "
                            "kept?): '%s'\n", trace);
            rc = CLI_EXIT_ERROR;
        }
        rc = rc == 3 ? CLI_EXIT_ERROR : rc;
    }
    for (size_t i = 0; i < rp.nr_cols; i++)
        report_free(&rp.cols[i].rep);
    replay_free(&rp);
    free(rp.cols);
    cli_config_free(&cfg);
    return rc;
}
