/*
 * gen_oom_trace - write the trace an OOM oracle case's touchers would have
 * left on a machine large enough for both (tests/oracle/README.md), so that
 * `mmsim report` can replay it on the guest's machine.
 *
 * usage: gen_oom_trace CASE_DIR OUT TARGET_A_MIB TARGET_B_MIB
 *
 * CASE_DIR/oom.txt gives the order in which the guest's two touchers
 * started and completed their chunks until the kernel's kill; from there
 * they go on one chunk each in turn to their targets. Each toucher: exec
 * of /probes/toucher with its text (160 pages of a file both share), data
 * and stack mappings, a write of its oom_score_adj, then per chunk an mmap
 * and one write fault per page, the faults carrying a one-frame stack
 * naming the touching loop. Both exit 0 at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/trace.h"

#define CHUNK_TOP 0x7f0000000000ull
#define TEXT_PAGES 160u

struct toucher {
    unsigned pid, step, target, done;
    int adj;
    bool started;
};

struct gen {
    struct tr_writer *w;
    uint64_t now;
    uint32_t path, stack;
    uint64_t next_chunk;
    struct toucher t[2];
};

static void emit(struct gen *g, const struct tr_event *proto)
{
    struct tr_event ev = *proto;
    ev.t_ns = g->now += 1000;
    ev.tid = ev.pid;
    if (tr_writer_event(g->w, &ev)) {
        fprintf(stderr, "gen_oom_trace: write failed\n");
        exit(1);
    }
}

static void map(struct gen *g, unsigned pid, uint64_t addr, uint64_t pages,
                unsigned prot, unsigned flags, uint64_t ino)
{
    struct tr_event ev = {.type = TR_EV_MMAP, .pid = pid, .ret = (int64_t)addr,
                          .a = {0, pages << 12, prot, flags, (uint64_t)-1, 0},
                          .dev = ino ? 0xfe01 : 0, .ino = ino,
                          .str = ino ? g->path : 0};
    emit(g, &ev);
}

static void fault(struct gen *g, unsigned pid, uint64_t addr, bool write)
{
    struct tr_event ev = {.type = TR_EV_FAULT, .pid = pid, .stack = g->stack,
                          .a = {addr, TR_FAULT_KNOWN | (write ? TR_FAULT_WRITE : 0)}};
    emit(g, &ev);
}

static void start(struct gen *g, struct toucher *t)
{
    struct tr_event ex = {.type = TR_EV_EXEC, .pid = t->pid, .str = g->path,
                          .a = {0x4c8000, 0x7ffffffde000}};
    emit(g, &ex);
    map(g, t->pid, 0x400000, TEXT_PAGES, 5, 0x02, 42);   /* r-x private */
    map(g, t->pid, 0x4c0000, 8, 3, 0x22, 0);             /* rw- anon */
    map(g, t->pid, 0x7ffffffde000, 33, 3, 0x122, 0);     /* [stack] */
    for (unsigned i = 0; i < TEXT_PAGES; i++)
        fault(g, t->pid, 0x400000 + ((uint64_t)i << 12), false);
    for (unsigned i = 0; i < 3; i++)
        fault(g, t->pid, 0x4c0000 + ((uint64_t)i << 12), true);
    fault(g, t->pid, 0x7ffffffff000 - 4096, true);
    fault(g, t->pid, 0x7ffffffff000 - 8192, true);
    struct tr_event adj = {.type = TR_EV_OOM_SCORE_ADJ, .pid = t->pid,
                           .a = {(uint64_t)(int64_t)t->adj}};
    emit(g, &adj);
    t->started = true;
}

static void chunk(struct gen *g, struct toucher *t)
{
    uint64_t pages = (uint64_t)t->step << 8;
    g->next_chunk -= pages << 12;
    map(g, t->pid, g->next_chunk, pages, 3, 0x22, 0);
    for (uint64_t i = 0; i < pages; i++)
        fault(g, t->pid, g->next_chunk + (i << 12), true);
    t->done += t->step;
}

/* The logged order up to the kill; pids in fork (pid) order first. */
static void logged(struct gen *g, const char *log)
{
    for (const char *p = log; (p = strstr(p, "toucher ")); p++) {
        char name;
        unsigned pid;
        int adj;
        if (sscanf(p, "toucher %c pid=%u adj=%d start", &name, &pid, &adj) == 3) {
            g->t[name != 'A'] = (struct toucher){pid, 0, g->t[name != 'A'].target,
                                                 0, adj, false};
        }
    }
    const char *kill = strstr(log, "Killed process");
    for (const char *p = log; (p = strstr(p, "toucher ")) && (!kill || p < kill); p++) {
        char name;
        unsigned pid, mib;
        int adj;
        struct toucher *t;
        if (sscanf(p, "toucher %c pid=%u adj=%d start", &name, &pid, &adj) == 3) {
            for (int k = 0; k < 2; k++)
                if (!g->t[k].started && g->t[k].pid < pid)
                    start(g, &g->t[k]);
            if (!g->t[name != 'A'].started)
                start(g, &g->t[name != 'A']);
        } else if (sscanf(p, "toucher %c pid=%*u touched_mib=%u", &name, &mib) == 2) {
            t = &g->t[name != 'A'];
            t->step = t->step ? t->step : mib;
            if (t->done < mib)
                chunk(g, t);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen_oom_trace CASE_DIR OUT TARGET_A_MIB TARGET_B_MIB\n");
        return 2;
    }
    char path[4096], *log = calloc(1, 1 << 20);
    snprintf(path, sizeof(path), "%s/oom.txt", argv[1]);
    FILE *f = fopen(path, "r");
    if (!f || !log || !fread(log, 1, (1 << 20) - 1, f)) {
        fprintf(stderr, "gen_oom_trace: cannot read '%s'\n", path);
        return 1;
    }
    fclose(f);
    struct gen g = {.next_chunk = CHUNK_TOP, .now = 1000000000ull};
    g.t[0].target = (unsigned)atoi(argv[3]);
    g.t[1].target = (unsigned)atoi(argv[4]);
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    uint64_t ip = 0x401234;
    if (tr_writer_open(&g.w, argv[2], NULL, &o) ||
        tr_writer_string(g.w, "/probes/toucher", 15, &g.path) ||
        tr_writer_stack(g.w, &ip, 1, &g.stack)) {
        fprintf(stderr, "gen_oom_trace: cannot write '%s'\n", argv[2]);
        return 1;
    }
    logged(&g, log);
    for (bool more = true; more;) {
        more = false;
        for (int k = 0; k < 2; k++)
            if (g.t[k].started && g.t[k].step && g.t[k].done < g.t[k].target) {
                chunk(&g, &g.t[k]);
                more = true;
            }
    }
    for (int k = 0; k < 2; k++) {
        struct tr_event ex = {.type = TR_EV_EXIT, .pid = g.t[k].pid};
        emit(&g, &ex);
    }
    free(log);
    return tr_writer_close(g.w) ? 1 : 0;
}
