/*
 * sup_forkexec.c - the race-prone case: threads map and unmap memory while
 * another thread forks and the child execs this program again (one level).
 * Thread stacks are reused across threads, arena trims run concurrently,
 * and fork copies an address space other threads are changing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { NTHREADS = 4, ROUNDS = 400 };

static void *sup_churn(void *arg)
{
    size_t seed = (size_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        /* Mostly one size, so a range one thread frees is the one the next
         * mmap of another thread gets: the order of the two matters. */
        size_t n = (i % 8 ? 4 : 1 + (seed + (size_t)i) % 7) * 4096;
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        p[0] = 1;
        munmap(p, n);
        free(malloc(100 + (size_t)i * 997 % 70000));
    }
    return NULL;
}

static void sup_spawn_threads(pthread_t *t)
{
    for (size_t i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, sup_churn, (void *)i);
}

int main(int argc, char **argv)
{
    int depth = argc > 1 ? atoi(argv[1]) : 2;
    pthread_t t[NTHREADS];
    sup_spawn_threads(t);
    for (int k = 0; k < 2 && depth > 0; k++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            char d[16];
            snprintf(d, sizeof(d), "%d", depth - 1);
            execl("/proc/self/exe", argv[0], d, (char *)NULL);
            _exit(127);
        }
        int st;
        waitpid(pid, &st, 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    printf("depth %d done\n", depth);
    return 0;
}
