/*
 * sup_vmaset.c - a tools-side VMA tracker for `mmsim record --verify`.
 *
 * Keeps what /proc/PID/maps would show for one address space (range, prot,
 * shared/private, file offset, file identity, name) and applies the captured
 * events to it with the kernel's rules: MAP_FIXED replaces, munmap/mprotect
 * split, mremap moves/grows/shrinks, brk grows and shrinks the heap. It is
 * deliberately independent of the model (model/ simulates much more and is
 * what the verifier must not trust to check the capture).
 *
 * Kernel: mm/mmap.c, mm/vma.c, mm/mremap.c, mm/mprotect.c, fs/proc/task_mmu.c
 * (6.18). Simplified: VMAs are not merged here (the comparison normalises
 * both sides instead, see sup_vmacmp.c); invisible flags are kept only where
 * they change what maps shows later (MADV_DONTFORK decides what fork copies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sup.h"

#define SUP_PAGE 4096ull
#define PAGE_UP(x) (((x) + SUP_PAGE - 1) & ~(SUP_PAGE - 1))

/**
 * sup_vmaset_new() - an empty address space, one reference.
 *
 * Return: the set, or NULL when out of memory.
 */
struct sup_vmaset *sup_vmaset_new(void)
{
    struct sup_vmaset *s = calloc(1, sizeof(*s));
    if (s)
        s->refs = 1;
    return s;
}

/**
 * sup_vmaset_put() - drop a reference, freeing the set with the last one.
 * @s: the set, or NULL.
 */
void sup_vmaset_put(struct sup_vmaset *s)
{
    if (!s || --s->refs > 0)
        return;
    for (size_t i = 0; i < s->nr; i++)
        free(s->v[i].name);
    free(s->v);
    free(s);
}

static int sup_grow(struct sup_vmaset *s)
{
    if (s->nr < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 64;
    struct sup_vma *v = realloc(s->v, cap * sizeof(*v));
    if (!v)
        return -ENOMEM;
    s->v = v;
    s->cap = cap;
    return 0;
}

/* Index of the first VMA whose end is above @addr. */
static size_t sup_lower(const struct sup_vmaset *s, uint64_t addr)
{
    size_t lo = 0, hi = s->nr;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/**
 * sup_vmaset_find() - the VMA containing @addr.
 * @s: the set.
 * @addr: an address.
 *
 * Return: the VMA, or NULL if @addr is not mapped.
 */
const struct sup_vma *sup_vmaset_find(const struct sup_vmaset *s,
                                      uint64_t addr)
{
    size_t i = sup_lower(s, addr);
    return i < s->nr && s->v[i].start <= addr ? &s->v[i] : NULL;
}

static int sup_has_offset(const struct sup_vma *v)
{
    return v->kind == SUP_VMA_FILE || v->kind == SUP_VMA_SHMEM;
}

/* Make @addr a VMA boundary (kernel: __split_vma()). */
static int sup_split(struct sup_vmaset *s, uint64_t addr)
{
    size_t i = sup_lower(s, addr);
    if (i >= s->nr || s->v[i].start >= addr)
        return 0;
    if (sup_grow(s) < 0)
        return -ENOMEM;
    struct sup_vma hi = s->v[i];
    if (hi.name && !(hi.name = strdup(hi.name)))
        return -ENOMEM;
    if (sup_has_offset(&hi))
        hi.off += addr - hi.start;
    hi.start = addr;
    s->v[i].end = addr;
    memmove(&s->v[i + 2], &s->v[i + 1], (s->nr - i - 1) * sizeof(s->v[0]));
    s->v[i + 1] = hi;
    s->nr++;
    return 0;
}

/* Split at @start and @end; the VMAs inside are [*first, *last). */
static int sup_isolate(struct sup_vmaset *s, uint64_t start, uint64_t end,
                       size_t *first, size_t *last)
{
    if (sup_split(s, start) < 0 || sup_split(s, end) < 0)
        return -ENOMEM;
    *first = sup_lower(s, start);
    *last = sup_lower(s, end);
    if (*last < s->nr && s->v[*last].start < end)
        (*last)++;
    return 0;
}

/**
 * sup_vmaset_unmap() - remove [@start, @end) (kernel: do_vmi_munmap()).
 * @s: the set.
 * @start: page-aligned start.
 * @end: page-aligned end.
 *
 * Return: 0, or -ENOMEM.
 */
int sup_vmaset_unmap(struct sup_vmaset *s, uint64_t start, uint64_t end)
{
    size_t a, b;
    if (start >= end || s->nr == 0)
        return 0;
    if (sup_isolate(s, start, end, &a, &b) < 0)
        return -ENOMEM;
    for (size_t i = a; i < b; i++)
        free(s->v[i].name);
    memmove(&s->v[a], &s->v[b], (s->nr - b) * sizeof(s->v[0]));
    s->nr -= b - a;
    return 0;
}

/**
 * sup_vmaset_map() - insert a copy of @vma, replacing whatever it overlaps
 * (kernel: mmap_region(), which unmaps first for MAP_FIXED).
 * @s: the set.
 * @vma: the new VMA (its name is copied).
 *
 * Return: 0, or -ENOMEM.
 */
int sup_vmaset_map(struct sup_vmaset *s, const struct sup_vma *vma)
{
    if (vma->start >= vma->end)
        return 0;
    if (sup_vmaset_unmap(s, vma->start, vma->end) < 0 || sup_grow(s) < 0)
        return -ENOMEM;
    struct sup_vma v = *vma;
    if (v.name && !(v.name = strdup(v.name)))
        return -ENOMEM;
    size_t i = sup_lower(s, v.start);
    memmove(&s->v[i + 1], &s->v[i], (s->nr - i) * sizeof(s->v[0]));
    s->v[i] = v;
    s->nr++;
    return 0;
}

/**
 * sup_vmaset_protect() - set the protection of [@start, @end) (kernel:
 * do_mprotect_pkey()). A failed mprotect that met a hole (ENOMEM) has
 * changed the VMAs before the hole: @prefix_only applies it to those.
 * @s: the set.
 * @start: page-aligned start.
 * @end: page-aligned end.
 * @prot: PROT_READ | PROT_WRITE | PROT_EXEC.
 * @prefix_only: stop at the first hole instead of ignoring holes.
 *
 * Return: 0, or -ENOMEM.
 */
int sup_vmaset_protect(struct sup_vmaset *s, uint64_t start, uint64_t end,
                       uint32_t prot, int prefix_only)
{
    size_t a, b;
    if (prefix_only) {
        const struct sup_vma *v = sup_vmaset_find(s, start);
        uint64_t at = start;
        while (v && at < end) {
            at = v->end;
            v = sup_vmaset_find(s, at);
        }
        end = at < end ? at : end;
    }
    if (start >= end || sup_isolate(s, start, end, &a, &b) < 0)
        return start >= end ? 0 : -ENOMEM;
    for (size_t i = a; i < b; i++)
        s->v[i].prot = prot;
    return 0;
}

/**
 * sup_vmaset_set_dontfork() - MADV_DONTFORK (@on) or MADV_DOFORK on a range.
 * @s: the set.
 * @start: page-aligned start.
 * @end: page-aligned end.
 * @on: 1 for DONTFORK.
 *
 * Return: 0, or -ENOMEM.
 */
int sup_vmaset_set_dontfork(struct sup_vmaset *s, uint64_t start,
                            uint64_t end, int on)
{
    size_t a, b;
    if (start >= end || sup_isolate(s, start, end, &a, &b) < 0)
        return start >= end ? 0 : -ENOMEM;
    for (size_t i = a; i < b; i++)
        s->v[i].dontfork = (uint8_t)on;
    return 0;
}

/**
 * sup_vmaset_fork() - the child's address space after fork (kernel:
 * dup_mmap(): every VMA but the VM_DONTCOPY ones).
 * @s: the parent's set.
 *
 * Return: a new set with one reference, or NULL when out of memory.
 */
struct sup_vmaset *sup_vmaset_fork(const struct sup_vmaset *s)
{
    struct sup_vmaset *c = sup_vmaset_new();
    if (!c)
        return NULL;
    c->start_brk = s->start_brk;
    c->brk = s->brk;
    c->start_stack = s->start_stack;
    c->uncertain = s->uncertain;
    for (size_t i = 0; i < s->nr; i++)
        if (!s->v[i].dontfork && sup_vmaset_map(c, &s->v[i]) < 0) {
            sup_vmaset_put(c);
            return NULL;
        }
    return c;
}

/**
 * sup_vmaset_brk() - the heap after brk() returned @newbrk (kernel:
 * brk syscall: grows with do_brk_flags(), shrinks with do_vmi_align_munmap();
 * on failure it returns the old break and nothing changed).
 * @s: the set.
 * @newbrk: the syscall's return value, the new mm->brk.
 *
 * Return: 0, or -ENOMEM.
 */
int sup_vmaset_brk(struct sup_vmaset *s, uint64_t newbrk)
{
    uint64_t oldp = PAGE_UP(s->brk), newp = PAGE_UP(newbrk);
    int rc = 0;
    if (newp > oldp) {
        struct sup_vma heap = {.start = oldp, .end = newp,
                               .prot = PROT_READ | PROT_WRITE};
        rc = sup_vmaset_map(s, &heap);
    } else if (newp < oldp) {
        rc = sup_vmaset_unmap(s, newp, oldp);
    }
    s->brk = newbrk;
    return rc;
}

/**
 * sup_vmaset_mremap() - apply a successful mremap (kernel: mm/mremap.c).
 * @s: the set.
 * @a: old_addr, old_len, new_len, flags, new_addr.
 * @ret: the new address.
 *
 * The old range lies in one VMA (or mremap fails with EFAULT), so the moved
 * or grown part takes that VMA's attributes, offsets continuing.
 *
 * Return: 0, -ENOMEM, or -ENOENT if the old range is not known here.
 */
int sup_vmaset_mremap(struct sup_vmaset *s, const uint64_t a[5], uint64_t ret)
{
    uint64_t old = a[0], oldlen = PAGE_UP(a[1]), newlen = PAGE_UP(a[2]);
    const struct sup_vma *src = sup_vmaset_find(s, old);
    if (!src)
        return -ENOENT;
    struct sup_vma v = *src;
    if (v.name && !(v.name = strdup(v.name)))
        return -ENOMEM;
    if (sup_has_offset(&v))
        v.off += old - v.start;
    int rc = 0;
    if (ret == old) {
        v.start = old + oldlen;
        v.end = old + newlen;
        v.off += sup_has_offset(&v) ? oldlen : 0;
        rc = newlen < oldlen ? sup_vmaset_unmap(s, v.end, v.start)
                             : sup_vmaset_map(s, &v);
    } else {
        if (oldlen && !(a[3] & 4 /* MREMAP_DONTUNMAP */))
            rc = sup_vmaset_unmap(s, old, old + oldlen);
        v.start = ret;
        v.end = ret + newlen;
        if (rc == 0)
            rc = sup_vmaset_map(s, &v);
    }
    free(v.name);
    return rc;
}
