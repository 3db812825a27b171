/* SPDX-License-Identifier: Apache-2.0 */
/* The GetRemainingFreeTrialDays reader of trial_scan.h, on plain_json.h's
 * pieces: every read is bounded by the body's end; on the first byte
 * outside the plain shape it frees what it built and declines. */
#include "collector/trial_scan.h"
#include "collector/plain_json.h"

#include <stdlib.h>
#include <string.h>

#define TS_STR_MAX 4096           /* longer strings: declined */

/* A copy of n bytes in the arena. The arena holds len + 1 bytes for a body
 * of len: every string copied is a distinct quoted span of the body, so
 * its bytes plus NUL fit in the span's own length. */
static const char *arena_copy(gd_trial_scan *s, const char *p, size_t n)
{
    if (n + 1 > s->arena_cap - s->arena_used)
        return NULL;
    char *d = s->arena + s->arena_used;
    memcpy(d, p, n);
    d[n] = '\0';
    s->arena_used += n + 1;
    return d;
}

static int take(gd_pj_cur *c, gd_trial_scan *s, const char **dst)
{
    const char *p;
    size_t n;
    if (gd_pj_string(c, TS_STR_MAX, &p, &n) != 0)
        return -1;
    *dst = arena_copy(s, p, n);
    return *dst ? 0 : -1;
}

typedef struct feature {
    gd_trial_scan *s;
    const char *name;
    int64_t days;
    int has_days;
} feature;

/* A whole, non-negative day count (no '-': "-0" is left to jansson). */
static int take_days(gd_pj_cur *c, feature *f)
{
    const char *p;
    size_t n;
    int real;
    if (gd_pj_number(c, &p, &n, &real) != 0 || real || p[0] == '-')
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');      /* <= 18 digits: no overflow */
    f->days = v;
    f->has_days = 1;
    return 0;
}

static int feature_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    feature *f = ud;
    if (gd_pj_is_key(key, n, "name"))
        return take(c, f->s, &f->name);
    if (gd_pj_is_key(key, n, "freeTrialDaysRemaining"))
        return take_days(c, f);
    return gd_pj_skip(c);
}

/* A row with the account still unknown (set once its object is read). */
static int feature_item(gd_pj_cur *c, void *ud)
{
    gd_trial_scan *s = ud;
    feature f = {s, NULL, 0, 0};
    if (gd_pj_object(c, feature_member, &f) != 0 || !f.name || !*f.name || !f.has_days ||
        gd_pj_grow(&s->rows, s->n_rows, &s->cap_rows, sizeof *s->rows) != 0)
        return -1;
    s->rows[s->n_rows++] = (gd_trial_row){NULL, f.name, f.days};
    return 0;
}

typedef struct account {
    gd_trial_scan *s;
    const char *id;
} account;

static int account_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    account *a = ud;
    if (gd_pj_is_key(key, n, "accountId"))
        return take(c, a->s, &a->id);
    if (gd_pj_is_key(key, n, "features"))
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, feature_item, a->s);
    return gd_pj_skip(c);
}

static int account_item(gd_pj_cur *c, void *ud)
{
    gd_trial_scan *s = ud;
    account a = {s, NULL};
    size_t first = s->n_rows;
    if (gd_pj_object(c, account_member, &a) != 0 || !a.id || !*a.id)
        return -1;
    for (size_t i = first; i < s->n_rows; i++)
        s->rows[i].account_id = a.id;
    return 0;
}

typedef struct unprocessed {
    gd_trial_scan *s;
    gd_trial_unprocessed u;
} unprocessed;

static int unprocessed_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    unprocessed *x = ud;
    if (gd_pj_is_key(key, n, "accountId"))
        return take(c, x->s, &x->u.account_id);
    if (gd_pj_is_key(key, n, "result"))
        return take(c, x->s, &x->u.result);
    return gd_pj_skip(c);
}

static int unprocessed_item(gd_pj_cur *c, void *ud)
{
    gd_trial_scan *s = ud;
    unprocessed x = {s, {NULL, NULL}};
    if (gd_pj_object(c, unprocessed_member, &x) != 0 ||
        gd_pj_grow(&s->unprocessed, s->n_unprocessed, &s->cap_unprocessed,
                   sizeof *s->unprocessed) != 0)
        return -1;
    s->unprocessed[s->n_unprocessed++] = x.u;
    return 0;
}

static int root_member(gd_pj_cur *c, const char *key, size_t n, void *ud)
{
    if (gd_pj_is_key(key, n, "accounts"))
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, account_item, ud);
    if (gd_pj_is_key(key, n, "unprocessedAccounts"))
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, unprocessed_item, ud);
    return gd_pj_skip(c);
}

void gd_trial_scan_free(gd_trial_scan *s)
{
    if (!s)
        return;
    free(s->arena);
    free(s->rows);
    free(s->unprocessed);
    memset(s, 0, sizeof *s);
}

int gd_trial_scan_body(const char *body, size_t len, gd_trial_scan *out)
{
    memset(out, 0, sizeof *out);
    if (!body || !(out->arena = malloc(len + 1)))
        return GD_TRSCAN_DECLINED;
    out->arena_cap = len + 1;
    gd_pj_cur c = {body, body + len};
    if (gd_pj_object(&c, root_member, out) != 0 || c.p != c.end) {
        gd_trial_scan_free(out);
        return GD_TRSCAN_DECLINED;
    }
    return GD_TRSCAN_OK;
}
