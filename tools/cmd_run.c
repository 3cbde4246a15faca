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
    unsigned unwound;           /* stacks unwound for verdicts */
    const char *incomplete;     /* preload-only capture: why */
    char why[256];
};

/* Verdicts whose stack is unwound from the stopped thread, at most. */
#define TEE_MAX_UNWIND 64

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

/* The verdicts @ev just caused (from before[] on) that have no stack: a
 * request of the ptrace path, whose thread is still stopped where it made
 * it. Its stack is unwound (a few, it is slow), interned and given to the
 * verdicts and to the event as written to the trace. */
static void tee_stack(struct run_tee *t, struct tr_event *ev,
                      const size_t *before)
{
    uint64_t ips[64];
    uint32_t n = 0, id = 0;
    if (!(ev->flags & TR_F_TRACED) || ev->stack || !t->file->stack)
        return;
    for (size_t i = 0; i < t->rp->nr_cols; i++) {
        struct mm_report *r = &t->rp->cols[i].rep;
        for (size_t k = before[i]; k < r->nr_events; k++) {
            if (r->events[k].stack)
                continue;
            if (!n && t->unwound < TEE_MAX_UNWIND) {
                t->unwound++;
                n = run_unwind((pid_t)ev->pid, (pid_t)ev->tid, ips, 64);
                if (!n || t->file->stack(t->file->ctx, ips, n, &id) ||
                    replay_consumer.on_stack(t->rp, id, ips, n))
                    return;
                ev->stack = id;
            }
            r->events[k].stack = ev->stack;
        }
    }
}

/* Strings are interned first (the replay uses their ids), the event goes
 * to the trace last (it may gain a stack). */
static int tee_event(void *ctx, struct tr_event *ev, const char *str)
{
    struct run_tee *t = ctx;
    size_t before[MAX_POLICIES + 1] = {0};
    int rc = str ? cmd_record_out_string(t->file, str, &ev->str) : 0;
    if (rc)
        return rc;
    if (str && !replay_string(t->rp, ev->str))
        replay_add_string(t->rp, ev->str, str, strlen(str));
    for (size_t i = 0; i < t->rp->nr_cols && i <= MAX_POLICIES; i++)
        before[i] = t->rp->cols[i].rep.nr_events;
    rc = replay_consumer.on_event(t->rp, ev);
    if (rc && !t->error)
        t->error = rc; /* a failed boot: keep recording, report the error */
    if (!rc && t->rp->nr_cols <= MAX_POLICIES + 1)
        tee_stack(t, ev, before);
    return t->file->event(t->file->ctx, ev, NULL);
}

/* A stack the shim sent (the preload-only capture): trace, then replay. */
static int tee_stack_def(void *ctx, const uint64_t *ips, uint32_t n,
                         uint32_t *id)
{
    struct run_tee *t = ctx;
    int rc = t->file->stack(t->file->ctx, ips, n, id);
    return rc ? rc : replay_consumer.on_stack(t->rp, *id, ips, n);
}

static int tee_module(void *ctx, struct tr_module *m, const char *path)
{
    struct run_tee *t = ctx;
    int rc = t->file->module(t->file->ctx, m, path);
    if (rc)
        return rc;
    if (!replay_string(t->rp, m->path))
        replay_add_string(t->rp, m->path, path, strlen(path));
    return replay_consumer.on_module(t->rp, 0, m);
}

static int start(struct run_opts *o, struct sup_run *r, const char *path,
                 struct run_tee *tee)
{
    cmd_record_note_setuid("run", o->argv[0]);
    int rc = sup_spawn(o->argv, NULL, &r->child);
    if (sup_preload_wanted(rc)) {
        struct sup_ip_range ip;
        tee->incomplete = sup_preload_reason(rc, tee->why, sizeof(tee->why));
        fprintf(stderr, "mmsim: run: %s: falling back to preload-only "
                        "capture; the report is marked incomplete\n",
                tee->incomplete);
        if (cmd_record_fast_setup(r, &ip) < 0)
            fprintf(stderr, "mmsim: run: without the shim: /proc "
                            "snapshots only\n");
        rc = sup_preload_spawn(r, o->argv);
    }
    if (rc < 0) {
        fprintf(stderr, "mmsim: run: cannot start '%s': %s\n", o->argv[0],
                strerror(-rc));
        return CLI_EXIT_ERROR;
    }
    tee->file = cmd_record_out_open(path, o->argv, 0, &rc);
    if (!tee->file) {
        fprintf(stderr, "mmsim: run: cannot create the trace: %s: '%s'\n",
                mm_strerror(rc), path);
        kill(r->child.pid, SIGKILL);
        waitpid(r->child.pid, NULL, __WALL);
        return CLI_EXIT_ERROR;
    }
    tee->sink = (struct sup_sink){.ctx = tee, .event = tee_event,
                                  .stack = tee_stack_def,
                                  .module = tee_module};
    r->sink = &tee->sink;
    cmd_record_signals(r->child.pid, r->perf != NULL, r->fast);
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
        if ((tee.incomplete ? sup_preload_loop(&r, tee.incomplete)
                            : sup_run_loop(&r)) < 0)
            fprintf(stderr, "mmsim: run: waiting for '%s' failed\n", o->argv[0]);
        int werr = cmd_record_out_close(tee.file, NULL);
        int exec_err = sup_spawn_exec_errno(&r.child);
        if (!tee.incomplete) /* said when it began */
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
    sup_modules_free(r.mods);
    sup_fast_free(r.fast);
    sup_verify_free(r.verify);
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
