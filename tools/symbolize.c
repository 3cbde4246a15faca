/*
 * symbolize.c - call stacks of verdicts as text, offline, with elfutils
 * libdw: each frame's module comes from the trace's module map (the mapping
 * of that process containing the address), the file is opened by its path,
 * and its build ID is checked against the recorded one (a rebuilt library
 * would name the wrong function). Frames print as
 * "function+0xOFF (file:line) [module]" where debug information exists,
 * "[module+0xOFF]" where only the module is known, "0xIP" otherwise.
 * One Dwfl per file (at bias 0, shared by every process that maps it),
 * opened at its first frame, and the text of every file address described,
 * kept until replay_free() (outer frames repeat across call sites and
 * processes). Never used by the recorder.
 */
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* Verdicts with symbolised stacks; later ones keep their stack ids. */
#define SYM_MAX_EVENTS 64
#define SYM_MAX_FRAMES 64

/* Opened modules, by index into rp->modules. */
/* A frame already described: outer frames repeat across stacks. */
struct frame_memo {
    long mod;       /* path id of the file; -1: empty slot */
    uint64_t ip;    /* the file's address */
    char *text;
};

struct symbolize_cache {
    Dwfl **dwfl;      /* by path id, 0..n */
    Dwfl_Module **mod;
    uint8_t *state;   /* 0 not tried, 1 usable, 2 unusable */
    size_t n;
    struct frame_memo *memo; /* open addressing, cap_memo a power of 2 */
    size_t cap_memo, nr_memo;
};

static long module_of(const struct replay *rp, uint32_t pid, uint64_t ip)
{
    long best = -1;
    for (size_t i = 0; i < rp->nr_modules; i++) {
        const struct tr_module *m = &rp->modules[i];
        if (m->pid == pid && ip >= m->base && ip - m->base < m->size)
            best = (long)i; /* the latest mapping wins */
    }
    return best;
}

static bool build_id_ok(Dwfl_Module *mod, const struct tr_module *m)
{
    const unsigned char *bits;
    GElf_Addr vaddr;
    int n = dwfl_module_build_id(mod, &bits, &vaddr);
    if (!m->build_id_len || n <= 0)
        return true; /* nothing to compare */
    return (uint32_t)n == m->build_id_len && !memcmp(bits, m->build_id, n);
}

static void describe(Dwfl_Module *mod, uint64_t addr, const char *path,
                     char *out, size_t len)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    GElf_Off off = 0;
    GElf_Sym sym;
    const char *fn = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL,
                                          NULL);
    /* addr is a return address: the call is the instruction before it */
    Dwfl_Line *line = dwfl_module_getsrc(mod, addr - 1);
    int lineno = 0;
    const char *src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL,
                                           NULL) : NULL;
    if (fn && src)
        snprintf(out, len, "%s+0x%" PRIx64 " (%s:%d) [%s]", fn, (uint64_t)off,
                 src, lineno, base);
    else if (fn)
        snprintf(out, len, "%s+0x%" PRIx64 " [%s]", fn, (uint64_t)off, base);
    else
        snprintf(out, len, "[%s+0x%" PRIx64 "]", base, addr);
}

/* The cache, with room for path ids below @need (rebuilt when the string
 * table has grown: a live replay). */
static struct symbolize_cache *cache_of(struct replay *rp, size_t need)
{
    struct symbolize_cache *c = rp->sym;
    if (c && need <= c->n)
        return c;
    symbolize_free(rp);
    c = calloc(1, sizeof(*c));
    size_t n = rp->nr_strings > need ? rp->nr_strings : need;
    if (c && (c->dwfl = calloc(n + 1, sizeof(*c->dwfl))) &&
        (c->mod = calloc(n + 1, sizeof(*c->mod))) &&
        (c->state = calloc(n + 1, 1))) {
        c->n = n;
        rp->sym = c;
        return c;
    }
    if (c) {
        free(c->dwfl);
        free(c->mod);
        free(c);
    }
    return NULL;
}

/* One Dwfl per file (by path id), at bias 0: every process that maps it
 * shares it, asked at file addresses; NULL when the file is absent. */
static Dwfl_Module *open_file(struct replay *rp, uint32_t id, const char *path)
{
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
    };
    struct symbolize_cache *c = cache_of(rp, (size_t)id + 1);
    if (!c || c->state[id])
        return c && c->state[id] == 1 ? c->mod[id] : NULL;
    c->state[id] = 2;
    Dwfl *dwfl = dwfl_begin(&cb);
    if (!dwfl)
        return NULL;
    Dwfl_Module *mod = dwfl_report_elf(dwfl, path, path, -1, 0, false);
    dwfl_report_end(dwfl, NULL, NULL);
    if (!mod) {
        dwfl_end(dwfl);
        return NULL;
    }
    c->dwfl[id] = dwfl;
    c->mod[id] = mod;
    c->state[id] = 1;
    return mod;
}

static struct frame_memo *memo_slot(struct symbolize_cache *c, long file,
                                    uint64_t addr)
{
    size_t mask = c->cap_memo - 1;
    size_t i = (size_t)(((uint64_t)file * 0x9e3779b97f4a7c15ull ^ addr) *
                        0xff51afd7ed558ccdull >> 17) & mask;
    while (c->memo[i].mod >= 0 &&
           (c->memo[i].mod != file || c->memo[i].ip != addr))
        i = (i + 1) & mask;
    return &c->memo[i];
}

static void memo_grow(struct symbolize_cache *c)
{
    size_t cap = c->cap_memo ? c->cap_memo * 2 : 1024, old_cap = c->cap_memo;
    struct frame_memo *old = c->memo, *tab = malloc(cap * sizeof(*tab));
    if (!tab)
        return;
    for (size_t i = 0; i < cap; i++)
        tab[i].mod = -1;
    c->memo = tab;
    c->cap_memo = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].mod >= 0)
            *memo_slot(c, old[i].mod, old[i].ip) = old[i];
    free(old);
}

/* Remember the text of file address @addr of file @file. */
static void memo_put(struct symbolize_cache *c, long file, uint64_t addr,
                     const char *s)
{
    if ((c->nr_memo + 1) * 2 > c->cap_memo)
        memo_grow(c);
    if (!c->cap_memo)
        return;
    struct frame_memo *f = memo_slot(c, file, addr);
    if (f->mod < 0 && (f->text = strdup(s))) {
        f->mod = file;
        f->ip = addr;
        c->nr_memo++;
    }
}

/* "function+0xOFF (file:line) [module]" of @ip in module map entry @m. */
static void describe_in(struct replay *rp, const struct tr_module *m,
                        uint64_t ip, char *buf, size_t len)
{
    const char *path = replay_string(rp, m->path);
    uint64_t addr = ip - (m->base - m->offset); /* the file's address */
    Dwfl_Module *mod = path ? open_file(rp, m->path, path) : NULL;
    struct symbolize_cache *c = rp->sym;
    if (mod && build_id_ok(mod, m)) {
        const struct frame_memo *f = c->cap_memo ? memo_slot(c, m->path, addr)
                                                 : NULL;
        if (f && f->mod >= 0) {
            snprintf(buf, len, "%s", f->text);
            return;
        }
        describe(mod, addr, path, buf, len);
        memo_put(c, m->path, addr, buf);
    } else if (path) {
        snprintf(buf, len, "[%s+0x%" PRIx64 "]", path, addr);
    }
}

static char *frame_text(struct replay *rp, uint32_t pid, uint64_t ip)
{
    char buf[1024];
    long i = module_of(rp, pid, ip);
    snprintf(buf, sizeof(buf), "0x%" PRIx64, ip);
    if (i >= 0)
        describe_in(rp, &rp->modules[i], ip, buf, sizeof(buf));
    return strdup(buf);
}

/**
 * symbolize_free() - close the modules opened for symbols
 * @rp: the replay
 */
void symbolize_free(struct replay *rp)
{
    struct symbolize_cache *c = rp->sym;
    if (!c)
        return;
    for (size_t i = 0; i <= c->n; i++)
        if (c->dwfl[i])
            dwfl_end(c->dwfl[i]);
    for (size_t i = 0; i < c->cap_memo; i++)
        if (c->memo[i].mod >= 0)
            free(c->memo[i].text);
    free(c->memo);
    free(c->dwfl);
    free(c->mod);
    free(c->state);
    free(c);
    rp->sym = NULL;
}

/* Frames of stack @id as seen in process @pid (innermost first). */
static int stack_frames(struct replay *rp, uint32_t pid, uint32_t id,
                        char ***frames, uint32_t *nframes)
{
    const struct replay_stack *s = &rp->stacks[id];
    uint32_t n = s->n < SYM_MAX_FRAMES ? s->n : SYM_MAX_FRAMES;
    *nframes = 0;
    *frames = calloc(n ? n : 1, sizeof(**frames));
    if (!*frames)
        return MM_ENOMEM;
    for (uint32_t k = 0; k < n; k++)
        if (((*frames)[*nframes] = frame_text(rp, pid, s->ips[k])))
            (*nframes)++;
    return 0;
}

/**
 * symbolize_events() - fill frames[] of the first verdicts of @r
 * @rp: the replay (stack table, module map, strings)
 * @r: the report
 *
 * Return: 0 or MM_ENOMEM.
 */
int symbolize_events(struct replay *rp, struct mm_report *r)
{
    for (size_t i = 0; i < r->nr_events && i < SYM_MAX_EVENTS; i++) {
        struct report_event *e = &r->events[i];
        if (!e->stack || e->stack >= rp->nr_stacks || e->frames)
            continue;
        if (stack_frames(rp, e->pid, e->stack, &e->frames, &e->nframes))
            return MM_ENOMEM;
    }
    return 0;
}

/**
 * symbolize_sites() - fill frames[] of the call sites of @r
 * @rp: the replay (stack table, module map, strings)
 * @r: the report
 *
 * Return: 0 or MM_ENOMEM.
 */
int symbolize_sites(struct replay *rp, struct mm_report *r)
{
    for (size_t i = 0; i < r->nr_sites; i++) {
        struct report_site *st = &r->sites[i];
        st->frames = NULL;
        st->nframes = 0;
        if (!st->stack || st->stack >= rp->nr_stacks)
            continue;
        if (stack_frames(rp, st->pid, st->stack, &st->frames, &st->nframes))
            return MM_ENOMEM;
    }
    return 0;
}

/**
 * symbolize_ooms() - symbolise the stacks of the allocations that invoked
 * the OOM killer (the first SYM_MAX_EVENTS of them)
 * @rp: the replay (stacks, module map)
 * @r: the report whose ooms[] are filled in
 *
 * Return: 0 or MM_ENOMEM.
 */
int symbolize_ooms(struct replay *rp, struct mm_report *r)
{
    for (size_t i = 0; i < r->nr_ooms && i < SYM_MAX_EVENTS; i++) {
        struct report_oom *o = &r->ooms[i];
        if (!o->stack || o->stack >= rp->nr_stacks || o->frames)
            continue;
        if (stack_frames(rp, o->trigger_pid, o->stack, &o->frames,
                         &o->nframes))
            return MM_ENOMEM;
    }
    return 0;
}
