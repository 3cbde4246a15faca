/*
 * cmd_run.c - `mmsim run [options] -- PROG [ARGS]`: record PROG (the
 * supervisor of `mmsim record`, tools/sup_*.c) and replay it live: every
 * event the supervisor emits is written to the trace and, in the same call,
 * handed to the replay's simulators, so the model runs alongside the
 * program. PROG's stdin, stdout, stderr and exit status are its own; the
 * report goes to stderr (or -o FILE) after PROG is done. The trace is kept
 * at --trace FILE, else written to a temporary file removed afterwards.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "replay.h"
#include "sup.h"

#define MAX_POLICIES 16

struct run_opts {
    struct cli_config cfg;
    const char *out, *format, *trace;
    const char *policies[MAX_POLICIES];
    size_t nr_policies;
    char **argv;
};

/* The tee: the trace writer's sink, then the replay. */
struct run_tee {
    struct sup_sink sink;
    struct sup_sink *file;
    struct replay *rp;
    int error;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mmsim run [--machine M] [-s vm.KEY=VALUE] [--sysctl-file F]"
            " [-o REPORT]\n"
            "                 [--format text|json|html|folded] [--trace FILE] "
            "[--compare POLICY]... -- PROG [ARGS]\n\n"
            "Run PROG under the recorder and replay its memory demand live "
            "through the\nsimulated kernel. PROG's output and exit status are "
            "its own; the report goes\nto stderr, or to REPORT.\n\n"
            "  -o REPORT          write the report to REPORT\n"
            "  --format FORMAT    text (default), json, html, folded "
            "(-o PREFIX)\n"
            "  --trace FILE       keep the trace in FILE (default: a temporary "
            "file, removed)\n"
            "  --compare POLICY   also replay under 'vm.K=V,...' (repeatable): "
            "side by side\n\n%s", cli_config_help);
}

static int opt(int argc, char **argv, int *i, struct run_opts *o)
{
    const char *a = argv[*i];
    const char **slot = !strcmp(a, "-o")          ? &o->out
                        : !strcmp(a, "--format")  ? &o->format
                        : !strcmp(a, "--trace")   ? &o->trace
                        : !strcmp(a, "--compare") ? &o->policies[0]
                                                  : NULL;
    if (!slot) {
        fprintf(stderr, "mmsim: run: unknown option: '%s'\n", a);
        return CLI_EXIT_USAGE;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "mmsim: %s needs a value\n", a);
        return CLI_EXIT_USAGE;
    }
    if (slot != &o->policies[0])
        *slot = argv[++*i];
    else if (o->nr_policies < MAX_POLICIES)
        o->policies[o->nr_policies++] = argv[++*i];
    else
        return CLI_EXIT_USAGE;
    return 0;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        int rc = cli_config_option(&o->cfg, argc, argv, &i);
        if (rc < 0)
            return -rc;
        if (!rc && argv[i][0] != '-')
            break; /* PROG without "--" */
        if (!rc && (rc = opt(argc, argv, &i, o)))
            return rc;
    }
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc) {
        fprintf(stderr, "mmsim: run: no program given (mmsim run -- PROG)\n");
        return CLI_EXIT_USAGE;
    }
    if (cmd_report_format_ok(o->format, o->out))
        return CLI_EXIT_USAGE;
    o->argv = argv + i;
    return 0;
}

static int tee_event(void *ctx, struct tr_event *ev, const char *str)
{
    struct run_tee *t = ctx;
    int rc = t->file->event(t->file->ctx, ev, str);
    if (rc)
        return rc;
    if (str && !replay_string(t->rp, ev->str))
        replay_add_string(t->rp, ev->str, str, strlen(str));
    rc = replay_consumer.on_event(t->rp, ev);
    if (rc && !t->error)
        t->error = rc; /* a failed boot: keep recording, report the error */
    return 0;
}

static int start(struct run_opts *o, struct sup_run *r, const char *path,
                 struct run_tee *tee)
{
    int rc = sup_spawn(o->argv, NULL, &r->child);
    if (rc < 0) {
        fprintf(stderr, "mmsim: run: cannot start '%s': %s\n", o->argv[0],
                rc == -EPERM ? "ptrace is not permitted here" : strerror(-rc));
        return CLI_EXIT_ERROR;
    }
    tee->file = cmd_record_out_open(path, o->argv, &rc);
    if (!tee->file) {
        fprintf(stderr, "mmsim: run: cannot create the trace: %s: '%s'\n",
                mm_strerror(rc), path);
        kill(r->child.pid, SIGKILL);
        waitpid(r->child.pid, NULL, __WALL);
        return CLI_EXIT_ERROR;
    }
    tee->sink = (struct sup_sink){.ctx = tee, .event = tee_event};
    r->sink = &tee->sink;
    cmd_record_signals(r->child.pid, r->perf != NULL);
    return 0;
}

/* Record and replay; the report is written before PROG's status passes. */
static int record_and_replay(struct run_opts *o, struct replay *rp,
                             const char *path)
{
    struct sup_run r = {0};
    struct run_tee tee = {.rp = rp};
    /* boot first: a bad machine or policy is reported before PROG runs */
    int rc = replay_boot(rp, NULL);
    if (rc)
        return rc;
    r.perf = sup_perf_new(geteuid() != 0);
    rc = start(o, &r, path, &tee);
    if (!rc) {
        if (sup_run_loop(&r) < 0)
            fprintf(stderr, "mmsim: run: waiting for '%s' failed\n", o->argv[0]);
        int werr = cmd_record_out_close(tee.file, NULL);
        int exec_err = sup_spawn_exec_errno(&r.child);
        cmd_record_gaps("run", r.by_type[TR_EV_INCOMPLETE]);
        if (exec_err) {
            fprintf(stderr, "mmsim: run: cannot execute: '%s': %s\n",
                    o->argv[0], strerror(exec_err));
            rc = exec_err == ENOENT ? 127 : 126;
        } else if (tee.error || r.error || werr) {
            if (!tee.error)
                fprintf(stderr, "mmsim: run: cannot write the trace: %s: '%s'\n",
                        mm_strerror(r.error ? r.error : werr), path);
            rc = CLI_EXIT_ERROR;
        } else if (!replay_finish(rp, NULL)) {
            rp->cols[0].rep.replay.complete = 1;
            for (size_t i = 1; i < rp->nr_cols; i++)
                rp->cols[i].rep.replay.complete = 1;
            rc = cmd_report_write(rp, o->format, o->out, NULL, stderr);
            if (!rc && r.have_status)
                rc = cmd_record_pass_status(r.status);
        }
    }
    sup_perf_free(r.perf);
    return rc;
}

/**
 * cmd_run() - `mmsim run -- PROG [ARGS]`
 * @argc: argument count (argv[0] is "run")
 * @argv: arguments
 *
 * Return: PROG's exit code (or mmsim re-raises its fatal signal); 1 when
 * recording or replaying failed; 2 for usage errors; 126/127 when PROG
 * cannot be executed.
 */
int cmd_run(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    struct run_opts o = {0};
    struct replay rp = {0};
    char dir[] = "/tmp/mmsim-run.XXXXXX", path[64];
    int rc = parse(argc, argv, &o);
    if (!rc && !o.trace && !mkdtemp(dir)) {
        fprintf(stderr, "mmsim: run: cannot create a temporary directory: %m\n");
        rc = CLI_EXIT_ERROR;
    }
    snprintf(path, sizeof(path), "%s/trace", dir);
    if (!rc)
        rc = replay_init(&rp, &o.cfg, o.policies, o.nr_policies);
    if (!rc)
        rc = record_and_replay(&o, &rp, o.trace ? o.trace : path);
    if (!o.trace) {
        unlink(path);
        rmdir(dir);
    }
    for (size_t i = 0; i < rp.nr_cols; i++)
        report_free(&rp.cols[i].rep);
    replay_free(&rp);
    free(rp.cols);
    cli_config_free(&o.cfg);
    return rc;
}
