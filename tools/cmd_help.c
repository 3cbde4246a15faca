/*
 * cmd_help.c - `mmsim help [VERB]`: the top-level usage or a verb's own.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_help(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_print_usage(stdout);
        return CLI_EXIT_OK;
    }
    const struct cli_verb *verb = cli_find_verb(argv[1]);
    if (!verb) {
        fprintf(stderr, "mmsim: help: unknown verb '%s'\n", argv[1]);
        return CLI_EXIT_USAGE;
    }
    char help[] = "--help";
    char *args[] = {argv[1], help, NULL};
    return verb->run(2, args);
}
