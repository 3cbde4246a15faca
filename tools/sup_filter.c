/*
 * sup_filter.c - the seccomp BPF program of `mmsim record`.
 *
 * Verdicts depend on (arch, nr) only, except for clone (CLONE_VM in args[0])
 * and prctl (PR_SET_VMA), so the kernel's seccomp action cache lets every
 * other syscall skip the filter entirely:
 *   - any arch other than x86_64, and x32 numbers: TRACE (never silently
 *     allowed; the supervisor sees them and says it cannot decode them);
 *   - the memory syscalls (sup_mem_nrs): TRACE, or ALLOW when issued from the
 *     fast path's stub (the instruction-pointer hook, see sup_emit_fast());
 *   - fork, clone without CLONE_VM, clone3: TRACE, so that the copy of the
 *     address space is ordered with the parent's other memory syscalls;
 *     clone with CLONE_UNTRACED: TRACE, so the supervisor can clear that
 *     flag (an untraced child keeps the filter and, with no tracer, every
 *     memory syscall it makes would fail with ENOSYS);
 *   - execve, execveat: TRACE, so the supervisor knows when an exec may be
 *     dropping an address space whose pages other processes share (an
 *     exit's real figures are read only when none is under way);
 *   - prctl(PR_SET_VMA, ...): TRACE (names anonymous VMAs);
 *   - exit_group: TRACE, so a process exits only once no other thread of it
 *     is inside a traced memory syscall (the group exit kills the others,
 *     and a killed thread's syscall-exit stop is never reported);
 *   - everything else: ALLOW.
 * TRACE with no tracer fails the syscall with ENOSYS, which is why the
 * supervisor seizes the child with PTRACE_O_EXITKILL before the filter goes in.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sup.h"

#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef SYS_map_shadow_stack
#define SYS_map_shadow_stack 453
#endif
#ifndef SYS_mseal
#define SYS_mseal 462
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif

#define X32_SYSCALL_BIT 0x40000000u

/* The memory syscalls: each one changes or queries the address space or
 * the memory policy of the caller. */
static const int sup_mem_nrs[] = {
    SYS_mmap, SYS_mprotect, SYS_munmap, SYS_brk, SYS_mremap, SYS_madvise,
    SYS_shmget, SYS_shmat, SYS_shmdt, SYS_mlock, SYS_munlock, SYS_mlockall,
    SYS_munlockall, SYS_remap_file_pages, SYS_mbind, SYS_set_mempolicy,
    SYS_migrate_pages, SYS_mlock2, SYS_pkey_mprotect, SYS_process_madvise,
    SYS_map_shadow_stack, SYS_mseal,
};
#define NR_MEM (sizeof(sup_mem_nrs) / sizeof(sup_mem_nrs[0]))

enum { L_NEXT = -1, L_TRACE, L_ALLOW, L_MEM, L_CLONE, L_PRCTL, L_COUNT };

/* An instruction with symbolic jump targets, resolved by sup_resolve(). */
struct sup_insn {
    uint16_t code;
    uint32_t k;
    int jt, jf;  /* label or L_NEXT */
    int label;   /* label defined at this instruction, or L_NEXT */
};

struct sup_prog {
    struct sup_insn in[96];
    int n;
    int pending_label;
};

static void sup_op(struct sup_prog *p, uint16_t code, uint32_t k, int jt,
                   int jf)
{
    p->in[p->n] = (struct sup_insn){code, k, jt, jf, p->pending_label};
    p->pending_label = L_NEXT;
    p->n++;
}

static void sup_label(struct sup_prog *p, int label)
{
    p->pending_label = label;
}

#define LD_W(off) sup_op(p, BPF_LD | BPF_W | BPF_ABS, (off), L_NEXT, L_NEXT)
#define DATA_OFF(field) ((uint32_t)offsetof(struct seccomp_data, field))

/* The fast path's hook: a memory syscall from [lo, hi) is allowed. The range
 * must not cross a 4 GiB boundary (one compare of the high word). */
static void sup_emit_fast(struct sup_prog *p, const struct sup_ip_range *r)
{
    if (r && r->lo < r->hi && (r->lo >> 32) == ((r->hi - 1) >> 32)) {
        LD_W(DATA_OFF(instruction_pointer) + 4);
        sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(r->lo >> 32), L_NEXT,
               L_TRACE);
        LD_W(DATA_OFF(instruction_pointer));
        sup_op(p, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)r->lo, L_NEXT, L_TRACE);
        sup_op(p, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)r->hi, L_TRACE,
               L_ALLOW);
    }
    sup_op(p, BPF_JMP | BPF_JA, 0, L_TRACE, L_TRACE);
}

static void sup_emit_body(struct sup_prog *p, const struct sup_ip_range *fast)
{
    LD_W(DATA_OFF(arch));
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, L_NEXT, L_TRACE);
    LD_W(DATA_OFF(nr));
    sup_op(p, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, L_TRACE, L_NEXT);
    for (size_t i = 0; i < NR_MEM; i++)
        sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)sup_mem_nrs[i], L_MEM,
               L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, L_CLONE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, L_TRACE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_fork, L_TRACE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, L_TRACE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, L_TRACE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, L_TRACE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, L_PRCTL, L_ALLOW);
    sup_label(p, L_CLONE);
    LD_W(DATA_OFF(args[0]));
    sup_op(p, BPF_JMP | BPF_JSET | BPF_K, CLONE_UNTRACED, L_TRACE, L_NEXT);
    sup_op(p, BPF_JMP | BPF_JSET | BPF_K, CLONE_VM, L_ALLOW, L_TRACE);
    sup_label(p, L_PRCTL);
    LD_W(DATA_OFF(args[0]));
    sup_op(p, BPF_JMP | BPF_JEQ | BPF_K, PR_SET_VMA, L_TRACE, L_ALLOW);
    sup_label(p, L_MEM);
    sup_emit_fast(p, fast);
    sup_label(p, L_TRACE);
    sup_op(p, BPF_RET | BPF_K, SECCOMP_RET_TRACE, L_NEXT, L_NEXT);
    sup_label(p, L_ALLOW);
    sup_op(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, L_NEXT, L_NEXT);
}

static int sup_target(const struct sup_prog *p, int i, int label)
{
    if (label == L_NEXT)
        return 0;
    for (int j = i + 1; j < p->n; j++)
        if (p->in[j].label == label)
            return j - i - 1 <= 255 ? j - i - 1 : -1;
    return -1;
}

/* Turn labels into BPF's relative forward jumps. */
static int sup_resolve(const struct sup_prog *p, struct sock_filter *out)
{
    for (int i = 0; i < p->n; i++) {
        const struct sup_insn *in = &p->in[i];
        int jt = sup_target(p, i, in->jt), jf = sup_target(p, i, in->jf);
        if (jt < 0 || jf < 0)
            return -EINVAL;
        out[i] = (struct sock_filter){in->code, (uint8_t)jt, (uint8_t)jf,
                                      in->k};
        if (in->code == (BPF_JMP | BPF_JA))
            out[i] = (struct sock_filter){in->code, 0, 0, (uint32_t)jt};
    }
    return 0;
}

/**
 * sup_filter_install() - install the recorder's seccomp filter on the caller.
 * @fast: the fast path's allowed instruction-pointer range, or NULL.
 *
 * Called in the child between PTRACE_SEIZE and exec. Without CAP_SYS_ADMIN
 * the kernel requires no_new_privs first, which also means set-user-ID
 * programs run without their privilege; as root the filter goes in without it.
 *
 * Return: 0, or a negative errno.
 */
int sup_filter_install(const struct sup_ip_range *fast)
{
    struct sup_prog p = {.n = 0, .pending_label = L_NEXT};
    struct sock_filter code[96];
    sup_emit_body(&p, fast);
    if (sup_resolve(&p, code) < 0)
        return -EINVAL;
    struct sock_fprog prog = {.len = (unsigned short)p.n, .filter = code};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
        return 0;
    if (errno != EACCES)
        return -errno;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        return -errno;
    return 0;
}

/**
 * sup_filter_is_traced() - whether @nr (x86_64) is one of the memory syscalls.
 * @nr: syscall number.
 *
 * Return: 1 for a memory syscall the filter sends to the supervisor, else 0.
 */
int sup_filter_is_traced(long nr)
{
    for (size_t i = 0; i < NR_MEM; i++)
        if (sup_mem_nrs[i] == nr)
            return 1;
    return 0;
}
