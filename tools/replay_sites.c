/*
 * replay_sites.c - where heap memory comes from: heaptrack's figures per
 * call site, from the trace's allocator events (TR_EV_MALLOC ... with their
 * interned stack ids), independent of the simulated policy.
 *
 * A call site is an interned stack (equal stacks have equal ids). Per site:
 * allocation calls, bytes, its live bytes at the moment the whole traced
 * heap (every process) peaked, bytes still live when its process exited or
 * exec'd (or when the trace ended): leaked, and temporary allocations.
 * Rules, as heaptrack's analyser has them (src/analyze/
 * accumulatedtracedata.cpp, AccumulatedTraceData::read(), and
 * src/track/libheaptrack.cpp, heaptrack_realloc()): a realloc that returns
 * a block is a free of the old pointer then an allocation (realloc(p, 0)
 * returning NULL frees p here, as glibc does; heaptrack records nothing);
 * the peak of a site is its
 * live bytes at the moment the total peaked (there in a second pass; here
 * in one pass, lazily: a site's live bytes are copied to its peak the first
 * time it changes after a new total peak, and at the end); an allocation is
 * temporary when the deallocation that frees it is the very next allocator
 * event after it. heaptrack's trace is one stream per process, all threads
 * interleaved, so "next" is the process's next allocator event, not the
 * thread's: that is the rule here too (an allocation, reallocation or free
 * of any thread in between makes it not temporary).
 *
 * Memory: one entry per live allocation (pid, pointer, size, site) and one
 * per site; entries of a process are dropped at its exit or exec. A child's
 * heap inherited over fork is not known to the child: its frees of those
 * pointers are counted as unknown frees.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

struct live {
    uint64_t ptr;  /* 0: empty slot */
    uint64_t size;
    uint32_t pid;
    uint32_t site;
};

struct last {
    uint32_t pid;  /* 0: empty slot */
    uint64_t ptr;  /* its last allocation, 0 after a free */
};

struct site {
    struct report_site r;
    uint64_t live;
    uint64_t gen;  /* peak generation its peak was copied at */
};

struct replay_sites {
    struct live *live;
    size_t cap_live, nr_live;
    struct last *last;
    size_t cap_last, nr_last;
    struct site *sites;
    size_t nr_sites, cap_sites;
    uint32_t *by_stack;     /* stack id -> site index + 1 */
    size_t cap_by_stack;
    uint64_t total, peak, gen;
    uint64_t t_peak, unknown_frees;
};

static size_t hash(uint64_t ptr, uint32_t pid)
{
    uint64_t h = (ptr ^ ((uint64_t)pid << 32)) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 17);
}

static size_t live_slot(const struct replay_sites *s, uint32_t pid,
                        uint64_t ptr)
{
    size_t mask = s->cap_live - 1, i = hash(ptr, pid) & mask;
    while (s->live[i].ptr && (s->live[i].ptr != ptr || s->live[i].pid != pid))
        i = (i + 1) & mask;
    return i;
}

static int live_grow(struct replay_sites *s)
{
    size_t cap = s->cap_live ? s->cap_live * 2 : 1024, old_cap = s->cap_live;
    struct live *old = s->live, *tab = calloc(cap, sizeof(*tab));
    if (!tab)
        return MM_ENOMEM;
    s->live = tab;
    s->cap_live = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].ptr)
            s->live[live_slot(s, old[i].pid, old[i].ptr)] = old[i];
    free(old);
    return 0;
}

/* Remove slot @i, moving the rest of its cluster back (linear probing). */
static void live_del(struct replay_sites *s, size_t i)
{
    size_t mask = s->cap_live - 1;
    s->live[i].ptr = 0;
    s->nr_live--;
    for (i = (i + 1) & mask; s->live[i].ptr; i = (i + 1) & mask) {
        struct live e = s->live[i];
        s->live[i].ptr = 0;
        s->live[live_slot(s, e.pid, e.ptr)] = e;
    }
}

static size_t last_slot(const struct replay_sites *s, uint32_t pid)
{
    size_t mask = s->cap_last - 1, i = hash(0, pid) & mask;
    while (s->last[i].pid && s->last[i].pid != pid)
        i = (i + 1) & mask;
    return i;
}

static int last_grow(struct replay_sites *s)
{
    size_t cap = s->cap_last ? s->cap_last * 2 : 64, old_cap = s->cap_last;
    struct last *old = s->last, *tab = calloc(cap, sizeof(*tab));
    if (!tab)
        return MM_ENOMEM;
    s->last = tab;
    s->cap_last = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].pid)
            s->last[last_slot(s, old[i].pid)] = old[i];
    free(old);
    return 0;
}

/* The last-allocation record of @pid (created on demand), or NULL. */
static struct last *last_of(struct replay_sites *s, uint32_t pid, bool create)
{
    if (create && (s->nr_last + 1) * 2 > s->cap_last && last_grow(s))
        return NULL;
    if (!s->cap_last)
        return NULL;
    struct last *l = &s->last[last_slot(s, pid)];
    if (!l->pid && create) {
        *l = (struct last){.pid = pid};
        s->nr_last++;
    }
    return l->pid ? l : NULL;
}

static struct site *site_of(struct replay_sites *s, uint32_t stack,
                            uint32_t pid)
{
    if (stack >= s->cap_by_stack) {
        size_t cap = (size_t)stack + 1024;
        uint32_t *t = realloc(s->by_stack, cap * sizeof(*t));
        if (!t)
            return NULL;
        memset(t + s->cap_by_stack, 0, (cap - s->cap_by_stack) * sizeof(*t));
        s->by_stack = t;
        s->cap_by_stack = cap;
    }
    if (s->by_stack[stack])
        return &s->sites[s->by_stack[stack] - 1];
    if (s->nr_sites == s->cap_sites) {
        size_t cap = s->cap_sites ? s->cap_sites * 2 : 256;
        struct site *t = realloc(s->sites, cap * sizeof(*t));
        if (!t)
            return NULL;
        s->sites = t;
        s->cap_sites = cap;
    }
    struct site *st = &s->sites[s->nr_sites++];
    *st = (struct site){.r = {.stack = stack, .pid = pid}, .gen = s->gen};
    s->by_stack[stack] = (uint32_t)s->nr_sites;
    return st;
}

/* Before a site's live bytes change: copy them to its peak if the total
 * peaked since it last changed (they were the same at that moment). */
static void touch(struct replay_sites *s, struct site *st)
{
    if (st->gen < s->gen) {
        st->r.peak_bytes = st->live;
        st->gen = s->gen;
    }
}

static void do_free(struct replay_sites *s, uint32_t pid, uint64_t ptr)
{
    if (!ptr)
        return; /* free(NULL), realloc(NULL, n): no deallocation */
    struct last *l = last_of(s, pid, false);
    bool temporary = l && l->ptr == ptr;
    if (l)
        l->ptr = 0;
    if (!s->cap_live) {
        s->unknown_frees++;
        return;
    }
    size_t i = live_slot(s, pid, ptr);
    if (!s->live[i].ptr) {
        s->unknown_frees++;
        return;
    }
    struct site *st = &s->sites[s->live[i].site];
    touch(s, st);
    st->live -= s->live[i].size;
    s->total -= s->live[i].size;
    st->r.temporary += temporary;
    live_del(s, i);
}

static void do_alloc(struct replay_sites *s, const struct tr_event *ev,
                     uint64_t ptr, uint64_t size)
{
    struct site *st = site_of(s, ev->stack, ev->pid);
    struct last *l = last_of(s, ev->pid, true);
    if (!st || !l || ((s->nr_live + 1) * 2 > s->cap_live && live_grow(s)))
        return;
    size_t i = live_slot(s, ev->pid, ptr);
    if (s->live[i].ptr) { /* its free was lost: forget the old block */
        do_free(s, ev->pid, ptr);
        i = live_slot(s, ev->pid, ptr);
    }
    s->live[i] = (struct live){ptr, size, ev->pid, (uint32_t)(st - s->sites)};
    s->nr_live++;
    touch(s, st);
    st->live += size;
    st->r.allocations++;
    st->r.total_bytes += size;
    s->total += size;
    l->ptr = ptr;
    if (s->total > s->peak) {
        s->peak = s->total;
        s->gen++;
        s->t_peak = ev->t_ns;
    }
}

/* The process's heap is gone (exit, exec, end of trace): what is live
 * there is leaked. @pid 0: every process. */
static void drop_process(struct replay_sites *s, uint32_t pid)
{
    for (size_t i = 0; i < s->cap_live; i++) {
        struct live *e = &s->live[i];
        while (e->ptr && (!pid || e->pid == pid)) {
            struct site *st = &s->sites[e->site];
            touch(s, st);
            st->live -= e->size;
            st->r.leaked_bytes += e->size;
            s->total -= e->size;
            live_del(s, i); /* may move another entry into slot i */
        }
    }
    struct last *l = pid ? last_of(s, pid, false) : NULL;
    if (l)
        l->ptr = 0;
}

/**
 * replay_sites_event() - account one event (allocator calls, exit, exec)
 * @rp: the replay
 * @ev: any event; others are ignored
 *
 * Return: 0 or MM_ENOMEM.
 */
int replay_sites_event(struct replay *rp, const struct tr_event *ev)
{
    if (!rp->sites && !(rp->sites = calloc(1, sizeof(*rp->sites))))
        return MM_ENOMEM;
    struct replay_sites *s = rp->sites;
    uint64_t t = ev->t_ns > rp->t0 ? ev->t_ns - rp->t0 : 0;
    struct tr_event e = *ev;
    e.t_ns = t;
    switch (ev->type) {
    case TR_EV_MALLOC:
        if (ev->ret)
            do_alloc(s, &e, (uint64_t)ev->ret, ev->a[0]);
        break;
    case TR_EV_CALLOC:
        if (ev->ret)
            do_alloc(s, &e, (uint64_t)ev->ret, ev->a[0] * ev->a[1]);
        break;
    case TR_EV_MEMALIGN:
        if (ev->ret)
            do_alloc(s, &e, (uint64_t)ev->ret, ev->a[1]);
        break;
    case TR_EV_REALLOC:
    case TR_EV_REALLOCARRAY: {
        uint64_t size = ev->type == TR_EV_REALLOC ? ev->a[1] : ev->a[1] * ev->a[2];
        if (ev->ret || !size) /* failed: the old block stays */
            do_free(s, ev->pid, ev->a[0]);
        if (ev->ret)
            do_alloc(s, &e, (uint64_t)ev->ret, size);
        break;
    }
    case TR_EV_FREE:
        do_free(s, ev->pid, ev->a[0]);
        break;
    case TR_EV_EXIT:
    case TR_EV_EXEC:
        drop_process(s, ev->pid);
        break;
    }
    return 0;
}

/* Figure @k (0 peak, 1 leaked, 2 allocations, 3 temporary) of a site. */
static uint64_t figure(const struct site *st, int k)
{
    const struct report_site *r = &st->r;
    return k == 0 ? r->peak_bytes : k == 1 ? r->leaked_bytes
           : k == 2 ? r->allocations : r->temporary;
}

static int by_figure(const void *a, const void *b, void *arg)
{
    const struct site *x = *(struct site *const *)a;
    const struct site *y = *(struct site *const *)b;
    int k = *(const int *)arg;
    uint64_t fx = figure(x, k), fy = figure(y, k);
    if (fx != fy)
        return (fx < fy) - (fx > fy);
    return (x->r.stack > y->r.stack) - (x->r.stack < y->r.stack);
}

/* Keep the REPORT_TOP_SITES largest sites by each figure, peak order. */
static int select_sites(struct replay_sites *s, struct site ***out, size_t *n)
{
    struct site **v = malloc((s->nr_sites ? s->nr_sites : 1) * sizeof(*v));
    bool *keep = calloc(s->nr_sites ? s->nr_sites : 1, sizeof(*keep));
    *n = 0;
    if (!v || !keep) {
        free(v);
        free(keep);
        return MM_ENOMEM;
    }
    for (int k = 3; k >= 0; k--) {
        for (size_t i = 0; i < s->nr_sites; i++)
            v[i] = &s->sites[i];
        qsort_r(v, s->nr_sites, sizeof(*v), by_figure, &k);
        for (size_t i = 0; i < s->nr_sites && i < REPORT_TOP_SITES; i++)
            if (figure(v[i], k))
                keep[v[i] - s->sites] = true;
    }
    for (size_t i = 0; i < s->nr_sites; i++) /* v is in peak order now */
        if (keep[v[i] - s->sites])
            v[(*n)++] = v[i];
    free(keep);
    *out = v;
    return 0;
}

/**
 * replay_sites_finish() - the end of the trace: what is still live is
 * leaked; peaks are final; the largest sites are copied into every
 * column's report, symbolised
 * @rp: the replay
 *
 * Return: 0 or MM_ENOMEM.
 */
int replay_sites_finish(struct replay *rp)
{
    struct replay_sites *s = rp->sites;
    struct site **v = NULL;
    size_t n = 0;
    if (!s && !(s = rp->sites = calloc(1, sizeof(*s))))
        return MM_ENOMEM;
    drop_process(s, 0);
    for (size_t i = 0; i < s->nr_sites; i++)
        touch(s, &s->sites[i]);
    int rc = select_sites(s, &v, &n);
    struct report_sites_total tot = {
        .nr_sites = s->nr_sites, .peak_bytes = s->peak, .t_peak_ns = s->t_peak,
        .unknown_frees = s->unknown_frees};
    for (size_t i = 0; i < s->nr_sites; i++) {
        const struct report_site *r = &s->sites[i].r;
        tot.allocations += r->allocations;
        tot.temporary += r->temporary;
        tot.leaked_bytes += r->leaked_bytes;
        tot.total_bytes += r->total_bytes;
    }
    for (size_t c = 0; !rc && c < rp->nr_cols; c++) {
        struct mm_report *r = &rp->cols[c].rep;
        r->sites_total = tot;
        r->sites = calloc(n ? n : 1, sizeof(*r->sites));
        if (!r->sites) {
            rc = MM_ENOMEM;
            break;
        }
        for (size_t i = 0; i < n; i++)
            r->sites[r->nr_sites++] = v[i]->r;
        rc = replay_commit_finish(rp, &rp->cols[c]);
        if (!rc)
            rc = symbolize_sites(rp, r);
    }
    free(v);
    return rc;
}

/**
 * replay_sites_lookup() - the heap figures of the site of stack @stack
 * @rp: the replay
 * @stack: stack id
 * @out: filled (frames not set) when the site exists
 *
 * Return: whether it exists.
 */
bool replay_sites_lookup(struct replay *rp, uint32_t stack,
                         struct report_site *out)
{
    struct replay_sites *s = rp->sites;
    if (!s || stack >= s->cap_by_stack || !s->by_stack[stack])
        return false;
    *out = s->sites[s->by_stack[stack] - 1].r;
    return true;
}

/** replay_sites_free() - release the tracker. */
void replay_sites_free(struct replay *rp)
{
    struct replay_sites *s = rp->sites;
    if (!s)
        return;
    free(s->live);
    free(s->last);
    free(s->sites);
    free(s->by_stack);
    free(s);
    rp->sites = NULL;
}
