/*
 * A bounded reader of the encodings of .eh_frame and .eh_frame_hdr: fixed
 * and LEB128 integers, and pointers encoded as the LSB's DW_EH_PE_* values
 * describe. Used by pre_cfi.c and pre_cfi_run.c.
 *
 * Every read checks the cursor's end (the end of the object's mapping, or
 * of the CIE or FDE being read). A read past it marks the cursor bad and
 * returns 0; callers test c->bad once at the end of a sequence, so a
 * corrupt table gives "no rule" and the walk hands the stack to libunwind,
 * never a load outside the object.
 */
#include <string.h>

#include "pre_cfi.h"

static const uint8_t *take(struct pre_cfi_cur *c, uint64_t n)
{
    const uint8_t *p = c->p;

    if (c->bad || p > c->end || (uint64_t)(c->end - p) < n) {
        c->bad = 1;
        return NULL;
    }
    c->p += n;
    return p;
}

/**
 * pre_cfi_skip() - skip @n bytes.
 * @c: the cursor.
 * @n: bytes.
 */
void pre_cfi_skip(struct pre_cfi_cur *c, uint64_t n)
{
    take(c, n);
}

/** pre_cfi_u8() - one byte. @c: the cursor. Return: it, or 0 if bad. */
uint64_t pre_cfi_u8(struct pre_cfi_cur *c)
{
    const uint8_t *p = take(c, 1);

    return p ? *p : 0;
}

/* An @n-byte little-endian word (x86-64's byte order). */
static uint64_t fixed(struct pre_cfi_cur *c, uint64_t n)
{
    const uint8_t *p = take(c, n);
    uint64_t v = 0;

    if (p)
        memcpy(&v, p, n);
    return v;
}

/** pre_cfi_u16() - a 16-bit word. @c: the cursor. Return: it, or 0. */
uint64_t pre_cfi_u16(struct pre_cfi_cur *c)
{
    return fixed(c, 2);
}

/** pre_cfi_u32() - a 32-bit word. @c: the cursor. Return: it, or 0. */
uint64_t pre_cfi_u32(struct pre_cfi_cur *c)
{
    return fixed(c, 4);
}

/** pre_cfi_u64() - a 64-bit word. @c: the cursor. Return: it, or 0. */
uint64_t pre_cfi_u64(struct pre_cfi_cur *c)
{
    return fixed(c, 8);
}

/* A LEB128 number's bits; *@shift gets their count (a multiple of 7),
 * *@last its last byte. */
static uint64_t leb(struct pre_cfi_cur *c, unsigned *shift, uint64_t *last)
{
    uint64_t v = 0;

    *shift = 0;
    do {
        *last = pre_cfi_u8(c);
        if (*shift < 64)
            v |= (*last & 0x7f) << *shift;
        *shift += 7;
    } while ((*last & 0x80) && !c->bad);
    return v;
}

/** pre_cfi_uleb() - an unsigned LEB128. @c: the cursor. Return: it. */
uint64_t pre_cfi_uleb(struct pre_cfi_cur *c)
{
    unsigned shift;
    uint64_t last;

    return leb(c, &shift, &last);
}

/** pre_cfi_sleb() - a signed LEB128. @c: the cursor. Return: it. */
int64_t pre_cfi_sleb(struct pre_cfi_cur *c)
{
    unsigned shift;
    uint64_t last, v = leb(c, &shift, &last);

    if (shift < 64 && (last & 0x40))
        v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

/* The value of a pointer in format @fmt (the low nibble of DW_EH_PE_*). */
static uint64_t read_format(struct pre_cfi_cur *c, uint8_t fmt)
{
    switch (fmt) {
    case PE_ABSPTR:
    case PE_UDATA8:
    case PE_SDATA8:
        return pre_cfi_u64(c);
    case PE_ULEB128:
        return pre_cfi_uleb(c);
    case PE_UDATA2:
        return pre_cfi_u16(c);
    case PE_UDATA4:
        return pre_cfi_u32(c);
    case PE_SLEB128:
        return (uint64_t)pre_cfi_sleb(c);
    case PE_SDATA2:
        return (uint64_t)(int64_t)(int16_t)pre_cfi_u16(c);
    case PE_SDATA4:
        return (uint64_t)(int64_t)(int32_t)pre_cfi_u32(c);
    default:
        c->bad = 1;
        return 0;
    }
}

/**
 * pre_cfi_ptr() - a pointer encoded as @enc.
 * @c: the cursor.
 * @enc: DW_EH_PE_* (not DW_EH_PE_omit).
 * @datarel: the base of DW_EH_PE_datarel (the .eh_frame_hdr), or 0.
 *
 * Absolute, pc-relative and (with @datarel) data-relative pointers are
 * understood; text- and function-relative, aligned and indirect ones,
 * which GNU toolchains do not emit for x86-64 FDEs, mark the cursor bad.
 *
 * Return: the pointer, or 0 if bad.
 */
uintptr_t pre_cfi_ptr(struct pre_cfi_cur *c, uint8_t enc, uintptr_t datarel)
{
    uintptr_t at = (uintptr_t)c->p;
    uint64_t v = read_format(c, enc & PE_FORMAT);

    if (enc & PE_INDIRECT)
        c->bad = 1;
    switch (enc & PE_APPL) {
    case 0:
        break;
    case PE_PCREL:
        v += at;
        break;
    case PE_DATAREL:
        if (datarel == 0)
            c->bad = 1;
        v += datarel;
        break;
    default:
        c->bad = 1;
    }
    return c->bad ? 0 : (uintptr_t)v;
}
