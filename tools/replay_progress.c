/*
 * replay_progress.c - a progress bar on stderr while a trace is replayed:
 * only when stderr is a terminal, only once the replay has lasted a
 * second, redrawn at most ten times a second from the reader's position in
 * the file, and erased at the end so the report starts on a clean line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

#define CHECK_EVERY 4096   /* events between clock reads */
#define DELAY_NS 1000000000ull
#define REDRAW_NS 100000000ull
#define WIDTH 40

struct replay_progress {
    int fd;
    uint64_t size, count, t_start, t_drawn;
    bool drawn;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * replay_progress_start() - follow the replay of the trace open on @fd
 * @rp: the replay
 * @fd: the trace, read from its start by the caller
 *
 * Does nothing when stderr is not a terminal or @fd is not a regular file.
 */
void replay_progress_start(struct replay *rp, int fd)
{
    struct stat st;
    if (!isatty(STDERR_FILENO) || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
        st.st_size <= 0)
        return;
    struct replay_progress *p = calloc(1, sizeof(*p));
    if (!p)
        return;
    *p = (struct replay_progress){.fd = fd, .size = (uint64_t)st.st_size,
                                  .t_start = now_ns()};
    rp->progress = p;
}

/** replay_progress_tick() - one event replayed: maybe redraw the bar. */
void replay_progress_tick(struct replay *rp)
{
    struct replay_progress *p = rp->progress;
    if (!p || ++p->count % CHECK_EVERY)
        return;
    uint64_t t = now_ns();
    if (t - p->t_start < DELAY_NS || t - p->t_drawn < REDRAW_NS)
        return;
    off_t pos = lseek(p->fd, 0, SEEK_CUR);
    uint64_t done = pos > 0 ? (uint64_t)pos : 0;
    unsigned pct = (unsigned)(done >= p->size ? 100 : done * 100 / p->size);
    char bar[WIDTH + 1];
    for (unsigned i = 0; i < WIDTH; i++)
        bar[i] = i < pct * WIDTH / 100 ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\rmmsim: replaying [%s] %3u%% %llu events", bar, pct,
            (unsigned long long)p->count);
    fflush(stderr);
    p->t_drawn = t;
    p->drawn = true;
}

/** replay_progress_end() - erase the bar (if drawn) and stop following. */
void replay_progress_end(struct replay *rp)
{
    struct replay_progress *p = rp->progress;
    if (!p)
        return;
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(p);
    rp->progress = NULL;
}
