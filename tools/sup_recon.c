/*
 * sup_recon.c - reconciliation with /proc/PID/maps, for the preload-only
 * capture (sup_preload.c) where no syscall is seen by the supervisor.
 *
 * A snapshot records a process's image as the exec path does (TR_EV_EXEC,
 * one TR_EV_VMA per line, TR_EV_MAPS_END) but with TR_F_INFERRED, and its
 * heap as a TR_EV_BRK from start_brk to the end of the [heap] line, so the
 * model grows the heap itself. A diff compares the VMAs rebuilt from every
 * event recorded so far (the verifier's tracker) with the real maps and
 * records what changed, as inferred events: ranges only in maps become
 * MAP_FIXED mmaps (with the line's protection, sharing, file and offset),
 * ranges only in the tracker munmaps, ranges whose protection alone differs
 * mprotects, other differences an munmap and an mmap; a moved end of the
 * heap a brk. The stack (grown by faults) and kernel areas ([vdso], ...)
 * are left alone. What happened between two reads is lost: a range mapped
 * and unmapped in between, the order of calls, their results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sup.h"

#define RECON_PAGE_UP(x) (((x) + 4095) & ~(uint64_t)4095)

static void recon_init(struct tr_event *ev, uint32_t type,
                       const struct sup_task *t)
{
    sup_event_init(ev, type, t);
    ev->flags = TR_F_INFERRED;
}

struct recon_snap {
    struct sup_run *r;
    struct sup_task *t;
    uint64_t count, heap_end;
};

static int recon_snap_line(void *arg, const struct sup_maps_line *l)
{
    struct recon_snap *w = arg;
    struct tr_event ev;
    if (strcmp(l->name, "[heap]") == 0) {
        w->heap_end = l->end; /* a brk after the snapshot */
        return 0;
    }
    recon_init(&ev, TR_EV_VMA, w->t);
    sup_maps_vma_event(&ev, l);
    sup_emit(w->r, &ev, l->name[0] ? l->name : NULL);
    w->count++;
    return 0;
}

static void recon_brk(struct sup_run *r, struct sup_task *t, uint64_t brk)
{
    struct tr_event ev;
    recon_init(&ev, TR_EV_BRK, t);
    ev.a[0] = brk;
    ev.ret = (int64_t)brk;
    sup_emit(r, &ev, NULL);
}

/**
 * sup_recon_snapshot() - record @t's process's image from /proc as an
 * inferred exec (see the file comment), with its modules.
 * @r: the recording.
 * @t: the process (tid = tgid).
 *
 * Return: 0, or a negative errno if /proc could not be read (gone).
 */
int sup_recon_snapshot(struct sup_run *r, struct sup_task *t)
{
    char link[64], exe[4096];
    uint64_t start_brk = 0, start_stack = 0;
    t->pre_snap_ns = sup_now_ns(); /* older ring records are in the maps */
    int rc = sup_stat_brk_stack(t->tid, &start_brk, &start_stack);
    if (rc < 0)
        return rc;
    if (!start_brk && !start_stack)
        return -ESRCH; /* exiting: its mm is gone */
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)t->tid);
    ssize_t n = readlink(link, exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = 0;
    struct tr_event ev;
    recon_init(&ev, TR_EV_EXEC, t);
    ev.a[0] = start_brk;
    ev.a[1] = start_stack;
    sup_emit(r, &ev, exe[0] ? exe : NULL);
    struct recon_snap w = {r, t, 0, 0};
    rc = sup_maps_read(t->tid, recon_snap_line, &w);
    recon_init(&ev, TR_EV_MAPS_END, t);
    ev.a[0] = w.count;
    sup_emit(r, &ev, NULL);
    if (w.heap_end > start_brk)
        recon_brk(r, t, w.heap_end);
    sup_module_scan(r, t, 0);
    return rc;
}

/* Areas left alone: the stack and the kernel's own ([vdso], [vvar]...). */
static int recon_skip(const struct sup_row *row)
{
    return row && row->name[0] == '[' && strcmp(row->name, "[heap]") != 0 &&
           strncmp(row->name, "[anon:", 6) != 0;
}

static uint64_t recon_off(const struct sup_row *row, uint64_t at)
{
    return row->name[0] == '/' ? row->off + (at - row->start) : 0;
}

/* The same but for the protection: 0 no, 1 yes. */
static int recon_same(const struct sup_row *w, const struct sup_row *g,
                      uint64_t at)
{
    if (w->shared != g->shared || strcmp(w->name, g->name) != 0 ||
        recon_off(w, at) != recon_off(g, at))
        return 0;
    if (w->wild_id == 2)
        return 1;
    return w->ino == g->ino && (w->wild_id == 1 || w->dev == g->dev);
}

static void recon_map(struct sup_run *r, struct sup_task *t, uint64_t a,
                      uint64_t b, const struct sup_row *g)
{
    struct tr_event ev;
    int anon = g->ino == 0 || strncmp(g->name, "/dev/zero", 9) == 0;
    recon_init(&ev, TR_EV_MMAP, t);
    ev.a[0] = a;
    ev.a[1] = b - a;
    ev.a[2] = g->prot;
    ev.a[3] = MAP_FIXED | (g->shared ? MAP_SHARED : MAP_PRIVATE) |
              (anon ? MAP_ANONYMOUS : 0);
    ev.a[4] = (uint64_t)-1;
    ev.a[5] = recon_off(g, a);
    ev.ret = (int64_t)a;
    if (!anon || g->shared) {
        ev.dev = g->dev;
        ev.ino = g->ino;
    }
    sup_emit(r, &ev, g->name[0] == '/' ? g->name : NULL);
    if ((g->prot & PROT_EXEC) && g->name[0] == '/')
        sup_module_scan(r, t, a);
}

static void recon_range(struct sup_run *r, struct sup_task *t, uint64_t a,
                        uint64_t b, const struct sup_row *w,
                        const struct sup_row *g)
{
    struct tr_event ev;
    if (recon_skip(w) || recon_skip(g) ||
        (w && !strcmp(w->name, "[heap]")) || (g && !strcmp(g->name, "[heap]")))
        return;
    if (w && g && recon_same(w, g, a)) {
        if (w->prot == g->prot)
            return;
        recon_init(&ev, TR_EV_MPROTECT, t);
        ev.a[0] = a;
        ev.a[1] = b - a;
        ev.a[2] = g->prot;
        sup_emit(r, &ev, NULL);
        if ((g->prot & ~w->prot & PROT_EXEC) && g->name[0] == '/')
            sup_module_scan(r, t, a); /* code made executable */
        return;
    }
    if (w) {
        recon_init(&ev, TR_EV_MUNMAP, t);
        ev.a[0] = a;
        ev.a[1] = b - a;
        sup_emit(r, &ev, NULL);
    }
    if (g)
        recon_map(r, t, a, b, g);
}

/* Sweep both row lists (sorted, not overlapping) in address order, one
 * range at a time where neither side changes. */
static void recon_sweep(struct sup_run *r, struct sup_task *t,
                        const struct sup_rows *w, const struct sup_rows *g)
{
    size_t i = 0, j = 0;
    uint64_t a = 0;
    while (i < w->nr || j < g->nr) {
        const struct sup_row *wr = i < w->nr ? &w->r[i] : NULL;
        const struct sup_row *gr = j < g->nr ? &g->r[j] : NULL;
        uint64_t ws = wr ? (wr->start > a ? wr->start : a) : UINT64_MAX;
        uint64_t gs = gr ? (gr->start > a ? gr->start : a) : UINT64_MAX;
        a = ws < gs ? ws : gs;
        const struct sup_row *win = wr && wr->start <= a ? wr : NULL;
        const struct sup_row *gin = gr && gr->start <= a ? gr : NULL;
        uint64_t b = win ? win->end : wr ? wr->start : UINT64_MAX;
        uint64_t gb = gin ? gin->end : gr ? gr->start : UINT64_MAX;
        b = b < gb ? b : gb;
        recon_range(r, t, a, b, win, gin);
        a = b;
        i += wr && wr->end <= a;
        j += gr && gr->end <= a;
    }
}

static const struct sup_row *recon_heap_row(const struct sup_rows *rows)
{
    for (size_t i = 0; i < rows->nr; i++)
        if (!strcmp(rows->r[i].name, "[heap]"))
            return &rows->r[i];
    return NULL;
}

/**
 * sup_recon_diff() - record what changed in @t's process since the events
 * recorded so far (see the file comment).
 * @r: the recording.
 * @t: the process (tid = tgid), running or not.
 * @set: the VMAs rebuilt from its recorded events.
 *
 * Return: 0, or a negative errno if /proc could not be read (gone).
 */
int sup_recon_diff(struct sup_run *r, struct sup_task *t,
                   const struct sup_vmaset *set)
{
    struct sup_rows want = {0}, got = {0};
    int rc = sup_rows_from_set(set, &want);
    if (rc == 0)
        rc = sup_rows_from_maps(t->tid, &got);
    if (rc == 0) {
        const struct sup_row *heap = recon_heap_row(&got);
        uint64_t end = heap ? heap->end : set->start_brk;
        if (set->start_brk && RECON_PAGE_UP(end) != RECON_PAGE_UP(set->brk))
            recon_brk(r, t, end);
        recon_sweep(r, t, &want, &got);
    }
    sup_rows_free(&want);
    sup_rows_free(&got);
    return rc;
}
