/*
 * The aligned-allocation interposers (memalign, posix_memalign,
 * aligned_alloc, valloc, pvalloc) and malloc_usable_size. Same rules as
 * pre_alloc.c, whose helpers they share through pre_alloc.h.
 *
 * All aligned variants are recorded as TR_EV_MEMALIGN: a[0] alignment,
 * a[1] size, a[2] enum tr_memalign_kind, ret the pointer (0 on failure);
 * posix_memalign's own return code goes in a[3].
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include "pre_alloc.h"

static void *pool_aligned(size_t align, size_t size)
{
    unsigned char *p;

    if (align < 16 || (align & (align - 1)) != 0)
        align = 16;
    p = pre_pool_alloc(size + align);
    if (p == NULL)
        return NULL;
    return (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
}

static void *aligned_common(uint32_t kind, size_t align, size_t size,
                            const void *frame)
{
    void *p;

    if (!pre_alloc_ready())
        return pool_aligned(align, size);
    if (!pre_alloc_tracing())
        return pre_real_aligned(kind, align, size);
    pre_self.in_alloc++;
    p = pre_real_aligned(kind, align, size);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_MEMALIGN, (uint64_t[4]){align, size, kind, 0},
                     (int64_t)(uintptr_t)p, frame);
    return p;
}

/**
 * memalign() - interposed memalign: TR_EV_MEMALIGN, TR_ALIGN_MEMALIGN.
 * @alignment: alignment.
 * @size: bytes.
 *
 * Return: what the next memalign returned.
 */
void *memalign(size_t alignment, size_t size)
{
    return aligned_common(TR_ALIGN_MEMALIGN, alignment, size, PRE_FRAME);
}

/**
 * aligned_alloc() - interposed aligned_alloc: TR_EV_MEMALIGN.
 * @alignment: alignment.
 * @size: bytes.
 *
 * Return: what the next aligned_alloc returned.
 */
void *aligned_alloc(size_t alignment, size_t size)
{
    return aligned_common(TR_ALIGN_ALIGNED_ALLOC, alignment, size, PRE_FRAME);
}

/**
 * valloc() - interposed valloc: TR_EV_MEMALIGN, alignment 4096.
 * @size: bytes.
 *
 * Return: what the next valloc returned.
 */
void *valloc(size_t size)
{
    return aligned_common(TR_ALIGN_VALLOC, 4096, size, PRE_FRAME);
}

/**
 * pvalloc() - interposed pvalloc: TR_EV_MEMALIGN, alignment 4096.
 * @size: bytes.
 *
 * Return: what the next pvalloc returned.
 */
void *pvalloc(size_t size)
{
    return aligned_common(TR_ALIGN_PVALLOC, 4096, size, PRE_FRAME);
}

/**
 * posix_memalign() - interposed posix_memalign: TR_EV_MEMALIGN, code in a[3].
 * @memptr: receives the block.
 * @alignment: alignment.
 * @size: bytes.
 *
 * Return: 0 or an errno value, as the next posix_memalign.
 */
int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    int rc;

    if (!pre_alloc_ready()) {
        *memptr = pool_aligned(alignment, size);
        return *memptr != NULL ? 0 : ENOMEM;
    }
    if (!pre_alloc_tracing())
        return pre_real.posix_memalign(memptr, alignment, size);
    pre_self.in_alloc++;
    rc = pre_real.posix_memalign(memptr, alignment, size);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_MEMALIGN,
                     (uint64_t[4]){alignment, size, TR_ALIGN_POSIX_MEMALIGN,
                                   (uint64_t)rc},
                     rc == 0 ? (int64_t)(uintptr_t)*memptr : 0, PRE_FRAME);
    return rc;
}

/**
 * malloc_usable_size() - interposed: TR_EV_USABLE_SIZE.
 * @ptr: a block.
 *
 * Return: its usable size (0 for NULL and bootstrap blocks).
 */
size_t malloc_usable_size(void *ptr)
{
    size_t n;

    if (ptr == NULL)
        return 0;
    if (pre_in_pool(ptr) || !pre_alloc_ready())
        return 0; /* pool blocks carry no size: report none usable */
    if (!pre_alloc_tracing())
        return pre_real.malloc_usable_size(ptr);
    pre_self.in_alloc++;
    n = pre_real.malloc_usable_size(ptr);
    pre_self.in_alloc--;
    pre_alloc_record(TR_EV_USABLE_SIZE, (uint64_t[4]){(uintptr_t)ptr},
                     (int64_t)n, PRE_FRAME);
    return n;
}
