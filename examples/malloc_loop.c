/*
 * malloc_loop - the classic overcommit demonstration: allocate memory in
 * fixed steps until malloc fails or a limit is reached, optionally writing
 * every page of each step.
 *
 * usage: malloc_loop [STEP_MIB [MAX_STEPS [touch]]]
 *   defaults: 1024 MiB steps, 64 steps, no touching. Prints one line per
 *   step and the step at which malloc returned NULL, if it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    size_t step_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
    unsigned max_steps = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 64;
    int touch = argc > 3 && strcmp(argv[3], "touch") == 0;
    size_t step = step_mib << 20;

    for (unsigned i = 1; i <= max_steps; i++) {
        char *p = malloc(step);
        if (!p) {
            printf("step %u: malloc(%zu MiB) failed\n", i, step_mib);
            return 1;
        }
        if (touch)
            for (size_t off = 0; off < step; off += 4096)
                p[off] = 1;
        printf("step %u: %zu MiB allocated in total\n", i, (size_t)i * step_mib);
        fflush(stdout);
    }
    return 0;
}
