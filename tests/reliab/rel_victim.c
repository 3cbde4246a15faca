/*
 * rel_victim.c - a program to be killed: `rel_victim [-c] [-b] PIDFILE
 * [CHILDPIDFILE]`. It first maps, touches and unmaps 4 MiB (with -b, 32 MiB
 * sixteen times: enough recorded events to fill a trace chunk), then writes
 * its pid to PIDFILE and keeps mapping and touching a little memory until a
 * signal ends it. With CHILDPIDFILE it writes its pid to PIDFILE at once,
 * forks a child that does the above (its pid in CHILDPIDFILE) and waits for
 * it, then prints how the child ended and exits 0. With -c, SIGINT and SIGTERM are caught: the
 * program prints which one and exits 3.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static int big;

static void rel_catch(int sig)
{
    caught = sig;
}

static void rel_touch(size_t len)
{
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        exit(1);
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
    munmap(p, len);
}

/* Write our pid to @path (through a rename, so readers see all of it). */
static void rel_pidfile(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 ||
        rename(tmp, path) != 0)
        exit(1);
}

static void rel_work(const char *pidfile)
{
    struct timespec ms = {0, 1000000};
    if (!big)
        rel_touch(4u << 20);
    for (int i = 0; big && i < 16; i++)
        rel_touch(32u << 20);
    rel_pidfile(pidfile);
    while (!caught) {
        rel_touch(16 * 4096);
        nanosleep(&ms, NULL);
    }
    printf("caught signal %d\n", (int)caught);
    exit(3);
}

int main(int argc, char **argv)
{
    int catch = argc > 1 && strcmp(argv[1], "-c") == 0;
    big = argc > 1 + catch && strcmp(argv[1 + catch], "-b") == 0;
    argv += big;
    argc -= big;
    if (argc < 2 + catch)
        return 2;
    if (catch) {
        struct sigaction sa = {.sa_handler = rel_catch};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    if (argc < 3 + catch)
        rel_work(argv[1 + catch]);
    rel_pidfile(argv[1 + catch]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        rel_work(argv[2 + catch]);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1;
    if (WIFSIGNALED(st))
        printf("child killed by signal %d\n", WTERMSIG(st));
    else
        printf("child exited %d\n", WEXITSTATUS(st));
    return 0;
}
