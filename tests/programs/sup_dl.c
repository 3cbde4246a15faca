/*
 * sup_dl.c - dlopen/dlclose of a library the program does not link
 * (ld.so maps it, relocates it with mprotect and unmaps it at dlclose).
 */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    for (int i = 0; i < 3; i++) {
        void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            return 1;
        }
        double (*f)(double) = (double (*)(double))dlsym(h, "sqrt");
        printf("sqrt(%d) = %.3f\n", 16 << i, f(16 << i));
        dlclose(h);
    }
    return 0;
}
