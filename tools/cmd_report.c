/*
 * cmd_report.c - `mmsim report TRACE`: replay a recorded trace through one
 * simulated kernel and print what it would have done: per-process table,
 * system view, refusals with their stacks (tools/report.h, renderers).
 *
 * Also the replay driver the other verbs share: cmd_report_replay() reads
 * a trace into a struct replay, cmd_report_write() renders its reports.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "replay.h"

struct report_opts {
    struct cli_config cfg;
    const char *trace, *format, *out, *sort;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mmsim report TRACE [--machine M] [-s vm.KEY=VALUE] "
            "[--sysctl-file FILE]\n"
            "                   [--format text|json|html|folded] [-o FILE] [--sort COL]\n\n"
            "Replay a recorded trace through the simulated kernel and report "
            "per-process\nRSS/PSS/USS, the system view and every request the "
            "simulated kernel refuses.\n\n"
            "  --format FORMAT     text (default), json, html (one "
            "self-contained page),\n"
            "                      folded (heap by call site for "
            "flamegraph.pl: -o PREFIX\n"
            "                      writes PREFIX.{peak,leaked,allocations,"
            "temporary,commit,rss}.folded)\n"
            "  -o FILE             write the report to FILE (default stdout)\n"
            "  --sort COL          order of the process table: %s\n"
            "                      (default pid)\n"
            "  --machine recorded  the recording machine, from the trace "
            "header (default;\n"
            "                      host when the trace does not have it)\n\n%s",
            report_sort_columns, cli_config_help);
}

/* -o, --format, --sort: 1 consumed, 0 not ours, -2 missing value */
static int output_option(int argc, char **argv, int *i, struct report_opts *o)
{
    const char **slot = strcmp(argv[*i], "-o") == 0         ? &o->out
                        : strcmp(argv[*i], "--format") == 0 ? &o->format
                        : strcmp(argv[*i], "--sort") == 0   ? &o->sort
                                                            : NULL;
    if (!slot)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "mmsim: %s needs a value\n", argv[*i]);
        return -CLI_EXIT_USAGE;
    }
    *slot = argv[++*i];
    return 1;
}

static int parse(int argc, char **argv, struct report_opts *o)
{
    for (int i = 1; i < argc; i++) {
        int rc = cli_config_option(&o->cfg, argc, argv, &i);
        if (!rc)
            rc = output_option(argc, argv, &i, o);
        if (rc < 0)
            return -rc;
        if (rc > 0)
            continue;
        if (argv[i][0] == '-' || o->trace) {
            fprintf(stderr, "mmsim: report: unexpected argument: '%s'\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
        o->trace = argv[i];
    }
    if (!o->trace) {
        fprintf(stderr, "mmsim: report: which trace? (mmsim report TRACE)\n");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/**
 * cmd_report_replay() - read @trace through @rp (booted from its header)
 * @trace: the trace file
 * @rp: initialised with replay_init()
 * @verb: for messages
 *
 * Prints one line for a trace that cannot be read, and one warning line for
 * a damaged or cut one (the report then covers what was read).
 * Return: 0; CLI_EXIT_ERROR for an unreadable trace or a failed boot; 3 when
 * the trace was incomplete (the caller still reports, then exits 1).
 */
int cmd_report_replay(const char *trace, struct replay *rp, const char *verb)
{
    struct tr_read_stats st = {0};
    int rc, fd = open(trace, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = tr_read_file(trace, &replay_consumer, rp, &st); /* names why */
    } else {
        replay_progress_start(rp, fd);
        rc = tr_read_fd(fd, &replay_consumer, rp, &st);
        replay_progress_end(rp);
        close(fd);
    }
    if (rc && rp->error)
        return rp->error; /* the boot printed why */
    if (rc) {
        fprintf(stderr, "mmsim: %s: cannot read the trace: %s: '%s'\n", verb,
                st.error[0] ? st.error : mm_strerror(rc), trace);
        return CLI_EXIT_ERROR;
    }
    if (!st.events) {
        fprintf(stderr, "mmsim: %s: no events could be read from the trace%s%s:"
                        " '%s'\n", verb, rp->first_warning[0] ? ": " : "",
                rp->first_warning, trace);
        return CLI_EXIT_ERROR;
    }
    if (replay_finish(rp, &st))
        return CLI_EXIT_ERROR;
    if (st.damaged || !st.complete) {
        fprintf(stderr, "mmsim: %s: warning: the trace is %s (%s); the report "
                        "covers the %llu events read: '%s'\n", verb,
                st.complete ? "damaged" : "incomplete",
                rp->first_warning[0] ? rp->first_warning : "end chunk missing",
                (unsigned long long)st.events, trace);
        return 3;
    }
    return 0;
}

/**
 * cmd_report_write() - render every column of @rp
 * @rp: a finished replay
 * @format: "text" (NULL), "json", "html" or "folded" (@out is a prefix)
 * @out: a file name, or NULL for @dflt
 * @sort: a column of report_sort_columns, or NULL for pid order
 * @dflt: the stream when there is no @out (colour if it is a terminal)
 *
 * Return: 0, CLI_EXIT_USAGE (bad format or column), CLI_EXIT_ERROR (I/O).
 */
int cmd_report_write(struct replay *rp, const char *format, const char *out,
                     const char *sort, FILE *dflt)
{
    const struct mm_report *reps[64];
    size_t n = rp->nr_cols < 64 ? rp->nr_cols : 64;
    for (size_t i = 0; i < n; i++) {
        if (sort && report_sort(&rp->cols[i].rep, sort)) {
            fprintf(stderr, "mmsim: --sort: unknown column (one of %s): '%s'\n",
                    report_sort_columns, sort);
            return CLI_EXIT_USAGE;
        }
        reps[i] = &rp->cols[i].rep;
    }
    if (format && strcmp(format, "folded") == 0) {
        if (reps[0]->replay.incomplete) /* stacks files: the note aside */
            fprintf(stderr, "mmsim: incomplete capture: %s\n",
                    reps[0]->replay.incomplete_capture);
        return out && !render_folded(reps[0], out) ? 0 : CLI_EXIT_ERROR;
    }
    FILE *f = out ? fopen(out, "we") : dflt;
    if (!f) {
        fprintf(stderr, "mmsim: -o: cannot create the report: %m: '%s'\n", out);
        return CLI_EXIT_ERROR;
    }
    int rc = -1;
    if (!format || strcmp(format, "text") == 0)
        rc = n > 1 ? render_compare_text(reps, n, f, !out && isatty(fileno(dflt)))
                   : render_text(reps, n, f, !out && isatty(fileno(dflt)));
    else if (strcmp(format, "json") == 0)
        rc = render_json(reps, n, f);
    else if (strcmp(format, "html") == 0)
        rc = render_html(reps, n, f);
    else
        cmd_report_format_ok(format, out);
    if (out && fclose(f))
        rc = -1;
    else if (!out)
        fflush(f);
    return rc ? CLI_EXIT_ERROR : 0;
}

/**
 * cmd_report_format_ok() - is @format one the renderers know?
 * @format: --format's value, NULL for the default (text)
 * @out: -o's value (NULL: none)
 *
 * Prints the one-line complaint when it is not.
 * Return: 0 or CLI_EXIT_USAGE.
 */
int cmd_report_format_ok(const char *format, const char *out)
{
    if (format && !strcmp(format, "folded") && !out) {
        fprintf(stderr, "mmsim: --format folded: writes PREFIX.peak.folded "
                        "and others: -o PREFIX is needed: '%s'\n", format);
        return CLI_EXIT_USAGE;
    }
    if (!format || !strcmp(format, "text") || !strcmp(format, "json") ||
        !strcmp(format, "html") || !strcmp(format, "folded"))
        return 0;
    fprintf(stderr, "mmsim: --format: unknown format (text, json, html, "
                    "folded): '%s'\n", format);
    return CLI_EXIT_USAGE;
}

static int check_format(const char *format, const char *sort, const char *out)
{
    struct mm_report empty = {0};
    if (sort && report_sort(&empty, sort)) {
        fprintf(stderr, "mmsim: --sort: unknown column (one of %s): '%s'\n",
                report_sort_columns, sort);
        return CLI_EXIT_USAGE;
    }
    return cmd_report_format_ok(format, out);
}

/**
 * cmd_report() - `mmsim report TRACE`
 * @argc: argument count (argv[0] is "report")
 * @argv: arguments
 *
 * Return: 0; 1 (unreadable or incomplete trace, bad machine or setting);
 * 2 (usage).
 */
int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    struct report_opts o = {0};
    struct replay rp = {0};
    int rc = parse(argc, argv, &o);
    if (!rc)
        rc = check_format(o.format, o.sort, o.out);
    if (!rc)
        rc = replay_init(&rp, &o.cfg, NULL, 0);
    if (!rc) {
        rp.machine_recorded = !o.cfg.machine ||
                              cli_machine_is(o.cfg.machine, "recorded");
        rc = cmd_report_replay(o.trace, &rp, "report");
    }
    if (!rc || rc == 3) {
        int wrc = cmd_report_write(&rp, o.format, o.out, o.sort, stdout);
        rc = wrc ? wrc : rc == 3 ? CLI_EXIT_ERROR : 0;
    }
    for (size_t i = 0; i < rp.nr_cols; i++)
        report_free(&rp.cols[i].rep);
    replay_free(&rp);
    free(rp.cols);
    cli_config_free(&o.cfg);
    return rc;
}
