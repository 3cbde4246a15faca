/*
 * sup_modexec.c LIB MIB - code that becomes executable after it is mapped,
 * and a vfork child that makes a request before its exec:
 *   1. LIB (sup_modexec_lib.c) is loaded with dlopen, then mapped again
 *      from its file with PROT_READ (the mapping lands just below the loaded
 *      copy), made executable with mprotect(PROT_READ | PROT_EXEC), and its
 *      sup_mx_map() is called there, then in the loaded copy: each a raw
 *      mmap of MIB MiB (unmapped again); then the mapping is made read-only
 *      and executable again three times;
 *   2. an anonymous page gets code written into it and is made executable
 *      with mprotect, three times writable and executable in turn (a JIT's
 *      way): it returns 42;
 *   3. a vfork child calls sup_vf_grow(), a raw mmap of MIB MiB from this
 *      program's code while it shares the parent's memory, unmaps it, and
 *      execs /bin/true.
 * Each step's line on stdout says whether it ran. The program first makes
 * 300 allocator calls (the shim's fast path, if preloaded, is active from
 * the 256th, so that its mprotect goes through the fast path).
 * The addresses go to stderr: "lib BASE" for step 1, "jit ADDR" for step 2.
 * With SUP_MODEXEC_PAUSE set, the library's mapping stays read-only for
 * 50 ms, is made executable by a raw syscall (not glibc's mprotect, which
 * the shim's fast path logs), and stays so for 50 ms before the call, and
 * not made executable again: the preload-only capture's snapshots (every
 * 10 ms) see both states, and nothing else says it became executable.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sup_kept;

static long __attribute__((noinline)) sup_vf_grow(size_t bytes)
{
    long p = syscall(SYS_mmap, 0L, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0L);
    if (p != -1)
        syscall(SYS_munmap, p, bytes);
    return p;
}

typedef long (*sup_mx_fn)(size_t);

/* sup_mx_map of the loaded LIB, and its offset from the start of LIB. */
static long sup_mx_offset(const char *lib, sup_mx_fn *loaded)
{
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    void *fn = h ? dlsym(h, "sup_mx_map") : NULL;
    Dl_info info;
    if (!fn || !dladdr(fn, &info))
        return -1;
    *loaded = (sup_mx_fn)fn;
    return (char *)fn - (char *)info.dli_fbase;
}

/* A raw mmap of @bytes by @fn, unmapped again. */
static int sup_mx_call(sup_mx_fn fn, size_t bytes)
{
    long p = fn(bytes);
    if (p < 0)
        return 1;
    munmap((void *)p, bytes);
    return 0;
}

static int sup_file_code(const char *lib, size_t bytes)
{
    int pause = getenv("SUP_MODEXEC_PAUSE") != NULL;
    sup_mx_fn loaded = NULL;
    long off = sup_mx_offset(lib, &loaded);
    int fd = open(lib, O_RDONLY);
    struct stat st;
    if (off < 0 || fd < 0 || fstat(fd, &st) < 0)
        return 1;
    char *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return 1;
    if (pause) {
        usleep(50000); /* seen read-only by a snapshot, then executable */
        if (syscall(SYS_mprotect, base, (size_t)st.st_size,
                    PROT_READ | PROT_EXEC) < 0)
            return 1;
        usleep(50000);
    } else if (mprotect(base, (size_t)st.st_size, PROT_READ | PROT_EXEC) < 0)
        return 1;
    fprintf(stderr, "lib %p\n", (void *)base);
    if (sup_mx_call((sup_mx_fn)(base + off), bytes) ||
        sup_mx_call(loaded, bytes))
        return 1;
    for (int i = 0; i < 3 && !pause; i++) /* made executable again and again */
        if (mprotect(base, (size_t)st.st_size, PROT_READ) < 0 ||
            mprotect(base, (size_t)st.st_size, PROT_READ | PROT_EXEC) < 0)
            return 1;
    printf("file code ran\n");
    return 0;
}

static int sup_jit(void)
{
    static const unsigned char code[] = {0xb8, 42, 0, 0, 0, 0xc3}; /* mov $42,%eax; ret */
    unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    memcpy(p, code, sizeof(code));
    for (int i = 0; i < 3; i++) /* W^X: written, then run, each time */
        if (mprotect(p, 4096, PROT_READ | PROT_WRITE) < 0 ||
            mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0)
            return 1;
    fprintf(stderr, "jit %p\n", (void *)p);
    int v = ((int (*)(void))(void *)p)();
    printf("jit code returned %d\n", v);
    return v != 42;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    size_t bytes = strtoul(argv[2], NULL, 0) << 20;
    for (int i = 0; i < 300; i++) {
        sup_kept = malloc(64 + (size_t)i); /* not optimised away */
        free(sup_kept);
    }
    if (sup_file_code(argv[1], bytes) || sup_jit())
        return 1;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        if (sup_vf_grow(bytes) == -1)
            _exit(3);
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || st != 0)
        return 1;
    printf("vfork child ran\n");
    return 0;
}
