/*
 * cli_err.c - the one-line input errors of the mmsim command:
 * `mmsim: WHERE: PROBLEM: 'INPUT'` (printed by cli_err_print()).
 */
#include <stdio.h>
#include <string.h>

#include "cli_config.h"

/**
 * cli_err_set() - fill in an input error
 * @err: the error (may be NULL: nothing is recorded)
 * @where: what was being read ("--machine", "FILE:LINE")
 * @problem: what is wrong with it
 * @input: the offending text; only @input_len bytes are used, and text too
 *         long for the message is cut with "..."
 * @input_len: length of @input
 *
 * Return: MM_EINVAL, so parsers can `return cli_err_set(...)`.
 */
int cli_err_set(struct cli_err *err, const char *where, const char *problem,
                const char *input, size_t input_len)
{
    if (!err)
        return MM_EINVAL;
    snprintf(err->where, sizeof(err->where), "%s", where);
    snprintf(err->problem, sizeof(err->problem), "%s", problem);
    size_t max = sizeof(err->input) - 1;
    if (input_len > max) {
        memcpy(err->input, input, max - 3);
        memcpy(err->input + max - 3, "...", 4);
    } else {
        memcpy(err->input, input, input_len);
        err->input[input_len] = '\0';
    }
    return MM_EINVAL;
}
