/*
 * mmsim.c - the mmsim command: the verb table and the top-level usage.
 * Each verb lives in tools/cmd_<verb>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_verb verbs[] = {
    /* Keep sorted; each entry is one verb of `mmsim VERB ...`. */
    {"compare", cmd_compare, "replay a trace under several policies side by side"},
    {"dump", cmd_dump, "print a trace as text, one line per record"},
    {"fidelity", cmd_fidelity, "the model's per-process figures vs the real kernel's"},
    {"help", cmd_help, "show this help, or a verb's help"},
    {"proc", cmd_proc, "print a /proc file of the simulated kernel"},
    {"record", cmd_record, "run a program and record its memory demand"},
    {"report", cmd_report, "replay a trace and report what the model did"},
    {"run", cmd_run, "record a program and report its replay"},
    {"sysctl", cmd_sysctl, "print the simulated kernel's vm.* sysctls"},
};

static const size_t nr_verbs = sizeof(verbs) / sizeof(verbs[0]);

const struct cli_verb *cli_find_verb(const char *name)
{
    for (size_t i = 0; i < nr_verbs; i++)
        if (strcmp(verbs[i].name, name) == 0)
            return &verbs[i];
    return NULL;
}

/**
 * cli_wants_help() - whether any argument of a verb is --help or -h
 * @argc: argument count (argv[0] is the verb)
 * @argv: arguments
 *
 * For verbs without a `-- PROG` part, where no argument can be a program's.
 */
bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

void cli_print_usage(FILE *out)
{
    fprintf(out, "usage: mmsim VERB [OPTIONS] [ARGS]\n\n"
                 "Simulate the Linux memory manager on a real program's "
                 "memory demand.\n\nverbs:\n");
    for (size_t i = 0; i < nr_verbs; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out, "\n`mmsim VERB --help` shows a verb's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(argv[1], "--version") == 0) {
        printf("mmsim %s\n", MMSIM_VERSION);
        return CLI_EXIT_OK;
    }
    const struct cli_verb *verb = cli_find_verb(argv[1]);
    if (!verb) {
        fprintf(stderr, "mmsim: unknown verb '%s' (try `mmsim --help`)\n",
                argv[1]);
        return CLI_EXIT_USAGE;
    }
    return verb->run(argc - 1, argv + 1);
}
