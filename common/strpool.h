/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_STRPOOL_H
#define GD_COMMON_STRPOOL_H
/* An append-only pool of NUL-terminated strings, kept in chunks that never
 * move, so a string's pointer stays valid until the pool is freed. It
 * replaces one malloc and one free per short string (a finding id is copied
 * three times on its way from ListFindings to GetFindings) with one per
 * chunk. A pool owns its chunks; gd_strpool_free releases them all at once,
 * so a string cannot be freed alone. Zero-initialise ({0}) or gd_strpool_init.
 * Not thread-safe: the owner serialises access. */
#include <stddef.h>

#define GD_STRPOOL_CHUNK ((size_t)4096)   /* a chunk's bytes unless a string needs more */

typedef struct gd_strpool_chunk gd_strpool_chunk;

typedef struct gd_strpool {
    gd_strpool_chunk *head;   /* the chunk being filled; older ones follow it */
} gd_strpool;

void gd_strpool_init(gd_strpool *p);
/* A copy of s[0..n) with a NUL after it (s need not be NUL-terminated), owned
 * by the pool; NULL when out of memory. A chunk holds at most
 * max(GD_STRPOOL_CHUNK, n + 1) bytes, so memory stays O(bytes added). */
char *gd_strpool_add(gd_strpool *p, const char *s, size_t n);
/* Hands every string of src to dst (dst's older strings stay valid); src is
 * left empty. No copy: the chunks change owner. */
void gd_strpool_move(gd_strpool *dst, gd_strpool *src);
/* Frees every string of the pool; it is empty (and reusable) after. */
void gd_strpool_free(gd_strpool *p);

#endif
