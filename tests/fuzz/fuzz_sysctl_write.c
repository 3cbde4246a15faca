/*
 * libFuzzer target: mm_sysctl_write() on arbitrary names and values. The
 * input is "NAME\0VALUE". Checks that every write either fails cleanly or
 * leaves a value that reads back and stays within the knob's range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/mm.h"

static void check_ranges(const struct mm_vm_knobs *vm)
{
    if (vm->overcommit_memory < 0 || vm->overcommit_memory > 2)
        abort();
    if (vm->swappiness < 0 || vm->swappiness > 200)
        abort();
    if (vm->watermark_scale_factor < 1 || vm->watermark_scale_factor > 3000)
        abort();
    for (int i = 0; i < MM_NR_ZONES; i++)
        if (vm->lowmem_reserve_ratio[i] < 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 2);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = text[size + 1] = '\0';
    const char *name = text;
    const char *value = text + strlen(text) + 1;
    if (value > text + size)
        value = text + size + 1;

    struct mm_vm_knobs vm;
    mm_vm_knobs_default(&vm);
    unsigned effects = 0;
    if (mm_sysctl_write(&vm, name, value, &effects) == 0) {
        struct mm_buf buf = {0};
        if (mm_sysctl_read(&vm, name, &buf) != 0)
            abort();
        mm_buf_free(&buf);
    }
    check_ranges(&vm);
    free(text);
    return 0;
}
