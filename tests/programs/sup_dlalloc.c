/*
 * sup_dlalloc.c - dlopen a library (argv[1]) and call its sup_dl_grow(),
 * which mallocs argv[2] MiB and writes its first byte; then malloc the same
 * size from main. Prints whether each allocation succeeded.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static char *__attribute__((noinline)) sup_main_grow(size_t bytes)
{
    char *p = malloc(bytes);
    if (p)
        p[0] = 1;
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    char *(*grow)(size_t) = (char *(*)(size_t))dlsym(h, "sup_dl_grow");
    size_t bytes = strtoul(argv[2], NULL, 0) << 20;
    char *a = grow ? grow(bytes) : NULL;
    char *b = sup_main_grow(bytes);
    printf("library: %s, main: %s\n", a ? "ok" : "failed", b ? "ok" : "failed");
    free(a);
    free(b);
    dlclose(h);
    return 0;
}
