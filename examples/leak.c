/*
 * leak - allocate many small blocks from two call sites, free the blocks of
 * one site and leak the other's: the allocation report shows which call
 * site holds the memory at exit.
 *
 * usage: leak [COUNT [SIZE]]   defaults: 10000 blocks of 1000 bytes each
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *kept(size_t size)
{
    void *p = malloc(size);
    if (p)
        memset(p, 0xab, size);
    return p;
}

static void *temporary(size_t size)
{
    void *p = malloc(size);
    if (p)
        memset(p, 0xcd, size);
    return p;
}

int main(int argc, char **argv)
{
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
    size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;
    unsigned long leaked = 0;
    for (unsigned long i = 0; i < count; i++) {
        if (kept(size))
            leaked++;
        free(temporary(size));
    }
    printf("leaked %lu blocks of %zu bytes\n", leaked, size);
    return 0;
}
