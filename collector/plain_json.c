/* SPDX-License-Identifier: Apache-2.0 */
/* The plain-JSON pieces of plain_json.h. */
#include "collector/plain_json.h"

#include <stdlib.h>
#include <string.h>

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* An exponent or a leading zero leaves a byte the caller refuses. */
int gd_pj_number(gd_pj_cur *c, const char **s, size_t *n, int *is_real)
{
    const char *q = c->p, *e = c->end;
    size_t digits = 0;
    if (q < e && *q == '-')
        q++;
    if (q >= e || !is_digit(*q))
        return -1;
    if (*q == '0') {
        q++;
        digits = 1;
    } else {
        for (; q < e && is_digit(*q) && digits <= GD_PJ_INT_DIGITS_MAX; q++)
            digits++;
    }
    if (digits > GD_PJ_INT_DIGITS_MAX)
        return -1;
    *is_real = 0;
    if (q < e && *q == '.') {
        const char *f = ++q;
        for (; q < e && is_digit(*q) && (size_t)(q - c->p) <= GD_PJ_NUM_MAX; q++)
            ;
        if (q == f)
            return -1;
        *is_real = 1;
    }
    if ((size_t)(q - c->p) > GD_PJ_NUM_MAX)
        return -1;
    *s = c->p;
    *n = (size_t)(q - c->p);
    c->p = q;
    return 0;
}

int gd_pj_literal(gd_pj_cur *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return -1;
    c->p += n;
    return 0;
}

int gd_pj_token(gd_pj_cur *c, size_t max, char **dst)
{
    const char *s;
    size_t n;
    if (gd_pj_literal(c, "null") == 0)
        return 0;
    if (gd_pj_string(c, max, &s, &n) != 0)
        return -1;
    if (n && !(*dst = gd_pj_copy(s, n)))
        return -1;
    return 0;
}

int gd_pj_is_key(const char *s, size_t n, const char *key)
{
    return strlen(key) == n && memcmp(s, key, n) == 0;
}

int gd_pj_grow(void *v, size_t n, size_t *cap, size_t elem)
{
    void **pv = v;
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    void *nv = realloc(*pv, c * elem);
    if (!nv)
        return -1;
    *pv = nv;
    *cap = c;
    return 0;
}

int gd_pj_object(gd_pj_cur *c, gd_pj_member_fn member, void *ud)
{
    const char *keys[GD_PJ_KEYS_MAX];
    size_t lens[GD_PJ_KEYS_MAX], k = 0;
    if (gd_pj_byte(c, '{') != 0)
        return -1;
    if (gd_pj_byte(c, '}') == 0)
        return 0;
    for (;;) {
        const char *s;
        size_t n;
        if (k >= GD_PJ_KEYS_MAX || gd_pj_string(c, GD_PJ_KEY_MAX, &s, &n) != 0 ||
            gd_pj_byte(c, ':') != 0)
            return -1;
        for (size_t i = 0; i < k; i++)
            if (lens[i] == n && memcmp(keys[i], s, n) == 0)
                return -1;
        keys[k] = s;
        lens[k++] = n;
        if (member(c, s, n, ud) != 0)
            return -1;
        if (gd_pj_byte(c, '}') == 0)
            return 0;
        if (gd_pj_byte(c, ',') != 0)
            return -1;
    }
}

int gd_pj_array(gd_pj_cur *c, size_t max, gd_pj_item_fn item, void *ud)
{
    if (gd_pj_byte(c, '[') != 0)
        return -1;
    if (gd_pj_byte(c, ']') == 0)
        return 0;
    for (size_t i = 0;; i++) {
        if (i >= max || item(c, ud) != 0)
            return -1;
        if (gd_pj_byte(c, ']') == 0)
            return 0;
        if (gd_pj_byte(c, ',') != 0)
            return -1;
    }
}

static int skip_at(gd_pj_cur *c, int depth);

static int skip_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    (void)key;
    (void)n;
    return skip_at(c, *(int *)ud);
}

static int skip_item(gd_pj_cur *c, void *ud)
{
    return skip_at(c, *(int *)ud);
}

static int skip_at(gd_pj_cur *c, int depth)
{
    const char *s;
    size_t n;
    int real;
    if (c->p >= c->end)
        return -1;
    int inner = depth + 1;
    switch (*c->p) {
    case '"': return gd_pj_string(c, GD_PJ_STR_MAX, &s, &n);
    case '{': return inner > GD_PJ_DEPTH_MAX ? -1 : gd_pj_object(c, skip_member, &inner);
    case '[':
        return inner > GD_PJ_DEPTH_MAX ? -1 : gd_pj_array(c, GD_PJ_ITEMS_MAX, skip_item, &inner);
    case 't': return gd_pj_literal(c, "true");
    case 'f': return gd_pj_literal(c, "false");
    case 'n': return gd_pj_literal(c, "null");
    default: return gd_pj_number(c, &s, &n, &real);
    }
}

int gd_pj_skip(gd_pj_cur *c)
{
    return skip_at(c, 0);
}
