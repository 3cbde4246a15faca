/*
 * Fast-path trampolines (see pre_fastpath.c). A patched glibc syscall site
 * "mov $NR,%eax; syscall" has its mov replaced by "jmp pre_fp_tramp<k>".
 * At that point the syscall arguments are in rdi, rsi, rdx, r10, r8, r9.
 * The trampoline steps over the red zone, saves those registers, calls
 * pre_fp_dispatch(frame) with an aligned stack, restores them, and resumes
 * after the original syscall instruction with the result in rax. Like the
 * syscall instruction it replaces, it clobbers only rax, rcx and r11.
 *
 * Frame passed to pre_fp_dispatch (struct pre_fp_frame):
 *   r9, r8, r10, rdx, rsi, rdi, k
 */
    .text

#define TRAMP(k)                               \
    .globl pre_fp_tramp##k;                    \
    .hidden pre_fp_tramp##k;                   \
    .type pre_fp_tramp##k, @function;          \
pre_fp_tramp##k:                               \
    lea -128(%rsp), %rsp;                      \
    pushq $k;                                  \
    jmp pre_fp_common;                         \
    .size pre_fp_tramp##k, .-pre_fp_tramp##k

TRAMP(0)
TRAMP(1)
TRAMP(2)
TRAMP(3)
TRAMP(4)
TRAMP(5)
TRAMP(6)
TRAMP(7)

    .type pre_fp_common, @function
pre_fp_common:
    push %rdi
    push %rsi
    push %rdx
    push %r10
    push %r8
    push %r9
    push %rbx
    mov %rsp, %rbx
    and $-16, %rsp
    lea 8(%rbx), %rdi
    call pre_fp_dispatch
    mov %rbx, %rsp
    pop %rbx
    pop %r9
    pop %r8
    pop %r10
    pop %rdx
    pop %rsi
    pop %rdi
    pop %r11
    lea pre_fp_resume(%rip), %rcx
    mov (%rcx,%r11,8), %r11
    lea 128(%rsp), %rsp
    jmp *%r11
    .size pre_fp_common, .-pre_fp_common

    .section .note.GNU-stack,"",@progbits
