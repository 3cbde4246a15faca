/*
 * cmd_record.c - `mmsim record [-o TRACE] [--verify] -- PROG [ARGS]`.
 *
 * Runs PROG under the supervisor (tools/sup_*.c) and records every
 * kernel-level memory request of every process it starts. PROG's stdin,
 * stdout and stderr are its own; mmsim's messages go to stderr after PROG
 * is done. mmsim exits as PROG did: with its exit code, or by re-raising the
 * signal that killed it (without a core file of mmsim's own).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "mmsim/mm.h"
#include "mmsim/trace.h"
#include "sup.h"

struct rec_opts {
    const char *out;
    int verify, faults, stats, fast, syscall_stacks;
    uint64_t time_res_ns; /* 0: exact times */
    char **argv;
    const char *incomplete; /* preload-only capture: why */
    char why[256];
};

static void rec_usage(FILE *f)
{
    fprintf(f,
            "usage: mmsim record [-o TRACE] [--verify] [--no-faults] [--stats] "
            "[--fast-path]\n                    [--syscall-stacks] "
            "[--time-resolution DUR] -- PROG [ARGS]\n\n"
            "Run PROG and record every kernel-level memory request of every\n"
            "process it starts (seccomp + ptrace), and its page faults.\n\n"
            "  -o TRACE     write the trace to TRACE (default "
            "mmsim.<pid>.mmtrace)\n"
            "  --verify     check at each process's exit that the VMAs rebuilt\n"
            "               from the recording equal /proc/PID/maps\n"
            "  --no-faults  do not sample page faults\n"
            "  --stats      print the number of events of each kind\n"
            "  --fast-path  preload the shim (found next to mmsim) and let it\n"
            "               log glibc's memory syscalls and allocator calls\n"
            "               through a shared ring instead of ptrace stops\n"
            "  --syscall-stacks  record the stack of each traced request the\n"
            "               model may refuse (mmap, brk, mremap, mprotect,\n"
            "               fork...), unwound with libdw: slow\n"
            "  --time-resolution DUR  store event times rounded down to DUR\n"
            "               (ns, us, ms or s; up to 1s; default exact): a\n"
            "               smaller trace, the same events in the same order\n");
}

/* "250ns", "1us", "10ms", "1s": a time resolution from 1 ns to 1 s. */
static int rec_parse_time_res(const char *text, uint64_t *ns)
{
    static const struct { const char *name; uint64_t ns; } units[] = {
        {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
    char *end;
    unsigned long long v = strtoull(text, &end, 10);

    if (end == text || text[0] == '-')
        return -1;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(end, units[i].name) == 0) {
            if (v == 0 || v > TR_TIME_RES_MAX / units[i].ns)
                return -1;
            *ns = v * units[i].ns;
            return 0;
        }
    return -1;
}

static int rec_parse(int argc, char **argv, struct rec_opts *o)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            o->out = argv[++i];
        else if (strcmp(argv[i], "--verify") == 0)
            o->verify = 1;
        else if (strcmp(argv[i], "--no-faults") == 0)
            o->faults = 0;
        else if (strcmp(argv[i], "--stats") == 0)
            o->stats = 1;
        else if (strcmp(argv[i], "--fast-path") == 0)
            o->fast = 1;
        else if (strcmp(argv[i], "--syscall-stacks") == 0)
            o->syscall_stacks = 1;
        else if (strcmp(argv[i], "--time-resolution") == 0 && i + 1 < argc) {
            if (rec_parse_time_res(argv[++i], &o->time_res_ns)) {
                fprintf(stderr, "mmsim: record: --time-resolution: expected "
                        "1ns to 1s (ns, us, ms or s): '%s'\n", argv[i]);
                return -1;
            }
        }
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        else {
            fprintf(stderr, "mmsim: record: unknown option: '%s'\n", argv[i]);
            return -1;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "mmsim: record: no program given (mmsim record -- PROG)\n");
        return -1;
    }
    o->argv = argv + i;
    return 0;
}

/* CAP_SYS_ADMIN (21) or CAP_PERFMON (38) in our effective set. */
static int rec_privileged(int cap)
{
    char line[256];
    unsigned long long eff = 0;
    FILE *f = fopen("/proc/self/status", "re");
    while (f && fgets(line, sizeof(line), f))
        sscanf(line, "CapEff: %llx", &eff);
    if (f)
        fclose(f);
    return (int)((eff >> cap) & 1);
}

/**
 * cmd_record_note_setuid() - say that a set-user/group-ID program runs
 * without its privilege: without CAP_SYS_ADMIN the seccomp filter needs
 * no_new_privs, which makes the kernel ignore the set-ID bits at exec.
 * @verb: "record" or "run", for the message.
 * @prog: the program as given (looked up in PATH without a slash).
 */
void cmd_record_note_setuid(const char *verb, const char *prog)
{
    if (rec_privileged(21))
        return;
    char path[4096];
    struct stat st;
    const char *envpath = getenv("PATH");
    if (strchr(prog, '/') || !envpath) {
        snprintf(path, sizeof(path), "%s", prog);
    } else {
        for (const char *p = envpath; *p;) {
            size_t n = strcspn(p, ":");
            snprintf(path, sizeof(path), "%.*s/%s", (int)n, p, prog);
            if (access(path, X_OK) == 0)
                break;
            p += n + (p[n] == ':');
        }
    }
    if (stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)))
        fprintf(stderr,
                "mmsim: %s: note: '%s' is set-user/group-ID; without "
                "CAP_SYS_ADMIN the recorder needs no_new_privs, so it runs "
                "without that privilege\n",
                verb, path);
}

static int rec_spawn_error(const struct rec_opts *o, int err)
{
    fprintf(stderr, "mmsim: record: cannot start '%s': %s\n", o->argv[0],
            strerror(-err));
    return CLI_EXIT_ERROR;
}

static void rec_stats_print(const struct sup_run *r)
{
    fprintf(stderr, "mmsim: record: %llu ptrace stops; events:",
            (unsigned long long)r->nr_stops);
    for (uint32_t t = 0; t < 128; t++)
        if (r->by_type[t])
            fprintf(stderr, " %s %llu", tr_ev_type_name(t) ? tr_ev_type_name(t) : "?",
                    (unsigned long long)r->by_type[t]);
    fputc('\n', stderr);
}

static int rec_finish(const struct rec_opts *o, struct sup_run *r,
                      const char *path)
{
    uint64_t written = 0;
    int werr = cmd_record_out_close(r->sink, &written);
    int exec_err = sup_spawn_exec_errno(&r->child);
    if (exec_err) {
        fprintf(stderr, "mmsim: record: cannot execute: '%s': %s\n",
                o->argv[0], strerror(exec_err));
        return exec_err == ENOENT ? 127 : 126;
    }
    int bad = 0;
    if (o->incomplete)
        fprintf(stderr, "mmsim: record: incomplete capture: %s\n",
                o->incomplete);
    else if (r->verify)
        bad = sup_verify_report(r->verify, stderr);
    if (o->stats)
        rec_stats_print(r);
    if (!o->incomplete) /* said above */
        cmd_record_gaps("record", r->by_type[TR_EV_INCOMPLETE]);
    if (r->error || werr) {
        fprintf(stderr, "mmsim: record: cannot write the trace: %s: '%s'\n",
                mm_strerror(r->error ? r->error : werr), path);
        return CLI_EXIT_ERROR;
    }
    fprintf(stderr, "mmsim: record: %llu events written to '%s'\n",
            (unsigned long long)written, path);
    if (bad && r->have_status && WIFEXITED(r->status) &&
        WEXITSTATUS(r->status) == 0)
        return CLI_EXIT_ERROR; /* a clean run whose capture did not verify */
    return r->have_status ? cmd_record_pass_status(r->status) : CLI_EXIT_ERROR;
}

/* ptrace is not available: the preload-only capture (sup_preload.c). */
static int rec_fallback(struct rec_opts *o, struct sup_run *r, int err)
{
    struct sup_ip_range ip;
    o->incomplete = sup_preload_reason(err, o->why, sizeof(o->why));
    fprintf(stderr, "mmsim: record: %s: falling back to preload-only "
                    "capture; the trace is marked incomplete\n",
            o->incomplete);
    if (o->verify)
        fprintf(stderr, "mmsim: record: --verify needs ptrace: not done\n");
    if (!r->fast && cmd_record_fast_setup(r, &ip) < 0)
        fprintf(stderr, "mmsim: record: without the shim: /proc "
                        "snapshots only\n");
    return sup_preload_spawn(r, o->argv);
}

/**
 * cmd_record() - `mmsim record`: run a program under the recorder.
 * @argc: argument count (argv[0] is "record").
 * @argv: arguments.
 *
 * Return: PROG's exit code (or mmsim re-raises its fatal signal); 1 when
 * recording failed or a clean run did not verify; 2 for usage errors.
 */
int cmd_record(int argc, char **argv)
{
    struct rec_opts o = {.faults = 1};
    int rc = rec_parse(argc, argv, &o);
    if (rc) {
        rec_usage(rc > 0 ? stdout : stderr);
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    struct sup_run r = {0};
    cmd_record_note_setuid("record", o.argv[0]);
    if (o.verify && !(r.verify = sup_verify_new()))
        return CLI_EXIT_ERROR;
    if (o.faults)
        r.perf = sup_perf_new(!(rec_privileged(21) || rec_privileged(38)));
    struct sup_ip_range fast = {0, 0};
    if (o.fast && cmd_record_fast_setup(&r, &fast) < 0)
        return CLI_EXIT_ERROR;
    rc = sup_spawn(o.argv, &fast, &r.child);
    if (sup_preload_wanted(rc))
        rc = rec_fallback(&o, &r, rc);
    if (rc < 0)
        return rec_spawn_error(&o, rc);
    /* The child waits at its exec stop until the loop runs: if the trace
     * cannot be created, none of the program has run. */
    char path[64];
    snprintf(path, sizeof(path), "mmsim.%d.mmtrace", (int)r.child.pid);
    if (!o.out)
        o.out = path;
    if (!(r.sink = cmd_record_out_open(o.out, o.argv, o.time_res_ns, &rc))) {
        fprintf(stderr, "mmsim: record: cannot create the trace: %s: '%s'\n",
                mm_strerror(rc), o.out);
        kill(r.child.pid, SIGKILL);
        waitpid(r.child.pid, NULL, __WALL);
        return CLI_EXIT_ERROR;
    }
    if (o.syscall_stacks && cmd_record_out_syscall_stacks(r.sink) < 0)
        fprintf(stderr, "mmsim: record: --syscall-stacks: out of memory\n");
    cmd_record_signals(r.child.pid, o.faults || o.fast || o.incomplete, r.fast);
    rc = o.incomplete ? sup_preload_loop(&r, o.incomplete) : sup_run_loop(&r);
    if (rc < 0)
        fprintf(stderr, "mmsim: record: waiting for '%s': %s\n", o.argv[0],
                strerror(-rc));
    rc = rec_finish(&o, &r, o.out);
    sup_verify_free(r.verify);
    sup_perf_free(r.perf);
    sup_fast_free(r.fast);
    sup_modules_free(r.mods);
    return rc;
}
