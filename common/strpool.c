/* SPDX-License-Identifier: Apache-2.0 */
/* String pool (strpool.h). */
#include "common/strpool.h"

#include <stdlib.h>
#include <string.h>

struct gd_strpool_chunk {
    gd_strpool_chunk *next;
    size_t cap, used;
    char data[];
};

void gd_strpool_init(gd_strpool *p)
{
    p->head = NULL;
}

/* A new head chunk with room for need bytes; NULL when out of memory. */
static gd_strpool_chunk *new_chunk(gd_strpool *p, size_t need)
{
    size_t cap = need > GD_STRPOOL_CHUNK ? need : GD_STRPOOL_CHUNK;
    if (cap > ((size_t)-1) - sizeof(gd_strpool_chunk))
        return NULL;
    gd_strpool_chunk *c = malloc(sizeof *c + cap);
    if (!c)
        return NULL;
    c->cap = cap;
    c->used = 0;
    /* A string longer than a chunk gets one of its own behind the head, so
     * the head's free room is not thrown away. */
    if (p->head && need > GD_STRPOOL_CHUNK) {
        c->next = p->head->next;
        p->head->next = c;
    } else {
        c->next = p->head;
        p->head = c;
    }
    return c;
}

char *gd_strpool_add(gd_strpool *p, const char *s, size_t n)
{
    if (n == (size_t)-1)
        return NULL;
    gd_strpool_chunk *c = p->head;
    if (!c || c->cap - c->used < n + 1) {
        c = new_chunk(p, n + 1);
        if (!c)
            return NULL;
    }
    char *d = c->data + c->used;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    c->used += n + 1;
    return d;
}

void gd_strpool_move(gd_strpool *dst, gd_strpool *src)
{
    gd_strpool_chunk *c = src->head;
    if (!c)
        return;
    if (!dst->head) {
        dst->head = c;
    } else {
        /* src's chunks go behind dst's head: dst keeps filling its own */
        gd_strpool_chunk *last = c;
        while (last->next)
            last = last->next;
        last->next = dst->head->next;
        dst->head->next = c;
    }
    src->head = NULL;
}

void gd_strpool_free(gd_strpool *p)
{
    gd_strpool_chunk *c = p->head;
    while (c) {
        gd_strpool_chunk *next = c->next;
        free(c);
        c = next;
    }
    p->head = NULL;
}
