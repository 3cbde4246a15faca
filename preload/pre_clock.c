/*
 * The shim's clock: CLOCK_MONOTONIC nanoseconds for event timestamps,
 * computed from the TSC where it can be.
 *
 * Every recorded allocator call reads the clock once; clock_gettime() costs
 * 50-100 ns on this project's VMs (kvm-clock through the vDSO), rdtsc about
 * 17 ns. So each thread keeps an anchor (a TSC value and the
 * CLOCK_MONOTONIC time read at the same moment) and converts TSC ticks since
 * the anchor with a process-wide rate (ns per tick, 32.32 fixed point)
 * measured between the process's first clock read and the latest anchor of
 * any thread, at least PRE_CLOCK_CAL_NS (10 ms) apart. An anchor is only
 * taken when the two TSC reads around its clock_gettime() are at most
 * PRE_CLOCK_MAX_GAP ticks apart (about 1 us; a preemption between them
 * would make the anchor, and a rate measured from it, wrong by that much;
 * seen on a loaded VM). A thread re-anchors with a
 * real clock_gettime() once PRE_CLOCK_SPAN ticks (about 2 ms at 2.1 GHz)
 * have passed, or when the TSC went backwards (a move to a CPU whose TSC
 * is behind): an error of the rate only accumulates within one span (well
 * under 0.5 us once the rate is measured over 10 ms or more). Until the rate
 * is known, and on other architectures, the clock is clock_gettime().
 * Assumes the TSC ticks at a constant rate and is synchronised between
 * CPUs (constant_tsc, nonstop_tsc, as on this project's machines, whose
 * kernels still mark it unstable by a boot parameter and keep kvm-clock);
 * an offset between CPUs smaller than one span would show up as that
 * error. tests/preload/test_clock.c checks the result against
 * clock_gettime() in five threads.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "pre_internal.h"

#define PRE_CLOCK_SPAN (1ull << 22)      /* ticks between anchors */
#define PRE_CLOCK_CAL_NS 10000000ull     /* shortest rate measurement */
#define PRE_CLOCK_MAX_GAP 2048ull        /* ticks around an anchor's read */

struct pre_anchor {
    uint64_t tsc, ns;
};

static PRE_TLS struct pre_anchor anchor;
static _Atomic uint64_t rate;           /* ns per tick << 32; 0 unknown */
static _Atomic uint64_t base_tsc, base_ns; /* the process's first anchor */

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
/* Re-anchor this thread; refine the rate from the longer baseline. */
static uint64_t pre_clock_anchor(uint64_t before)
{
    uint64_t ns = mono_ns(), after = __rdtsc();
    uint64_t tsc = before + (after - before) / 2, b = 0;

    /* Preempted (or moved to another CPU) around the read: the TSC value
     * of that moment is not known well enough; try again next call. */
    if (after < before || after - before > PRE_CLOCK_MAX_GAP)
        return ns;
    anchor.tsc = tsc;
    anchor.ns = ns;
    if (atomic_compare_exchange_strong(&base_tsc, &b, tsc)) {
        atomic_store(&base_ns, ns);
        return ns;
    }
    uint64_t bns = atomic_load(&base_ns);
    if (bns && ns - bns >= PRE_CLOCK_CAL_NS && tsc > b)
        atomic_store_explicit(&rate,
                              (uint64_t)(((unsigned __int128)(ns - bns) << 32) /
                                         (tsc - b)),
                              memory_order_relaxed);
    return ns;
}
#endif

/**
 * pre_now_ns() - CLOCK_MONOTONIC in nanoseconds (see the file comment).
 *
 * Return: the time.
 */
uint64_t pre_now_ns(void)
{
#if defined(__x86_64__)
    uint64_t tsc = __rdtsc();
    uint64_t r = atomic_load_explicit(&rate, memory_order_relaxed);
    uint64_t d = tsc - anchor.tsc;

    if (r != 0 && anchor.ns != 0 && d < PRE_CLOCK_SPAN)
        return anchor.ns + (uint64_t)(((unsigned __int128)d * r) >> 32);
    return pre_clock_anchor(tsc);
#else
    return mono_ns();
#endif
}
