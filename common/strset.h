/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_STRSET_H
#define GD_COMMON_STRSET_H
/* A bounded set of short strings (open addressing, linear probing). It owns
 * copies of its strings, kept in a string pool (common/strpool.h: one
 * allocation per chunk of strings, not one per string); gd_strset_free
 * releases them. Zero-initialise or
 * use gd_strset_init. Not thread-safe: the owner serialises access. Meant as
 * a cache: when it is full (max entries) or memory runs out, an add just
 * does not happen and the caller does the real work instead. */
#include <stddef.h>
#include <stdint.h>
#include "common/strpool.h"

typedef struct gd_strset {
    char **slot;       /* cap slots, NULL when free */
    uint32_t *hash;    /* the hash of slot[i] */
    size_t cap;        /* 0 or a power of two */
    size_t n;          /* strings held */
    size_t max;        /* most strings it may ever hold (0: GD_STRSET_DEFAULT_MAX) */
    gd_strpool pool;   /* the strings' bytes */
} gd_strset;

#define GD_STRSET_DEFAULT_MAX ((size_t)65536)

void gd_strset_init(gd_strset *s, size_t max);
/* 1 when key is in the set, else 0 (also for a NULL key). */
int gd_strset_has(const gd_strset *s, const char *key);
/* 1 added, 0 already there, -1 not added (full, out of memory, NULL key). */
int gd_strset_add(gd_strset *s, const char *key);
/* The same for a key whose length is known: n must be strlen(key). */
int gd_strset_addn(gd_strset *s, const char *key, size_t n);
/* For a caller adding a batch of keys: the hash gd_strset_addn computes
 * (pure: no lock needed), a hint that brings its slot into the cache, and
 * the add given that hash. Prefetching a batch's slots before adding them
 * overlaps their cache misses (a random slot of a large set is one each). */
uint32_t gd_strset_hash(const char *key, size_t n);
void gd_strset_prefetch(const gd_strset *s, uint32_t h);
int gd_strset_addh(gd_strset *s, const char *key, size_t n, uint32_t h);
/* Adds every string of src to dst (as far as dst has room), then empties src. */
void gd_strset_move_all(gd_strset *dst, gd_strset *src);
/* Empties the set; keeps its slot array for reuse. */
void gd_strset_clear(gd_strset *s);
void gd_strset_free(gd_strset *s);
/* Hands the set's strings to the caller: *keys (an array of *n, NULL when
 * empty; free() it) pointing into *pool, which receives the strings'
 * chunks (gd_strpool_move; gd_strpool_free frees them). The set is left
 * empty, as after gd_strset_free. */
void gd_strset_take(gd_strset *s, char ***keys, size_t *n, gd_strpool *pool);

#endif
