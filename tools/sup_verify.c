/*
 * sup_verify.c - `mmsim record --verify`: is the capture complete?
 *
 * The verifier sees every event the recorder emits (the same stream the
 * trace gets), rebuilds each process's VMA set from them alone (the EXEC
 * snapshot, then the syscalls; fork copies, vfork and threads share), and at
 * the address space's last exit stop compares it with the real
 * /proc/PID/maps (sup_vmacmp.c). The verdict per process is EXACT, DIFFERS
 * (with the rows), or UNKNOWN (the tracker met something it cannot model,
 * or a syscall's result was lost because the process was killed mid-call).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sup.h"

struct sup_vproc {
    uint32_t pid;
    struct sup_vmaset *set;
    char exe[256];
    int verdict;    /* -2 not checked, -1 unknown, 0 differs, 1 exact */
    int shares;     /* vfork child sharing its parent's set, not exec'd */
    char *diff;     /* the differing rows, or the reason */
    size_t diff_len;
};

struct sup_verify {
    struct sup_vproc *p;
    size_t nr, cap;
    int oom;
};

/**
 * sup_verify_new() - an empty verifier.
 *
 * Return: the verifier, or NULL when out of memory.
 */
struct sup_verify *sup_verify_new(void)
{
    return calloc(1, sizeof(struct sup_verify));
}

/**
 * sup_verify_free() - release a verifier and its trackers.
 * @v: the verifier, or NULL.
 */
void sup_verify_free(struct sup_verify *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->nr; i++) {
        sup_vmaset_put(v->p[i].set);
        free(v->p[i].diff);
    }
    free(v->p);
    free(v);
}

static struct sup_vproc *sup_vproc_get(struct sup_verify *v, uint32_t pid,
                                       int create)
{
    for (size_t i = v->nr; i-- > 0;)
        if (v->p[i].pid == pid)
            return &v->p[i];
    if (!create)
        return NULL;
    if (v->nr == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        struct sup_vproc *p = realloc(v->p, cap * sizeof(*p));
        if (!p)
            return NULL;
        v->p = p;
        v->cap = cap;
    }
    struct sup_vproc *p = &v->p[v->nr++];
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    p->verdict = -2;
    return p;
}

static void sup_vproc_set(struct sup_vproc *p, struct sup_vmaset *set)
{
    sup_vmaset_put(p->set);
    p->set = set;
}

static void sup_verify_exec(struct sup_verify *v, const struct tr_event *ev,
                            const char *str)
{
    struct sup_vproc *p = sup_vproc_get(v, ev->pid, 1);
    struct sup_vmaset *s = sup_vmaset_new();
    if (!p || !s) {
        v->oom = 1;
        sup_vmaset_put(s);
        return;
    }
    s->start_brk = s->brk = ev->a[0];
    s->start_stack = ev->a[1];
    sup_vproc_set(p, s);
    p->shares = 0;
    p->verdict = -2;
    snprintf(p->exe, sizeof(p->exe), "%s", str ? str : "?");
}

static void sup_verify_vma(struct sup_vproc *p, const struct tr_event *ev,
                           const char *str)
{
    struct sup_vma vma = {.start = ev->a[0], .end = ev->a[1],
                          .prot = (uint32_t)ev->a[2],
                          .shared = ev->a[3] == MAP_SHARED,
                          .off = ev->a[4], .dev = ev->dev, .ino = ev->ino};
    if (str && str[0] == '[' && strcmp(str, "[heap]") != 0 &&
        strcmp(str, "[stack]") != 0) {
        vma.kind = strncmp(str, "[anon:", 6) == 0 ? SUP_VMA_ANON
                                                  : SUP_VMA_SPECIAL;
        vma.name = (char *)str;
    } else if (str && str[0] != '[') {
        vma.kind = SUP_VMA_FILE;
        vma.name = (char *)str;
    }
    if (vma.kind != SUP_VMA_FILE)
        vma.off = 0;
    sup_vmaset_map(p->set, &vma);
}

static void sup_verify_clone(struct sup_verify *v, const struct tr_event *ev)
{
    struct sup_vproc *parent = sup_vproc_get(v, ev->pid, 0);
    if (!parent || !parent->set)
        return;
    struct sup_vmaset *s = NULL;
    if (ev->type == TR_EV_FORK) {
        s = sup_vmaset_fork(parent->set);
    } else {
        s = parent->set;
        s->refs++;
    }
    struct sup_vproc *c = sup_vproc_get(v, (uint32_t)ev->a[0], 1);
    parent = sup_vproc_get(v, ev->pid, 0); /* the array may have moved */
    if (!c || !s) {
        v->oom = 1;
        return;
    }
    sup_vproc_set(c, s);
    c->shares = ev->type == TR_EV_VFORK;
    snprintf(c->exe, sizeof(c->exe), "%s", parent->exe);
}

/**
 * sup_verify_event() - feed one recorded event to the verifier.
 * @arg: the verifier.
 * @ev: the event.
 * @str: the text of its string, or NULL.
 */
void sup_verify_event(void *arg, struct tr_event *ev, const char *str)
{
    struct sup_verify *v = arg;
    if (ev->type == TR_EV_EXEC)
        return sup_verify_exec(v, ev, str);
    if (ev->type == TR_EV_FORK || ev->type == TR_EV_VFORK)
        return sup_verify_clone(v, ev);
    struct sup_vproc *p = sup_vproc_get(v, ev->pid, 0);
    if (!p || !p->set)
        return;
    if (ev->type == TR_EV_VMA)
        return sup_verify_vma(p, ev, str);
    if (ev->type == TR_EV_INCOMPLETE)
        p->set->uncertain = 1;
    if (sup_vmaset_apply(p->set, ev, str) < 0)
        v->oom = 1;
}

static void sup_verify_store(struct sup_vproc *p, int verdict, char *diff,
                             size_t len)
{
    free(p->diff);
    p->verdict = verdict;
    p->diff = diff;
    p->diff_len = len;
}

/**
 * sup_verify_set() - the VMAs rebuilt so far for process @pid.
 * @v: the verifier.
 * @pid: the process.
 *
 * Return: its set, or NULL if no exec or fork of it was seen.
 */
const struct sup_vmaset *sup_verify_set(struct sup_verify *v, uint32_t pid)
{
    struct sup_vproc *p = sup_vproc_get(v, pid, 0);
    return p ? p->set : NULL;
}

/**
 * sup_verify_check() - compare process @pid's rebuilt VMAs with the real
 * /proc/@tid/maps. Call at the last exit stop of its address space.
 * @v: the verifier.
 * @pid: the process.
 * @tid: a stopped thread of it whose address space is still there.
 * @why_not: a reason the capture is known to be incomplete, or NULL.
 *
 * Return: 1 EXACT, 0 differs, -1 unknown.
 */
int sup_verify_check(struct sup_verify *v, pid_t pid, pid_t tid,
                     const char *why_not)
{
    struct sup_vproc *p = sup_vproc_get(v, (uint32_t)pid, 0);
    if (!p || !p->set)
        return -1;
    struct sup_rows want = {0}, got = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *diff = open_memstream(&buf, &len);
    int rc = sup_rows_from_set(p->set, &want);
    if (rc == 0)
        rc = sup_rows_from_maps(tid, &got);
    int n = rc == 0 && diff ? sup_rows_compare(&want, &got, diff) : -1;
    if (diff && why_not)
        fprintf(diff, "    (%s)\n", why_not);
    else if (diff && p->set->uncertain)
        fprintf(diff, "    (an event the verifier does not model was seen)\n");
    if (diff)
        fclose(diff);
    sup_rows_free(&want);
    sup_rows_free(&got);
    int verdict = n < 0 || why_not || p->set->uncertain ? -1 : n == 0;
    sup_verify_store(p, verdict, buf, len);
    return verdict;
}

/**
 * sup_verify_report() - print the verdict of every process and a summary.
 * @v: the verifier.
 * @out: where to print.
 *
 * Return: the number of processes that are not EXACT (differ, unknown, or
 * never reached an exit stop).
 */
int sup_verify_report(struct sup_verify *v, FILE *out)
{
    static const char *const name[] = {"NOT CHECKED (no exit stop)",
                                       "UNKNOWN", "DIFFERS", "EXACT"};
    size_t counts[4] = {0};
    for (size_t i = 0; i < v->nr; i++) {
        const struct sup_vproc *p = &v->p[i];
        if (p->shares && p->verdict == -2)
            continue; /* its address space is its parent's */
        counts[p->verdict + 2]++;
        fprintf(out, "mmsim: verify: pid %u (%s): %s\n", p->pid, p->exe,
                name[p->verdict + 2]);
        if (p->verdict != 1 && p->diff)
            fputs(p->diff, out);
    }
    fprintf(out,
            "mmsim: verify: %zu processes: %zu EXACT, %zu DIFFER, %zu UNKNOWN, "
            "%zu NOT CHECKED%s\n",
            counts[0] + counts[1] + counts[2] + counts[3], counts[3],
            counts[2], counts[1], counts[0],
            v->oom ? " (out of memory while verifying)" : "");
    return (int)(counts[0] + counts[1] + counts[2]) + v->oom;
}
