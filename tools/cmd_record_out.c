/*
 * cmd_record_out.c - where `mmsim record` writes: the trace file.
 *
 * Builds the trace header from the recording machine's facts (uname, page
 * size, THP settings, every readable /proc/sys/vm knob, /proc/meminfo,
 * /proc/zoneinfo, the command line, the clocks) and is the supervisor's sink:
 * each event's string is interned, then the event appended.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_config.h"
#include "mmsim/trace.h"
#include "sup.h"

struct rec_out {
    struct tr_writer *w;
    struct sup_sink sink;
    struct run_unwinder *unw;  /* --syscall-stacks */
    char *texts[5]; /* thp enabled, defrag, sysctl, meminfo, zoneinfo */
    char *cmdline;
};

static char *rec_read(const char *path)
{
    struct cli_err err;
    char *text = NULL;
    size_t len;
    if (cli_read_file("record", path, &text, &len, &err) != 0)
        return NULL;
    return text;
}

/* "name=value\n" for each readable file of /proc/sys/vm, sorted by name. */
static char *rec_sysctl_vm(void)
{
    struct dirent **names;
    int n = scandir("/proc/sys/vm", &names, NULL, alphasort);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), "/proc/sys/vm/%s", names[i]->d_name);
        char *v = names[i]->d_name[0] != '.' && out ? rec_read(path) : NULL;
        if (v) {
            v[strcspn(v, "\n")] = 0;
            fprintf(out, "%s=%s\n", names[i]->d_name, v);
        }
        free(v);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    if (out)
        fclose(out);
    return buf;
}

static uint64_t rec_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t rec_cmdline(char **argv, char **out)
{
    size_t len = 0;
    for (char **a = argv; *a; a++)
        len += strlen(*a) + 1;
    *out = malloc(len ? len : 1);
    size_t at = 0;
    for (char **a = argv; *out && *a; a++) {
        memcpy(*out + at, *a, strlen(*a) + 1);
        at += strlen(*a) + 1;
    }
    return *out ? len : 0;
}

static int rec_out_string(struct rec_out *o, const char *s, uint32_t *id)
{
    size_t len = strlen(s);
    return tr_writer_string(o->w, s, len < TR_STRING_MAX ? len : TR_STRING_MAX,
                            id);
}

/* A request of the ptrace path the model may refuse: its thread is at the
 * stop where it is recorded, so its stack can be unwound. */
static int rec_out_refusable(const struct tr_event *ev)
{
    static const uint32_t types[] = {
        TR_EV_MMAP, TR_EV_MREMAP, TR_EV_BRK, TR_EV_MPROTECT,
        TR_EV_PKEY_MPROTECT, TR_EV_SHMAT, TR_EV_MLOCK, TR_EV_MLOCKALL,
        TR_EV_FORK,
    };
    if (!(ev->flags & TR_F_TRACED) || ev->stack || ev->ret < 0)
        return 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (ev->type == types[i])
            return 1;
    return 0;
}

static void rec_out_unwind(struct rec_out *o, struct tr_event *ev)
{
    uint64_t ips[64];
    if (ev->type == TR_EV_EXEC || ev->type == TR_EV_EXIT) {
        run_unwinder_forget(o->unw, (pid_t)ev->pid);
        return;
    }
    if (!rec_out_refusable(ev))
        return;
    uint32_t n = run_unwinder_stack(o->unw, (pid_t)ev->pid, (pid_t)ev->tid,
                                    ips, 64);
    if (n && tr_writer_stack(o->w, ips, n, &ev->stack) < 0)
        ev->stack = 0;
}

static int rec_out_event(void *ctx, struct tr_event *ev, const char *str)
{
    struct rec_out *o = ctx;
    if (o->unw)
        rec_out_unwind(o, ev);
    if (str) {
        int rc = rec_out_string(o, str, &ev->str);
        if (rc < 0)
            return rc;
    }
    return tr_writer_event(o->w, ev);
}

/**
 * cmd_record_out_string() - intern @s in the trace of @sink.
 * @sink: from cmd_record_out_open().
 * @s: the string.
 * @id: receives its id.
 *
 * Return: 0 or a negative MM_E* code.
 */
int cmd_record_out_string(struct sup_sink *sink, const char *s, uint32_t *id)
{
    return rec_out_string(sink->ctx, s, id);
}

static int rec_out_stack(void *ctx, const uint64_t *ips, uint32_t n,
                         uint32_t *id)
{
    struct rec_out *o = ctx;
    return tr_writer_stack(o->w, ips, n < TR_STACK_MAX ? n : TR_STACK_MAX, id);
}

static int rec_out_module(void *ctx, struct tr_module *m, const char *path)
{
    struct rec_out *o = ctx;
    run_unwinder_forget(o->unw, (pid_t)m->pid); /* its modules changed */
    int rc = rec_out_string(o, path, &m->path);
    return rc < 0 ? rc : tr_writer_module(o->w, m, NULL);
}

static void rec_out_free(struct rec_out *o)
{
    run_unwinder_free(o->unw);
    for (size_t i = 0; i < 5; i++)
        free(o->texts[i]);
    free(o->cmdline);
    free(o);
}

/**
 * cmd_record_out_open() - create the trace file @path for a recording of
 * @argv and return the sink that writes it.
 * @path: the trace file (must not exist).
 * @argv: the recorded command.
 * @time_res_ns: events' times are stored rounded down to this (0: exact);
 *               the header says so (fact time_resolution_ns).
 * @err: set to the writer's error (a negative MM_E* code) on failure.
 *
 * Return: the sink (ctx is the output), or NULL with @err set.
 */
struct sup_sink *cmd_record_out_open(const char *path, char **argv,
                                     uint64_t time_res_ns, int *err)
{
    struct rec_out *o = calloc(1, sizeof(*o));
    struct utsname u;
    if (!o) {
        *err = MM_ENOMEM;
        return NULL;
    }
    uname(&u);
    o->texts[0] = rec_read("/sys/kernel/mm/transparent_hugepage/enabled");
    o->texts[1] = rec_read("/sys/kernel/mm/transparent_hugepage/defrag");
    o->texts[2] = rec_sysctl_vm();
    o->texts[3] = rec_read("/proc/meminfo");
    o->texts[4] = rec_read("/proc/zoneinfo");
    struct tr_header h = {
        .tool = "mmsim " MMSIM_VERSION, .kernel_release = u.release,
        .hostname = u.nodename, .page_size = (uint32_t)sysconf(_SC_PAGESIZE),
        .thp_enabled = o->texts[0], .thp_defrag = o->texts[1],
        .sysctl_vm = o->texts[2], .meminfo = o->texts[3],
        .zoneinfo = o->texts[4],
        .start_realtime_ns = rec_clock(CLOCK_REALTIME),
        .start_monotonic_ns = rec_clock(CLOCK_MONOTONIC),
    };
    h.cmdline_len = rec_cmdline(argv, &o->cmdline);
    h.cmdline = o->cmdline;
    char res[24];
    struct tr_kv fact = {"time_resolution_ns", res};
    if (time_res_ns > 1) {
        snprintf(res, sizeof(res), "%llu", (unsigned long long)time_res_ns);
        h.extra = &fact;
        h.nr_extra = 1;
    }
    struct tr_writer_opts wo = {.time_res_ns = time_res_ns};
    *err = tr_writer_open(&o->w, path, &h, &wo);
    if (*err) {
        rec_out_free(o);
        return NULL;
    }
    o->sink = (struct sup_sink){o, rec_out_event, rec_out_stack,
                                rec_out_module};
    return &o->sink;
}

/**
 * cmd_record_out_syscall_stacks() - from now on, give every request of the
 * ptrace path the model may refuse the stack of the thread that made it
 * (unwound with libdw while the thread is stopped: tools/run_unwind.c).
 * @sink: from cmd_record_out_open().
 *
 * Return: 0, or MM_ENOMEM.
 */
int cmd_record_out_syscall_stacks(struct sup_sink *sink)
{
    struct rec_out *o = sink->ctx;
    if (!o->unw)
        o->unw = run_unwinder_new();
    return o->unw ? 0 : MM_ENOMEM;
}

/**
 * cmd_record_out_close() - finish the trace (end chunk) and free the sink.
 * @sink: from cmd_record_out_open(), or NULL.
 * @events: set to the number of events written, if not NULL.
 *
 * Return: 0 or the first error the writer met (negative MM_E* code).
 */
int cmd_record_out_close(struct sup_sink *sink, uint64_t *events)
{
    if (!sink)
        return 0;
    struct rec_out *o = sink->ctx;
    struct tr_writer_stats st;
    tr_writer_get_stats(o->w, &st);
    if (events)
        *events = st.events;
    int rc = tr_writer_close(o->w);
    rec_out_free(o);
    return rc;
}
