/*
 * SIGALRM every 50 µs while the main thread allocates in a loop. The
 * handler only does async-signal-safe work: it maps and unmaps a page
 * (a memory syscall that the fast path handles, possibly nested inside an
 * interrupted fast-path call) and counts. Output: the loop's result only.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    (void)sig;
    if (p != MAP_FAILED)
        munmap(p, 4096);
    ticks++;
}

int main(void)
{
    struct itimerval it = {{0, 50}, {0, 50}};
    struct sigaction sa;
    unsigned long sum = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    for (int i = 0; i < 100000; i++) {
        size_t n = (size_t)(i % 101 == 0 ? 200000 : 24 + i % 500);
        char *p = malloc(n);

        p[0] = 1;
        sum += n;
        free(p);
    }
    it.it_value.tv_usec = it.it_interval.tv_usec = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    fprintf(stderr, "signals handled: %d\n", (int)ticks);
    printf("allocated %lu bytes\n", sum);
    return ticks > 0 ? 0 : 1;
}
