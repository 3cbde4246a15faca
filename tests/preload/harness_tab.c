/*
 * The preload test harness's tables and checks (see pre_harness.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness_tab.h"

#define HX_STACKS (1u << 20)
#define HX_SEQS (1u << 22)

void hx_init(struct hx_state *st)
{
    st->stacks = calloc(HX_STACKS, sizeof(*st->stacks));
    st->seqs = calloc(HX_SEQS, sizeof(*st->seqs));
}

void hx_free(struct hx_state *st)
{
    free(st->stacks);
    free(st->seqs);
}

int hx_find_symbol(const char *prog, const char *sym, uint64_t *lo,
                   uint64_t *hi)
{
    char cmd[4096], line[512], name[256], type;
    unsigned long long addr, size;
    FILE *f;
    int found = 0;

    snprintf(cmd, sizeof(cmd), "nm -S --defined-only '%s'", prog);
    f = popen(cmd, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%llx %llx %c %255s", &addr, &size, &type, name) == 4 &&
            strcmp(name, sym) == 0) {
            *lo = addr;
            *hi = addr + size;
            found = 1;
        }
    pclose(f);
    return found;
}

static struct hx_stack_ent *stack_slot(struct hx_state *st, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;

    for (uint32_t i = 0;; i++) {
        struct hx_stack_ent *e = &st->stacks[(h + i) & (HX_STACKS - 1)];

        if (e->key == key || e->key == 0)
            return e;
    }
}

void hx_stack(struct hx_state *st, const struct tr_ring_stack *r)
{
    struct hx_stack_ent *e = stack_slot(st, (uint64_t)r->pid << 32 | r->id);

    st->nstackrecs++;
    if (r->first == 0)
        st->nstacks++;
    e->key = (uint64_t)r->pid << 32 | r->id;
    e->depth = r->depth;
    if (r->first == 0)
        e->got = 0; /* after exec, the same pid starts a new id space */
    e->got += r->n;
    for (int i = 0; i < r->n && i < TR_RING_STACK_IPS; i++)
        if (r->ip[i] >= st->frame_lo && r->ip[i] < st->frame_hi)
            st->frame_seen = 1;
}

static int pid_index(struct hx_state *st, uint32_t pid)
{
    for (uint32_t i = 0; i < st->npids; i++)
        if (st->pids[i] == pid)
            return (int)i;
    if (st->npids == 1024)
        return 0;
    st->pids[st->npids] = pid;
    return (int)st->npids++;
}

static void alloc_event(struct hx_state *st, const struct tr_event *ev)
{
    struct hx_stack_ent *e = stack_slot(st, (uint64_t)ev->pid << 32 | ev->stack);

    if (ev->type == TR_EV_FREE)
        st->nfrees++;
    else
        st->nallocs++;
    /* frees are recorded without a stack (preload/pre_alloc.c) */
    if (ev->type != TR_EV_FREE && ev->stack == 0)
        st->no_stack++;
    else if (ev->stack && (e->key == 0 || e->got != e->depth))
        st->undefined_stacks++;
    if (ev->type == TR_EV_MALLOC && ev->a[0] == st->want_size &&
        ev->ret != 0 && st->nwant < 4096) {
        st->want_ptrs[st->nwant][0] = ev->pid;
        st->want_ptrs[st->nwant++][1] = (uint64_t)ev->ret;
    }
    if (ev->type == TR_EV_FREE)
        for (int i = 0; i < st->nwant; i++)
            if (st->want_ptrs[i][0] == ev->pid && st->want_ptrs[i][1] == ev->a[0])
                st->want_freed = 1;
}

/* Record (pid, mmseq); returns 1 if it was seen before. */
static int seq_seen(struct hx_state *st, uint32_t pid, uint32_t mmseq)
{
    uint64_t key = (uint64_t)pid << 32 | mmseq;
    uint64_t h = key * 0x9e3779b97f4a7c15ull;

    for (uint32_t i = 0;; i++) {
        uint64_t *e = &st->seqs[(h + i) & (HX_SEQS - 1)];

        if (*e == key)
            return 1;
        if (*e == 0) {
            *e = key;
            return 0;
        }
    }
}

static void fast_event(struct hx_state *st, const struct tr_event *ev,
                       uint32_t mmseq)
{
    int ok = ev->ret >= 0 || ev->ret < -4095;

    st->nfast++;
    if (mmseq == 0 || seq_seen(st, ev->pid, mmseq))
        st->mmseq_dup++;
    if (ev->type == TR_EV_MMAP && ok) {
        st->fp_mmap_ok = 1;
        if (!(ev->a[3] & MAP_ANONYMOUS) && (int64_t)ev->a[4] >= 0 && ev->ino == 0)
            st->fp_file_no_ino++;
    }
    if (ev->type == TR_EV_MUNMAP && ev->ret == 0)
        st->fp_munmap_ok = 1;
}

void hx_event(struct hx_state *st, const struct tr_event *ev, uint32_t mmseq)
{
    st->nevents++;
    pid_index(st, ev->pid);
    if (ev->flags & TR_F_IN_ALLOC)
        st->in_alloc = 1;
    if (ev->type == TR_EV_LOST) {
        st->lost_events++;
        st->lost_reported += ev->a[0];
    }
    else if (ev->type >= TR_EV_MALLOC && ev->type <= TR_EV_USABLE_SIZE)
        alloc_event(st, ev);
    else if (ev->flags & TR_F_FAST_PATH)
        fast_event(st, ev, mmseq);
}

int hx_malloc_freed(const struct hx_state *st, uint64_t size)
{
    return st->want_size == size && st->want_freed;
}

int hx_npids(const struct hx_state *st)
{
    return (int)st->npids;
}

void hx_summary(const struct hx_state *st, int status)
{
    printf("events %llu allocs %llu frees %llu fastpath %llu stacks %llu "
           "stackrecs %llu pids %u in_alloc %d lost %d status %d\n",
           (unsigned long long)st->nevents, (unsigned long long)st->nallocs,
           (unsigned long long)st->nfrees, (unsigned long long)st->nfast,
           (unsigned long long)st->nstacks, (unsigned long long)st->nstackrecs, st->npids, st->in_alloc,
           st->lost_events, status);
}

void hx_buf_add(struct hx_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

int hx_buf_eq(const struct hx_buf *a, const struct hx_buf *b)
{
    return a->len == b->len && (a->len == 0 || !memcmp(a->data, b->data, a->len));
}
