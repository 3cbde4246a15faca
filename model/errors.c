/*
 * errors.c - names and messages for the MM_E* values of MM_ERRNO_MAP.
 */
#include "internal.h"

const char *mm_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define MM__ERRNO_MSG(name, value, msg) \
    case MM_##name:                     \
        return msg;
        MM_ERRNO_MAP(MM__ERRNO_MSG)
#undef MM__ERRNO_MSG
    }
    return "unknown error";
}

const char *mm_err_name(int err)
{
    switch (err) {
#define MM__ERRNO_NAME(name, value, msg) \
    case MM_##name:                      \
        return #name;
        MM_ERRNO_MAP(MM__ERRNO_NAME)
#undef MM__ERRNO_NAME
    }
    return "EUNKNOWN";
}
