/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_BUF_H
#define GD_COMMON_BUF_H
/* Growable byte buffer with a hard size cap (like curl's dynbuf). The data is
 * always NUL-terminated so it can be used as a C string. A gd_buf owns its
 * memory; gd_buf_free releases it. Zero-initialise ({0}) then set max, or use
 * gd_buf_init. max == 0 means GD_BUF_DEFAULT_MAX. */
#include <stddef.h>

#define GD_BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

typedef struct gd_buf {
    char *data;   /* NULL until the first append */
    size_t len;   /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
    size_t max;   /* most bytes it may ever hold */
} gd_buf;

void gd_buf_init(gd_buf *b, size_t max);
/* Each returns 0, GD_E_TOO_BIG when max would be exceeded (buffer unchanged),
 * or GD_E_NOMEM. */
int gd_buf_append(gd_buf *b, const void *data, size_t len);
int gd_buf_appends(gd_buf *b, const char *s);
int gd_buf_printf(gd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gd_buf_reset(gd_buf *b);  /* len = 0, keeps memory */
/* The capacity the buffer will have after appending extra bytes (its current
 * one when they fit; never more than max + 1), or 0 when max forbids it. */
size_t gd_buf_cap_for(const gd_buf *b, size_t extra);
/* The capacity gd_buf_reserve(b, extra) leaves: exactly len + extra + 1
 * (or the current one when larger), or 0 when max forbids it. */
size_t gd_buf_cap_exact(const gd_buf *b, size_t extra);
/* Makes room for extra more bytes at once, without doubling past them (a
 * body whose size is known): 0, GD_E_TOO_BIG (unchanged) or GD_E_NOMEM. */
int gd_buf_reserve(gd_buf *b, size_t extra);
void gd_buf_free(gd_buf *b);
/* Hands the data to the caller (who frees it) and resets the buffer. Never NULL
 * unless out of memory. */
char *gd_buf_detach(gd_buf *b);
/* "" when empty, never NULL. */
const char *gd_buf_cstr(const gd_buf *b);

#endif
