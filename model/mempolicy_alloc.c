/*
 * mempolicy_alloc.c - where a user page goes: the policy in force for an
 * address (the VMA's, else the task's, else local), interleave (static by
 * page offset for VMA faults, round robin for task-level allocations),
 * PREFERRED_MANY's two passes, the local-node-first rule of THP, and the
 * interleave_hit counter.
 *
 * Callers: model/memory.c alloc_folio() for every anonymous, COW, shmem
 * and page cache page of a fault. sim->current is the faulting task (the
 * kernel's current): its policy, interleave cursor and node.
 *
 * Kernel: mm/mempolicy.c vma_alloc_folio(), alloc_pages(),
 * alloc_page_interleave(), alloc_pages_preferred_many(), get_vma_policy(),
 * get_task_policy(), interleave_nid(), offset_il_node(), interleave_nodes()
 * (6.1); alloc_pages_mpol(), weighted_interleave_nid() (6.12).
 *
 * Simplified: page cache pages use the task policy (as filemap_alloc_folio
 * does without cpuset page spreading); shmem pages use the faulting VMA's
 * policy, standing in for the object's shared policy (the same whenever
 * the object's mappings were given one policy), interleaved by file index
 * plus inode number as the kernel does. Weighted interleave uses weight 1
 * for every node (the default without sysfs weights or HMAT data), which
 * places pages as plain interleave; from 6.7 interleave_hit counts only
 * MPOL_INTERLEAVE (6.12 source), in 6.1 weighted interleave does not exist.
 * THP: the local attempt is __GFP_THISNODE|__GFP_NORETRY on the node;
 * only a gfp with __GFP_DIRECT_RECLAIM (memory.c gives THP faults
 * GFP_TRANSHUGE_LIGHT, which lacks it: the default defrag=madvise for a
 * VMA without MADV_HUGEPAGE) retries on other nodes.
 */
#include "internal.h"

#define HPAGE_PMD_ORDER 9

static int first_node(uint64_t mask)
{
    return mask ? __builtin_ctzll(mask) : MM_MAX_NUMNODES;
}

/* next_node_in(): the next node of @mask after @node, wrapping. */
static int next_node_in(int node, uint64_t mask)
{
    uint64_t above = node + 1 >= 64 ? 0 : mask & (UINT64_MAX << (node + 1));
    return above ? first_node(above) : first_node(mask);
}

/* numa_node_id() of the allocating task; node 0 outside a task. */
static int numa_node_id(const struct mm_sim *sim)
{
    return sim->current ? sim->current->numa_node : 0;
}

/* get_task_policy(): NULL is the built-in local policy. */
static const struct mm_mempolicy *get_task_policy(const struct mm_sim *sim)
{
    const struct mm_task *me = sim->current;
    return me && me->mempolicy.mode != MM_MPOL_DEFAULT ? &me->mempolicy : NULL;
}

static bool is_interleave(const struct mm_mempolicy *pol)
{
    return pol && (pol->mode == MM_MPOL_INTERLEAVE ||
                   pol->mode == MM_MPOL_WEIGHTED_INTERLEAVE);
}

/* get_vma_policy() with the interleave index (shmem: index + inode). */
static const struct mm_mempolicy *get_vma_policy(const struct mm_sim *sim,
                                                 const struct mm_vma *vma,
                                                 uint64_t addr, unsigned order,
                                                 uint64_t *ilx)
{
    const struct mm_mempolicy *pol = NULL;
    *ilx = 0;
    if (vma->policy.mode != MM_MPOL_DEFAULT)
        pol = &vma->policy;
    if (vma->file && vma->file->shmem)
        *ilx = vma->file->ino;
    if (!pol)
        pol = get_task_policy(sim);
    *ilx += vma->pgoff >> order;
    *ilx += (addr - vma->start) >> (MM_PAGE_SHIFT + order);
    return pol;
}

/* interleave_nodes(): the task's round robin (il_prev). */
static int interleave_nodes(struct mm_sim *sim, const struct mm_mempolicy *pol)
{
    struct mm_task *me = sim->current;
    int next = next_node_in(me ? me->il_prev : MM_MAX_NUMNODES - 1, pol->nodes);
    if (me && next < MM_MAX_NUMNODES)
        me->il_prev = next;
    return next;
}

/* interleave_nid()/offset_il_node(): the ilx-th node of the mask. Before
 * the 6.7 rework the index was truncated to 32 bits (unsigned int). */
static int interleave_nid(const struct mm_sim *sim,
                          const struct mm_mempolicy *pol, uint64_t ilx)
{
    unsigned nnodes = (unsigned)__builtin_popcountll(pol->nodes);
    if (!nnodes)
        return numa_node_id(sim);
    if (sim->machine.kernel < MM_KERNEL(6, 7))
        ilx = (uint32_t)ilx;
    uint64_t target = ilx % nnodes;
    int nid = first_node(pol->nodes);
    for (uint64_t i = 0; i < target; i++)
        nid = next_node_in(nid, pol->nodes);
    return nid;
}

/* alloc_page_interleave(): __alloc_pages() on @nid's zonelist, no mask. */
static int alloc_interleave(struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                            int nid, bool count_hit, uint64_t *pfn)
{
    struct mm_mempolicy target = {.mode = MM_MPOL_PREFERRED, .nodes = 1ull << nid};
    struct mm_alloc_ctx req = *ac;
    req.policy = &target;
    int err = mm__alloc_pages(sim, &req, pfn);
    if (err || !count_hit || !sim->vm.numa_stat)
        return err;
    struct mm_zone *zone = mm__pfn_zone(sim, *pfn);
    if (zone && zone->nid == nid)
        zone->numa_stat[MM_NUMA_INTERLEAVE]++;
    return 0;
}

/* alloc_pages_preferred_many(): the mask first without direct reclaim
 * (nor OOM), then every node. */
static int alloc_preferred_many(struct mm_sim *sim,
                                const struct mm_alloc_ctx *ac, uint64_t *pfn)
{
    struct mm_alloc_ctx first = *ac;
    first.gfp_mask |= MM_GFP_NOWARN;
    first.gfp_mask &= ~(uint32_t)(MM_GFP_DIRECT_RECLAIM | MM_GFP_NOFAIL);
    int err = mm__alloc_pages(sim, &first, pfn);
    if (err != MM_ENOMEM)
        return err;
    struct mm_alloc_ctx any = *ac;
    any.policy = NULL;
    return mm__alloc_pages(sim, &any, pfn);
}

/* The THP rule: the policy's own node alone first, when the policy allows it. */
static int alloc_hugepage(struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                          uint64_t *pfn)
{
    const struct mm_mempolicy *pol = ac->policy;
    int nid = ac->preferred_nid;
    if (pol && pol->mode == MM_MPOL_PREFERRED)
        nid = first_node(pol->nodes);
    if (pol && pol->mode == MM_MPOL_BIND && !(pol->nodes >> nid & 1u))
        return mm__alloc_pages(sim, ac, pfn);
    /* __GFP_THISNODE: only @nid's zones, counted against @nid's zone */
    struct mm_mempolicy thisnode = {.mode = MM_MPOL_BIND, .nodes = 1ull << nid};
    struct mm_alloc_ctx local = *ac;
    local.policy = &thisnode;
    local.gfp_mask |= MM_GFP_THISNODE | MM_GFP_NORETRY;
    int err = mm__alloc_pages(sim, &local, pfn);
    if (err != MM_ENOMEM || !(ac->gfp_mask & MM_GFP_DIRECT_RECLAIM))
        return err;
    return mm__alloc_pages(sim, ac, pfn);
}

/**
 * mm__alloc_user_pages() - allocate a user page under the NUMA policy
 * @sim: the simulator; sim->current is the allocating task (or NULL)
 * @vma: the VMA the page is mapped into (vma_alloc_folio), or NULL for a
 *       page cache page (alloc_pages: the task policy, no interleave index)
 * @addr: the faulting address inside @vma
 * @order: 0, or HPAGE_PMD_ORDER for a THP
 * @gfp: MM_GFP_* of the fault path (reclaim and OOM follow it)
 * @pfn: set to the first PFN
 *
 * Kernel: mm/mempolicy.c vma_alloc_folio() and alloc_pages() (6.1),
 * alloc_pages_mpol() (6.12).
 * Return: 0, MM_ENOMEM (no node allowed could give it), MM_EINVAL.
 */
int mm__alloc_user_pages(struct mm_sim *sim, const struct mm_vma *vma,
                         uint64_t addr, unsigned order, uint32_t gfp,
                         uint64_t *pfn)
{
    uint64_t ilx = 0;
    const struct mm_mempolicy *pol = vma ? get_vma_policy(sim, vma, addr, order, &ilx)
                                         : get_task_policy(sim);
    struct mm_alloc_ctx ac = {
        .preferred_nid = numa_node_id(sim),
        .highest_zoneidx = MM_ZONE_MOVABLE,
        .order = order,
        .migratetype = MM_MIGRATE_MOVABLE,
        .policy = pol,
        .gfp_mask = gfp,
    };
    if (is_interleave(pol)) {
        int nid = vma ? interleave_nid(sim, pol, ilx) : interleave_nodes(sim, pol);
        bool hit = pol->mode == MM_MPOL_INTERLEAVE;
        return alloc_interleave(sim, &ac, nid, hit, pfn);
    }
    if (pol && pol->mode == MM_MPOL_PREFERRED_MANY)
        return alloc_preferred_many(sim, &ac, pfn);
    if (vma && order == HPAGE_PMD_ORDER)
        return alloc_hugepage(sim, &ac, pfn);
    return mm__alloc_pages(sim, &ac, pfn);
}
