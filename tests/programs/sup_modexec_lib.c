/*
 * sup_modexec_lib.c - code sup_modexec runs from a plain file mapping of
 * this library (not loaded by the dynamic loader, so nothing is relocated):
 * one function, no calls through the PLT and no data, that asks the kernel
 * for an anonymous mapping with a raw syscall instruction.
 */
#include <stddef.h>
#include <sys/syscall.h>

long sup_mx_map(size_t bytes);

long sup_mx_map(size_t bytes)
{
    register long r10 __asm__("r10") = 0x22; /* MAP_PRIVATE | MAP_ANONYMOUS */
    register long r8 __asm__("r8") = -1;
    register long r9 __asm__("r9") = 0;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_mmap), "D"(0L), "S"(bytes), "d"(3L),
                       "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
