/*
 * sysctl.c - the vm.* knobs: names, defaults, ranges and write semantics.
 *
 * Mirrors the vm tables of kernel/sysctl.c (6.1) and their later homes in
 * mm/util.c, mm/page_alloc.c, mm/vmscan.c, mm/oom_kill.c and
 * mm/page-writeback.c, together with the proc_dointvec_minmax() and
 * proc_doulongvec_minmax() parsers. Called by mm_sim_sysctl_write() (sim.c),
 * which recomputes what a write affects, and by the tools to list knobs.
 *
 * Parsing follows the kernel: leading whitespace skipped, base 0 (0x.. hex,
 * 0.. octal), a '-' sign only for ints, no '+', the number must end at
 * whitespace or the end of the text, later values after whitespace are
 * ignored for scalar knobs. Out-of-range values are EINVAL, as the kernel
 * reports them. Only knobs the model uses are listed; see docs.
 */
#include <stdio.h>

#include "internal.h"

#define KNOB(field) offsetof(struct mm_vm_knobs, field)

static bool zero_or_at_least_8(int64_t value)
{
    /* percpu_pagelist_high_fraction_sysctl_handler: 1..7 are refused. */
    return value == 0 || value >= 8;
}

/* Alphabetical, as `ls /proc/sys/vm` and `sysctl -a` list them. */
static const struct mm_sysctl_desc knobs[] = {
    {"admin_reserve_kbytes", MM_SYSCTL_ULONG, KNOB(admin_reserve_kbytes), 0, 0,
     false, false, MM_SYSCTL_EFFECT_COMMIT, NULL, NULL,
     "memory kept for root in overcommit mode 2 (kB)"},
    {"dirty_background_bytes", MM_SYSCTL_ULONG, KNOB(dirty_background_bytes),
     1, 0, true, false, 0, "dirty_background_ratio", NULL,
     "dirty bytes at which background writeback starts"},
    {"dirty_background_ratio", MM_SYSCTL_INT, KNOB(dirty_background_ratio), 0,
     100, true, true, 0, "dirty_background_bytes", NULL,
     "percent of available memory dirty before background writeback"},
    {"dirty_bytes", MM_SYSCTL_ULONG, KNOB(dirty_bytes), 2 * MM_PAGE_SIZE, 0,
     true, false, 0, "dirty_ratio", NULL,
     "dirty bytes at which a writer does writeback itself"},
    {"dirty_expire_centisecs", MM_SYSCTL_INT, KNOB(dirty_expire_centisecs), 0,
     0, true, false, 0, NULL, NULL, "age at which dirty data is written out"},
    {"dirty_ratio", MM_SYSCTL_INT, KNOB(dirty_ratio), 0, 100, true, true, 0,
     "dirty_bytes", NULL,
     "percent of available memory dirty before a writer writes back"},
    {"dirty_writeback_centisecs", MM_SYSCTL_INT,
     KNOB(dirty_writeback_centisecs), 0, 0, false, false, 0, NULL, NULL,
     "interval of the writeback flusher"},
    {"lowmem_reserve_ratio", MM_SYSCTL_INT_VECTOR, KNOB(lowmem_reserve_ratio),
     0, 0, false, false, MM_SYSCTL_EFFECT_LOWMEM_RESERVE, NULL, NULL,
     "per-zone divisor of the memory protected from higher-zone allocations"},
    {"max_map_count", MM_SYSCTL_INT, KNOB(max_map_count), 0, 0, true, false, 0,
     NULL, NULL, "maximum number of VMAs per process"},
    {"min_free_kbytes", MM_SYSCTL_INT, KNOB(min_free_kbytes), 0, 0, true,
     false, MM_SYSCTL_EFFECT_WMARK | MM_SYSCTL_EFFECT_MIN_FREE, NULL, NULL,
     "free memory the kernel keeps (sets the min watermarks)"},
    {"min_slab_ratio", MM_SYSCTL_INT, KNOB(min_slab_ratio), 0, 100, true, true,
     0, NULL, NULL, "node reclaim: percent of a zone in reclaimable slab"},
    {"min_unmapped_ratio", MM_SYSCTL_INT, KNOB(min_unmapped_ratio), 0, 100,
     true, true, 0, NULL, NULL,
     "node reclaim: percent of a zone in unmapped page cache"},
    {"numa_stat", MM_SYSCTL_INT, KNOB(numa_stat), 0, 1, true, true, 0, NULL,
     NULL, "keep NUMA allocation counters"},
    {"numa_zonelist_order", MM_SYSCTL_ZONELIST_ORDER, 0, 0, 0, false, false, 0,
     NULL, NULL, "accepted for compatibility; only Node order exists"},
    {"oom_dump_tasks", MM_SYSCTL_INT, KNOB(oom_dump_tasks), 0, 0, false, false,
     0, NULL, NULL, "print the task table on OOM"},
    {"oom_kill_allocating_task", MM_SYSCTL_INT, KNOB(oom_kill_allocating_task),
     0, 0, false, false, 0, NULL, NULL,
     "kill the allocating task instead of scanning for a victim"},
    {"overcommit_kbytes", MM_SYSCTL_ULONG, KNOB(overcommit_kbytes), 0, 0,
     false, false, MM_SYSCTL_EFFECT_COMMIT, "overcommit_ratio", NULL,
     "mode 2 commit limit in kB (replaces the ratio when non-zero)"},
    {"overcommit_memory", MM_SYSCTL_INT, KNOB(overcommit_memory), 0, 2, true,
     true, MM_SYSCTL_EFFECT_COMMIT, NULL, NULL,
     "0 heuristic, 1 always, 2 strict accounting"},
    {"overcommit_ratio", MM_SYSCTL_INT, KNOB(overcommit_ratio), 0, 0, false,
     false, MM_SYSCTL_EFFECT_COMMIT, "overcommit_kbytes", NULL,
     "mode 2 commit limit as a percent of RAM"},
    {"page-cluster", MM_SYSCTL_INT, KNOB(page_cluster), 0, 31, true, true, 0,
     NULL, NULL, "log2 of the swap readahead window"},
    {"panic_on_oom", MM_SYSCTL_INT, KNOB(panic_on_oom), 0, 2, true, true, 0,
     NULL, NULL, "0 kill, 1 panic unless constrained, 2 always panic"},
    {"percpu_pagelist_high_fraction", MM_SYSCTL_INT,
     KNOB(percpu_pagelist_high_fraction), 0, 0, true, false, 0, NULL,
     zero_or_at_least_8, "fraction of a zone per-CPU lists may hold"},
    {"swappiness", MM_SYSCTL_INT, KNOB(swappiness), 0, 200, true, true, 0, NULL,
     NULL, "relative cost of swapping anon vs dropping file pages"},
    {"user_reserve_kbytes", MM_SYSCTL_ULONG, KNOB(user_reserve_kbytes), 0, 0,
     false, false, MM_SYSCTL_EFFECT_COMMIT, NULL, NULL,
     "memory kept for a process's recovery in overcommit mode 2 (kB)"},
    {"vfs_cache_pressure", MM_SYSCTL_INT, KNOB(vfs_cache_pressure), 0, 0, true,
     false, 0, NULL, NULL, "reclaim weight of dentry and inode caches"},
    {"watermark_boost_factor", MM_SYSCTL_INT, KNOB(watermark_boost_factor), 0,
     0, true, false, 0, NULL, NULL,
     "boost of the high watermark after fragmentation events"},
    {"watermark_scale_factor", MM_SYSCTL_INT, KNOB(watermark_scale_factor), 1,
     3000, true, true, MM_SYSCTL_EFFECT_WMARK, NULL, NULL,
     "distance between watermarks in 1/10000 of a zone"},
    {"zone_reclaim_mode", MM_SYSCTL_INT, KNOB(zone_reclaim_mode), 0, 0, true,
     false, 0, NULL, NULL, "node reclaim bits: 1 on, 2 write, 4 unmap"},
};

#define NR_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

void mm_vm_knobs_default(struct mm_vm_knobs *vm)
{
    static const int lowmem_ratio[MM_NR_ZONES] = {256, 256, 32, 0, 0};
    *vm = (struct mm_vm_knobs){
        .overcommit_memory = 0,
        .overcommit_ratio = 50,
        .max_map_count = 65530, /* DEFAULT_MAX_MAP_COUNT = USHRT_MAX - 5 */
        .user_min_free_kbytes = -1,
        .watermark_scale_factor = 10,
        .watermark_boost_factor = 15000,
        .min_unmapped_ratio = 1,
        .min_slab_ratio = 5,
        .numa_stat = 1,
        .swappiness = 60,
        .page_cluster = 3,
        .vfs_cache_pressure = 100,
        .oom_dump_tasks = 1,
        .dirty_ratio = 20,
        .dirty_background_ratio = 10,
        .dirty_expire_centisecs = 3000,
        .dirty_writeback_centisecs = 500,
    };
    memcpy(vm->lowmem_reserve_ratio, lowmem_ratio, sizeof(lowmem_ratio));
}

size_t mm_sysctl_count(void)
{
    return NR_KNOBS;
}

const struct mm_sysctl_desc *mm_sysctl_at(size_t i)
{
    return i < NR_KNOBS ? &knobs[i] : NULL;
}

static const char *strip_prefix(const char *name)
{
    if (strncmp(name, "vm.", 3) == 0 || strncmp(name, "vm/", 3) == 0)
        return name + 3;
    return name;
}

const struct mm_sysctl_desc *mm_sysctl_find(const char *name)
{
    name = strip_prefix(name);
    for (size_t i = 0; i < NR_KNOBS; i++)
        if (strcmp(knobs[i].name, name) == 0)
            return &knobs[i];
    return NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/*
 * One number as proc_get_long() reads it: optional '-', then an unsigned
 * value in base 0 (simple_strtoul), which must end at whitespace or the end
 * of the text. *text is advanced past it.
 */
static int parse_number(const char **text, bool *negative, uint64_t *value)
{
    const char *p = *text;
    while (is_space(*p))
        p++;
    *negative = *p == '-';
    if (*negative)
        p++;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        base = 16;
        p += 2;
    } else if (p[0] == '0') {
        base = 8;
    }
    if (digit_value(*p) >= (int)base)
        return MM_EINVAL;
    uint64_t v = 0;
    for (; digit_value(*p) < (int)base; p++) {
        uint64_t d = (uint64_t)digit_value(*p);
        if (v > (UINT64_MAX - d) / base)
            return MM_EINVAL;
        v = v * base + d;
    }
    if (*p && !is_space(*p))
        return MM_EINVAL;
    *text = p;
    *value = v;
    return 0;
}

/* proc_dointvec: the value must fit an int. */
static int parse_int(const char **text, int64_t *out)
{
    bool negative;
    uint64_t v;
    int err = parse_number(text, &negative, &v);
    if (err)
        return err;
    if (v > (negative ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX))
        return MM_EINVAL;
    *out = negative ? -(int64_t)v : (int64_t)v;
    return 0;
}

static bool in_range(const struct mm_sysctl_desc *d, int64_t v)
{
    if (d->has_min && v < d->min)
        return false;
    if (d->has_max && v > d->max)
        return false;
    return !d->valid || d->valid(v);
}

static int write_int(struct mm_vm_knobs *vm, const struct mm_sysctl_desc *d,
                     const char *value)
{
    int64_t v;
    if (parse_int(&value, &v) || !in_range(d, v))
        return MM_EINVAL;
    *(int *)(void *)((char *)vm + d->offset) = (int)v;
    return 0;
}

/* proc_doulongvec_minmax: negative values are refused. */
static int write_ulong(struct mm_vm_knobs *vm, const struct mm_sysctl_desc *d,
                       const char *value)
{
    bool negative;
    uint64_t v;
    if (parse_number(&value, &negative, &v) || negative)
        return MM_EINVAL;
    if (d->has_min && v < (uint64_t)d->min)
        return MM_EINVAL;
    *(uint64_t *)(void *)((char *)vm + d->offset) = v;
    return 0;
}

/*
 * lowmem_reserve_ratio_sysctl_handler: proc_dointvec over the vector, whose
 * errors the handler ignores (values parsed before the error stay), then
 * every value below 1 becomes 0. It never fails.
 */
static int write_lowmem_ratio(struct mm_vm_knobs *vm, const char *value)
{
    for (int i = 0; i < MM_NR_ZONES; i++) {
        int64_t v;
        if (parse_int(&value, &v))
            break;
        vm->lowmem_reserve_ratio[i] = (int)v;
    }
    for (int i = 0; i < MM_NR_ZONES; i++)
        if (vm->lowmem_reserve_ratio[i] < 1)
            vm->lowmem_reserve_ratio[i] = 0;
    return 0;
}

/* numa_zonelist_order_handler: only "Node" ordering remains. */
static int write_zonelist_order(const char *value)
{
    while (is_space(*value))
        value++;
    return strchr("dDnN", *value) && *value ? 0 : MM_EINVAL;
}

static void clear_partner(struct mm_vm_knobs *vm, const char *partner)
{
    const struct mm_sysctl_desc *d = mm_sysctl_find(partner);
    char *field = (char *)vm + d->offset;
    if (d->kind == MM_SYSCTL_ULONG)
        *(uint64_t *)(void *)field = 0;
    else
        *(int *)(void *)field = 0;
}

int mm_sysctl_write(struct mm_vm_knobs *vm, const char *name,
                    const char *value, unsigned *effects)
{
    const struct mm_sysctl_desc *d = mm_sysctl_find(name);
    if (!d)
        return MM_ENOENT;
    int err;
    switch (d->kind) {
    case MM_SYSCTL_INT:
        err = write_int(vm, d, value);
        break;
    case MM_SYSCTL_ULONG:
        err = write_ulong(vm, d, value);
        break;
    case MM_SYSCTL_INT_VECTOR:
        err = write_lowmem_ratio(vm, value);
        break;
    default:
        err = write_zonelist_order(value);
        break;
    }
    if (err)
        return err;
    /* overcommit_{ratio,kbytes}, dirty_{,background_}{ratio,bytes} */
    if (d->clears)
        clear_partner(vm, d->clears);
    /* min_free_kbytes_sysctl_handler() */
    if (d->effects & MM_SYSCTL_EFFECT_MIN_FREE)
        vm->user_min_free_kbytes = vm->min_free_kbytes;
    if (effects)
        *effects = d->effects;
    return 0;
}

int mm_sysctl_read(const struct mm_vm_knobs *vm, const char *name,
                   struct mm_buf *out)
{
    const struct mm_sysctl_desc *d = mm_sysctl_find(name);
    if (!d)
        return MM_ENOENT;
    const char *field = (const char *)vm + d->offset;
    switch (d->kind) {
    case MM_SYSCTL_INT:
        return mm_buf_printf(out, "%d", *(const int *)(const void *)field);
    case MM_SYSCTL_ULONG:
        return mm_buf_printf(out, "%llu", (unsigned long long)*(
                                              const uint64_t *)(const void *)field);
    case MM_SYSCTL_INT_VECTOR:
        for (int i = 0; i < MM_NR_ZONES; i++)
            mm_buf_printf(out, "%s%d", i ? "\t" : "",
                          vm->lowmem_reserve_ratio[i]);
        return out->err;
    default:
        return mm_buf_printf(out, "Node");
    }
}
