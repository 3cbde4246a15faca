/*
 * mmap interposer: names the anonymous mappings libraries make on the
 * shim's behalf.
 *
 * libunwind (once loaded, pre_unwind.c) maps its per-thread frame caches
 * with mmap through the PLT while the shim is capturing a stack. A private
 * anonymous mapping that libunwind creates while this thread is inside the
 * shim (pre_self.guard raised) is given the shim's name, so all of the shim's runtime memory is
 * recognisable (pre_arena.c). Every other call passes straight to the next
 * mmap (glibc's, whose syscall site the fast path may have redirected).
 *
 * Both mmap and mmap64 are defined (the same function on x86-64), so this
 * file is compiled without the _FILE_OFFSET_BITS=64 redirection.
 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "pre_internal.h"

typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);

static mmap_fn next_mmap(void)
{
    static _Atomic(mmap_fn) fn;
    mmap_fn f = atomic_load_explicit(&fn, memory_order_acquire);

    if (f == NULL) {
        pre_self.guard++;
        f = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
        pre_self.guard--;
        atomic_store_explicit(&fn, f, memory_order_release);
    }
    return f;
}

/**
 * mmap() - interposed mmap: passes through, names libunwind's mappings.
 * @addr: hint.
 * @len: length.
 * @prot: protection.
 * @flags: flags.
 * @fd: file.
 * @off: offset.
 *
 * Return: what the next mmap returned.
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = next_mmap()(addr, len, prot, flags, fd, off);

    if (pre_self.guard != 0 && p != MAP_FAILED && (flags & MAP_ANONYMOUS) &&
        (flags & MAP_TYPE) == MAP_PRIVATE &&
        pre_unwind_owns(__builtin_return_address(0)))
        pre_arena_rename(p, len, prot);
    return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
    __attribute__((alias("mmap")));
