/*
 * sup_cache.c - what the recording machine's page cache held of each file
 * a process maps, as the mapping is made (TR_EV_CACHED).
 *
 * Fault-around (mm/memory.c do_fault_around(), filemap_map_pages()) maps
 * only the pages already in the page cache, so how much of a file mapping
 * becomes resident depends on the machine's cache, which nothing else in
 * the trace says. A replay on the recording machine (the fidelity check)
 * starts each file's cache from these events.
 *
 * Asked with cachestat(2) (Linux 6.5) on the file behind the mapping, by
 * halving a range until each part is cached whole or not at all: one call
 * for a file cached whole, a few for one with holes. Runs of cached pages
 * are recorded with TR_CACHE_PRESENT; a file that cannot be opened or that
 * cachestat refuses (since Linux 6.14 it wants a file the caller could
 * write, or privilege) with TR_CACHE_UNKNOWN, which the replay takes as
 * cached, as it did before this was recorded. Without cachestat nothing
 * is recorded and the replay keeps its assumption of a warm cache.
 * Pages beyond the end of the file are never cached (a fault there is
 * SIGBUS).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sup.h"

#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif

struct sup_cs_range {
    uint64_t off, len;
};

struct sup_cs {
    uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
        nr_recently_evicted;
};

/* One run of pages being gathered, emitted when the state changes. */
struct sup_cache_walk {
    struct sup_run *r;
    struct sup_task *t;
    int fd;
    uint64_t addr;     /* the mapping's address of file page @pgoff */
    uint64_t pgoff;
    uint64_t run_start; /* file page of the pending run */
    uint64_t run_len;
    unsigned run_state;
};

static void sup_cache_flush(struct sup_cache_walk *w)
{
    if (w->run_len && w->run_state) {
        struct tr_event ev;
        sup_event_init(&ev, TR_EV_CACHED, w->t);
        ev.a[0] = w->addr + ((w->run_start - w->pgoff) << 12);
        ev.a[1] = w->run_len;
        ev.a[2] = w->run_state;
        sup_emit(w->r, &ev, NULL);
    }
    w->run_len = 0;
}

static void sup_cache_add(struct sup_cache_walk *w, uint64_t page,
                          uint64_t n, unsigned state)
{
    if (w->run_len && (w->run_state != state ||
                       w->run_start + w->run_len != page))
        sup_cache_flush(w);
    if (!w->run_len) {
        w->run_start = page;
        w->run_state = state;
    }
    w->run_len += n;
}

/* Pages [@page, @page + @n) of the file: whole runs, or halves. */
static int sup_cache_split(struct sup_cache_walk *w, uint64_t page,
                           uint64_t n)
{
    struct sup_cs_range range = {page << 12, n << 12};
    struct sup_cs cs;
    if (syscall(SYS_cachestat, w->fd, &range, &cs, 0) < 0)
        return -errno;
    if (cs.nr_cache == 0 || cs.nr_cache >= n) {
        sup_cache_add(w, page, n, cs.nr_cache ? TR_CACHE_PRESENT : 0);
        return 0;
    }
    int rc = sup_cache_split(w, page, n / 2);
    return rc ? rc : sup_cache_split(w, page + n / 2, n - n / 2);
}

/* Record the cache of file @fd (-1: could not be opened) mapped at
 * [@start, @end) from byte offset @off. */
static void sup_cache_file(struct sup_run *r, struct sup_task *t, int fd,
                           uint64_t start, uint64_t end, uint64_t off)
{
    struct sup_cache_walk w = {.r = r, .t = t, .fd = fd, .addr = start,
                               .pgoff = off >> 12};
    uint64_t pages = (end - start) >> 12, in_file = 0;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size > off)
        in_file = ((uint64_t)st.st_size - off + 4095) >> 12;
    in_file = in_file < pages ? in_file : pages;
    int rc = fd < 0 ? -EBADF : in_file ? sup_cache_split(&w, w.pgoff, in_file)
                                       : 0;
    if (rc == -ENOSYS) {
        r->no_cachestat = 1;
        return;
    }
    if (rc < 0) {
        w.run_len = 0;
        sup_cache_add(&w, w.pgoff, pages, TR_CACHE_UNKNOWN);
    }
    sup_cache_flush(&w);
}

/**
 * sup_cache_mmap() - record the cache of the file a successful mmap has
 * just mapped through descriptor @fd of @t.
 * @r: the recording.
 * @t: the task at its syscall-exit stop.
 * @addr: the mapping's address (the syscall's result).
 * @len: its length.
 * @fd: the descriptor given to mmap.
 * @off: the file offset given to mmap.
 */
void sup_cache_mmap(struct sup_run *r, struct sup_task *t, uint64_t addr,
                    uint64_t len, uint64_t fd, uint64_t off)
{
    char path[64];
    if (r->no_cachestat || !len)
        return;
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->tid, (int)fd);
    int file = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    sup_cache_file(r, t, file, addr, addr + ((len + 4095) & ~4095ull), off);
    if (file >= 0)
        close(file);
}

/**
 * sup_cache_vma() - record the cache of the file behind one VMA of the
 * image @t has just exec'd (after its VMA record).
 * @r: the recording.
 * @t: the task at its PTRACE_EVENT_EXEC stop.
 * @l: the VMA's maps line (anything but a file mapping is left alone).
 */
void sup_cache_vma(struct sup_run *r, struct sup_task *t,
                   const struct sup_maps_line *l)
{
    char path[96];
    if (!l->ino || l->name[0] != '/' || r->no_cachestat)
        return;
    snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)t->tid,
             (unsigned long long)l->start, (unsigned long long)l->end);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 && !strstr(l->name, " (deleted)"))
        fd = open(l->name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0 && (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != l->dev ||
                    (uint64_t)st.st_ino != l->ino)) {
        close(fd); /* the path names another file now */
        fd = -1;
    }
    sup_cache_file(r, t, fd, l->start, l->end, l->off);
    if (fd >= 0)
        close(fd);
}
