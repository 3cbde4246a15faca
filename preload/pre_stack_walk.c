/*
 * Walking the call stack of an allocator call, fast.
 *
 * A general unwinder (libunwind's unw_backtrace) costs 8-15 ns per frame on
 * a warm cache; a deep stack (an interpreter's) costs microseconds per
 * allocation. This walk keeps, per process, the unwind rule of every
 * return address it has met, learnt once from the object's CFI
 * (pre_cfi.c), and then follows the stack with a table lookup and two
 * loads per frame.
 *
 * A rule says how to find the caller's frame at one return address, in
 * the two forms GCC and Clang give x86-64 code at call sites:
 *   PRE_RULE_SP   CFA = rsp + offset;
 *   PRE_RULE_BP   CFA = rbp + offset (a frame-pointer frame);
 * in both the return address is at CFA - 8, the caller's rsp is the CFA,
 * and rbp is either unchanged or was saved at CFA + rbp_off. PRE_RULE_END
 * marks the outermost frame (no caller: _start, a thread's start). Anything
 * else (a signal frame, a CFA computed by an expression, code without CFI)
 * stops the walk, and the stack is taken another way (pre_stack.c).
 *
 * Safety: the walk reads only words between the current rsp and the top of
 * the thread's stack (pre_walk bounds), and every frame must be above the
 * previous one; a walk that would leave the stack stops. MMSIM_STACK_CHECK=1
 * compares every walk with unw_backtrace (pre_stack.c); the tests run real
 * programs that way.
 */
#include "pre_internal.h"

static struct pre_map rules = {.far_bits = 15};

static uint64_t rule_pack(struct pre_rule r)
{
    return r.kind | (uint64_t)(uint16_t)r.rbp_off << 8 |
           (uint64_t)(uint32_t)r.cfa_off << 32;
}

static struct pre_rule rule_unpack(uint64_t v)
{
    struct pre_rule r = {(uint8_t)v, (int16_t)(uint16_t)(v >> 8),
                         (int32_t)(uint32_t)(v >> 32)};

    return r;
}

/* Publish @r for @ip. Return: 0, or -1 if there is no room (the rule
 * stays unlearnt and is learnt again at every walk through @ip). */
static int rule_add(uint64_t ip, struct pre_rule r)
{
    int claimed;
    struct pre_map_ent *e = pre_map_claim(&rules, ip, &claimed);

    if (e == NULL)
        return -1;
    if (claimed)
        pre_map_publish(e, rule_pack(r));
    return 0; /* or another thread learnt it */
}

/* The rule at return address @pc, learnt from its CFI if not known yet.
 * Clears *@keep if the rule was not kept (learnt afresh at every walk). */
static struct pre_rule rule_at(uintptr_t pc, int *keep)
{
    struct pre_rule r = rule_unpack(pre_map_get(&rules, pc));

    if (r.kind != PRE_RULE_NONE)
        return r;
    if (pre_cfi_rule(pc - 1, &r) != 0 || rule_add(pc, r) != 0)
        *keep = 0;
    return r;
}

/* Note a word the walk's result depends on, if the walk is recorded. */
static void note(struct pre_walk *w, uintptr_t addr, uintptr_t val)
{
    if (w->check == NULL || w->nchecks < 0)
        return;
    if (w->nchecks == PRE_WALK_CHECKS) {
        w->nchecks = -1; /* too many to keep: not reusable */
        return;
    }
    w->check[w->nchecks].addr = addr;
    w->check[w->nchecks].val = val;
    w->nchecks++;
}

/* The walk's registers. rbp restored from the stack matters only if a
 * frame-pointer frame uses it before the next restore: its slot is noted
 * then (a saved rbp that is only data would otherwise stop reuse). */
struct walk_regs {
    uintptr_t pc, sp, bp;
    uintptr_t bp_slot; /* where bp was restored from; 0: the entry value */
    int bp_noted;      /* bp_slot already noted */
};

/* One frame: to the caller's registers. Returns 1 if there is a caller,
 * 0 at the outermost frame, -1 if this walk cannot go on. */
static int step(struct pre_walk *w, struct walk_regs *g)
{
    int keep = 1;
    struct pre_rule r = rule_at(g->pc, &keep);
    uintptr_t cfa;

    if (!keep)
        w->nchecks = -1; /* a rule learnt afresh each time: no reuse */
    if (r.kind == PRE_RULE_END)
        return 0;
    if (r.kind != PRE_RULE_SP && r.kind != PRE_RULE_BP)
        return -1;
    if (r.kind == PRE_RULE_BP && g->bp_slot == 0)
        w->rbp_used = 1;
    else if (r.kind == PRE_RULE_BP && !g->bp_noted) {
        note(w, g->bp_slot, g->bp);
        g->bp_noted = 1;
    }
    cfa = (r.kind == PRE_RULE_BP ? g->bp : g->sp) + (uintptr_t)(intptr_t)r.cfa_off;
    if (cfa < g->sp + 8 || cfa > w->hi || cfa - g->sp > (uintptr_t)INT32_MAX)
        return -1;
    if (r.rbp_off != PRE_RBP_UNCHANGED) {
        g->bp_slot = cfa + (uintptr_t)(intptr_t)r.rbp_off;
        if (g->bp_slot < g->sp)
            return -1;
        g->bp = *(const uintptr_t *)g->bp_slot;
        g->bp_noted = 0;
    }
    g->pc = *(const uintptr_t *)(cfa - 8);
    note(w, cfa - 8, g->pc);
    g->sp = cfa;
    return g->pc != 0;
}

/**
 * pre_stack_walk() - walk the stack from the interposer's caller outwards.
 * @w: w->cfa, w->ra, w->rbp (the interposer's frame), the stack bounds and
 *     w->check (NULL: do not record) set; receives the instruction pointers
 *     (innermost first, at most PRE_WALK_DEPTH) and, if recorded, every
 *     stack word its result depends on (nchecks -1 if more than
 *     PRE_WALK_CHECKS), and whether it used w->rbp.
 *
 * The walk is a function of its inputs: the caller's frame, the thread's
 * stack bounds, the learnt rules (never changed once learnt) and the words
 * it read (a restored rbp only if a frame used it). So a later call from the same caller frame whose recorded words
 * still hold the same values has the same stack (pre_stack.c reuses it).
 *
 * Return: 0, or -1 if a frame cannot be walked this way (a signal frame, an
 * unusual CFA, a frame outside the stack): w->ips then
 * holds the frames up to the one it could not step past.
 */
int pre_stack_walk(struct pre_walk *w)
{
    struct walk_regs g = {w->ra, w->cfa, w->rbp, 0, 0};
    int more = 1;

    w->n = 0;
    w->nchecks = 0;
    w->rbp_used = 0;
    if (g.sp < w->lo || g.sp >= w->hi)
        return -1;
    w->ips[w->n++] = (void *)g.pc;
    while (w->n < PRE_WALK_DEPTH && more) {
        more = step(w, &g);
        if (more < 0)
            return -1;
        if (more)
            w->ips[w->n++] = (void *)g.pc;
    }
    return 0;
}
