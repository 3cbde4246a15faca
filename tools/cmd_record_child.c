/*
 * cmd_record_child.c - the traced program's signals and exit status, as
 * `mmsim record` and `mmsim run` pass them through: SIGTERM and SIGHUP sent
 * to mmsim are forwarded to the program, a terminal's ^C and ^\ reach the
 * program only (as with system(3)), and the program's exit status or fatal
 * signal becomes mmsim's own.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "cli.h"
#include "sup.h"

static volatile pid_t traced_child;

static void forward(int sig)
{
    if (traced_child > 0)
        kill(traced_child, sig);
}

static void tick(int sig)
{
    (void)sig; /* interrupts waitpid(): the loop drains the rings */
}

/**
 * cmd_record_signals() - set up mmsim's signals while @child is traced
 * @child: the program's pid
 * @tick_on: also interrupt the supervisor every 10 ms, so it drains the
 *           perf fault rings and the fast-path ring between stops
 * @fast: the fast-path ring, or NULL: its producers ring the same signal
 *        when they fill it (tr_ring__ring_bell()), to be drained at once
 */
void cmd_record_signals(pid_t child, int tick_on, struct sup_fast *fast)
{
    struct sigaction sa = {.sa_handler = forward};
    sigemptyset(&sa.sa_mask);
    traced_child = child;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (tick_on || fast) {
        struct sigaction every_tick = {.sa_handler = tick};
        sigemptyset(&every_tick.sa_mask);
        sigaction(SIGALRM, &every_tick, NULL);
    }
    if (tick_on) {
        struct itimerval every = {{0, 10000}, {0, 10000}};
        setitimer(ITIMER_REAL, &every, NULL);
    }
    if (fast)
        sup_fast_doorbell(fast, SIGALRM);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
}

/**
 * cmd_record_pass_status() - end as the program ended
 * @st: its wait status
 *
 * Return: its exit code; for a fatal signal, mmsim re-raises that signal
 * (without a core dump of its own) and returns 128 + signal only if it
 * survives it.
 */
int cmd_record_pass_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    int sig = WTERMSIG(st);
    struct rlimit none = {0, 0};
    sigset_t set;
    fflush(NULL);
    setrlimit(RLIMIT_CORE, &none);
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    return 128 + sig;
}

/**
 * cmd_record_gaps() - after the run, say that the capture has gaps
 * @verb: "record" or "run"
 * @gaps: the number of TR_EV_INCOMPLETE events written (an address space
 *        that could not be read at exec, a memory syscall's result lost,
 *        a syscall of another ABI)
 */
void cmd_record_gaps(const char *verb, uint64_t gaps)
{
    if (gaps)
        fprintf(stderr,
                "mmsim: %s: warning: the capture is incomplete in %llu "
                "place%s: `mmsim dump` of the trace shows each 'incomplete' "
                "event with its reason; the processes concerned have partial "
                "figures\n",
                verb, (unsigned long long)gaps, gaps == 1 ? "" : "s");
}
