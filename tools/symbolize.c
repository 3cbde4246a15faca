/*
 * symbolize.c - call stacks of verdicts as text, offline, with elfutils
 * libdw: each frame's module comes from the trace's module map (the mapping
 * of that process containing the address), the file is opened by its path,
 * and its build ID is checked against the recorded one (a rebuilt library
 * would name the wrong function). Frames print as
 * "function+0xOFF (file:line) [module]" where debug information exists,
 * "[module+0xOFF]" where only the module is known, "0xIP" otherwise.
 * Never used by the recorder.
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

static const struct tr_module *module_of(const struct replay *rp,
                                         uint32_t pid, uint64_t ip)
{
    const struct tr_module *best = NULL;
    for (size_t i = 0; i < rp->nr_modules; i++) {
        const struct tr_module *m = &rp->modules[i];
        if (m->pid == pid && ip >= m->base && ip - m->base < m->size)
            best = m; /* the latest mapping wins */
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
    Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
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

/* One frame: a Dwfl of just its module, so overlapping maps of different
 * processes and times never meet. */
static char *frame_text(const struct replay *rp, uint32_t pid, uint64_t ip)
{
    char buf[1024];
    const struct tr_module *m = module_of(rp, pid, ip);
    const char *path = m ? replay_string((void *)rp, m->path) : NULL;
    snprintf(buf, sizeof(buf), "0x%" PRIx64, ip);
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
    };
    Dwfl *dwfl = path ? dwfl_begin(&cb) : NULL;
    if (dwfl) {
        /* bias: where the file's address 0 sits (first segment at offset) */
        Dwfl_Module *mod = dwfl_report_elf(dwfl, path, path, -1,
                                           m->base - m->offset, false);
        dwfl_report_end(dwfl, NULL, NULL);
        if (mod && build_id_ok(mod, m))
            describe(mod, ip, path, buf, sizeof(buf));
        else if (path)
            snprintf(buf, sizeof(buf), "[%s+0x%" PRIx64 "]", path,
                     ip - m->base + m->offset);
        dwfl_end(dwfl);
    }
    return strdup(buf);
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
        const struct replay_stack *s = &rp->stacks[e->stack];
        uint32_t n = s->n < SYM_MAX_FRAMES ? s->n : SYM_MAX_FRAMES;
        e->frames = calloc(n ? n : 1, sizeof(*e->frames));
        if (!e->frames)
            return MM_ENOMEM;
        for (uint32_t k = 0; k < n; k++)
            if ((e->frames[k] = frame_text(rp, e->pid, s->ips[k])))
                e->nframes++;
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
        const struct replay_stack *s = &rp->stacks[o->stack];
        uint32_t n = s->n < SYM_MAX_FRAMES ? s->n : SYM_MAX_FRAMES;
        o->frames = calloc(n ? n : 1, sizeof(*o->frames));
        if (!o->frames)
            return MM_ENOMEM;
        for (uint32_t k = 0; k < n; k++)
            if ((o->frames[k] = frame_text(rp, o->trigger_pid, s->ips[k])))
                o->nframes++;
    }
    return 0;
}
