/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded string set (strset.h). */
#include "common/strset.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void gd_strset_init(gd_strset *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
}

static size_t limit(const gd_strset *s)
{
    return s->max ? s->max : GD_STRSET_DEFAULT_MAX;
}

/* The hash's start value, drawn once per process. The set holds strings
 * from AWS (a listing's finding ids), hostile by rule: with a fixed start,
 * keys that share a slot could be computed beforehand and sent to make each
 * add walk the whole table. getrandom gives it (the clock and an address
 * when it cannot: still unknown to whoever sends the keys). */
static uint64_t hash_seed;
static pthread_once_t hash_seed_once = PTHREAD_ONCE_INIT;

static void hash_seed_init(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&r;
    }
    hash_seed = r;
}

/* A multiply-xorshift hash over 8 bytes at a time (byte-wise FNV-1a was
 * most of an add's time for 30-byte finding ids), from the process's random
 * start. The table index takes the low bits, so every step folds the high
 * half down. */
static uint32_t hash_of(const char *k, size_t n)
{
    const uint64_t m = 0xff51afd7ed558ccdull;
    pthread_once(&hash_seed_once, hash_seed_init);
    uint64_t h = 0x9e3779b97f4a7c15ull ^ hash_seed ^ (uint64_t)n;
    for (; n >= 8; k += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        h = (h ^ w) * m;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)(unsigned char)k[i] << (8 * i);
    h = (h ^ w) * m;
    h ^= h >> 32;
    h *= m;
    return (uint32_t)(h ^ (h >> 32));
}

/* The slot holding key, or the free slot where it would go. cap > 0 and the
 * table is never full (load <= 1/2), so the probe ends. */
static size_t find_slot(const gd_strset *s, const char *key, uint32_t h)
{
    size_t mask = s->cap - 1, i = h & mask;
    while (s->slot[i] && !(s->hash[i] == h && strcmp(s->slot[i], key) == 0))
        i = (i + 1) & mask;
    return i;
}

int gd_strset_has(const gd_strset *s, const char *key)
{
    if (!key || !s->n)
        return 0;
    return s->slot[find_slot(s, key, hash_of(key, strlen(key)))] != NULL;
}

/* Doubles the table (or makes the first one), moving the strings over. */
static int grow(gd_strset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    char **slot = calloc(cap, sizeof *slot);
    uint32_t *hash = malloc(cap * sizeof *hash);
    if (!slot || !hash) {
        free(slot);
        free(hash);
        return -1;
    }
    gd_strset old = *s;
    s->slot = slot;
    s->hash = hash;
    s->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slot[i])
            continue;
        size_t j = find_slot(s, old.slot[i], old.hash[i]);
        s->slot[j] = old.slot[i];
        s->hash[j] = old.hash[i];
    }
    free(old.slot);
    free(old.hash);
    return 0;
}

int gd_strset_add(gd_strset *s, const char *key)
{
    return key ? gd_strset_addn(s, key, strlen(key)) : -1;
}

int gd_strset_addn(gd_strset *s, const char *key, size_t n)
{
    return key ? gd_strset_addh(s, key, n, hash_of(key, n)) : -1;
}

uint32_t gd_strset_hash(const char *key, size_t n)
{
    return hash_of(key, n);
}

void gd_strset_prefetch(const gd_strset *s, uint32_t h)
{
#if defined(__GNUC__)
    if (s->cap) {
        size_t i = h & (s->cap - 1);
        __builtin_prefetch(&s->slot[i]);
        __builtin_prefetch(&s->hash[i]);
    }
#else
    (void)s;
    (void)h;
#endif
}

int gd_strset_addh(gd_strset *s, const char *key, size_t n, uint32_t h)
{
    if (!key)
        return -1;
    size_t i = 0;
    if (s->cap) {
        i = find_slot(s, key, h);
        if (s->slot[i])
            return 0;
    }
    if (s->n >= limit(s))
        return -1;
    if ((s->n + 1) * 2 > s->cap) {
        if (grow(s))
            return -1;
        i = find_slot(s, key, h);
    }
    char *copy = gd_strpool_add(&s->pool, key, n);
    if (!copy)
        return -1;
    s->slot[i] = copy;
    s->hash[i] = h;
    s->n++;
    return 1;
}

void gd_strset_move_all(gd_strset *dst, gd_strset *src)
{
    for (size_t i = 0; src->n && i < src->cap; i++)
        if (src->slot[i])
            gd_strset_add(dst, src->slot[i]);
    gd_strset_clear(src);
}

void gd_strset_clear(gd_strset *s)
{
    if (s->n && s->slot)
        memset(s->slot, 0, s->cap * sizeof *s->slot);
    s->n = 0;
    gd_strpool_free(&s->pool);
}

void gd_strset_free(gd_strset *s)
{
    gd_strset_clear(s);
    free(s->slot);
    free(s->hash);
    size_t max = s->max;
    gd_strset_init(s, max);
}

void gd_strset_take(gd_strset *s, char ***keys, size_t *n, gd_strpool *pool)
{
    size_t k = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i])
            s->slot[k++] = s->slot[i];
    char **v = k ? realloc(s->slot, k * sizeof *v) : NULL;
    if (k && !v)
        v = s->slot;          /* shrinking failed: keep the larger block */
    else if (!k)
        free(s->slot);
    free(s->hash);
    gd_strpool_move(pool, &s->pool);
    *keys = v;
    *n = k;
    size_t max = s->max;
    gd_strset_init(s, max);
}
