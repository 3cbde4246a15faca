/*
 * A library preloaded after the shim: its constructor runs before the
 * shim's, so this malloc reaches the shim before the shim's constructor.
 */
#include <stdlib.h>
#include <string.h>

void *early_block;

__attribute__((constructor)) static void early(void)
{
    early_block = malloc(4321);
    memset(early_block, 7, 4321);
}

__attribute__((destructor)) static void late(void)
{
    free(early_block);
}
