/*
 * sup_stop.c - job control and signals under the recorder: a child stops
 * itself with SIGSTOP and is continued by the parent (group-stop, which the
 * supervisor must hold with PTRACE_LISTEN, not resume); a handled signal;
 * then, with argument "die", the program kills itself with SIGSEGV.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void sup_on_usr1(int sig)
{
    got = sig;
}

int main(int argc, char **argv)
{
    signal(SIGUSR1, sup_on_usr1);
    raise(SIGUSR1);
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGSTOP);
        _exit(3);
    }
    int st;
    waitpid(pid, &st, WUNTRACED);
    printf("child stopped: %d\n", WIFSTOPPED(st) ? WSTOPSIG(st) : -1);
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    printf("child exit %d, handler %d\n", WEXITSTATUS(st), (int)got);
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "die") == 0)
        raise(SIGSEGV);
    return 0;
}
