/*
 * sup_mmap_loop.c - N (argv[1], default 100000) mmap/munmap pairs of one
 * anonymous page, touched once: the per-syscall cost of recording.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    for (long i = 0; i < n; i++) {
        char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return 1;
        p[0] = (char)i;
        munmap(p, 4096);
    }
    printf("%ld pairs\n", n);
    return 0;
}
