/*
 * libunwind, loaded only when the shim needs it: unw_backtrace for the
 * stacks the shim's own walk cannot follow (pre_stack.c), and for
 * MMSIM_STACK_CHECK=1.
 *
 * Why not at start-up: as a dependency of the shim, libunwind and liblzma
 * are mapped by the loader before the shim runs, and under `mmsim record`
 * each of those mmap/mprotect calls is a ptrace stop (about 20 per process).
 * Most processes never need it: the walk follows every frame whose CFI has
 * the usual shapes (pre_cfi.c), and real programs have no others.
 *
 * Why not dlopen at the moment it is first needed: that moment is inside
 * an allocator call whose stack could not be walked, so nothing is known
 * about what the thread is in the middle of. dlopen takes the loader's
 * locks and calls malloc; from inside the loader (a malloc made by ld.so
 * while it maps an object), a dl_iterate_phdr callback (lock order against
 * a concurrent dlopen), a fork handler or a signal handler that interrupted
 * any of those, it could deadlock or corrupt the loader's state. So:
 *
 *   1. a stack that needs libunwind before it is loaded is kept as far as
 *      the shim's walk went (pre_stack.c), and loading is wanted;
 *   2. libunwind is dlopen'ed at the next allocator call whose stack the
 *      walk followed completely and whose frames, apart from the thread's
 *      start (the outermost frame and the libc frames below it), are all
 *      outside libc and ld.so (pre_unwind_safe()): the program's own code
 *      called malloc directly, not from the loader, a callback of libc, a
 *      fork handler or a signal handler (a signal frame is in libc);
 *   3. from then on, every stack the walk cannot follow is unw_backtrace's.
 *
 * Left: the program's own code may hold one of its locks at that moment
 * while another thread, inside dlopen, runs a constructor that waits for
 * the same lock; loading libunwind then waits for that dlopen forever. This
 * needs a fallback stack and that pattern at the one moment of loading.
 *
 * libunwind is opened RTLD_LOCAL (its weak backtrace and _Unwind_* must not
 * interpose on the program's) and RTLD_NOW (no lazy binding later inside
 * signal handlers). Its first use in a thread allocates its TLS block with
 * malloc (dynamic TLS): that is the shim's own allocation, passed through
 * uncounted.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdatomic.h>
#include <unistd.h>

#include "pre_internal.h"

/* The runtime name of the libunwind the project builds against
 * (libunwind-dev's libunwind.so is a link-time name only). */
#define LIBUNWIND_SONAME "libunwind.so.8"

enum { UNW_IDLE, UNW_WANTED, UNW_LOADING, UNW_LOADED, UNW_FAILED };

/* An object's mapping, found with _dl_find_object. */
struct range {
    uintptr_t start, end;
};

static _Atomic int state;
static int (*backtrace_fn)(void **, int);
static struct range libunwind;

static struct range object_of(const void *addr)
{
    struct dl_find_object o;

    if (_dl_find_object((void *)addr, &o) != 0)
        return (struct range){0, 0};
    return (struct range){(uintptr_t)o.dlfo_map_start,
                          (uintptr_t)o.dlfo_map_end};
}

static int in(struct range r, const void *ip)
{
    return (uintptr_t)ip >= r.start && (uintptr_t)ip < r.end;
}

/**
 * pre_unwind_backtrace() - unw_backtrace, if libunwind is loaded.
 * @ips: receives the instruction pointers, from the caller of this
 *       function outwards (libunwind's frames are not included).
 * @max: room in @ips.
 *
 * Return: the number of frames, or -1 if libunwind is not loaded.
 */
int pre_unwind_backtrace(void **ips, int max)
{
    uint32_t guard = pre_self.guard;
    int n;

    if (atomic_load_explicit(&state, memory_order_acquire) != UNW_LOADED)
        return -1;
    pre_self.guard = 1; /* its TLS block: the shim's own allocation */
    n = backtrace_fn(ips, max);
    pre_self.guard = guard;
    return n;
}

/** pre_unwind_want() - a stack needed libunwind and it is not loaded. */
void pre_unwind_want(void)
{
    int idle = UNW_IDLE;

    atomic_compare_exchange_strong(&state, &idle, UNW_WANTED);
}

/** pre_unwind_wanted() - should libunwind be loaded at the next safe moment?
 * Return: 1 if so. */
int pre_unwind_wanted(void)
{
    return atomic_load_explicit(&state, memory_order_relaxed) == UNW_WANTED;
}

/** pre_unwind_loaded() - is libunwind loaded? Return: 1 if so. */
int pre_unwind_loaded(void)
{
    return atomic_load_explicit(&state, memory_order_acquire) == UNW_LOADED;
}

/**
 * pre_unwind_safe() - is the current allocator call a safe moment to load?
 * @ips: its stack, walked completely (to the outermost frame).
 * @n: frames.
 *
 * Return: 1 if no frame other than the thread's start is in libc or ld.so.
 */
int pre_unwind_safe(void *const *ips, int n)
{
    struct range libc = object_of((const void *)&_dl_find_object);
    struct range ld = object_of((const void *)&_r_debug);
    int i = n - 1; /* the outermost frame: _start, clone3 */

    if (libc.end == 0 || ld.end == 0)
        return 0;
    while (i > 0 && in(libc, ips[i - 1])) /* __libc_start_main, start_thread */
        i--;
    for (int k = 0; k < i; k++)
        if (in(libc, ips[k]) || in(ld, ips[k]))
            return 0;
    return i > 0;
}

/**
 * pre_unwind_load() - dlopen libunwind now (at a safe moment, or in the
 * constructor for MMSIM_STACK_CHECK=1).
 *
 * Only the first caller loads; a failure is final (stacks that need it
 * are then recorded without one).
 */
void pre_unwind_load(void)
{
    uint32_t guard = pre_self.guard;
    int s = atomic_load(&state);
    void *h, *fn = NULL;

    if ((s != UNW_IDLE && s != UNW_WANTED) ||
        !atomic_compare_exchange_strong(&state, &s, UNW_LOADING))
        return;
    pre_self.guard = 1; /* the loader's allocations are the shim's own */
    h = dlopen(LIBUNWIND_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h != NULL)
        fn = dlsym(h, "unw_backtrace");
    pre_self.guard = guard;
    if (fn == NULL) {
        atomic_store(&state, UNW_FAILED);
        return;
    }
    backtrace_fn = (int (*)(void **, int))fn;
    libunwind = object_of(fn);
    atomic_store_explicit(&state, UNW_LOADED, memory_order_release);
}

/**
 * pre_unwind_owns() - is @ip inside libunwind (for naming its mappings)?
 * @ip: a code address.
 *
 * Return: 1 if libunwind is loaded and @ip is in it.
 */
int pre_unwind_owns(const void *ip)
{
    if (atomic_load_explicit(&state, memory_order_acquire) != UNW_LOADED)
        return 0;
    return in(libunwind, ip);
}
