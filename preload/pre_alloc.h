/*
 * Shared between the allocator interposers (pre_alloc.c, pre_alloc_align.c).
 */
#ifndef MMSIM_PRE_ALLOC_H
#define MMSIM_PRE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "pre_internal.h"

/* The next definitions of the allocator functions (dlsym RTLD_NEXT). */
struct pre_real_fns {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    void *(*memalign)(size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
};

/* The interposer's frame: the shim is built with frame pointers, so the
 * caller's rbp is saved here and the return address above it. */
#define PRE_FRAME __builtin_frame_address(0)

/* ---- preload/pre_alloc.c ---- */
PRE_HIDDEN extern struct pre_real_fns pre_real;
PRE_HIDDEN void *pre_pool_alloc(size_t size);
PRE_HIDDEN int pre_in_pool(const void *p);
PRE_HIDDEN int pre_alloc_ready(void);
PRE_HIDDEN int pre_alloc_tracing(void);
PRE_HIDDEN void pre_alloc_record(uint32_t type, const uint64_t a[4],
                                 int64_t ret, const void *frame);
PRE_HIDDEN void *pre_real_aligned(uint32_t kind, size_t align, size_t size);

#endif /* MMSIM_PRE_ALLOC_H */
