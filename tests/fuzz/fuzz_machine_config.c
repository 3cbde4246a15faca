/*
 * libFuzzer target: the parsers of `--machine` and `--sysctl-file` on
 * arbitrary text. The first byte picks the parser: 0 the spec grammar,
 * 1 /proc/zoneinfo, 2 sysctl.conf (writing into vm knobs). Every input must
 * either be refused with a message or give a machine whose zones are
 * consistent (managed <= present <= spanned, nodes 1..64).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_config.h"

static void check_machine(const struct mm_machine *m)
{
    if (m->nr_nodes < 1 || m->nr_nodes > MM_MAX_NUMNODES)
        abort();
    for (unsigned n = 0; n < m->nr_nodes; n++)
        for (int z = 0; z < MM_NR_ZONES; z++) {
            const struct mm_zone_shape *s = &m->nodes[n].zones[z];
            if (s->managed > s->present || s->present > s->spanned)
                abort();
        }
}

static int write_knob(void *ctx, const struct cli_sysctl_line *l,
                      char *problem, size_t len)
{
    int rc = mm_sysctl_write(ctx, l->name, l->value, NULL);
    if (rc)
        cli_sysctl_problem(rc, l, problem, len);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mm_machine m;
    struct cli_err err;
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (data[0] % 3 == 0) {
        if (cli_machine_parse_spec(text, MM_KERNEL(6, 18), &m, &err) == 0)
            check_machine(&m);
    } else if (data[0] % 3 == 1) {
        if (cli_zoneinfo_parse(text, size - 1, "f", &m, &err) == 0)
            check_machine(&m);
    } else {
        struct mm_vm_knobs vm;
        mm_vm_knobs_default(&vm);
        cli_sysctl_conf_parse(text, size - 1, "f", write_knob, &vm, &err);
    }
    free(text);
    return 0;
}
