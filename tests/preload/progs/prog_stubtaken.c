/*
 * Takes the fast path's stub address before the shim can: a constructor
 * maps a page there. The shim must then leave glibc unpatched (everything
 * stays on the traced path) and the program must run normally.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

__attribute__((constructor)) static void take(void)
{
    void *want = (void *)0x100000000000ULL;

    if (mmap(want, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
             MAP_FIXED_NOREPLACE, -1, 0) != want)
        exit(4);
}

int main(void)
{
    unsigned long sum = 0;

    for (int i = 0; i < 1000; i++) {
        char *p = malloc((size_t)(i % 25 == 0 ? 300000 : 64));

        p[0] = 1;
        sum += (unsigned long)p[0];
        free(p);
    }
    printf("stub address taken, %lu\n", sum);
    return 0;
}
