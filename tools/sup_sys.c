/*
 * sup_sys.c - a traced syscall's arguments and result become an event.
 *
 * Called at the syscall-exit stop, while the task is stopped and its address
 * space is owned by it (sup_mm.c), so nothing else can change the mapping
 * or, in practice, close the fd of a file mmap before it is looked up.
 * Arguments are as the syscall received them; a[] layouts are in event.h.
 * Also here: the process attributes recorded at exec and exit (credentials,
 * rlimits, oom_score_adj).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sup.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif

struct sup_sysmap {
    long nr;
    uint32_t type;
    int nargs;
};

static const struct sup_sysmap sup_sysmap[] = {
    {SYS_mmap, TR_EV_MMAP, 6},          {SYS_munmap, TR_EV_MUNMAP, 2},
    {SYS_mremap, TR_EV_MREMAP, 5},      {SYS_brk, TR_EV_BRK, 1},
    {SYS_mprotect, TR_EV_MPROTECT, 3},  {SYS_madvise, TR_EV_MADVISE, 3},
    {SYS_shmat, TR_EV_SHMAT, 3},        {SYS_shmdt, TR_EV_SHMDT, 1},
    {SYS_mlock, TR_EV_MLOCK, 2},        {SYS_munlock, TR_EV_MUNLOCK, 2},
    {SYS_mlockall, TR_EV_MLOCKALL, 1},  {SYS_munlockall, TR_EV_MUNLOCKALL, 0},
    {SYS_pkey_mprotect, TR_EV_PKEY_MPROTECT, 4},
    {SYS_remap_file_pages, TR_EV_REMAP_FILE_PAGES, 5},
    {SYS_mlock2, TR_EV_MLOCK, 3},       {462 /* mseal */, TR_EV_MSEAL, 3},
    {453 /* map_shadow_stack */, TR_EV_MAP_SHADOW_STACK, 3},
    {SYS_shmget, TR_EV_SHMGET, 3},      {SYS_set_mempolicy, TR_EV_SET_MEMPOLICY, 3},
    {SYS_mbind, TR_EV_MBIND, 6},        {SYS_migrate_pages, TR_EV_MIGRATE_PAGES, 4},
};

static int sup_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
    struct iovec local = {buf, len}, remote = {(void *)addr, len};
    return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len
               ? 0
               : -1;
}

static int sup_is_err(int64_t ret)
{
    return ret < 0 && ret >= -4095;
}

/* The file behind fd @fd of @tid: path in @path, dev/ino in @ev. */
static void sup_fd_file(pid_t tid, uint64_t fd, struct tr_event *ev,
                        char *path, size_t size)
{
    char link[64];
    struct stat st;
    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, (int)fd);
    ssize_t n = readlink(link, path, size - 1);
    path[n > 0 ? n : 0] = 0;
    if (stat(link, &st) == 0) {
        ev->dev = st.st_dev;
        ev->ino = st.st_ino;
    }
}

static void sup_sys_shmat(struct sup_task *t, struct tr_event *ev, char *path,
                          size_t size)
{
    struct shmid_ds ds;
    (void)t;
    if (shmctl((int)ev->a[0], IPC_STAT, &ds) == 0) {
        ev->a[3] = ds.shm_segsz;
        snprintf(path, size, "/SYSV%08x (deleted)", (unsigned)ds.shm_perm.__key);
    }
    ev->ino = ev->a[0]; /* the kernel numbers a segment's inode by its id */
}

/* set_mempolicy / mbind / migrate_pages: record the first 64 nodes of each
 * node mask instead of its address. */
static void sup_sys_nodemasks(struct sup_task *t, struct tr_event *ev)
{
    uint64_t mask = 0;
    if (ev->type == TR_EV_SET_MEMPOLICY && ev->a[1] &&
        sup_read_mem(t->tid, ev->a[1], &mask, 8) == 0)
        ev->a[1] = mask;
    if (ev->type == TR_EV_MBIND && ev->a[3] &&
        sup_read_mem(t->tid, ev->a[3], &mask, 8) == 0)
        ev->a[3] = mask;
    for (int i = 2; ev->type == TR_EV_MIGRATE_PAGES && i < 4; i++)
        if (ev->a[i] && sup_read_mem(t->tid, ev->a[i], &mask, 8) == 0)
            ev->a[i] = mask;
}

static void sup_sys_prctl(struct sup_run *r, struct sup_task *t, int64_t ret)
{
    struct tr_event ev;
    char name[96] = "";
    if (t->args[0] != PR_SET_VMA || ret != 0)
        return;
    sup_event_init(&ev, TR_EV_PRCTL, t);
    for (int i = 0; i < 5; i++)
        ev.a[i] = t->args[i];
    ev.ret = ret;
    if (t->args[4] && sup_read_mem(t->tid, t->args[4], name, 80) < 0)
        name[0] = 0;
    name[80] = 0;
    sup_emit(r, &ev, t->args[4] ? name : NULL);
}

static void sup_sys_process_madvise(struct sup_run *r, struct sup_task *t,
                                    int64_t ret);

/**
 * sup_sys_exit() - emit the event of @t's traced syscall, which returned
 * @ret.
 * @r: the recording.
 * @t: the task at its syscall-exit stop (t->nr, t->args from its entry).
 * @ret: the syscall's return value (negative errno on failure).
 */
void sup_sys_exit(struct sup_run *r, struct sup_task *t, int64_t ret)
{
    char path[4096] = "";
    struct tr_event ev;
    if (t->nr == SYS_prctl)
        return sup_sys_prctl(r, t, ret);
    if (t->nr == SYS_process_madvise)
        return sup_sys_process_madvise(r, t, ret);
    const struct sup_sysmap *m = NULL;
    for (size_t i = 0; i < sizeof(sup_sysmap) / sizeof(sup_sysmap[0]); i++)
        if (sup_sysmap[i].nr == (long)t->nr)
            m = &sup_sysmap[i];
    if (!m)
        return;
    sup_event_init(&ev, m->type, t);
    for (int i = 0; i < m->nargs; i++)
        ev.a[i] = t->args[i];
    ev.ret = ret;
    if (m->type == TR_EV_MMAP && !(ev.a[3] & MAP_ANONYMOUS) && !sup_is_err(ret))
        sup_fd_file(t->tid, ev.a[4], &ev, path, sizeof(path));
    if (m->type == TR_EV_SHMAT && !sup_is_err(ret))
        sup_sys_shmat(t, &ev, path, sizeof(path));
    sup_sys_nodemasks(t, &ev);
    sup_emit(r, &ev, path[0] ? path : NULL);
    if (m->type == TR_EV_MMAP && (ev.dev || ev.ino))
        sup_cache_mmap(r, t, (uint64_t)ret, ev.a[1], ev.a[4], ev.a[5]);
}

/* process_madvise(pidfd, iov, vlen, advice, flags): one event per range,
 * a[0] the target pid, a[1] addr, a[2] len, a[3] advice. */
static void sup_sys_process_madvise(struct sup_run *r, struct sup_task *t,
                                    int64_t ret)
{
    char path[96], line[128];
    long target = 0;
    snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)t->tid,
             (int)t->args[0]);
    FILE *f = fopen(path, "re");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "Pid: %ld", &target) == 1)
            break;
    if (f)
        fclose(f);
    size_t n = t->args[2] < 64 ? t->args[2] : 64;
    struct iovec iov[64];
    if (sup_read_mem(t->tid, t->args[1], iov, n * sizeof(iov[0])) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        struct tr_event ev;
        sup_event_init(&ev, TR_EV_PROCESS_MADVISE, t);
        ev.a[0] = (uint64_t)target;
        ev.a[1] = (uint64_t)iov[i].iov_base;
        ev.a[2] = iov[i].iov_len;
        ev.a[3] = t->args[3];
        ev.ret = ret;
        sup_emit(r, &ev, NULL);
    }
}

static void sup_emit_cred(struct sup_run *r, struct sup_task *t)
{
    char path[64], line[256];
    unsigned long uid = 0, euid = 0;
    unsigned long long cap = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        sscanf(line, "Uid: %lu %lu", &uid, &euid);
        sscanf(line, "CapEff: %llx", &cap);
    }
    fclose(f);
    struct tr_event ev;
    sup_event_init(&ev, TR_EV_CRED, t);
    ev.a[0] = euid;
    ev.a[1] = ((cap >> 21) & 1 ? TR_CRED_CAP_SYS_ADMIN : 0) |
              ((cap >> 24) & 1 ? TR_CRED_CAP_SYS_RESOURCE : 0);
    sup_emit(r, &ev, NULL);
}

/**
 * sup_proc_attrs() - record the attributes of @t's process the model needs:
 * credentials (TR_EV_CRED: effective uid, CAP_SYS_ADMIN/CAP_SYS_RESOURCE
 * from CapEff), RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK (TR_EV_RLIMIT), and
 * oom_score_adj when it changed (sup_oomadj.c). Called at exec and at the
 * address space's exit.
 * @r: the recording.
 * @t: the task, stopped.
 */
void sup_proc_attrs(struct sup_run *r, struct sup_task *t)
{
    static const int res[] = {RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK};
    struct tr_event ev;
    sup_emit_cred(r, t);
    for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
        struct rlimit rl;
        if (prlimit(t->tid, (enum __rlimit_resource)res[i], NULL, &rl) < 0)
            continue;
        sup_event_init(&ev, TR_EV_RLIMIT, t);
        ev.a[0] = (uint64_t)res[i];
        ev.a[1] = rl.rlim_cur;
        ev.a[2] = rl.rlim_max;
        sup_emit(r, &ev, NULL);
    }
    sup_oomadj_poll(r, t);
}
