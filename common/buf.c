/* SPDX-License-Identifier: Apache-2.0 */
#include "common/buf.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gd_buf_init(gd_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

size_t gd_buf_cap_for(const gd_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : GD_BUF_DEFAULT_MAX;
    if (extra > max || b->len > max - extra)
        return 0;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return b->cap;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* Doubling never allocates past what max allows (max + the NUL). */
    return cap > max + 1 ? max + 1 : cap;
}

size_t gd_buf_cap_exact(const gd_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : GD_BUF_DEFAULT_MAX;
    if (extra > max || b->len > max - extra)
        return 0;
    size_t need = b->len + extra + 1;
    return need > b->cap ? need : b->cap;
}

static int set_cap(gd_buf *b, size_t cap)
{
    if (cap == b->cap)
        return 0;
    char *p = realloc(b->data, cap);
    if (!p)
        return GD_E_NOMEM;
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

int gd_buf_reserve(gd_buf *b, size_t extra)
{
    size_t cap = gd_buf_cap_exact(b, extra);
    return cap ? set_cap(b, cap) : GD_E_TOO_BIG;
}

static int grow(gd_buf *b, size_t extra)
{
    size_t cap = gd_buf_cap_for(b, extra);
    return cap ? set_cap(b, cap) : GD_E_TOO_BIG;
}

int gd_buf_append(gd_buf *b, const void *data, size_t len)
{
    int rc = grow(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int gd_buf_appends(gd_buf *b, const char *s)
{
    return gd_buf_append(b, s, strlen(s));
}

int gd_buf_printf(gd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return GD_E_INTERNAL;
    int rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void gd_buf_reset(gd_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void gd_buf_free(gd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *gd_buf_detach(gd_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *gd_buf_cstr(const gd_buf *b)
{
    return b->data ? b->data : "";
}
