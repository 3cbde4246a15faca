/*
 * Checks that the shim's memory is recognisable and that it adds no
 * unnamed anonymous mapping. After enough allocator calls for the shim to
 * activate its fast path, and a second thread (libunwind's per-thread
 * caches), the program counts its unnamed anonymous mappings, then runs
 * itself again without LD_PRELOAD ("baseline") and compares: with the shim
 * the count must not be higher, and at least one mapping must carry the
 * shim's name ("[anon:mmsim]", or on kernels without anonymous VMA names a
 * private mapping of the memfd "mmsim"). Mappings that start where a file
 * mapping ends are not counted: that is the .bss of a loaded object, which
 * the loader makes (and which merges with neighbours, so counts of them
 * depend on layout). Prints "maps ok" and exits 0, else exits 3.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *worker(void *arg)
{
    for (int i = 0; i < 1000; i++)
        free(malloc(64 + (size_t)i));
    return arg;
}

static void count(int *unnamed, int *ours)
{
    char line[512];
    unsigned long prev_end = 0, start, end;
    int prev_file = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    while (fgets(line, sizeof(line), f)) {
        int n = 0;
        char *path;

        sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &n);
        path = line + n;
        path[strcspn(path, "\n")] = '\0';
        if (*path == '\0' && prev_file && start == prev_end) {
            prev_file = 0;
            continue;
        }
        prev_file = *path == '/';
        prev_end = end;
        if (!strcmp(path, "[anon:mmsim]") ||
            !strcmp(path, "/memfd:mmsim (deleted)"))
            (*ours)++;
        else if (*path == '\0')
            (*unnamed)++;
    }
    fclose(f);
}

static int baseline(const char *self)
{
    char cmd[4096], buf[64] = "";
    FILE *p;

    snprintf(cmd, sizeof(cmd), "env -u LD_PRELOAD '%s' baseline", self);
    p = popen(cmd, "r");
    if (p == NULL || fgets(buf, sizeof(buf), p) == NULL)
        return -1;
    pclose(p);
    return atoi(buf);
}

int main(int argc, char **argv)
{
    int unnamed = 0, ours = 0, base;
    pthread_t th;

    for (int i = 0; i < 1000; i++)
        free(malloc(100 + (size_t)i));
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    count(&unnamed, &ours);
    if (argc > 1 && !strcmp(argv[1], "baseline")) {
        printf("%d\n", unnamed);
        return 0;
    }
    base = baseline(argv[0]);
    fprintf(stderr, "shim mappings %d, unnamed %d, baseline unnamed %d\n",
            ours, unnamed, base);
    if (base < 0 || unnamed > base ||
        (getenv("LD_PRELOAD") != NULL && ours == 0))
        return 3;
    printf("maps ok\n");
    return 0;
}
