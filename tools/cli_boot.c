/*
 * cli_boot.c - boot the simulated kernel a verb's options describe: build
 * the machine (--machine), start the simulator, then write the sysctls in
 * order (host values, --sysctl-file, -s) through the simulator, so that
 * each write recomputes what depends on it as the kernel's handlers do.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_config.h"

/**
 * cli_sim_sysctl_write() - apply one sysctl line to a booted simulator; the
 * writer callback of cli_config_sysctls()
 * @ctx: the struct mm_sim
 * @line: the parsed line
 * @problem: on failure, the one-line problem for the message
 * @len: size of @problem
 *
 * Return: 0 or the negative MM_E* value of the refused write.
 */
int cli_sim_sysctl_write(void *ctx, const struct cli_sysctl_line *line,
                         char *problem, size_t len)
{
    int rc = mm_sim_sysctl_write(ctx, line->name, line->value);
    if (rc)
        cli_sysctl_problem(rc, line, problem, len);
    return rc;
}

/**
 * cli_config_boot() - the simulator for a verb's machine and sysctl options
 * @cfg: the options
 * @sim: set to the booted simulator (free with mm_sim_free())
 *
 * Prints the one-line error itself.
 * Return: 0 or CLI_EXIT_ERROR.
 */
int cli_config_boot(const struct cli_config *cfg, struct mm_sim **sim)
{
    struct mm_machine *m = calloc(1, sizeof(*m));
    int err = 0;
    if (!m) {
        fprintf(stderr, "mmsim: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    int rc = cli_config_machine(cfg, m);
    *sim = rc ? NULL : mm_sim_new(m, &err);
    if (!rc && !*sim) {
        fprintf(stderr, "mmsim: --machine: the model cannot boot this "
                        "machine: %s: '%s'\n", mm_strerror(err),
                cfg->machine ? cfg->machine : "host");
        rc = CLI_EXIT_ERROR;
    }
    free(m);
    if (!rc)
        rc = cli_config_sysctls(cfg, cli_config_is_host(cfg),
                                cli_sim_sysctl_write, *sim);
    if (rc) {
        mm_sim_free(*sim);
        *sim = NULL;
    }
    return rc;
}
