/* SPDX-License-Identifier: Apache-2.0 */
/* The GetMemberDetectors reader of member_det_scan.h. Every read is bounded
 * by the body's end and by the longest string, number, key count and depth
 * it may take; on the first byte outside the plain shape it frees what it
 * built and declines. */
#include "collector/member_det_scan.h"
#include "collector/plain_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD_STR_MAX 4096           /* longer strings: declined */
#define MD_EXTRA_MAX 4096         /* additionalConfiguration text */
#define MD_EXTRA_ITEMS_MAX 64     /* objects in additionalConfiguration */

typedef gd_pj_cur cur;

/* The number's text as json_dumps writes it (jansson: "%lld" for integers;
 * "%.17g" plus ".0" when it has no '.' for reals). Its length, or -1 (a
 * real written with an exponent, which jansson rewrites: declined). */
static int number_text_uncached(const char *s, size_t n, int is_real, char *out, size_t cap)
{
    char tmp[GD_PJ_NUM_MAX + 1], *end = NULL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    int k;
    if (!is_real) {
        long long v = strtoll(tmp, &end, 10);
        k = snprintf(out, cap, "%lld", v);
    } else {
        double v = strtod(tmp, &end);
        k = snprintf(out, cap, "%.17g", v);
        if (k <= 0 || (size_t)k + 3 > cap || strchr(out, 'e') || strchr(out, 'n') ||
            strchr(out, 'i'))
            return -1;
        if (!strchr(out, '.')) {
            out[k++] = '.';
            out[k++] = '0';
            out[k] = '\0';
        }
    }
    if (end != tmp + n || k <= 0 || (size_t)k >= cap)
        return -1;
    return k;
}

#define MD_NUM_TEXT_MAX (GD_PJ_NUM_MAX + 16)

/* number_text_uncached with the last answer of this thread remembered: an
 * answer repeats one updatedAt in every configuration item, and the
 * strtod + "%.17g" pair is most of the scanner's cost. */
static int number_text(const char *s, size_t n, int is_real, char *out, size_t cap)
{
    static _Thread_local char last_in[GD_PJ_NUM_MAX], last_out[MD_NUM_TEXT_MAX];
    static _Thread_local size_t last_n;
    static _Thread_local int last_k = -1, last_real;
    if (last_k > 0 && (size_t)last_k < cap && n == last_n && is_real == last_real &&
        memcmp(s, last_in, n) == 0) {
        memcpy(out, last_out, (size_t)last_k + 1);
        return last_k;
    }
    int k = number_text_uncached(s, n, is_real, out, cap);
    if (k > 0 && n <= sizeof last_in && (size_t)k < sizeof last_out) {
        memcpy(last_in, s, n);
        memcpy(last_out, out, (size_t)k + 1);
        last_n = n;
        last_real = is_real;
        last_k = k;
    }
    return k;
}

/* A plain string member into *dst (a new copy; keys are unique, so *dst
 * was NULL). */
static int take_str(cur *c, char **dst)
{
    const char *s;
    size_t n;
    if (gd_pj_string(c, MD_STR_MAX, &s, &n) != 0)
        return -1;
    *dst = gd_pj_copy(s, n);
    return *dst ? 0 : -1;
}

/* ---- additionalConfiguration -------------------------------------------------- */

typedef struct text {
    char b[MD_EXTRA_MAX];
    size_t n;
} text;

static int put(text *t, const char *s, size_t n)
{
    if (n >= sizeof t->b - t->n)
        return -1;
    memcpy(t->b + t->n, s, n);
    t->n += n;
    return 0;
}

/* One member of a configuration object: its key and its value's text. */
typedef struct conf_member {
    const char *key;
    size_t key_n;
    char val[MD_NUM_TEXT_MAX];  /* a number's or literal's text */
    const char *str;            /* else a string's bytes (borrowed) */
    size_t str_n;
} conf_member;

typedef struct conf_obj {
    conf_member m[GD_PJ_KEYS_MAX];
    size_t n;
} conf_obj;

/* A scalar value, kept as the text json_dumps writes for it. */
static int conf_value(cur *c, const char *key, size_t n, void *ud)
{
    conf_obj *o = ud;
    conf_member *m = &o->m[o->n];
    memset(m, 0, sizeof *m);
    m->key = key;
    m->key_n = n;
    if (c->p >= c->end)
        return -1;
    const char *start = c->p, *s;
    size_t len;
    int real;
    switch (*c->p) {
    case '"':
        if (gd_pj_string(c, MD_STR_MAX, &m->str, &m->str_n) != 0)
            return -1;
        break;
    case 't':
    case 'f':
    case 'n':
        if (gd_pj_literal(c, "true") != 0 && gd_pj_literal(c, "false") != 0 && gd_pj_literal(c, "null") != 0)
            return -1;
        memcpy(m->val, start, (size_t)(c->p - start));
        break;
    default:
        if (gd_pj_number(c, &s, &len, &real) != 0 ||
            number_text(s, len, real, m->val, sizeof m->val) < 0)
            return -1;
    }
    o->n++;
    return 0;
}

/* strcmp order of two keys (plain bytes, no NUL). */
static int key_cmp(const conf_member *a, const conf_member *b)
{
    size_t n = a->key_n < b->key_n ? a->key_n : b->key_n;
    int r = memcmp(a->key, b->key, n);
    if (r)
        return r;
    return a->key_n < b->key_n ? -1 : a->key_n > b->key_n;
}

/* {..} written compact with its keys sorted (JSON_SORT_KEYS). */
static int conf_object(cur *c, void *ud)
{
    text *t = ud;
    conf_obj o;
    o.n = 0;
    if (gd_pj_object(c, conf_value, &o) != 0)
        return -1;
    for (size_t i = 1; i < o.n; i++)         /* insertion sort, <= 16 keys */
        for (size_t j = i; j > 0 && key_cmp(&o.m[j - 1], &o.m[j]) > 0; j--) {
            conf_member tmp = o.m[j];
            o.m[j] = o.m[j - 1];
            o.m[j - 1] = tmp;
        }
    if (t->n && t->b[t->n - 1] != '[' && put(t, ",", 1) != 0)
        return -1;
    if (put(t, "{", 1) != 0)
        return -1;
    for (size_t i = 0; i < o.n; i++) {
        const conf_member *m = &o.m[i];
        if ((i && put(t, ",", 1) != 0) || put(t, "\"", 1) != 0 || put(t, m->key, m->key_n) ||
            put(t, "\":", 2) != 0)
            return -1;
        if (m->str ? (put(t, "\"", 1) || put(t, m->str, m->str_n) || put(t, "\"", 1))
                   : put(t, m->val, strlen(m->val)))
            return -1;
    }
    return put(t, "}", 1);
}

/* null (NULL, as dup_json gives), or an array of flat objects as the text
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes. */
static int take_extra(cur *c, char **dst)
{
    if (gd_pj_literal(c, "null") == 0)
        return 0;
    text t;
    t.n = 0;
    if (put(&t, "[", 1) != 0 || gd_pj_array(c, MD_EXTRA_ITEMS_MAX, conf_object, &t) != 0 ||
        put(&t, "]", 1) != 0)
        return -1;
    *dst = gd_pj_copy(t.b, t.n);
    return *dst ? 0 : -1;
}

/* ---- Features, members, unprocessed accounts ------------------------------------ */

static void feature_clear(gd_api_feature *f)
{
    free(f->name);
    free(f->status);
    free(f->auto_enable);
    free(f->additional_json);
    memset(f, 0, sizeof *f);
}

static int feature_member(cur *c, const char *key, size_t n, void *ud)
{
    gd_api_feature *f = ud;
    if (gd_pj_is_key(key, n, "name"))
        return take_str(c, &f->name);
    if (gd_pj_is_key(key, n, "status"))
        return take_str(c, &f->status);
    if (gd_pj_is_key(key, n, "autoEnable"))
        return take_str(c, &f->auto_enable);
    if (gd_pj_is_key(key, n, "additionalConfiguration"))
        return take_extra(c, &f->additional_json);
    return gd_pj_skip(c);
}

typedef struct feature_list {
    gd_api_member_detector *md;
    size_t cap;
} feature_list;

static int feature_item(cur *c, void *ud)
{
    feature_list *l = ud;
    gd_api_feature f;
    memset(&f, 0, sizeof f);
    if (gd_pj_object(c, feature_member, &f) != 0 || !f.name ||
        gd_pj_grow(&l->md->features, l->md->n_features, &l->cap, sizeof f) != 0) {
        feature_clear(&f);      /* a feature without a name: jansson skips it */
        return -1;
    }
    l->md->features[l->md->n_features++] = f;
    return 0;
}

static int member_member(cur *c, const char *key, size_t n, void *ud)
{
    gd_api_member_detector *md = ud;
    if (gd_pj_is_key(key, n, "accountId"))
        return take_str(c, &md->account_id);
    if (gd_pj_is_key(key, n, "features")) {
        feature_list l = {md, 0};
        /* jansson's path gives a present, empty list a (zero-length) array */
        md->features = calloc(1, sizeof *md->features);
        if (!md->features)
            return -1;
        l.cap = 1;
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, feature_item, &l);
    }
    return gd_pj_skip(c);
}

static void member_clear(gd_api_member_detector *md)
{
    free(md->account_id);
    for (size_t i = 0; i < md->n_features; i++)
        feature_clear(&md->features[i]);
    free(md->features);
    memset(md, 0, sizeof *md);
}

typedef struct lists {
    gd_api_member_detectors *out;
    size_t cap_members, cap_unprocessed;
} lists;

/* A member whose accountId is not 12 digits is skipped by jansson's path:
 * declined here. */
static int member_item(cur *c, void *ud)
{
    lists *l = ud;
    gd_api_member_detector md;
    memset(&md, 0, sizeof md);
    if (gd_pj_object(c, member_member, &md) != 0 || !gd_api_is_account_id(md.account_id) ||
        gd_pj_grow(&l->out->members, l->out->n, &l->cap_members, sizeof md) != 0) {
        member_clear(&md);
        return -1;
    }
    l->out->members[l->out->n++] = md;
    return 0;
}

static int unprocessed_member(cur *c, const char *key, size_t n, void *ud)
{
    gd_api_unprocessed *u = ud;
    if (gd_pj_is_key(key, n, "accountId"))
        return take_str(c, &u->account_id);
    if (gd_pj_is_key(key, n, "result"))
        return take_str(c, &u->result);
    return gd_pj_skip(c);
}

static int unprocessed_item(cur *c, void *ud)
{
    lists *l = ud;
    gd_api_member_detectors *out = l->out;
    gd_api_unprocessed u = {NULL, NULL};
    if (gd_pj_object(c, unprocessed_member, &u) != 0 || !u.account_id ||
        gd_pj_grow(&out->unprocessed, out->n_unprocessed, &l->cap_unprocessed, sizeof u) != 0) {
        free(u.account_id);
        free(u.result);
        return -1;
    }
    out->unprocessed[out->n_unprocessed++] = u;
    return 0;
}

typedef struct root_seen {
    lists *l;
    int members;
} root_seen;

static int root_member(cur *c, const char *key, size_t n, void *ud)
{
    root_seen *r = ud;
    if (gd_pj_is_key(key, n, "members")) {
        r->members = 1;
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, member_item, r->l);
    }
    if (gd_pj_is_key(key, n, "unprocessedAccounts")) {
        /* as for features: present and empty is a zero-length array */
        if (!r->l->out->unprocessed &&
            !(r->l->out->unprocessed = calloc(1, sizeof *r->l->out->unprocessed)))
            return -1;
        r->l->cap_unprocessed = 1;
        return gd_pj_array(c, GD_PJ_ITEMS_MAX, unprocessed_item, r->l);
    }
    return -1;
}

int gd_member_det_scan(const char *body, size_t len, gd_api_member_detectors *out)
{
    memset(out, 0, sizeof *out);
    if (!body)
        return GD_MDSCAN_DECLINED;
    cur c = {body, body + len};
    lists l = {out, 0, 0};
    root_seen r = {&l, 0};
    if (gd_pj_object(&c, root_member, &r) != 0 || c.p != c.end || !r.members) {
        gd_api_member_detectors_free(out);
        return GD_MDSCAN_DECLINED;
    }
    return GD_MDSCAN_OK;
}
