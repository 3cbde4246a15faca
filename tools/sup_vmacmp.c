/*
 * sup_vmacmp.c - compare a tracked address space with /proc/PID/maps.
 *
 * Normalisation rule (applied to both sides): adjacent rows are merged when
 * they touch (end == next start) and show the same protection, sharing,
 * device, inode and name, and, for rows backed by a file or shmem object,
 * the offset continues (next offset == offset + length). The kernel does not
 * always merge such VMAs (anon_vma or vm_flags that maps does not show,
 * mempolicies, userfaultfd contexts differ), and the tracker never merges,
 * so only the merged view is comparable; what maps shows is reproduced
 * exactly up to where the boundaries between identical neighbours are.
 *
 * Tolerated difference: the main thread's stack ([stack]) is grown by the
 * kernel on faults, with no syscall; a real [stack] row that ends where the
 * tracked one ends and starts lower is accepted. Names are computed as
 * fs/proc/task_mmu.c get_vma_name() does: file path, kernel-named areas,
 * then [heap] (overlaps [start_brk, brk]), [stack] (contains start_stack),
 * then [anon:name].
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "sup.h"

static int sup_rows_push(struct sup_rows *rows, const struct sup_row *row)
{
    struct sup_row *last = rows->nr ? &rows->r[rows->nr - 1] : NULL;
    if (last && last->end == row->start && last->prot == row->prot &&
        last->shared == row->shared && last->dev == row->dev &&
        last->ino == row->ino && last->wild_id == row->wild_id &&
        strcmp(last->name, row->name) == 0 &&
        (row->name[0] != '/' || row->off == last->off + (last->end - last->start))) {
        last->end = row->end;
        return 0;
    }
    if (rows->nr == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 64;
        struct sup_row *r = realloc(rows->r, cap * sizeof(*r));
        if (!r)
            return -ENOMEM;
        rows->r = r;
        rows->cap = cap;
    }
    rows->r[rows->nr++] = *row;
    return 0;
}

static void sup_vma_name(const struct sup_vmaset *s, const struct sup_vma *v,
                         char *out, size_t size)
{
    const char *name = v->name ? v->name : "";
    if (v->kind == SUP_VMA_ANON) {
        if (v->start <= s->brk && v->end >= s->start_brk)
            name = "[heap]";
        else if (v->start <= s->start_stack && v->end >= s->start_stack)
            name = "[stack]";
    }
    snprintf(out, size, "%s", name);
}

/**
 * sup_rows_from_set() - the normalised rows of a tracked address space.
 * @s: the set.
 * @out: rows appended here (free with sup_rows_free()).
 *
 * Return: 0, or -ENOMEM.
 */
int sup_rows_from_set(const struct sup_vmaset *s, struct sup_rows *out)
{
    struct sup_row *row = malloc(sizeof(*row));
    if (!row)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < s->nr && rc == 0; i++) {
        const struct sup_vma *v = &s->v[i];
        *row = (struct sup_row){.start = v->start, .end = v->end,
                                .prot = v->prot, .shared = v->shared,
                                .dev = v->dev, .ino = v->ino};
        row->off = v->kind == SUP_VMA_FILE || v->kind == SUP_VMA_SHMEM ? v->off : 0;
        row->wild_id = v->kind == SUP_VMA_SHMEM ? (v->ino ? 1 : 2) : 0;
        sup_vma_name(s, v, row->name, sizeof(row->name));
        rc = sup_rows_push(out, row);
    }
    free(row);
    return rc;
}

static int sup_row_from_line(void *arg, const struct sup_maps_line *l)
{
    struct sup_row *row = malloc(sizeof(*row));
    if (!row)
        return -ENOMEM;
    *row = (struct sup_row){.start = l->start, .end = l->end, .off = l->off,
                            .dev = l->dev, .ino = l->ino, .prot = l->prot,
                            .shared = l->shared};
    memcpy(row->name, l->name, sizeof(row->name));
    int rc = sup_rows_push(arg, row);
    free(row);
    return rc;
}

/**
 * sup_rows_from_maps() - the normalised rows of /proc/@tid/maps.
 * @tid: a thread of the process, stopped.
 * @out: rows appended here.
 *
 * Return: 0, or a negative errno.
 */
int sup_rows_from_maps(pid_t tid, struct sup_rows *out)
{
    return sup_maps_read(tid, sup_row_from_line, out);
}

/**
 * sup_rows_free() - release the rows.
 * @rows: the rows.
 */
void sup_rows_free(struct sup_rows *rows)
{
    free(rows->r);
    rows->r = NULL;
    rows->nr = rows->cap = 0;
}

/* 1 if @w (tracked) and @g (real) show the same thing. */
static int sup_row_same(const struct sup_row *w, const struct sup_row *g)
{
    int stack = strcmp(w->name, "[stack]") == 0 &&
                strcmp(g->name, "[stack]") == 0 && g->start <= w->start;
    if ((w->start != g->start && !stack) || w->end != g->end ||
        w->prot != g->prot || w->shared != g->shared || w->off != g->off ||
        strcmp(w->name, g->name) != 0)
        return 0;
    if (w->wild_id == 2)
        return 1;
    if (w->wild_id == 1)
        return w->ino == g->ino;
    return w->dev == g->dev && w->ino == g->ino;
}

static void sup_row_print(FILE *out, char sign, const struct sup_row *r)
{
    fprintf(out, "    %c %012" PRIx64 "-%012" PRIx64 " %c%c%c%c %08" PRIx64
                 " %02x:%02x %" PRIu64 " %s\n",
            sign, r->start, r->end, r->prot & 1 ? 'r' : '-',
            r->prot & 2 ? 'w' : '-', r->prot & 4 ? 'x' : '-',
            r->shared ? 's' : 'p', r->off, major(r->dev), minor(r->dev),
            r->ino, r->name);
}

/**
 * sup_rows_compare() - compare tracked rows @want with real rows @got.
 * @want: rows rebuilt from the captured events.
 * @got: rows read from /proc/PID/maps.
 * @diff: where the differing rows are printed ('-' tracked only, '+' real
 * only), or NULL.
 *
 * Return: the number of differing rows (0 means EXACT).
 */
int sup_rows_compare(const struct sup_rows *want, const struct sup_rows *got,
                     FILE *diff)
{
    size_t i = 0, j = 0;
    int n = 0;
    while (i < want->nr || j < got->nr) {
        const struct sup_row *w = i < want->nr ? &want->r[i] : NULL;
        const struct sup_row *g = j < got->nr ? &got->r[j] : NULL;
        if (w && g && sup_row_same(w, g)) {
            i++, j++;
            continue;
        }
        n++;
        int take_w = w && (!g || w->start <= g->start);
        int take_g = g && (!w || g->start <= w->start);
        if (take_w && diff)
            sup_row_print(diff, '-', w);
        if (take_g && diff)
            sup_row_print(diff, '+', g);
        i += take_w;
        j += take_g;
    }
    return n;
}
