/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded string set (strset.h). */
#include "common/strset.h"

#include <stdlib.h>
#include <string.h>

void gd_strset_init(gd_strset *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
}

static size_t limit(const gd_strset *s)
{
    return s->max ? s->max : GD_STRSET_DEFAULT_MAX;
}

/* FNV-1a, 32 bits. */
static uint32_t hash_of(const char *k)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
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
    return s->slot[find_slot(s, key, hash_of(key))] != NULL;
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
    if (!key)
        return -1;
    uint32_t h = hash_of(key);
    if (s->n && s->slot[find_slot(s, key, h)])
        return 0;
    if (s->n >= limit(s))
        return -1;
    if ((s->n + 1) * 2 > s->cap && grow(s))
        return -1;
    size_t i = find_slot(s, key, h);
    char *copy = strdup(key);
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
    for (size_t i = 0; s->n && i < s->cap; i++) {
        if (s->slot[i]) {
            free(s->slot[i]);
            s->slot[i] = NULL;
            s->n--;
        }
    }
    s->n = 0;
}

void gd_strset_free(gd_strset *s)
{
    gd_strset_clear(s);
    free(s->slot);
    free(s->hash);
    size_t max = s->max;
    gd_strset_init(s, max);
}
