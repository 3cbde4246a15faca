/*
 * buf.c - the growable text buffer renderers write into (struct mm_buf).
 * Formatting only: no I/O happens here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static int reserve(struct mm_buf *buf, size_t extra)
{
    if (buf->len + extra + 1 <= buf->cap)
        return 0;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < buf->len + extra + 1)
        cap *= 2;
    char *data = realloc(buf->data, cap);
    if (!data)
        return buf->err = MM_ENOMEM;
    buf->data = data;
    buf->cap = cap;
    return 0;
}

int mm_buf_printf(struct mm_buf *buf, const char *fmt, ...)
{
    if (buf->err)
        return buf->err;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return buf->err = MM_EINVAL;
    if (reserve(buf, (size_t)n))
        return buf->err;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return 0;
}

void mm_buf_free(struct mm_buf *buf)
{
    free(buf->data);
    *buf = (struct mm_buf){0};
}

/**
 * mm__buf_nodelist() - append a node mask as the kernel's "%*pbl" prints
 * it: ranges of set bits, "0", "0-1", "0-1,3"
 * @buf: the buffer
 * @mask: nodes 0..63
 * Kernel: lib/vsprintf.c bitmap_list_string().
 */
void mm__buf_nodelist(struct mm_buf *buf, uint64_t mask)
{
    const char *sep = "";
    for (int n = 0; n < 64; n++) {
        if (!(mask >> n & 1u))
            continue;
        int end = n;
        while (end + 1 < 64 && (mask >> (end + 1) & 1u))
            end++;
        if (end > n)
            mm_buf_printf(buf, "%s%d-%d", sep, n, end);
        else
            mm_buf_printf(buf, "%s%d", sep, n);
        sep = ",";
        n = end;
    }
}
