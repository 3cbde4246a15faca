/*
 * The shim's own memory: a lock-free bump allocator over mmap-backed
 * chunks named "[anon:mmsim]" (prctl PR_SET_VMA_ANON_NAME, Linux 5.17+), so
 * the shim never calls the program's malloc and its memory is recognisable
 * in /proc/PID/maps and in the trace.
 *
 * Memory is never returned: the shim allocates only long-lived tables
 * (stack interning). Allocation is async-signal-safe: the bump pointer is
 * advanced with a CAS, and a new chunk is installed with a CAS (a loser
 * unmaps its chunk). Fork children inherit the chunks copy-on-write.
 */
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>

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

/**
 * pre_arena_name() - name an anonymous mapping "[anon:mmsim]".
 * @addr: start of the mapping.
 * @len: its length.
 *
 * Return: 0, or -1 if the kernel does not support naming (the mapping is
 * then left unnamed).
 */
int pre_arena_name(void *addr, size_t len)
{
    return prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)addr,
                 (unsigned long)len, (unsigned long)"mmsim");
}

static struct chunk *new_chunk(size_t need)
{
    size_t len = CHUNK_SIZE;
    struct chunk *c;

    while (len < need + sizeof(struct chunk) + 64)
        len *= 2;
    c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (c == MAP_FAILED)
        return NULL;
    pre_arena_name(c, len);
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
