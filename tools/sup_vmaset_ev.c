/*
 * sup_vmaset_ev.c - apply one captured event to a VMA tracker.
 *
 * Only events that change what /proc/PID/maps shows (or what a later fork
 * copies) do anything; failed syscalls change nothing except mprotect that
 * stopped at a hole. Events the tracker cannot model (remap_file_pages,
 * map_shadow_stack, PROT_GROWSDOWN) mark the set uncertain, so the verifier
 * never claims EXACT by luck.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "sup.h"

#define SUP_PAGE 4096ull
#define PAGE_UP(x) (((x) + SUP_PAGE - 1) & ~(SUP_PAGE - 1))

static int sup_failed(const struct tr_event *ev)
{
    return ev->ret < 0 && ev->ret >= -4095;
}

static int sup_apply_mmap(struct sup_vmaset *s, const struct tr_event *ev,
                          const char *str)
{
    uint64_t type = ev->a[3] & 0xf; /* MAP_TYPE */
    struct sup_vma v = {
        .start = (uint64_t)ev->ret,
        .end = (uint64_t)ev->ret + PAGE_UP(ev->a[1]),
        .prot = (uint32_t)ev->a[2] & (PROT_READ | PROT_WRITE | PROT_EXEC),
        .shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE,
    };
    /* A private /dev/zero mapping keeps its file in maps (6.18); a shared
     * one becomes shmem, shown as "/dev/zero (deleted)". */
    int dev_zero = v.shared && str && strcmp(str, "/dev/zero") == 0;
    if (ev->a[3] & MAP_HUGETLB)
        s->uncertain = 1;
    if (((ev->a[3] & MAP_ANONYMOUS) && v.shared) || dev_zero) {
        v.kind = SUP_VMA_SHMEM; /* kernel: shmem_zero_setup() */
        v.name = (char *)"/dev/zero (deleted)";
    } else if (!(ev->a[3] & MAP_ANONYMOUS) && !dev_zero) {
        v.kind = SUP_VMA_FILE;
        v.name = (char *)(str ? str : "");
        v.off = ev->a[5];
        v.dev = ev->dev;
        v.ino = ev->ino;
    }
    return sup_vmaset_map(s, &v);
}

static int sup_apply_shm(struct sup_vmaset *s, const struct tr_event *ev,
                         const char *str)
{
    if (ev->type == TR_EV_SHMAT) {
        struct sup_vma v = {
            .start = (uint64_t)ev->ret,
            .end = (uint64_t)ev->ret + PAGE_UP(ev->a[3]),
            .prot = PROT_READ | ((ev->a[2] & SHM_RDONLY) ? 0 : PROT_WRITE) |
                    ((ev->a[2] & SHM_EXEC) ? PROT_EXEC : 0),
            .shared = 1, .kind = SUP_VMA_SHMEM, .ino = ev->ino,
            .name = (char *)(str ? str : ""),
        };
        return sup_vmaset_map(s, &v);
    }
    /* shmdt: the segment's VMAs from addr on (kernel: ipc/shm.c). */
    const struct sup_vma *v = sup_vmaset_find(s, ev->a[0]);
    if (!v || v->kind != SUP_VMA_SHMEM || v->start != ev->a[0])
        return 0;
    uint64_t ino = v->ino, end = v->end;
    for (v = sup_vmaset_find(s, end); v && v->ino == ino && v->start == end;
         v = sup_vmaset_find(s, end))
        end = v->end;
    return sup_vmaset_unmap(s, ev->a[0], end);
}

static int sup_apply_anon_name(struct sup_vmaset *s, const struct tr_event *ev,
                               const char *str)
{
    char name[128];
    if (ev->a[1] != 0 /* PR_SET_VMA_ANON_NAME */)
        return 0;
    uint64_t start = ev->a[2], end = start + PAGE_UP(ev->a[3]);
    snprintf(name, sizeof(name), "[anon:%s]", str ? str : "");
    for (uint64_t at = start; at < end;) {
        const struct sup_vma *v = sup_vmaset_find(s, at);
        if (!v)
            return 0;
        struct sup_vma n = *v;
        n.start = at;
        n.end = v->end < end ? v->end : end;
        at = n.end;
        if (n.kind != SUP_VMA_ANON)
            continue;
        n.name = str ? name : NULL;
        if (sup_vmaset_map(s, &n) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int sup_apply_madvise(struct sup_vmaset *s, const struct tr_event *ev)
{
    uint64_t start = ev->a[0], end = start + PAGE_UP(ev->a[1]);
    if (ev->a[2] == MADV_DONTFORK || ev->a[2] == MADV_DOFORK)
        return sup_vmaset_set_dontfork(s, start, end,
                                       ev->a[2] == MADV_DONTFORK);
    return 0;
}

static int sup_apply_protect(struct sup_vmaset *s, const struct tr_event *ev)
{
    uint64_t start = ev->a[0], end = start + PAGE_UP(ev->a[1]);
    uint32_t prot = (uint32_t)ev->a[2];
    if (prot & (PROT_GROWSDOWN | PROT_GROWSUP))
        s->uncertain = 1;
    prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
    if (ev->ret == 0)
        return sup_vmaset_protect(s, start, end, prot, 0);
    if (ev->ret == -ENOMEM)
        return sup_vmaset_protect(s, start, end, prot, 1);
    if (ev->ret != -EINVAL && ev->ret != -EFAULT)
        s->uncertain = 1; /* EACCES part-way: not modelled */
    return 0;
}

/**
 * sup_vmaset_apply() - apply one captured event of this address space.
 * @s: the set.
 * @ev: the event.
 * @str: the text of its string (a path, a name), or NULL.
 *
 * Return: 0, or -ENOMEM.
 */
int sup_vmaset_apply(struct sup_vmaset *s, const struct tr_event *ev,
                     const char *str)
{
    if (ev->type == TR_EV_MPROTECT || ev->type == TR_EV_PKEY_MPROTECT)
        return sup_apply_protect(s, ev);
    if (ev->type == TR_EV_BRK)
        return sup_vmaset_brk(s, (uint64_t)ev->ret);
    if (ev->type == TR_EV_PRCTL)
        return sup_apply_anon_name(s, ev, str);
    if (sup_failed(ev))
        return 0;
    switch (ev->type) {
    case TR_EV_MMAP:
        return sup_apply_mmap(s, ev, str);
    case TR_EV_MUNMAP:
        return sup_vmaset_unmap(s, ev->a[0], ev->a[0] + PAGE_UP(ev->a[1]));
    case TR_EV_MREMAP:
        if (sup_vmaset_mremap(s, ev->a, (uint64_t)ev->ret) == -ENOENT)
            s->uncertain = 1;
        return 0;
    case TR_EV_MADVISE:
        return sup_apply_madvise(s, ev);
    case TR_EV_SHMAT:
    case TR_EV_SHMDT:
        return sup_apply_shm(s, ev, str);
    case TR_EV_REMAP_FILE_PAGES:
    case TR_EV_MAP_SHADOW_STACK:
        s->uncertain = 1;
        return 0;
    default:
        return 0;
    }
}
