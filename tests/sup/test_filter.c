/*
 * test_filter.c - the recorder's seccomp filter (tools/sup_filter.c), run
 * for real in a forked child with no tracer: SECCOMP_RET_TRACE without a
 * tracer fails the syscall with ENOSYS, so a traced syscall is one that
 * returns ENOSYS and an allowed one is one that works.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sup.h"

/* Run @fn in a child after installing the filter; its exit code (0 = all
 * checks held, else the number of the failed check) comes back. */
static int in_child(int (*fn)(void *), void *arg,
                    const struct sup_ip_range *fast)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (sup_filter_install(fast) != 0)
            _exit(100);
        _exit(fn(arg));
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static int traced(long rc)
{
    return rc == -1 && errno == ENOSYS;
}

static int check_routes(void *arg)
{
    char *page = arg;
    if (!traced(syscall(SYS_madvise, page, 4096, MADV_NORMAL)))
        return 1;
    if (!traced(syscall(SYS_mprotect, page, 4096, PROT_READ)))
        return 2;
    if (!traced(syscall(SYS_munmap, page, 4096)) || !traced(syscall(SYS_brk, 0)))
        return 3;
    if (!traced(syscall(SYS_fork)))
        return 4;
    if (!traced(syscall(SYS_prctl, 0x53564d41, 0, page, 4096, "x")))
        return 5;
    if (!traced(syscall(SYS_execve, "/bin/true", NULL, NULL)) ||
        !traced(syscall(SYS_execveat, -1, "/bin/true", NULL, NULL, 0)))
        return 8;
    if (syscall(SYS_getppid) <= 0 || write(-1, "", 0) != -1 || errno != EBADF)
        return 6;
    if (syscall(SYS_prctl, PR_GET_DUMPABLE) < 0)
        return 7;
    return 0;
}

static void test_memory_syscalls_are_traced(void **state)
{
    (void)state;
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_int_equal(in_child(check_routes, page, NULL), 0);
    munmap(page, 4096);
}

/* long stub(nr, a1, a2, a3): mov %rdi,%rax; mov %rsi,%rdi; mov %rdx,%rsi;
 * mov %rcx,%rdx; syscall; ret */
static const unsigned char stub_code[] = {0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7,
                                          0x48, 0x89, 0xd6, 0x48, 0x89, 0xca,
                                          0x0f, 0x05, 0xc3};

static int check_fast_path(void *arg)
{
    long (*stub)(long, long, long, long) = (long (*)(long, long, long, long))arg;
    if (!traced(syscall(SYS_madvise, arg, 4096, MADV_NORMAL)))
        return 1;
    if (stub(SYS_madvise, (long)arg, 4096, MADV_NORMAL) != 0)
        return 2; /* from the stub's range: allowed, so it worked */
    return 0;
}

static void test_fast_path_range_is_allowed(void **state)
{
    (void)state;
    uint64_t at = 0x100000000000ull;
    void *m = mmap((void *)at, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)at)
        skip(); /* taken (under ASan it is shadow memory) */
    memcpy(m, stub_code, sizeof(stub_code));
    struct sup_ip_range fast = {at, at + 4096};
    assert_int_equal(in_child(check_fast_path, m, &fast), 0);
    /* Without the range, the stub's syscall is traced like any other:
     * the check of the stub call (2) fails. */
    assert_int_equal(in_child(check_fast_path, m, NULL), 2);
    munmap(m, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_syscalls_are_traced),
        cmocka_unit_test(test_fast_path_range_is_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
