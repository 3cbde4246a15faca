/*
 * gen_sites_trace - write a trace with known allocator calls, hostile
 * names and a refusable request, for tests/report/test_report_formats.sh.
 *
 * usage: gen_sites_trace OUT ELF VADDR [N|touch]
 * With N, the trace is only a long one, for the progress bar's test:
 * process 400 makes N malloc/free pairs. With "touch", process 500 maps
 * 96 MiB of anonymous memory and writes every page once (on a 64 MiB
 * machine with swap: reclaim and swap-out).
 * Process 200 (ELF) first: malloc(16) from call site S4 (ELF's VADDR+12)
 * makes a 1 MiB + 4 KiB anonymous mmap from inside the allocator (no stack
 * of its own: it takes S4's), frees the block (temporary) and unmaps the
 * range after writing ten of its pages: S4's commit charge peaks at
 * 1028 kB and its resident pages at 40 kB, the whole peaks of both.
 * Then process 100 execs a file named /opt/x/<b>&"'<script> (so its command
 * name is full of HTML metacharacters) with ELF's text mapped at BASE, and
 * a module with a hostile path (never present on disk) at BASE2. Its
 * allocator calls, from three call sites S1 (ELF's VADDR+4 called from the
 * hostile module), S2 (the hostile module) and S3 (ELF's VADDR+8):
 *
 *   malloc(1000) S1 = p1; malloc(200) S2 = p2; free(p2)     (temporary)
 *   malloc(3000) S3 = p3; malloc(500) S1 = p4; free(p1)
 *   realloc(p4, 5000) S1 = p5                 (heap 8000: a new peak)
 *   malloc(64) S2 = p6                        (heap 8064: the peak)
 *   free(p6)                                  (temporary)
 *   free(p3); tid 101: malloc(10) S3 = p7; tid 100: free(p7)
 *                                             (temporary: the process's
 *                                              next allocator event)
 *   calloc(10, 100) S3 = p8; free(0xdead0)    (unknown free); exit
 *
 * Expected (heaptrack's rules): S1 3 allocations, 6500 bytes, peak 5000,
 * leaked 5000, 0 temporary; S2 2, 264, peak 64, leaked 0, 2 temporary; S3
 * 3, 4010, peak 3000, leaked 1000, 1 temporary; S4 1, 16, peak 0, leaked
 * 0, 1 temporary; heap peak 8064 bytes.
 * Process 300 (same ELF) then makes a 2 GiB + 4 KiB anonymous mmap from
 * S2, which vm.overcommit_memory=2 on mem=1G refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/trace.h"

#define BASE 0x555555554000ull
#define BASE2 0x7f0000100000ull
#define T0 1000000000ull
#define HOSTILE_EXEC "/opt/x/<b>&\"'<script>"
#define HOSTILE_LIB "/nonexistent/<script>evil()</script>&'\".so"

struct gen {
    struct tr_writer *w;
    uint32_t pid, tid;
    uint64_t t;
    int rc;
};

static void ev(struct gen *g, uint32_t type, uint32_t str, uint64_t a0,
               uint64_t a1, int64_t ret, uint32_t stack)
{
    struct tr_event e = {.t_ns = T0 + ++g->t * 1000000ull, .type = type,
                         .pid = g->pid, .tid = g->tid, .str = str,
                         .ret = ret, .stack = stack, .a = {a0, a1}};
    if (type == TR_EV_MMAP) /* anonymous private read/write, fd -1 */
        memcpy(e.a, (uint64_t[6]){0, a0, 3, 0x22, ~0ull, 0}, sizeof(e.a));
    if (!g->rc)
        g->rc = tr_writer_event(g->w, &e);
}

static void process(struct gen *g, uint32_t pid, uint32_t path, uint32_t lib)
{
    g->pid = g->tid = pid;
    ev(g, TR_EV_EXEC, path, 0x555555800000ull, 0x7ffffffde000ull, 0, 0);
    struct tr_event vma = {.t_ns = T0 + g->t * 1000000ull, .type = TR_EV_VMA,
                           .pid = pid, .tid = pid, .str = path,
                           .a = {BASE, BASE + 0x2000, 5, 2}};
    if (!g->rc)
        g->rc = tr_writer_event(g->w, &vma);
    vma.str = lib;
    vma.a[0] = BASE2;
    vma.a[1] = BASE2 + 0x1000;
    if (!g->rc)
        g->rc = tr_writer_event(g->w, &vma);
    ev(g, TR_EV_MAPS_END, 0, 0, 0, 0, 0);
}

static void allocations(struct gen *g, const uint32_t s[3])
{
    ev(g, TR_EV_MALLOC, 0, 1000, 0, 0x10000, s[0]);
    ev(g, TR_EV_MALLOC, 0, 200, 0, 0x20000, s[1]);
    ev(g, TR_EV_FREE, 0, 0x20000, 0, 0, 0);
    ev(g, TR_EV_MALLOC, 0, 3000, 0, 0x30000, s[2]);
    ev(g, TR_EV_MALLOC, 0, 500, 0, 0x40000, s[0]);
    ev(g, TR_EV_FREE, 0, 0x10000, 0, 0, 0);
    ev(g, TR_EV_REALLOC, 0, 0x40000, 5000, 0x50000, s[0]);
    ev(g, TR_EV_MALLOC, 0, 64, 0, 0x60000, s[1]);
    ev(g, TR_EV_FREE, 0, 0x60000, 0, 0, 0);
    ev(g, TR_EV_FREE, 0, 0x30000, 0, 0, 0);
    g->tid = 101;
    ev(g, TR_EV_MALLOC, 0, 10, 0, 0x70000, s[2]);
    g->tid = 100;
    ev(g, TR_EV_FREE, 0, 0x70000, 0, 0, 0);
    ev(g, TR_EV_CALLOC, 0, 10, 100, 0x80000, s[2]);
    ev(g, TR_EV_FREE, 0, 0xdead0, 0, 0, 0);
    ev(g, TR_EV_EXIT, 0, 0, 0, 0, 0);
}

static void in_alloc_mmap(struct gen *g, uint32_t s4)
{
    struct tr_event e = {.t_ns = T0 + ++g->t * 1000000ull, .type = TR_EV_MMAP,
                         .pid = g->pid, .tid = g->tid, .flags = TR_F_IN_ALLOC,
                         .ret = 0x7f2000000000ll,
                         .a = {0, (1u << 20) + 4096, 3, 0x22, ~0ull, 0}};
    if (!g->rc)
        g->rc = tr_writer_event(g->w, &e);
    ev(g, TR_EV_MALLOC, 0, 16, 0, 0x7f2000000010ll, s4);
    for (uint64_t p = 0; p < 10; p++) /* ten pages written */
        ev(g, TR_EV_FAULT, 0, 0x7f2000000010ull + p * 4096,
           TR_FAULT_KNOWN | TR_FAULT_WRITE, 0, 0);
    ev(g, TR_EV_FREE, 0, 0x7f2000000010ull, 0, 0, 0);
    ev(g, TR_EV_MUNMAP, 0, 0x7f2000000000ull, (1u << 20) + 4096, 0, 0);
    ev(g, TR_EV_EXIT, 0, 0, 0, 0, 0);
}

static int tables(struct gen *g, const char *elf, uint64_t vaddr,
                  uint32_t *path, uint32_t *lib, uint32_t s[4])
{
    int rc = tr_writer_string(g->w, elf, strlen(elf), path);
    rc = rc ? rc : tr_writer_string(g->w, HOSTILE_LIB, strlen(HOSTILE_LIB), lib);
    for (uint32_t pid = 100; !rc && pid <= 300; pid += 100) {
        struct tr_module m = {.t_ns = T0, .pid = pid, .path = *path,
                              .base = BASE, .size = 0x100000};
        rc = tr_writer_module(g->w, &m, NULL);
        m.path = *lib;
        m.base = BASE2;
        m.size = 0x1000;
        rc = rc ? rc : tr_writer_module(g->w, &m, NULL);
    }
    uint64_t s1[2] = {BASE + vaddr + 4, BASE2 + 0x10};
    uint64_t s2[1] = {BASE2 + 0x20}, s3[1] = {BASE + vaddr + 8};
    uint64_t s4[1] = {BASE + vaddr + 12};
    rc = rc ? rc : tr_writer_stack(g->w, s1, 2, &s[0]);
    rc = rc ? rc : tr_writer_stack(g->w, s2, 1, &s[1]);
    rc = rc ? rc : tr_writer_stack(g->w, s4, 1, &s[3]);
    return rc ? rc : tr_writer_stack(g->w, s3, 1, &s[2]);
}

static void long_run(struct gen *g, uint64_t n, uint32_t stack)
{
    g->pid = g->tid = 400;
    ev(g, TR_EV_EXEC, 0, 0x555555800000ull, 0x7ffffffde000ull, 0, 0);
    ev(g, TR_EV_MAPS_END, 0, 0, 0, 0, 0);
    for (uint64_t i = 0; i < n && !g->rc; i++) {
        ev(g, TR_EV_MALLOC, 0, 32, 0, 0x10000 + (int64_t)(i % 64) * 64, stack);
        ev(g, TR_EV_FREE, 0, 0x10000 + (i % 64) * 64, 0, 0, 0);
    }
    ev(g, TR_EV_EXIT, 0, 0, 0, 0, 0);
}

static void touch_run(struct gen *g)
{
    const uint64_t base = 0x7f3000000000ull, len = 96ull << 20;
    g->pid = g->tid = 500;
    ev(g, TR_EV_EXEC, 0, 0x555555800000ull, 0x7ffffffde000ull, 0, 0);
    ev(g, TR_EV_MAPS_END, 0, 0, 0, 0, 0);
    ev(g, TR_EV_MMAP, 0, len, 0, (int64_t)base, 0);
    for (uint64_t off = 0; off < len && !g->rc; off += 4096)
        ev(g, TR_EV_FAULT, 0, base + off, TR_FAULT_KNOWN | TR_FAULT_WRITE, 0,
           0);
    ev(g, TR_EV_EXIT, 0, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: gen_sites_trace OUT ELF VADDR [N]\n");
        return 2;
    }
    struct tr_header h = {.tool = "gen_sites_trace", .page_size = 4096,
                          .start_monotonic_ns = T0};
    struct tr_writer_opts o = {.flags = TR_W_REPLACE};
    struct gen g = {0};
    uint32_t path, lib, hostile, s[4];
    g.rc = tr_writer_open(&g.w, argv[1], &h, &o);
    if (!g.rc)
        g.rc = tables(&g, argv[2], strtoull(argv[3], NULL, 0), &path, &lib, s);
    if (!g.rc)
        g.rc = tr_writer_string(g.w, HOSTILE_EXEC, strlen(HOSTILE_EXEC),
                                &hostile);
    if (!g.rc && argc == 5 && strcmp(argv[4], "touch") == 0) {
        touch_run(&g);
    } else if (!g.rc && argc == 5) {
        long_run(&g, strtoull(argv[4], NULL, 0), s[0]);
    } else if (!g.rc) {
        process(&g, 200, path, lib);
        in_alloc_mmap(&g, s[3]);
        process(&g, 100, path, lib);
        ev(&g, TR_EV_EXEC, hostile, 0x555555800000ull, 0x7ffffffde000ull, 0, 0);
        allocations(&g, s);
        process(&g, 300, path, lib);
        ev(&g, TR_EV_MMAP, 0, (2ull << 30) + 4096, 0, 0x7f1000000000ll, s[1]);
        ev(&g, TR_EV_EXIT, 0, 0, 0, 0, 0);
    }
    int crc = g.w ? tr_writer_close(g.w) : 0;
    if (g.rc || crc) {
        fprintf(stderr, "gen_sites_trace: %s\n", mm_strerror(g.rc ? g.rc : crc));
        return 1;
    }
    return 0;
}
