/*
 * What the preload test harness (pre_harness.c) accumulates while it
 * drains the ring, and the checks it derives (harness_tab.c).
 */
#ifndef MMSIM_HARNESS_TAB_H
#define MMSIM_HARNESS_TAB_H

#include <stddef.h>
#include <stdint.h>

#include "mmsim/ring.h"

struct hx_buf {
    char *data;
    size_t len, cap;
};

struct hx_stack_ent {
    uint64_t key; /* pid << 32 | id; 0 empty */
    uint16_t depth, got;
};

struct hx_state {
    struct hx_stack_ent *stacks; /* open addressing, HX_STACKS entries */
    uint64_t *seqs;              /* (pid, mmseq) seen, HX_SEQS entries */
    uint32_t pids[1024], npids;
    uint64_t frame_lo, frame_hi; /* --expect-frame range */
    int frame_seen;
    uint64_t want_size;          /* --expect-malloc */
    uint64_t want_ptrs[4096][2]; /* pid, ptr of such mallocs */
    int nwant, want_freed;
    uint64_t nevents, nallocs, nfrees, nfast, nstackrecs, nstacks;
    uint64_t lost_reported;
    int lost_events, undefined_stacks, no_stack, mmseq_dup, bad_kind, abandoned;
    int fp_mmap_ok, fp_munmap_ok, fp_file_no_ino, in_alloc;
};

void hx_init(struct hx_state *st);
void hx_free(struct hx_state *st);
int hx_find_symbol(const char *prog, const char *sym, uint64_t *lo,
                   uint64_t *hi);
void hx_stack(struct hx_state *st, const struct tr_ring_stack *r);
void hx_event(struct hx_state *st, const struct tr_event *ev, uint32_t mmseq);
int hx_malloc_freed(const struct hx_state *st, uint64_t size);
int hx_npids(const struct hx_state *st);
void hx_summary(const struct hx_state *st, int status);
void hx_buf_add(struct hx_buf *b, const void *p, size_t n);
int hx_buf_eq(const struct hx_buf *a, const struct hx_buf *b);

#endif
