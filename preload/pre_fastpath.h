/*
 * Shared between the fast-path files (pre_fastpath.c, pre_fastpath_patch.c)
 * and the trampolines (pre_tramp.S).
 */
#ifndef MMSIM_PRE_FASTPATH_H
#define MMSIM_PRE_FASTPATH_H

#include <stdint.h>

#include "pre_internal.h"

#define PRE_FP_MAX_SITES 8

/* Registers saved by pre_fp_common (pre_tramp.S), in stack order. */
struct pre_fp_frame {
    uint64_t r9, r8, r10, rdx, rsi, rdi;
    uint64_t idx; /* which site (and trampoline) */
};

/* One patched syscall site: "mov $nr,%eax" at addr, "syscall" at addr+5. */
struct pre_fp_site {
    uint8_t *addr;
    uint32_t nr;
    uint32_t type; /* enum tr_ev_type */
};

/* ---- preload/pre_fastpath.c ---- */
PRE_HIDDEN extern uint64_t pre_fp_resume[PRE_FP_MAX_SITES];
PRE_HIDDEN extern struct pre_fp_site pre_fp_sites[PRE_FP_MAX_SITES];

/* ---- preload/pre_fastpath_patch.c ---- */
PRE_HIDDEN int pre_fp_patch_all(void);

#endif /* MMSIM_PRE_FASTPATH_H */
