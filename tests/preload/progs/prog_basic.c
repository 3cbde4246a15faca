/*
 * Basic shim test program: small allocations from a known function, a large
 * one (mmapped inside malloc), and a file mapping made by the program.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

__attribute__((noinline)) void *alloc_site(size_t n)
{
    return malloc(n);
}

int main(int argc, char **argv)
{
    void *keep[300];
    char *big, *p;
    int fd;
    void *m;

    (void)argc;
    for (int i = 0; i < 300; i++)
        keep[i] = alloc_site(32 + (size_t)i);
    p = alloc_site(12345);
    memset(p, 1, 12345);
    free(p);
    big = malloc(1 << 20);
    memset(big, 2, 1 << 20);
    free(big);
    fd = open(argv[0], O_RDONLY);
    m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED || munmap(m, 4096) != 0)
        return 1;
    close(fd);
    for (int i = 0; i < 300; i++)
        free(keep[i]);
    printf("basic ok\n");
    return 0;
}
