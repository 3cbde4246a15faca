/*
 * symbolize.c - call stacks of verdicts as text, offline, with elfutils
 * libdw: each frame's module comes from the trace's module map (the mapping
 * of that process containing the address), the file is opened by its path,
 * and its build ID is checked against the recorded one (a rebuilt library
 * would name the wrong function). Frames print as
 * "function+0xOFF (file:line) [module]" where debug information exists,
 * "[module+0xOFF]" where only the module is known, "0xIP" otherwise.
 * One Dwfl per module of the map, opened at its first frame and kept until
 * replay_free(). Never used by the recorder.
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
struct symbolize_cache {
    Dwfl **dwfl;
    Dwfl_Module **mod;
    uint8_t *state; /* 0 not tried, 1 usable, 2 unusable */
    size_t n;
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

static struct symbolize_cache *cache_of(struct replay *rp)
{
    struct symbolize_cache *c = rp->sym;
    if (c && c->n == rp->nr_modules)
        return c;
    symbolize_free(rp); /* the module map grew (a live replay) */
    c = calloc(1, sizeof(*c));
    size_t n = rp->nr_modules ? rp->nr_modules : 1;
    if (c && (c->dwfl = calloc(n, sizeof(*c->dwfl))) &&
        (c->mod = calloc(n, sizeof(*c->mod))) &&
        (c->state = calloc(n, 1))) {
        c->n = rp->nr_modules;
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

/* A Dwfl of just module @i, so overlapping maps of different processes
 * and times never meet; NULL when the file is absent or was rebuilt. */
static Dwfl_Module *open_module(struct replay *rp, size_t i, const char *path)
{
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
    };
    struct symbolize_cache *c = cache_of(rp);
    const struct tr_module *m = &rp->modules[i];
    if (!c || c->state[i])
        return c && c->state[i] == 1 ? c->mod[i] : NULL;
    c->state[i] = 2;
    Dwfl *dwfl = dwfl_begin(&cb);
    if (!dwfl)
        return NULL;
    /* bias: where the file's address 0 sits (first segment at offset) */
    Dwfl_Module *mod = dwfl_report_elf(dwfl, path, path, -1,
                                       m->base - m->offset, false);
    dwfl_report_end(dwfl, NULL, NULL);
    if (!mod || !build_id_ok(mod, m)) {
        dwfl_end(dwfl);
        return NULL;
    }
    c->dwfl[i] = dwfl;
    c->mod[i] = mod;
    c->state[i] = 1;
    return mod;
}

static char *frame_text(struct replay *rp, uint32_t pid, uint64_t ip)
{
    char buf[1024];
    long i = module_of(rp, pid, ip);
    const struct tr_module *m = i >= 0 ? &rp->modules[i] : NULL;
    const char *path = m ? replay_string(rp, m->path) : NULL;
    Dwfl_Module *mod = path ? open_module(rp, (size_t)i, path) : NULL;
    snprintf(buf, sizeof(buf), "0x%" PRIx64, ip);
    if (mod)
        describe(mod, ip, path, buf, sizeof(buf));
    else if (path)
        snprintf(buf, sizeof(buf), "[%s+0x%" PRIx64 "]", path,
                 ip - m->base + m->offset);
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
    for (size_t i = 0; i < c->n; i++)
        if (c->dwfl[i])
            dwfl_end(c->dwfl[i]);
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
