/*
 * The shim's reader of DWARF call frame information (.eh_frame), shared by
 * pre_cfi.c (finding a pc's FDE and CIE), pre_cfi_run.c (running the CFA
 * program to a pc) and pre_cfi_read.c (the bounded byte reader). Nothing
 * here allocates or takes a lock: it runs inside allocator calls and
 * signal handlers.
 */
#ifndef MMSIM_PRE_CFI_H
#define MMSIM_PRE_CFI_H

#include <stdint.h>

#include "pre_internal.h"

/* DW_EH_PE_*: how a pointer is encoded in .eh_frame and .eh_frame_hdr
 * (the LSB's "Exception Frames"): a value format in the low nibble, what
 * it is relative to in bits 4-6, indirection in bit 7. */
#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_ABSPTR 0x00
#define PE_ULEB128 0x01
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SLEB128 0x09
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_APPL 0x70
#define PE_PCREL 0x10
#define PE_DATAREL 0x30
#define PE_INDIRECT 0x80

/* x86-64 DWARF register numbers the walk follows. */
#define CFI_RBP 6
#define CFI_RSP 7
#define CFI_RIP 16

/* A bounded reader: every read checks against end; a read past it sets
 * bad and returns 0, so a corrupt table yields "no rule", never a stray
 * load. */
struct pre_cfi_cur {
    const uint8_t *p;
    const uint8_t *end;
    int bad;
};

/* One FDE with what its CIE says, ready to run (pre_cfi_run.c). */
struct pre_cfi_fde {
    uintptr_t pc_begin, pc_end;
    const uint8_t *cie_ins, *cie_end; /* the CIE's initial instructions */
    const uint8_t *fde_ins, *fde_end; /* the FDE's instructions */
    uint64_t code_align;
    int64_t data_align;
    uint32_t ra_col;   /* return-address column (16 on x86-64) */
    uint8_t fde_enc;   /* pointer encoding of DW_CFA_set_loc operands */
    uint8_t signal;    /* 'S' augmentation: a signal trampoline */
    uint8_t aug_z;     /* 'z' augmentation: FDEs carry augmentation data */
};

/* How a register (or the CFA) is recovered in one row. */
enum pre_cfi_how {
    CFI_SAME,   /* unchanged (also: never mentioned) */
    CFI_UNDEF,  /* undefined: for the return address, the outermost frame */
    CFI_OFFSET, /* saved at CFA + off */
    CFI_REG,    /* CFA only: register reg + off */
    CFI_COMPLEX /* anything else (another register, an expression) */
};

struct pre_cfi_reg {
    uint8_t how;  /* enum pre_cfi_how */
    uint8_t reg;  /* CFI_REG: the register */
    int64_t off;
};

/* The row of the unwind table at one pc, for the columns the walk uses
 * (the others are parsed and dropped: a CFA defined through one of them
 * is "complex" anyway). */
struct pre_cfi_row {
    struct pre_cfi_reg cfa;
    struct pre_cfi_reg rbp, rsp, ra;
};

/* ---- preload/pre_cfi.c ---- */
PRE_HIDDEN void pre_cfi_rule_in(const uint8_t *hdr, const uint8_t *start,
                                const uint8_t *end, uintptr_t addr,
                                struct pre_rule *r);

/* ---- preload/pre_cfi_read.c ---- */
PRE_HIDDEN uint64_t pre_cfi_u8(struct pre_cfi_cur *c);
PRE_HIDDEN uint64_t pre_cfi_u16(struct pre_cfi_cur *c);
PRE_HIDDEN uint64_t pre_cfi_u32(struct pre_cfi_cur *c);
PRE_HIDDEN uint64_t pre_cfi_u64(struct pre_cfi_cur *c);
PRE_HIDDEN uint64_t pre_cfi_uleb(struct pre_cfi_cur *c);
PRE_HIDDEN int64_t pre_cfi_sleb(struct pre_cfi_cur *c);
PRE_HIDDEN uintptr_t pre_cfi_ptr(struct pre_cfi_cur *c, uint8_t enc, uintptr_t datarel);
PRE_HIDDEN void pre_cfi_skip(struct pre_cfi_cur *c, uint64_t n);

/* ---- preload/pre_cfi_run.c ---- */
PRE_HIDDEN int pre_cfi_run(const struct pre_cfi_fde *f, uintptr_t pc,
                       struct pre_cfi_row *row);

#endif /* MMSIM_PRE_CFI_H */
