/*
 * gen_numa_trace - write a small trace with NUMA policy calls, for the
 * replay test of set_mempolicy, mbind and --numa-policy
 * (tests/report/test_numa_cli.sh).
 *
 * usage: gen_numa_trace OUT
 * Process 100 execs; maps A (64 pages) and binds it to node 0 with mbind;
 * maps B (64 pages); writes every page of A and B; sets the task policy to
 * interleave over nodes 0-1; maps C (64 pages, starting at an even page
 * number) and writes it. An mbind to node 5 that the real kernel refused
 * (EINVAL) follows, which the replay must not apply.
 */
#include <stdio.h>
#include <string.h>

#include "mmsim/trace.h"

#define PID 100u
#define A 0x7f0000000000ull
#define LEN (64ull * 4096)

static int ev(struct tr_writer *w, uint64_t t, uint32_t type, uint32_t str,
              const uint64_t a[6], int64_t ret)
{
    struct tr_event e = {.t_ns = 1000000000ull + t * 1000000ull, .type = type,
                         .pid = PID, .tid = PID, .str = str, .ret = ret};
    memcpy(e.a, a, sizeof(e.a));
    return tr_writer_event(w, &e);
}

static int map_and_touch(struct tr_writer *w, uint64_t t, uint64_t addr,
                         bool touch)
{
    const uint64_t map[6] = {0, LEN, 3, 0x22, ~0ull, 0};
    int rc = ev(w, t, TR_EV_MMAP, 0, map, (int64_t)addr);
    for (uint64_t i = 0; !rc && touch && i < 64; i++) {
        const uint64_t f[6] = {addr + i * 4096, TR_FAULT_KNOWN | TR_FAULT_WRITE};
        rc = ev(w, t + 1, TR_EV_FAULT, 0, f, 0);
    }
    return rc;
}

static int events(struct tr_writer *w, uint32_t path)
{
    const uint64_t exec[6] = {0x555555800000ull, 0x7ffffffde000ull};
    const uint64_t none[6] = {0};
    const uint64_t bind0[6] = {A, LEN, 2 /* MPOL_BIND */, 1, 65, 0};
    const uint64_t il[6] = {3 /* MPOL_INTERLEAVE */, 3, 65};
    const uint64_t bind5[6] = {A, LEN, 2, 1u << 5, 65, 0};
    int rc = ev(w, 0, TR_EV_EXEC, path, exec, 0);
    rc = rc ? rc : ev(w, 0, TR_EV_MAPS_END, 0, none, 0);
    rc = rc ? rc : map_and_touch(w, 1, A, false);
    rc = rc ? rc : ev(w, 2, TR_EV_MBIND, 0, bind0, 0);
    rc = rc ? rc : map_and_touch(w, 3, A + 0x100000, false);
    for (uint64_t i = 0; !rc && i < 64; i++) {
        const uint64_t fa[6] = {A + i * 4096, TR_FAULT_KNOWN | TR_FAULT_WRITE};
        const uint64_t fb[6] = {A + 0x100000 + i * 4096,
                                TR_FAULT_KNOWN | TR_FAULT_WRITE};
        rc = ev(w, 4, TR_EV_FAULT, 0, fa, 0);
        rc = rc ? rc : ev(w, 4, TR_EV_FAULT, 0, fb, 0);
    }
    rc = rc ? rc : ev(w, 5, TR_EV_SET_MEMPOLICY, 0, il, 0);
    rc = rc ? rc : map_and_touch(w, 6, A + 0x200000, true);
    return rc ? rc : ev(w, 8, TR_EV_MBIND, 0, bind5, -22);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_numa_trace OUT\n");
        return 2;
    }
    struct tr_header h = {.tool = "gen_numa_trace", .page_size = 4096,
                          .start_monotonic_ns = 1000000000ull};
    struct tr_writer *w;
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    uint32_t path = 0;
    int rc = tr_writer_open(&w, argv[1], &h, &o);
    rc = rc ? rc : tr_writer_string(w, "/bin/numa", 9, &path);
    rc = rc ? rc : events(w, path);
    int crc = tr_writer_close(w);
    if (rc || crc) {
        fprintf(stderr, "gen_numa_trace: error %d\n", rc ? rc : crc);
        return 1;
    }
    return 0;
}
