/*
 * proc_pid_maps.c - the text of /proc/PID/smaps_rollup and /proc/PID/maps.
 *
 * Mirrors fs/proc/task_mmu.c (show_vma_header_prefix, show_map_vma,
 * __show_smap, show_smaps_rollup) of 6.1 and 6.18: the header is padded to
 * 72 columns (25 + 6 * sizeof(void *) - 1) and followed by one space
 * before a name; unnamed mappings end in "0 ". Callers: the tools' proc
 * verb. The sums come from proc_pid.c.
 */
#include "internal.h"

/* st_dev encoding (glibc gnu_dev_major/minor). */
static unsigned dev_major(uint64_t dev)
{
    return (unsigned)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
}

static unsigned dev_minor(uint64_t dev)
{
    return (unsigned)((dev & 0xff) | ((dev >> 12) & ~0xffull));
}

/* show_vma_header_prefix(), then seq_pad(m, ' ') and the name if any. */
static void header(struct mm_buf *buf, uint64_t start, uint64_t end,
                   const char *perms, uint64_t pgoff_bytes, unsigned major,
                   unsigned minor, uint64_t ino, const char *name)
{
    size_t at = buf->len;
    mm_buf_printf(buf, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
                  (unsigned long long)start, (unsigned long long)end, perms,
                  (unsigned long long)pgoff_bytes, major, minor,
                  (unsigned long long)ino);
    if (name) {
        int used = (int)(buf->len - at) - 1; /* the pad replaces the space */
        int pad = 72 - used;
        mm_buf_printf(buf, "%*s%s", pad > 1 ? pad : 1, "", name);
    }
    mm_buf_printf(buf, "\n");
}

/**
 * mm_render_pid_smaps_rollup() - /proc/PID/smaps_rollup
 * @sim: the simulator
 * @pid: tgid
 * @buf: output
 *
 * Return: 0, MM_ESRCH, MM_ENOMEM (host).
 * Kernel: fs/proc/task_mmu.c show_smaps_rollup(), __show_smap().
 */
int mm_render_pid_smaps_rollup(const struct mm_sim *sim, uint32_t pid,
                               struct mm_buf *buf)
{
    struct mm_smaps s;
    int err = mm_smaps_rollup(sim, pid, &s);
    if (err)
        return err;
    header(buf, s.first_start, s.last_end, "---p", 0, 0, 0, 0, "[rollup]");
    const struct {
        const char *name;
        uint64_t bytes;
        bool shown;
    } rows[] = {
        {"Rss:", s.resident, true},
        {"Pss:", s.pss >> 12, true},
        {"Pss_Dirty:", s.pss_dirty >> 12, true},
        {"Pss_Anon:", s.pss_anon >> 12, true},
        {"Pss_File:", s.pss_file >> 12, true},
        {"Pss_Shmem:", s.pss_shmem >> 12, true},
        {"Shared_Clean:", s.shared_clean, true},
        {"Shared_Dirty:", s.shared_dirty, true},
        {"Private_Clean:", s.private_clean, true},
        {"Private_Dirty:", s.private_dirty, true},
        {"Referenced:", s.referenced, true},
        {"Anonymous:", s.anonymous, true},
        {"KSM:", s.ksm, sim->machine.kernel >= MM_KERNEL(6, 4)},
        {"LazyFree:", s.lazyfree, true},
        {"AnonHugePages:", s.anonymous_thp, true},
        {"ShmemPmdMapped:", 0, true},
        {"FilePmdMapped:", 0, true},
        {"Shared_Hugetlb:", 0, true},
        {"Private_Hugetlb:", 0, true},
        {"Swap:", s.swap, true},
        {"SwapPss:", s.swap_pss >> 12, true},
        {"Locked:", s.pss_locked >> 12, true},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!rows[i].shown)
            continue;
        /* "Private_Hugetlb: " is printed with width 7, the rest with 8 */
        bool wide = strlen(rows[i].name) >= 16;
        mm_buf_printf(buf, wide ? "%s %7llu kB\n" : "%-16s%8llu kB\n",
                      rows[i].name, (unsigned long long)(rows[i].bytes >> 10));
    }
    return buf->err;
}

static const char *anon_name(const struct mm_mm *mm, const struct mm_vma *v)
{
    if (v->start <= mm->brk && v->end >= mm->start_brk)
        return "[heap]";
    if (v->start <= mm->start_stack && v->end >= mm->start_stack)
        return "[stack]";
    return NULL;
}

static void show_map_vma(struct mm_buf *buf, const struct mm_mm *mm,
                         const struct mm_vma *v, mm_name_fn name, void *ctx)
{
    char perms[5] = {
        v->flags & MM_VM_READ ? 'r' : '-', v->flags & MM_VM_WRITE ? 'w' : '-',
        v->flags & MM_VM_EXEC ? 'x' : '-', v->flags & MM_VM_MAYSHARE ? 's' : 'p',
        '\0'};
    const char *path = v->path && name ? name(ctx, v->path) : NULL;
    if (v->file && v->file->shmem && !v->file->named)
        header(buf, v->start, v->end, perms, v->pgoff << MM_PAGE_SHIFT, 0, 1,
               v->file->ino, "/dev/zero (deleted)");
    else if (v->file)
        header(buf, v->start, v->end, perms, v->pgoff << MM_PAGE_SHIFT,
               dev_major(v->file->dev), dev_minor(v->file->dev), v->file->ino,
               path);
    else
        header(buf, v->start, v->end, perms, 0, 0, 0, 0,
               v->special ? path : anon_name(mm, v));
}

/**
 * mm_render_pid_maps() - /proc/PID/maps
 * @sim: the simulator
 * @pid: tgid
 * @buf: output
 * @name: resolves the interned paths of file and special mappings
 * @ctx: passed to @name
 *
 * Return: 0, MM_ESRCH, MM_ENOMEM (host).
 * Kernel: fs/proc/task_mmu.c show_map_vma(), plus the gate VMA.
 */
int mm_render_pid_maps(const struct mm_sim *sim, uint32_t pid,
                       struct mm_buf *buf, mm_name_fn name, void *ctx)
{
    const struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    const struct mm_mm *mm = task->mm;
    for (struct mm_avl_node *n = mm__avl_first(&mm->vmas); n;
         n = mm__avl_next(&mm->vmas, n))
        show_map_vma(buf, mm, mm_container_of(n, struct mm_vma, node), name,
                     ctx);
    if (mm->gate_end)
        header(buf, mm->gate_start, mm->gate_end, "--xp", 0, 0, 0, 0,
               name && mm->gate_path ? name(ctx, mm->gate_path) : NULL);
    return buf->err;
}
