/*
 * sup_maps.c - snapshots of an address space from /proc.
 *
 * At every PTRACE_EVENT_EXEC stop the new image has been built by the kernel
 * (program, interpreter, stack, vdso) without any syscall we could see, so
 * its state is read from /proc/PID/maps and /proc/PID/stat (start_brk,
 * start_stack) and recorded as TR_EV_EXEC, one TR_EV_VMA per line and
 * TR_EV_MAPS_END. Everything after that is built from the captured syscalls.
 *
 * TR_EV_VMA: a[0] start, a[1] end, a[2] PROT_* bits, a[3] MAP_SHARED or
 * MAP_PRIVATE, a[4] file offset in bytes (as maps shows it); dev, ino; str
 * the path or the kernel's [name], none for anonymous memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"

/**
 * sup_now_ns() - CLOCK_MONOTONIC in nanoseconds, the time base of events.
 *
 * Return: the current time.
 */
uint64_t sup_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * sup_maps_parse_line() - parse one line of /proc/PID/maps.
 * @line: the line (with or without its newline).
 * @out: filled in.
 *
 * Return: 0, or -EINVAL if the line does not have the maps format.
 */
int sup_maps_parse_line(const char *line, struct sup_maps_line *out)
{
    char perms[8];
    unsigned maj, min;
    int name_at = 0;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64
                     " %n",
               &out->start, &out->end, perms, &out->off, &maj, &min, &out->ino,
               &name_at) < 7 ||
        strlen(perms) != 4)
        return -EINVAL;
    out->dev = makedev(maj, min);
    out->prot = (perms[0] == 'r' ? PROT_READ : 0) |
                (perms[1] == 'w' ? PROT_WRITE : 0) |
                (perms[2] == 'x' ? PROT_EXEC : 0);
    out->shared = perms[3] == 's';
    const char *name = name_at ? line + name_at : "";
    size_t len = strcspn(name, "\n");
    if (len >= sizeof(out->name))
        len = sizeof(out->name) - 1;
    memcpy(out->name, name, len);
    out->name[len] = 0;
    return 0;
}

/**
 * sup_maps_read() - call @fn for each line of /proc/@tid/maps.
 * @tid: a thread of the process (its own /proc entry works for any thread).
 * @fn: called with @arg and the parsed line; a non-zero return stops.
 * @arg: passed to @fn.
 *
 * Return: 0, the first non-zero return of @fn, or a negative errno.
 */
int sup_maps_read(pid_t tid, int (*fn)(void *, const struct sup_maps_line *),
                  void *arg)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    struct sup_maps_line *l = malloc(sizeof(*l));
    char *buf = NULL;
    size_t cap = 0;
    int rc = l ? 0 : -ENOMEM;
    while (rc == 0 && getline(&buf, &cap, f) > 0) {
        rc = sup_maps_parse_line(buf, l);
        if (rc == 0)
            rc = fn(arg, l);
    }
    free(buf);
    free(l);
    fclose(f);
    return rc;
}

/**
 * sup_stat_brk_stack() - start_brk and start_stack of a process, from
 * /proc/PID/stat (fields 47 and 28).
 * @tid: a thread of the process.
 * @start_brk: set to the start of the brk heap.
 * @start_stack: set to the start (top) of the main thread's stack.
 *
 * Return: 0, or a negative errno.
 */
int sup_stat_brk_stack(pid_t tid, uint64_t *start_brk, uint64_t *start_stack)
{
    char path[64], buf[2048];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return -EINVAL;
    /* p + 2 is field 3 (state); fields are space separated from there. */
    p += 2;
    for (int field = 3; *p; field++) {
        uint64_t v = strtoull(p, NULL, 10);
        if (field == 28)
            *start_stack = v;
        if (field == 47) {
            *start_brk = v;
            return 0;
        }
        p = strchr(p, ' ');
        if (!p)
            break;
        p++;
    }
    return -EINVAL;
}

struct sup_exec_walk {
    struct sup_run *r;
    struct sup_task *t;
    uint64_t count;
};

/**
 * sup_maps_vma_event() - fill a TR_EV_VMA record's arguments from a maps line
 * @ev: the event (type, time and ids already set)
 * @l: the line
 */
void sup_maps_vma_event(struct tr_event *ev, const struct sup_maps_line *l)
{
    ev->a[0] = l->start;
    ev->a[1] = l->end;
    ev->a[2] = l->prot;
    ev->a[3] = l->shared ? MAP_SHARED : MAP_PRIVATE;
    ev->a[4] = l->off;
    ev->dev = l->dev;
    ev->ino = l->ino;
}

static int sup_emit_vma(void *arg, const struct sup_maps_line *l)
{
    struct sup_exec_walk *w = arg;
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_VMA, w->t);
    sup_maps_vma_event(&ev, l);
    sup_emit(w->r, &ev, l->name[0] ? l->name : NULL);
    sup_cache_vma(w->r, w->t, l);
    w->count++;
    return 0;
}

/* /proc/PID/maps could not be read at exec: without CAP_SYS_PTRACE, a
 * set-user-ID program or one mmsim's user may not read is not dumpable,
 * and the kernel hides its maps, exe link and page faults (perf) from us,
 * not its syscalls. Say so in the trace instead of recording an empty
 * address space as if it were one. */
static void sup_exec_unreadable(struct sup_run *r, struct sup_task *t, int err)
{
    char why[320];
    struct tr_event ev;
    snprintf(why, sizeof(why),
             "the address space at exec could not be read (/proc/%d/maps: "
             "%s; a set-user-ID or unreadable program, and mmsim lacks "
             "CAP_SYS_PTRACE): its initial mappings and page faults are "
             "missing, its memory syscalls are recorded",
             (int)t->tid, strerror(-err));
    sup_event_init(&ev, TR_EV_INCOMPLETE, t);
    sup_emit(r, &ev, why);
}

/**
 * sup_maps_emit_exec() - record the image @t's process has just exec'd:
 * TR_EV_EXEC (a[0] start_brk, a[1] start_stack, str the executable), its
 * VMAs (a file VMA's followed by its page cache, TR_EV_CACHED),
 * TR_EV_MAPS_END (a[0] the number of VMAs); if /proc could not be
 * read, TR_EV_INCOMPLETE with the reason.
 * @r: the recording.
 * @t: the task, at its PTRACE_EVENT_EXEC stop.
 *
 * Return: 0, or a negative errno if /proc could not be read.
 */
int sup_maps_emit_exec(struct sup_run *r, struct sup_task *t)
{
    char link[64], exe[4096];
    struct tr_event ev;
    uint64_t start_brk = 0, start_stack = 0;
    int rc = sup_stat_brk_stack(t->tid, &start_brk, &start_stack);
    if (rc < 0)
        return rc;
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)t->tid);
    ssize_t n = readlink(link, exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = 0;
    sup_event_init(&ev, TR_EV_EXEC, t);
    ev.a[0] = start_brk;
    ev.a[1] = start_stack;
    sup_emit(r, &ev, exe[0] ? exe : NULL);
    struct sup_exec_walk w = {r, t, 0};
    rc = sup_maps_read(t->tid, sup_emit_vma, &w);
    sup_event_init(&ev, TR_EV_MAPS_END, t);
    ev.a[0] = w.count;
    sup_emit(r, &ev, NULL);
    if (rc < 0)
        sup_exec_unreadable(r, t, rc);
    return rc;
}
