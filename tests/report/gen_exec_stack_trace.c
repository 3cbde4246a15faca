/*
 * gen_exec_stack_trace - write a trace where a forked child's first fault
 * in its new image's stack is timed before its exec stop, 1 GiB below the
 * parent's stack, for the replay test of stack growth
 * (tests/report/test_exec_stack.sh).
 *
 * usage: gen_exec_stack_trace OUT
 * Process 100 execs /bin/p (stack [S - 128K, S)), forks 101; 101 faults at
 * S - 1 GiB + 0x100 (its new stack, which the exec built before the stop
 * was reported), then its exec stop shows that stack; both exit. A real
 * python3 recording does this (docs/replay.md).
 */
#include <stdio.h>
#include <string.h>

#include "mmsim/trace.h"

#define S 0x7fff00000000ull
#define S2 (S - (1ull << 30))

static int ev(struct tr_writer *w, uint32_t pid, uint64_t t, uint32_t type,
              uint32_t str, const uint64_t a[6])
{
    struct tr_event e = {.t_ns = 1000000000ull + t * 1000000ull, .type = type,
                         .pid = pid, .tid = pid, .str = str};
    memcpy(e.a, a, sizeof(e.a));
    return tr_writer_event(w, &e);
}

static int image(struct tr_writer *w, uint32_t pid, uint64_t t,
                 uint64_t top, const uint32_t str[2])
{
    const uint64_t exec[6] = {0x555555800000ull, top - 0x100};
    const uint64_t text[6] = {0x555555554000ull, 0x555555556000ull, 5, 2};
    const uint64_t stk[6] = {top - 0x20000, top, 3, 2};
    const uint64_t none[6] = {0};
    int rc = ev(w, pid, t, TR_EV_EXEC, str[0], exec);
    rc = rc ? rc : ev(w, pid, t, TR_EV_VMA, str[0], text);
    rc = rc ? rc : ev(w, pid, t, TR_EV_VMA, str[1], stk);
    return rc ? rc : ev(w, pid, t, TR_EV_MAPS_END, 0, none);
}

static int events(struct tr_writer *w, const uint32_t str[2])
{
    const uint64_t fork[6] = {101, 0x1200011};
    const uint64_t fault[6] = {S2 - 0x100, TR_FAULT_KNOWN | TR_FAULT_WRITE};
    const uint64_t none[6] = {0};
    int rc = image(w, 100, 0, S, str);
    rc = rc ? rc : ev(w, 100, 1, TR_EV_FORK, 0, fork);
    rc = rc ? rc : ev(w, 101, 2, TR_EV_FAULT, 0, fault);
    rc = rc ? rc : image(w, 101, 3, S2, str);
    rc = rc ? rc : ev(w, 101, 4, TR_EV_EXIT, 0, none);
    return rc ? rc : ev(w, 100, 5, TR_EV_EXIT, 0, none);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_exec_stack_trace OUT\n");
        return 2;
    }
    struct tr_header h = {.tool = "gen_exec_stack_trace", .page_size = 4096,
                          .start_monotonic_ns = 1000000000ull};
    struct tr_writer *w;
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    uint32_t str[2] = {0};
    int rc = tr_writer_open(&w, argv[1], &h, &o);
    rc = rc ? rc : tr_writer_string(w, "/bin/p", 6, &str[0]);
    rc = rc ? rc : tr_writer_string(w, "[stack]", 7, &str[1]);
    rc = rc ? rc : events(w, str);
    int crc = tr_writer_close(w);
    if (rc || crc) {
        fprintf(stderr, "gen_exec_stack_trace: %s\n", mm_strerror(rc ? rc : crc));
        return 1;
    }
    return 0;
}
