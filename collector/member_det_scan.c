/* SPDX-License-Identifier: Apache-2.0 */
/* The GetMemberDetectors reader of member_det_scan.h. Every read is bounded
 * by the body's end and by the longest string, number, key count and depth
 * it may take; on the first byte outside the plain shape it frees what it
 * built and declines. */
#include "collector/member_det_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD_ITEMS_MAX 10000        /* gd_api.c get_array's limit */
#define MD_KEY_MAX 64             /* longer keys are not ours: declined */
#define MD_STR_MAX 4096           /* longer strings: declined */
#define MD_KEYS_MAX 16            /* keys per object */
#define MD_DEPTH_MAX 8            /* nesting of skipped values */
#define MD_NUM_MAX 24             /* bytes of a number */
#define MD_INT_DIGITS_MAX 18      /* integer digits: never beyond long long */
#define MD_EXTRA_MAX 4096         /* additionalConfiguration text */
#define MD_EXTRA_ITEMS_MAX 64     /* objects in additionalConfiguration */

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
 * '\\' (no escapes: its bytes are its value, and json_dumps writes them
 * back unchanged). *s, *n: borrowed from the body. */
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

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)? within the bounds; *is_real when it has a
 * fraction. An exponent or a leading zero leaves a byte the caller refuses. */
static int number(cur *c, const char **s, size_t *n, int *is_real)
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
        for (; q < e && is_digit(*q) && digits <= MD_INT_DIGITS_MAX; q++)
            digits++;
    }
    if (digits > MD_INT_DIGITS_MAX)
        return -1;
    *is_real = 0;
    if (q < e && *q == '.') {
        const char *f = ++q;
        for (; q < e && is_digit(*q) && (size_t)(q - c->p) <= MD_NUM_MAX; q++)
            ;
        if (q == f)
            return -1;
        *is_real = 1;
    }
    if ((size_t)(q - c->p) > MD_NUM_MAX)
        return -1;
    *s = c->p;
    *n = (size_t)(q - c->p);
    c->p = q;
    return 0;
}

/* The number's text as json_dumps writes it (jansson: "%lld" for integers;
 * "%.17g" plus ".0" when it has no '.' for reals). Its length, or -1 (a
 * real written with an exponent, which jansson rewrites: declined). */
static int number_text_uncached(const char *s, size_t n, int is_real, char *out, size_t cap)
{
    char tmp[MD_NUM_MAX + 1], *end = NULL;
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

#define MD_NUM_TEXT_MAX (MD_NUM_MAX + 16)

/* number_text_uncached with the last answer of this thread remembered: an
 * answer repeats one updatedAt in every configuration item, and the
 * strtod + "%.17g" pair is most of the scanner's cost. */
static int number_text(const char *s, size_t n, int is_real, char *out, size_t cap)
{
    static _Thread_local char last_in[MD_NUM_MAX], last_out[MD_NUM_TEXT_MAX];
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

static int literal(cur *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return -1;
    c->p += n;
    return 0;
}

static int is_key(const char *s, size_t n, const char *key)
{
    return strlen(key) == n && memcmp(s, key, n) == 0;
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

/* A plain string member into *dst (a new copy; keys are unique, so *dst
 * was NULL). */
static int take_str(cur *c, char **dst)
{
    const char *s;
    size_t n;
    if (plain_string(c, MD_STR_MAX, &s, &n) != 0)
        return -1;
    *dst = copy_span(s, n);
    return *dst ? 0 : -1;
}

/* Makes room for one more element in *v (n used of *cap, elem bytes each). */
static int grow(void *v, size_t n, size_t *cap, size_t elem)
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

/* ---- Objects and arrays ------------------------------------------------------ */

typedef int (*member_fn)(cur *c, const char *key, size_t n, void *ud);
typedef int (*item_fn)(cur *c, void *ud);

/* {"key":value,...}: each key read once (a repeat declines, as
 * JSON_REJECT_DUPLICATES makes jansson refuse it), at most MD_KEYS_MAX. */
static int scan_object(cur *c, member_fn member, void *ud)
{
    const char *keys[MD_KEYS_MAX];
    size_t lens[MD_KEYS_MAX], k = 0;
    if (take_byte(c, '{') != 0)
        return -1;
    if (take_byte(c, '}') == 0)
        return 0;
    for (;;) {
        const char *s;
        size_t n;
        if (k >= MD_KEYS_MAX || plain_string(c, MD_KEY_MAX, &s, &n) != 0 ||
            take_byte(c, ':') != 0)
            return -1;
        for (size_t i = 0; i < k; i++)
            if (lens[i] == n && memcmp(keys[i], s, n) == 0)
                return -1;
        keys[k] = s;
        lens[k++] = n;
        if (member(c, s, n, ud) != 0)
            return -1;
        if (take_byte(c, '}') == 0)
            return 0;
        if (take_byte(c, ',') != 0)
            return -1;
    }
}

/* [item,...] of at most max items. */
static int scan_array(cur *c, size_t max, item_fn item, void *ud)
{
    if (take_byte(c, '[') != 0)
        return -1;
    if (take_byte(c, ']') == 0)
        return 0;
    for (size_t i = 0;; i++) {
        if (i >= max || item(c, ud) != 0)
            return -1;
        if (take_byte(c, ']') == 0)
            return 0;
        if (take_byte(c, ',') != 0)
            return -1;
    }
}

static int skip_value(cur *c, int depth);

static int skip_member(cur *c, const char *key, size_t n, void *ud)
{
    (void)key;
    (void)n;
    return skip_value(c, *(int *)ud);
}

static int skip_item(cur *c, void *ud)
{
    return skip_value(c, *(int *)ud);
}

/* A value nobody reads (dataSources, updatedAt, ...), checked as jansson
 * would accept it. */
static int skip_value(cur *c, int depth)
{
    const char *s;
    size_t n;
    int real;
    if (c->p >= c->end)
        return -1;
    int inner = depth + 1;
    switch (*c->p) {
    case '"': return plain_string(c, MD_STR_MAX, &s, &n);
    case '{': return inner > MD_DEPTH_MAX ? -1 : scan_object(c, skip_member, &inner);
    case '[': return inner > MD_DEPTH_MAX ? -1 : scan_array(c, MD_ITEMS_MAX, skip_item, &inner);
    case 't': return literal(c, "true");
    case 'f': return literal(c, "false");
    case 'n': return literal(c, "null");
    default: return number(c, &s, &n, &real);
    }
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
    conf_member m[MD_KEYS_MAX];
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
        if (plain_string(c, MD_STR_MAX, &m->str, &m->str_n) != 0)
            return -1;
        break;
    case 't':
    case 'f':
    case 'n':
        if (literal(c, "true") != 0 && literal(c, "false") != 0 && literal(c, "null") != 0)
            return -1;
        memcpy(m->val, start, (size_t)(c->p - start));
        break;
    default:
        if (number(c, &s, &len, &real) != 0 ||
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
    if (scan_object(c, conf_value, &o) != 0)
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
    if (literal(c, "null") == 0)
        return 0;
    text t;
    t.n = 0;
    if (put(&t, "[", 1) != 0 || scan_array(c, MD_EXTRA_ITEMS_MAX, conf_object, &t) != 0 ||
        put(&t, "]", 1) != 0)
        return -1;
    *dst = copy_span(t.b, t.n);
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
    if (is_key(key, n, "name"))
        return take_str(c, &f->name);
    if (is_key(key, n, "status"))
        return take_str(c, &f->status);
    if (is_key(key, n, "autoEnable"))
        return take_str(c, &f->auto_enable);
    if (is_key(key, n, "additionalConfiguration"))
        return take_extra(c, &f->additional_json);
    return skip_value(c, 0);
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
    if (scan_object(c, feature_member, &f) != 0 || !f.name ||
        grow(&l->md->features, l->md->n_features, &l->cap, sizeof f) != 0) {
        feature_clear(&f);      /* a feature without a name: jansson skips it */
        return -1;
    }
    l->md->features[l->md->n_features++] = f;
    return 0;
}

static int member_member(cur *c, const char *key, size_t n, void *ud)
{
    gd_api_member_detector *md = ud;
    if (is_key(key, n, "accountId"))
        return take_str(c, &md->account_id);
    if (is_key(key, n, "features")) {
        feature_list l = {md, 0};
        /* jansson's path gives a present, empty list a (zero-length) array */
        md->features = calloc(1, sizeof *md->features);
        if (!md->features)
            return -1;
        l.cap = 1;
        return scan_array(c, MD_ITEMS_MAX, feature_item, &l);
    }
    return skip_value(c, 0);
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
    if (scan_object(c, member_member, &md) != 0 || !gd_api_is_account_id(md.account_id) ||
        grow(&l->out->members, l->out->n, &l->cap_members, sizeof md) != 0) {
        member_clear(&md);
        return -1;
    }
    l->out->members[l->out->n++] = md;
    return 0;
}

static int unprocessed_member(cur *c, const char *key, size_t n, void *ud)
{
    gd_api_unprocessed *u = ud;
    if (is_key(key, n, "accountId"))
        return take_str(c, &u->account_id);
    if (is_key(key, n, "result"))
        return take_str(c, &u->result);
    return skip_value(c, 0);
}

static int unprocessed_item(cur *c, void *ud)
{
    lists *l = ud;
    gd_api_member_detectors *out = l->out;
    gd_api_unprocessed u = {NULL, NULL};
    if (scan_object(c, unprocessed_member, &u) != 0 || !u.account_id ||
        grow(&out->unprocessed, out->n_unprocessed, &l->cap_unprocessed, sizeof u) != 0) {
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
    if (is_key(key, n, "members")) {
        r->members = 1;
        return scan_array(c, MD_ITEMS_MAX, member_item, r->l);
    }
    if (is_key(key, n, "unprocessedAccounts")) {
        /* as for features: present and empty is a zero-length array */
        if (!r->l->out->unprocessed &&
            !(r->l->out->unprocessed = calloc(1, sizeof *r->l->out->unprocessed)))
            return -1;
        r->l->cap_unprocessed = 1;
        return scan_array(c, MD_ITEMS_MAX, unprocessed_item, r->l);
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
    if (scan_object(&c, root_member, &r) != 0 || c.p != c.end || !r.members) {
        gd_api_member_detectors_free(out);
        return GD_MDSCAN_DECLINED;
    }
    return GD_MDSCAN_OK;
}
