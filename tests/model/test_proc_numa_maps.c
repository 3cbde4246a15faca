/*
 * Unit tests for model/proc_pid_numa.c: /proc/PID/numa_maps lines as
 * show_numa_map() prints them: the VMA's policy or else the task's
 * (mpol_to_str: modes, =static/=relative/=balancing flags, node ranges),
 * file= with "\n\t= " escaped, heap and stack, anon/dirty/mapped/mapmax/
 * active and N<node>= counts, and no statistics for a VMA without pages.
 */
#include "aspace_util.h"

#define A 0x7f0000000000ull
#define P 4096ull

static const char *names(void *ctx, uint32_t id)
{
    (void)ctx;
    return id == 7 ? "/lib/a b=c.so" : NULL;
}

static struct mm_sim *boot4(void)
{
    struct mm_machine m;
    machine_init(&m, MM_KERNEL(6, 12), MM_THP_NEVER);
    for (unsigned i = 0; i < 4; i++) {
        zone_plain(&m, i, MM_ZONE_NORMAL, PFN_4G + i * 8192ull, 8192);
        m.nodes[i].nr_cpus = 1;
    }
    int err = 1;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_int_equal(err, 0);
    return sim;
}

static void check(struct mm_sim *sim, uint32_t pid, const char *want)
{
    struct mm_buf b = {0};
    assert_int_equal(mm_render_pid_numa_maps(sim, pid, &b, names, NULL), 0);
    assert_string_equal(b.data, want);
    mm_buf_free(&b);
}

static void test_lines(void **state)
{
    (void)state;
    struct mm_sim *sim = boot4();
    aspace_proc(sim, 1);
    struct mm_exec_req layout = {.start_brk = 0x600000, .brk = 0x602000,
                                 .start_stack = A + 0x1000000 + 8 * P - 16};
    assert_int_equal(mm_set_layout(sim, 1, &layout), 0);
    assert_int_equal(map_anon(sim, 1, 0x600000, 2 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_anon(sim, 1, A, 4 * P, RW, MM_MAP_PRIVATE), 0);
    assert_int_equal(map_file(sim, 1, A + 0x100000, 4 * P, RO, MM_MAP_PRIVATE, 7, 0), 0);
    assert_int_equal(map_anon(sim, 1, A + 0x1000000, 8 * P, RW, MM_MAP_PRIVATE), 0);
    struct mm_mbind_req r = {A, 4 * P, MM_MPOL_INTERLEAVE, 0xb, 65, 0};
    assert_int_equal(mm_mbind(sim, 1, &r), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_BIND |
                                      MM_MPOL_F_NUMA_BALANCING, 0x6, 65), 0);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(mm_fault(sim, 1, A + i * P, true), 0);
    assert_int_equal(mm_fault(sim, 1, A + 0x100000, false), 0);
    assert_int_equal(mm_fault(sim, 1, 0x600000, true), 0);
    check(sim, 1,
          "00600000 bind=balancing:1-2 heap anon=1 dirty=1 active=0 N1=1 kernelpagesize_kB=4\n"
          "7f0000000000 interleave:0-1,3 anon=4 dirty=4 active=0 N0=1 N1=2 N3=1 kernelpagesize_kB=4\n"
          "7f0000100000 bind=balancing:1-2 file=/lib/a\\040b\\075c.so mapped=4 active=0 N1=4 kernelpagesize_kB=4\n"
          "7f0001000000 bind=balancing:1-2 stack\n");
    assert_int_equal(mm_fork(sim, 1, 2), 0);
    assert_int_equal(mm_set_mempolicy(sim, 2, MM_MPOL_PREFERRED |
                                      MM_MPOL_F_RELATIVE_NODES, 0x2, 65), 0);
    check(sim, 2,
          "00600000 prefer=relative:1 heap anon=1 dirty=1 mapmax=2 active=0 N1=1 kernelpagesize_kB=4\n"
          "7f0000000000 interleave:0-1,3 anon=4 dirty=4 mapmax=2 active=0 N0=1 N1=2 N3=1 kernelpagesize_kB=4\n"
          /* fork copies no PTEs of a file VMA without anon_vma */
          "7f0000100000 prefer=relative:1 file=/lib/a\\040b\\075c.so\n"
          "7f0001000000 prefer=relative:1 stack\n");
    assert_int_equal(mm_set_mempolicy(sim, 2, MM_MPOL_LOCAL, 0, 0), 0);
    assert_int_equal(mm_set_mempolicy(sim, 1, MM_MPOL_DEFAULT, 0, 0), 0);
    struct mm_buf b = {0};
    assert_int_equal(mm_render_pid_numa_maps(sim, 2, &b, names, NULL), 0);
    assert_non_null(strstr(b.data, "00600000 local heap"));
    mm_buf_free(&b);
    assert_int_equal(mm_render_pid_numa_maps(sim, 1, &b, names, NULL), 0);
    assert_non_null(strstr(b.data, "7f0001000000 default stack\n"));
    mm_buf_free(&b);
    assert_int_equal(mm_render_pid_numa_maps(sim, 9, &b, names, NULL), MM_ESRCH);
    mm_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
