/*
 * The shim's own memory: a lock-free bump allocator over mmap-backed
 * chunks named "[anon:mmsim]" (prctl PR_SET_VMA_ANON_NAME, Linux 5.17+), so
 * the shim never calls the program's malloc and its memory is recognisable
 * in /proc/PID/maps and in the trace. Kernels built without
 * CONFIG_ANON_VMA_NAME refuse the name (EINVAL); there the shim maps a
 * private copy of an empty memfd named "mmsim" instead, which /proc/PID/maps
 * shows as "/memfd:mmsim (deleted)": still private, copy-on-write over
 * fork, and recognisable (pre_arena_map()).
 *
 * Memory is never returned: the shim allocates only long-lived tables
 * (stack interning). Allocation is async-signal-safe: the bump pointer is
 * advanced with a CAS, and a new chunk is installed with a CAS (a loser
 * unmaps its chunk). Fork children inherit the chunks copy-on-write.
 */
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pre_internal.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define CHUNK_SIZE (1u << 20)

struct chunk {
    _Atomic uintptr_t next; /* next free byte */
    uintptr_t end;
};

static _Atomic(struct chunk *) cur;

static int name_anon(void *addr, size_t len)
{
    return prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)addr,
                 (unsigned long)len, (unsigned long)"mmsim");
}

static void *map_memfd(void *addr, size_t len, int prot, int flags)
{
    int fd = (int)syscall(SYS_memfd_create, "mmsim", MFD_CLOEXEC);
    void *p;

    if (fd < 0)
        return MAP_FAILED;
    if (ftruncate(fd, (off_t)len) != 0) {
        close(fd);
        return MAP_FAILED;
    }
    p = mmap(addr, len, prot, (flags & ~MAP_ANONYMOUS) | MAP_PRIVATE, fd, 0);
    close(fd);
    return p;
}

/**
 * pre_arena_map() - map memory for the shim, recognisable as the shim's.
 * @addr: address hint (with MAP_FIXED_NOREPLACE in @flags: required).
 * @len: length.
 * @prot: protection.
 * @flags: extra mmap flags (MAP_FIXED_NOREPLACE or 0).
 *
 * Anonymous and named "[anon:mmsim]" where the kernel supports naming,
 * otherwise a private mapping of a memfd named "mmsim".
 *
 * Return: the mapping, or MAP_FAILED.
 */
void *pre_arena_map(void *addr, size_t len, int prot, int flags)
{
    static _Atomic int no_names;
    void *p;

    if (!atomic_load_explicit(&no_names, memory_order_relaxed)) {
        p = mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
        if (p == MAP_FAILED || name_anon(p, len) == 0)
            return p;
        munmap(p, len);
        atomic_store_explicit(&no_names, 1, memory_order_relaxed);
    }
    return map_memfd(addr, len, prot, flags);
}

/**
 * pre_arena_rename() - give a fresh private anonymous mapping the shim's name.
 * @addr: the mapping (nothing in it is used yet).
 * @len: its length.
 * @prot: its protection.
 *
 * Where names are unsupported the range is replaced, in place, by a private
 * mapping of the "mmsim" memfd (same contents: zero).
 */
void pre_arena_rename(void *addr, size_t len, int prot)
{
    if (name_anon(addr, len) == 0)
        return;
    map_memfd(addr, len, prot, MAP_FIXED);
}

static struct chunk *new_chunk(size_t need)
{
    size_t len = CHUNK_SIZE;
    struct chunk *c;

    while (len < need + sizeof(struct chunk) + 64)
        len *= 2;
    c = pre_arena_map(NULL, len, PROT_READ | PROT_WRITE, 0);
    if (c == MAP_FAILED)
        return NULL;
    c->end = (uintptr_t)c + len;
    atomic_store(&c->next, ((uintptr_t)(c + 1) + 63) & ~(uintptr_t)63);
    return c;
}

static void *bump(struct chunk *c, size_t size)
{
    uintptr_t p = atomic_load_explicit(&c->next, memory_order_relaxed);

    for (;;) {
        uintptr_t q = (p + size + 15) & ~(uintptr_t)15;

        if (q > c->end)
            return NULL;
        if (atomic_compare_exchange_weak_explicit(&c->next, &p, q,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
            return (void *)p;
    }
}

/**
 * pre_arena_alloc() - zeroed memory for the shim's own use.
 * @size: bytes wanted.
 *
 * Return: 16-byte aligned zeroed memory, or NULL if mmap failed.
 */
void *pre_arena_alloc(size_t size)
{
    for (;;) {
        struct chunk *c = atomic_load_explicit(&cur, memory_order_acquire);
        struct chunk *n;
        void *p;

        if (c != NULL && (p = bump(c, size)) != NULL)
            return p;
        n = new_chunk(size);
        if (n == NULL)
            return NULL;
        if (!atomic_compare_exchange_strong(&cur, &c, n))
            munmap(n, n->end - (uintptr_t)n);
    }
}
