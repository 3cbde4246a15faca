/*
 * rel_gen_trace.c - write a large replayable trace for the resource tests:
 * `rel_gen_trace PATH PAGES ROUNDS`. One process (pid 1000) execs, then
 * ROUNDS times maps PAGES anonymous pages at one address, writes to every
 * page (one fault event each) and, except after the last round, unmaps
 * them; then it exits. So the trace holds about PAGES * ROUNDS events while
 * the model never has more than PAGES pages touched at once: with ROUNDS 1
 * the model's memory per touched page can be measured, with ROUNDS > 1
 * whether replaying streams the trace (memory independent of its length).
 * The header has no machine facts: replay it with --machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "mmsim/event.h"
#include "mmsim/mm.h"
#include "mmsim/trace.h"

#define REL_PID 1000u
#define REL_BASE 0x100000000000ull

static struct tr_writer *w;
static uint64_t now = 1000000000ull;

static void rel_emit(uint32_t type, uint64_t a0, uint64_t a1, int64_t ret)
{
    struct tr_event ev = {.t_ns = now, .type = type, .flags = TR_F_TRACED,
                          .pid = REL_PID, .tid = REL_PID, .ret = ret};
    ev.a[0] = a0;
    ev.a[1] = a1;
    if (type == TR_EV_MMAP) {
        ev.a[2] = PROT_READ | PROT_WRITE;
        ev.a[3] = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
        ev.a[4] = (uint64_t)-1;
    }
    now += 100;
    int rc = tr_writer_event(w, &ev);
    if (rc) {
        fprintf(stderr, "rel_gen_trace: %s\n", mm_strerror(rc));
        exit(1);
    }
}

static void rel_round(uint64_t pages, int unmap)
{
    rel_emit(TR_EV_MMAP, REL_BASE, pages * 4096, (int64_t)REL_BASE);
    for (uint64_t p = 0; p < pages; p++)
        rel_emit(TR_EV_FAULT, REL_BASE + p * 4096,
                 TR_FAULT_KNOWN | TR_FAULT_WRITE, 0);
    if (unmap)
        rel_emit(TR_EV_MUNMAP, REL_BASE, pages * 4096, 0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: rel_gen_trace PATH PAGES ROUNDS\n");
        return 2;
    }
    uint64_t pages = strtoull(argv[2], NULL, 0);
    uint64_t rounds = strtoull(argv[3], NULL, 0);
    static const char cmd[] = "rel_gen_trace";
    struct tr_header h = {.tool = "rel_gen_trace", .kernel_release = "6.1.0",
                          .page_size = 4096, .cmdline = cmd,
                          .cmdline_len = sizeof(cmd)};
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    int rc = tr_writer_open(&w, argv[1], &h, &o);
    uint32_t exe = 0;
    if (!rc)
        rc = tr_writer_string(w, "/bin/rel", 8, &exe);
    if (rc) {
        fprintf(stderr, "rel_gen_trace: %s: '%s'\n", mm_strerror(rc), argv[1]);
        return 1;
    }
    struct tr_event ev = {.t_ns = now, .type = TR_EV_EXEC, .pid = REL_PID,
                          .tid = REL_PID, .str = exe, .flags = TR_F_TRACED};
    ev.a[0] = 0x555555560000ull; /* start_brk */
    ev.a[1] = 0x7ffffffde000ull; /* start_stack */
    tr_writer_event(w, &ev);
    rel_emit(TR_EV_MAPS_END, 0, 0, 0);
    for (uint64_t r = 0; r < rounds; r++)
        rel_round(pages, r + 1 < rounds);
    rel_emit(TR_EV_EXIT, 0, 0, 0);
    rc = tr_writer_close(w);
    if (rc)
        fprintf(stderr, "rel_gen_trace: %s: '%s'\n", mm_strerror(rc), argv[1]);
    return rc ? 1 : 0;
}
