/*
 * libFuzzer target: the preload shim's reader of call frame information
 * (preload/pre_cfi*.c), which runs inside every traced process on the
 * .eh_frame of whatever objects it has loaded. The input is
 * "HDR_OFF(2) ADDR_OFF(2) OBJECT...": OBJECT plays an object's whole
 * mapping, its .eh_frame_hdr at HDR_OFF and the address asked about at
 * ADDR_OFF (kept 16 bytes from its end, where code in a real mapping has
 * at least its return). ASan checks that no read leaves the mapping; the
 * rule returned must be one of the kinds the walk knows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pre_cfi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pre_rule r;
    uint16_t hdr_off, addr_off;
    uint8_t *obj;
    size_t len;

    if (size < 4 + 16)
        return 0;
    memcpy(&hdr_off, data, 2);
    memcpy(&addr_off, data + 2, 2);
    len = size - 4;
    obj = malloc(len); /* its own allocation: ASan sees both ends */
    if (obj == NULL)
        return 0;
    memcpy(obj, data + 4, len);
    pre_cfi_rule_in(obj + hdr_off % len, obj, obj + len,
                    (uintptr_t)(obj + addr_off % (len - 15)), &r);
    if (r.kind > PRE_RULE_OTHER || r.kind == PRE_RULE_NONE)
        abort();
    free(obj);
    return 0;
}
