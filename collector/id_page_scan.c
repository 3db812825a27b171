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

static int push_id(gd_id_page *out, size_t *cap, const char *s, size_t n)
{
    if (out->n == *cap) {
        char **v = realloc(out->ids, *cap * 2 * sizeof *v);
        if (!v)
            return -1;
        out->ids = v;
        *cap *= 2;
    }
    char *id = gd_pj_copy(s, n);
    if (!id)
        return -1;
    out->ids[out->n++] = id;
    return 0;
}

/* ["id",...]: every id 1..GD_API_ID_MAX plain bytes (valid_id in gd_api.c
 * also refuses only control characters and DEL, which gd_pj_string refuses). */
static int scan_ids(gd_pj_cur *c, gd_id_page *out)
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
            push_id(out, &cap, s, n) != 0)
            return -1;
        if (gd_pj_byte(c, ']') == 0)
            return 0;
        if (gd_pj_byte(c, ',') != 0)
            return -1;
    }
}

/* One member "name":value; *seen marks the members read (bit 0: key, bit 1:
 * nextToken), so a repeated one declines as jansson's duplicate check fails. */
static int scan_member(gd_pj_cur *c, const char *key, gd_id_page *out, unsigned *seen)
{
    const char *s;
    size_t n;
    if (gd_pj_string(c, SCAN_KEY_MAX, &s, &n) != 0 || gd_pj_byte(c, ':') != 0)
        return -1;
    if (gd_pj_is_key(s, n, key) && !(*seen & 1u)) {
        *seen |= 1u;
        return scan_ids(c, out);
    }
    if (gd_pj_is_key(s, n, "nextToken") && !(*seen & 2u)) {
        *seen |= 2u;
        return gd_pj_token(c, GD_API_TOKEN_MAX, &out->next_token);
    }
    return -1;
}

static int scan_page(gd_pj_cur *c, const char *key, gd_id_page *out)
{
    unsigned seen = 0;
    if (gd_pj_byte(c, '{') != 0)
        return -1;
    for (;;) {
        if (scan_member(c, key, out, &seen) != 0)
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
    if (scan_page(&c, key, out) != 0) {
        gd_id_page_free(out);
        return GD_IDSCAN_DECLINED;
    }
    return GD_IDSCAN_OK;
}
