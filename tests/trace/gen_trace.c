/*
 * gen_trace - write a sample trace (the tests' synthetic stream) to a file:
 * for seed corpora, golden files and trying `mmsim dump` by hand.
 *
 * usage: gen_trace PATH EVENTS [EVENTS_PER_CHUNK [SEED]]
 * An existing PATH is replaced.
 */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: gen_trace PATH EVENTS [EVENTS_PER_CHUNK "
                        "[SEED]]\n");
        return 2;
    }
    uint64_t n = strtoull(argv[2], NULL, 0);
    uint64_t per = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 11;
    write_sample(argv[1], seed, n, per);
    return 0;
}
