/*
 * Hostile fd handling. "close": closes every fd above 2, keeps allocating,
 * forks a child that allocates too (the ring stays mapped), and execs
 * itself (the new image finds no ring and runs unrecorded). "dup2": puts
 * the program's own files over fds 3..63 (whatever fd number the ring was
 * passed in) and execs itself: the new image must reject what it finds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long churn(int n)
{
    unsigned long sum = 0;

    for (int i = 0; i < n; i++) {
        char *p = malloc((size_t)(8 + i % 300));
        sum += (unsigned long)(8 + i % 300);
        free(p);
    }
    return sum;
}

int main(int argc, char **argv)
{
    pid_t pid;
    int status;

    if (argc > 2) {
        printf("re-executed after %s: %lu\n", argv[2], churn(500));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "dup2")) {
        int fd = open(argv[0], O_RDONLY);

        for (int i = 3; i < 64; i++)
            if (i != fd)
                dup2(fd, i);
    } else {
        for (int i = 3; i < 1024; i++)
            close(i);
    }
    printf("after fd games: %lu\n", churn(400));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        printf("fork child: %lu\n", churn(300));
        exit(0);
    }
    waitpid(pid, &status, 0);
    fflush(stdout);
    execl(argv[0], argv[0], "exec", argc > 1 ? argv[1] : "close", (char *)NULL);
    return 1;
}
