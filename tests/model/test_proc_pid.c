/*
 * Unit tests for model/proc_pid.c and proc_pid_maps.c: a small process
 * (an executable, heap, anonymous, shared anonymous, vdso, stack,
 * vsyscall) rendered as /proc/PID/status, statm, smaps_rollup and maps,
 * compared byte for byte with hand-derived text in the kernel's formats
 * (column layout checked against this machine's real files).
 */
#include "aspace_util.h"

#define P 4096ull

static const char *names(void *ctx, uint32_t id)
{
    (void)ctx;
    static const char *const tab[] = {NULL, "/usr/bin/head", "[vdso]",
                                      "[vsyscall]"};
    return id < 4 ? tab[id] : NULL;
}

static void insert(struct mm_sim *sim, uint64_t start, uint64_t end,
                   uint32_t prot, uint64_t pgoff, bool file)
{
    struct mm_map_req r = {.addr = start, .len = end - start, .prot = prot,
                           .flags = MM_MAP_PRIVATE, .pgoff = pgoff};
    if (file) {
        r.dev = 0xfe00;
        r.ino = 247498;
        r.path = 1;
    }
    assert_int_equal(mm_vma_insert(sim, 1, &r), 0);
}

static struct mm_sim *build(unsigned kernel)
{
    struct mm_sim *sim = aspace_boot(kernel, MM_THP_NEVER);
    struct mm_exec_req ex = {.start_brk = 0x555555560000,
                             .start_stack = 0x7fffffffe5f0,
                             .start_code = 0x555555556000,
                             .end_code = 0x55555555b5c5, .path = 1};
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    insert(sim, 0x555555554000, 0x555555556000, RO, 0, true);
    insert(sim, 0x555555556000, 0x55555555c000, RO | MM_PROT_EXEC, 2, true);
    insert(sim, 0x55555555c000, 0x55555555f000, RW, 8, true);
    struct mm_map_req vdso = {.addr = 0x7ffff7fc5000, .len = 2 * P,
                              .prot = RO | MM_PROT_EXEC,
                              .flags = MM_MAP_PRIVATE, .path = 2,
                              .special = true};
    struct mm_map_req stack = {.addr = 0x7ffffffde000, .len = 33 * P,
                               .prot = RW,
                               .flags = MM_MAP_PRIVATE | MM_MAP_GROWSDOWN};
    struct mm_map_req gate = {.addr = 0xffffffffff600000, .len = P,
                              .prot = MM_PROT_EXEC, .path = 3,
                              .special = true};
    assert_int_equal(mm_vma_insert(sim, 1, &vdso), 0);
    assert_int_equal(mm_vma_insert(sim, 1, &stack), 0);
    assert_int_equal(mm_vma_insert(sim, 1, &gate), 0);
    uint64_t brk;
    assert_int_equal(mm_brk(sim, 1, 0x555555581000, &brk), 0);
    assert_int_equal(map_anon(sim, 1, 0x7ffff7fb0000, 3 * P, RW,
                              MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, 0x7ffff7fc0000, P, RW, MM_MAP_SHARED), 0);
    const struct { uint64_t addr; bool write; } touches[] = {
        {0x555555560000, true}, {0x555555561008, true},
        {0x7ffff7fb1000, true}, {0x7ffff7fc0010, true},
        {0x7fffffffe5f0, true}, {0x555555556000, false},
        {0x555555557000, false},
    };
    for (size_t i = 0; i < sizeof(touches) / sizeof(touches[0]); i++)
        assert_int_equal(mm_fault(sim, 1, touches[i].addr, touches[i].write), 0);
    return sim;
}

static void test_status(void **state)
{
    (void)state;
    struct mm_sim *sim = build(MM_KERNEL(6, 18));
    struct mm_buf b = {0};
    assert_int_equal(mm_render_pid_status(sim, 1, &b), 0);
    assert_string_equal(b.data,
        "VmPeak:\t     332 kB\n"
        "VmSize:\t     332 kB\n"
        "VmLck:\t       0 kB\n"
        "VmPin:\t       0 kB\n"
        "VmHWM:\t      44 kB\n"
        "VmRSS:\t      44 kB\n"
        "RssAnon:\t      16 kB\n"
        "RssFile:\t      24 kB\n"
        "RssShmem:\t       4 kB\n"
        "VmData:\t     156 kB\n"
        "VmStk:\t     132 kB\n"
        "VmExe:\t      24 kB\n"
        "VmLib:\t       8 kB\n"
        "VmPTE:\t      28 kB\n"
        "VmSwap:\t       0 kB\n");
    assert_int_equal(mm_vm_memory_committed(sim), 3 + 33 + 3 + 1 + 33);
    assert_int_equal(pstats(sim, 1).committed, 3 + 33 + 3 + 33);
    assert_int_equal(pstats(sim, 1).maj_flt, 1);
    /* the major text fault mapped its fault-around window: 2nd read free */
    assert_int_equal(pstats(sim, 1).min_flt, 5);
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_statm(void **state)
{
    (void)state;
    struct mm_sim *sim = build(MM_KERNEL(6, 18));
    struct mm_buf b = {0};
    assert_int_equal(mm_render_pid_statm(sim, 1, &b), 0);
    assert_string_equal(b.data, "83 11 7 6 0 72 0\n");
    mm_buf_free(&b);
    mm_sim_free(sim);
}

/* get_mm_rss(): statm's resident field (11 pages), 0 for no process. */
static void test_get_mm_rss(void **state)
{
    (void)state;
    struct mm_sim *sim = build(MM_KERNEL(6, 18));
    assert_int_equal(mm_get_mm_rss(sim, 1), 11);
    assert_int_equal(mm_get_mm_rss(sim, 99), 0);
    mm_sim_free(sim);
}

#define ROLLUP_HEAD                                                          \
    "555555554000-7ffffffff000 ---p 00000000 00:00 0                     "  \
    "     [rollup]\n"                                                        \
    "Rss:                  44 kB\n"                                          \
    "Pss:                  44 kB\n"                                          \
    "Pss_Dirty:            20 kB\n"                                          \
    "Pss_Anon:             16 kB\n"                                          \
    "Pss_File:             24 kB\n"                                          \
    "Pss_Shmem:             4 kB\n"                                          \
    "Shared_Clean:          0 kB\n"                                          \
    "Shared_Dirty:          0 kB\n"                                          \
    "Private_Clean:        24 kB\n"                                          \
    "Private_Dirty:        20 kB\n"                                          \
    "Referenced:           44 kB\n"                                          \
    "Anonymous:            16 kB\n"
#define ROLLUP_TAIL                                                          \
    "LazyFree:              0 kB\n"                                          \
    "AnonHugePages:         0 kB\n"                                          \
    "ShmemPmdMapped:        0 kB\n"                                          \
    "FilePmdMapped:         0 kB\n"                                          \
    "Shared_Hugetlb:        0 kB\n"                                          \
    "Private_Hugetlb:       0 kB\n"                                          \
    "Swap:                  0 kB\n"                                          \
    "SwapPss:               0 kB\n"                                          \
    "Locked:                0 kB\n"

static void test_smaps_rollup_by_version(void **state)
{
    (void)state;
    struct mm_sim *sim = build(MM_KERNEL(6, 18));
    struct mm_buf b = {0};
    assert_int_equal(mm_render_pid_smaps_rollup(sim, 1, &b), 0);
    assert_string_equal(b.data, ROLLUP_HEAD "KSM:                   0 kB\n"
                                ROLLUP_TAIL);
    mm_buf_free(&b);
    mm_sim_free(sim);
    sim = build(MM_KERNEL(6, 1));
    assert_int_equal(mm_render_pid_smaps_rollup(sim, 1, &b), 0);
    assert_string_equal(b.data, ROLLUP_HEAD ROLLUP_TAIL);
    mm_buf_free(&b);
    mm_sim_free(sim);
}

static void test_maps(void **state)
{
    (void)state;
    struct mm_sim *sim = build(MM_KERNEL(6, 18));
    struct mm_buf b = {0};
    assert_int_equal(mm_render_pid_maps(sim, 1, &b, names, NULL), 0);
    assert_string_equal(b.data,
        "555555554000-555555556000 r--p 00000000 fe:00 247498                     /usr/bin/head\n"
        "555555556000-55555555c000 r-xp 00002000 fe:00 247498                     /usr/bin/head\n"
        "55555555c000-55555555f000 rw-p 00008000 fe:00 247498                     /usr/bin/head\n"
        "555555560000-555555581000 rw-p 00000000 00:00 0                          [heap]\n"
        "7ffff7fb0000-7ffff7fb3000 rw-p 00000000 00:00 0 \n"
        "7ffff7fc0000-7ffff7fc1000 rw-s 00000000 00:01 1                          /dev/zero (deleted)\n"
        "7ffff7fc5000-7ffff7fc7000 r-xp 00000000 00:00 0                          [vdso]\n"
        "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
    mm_buf_free(&b);
    assert_int_equal(mm_render_pid_maps(sim, 9, &b, names, NULL), MM_ESRCH);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_statm),
        cmocka_unit_test(test_get_mm_rss),
        cmocka_unit_test(test_smaps_rollup_by_version),
        cmocka_unit_test(test_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
