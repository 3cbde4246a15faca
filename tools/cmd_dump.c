/*
 * cmd_dump.c - `mmsim dump TRACE`: print a trace as text, one line per
 * record: the header's facts, then strings, stacks, modules and events in
 * file order. Damage is reported on stderr and makes the exit status 1.
 * A consumer of the trace reader like any other (trace/reader.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mmsim/trace.h"

struct dump {
    FILE *out;
    const char *path;
};

static void put_escaped(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* A one-line fact, or a multi-line text indented under its name. */
static void put_fact(FILE *out, const char *name, const char *v)
{
    if (!v)
        return;
    if (!strchr(v, '\n')) {
        fprintf(out, "header %s=%s\n", name, v);
        return;
    }
    fprintf(out, "header %s:\n", name);
    for (const char *p = v; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

static int on_header(void *arg, uint32_t version, const struct tr_header *h)
{
    FILE *out = ((struct dump *)arg)->out;

    fprintf(out, "header version=%" PRIu32 "\n", version);
    put_fact(out, "tool", h->tool);
    put_fact(out, "kernel_release", h->kernel_release);
    put_fact(out, "hostname", h->hostname);
    fprintf(out, "header page_size=%" PRIu32 "\n", h->page_size);
    put_fact(out, "thp_enabled", h->thp_enabled);
    put_fact(out, "thp_defrag", h->thp_defrag);
    fprintf(out, "header start_realtime_ns=%" PRIu64 "\n",
            h->start_realtime_ns);
    fprintf(out, "header start_monotonic_ns=%" PRIu64 "\n",
            h->start_monotonic_ns);
    if (h->cmdline) {
        fputs("header cmdline=", out);
        for (const char *p = h->cmdline; p < h->cmdline + h->cmdline_len;
             p += strlen(p) + 1) {
            put_escaped(out, p, strnlen(p, (size_t)(h->cmdline +
                                                   h->cmdline_len - p)));
            fputc(' ', out);
        }
        fputc('\n', out);
    }
    put_fact(out, "sysctl_vm", h->sysctl_vm);
    put_fact(out, "meminfo", h->meminfo);
    put_fact(out, "zoneinfo", h->zoneinfo);
    for (uint32_t i = 0; i < h->nr_extra; i++)
        put_fact(out, h->extra[i].name, h->extra[i].value);
    return 0;
}

static int on_string(void *arg, uint32_t id, const char *s, size_t len)
{
    FILE *out = ((struct dump *)arg)->out;

    fprintf(out, "string %" PRIu32 " ", id);
    put_escaped(out, s, len);
    fputc('\n', out);
    return 0;
}

static int on_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    FILE *out = ((struct dump *)arg)->out;

    fprintf(out, "stack %" PRIu32, id);
    for (uint32_t i = 0; i < n; i++)
        fprintf(out, "%c0x%" PRIx64, i ? ',' : ' ', ips[i]);
    fputc('\n', out);
    return 0;
}

static int on_module(void *arg, uint32_t id, const struct tr_module *m)
{
    FILE *out = ((struct dump *)arg)->out;

    fprintf(out, "module %" PRIu32 " t=%" PRIu64 " pid=%" PRIu32
            " base=0x%" PRIx64 " size=0x%" PRIx64 " offset=0x%" PRIx64
            " path=%" PRIu32 " build_id=", id, m->t_ns, m->pid, m->base,
            m->size, m->offset, m->path);
    for (uint32_t i = 0; i < m->build_id_len; i++)
        fprintf(out, "%02x", m->build_id[i]);
    fputc('\n', out);
    return 0;
}

static int on_event(void *arg, const struct tr_event *ev)
{
    FILE *out = ((struct dump *)arg)->out;
    const char *name = tr_ev_type_name(ev->type);
    int nargs = 6;

    while (nargs > 0 && ev->a[nargs - 1] == 0)
        nargs--;
    fprintf(out, "%" PRIu64 " %" PRIu32 "/%" PRIu32 " ", ev->t_ns, ev->pid,
            ev->tid);
    if (name)
        fputs(name, out);
    else
        fprintf(out, "type%" PRIu32, ev->type);
    for (int i = 0; i < nargs; i++)
        fprintf(out, "%s0x%" PRIx64, i ? "," : " a=", ev->a[i]);
    if (ev->ret < 0)
        fprintf(out, " ret=%" PRId64, ev->ret);
    else
        fprintf(out, " ret=0x%" PRIx64, (uint64_t)ev->ret);
    if (ev->flags)
        fprintf(out, " flags=0x%" PRIx32, ev->flags);
    if (ev->str)
        fprintf(out, " str=%" PRIu32, ev->str);
    if (ev->stack)
        fprintf(out, " stack=%" PRIu32, ev->stack);
    if (ev->dev || ev->ino)
        fprintf(out, " dev=0x%" PRIx64 " ino=%" PRIu64, ev->dev, ev->ino);
    fputc('\n', out);
    return 0;
}

static void on_warning(void *arg, uint64_t offset, const char *msg)
{
    const struct dump *d = arg;

    (void)offset;
    fflush(d->out);
    fprintf(stderr, "mmsim: dump: %s: '%s'\n", msg, d->path);
}

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mmsim dump TRACE\n\n"
               "Print a trace as text: the recording machine's facts, then "
               "one line per\nstring, stack, module and event. Damage is "
               "reported on stderr (exit 1).\n");
    return rc;
}

int cmd_dump(int argc, char **argv)
{
    static const struct tr_consumer c = {on_header, on_event, on_string,
                                         on_stack, on_module, on_warning};
    struct tr_read_stats st;

    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return usage(stdout, CLI_EXIT_OK);
    if (argc != 2)
        return usage(stderr, CLI_EXIT_USAGE);
    struct dump d = {stdout, argv[1]};
    int rc = tr_read_file(argv[1], &c, &d, &st);
    if (rc) {
        fprintf(stderr, "mmsim: dump: %s: '%s'\n",
                st.error[0] ? st.error : mm_strerror(rc), argv[1]);
        return CLI_EXIT_ERROR;
    }
    printf("end events=%" PRIu64 " chunks=%" PRIu32 " bad_chunks=%" PRIu32
           " unknown_records=%" PRIu64 " %s\n", st.events, st.chunks,
           st.bad_chunks, st.unknown_records,
           st.complete ? "complete" : "incomplete");
    if (fflush(stdout) != 0) {
        fprintf(stderr, "mmsim: dump: cannot write the output: '%s'\n",
                argv[1]);
        return CLI_EXIT_ERROR;
    }
    return st.damaged ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
