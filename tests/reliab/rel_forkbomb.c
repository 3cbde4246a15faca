/*
 * rel_forkbomb.c - a bounded fork bomb: `rel_forkbomb N [WIDTH]` forks N
 * short children, at most WIDTH (default 64) alive at once. Child i
 * allocates and touches a little memory; every third child forks a
 * grandchild of its own (which exits with i % 5) and waits for it; every
 * tenth child execs `/bin/sh -c 'exit K'` instead. The parent waits for
 * all and prints the number of children, grandchildren and the sum of the
 * exit codes, so a run that loses or mangles a child prints otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int rel_child(int i)
{
    size_t len = 4096 + (size_t)(i % 17) * 4096;
    char *p = malloc(len);
    if (!p)
        return 100;
    memset(p, i & 0xff, len);
    int code = p[len - 1] & 7;
    free(p);
    if (i % 10 == 0) {
        char cmd[32];
        snprintf(cmd, sizeof(cmd), "exit %d", i % 11);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        return 101;
    }
    if (i % 3 == 0) {
        pid_t g = fork();
        if (g == 0)
            _exit(i % 5);
        int st = 0;
        if (g < 0 || waitpid(g, &st, 0) != g || !WIFEXITED(st))
            return 102;
        code += WEXITSTATUS(st);
    }
    return code;
}

/* Wait for one child; add its exit code to *sum. */
static int rel_reap(long *sum)
{
    int st;
    if (wait(&st) < 0)
        return -1;
    *sum += WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int width = argc > 2 ? atoi(argv[2]) : 64;
    int alive = 0, grand = 0;
    long sum = 0;
    for (int i = 0; i < n; i++) {
        if (alive >= width && rel_reap(&sum) == 0)
            alive--;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0)
            _exit(rel_child(i));
        alive++;
        grand += i % 10 != 0 && i % 3 == 0;
    }
    while (alive > 0 && rel_reap(&sum) == 0)
        alive--;
    printf("children %d grandchildren %d exit-code sum %ld\n", n, grand, sum);
    return alive != 0;
}
