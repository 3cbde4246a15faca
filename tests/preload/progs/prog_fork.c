/*
 * Enough allocations for the fast path to be active, then fork without
 * exec; parent and child both allocate (including large blocks, which
 * glibc mmaps) and free. The child's output comes first (the parent waits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long work(int rounds)
{
    unsigned long sum = 0;

    for (int i = 0; i < rounds; i++) {
        /* Growing large sizes stay above glibc's sliding mmap threshold. */
        size_t n = (size_t)(i % 7 == 0 ? 200000 + i * 2048 : 40 + i);
        char *p = malloc(n);

        memset(p, 1, n);
        sum += (unsigned long)n;
        free(p);
    }
    return sum;
}

int main(void)
{
    pid_t pid;
    int status;

    printf("parent before fork %lu\n", work(400));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        printf("child %lu\n", work(300));
        exit(0);
    }
    waitpid(pid, &status, 0);
    printf("parent after fork %lu, child status %d\n", work(300), status);
    return 0;
}
