/*
 * Finding and patching glibc's memory-syscall sites for the fast path
 * (pre_fastpath.c).
 *
 * For each of glibc's mmap64, munmap, mprotect, madvise, mremap and brk the
 * function body (its size from the dynamic symbol table) must contain
 * exactly one "mov $NR,%eax; syscall" (b8 NR 00 00 00 0f 05) followed by
 * the instruction glibc 2.3x wrappers put there (cmp on rax; brk stores
 * __curbrk). Anything else — another libc build, a function already
 * patched by someone else — and that function is left alone: the
 * supervisor keeps tracing it.
 *
 * Only the 5-byte mov is replaced, by "jmp rel32" to a trampoline in this
 * library (pre_tramp.S), which resumes after the syscall instruction. So
 * a thread that was already past the mov, or blocked inside the syscall,
 * is unaffected (its call is traced), and the write never leaves a
 * half-written instruction in the path of another thread: while the
 * process is single-threaded the bytes are written directly; otherwise only
 * sites whose 5 bytes lie in one aligned 8- or 16-byte block are patched,
 * with one atomic store (mov / lock cmpxchg16b).
 *
 * The text is made writable with one mprotect pair spanning all sites
 * (PROT_READ|PROT_WRITE|PROT_EXEC, as other threads may be executing it);
 * a W^X policy that refuses this leaves everything unpatched.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "pre_fastpath.h"

struct target {
    const char *name;
    uint32_t nr;
    uint32_t type;
    const char *tail; /* bytes expected right after the syscall */
    size_t tail_len;
};

static const struct target targets[] = {
    {"mmap64", SYS_mmap, TR_EV_MMAP, "\x48\x3d", 2},
    {"munmap", SYS_munmap, TR_EV_MUNMAP, "\x48\x3d", 2},
    {"mprotect", SYS_mprotect, TR_EV_MPROTECT, "\x48\x3d", 2},
    {"madvise", SYS_madvise, TR_EV_MADVISE, "\x48\x3d", 2},
    {"mremap", SYS_mremap, TR_EV_MREMAP, "\x48\x3d", 2},
    {"brk", SYS_brk, TR_EV_BRK, "\x48\x8b\x15", 3},
};

extern void pre_fp_tramp0(void), pre_fp_tramp1(void), pre_fp_tramp2(void),
    pre_fp_tramp3(void), pre_fp_tramp4(void), pre_fp_tramp5(void),
    pre_fp_tramp6(void), pre_fp_tramp7(void);
static void (*const tramps[PRE_FP_MAX_SITES])(void) = {
    pre_fp_tramp0, pre_fp_tramp1, pre_fp_tramp2, pre_fp_tramp3,
    pre_fp_tramp4, pre_fp_tramp5, pre_fp_tramp6, pre_fp_tramp7,
};

/* The one matching site in @fn's body, or NULL. */
static uint8_t *find_site(void *fn, const struct target *t)
{
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    uint8_t *p = fn, *found = NULL;
    uint8_t sig[7] = {0xb8, (uint8_t)t->nr, 0, 0, 0, 0x0f, 0x05};

    if (dladdr1(fn, &info, (void **)&sym, RTLD_DL_SYMENT) == 0 ||
        sym == NULL || sym->st_size < sizeof(sig) || sym->st_size > 1024)
        return NULL;
    for (size_t i = 0; i + sizeof(sig) + t->tail_len <= sym->st_size; i++) {
        if (memcmp(p + i, sig, sizeof(sig)) != 0 ||
            memcmp(p + i + sizeof(sig), t->tail, t->tail_len) != 0)
            continue;
        if (found != NULL)
            return NULL; /* two sites: not the wrapper we know */
        found = p + i;
    }
    return found;
}

static int rel32_of(const uint8_t *site, int k, int32_t *rel)
{
    intptr_t d = (intptr_t)tramps[k] - (intptr_t)(site + 5);

    if (d < INT32_MIN || d > INT32_MAX)
        return -1;
    *rel = (int32_t)d;
    return 0;
}

static void cmpxchg16(uint8_t *block, const uint8_t *want)
{
    uint64_t lo, hi, nlo, nhi;

    memcpy(&lo, block, 8);
    memcpy(&hi, block + 8, 8);
    memcpy(&nlo, want, 8);
    memcpy(&nhi, want + 8, 8);
    __asm__ volatile("lock cmpxchg16b %0"
                     : "+m"(*(unsigned __int128 *)block), "+a"(lo), "+d"(hi)
                     : "b"(nlo), "c"(nhi)
                     : "memory", "cc");
}

/* Write the jump; returns 0 on success, -1 if it cannot be done safely. */
static int write_jump(uint8_t *site, int32_t rel, int single)
{
    uint8_t jmp[5] = {0xe9};
    uintptr_t a = (uintptr_t)site;

    memcpy(jmp + 1, &rel, 4);
    if (single) {
        memcpy(site, jmp, 5);
    } else if ((a & 7) + 5 <= 8) {
        uint64_t w, *blk = (uint64_t *)(a & ~(uintptr_t)7);

        memcpy(&w, blk, 8);
        memcpy((uint8_t *)&w + (a & 7), jmp, 5);
        __atomic_store_n(blk, w, __ATOMIC_SEQ_CST);
    } else if ((a & 15) + 5 <= 16) {
        uint8_t buf[16], *blk = (uint8_t *)(a & ~(uintptr_t)15);

        memcpy(buf, blk, 16);
        memcpy(buf + (a & 15), jmp, 5);
        cmpxchg16(blk, buf);
    } else {
        return -1;
    }
    return 0;
}

/* Fill pre_fp_sites from libc; returns the number found. */
static int find_all(void *libc)
{
    int n = 0;

    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        void *fn = dlsym(libc, targets[i].name);
        uint8_t *site = fn ? find_site(fn, &targets[i]) : NULL;
        int32_t rel;

        if (site == NULL || n == PRE_FP_MAX_SITES || rel32_of(site, n, &rel))
            continue;
        pre_fp_sites[n] = (struct pre_fp_site){site, targets[i].nr,
                                               targets[i].type};
        pre_fp_resume[n] = (uint64_t)(uintptr_t)(site + 7);
        n++;
    }
    return n;
}

static int single_threaded(void *libc)
{
    const char *flag = dlsym(libc, "__libc_single_threaded");

    return flag != NULL && *flag != 0;
}

/**
 * pre_fp_patch_all() - redirect glibc's memory-syscall sites to the shim.
 *
 * Return: the number of sites patched (0: none, the fast path stays off).
 */
int pre_fp_patch_all(void)
{
    void *libc = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    int n, single, done = 0;

    if (libc == NULL)
        return 0;
    n = find_all(libc);
    single = single_threaded(libc);
    dlclose(libc);
    for (int k = 0; k < n; k++) {
        uintptr_t a = (uintptr_t)pre_fp_sites[k].addr;
        lo = a < lo ? a : lo;
        hi = a + 5 > hi ? a + 5 : hi;
    }
    if (n == 0)
        return 0;
    lo &= ~(uintptr_t)4095;
    hi = (hi + 4095) & ~(uintptr_t)4095;
    if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
        return 0;
    for (int k = 0; k < n; k++) {
        int32_t rel;

        if (rel32_of(pre_fp_sites[k].addr, k, &rel) == 0 &&
            write_jump(pre_fp_sites[k].addr, rel, single) == 0)
            done++;
    }
    mprotect((void *)lo, hi - lo, PROT_READ | PROT_EXEC);
    return done;
}
