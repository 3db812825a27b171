/* SPDX-License-Identifier: Apache-2.0 */
/* The plain-page reader of id_page_scan.h. Every read is bounded by the
 * body's end and by the longest string it may take; on the first byte
 * outside the plain shape it frees what it built and declines. */
#include "collector/id_page_scan.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_IDS_MAX 10000        /* gd_api_parse_id_page's array limit (get_array) */
#define SCAN_KEY_MAX 64           /* longer keys are not ours: declined */

typedef struct cur {
    const char *p, *end;
} cur;

static int take_byte(cur *c, char ch)
{
    if (c->p >= c->end || *c->p != ch)
        return -1;
    c->p++;
    return 0;
}

/* A string of at most max bytes, each printable ASCII other than '"' and
 * '\\' (so no escapes: its bytes are its value). *s, *n: its bytes, borrowed
 * from the body. 0, or -1 (not such a string, or longer than max). */
static int plain_string(cur *c, size_t max, const char **s, size_t *n)
{
    if (take_byte(c, '"') != 0)
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

static char *copy_span(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int push_id(gd_id_page *out, size_t *cap, const char *s, size_t n)
{
    if (out->n == *cap) {
        char **v = realloc(out->ids, *cap * 2 * sizeof *v);
        if (!v)
            return -1;
        out->ids = v;
        *cap *= 2;
    }
    char *id = copy_span(s, n);
    if (!id)
        return -1;
    out->ids[out->n++] = id;
    return 0;
}

/* ["id",...]: every id 1..GD_API_ID_MAX plain bytes (valid_id in gd_api.c
 * also refuses only control characters and DEL, which plain_string refuses). */
static int scan_ids(cur *c, gd_id_page *out)
{
    size_t cap = 64;
    out->ids = malloc(cap * sizeof *out->ids);
    if (!out->ids || take_byte(c, '[') != 0)
        return -1;
    if (take_byte(c, ']') == 0)
        return 0;
    for (;;) {
        const char *s;
        size_t n;
        if (out->n >= SCAN_IDS_MAX || plain_string(c, GD_API_ID_MAX, &s, &n) != 0 || n == 0 ||
            push_id(out, &cap, s, n) != 0)
            return -1;
        if (take_byte(c, ']') == 0)
            return 0;
        if (take_byte(c, ',') != 0)
            return -1;
    }
}

/* null, or a plain string ("" is the last page, as for null). */
static int scan_token(cur *c, gd_id_page *out)
{
    if ((size_t)(c->end - c->p) >= 4 && memcmp(c->p, "null", 4) == 0) {
        c->p += 4;
        return 0;
    }
    const char *s;
    size_t n;
    if (plain_string(c, GD_API_TOKEN_MAX, &s, &n) != 0)
        return -1;
    if (n && !(out->next_token = copy_span(s, n)))
        return -1;
    return 0;
}

static int is_key(const char *s, size_t n, const char *key)
{
    return strlen(key) == n && memcmp(s, key, n) == 0;
}

/* One member "name":value; *seen marks the members read (bit 0: key, bit 1:
 * nextToken), so a repeated one declines as jansson's duplicate check fails. */
static int scan_member(cur *c, const char *key, gd_id_page *out, unsigned *seen)
{
    const char *s;
    size_t n;
    if (plain_string(c, SCAN_KEY_MAX, &s, &n) != 0 || take_byte(c, ':') != 0)
        return -1;
    if (is_key(s, n, key) && !(*seen & 1u)) {
        *seen |= 1u;
        return scan_ids(c, out);
    }
    if (is_key(s, n, "nextToken") && !(*seen & 2u)) {
        *seen |= 2u;
        return scan_token(c, out);
    }
    return -1;
}

static int scan_page(cur *c, const char *key, gd_id_page *out)
{
    unsigned seen = 0;
    if (take_byte(c, '{') != 0)
        return -1;
    for (;;) {
        if (scan_member(c, key, out, &seen) != 0)
            return -1;
        if (take_byte(c, '}') == 0)
            break;
        if (take_byte(c, ',') != 0)
            return -1;
    }
    return c->p == c->end && (seen & 1u) ? 0 : -1;
}

int gd_id_page_scan(const char *body, size_t len, const char *key, gd_id_page *out)
{
    memset(out, 0, sizeof *out);
    if (!body || !key)
        return GD_IDSCAN_DECLINED;
    cur c = {body, body + len};
    if (scan_page(&c, key, out) != 0) {
        gd_id_page_free(out);
        return GD_IDSCAN_DECLINED;
    }
    return GD_IDSCAN_OK;
}
