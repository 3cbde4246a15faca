/*
 * sup_spawn.c - start the program under the supervisor.
 *
 * Order matters: the child is seized (with PTRACE_O_EXITKILL) before it
 * installs the filter, because a RET_TRACE filter without a tracer makes
 * every memory syscall fail with ENOSYS; and the filter goes in before exec,
 * so the supervisor sees the new image from its first instruction (the
 * PTRACE_EVENT_EXEC stop, then ld.so's first brk). The child waits on a pipe
 * until the parent has seized it. If exec fails the child writes its errno
 * to a close-on-exec pipe and exits with 127, as a shell would.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sup.h"

#define SUP_PTRACE_OPTIONS                                                  \
    (PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |   \
     PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |       \
     PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)

static void sup_child_reset_signals(void)
{
    static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static _Noreturn void sup_child(char *const argv[], int sync_fd, int err_fd,
                                const struct sup_ip_range *fast)
{
    char c;
    sup_child_reset_signals();
    ssize_t n;
    do
        n = read(sync_fd, &c, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(127); /* the parent could not seize us; it says why */
    close(sync_fd);
    int err = sup_filter_install(fast);
    if (err == 0) {
        execvp(argv[0], argv);
        err = -errno;
    }
    int e = -err;
    if (write(err_fd, &e, sizeof(e)) < 0)
        _exit(126);
    _exit(127);
}

/**
 * sup_spawn() - fork, seize and exec @argv under the recorder's filter.
 * @argv: the program and its arguments (argv[0] is looked up in PATH).
 * @fast: the fast path's allowed instruction-pointer range, or NULL.
 * @child: filled with the child's pid and the exec-error pipe.
 *
 * Return: 0, or a negative errno: -EPERM when ptrace is not allowed (the
 * caller is itself traced, or a security policy forbids it).
 */
int sup_spawn(char *const argv[], const struct sup_ip_range *fast,
              struct sup_child *child)
{
    int sync[2], errp[2];
    if (pipe2(sync, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(errp, O_CLOEXEC) < 0) {
        int e = -errno;
        close(sync[0]);
        close(sync[1]);
        return e;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = -errno;
        close(sync[0]), close(sync[1]), close(errp[0]), close(errp[1]);
        return e;
    }
    if (pid == 0) {
        close(sync[1]);
        close(errp[0]);
        sup_child(argv, sync[0], errp[1], fast);
    }
    close(sync[0]);
    close(errp[1]);
    int err = 0;
    if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)SUP_PTRACE_OPTIONS) < 0)
        err = -errno;
    else if (write(sync[1], "g", 1) != 1)
        err = -errno;
    close(sync[1]);
    if (err) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(errp[0]);
        return err;
    }
    child->pid = pid;
    child->err_fd = errp[0];
    return 0;
}

/**
 * sup_spawn_exec_errno() - why the child's exec failed, once it has exited.
 * @child: the spawned child.
 *
 * Return: the errno of the failed exec or filter install, 0 if exec worked.
 */
int sup_spawn_exec_errno(const struct sup_child *child)
{
    int e = 0;
    if (child->err_fd < 0)
        return 0;
    if (read(child->err_fd, &e, sizeof(e)) != (ssize_t)sizeof(e))
        return 0;
    return e;
}
