/*
 * replay_commit.c - commit charge and resident pages by call site, per
 * simulated policy (the ranges and figures are kept by replay_owner.c).
 *
 * The rules (docs/report-json.md, "commit_peak_kb", "rss_peak_kb"): every
 * change the simulated kernel makes to Committed_AS, and to the RSS of the
 * process concerned, while applying a recorded request or page fault (both
 * read before and after) is attributed to address ranges of the process,
 * each owned by a call site:
 *  - a new mapping (mmap, the exec's VMA records), brk growth and an
 *    mprotect that adds charge belong to the call site of the request;
 *  - munmap, brk shrinking, madvise and an mprotect that returns charge
 *    take charge and pages from the ranges' owners (pro rata when a range
 *    is cut);
 *  - mremap moves the old range's figures to the new range, owned by the
 *    old range's main owner, plus or minus what changed;
 *  - fork copies the parent's ranges to the child (the kernel charges the
 *    child's copies of the accounted mappings, and the shared pages count
 *    in both RSS); exit and exec return all of them;
 *  - pages a fault makes resident count to the range holding the address;
 *  - when a process's ranges hold more resident pages than its RSS (a
 *    range cut where its pages were not evenly resident, pages fork does
 *    not copy), they are scaled down pro rata to its RSS;
 *    a fault that adds charge (a stack growing) charges the pages from the
 *    faulting one up, owned by no call site (faults have no stack).
 * Pages that reclaim takes from a process are not followed: the RSS
 * figures are exact only while reclaim does not run (swap-out is visible
 * in the pressure figures).
 * The call site of a request is its stack; a request made inside an
 * allocator call without a stack of its own (TR_F_IN_ALLOC) takes the
 * stack of that allocator call, the next allocator event of its thread.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define PAGE_UP(x) (((x) + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1))

/* A request's effect, kept until the call site is known. */
struct cop {
    uint32_t pid, tid;
    uint64_t take_a, take_b, put_a, put_b;
    int64_t delta[OWN_NR];
    bool new_owner;      /* the put range belongs to the request's site */
};

struct replay_commit {
    struct owner_map *map;
    struct cop *ops;
    size_t nr_ops, cap_ops;
    uint64_t before[OWN_NR];
};

static uint64_t rss_of(const struct mm_sim *sim, uint32_t pid)
{
    return mm_get_mm_rss(sim, pid);
}

static void apply_op(struct owner_map *m, const struct cop *op, uint32_t site)
{
    uint32_t owner = site;
    uint64_t got[OWN_NR] = {0}, v[OWN_NR];
    if (op->take_b > op->take_a)
        replay_owner_take(m, op->pid, op->take_a, op->take_b, got, &owner);
    for (int k = 0; k < OWN_NR; k++) {
        int64_t x = (int64_t)got[k] + op->delta[k];
        v[k] = x > 0 ? (uint64_t)x : 0;
    }
    replay_owner_put(m, op->pid, op->put_a, op->put_b, v,
                     op->new_owner ? site : owner);
}

static struct replay_commit *state(struct replay_col *c)
{
    if (!c->commit && (c->commit = calloc(1, sizeof(*c->commit))) &&
        !(c->commit->map = replay_owner_new())) {
        free(c->commit);
        c->commit = NULL;
    }
    return c->commit;
}

/**
 * replay_commit_before() - Committed_AS and @pid's RSS before a request or
 * fault of @pid is applied
 * @c: the column
 * @pid: the process
 */
void replay_commit_before(struct replay_col *c, uint32_t pid)
{
    struct replay_commit *m = state(c);
    if (!m || !c->sim)
        return;
    m->before[OWN_COMMIT] = mm_vm_memory_committed(c->sim);
    m->before[OWN_RSS] = rss_of(c->sim, pid);
}

/* The ranges a request takes figures from and puts them on. */
static void request_op(const struct tr_event *ev, struct cop *op)
{
    uint64_t a = ev->a[0] & ~(MM_PAGE_SIZE - 1), len = PAGE_UP(ev->a[1]);
    int64_t dc = op->delta[OWN_COMMIT];
    uint64_t brk = PAGE_UP(ev->a[0]), d = (uint64_t)llabs(dc) * MM_PAGE_SIZE;
    switch (ev->type) {
    case TR_EV_MMAP:
        a = (uint64_t)ev->ret;
        /* fall through */
    case TR_EV_MPROTECT:
    case TR_EV_PKEY_MPROTECT:
    case TR_EV_MADVISE:
        op->take_a = op->put_a = a;
        op->take_b = op->put_b = a + len;
        op->new_owner = ev->type == TR_EV_MMAP || dc > 0;
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
        op->take_a = op->put_a = dc > 0 ? brk - d : brk;
        op->take_b = op->put_b = dc > 0 ? brk : brk + d;
        op->new_owner = true;
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

/* A fault: its new pages count to the range holding the address; charge
 * it adds (a stack growing) is a range of its own, of no call site. */
static void fault(struct replay_commit *m, const struct tr_event *ev,
                  const struct cop *op)
{
    uint64_t page = ev->a[0] & ~(MM_PAGE_SIZE - 1);
    if (op->delta[OWN_COMMIT] > 0) {
        struct cop grow = {.pid = ev->pid, .take_a = page, .put_a = page,
                           .new_owner = true};
        grow.take_b = grow.put_b =
            page + (uint64_t)op->delta[OWN_COMMIT] * MM_PAGE_SIZE;
        grow.delta[OWN_COMMIT] = op->delta[OWN_COMMIT];
        apply_op(m->map, &grow, 0);
    }
    if (op->delta[OWN_RSS] > 0)
        replay_owner_add_at(m->map, ev->pid, ev->a[0], OWN_RSS,
                            (uint64_t)op->delta[OWN_RSS]);
}

/**
 * replay_commit_request() - attribute what a request or fault changed
 * @c: the column
 * @ev: the request or fault, applied (after replay_commit_before())
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
    struct cop op = {.pid = ev->pid, .tid = ev->tid};
    op.delta[OWN_COMMIT] = (int64_t)(mm_vm_memory_committed(c->sim) -
                                     m->before[OWN_COMMIT]);
    op.delta[OWN_RSS] = (int64_t)(rss_of(c->sim, ev->pid) - m->before[OWN_RSS]);
    if (ev->type == TR_EV_FAULT) {
        fault(m, ev, &op);
        replay_owner_settle(m->map);
        return;
    }
    request_op(ev, &op);
    if (op.take_b <= op.take_a && op.put_b <= op.put_a)
        return; /* not a kind that moves charge or pages */
    if (!ev->stack && (ev->flags & TR_F_IN_ALLOC))
        queue(m, &op);
    else
        apply_op(m->map, &op, ev->stack);
    if (op.delta[OWN_RSS] < 0)
        replay_owner_clamp(m->map, ev->pid, OWN_RSS, rss_of(c->sim, ev->pid));
    replay_owner_settle(m->map);
}

/* Apply the waiting requests of @tid (@tid 0: of process @pid). */
static void flush(struct replay_commit *m, uint32_t pid, uint32_t tid,
                  uint32_t site)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nr_ops; i++) {
        struct cop op = m->ops[i];
        if (tid ? op.tid == tid : op.pid == pid)
            apply_op(m->map, &op, site);
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
    if (m && m->nr_ops) {
        flush(m, ev->pid, ev->tid, ev->stack);
        replay_owner_clamp(m->map, ev->pid, OWN_RSS, rss_of(c->sim, ev->pid));
        replay_owner_settle(m->map);
    }
}

/** replay_commit_fork() - the child's copies of the parent's ranges. */
void replay_commit_fork(struct replay_col *c, uint32_t parent, uint32_t child)
{
    struct replay_commit *m = state(c);
    if (!m)
        return;
    replay_owner_copy(m->map, parent, child, rss_of(c->sim, child));
    replay_owner_settle(m->map);
}

/** replay_commit_exit() - exit or exec of @pid: its figures are returned. */
void replay_commit_exit(struct replay_col *c, uint32_t pid)
{
    struct replay_commit *m = c->commit;
    uint32_t owner = 0;
    uint64_t got[OWN_NR];
    if (!m)
        return;
    flush(m, pid, 0, 0);
    replay_owner_take(m->map, pid, 0, ~0ull, got, &owner);
    replay_owner_settle(m->map);
}

static bool has_site(const struct mm_report *r, uint32_t stack)
{
    for (size_t i = 0; i < r->nr_sites; i++)
        if (r->sites[i].stack == stack)
            return true;
    return false;
}

/* Add the sites of @stacks missing from r->sites. */
static int add_sites(struct replay *rp, struct mm_report *r,
                     const struct owner_map *map, const uint32_t *stacks,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t peak[OWN_NR];
        uint32_t pid = 0;
        if (has_site(r, stacks[i]))
            continue;
        struct report_site *t = realloc(r->sites, (r->nr_sites + 1) * sizeof(*t));
        if (!t)
            return MM_ENOMEM;
        r->sites = t;
        t = &r->sites[r->nr_sites++];
        replay_owner_site(map, stacks[i], peak, &pid);
        if (!replay_sites_lookup(rp, stacks[i], t))
            *t = (struct report_site){.stack = stacks[i], .pid = pid};
    }
    return 0;
}

/**
 * replay_commit_finish() - commit and RSS figures of the column's call
 * sites, and the largest such sites added to its report's sites
 * @rp: the replay
 * @c: the column
 *
 * Return: 0 or MM_ENOMEM.
 */
int replay_commit_finish(struct replay *rp, struct replay_col *c)
{
    struct replay_commit *m = c->commit;
    struct mm_report *r = &c->rep;
    uint32_t top[REPORT_TOP_SITES];
    uint64_t peak[OWN_NR], nsites[OWN_NR];
    int rc = 0;
    if (!m)
        return 0;
    for (int k = 0; k < OWN_NR && !rc; k++) {
        size_t n = replay_owner_finish(m->map, k, top, REPORT_TOP_SITES);
        rc = add_sites(rp, r, m->map, top, n);
    }
    for (size_t i = 0; i < r->nr_sites; i++)
        if (replay_owner_site(m->map, r->sites[i].stack, peak, NULL)) {
            r->sites[i].commit_peak_kb = peak[OWN_COMMIT] * 4;
            r->sites[i].rss_peak_kb = peak[OWN_RSS] * 4;
        }
    replay_owner_totals(m->map, peak, nsites);
    r->sites_total.commit_peak_kb = peak[OWN_COMMIT] * 4;
    r->sites_total.commit_sites = nsites[OWN_COMMIT];
    r->sites_total.rss_peak_kb = peak[OWN_RSS] * 4;
    r->sites_total.rss_sites = nsites[OWN_RSS];
    return rc;
}

/** replay_commit_free() - release a column's state. */
void replay_commit_free(struct replay_col *c)
{
    struct replay_commit *m = c->commit;
    if (!m)
        return;
    replay_owner_free(m->map);
    free(m->ops);
    free(m);
    c->commit = NULL;
}
