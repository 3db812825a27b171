/* SPDX-License-Identifier: Apache-2.0 */
/* Small containers used while building the model: a string pool, sorted key
 * lists, growable arrays, and Monday-based week numbers. */
#include "report/model_internal.h"

#include <stdlib.h>
#include <string.h>

uint64_t gd_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int pool_rehash(gd_pool *p)
{
    size_t cap = p->cap ? p->cap * 2 : 256;
    char **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return GD_E_NOMEM;
    for (size_t i = 0; i < p->cap; i++) {
        if (!p->slots[i])
            continue;
        size_t j = gd_hash_str(p->slots[i]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = slots;
    p->cap = cap;
    return 0;
}

const char *gd_pool_str(gd_pool *p, const char *s, int *oom)
{
    if (!s)
        return NULL;
    if ((p->n + 1) * 2 > p->cap && pool_rehash(p) != 0) {
        *oom = 1;
        return NULL;
    }
    size_t j = gd_hash_str(s) & (p->cap - 1);
    for (; p->slots[j]; j = (j + 1) & (p->cap - 1))
        if (!strcmp(p->slots[j], s))
            return p->slots[j];
    p->slots[j] = strdup(s);
    if (!p->slots[j]) {
        *oom = 1;
        return NULL;
    }
    p->n++;
    return p->slots[j];
}

void gd_pool_free(gd_pool *p)
{
    for (size_t i = 0; i < p->cap; i++)
        free(p->slots[i]);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

int gd_grow(void *array_ptr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *v;
    memcpy(&v, array_ptr, sizeof v); /* array_ptr is a T **; no aliasing casts */
    void *nv = realloc(v, ncap * elem);
    if (!nv)
        return GD_E_NOMEM;
    memcpy(array_ptr, &nv, sizeof nv);
    *cap = ncap;
    return 0;
}

/* Drops the hash index (the list is changing). */
static void keys_unindex(gd_keys *k)
{
    free(k->slots);
    k->slots = NULL;
    k->slot_mask = 0;
}

int gd_keys_add(gd_keys *k, const char *s)
{
    if (!s)
        return 0;
    keys_unindex(k);
    if (gd_grow(&k->v, &k->cap, k->n, sizeof *k->v))
        return GD_E_NOMEM;
    k->v[k->n++] = s;
    return 0;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Builds the hash index of k->v (load <= 1/2); left NULL without memory or
 * for a list too long for 32-bit positions (bsearch then). */
static void keys_index(gd_keys *k)
{
    size_t cap = 16;
    while (cap < k->n * 2)
        cap *= 2;
    if (k->n >= UINT32_MAX || !(k->slots = calloc(cap, sizeof *k->slots)))
        return;
    k->slot_mask = cap - 1;
    for (size_t i = 0; i < k->n; i++) {
        size_t j = gd_hash_str(k->v[i]) & k->slot_mask;
        while (k->slots[j])
            j = (j + 1) & k->slot_mask;
        k->slots[j] = (uint32_t)(i + 1);
    }
}

void gd_keys_sort_unique(gd_keys *k)
{
    keys_unindex(k);
    if (!k->n)
        return;
    qsort(k->v, k->n, sizeof *k->v, cmp_str_ptr);
    size_t w = 1;
    for (size_t i = 1; i < k->n; i++)
        if (strcmp(k->v[i], k->v[w - 1]))
            k->v[w++] = k->v[i];
    k->n = w;
    /* The list was filled with every row's key (252,449 usage rows for 2,000
     * accounts): give the duplicates' room back. Keeping it on failure is fine. */
    if (k->cap > w * 2) {
        const char **v = realloc(k->v, w * sizeof *k->v);
        if (v) {
            k->v = v;
            k->cap = w;
        }
    }
    keys_index(k);
}

long gd_keys_find(const gd_keys *k, const char *s)
{
    if (!s || !k->n)
        return -1;
    if (k->slots) {
        for (size_t j = gd_hash_str(s) & k->slot_mask; k->slots[j]; j = (j + 1) & k->slot_mask)
            if (!strcmp(k->v[k->slots[j] - 1], s))
                return (long)k->slots[j] - 1;
        return -1;
    }
    const char **hit = bsearch(&s, k->v, k->n, sizeof *k->v, cmp_str_ptr);
    return hit ? (long)(hit - k->v) : -1;
}

void gd_keys_free(gd_keys *k)
{
    free(k->v);
    free(k->slots);
    memset(k, 0, sizeof *k);
}

char *gd_strdup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}
