/*
 * replay.c - the replay consumer: one trace reader, one or more simulators.
 *
 * The reader (trace/) calls replay_consumer's callbacks as it decodes. This
 * file keeps the trace's tables (interned strings, stacks, the module map),
 * boots the simulators when the header arrives (the header carries the
 * recording machine's facts for --machine recorded) and hands every event to
 * each column in turn (replay_apply.c). Columns never share state, so one
 * pass over the trace answers for several policies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

/**
 * replay_init() - prepare a replay of @nr_policies columns (at least one)
 * @rp: zeroed by the caller
 * @cfg: machine and sysctl options shared by every column
 * @policies: per column "k=v,k=v" settings applied after @cfg, or NULL
 * @nr_policies: number of columns
 *
 * Return: 0 or CLI_EXIT_ERROR (out of memory).
 */
int replay_init(struct replay *rp, const struct cli_config *cfg,
                const char *const *policies, size_t nr_policies)
{
    rp->cfg = cfg;
    rp->nr_cols = nr_policies ? nr_policies : 1;
    rp->cols = calloc(rp->nr_cols, sizeof(*rp->cols));
    if (!rp->cols)
        return CLI_EXIT_ERROR;
    for (size_t i = 0; i < rp->nr_cols; i++) {
        rp->cols[i].policy = nr_policies ? policies[i] : NULL;
        snprintf(rp->cols[i].rep.policy, sizeof(rp->cols[i].rep.policy), "%s",
                 nr_policies && policies[i] ? policies[i] : "");
    }
    replay_sample_init(rp);
    return 0;
}

/** replay_free() - release the simulators and tables (reports stay). */
void replay_free(struct replay *rp)
{
    for (size_t i = 0; i < rp->nr_cols; i++) {
        mm_sim_free(rp->cols[i].sim);
        free(rp->cols[i].tasks);
        free(rp->cols[i].unborn);
        replay_commit_free(&rp->cols[i]);
    }
    for (size_t i = 0; i < rp->nr_strings; i++)
        free(rp->strings[i]);
    free(rp->strings);
    for (size_t i = 0; i < rp->nr_stacks; i++)
        free(rp->stacks[i].ips);
    free(rp->stacks);
    free(rp->modules);
    free(rp->pending);
    replay_sites_free(rp);
    symbolize_free(rp);
}

/**
 * replay_string() - text of an interned string id (an mm_name_fn)
 * @rp: the replay
 * @id: the id
 *
 * Return: the text, or NULL for 0 or an id never defined.
 */
const char *replay_string(void *rp, uint32_t id)
{
    struct replay *r = rp;
    return id && id < r->nr_strings ? r->strings[id] : NULL;
}

/**
 * replay_add_string() - define string @id (ids may arrive with gaps when
 * chunks were lost)
 * @rp: the replay
 * @id: the id (>= 1)
 * @s: bytes
 * @len: length of @s
 *
 * Return: 0 or MM_ENOMEM.
 */
int replay_add_string(struct replay *rp, uint32_t id, const char *s, size_t len)
{
    if (id >= rp->nr_strings) {
        size_t n = (size_t)id + 64;
        char **tab = realloc(rp->strings, n * sizeof(*tab));
        if (!tab)
            return MM_ENOMEM;
        memset(tab + rp->nr_strings, 0, (n - rp->nr_strings) * sizeof(*tab));
        rp->strings = tab;
        rp->nr_strings = n;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return MM_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    free(rp->strings[id]);
    rp->strings[id] = copy;
    return 0;
}

static int on_string(void *arg, uint32_t id, const char *s, size_t len)
{
    return replay_add_string(arg, id, s, len);
}

static int on_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    struct replay *rp = arg;
    if (id >= rp->nr_stacks) {
        size_t cap = (size_t)id + 64;
        struct replay_stack *tab = realloc(rp->stacks, cap * sizeof(*tab));
        if (!tab)
            return MM_ENOMEM;
        memset(tab + rp->nr_stacks, 0, (cap - rp->nr_stacks) * sizeof(*tab));
        rp->stacks = tab;
        rp->nr_stacks = cap;
    }
    uint64_t *copy = malloc(n * sizeof(*copy));
    if (!copy)
        return MM_ENOMEM;
    memcpy(copy, ips, n * sizeof(*copy));
    free(rp->stacks[id].ips);
    rp->stacks[id] = (struct replay_stack){copy, n};
    return 0;
}

static int on_module(void *arg, uint32_t id, const struct tr_module *m)
{
    struct replay *rp = arg;
    (void)id;
    struct tr_module *tab =
        realloc(rp->modules, (rp->nr_modules + 1) * sizeof(*tab));
    if (!tab)
        return MM_ENOMEM;
    rp->modules = tab;
    tab[rp->nr_modules++] = *m;
    return 0;
}

static int on_header(void *arg, uint32_t version, const struct tr_header *h)
{
    struct replay *rp = arg;
    (void)version;
    rp->t0 = h->start_monotonic_ns;
    return replay_boot(rp, h);
}

static bool should_stop(struct replay *rp, const struct tr_event *ev)
{
    if (rp->stop_t_ns && ev->t_ns - rp->t0 > rp->stop_t_ns)
        return true;
    return false;
}

static int on_event(void *arg, const struct tr_event *ev)
{
    struct replay *rp = arg;
    if (!rp->booted) {
        int rc = replay_boot(rp, NULL); /* the header was lost */
        if (rc)
            return rc;
    }
    if (!rp->t0)
        rp->t0 = ev->t_ns;
    if (rp->stop_exit_pid && ev->type == TR_EV_EXIT &&
        ev->pid == rp->stop_exit_pid)
        rp->stopped = true; /* stop just before: the process is still there
                               (a recorded exit stopped at its host_stat) */
    if (rp->stopped || should_stop(rp, ev)) {
        rp->stopped = true;
        return 0;
    }
    if (ev->t_ns > rp->t_last)
        rp->t_last = ev->t_ns;
    replay_progress_tick(rp);
    replay_note_alloc(rp, ev);
    int src = replay_sites_event(rp, ev);
    if (src)
        return src;
    for (size_t i = 0; i < rp->nr_cols; i++) {
        int rc = replay_apply(rp, &rp->cols[i], ev);
        if (rc)
            return rc;
    }
    return 0;
}

static void on_warning(void *arg, uint64_t offset, const char *msg)
{
    struct replay *rp = arg;
    if (!rp->first_warning[0])
        snprintf(rp->first_warning, sizeof(rp->first_warning),
                 "byte %llu: %s", (unsigned long long)offset, msg);
}

const struct tr_consumer replay_consumer = {
    .on_header = on_header,
    .on_event = on_event,
    .on_string = on_string,
    .on_stack = on_stack,
    .on_module = on_module,
    .on_warning = on_warning,
};

/**
 * replay_finish() - take the figures of processes still alive, the final
 * system view, and the reader's counters, for every column
 * @rp: the replay
 * @st: what the reader saw (may be NULL for a live replay)
 *
 * Return: 0 or CLI_EXIT_ERROR (nothing was replayed: no simulator).
 */
int replay_finish(struct replay *rp, const struct tr_read_stats *st)
{
    if (!rp->booted && replay_boot(rp, NULL))
        return CLI_EXIT_ERROR;
    if (replay_sites_finish(rp))
        return CLI_EXIT_ERROR;
    for (size_t i = 0; i < rp->nr_cols; i++) {
        struct replay_col *c = &rp->cols[i];
        for (size_t k = 0; k < c->cap_tasks; k++)
            if (c->tasks[k].pid && !c->tasks[k].gone)
                replay_proc_measure(c, &c->tasks[k]);
        replay_sample(rp, c, rp->t_last, true);
        c->rep.system.duration_ns = rp->t_last > rp->t0 ? rp->t_last - rp->t0 : 0;
        if (st) {
            c->rep.replay.complete = st->complete;
            c->rep.replay.damaged = st->damaged;
            c->rep.replay.warnings = st->warnings;
        }
        symbolize_events(rp, &c->rep);
        symbolize_ooms(rp, &c->rep);
        c->rep.system.oom_kills = mm_oom_kills(c->sim);
    }
    return 0;
}
