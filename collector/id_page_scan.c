/* SPDX-License-Identifier: Apache-2.0 */
/* The plain-page reader of id_page_scan.h, on plain_json.h's pieces. Every
 * read is bounded by the body's end and by the longest string it may take;
 * on the first byte outside the plain shape it frees what it built and
 * declines. */
#include "collector/id_page_scan.h"
#include "collector/plain_json.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_IDS_MAX 10000        /* gd_api_parse_id_page's array limit (get_array) */
#define SCAN_KEY_MAX 64           /* longer keys are not ours: declined */

/* While the page is read, ids[i] borrow the body's bytes (cast: they are
 * never written through); *bytes counts what their copies will need. */
static int push_id(gd_id_page *out, size_t *cap, const char *s, size_t n, size_t *bytes)
{
    if (out->n == *cap) {
        char **v = realloc(out->ids, *cap * 2 * sizeof *v);
        if (!v)
            return -1;
        out->ids = v;
        *cap *= 2;
    }
    out->ids[out->n++] = (char *)s;
    *bytes += n + 1;
    return 0;
}

/* ["id",...]: every id 1..GD_API_ID_MAX plain bytes (valid_id in gd_api.c
 * also refuses only control characters and DEL, which gd_pj_string refuses). */
static int scan_ids(gd_pj_cur *c, gd_id_page *out, size_t *bytes)
{
    size_t cap = 64;
    out->ids = malloc(cap * sizeof *out->ids);
    if (!out->ids || gd_pj_byte(c, '[') != 0)
        return -1;
    if (gd_pj_byte(c, ']') == 0)
        return 0;
    for (;;) {
        const char *s;
        size_t n;
        if (out->n >= SCAN_IDS_MAX || gd_pj_string(c, GD_API_ID_MAX, &s, &n) != 0 || n == 0 ||
            push_id(out, &cap, s, n, bytes) != 0)
            return -1;
        if (gd_pj_byte(c, ']') == 0)
            return 0;
        if (gd_pj_byte(c, ',') != 0)
            return -1;
    }
}

/* The page read: the borrowed ids become copies in one block (out->text),
 * one allocation per page instead of one per id. Each borrowed id ends at
 * its closing quote (plain strings hold none), within end. */
static int own_ids(gd_id_page *out, size_t bytes, const char *end)
{
    if (!out->n)
        return 0;
    char *t = malloc(bytes);
    if (!t)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < out->n; i++) {
        const char *s = out->ids[i];
        const char *q = memchr(s, '"', (size_t)(end - s));
        size_t n = q ? (size_t)(q - s) : 0;
        if (!q || used + n + 1 > bytes) {   /* cannot happen: the scan saw the quote */
            free(t);
            return -1;
        }
        memcpy(t + used, s, n);
        t[used + n] = '\0';
        out->ids[i] = t + used;
        used += n + 1;
    }
    out->text = t;
    return 0;
}

/* One member "name":value; *seen marks the members read (bit 0: key, bit 1:
 * nextToken), so a repeated one declines as jansson's duplicate check fails. */
static int scan_member(gd_pj_cur *c, const char *key, gd_id_page *out, unsigned *seen,
                       size_t *bytes)
{
    const char *s;
    size_t n;
    if (gd_pj_string(c, SCAN_KEY_MAX, &s, &n) != 0 || gd_pj_byte(c, ':') != 0)
        return -1;
    if (gd_pj_is_key(s, n, key) && !(*seen & 1u)) {
        *seen |= 1u;
        return scan_ids(c, out, bytes);
    }
    if (gd_pj_is_key(s, n, "nextToken") && !(*seen & 2u)) {
        *seen |= 2u;
        return gd_pj_token(c, GD_API_TOKEN_MAX, &out->next_token);
    }
    return -1;
}

static int scan_page(gd_pj_cur *c, const char *key, gd_id_page *out, size_t *bytes)
{
    unsigned seen = 0;
    if (gd_pj_byte(c, '{') != 0)
        return -1;
    for (;;) {
        if (scan_member(c, key, out, &seen, bytes) != 0)
            return -1;
        if (gd_pj_byte(c, '}') == 0)
            break;
        if (gd_pj_byte(c, ',') != 0)
            return -1;
    }
    return c->p == c->end && (seen & 1u) ? 0 : -1;
}

int gd_id_page_scan(const char *body, size_t len, const char *key, gd_id_page *out)
{
    memset(out, 0, sizeof *out);
    if (!body || !key)
        return GD_IDSCAN_DECLINED;
    gd_pj_cur c = {body, body + len};
    size_t bytes = 0;
    if (scan_page(&c, key, out, &bytes) != 0 || own_ids(out, bytes, body + len) != 0) {
        /* the ids still borrow the body: only the array and the token are ours */
        free(out->ids);
        free(out->next_token);
        memset(out, 0, sizeof *out);
        return GD_IDSCAN_DECLINED;
    }
    return GD_IDSCAN_OK;
}
