/*
 * replay_owner.c - address ranges of the traced processes, each owned by a
 * call site, with two figures per range: pages of commit charge and pages
 * resident. The rules that move charge and pages between ranges are in
 * replay_commit.c; this file keeps the ranges (a sorted array per process,
 * cut pro rata), the figures per call site, and each figure's peak: a
 * site's figure when the figure's total over all sites peaked, taken in
 * one pass with the lazy copy of replay_sites.c (a site's value is copied
 * to its peak the first time it changes after a new total peak, and at the
 * end). Peaks are checked between operations (replay_owner_settle()). Memory: one entry per range of a live process and one per site.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

struct ext {
    uint64_t start, end;   /* page aligned */
    uint64_t v[OWN_NR];    /* its charge and resident pages */
    uint32_t site;         /* stack id */
};

struct owner_list {
    uint32_t pid;          /* 0: empty slot */
    struct ext *e;
    size_t n, cap;
};

struct osite {
    uint32_t stack, pid;   /* key; the first process seen */
    bool used;
    bool seen[OWN_NR];     /* ever held a non-zero figure */
    uint64_t v[OWN_NR], peak[OWN_NR], gen[OWN_NR];
};

struct owner_map {
    struct owner_list *lists;
    size_t cap_lists, nr_lists;
    struct osite *sites;
    size_t cap_sites, nr_sites;
    uint64_t total[OWN_NR], peak[OWN_NR], gen[OWN_NR];
};

static size_t mix(uint64_t k)
{
    return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 20);
}

static struct osite *site_slot(const struct owner_map *m, uint32_t stack)
{
    size_t mask = m->cap_sites - 1, i = mix(stack) & mask;
    while (m->sites[i].used && m->sites[i].stack != stack)
        i = (i + 1) & mask;
    return &m->sites[i];
}

static struct osite *site_get(struct owner_map *m, uint32_t stack,
                              uint32_t pid)
{
    if ((m->nr_sites + 1) * 2 > m->cap_sites) {
        size_t cap = m->cap_sites ? m->cap_sites * 2 : 256, old_cap = m->cap_sites;
        struct osite *old = m->sites, *tab = calloc(cap, sizeof(*tab));
        if (!tab)
            return NULL;
        m->sites = tab;
        m->cap_sites = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].used)
                *site_slot(m, old[i].stack) = old[i];
        free(old);
    }
    struct osite *s = site_slot(m, stack);
    if (!s->used) {
        *s = (struct osite){.stack = stack, .pid = pid, .used = true};
        memcpy(s->gen, m->gen, sizeof(s->gen));
        m->nr_sites++;
    }
    return s;
}

/* Change figure @k of a site by @d pages (clamped at 0), lazy peak first. */
static void credit(struct owner_map *m, uint32_t stack, uint32_t pid, int k,
                   int64_t d)
{
    struct osite *s = d ? site_get(m, stack, pid) : NULL;
    if (!s)
        return;
    if (s->gen[k] < m->gen[k]) {
        s->peak[k] = s->v[k];
        s->gen[k] = m->gen[k];
    }
    if (d < 0 && (uint64_t)-d > s->v[k])
        d = -(int64_t)s->v[k];
    if (d < 0 && (uint64_t)-d > m->total[k])
        d = -(int64_t)m->total[k];
    s->v[k] += (uint64_t)d;
    m->total[k] += (uint64_t)d;
    s->seen[k] |= s->v[k] != 0;
}

/**
 * replay_owner_settle() - one operation is complete: a total above its
 * peak is the new peak (checked only between operations, so a range
 * copied or cut and then scaled down never makes a peak of its own)
 * @m: the map
 */
void replay_owner_settle(struct owner_map *m)
{
    for (int k = 0; k < OWN_NR; k++)
        if (m->total[k] > m->peak[k]) {
            m->peak[k] = m->total[k];
            m->gen[k]++;
        }
}

static size_t list_slot(const struct owner_map *m, uint32_t pid)
{
    size_t mask = m->cap_lists - 1, i = mix(pid) & mask;
    while (m->lists[i].pid && m->lists[i].pid != pid)
        i = (i + 1) & mask;
    return i;
}

static struct owner_list *list_get(struct owner_map *m, uint32_t pid,
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
                m->lists[list_slot(m, old[i].pid)] = old[i];
        free(old);
    }
    if (!m->cap_lists)
        return NULL;
    struct owner_list *l = &m->lists[list_slot(m, pid)];
    if (!l->pid && create) {
        *l = (struct owner_list){.pid = pid};
        m->nr_lists++;
    }
    return l->pid ? l : NULL;
}

static int ext_insert(struct owner_list *l, size_t at, const struct ext *x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct ext *e = realloc(l->e, cap * sizeof(*e));
        if (!e)
            return MM_ENOMEM;
        l->e = e;
        l->cap = cap;
    }
    memmove(&l->e[at + 1], &l->e[at], (l->n - at) * sizeof(*l->e));
    l->e[at] = *x;
    l->n++;
    return 0;
}

/* First range ending after @a. */
static size_t lower(const struct owner_list *l, uint64_t a)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->e[mid].end <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Cut [a, b) out of the range at @i, pro rata; *part gets the cut part.
 * Return: the index after the pieces left. */
static size_t cut(struct owner_list *l, size_t i, uint64_t a, uint64_t b,
                  struct ext *part)
{
    struct ext e = l->e[i], left = e, right = e;
    uint64_t x = a > e.start ? a : e.start, y = b < e.end ? b : e.end;
    uint64_t len = e.end - e.start;
    left.end = x;
    right.start = y;
    *part = (struct ext){.start = x, .end = y, .site = e.site};
    for (int k = 0; k < OWN_NR; k++) {
        left.v[k] = e.v[k] * (x - e.start) / len;
        right.v[k] = e.v[k] * (e.end - y) / len;
        part->v[k] = e.v[k] - left.v[k] - right.v[k];
    }
    memmove(&l->e[i], &l->e[i + 1], (l->n - i - 1) * sizeof(*l->e));
    l->n--;
    if (left.end > left.start && !ext_insert(l, i, &left))
        i++;
    if (right.end > right.start && !ext_insert(l, i, &right))
        i++;
    return i;
}

/* Drop the emptied ranges (start == end) in one pass. */
static void squeeze(struct owner_list *l)
{
    size_t n = 0;
    for (size_t i = 0; l && i < l->n; i++)
        if (l->e[i].end > l->e[i].start)
            l->e[n++] = l->e[i];
    if (l)
        l->n = n;
}

/** replay_owner_new() - an empty map (NULL: out of memory). */
struct owner_map *replay_owner_new(void)
{
    return calloc(1, sizeof(struct owner_map));
}

/** replay_owner_free() - release @m (NULL is allowed). */
void replay_owner_free(struct owner_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap_lists; i++)
        free(m->lists[i].e);
    free(m->lists);
    free(m->sites);
    free(m);
}

/**
 * replay_owner_take() - remove [a, b) from @pid's ranges; their owners lose
 * the figures of the part removed
 * @m: the map
 * @pid: the process
 * @a: start
 * @b: end
 * @got: receives the figures removed
 * @owner: receives the site that lost most charge, then most pages (left
 *         as it was when nothing was removed)
 */
void replay_owner_take(struct owner_map *m, uint32_t pid, uint64_t a,
                       uint64_t b, uint64_t got[OWN_NR], uint32_t *owner)
{
    struct owner_list *l = list_get(m, pid, false);
    uint64_t best = 0;
    bool any = false;
    memset(got, 0, OWN_NR * sizeof(*got));
    for (size_t i = l ? lower(l, a) : 0; l && i < l->n && l->e[i].start < b;) {
        struct ext part;
        if (l->e[i].start >= a && l->e[i].end <= b) {
            part = l->e[i++]; /* whole: removed below, no memmove each */
            l->e[i - 1].end = l->e[i - 1].start;
        } else {
            i = cut(l, i, a, b, &part);
        }
        uint64_t weight = part.v[OWN_COMMIT] * 2 + part.v[OWN_RSS] + 1;
        for (int k = 0; k < OWN_NR; k++) {
            credit(m, part.site, pid, k, -(int64_t)part.v[k]);
            got[k] += part.v[k];
        }
        if (!any || weight > best) {
            best = weight;
            *owner = part.site;
            any = true;
        }
    }
    squeeze(l);
}

/**
 * replay_owner_put() - [a, b) of @pid (not in its ranges) is owned by
 * @site with figures @v; a range with no figures is kept too (it owns the
 * pages faulted in later)
 * @m: the map
 * @pid: the process
 * @a: start
 * @b: end (nothing when b <= a)
 * @v: the range's figures
 * @site: its call site
 */
void replay_owner_put(struct owner_map *m, uint32_t pid, uint64_t a,
                      uint64_t b, const uint64_t v[OWN_NR], uint32_t site)
{
    struct owner_list *l = b > a ? list_get(m, pid, true) : NULL;
    struct ext x = {.start = a, .end = b, .site = site};
    if (!l)
        return;
    memcpy(x.v, v, sizeof(x.v));
    if (ext_insert(l, lower(l, a), &x))
        return;
    for (int k = 0; k < OWN_NR; k++)
        credit(m, site, pid, k, (int64_t)v[k]);
}

/**
 * replay_owner_add_at() - figure @k of the range holding @addr grows by
 * @pages (a range of one page owned by no call site when none holds it)
 * @m: the map
 * @pid: the process
 * @addr: an address
 * @k: OWN_COMMIT or OWN_RSS
 * @pages: pages added
 */
void replay_owner_add_at(struct owner_map *m, uint32_t pid, uint64_t addr,
                         int k, uint64_t pages)
{
    struct owner_list *l = list_get(m, pid, false);
    size_t i = l ? lower(l, addr) : 0;
    if (l && i < l->n && l->e[i].start <= addr) {
        l->e[i].v[k] += pages;
        credit(m, l->e[i].site, pid, k, (int64_t)pages);
        return;
    }
    uint64_t v[OWN_NR] = {0};
    v[k] = pages;
    addr &= ~(MM_PAGE_SIZE - 1);
    replay_owner_put(m, pid, addr, addr + MM_PAGE_SIZE, v, 0);
}

/**
 * replay_owner_copy() - @child gets copies of @parent's ranges (fork), their
 * resident pages scaled to @child_rss pro rata (fork does not copy every
 * page table entry)
 * @m: the map
 * @parent: the parent
 * @child: the child
 * @child_rss: the child's RSS after the fork
 */
void replay_owner_copy(struct owner_map *m, uint32_t parent, uint32_t child,
                       uint64_t child_rss)
{
    struct owner_list *p = list_get(m, parent, false);
    uint64_t sum = 0;
    for (size_t i = 0; p && i < p->n; i++)
        sum += p->e[i].v[OWN_RSS];
    for (size_t i = 0; p && i < p->n; i++) {
        struct ext e = p->e[i];
        if (sum > child_rss)
            e.v[OWN_RSS] = e.v[OWN_RSS] * child_rss / sum;
        replay_owner_put(m, child, e.start, e.end, e.v, e.site);
        p = list_get(m, parent, false); /* the table may have grown */
    }
}

/**
 * replay_owner_site() - the peaks of the site of @stack
 * @m: the map, after replay_owner_finish()
 * @stack: stack id
 * @peak: receives its figures when each total peaked
 * @pid: receives the first process it was seen in (may be NULL)
 *
 * Return: whether the site exists.
 */
bool replay_owner_site(const struct owner_map *m, uint32_t stack,
                       uint64_t peak[OWN_NR], uint32_t *pid)
{
    const struct osite *s = m && m->cap_sites ? site_slot(m, stack) : NULL;
    if (!s || !s->used)
        return false;
    memcpy(peak, s->peak, OWN_NR * sizeof(*peak));
    if (pid)
        *pid = s->pid;
    return true;
}

static int by_peak(const void *a, const void *b, void *arg)
{
    int k = *(const int *)arg;
    const struct osite *x = *(struct osite *const *)a;
    const struct osite *y = *(struct osite *const *)b;
    if (x->peak[k] != y->peak[k])
        return (x->peak[k] < y->peak[k]) - (x->peak[k] > y->peak[k]);
    return (x->stack > y->stack) - (x->stack < y->stack);
}

/**
 * replay_owner_finish() - final peaks, and the sites with the largest
 * peak of figure @k
 * @m: the map
 * @k: the figure
 * @stacks: receives up to @max stack ids, largest first (non-zero peaks)
 * @max: room in @stacks
 *
 * Return: how many were written.
 */
size_t replay_owner_finish(struct owner_map *m, int k, uint32_t *stacks,
                           size_t max)
{
    struct osite **v = malloc((m->nr_sites + 1) * sizeof(*v));
    size_t n = 0, out = 0;
    for (size_t i = 0; i < m->cap_sites; i++) {
        struct osite *s = &m->sites[i];
        for (int f = 0; s->used && f < OWN_NR; f++)
            if (s->gen[f] < m->gen[f]) {
                s->peak[f] = s->v[f]; /* unchanged since the last peak */
                s->gen[f] = m->gen[f];
            }
        if (s->used && v)
            v[n++] = s;
    }
    if (v)
        qsort_r(v, n, sizeof(*v), by_peak, &k);
    for (size_t i = 0; v && i < n && out < max && v[i]->peak[k]; i++)
        stacks[out++] = v[i]->stack;
    free(v);
    return out;
}

/** replay_owner_totals() - each figure's total peak and its sites. */
void replay_owner_totals(const struct owner_map *m, uint64_t peak[OWN_NR],
                         uint64_t sites[OWN_NR])
{
    memset(sites, 0, OWN_NR * sizeof(*sites));
    memcpy(peak, m->peak, OWN_NR * sizeof(*peak));
    for (size_t i = 0; i < m->cap_sites; i++)
        for (int k = 0; m->sites[i].used && k < OWN_NR; k++)
            sites[k] += m->sites[i].seen[k];
}

/**
 * replay_owner_clamp() - figure @k of @pid's ranges sums to at most @limit
 * (the model's figure for the process): ranges are scaled down pro rata
 * when the attribution ran ahead (a range cut where its pages were not
 * evenly resident, pages not copied by fork)
 * @m: the map
 * @pid: the process
 * @k: the figure
 * @limit: its true total for the process
 */
void replay_owner_clamp(struct owner_map *m, uint32_t pid, int k,
                        uint64_t limit)
{
    struct owner_list *l = list_get(m, pid, false);
    uint64_t sum = 0;
    for (size_t i = 0; l && i < l->n; i++)
        sum += l->e[i].v[k];
    if (!l || sum <= limit)
        return;
    for (size_t i = 0; i < l->n; i++) {
        struct ext *e = &l->e[i];
        uint64_t v = e->v[k] * limit / sum;
        credit(m, e->site, pid, k, (int64_t)v - (int64_t)e->v[k]);
        e->v[k] = v;
    }
}

