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
 *   - after each successful mmap of a file with PROT_EXEC (the dynamic
 *     loader mapping a library's text at dlopen): the run containing it.
 * The ELF build ID (NT_GNU_BUILD_ID) is read from the file once per
 * (device, inode) and cached; a file that cannot be opened, or whose
 * device and inode differ from the mapping's (replaced since), gets a
 * record without build ID.
 *
 * Not seen: mprotect adding PROT_EXEC to a file mapping made without it,
 * and objects mapped by the fast path (it never maps files).
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

struct sup_modules {
    struct sup_bid *bid;
    size_t nr, cap;
    uint64_t opened; /* files read for their build ID */
};

/* The run of maps lines being gathered. */
struct sup_mod_walk {
    struct sup_run *r;
    struct sup_task *t;
    uint64_t want;           /* emit only the run containing this; 0 = all */
    struct sup_maps_line cur; /* first line of the run; end = run end */
    int have, exec;
    uint64_t emitted;
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
        .t_ns = sup_now_ns(), .pid = (uint32_t)w->t->tgid,
        .base = l->start, .size = l->end - l->start, .offset = l->off,
    };
    struct sup_modules *m = sup_modules_get(r);
    const struct sup_bid *b = m ? sup_bid_get(m, l->name, l->dev, l->ino)
                                : NULL;
    if (b) {
        mod.build_id_len = b->len;
        memcpy(mod.build_id, b->id, b->len);
    }
    int rc = r->sink->module(r->sink->ctx, &mod, l->name);
    if (rc < 0 && r->error == 0)
        r->error = rc;
    w->emitted++;
}

static int sup_mod_line(void *arg, const struct sup_maps_line *l)
{
    struct sup_mod_walk *w = arg;
    int file = l->ino != 0 && l->name[0] == '/';
    if (w->have && file && l->dev == w->cur.dev && l->ino == w->cur.ino &&
        l->start >= w->cur.end) {
        w->cur.end = l->end; /* the run goes on */
        w->exec |= (l->prot & PROT_EXEC) != 0;
        return 0;
    }
    sup_mod_emit(w);
    w->have = file;
    w->exec = (l->prot & PROT_EXEC) != 0;
    if (file)
        w->cur = *l;
    return 0;
}

/**
 * sup_module_scan() - record the modules mapped in @t's process.
 * @r: the recording.
 * @t: a task of the process, stopped (or a fork child not yet running).
 * @addr: record only the module whose mappings contain @addr; 0: all.
 *
 * Return: the number of module records written, or a negative errno if
 * /proc/PID/maps could not be read.
 */
long sup_module_scan(struct sup_run *r, struct sup_task *t, uint64_t addr)
{
    if (!r->sink || !r->sink->module || !sup_modules_get(r))
        return 0;
    struct sup_mod_walk *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    *w = (struct sup_mod_walk){.r = r, .t = t, .want = addr};
    int rc = sup_maps_read(t->tid, sup_mod_line, w);
    sup_mod_emit(w);
    long n = rc < 0 ? rc : (long)w->emitted;
    free(w);
    return n;
}

/**
 * sup_module_sysexit() - after a traced syscall's exit stop: a successful
 * mmap of a file with PROT_EXEC (a library's text) adds its module.
 * @r: the recording.
 * @t: the task, at its syscall-exit stop (t->nr, t->args).
 * @ret: the syscall's result.
 */
void sup_module_sysexit(struct sup_run *r, struct sup_task *t, int64_t ret)
{
    if (t->nr != SYS_mmap || !(t->args[2] & PROT_EXEC) ||
        (t->args[3] & MAP_ANONYMOUS) || (ret < 0 && ret > -4096))
        return;
    sup_module_scan(r, t, (uint64_t)ret);
}
