/*
 * cmd_sysctl.c - `mmsim sysctl`: the simulated kernel's effective vm.*
 * values after boot and the given settings, printed as sysctl(8) prints
 * them: `mmsim sysctl -a` lists every knob, `mmsim sysctl vm.KEY...`
 * the named ones.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_config.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: mmsim sysctl [-a | vm.KEY...] [--machine M] "
                 "[-s vm.KEY=VALUE] [--sysctl-file FILE]\n\n"
                 "Print the simulated kernel's vm.* sysctls as sysctl(8) "
                 "does.\n\n"
                 "  -a, --all               every vm.* knob the model has\n"
                 "  -n, --values            print values only\n"
                 "  vm.KEY                  the named knobs (also KEY, "
                 "vm/KEY)\n\n%s", cli_config_help);
}

/* Print one knob; MM_ENOENT if the model has no such knob. */
static int print_knob(struct mm_sim *sim, const char *name, bool values_only)
{
    struct mm_buf path = {0}, value = {0};
    const struct mm_sysctl_desc *d = mm_sysctl_find(name);
    int rc = d ? mm_buf_printf(&path, "sys/vm/%s", d->name) : MM_ENOENT;
    if (!rc)
        rc = mm_proc_render(sim, path.data, &value);
    if (!rc && values_only)
        printf("%s", value.data);
    else if (!rc)
        printf("vm.%s = %s", d->name, value.data);
    mm_buf_free(&path);
    mm_buf_free(&value);
    return rc;
}

struct sysctl_args {
    struct cli_config cfg;
    bool all, values_only;
    char **names;
    int nr_names;
};

static int parse_args(int argc, char **argv, struct sysctl_args *a)
{
    for (int i = 1; i < argc; i++) {
        int rc = cli_config_option(&a->cfg, argc, argv, &i);
        if (rc < 0)
            return -rc;
        if (rc > 0)
            continue;
        if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0 ||
            strcmp(argv[i], "-A") == 0)
            a->all = true;
        else if (strcmp(argv[i], "-n") == 0 ||
                 strcmp(argv[i], "--values") == 0)
            a->values_only = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "mmsim: sysctl: unknown option '%s'\n", argv[i]);
            return CLI_EXIT_USAGE;
        } else
            a->names[a->nr_names++] = argv[i];
    }
    if (a->all == (a->nr_names > 0)) {
        fprintf(stderr, "mmsim: sysctl: give -a or knob names\n");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int print_named(struct mm_sim *sim, const struct sysctl_args *a)
{
    for (int i = 0; i < a->nr_names; i++) {
        const char *name = a->names[i];
        const char *knob = strncmp(name, "vm.", 3) == 0 ||
                                   strncmp(name, "vm/", 3) == 0
                               ? name + 3 : name;
        int rc = strpbrk(knob, "./") ? MM_ENOENT
                                     : print_knob(sim, knob, a->values_only);
        if (rc) {
            fprintf(stderr, "mmsim: sysctl: %s: '%s'\n",
                    rc == MM_ENOENT ? (strpbrk(knob, "./")
                                           ? "only vm.* sysctls are simulated"
                                           : "unknown sysctl")
                                    : mm_strerror(rc),
                    name);
            return CLI_EXIT_ERROR;
        }
    }
    return 0;
}

/**
 * cmd_sysctl() - `mmsim sysctl`
 * @argc: argument count (argv[0] is "sysctl")
 * @argv: arguments
 *
 * Return: exit status: 0, 1 (bad machine, setting or knob), 2 (usage).
 */
int cmd_sysctl(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    char *names[argc > 0 ? argc : 1];
    struct sysctl_args a = {.names = names};
    struct mm_sim *sim = NULL;
    int rc = parse_args(argc, argv, &a);
    if (!rc)
        rc = cli_config_boot(&a.cfg, &sim);
    if (!rc && a.all) {
        for (size_t i = 0; i < mm_sysctl_count() && !rc; i++)
            rc = print_knob(sim, mm_sysctl_at(i)->name, a.values_only)
                     ? CLI_EXIT_ERROR : 0;
    } else if (!rc) {
        rc = print_named(sim, &a);
    }
    mm_sim_free(sim);
    cli_config_free(&a.cfg);
    return rc;
}
