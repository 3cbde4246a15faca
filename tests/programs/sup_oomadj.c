/*
 * sup_oomadj.c - writes to /proc/self/oom_score_adj between memory calls:
 * 300, then an mmap of 2 MiB; a fork child writes 500, then munmaps 3 MiB
 * it mapped before; the parent writes 1000 and mmaps 4 MiB. Values only
 * rise, so no privilege is needed. Each write is followed by a 2 ms pause:
 * the recorder reads oom_score_adj at a stop only if its last read is 1 ms
 * old (docs/record.md), so the order below is then exact.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void set_adj(const char *v)
{
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd < 0 || write(fd, v, strlen(v)) < 0)
        perror("oom_score_adj");
    if (fd >= 0)
        close(fd);
    usleep(2000);
}

static void *map(size_t mib)
{
    return mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
    void *three = map(3);
    set_adj("300");
    map(2);
    pid_t pid = fork();
    if (pid == 0) {
        set_adj("500");
        munmap(three, 3 << 20);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    set_adj("1000");
    map(4);
    printf("done\n");
    return 0;
}
