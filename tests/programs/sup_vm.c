/*
 * sup_vm.c - the address-space operations a recorder can get wrong: MAP_FIXED
 * over part of a mapping, munmap holes, partial mprotect, anonymous and file
 * mremap (grow in place, move, shrink, MREMAP_DONTUNMAP), shared anonymous
 * memory, MADV_DONTFORK before a fork, SysV shm, named anonymous memory,
 * sbrk, and a child that exits with a signal-free status of its own.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define PG 4096

static void sup_anon(void)
{
    char *a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mmap(a + 4 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
         -1, 0);
    munmap(a + 8 * PG, PG);
    mprotect(a + 10 * PG, 3 * PG, PROT_NONE);
    mprotect(a + 6 * PG, 4 * PG, PROT_READ); /* hits the hole: ENOMEM */
    char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(m + 6 * PG, 2 * PG, PROT_READ);
    char *b = mremap(m, 4 * PG, 64 * PG, MREMAP_MAYMOVE); /* moves */
    b = mremap(b, 64 * PG, 8 * PG, 0);                    /* shrinks */
    b = mremap(b, 8 * PG, 9 * PG, 0);                     /* grows in place */
    mremap(a + 13 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
           b + 2 * PG);                                   /* moves onto b */
    char *c = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    c[0] = 1;
    mremap(c, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    char *n = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, n + PG, PG, "sup-test");
    sbrk(5 * PG);
    sbrk(-2 * PG);
}

static void sup_files(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    char *f = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    char *g = mremap(f, 2 * PG, 3 * PG, MREMAP_MAYMOVE);
    munmap(g + PG, PG);
    close(fd);
    int z = open("/dev/zero", O_RDWR);
    mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
    close(z);
    char *s = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    munmap(s + 2 * PG, PG);
    mremap(s + 4 * PG, 4 * PG, 6 * PG, MREMAP_MAYMOVE);
}

static void sup_shm(void)
{
    int id = shmget(IPC_PRIVATE, 3 * PG, IPC_CREAT | 0600);
    if (id < 0)
        return;
    char *a = shmat(id, NULL, 0);
    char *b = shmat(id, NULL, SHM_RDONLY);
    shmdt(a);
    (void)b;
    shmctl(id, IPC_RMID, NULL);
}

int main(void)
{
    sup_anon();
    sup_files();
    sup_shm();
    char *d = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    madvise(d + PG, PG, MADV_DONTFORK);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        _exit(7);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    return 0;
}
