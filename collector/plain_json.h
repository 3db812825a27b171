/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_PLAIN_JSON_H
#define GD_COLLECTOR_PLAIN_JSON_H
/* Internal to the collector: the pieces the strict tree-less readers
 * (id_page_scan.c, member_det_scan.c, members_scan.c, trial_scan.c,
 * usage_scan.c) are made of. Each takes only "plain" JSON, the subset whose
 * every accepted text jansson (JSON_REJECT_DUPLICATES) reads to the same
 * values: no whitespace; strings of printable ASCII without escapes; numbers
 * -?(0|[1-9][0-9]*)(.[0-9]+)? of at most GD_PJ_NUM_MAX bytes and
 * GD_PJ_INT_DIGITS_MAX integer digits (jansson can neither refuse them nor
 * overflow); objects with at most GD_PJ_KEYS_MAX distinct keys of at most
 * GD_PJ_KEY_MAX bytes. Each returns 0, or -1 on the first byte outside that
 * subset (the caller then declines); no read goes past the cursor's end. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define GD_PJ_ITEMS_MAX 10000     /* gd_api.c get_array's limit */
#define GD_PJ_KEY_MAX 64
#define GD_PJ_STR_MAX 4096        /* strings of skipped values */
#define GD_PJ_KEYS_MAX 16
#define GD_PJ_DEPTH_MAX 8         /* nesting of skipped values */
#define GD_PJ_NUM_MAX 24
#define GD_PJ_INT_DIGITS_MAX 18

typedef struct gd_pj_cur {
    const char *p, *end;
} gd_pj_cur;

/* gd_pj_byte, gd_pj_string and gd_pj_copy are inline: id_page_scan.c reads
 * one string per finding id with them, and as calls they cost it 1.4 M more
 * instructions in a 3-region collect (callgrind). */
static inline int gd_pj_byte(gd_pj_cur *c, char ch)
{
    if (c->p >= c->end || *c->p != ch)
        return -1;
    c->p++;
    return 0;
}

/* A plain string of at most max bytes: *s, *n borrowed from the text. Each
 * byte printable ASCII other than '"' and '\\' (no escapes: its bytes are
 * its value, and json_dumps writes them back unchanged). */
static inline int gd_pj_string(gd_pj_cur *c, size_t max, const char **s, size_t *n)
{
    if (gd_pj_byte(c, '"') != 0)
        return -1;
    size_t room = (size_t)(c->end - c->p);
    const char *q = c->p, *stop = c->p + (room < max + 1 ? room : max + 1);
    for (; q < stop && *q != '"'; q++) {
        unsigned char ch = (unsigned char)*q;
        if (ch < 0x20 || ch > 0x7e || ch == '\\')
            return -1;
    }
    if (q >= stop)
        return -1;              /* unterminated, or over max */
    *s = c->p;
    *n = (size_t)(q - c->p);
    c->p = q + 1;
    return 0;
}

/* A new NUL-terminated copy of n bytes, or NULL. */
static inline char *gd_pj_copy(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* A plain number: *s, *n borrowed; *is_real when it has a fraction. */
int gd_pj_number(gd_pj_cur *c, const char **s, size_t *n, int *is_real);
int gd_pj_literal(gd_pj_cur *c, const char *word);
/* Any plain value (scalars, objects and arrays nested at most
 * GD_PJ_DEPTH_MAX deep, arrays of at most GD_PJ_ITEMS_MAX items). */
int gd_pj_skip(gd_pj_cur *c);

/* {"key":value,...}: member is called on each key (read once: a repeat is
 * refused, as JSON_REJECT_DUPLICATES makes jansson refuse it) with the
 * cursor on its value. */
typedef int (*gd_pj_member_fn)(gd_pj_cur *c, const char *key, size_t n, void *ud);
int gd_pj_object(gd_pj_cur *c, gd_pj_member_fn member, void *ud);
/* [item,...] of at most max items. */
typedef int (*gd_pj_item_fn)(gd_pj_cur *c, void *ud);
int gd_pj_array(gd_pj_cur *c, size_t max, gd_pj_item_fn item, void *ud);

/* A paging token: null, or a plain string of at most max bytes. *dst (NULL
 * on entry) gets a copy, and stays NULL for null and for "" (both end the
 * listing, as the jansson paths read them). */
int gd_pj_token(gd_pj_cur *c, size_t max, char **dst);

int gd_pj_is_key(const char *s, size_t n, const char *key);
/* Makes room for one more element in *v (n used of *cap, elem bytes each). */
int gd_pj_grow(void *v, size_t n, size_t *cap, size_t elem);

#endif
