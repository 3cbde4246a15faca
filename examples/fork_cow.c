/*
 * fork_cow - a large process forks; the child writes part of the shared
 * memory (copy-on-write breaks) while the parent waits.
 *
 * usage: fork_cow [SIZE_MIB [CHILD_WRITES_PERCENT]]
 *   defaults: 256 MiB touched by the parent, the child writes 25% of it.
 * In overcommit mode 2 the fork itself needs a second commit charge for
 * the whole private writable mapping, and may fail with ENOMEM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    size_t size = (argc > 1 ? strtoul(argv[1], NULL, 0) : 256) << 20;
    size_t percent = argc > 2 ? strtoul(argv[2], NULL, 0) : 25;
    char *p = malloc(size);
    if (!p) {
        perror("fork_cow: malloc");
        return 1;
    }
    memset(p, 1, size);

    pid_t pid = fork();
    if (pid < 0) {
        printf("fork failed: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        size_t limit = size / 100 * percent;
        for (size_t off = 0; off < limit; off += 4096)
            p[off] = 2;
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("child wrote %zu%% of %zu MiB, exit %d\n", percent, size >> 20,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    free(p);
    return 0;
}
