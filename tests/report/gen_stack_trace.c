/*
 * gen_stack_trace - write a small trace whose one big mmap carries a call
 * stack into a real ELF file, for the symbolisation test
 * (tests/report/test_symbolize.sh).
 *
 * usage: gen_stack_trace OUT ELF VADDR
 * Process 100 execs ELF (mapped at a fixed base as a PIE would be), then
 * malloc(2 GiB) makes an mmap of 2 GiB + 4 KiB from inside the allocator
 * whose stack's innermost frame is ELF's address VADDR (+ the base).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/trace.h"

#define BASE 0x555555554000ull
#define PID 100u

static int ev(struct tr_writer *w, uint64_t t, uint32_t type, uint32_t str,
              const uint64_t a[6], int64_t ret, uint32_t stack, uint32_t flags)
{
    struct tr_event e = {.t_ns = 1000000000ull + t * 1000000ull, .type = type,
                         .pid = PID, .tid = PID, .str = str, .ret = ret,
                         .stack = stack, .flags = flags};
    memcpy(e.a, a, sizeof(e.a));
    return tr_writer_event(w, &e);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_stack_trace OUT ELF VADDR\n");
        return 2;
    }
    struct tr_header h = {.tool = "gen_stack_trace", .page_size = 4096,
                          .start_monotonic_ns = 1000000000ull};
    struct tr_writer *w;
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    uint32_t path = 0, stackname = 0, stack = 0;
    uint64_t ip = BASE + strtoull(argv[3], NULL, 0);
    int rc = tr_writer_open(&w, argv[1], &h, &o);
    rc = rc ? rc : tr_writer_string(w, argv[2], strlen(argv[2]), &path);
    rc = rc ? rc : tr_writer_string(w, "[stack]", 7, &stackname);
    struct tr_module m = {.t_ns = 1000000000ull, .pid = PID, .path = path,
                          .base = BASE, .size = 0x100000};
    rc = rc ? rc : tr_writer_module(w, &m, NULL);
    rc = rc ? rc : tr_writer_stack(w, &ip, 1, &stack);
    const uint64_t exec[6] = {0x555555800000ull, 0x7ffffffde000ull};
    const uint64_t text[6] = {BASE, BASE + 0x2000, 5, 2};
    const uint64_t stk[6] = {0x7ffffffde000ull, 0x7ffffffff000ull, 3, 2};
    const uint64_t none[6] = {0};
    const uint64_t big[6] = {0, (2ull << 30) + 4096, 3, 0x22, ~0ull, 0};
    const uint64_t call[6] = {2ull << 30};
    rc = rc ? rc : ev(w, 0, TR_EV_EXEC, path, exec, 0, 0, 0);
    rc = rc ? rc : ev(w, 0, TR_EV_VMA, path, text, 0, 0, 0);
    rc = rc ? rc : ev(w, 0, TR_EV_VMA, stackname, stk, 0, 0, 0);
    rc = rc ? rc : ev(w, 0, TR_EV_MAPS_END, 0, none, 0, 0, 0);
    rc = rc ? rc : ev(w, 5, TR_EV_MMAP, 0, big, 0x7f0000000000ll, stack,
                      TR_F_IN_ALLOC);
    rc = rc ? rc : ev(w, 5, TR_EV_MALLOC, 0, call, 0x7f0000000010ll, stack, 0);
    rc = rc ? rc : ev(w, 9, TR_EV_EXIT, 0, none, 0, 0, 0);
    int crc = tr_writer_close(w);
    if (rc || crc) {
        fprintf(stderr, "gen_stack_trace: %s\n", mm_strerror(rc ? rc : crc));
        return 1;
    }
    return 0;
}
