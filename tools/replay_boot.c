/*
 * replay_boot.c - the simulator of each replay column.
 *
 * `--machine recorded` boots the recording machine: its nodes and zones from
 * the /proc/zoneinfo text in the trace header (the same parser as
 * --machine zoneinfo:FILE), its swap from the recorded /proc/swaps, and the
 * recorded value of every vm.* knob the model knows. Other --machine values
 * go through cli_config_boot(). Then --sysctl-file and -s, then the column's
 * policy ("k=v,k=v"), each write through the simulator so dependent values
 * are recomputed as the kernel's handlers do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

static int recorded_machine(const struct tr_header *h, struct mm_machine *m)
{
    struct cli_err err;
    if (!h || !h->zoneinfo) {
        fprintf(stderr, "mmsim: --machine recorded: the trace has no "
                        "/proc/zoneinfo of the recording machine: '%s'\n",
                h ? "header without zoneinfo" : "header lost");
        return CLI_EXIT_ERROR;
    }
    if (cli_zoneinfo_parse(h->zoneinfo, strlen(h->zoneinfo),
                           "recorded zoneinfo", m, &err)) {
        cli_err_print(&err);
        return CLI_EXIT_ERROR;
    }
    for (uint32_t i = 0; i < h->nr_extra; i++) {
        uint64_t kb = 0;
        if (strcmp(h->extra[i].name, "/proc/swaps") == 0 &&
            !cli_swaps_total(h->extra[i].value, &kb))
            m->swap_pages = kb / 4;
    }
    if (h->thp_enabled)
        cli_thp_parse(h->thp_enabled, &m->thp);
    return 0;
}

/* The recorded "name=value" line of knob @name, copied into @val. */
static bool recorded_value(const char *text, const char *name, char *val,
                           size_t len)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t vl = strcspn(p + n + 1, "\n");
            snprintf(val, len, "%.*s", (int)vl, p + n + 1);
            return true;
        }
    return false;
}

/* Recorded knobs: zero halves of ratio/bytes pairs first (they clear each
 * other), as cli_options.c does for host values. */
static void recorded_sysctls(struct mm_sim *sim, const struct tr_header *h)
{
    char val[256];
    for (int pass = 0; pass < 2 && h && h->sysctl_vm; pass++)
        for (size_t i = 0; i < mm_sysctl_count(); i++) {
            const struct mm_sysctl_desc *d = mm_sysctl_at(i);
            if (!recorded_value(h->sysctl_vm, d->name, val, sizeof(val)))
                continue;
            bool zero_pair = d->clears && strcmp(val, "0") == 0;
            if (zero_pair == (pass == 0))
                mm_sim_sysctl_write(sim, d->name, val);
        }
}

static int boot_recorded(struct replay *rp, const struct tr_header *h,
                         struct mm_sim **sim)
{
    struct mm_machine *m = calloc(1, sizeof(*m));
    int err = 0, rc = m ? recorded_machine(h, m) : CLI_EXIT_ERROR;
    struct cli_err cerr;
    if (!rc && rp->cfg->machine &&
        cli_machine_memcg_suffix(rp->cfg->machine, m, &cerr)) {
        cli_err_print(&cerr); /* "recorded,memcg=SIZE" */
        rc = CLI_EXIT_ERROR;
    }
    *sim = rc ? NULL : mm_sim_new(m, &err);
    free(m);
    if (!rc && !*sim) {
        fprintf(stderr, "mmsim: --machine recorded: the model cannot boot "
                        "this machine: %s: '%s'\n", mm_strerror(err),
                h->kernel_release ? h->kernel_release : "?");
        return CLI_EXIT_ERROR;
    }
    if (rc)
        return rc;
    recorded_sysctls(*sim, h);
    return cli_config_sysctls(rp->cfg, false, cli_sim_sysctl_write, *sim);
}

/* "vm.overcommit_memory=2,vm.overcommit_ratio=80" */
static int apply_policy(struct mm_sim *sim, const char *policy)
{
    char copy[1024], problem[160];
    snprintf(copy, sizeof(copy), "%s", policy);
    for (char *save = NULL, *it = strtok_r(copy, ",", &save); it;
         it = strtok_r(NULL, ",", &save)) {
        struct cli_sysctl_line l = {0};
        const char *why = NULL;
        char item[512];
        snprintf(item, sizeof(item), "%s", it);
        if (!cli_sysctl_split(it, &l, &why) &&
            cli_sim_sysctl_write(sim, &l, problem, sizeof(problem)))
            why = problem;
        if (why) {
            fprintf(stderr, "mmsim: --policy: %s: '%s'\n", why, item);
            return CLI_EXIT_ERROR;
        }
    }
    return 0;
}

/* --numa-policy must name nodes with memory on the simulated machine. */
static int check_numa_policy(const struct cli_config *cfg,
                             const struct mm_sim *sim)
{
    if (!cfg->numa_policy ||
        mm_mpol_check(sim, cfg->numa_mode, cfg->numa_nodes) == 0)
        return 0;
    fprintf(stderr, "mmsim: --numa-policy: set_mempolicy would refuse it on "
            "the simulated machine (no node with memory in the list, or a "
            "mode this kernel lacks): '%s'\n", cfg->numa_policy);
    return CLI_EXIT_ERROR;
}

/**
 * replay_boot() - boot every column's simulator
 * @rp: the replay
 * @h: the trace header, or NULL when it was lost
 *
 * Prints the one-line error itself.
 * Return: 0 or CLI_EXIT_ERROR (also kept in rp->error).
 */
int replay_boot(struct replay *rp, const struct tr_header *h)
{
    int rc = 0;
    if (rp->booted)
        return rp->error;
    rp->booted = true;
    for (size_t i = 0; !rc && i < rp->nr_cols; i++) {
        struct replay_col *c = &rp->cols[i];
        /* the report's default machine is the recorded one, else host */
        bool recorded = rp->machine_recorded &&
                        (rp->cfg->machine || (h && h->zoneinfo));
        rc = recorded ? boot_recorded(rp, h, &c->sim)
                      : cli_config_boot(rp->cfg, &c->sim);
        if (!rc && c->policy)
            rc = apply_policy(c->sim, c->policy);
        if (!rc)
            rc = check_numa_policy(rp->cfg, c->sim);
        if (!rc)
            replay_sample(rp, c, rp->t0, true);
    }
    rp->error = rc;
    return rc;
}
