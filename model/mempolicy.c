/*
 * mempolicy.c - NUMA memory policies: set_mempolicy(2) (the task policy),
 * mbind(2) (VMA policies, splitting and merging VMAs), inheritance on fork,
 * and the node/nodemask an allocation starts from.
 *
 * Callers: the replay through mm_set_mempolicy(), mm_mbind(),
 * mm_task_set_numa_node(); the tools through mm_mpol_check() (--numa-policy);
 * fork.c (mm__mpol_fork); vma.c (mm__mpol_equal in the merge rule);
 * page_alloc.c (mm__policy_node). The allocation side (interleave,
 * PREFERRED_MANY's two passes, THP's local-node attempt, interleave_hit) is
 * in mempolicy_alloc.c.
 *
 * Kernel: mm/mempolicy.c 6.1 (sanitize_mpol_flags, get_nodes, mpol_new,
 * mpol_set_nodemask, mpol_relative_nodemask, do_set_mempolicy, do_mbind,
 * queue_pages_test_walk, mbind_range, __mpol_equal, policy_node,
 * policy_nodemask); MPOL_WEIGHTED_INTERLEAVE is accepted from 6.9.
 *
 * Simplified: tasks are thread groups, so a thread's set_mempolicy sets the
 * policy of its whole process. No cpusets: mems_allowed is every node with
 * memory, and policies are never rebound. mbind's MPOL_MF_MOVE/MOVE_ALL
 * accept the call but do not migrate pages already present (they stay where
 * they are); MPOL_MF_STRICT alone fails with EIO on a misplaced page, as the
 * kernel. CAP_SYS_NICE is not tracked, so MOVE_ALL is never EPERM.
 * set_mempolicy_home_node(2) is not modelled. A trace carries the first 64
 * bits of a node mask, and a mask of zeroes cannot be told from a NULL
 * pointer: maxnode 0 is taken as "no mask".
 */
#include <stdlib.h>

#include "internal.h"

#define MPOL_MF_VALID (MM_MPOL_MF_STRICT | MM_MPOL_MF_MOVE | MM_MPOL_MF_MOVE_ALL)
#define MAX_MAXNODE (MM_PAGE_SIZE * 8) /* get_nodes(): PAGE_SIZE*BITS_PER_BYTE */

static int first_node(uint64_t mask)
{
    return mask ? __builtin_ctzll(mask) : MM_MAX_NUMNODES;
}

/* MPOL_MAX of the emulated kernel. */
static int mpol_max(const struct mm_sim *sim)
{
    return sim->machine.kernel >= MM_KERNEL(6, 9) ? MM_MPOL_WEIGHTED_INTERLEAVE + 1
                                                  : MM_MPOL_PREFERRED_MANY + 1;
}

/* sanitize_mpol_flags(): split the mode argument into mode and flags. */
static int sanitize_mpol_flags(const struct mm_sim *sim, int arg, int *mode,
                               unsigned *flags)
{
    *flags = (unsigned)arg & MM_MPOL_MODE_FLAGS;
    *mode = (int)((unsigned)arg & ~(unsigned)MM_MPOL_MODE_FLAGS);
    if (*mode < 0 || *mode >= mpol_max(sim))
        return MM_EINVAL;
    if ((*flags & MM_MPOL_F_STATIC_NODES) && (*flags & MM_MPOL_F_RELATIVE_NODES))
        return MM_EINVAL;
    if ((*flags & MM_MPOL_F_NUMA_BALANCING) && *mode != MM_MPOL_BIND)
        return MM_EINVAL;
    return 0;
}

/* get_nodes(): the first maxnode - 1 bits of the user's mask. */
static int get_nodes(uint64_t mask, uint64_t maxnode, uint64_t *nodes)
{
    *nodes = 0;
    if (maxnode == 0)
        return 0; /* see the header: taken as a NULL mask */
    maxnode--;
    if (maxnode == 0)
        return 0;
    if (maxnode > MAX_MAXNODE)
        return MM_EINVAL;
    *nodes = maxnode < 64 ? mask & ((1ull << maxnode) - 1) : mask;
    return 0;
}

/* mpol_new(): the checks that depend on mode, flags and emptiness. */
static int mpol_new(int mode, unsigned flags, uint64_t nodes,
                    struct mm_mempolicy *pol)
{
    bool rel = flags & (MM_MPOL_F_STATIC_NODES | MM_MPOL_F_RELATIVE_NODES);
    *pol = (struct mm_mempolicy){.mode = MM_MPOL_DEFAULT};
    if (mode == MM_MPOL_DEFAULT)
        return nodes ? MM_EINVAL : 0;
    if (mode == MM_MPOL_PREFERRED && !nodes) {
        if (rel)
            return MM_EINVAL;
        mode = MM_MPOL_LOCAL;
    } else if (mode == MM_MPOL_LOCAL) {
        if (nodes || rel)
            return MM_EINVAL;
    } else if (!nodes) {
        return MM_EINVAL;
    }
    pol->mode = (enum mm_mpol_mode)mode;
    pol->flags = flags;
    return 0;
}

/*
 * mpol_relative_nodemask(): nodes_fold() the user's mask to the weight of
 * @allowed, then nodes_onto() @allowed: user node i is the i-th allowed node.
 */
static uint64_t relative_nodemask(uint64_t orig, uint64_t allowed)
{
    unsigned sz = (unsigned)__builtin_popcountll(allowed), n = 0;
    uint64_t folded = 0, out = 0;
    for (unsigned b = 0; b < 64; b++)
        if (orig >> b & 1u)
            folded |= 1ull << (b % sz);
    for (unsigned b = 0; b < 64; b++)
        if (allowed >> b & 1u) {
            if (folded >> n & 1u)
                out |= 1ull << b;
            n++;
        }
    return out;
}

/* mpol_set_nodemask() with mems_allowed = N_MEMORY, then mpol_ops create. */
static int mpol_set_nodemask(const struct mm_sim *sim, struct mm_mempolicy *pol,
                             uint64_t nodes)
{
    if (pol->mode == MM_MPOL_DEFAULT || pol->mode == MM_MPOL_LOCAL)
        return 0;
    uint64_t allowed = sim->node_mask;
    uint64_t mask = (pol->flags & MM_MPOL_F_RELATIVE_NODES)
                        ? relative_nodemask(nodes, allowed)
                        : nodes & allowed;
    if (pol->flags & (MM_MPOL_F_STATIC_NODES | MM_MPOL_F_RELATIVE_NODES))
        pol->user_nodes = nodes;
    if (!mask)
        return MM_EINVAL; /* mpol_new_nodemask / mpol_new_preferred */
    pol->nodes = pol->mode == MM_MPOL_PREFERRED ? 1ull << first_node(mask) : mask;
    return 0;
}

/* kernel_set_mempolicy()/kernel_mbind() up to a ready policy. */
static int mpol_from_user(const struct mm_sim *sim, int arg, uint64_t mask,
                          uint64_t maxnode, struct mm_mempolicy *pol)
{
    int mode;
    unsigned flags;
    uint64_t nodes;
    int err = sanitize_mpol_flags(sim, arg, &mode, &flags);
    if (!err)
        err = get_nodes(mask, maxnode, &nodes);
    if (!err)
        err = mpol_new(mode, flags, nodes, pol);
    if (!err)
        err = mpol_set_nodemask(sim, pol, nodes);
    return err;
}

/**
 * mm__mpol_equal() - whether two policies are the same (VMA merging)
 * @a: a policy (DEFAULT = none)
 * @b: a policy
 *
 * Kernel: mm/mempolicy.c mpol_equal() / __mpol_equal().
 * Return: true when equal; two "none" policies are equal.
 */
bool mm__mpol_equal(const struct mm_mempolicy *a, const struct mm_mempolicy *b)
{
    if (a->mode != b->mode || a->flags != b->flags)
        return false;
    if (a->mode == MM_MPOL_DEFAULT || a->mode == MM_MPOL_LOCAL)
        return true;
    if ((a->flags & (MM_MPOL_F_STATIC_NODES | MM_MPOL_F_RELATIVE_NODES)) &&
        a->user_nodes != b->user_nodes)
        return false;
    return a->nodes == b->nodes;
}

/**
 * mm__mpol_fork() - the child's copy of its parent's task policy
 * @child: the new task
 * @parent: the forking task
 *
 * The policy, the interleave cursor and the CPU node are inherited (the
 * whole task_struct is copied; the policy with mpol_dup()). VMA policies
 * travel with the VMAs, which fork copies by value.
 * Kernel: kernel/fork.c dup_task_struct(), copy_process() mpol_dup().
 */
void mm__mpol_fork(struct mm_task *child, const struct mm_task *parent)
{
    child->mempolicy = parent->mempolicy;
    child->il_prev = parent->il_prev;
    child->numa_node = parent->numa_node;
}

/**
 * mm_mpol_check() - whether set_mempolicy(@mode, @nodemask) would succeed
 * @sim: the simulator (its nodes with memory and kernel version)
 * @mode: enum mm_mpol_mode | enum mm_mpol_flags
 * @nodemask: nodes 0..63
 *
 * Return: 0 or MM_EINVAL.
 */
int mm_mpol_check(const struct mm_sim *sim, int mode, uint64_t nodemask)
{
    struct mm_mempolicy pol;
    return mpol_from_user(sim, mode, nodemask, 65, &pol);
}

/**
 * mm_set_mempolicy() - set_mempolicy(2): the policy of @pid's allocations
 * outside VMAs with a policy of their own
 * @sim: the simulator
 * @pid: tgid
 * @mode: enum mm_mpol_mode | enum mm_mpol_flags
 * @nodemask: nodes 0..63 of the mask
 * @maxnode: as passed (the mask has maxnode - 1 bits)
 *
 * Interleave restarts at the first node of the mask.
 * Return: 0; MM_EINVAL (bad mode or flags, a mask empty where a mode needs
 * nodes or non-empty for DEFAULT/LOCAL, no node with memory in it, maxnode
 * too large); MM_ESRCH.
 * Kernel: mm/mempolicy.c kernel_set_mempolicy(), do_set_mempolicy().
 */
int mm_set_mempolicy(struct mm_sim *sim, uint32_t pid, int mode,
                     uint64_t nodemask, uint64_t maxnode)
{
    struct mm_task *task = mm__task_find(sim, pid);
    struct mm_mempolicy pol;
    if (!task)
        return MM_ESRCH;
    int err = mpol_from_user(sim, mode, nodemask, maxnode, &pol);
    if (err)
        return err;
    task->mempolicy = pol;
    if (pol.mode == MM_MPOL_INTERLEAVE || pol.mode == MM_MPOL_WEIGHTED_INTERLEAVE)
        task->il_prev = MM_MAX_NUMNODES - 1;
    return 0;
}

/**
 * mm_task_set_numa_node() - the node of the CPU @pid runs on
 * @sim: the simulator
 * @pid: tgid
 * @nid: a node of the machine
 *
 * The model has no scheduler: a task runs on node 0 unless this says
 * otherwise, and children inherit their parent's node. It is the node
 * numa_node_id() gives: local allocation, local_node/other_node.
 * Return: 0, MM_ESRCH, MM_EINVAL for a node the machine lacks.
 */
int mm_task_set_numa_node(struct mm_sim *sim, uint32_t pid, int nid)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task)
        return MM_ESRCH;
    if (nid < 0 || (unsigned)nid >= sim->nr_nodes)
        return MM_EINVAL;
    task->numa_node = nid;
    return 0;
}

/* A present page outside @nodes in [start, end) (the STRICT check). */
static bool has_misplaced_page(const struct mm_sim *sim, const struct mm_mm *mm,
                               uint64_t start, uint64_t end, uint64_t nodes)
{
    uint64_t *vpns, pte;
    size_t n = mm__collect_ptes(mm, start, end, &vpns);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        mm__hmap_get(&mm->ptes, vpns[i], &pte);
        if (!(pte & MM_PTE_PRESENT) || (pte & MM_PTE_ZERO))
            continue;
        int nid = mm__pfn_to_nid(sim, MM_PTE_PFN(pte));
        found = nid >= 0 && !(nodes >> nid & 1u);
    }
    free(vpns);
    return found;
}

/* queue_pages_range() without migration: EFAULT for holes, EIO (STRICT). */
static int queue_pages_range(const struct mm_sim *sim, const struct mm_mm *mm,
                             const struct mm_mbind_req *req, uint64_t end,
                             uint64_t nodes, unsigned flags)
{
    bool discontig_ok = flags & (1u << 31);
    const struct mm_vma *first = NULL;
    for (const struct mm_vma *v = mm__vma_first_after(mm, req->start);
         v && v->start < end; v = mm__vma_next(mm, v)) {
        const struct mm_vma *next = mm__vma_next(mm, v);
        if (!first && !discontig_ok && req->start < v->start)
            return MM_EFAULT;
        first = first ? first : v;
        if (!discontig_ok && v->end < end && (!next || v->end < next->start))
            return MM_EFAULT;
        if ((flags & MPOL_MF_VALID) == MM_MPOL_MF_STRICT &&
            has_misplaced_page(sim, mm, v->start < req->start ? req->start : v->start,
                               v->end < end ? v->end : end, nodes))
            return MM_EIO;
    }
    return first ? 0 : MM_EFAULT;
}

/* Split the VMAs at the range's ends where the policy changes (mbind_range). */
static int mbind_split(struct mm_sim *sim, struct mm_mm *mm, uint64_t start,
                       uint64_t end, const struct mm_mempolicy *pol)
{
    uint64_t max = sim->vm.max_map_count < 0 ? 0 : (uint64_t)sim->vm.max_map_count;
    uint64_t at[2] = {start, end};
    for (int i = 0; i < 2; i++) {
        struct mm_vma *v = mm__vma_find(mm, at[i]);
        if (!v || v->start == at[i] || mm__mpol_equal(&v->policy, pol))
            continue;
        if (mm->vmas.count >= max) /* split_vma(): map_count check */
            return MM_ENOMEM;
        if (!mm__vma_split(sim, mm, v, at[i]))
            return MM_ENOMEM;
    }
    return 0;
}

/* do_mbind() after the policy is built: check, split, set, merge. */
static int mbind_apply(struct mm_sim *sim, struct mm_mm *mm,
                       const struct mm_mbind_req *req, uint64_t end,
                       const struct mm_mempolicy *pol, uint64_t nodes)
{
    unsigned flags = req->flags;
    if (pol->mode == MM_MPOL_DEFAULT)
        flags |= 1u << 31; /* MPOL_MF_DISCONTIG_OK */
    int err = queue_pages_range(sim, mm, req, end, nodes, flags);
    if (!err)
        err = mbind_split(sim, mm, req->start, end, pol);
    if (err)
        return err;
    for (struct mm_vma *v = mm__vma_first_after(mm, req->start);
         v && v->start < end; v = mm__vma_next(mm, v))
        v->policy = *pol;
    mm__vma_merge_range(sim, mm, req->start, end);
    return 0;
}

/**
 * mm_mbind() - mbind(2): a policy for the VMAs of a range
 * @sim: the simulator
 * @pid: tgid
 * @req: range, mode (with flags), mask, maxnode, MPOL_MF_* flags
 *
 * VMAs are split at the range's ends and merged with neighbours of the same
 * policy, as /proc/PID/maps shows it.
 * Return: 0; MM_EINVAL (unaligned start, wrapping range, unknown flags, a
 * policy set_mempolicy would refuse); MM_EFAULT (a hole in the range, or no
 * VMA in it for MPOL_DEFAULT); MM_EIO (MPOL_MF_STRICT and a page already on
 * a node outside the mask); MM_ENOMEM (vm.max_map_count); MM_ESRCH.
 * Kernel: mm/mempolicy.c kernel_mbind(), do_mbind(), mbind_range().
 */
int mm_mbind(struct mm_sim *sim, uint32_t pid, const struct mm_mbind_req *req)
{
    struct mm_task *task = mm__task_find(sim, pid);
    if (!task || !task->mm)
        return MM_ESRCH;
    int mode;
    unsigned mflags;
    uint64_t nodes;
    int err = sanitize_mpol_flags(sim, req->mode, &mode, &mflags);
    if (!err)
        err = get_nodes(req->nodemask, req->maxnode, &nodes);
    if (err)
        return err;
    if ((req->flags & ~(unsigned)MPOL_MF_VALID) || (req->start & (MM_PAGE_SIZE - 1)))
        return MM_EINVAL;
    struct mm_mbind_req r = *req;
    if (mode == MM_MPOL_DEFAULT)
        r.flags &= ~(unsigned)MM_MPOL_MF_STRICT;
    uint64_t end = req->start + ((req->len + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1));
    if (end < req->start)
        return MM_EINVAL;
    if (end == req->start)
        return 0;
    struct mm_mempolicy pol;
    err = mpol_new(mode, mflags, nodes, &pol);
    if (!err)
        err = mpol_set_nodemask(sim, &pol, nodes);
    return err ? err : mbind_apply(sim, task->mm, &r, end, &pol, nodes);
}

/**
 * mm__policy_node() - start node and allowed nodes of an allocation
 * @sim: the simulator
 * @ac: the request; ac->preferred_nid is numa_node_id(), ac->policy the
 *      policy in force (NULL or DEFAULT: the built-in local policy)
 * @nid: set to the node whose zonelist is walked
 * @nodemask: set to the allowed nodes
 *
 * DEFAULT and LOCAL start at the local node, PREFERRED at its node, BIND and
 * PREFERRED_MANY at the local node with their mask (the nearest allowed
 * node comes first in the local zonelist). Interleave modes are resolved
 * by the caller into the chosen node (mempolicy_alloc.c).
 * Kernel: mm/mempolicy.c policy_node(), policy_nodemask().
 * Return: 0; MM_EINVAL for a node that does not exist or an unresolved
 * interleave policy.
 */
int mm__policy_node(const struct mm_sim *sim, const struct mm_alloc_ctx *ac,
                    int *nid, uint64_t *nodemask)
{
    if (ac->preferred_nid < 0 || (unsigned)ac->preferred_nid >= sim->nr_nodes)
        return MM_EINVAL;
    const struct mm_mempolicy *pol = ac->policy;
    *nid = ac->preferred_nid;
    *nodemask = UINT64_MAX;
    switch (pol ? pol->mode : MM_MPOL_DEFAULT) {
    case MM_MPOL_DEFAULT:
    case MM_MPOL_LOCAL:
        return 0;
    case MM_MPOL_PREFERRED:
        *nid = first_node(pol->nodes);
        return (unsigned)*nid < sim->nr_nodes ? 0 : MM_EINVAL;
    case MM_MPOL_BIND:
    case MM_MPOL_PREFERRED_MANY:
        *nodemask = pol->nodes;
        return 0;
    default:
        return MM_EINVAL;
    }
}
