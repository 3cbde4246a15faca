/*
 * sup_spawn.c - posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK)) and a
 * plain vfork+exec; exits with the status of the last child.
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
    char *args[] = {"echo", "spawned", NULL};
    pid_t pid;
    int st = 0;
    if (posix_spawnp(&pid, "echo", NULL, NULL, args, environ) != 0)
        return 1;
    waitpid(pid, &st, 0);
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        execlp("sh", "sh", "-c", "echo vforked; exit 5", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("last child %d\n", WEXITSTATUS(st));
    return WEXITSTATUS(st) == 5 ? 0 : 1;
}
