/*
 * replay_commit.c - commit charge by call site, per simulated policy.
 *
 * The rule (docs/report-json.md, "commit_peak_kb"): every change the
 * simulated kernel makes to Committed_AS while applying a recorded request
 * (read before and after the request) is attributed to address ranges of
 * its process, and each charged range belongs to a call site:
 *  - a new mapping (mmap, the exec's VMA records), brk growth and an
 *    mprotect that adds charge belong to the call site of the request;
 *  - munmap, brk shrinking and mprotect that returns charge take the
 *    charge from the ranges' owners (pro rata when a range is cut);
 *  - mremap moves the old range's charge to the new range, owned by the
 *    old range's main owner, plus or minus the size change;
 *  - fork copies the parent's charged ranges to the child (the kernel
 *    charges the child's copies of the parent's accounted mappings);
 *    exit and exec return all of them;
 *  - a page fault that adds charge (a stack growing) charges the pages
 *    from the faulting one up, owned by no call site (faults have no
 *    stack).
 * The call site of a request is its stack; a request made inside an
 * allocator call without a stack of its own (TR_F_IN_ALLOC) takes the
 * stack of that allocator call, the next allocator event of its thread.
 * A site's figure is its charge when the attributed total peaked (the same
 * one-pass rule as the heap's peak, replay_sites.c).
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define PAGE_UP(x) (((x) + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1))

struct ext {
    uint64_t start, end; /* page aligned */
    uint64_t pages;      /* charge of the range */
    uint32_t site;       /* stack id */
};

struct owner_list {
    uint32_t pid;        /* 0: empty slot */
    struct ext *v;
    size_t n, cap;
};

struct csite {
    uint32_t stack;      /* the key; slot empty when used == false */
    uint32_t pid;        /* the first process it charged in */
    bool used;
    uint64_t pages, peak, gen;
};

/* A request of an allocator call, waiting for the call's stack. */
struct cop {
    uint32_t pid, tid;
    uint64_t take_a, take_b, put_a, put_b;
    int64_t delta;
    bool new_owner;      /* the put range belongs to the request's site */
};

struct replay_commit {
    struct owner_list *lists;
    size_t cap_lists, nr_lists;
    struct csite *sites;
    size_t cap_sites, nr_sites;
    struct cop *ops;
    size_t nr_ops, cap_ops;
    uint64_t total, peak, gen, before;
};

static size_t mix(uint64_t k)
{
    return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 20);
}

static struct csite *csite_slot(struct replay_commit *m, uint32_t stack)
{
    size_t mask = m->cap_sites - 1, i = mix(stack) & mask;
    while (m->sites[i].used && m->sites[i].stack != stack)
        i = (i + 1) & mask;
    return &m->sites[i];
}

static struct csite *csite(struct replay_commit *m, uint32_t stack)
{
    if ((m->nr_sites + 1) * 2 > m->cap_sites) {
        size_t cap = m->cap_sites ? m->cap_sites * 2 : 256, old_cap = m->cap_sites;
        struct csite *old = m->sites, *tab = calloc(cap, sizeof(*tab));
        if (!tab)
            return NULL;
        m->sites = tab;
        m->cap_sites = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].used)
                *csite_slot(m, old[i].stack) = old[i];
        free(old);
    }
    struct csite *s = csite_slot(m, stack);
    if (!s->used) {
        *s = (struct csite){.stack = stack, .used = true, .gen = m->gen};
        m->nr_sites++;
    }
    return s;
}

/* Change a site's charge; the lazy peak copy first (replay_sites.c). */
static void credit(struct replay_commit *m, uint32_t stack, int64_t pages,
                   uint32_t pid)
{
    struct csite *s = csite(m, stack);
    if (!s)
        return;
    if (!s->pid)
        s->pid = pid;
    if (s->gen < m->gen) {
        s->peak = s->pages;
        s->gen = m->gen;
    }
    if (pages < 0 && (uint64_t)-pages > s->pages)
        pages = -(int64_t)s->pages;
    if (pages < 0 && (uint64_t)-pages > m->total)
        pages = -(int64_t)m->total;
    s->pages += (uint64_t)pages;
    m->total += (uint64_t)pages;
}

static void note_peak(struct replay_commit *m)
{
    if (m->total > m->peak) {
        m->peak = m->total;
        m->gen++;
    }
}

static struct owner_list *list_of(struct replay_commit *m, uint32_t pid,
                                  bool create)
{
    if (create && (m->nr_lists + 1) * 2 > m->cap_lists) {
        size_t cap = m->cap_lists ? m->cap_lists * 2 : 64, old_cap = m->cap_lists;
        struct owner_list *old = m->lists, *tab = calloc(cap, sizeof(*tab));
        if (!tab)
            return NULL;
        m->lists = tab;
        m->cap_lists = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].pid)
                *list_of(m, old[i].pid, false) = old[i];
        free(old);
    }
    if (!m->cap_lists)
        return NULL;
    size_t mask = m->cap_lists - 1, i = mix(pid) & mask;
    while (m->lists[i].pid && m->lists[i].pid != pid)
        i = (i + 1) & mask;
    if (!m->lists[i].pid && !create)
        return &m->lists[i]; /* an empty slot, for the rehash above */
    if (!m->lists[i].pid) {
        m->lists[i] = (struct owner_list){.pid = pid};
        m->nr_lists++;
    }
    return &m->lists[i];
}

static struct owner_list *find_list(struct replay_commit *m, uint32_t pid)
{
    struct owner_list *l = m->cap_lists ? list_of(m, pid, false) : NULL;
    return l && l->pid == pid ? l : NULL;
}

static int ext_insert(struct owner_list *l, size_t at, struct ext e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct ext *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return MM_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof(*l->v));
    l->v[at] = e;
    l->n++;
    return 0;
}

/* First extent ending after @a. */
static size_t lower(const struct owner_list *l, uint64_t a)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->v[mid].end <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Cut [a, b) out of the extent at @i (pro rata): *taken gets the cut
 * part's charge; the pieces left stay. Return: the index after them. */
static size_t cut(struct owner_list *l, size_t i, uint64_t a, uint64_t b,
                  uint64_t *taken)
{
    struct ext e = l->v[i];
    uint64_t x = a > e.start ? a : e.start, y = b < e.end ? b : e.end;
    uint64_t len = e.end - e.start;
    struct ext left = {e.start, x, e.pages * (x - e.start) / len, e.site};
    struct ext right = {y, e.end, e.pages * (e.end - y) / len, e.site};
    *taken = e.pages - left.pages - right.pages;
    memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
    l->n--;
    if (left.end > left.start && !ext_insert(l, i, left))
        i++;
    if (right.end > right.start && !ext_insert(l, i, right))
        i++;
    return i;
}

/* Take [a, b) from @pid's ranges: their owners lose the charge. Return:
 * the charge taken; *owner: the site that lost most (or @dflt). */
static uint64_t take(struct replay_commit *m, uint32_t pid, uint64_t a,
                     uint64_t b, uint32_t *owner)
{
    struct owner_list *l = find_list(m, pid);
    uint64_t total = 0, best = 0;
    for (size_t i = l ? lower(l, a) : 0; l && i < l->n && l->v[i].start < b;) {
        uint64_t part;
        uint32_t site = l->v[i].site;
        i = cut(l, i, a, b, &part);
        credit(m, site, -(int64_t)part, pid);
        total += part;
        if (part > best || !best) {
            best = part;
            *owner = site;
        }
    }
    return total;
}

/* [a, b) is now charged @pages, owned by @site. */
static void put(struct replay_commit *m, uint32_t pid, uint64_t a, uint64_t b,
                uint64_t pages, uint32_t site)
{
    struct owner_list *l = list_of(m, pid, true);
    if (!l || !pages || b <= a)
        return;
    if (ext_insert(l, lower(l, a), (struct ext){a, b, pages, site}))
        return;
    credit(m, site, (int64_t)pages, pid);
    note_peak(m);
}

static void apply_op(struct replay_commit *m, const struct cop *op,
                     uint32_t site)
{
    uint32_t owner = site;
    uint64_t r = op->take_b > op->take_a
                     ? take(m, op->pid, op->take_a, op->take_b, &owner)
                     : 0;
    int64_t pages = (int64_t)r + op->delta;
    if (pages > 0)
        put(m, op->pid, op->put_a, op->put_b, (uint64_t)pages,
            op->new_owner ? site : owner);
}

static struct replay_commit *state(struct replay_col *c)
{
    if (!c->commit)
        c->commit = calloc(1, sizeof(*c->commit));
    return c->commit;
}

/** replay_commit_before() - Committed_AS before a request is applied. */
void replay_commit_before(struct replay_col *c)
{
    struct replay_commit *m = state(c);
    if (m && c->sim)
        m->before = mm_vm_memory_committed(c->sim);
}

/* The ranges a request takes charge from and puts charge on. */
static void request_op(const struct tr_event *ev, struct cop *op)
{
    uint64_t a = ev->a[0] & ~(MM_PAGE_SIZE - 1), len = PAGE_UP(ev->a[1]);
    uint64_t brk = PAGE_UP(ev->a[0]), d = (uint64_t)llabs(op->delta);
    switch (ev->type) {
    case TR_EV_MMAP:
        a = (uint64_t)ev->ret;
        /* fall through */
    case TR_EV_MPROTECT:
    case TR_EV_PKEY_MPROTECT:
    case TR_EV_MADVISE:
        op->take_a = op->put_a = a;
        op->take_b = op->put_b = a + len;
        op->new_owner = ev->type == TR_EV_MMAP || op->delta > 0;
        break;
    case TR_EV_VMA:
        op->take_a = op->put_a = ev->a[0];
        op->take_b = op->put_b = PAGE_UP(ev->a[1]);
        op->new_owner = true;
        break;
    case TR_EV_MUNMAP:
        op->take_a = a;
        op->take_b = a + len;
        break;
    case TR_EV_BRK: /* growth [brk - d, brk), shrinking [brk, brk + d) */
        op->take_a = op->put_a = op->delta > 0 ? brk - d * MM_PAGE_SIZE : brk;
        op->take_b = op->put_b = op->delta > 0 ? brk : brk + d * MM_PAGE_SIZE;
        op->new_owner = true;
        break;
    case TR_EV_FAULT:
        if (op->delta > 0) {
            op->take_a = op->put_a = a;
            op->take_b = op->put_b = a + d * MM_PAGE_SIZE;
            op->new_owner = true;
        }
        break;
    case TR_EV_MREMAP:
        op->take_a = a;
        op->take_b = a + len;
        op->put_a = (uint64_t)ev->ret;
        op->put_b = op->put_a + PAGE_UP(ev->a[2]);
        break;
    }
}

static void queue(struct replay_commit *m, const struct cop *op)
{
    if (m->nr_ops == m->cap_ops) {
        size_t cap = m->cap_ops ? m->cap_ops * 2 : 16;
        struct cop *v = realloc(m->ops, cap * sizeof(*v));
        if (!v)
            return;
        m->ops = v;
        m->cap_ops = cap;
    }
    m->ops[m->nr_ops++] = *op;
}

/**
 * replay_commit_request() - attribute what a request changed
 * @c: the column
 * @ev: the request, applied (replay_commit_before() was called before)
 * @rc: the model's answer; nothing changed unless 0
 */
void replay_commit_request(struct replay_col *c, const struct tr_event *ev,
                           int rc)
{
    struct replay_commit *m = state(c);
    if (!m || rc || ev->ret < 0 || !c->sim)
        return;
    if (ev->type == TR_EV_BRK && (!ev->a[0] || (uint64_t)ev->ret != ev->a[0]))
        return;
    struct cop op = {.pid = ev->pid, .tid = ev->tid,
                     .delta = (int64_t)(mm_vm_memory_committed(c->sim) -
                                        m->before)};
    request_op(ev, &op);
    if (op.take_b <= op.take_a && op.put_b <= op.put_a)
        return; /* not a kind that moves charge */
    if (!ev->stack && (ev->flags & TR_F_IN_ALLOC))
        queue(m, &op);
    else
        apply_op(m, &op, ev->stack);
}

/* Apply the waiting requests of @tid (@tid 0: of process @pid). */
static void flush(struct replay_commit *m, uint32_t pid, uint32_t tid,
                  uint32_t site)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nr_ops; i++) {
        struct cop op = m->ops[i];
        if (tid ? op.tid == tid : op.pid == pid)
            apply_op(m, &op, site);
        else
            m->ops[n++] = op;
    }
    m->nr_ops = n;
}

/** replay_commit_alloc() - an allocator event: its thread's waiting
 * requests were made from it, and take its stack. */
void replay_commit_alloc(struct replay_col *c, const struct tr_event *ev)
{
    struct replay_commit *m = c->commit;
    if (m && m->nr_ops)
        flush(m, ev->pid, ev->tid, ev->stack);
}

/** replay_commit_fork() - the child's copies of the parent's charge. */
void replay_commit_fork(struct replay_col *c, uint32_t parent, uint32_t child)
{
    struct replay_commit *m = state(c);
    struct owner_list *p = m ? find_list(m, parent) : NULL;
    if (!p || !p->n)
        return;
    for (size_t i = 0; i < p->n; i++) {
        struct ext e = p->v[i]; /* p may move as the table grows */
        put(m, child, e.start, e.end, e.pages, e.site);
        p = find_list(m, parent);
    }
}

/** replay_commit_exit() - exit or exec of @pid: its charge is returned. */
void replay_commit_exit(struct replay_col *c, uint32_t pid)
{
    struct replay_commit *m = c->commit;
    uint32_t owner = 0;
    if (!m)
        return;
    flush(m, pid, 0, 0);
    take(m, pid, 0, ~0ull, &owner);
}

static int by_peak(const void *a, const void *b)
{
    const struct csite *x = *(struct csite *const *)a;
    const struct csite *y = *(struct csite *const *)b;
    if (x->peak != y->peak)
        return (x->peak < y->peak) - (x->peak > y->peak);
    return (x->stack > y->stack) - (x->stack < y->stack);
}

static bool has_site(const struct mm_report *r, uint32_t stack)
{
    for (size_t i = 0; i < r->nr_sites; i++)
        if (r->sites[i].stack == stack)
            return true;
    return false;
}

/* Add the REPORT_TOP_SITES largest commit sites missing from r->sites. */
static int add_top(struct replay *rp, struct replay_commit *m,
                   struct mm_report *r, struct csite **v, size_t n)
{
    qsort(v, n, sizeof(*v), by_peak);
    for (size_t i = 0; i < n && i < REPORT_TOP_SITES && v[i]->peak; i++) {
        if (has_site(r, v[i]->stack))
            continue;
        struct report_site *t = realloc(r->sites, (r->nr_sites + 1) * sizeof(*t));
        if (!t)
            return MM_ENOMEM;
        r->sites = t;
        t = &r->sites[r->nr_sites++];
        if (!replay_sites_lookup(rp, v[i]->stack, t))
            *t = (struct report_site){.stack = v[i]->stack, .pid = v[i]->pid};
    }
    (void)m;
    return 0;
}

/**
 * replay_commit_finish() - commit figures of the column's call sites: the
 * charge of each site of r->sites when the attributed total peaked, and
 * the largest such sites added to r->sites
 * @rp: the replay
 * @c: the column
 *
 * Return: 0 or MM_ENOMEM.
 */
int replay_commit_finish(struct replay *rp, struct replay_col *c)
{
    struct replay_commit *m = c->commit;
    struct mm_report *r = &c->rep;
    if (!m)
        return 0;
    struct csite **v = malloc((m->nr_sites + 1) * sizeof(*v));
    size_t n = 0;
    if (!v)
        return MM_ENOMEM;
    for (size_t i = 0; i < m->cap_sites; i++) {
        struct csite *s = &m->sites[i];
        if (!s->used)
            continue;
        if (s->gen < m->gen)
            s->peak = s->pages; /* unchanged since the last peak */
        v[n++] = s;
    }
    int rc = add_top(rp, m, r, v, n);
    free(v);
    for (size_t i = 0; i < r->nr_sites; i++) {
        struct csite *s = m->cap_sites ? csite_slot(m, r->sites[i].stack) : NULL;
        r->sites[i].commit_peak_kb = s && s->used ? s->peak * 4 : 0;
    }
    r->sites_total.commit_peak_kb = m->peak * 4;
    r->sites_total.commit_sites = m->nr_sites;
    return rc;
}

/** replay_commit_free() - release a column's commit state. */
void replay_commit_free(struct replay_col *c)
{
    struct replay_commit *m = c->commit;
    if (!m)
        return;
    for (size_t i = 0; i < m->cap_lists; i++)
        free(m->lists[i].v);
    free(m->lists);
    free(m->sites);
    free(m->ops);
    free(m);
    c->commit = NULL;
}
