/*
 * sup_dlalloc_lib.c - the library sup_dlalloc dlopens: one function that
 * mallocs and touches what it got (so the call is not a tail call).
 */
#include <stdlib.h>

char *sup_dl_grow(size_t bytes);

char *sup_dl_grow(size_t bytes)
{
    char *p = malloc(bytes);
    if (p)
        p[0] = 1;
    return p;
}
