/*
 * Running a CIE's and an FDE's call frame instructions up to one pc, to
 * get the row of the unwind table that applies there (DWARF 5 section 6.4,
 * with the GNU extensions of the LSB's .eh_frame). Called by pre_cfi.c when
 * the walk meets a return address it has no rule for yet.
 *
 * Only what the walk can use is kept exactly: the CFA as register +
 * offset, and for rbp, rsp and rip whether each is unchanged, undefined,
 * or saved at CFA + offset. Any other rule (saved in another register, an
 * expression, a value rule) is kept as "complex", which makes the walk hand
 * the stack to libunwind. Other registers' rules are parsed and dropped:
 * the walk never needs their values. An opcode this file does not know, a
 * remember/restore nesting deeper than STATE_MAX or a truncated program
 * gives no row at all.
 */
#include <string.h>

#include "pre_cfi.h"

#define STATE_MAX 8 /* DW_CFA_remember_state nesting kept */

/* DW_CFA_* opcodes; the first three carry an operand in their low 6 bits. */
enum {
    CFA_ADVANCE_LOC = 0x40,
    CFA_OFFSET = 0x80,
    CFA_RESTORE = 0xc0,
    CFA_NOP = 0x00,
    CFA_SET_LOC = 0x01,
    CFA_ADVANCE_LOC1 = 0x02,
    CFA_ADVANCE_LOC2 = 0x03,
    CFA_ADVANCE_LOC4 = 0x04,
    CFA_OFFSET_EXTENDED = 0x05,
    CFA_RESTORE_EXTENDED = 0x06,
    CFA_UNDEFINED = 0x07,
    CFA_SAME_VALUE = 0x08,
    CFA_REGISTER = 0x09,
    CFA_REMEMBER_STATE = 0x0a,
    CFA_RESTORE_STATE = 0x0b,
    CFA_DEF_CFA = 0x0c,
    CFA_DEF_CFA_REGISTER = 0x0d,
    CFA_DEF_CFA_OFFSET = 0x0e,
    CFA_DEF_CFA_EXPRESSION = 0x0f,
    CFA_EXPRESSION = 0x10,
    CFA_OFFSET_EXTENDED_SF = 0x11,
    CFA_DEF_CFA_SF = 0x12,
    CFA_DEF_CFA_OFFSET_SF = 0x13,
    CFA_VAL_OFFSET = 0x14,
    CFA_VAL_OFFSET_SF = 0x15,
    CFA_VAL_EXPRESSION = 0x16,
    CFA_GNU_ARGS_SIZE = 0x2e,
    CFA_GNU_NEGATIVE_OFFSET_EXTENDED = 0x2f,
};

/* The interpreter's state while it runs one instruction sequence. */
struct run {
    const struct pre_cfi_fde *f;
    struct pre_cfi_cur c;
    uintptr_t pc;  /* the address whose row is wanted */
    uintptr_t loc; /* the address the current row starts at */
    int done;      /* the next row starts beyond pc */
    struct pre_cfi_row *row;
    const struct pre_cfi_row *init; /* after the CIE: for DW_CFA_restore */
    struct pre_cfi_row saved[STATE_MAX];
    int depth;
};

/* A factored offset times the data alignment factor, wrapping as the
 * unsigned product does (a corrupt table must not overflow a signed one;
 * the walk rejects offsets that make no sense). */
static int64_t factored(uint64_t v, int64_t factor)
{
    return (int64_t)(v * (uint64_t)factor);
}

/* The column of @reg in @row; NULL for a register the walk does not use. */
static struct pre_cfi_reg *column(struct pre_cfi_row *row, uint64_t reg)
{
    switch (reg) {
    case CFI_RBP:
        return &row->rbp;
    case CFI_RSP:
        return &row->rsp;
    case CFI_RIP:
        return &row->ra;
    default:
        return NULL;
    }
}

static void set_reg(struct run *r, uint64_t reg, uint8_t how, int64_t off)
{
    struct pre_cfi_reg *col = column(r->row, reg);

    if (col != NULL)
        *col = (struct pre_cfi_reg){how, 0, off};
}

/* DW_CFA_restore: back to the rule the CIE left (the CIE's own
 * instructions have none to go back to: unchanged). */
static void restore_reg(struct run *r, uint64_t reg)
{
    struct pre_cfi_row from = {0}; /* CFI_SAME everywhere */
    struct pre_cfi_reg *col = column(r->row, reg);

    if (r->init != NULL)
        from = *r->init;
    if (col != NULL)
        *col = *column(&from, reg);
}

/* Move to the row starting at @loc, or stop if it starts beyond pc. */
static void move_to(struct run *r, uintptr_t loc)
{
    if (loc > r->pc)
        r->done = 1;
    else
        r->loc = loc;
}

static void advance(struct run *r, uint64_t delta)
{
    uint64_t d = delta * r->f->code_align;

    if (d > r->pc - r->loc)
        r->done = 1;
    else
        r->loc += d;
}

static void def_cfa(struct run *r, uint64_t reg, int64_t off)
{
    r->row->cfa = (struct pre_cfi_reg){CFI_REG, (uint8_t)reg, off};
    if (reg > CFI_RIP)
        r->row->cfa.how = CFI_COMPLEX;
}

/* Skip a DWARF expression block: the walk does not evaluate them. */
static void skip_block(struct run *r)
{
    pre_cfi_skip(&r->c, pre_cfi_uleb(&r->c));
}

static int remember(struct run *r)
{
    if (r->depth == STATE_MAX)
        return -1;
    r->saved[r->depth++] = *r->row;
    return 0;
}

static int restore_state(struct run *r)
{
    if (r->depth == 0)
        return -1;
    *r->row = r->saved[--r->depth];
    return 0;
}

/* The opcodes with an operand in their low 6 bits. */
static void op_packed(struct run *r, uint8_t op)
{
    uint8_t low = op & 0x3f;

    switch (op & 0xc0) {
    case CFA_ADVANCE_LOC:
        advance(r, low);
        break;
    case CFA_OFFSET:
        set_reg(r, low, CFI_OFFSET,
                factored(pre_cfi_uleb(&r->c), r->f->data_align));
        break;
    default: /* CFA_RESTORE */
        restore_reg(r, low);
    }
}

/* The opcodes that set a register's rule. Returns -1 if @op is not one. */
static int op_reg(struct run *r, uint8_t op)
{
    int64_t da = r->f->data_align;
    uint64_t reg;

    switch (op) {
    case CFA_OFFSET_EXTENDED:
        reg = pre_cfi_uleb(&r->c);
        set_reg(r, reg, CFI_OFFSET, factored(pre_cfi_uleb(&r->c), da));
        return 0;
    case CFA_OFFSET_EXTENDED_SF:
        reg = pre_cfi_uleb(&r->c);
        set_reg(r, reg, CFI_OFFSET, factored((uint64_t)pre_cfi_sleb(&r->c), da));
        return 0;
    case CFA_GNU_NEGATIVE_OFFSET_EXTENDED:
        reg = pre_cfi_uleb(&r->c);
        set_reg(r, reg, CFI_OFFSET, factored(0 - pre_cfi_uleb(&r->c), da));
        return 0;
    case CFA_RESTORE_EXTENDED:
        restore_reg(r, pre_cfi_uleb(&r->c));
        return 0;
    case CFA_UNDEFINED:
        set_reg(r, pre_cfi_uleb(&r->c), CFI_UNDEF, 0);
        return 0;
    case CFA_SAME_VALUE:
        set_reg(r, pre_cfi_uleb(&r->c), CFI_SAME, 0);
        return 0;
    default:
        return -1;
    }
}

/* The opcodes that give a register a rule the walk cannot follow. */
static int op_complex(struct run *r, uint8_t op)
{
    uint64_t reg;

    switch (op) {
    case CFA_REGISTER:
    case CFA_VAL_OFFSET:
        reg = pre_cfi_uleb(&r->c);
        pre_cfi_uleb(&r->c);
        break;
    case CFA_VAL_OFFSET_SF:
        reg = pre_cfi_uleb(&r->c);
        pre_cfi_sleb(&r->c);
        break;
    case CFA_EXPRESSION:
    case CFA_VAL_EXPRESSION:
        reg = pre_cfi_uleb(&r->c);
        skip_block(r);
        break;
    default:
        return -1;
    }
    set_reg(r, reg, CFI_COMPLEX, 0);
    return 0;
}

/* The opcodes that define the CFA. */
static int op_cfa(struct run *r, uint8_t op)
{
    int64_t da = r->f->data_align;
    uint64_t reg;

    switch (op) {
    case CFA_DEF_CFA:
        reg = pre_cfi_uleb(&r->c);
        def_cfa(r, reg, (int64_t)pre_cfi_uleb(&r->c));
        return 0;
    case CFA_DEF_CFA_SF:
        reg = pre_cfi_uleb(&r->c);
        def_cfa(r, reg, factored((uint64_t)pre_cfi_sleb(&r->c), da));
        return 0;
    case CFA_DEF_CFA_REGISTER:
        def_cfa(r, pre_cfi_uleb(&r->c), r->row->cfa.off);
        return 0;
    case CFA_DEF_CFA_OFFSET:
        r->row->cfa.off = (int64_t)pre_cfi_uleb(&r->c);
        return 0;
    case CFA_DEF_CFA_OFFSET_SF:
        r->row->cfa.off = factored((uint64_t)pre_cfi_sleb(&r->c), da);
        return 0;
    case CFA_DEF_CFA_EXPRESSION:
        skip_block(r);
        r->row->cfa.how = CFI_COMPLEX;
        return 0;
    default:
        return -1;
    }
}

/* The opcodes that move to a later row, or do nothing to the row. */
static int op_other(struct run *r, uint8_t op)
{
    switch (op) {
    case CFA_NOP:
        return 0;
    case CFA_SET_LOC:
        move_to(r, pre_cfi_ptr(&r->c, r->f->fde_enc, 0));
        return 0;
    case CFA_ADVANCE_LOC1:
        advance(r, pre_cfi_u8(&r->c));
        return 0;
    case CFA_ADVANCE_LOC2:
        advance(r, pre_cfi_u16(&r->c));
        return 0;
    case CFA_ADVANCE_LOC4:
        advance(r, pre_cfi_u32(&r->c));
        return 0;
    case CFA_REMEMBER_STATE:
        return remember(r);
    case CFA_RESTORE_STATE:
        return restore_state(r);
    case CFA_GNU_ARGS_SIZE:
        pre_cfi_uleb(&r->c);
        return 0;
    default:
        return -1;
    }
}

/* Run the instructions in [@p, @end) until the row covering pc is built. */
static int run_seq(struct run *r, const uint8_t *p, const uint8_t *end)
{
    r->c = (struct pre_cfi_cur){p, end, 0};
    while (!r->done && r->c.p < r->c.end) {
        uint8_t op = (uint8_t)pre_cfi_u8(&r->c);

        if (op & 0xc0)
            op_packed(r, op);
        else if (op_reg(r, op) != 0 && op_complex(r, op) != 0 &&
                 op_cfa(r, op) != 0 && op_other(r, op) != 0)
            return -1;
        if (r->c.bad)
            return -1;
    }
    return 0;
}

/**
 * pre_cfi_run() - the unwind table's row at @pc.
 * @f: the FDE covering @pc, with its CIE's facts (pre_cfi.c).
 * @pc: the address (for a return address, the one before it: the call).
 * @row: receives the row.
 *
 * Return: 0, or -1 if the instructions could not be run (unknown opcode,
 * truncated, nesting too deep).
 */
int pre_cfi_run(const struct pre_cfi_fde *f, uintptr_t pc,
                struct pre_cfi_row *row)
{
    struct run r = {.f = f, .pc = pc, .loc = f->pc_begin, .row = row};
    struct pre_cfi_row init;

    memset(row, 0, sizeof(*row)); /* CFI_SAME everywhere */
    row->cfa.how = CFI_COMPLEX;   /* until the CIE defines it */
    if (run_seq(&r, f->cie_ins, f->cie_end) != 0)
        return -1;
    init = *row;
    r.init = &init;
    r.depth = 0;
    r.done = 0;
    return run_seq(&r, f->fde_ins, f->fde_end);
}
