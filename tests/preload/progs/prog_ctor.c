/*
 * Allocates in its own constructor (before main) as well as in main.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *ctor_block;

__attribute__((constructor(101))) static void ctor(void)
{
    ctor_block = malloc(4322);
    strcpy(ctor_block, "constructed");
}

int main(void)
{
    char *p = malloc(100);

    snprintf(p, 100, "%s then main", ctor_block);
    puts(p);
    free(p);
    free(ctor_block);
    return 0;
}
