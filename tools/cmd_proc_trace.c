/*
 * cmd_proc_trace.c - `mmsim proc PATH --trace TRACE [--at WHEN]`: replay a
 * trace up to a moment, then render a /proc file of the simulated kernel
 * at that moment with the renderers `mmsim proc` already uses. WHEN is a
 * time in seconds since the recording started ("1.5"), "exit" (the end of
 * the trace, the default) or "PID:exit" (that process's exit stop, where
 * the recorder read the real kernel's figures and the report takes the
 * model's: its address space is still there, so PID/status and friends
 * show its last state).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

static int parse_at(const char *at, struct replay *rp)
{
    char *end;
    if (!at || !strcmp(at, "exit"))
        return 0;
    unsigned long pid = strtoul(at, &end, 10);
    if (end != at && !strcmp(end, ":exit") && pid && pid <= UINT32_MAX) {
        rp->stop_exit_pid = (uint32_t)pid;
        return 0;
    }
    double s = strtod(at, &end);
    if (end == at || *end || !(s >= 0) || s > 1e9) {
        fprintf(stderr, "mmsim: --at: expected seconds, exit or PID:exit: "
                        "'%s'\n", at);
        return CLI_EXIT_USAGE;
    }
    rp->stop_t_ns = (uint64_t)(s * 1e9) + 1; /* 0 means never */
    return 0;
}

/* "PID/status" and friends. */
static int render_pid(struct replay *rp, const char *path, struct mm_buf *out)
{
    char *end;
    unsigned long pid = strtoul(path, &end, 10);
    struct mm_sim *sim = rp->cols[0].sim;
    if (end == path || *end != '/')
        return mm_proc_render(sim, path, out);
    if (!strcmp(end, "/status"))
        return mm_render_pid_status(sim, (uint32_t)pid, out);
    if (!strcmp(end, "/statm"))
        return mm_render_pid_statm(sim, (uint32_t)pid, out);
    if (!strcmp(end, "/smaps_rollup"))
        return mm_render_pid_smaps_rollup(sim, (uint32_t)pid, out);
    if (!strcmp(end, "/maps"))
        return mm_render_pid_maps(sim, (uint32_t)pid, out, replay_string, rp);
    if (!strcmp(end, "/numa_maps"))
        return mm_render_pid_numa_maps(sim, (uint32_t)pid, out, replay_string,
                                       rp);
    return mm_proc_render(sim, path, out); /* oom_score, oom_score_adj */
}

/**
 * cmd_proc_trace() - replay @trace to @at and print /proc/@path
 * @cfg: machine and sysctl options (--machine recorded by default)
 * @trace: the trace
 * @at: when, or NULL for the end
 * @path: the /proc path, without "/proc/"
 *
 * Return: exit status: 0, 1 (bad trace, unknown path or process), 2 (usage).
 */
int cmd_proc_trace(const struct cli_config *cfg, const char *trace,
                   const char *at, const char *path)
{
    struct replay rp = {0};
    struct mm_buf out = {0};
    int rc = replay_init(&rp, cfg, NULL, 0);
    if (!rc)
        rc = parse_at(at, &rp);
    if (!rc) {
        rp.machine_recorded = !cfg->machine || cli_machine_is(cfg->machine, "recorded");
        rc = cmd_report_replay(trace, &rp, "proc");
        rc = rc == 3 ? 0 : rc; /* the warning was printed; show what was read */
    }
    /* on stderr: the view itself keeps the kernel's format */
    if (!rc && rp.nr_cols && rp.cols[0].rep.replay.incomplete)
        fprintf(stderr, "mmsim: proc: incomplete capture: %s\n",
                rp.cols[0].rep.replay.incomplete_capture);
    if (!rc) {
        int err = render_pid(&rp, path, &out);
        if (err)
            fprintf(stderr, "mmsim: proc: %s: '%s'\n",
                    err == MM_ENOENT ? "no such view in the model"
                    : err == MM_ESRCH ? "no such process at that moment"
                                      : mm_strerror(err), path);
        else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
            err = MM_EIO;
        rc = err ? CLI_EXIT_ERROR : 0;
    }
    mm_buf_free(&out);
    for (size_t i = 0; i < rp.nr_cols; i++)
        report_free(&rp.cols[i].rep);
    replay_free(&rp);
    free(rp.cols);
    return rc;
}
