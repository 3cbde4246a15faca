/*
 * The unwind rule at a code address, from the DWARF call frame information
 * the object carries in .eh_frame: what the stack walk (pre_stack_walk.c)
 * learns once per return address, without libunwind.
 *
 * Finding the FDE: _dl_find_object (glibc 2.35+) gives the object and its
 * PT_GNU_EH_FRAME segment (.eh_frame_hdr) without a lock, so this works
 * inside allocator calls and signal handlers, and before glibc has
 * finished starting (it then searches the link maps). The header's sorted
 * table (initial location, FDE) is binary-searched; the FDE and its CIE
 * are parsed (pre_cfi_read.c) and their instructions run up to the
 * address (pre_cfi_run.c). The row found is turned into a struct pre_rule
 * if it has one of the shapes GCC and Clang give x86-64 call sites:
 *
 *   CFA = rsp + k or rbp + k, return address at CFA - 8, rbp unchanged or
 *   saved at CFA + n, rsp unchanged                   -> PRE_RULE_SP / _BP
 *   return address or rbp undefined (_start, thread start, __start_context)
 *                                                      -> PRE_RULE_END
 *   anything else, also a CIE with the 'S' augmentation (a signal
 *   trampoline: the walk leaves those stacks to libunwind)
 *                                                      -> PRE_RULE_OTHER
 *
 * These are the cases libunwind's unw_step treats the same way (it ends the
 * chain on an undefined return address or rbp, src/x86_64/Gstep.c), which
 * is what MMSIM_STACK_CHECK=1 (tests/preload/stack_check.sh) compares with;
 * tests/fuzz/fuzz_cfi.c feeds the reader arbitrary bytes.
 * Reads stay inside the object's mapping; a table that does not parse
 * gives PRE_RULE_OTHER. Not handled (PRE_RULE_OTHER, the stack goes to
 * libunwind): objects without .eh_frame_hdr or with an unsorted one, code
 * without CFI (JIT compilers), CFAs computed by expressions (stack
 * realignment through a DRAP register), .debug_frame.
 */
#include <dlfcn.h>
#include <string.h>

#include "pre_cfi.h"

/* The table encoding GNU ld and lld write in .eh_frame_hdr. */
#define HDR_TABLE_ENC (PE_DATAREL | PE_SDATA4)

/* Binary search of .eh_frame_hdr at @hdr for the FDE that may cover @pc. */
static const uint8_t *search_hdr(const uint8_t *hdr, const uint8_t *end,
                                 uintptr_t pc)
{
    struct pre_cfi_cur c = {hdr, end, 0};
    uint8_t version = (uint8_t)pre_cfi_u8(&c);
    uint8_t ptr_enc = (uint8_t)pre_cfi_u8(&c);
    uint8_t count_enc = (uint8_t)pre_cfi_u8(&c);
    uint8_t table_enc = (uint8_t)pre_cfi_u8(&c);
    uint64_t lo = 0, hi;
    int32_t e[2];

    if (version != 1 || count_enc == PE_OMIT || table_enc != HDR_TABLE_ENC)
        return NULL;
    if (ptr_enc != PE_OMIT)
        pre_cfi_ptr(&c, ptr_enc, (uintptr_t)hdr);
    hi = pre_cfi_ptr(&c, count_enc, (uintptr_t)hdr);
    if (c.bad || hi == 0 || (uint64_t)(end - c.p) / sizeof(e) < hi)
        return NULL;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;

        memcpy(e, c.p + mid * sizeof(e), sizeof(e));
        if ((uintptr_t)hdr + (intptr_t)e[0] <= pc)
            lo = mid;
        else
            hi = mid;
    }
    memcpy(e, c.p + lo * sizeof(e), sizeof(e));
    if ((uintptr_t)hdr + (intptr_t)e[0] > pc)
        return NULL;
    return hdr + e[1];
}

/* A CIE or FDE's length field: @rec gets its body. */
static void record(struct pre_cfi_cur *c, struct pre_cfi_cur *rec)
{
    uint64_t len = pre_cfi_u32(c);

    if (len == 0xffffffff)
        len = pre_cfi_u64(c);
    if (len == 0 || (uint64_t)(c->end - c->p) < len)
        c->bad = 1;
    *rec = (struct pre_cfi_cur){c->p, c->bad ? c->p : c->p + len, c->bad};
}

/* The augmentation data a 'z' CIE announces: the FDE pointer encoding,
 * and whether it describes a signal trampoline. */
static void cie_augmentation(struct pre_cfi_cur *c, const char *aug,
                             struct pre_cfi_fde *f)
{
    uint64_t len = pre_cfi_uleb(c);
    const uint8_t *next = c->p + len;

    if ((uint64_t)(c->end - c->p) < len) {
        c->bad = 1;
        return;
    }
    for (const char *a = aug + 1; *a != 0 && !c->bad; a++) {
        if (*a == 'R') {
            f->fde_enc = (uint8_t)pre_cfi_u8(c);
        } else if (*a == 'P') { /* personality: skip the pointer */
            uint8_t enc = (uint8_t)pre_cfi_u8(c);

            pre_cfi_ptr(c, enc & PE_FORMAT, 0);
        } else if (*a == 'L') {
            pre_cfi_u8(c);
        } else if (*a == 'S') {
            f->signal = 1;
        } else {
            break; /* unknown: the length lets us skip the rest */
        }
    }
    c->p = next;
}

/* Parse the CIE at @at into @f. Return: 0, or -1 (also for a CIE without
 * 'z' augmentation but with some other: its data cannot be skipped). */
static int parse_cie(const uint8_t *at, const uint8_t *end,
                     struct pre_cfi_fde *f)
{
    struct pre_cfi_cur c = {at, end, 0}, r;
    const char *aug;
    uint64_t version;

    record(&c, &r);
    if (pre_cfi_u32(&r) != 0)
        return -1; /* not a CIE */
    version = pre_cfi_u8(&r);
    aug = (const char *)r.p;
    while (pre_cfi_u8(&r) != 0 && !r.bad)
        ;
    if (r.bad)
        return -1; /* the augmentation string runs past the CIE */
    if (version == 4)
        pre_cfi_skip(&r, 2); /* address and segment selector sizes */
    f->code_align = pre_cfi_uleb(&r);
    f->data_align = pre_cfi_sleb(&r);
    f->ra_col = (uint32_t)(version == 1 ? pre_cfi_u8(&r) : pre_cfi_uleb(&r));
    f->fde_enc = PE_ABSPTR;
    f->aug_z = aug[0] == 'z';
    if (f->aug_z)
        cie_augmentation(&r, aug, f);
    else if (aug[0] != 0)
        return -1;
    f->cie_ins = r.p;
    f->cie_end = r.end;
    return r.bad || version < 1 || version > 4 ? -1 : 0;
}

/* Parse the FDE at @at, inside the object [@start, @end), into @f.
 * Return: 0, or -1. */
static int parse_fde(const uint8_t *at, const uint8_t *start,
                     const uint8_t *end, struct pre_cfi_fde *f)
{
    struct pre_cfi_cur c = {at, end, 0}, r;
    uintptr_t id_at;
    uint64_t id, range;

    if (at < start || at >= end)
        return -1;
    record(&c, &r);
    id_at = (uintptr_t)r.p;
    id = pre_cfi_u32(&r);
    if (r.bad || id == 0 || id_at - (uintptr_t)start < id)
        return -1; /* a CIE, or a CIE pointer leaving the object */
    if (parse_cie((const uint8_t *)(id_at - id), end, f) != 0)
        return -1;
    f->pc_begin = pre_cfi_ptr(&r, f->fde_enc, 0);
    range = pre_cfi_ptr(&r, f->fde_enc & PE_FORMAT, 0);
    f->pc_end = f->pc_begin + range;
    if (f->aug_z)
        pre_cfi_skip(&r, pre_cfi_uleb(&r));
    f->fde_ins = r.p;
    f->fde_end = r.end;
    return r.bad ? -1 : 0;
}

/* The rule a row gives, if it has one of the shapes the walk follows. */
static struct pre_rule classify(const struct pre_cfi_row *row)
{
    struct pre_rule r = {PRE_RULE_OTHER, PRE_RBP_UNCHANGED, 0};
    const struct pre_cfi_reg *cfa = &row->cfa, *bp = &row->rbp;

    if (cfa->how != CFI_REG || (cfa->reg != CFI_RSP && cfa->reg != CFI_RBP))
        return r;
    if (row->ra.how == CFI_UNDEF || bp->how == CFI_UNDEF)
        return (struct pre_rule){PRE_RULE_END, PRE_RBP_UNCHANGED, 0};
    if (row->ra.how != CFI_OFFSET || row->ra.off != -8 ||
        row->rsp.how != CFI_SAME || cfa->off < INT32_MIN ||
        cfa->off > INT32_MAX || (cfa->reg == CFI_RSP && cfa->off < 8))
        return r;
    if (bp->how == CFI_OFFSET && bp->off > -0x7fff && bp->off < 0x7fff)
        r.rbp_off = (int16_t)bp->off;
    else if (bp->how != CFI_SAME)
        return r;
    r.kind = cfa->reg == CFI_RSP ? PRE_RULE_SP : PRE_RULE_BP;
    r.cfa_off = (int32_t)cfa->off;
    return r;
}

/**
 * pre_cfi_rule_in() - the unwind rule at @addr, from the CFI of one object.
 * @hdr: its .eh_frame_hdr.
 * @start: the start of its mapping; every read stays in [@start, @end).
 * @end: the end of its mapping.
 * @addr: as for pre_cfi_rule().
 * @r: receives the rule (PRE_RULE_OTHER if none the walk can follow).
 *
 * Separate from the object lookup so that tests/fuzz can hand it any bytes.
 */
void pre_cfi_rule_in(const uint8_t *hdr, const uint8_t *start,
                     const uint8_t *end, uintptr_t addr, struct pre_rule *r)
{
    struct pre_cfi_fde f = {0};
    struct pre_cfi_row row;
    const uint8_t *fde;

    *r = (struct pre_rule){PRE_RULE_OTHER, PRE_RBP_UNCHANGED, 0};
    if (hdr < start || hdr >= end)
        return;
    fde = search_hdr(hdr, end, addr);
    if (fde == NULL || parse_fde(fde, start, end, &f) != 0 ||
        addr < f.pc_begin || addr >= f.pc_end || f.ra_col != CFI_RIP)
        return;
    if (!f.signal && pre_cfi_run(&f, addr, &row) == 0)
        *r = classify(&row);
}

/**
 * pre_cfi_rule() - the unwind rule at a code address, from its CFI.
 * @addr: the address: a return address minus one (inside the call, as for
 *        any caller frame), or the exact pc of a frame a signal
 *        interrupted.
 * @r: receives the rule (PRE_RULE_OTHER if the CFI has none the walk can
 *     follow).
 *
 * Async-signal-safe, allocates nothing.
 *
 * Return: 0, or -1 if no loaded object contains @addr (code made at run
 * time, or an object being loaded): @r is then PRE_RULE_OTHER but may
 * change later, so it should not be kept.
 */
int pre_cfi_rule(uintptr_t addr, struct pre_rule *r)
{
    struct dl_find_object obj;

    *r = (struct pre_rule){PRE_RULE_OTHER, PRE_RBP_UNCHANGED, 0};
    if (_dl_find_object((void *)addr, &obj) != 0)
        return -1;
    if (obj.dlfo_eh_frame != NULL)
        pre_cfi_rule_in(obj.dlfo_eh_frame, obj.dlfo_map_start,
                        obj.dlfo_map_end, addr, r);
    return 0;
}
