/*
 * The malloc-family interposers: malloc, free, calloc, realloc,
 * reallocarray, memalign, posix_memalign, aligned_alloc, valloc, pvalloc,
 * malloc_usable_size. C++ operator new/delete in libstdc++ call malloc and
 * free through the PLT, so they arrive here too (tests/preload checks it).
 *
 * Each entry point resolves the next definition lazily with
 * dlsym(RTLD_NEXT) (glibc's, or another preloaded allocator's), calls it
 * with pre_self.in_alloc raised (so kernel requests made inside are tagged
 * TR_F_IN_ALLOC by the fast path), then records the call with its result:
 * allocator events are emitted when the call returns (event.h). free is
 * recorded before the real free, so the address cannot be handed out again
 * before its free is in the ring.
 *
 * Bootstrap: dlsym itself calls calloc (and may free); while the real
 * functions are being resolved, requests are served from a small static
 * pool, and free ignores pointers into it.
 *
 * Reentrancy: pre_self.guard is raised while the shim does its own work.
 * An allocator call that finds it raised (a signal handler interrupting the
 * shim, or a library the shim calls) is passed straight through; if the
 * interruption happened during an allocator's bookkeeping it is counted as
 * TR_LOST_REENTRANT.
 */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pre_alloc.h"

PRE_HIDDEN struct pre_real_fns pre_real;
static _Atomic int resolved; /* 0 no, 1 in progress, 2 done */

/* Bootstrap pool for dlsym's own allocations. */
#define POOL_SIZE 16384
static alignas(64) unsigned char pool[POOL_SIZE];
static _Atomic size_t pool_used;

/**
 * pre_pool_alloc() - bootstrap memory while dlsym resolves the allocator.
 * @size: bytes.
 *
 * Return: zeroed static memory, or NULL when the pool is used up.
 */
void *pre_pool_alloc(size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    size_t off = atomic_fetch_add(&pool_used, need);

    return off + need <= POOL_SIZE ? pool + off : NULL;
}

/**
 * pre_in_pool() - is @p bootstrap pool memory?
 * @p: a pointer.
 *
 * Return: 1 if it is.
 */
int pre_in_pool(const void *p)
{
    return (const unsigned char *)p >= pool &&
           (const unsigned char *)p < pool + POOL_SIZE;
}

static void *next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static void resolve(void)
{
    int want = 0;

    if (!atomic_compare_exchange_strong(&resolved, &want, 1))
        return;
    pre_real.calloc = next("calloc");
    pre_real.malloc = next("malloc");
    pre_real.free = next("free");
    pre_real.realloc = next("realloc");
    pre_real.reallocarray = next("reallocarray");
    pre_real.memalign = next("memalign");
    pre_real.posix_memalign = next("posix_memalign");
    pre_real.aligned_alloc = next("aligned_alloc");
    pre_real.valloc = next("valloc");
    pre_real.pvalloc = next("pvalloc");
    pre_real.malloc_usable_size = next("malloc_usable_size");
    atomic_store(&resolved, 2);
}

/**
 * pre_alloc_ready() - can the real allocator functions be called?
 *
 * Resolves them on first use.
 *
 * Return: 1 if so, 0 while resolution is in progress (use the pool then).
 */
int pre_alloc_ready(void)
{
    if (__builtin_expect(atomic_load_explicit(&resolved, memory_order_acquire) == 2, 1))
        return 1;
    resolve();
    return atomic_load_explicit(&resolved, memory_order_acquire) == 2;
}

/**
 * pre_alloc_tracing() - should this allocator call be recorded?
 *
 * Also runs the lazy start-up steps (ring attachment, fast-path activation
 * after the first 256 calls of a thread).
 *
 * Return: 1 to record, 0 to pass the call through.
 */
int pre_alloc_tracing(void)
{
    if (pre_self.guard != 0) {
        if (pre_self.guard & 0x10000)
            pre_count_lost(TR_LOST_REENTRANT);
        return 0;
    }
    pre_init();
    if (pre_ring == NULL)
        return 0;
    if (++pre_self.ncalls == 256)
        pre_fastpath_maybe_activate();
    return 1;
}

/**
 * pre_alloc_record() - record one allocator call that has returned.
 * @type: enum tr_ev_type.
 * @a: its arguments (a[0..3]).
 * @ret: its result.
 * @frame: the interposer's frame (PRE_FRAME: the stack starts at its
 *         caller), or NULL for no stack (a free: every analysis is by
 *         allocation site, and unwinding is most of the shim's cost).
 */
void pre_alloc_record(uint32_t type, const uint64_t a[4], int64_t ret,
                      const void *frame)
{
    struct tr_event ev = {.type = type, .a = {a[0], a[1], a[2], a[3]},
                          .ret = ret};

    pre_self.guard += 0x10000;
    ev.t_ns = pre_now_ns();
    ev.stack = frame ? pre_stack_id(frame) : 0;
    pre_emit(&ev, 0);
    pre_self.guard -= 0x10000;
}

/**
 * malloc() - interposed malloc: recorded as TR_EV_MALLOC.
 * @size: bytes requested.
 *
 * Return: what the next malloc returned.
 */
void *malloc(size_t size)
{
    void *p;

    if (!pre_alloc_ready())
        return pre_pool_alloc(size);
    if (!pre_alloc_tracing())
        return pre_real.malloc(size);
    pre_self.in_alloc++;
    p = pre_real.malloc(size);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_MALLOC, (uint64_t[4]){size},
                     (int64_t)(uintptr_t)p, PRE_FRAME);
    return p;
}

/**
 * free() - interposed free: recorded as TR_EV_FREE before the real free.
 * @ptr: the block (NULL and bootstrap-pool blocks are ignored).
 */
void free(void *ptr)
{
    if (ptr == NULL || pre_in_pool(ptr))
        return;
    if (!pre_alloc_ready())
        return; /* cannot happen: only pool memory exists before */
    if (pre_alloc_tracing())
        pre_alloc_record(TR_EV_FREE, (uint64_t[4]){(uintptr_t)ptr}, 0, NULL);
    pre_self.in_alloc++;
    pre_real.free(ptr);
    pre_self.in_alloc--;
}

/**
 * calloc() - interposed calloc: recorded as TR_EV_CALLOC.
 * @nmemb: number of elements.
 * @size: element size.
 *
 * Return: what the next calloc returned.
 */
void *calloc(size_t nmemb, size_t size)
{
    void *p;

    if (!pre_alloc_ready()) {
        size_t n;

        if (__builtin_mul_overflow(nmemb, size, &n))
            return NULL;
        return pre_pool_alloc(n); /* static memory is already zero */
    }
    if (!pre_alloc_tracing())
        return pre_real.calloc(nmemb, size);
    pre_self.in_alloc++;
    p = pre_real.calloc(nmemb, size);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_CALLOC, (uint64_t[4]){nmemb, size},
                     (int64_t)(uintptr_t)p, PRE_FRAME);
    return p;
}

/* realloc of a pool pointer: move it to real memory (size unknown: copy
 * what fits in the pool after it). */
static void *realloc_from_pool(void *ptr, size_t size)
{
    size_t avail = (size_t)(pool + POOL_SIZE - (unsigned char *)ptr);
    void *p = pre_real.malloc(size);

    if (p != NULL)
        memcpy(p, ptr, size < avail ? size : avail);
    return p;
}

/**
 * realloc() - interposed realloc: recorded as TR_EV_REALLOC.
 * @ptr: the old block (NULL: like malloc).
 * @size: new size.
 *
 * Return: what the next realloc returned.
 */
void *realloc(void *ptr, size_t size)
{
    void *p;

    if (!pre_alloc_ready())
        return pre_pool_alloc(size);
    if (pre_in_pool(ptr))
        return realloc_from_pool(ptr, size);
    if (!pre_alloc_tracing())
        return pre_real.realloc(ptr, size);
    pre_self.in_alloc++;
    p = pre_real.realloc(ptr, size);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_REALLOC, (uint64_t[4]){(uintptr_t)ptr, size},
                     (int64_t)(uintptr_t)p, PRE_FRAME);
    return p;
}

/**
 * reallocarray() - interposed reallocarray: TR_EV_REALLOCARRAY.
 * @ptr: the old block.
 * @nmemb: number of elements.
 * @size: element size.
 *
 * Return: what the next reallocarray returned.
 */
void *reallocarray(void *ptr, size_t nmemb, size_t size)
{
    void *p;

    if (!pre_alloc_ready() || pre_in_pool(ptr)) {
        size_t n;

        if (__builtin_mul_overflow(nmemb, size, &n)) {
            errno = ENOMEM;
            return NULL;
        }
        return pre_alloc_ready() ? realloc_from_pool(ptr, n) : pre_pool_alloc(n);
    }
    if (!pre_alloc_tracing())
        return pre_real.reallocarray(ptr, nmemb, size);
    pre_self.in_alloc++;
    p = pre_real.reallocarray(ptr, nmemb, size);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_REALLOCARRAY,
                     (uint64_t[4]){(uintptr_t)ptr, nmemb, size},
                     (int64_t)(uintptr_t)p, PRE_FRAME);
    return p;
}

/**
 * pre_real_aligned() - call the real aligned allocator of @kind.
 * @kind: enum tr_memalign_kind (not TR_ALIGN_POSIX_MEMALIGN).
 * @align: alignment.
 * @size: bytes.
 *
 * Return: what the real function returned.
 */
void *pre_real_aligned(uint32_t kind, size_t align, size_t size)
{
    switch (kind) {
    case TR_ALIGN_ALIGNED_ALLOC:
        return pre_real.aligned_alloc(align, size);
    case TR_ALIGN_VALLOC:
        return pre_real.valloc(size);
    case TR_ALIGN_PVALLOC:
        return pre_real.pvalloc(size);
    default:
        return pre_real.memalign(align, size);
    }
}
