/*
 * vfork+exec and posix_spawn of itself; the children allocate and print.
 * Output order is fixed: each child is waited for before the next starts.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int child_main(const char *how)
{
    unsigned long sum = 0;

    for (int i = 0; i < 500; i++) {
        char *p = malloc((size_t)(16 + i));
        sum += (unsigned long)(16 + i);
        free(p);
    }
    printf("child via %s allocated %lu\n", how, sum);
    return 0;
}

int main(int argc, char **argv)
{
    pid_t pid;
    int status;
    char *args[] = {argv[0], "posix_spawn", NULL};

    if (argc > 1)
        return child_main(argv[1]);
    for (int i = 0; i < 300; i++)
        free(malloc(32));
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        execl(argv[0], argv[0], "vfork", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    printf("vfork child status %d\n", status);
    fflush(stdout);
    if (posix_spawn(&pid, argv[0], NULL, NULL, args, environ) != 0)
        return 1;
    waitpid(pid, &status, 0);
    printf("posix_spawn child status %d\n", status);
    return 0;
}
