/*
 * sparse_array - map a large private array and touch only a few pages:
 * the commit charge is the whole mapping, the RSS only what is touched.
 *
 * usage: sparse_array [SIZE_MIB [TOUCH_EVERY_KIB]]
 *   defaults: 4096 MiB mapped, one page touched every 1024 KiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    size_t size = (argc > 1 ? strtoul(argv[1], NULL, 0) : 4096) << 20;
    size_t every = (argc > 2 ? strtoul(argv[2], NULL, 0) : 1024) << 10;
    if (every == 0)
        every = 4096;

    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("sparse_array: mmap");
        return 1;
    }
    size_t touched = 0;
    for (size_t off = 0; off < size; off += every, touched++)
        p[off] = 1;
    printf("mapped %zu MiB, touched %zu pages\n", size >> 20, touched);
    munmap(p, size);
    return 0;
}
