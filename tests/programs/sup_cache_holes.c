/*
 * sup_cache_holes.c - a file mapping whose page cache has holes, for the
 * fidelity check (tests/fidelity/): fault-around maps only cached pages, so
 * what becomes resident depends on the machine's cache, which the recorder
 * reads with cachestat (TR_EV_CACHED).
 *
 * Writes a 64-page file in the current directory leaving pages 8-15 and
 * 40-47 unwritten (never cached: nothing reads them), maps it and reads
 * pages 0 and 32. Each fault maps its 16-page fault-around window's
 * cached half: 16 pages resident, where a model assuming a warm cache maps
 * 32. Prints the number of pages mincore() says are cached, then exits
 * with the mapping still there.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 64

static int write_pages(int fd, int from, int to)
{
    static char buf[PAGE];
    memset(buf, 'x', sizeof(buf));
    for (int p = from; p < to; p++)
        if (pwrite(fd, buf, PAGE, (off_t)p * PAGE) != PAGE)
            return -1;
    return 0;
}

int main(void)
{
    const char *path = "sup_cache_holes.dat";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, PAGES * PAGE) < 0 || write_pages(fd, 0, 8) ||
        write_pages(fd, 16, 40) || write_pages(fd, 48, PAGES)) {
        perror("sup_cache_holes: write");
        return 1;
    }
    unlink(path);
    volatile char *map = mmap(NULL, PAGES * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("sup_cache_holes: mmap");
        return 1;
    }
    unsigned char vec[PAGES];
    int sum = map[0] + map[32 * PAGE], cached = 0;
    if (mincore((void *)map, PAGES * PAGE, vec) == 0)
        for (int p = 0; p < PAGES; p++)
            cached += vec[p] & 1;
    printf("%d %d pages cached\n", sum, cached);
    return 0;
}
