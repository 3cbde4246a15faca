/*
 * sup_module.c - the module map: which ELF object is mapped where, so that
 * stack addresses can be symbolised offline (tools/symbolize.c, libdw).
 *
 * A module is a run of consecutive /proc/PID/maps lines backed by one file
 * (same device and inode) of which at least one is executable: base is the
 * start of the first line, size reaches the end of the last, offset is the
 * first line's file offset. Records are written
 *   - at each exec, for the new image (program, interpreter, vdso is not a
 *     file and has no record),
 *   - at each fork, for the child (a copy of the parent's map under the
 *     child's pid),
 *   - for a process that shares another's address space (a vfork child, or
 *     clone(CLONE_VM) without CLONE_THREAD, as posix_spawn makes) before its
 *     exec: a copy of the map under its own pid, at its first traced
 *     request (sup_module_sharing()), whose stack is unwound in its name;
 *   - after each successful mmap of a file with PROT_EXEC (the dynamic
 *     loader mapping a library's text at dlopen), and after each successful
 *     mprotect or pkey_mprotect adding PROT_EXEC (traced, or through the
 *     fast path: sup_module_fast()): the run containing the address, under
 *     every process sharing the address space.
 * Anonymous executable memory (a JIT's code) has no file, no build ID and
 * no record: its frames stay addresses. So that a JIT flipping its pages
 * between writable and executable does not read /proc/PID/maps at every
 * flip, the run found around such an mprotect (the anonymous mappings
 * next to each other, or the module just recorded) is remembered, a few
 * per recording, until the address space maps a file, moves a mapping or
 * is rescanned whole: an mprotect inside it has nothing new to record.
 * The ELF build ID (NT_GNU_BUILD_ID) is read from the file once per
 * (device, inode) and cached; a file that cannot be opened, or whose
 * device and inode differ from the mapping's (replaced since), gets a
 * record without build ID.
 *
 * Not seen: objects mapped by the fast path (it never maps files).
 */
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmsim/trace.h"
#include "sup.h"

/* One cached build ID. */
struct sup_bid {
    uint64_t dev, ino;
    uint32_t len;
    uint8_t id[TR_BUILD_ID_MAX];
};

#define SUP_MOD_SEEN 16
#define SUP_MOD_PIDS 8

/* The run an mprotect(PROT_EXEC) was found in (anonymous, or a module). */
struct sup_mod_seen {
    uint32_t mm; /* the address space: its owner's tgid (sup_mm.pid) */
    uint64_t start, end;
};

struct sup_modules {
    struct sup_bid *bid;
    size_t nr, cap;
    uint64_t opened; /* files read for their build ID */
    struct sup_mod_seen seen[SUP_MOD_SEEN];
    unsigned next_seen; /* the slot to reuse next */
};

/* The run of maps lines being gathered. */
struct sup_mod_walk {
    struct sup_run *r;
    struct sup_task *t;
    uint64_t want;           /* emit only the run containing this; 0 = all */
    struct sup_maps_line cur; /* first line of the run; end = run end */
    uint64_t off_end;        /* file offset at the end of its last line */
    int have, exec;
    uint64_t emitted;
    uint32_t pids[SUP_MOD_PIDS]; /* the processes each record is for */
    int nr_pids;
    uint64_t anon_start, anon_end; /* the anonymous run so far */
    int want_anon;           /* @want lies in an anonymous mapping */
    uint64_t mod_start, mod_end; /* the module recorded for @want */
};

/**
 * sup_modules_free() - free the module state of a recording.
 * @m: from sup_modules_get(), or NULL.
 */
void sup_modules_free(struct sup_modules *m)
{
    if (!m)
        return;
    free(m->bid);
    free(m);
}

static struct sup_modules *sup_modules_get(struct sup_run *r)
{
    if (!r->mods) {
        r->mods = calloc(1, sizeof(*r->mods));
        elf_version(EV_CURRENT);
    }
    return r->mods;
}

/* Read the build ID of @path if it is the file (@dev, @ino). */
static void sup_bid_read(const char *path, struct sup_bid *b)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == b->dev &&
        st.st_ino == b->ino) {
        Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
        const void *bits = NULL;
        ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &bits) : -1;
        if (n > 0 && (size_t)n <= TR_BUILD_ID_MAX) {
            memcpy(b->id, bits, (size_t)n);
            b->len = (uint32_t)n;
        }
        if (elf)
            elf_end(elf);
    }
    close(fd);
}

/* The cached build ID of (@dev, @ino), read from @path the first time. */
static const struct sup_bid *sup_bid_get(struct sup_modules *m,
                                         const char *path, uint64_t dev,
                                         uint64_t ino)
{
    for (size_t i = 0; i < m->nr; i++)
        if (m->bid[i].dev == dev && m->bid[i].ino == ino)
            return &m->bid[i];
    if (m->nr == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        struct sup_bid *tab = realloc(m->bid, cap * sizeof(*tab));
        if (!tab)
            return NULL;
        m->bid = tab;
        m->cap = cap;
    }
    struct sup_bid *b = &m->bid[m->nr++];
    memset(b, 0, sizeof(*b));
    b->dev = dev;
    b->ino = ino;
    m->opened++;
    sup_bid_read(path, b);
    return b;
}

static void sup_mod_emit(struct sup_mod_walk *w)
{
    struct sup_run *r = w->r;
    const struct sup_maps_line *l = &w->cur;
    if (!w->have || !w->exec || !r->sink || !r->sink->module)
        return;
    if (w->want && (w->want < l->start || w->want >= l->end))
        return;
    struct tr_module mod = {
        .t_ns = sup_now_ns(),
        .base = l->start, .size = l->end - l->start, .offset = l->off,
    };
    struct sup_modules *m = sup_modules_get(r);
    const struct sup_bid *b = m ? sup_bid_get(m, l->name, l->dev, l->ino)
                                : NULL;
    if (b) {
        mod.build_id_len = b->len;
        memcpy(mod.build_id, b->id, b->len);
    }
    w->mod_start = l->start;
    w->mod_end = l->end;
    for (int i = 0; i < w->nr_pids; i++) {
        mod.pid = w->pids[i];
        int rc = r->sink->module(r->sink->ctx, &mod, l->name);
        if (rc < 0 && r->error == 0)
            r->error = rc;
    }
    w->emitted++;
}

/* Follow the run of contiguous non-file lines that holds @w->want. */
static void sup_mod_anon_line(struct sup_mod_walk *w,
                              const struct sup_maps_line *l, int file)
{
    if (!w->want || w->want_anon == 2)
        return;
    int joins = !file && w->anon_end && l->start == w->anon_end;
    if (!joins && w->want_anon) {
        w->want_anon = 2; /* the run holding @want ended */
        return;
    }
    if (file) {
        w->anon_end = 0;
        return;
    }
    if (!joins)
        w->anon_start = l->start;
    w->anon_end = l->end;
    if (w->want >= l->start && w->want < l->end)
        w->want_anon = 1;
}

static int sup_mod_line(void *arg, const struct sup_maps_line *l)
{
    struct sup_mod_walk *w = arg;
    int file = l->ino != 0 && l->name[0] == '/';
    sup_mod_anon_line(w, l, file);
    /* An ELF image's segments go up in the file (two may share a page); a
     * line going back further is another mapping of the file (a copy read
     * or mapped next to the loaded one), which starts a run of its own. */
    if (w->have && file && l->dev == w->cur.dev && l->ino == w->cur.ino &&
        l->start >= w->cur.end && l->off + 4096 >= w->off_end) {
        w->cur.end = l->end; /* the run goes on */
        w->off_end = l->off + (l->end - l->start);
        w->exec |= (l->prot & PROT_EXEC) != 0;
        return 0;
    }
    sup_mod_emit(w);
    w->have = file;
    w->exec = (l->prot & PROT_EXEC) != 0;
    if (file) {
        w->cur = *l;
        w->off_end = l->off + (l->end - l->start);
    }
    return 0;
}

/* The address space of @t, as the cache of runs seen names it. */
static uint32_t sup_mod_mm(const struct sup_task *t)
{
    return t->mm ? t->mm->pid : (uint32_t)t->tgid;
}

/* Forget the runs seen in address space @mm: it changed. */
static void sup_mod_seen_forget(struct sup_modules *m, uint32_t mm)
{
    for (int i = 0; i < SUP_MOD_SEEN; i++)
        if (m->seen[i].mm == mm)
            m->seen[i] = (struct sup_mod_seen){0};
}

/* Whether [@a, @b) of @mm lies in a run seen before. */
static int sup_mod_seen_has(const struct sup_modules *m, uint32_t mm,
                            uint64_t a, uint64_t b)
{
    for (int i = 0; i < SUP_MOD_SEEN; i++)
        if (m->seen[i].mm == mm && a >= m->seen[i].start &&
            b <= m->seen[i].end)
            return 1;
    return 0;
}

/* Remember the run @w found around its address, if any. */
static void sup_mod_seen_add(struct sup_modules *m, const struct sup_mod_walk *w)
{
    uint64_t a = w->emitted ? w->mod_start : w->anon_start;
    uint64_t b = w->emitted ? w->mod_end : w->anon_end;
    if (!w->emitted && !w->want_anon)
        return;
    m->seen[m->next_seen] = (struct sup_mod_seen){
        .mm = sup_mod_mm(w->t), .start = a, .end = b};
    m->next_seen = (m->next_seen + 1) % SUP_MOD_SEEN;
}

/* @w->pids: @t's process, and with @all every other process sharing its
 * address space (the kernel's mm_struct: a vfork child, a CLONE_VM one). */
static void sup_mod_pids(struct sup_mod_walk *w, int all)
{
    const struct sup_task *t = w->t;
    w->pids[w->nr_pids++] = (uint32_t)t->tgid;
    if (!all || !t->mm || t->mm->refs < 2)
        return;
    const struct sup_tasks *ts = &w->r->tasks;
    for (size_t b = 0; b < sizeof(ts->bucket) / sizeof(ts->bucket[0]); b++)
        for (const struct sup_task *o = ts->bucket[b]; o; o = o->hnext) {
            int seen = o->mm != t->mm || w->nr_pids == SUP_MOD_PIDS;
            for (int i = 0; i < w->nr_pids && !seen; i++)
                seen = w->pids[i] == (uint32_t)o->tgid;
            if (!seen)
                w->pids[w->nr_pids++] = (uint32_t)o->tgid;
        }
}

/**
 * sup_module_scan() - record the modules mapped in @t's process.
 * @r: the recording.
 * @t: a task of the process, stopped (or a fork child not yet running).
 * @addr: record only the module whose mappings contain @addr, for every
 *        process sharing the address space; 0: all, for @t's process only.
 *
 * Return: the number of module records written, or a negative errno if
 * /proc/PID/maps could not be read.
 */
long sup_module_scan(struct sup_run *r, struct sup_task *t, uint64_t addr)
{
    struct sup_modules *m = r->sink && r->sink->module ? sup_modules_get(r)
                                                       : NULL;
    if (!m)
        return 0;
    struct sup_mod_walk *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    *w = (struct sup_mod_walk){.r = r, .t = t, .want = addr};
    sup_mod_pids(w, addr != 0);
    if (!addr)
        sup_mod_seen_forget(m, sup_mod_mm(t));
    int rc = sup_maps_read(t->tid, sup_mod_line, w);
    sup_mod_emit(w);
    if (rc >= 0 && addr)
        sup_mod_seen_add(m, w);
    long n = rc < 0 ? rc : (long)w->emitted;
    free(w);
    return n;
}

/* [@addr, @addr + @len) of @t's process was made executable. */
static void sup_mod_protect(struct sup_run *r, struct sup_task *t,
                            uint64_t addr, uint64_t len)
{
    struct sup_modules *m = r->sink && r->sink->module ? sup_modules_get(r)
                                                       : NULL;
    if (m && len && !sup_mod_seen_has(m, sup_mod_mm(t), addr, addr + len))
        sup_module_scan(r, t, addr);
}

/**
 * sup_module_sysexit() - after a traced syscall's exit stop: a successful
 * mmap of a file with PROT_EXEC (a library's text), or mprotect or
 * pkey_mprotect adding PROT_EXEC, adds its module; a file mapped or a
 * mapping moved forgets the runs seen in the address space.
 * @r: the recording.
 * @t: the task, at its syscall-exit stop (t->nr, t->args).
 * @ret: the syscall's result.
 */
void sup_module_sysexit(struct sup_run *r, struct sup_task *t, int64_t ret)
{
    if (ret < 0 && ret > -4096)
        return;
    int file_map = t->nr == SYS_mmap && !(t->args[3] & MAP_ANONYMOUS);
    if ((file_map || t->nr == SYS_mremap || t->nr == SYS_shmat) && r->mods)
        sup_mod_seen_forget(r->mods, sup_mod_mm(t));
    if (file_map && (t->args[2] & PROT_EXEC))
        sup_module_scan(r, t, (uint64_t)ret);
    else if ((t->nr == SYS_mprotect || t->nr == SYS_pkey_mprotect) &&
             (t->args[2] & PROT_EXEC))
        sup_mod_protect(r, t, t->args[0], t->args[1]);
}

/**
 * sup_module_fast() - the same for a record of the fast path (glibc's
 * mprotect and mremap; it maps no files), as it is drained: the process
 * has run on since, so a mapping it removed meanwhile is not seen.
 * @r: the recording.
 * @ev: the event, as emitted.
 */
void sup_module_fast(struct sup_run *r, const struct tr_event *ev)
{
    int prot = ev->type == TR_EV_MPROTECT || ev->type == TR_EV_PKEY_MPROTECT;
    if ((!prot || !(ev->a[2] & PROT_EXEC)) && ev->type != TR_EV_MREMAP)
        return;
    struct sup_task *t = sup_task_find(&r->tasks, (pid_t)ev->tid);
    if (!t || (ev->ret < 0 && ev->ret > -4096))
        return;
    if (ev->type == TR_EV_MREMAP && r->mods)
        sup_mod_seen_forget(r->mods, sup_mod_mm(t));
    else if (prot)
        sup_mod_protect(r, t, ev->a[0], ev->a[1]);
}

/**
 * sup_module_sharing() - before a traced request of a process that shares
 * another's address space (a vfork or CLONE_VM child before its exec) is
 * recorded: the first time, a copy of the module map under its own pid, so
 * that the stack of the request (unwound in its name) can be symbolised.
 * @r: the recording.
 * @t: the task, at its syscall-exit stop.
 */
void sup_module_sharing(struct sup_run *r, struct sup_task *t)
{
    if (!t->mm || t->mm->pid == (uint32_t)t->tgid || t->modules_copied)
        return;
    t->modules_copied = 1;
    sup_module_scan(r, t, 0);
}
