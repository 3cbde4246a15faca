/*
 * rel_suid.c - made set-user-ID root by tests/reliab/setuid.sh: prints its
 * real and effective uid (so a run that lost the privilege prints
 * otherwise) after an allocation above the mmap threshold, and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char *p = malloc(1u << 20);
    if (!p)
        return 1;
    memset(p, 1, 1u << 20);
    printf("uid %d euid %d\n", (int)getuid(), (int)geteuid());
    free(p);
    return 0;
}
