/*
 * Randomised consistency test of the address-space model: a seeded stream
 * of mmap/munmap/mprotect/madvise/mremap/brk/fault/fork/exit on a few
 * processes, every fourth step checking the invariants the kernel keeps:
 * VMAs sorted and disjoint, total_vm/data_vm/exec_vm/stack_vm equal to the
 * sums over VMAs, Committed_AS equal to the VM_ACCOUNT pages plus the
 * shared objects' charges, RSS counters equal to the mapped pages by kind,
 * page-table pages covering every entry; at the end every anonymous frame
 * is back in the buddy allocator. Run on 6.18 GUESS, on 6.1 NEVER with a
 * small CommitLimit and vm.max_map_count (refusals must leave all of this
 * intact), and on a machine without the zero page.
 */
#include "aspace_util.h"

#define BASE 0x7f0000000000ull
#define SPAN (64ull * MIB)
#define P 4096ull
#define NPROC 4

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static uint64_t rnd_addr(void)
{
    return BASE + rnd(SPAN / P) * P;
}

struct sums {
    uint64_t total, data, exec, stack, accounted;
};

static void check_vmas(const struct mm_mm *mm, struct sums *s)
{
    uint64_t last_end = 0;
    for (struct mm_avl_node *n = mm__avl_first(&mm->vmas); n;
         n = mm__avl_next(&mm->vmas, n)) {
        const struct mm_vma *v = mm_container_of(n, struct mm_vma, node);
        assert_true(v->start < v->end && v->start >= last_end);
        assert_true(n->key == v->start);
        last_end = v->end;
        uint64_t pages = mm__vma_pages(v), f = v->flags;
        s->total += pages;
        if ((f & (MM_VM_EXEC | MM_VM_WRITE | MM_VM_STACK)) == MM_VM_EXEC)
            s->exec += pages;
        else if (f & MM_VM_STACK)
            s->stack += pages;
        else if ((f & (MM_VM_WRITE | MM_VM_SHARED | MM_VM_STACK)) == MM_VM_WRITE)
            s->data += pages;
        if (f & MM_VM_ACCOUNT)
            s->accounted += pages;
    }
}

static void check_ptes(const struct mm_sim *sim, const struct mm_mm *mm)
{
    uint64_t rss[3] = {0}, v;
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&mm->ptes, &pos))) {
        assert_non_null(mm__vma_find(mm, s->key << 12));
        assert_true(mm__hmap_get(&mm->pgtables, MM_PGT_KEY(0, s->key >> 9), &v));
        if (s->value & MM_PTE_ZERO)
            continue;
        const struct mm_folio *folio = mm__folio_of(sim, MM_PTE_PFN(s->value));
        assert_non_null(folio);
        assert_true(folio->mapcount[MM_PTE_PFN(s->value) - folio->pfn] > 0);
        rss[folio->kind]++;
    }
    assert_int_equal(rss[MM_FOLIO_ANON], mm->rss_anon);
    assert_int_equal(rss[MM_FOLIO_FILE], mm->rss_file);
    assert_int_equal(rss[MM_FOLIO_SHMEM], mm->rss_shmem);
}

static void check_all(const struct mm_sim *sim)
{
    uint64_t accounted = 0, shmem = 0;
    for (struct mm_avl_node *n = mm__avl_first(&sim->tasks); n;
         n = mm__avl_next(&sim->tasks, n)) {
        const struct mm_task *t = mm_container_of(n, struct mm_task, node);
        struct sums s = {0};
        check_vmas(t->mm, &s);
        assert_int_equal(s.total, t->mm->total_vm);
        assert_int_equal(s.data, t->mm->data_vm);
        assert_int_equal(s.exec, t->mm->exec_vm);
        assert_int_equal(s.stack, t->mm->stack_vm);
        accounted += s.accounted;
        check_ptes(sim, t->mm);
    }
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&sim->files, &pos)))
        shmem += ((const struct mm_file *)(uintptr_t)s->value)->charged;
    assert_int_equal(mm_vm_memory_committed(sim), accounted + shmem);
}

static void step(struct mm_sim *sim, uint32_t pid)
{
    static const uint32_t prots[] = {0, RO, RW, RO | MM_PROT_EXEC};
    static const int advice[] = {MM_MADV_DONTNEED, MM_MADV_FREE,
                                 MM_MADV_DONTFORK, MM_MADV_DOFORK,
                                 MM_MADV_HUGEPAGE, MM_MADV_WIPEONFORK};
    uint64_t a = rnd_addr(), len = (1 + rnd(600)) * P, brk;
    switch (rnd(12)) {
    case 0:
        map_anon(sim, pid, a, len, prots[rnd(4)],
                 rnd(4) ? MM_MAP_PRIVATE : MM_MAP_SHARED);
        break;
    case 1:
        map_file(sim, pid, a, len, prots[rnd(4)],
                 rnd(3) ? MM_MAP_PRIVATE : MM_MAP_SHARED, 1 + rnd(3), rnd(64));
        break;
    case 2:
        mm_munmap(sim, pid, a, len);
        break;
    case 3:
        mm_mprotect(sim, pid, a, len, prots[rnd(4)]);
        break;
    case 4:
        mm_madvise(sim, pid, a, len, advice[rnd(6)]);
        break;
    case 5: {
        struct mm_mremap_req r = {a, len, (1 + rnd(600)) * P,
                                  MM_MREMAP_MAYMOVE, rnd(2) ? a : rnd_addr()};
        if (r.new_addr != a && r.new_addr < a + len + r.new_len &&
            a < r.new_addr + r.new_len)
            r.new_addr = a; /* the kernel never moves onto itself */
        mm_mremap(sim, pid, &r);
        break;
    }
    case 6:
        mm_brk(sim, pid, 0x600000 + rnd(300) * P, &brk);
        break;
    case 7: /* a 2 MiB-aligned MADV_HUGEPAGE range, written */
        a = BASE + rnd(SPAN / (2 * MIB)) * 2 * MIB;
        map_anon(sim, pid, a, 4 * MIB, RW, MM_MAP_PRIVATE);
        mm_madvise(sim, pid, a, 4 * MIB, MM_MADV_HUGEPAGE);
        mm_fault(sim, pid, a + rnd(512) * P, rnd(2));
        mm_fault(sim, pid, a + 2 * MIB + rnd(512) * P, true);
        break;
    default:
        for (int i = 0; i < 16; i++)
            mm_fault(sim, pid, a + rnd(64) * P, rnd(2));
        break;
    }
}

struct config {
    unsigned kernel;
    int overcommit, max_map_count;
    uint64_t overcommit_kbytes; /* 0: ratio 50 */
    bool no_zero_page;
};

static uint64_t refusals;

static void run(const struct config *cfg, struct mm_fault_counters *c)
{
    struct mm_machine m;
    int err;
    machine_16g(&m, cfg->kernel, MM_THP_MADVISE);
    m.no_zero_page = cfg->no_zero_page;
    struct mm_sim *sim = mm_sim_new(&m, &err);
    assert_non_null(sim);
    sim->vm.overcommit_memory = cfg->overcommit;
    sim->vm.max_map_count = cfg->max_map_count;
    if (cfg->overcommit_kbytes) {
        sim->vm.overcommit_kbytes = cfg->overcommit_kbytes;
        sim->vm.overcommit_ratio = 0;
    }
    uint64_t before = 0;
    for (int t = 0; t < MM_NR_ZONES; t++)
        before += mm__zone_free_pages(&sim->nodes[0].zones[t]);
    struct mm_exec_req ex = {.start_brk = 0x600000, .start_stack = BASE - 8};
    assert_int_equal(mm_exec(sim, 1, &ex), 0);
    for (int i = 0; i < 2000; i++) {
        uint32_t pids[NPROC];
        size_t n = mm_task_pids(sim, pids, NPROC);
        uint32_t pid = pids[rnd(n)];
        uint64_t r = rnd(100);
        if (r == 0 && n < NPROC)
            mm_fork(sim, pid, 100 + (uint32_t)i);
        else if (r == 1 && n > 1)
            assert_int_equal(mm_exit(sim, pid), 0);
        else
            step(sim, pid);
        if (i % 4 == 0) /* every 4th step keeps the test short under ASan */
            check_all(sim);
    }
    check_all(sim);
    mm_fault_counters(sim, c);
    refusals = sim->commit_log.failures;
    uint32_t pids[NPROC];
    size_t n = mm_task_pids(sim, pids, NPROC);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mm_exit(sim, pids[i]), 0);
    assert_int_equal(mm_vm_memory_committed(sim), 0);
    struct mm_page_counts pc;
    mm_page_counts(sim, &pc);
    assert_int_equal(pc.anon, 0);
    uint64_t after = 0;
    for (int t = 0; t < MM_NR_ZONES; t++)
        after += mm__zone_free_pages(&sim->nodes[0].zones[t]);
    assert_int_equal(after + pc.file, before); /* only page cache remains */
    mm_sim_free(sim);
}

static void test_random_consistency(void **state)
{
    (void)state;
    static const struct config cfgs[] = {
        {MM_KERNEL(6, 18), 0, 65530, 0, false},
        /* NEVER with 4000 pages to share, tight map count */
        {MM_KERNEL(6, 1), 2, 40, 4 * (2048 + 4000), false},
        {MM_KERNEL(6, 18), 1, 65530, 0, true}, /* no zero page */
    };
    for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
        struct mm_fault_counters c;
        run(&cfgs[i], &c);
        print_message("config %zu: pgfault %llu pgmajfault %llu pgreuse %llu "
                      "thp %llu refusals %llu\n", i,
                      (unsigned long long)c.pgfault,
                      (unsigned long long)c.pgmajfault,
                      (unsigned long long)c.pgreuse,
                      (unsigned long long)c.thp_fault_alloc,
                      (unsigned long long)refusals);
        /* the stream reached every kind of fault */
        assert_true(c.pgmajfault > 0 && c.pgreuse > 0 &&
                    c.thp_fault_alloc > 0);
        assert_true(cfgs[i].overcommit != 2 || refusals > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_consistency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
