/*
 * prog_stackwalk - allocations from the frames the shim's stack walk must
 * get right or hand over to unw_backtrace: recursion with alloca of
 * changing sizes (frame-pointer frames at different depths), frames
 * without a frame pointer, an over-aligned local (stack realignment),
 * signal handlers on the thread's stack and on an alternate stack, a
 * coroutine on a stack of its own (makecontext), and threads.
 * Run with MMSIM_STACK_CHECK=1: the shim compares every walk with
 * unw_backtrace (tests/preload/stack_check.sh).
 */
#include <alloca.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

static volatile unsigned sink;

__attribute__((noinline)) static void leaf_alloc(size_t n)
{
    void *p = malloc(n);

    sink += (unsigned)(uintptr_t)p;
    free(p);
}

__attribute__((noinline)) static void with_alloca(int depth, size_t pad)
{
    char *buf = alloca(pad);

    memset(buf, depth, pad);
    sink += (unsigned char)buf[pad - 1];
    if (depth == 0)
        leaf_alloc(32 + pad);
    else
        with_alloca(depth - 1, pad * 3 % 1000 + 16);
}

__attribute__((noinline, optimize("omit-frame-pointer")))
static void no_fp(int depth)
{
    volatile char local[40];

    local[depth % 40] = (char)depth;
    if (depth == 0)
        leaf_alloc(24);
    else
        no_fp(depth - 1);
    sink += (unsigned char)local[0];
}

__attribute__((noinline)) static void realigned(int depth)
{
    _Alignas(64) volatile char local[64];

    local[0] = (char)depth;
    if (depth == 0)
        leaf_alloc(48);
    else
        realigned(depth - 1);
    sink += (unsigned char)local[0];
}

static void on_signal(int sig)
{
    (void)sig;
    leaf_alloc(16);
}

static void signals(void)
{
    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)};
    struct sigaction sa = {.sa_handler = on_signal};

    sigaction(SIGUSR1, &sa, NULL);
    for (int i = 0; i < 20; i++)
        raise(SIGUSR1);
    sigaltstack(&ss, NULL);
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    for (int i = 0; i < 20; i++)
        raise(SIGUSR2);
}

static ucontext_t main_ctx, co_ctx;

static void coroutine(void)
{
    for (int i = 0; i < 20; i++)
        with_alloca(3, 64);
}

static void coroutines(void)
{
    size_t size = 1 << 16;
    char *stack = malloc(size);

    getcontext(&co_ctx);
    co_ctx.uc_stack.ss_sp = stack;
    co_ctx.uc_stack.ss_size = size;
    co_ctx.uc_link = &main_ctx;
    makecontext(&co_ctx, coroutine, 0);
    swapcontext(&main_ctx, &co_ctx);
    free(stack);
}

static void *worker(void *arg)
{
    int seed = (int)(uintptr_t)arg;

    for (int i = 0; i < 300; i++) {
        with_alloca((i + seed) % 7, (size_t)(i * 37 % 500 + 16));
        no_fp((i + seed) % 5);
        realigned(i % 4);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[3];

    worker(0);
    signals();
    coroutines();
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("stackwalk done\n");
    return 0;
}
