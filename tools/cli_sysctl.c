/*
 * cli_sysctl.c - the two ways users set vm.* knobs, as sysctl(8) takes
 * them: `-s vm.KEY=VALUE` (also `KEY=VALUE` and `vm/KEY=VALUE`) and
 * sysctl.conf files (`--sysctl-file`): '#' and ';' comment lines, blank
 * lines, whitespace around '=', and a leading '-' that makes a failed
 * write not an error. Only vm.* names are accepted: the model has no
 * other sysctls. Writing a value is the caller's callback (normally
 * mm_sysctl_write() or the simulator's); this file only parses.
 */
#include <stdio.h>
#include <string.h>

#include "cli_config.h"

#define LINE_MAX_LEN 4096

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static char *trim(char *s)
{
    while (is_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n && is_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/**
 * cli_sysctl_split() - split "vm.KEY = VALUE" into name and value
 * @arg: the text; modified in place (NULs written, blanks trimmed)
 * @out: name without the "vm." or "vm/" prefix, and value; ignore_errors
 *       is left alone
 * @why: the problem on failure
 *
 * Return: 0 or MM_EINVAL.
 */
int cli_sysctl_split(char *arg, struct cli_sysctl_line *out, const char **why)
{
    char *eq = strchr(arg, '=');
    if (!eq)
        return *why = "expected vm.KEY=VALUE", MM_EINVAL;
    *eq = '\0';
    char *name = trim(arg);
    if (!*name)
        return *why = "missing sysctl name before '='", MM_EINVAL;
    if ((strncmp(name, "vm.", 3) == 0 || strncmp(name, "vm/", 3) == 0))
        name += 3;
    if (!*name)
        return *why = "missing knob name after 'vm.'", MM_EINVAL;
    if (strpbrk(name, "./"))
        return *why = "only vm.* sysctls are simulated", MM_EINVAL;
    out->name = name;
    out->value = trim(eq + 1);
    return 0;
}

static int conf_fail(const char *name, unsigned line, const char *problem,
                     const char *text, size_t len, struct cli_err *err)
{
    char where[300];
    snprintf(where, sizeof(where), "%s:%u", name, line);
    return cli_err_set(err, where, problem, text, len);
}

/* One line of a sysctl.conf file; @raw is the line as read. */
static int conf_line(const char *raw, size_t len, const char *name,
                     unsigned lineno, cli_sysctl_fn fn, void *ctx,
                     struct cli_err *err)
{
    char buf[LINE_MAX_LEN], problem[160] = "";
    if (len >= sizeof(buf))
        return conf_fail(name, lineno, "line too long", raw, len, err);
    if (memchr(raw, '\0', len))
        return conf_fail(name, lineno, "NUL byte in text", raw, 0, err);
    memcpy(buf, raw, len);
    buf[len] = '\0';
    char *p = trim(buf);
    if (!*p || *p == '#' || *p == ';')
        return 0;
    struct cli_sysctl_line l = {.ignore_errors = *p == '-'};
    const char *why = NULL;
    if (cli_sysctl_split(p + l.ignore_errors, &l, &why))
        return conf_fail(name, lineno, why, raw, len, err);
    int rc = fn(ctx, &l, problem, sizeof(problem));
    if (rc && !l.ignore_errors)
        return conf_fail(name, lineno, problem, raw, len, err);
    return 0;
}

/**
 * cli_sysctl_conf_parse() - read sysctl.conf text and write each setting
 * @text: the file's contents (need not be NUL-terminated)
 * @len: its length
 * @name: the file's name, for messages
 * @fn: called with each assignment, in file order
 * @ctx: passed to @fn
 * @err: `FILE:LINE: problem: 'line'` for malformed lines and for writes
 *       @fn refuses (unless the line starts with '-')
 *
 * Return: 0 or MM_EINVAL with @err set; stops at the first error.
 */
int cli_sysctl_conf_parse(const char *text, size_t len, const char *name,
                          cli_sysctl_fn fn, void *ctx, struct cli_err *err)
{
    unsigned lineno = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        int rc = conf_line(p, (size_t)(e - p), name, ++lineno, fn, ctx, err);
        if (rc)
            return rc;
        p = e + 1;
    }
    return 0;
}

/**
 * cli_sysctl_problem() - the message for a refused write
 * @rc: MM_ENOENT (unknown knob) or another MM_E* (bad value)
 * @line: the write
 * @buf: the message: "unknown sysctl vm.foo", "invalid value for
 *       vm.swappiness (0..200)"
 * @len: size of @buf
 */
void cli_sysctl_problem(int rc, const struct cli_sysctl_line *line,
                        char *buf, size_t len)
{
    const struct mm_sysctl_desc *d = mm_sysctl_find(line->name);
    if (rc == MM_ENOENT || !d) {
        snprintf(buf, len, "unknown sysctl vm.%s", line->name);
        return;
    }
    char range[64] = "";
    if (d->has_min && d->has_max)
        snprintf(range, sizeof(range), " (%lld..%lld)", (long long)d->min,
                 (long long)d->max);
    else if (d->has_min)
        snprintf(range, sizeof(range), " (>= %lld)", (long long)d->min);
    else if (d->kind == MM_SYSCTL_ULONG)
        snprintf(range, sizeof(range), " (>= 0)");
    snprintf(buf, len, "invalid value for vm.%s%s", d->name, range);
}
