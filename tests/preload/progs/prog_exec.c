/*
 * Allocates (enough for the fast path), then execs itself: the new image,
 * with the same pid, re-attaches to the ring from the inherited fd and
 * starts a new stack id space; it allocates 5555 bytes and frees them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) static void *site_a(size_t n)
{
    return malloc(n);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        char *p = site_a(5555);

        memset(p, 0, 5555);
        free(p);
        printf("second image\n");
        return 0;
    }
    for (int i = 0; i < 400; i++)
        free(site_a((size_t)(16 + i)));
    printf("first image\n");
    fflush(stdout);
    execl(argv[0], argv[0], "again", (char *)NULL);
    return 1;
}
