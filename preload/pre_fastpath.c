/*
 * The in-process fast path for glibc's own memory syscalls
 * (CAPTURE-NOTES §8): glibc's malloc, thread creation and exit reach the
 * kernel through its internal mmap/munmap/mprotect/madvise/mremap/brk,
 * which LD_PRELOAD cannot interpose. Under the supervisor those calls are
 * traced (~20 µs each); here they are redirected to the shim, which issues
 * the syscall from the fixed stub page the supervisor's seccomp filter
 * ALLOWs (TR_FASTPATH_STUB_ADDR) and logs it into the ring, under the
 * per-address-space lock so the log keeps the kernel's order.
 *
 * Activation is lazy, so short-lived processes pay nothing: after a
 * thread's 256th allocator call, or just before the process creates its
 * first thread (pthread_create is interposed so that patching happens while
 * the process is single-threaded). Steps, each of which may decline:
 *   1. a ring is attached (without one there is nobody to log to);
 *   2. no CET shadow stack is active ("x86_Thread_features:" in
 *      /proc/self/status is empty); untested there, so skipped;
 *   3. the stub page maps at its fixed address with MAP_FIXED_NOREPLACE
 *      (taken: everything stays on the traced path);
 *   4. each function's syscall site matches its signature, and the code can
 *      be made writable (W^X policies refuse: skipped) — pre_fastpath_patch.c.
 * A function that is not patched is simply left to the supervisor.
 *
 * Survives: fork (the child inherits patched code, stub and ring; its own
 * tgid selects its own lock), exec (a new image starts unpatched), signals
 * (a handler interrupting a fast-path call that makes a memory syscall
 * itself runs nested without re-locking; see ring.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pre_fastpath.h"

PRE_HIDDEN uint64_t pre_fp_resume[PRE_FP_MAX_SITES];
PRE_HIDDEN struct pre_fp_site pre_fp_sites[PRE_FP_MAX_SITES];

enum { FP_OFF, FP_BUSY, FP_ON, FP_DECLINED };
static _Atomic int fp_state;

/* Issue a syscall from the stub page (its IP is what seccomp checks). */
static long stub_syscall(const struct pre_fp_frame *f, long nr)
{
    register long r10 __asm__("r10") = (long)f->r10;
    register long r8 __asm__("r8") = (long)f->r8;
    register long r9 __asm__("r9") = (long)f->r9;
    long ret;

    __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
                     "call *%[stub]\n\t"
                     "lea 128(%%rsp), %%rsp"
                     : "=a"(ret)
                     : "0"(nr), "D"(f->rdi), "S"(f->rsi), "d"(f->rdx),
                       "r"(r10), "r"(r8), "r"(r9),
                       [stub] "r"((uintptr_t)TR_FASTPATH_STUB_ADDR)
                     : "rcx", "r11", "memory");
    return ret;
}

/* Issue a syscall from glibc's syscall(): the supervisor traces it. */
static long traced_syscall(const struct pre_fp_frame *f, long nr)
{
    long ret = syscall(nr, f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9);

    return ret == -1 ? -errno : ret;
}

static void fill_event(struct tr_event *ev, const struct pre_fp_frame *f,
                       uint32_t type, long ret)
{
    ev->type = type;
    ev->flags = TR_F_FAST_PATH | (pre_self.in_alloc ? TR_F_IN_ALLOC : 0);
    ev->ret = ret;
    ev->a[0] = f->rdi;
    ev->a[1] = f->rsi;
    ev->a[2] = f->rdx;
    ev->a[3] = f->r10;
    ev->a[4] = f->r8;
    ev->a[5] = f->r9;
    if (type == TR_EV_MMAP) {
        struct stat st;

        ev->a[2] = (uint32_t)f->rdx;
        ev->a[3] = (uint32_t)f->r10;
        ev->a[4] = (uint64_t)(int64_t)(int32_t)f->r8; /* fd is an int */
        if (!(ev->a[3] & MAP_ANONYMOUS) && ret >= 0 &&
            syscall(SYS_fstat, (int)(int32_t)f->r8, &st) == 0) {
            ev->dev = st.st_dev;
            ev->ino = st.st_ino;
        }
    }
}

/**
 * pre_fp_dispatch() - run one redirected glibc memory syscall.
 * @f: the syscall's registers, saved by the trampoline.
 *
 * Takes the address space's lock (unless nested inside another fast-path
 * call on this thread), numbers the event, issues the syscall from the
 * stub, logs it, and releases the lock.
 *
 * Return: the raw syscall result (negative errno on failure); glibc's code
 * after the original syscall instruction handles errno as before.
 */
PRE_HIDDEN long pre_fp_dispatch(struct pre_fp_frame *f);
long pre_fp_dispatch(struct pre_fp_frame *f)
{
    const struct pre_fp_site *s = &pre_fp_sites[f->idx];
    uint32_t tgid = pre_pid, tid = pre_tid();
    struct tr_ring_mmlock *lk = tr_ring_mmlock(pre_ring, tgid);
    int nested = pre_self.fp_depth != 0;
    struct tr_event ev = {0};
    uint32_t seq;
    long ret;

    /* A file mapping stays on the traced path: only the supervisor can
     * name the file (from the fd, at the call) for the VMA it creates. */
    if (s->type == TR_EV_MMAP && !(f->r10 & MAP_ANONYMOUS))
        return traced_syscall(f, s->nr);
    if (!nested)
        tr_mmlock_lock(lk, tid, tgid);
    pre_self.fp_depth++;
    seq = tr_mmlock_next_seq(lk);
    ev.t_ns = pre_now_ns();
    ret = stub_syscall(f, s->nr);
    fill_event(&ev, f, s->type, ret);
    pre_emit(&ev, seq);
    pre_self.fp_depth--;
    if (!nested)
        tr_mmlock_unlock(lk);
    return ret;
}

/* Is a CET shadow stack active? Then decline (see the file comment). */
static int cet_active(void)
{
    char buf[4096];
    const char *key = "x86_Thread_features:";
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n;
    char *p;

    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    p = strstr(buf, key);
    if (p == NULL)
        return 0;
    for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
        ;
    return *p != '\n' && *p != '\0';
}

/* Map the stub page: "syscall; ret" at TR_FASTPATH_STUB_ADDR. */
static int map_stub(void)
{
    static const unsigned char code[] = {0x0f, 0x05, 0xc3};
    void *want = (void *)(uintptr_t)TR_FASTPATH_STUB_ADDR;
    void *p = pre_arena_map(want, TR_FASTPATH_STUB_SIZE,
                            PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);

    if (p == MAP_FAILED)
        return -1;
    if (p != want) { /* a kernel without MAP_FIXED_NOREPLACE */
        munmap(p, TR_FASTPATH_STUB_SIZE);
        return -1;
    }
    memcpy(p, code, sizeof(code));
    if (mprotect(p, TR_FASTPATH_STUB_SIZE, PROT_READ | PROT_EXEC) != 0) {
        munmap(p, TR_FASTPATH_STUB_SIZE);
        return -1;
    }
    return 0;
}

static int activate(void)
{
    if (pre_ring == NULL || cet_active() || map_stub() != 0)
        return -1;
    return pre_fp_patch_all() > 0 ? 0 : -1;
}

/**
 * pre_fastpath_activate() - try to switch the fast path on, once.
 */
void pre_fastpath_activate(void)
{
    int want = FP_OFF;

    if (!atomic_compare_exchange_strong(&fp_state, &want, FP_BUSY))
        return;
    pre_self.guard++;
    want = activate() == 0 ? FP_ON : FP_DECLINED;
    pre_self.guard--;
    atomic_store(&fp_state, want);
}

/**
 * pre_fastpath_maybe_activate() - the lazy trigger (allocator call count).
 */
void pre_fastpath_maybe_activate(void)
{
    if (atomic_load_explicit(&fp_state, memory_order_relaxed) == FP_OFF)
        pre_fastpath_activate();
}

/**
 * pre_fastpath_active() - is the fast path on in this process?
 *
 * Return: 1 if at least one glibc function was redirected.
 */
int pre_fastpath_active(void)
{
    return atomic_load(&fp_state) == FP_ON;
}

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
                                 void *(*)(void *), void *);

/**
 * pthread_create() - interposed: activates the fast path while single-threaded.
 * @th: receives the thread.
 * @attr: attributes.
 * @start: thread function.
 * @arg: its argument.
 *
 * Return: what the next pthread_create returned.
 */
int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                   void *(*start)(void *), void *arg)
{
    static _Atomic(pthread_create_fn) real;
    pthread_create_fn fn = atomic_load_explicit(&real, memory_order_acquire);

    if (fn == NULL) {
        pre_self.guard++;
        fn = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
        pre_self.guard--;
        atomic_store_explicit(&real, fn, memory_order_release);
    }
    pre_init();
    if (pre_ring != NULL)
        pre_fastpath_maybe_activate();
    return fn(th, attr, start, arg);
}
