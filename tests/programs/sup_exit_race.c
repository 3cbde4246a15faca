/*
 * sup_exit_race.c - the process exits (exit_group from main) while two
 * other threads are mapping and unmapping memory: the group exit kills them,
 * possibly in the middle of a memory syscall, whose result the supervisor
 * would then never see. It must let the exit happen only once no memory
 * syscall of the process is in flight.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static void *sup_spin(void *arg)
{
    (void)arg;
    for (;;) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        munmap(p, 4096);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, sup_spin, NULL);
    pthread_create(&b, NULL, sup_spin, NULL);
    usleep(20000);
    printf("exiting\n");
    return 0;
}
